"""The serving copy: readers never block the build, the build never breaks readers.

A reader process queries the serving copy in a loop (one connection held open all along, like
a BI tool, plus a fresh connection per query, like the dashboard) while the pipeline rebuilds
the warehouse with dbt and publishes a new version; neither fails, and the reader only ever
sees a complete version (every table's row count equals the one recorded at publish time).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import duckdb
import pytest

from chatperf.serving import (
    PublishError,
    parquet_dir,
    publish,
    served_fingerprint,
    served_version,
)
from conftest import PYTHON, ROOT

READER = """
import json, pathlib, sys, time
import duckdb
serving, stop, out = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
held = duckdb.connect(serving, read_only=True)  # a BI tool keeping the file open
seen, errors, queries, held_queries = {}, [], 0, 0
def consistent(con):
    version = con.execute("select version from meta.publish_info").fetchone()[0]
    for schema, table, rows in con.execute(
        "select table_schema, table_name, row_count from meta.published_tables"
    ).fetchall():
        actual = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
        if actual != rows:
            raise AssertionError(f"{version}: {table} has {actual} rows, published {rows}")
    con.execute("select sum(conversations) from marts.rpt_chat_kpis_daily").fetchone()
    return version
while not stop.exists():
    try:
        con = duckdb.connect()  # the dashboard: a fresh connection attaching the file
        try:
            con.execute(f"attach '{serving}' as serving (read_only)")
            con.execute("use serving")
            version = consistent(con)
        finally:
            con.close()
        seen[version] = seen.get(version, 0) + 1
        queries += 1
        consistent(held)
        held_queries += 1
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}"[:300])
    time.sleep(0.05)
held.close()
out.write_text(json.dumps(
    {"seen": seen, "errors": errors, "queries": queries, "held_queries": held_queries}
))
"""


@pytest.fixture
def served(warehouse, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse.path, db)
    path = tmp_path / "data" / "serving" / "chat_metrics.duckdb"
    manifest = warehouse.path.parent / "target" / "manifest.json"
    result = publish(db, path, manifest_path=manifest, project_file=ROOT / "dbt_project.yml")
    return {"db": db, "serving": path, "result": result, "manifest": manifest, "tmp": tmp_path}


def test_publish_is_readable_and_idempotent(served):
    path, first = served["serving"], served["result"]
    assert first.swapped and served_version(path) == first.version
    assert not os.access(path, os.W_OK) or os.geteuid() == 0  # read-only for non-root readers
    con = duckdb.connect(str(path), read_only=True)
    try:
        tags = con.execute(
            "select tags from duckdb_databases() where database_name = current_database()"
        ).fetchone()[0]
        assert tags["storage_version"].startswith("v1.0.0")  # any DuckDB 1.x reader
        kpi_rows = con.execute("select count(*) from marts.rpt_chat_kpis_daily").fetchone()[0]
        docs = con.execute(
            "select description from meta.column_docs "
            "where table_name = 'rpt_chat_kpis_daily' and column_name = 'resolution_rate'"
        ).fetchone()[0]
    finally:
        con.close()
    assert kpi_rows > 0 and docs.startswith("Resolution rate =")
    parquet = parquet_dir(path) / "rpt_chat_kpis_daily.parquet"
    assert duckdb.sql(f"select count(*) from '{parquet}'").fetchone()[0] == kpi_rows

    stat = path.stat()
    again = publish(
        served["db"], path, manifest_path=served["manifest"], project_file=ROOT / "dbt_project.yml"
    )
    assert not again.swapped and again.version == first.version
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)


def test_failed_publish_leaves_the_live_copy(served):
    path = served["serving"]
    before = (path.stat().st_ino, served_fingerprint(path), os.readlink(parquet_dir(path)))
    empty = served["tmp"] / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(PublishError, match="no marts schema"):
        publish(empty, path)
    assert (path.stat().st_ino, served_fingerprint(path), os.readlink(parquet_dir(path))) == before
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_reader_during_build_and_publish(served, warehouse):
    path, tmp = served["serving"], served["tmp"]
    first = served["result"].version
    stop, out = tmp / "stop", tmp / "reader.json"
    reader = subprocess.Popen([PYTHON, "-c", READER, str(path), str(stop), str(out)])
    try:
        time.sleep(1.0)
        assert reader.poll() is None, "the reader died before the build"
        build = subprocess.run(
            [
                PYTHON,
                "scripts/pipeline.py",
                "--landing",
                str(warehouse.landing),
                "--database",
                str(served["db"]),
                "--data-dir",
                str(tmp / "data"),
                "--target-path",
                str(tmp / "target"),
                "--checkpoint-cmd",
                "true",
                "--force",  # rebuild and swap in a new version although nothing is new
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        time.sleep(1.0)
    finally:
        stop.write_text("stop")
        reader.wait(60)
    assert build.returncode == 0, build.stdout + build.stderr
    assert "build: ok" in build.stdout and "serving copy published" in build.stdout
    report = json.loads(out.read_text())
    assert reader.returncode == 0 and report["errors"] == []
    second = served_version(path)
    assert second != first
    assert set(report["seen"]) <= {first, second}  # old or new, never anything else
    assert report["seen"].get(first, 0) >= 20  # it kept reading the old copy during the build
    assert report["seen"].get(second, 0) >= 1  # and picked up the new one after the swap
    assert report["held_queries"] == report["queries"]  # the held connection never failed
