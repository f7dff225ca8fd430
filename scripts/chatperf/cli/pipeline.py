"""The scheduled job: load new landing files, dbt build, run the checks, docs, publish.

Steps, in order, each logged with its timing to stdout and to <data-dir>/logs/pipeline.log:

1. load      append whatever is new in the landing folder to the warehouse's raw schema
2. build     dbt build (seeds, models, dbt data tests and unit tests)
3. checks    the Great Expectations checkpoint (scripts/run_checkpoint.py --database DB, or
             --checkpoint-cmd), Data Docs in <data-dir>/gx_docs
4. docs      dbt docs generate (the metric definitions the dashboard shows)
5. publish   copy the marts to the read-only serving copy and its Parquet files

A step that fails stops the run with a one-line reason and exit code 1: nothing is published
unless the build, its tests and the checks all passed. When nothing new was loaded, the project
is unchanged and the last run published successfully, the run stops after the load (the serving
copy is left exactly as it is; --force rebuilds and republishes anyway). Only one run at a time:
a second run while one is in progress exits with code 3, naming the pid that holds the lock.

Exit codes: 0 ok (or nothing to do), 1 a step failed, 2 usage error, 3 another run in progress.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from chatperf.loader import LoadError, load_landing
from chatperf.serving import PublishError, publish, served_fingerprint
from chatperf.settings import (
    DEFAULT_DATA_DIR,
    DEFAULT_DATABASE,
    DEFAULT_LANDING,
    DEFAULT_SERVING_PATH,
    DEFAULT_TARGET,
    PROJECT_DIR,
)

# dbt and the checkpoint run in the project folder; the defaults are anchored there too.
ROOT = PROJECT_DIR
DBT = str(Path(sys.executable).with_name("dbt"))
DEFAULT_CHECKPOINT = ROOT / "scripts" / "run_checkpoint.py"
# What the marts are built from besides the data: a change here means rebuild.
PROJECT_INPUTS = ("models", "macros", "seeds", "tests/dbt", "dbt_project.yml", "profiles.yml")

EXIT_STEP_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3

log = logging.getLogger("pipeline")


class StepFailed(Exception):
    """A pipeline step failed; the message is the one-line reason."""


class Locked(Exception):
    """Another run holds the lock."""


# --------------------------------------------------------------------------------------
# lock, log, state


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive flock on ``path`` (with our pid in it) or raise Locked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            raise Locked(
                f"another pipeline run is in progress (pid {holder}, lock {path})"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock; the file stays (its pid is only informative)


def setup_logging(log_file: Path, quiet: bool) -> None:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    for handler in list(log.handlers):
        log.removeHandler(handler)
    fmt = logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%Y-%m-%dT%H:%M:%S%z")
    to_file = logging.FileHandler(log_file)
    to_file.setLevel(logging.DEBUG)
    to_file.setFormatter(fmt)
    log.addHandler(to_file)
    to_stdout = logging.StreamHandler(sys.stdout)
    to_stdout.setLevel(logging.WARNING if quiet else logging.INFO)
    to_stdout.setFormatter(fmt)
    log.addHandler(to_stdout)


def project_fingerprint(root: Path, extra: list[Path]) -> str:
    """A hash of the files the marts are built and checked with."""
    digest = hashlib.sha256()
    paths: list[Path] = []
    for name in PROJECT_INPUTS:
        p = root / name
        paths += sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    paths += extra
    for p in paths:
        if p.is_file():
            digest.update(str(p.relative_to(root) if p.is_relative_to(root) else p).encode())
            digest.update(hashlib.sha256(p.read_bytes()).digest())
    return digest.hexdigest()


def read_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def write_state(path: Path, state: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------
# steps


def run_command(cmd: list[str], env: dict[str, str]) -> tuple[int, list[str]]:
    """Run a command, every output line to the log file (debug); return (code, lines)."""
    log.debug("$ %s", " ".join(cmd))
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip()
        lines.append(line)
        log.debug("  | %s", line)
    return proc.wait(), lines


def dbt_failures(target: Path) -> str:
    """'N of M nodes failed: a, b, ...' from dbt's run_results.json, or ''."""
    try:
        results = json.loads((target / "run_results.json").read_text())["results"]
    except (FileNotFoundError, KeyError, json.JSONDecodeError):
        return ""
    bad = [r["unique_id"] for r in results if r.get("status") in ("error", "fail", "runtime error")]
    if not bad:
        return ""
    # a data test's unique id ends in a hash (test.<project>.<name>.<hash>): name it instead
    shown = [b.split(".")[2] if b.startswith("test.") else b.split(".")[-1] for b in bad[:3]]
    names = ", ".join(shown) + (", ..." if len(bad) > 3 else "")
    return f"{len(bad)} of {len(results)} nodes failed: {names}"


def last_line(lines: list[str]) -> str:
    for line in reversed(lines):
        if line.strip():
            return line.strip()[:300]
    return "no output"


class Pipeline:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.database = Path(args.database)
        self.target = Path(args.target_path)
        self.serving = Path(args.serving)
        self.checkpoint = Path(args.checkpoint_script)
        self.checkpoint_cmd = shlex.split(args.checkpoint_cmd) if args.checkpoint_cmd else None
        self.dbt_env = {
            "CHATPERF_DUCKDB_PATH": str(self.database),
            "DBT_PROFILES_DIR": os.environ.get("DBT_PROFILES_DIR", str(ROOT)),
        }
        self.data_dir = Path(args.data_dir).resolve()
        self.dbt_log_path = Path(args.data_dir) / "logs" / "dbt"
        self.new_files = 0
        self.published = None

    def dbt(self, *args: str) -> None:
        cmd = [
            DBT,
            *args,
            "--target-path",
            str(self.target),
            "--log-path",
            str(self.dbt_log_path),
        ]
        code, lines = run_command(cmd, self.dbt_env)
        if code != 0:
            why = dbt_failures(self.target) if args[0] == "build" else ""
            raise StepFailed(f"dbt {' '.join(args)} exited {code}: {why or last_line(lines)}")

    def load(self) -> str:
        try:
            results = load_landing(self.args.landing, self.database, show_progress=False)
        except LoadError as exc:
            raise StepFailed(f"load: {exc}") from None
        new = [r for r in results if not r.skipped]
        self.new_files = len(new)
        loaded = sum(r.rows_loaded for r in new)
        quarantined = sum(r.rows_quarantined for r in new)
        return (
            f"{len(new)} new file(s), {len(results) - len(new)} already loaded; "
            f"{loaded} rows loaded, {quarantined} quarantined"
        )

    def build(self) -> str:
        self.dbt("build")
        results = json.loads((self.target / "run_results.json").read_text())["results"]
        warned = sum(1 for r in results if r.get("status") == "warn")
        return f"{len(results)} nodes passed" + (f" ({warned} warnings)" if warned else "")

    def checks(self) -> str:
        # the checks read the allowed values of dbt's accepted_values tests from this build's
        # manifest
        env = {
            "CHATPERF_DUCKDB_PATH": str(self.database),
            "CHATPERF_DBT_MANIFEST": str(self.target / "manifest.json"),
        }
        if self.checkpoint_cmd:
            cmd = [*self.checkpoint_cmd, "--database", str(self.database)]
            code, lines = run_command(cmd, env)
            if code != 0:
                name = shlex.join(self.checkpoint_cmd)[:60]
                raise StepFailed(f"checkpoint `{name}` exited {code}: {last_line(lines)}")
            return last_line(lines)
        if not self.checkpoint.is_file():
            raise StepFailed(f"checkpoint script {self.checkpoint} does not exist")
        cmd = [sys.executable, str(self.checkpoint), "--database", str(self.database)]
        cmd += ["--data-docs", str(self.data_dir / "gx_docs")]
        code, lines = run_command(cmd, env)
        if code != 0:
            raise StepFailed(f"checkpoint {self.checkpoint.name} exited {code}: {last_line(lines)}")
        return last_line(lines)

    def docs(self) -> str:
        self.dbt("docs", "generate")
        return f"catalog and manifest in {self.target}"

    def publish(self) -> str:
        try:
            result = publish(
                self.database,
                self.serving,
                manifest_path=self.target / "manifest.json",
                models_dir=ROOT / "models",
                project_file=ROOT / "dbt_project.yml",
                force=self.args.force,
            )
        except PublishError as exc:
            raise StepFailed(f"publish: {exc}") from None
        self.published = result
        return result.summary()


def timed(name: str, number: int, total: int, fn: Callable[[], str]) -> str:
    log.info("step %d/%d %s: started", number, total, name)
    started = time.monotonic()
    try:
        note = fn()
    except StepFailed:
        log.error(
            "step %d/%d %s: FAILED after %.1fs", number, total, name, time.monotonic() - started
        )
        raise
    log.info(
        "step %d/%d %s: ok in %.1fs: %s", number, total, name, time.monotonic() - started, note
    )
    return note


def run(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir)
    state_path = data_dir / "pipeline_state.json"
    pipeline = Pipeline(args)
    started = time.monotonic()
    run_started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    fingerprint = project_fingerprint(ROOT, [pipeline.checkpoint])
    if args.checkpoint_cmd:
        fingerprint = hashlib.sha256(f"{fingerprint}:{args.checkpoint_cmd}".encode()).hexdigest()
    state = read_state(state_path)
    log.info(
        "pipeline run (pid %d): landing %s -> warehouse %s -> serving %s",
        os.getpid(),
        args.landing,
        pipeline.database,
        pipeline.serving,
    )
    steps = [
        ("load", pipeline.load),
        ("build", pipeline.build),
        ("checks", pipeline.checks),
        ("docs", pipeline.docs),
        ("publish", pipeline.publish),
    ]
    try:
        timed("load", 1, len(steps), pipeline.load)
        up_to_date = (
            not args.force
            and pipeline.new_files == 0
            and state.get("status") == "published"
            and state.get("project_fingerprint") == fingerprint
            and state.get("database") == str(pipeline.database.resolve())
            and state.get("serving") == str(pipeline.serving.resolve())
            and served_fingerprint(pipeline.serving) == state.get("content_fingerprint")
        )
        if up_to_date:
            log.info(
                "nothing new loaded, project unchanged, last run published %s at %s: "
                "skipping build, checks, docs and publish (serving copy untouched)",
                state.get("version"),
                state.get("finished_at"),
            )
            log.info("pipeline ok (up to date) in %.1fs", time.monotonic() - started)
            return 0
        for number, (name, fn) in enumerate(steps[1:], start=2):
            timed(name, number, len(steps), fn)
    except StepFailed as exc:
        write_state(
            state_path,
            {
                **state,
                "status": "failed",
                "failed_reason": str(exc),
                "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            },
        )
        log.error("pipeline failed after %.1fs: %s", time.monotonic() - started, exc)
        print(f"error: {exc} (log: {data_dir / 'logs' / 'pipeline.log'})", file=sys.stderr)
        return EXIT_STEP_FAILED
    result = pipeline.published
    write_state(
        state_path,
        {
            "status": "published",
            "started_at": run_started,
            "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "project_fingerprint": fingerprint,
            "database": str(pipeline.database.resolve()),
            "serving": str(pipeline.serving.resolve()),
            "version": result.version,
            "content_fingerprint": result.fingerprint,
        },
    )
    log.info("pipeline ok in %.1fs: version %s", time.monotonic() - started, result.version)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    data_default = os.environ.get("CHATPERF_DATA_DIR", str(ROOT / DEFAULT_DATA_DIR))
    parser.add_argument(
        "--landing",
        default=os.environ.get("CHATPERF_LANDING", str(ROOT / DEFAULT_LANDING)),
        help="landing folder (default: $CHATPERF_LANDING or data/landing)",
    )
    parser.add_argument(
        "--database",
        default=os.environ.get("CHATPERF_DUCKDB_PATH") or str(ROOT / DEFAULT_DATABASE),
        help="warehouse DuckDB file (default: $CHATPERF_DUCKDB_PATH or data/warehouse.duckdb)",
    )
    parser.add_argument(
        "--data-dir",
        default=data_default,
        help="folder of the lock file, state and logs/ (default: $CHATPERF_DATA_DIR or data)",
    )
    parser.add_argument(
        "--serving",
        default=os.environ.get("CHATPERF_SERVING_PATH"),
        help=f"serving copy (default: $CHATPERF_SERVING_PATH or {DEFAULT_SERVING_PATH} "
        "under the data folder)",
    )
    parser.add_argument(
        "--target-path",
        default=str(ROOT / DEFAULT_TARGET),
        help="dbt target folder (default: target in the project; `make docs` serves it)",
    )
    parser.add_argument(
        "--checkpoint-script",
        default=str(DEFAULT_CHECKPOINT),
        help="data-quality check run with --database DB; non-zero exit = failed "
        "(default: scripts/run_checkpoint.py)",
    )
    parser.add_argument(
        "--checkpoint-cmd",
        default=os.environ.get("CHATPERF_CHECKPOINT_CMD"),
        help="run this command (shell words; --database DB is appended) as the data-quality "
        "check instead of the checkpoint script (default: $CHATPERF_CHECKPOINT_CMD)",
    )
    parser.add_argument(
        "--force", action="store_true", help="rebuild and republish even if nothing is new"
    )
    parser.add_argument("--quiet", action="store_true", help="log only warnings to stdout")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir).resolve()
    if args.serving is None:
        args.serving = str(data_dir / "serving" / Path(DEFAULT_SERVING_PATH).name)
    # absolute paths: dbt and the checkpoint run from the project folder
    for name in ("landing", "database", "data_dir", "serving", "target_path", "checkpoint_script"):
        setattr(args, name, str(Path(getattr(args, name)).resolve()))
    if not Path(args.landing).is_dir():
        print(f"error: landing folder {args.landing} does not exist", file=sys.stderr)
        return EXIT_USAGE

    setup_logging(data_dir / "logs" / "pipeline.log", args.quiet)
    try:
        with exclusive_lock(data_dir / "pipeline.lock"):
            return run(args)
    except Locked as exc:
        log.debug("refused to start: %s", exc)  # to the log file only
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except KeyboardInterrupt:
        log.error("interrupted")
        print(
            "error: interrupted (the serving copy is either the old or the new one)",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
