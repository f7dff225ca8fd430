"""Loading one more day and running `dbt build` gives exactly what a full refresh gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from conftest import dbt, load

COMPARED_TABLES = [
    "staging.stg_chat__events",
    "marts.fct_chat_messages",
    "marts.fct_conversations",
]
INCREMENTAL_MODELS = ["stg_chat__events", "fct_chat_messages"]


def table_rows(database: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        cols = [
            r[0]
            for r in con.execute(f"describe {table}").fetchall()
            if r[0] not in ("_loaded_at", "_load_id", "loaded_at")
        ]
        return sorted(
            con.execute(f"select {', '.join(cols)} from {table}").fetchall(),
            key=lambda r: tuple(str(x) for x in r),
        )
    finally:
        con.close()


def split_landing(landing: Path, dest: Path, last_day: str) -> tuple[Path, Path]:
    """Two landing folders: everything but the last day's files, and only those."""
    before, after = dest / "before", dest / "after"
    for path in landing.rglob("*"):
        if path.is_dir() or path.name.startswith("_"):
            continue
        rel = path.relative_to(landing)
        target = (after if last_day in path.name else before) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    return before, after


def test_one_more_day_incrementally_equals_full_refresh(landing, tmp_path):
    out, manifest = landing
    last_day = manifest["date_range"]["end_date"]
    before, after = split_landing(out, tmp_path, last_day)
    assert any(after.rglob("events_*.jsonl")), "the last day should have chat events"

    incremental_db = tmp_path / "inc" / "warehouse.duckdb"
    incremental_db.parent.mkdir()
    load(before, incremental_db)
    dbt(["build"], incremental_db)
    rows_before = table_rows(incremental_db, "staging.stg_chat__events")
    load(after, incremental_db)
    dbt(["build"], incremental_db)

    # the second run really was incremental: its compiled SQL carries the incremental filter
    run_sql = (tmp_path / "inc" / "target" / "run_results.json").read_text()
    results = {r["unique_id"].split(".")[-1]: r for r in json.loads(run_sql)["results"]}
    for model in INCREMENTAL_MODELS:
        compiled = results[model]["compiled_code"]
        assert "max(_loaded_at)" in compiled or "max(loaded_at)" in compiled, model
    assert len(table_rows(incremental_db, "staging.stg_chat__events")) > len(rows_before)

    full_db = tmp_path / "full" / "warehouse.duckdb"
    full_db.parent.mkdir()
    load(before, full_db)
    load(after, full_db)
    dbt(["build", "--full-refresh"], full_db)

    for table in COMPARED_TABLES:
        inc, full = table_rows(incremental_db, table), table_rows(full_db, table)
        assert len(inc) == len(full), table
        assert inc == full, f"{table} differs between incremental and full refresh"


def chat_event(event_id: str, at: str, role: str, email: str | None = None) -> str:
    return json.dumps(
        {
            "messageId": event_id,
            "type": "track",
            "event": "Message Sent",
            "anonymousId": "v_tester",
            "timestamp": at,
            "receivedAt": at,
            "properties": {"conversation_id": "conv_tester", "author_role": role, "text": "hi"},
            "context": {"traits": {"email": email}} if email else {},
        }
    )


def test_a_conversation_found_internal_by_a_later_load_leaves_the_messages_mart(tmp_path):
    """The visitor gives a test account's email only in a message loaded a day later: the
    conversation becomes internal, and its messages already in the incremental
    fct_chat_messages must go, as a full refresh would leave them out."""
    days = [
        [
            chat_event("t1", "2026-09-01T10:00:00Z", "visitor"),
            chat_event("t2", "2026-09-01T10:01:00Z", "agent"),
        ],
        [chat_event("t3", "2026-09-02T09:00:00Z", "visitor", " QA@Example-Creator.test ")],
    ]
    db = tmp_path / "w" / "warehouse.duckdb"
    db.parent.mkdir()
    select = ["build", "--select", "+fct_chat_messages", "--exclude-resource-type", "test"]
    for day, lines in enumerate(days, start=1):
        landing = tmp_path / f"day{day}"
        (landing / "chat_events").mkdir(parents=True)
        (landing / "chat_events" / f"events_2026-09-0{day}.jsonl").write_text(
            "\n".join(lines) + "\n"
        )
        load(landing, db)
        dbt(select, db)
        messages = table_rows(db, "marts.fct_chat_messages")
        assert len(messages) == (2 if day == 1 else 0), f"after day {day}: {messages}"
