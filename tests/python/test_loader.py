"""The loader: append-only, idempotent, every input row loaded or quarantined with its reason."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from chatperf.landing_spec import TABLES_BY_NAME
from chatperf.loader import LoadError, load_landing
from conftest import database_held_open

ROOT = Path(__file__).resolve().parents[2]
LOADER = [sys.executable, str(ROOT / "scripts" / "load_landing.py")]


def event(event_id: str, name: str = "Message Sent", **overrides) -> dict:
    base = {
        "messageId": event_id,
        "type": "track",
        "event": name,
        "anonymousId": "anon_1",
        "userId": None,
        "timestamp": "2026-09-01T12:00:00+02:00",
        "receivedAt": "2026-09-01T10:00:01Z",
        "properties": {"conversation_id": "conv_1", "author_role": "visitor", "text": "hi"},
        "context": {"traits": {"email": " Ana@Example.com "}},
    }
    base.update(overrides)
    return base


def write_jsonl(path: Path, lines: list[str | dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
        encoding="utf-8",
    )


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def accounting(db: Path) -> dict[str, tuple[int, int, int]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select file_path, rows_in_file, rows_loaded, rows_quarantined from raw._load_files"
        ).fetchall()
    finally:
        con.close()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    root.mkdir()
    return root


def test_chat_events_mess_is_loaded_or_quarantined_with_reasons(landing: Path, tmp_path: Path):
    lines = [
        event("e1"),
        event("e1"),  # duplicate event: loaded; staging keeps the first copy
        '{"messageId": "e2", "event": "Message Sent", "timestamp": "2026-09-01T1',  # truncated
        event("e3", name="Page Scrolled"),  # unknown event type
        event("e4", anonymousId=None),  # null id
        event("e5", timestamp="yesterday"),  # unparseable time
        event("e6", properties={"text": "no conversation"}),  # event without its conversation
        event("e7", name="Widget Viewed", properties={}),  # needs no conversation
        event("e8", timestamp="2026-09-01T03:00:00-05:00"),  # another offset
        "",  # blank lines are not rows
    ]
    write_jsonl(landing / "chat_events" / "events_2026-09-01.jsonl", lines)
    db = tmp_path / "w.duckdb"
    load_landing(landing, db)

    assert accounting(db) == {"chat_events/events_2026-09-01.jsonl": (9, 4, 5)}
    reasons = dict(
        query(db, "select source_line, reason from raw._quarantine order by source_line")
    )
    assert reasons[3].startswith("malformed JSON")
    assert reasons[4] == "unknown event type 'Page Scrolled'"
    assert reasons[5] == "missing required value 'anonymousId'"
    assert "is not an ISO-8601 timestamp" in reasons[6]
    assert "conversation_id" in reasons[7]
    loaded = query(db, "select event_id, _source_line from raw.chat_events order by _source_line")
    assert [r[0] for r in loaded] == ["e1", "e1", "e7", "e8"]
    # the payload is the line as it arrived
    payload = query(db, "select payload from raw.chat_events where event_id = 'e8'")[0][0]
    assert json.loads(payload)["timestamp"] == "2026-09-01T03:00:00-05:00"


def test_reload_adds_nothing_and_new_files_append(landing: Path, tmp_path: Path):
    write_jsonl(landing / "chat_events" / "events_2026-09-01.jsonl", [event("e1")])
    db = tmp_path / "w.duckdb"
    load_landing(landing, db)
    second = load_landing(landing, db)
    assert [r.skipped for r in second] == [True]
    assert query(db, "select count(*) from raw.chat_events") == [(1,)]
    # the same content under another name (a re-delivery) is skipped too
    write_jsonl(landing / "chat_events" / "events_copy.jsonl", [event("e1")])
    assert load_landing(landing, db)[-1].skipped
    write_jsonl(landing / "chat_events" / "events_2026-09-02.jsonl", [event("e2"), event("e3")])
    load_landing(landing, db)
    assert query(db, "select count(*) from raw.chat_events") == [(3,)]
    assert query(db, "select count(*) from raw._load_files") == [(2,)]


def test_csv_schema_drift_types_and_field_counts(landing: Path, tmp_path: Path):
    spec = TABLES_BY_NAME["stripe_charge"]
    header = spec.column_names + ["new_vendor_column"]  # extra column: kept, not dropped
    good = {c: "" for c in spec.column_names}
    good.update(
        id="ch_1", amount="1999", currency="usd", created="2026-09-01 10:00:00", status="succeeded"
    )
    rows = [
        [good[c] for c in spec.column_names] + ["x1"],
        [good[c] if c != "amount" else "19.99" for c in spec.column_names] + ["x2"],  # bad int
        [good[c] if c != "id" else "" for c in spec.column_names] + ["x3"],  # null id
        ["ch_9", "100"],  # wrong number of fields
        [good[c] if c != "amount" else "-500" for c in spec.column_names] + ["x4"],  # negative
    ]
    write_csv(landing / "stripe" / "charge_2026-09-01.csv", header, rows)
    # missing optional columns: loaded with NULLs and a note
    write_csv(
        landing / "stripe" / "refund_2026-09-01.csv",
        ["id", "charge_id", "amount", "currency", "created"],
        [["re_1", "ch_1", "500", "usd", "2026-09-02T00:00:00Z"]],
    )
    # missing a required column: every row quarantined with the reason
    write_csv(
        landing / "stripe" / "customer_2026-09-01.csv",
        ["id", "email"],
        [["cus_1", "a@b.c"], ["cus_2", "d@e.f"]],
    )
    (landing / "stripe" / "invoice_2026-09-01.csv").write_text("")  # empty file
    db = tmp_path / "w.duckdb"
    results = {r.path: r for r in load_landing(landing, db)}

    acc = accounting(db)
    assert acc["stripe/charge_2026-09-01.csv"] == (5, 2, 3)
    assert acc["stripe/refund_2026-09-01.csv"] == (1, 1, 0)
    assert acc["stripe/customer_2026-09-01.csv"] == (2, 0, 2)
    assert acc["stripe/invoice_2026-09-01.csv"] == (0, 0, 0)
    assert any(
        "extra column(s) new_vendor_column" in n
        for n in results["stripe/charge_2026-09-01.csv"].notes
    )
    assert "empty file (no header)" in results["stripe/invoice_2026-09-01.csv"].notes
    reasons = [r[0] for r in query(db, "select reason from raw._quarantine order by 1")]
    assert "column 'amount': '19.99' is not an integer" in reasons
    assert "missing required value 'id'" in reasons
    assert f"expected {len(header)} fields, found 2" in reasons
    assert reasons.count("schema drift: file lacks required column(s) created") == 2
    extras = query(db, "select _extra_columns from raw.stripe_charge order by amount")
    assert extras == [('{"new_vendor_column":"x4"}',), ('{"new_vendor_column":"x1"}',)]


def test_every_row_accounted_for(landing: Path, tmp_path: Path):
    write_jsonl(
        landing / "chat_events" / "events_a.jsonl",
        [event(f"e{i}") for i in range(50)] + ["not json"] * 3,
    )
    db = tmp_path / "w.duckdb"
    load_landing(landing, db)
    in_file, loaded, quarantined = accounting(db)["chat_events/events_a.jsonl"]
    assert in_file == loaded + quarantined == 53
    assert query(db, "select count(*) from raw.chat_events") == [(loaded,)]
    assert query(db, "select count(*) from raw._quarantine") == [(quarantined,)]


def test_unrecognised_and_missing_inputs_are_one_line_errors(landing: Path, tmp_path: Path):
    with pytest.raises(LoadError, match="does not exist"):
        load_landing(tmp_path / "nope", tmp_path / "w.duckdb")
    proc = subprocess.run(
        LOADER + ["--landing", str(tmp_path / "nope"), "--database", str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert proc.stderr == f"error: landing folder {tmp_path / 'nope'} does not exist\n"
    (landing / "stripe").mkdir()
    (landing / "stripe" / "payouts.csv").write_text("id\n1\n")
    with pytest.raises(LoadError, match="unrecognised landing file stripe/payouts.csv"):
        load_landing(landing, tmp_path / "w.duckdb")

    proc = subprocess.run(
        LOADER + ["--landing", str(landing), "--database", str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: unrecognised")


def test_locked_database_is_a_clear_error(landing: Path, tmp_path: Path):
    db = tmp_path / "w.duckdb"
    write_jsonl(landing / "chat_events" / "events_a.jsonl", [event("e1")])
    with database_held_open(db):
        start = time.time()
        proc = subprocess.run(
            LOADER + ["--landing", str(landing), "--database", str(db)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert time.time() - start < 20
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: database {db} is locked by another process")
    assert proc.stderr.count("\n") == 1


def test_timestamps_the_loader_accepts_are_exactly_those_staging_casts():
    """The loader's timestamp check and the staging macro agree: a value the loader keeps never
    breaks `dbt build`, and one it quarantines is one DuckDB could not cast. The macro's own SQL
    (macros/cross_db/timestamps.sql) is run, so the two cannot drift apart unnoticed."""
    import re

    from chatperf.loader import _parse_ts

    source = (ROOT / "macros" / "cross_db" / "timestamps.sql").read_text()
    body = re.search(
        r"macro duckdb__to_utc_timestamp\(column\) -%}(.*?){%- endmacro", source, re.S
    ).group(1)
    sql = f"select {body.replace('{{ column }}', 'ts')} from (select ? as ts)"
    con = duckdb.connect()
    con.execute("set TimeZone = 'America/New_York'")  # naive must still mean UTC

    def staged(value: str):
        try:
            return con.execute(sql, [value]).fetchone()[0]
        except duckdb.Error:
            return None

    def kept(value: str) -> bool:
        try:
            _parse_ts(value)
            return True
        except ValueError:
            return False

    utc = {
        "2026-09-01T10:00:00+02:00": "2026-09-01 08:00:00",
        "2026-09-01T10:00:00+0200": "2026-09-01 08:00:00",
        "2026-09-01T10:00:00-05": "2026-09-01 15:00:00",
        "2026-09-01 23:59:30Z": "2026-09-01 23:59:30",
        "2026-09-01T10:00:00.123456Z": "2026-09-01 10:00:00.123456",
        "2026-09-01T10:00:00": "2026-09-01 10:00:00",
        "2026-09-01 10:00": "2026-09-01 10:00:00",
        "2026-09-01": "2026-09-01 00:00:00",
    }
    refused = [
        "2026-09-01 10:00:00 +02:00",  # a space before the offset
        "2026-09-01T10:00:00z",  # lower-case zone letter
        "2026-09-01T10:00+02:00",  # an offset without seconds
        "20260901T100000",  # basic format
        "2026-13-01T10:00:00Z",  # no such month
        "2026-09-01T25:00:00",  # no such hour
        "yesterday",
    ]
    for value, expected in utc.items():
        assert kept(value), value
        assert str(staged(value)) == expected, value
    for value in refused:
        assert not kept(value), value
        assert staged(value) is None, value
