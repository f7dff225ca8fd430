"""The scheduled pipeline: idempotent, never overlaps, never publishes data that failed a check.

Runs scripts/pipeline.py for real (load -> dbt build -> checkpoint -> docs -> publish) on a copy
of the session warehouse, with the project's Great Expectations checkpoint, and with a
checkpoint command injected (--checkpoint-cmd) to simulate a failing check.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from chatperf.serving import parquet_dir, served_fingerprint
from conftest import PYTHON, ROOT

FAILING_CHECK = """
import pathlib, sys, time
started, release = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
started.write_text("checking")
deadline = time.monotonic() + 240
while not release.exists() and time.monotonic() < deadline:
    time.sleep(0.2)
print("checking suite chat_marts: 1 of 12 expectations failed")
print("expect_column_values_to_be_between(resolution_rate, 0, 1) failed on 3 rows")
sys.exit(1)
"""


@pytest.fixture(scope="module")
def env(warehouse, tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("pipeline")
    db = base / "warehouse.duckdb"
    shutil.copy(warehouse.path, db)  # never mutate the session warehouse
    return {"base": base, "db": db, "landing": warehouse.landing}


def pipeline_cmd(env: dict, *extra: str, check: str | None = None) -> list[str]:
    """The pipeline; with the project's real GX checkpoint unless ``check`` replaces it."""
    return [
        PYTHON,
        "scripts/pipeline.py",
        "--landing",
        str(env["landing"]),
        "--database",
        str(env["db"]),
        "--data-dir",
        str(env["base"] / "data"),
        "--target-path",
        str(env["base"] / "target"),
        *(["--checkpoint-cmd", check] if check else []),
        *extra,
    ]


def run_pipeline(env: dict, *extra: str, check: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        pipeline_cmd(env, *extra, check=check), cwd=ROOT, capture_output=True, text=True
    )


def serving(env: dict) -> Path:
    return env["base"] / "data" / "serving" / "chat_metrics.duckdb"


def snapshot(env: dict) -> dict:
    path = serving(env)
    stat = path.stat()
    return {
        "inode": stat.st_ino,
        "mtime": stat.st_mtime_ns,
        "size": stat.st_size,
        "fingerprint": served_fingerprint(path),
        "parquet": os.readlink(parquet_dir(path)),
        "files": sorted(p.name for p in path.parent.iterdir()),
        "versions": sorted(p.name for p in (path.parent / "parquet_versions").iterdir()),
    }


def test_usage_error_is_one_line_exit_2(env):
    proc = run_pipeline({**env, "landing": env["base"] / "no-such-folder"})
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: landing folder")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_second_run_changes_nothing(env):
    first = run_pipeline(env)
    assert first.returncode == 0, first.stdout + first.stderr
    for step in ("load", "build", "checks", "docs", "publish"):
        assert f"{step}: ok in" in first.stdout, f"step {step} not logged with its timing"
    assert "serving copy published" in first.stdout
    assert "checkpoint passed" in first.stdout  # the real Great Expectations checkpoint
    assert (env["base"] / "data" / "gx_docs" / "index.html").is_file()
    before = snapshot(env)
    assert before["fingerprint"]

    second = run_pipeline(env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "0 new file(s)" in second.stdout
    assert "nothing new loaded" in second.stdout
    assert "build: started" not in second.stdout and "publish: started" not in second.stdout
    assert snapshot(env) == before  # same file (inode, mtime), same Parquet version


def test_overlap_refused_and_failing_check_publishes_nothing(env, tmp_path):
    if not serving(env).exists():
        pytest.skip("needs the serving copy of test_second_run_changes_nothing")
    before = snapshot(env)
    script = tmp_path / "failing_check.py"
    script.write_text(FAILING_CHECK)
    started, release = tmp_path / "started", tmp_path / "release"
    check = f"{PYTHON} {script} {started} {release}"
    # --force: rebuild and re-check although nothing is new (the check will fail)
    running = subprocess.Popen(
        pipeline_cmd(env, "--force", check=check),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while not started.exists():
            assert running.poll() is None, running.communicate()
            assert time.monotonic() < deadline, "the first run never reached its checks"
            time.sleep(0.2)

        # a second run while the first is in progress: refused, clearly, exit 3
        overlapping = run_pipeline(env)
        assert overlapping.returncode == 3
        assert "another pipeline run is in progress" in overlapping.stderr
        assert f"pid {running.pid}" in overlapping.stderr
        assert len(overlapping.stderr.strip().splitlines()) == 1
        assert snapshot(env) == before
    finally:
        release.write_text("go")
        out, err = running.communicate(timeout=120)

    # the failing check: exit 1, a one-line reason, nothing published
    assert running.returncode == 1, out + err
    assert err.strip().startswith("error: checkpoint")
    assert "exited 1" in err and "failed on 3 rows" in err
    assert len(err.strip().splitlines()) == 1
    assert "checks: FAILED" in out
    assert "publish: started" not in out
    assert snapshot(env) == before  # the previous serving copy, intact and unchanged


STRIPE_CHARGE_HEADER = (
    "id,amount,amount_refunded,currency,customer_id,created,status,paid,captured,refunded,"
    "livemode,description,invoice_id,receipt_email,metadata,_fivetran_synced\n"
)


def run_with_new_stripe_charge(env, tmp_path, name: str, row: str):
    """The pipeline on the already-loaded landing files plus one new Stripe charge file."""
    if not serving(env).exists():
        pytest.skip("needs the serving copy of test_second_run_changes_nothing")
    landing = tmp_path / "landing"
    shutil.copytree(env["landing"], landing)  # the same files, already loaded
    (landing / "stripe" / name).write_text(STRIPE_CHARGE_HEADER + row)
    return run_pipeline({**env, "landing": landing})


def test_a_failing_gx_expectation_publishes_nothing(env, tmp_path):
    """The real checkpoint this time: a new Stripe file with an unknown currency passes dbt build
    (a warn-level test) but fails a staging expectation, so nothing is published."""
    before = snapshot(env) if serving(env).exists() else None
    proc = run_with_new_stripe_charge(
        env,
        tmp_path,
        "charge_2026-09-28b.csv",
        "ch_unknown_currency,2500,0,xyz,,2026-09-28 11:00:00,succeeded,true,true,false,true,"
        "Course,,,,2026-09-28T12:00:00Z\n",
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 new file(s)" in proc.stdout and "build: ok" in proc.stdout
    assert "checks: FAILED" in proc.stdout and "publish: started" not in proc.stdout
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: checkpoint run_checkpoint.py")
    assert "staging.stg_stripe__charges: column_values_to_be_in_set(currency)" in err
    assert snapshot(env) == before  # the previous serving copy, intact and unchanged


def test_a_failing_dbt_build_stops_the_run_and_publishes_nothing(env, tmp_path):
    """A new Stripe file with a negative charge loads (an integer is an integer) but fails an
    error-severity dbt test (revenue is never negative): the run stops at the build with exit 1
    and a one-line reason naming the test; checks and publish never start."""
    before = snapshot(env) if serving(env).exists() else None
    proc = run_with_new_stripe_charge(
        env,
        tmp_path,
        "charge_2026-09-28c.csv",
        "ch_negative_amount,-500,0,usd,,2026-09-28 11:00:00,succeeded,true,true,false,true,"
        "Course,,,,2026-09-28T12:00:00Z\n",
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 new file(s)" in proc.stdout and "build: FAILED" in proc.stdout
    for step in ("checks", "docs", "publish"):
        assert f"{step}: started" not in proc.stdout, f"step {step} ran after a failed build"
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: dbt build exited 1: "), err
    assert "value_between_fct_conversions_gross_amount" in err  # names the failing test
    state = json.loads((env["base"] / "data" / "pipeline_state.json").read_text())
    assert state["status"] == "failed" and state["failed_reason"].startswith("dbt build exited 1")
    assert snapshot(env) == before  # the previous serving copy, intact and unchanged
