"""Load a landing folder into DuckDB's ``raw`` schema: append-only, idempotent, losing nothing.

Every data row of every landing file ends in exactly one of two places:

- its raw table ``raw.<table>``, with load metadata (``_source_file``, ``_source_line``,
  ``_loaded_at``, ``_load_id``) and any columns the contract does not know in
  ``_extra_columns`` (schema drift keeps the data instead of dropping it);
- ``raw._quarantine``, with the file, the line, the raw text and the reason it was refused.

``raw._load_files`` records each file once by content hash (so loading the same file twice adds
nothing) with its row accounting: ``rows_in_file = rows_loaded + rows_quarantined``. A file is
loaded in one transaction, so an interrupted load leaves no half file behind.
"""

from __future__ import annotations

import collections
import concurrent.futures
import csv
import datetime as dt
import gzip
import hashlib
import io
import multiprocessing
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa

from chatperf.landing_spec import (
    CHAT_EVENT_TYPES,
    CHAT_EVENTS_WITHOUT_CONVERSATION,
    TABLES,
    TABLES_BY_NAME,
    Column,
    Table,
    table_for_file,
)
from chatperf.settings import apply_duckdb_bounds

BATCH_ROWS = 100_000
META_COLUMNS = ("_extra_columns", "_source_file", "_source_line", "_loaded_at", "_load_id")


class LoadError(Exception):
    """A problem the user must fix; its message is one line."""


# --------------------------------------------------------------------------------------
# value parsing: each parser returns the typed value or raises ValueError with a reason


def _parse_str(v: str) -> str:
    return v


def _parse_int(v: str) -> int:
    try:
        return int(v.strip())
    except ValueError:
        raise ValueError(f"{v!r} is not an integer") from None


def _parse_dec(v: str) -> Decimal:
    try:
        d = Decimal(v.strip())
    except InvalidOperation:
        raise ValueError(f"{v!r} is not a decimal number") from None
    if not d.is_finite():
        raise ValueError(f"{v!r} is not a finite number")
    return d


_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}


def _parse_bool(v: str) -> bool:
    s = v.strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(f"{v!r} is not a boolean")


# The ISO-8601 forms staging casts on every engine (macros/cross_db/timestamps.sql): a date,
# optionally a time (HH:MM, HH:MM:SS, fractions); an offset (Z, +HH, +HHMM, +HH:MM) only after
# full seconds and with nothing between them. Python alone would accept more ('10:00 +02:00',
# a lower-case 'z', '10:00+02:00') that DuckDB then refuses mid-build; such rows are quarantined.
_TS_FORM = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
    r"|[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}(?::?\d{2})?))?"
)


def _parse_ts(v: str) -> str:
    s = v.strip()
    if not _TS_FORM.fullmatch(s):
        raise ValueError(
            f"{v!r} is not an ISO-8601 timestamp (YYYY-MM-DD[THH:MM[:SS[.f]]], offset Z or "
            "+HH[:MM] after the seconds)"
        )
    try:
        dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{v!r} is not an ISO-8601 timestamp (no such date or time)") from None
    return s


def _parse_date(v: str) -> dt.date:
    try:
        return dt.date.fromisoformat(v.strip())
    except ValueError:
        raise ValueError(f"{v!r} is not a date") from None


def _parse_json(v: str) -> str:
    try:
        orjson.loads(v)
    except orjson.JSONDecodeError:
        raise ValueError(f"{v[:40]!r} is not valid JSON") from None
    return v


PARSERS: dict[str, Callable[[str], object]] = {
    "str": _parse_str,
    "int": _parse_int,
    "dec": _parse_dec,
    "bool": _parse_bool,
    "ts": _parse_ts,
    "date": _parse_date,
    "json": _parse_json,
}

ARROW_TYPES: dict[str, pa.DataType] = {
    "str": pa.string(),
    "int": pa.int64(),
    "dec": pa.decimal128(18, 4),
    "bool": pa.bool_(),
    "ts": pa.string(),
    "date": pa.date32(),
    "json": pa.string(),
}

SQL_TYPES: dict[str, str] = {
    "str": "varchar",
    "int": "bigint",
    "dec": "decimal(18, 4)",
    "bool": "boolean",
    "ts": "varchar",
    "date": "date",
    "json": "varchar",
}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --------------------------------------------------------------------------------------
# rows: a parsed row is a list of typed values in contract order, or a quarantine reason


@dataclass
class FileResult:
    path: str
    table: str
    sha256: str
    rows_in_file: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    skipped: bool = False
    notes: list[str] = field(default_factory=list)


def _convert(columns: tuple[Column, ...], values: dict[str, object]) -> list[object]:
    """Type-check one record given as {column: raw value}; raise ValueError with the reason."""
    out: list[object] = []
    for col in columns:
        raw = values.get(col.name)
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            if col.required:
                raise ValueError(f"missing required value '{col.name}'")
            out.append(None)
            continue
        if not isinstance(raw, str):
            # JSON scalars: keep numbers and booleans exact, objects as JSON text
            if col.type == "json" or isinstance(raw, dict | list):
                raw = orjson.dumps(raw).decode()
            elif isinstance(raw, bool):
                raw = "true" if raw else "false"
            else:
                raw = str(raw)
        try:
            out.append(PARSERS[col.type](raw))
        except ValueError as exc:
            raise ValueError(f"column '{col.name}': {exc}") from None
    return out


def _chat_event_record(obj: dict) -> dict[str, object]:
    """Map a Segment track event onto the chat_events columns, checking its envelope."""
    if not isinstance(obj, dict):
        raise ValueError("JSON line is not an object")
    event = obj.get("event")
    if event is not None and event not in CHAT_EVENT_TYPES:
        raise ValueError(f"unknown event type {event!r}")
    props = obj.get("properties") or {}
    if not isinstance(props, dict):
        raise ValueError("properties is not an object")
    conversation_id = props.get("conversation_id")
    if event is not None and event not in CHAT_EVENTS_WITHOUT_CONVERSATION and not conversation_id:
        raise ValueError(f"missing required value 'properties.conversation_id' for {event!r}")
    return {
        "event_id": obj.get("messageId"),
        "event_type": event,
        "event_timestamp": obj.get("timestamp"),
        "received_at": obj.get("receivedAt"),
        "anonymous_id": obj.get("anonymousId"),
        "conversation_id": conversation_id,
    }


_PAYLOAD_INDEX = TABLES_BY_NAME["chat_events"].column_names.index("payload")
_ENVELOPE_NAMES = {
    "event_id": "messageId",
    "event_type": "event",
    "event_timestamp": "timestamp",
    "anonymous_id": "anonymousId",
}


def _iter_jsonl(
    table: Table, handle: io.TextIOBase
) -> Iterator[tuple[int, str, list[object] | None, str | None, dict | None]]:
    """Yield (line number, raw line, row or None, quarantine reason or None, extras)."""
    names = set(table.column_names)
    for lineno, line in enumerate(handle, start=1):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        try:
            obj = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            detail = str(exc).splitlines()[0].split(": line ")[0]
            yield lineno, text, None, f"malformed JSON: {detail}", None
            continue
        try:
            if table.name == "chat_events":
                record = _chat_event_record(obj)
                record["payload"] = "{}"  # the line itself, set below without parsing twice
                extras = None
            else:
                if not isinstance(obj, dict):
                    raise ValueError("JSON line is not an object")
                record = obj
                extra_keys = sorted(k for k in obj if k not in names)
                extras = {k: obj[k] for k in extra_keys} or None
            row = _convert(table.columns, record)
            if table.name == "chat_events":
                row[_PAYLOAD_INDEX] = text
        except ValueError as exc:
            reason = str(exc)
            if table.name == "chat_events":
                for col, envelope in _ENVELOPE_NAMES.items():
                    reason = reason.replace(f"'{col}'", f"'{envelope}'")
            yield lineno, text, None, reason, None
            continue
        yield lineno, text, row, None, extras


def _iter_csv(
    table: Table, handle: io.TextIOBase, result: FileResult
) -> Iterator[tuple[int, str, list[object] | None, str | None, dict | None]]:
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        result.notes.append("empty file (no header)")
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    known = set(table.column_names)
    missing = [c for c in table.column_names if c not in header]
    extra = [h for h in header if h not in known]
    missing_required = [c.name for c in table.columns if c.required and c.name in missing]
    if missing:
        result.notes.append("schema drift: file lacks column(s) " + ", ".join(missing))
    if extra:
        result.notes.append(
            "schema drift: extra column(s) " + ", ".join(extra) + " kept in _extra_columns"
        )
    width = len(header)
    line_start = reader.line_num + 1
    for fields in reader:
        lineno = line_start
        line_start = reader.line_num + 1
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        if missing_required:
            reason = "schema drift: file lacks required column(s) " + ", ".join(missing_required)
            yield lineno, _csv_line(fields), None, reason, None
            continue
        if len(fields) != width:
            reason = f"expected {width} fields, found {len(fields)}"
            yield lineno, _csv_line(fields), None, reason, None
            continue
        record = dict(zip(header, fields, strict=True))
        try:
            row = _convert(table.columns, record)
        except ValueError as exc:
            yield lineno, _csv_line(fields), None, str(exc), None
            continue
        extras = {k: record[k] for k in extra} or None
        yield lineno, "", row, None, extras  # the raw text is only kept for quarantined rows


def _csv_line(fields: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(fields)
    return buf.getvalue()


# --------------------------------------------------------------------------------------
# the warehouse side


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


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return path.open("r", encoding="utf-8", newline="")


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


def _has_data_rows(path: Path, table: Table) -> bool:
    """Whether a file holds any data row (header-only and empty files do not)."""
    with _open_text(path) as handle:
        lines = (line for line in handle if line.strip())
        if "csv" in table.formats and not path.name.removesuffix(".gz").endswith(".jsonl"):
            next(lines, None)  # the header
        return next(lines, None) is not None


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
        with _open_text(path) as handle:
            if path.name.removesuffix(".gz").endswith((".jsonl", ".ndjson", ".json")):
                rows = _iter_jsonl(table, handle)
            else:
                rows = _iter_csv(table, handle, result)
            for lineno, text, row, reason, extras in rows:
                result.rows_in_file += 1
                if row is None:
                    result.rows_quarantined += 1
                    parsed.reject(lineno, text, reason or "unparseable row")
                else:
                    result.rows_loaded += 1
                    parsed.add(row, extras, lineno)
        parsed.close()
    except UnicodeDecodeError as exc:
        parsed.close()
        spool.unlink(missing_ok=True)
        raise LoadError(f"{rel} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if result.rows_in_file == 0 and not result.notes:
        result.notes.append("empty file")
    return ParsedFile(
        result=result,
        spool=spool if spool.exists() else None,
        quarantine=parsed.quarantine,
        loaded_at=loaded_at,
    )


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
    digest = sha256_of(path)
    seen = _already_loaded(con, path, table, rel, digest)
    if seen is not None:
        result = FileResult(path=rel, table=table.name, sha256=digest, skipped=True)
        result.notes.append(f"already loaded (as {seen})")
        return result
    parsed = parse_file(path, table, rel, digest, load_id, spool_dir / f"{uuid.uuid4().hex}.arrow")
    write_parsed(con, parsed, load_id)
    return parsed.result


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

            total = sum(p.stat().st_size for p, _ in files)
            bar = tqdm(total=total, unit="B", unit_scale=True, desc="loading", leave=False)
        if workers == 1 or len(files) < 2:
            results = []
            for path, table in files:
                rel = path.relative_to(landing).as_posix()
                results.append(load_file(con, path, table, rel, load_id, spool_dir))
                if bar is not None:
                    bar.update(path.stat().st_size)
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
                digest = sha256_of(path)
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
        bar.update(path.stat().st_size)
