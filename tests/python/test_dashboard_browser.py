"""The dashboard in a real browser: every page renders, without errors or empty charts, and the
overview's headline numbers equal the marts'.

Publishes the session warehouse to a serving copy, then runs scripts/browser_check.py (Streamlit
plus headless Chromium over the DevTools protocol). Screenshots go to artifacts/screenshots/
(git-ignored; CI keeps them as artifacts), or $CHATPERF_SCREENSHOTS. Skipped only when Chromium
is absent and CHATPERF_REQUIRE_BROWSER is not set; CI sets it, so there it must run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from chatperf.serving import publish
from conftest import PYTHON, ROOT

SCREENSHOTS = Path(os.environ.get("CHATPERF_SCREENSHOTS", ROOT / "artifacts" / "screenshots"))
CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None
)

if CHROMIUM is None:
    if os.environ.get("CHATPERF_REQUIRE_BROWSER"):
        raise RuntimeError("CHATPERF_REQUIRE_BROWSER is set but chromium is not installed")
    pytest.skip(
        "chromium is not installed (apt-get install chromium); set CHATPERF_REQUIRE_BROWSER=1 "
        "to make this an error",
        allow_module_level=True,
    )


def browser_check(serving: Path, out: Path, *pages: str) -> subprocess.CompletedProcess:
    cmd = [PYTHON, "scripts/browser_check.py", "--serving", str(serving), "--out", str(out)]
    if pages:
        cmd += ["--pages", *pages]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def serving(warehouse, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("browser") / "serving" / "chat_metrics.duckdb"
    publish(
        warehouse.path,
        path,
        manifest_path=warehouse.path.parent / "target" / "manifest.json",
        project_file=ROOT / "dbt_project.yml",
    )
    return path


def test_every_page_renders_with_the_marts_numbers(serving):
    proc = browser_check(serving, SCREENSHOTS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for page in ("overview", "support", "sales", "community", "experiments"):
        shot = SCREENSHOTS / f"{page}.png"
        assert shot.is_file() and shot.stat().st_size > 20_000, f"no real screenshot of {page}"
        status = json.loads((SCREENSHOTS / f"{page}.json").read_text())
        assert status["problems"] == [] and not status["errors"] and not status["empty"]
        if page != "experiments":
            assert status["charts"] >= 3 and status["drawn"] == status["charts"]
    overview = json.loads((SCREENSHOTS / "overview.json").read_text())
    # every blueprint row is on the page, with numbers (checked equal to the marts by the check)
    for key in (
        "revenue_influenced",
        "chat_assisted_conversion_rate",
        "retention_lift",
        "support_cost_savings",
        "p50_first_human_response_seconds_7d",
        "resolution_rate_7d",
        "containment_rate_7d",
        "escalation_rate_7d",
        "reopen_rate_7d",
        "messages",
    ):
        assert key in overview["kpis"], f"{key} missing from the overview"
    assert overview["charts"] >= 7  # 2 outcome trends, 2 health trends, 3 diagnostics
    experiments = json.loads((SCREENSHOTS / "experiments.json").read_text())
    con = duckdb.connect(str(serving), read_only=True)
    try:
        has_results = con.execute(
            "select count(*) from duckdb_tables() where table_name = 'rpt_experiment_results'"
        ).fetchone()[0]
    finally:
        con.close()
    if not has_results:
        assert experiments["notes"] == ["no-experiments"]
    else:  # one lift chart per experiment, every one drawn
        assert experiments["charts"] >= 1 and experiments["drawn"] == experiments["charts"]


def test_the_check_fails_on_an_empty_chart(serving, tmp_path):
    broken = tmp_path / "broken.duckdb"
    shutil.copy(serving, broken)
    os.chmod(broken, 0o644)
    con = duckdb.connect(str(broken))
    try:
        con.execute("delete from marts.rpt_top_intents_weekly")  # the top-intents chart: empty
    finally:
        con.close()
    proc = browser_check(broken, tmp_path / "shots", "overview")
    assert proc.returncode == 1
    assert "FAIL overview: empty chart: Top intents" in proc.stdout
    assert (tmp_path / "shots" / "overview.png").is_file()


def test_the_check_fails_on_a_page_error(serving, tmp_path):
    broken = tmp_path / "broken.duckdb"
    shutil.copy(serving, broken)
    os.chmod(broken, 0o644)
    con = duckdb.connect(str(broken))
    try:
        con.execute("drop table marts.rpt_support_daily")  # the support page's query: an error
    finally:
        con.close()
    proc = browser_check(broken, tmp_path / "shots", "support")
    assert proc.returncode == 1
    assert "FAIL support: shows an error:" in proc.stdout, proc.stdout
    assert (tmp_path / "shots" / "support.png").is_file()
