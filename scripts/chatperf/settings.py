"""Paths shared by the scripts, dbt's profile and the tests."""

from __future__ import annotations

import os

DEFAULT_DATABASE = "data/warehouse.duckdb"


def default_database() -> str:
    """The warehouse file: $CHATPERF_DUCKDB_PATH, else data/warehouse.duckdb (git-ignored)."""
    return os.environ.get("CHATPERF_DUCKDB_PATH", DEFAULT_DATABASE)
