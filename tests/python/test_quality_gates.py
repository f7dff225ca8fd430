"""Quality gates end to end: the GX checkpoint passes on the demo warehouse, and corrupting a
mart (a rate of 1.2, a duplicated conversation, an email in a column) makes both a dbt test and
a GX expectation fail; deleting a day of one event type makes tracking health flag it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from chatperf.quality.checkpoint import run_checkpoint
from conftest import PYTHON, ROOT, database_held_open, dbt, run

CHECKPOINT = [PYTHON, "scripts/run_checkpoint.py"]


def copy_warehouse(source: Path, tmp_path: Path) -> Path:
    """A private copy of the session warehouse, safe to corrupt."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(source, db)
    return db


def execute(db: Path, *statements: str) -> None:
    con = duckdb.connect(str(db))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def results_by_name(db: Path) -> dict[str, dict]:
    """dbt's run_results.json of the last dbt call on this copy, by node name."""
    results = json.loads((db.parent / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[2]: r for r in results}


def test_checkpoint_passes_on_the_demo_warehouse_and_writes_data_docs(warehouse, tmp_path):
    # a relative --data-docs, as `make checks` and the pipeline pass it, from another folder
    docs = tmp_path / "gx_docs"
    proc = subprocess.run(
        [PYTHON, str(ROOT / "scripts" / "run_checkpoint.py"), "--database", str(warehouse.path)]
        + ["--data-docs", "gx_docs"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1].startswith("checkpoint passed:")
    index = (docs / "index.html").read_text()
    # every suite of both layers is in the docs, row-level and table-level
    for table in (
        "staging.stg_chat__events",
        "marts.fct_conversations",
        "marts.rpt_chat_kpis_daily",
    ):
        assert table in index
        assert f"{table} (table)" in index


def test_corrupted_marts_fail_a_dbt_test_and_a_gx_expectation(warehouse, tmp_path):
    db = copy_warehouse(warehouse.path, tmp_path)
    execute(
        db,
        # a rate set to 1.2
        "update marts.rpt_chat_kpis_daily set resolution_rate = 1.2 where rowid = "
        "(select min(rowid) from marts.rpt_chat_kpis_daily where resolution_rate is not null)",
        # a duplicated conversation
        "insert into marts.fct_conversations select * from marts.fct_conversations limit 1",
        # an email in a column
        "update marts.rpt_top_intents_weekly set tag_value = 'mail ana.lopez@example.org' "
        "where rowid = 0",
    )

    proc = dbt(
        [
            "test",
            "--select",
            "rpt_chat_kpis_daily fct_conversations rpt_top_intents_weekly assert_no_pii_in_marts",
        ],
        db,
        check=False,
    )
    assert proc.returncode == 1
    failed = {
        name: r["failures"] for name, r in results_by_name(db).items() if r["status"] == "fail"
    }
    assert failed.get("unique_fct_conversations_conversation_id") == 1
    rate_tests = [
        n for n in failed if n.startswith("value_between_rpt_chat_kpis_daily_resolution_rate")
    ]
    assert rate_tests and failed[rate_tests[0]] == 1
    assert failed.get("assert_no_pii_in_marts") == 1

    gx = run(
        CHECKPOINT
        + ["--database", str(db), "--no-data-docs", "--quiet", "--layer", "marts"]
        + sum(
            (
                ["--table", t]
                for t in (
                    "marts.rpt_chat_kpis_daily",
                    "marts.fct_conversations",
                    "marts.rpt_top_intents_weekly",
                )
            ),
            [],
        ),
        check=False,
    )
    assert gx.returncode == 1
    message = gx.stderr.strip()
    assert message.count("\n") == 0 and message.startswith("checkpoint FAILED:")
    assert (
        "marts.rpt_chat_kpis_daily: column_values_to_be_between(resolution_rate) in [0, 1]"
        in message
    )
    assert "e.g. 1.2" in message
    assert "marts.fct_conversations: column_values_to_be_unique(conversation_id)" in message
    assert "marts.fct_conversations (table): column_pair_values_to_be_equal" in message
    assert "marts.rpt_top_intents_weekly: column_values_to_not_match_regex(tag_value)" in message
    assert "ana.lopez@example.org" in message


def test_every_mart_has_a_suite(warehouse):
    from chatperf.quality.checkpoint import suites

    built = {
        f"marts.{name}"
        for (name,) in query(
            warehouse.path,
            "select table_name from information_schema.tables where table_schema = 'marts'",
        )
    }
    assert built == {spec.table for spec in suites("marts")}


def test_every_staging_model_has_a_suite(warehouse):
    from chatperf.quality.checkpoint import suites

    built = {
        f"staging.{name}"
        for (name,) in query(
            warehouse.path,
            "select table_name from information_schema.tables where table_schema = 'staging'",
        )
    }
    models = {f"staging.{p.stem}" for p in (ROOT / "models" / "staging").rglob("stg_*.sql")}
    assert len(models) == 20 and built == models
    assert built == {spec.table for spec in suites("staging")}


def test_corrupted_staging_fails_a_gx_expectation(warehouse, tmp_path):
    """Staging views read raw: a deal closed before it was created (no dbt test encodes it)
    fails its staging expectation; a Patreon status nobody knows is a GX warning, as in dbt."""
    db = copy_warehouse(warehouse.path, tmp_path)
    deal = query(
        db,
        "select min(deal_id) from staging.stg_hubspot__deals where closed_at is not null",
    )[0][0]
    execute(
        db,
        "update raw.patreon_members set \"Patron Status\" = 'Paused patron' where rowid = "
        "(select min(rowid) from raw.patreon_members)",
        "update raw.hubspot_deal set property_closedate = '2020-01-01T00:00:00Z' "
        f"where deal_id = {deal}",
    )
    # dbt: the unknown status is only a warning (Patreon may add one), the deal passes
    dbt(["test", "--select", "stg_patreon__members stg_hubspot__deals"], db)
    not_passed = {n: r["status"] for n, r in results_by_name(db).items() if r["status"] != "pass"}
    status_test = "accepted_values_stg_patreon__members_patron_status__active_patron__declined_"
    assert [s for n, s in not_passed.items() if n.startswith(status_test)] == ["warn"], not_passed

    members, deals = "staging.stg_patreon__members", "staging.stg_hubspot__deals"
    report = run_checkpoint(db, tables=[members, deals], layers=["staging"])
    lines = [f.line() for f in report.failures]
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        f"{deals}: column_pair_values_a_to_be_greater_than_b(closed_at, created_at) "
        "(1 unexpected, e.g. (datetime.datetime(2020, 1, 1, 0, 0), datetime.datetime(2026, "
    ), lines
    # the vendor's new status is reported, as a warning: like dbt, it does not stop the pipeline
    assert [f.line() for f in report.warnings] == [
        f"{members}: column_values_to_be_in_set(patron_status) (1 unexpected, e.g. 'paused patron')"
    ]


def test_corrupted_experiment_results_fail_a_dbt_test_and_a_gx_expectation(warehouse, tmp_path):
    db = copy_warehouse(warehouse.path, tmp_path)
    table = "marts.rpt_experiment_results"
    pick = f"(select min(rowid) from {table} where not is_control and p_value is not null)"
    execute(
        db,
        # a p-value of 1.2
        f"update {table} set p_value = 1.2 where rowid = {pick}",
        # a variant that worsened a guardrail called a winner
        f"update {table} set guardrail_worsened = true, verdict = 'winner' "
        f"where rowid = (select max(rowid) from {table} where not is_control)",
    )
    proc = dbt(["test", "--select", "rpt_experiment_results"], db, check=False)
    assert proc.returncode == 1
    failed = {
        name: r["failures"] for name, r in results_by_name(db).items() if r["status"] == "fail"
    }
    assert [failed[n] for n in failed if n.startswith("value_between_rpt_experiment_results_p")]
    guardrail = "expression_is_true_rpt_experiment_results_verdict_guardrail_failed_or_not_guar"
    assert [failed[n] for n in failed if n.startswith(guardrail)] == [1], failed

    report = run_checkpoint(db, tables=[table], layers=["marts"])
    lines = [f.line() for f in report.failures]
    assert f"{table}: column_values_to_be_between(p_value) in [0, 1] (1 unexpected, e.g. 1.2)" in (
        lines
    )
    assert any(
        line.startswith(f"{table}: column_pair_values_to_be_in_set(guardrail_worsened, verdict)")
        for line in lines
    ), lines


def test_grain_is_checked_across_batches(warehouse, tmp_path):
    """With one row per batch no batch sees the duplicate; the whole-table check still does."""
    db = copy_warehouse(warehouse.path, tmp_path)
    table = "marts.rpt_executive_overview_weekly"
    execute(db, f"insert into {table} select * from {table} limit 1")
    report = run_checkpoint(db, tables=[table], layers=["marts"], batch_rows=1)
    rows = query(db, f"select count(*) from {table}")[0][0]
    assert report.batches == rows  # one row per batch
    assert not report.success
    assert [f.line() for f in report.failures] == [
        f"{table} (table): column_pair_values_to_be_equal(row_count, distinct_grain_keys) "
        f"(1 unexpected, e.g. ({rows}, {rows - 1}))"
    ]
    assert report.summary().startswith("checkpoint FAILED: 1 expectation(s) in 1 suite(s): ")


def test_checkpoint_usage_errors_are_one_line(tmp_path, warehouse):
    missing = run(CHECKPOINT + ["--database", str(tmp_path / "nope.duckdb")], check=False)
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: database ") and missing.stderr.count("\n") == 1

    db = copy_warehouse(warehouse.path, tmp_path)
    with database_held_open(db):
        locked = run(CHECKPOINT + ["--database", str(db), "--quiet"], check=False)
    assert locked.returncode == 2
    assert (
        locked.stderr
        == f"error: database {db} is locked by another process; retry when it has finished\n"
    )


def health(db: Path, where: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select cast(event_date as varchar), source_name, event_type, events, health_status "
            f"from marts.rpt_tracking_health_daily where {where} order by 1, 2, 3"
        ).fetchall()
    finally:
        con.close()


def test_tracking_health_is_quiet_on_the_demo_and_flags_a_deleted_day(warehouse, tmp_path):
    # the demo (4 weeks with a launch spike) raises no alarm
    assert health(warehouse.path, "health_status in ('drop', 'spike')") == []
    statuses = {r[4] for r in health(warehouse.path, "true")}
    assert "ok" in statuses

    # "tracking broke": one event type missing for one day in raw
    db = copy_warehouse(warehouse.path, tmp_path)
    execute(
        db,
        "delete from raw.chat_events where event_type = 'Widget Viewed' and cast(timezone('UTC', "
        "cast(event_timestamp as timestamptz)) as date) = date '2026-09-23'",
    )
    # rebuild the incremental staging table from raw, then the daily counts and the health mart
    proc = dbt(
        [
            "build",
            "--select",
            "stg_chat__events int_tracking_events_aggregated_daily rpt_tracking_health_daily",
            "--full-refresh",
        ],
        db,
    )
    assert "PASS=" in proc.stdout
    flagged = health(db, "health_status in ('drop', 'spike')")
    assert flagged == [("2026-09-23", "chat_events", "widget_viewed", 0, "drop")]
    warned = results_by_name(db)["tracking_health_no_drops_or_spikes"]
    assert (warned["status"], warned["failures"]) == ("warn", 1)


def test_checkpoint_cli_help():
    proc = subprocess.run(
        [PYTHON, "scripts/run_checkpoint.py", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0 and "--batch-rows" in proc.stdout and "--data-docs" in proc.stdout


@pytest.mark.parametrize("flag", ["--batch-rows=0"])
def test_checkpoint_rejects_bad_arguments(flag, tmp_path):
    proc = run(CHECKPOINT + ["--database", str(tmp_path / "x.duckdb"), flag], check=False)
    assert proc.returncode == 2


def test_source_freshness_thresholds_fire(warehouse, tmp_path):
    """Every source has freshness thresholds on its load time; a stale source errors."""
    db = copy_warehouse(warehouse.path, tmp_path)
    fresh = dbt(["source", "freshness"], db)
    assert "ERROR STALE" not in fresh.stdout and "WARN" not in fresh.stdout
    sources = json.loads((db.parent / "target" / "sources.json").read_text())["results"]
    checked = {r["unique_id"].split(".")[2] for r in sources}
    assert checked == {
        "chat",
        "web",
        "hubspot",
        "stripe",
        "shopify",
        "patreon",
        "experiments",
        "loader",
    }

    # web analytics stopped arriving 8 days ago: error (> 7 days); Stripe 2 days ago: warn
    execute(
        db,
        "update raw.web_pageviews set _loaded_at = _loaded_at - interval 8 day",
        "update raw.stripe_charge set _loaded_at = _loaded_at - interval 2 day",
    )
    stale = dbt(["source", "freshness"], db, check=False)
    assert stale.returncode == 1
    status = {
        r["unique_id"].split(".", 2)[2]: r["status"]
        for r in json.loads((db.parent / "target" / "sources.json").read_text())["results"]
    }
    assert status["web.web_pageviews"] == "error"
    assert status["stripe.stripe_charge"] == "warn"
    assert status["chat.chat_events"] == "pass"
