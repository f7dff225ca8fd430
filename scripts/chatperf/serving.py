"""Publish the marts to a read-only serving copy that BI tools can read while dbt builds.

DuckDB lets one process write a database file and no other process open it meanwhile, so a
dashboard reading ``data/warehouse.duckdb`` would block (or be blocked by) the scheduled
``dbt build``. After a successful run the pipeline publishes:

- ``data/serving/chat_metrics.duckdb`` (``$CHATPERF_SERVING_PATH``): every table and view of the
  warehouse's ``marts`` schema as a table, the seeds the dashboard needs (``seeds`` schema), and
  a ``meta`` schema: ``publish_info`` (version, time, content fingerprint), ``published_tables``
  (rows and fingerprint per table), ``column_docs`` and ``doc_blocks`` (the dbt docs, so every
  reader shows the definitions of the data it reads), ``kpi_definitions`` (the KPI registry:
  label, unit, numerator and denominator or statistic, docs block and valid range of each KPI);
- ``data/serving/parquet/<table>.parquet``: the same tables as Parquet, for tools whose DuckDB
  drivers are shaky. ``parquet`` is a symlink to ``parquet_versions/<version>/``.

Both are built next to the live copy and swapped in with one atomic ``os.replace`` each (the
database file, then the ``parquet`` symlink), so a reader that opens a fresh read-only connection
per query sees the old copy or the new one, never a half-written file. A reader that is in the
middle of a query keeps its open file (POSIX keeps a replaced inode alive until it is closed).

If the new content has the same fingerprint as the live copy, nothing is swapped (``force``
swaps anyway): publishing twice from the same warehouse changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from chatperf import settings
from chatperf.settings import apply_duckdb_bounds

PUBLISHED_SCHEMAS = ("marts",)
PUBLISHED_SEEDS = ("alert_thresholds",)
META_SCHEMA = "meta"
KPI_DEFINITIONS = "kpi_definitions"  # the KPI registry's table, also published in meta
PARQUET_LINK = "parquet"
PARQUET_VERSIONS = "parquet_versions"
KEEP_VERSIONS = 3
# Storage format of the serving file: readable by every DuckDB from 1.0 on (BI tools often ship
# an older driver than ours). DuckDB's default depends on the writer's version; pin it.
STORAGE_VERSION = "v1.0.0"
# dbt vars a reader needs to show the definitions (costs, windows, currency) next to the numbers.
PUBLISHED_VARS = (
    "reporting_currency",
    "cost_per_human_conversation",
    "default_attribution_window_days",
    "default_attribution_model",
    "attribution_windows_days",
    "retention_check_days",
    "resolution_rule",
    "resolution_no_return_days",
    "engaged_min_messages",
    "engaged_min_seconds",
    "csat_good_min",
)

FLOAT_DIGITS = 12
# x rounded to FLOAT_DIGITS significant digits (0 and NULL stay as they are)
_ROUND_SIGNIFICANT = (
    "case when {c} is null or {c} = 0 or isinf({c}) or isnan({c}) then {c} else "
    f"round({{c}}, {FLOAT_DIGITS - 1} - floor(log10(abs({{c}})))::int) end"
)
_DOCS_BLOCK = re.compile(r"{%-?\s*docs\s+(\w+)\s*-?%}(.*?){%-?\s*enddocs\s*-?%}", re.DOTALL)


class PublishError(Exception):
    """A problem the user must fix; its message is one line."""


@dataclass
class PublishResult:
    serving_path: Path
    parquet_dir: Path
    version: str
    fingerprint: str
    swapped: bool
    tables: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        rows = sum(self.tables.values())
        what = "published" if self.swapped else "unchanged (same content already served)"
        return (
            f"serving copy {what}: version {self.version}, {len(self.tables)} tables, "
            f"{rows} rows -> {self.serving_path} and {self.parquet_dir}/"
        )


def default_serving_path() -> Path:
    """The serving copy: $CHATPERF_SERVING_PATH, else data/serving/chat_metrics.duckdb."""
    return Path(settings.default_serving_path())


def parquet_dir(serving_path: str | os.PathLike) -> Path:
    """The Parquet folder served next to the serving database (a symlink to the live version)."""
    return Path(serving_path).parent / PARQUET_LINK


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# --------------------------------------------------------------------------------------
# dbt docs: column descriptions from the manifest, doc blocks from the manifest or the .md files


def read_docs(
    manifest_path: str | os.PathLike | None, models_dir: str | os.PathLike | None = None
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(table, column, description) rows and (doc block name, text) rows.

    From dbt's manifest.json when there is one (column descriptions with their ``doc()``
    references resolved, and every docs block); otherwise the ``{% docs %}`` blocks of the
    ``.md`` files under ``models_dir``. The dashboard takes its definitions from these only.
    """
    columns: list[tuple[str, str, str]] = []
    blocks: dict[str, str] = {}
    if manifest_path and Path(manifest_path).is_file():
        manifest = json.loads(Path(manifest_path).read_text())
        for node in manifest.get("nodes", {}).values():
            if node.get("resource_type") not in ("model", "seed"):
                continue
            for name, col in node.get("columns", {}).items():
                if col.get("description"):
                    columns.append((node["name"], name, col["description"].strip()))
        for doc in manifest.get("docs", {}).values():
            if doc.get("package_name") == manifest.get("metadata", {}).get("project_name"):
                blocks[doc["name"]] = doc["block_contents"].strip()
    elif models_dir and Path(models_dir).is_dir():
        for md in sorted(Path(models_dir).rglob("*.md")):
            for name, text in _DOCS_BLOCK.findall(md.read_text()):
                blocks[name] = text.strip()
    return sorted(columns), sorted(blocks.items())


# --------------------------------------------------------------------------------------
# the publish


def read_project_vars(project_file: str | os.PathLike | None) -> list[tuple[str, str]]:
    """(name, JSON value) of the ``PUBLISHED_VARS`` set in ``dbt_project.yml``."""
    if not project_file or not Path(project_file).is_file():
        return []
    import yaml

    project_vars = (yaml.safe_load(Path(project_file).read_text()) or {}).get("vars") or {}
    return [(k, json.dumps(project_vars[k])) for k in PUBLISHED_VARS if k in project_vars]


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _source_tables(con: duckdb.DuckDBPyConnection, seeds: tuple[str, ...]) -> list[tuple[str, str]]:
    schemas = ", ".join(_lit(s) for s in PUBLISHED_SCHEMAS)
    rows = con.execute(
        f"""
        select schema_name, table_name from duckdb_tables()
        where database_name = 'src' and schema_name in ({schemas})
        union
        select schema_name, view_name from duckdb_views()
        where database_name = 'src' and schema_name in ({schemas}) and not internal
        """
    ).fetchall()
    if seeds:
        rows += con.execute(
            f"""
            select schema_name, table_name from duckdb_tables()
            where database_name = 'src' and schema_name = 'seeds'
                and table_name in ({", ".join(_lit(s) for s in seeds)})
            """
        ).fetchall()
    return sorted(set(rows))


def table_fingerprints(
    con: duckdb.DuckDBPyConnection, tables: list[tuple[str, str]], database: str | None = None
) -> dict[str, tuple[int, str]]:
    """Per ``schema.table``: (rows, an order-independent hash of the rows' contents).

    Floating-point columns are hashed rounded to ``FLOAT_DIGITS`` significant digits: a parallel
    ``dbt build`` sums doubles in a different order each time, so the last bits of a rebuilt
    mart differ although nothing changed; without the rounding every rebuild would "change".
    (A value that sits exactly on a rounding boundary can still flip, which only republishes
    the same numbers: harmless.)
    """
    prefix = f"{_q(database)}." if database else ""
    out = {}
    for schema, table in tables:
        cols = con.execute(
            "select column_name, data_type from duckdb_columns() where database_name = ? "
            "and schema_name = ? and table_name = ? order by column_index",
            [database or con.execute("select current_database()").fetchone()[0], schema, table],
        ).fetchall()
        parts = [
            f"{_ROUND_SIGNIFICANT.format(c=_q(name))}"
            if dtype in ("DOUBLE", "FLOAT", "REAL")
            else _q(name)
            for name, dtype in cols
        ]
        row_hash = f"hash({', '.join(parts)})" if parts else "0"
        rows, total = con.execute(
            f"select count(*), coalesce(sum({row_hash}), 0)::hugeint "
            f"from {prefix}{_q(schema)}.{_q(table)}"
        ).fetchone()
        out[f"{schema}.{table}"] = (int(rows), str(total))
    return out


def _fingerprint(
    tables: dict[str, tuple[int, str]], columns: list, blocks: list, project_vars: list
) -> str:
    digest = hashlib.sha256()
    for name in sorted(tables):
        digest.update(f"{name}:{tables[name][0]}:{tables[name][1]}\n".encode())
    digest.update(json.dumps([columns, blocks, project_vars]).encode())
    return digest.hexdigest()


def served_fingerprint(serving_path: str | os.PathLike) -> str | None:
    """The content fingerprint of the live serving copy, or None when there is none."""
    path = Path(serving_path)
    if not path.is_file():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute(f"select fingerprint from {META_SCHEMA}.publish_info").fetchone()
        return row[0] if row else None
    except duckdb.Error:
        return None
    finally:
        con.close()


def _live_parquet_version(serving_path: Path) -> str | None:
    link = parquet_dir(serving_path)
    return Path(os.readlink(link)).name if link.is_symlink() else None


def _swap_parquet(serving_path: Path, version_dir: Path) -> None:
    link = parquet_dir(serving_path)
    if link.exists() and not link.is_symlink():
        raise PublishError(
            f"{link} is a real folder, not the symlink the publish swaps; move it away first"
        )
    tmp_link = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(version_dir.relative_to(link.parent), tmp_link)
    os.replace(tmp_link, link)  # atomic: readers resolve the old or the new folder


def _prune_versions(serving_path: Path, keep: int) -> None:
    versions_root = serving_path.parent / PARQUET_VERSIONS
    live = _live_parquet_version(serving_path)
    versions = sorted(p for p in versions_root.iterdir() if p.is_dir())
    old = [p for p in versions if p.name != live][: max(0, len(versions) - keep)]
    for path in old:
        shutil.rmtree(path, ignore_errors=True)


def publish(
    warehouse: str | os.PathLike,
    serving_path: str | os.PathLike | None = None,
    manifest_path: str | os.PathLike | None = None,
    models_dir: str | os.PathLike | None = None,
    project_file: str | os.PathLike | None = None,
    seeds: tuple[str, ...] = PUBLISHED_SEEDS,
    force: bool = False,
    keep_versions: int = KEEP_VERSIONS,
) -> PublishResult:
    """Copy the warehouse's marts (and ``seeds``) to the serving copy and its Parquet files.

    The warehouse is opened read-only, so it must not be open for writing (the pipeline holds
    its lock while it publishes). Returns what was published; ``swapped`` is False when the
    live copy already had this content and ``force`` is not set.
    """
    warehouse = Path(warehouse)
    serving_path = Path(serving_path) if serving_path else default_serving_path()
    if not warehouse.is_file():
        raise PublishError(f"warehouse {warehouse} does not exist; run the pipeline first")
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    tmp = serving_path.with_name(f".{serving_path.name}.{os.getpid()}.{stamp}.tmp")
    versions_root = serving_path.parent / PARQUET_VERSIONS
    version_dir: Path | None = None
    swapped = False
    con = duckdb.connect(str(tmp), config={"storage_compatibility_version": STORAGE_VERSION})
    apply_duckdb_bounds(con, warehouse)  # spills, if any, beside the warehouse
    try:
        try:
            con.execute(f"attach {_lit(str(warehouse))} as src (read_only)")
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0]
            raise PublishError(f"cannot open warehouse {warehouse} read-only: {first}") from None
        tables = _source_tables(con, seeds)
        if not any(schema in PUBLISHED_SCHEMAS for schema, _ in tables):
            raise PublishError(f"warehouse {warehouse} has no marts schema; run dbt build first")
        columns, blocks = read_docs(manifest_path, models_dir)
        fingerprints = table_fingerprints(con, tables, database="src")
        project_vars = read_project_vars(project_file)
        fingerprint = _fingerprint(fingerprints, columns, blocks, project_vars)
        version = f"{stamp}-{fingerprint[:12]}"
        counts = {name: rows for name, (rows, _) in fingerprints.items()}
        live_version = _live_parquet_version(serving_path)
        if (
            not force
            and served_fingerprint(serving_path) == fingerprint
            and live_version is not None
            and live_version.endswith(fingerprint[:12])
        ):
            live = served_version(serving_path) or version
            return PublishResult(
                serving_path, parquet_dir(serving_path), live, fingerprint, False, counts
            )

        for schema in sorted({s for s, _ in tables}):
            con.execute(f"create schema {_q(schema)}")
        for schema, table in tables:
            name = f"{_q(schema)}.{_q(table)}"
            con.execute(f"create table {name} as select * from src.{name}")
        con.execute("detach src")

        manifest_generated_at = None
        if manifest_path and Path(manifest_path).is_file():
            metadata = json.loads(Path(manifest_path).read_text()).get("metadata", {})
            manifest_generated_at = metadata.get("generated_at")
        con.execute(f"create schema {META_SCHEMA}")
        con.execute(
            f"""
            create table {META_SCHEMA}.publish_info as select
                ?::varchar as version,
                ?::timestamptz as published_at,
                ?::varchar as fingerprint,
                ?::varchar as source_database,
                ?::varchar as dbt_manifest_generated_at
            """,
            [version, now, fingerprint, str(warehouse.resolve()), manifest_generated_at],
        )
        con.execute(
            f"create table {META_SCHEMA}.published_tables (table_schema varchar, "
            "table_name varchar, row_count bigint, content_hash varchar)"
        )
        con.executemany(
            f"insert into {META_SCHEMA}.published_tables values (?, ?, ?, ?)",
            [[*name.split(".", 1), rows, digest] for name, (rows, digest) in fingerprints.items()],
        )
        con.execute(
            f"create table {META_SCHEMA}.column_docs "
            "(table_name varchar, column_name varchar, description varchar)"
        )
        if columns:
            con.executemany(f"insert into {META_SCHEMA}.column_docs values (?, ?, ?)", columns)
        con.execute(f"create table {META_SCHEMA}.doc_blocks (name varchar, description varchar)")
        if blocks:
            con.executemany(f"insert into {META_SCHEMA}.doc_blocks values (?, ?)", blocks)
        con.execute(f"create table {META_SCHEMA}.project_vars (name varchar, value_json varchar)")
        if project_vars:
            con.executemany(f"insert into {META_SCHEMA}.project_vars values (?, ?)", project_vars)
        meta_tables = [(META_SCHEMA, t) for t in ("column_docs", "doc_blocks", "project_vars")]
        if ("marts", KPI_DEFINITIONS) in tables:
            con.execute(
                f"create table {META_SCHEMA}.{KPI_DEFINITIONS} as "
                f"select * from marts.{KPI_DEFINITIONS} order by kpi_order"
            )
            meta_tables.append((META_SCHEMA, KPI_DEFINITIONS))

        # Parquet: a new version folder, then swap the `parquet` symlink to it.
        version_dir = versions_root / version
        version_dir.mkdir(parents=True)
        for schema, table in [*tables, *meta_tables]:
            file_name = f"_{table}" if schema == META_SCHEMA else table
            target = version_dir / f"{file_name}.parquet"
            con.execute(
                f"copy (select * from {_q(schema)}.{_q(table)}) to {_lit(str(target))} "
                "(format parquet)"
            )
        (version_dir / "_publish_info.json").write_text(
            json.dumps(
                {
                    "version": version,
                    "published_at": now.isoformat(),
                    "fingerprint": fingerprint,
                    "tables": counts,
                },
                indent=2,
            )
            + "\n"
        )
        con.close()
        for written in [tmp, *version_dir.iterdir(), version_dir]:
            _fsync(written)
        os.chmod(tmp, 0o444)  # the serving copy is read-only for everyone
        os.replace(tmp, serving_path)  # atomic: readers open the old file or the new one
        _swap_parquet(serving_path, version_dir)
        swapped = True
        _fsync(serving_path.parent)
        _prune_versions(serving_path, keep_versions)
        return PublishResult(
            serving_path, parquet_dir(serving_path), version, fingerprint, True, counts
        )
    finally:
        con.close()
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            if leftover.exists():
                leftover.unlink()
        if not swapped and version_dir is not None and version_dir.exists():
            shutil.rmtree(version_dir, ignore_errors=True)


def served_version(serving_path: str | os.PathLike) -> str | None:
    """The version id of the live serving copy, or None when there is none."""
    path = Path(serving_path)
    if not path.is_file():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        return con.execute(f"select version from {META_SCHEMA}.publish_info").fetchone()[0]
    except duckdb.Error:
        return None
    finally:
        con.close()
