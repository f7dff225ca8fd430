"""Load a landing folder of chat, web, CRM, payment and experiment files into DuckDB.

Append-only and idempotent: a file already loaded (same content) is skipped. Rows that cannot
be parsed go to raw._quarantine with the file, line and reason; every input row is either
loaded or quarantined.
"""

from __future__ import annotations

import argparse
import sys

from chatperf.loader import LoadError, load_landing
from chatperf.settings import default_database, default_landing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--landing",
        default=default_landing(),
        help="landing folder (default: $CHATPERF_LANDING or data/landing)",
    )
    parser.add_argument(
        "--database",
        default=default_database(),
        help="DuckDB file (default: $CHATPERF_DUCKDB_PATH or data/warehouse.duckdb)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes parsing files in parallel (default: CPU count, at most 4)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary line")
    args = parser.parse_args(argv)

    try:
        results = load_landing(
            args.landing, args.database, show_progress=not args.quiet, workers=args.workers
        )
    except LoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; the file being loaded was rolled back", file=sys.stderr)
        return 130

    new = [r for r in results if not r.skipped and not r.refused]
    unread = [r for r in results if r.refused]  # reported on every run, recorded once
    loaded = sum(r.rows_loaded for r in new)
    quarantined = sum(r.rows_quarantined for r in new)
    if not args.quiet:
        for r in new:
            note = f"  ({'; '.join(r.notes)})" if r.notes else ""
            print(
                f"{r.path}: {r.rows_loaded} loaded, {r.rows_quarantined} quarantined"
                f" -> raw.{r.table}{note}"
            )
        for r in unread:
            print(f"{r.path}: {'; '.join(r.notes)}")
    skipped = len(results) - len(new) - len(unread)
    print(
        f"{len(new)} new file(s), {skipped} already loaded"
        + (f", {len(unread)} not read" if unread else "")
        + f"; {loaded} rows loaded, {quarantined} quarantined into {args.database}"
    )
    hints = []
    if quarantined:
        hints.append("the reasons with: select reason, count(*) from raw._quarantine group by 1")
    broken = sum(1 for r in new if any(n.startswith("file not loaded") for n in r.notes))
    if broken:
        hints.append(
            f"the {broken} file(s) not loaded (to fix and land again) with: select file_path, "
            "notes from raw._load_files where notes like 'file not loaded%'"
        )
    if unread:
        hints.append(
            f"the {len(unread)} file(s) not read with: select file_path, notes "
            "from raw._load_files where file_sha256 = '(not read)'"
        )
    if hints:
        print("see " + "; and ".join(hints), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
