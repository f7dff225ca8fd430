"""The generic message-level export flows through the same models as the event stream."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb

from conftest import dbt, load

# (offset seconds, role as the stream says it, author id, text)
MESSAGES = [
    (0, "visitor", "v1", "hi, is the course still on sale?"),
    (4, "bot", "helpbot", "Yes! Until Friday."),
    (40, "visitor", "v1", "can a human confirm the price in EUR?"),
    (100, "agent", "agent_3", "Hi, Lea here: 49 EUR incl. VAT"),
    (160, "agent", "macro_autoreply", "Anything else?"),
    (400, "visitor", "v1", "great thanks, my mail is lea.fan@example.com"),
    (460, "agent", "agent_3", "You're welcome"),
]
FIELDS = [
    "started_at",
    "first_visitor_message_at",
    "first_bot_response_at",
    "bot_first_response_seconds",
    "first_human_response_at",
    "first_human_response_seconds",
    "message_count",
    "visitor_message_count",
    "bot_message_count",
    "human_message_count",
    "is_bot_involved",
    "is_human_involved",
    "is_escalated",
    "is_contained",
    "resolution_path",
    "conversation_length_seconds",
]


def at(offset: int) -> str:
    # written in a +02:00 offset, 23:58 local: the conversation spans local midnight
    minutes, seconds = divmod(58 * 60 + offset, 60)
    hours, minutes = divmod(minutes, 60)
    day = 1 + (23 + hours) // 24
    return f"2026-09-{day:02d}T{(23 + hours) % 24:02d}:{minutes:02d}:{seconds:02d}+02:00"


def write_landing(root: Path) -> None:
    stream = root / "chat_events" / "events_2026-09-01.jsonl"
    stream.parent.mkdir(parents=True)
    with stream.open("w") as f:
        for i, (offset, role, author, text) in enumerate(MESSAGES):
            bot = author == "helpbot"
            event = {
                "messageId": f"evt_{i}",
                "type": "track",
                "event": "Bot Responded" if bot else "Message Sent",
                "anonymousId": "v1",
                "timestamp": at(offset),
                "receivedAt": "2026-09-02T00:00:00Z",
                "properties": {
                    "conversation_id": "stream_conv",
                    "message_id": f"s{i}",
                    **({"bot_id": author} if bot else {"author_role": role, "author_id": author}),
                    "text": text,
                },
                "context": {"page": {"url": "https://example-creator.com/courses/x"}},
            }
            f.write(json.dumps(event) + "\n")
    export = root / "chat_message_export" / "export_2026-09-01.csv"
    export.parent.mkdir(parents=True)
    with export.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "conversation_id",
                "message_id",
                "sent_at",
                "author_role",
                "author_id",
                "text",
                "visitor_id",
                "visitor_email",
                "page_url",
                "channel",
            ]
        )
        for i, (offset, role, author, text) in enumerate(MESSAGES):
            w.writerow(
                [
                    "export_conv",
                    f"x{i}",
                    at(offset),
                    role,
                    author,
                    text,
                    "v2",
                    "",
                    "https://example-creator.com/courses/x",
                    "web",
                ]
            )
    # the same transcript as JSON lines, nulls for the optional fields it does not know
    with (export.parent / "export_2026-09-01.jsonl").open("w") as f:
        for i, (offset, role, author, text) in enumerate(MESSAGES):
            row = {
                "conversation_id": "export_jsonl_conv",
                "message_id": f"j{i}",
                "sent_at": at(offset),
                "author_role": role,
                "author_id": author,
                "text": text,
                "visitor_id": "v3",
                "visitor_email": None,
            }
            f.write(json.dumps(row) + "\n")


def test_export_and_stream_give_the_same_timeline(tmp_path):
    landing = tmp_path / "landing"
    write_landing(landing)
    db = tmp_path / "w" / "warehouse.duckdb"
    db.parent.mkdir()
    load(landing, db)
    dbt(["build"], db)
    from conftest import Warehouse

    wh = Warehouse(path=db, landing=landing, manifest={})
    rows = wh.df(
        f"select conversation_id, {', '.join(FIELDS)} from marts.fct_conversations "
        "order by conversation_id"
    ).to_dict("records")
    assert [r["conversation_id"] for r in rows] == [
        "export_conv",
        "export_jsonl_conv",
        "stream_conv",
    ]
    exported, exported_jsonl, streamed = rows
    for field in FIELDS:
        assert exported[field] == streamed[field], field
        assert exported_jsonl[field] == streamed[field], field
    # and the values are the hand-worked ones: the macro reply counts as bot, not human
    assert streamed["bot_message_count"] == 2 and streamed["human_message_count"] == 2
    assert streamed["first_human_response_seconds"] == 100.0
    assert streamed["bot_first_response_seconds"] == 4.0
    assert streamed["resolution_path"] == "escalated"
    assert str(streamed["started_at"]) == "2026-09-01 21:58:00"
    texts = wh.query(
        "select message_text_redacted from marts.fct_chat_messages where message_id = 'x5'"
    )
    assert texts == [("great thanks, my mail is [email]",)]


def test_naive_times_mean_utc_whatever_the_host_time_zone(tmp_path):
    """The README: a `sent_at` without an offset is UTC, also when dbt runs, or a client reads
    the staging views, on a machine that is not on UTC."""
    export = tmp_path / "landing" / "chat_message_export" / "export_naive.csv"
    export.parent.mkdir(parents=True)
    with export.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["conversation_id", "message_id", "sent_at", "author_role"])
        w.writerow(["naive_conv", "n1", "2026-09-01 23:59:30", "visitor"])
        w.writerow(["naive_conv", "n2", "2026-09-02T00:00:45", "agent"])
    db = tmp_path / "w" / "warehouse.duckdb"
    db.parent.mkdir()
    load(tmp_path / "landing", db)
    select = ["build", "--select", "+int_conversation_cycles", "--exclude-resource-type", "test"]
    dbt(select, db, env={"TZ": "America/New_York"})

    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("set TimeZone = 'America/New_York'")
        staged = con.execute(
            "select message_id, cast(sent_at as varchar) "
            "from staging.stg_chat__exported_messages order by 1"
        ).fetchall()
        cycle = con.execute(
            "select cast(cycle_started_at as varchar), first_human_response_seconds "
            "from intermediate.int_conversation_cycles"
        ).fetchall()
    finally:
        con.close()
    assert staged == [("n1", "2026-09-01 23:59:30"), ("n2", "2026-09-02 00:00:45")]
    assert cycle == [("2026-09-01 23:59:30", 75.0)]
