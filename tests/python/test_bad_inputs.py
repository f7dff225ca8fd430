"""The bad-input suite: one fixture file per class of bad input (tests/fixtures/bad_inputs/),
each ending in a quarantine row with its reason, a clear one-line message, or a flagged row in
a quality mart - and every input row accounted for: loaded + quarantined = rows in the file."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from chatperf.landing_spec import table_for_file
from chatperf.quality.checkpoint import run_checkpoint
from conftest import PYTHON, ROOT, database_held_open, dbt, run

FIXTURES = ROOT / "tests" / "fixtures" / "bad_inputs"
LOADER = [PYTHON, "scripts/load_landing.py"]

# file -> (rows loaded, rows quarantined, the quarantine reasons by line, note on the file)
EXPECTED = {
    "chat_events/events_01_malformed_line.jsonl": (
        2,
        1,
        {3: "malformed JSON: unexpected end of data"},
        None,
    ),
    "chat_events/events_02_duplicate_event.jsonl": (2, 0, {}, None),  # staging keeps one
    "chat_events/events_03_out_of_order.jsonl": (3, 0, {}, None),  # ordered by event time
    "chat_events/events_04_unknown_event_type.jsonl": (
        1,
        1,
        {1: "unknown event type 'Page Scrolled'"},
        None,
    ),
    "chat_events/events_05_null_ids.jsonl": (
        0,
        3,
        {
            1: "missing required value 'messageId'",
            2: "missing required value 'anonymousId'",
            3: "missing required value 'properties.conversation_id' for 'Message Sent'",
        },
        None,
    ),
    "chat_events/events_06_mixed_offsets.jsonl": (4, 0, {}, None),  # all the same UTC instant
    "chat_events/events_07_late_event.jsonl": (1, 0, {}, None),  # a later load, an earlier time
    "experiments/assignments_01_empty_file.csv": (0, 0, {}, "empty file (no header)"),
    "stripe/charge_01_amounts.csv": (4, 1, {6: "column 'amount': '12.50' is not an integer"}, None),
    "stripe/refund_01_above_the_charge.csv": (1, 0, {}, None),
    "web/pageviews_01_extra_column.csv": (
        2,
        0,
        {},
        "schema drift: extra column(s) ab_bucket kept in _extra_columns",
    ),
    "web/pageviews_02_missing_optional_columns.csv": (
        1,
        0,
        {},
        "schema drift: file lacks column(s) referrer, utm_source, utm_medium, utm_campaign, "
        "device_type, country",
    ),
    "web/pageviews_03_missing_required_column.csv": (
        0,
        2,
        {
            2: "schema drift: file lacks required column(s) viewed_at",
            3: "schema drift: file lacks required column(s) viewed_at",
        },
        "schema drift: file lacks column(s) viewed_at",
    ),
}


def rows_in(path: Path) -> int:
    """Data rows in a landing file, counted independently of the loader."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return sum(1 for line in text.splitlines() if line.strip())
    rows = [r for r in csv.reader(text.splitlines()) if r and any(f.strip() for f in r)]
    return max(len(rows) - 1, 0)


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def bad_warehouse(tmp_path_factory) -> Path:
    """The fixtures loaded in two runs (the late event comes second), then seeds and models
    built and tested: those the bad inputs reach (unit tests excluded: they read no data)."""
    db = tmp_path_factory.mktemp("bad_inputs") / "warehouse.duckdb"
    run(LOADER + ["--landing", str(FIXTURES / "landing"), "--database", str(db), "--quiet"])
    run(LOADER + ["--landing", str(FIXTURES / "late"), "--database", str(db), "--quiet"])
    select = "+fct_chat_messages +fct_conversions +rpt_payment_input_issues staging.loader+"
    dbt(["build", "--select", select, "--exclude-resource-type", "unit_test"], db, check=False)
    return db


def test_every_fixture_row_is_loaded_or_quarantined_with_its_reason(bad_warehouse):
    files = {
        p.relative_to(d).as_posix(): p
        for d in (FIXTURES / "landing", FIXTURES / "late")
        for p in d.rglob("*.*")
    }
    assert set(files) == set(EXPECTED)
    accounting = {
        r[0]: r[1:]
        for r in query(
            bad_warehouse,
            "select file_path, rows_in_file, rows_loaded, rows_quarantined, notes "
            "from raw._load_files",
        )
    }
    for rel, (loaded, quarantined, reasons, note) in EXPECTED.items():
        in_file = rows_in(files[rel])
        assert accounting[rel][:3] == (in_file, loaded, quarantined), rel
        assert in_file == loaded + quarantined, rel
        raw_table = table_for_file(*rel.split("/")).name
        assert query(
            bad_warehouse, f"select count(*) from raw.{raw_table} where _source_file = '{rel}'"
        ) == [(loaded,)], rel
        got = dict(
            query(
                bad_warehouse,
                f"select source_line, reason from raw._quarantine where source_file = '{rel}'",
            )
        )
        assert got == reasons, rel
        assert (note is None and accounting[rel][3] is None) or note in accounting[rel][3], rel


def test_staging_resolves_duplicates_offsets_and_late_out_of_order_events(bad_warehouse):
    assert query(
        bad_warehouse, "select count(*) from staging.stg_chat__events where event_id = 'e_dup'"
    ) == [(1,)]
    # +02:00, -05:00, Z and a naive time (taken as UTC) are one instant
    assert query(
        bad_warehouse,
        "select distinct cast(occurred_at as varchar) from staging.stg_chat__events "
        "where conversation_id = 'conv_tz'",
    ) == [("2026-09-04 10:00:00",)]
    # out of order in the file and a late file: messages are numbered by event time
    assert query(
        bad_warehouse,
        "select message_id, message_number, actor_type from marts.fct_chat_messages "
        "where conversation_id = 'conv_ooo' order by message_number",
    ) == [("e_ooo_0", 1, "visitor"), ("e_ooo_2", 2, "visitor"), ("e_ooo_3", 3, "human_agent")]


def test_payment_problems_are_flagged_with_a_reason(bad_warehouse):
    issues = query(
        bad_warehouse,
        "select revenue_event_id, issue, reason from marts.rpt_payment_input_issues order by 1",
    )
    assert issues == [
        ("stripe:ch_negative", "negative_amount", "payment amount -5.000000 is negative"),
        (
            "stripe:ch_refund_above",
            "refund_above_payment",
            "refunded 15.000000 of a 10.000000 payment",
        ),
        ("stripe:ch_unknown_currency", "unknown_currency", "no fx rate for currency XYZ"),
    ]
    # the revenue marts never carry a refund above the payment as negative revenue
    assert query(
        bad_warehouse,
        "select gross_amount, refunded_amount, net_amount from marts.fct_conversions "
        "where conversion_id = 'stripe:ch_refund_above'",
    ) == [(10, 15, 0)]


def test_quality_tests_warn_and_the_negative_amount_fails_the_build(bad_warehouse):
    import json

    results = json.loads((bad_warehouse.parent / "target" / "run_results.json").read_text())
    status = {
        r["unique_id"].split(".")[2]: (r["status"], r["failures"]) for r in results["results"]
    }
    assert status["loader_quarantined_nothing"] == ("warn", 5)  # 5 (table, reason) rows
    assert status["payments_have_no_input_issues"] == ("warn", 3)
    assert status["loader_quarantine_rate_below_1_percent"][0] == "warn"
    assert status["value_between_fct_conversions_gross_amount__0"] == ("fail", 1)
    quarantine = dict(
        query(
            bad_warehouse,
            "select reason_class, sum(rows_quarantined) from marts.rpt_load_quarantine_daily "
            "group by 1",
        )
    )
    assert quarantine == {
        "malformed JSON": 1,
        "unknown event type": 1,
        "missing required value": 3,
        "unparseable value": 1,
        "schema drift": 2,
    }
    files = query(
        bad_warehouse,
        "select sum(rows_in_files), sum(rows_loaded), sum(rows_quarantined), sum(empty_files), "
        "sum(schema_drift_files) from marts.rpt_load_files_daily",
    )
    assert files == [(29, 21, 8, 1, 3)]


def test_the_gx_checkpoint_names_the_bad_payments(bad_warehouse):
    report = run_checkpoint(bad_warehouse, tables=["staging.stg_stripe__charges"])
    table = "staging.stg_stripe__charges"
    assert sorted(f.line() for f in report.failures) == [
        f"{table}: column_pair_values_a_to_be_greater_than_b(amount, amount_refunded) "
        "(2 unexpected, e.g. (-5.0, 0.0))",
        f"{table}: column_values_to_be_between(amount) >= 0 (1 unexpected, e.g. -5.0)",
        f"{table}: column_values_to_be_in_set(currency) (1 unexpected, e.g. 'XYZ')",
    ]


def test_a_database_locked_by_a_reader_is_a_one_line_error(tmp_path):
    db = tmp_path / "w.duckdb"
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURES / "landing", landing)
    run(LOADER + ["--landing", str(landing), "--database", str(db), "--quiet"])
    shutil.copytree(FIXTURES / "late", landing, dirs_exist_ok=True)
    with database_held_open(db, read_only=True):
        proc = run(LOADER + ["--landing", str(landing), "--database", str(db)], check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: database {db} is locked by another process")
    assert proc.stderr.count("\n") == 1
    # nothing half-loaded: the late file loads once the reader has gone
    run(LOADER + ["--landing", str(landing), "--database", str(db), "--quiet"])
    assert query(db, "select count(*) from raw._load_files") == [(13,)]
