"""Paths and engine bounds shared by the scripts, dbt's profile and the tests."""

from __future__ import annotations

import os

DEFAULT_DATABASE = "data/warehouse.duckdb"

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
