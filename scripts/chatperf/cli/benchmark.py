#!/usr/bin/env python3
"""Benchmark: generate N chat messages, load them into a fresh DuckDB file, optionally dbt build.

Each step runs as its own process, so its wall time and peak resident memory (the kernel's
ru_maxrss of that process and its children) are measured separately. Prints a Markdown table
for the README and writes the numbers as JSON.

    python scripts/benchmark.py --messages 10000000            # generate + load
    python scripts/benchmark.py --messages 1000000 --build     # and dbt build on the result

Exit codes: 0 done, 1 a step failed (its output tail is printed), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from chatperf.settings import PROJECT_DIR, duckdb_bounds

# The steps run the project's scripts and dbt in the project folder.
ROOT = PROJECT_DIR
PYTHON = sys.executable
DBT = str(Path(sys.executable).with_name("dbt"))


def measure(name: str, cmd: list[str], env: dict[str, str], log: Path) -> dict:
    """Run one step; return its wall seconds and peak RSS in MiB."""
    start = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise SystemExit(f"benchmark: step '{name}' failed (exit {code}):\n{tail}")
    # ru_maxrss is in KiB on Linux
    return {
        "step": name,
        "seconds": round(seconds, 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
    }


def slowest_nodes(run_results: Path, count: int = 10) -> list[dict]:
    """The dbt build's slowest models and tests (from run_results.json), slowest first, named as
    in the manifest beside it (a long test name's unique id ends in a hash)."""
    if not run_results.is_file():
        return []
    manifest_path = run_results.with_name("manifest.json")
    nodes = json.loads(manifest_path.read_text())["nodes"] if manifest_path.is_file() else {}
    results = json.loads(run_results.read_text())["results"]
    ranked = sorted(results, key=lambda r: r.get("execution_time") or 0, reverse=True)
    named = []
    for r in ranked[:count]:
        uid = r["unique_id"]
        name = nodes.get(uid, {}).get("name") or uid.rsplit(".", 1)[-1]
        named.append(
            {"node": f"{uid.split('.', 1)[0]} {name}", "seconds": round(r["execution_time"], 1)}
        )
    return named


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000_000, help="chat messages")
    parser.add_argument("--days", type=int, default=28, help="days of data (default 28)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--build", action="store_true", help="also run dbt build on the result")
    parser.add_argument("--workdir", type=Path, help="where to write (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the data and warehouse")
    parser.add_argument(
        "--json", type=Path, default=ROOT / "artifacts" / "benchmark.json", help="results file"
    )
    args = parser.parse_args(argv)
    if args.messages <= 0:
        parser.error("--messages must be positive")

    work = args.workdir or Path(tempfile.mkdtemp(prefix="chatperf-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    landing, db = work / "landing", work / "warehouse.duckdb"
    for stale in (db, db.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    env = {
        **os.environ,
        "CHATPERF_DUCKDB_PATH": str(db),
        "DBT_PROFILES_DIR": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    steps = [
        (
            "generate",
            [
                PYTHON,
                "scripts/generate_data.py",
                "--out",
                str(landing),
                "--messages",
                str(args.messages),
                "--days",
                str(args.days),
                "--seed",
                str(args.seed),
                "--force",
                "--quiet",
            ],
        ),
        (
            "load",
            [
                PYTHON,
                "scripts/load_landing.py",
                "--landing",
                str(landing),
                "--database",
                str(db),
                "--quiet",
            ],
        ),
    ]
    if args.build:
        steps.append(
            (
                "dbt build",
                [
                    DBT,
                    "build",
                    "--target-path",
                    str(work / "target"),
                    "--log-path",
                    str(work / "logs"),
                ],
            )
        )

    results = []
    try:
        for name, cmd in steps:
            print(f"benchmark: {name} ...", flush=True)
            results.append(measure(name, cmd, env, work / f"{name.replace(' ', '_')}.log"))
            print(f"  {results[-1]['seconds']} s, peak {results[-1]['peak_rss_mib']} MiB")
        manifest = json.loads((landing / "_manifest.json").read_text())
        counts = manifest["counts"]["entities"]
        landing_mib = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file()) / 2**20
        summary = {
            "messages": counts["messages"],
            "conversations": counts["conversations"],
            "page_views": counts["page_views"],
            "days": args.days,
            "landing_mib": round(landing_mib),
            "warehouse_mib": round(db.stat().st_size / 2**20),
            "cpus": os.cpu_count(),
            "machine": f"{platform.system()} {platform.machine()}",
            "python": platform.python_version(),
            "duckdb_bounds": {k: v for k, v in duckdb_bounds(db).items() if k != "temp_directory"},
            "steps": results,
            "slowest_nodes": slowest_nodes(work / "target" / "run_results.json"),
        }
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(summary, indent=2) + "\n")
    print()
    print(
        f"{summary['messages']:,} messages, {summary['conversations']:,} conversations, "
        f"{summary['page_views']:,} page views over {args.days} days; landing files "
        f"{summary['landing_mib']:,} MiB, warehouse {summary['warehouse_mib']:,} MiB "
        f"({summary['cpus']} cores); DuckDB bounds "
        + ", ".join(f"{k} {v}" for k, v in summary["duckdb_bounds"].items())
    )
    print()
    print("| step | wall time | peak memory |")
    print("| --- | ---: | ---: |")
    for r in results:
        print(f"| {r['step']} | {r['seconds']:,} s | {r['peak_rss_mib']:,} MiB |")
    if summary["slowest_nodes"]:
        print()
        print("| slowest dbt node | seconds |")
        print("| --- | ---: |")
        for node in summary["slowest_nodes"]:
            print(f"| `{node['node']}` | {node['seconds']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
