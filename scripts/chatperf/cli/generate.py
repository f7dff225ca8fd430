"""Generate a landing folder of realistic demo data (chat, web, CRM, payments, experiments).

Writes one file per raw table and day, in the shapes of chatperf/landing_spec.py, plus
_manifest.json with the planted parameters, the true experiment effects, the planted mess and
the row count of every file. Same arguments and seed give byte-identical files.

Examples:
  python scripts/generate_data.py --out data/landing --seed 42 --conversations 600 --days 28
  python scripts/generate_data.py --out /tmp/bench --messages 10000000 --force
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from chatperf.generator import GeneratorError, RunOptions, generate
from chatperf.settings import DEFAULT_LANDING


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        print(f"error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _int(text: str) -> int:
    try:
        return int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        description=__doc__.split("\n\n")[0],
        epilog="\n".join(__doc__.split("\n\n")[2:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--out", default=DEFAULT_LANDING, help="output folder (default: %(default)s)"
    )
    parser.add_argument("--seed", type=_int, default=42, help="random seed (default: %(default)s)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--conversations",
        type=_int,
        help="target number of conversations (default: 600 unless --messages is given)",
    )
    size.add_argument(
        "--messages",
        type=_int,
        help="target total chat messages; picks the conversation count to hit it (about 10%%)",
    )
    parser.add_argument("--days", type=_int, default=28, help="days of data (default: %(default)s)")
    parser.add_argument(
        "--start-date",
        type=_date,
        default=dt.date(2026, 9, 1),
        help="first day, YYYY-MM-DD (default: %(default)s)",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace generated data in a non-empty --out"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar, summary only")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    conversations = args.conversations
    if conversations is None and args.messages is None:
        conversations = 600
    opts = RunOptions(
        out=Path(args.out),
        seed=args.seed,
        days=args.days,
        start_date=args.start_date,
        conversations=conversations,
        messages=args.messages,
        force=args.force,
    )
    bar = None
    callback = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=args.days, unit="day", desc="generating", leave=False)

        def callback(day: int, stats: dict) -> None:
            bar.set_postfix(messages=stats["messages"], refresh=False)
            bar.update(1)

    started = time.monotonic()
    try:
        manifest = generate(opts, progress=callback)
    except GeneratorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"error: interrupted; {opts.out} holds partial data (rerun with --force)",
              file=sys.stderr)  # fmt: skip
        return 130
    except OSError as exc:
        print(f"error: cannot write to {opts.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        if bar is not None:
            bar.close()
    counts = manifest["counts"]["entities"]
    print(
        f"wrote {len(manifest['files'])} files to {opts.out}: "
        f"{counts.get('conversations', 0)} conversations, {counts.get('messages', 0)} messages, "
        f"{counts.get('page_views', 0)} page views, {counts.get('purchases', 0)} purchases "
        f"in {time.monotonic() - started:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
