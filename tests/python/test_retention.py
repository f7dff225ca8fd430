"""Transcript retention: text older than the cut-off is gone from every table that held it,
newer text stays, and every KPI mart is unchanged after a full rebuild - the metrics never
depended on the words."""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd

from conftest import PYTHON, database_held_open, dbt, run

RETENTION = [PYTHON, "scripts/retention.py"]
AS_OF, DAYS = "2026-10-01", 14  # keeps the last 14 days of the 28-day demo: before 2026-09-17
CUTOFF = "timestamp '2026-09-17 00:00:00'"

# grain of each mart compared before and after
KPI_MARTS = {
    "fct_conversations": ["conversation_id"],
    "rpt_chat_kpis_daily": ["period_start", "channel", "segment_type", "segment_value"],
    "rpt_chat_kpis_weekly": ["period_start", "channel", "segment_type", "segment_value"],
    "rpt_support_daily": ["report_date", "channel"],
    "rpt_community_weekly": ["week_start", "channel"],
    "rpt_volume_by_channel_daily": ["report_date", "channel"],
    "rpt_executive_overview_weekly": ["week_start", "reporting_currency"],
    "rpt_revenue_attribution_daily": [
        "conversion_date",
        "window_days",
        "attribution_model",
        "channel",
        "resolution_path",
        "segment_type",
        "segment_value",
    ],
}


def frames(db) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            name: con.execute(f"select * from marts.{name} order by {', '.join(keys)}").df()
            for name, keys in KPI_MARTS.items()
        }
    finally:
        con.close()


def one(db, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def text_left(db) -> dict[str, tuple[int, int]]:
    """(rows with text before the cut-off, rows with text after it) per place text lives."""
    places = {
        "raw.chat_events": (
            "json_extract(payload, '$.properties.text') is not null "
            "or json_extract(payload, '$.properties.comment') is not null",
            "cast(timezone('UTC', cast(event_timestamp as timestamptz)) as timestamp)",
        ),
        "raw.chat_message_export": (
            "text is not null",
            "cast(timezone('UTC', cast(sent_at as timestamptz)) as timestamp)",
        ),
        "staging.stg_chat__events": (
            "message_text is not null or csat_comment is not null",
            "occurred_at",
        ),
        "intermediate.int_conversation_events_unioned": ("message_text is not null", "occurred_at"),
        "marts.fct_chat_messages": ("message_text_redacted is not null", "sent_at"),
    }
    out = {}
    for table, (has_text, at) in places.items():
        old = one(db, f"select count(*) from {table} where ({has_text}) and {at} < {CUTOFF}")
        new = one(db, f"select count(*) from {table} where ({has_text}) and {at} >= {CUTOFF}")
        out[table] = (old, new)
    return out


def test_retention_deletes_old_text_and_keeps_the_metrics(warehouse, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(warehouse.path, db)
    before = frames(db)
    text_before = text_left(db)
    assert all(old > 0 and new > 0 for old, new in text_before.values()), text_before

    dry = run(
        RETENTION + ["--database", str(db), "--as-of", AS_OF, "--days", str(DAYS)] + ["--dry-run"]
    )
    assert "dry run, nothing changed" in dry.stdout
    assert text_left(db) == text_before

    proc = run(RETENTION + ["--database", str(db), "--as-of", AS_OF, "--days", str(DAYS)])
    assert "text before 2026-09-17 00:00 UTC" in proc.stdout
    after_text = text_left(db)
    assert {t: old for t, (old, _) in after_text.items()} == dict.fromkeys(after_text, 0)
    assert {t: new for t, (_, new) in after_text.items()} == {
        t: new for t, (_, new) in text_before.items()
    }
    # rows, ids and times stay: only the text went
    assert one(db, "select count(*) from raw.chat_events") == one(
        warehouse.path, "select count(*) from raw.chat_events"
    )
    again = run(RETENTION + ["--database", str(db), "--as-of", AS_OF, "--days", str(DAYS)])
    assert ": cleared 0 row(s) in " in again.stdout.splitlines()[-1]

    # a full rebuild from the retained raw data gives the same KPIs
    dbt(["run", "--full-refresh"], db)
    after = frames(db)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, check_exact=False, rtol=1e-9, obj=name)
    assert text_left(db)["marts.fct_chat_messages"][0] == 0


def test_default_keeps_90_days_and_errors_are_one_line(warehouse, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(warehouse.path, db)
    # the demo is younger than 90 days as of its last day: nothing to delete
    proc = run(RETENTION + ["--database", str(db), "--as-of", "2026-09-29"])
    assert proc.stdout.splitlines()[-1].startswith("retention (90 days, text before 2026-07-01")
    assert proc.stdout.splitlines()[-1].split(": ")[1].startswith("cleared 0 row(s)")

    missing = run(RETENTION + ["--database", str(tmp_path / "nope.duckdb")], check=False)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1

    with database_held_open(db, read_only=True):
        locked = run(RETENTION + ["--database", str(db)], check=False)
    assert locked.returncode == 2
    assert locked.stderr.startswith(f"error: database {db} is locked by another process")
    assert locked.stderr.count("\n") == 1


def test_naive_timestamps_are_utc_whatever_the_host_zone(tmp_path):
    """A naive landing timestamp means UTC: on a New York host, a message sent at 22:00 (UTC) the
    day before the cut-off is still older than the cut-off and loses its text."""
    from chatperf.loader import connect, ensure_schema

    db = tmp_path / "w.duckdb"
    con = connect(db)
    ensure_schema(con)
    columns = [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'chat_message_export'"
        ).fetchall()
    ]
    values = {
        "conversation_id": "c1",
        "message_id": "m1",
        "sent_at": "2026-09-16T22:00:00",
        "author_role": "visitor",
        "text": "hello",
        "_source_file": "chat_message_export/x.csv",
        "_source_line": 2,
        "_loaded_at": "2026-09-17 00:00:00",
        "_load_id": "l1",
    }
    row = [values.get(c) for c in columns]
    con.execute(
        f"insert into raw.chat_message_export values ({', '.join('?' for _ in columns)})", row
    )
    con.close()
    run(
        [*RETENTION, "--database", str(db), "--days", str(DAYS), "--as-of", AS_OF],
        env={"TZ": "America/New_York"},
    )
    assert one(db, "select count(*) from raw.chat_message_export where text is not null") == 0
