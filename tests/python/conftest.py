"""Shared fixtures: a generated landing folder and a warehouse built from it with `dbt build`.

The `warehouse` fixture runs the real pipeline once per test session (generate -> load ->
`dbt build`, which also runs every dbt data test and unit test) and hands tests the DuckDB file.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DBT = str(Path(sys.executable).with_name("dbt"))

# The session's demo data set: small enough for CI, big enough for sampling-error checks.
DEMO = {"seed": 7, "conversations": 1500, "days": 28, "start_date": "2026-09-01"}


@dataclass
class Warehouse:
    path: Path
    landing: Path
    manifest: dict

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def df(self, sql: str):
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            return con.execute(sql).df()
        finally:
            con.close()


def run(cmd: list[str], env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        cmd, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True
    )
    if check and proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-60:])
        raise AssertionError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{tail}")
    return proc


@contextlib.contextmanager
def database_held_open(database: Path, read_only: bool = False) -> Iterator[None]:
    """Another process holds the DuckDB file open (a BI tool, a second writer) meanwhile."""
    holder = subprocess.Popen(
        [
            PYTHON,
            "-c",
            "import duckdb, sys, time;"
            " c = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == '1');"
            " print('ready', flush=True); time.sleep(120)",
            str(database),
            "1" if read_only else "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield
    finally:
        holder.kill()
        holder.wait()


def generate(out: Path, seed: int, conversations: int, days: int, start_date: str) -> dict:
    run(
        [
            PYTHON,
            "scripts/generate_data.py",
            "--out",
            str(out),
            "--seed",
            str(seed),
            "--conversations",
            str(conversations),
            "--days",
            str(days),
            "--start-date",
            start_date,
            "--force",
        ]
    )
    return json.loads((out / "_manifest.json").read_text())


def dbt_env(database: Path) -> dict:
    return {"CHATPERF_DUCKDB_PATH": str(database), "DBT_PROFILES_DIR": str(ROOT)}


def load(landing: Path, database: Path) -> None:
    run(
        [
            PYTHON,
            "scripts/load_landing.py",
            "--landing",
            str(landing),
            "--database",
            str(database),
            "--quiet",
        ]
    )


def dbt(
    args: list[str], database: Path, check: bool = True, env: dict | None = None
) -> subprocess.CompletedProcess:
    target = database.parent / "target"
    return run(
        [DBT, *args, "--target-path", str(target), "--log-path", str(database.parent / "logs")],
        env={**dbt_env(database), **(env or {})},
        check=check,
    )


@pytest.fixture(scope="session")
def landing(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo") / "landing"
    manifest = generate(out, DEMO["seed"], DEMO["conversations"], DEMO["days"], DEMO["start_date"])
    return out, manifest


@pytest.fixture(scope="session")
def warehouse(landing, tmp_path_factory) -> Warehouse:
    out, manifest = landing
    db = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    load(out, db)
    dbt(["build"], db)
    # The GX checkpoint takes its allowed values from this build's dbt manifest, also when a
    # test runs it on a copy of the warehouse (in process or as a script).
    os.environ["CHATPERF_DBT_MANIFEST"] = str(db.parent / "target" / "manifest.json")
    return Warehouse(path=db, landing=out, manifest=manifest)


@pytest.fixture(scope="session")
def warehouse_no_return(warehouse, tmp_path_factory) -> Warehouse:
    """The same warehouse rebuilt from int_conversations_enriched on with the other resolution
    rule, `resolution_rule: no_return` (built once, shared by every test that needs it)."""
    db = tmp_path_factory.mktemp("no_return") / "warehouse.duckdb"
    shutil.copy(warehouse.path, db)
    dbt(
        [
            "build",
            "--select",
            "int_conversations_enriched+",
            "--vars",
            "{resolution_rule: no_return}",
            "--exclude",
            "test_type:unit",
        ],
        db,
    )
    return Warehouse(path=db, landing=warehouse.landing, manifest=warehouse.manifest)
