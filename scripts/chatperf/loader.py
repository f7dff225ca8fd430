"""Load a landing folder into DuckDB's ``raw`` schema: append-only, idempotent, losing nothing.

Every data row of every landing file ends in exactly one of two places:

- its raw table ``raw.<table>``, with load metadata (``_source_file``, ``_source_line``,
  ``_loaded_at``, ``_load_id``) and any columns the contract does not know in
  ``_extra_columns`` (schema drift keeps the data instead of dropping it);
- ``raw._quarantine``, with the file, the line, the raw text and the reason it was refused.

``raw._load_files`` records each file once by content hash (so loading the same file twice adds
nothing) with its row accounting: ``rows_in_file = rows_loaded + rows_quarantined``. A file is
loaded in one transaction, so an interrupted load leaves no half file behind.

A bad file never stops the others: a line with undecodable bytes, a CSV record the csv module
refuses, a value out of its column's range are quarantined rows; a gzip stream that breaks off
loads nothing (each line that could be read is quarantined, the note says why); a path that is
not a regular file (FIFO, dangling symlink) is never opened and is recorded with a note.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import datetime as dt
import hashlib
import multiprocessing
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa

from chatperf.landing_spec import (
    TABLES,
    Table,
    table_for_file,
)
from chatperf.loader_read import TextFile, readable_lines, refusal, show_escaped
from chatperf.loader_rows import (  # noqa: F401  (_parse_ts: the tests check it against staging)
    ARROW_TYPES,
    SQL_TYPES,
    FileResult,
    _iter_csv,
    _iter_jsonl,
    _parse_ts,
)
from chatperf.settings import apply_duckdb_bounds

BATCH_ROWS = 100_000
NOT_READ = "(not read)"  # raw._load_files.file_sha256 of a path refused unread
META_COLUMNS = ("_extra_columns", "_source_file", "_source_line", "_loaded_at", "_load_id")


class LoadError(Exception):
    """A problem the user must fix; its message is one line."""


# --------------------------------------------------------------------------------------
# the warehouse side


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_ddl(table: Table) -> str:
    cols = [f"{quote(c.name)} {SQL_TYPES[c.type]}" for c in table.columns]
    cols += [
        "_extra_columns varchar",
        "_source_file varchar not null",
        "_source_line bigint not null",
        "_loaded_at timestamp not null",
        "_load_id varchar not null",
    ]
    return f"create table if not exists raw.{table.name} (\n    " + ",\n    ".join(cols) + "\n)"


SYSTEM_DDL = (
    "create schema if not exists raw",
    """
    create table if not exists raw._load_files (
        file_path varchar not null,
        file_sha256 varchar not null,
        table_name varchar not null,
        rows_in_file bigint not null,
        rows_loaded bigint not null,
        rows_quarantined bigint not null,
        notes varchar,
        loaded_at timestamp not null,
        load_id varchar not null
    )
    """,
    """
    create table if not exists raw._quarantine (
        table_name varchar not null,
        source_file varchar not null,
        source_line bigint not null,
        reason varchar not null,
        raw_line varchar,
        quarantined_at timestamp not null,
        load_id varchar not null
    )
    """,
)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in SYSTEM_DDL:
        con.execute(ddl)
    for table in TABLES:
        con.execute(_table_ddl(table))


def connect(database: str | os.PathLike, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, turning DuckDB's lock error into a one-line message. The session's
    time zone is UTC, as in the dbt profile: naive landing timestamps mean UTC on every host; the
    memory, thread and temp-space bounds are the profile's too (chatperf.settings)."""
    path = Path(database)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        msg = str(exc)
        if "lock" in msg.lower():
            holder = ""
            if "PID" in msg:
                holder = " (" + msg[msg.index("PID") :].split(")")[0].strip() + ")"
            raise LoadError(
                f"database {path} is locked by another process{holder}; "
                "close the other connection (BI tool, dbt run) and retry"
            ) from None
        raise LoadError(f"cannot open database {path}: {msg.splitlines()[0]}") from None
    con.execute("set TimeZone = 'UTC'")
    apply_duckdb_bounds(con, path)
    return con


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def discover(landing: Path) -> list[tuple[Path, Table]]:
    """Every landing file with its table; a file that fits no table is a one-line error."""
    if not landing.exists():
        raise LoadError(f"landing folder {landing} does not exist")
    if not landing.is_dir():
        raise LoadError(f"landing path {landing} is not a folder")
    found: list[tuple[Path, Table]] = []
    for path in sorted(landing.rglob("*")):
        rel = path.relative_to(landing)
        if any(part.startswith((".", "_")) for part in rel.parts):
            continue  # hidden files and the generator's _manifest.json
        if path.is_dir():
            continue
        if len(rel.parts) != 2:
            raise LoadError(
                f"unrecognised landing file {rel}: files must sit in a source folder "
                "such as chat_events/ or stripe/"
            )
        table = table_for_file(rel.parts[0], rel.parts[1])
        if table is None:
            expected = sorted({f"{t.folder}/{t.prefix}*.{'|'.join(t.formats)}" for t in TABLES})
            raise LoadError(
                f"unrecognised landing file {rel}: it matches no raw table "
                f"(expected one of: {', '.join(expected)})"
            )
        found.append((path, table))
    return found


class _Parsed:
    """One file parsed (no database needed): typed rows spooled to an Arrow IPC file, the
    quarantined rows, and the file's row accounting."""

    def __init__(self, table: Table, rel: str, loaded_at: dt.datetime, load_id: str, spool: Path):
        self.table, self.rel = table, rel
        self.loaded_at, self.load_id = loaded_at, load_id
        self.schema = pa.schema(
            [pa.field(c.name, ARROW_TYPES[c.type]) for c in table.columns]
            + [
                pa.field("_extra_columns", pa.string()),
                pa.field("_source_file", pa.string()),
                pa.field("_source_line", pa.int64()),
                pa.field("_loaded_at", pa.timestamp("us")),
                pa.field("_load_id", pa.string()),
            ]
        )
        self.spool = spool
        self.sink: pa.ipc.RecordBatchFileWriter | None = None
        self.rows: list[list[object]] = []
        self.quarantine: list[tuple] = []

    def add(self, row: list[object], extras: dict | None, lineno: int) -> None:
        extra_text = orjson.dumps(extras, option=orjson.OPT_SORT_KEYS).decode() if extras else None
        row.extend((extra_text, self.rel, lineno, self.loaded_at, self.load_id))
        self.rows.append(row)
        if len(self.rows) >= BATCH_ROWS:
            self.flush()

    def reject(self, lineno: int, text: str, reason: str) -> None:
        self.quarantine.append(
            (self.table.name, self.rel, lineno, reason, text, self.loaded_at, self.load_id)
        )

    def flush(self) -> None:
        if not self.rows:
            return
        columns = list(zip(*self.rows, strict=True))
        batch = pa.RecordBatch.from_arrays(
            [pa.array(col, type=f.type) for col, f in zip(columns, self.schema, strict=True)],
            schema=self.schema,
        )
        if self.sink is None:
            self.sink = pa.ipc.new_file(str(self.spool), self.schema)
        self.sink.write_batch(batch)
        self.rows = []

    def close(self) -> None:
        self.flush()
        if self.sink is not None:
            self.sink.close()
            self.sink = None

    def discard(self) -> None:
        """Drop every row parsed so far (the file will not load)."""
        self.rows, self.quarantine = [], []
        if self.sink is not None:
            with contextlib.suppress(OSError, pa.ArrowException):
                self.sink.close()
            self.sink = None
        self.spool.unlink(missing_ok=True)


def _is_jsonl(path: Path) -> bool:
    return path.name.removesuffix(".gz").endswith((".jsonl", ".ndjson", ".json"))


def _has_data_rows(path: Path, table: Table) -> bool:
    """Whether a file holds any data row (header-only and empty files do not)."""
    try:
        with TextFile(path) as text:
            lines = (line for line in text.handle if line.strip())
            if "csv" in table.formats and not _is_jsonl(path):
                next(lines, None)  # the header
            return next(lines, None) is not None
    except OSError:
        return True  # unreadable now: count it as the file loaded before under the other name


@dataclass
class ParsedFile:
    result: FileResult
    spool: Path | None  # Arrow IPC file of the loaded rows, None when no row loaded
    quarantine: list[tuple]
    loaded_at: dt.datetime


def parse_file(
    path: Path, table: Table, rel: str, digest: str, load_id: str, spool: Path
) -> ParsedFile:
    """Parse and type-check one landing file; runs in a worker process when loading in parallel."""
    result = FileResult(path=rel, table=table.name, sha256=digest)
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    parsed = _Parsed(table, rel, loaded_at, load_id, spool)
    try:
        with TextFile(path) as text:
            if text.note:
                result.notes.append(text.note)
            if _is_jsonl(path):
                rows = _iter_jsonl(table, text.handle, text.encoding)
            else:
                rows = _iter_csv(table, text.handle, result, text.encoding)
            for lineno, raw, row, reason, extras in rows:
                result.rows_in_file += 1
                if row is None:
                    result.rows_quarantined += 1
                    parsed.reject(lineno, raw, reason or "unparseable row")
                else:
                    result.rows_loaded += 1
                    parsed.add(row, extras, lineno)
            problem = text.error
        parsed.close()
    except OSError as exc:
        problem = f"read error ({exc.strerror or exc})"
    except Exception as exc:  # a loader bug on this file must not stop the other files
        problem = f"the loader failed on it ({type(exc).__name__}: {str(exc)[:200]})"
    if problem is not None:
        parsed.discard()
        result = _whole_file_quarantined(path, table, rel, digest, parsed, problem)
    if result.rows_in_file == 0 and not result.notes:
        result.notes.append("empty file")
    return ParsedFile(
        result=result,
        spool=spool if spool.exists() else None,
        quarantine=parsed.quarantine,
        loaded_at=loaded_at,
    )


def _whole_file_quarantined(
    path: Path, table: Table, rel: str, digest: str, parsed: _Parsed, problem: str
) -> FileResult:
    """A file that cannot be read to its end loads nothing (loading its first part would
    duplicate rows once the whole file is landed again): each data line one can read is
    quarantined with the problem, and the note says what to do."""
    result = FileResult(path=rel, table=table.name, sha256=digest)
    lines, _ = readable_lines(path)
    if lines and not _is_jsonl(path):
        lines = lines[1:]  # the CSV header
    reason = f"file not loaded: {problem}"
    for lineno, text in lines:
        parsed.reject(lineno, show_escaped(text), reason)
    result.rows_in_file = result.rows_quarantined = len(lines)
    result.notes.append(
        f"{reason}; its {len(lines)} readable data line(s) are quarantined: fix the file and "
        "re-land it (a corrected copy loads as a new file)"
    )
    return result


def _already_loaded(
    con: duckdb.DuckDBPyConnection, path: Path, table: Table, rel: str, digest: str
) -> str | None:
    """The name the same content was loaded under before, if it counts as already loaded."""
    seen = con.execute(
        "select file_path from raw._load_files where file_sha256 = ? and table_name = ? "
        "order by (file_path = ?) desc limit 1",
        [digest, table.name, rel],
    ).fetchone()
    if seen and (seen[0] == rel or _has_data_rows(path, table)):
        return seen[0]
    return None


def write_parsed(con: duckdb.DuckDBPyConnection, parsed: ParsedFile, load_id: str) -> None:
    """Append one parsed file in one transaction: its rows, its quarantine, its accounting."""
    result = parsed.result
    con.execute("begin transaction")
    try:
        if parsed.spool is not None:
            with pa.memory_map(str(parsed.spool)) as source:
                reader = pa.ipc.open_file(source)
                for i in range(reader.num_record_batches):
                    con.register("_batch", pa.Table.from_batches([reader.get_batch(i)]))
                    con.execute(f"insert into raw.{result.table} by name select * from _batch")
                    con.unregister("_batch")
        for a in range(0, len(parsed.quarantine), BATCH_ROWS):
            con.executemany(
                "insert into raw._quarantine values (?, ?, ?, ?, ?, ?, ?)",
                parsed.quarantine[a : a + BATCH_ROWS],
            )
        con.execute(
            "insert into raw._load_files values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                result.path,
                result.sha256,
                result.table,
                result.rows_in_file,
                result.rows_loaded,
                result.rows_quarantined,
                "; ".join(result.notes) or None,
                parsed.loaded_at,
                load_id,
            ],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        if parsed.spool is not None:
            parsed.spool.unlink(missing_ok=True)


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: Table,
    rel: str,
    load_id: str,
    spool_dir: Path,
) -> FileResult:
    """Load one file in this process (skipped when its content was loaded before)."""
    digest, refused = _digest_or_refusal(path)
    if refused is not None:
        return record_refusal(con, table, rel, refused, load_id)
    seen = _already_loaded(con, path, table, rel, digest)
    if seen is not None:
        result = FileResult(path=rel, table=table.name, sha256=digest, skipped=True)
        result.notes.append(f"already loaded (as {seen})")
        return result
    parsed = parse_file(path, table, rel, digest, load_id, spool_dir / f"{uuid.uuid4().hex}.arrow")
    write_parsed(con, parsed, load_id)
    return parsed.result


def _digest_or_refusal(path: Path) -> tuple[str, str | None]:
    """The file's content hash, or why it is not read (never opening a FIFO or a device)."""
    reason = refusal(path)
    if reason is not None:
        return NOT_READ, reason
    try:
        return sha256_of(path), None
    except OSError as exc:
        return NOT_READ, f"not read: {exc.strerror or exc}"


def record_refusal(
    con: duckdb.DuckDBPyConnection, table: Table, rel: str, reason: str, load_id: str
) -> FileResult:
    """Record a path that is not read in raw._load_files (no rows, the reason as its note) the
    first time; later runs report it again but add nothing."""
    result = FileResult(path=rel, table=table.name, sha256=NOT_READ, refused=True, notes=[reason])
    seen = con.execute(
        "select 1 from raw._load_files where file_path = ? and file_sha256 = ? and table_name = ?",
        [rel, NOT_READ, table.name],
    ).fetchone()
    if seen:
        result.skipped = True
        return result
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute(
        "insert into raw._load_files values (?, ?, ?, 0, 0, 0, ?, ?, ?)",
        [rel, NOT_READ, table.name, reason, now, load_id],
    )
    return result


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def load_landing(
    landing: str | os.PathLike,
    database: str | os.PathLike,
    show_progress: bool = False,
    workers: int | None = None,
) -> list[FileResult]:
    """Load every new file of the landing folder; return what happened to each file.

    Files are parsed in ``workers`` processes (default: the CPU count, at most 4) while this
    process appends the parsed files to DuckDB one at a time, in file order, each in its own
    transaction; the result is the same as a serial load.
    """
    landing = Path(landing)
    files = discover(landing)
    workers = default_workers() if workers is None else max(1, workers)
    con = connect(database)
    spool_dir = Path(tempfile.mkdtemp(prefix="chatperf-load-"))
    bar = None
    try:
        ensure_schema(con)
        load_id = uuid.uuid4().hex
        if show_progress:
            from tqdm import tqdm

            total = sum(_size(p) for p, _ in files)
            bar = tqdm(total=total, unit="B", unit_scale=True, desc="loading", leave=False)
        if workers == 1 or len(files) < 2:
            results = []
            for path, table in files:
                rel = path.relative_to(landing).as_posix()
                results.append(load_file(con, path, table, rel, load_id, spool_dir))
                if bar is not None:
                    bar.update(_size(path))
            return results
        return _load_parallel(con, landing, files, load_id, spool_dir, workers, bar)
    finally:
        if bar is not None:
            bar.close()
        con.close()
        shutil.rmtree(spool_dir, ignore_errors=True)


def _load_parallel(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    files: list[tuple[Path, Table]],
    load_id: str,
    spool_dir: Path,
    workers: int,
    bar,
) -> list[FileResult]:
    results: list[FileResult | None] = [None] * len(files)
    pending: collections.deque = collections.deque()
    context = multiprocessing.get_context("spawn")  # no inherited DuckDB connection
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        try:
            for index, (path, table) in enumerate(files):
                rel = path.relative_to(landing).as_posix()
                digest, refused = _digest_or_refusal(path)
                if refused is not None:
                    results[index] = record_refusal(con, table, rel, refused, load_id)
                    continue
                seen = _already_loaded(con, path, table, rel, digest)
                if seen is not None:
                    results[index] = FileResult(
                        path=rel, table=table.name, sha256=digest, skipped=True
                    )
                    results[index].notes.append(f"already loaded (as {seen})")
                    continue
                spool = spool_dir / f"{index}.arrow"
                future = pool.submit(parse_file, path, table, rel, digest, load_id, spool)
                pending.append((index, path, table, rel, digest, future))
                # keep a bounded number of parsed files waiting, to bound memory and disk
                while len(pending) > workers + 1:
                    _write_next(con, pending, results, load_id, bar)
            while pending:
                _write_next(con, pending, results, load_id, bar)
        except BaseException:
            for *_, future in pending:
                future.cancel()
            raise
    return [r for r in results if r is not None]


def _write_next(con, pending, results, load_id: str, bar) -> None:
    index, path, table, rel, digest, future = pending.popleft()
    parsed = future.result()
    # the same content may have been loaded meanwhile under another name in this run
    seen = _already_loaded(con, path, table, rel, digest)
    if seen is not None:
        if parsed.spool is not None:
            parsed.spool.unlink(missing_ok=True)
        result = FileResult(path=rel, table=table.name, sha256=digest, skipped=True)
        result.notes.append(f"already loaded (as {seen})")
        results[index] = result
    else:
        write_parsed(con, parsed, load_id)
        results[index] = parsed.result
    if bar is not None:
        bar.update(_size(path))
