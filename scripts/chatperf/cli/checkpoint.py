"""Run the Great Expectations checkpoint (staging and marts suites) against the warehouse.

Run it after `dbt build`. Exit code 0 when every suite passes; 1 with a one-line summary naming
the failing suites and expectations; 2 for a usage error (missing or locked database, no dbt
manifest: the allowed values come from its accepted_values tests). Data
Docs HTML for people to read is written to --data-docs (default data/gx_docs/index.html).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chatperf.quality.checkpoint import (
    DEFAULT_BATCH_ROWS,
    LAYERS,
    CheckpointError,
    run_checkpoint,
)
from chatperf.settings import DEFAULT_GX_DOCS, default_database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        default=default_database(),
        help="DuckDB file (default: $CHATPERF_DUCKDB_PATH or data/warehouse.duckdb)",
    )
    parser.add_argument(
        "--data-docs",
        default=DEFAULT_GX_DOCS,
        help=f"folder for the GX Data Docs HTML (default: {DEFAULT_GX_DOCS})",
    )
    parser.add_argument("--no-data-docs", action="store_true", help="skip the Data Docs HTML")
    parser.add_argument(
        "--manifest",
        help="dbt's manifest.json, whose accepted_values tests give the allowed values "
        "(default: $CHATPERF_DBT_MANIFEST, else target/manifest.json beside the database, "
        "else the project's target/manifest.json)",
    )
    parser.add_argument(
        "--batch-rows",
        type=int,
        default=DEFAULT_BATCH_ROWS,
        help=f"rows per validated batch (default: {DEFAULT_BATCH_ROWS})",
    )
    parser.add_argument(
        "--layer",
        action="append",
        choices=LAYERS,
        help="validate only this layer (repeatable; default: all)",
    )
    parser.add_argument(
        "--table", action="append", help="validate only this schema.table (repeatable)"
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary line")
    args = parser.parse_args(argv)
    if args.batch_rows < 1:
        parser.error("--batch-rows must be at least 1")

    if not Path(args.database).exists():
        print(
            f"error: database {args.database} does not exist; run the load and dbt build",
            file=sys.stderr,
        )
        return 2

    bar = None
    progress = None
    if not args.quiet:
        from tqdm import tqdm

        def progress(table: str, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(
                    total=total, desc="validating", unit="table", leave=False, file=sys.stderr
                )
            bar.set_postfix_str(table)
            bar.update(1)

    try:
        report = run_checkpoint(
            args.database,
            data_docs=None if args.no_data_docs else args.data_docs,
            batch_rows=args.batch_rows,
            layers=args.layer or LAYERS,
            tables=args.table,
            progress=progress,
            manifest=args.manifest,
        )
    except CheckpointError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if bar is not None:
            bar.close()

    if not args.quiet:
        for finding in report.warnings:
            print(f"warning: {finding.line()}")
        if report.data_docs:
            print(f"data docs: {report.data_docs}")
    if report.success:
        print(report.summary())
        return 0
    print(report.summary(), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
