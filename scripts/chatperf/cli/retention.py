"""Delete raw chat transcript text older than N days; the metrics it fed are kept.

Clears message text and CSAT comments in raw.chat_events (payload), raw.chat_message_export,
quarantined chat lines, and the copies dbt keeps (staging.stg_chat__events,
intermediate.int_conversation_events_unioned, marts.fct_chat_messages), in one transaction.
Rows, ids, times and labels stay, so every KPI is unchanged after the next dbt build. The
default age is var('transcript_retention_days').
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from chatperf.loader import LoadError
from chatperf.retention import apply_retention, default_days
from chatperf.settings import default_database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        default=default_database(),
        help="DuckDB file (default: $CHATPERF_DUCKDB_PATH or data/warehouse.duckdb)",
    )
    parser.add_argument(
        "--days",
        type=int,
        default=None,
        help="keep text this many days (default: var transcript_retention_days, "
        f"now {default_days()})",
    )
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="count the days back from this date instead of now (UTC)",
    )
    parser.add_argument("--dry-run", action="store_true", help="count what would be deleted")
    args = parser.parse_args(argv)
    days = default_days() if args.days is None else args.days
    as_of = dt.datetime.combine(args.as_of, dt.time()) if args.as_of else None

    try:
        cutoff, cleared = apply_retention(args.database, days, as_of=as_of, dry_run=args.dry_run)
    except LoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    verb = "would clear" if args.dry_run else "cleared"
    for c in cleared:
        print(f"{c.table}: {verb} {c.what} on {c.rows} row(s)")
    total = sum(c.rows for c in cleared)
    print(
        f"retention ({days} days, text before {cutoff:%Y-%m-%d %H:%M} UTC): {verb} "
        f"{total} row(s) in {args.database}"
        + (" (dry run, nothing changed)" if args.dry_run else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
