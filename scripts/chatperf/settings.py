"""Paths and engine bounds shared by the scripts, dbt's profile, the Makefile and the dashboard.

Every default path of the project lives here, once, each with the environment variable that
overrides it. Relative defaults are relative to the folder a command runs in (the project
folder, for ``make``, dbt and the tests). The Makefile reads them with
``python scripts/chatperf/settings.py --make`` (this module needs only the standard library, so
that works before ``make setup``); profiles.yml cannot import Python, so it repeats the warehouse
path and the DuckDB bounds in its ``env_var`` defaults, and a test checks they agree.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The project checkout: chatperf is installed editable from its scripts/ folder.
PROJECT_DIR = Path(__file__).resolve().parents[2]

# The default paths. Relative ones are relative to the folder a command runs in.
DEFAULT_DATA_DIR = "data"  # git-ignored: landing files, warehouse, serving copy, pipeline state
DEFAULT_LANDING = f"{DEFAULT_DATA_DIR}/landing"  # the files the loader reads
DEFAULT_DATABASE = f"{DEFAULT_DATA_DIR}/warehouse.duckdb"  # dbt's warehouse (profiles.yml: same)
DEFAULT_SERVING_PATH = f"{DEFAULT_DATA_DIR}/serving/chat_metrics.duckdb"  # the readers' copy
DEFAULT_GX_DOCS = f"{DEFAULT_DATA_DIR}/gx_docs"  # Great Expectations' Data Docs HTML
DEFAULT_TARGET = "target"  # dbt's artifacts, dbt's own default (manifest.json, catalog.json)
DEFAULT_MANIFEST = f"{DEFAULT_TARGET}/manifest.json"
DEFAULT_SCREENSHOTS = "artifacts/screenshots"  # the browser check's page screenshots
# The paths an environment variable overrides: {variable: default}.
PATHS = {
    "CHATPERF_DATA_DIR": DEFAULT_DATA_DIR,
    "CHATPERF_LANDING": DEFAULT_LANDING,
    "CHATPERF_DUCKDB_PATH": DEFAULT_DATABASE,
    "CHATPERF_SERVING_PATH": DEFAULT_SERVING_PATH,
    "CHATPERF_DBT_MANIFEST": DEFAULT_MANIFEST,
}

# DuckDB's bounds, one environment variable each, with defaults that fit the project's 2-core,
# 24 GB machine. profiles.yml reads the same variables with the same defaults (a test checks they
# agree), so dbt and every connection of the project's own scripts run under the same limits: a
# runaway query fails with DuckDB's out-of-memory or temp-directory-full message instead of
# filling the disk.
DUCKDB_BOUNDS = {
    # DuckDB's buffer pool (memory it may hold before spilling to the temp directory).
    "memory_limit": ("CHATPERF_DUCKDB_MEMORY_LIMIT", "8GB"),
    # Worker threads of one query.
    "threads": ("CHATPERF_DUCKDB_THREADS", "2"),
    # Where spilled data goes; empty = beside the database file, '<database>.tmp'.
    "temp_directory": ("CHATPERF_DUCKDB_TEMP_DIRECTORY", ""),
    # The most the temp directory may hold; a query that needs more fails.
    "max_temp_directory_size": ("CHATPERF_DUCKDB_MAX_TEMP_SIZE", "20GB"),
}


def default_database() -> str:
    """The warehouse file: $CHATPERF_DUCKDB_PATH, else data/warehouse.duckdb (git-ignored)."""
    return os.environ.get("CHATPERF_DUCKDB_PATH", DEFAULT_DATABASE)


def default_landing() -> str:
    """The landing folder: $CHATPERF_LANDING, else data/landing."""
    return os.environ.get("CHATPERF_LANDING", DEFAULT_LANDING)


def default_serving_path() -> str:
    """The serving copy: $CHATPERF_SERVING_PATH, else data/serving/chat_metrics.duckdb."""
    return os.environ.get("CHATPERF_SERVING_PATH", DEFAULT_SERVING_PATH)


def in_project(path: str | os.PathLike) -> Path:
    """A default path anchored at the project folder (for readers started from anywhere, like
    the dashboard and the pipeline); an absolute path stays as it is."""
    return PROJECT_DIR / path


def duckdb_bounds(database: str | os.PathLike | None = None) -> dict[str, str]:
    """The DuckDB settings for a connection to ``database`` (None or ':memory:' for in-memory)."""
    bounds = {key: os.environ.get(env, default) for key, (env, default) in DUCKDB_BOUNDS.items()}
    if not bounds["temp_directory"]:
        in_memory = database is None or str(database) == ":memory:"
        bounds["temp_directory"] = ".tmp" if in_memory else f"{database}.tmp"
    return bounds


def apply_duckdb_bounds(con, database: str | os.PathLike | None = None) -> None:
    """Set the bounds on an open connection (``SET``, so any number of connections to one file
    may be open at once: a ``config=`` that differs between two of them is an error in DuckDB).
    The temp directory is left alone when the database instance already has the same one: DuckDB
    refuses to set it again once it holds spilled data."""
    for key, value in duckdb_bounds(database).items():
        if key == "temp_directory":
            current = con.execute("select current_setting('temp_directory')").fetchone()[0]
            if os.path.abspath(str(current)) == os.path.abspath(str(value)):
                continue
        quoted = str(value).replace("'", "''")
        con.execute(f"set {key} = '{quoted}'")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="chatperf-settings",
        description="Print the default paths and the environment variables that override them.",
    )
    parser.add_argument(
        "--make", action="store_true", help="as NAME?=value words, for the Makefile"
    )
    args = parser.parse_args(argv)
    for name, default in PATHS.items():
        print(f"{name}?={default}" if args.make else f"{name}={default}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
