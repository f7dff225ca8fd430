#!/usr/bin/env python3
"""List every join of every dbt model as DuckDB plans it, and fail on unbounded ones.

Reads the compiled SQL from dbt's manifest (run `dbt compile` or `dbt build` first) and asks the
warehouse for each model's plan with EXPLAIN (estimates only: nothing is computed). A join is
*unbounded* when DuckDB applies no equality to it (a range join or cross product) and it may
enumerate more than --max-pairs pairs (left x right estimated rows): its cost follows the
product of its inputs, not its output.
Run it on a warehouse of realistic size, e.g. the benchmark's or the scale check's.

    python scripts/explain_models.py --database data/warehouse.duckdb
    python scripts/explain_models.py --all     # every join, not only the unbounded ones

Exit codes: 0 no unbounded join, 1 some (each printed on one line), 2 usage or database error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from chatperf.plans import (
    DEFAULT_MAX_PAIRS,
    compiled_models,
    model_joins,
    unbounded_joins,
)
from chatperf.settings import DEFAULT_MANIFEST, apply_duckdb_bounds, default_database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=default_database(), help="the built warehouse")
    parser.add_argument("--manifest", default=DEFAULT_MANIFEST, help="dbt's manifest.json")
    parser.add_argument(
        "--max-pairs",
        type=int,
        default=DEFAULT_MAX_PAIRS,
        help=f"pairs a join without equality may enumerate (default {DEFAULT_MAX_PAIRS:,})",
    )
    parser.add_argument("--all", action="store_true", help="print every join of every model")
    args = parser.parse_args(argv)

    manifest = Path(args.manifest)
    if not manifest.is_file():
        print(f"error: {manifest} does not exist; run dbt compile first", file=sys.stderr)
        return 2
    try:
        con = duckdb.connect(args.database, read_only=True)
    except duckdb.Error as exc:
        print(f"error: cannot open {args.database}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    apply_duckdb_bounds(con, args.database)
    try:
        joins = model_joins(con, compiled_models(manifest))
    except duckdb.Error as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    finally:
        con.close()
    if args.all:
        for join in joins:
            print(join.describe())
    bad = unbounded_joins(joins, args.max_pairs)
    for join in bad:
        print(f"unbounded join: {join.describe()}")
    models = len({join.model for join in joins})
    print(f"{len(joins)} joins in {models} models; {len(bad)} unbounded")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
