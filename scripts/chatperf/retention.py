"""Transcript retention: delete chat text older than N days, keep every metric it fed.

Message text and CSAT comments are the only free text visitors write, and they are where
emails, phone numbers and card numbers turn up. The metrics never read the text (they count
events, time them and label actors), so deleting it changes no KPI. Text is deleted wherever
the warehouse keeps a copy of it:

- ``raw.chat_events.payload``: ``properties.text`` and ``properties.comment`` are removed from
  the JSON, by event time;
- ``raw.chat_message_export.text``, by message time;
- ``raw._quarantine.raw_line`` of refused chat rows, by quarantine time (their event time may
  be unreadable);
- ``staging.stg_chat__events`` (``message_text``, ``csat_comment``) and
  ``marts.fct_chat_messages.message_text_redacted``: incremental tables that would otherwise
  keep old text, so that they still equal a full refresh of the retained raw data;
- ``intermediate.int_conversation_events_unioned.message_text``: rebuilt by every dbt build,
  cleared now so no copy outlives the command.

Everything runs in one transaction: a failure leaves the warehouse as it was.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from chatperf.loader import LoadError, connect

ROOT = Path(__file__).resolve().parents[2]
CHAT_TABLES = ("chat_events", "chat_message_export")
_PATCH = '{"properties": {"text": null, "comment": null}}'


def default_days() -> int:
    """var('transcript_retention_days') from dbt_project.yml (90 unless changed)."""
    project = yaml.safe_load((ROOT / "dbt_project.yml").read_text())
    return int(project.get("vars", {}).get("transcript_retention_days", 90))


@dataclass(frozen=True)
class Target:
    """One place transcript text is stored: table, the text it holds and the rows to clear."""

    table: str
    what: str
    has_text: str  # SQL condition: the row still holds text
    clear: str  # SQL SET clause
    older: str  # SQL condition on the row's time, with ? for the cutoff (UTC timestamp)


TARGETS: tuple[Target, ...] = (
    Target(
        "raw.chat_events",
        "payload properties.text / properties.comment",
        "(json_extract(payload, '$.properties.text') is not null "
        "or json_extract(payload, '$.properties.comment') is not null)",
        f"payload = cast(json_merge_patch(payload, '{_PATCH}') as varchar)",
        "cast(timezone('UTC', try_cast(event_timestamp as timestamptz)) as timestamp) < ?",
    ),
    Target(
        "raw.chat_message_export",
        "text",
        "text is not null",
        "text = null",
        "cast(timezone('UTC', try_cast(sent_at as timestamptz)) as timestamp) < ?",
    ),
    Target(
        "raw._quarantine",
        "raw_line of refused chat rows",
        "raw_line is not null and table_name in ('chat_events', 'chat_message_export')",
        "raw_line = null",
        "quarantined_at < ?",
    ),
    Target(
        "staging.stg_chat__events",
        "message_text / csat_comment",
        "(message_text is not null or csat_comment is not null)",
        "message_text = null, csat_comment = null",
        "occurred_at < ?",
    ),
    Target(
        "intermediate.int_conversation_events_unioned",
        "message_text",
        "message_text is not null",
        "message_text = null",
        "occurred_at < ?",
    ),
    Target(
        "marts.fct_chat_messages",
        "message_text_redacted",
        "message_text_redacted is not null",
        "message_text_redacted = null",
        "sent_at < ?",
    ),
)


@dataclass
class Cleared:
    table: str
    what: str
    rows: int


def _exists(con, table: str) -> bool:
    schema, name = table.split(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ? and table_type = 'BASE TABLE'",
            [schema, name],
        ).fetchone()[0]
    )


def cutoff_for(days: int, as_of: dt.datetime | None = None) -> dt.datetime:
    """The UTC moment before which text is deleted (naive, like the warehouse timestamps)."""
    now = as_of or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return now - dt.timedelta(days=days)


def apply_retention(
    database: str | os.PathLike,
    days: int,
    as_of: dt.datetime | None = None,
    dry_run: bool = False,
) -> tuple[dt.datetime, list[Cleared]]:
    """Delete transcript text older than ``days`` (before ``as_of``, default now, UTC)."""
    if days < 0:
        raise LoadError("--days must be 0 or more")
    path = Path(database)
    if not path.exists():
        raise LoadError(f"database {path} does not exist")
    cutoff = cutoff_for(days, as_of)
    con = connect(path, read_only=dry_run)
    cleared: list[Cleared] = []
    try:
        con.execute("begin transaction")
        for target in TARGETS:
            if not _exists(con, target.table):
                continue
            where = f"{target.has_text} and {target.older}"
            rows = con.execute(f"select count(*) from {target.table} where {where}", [cutoff])
            count = rows.fetchone()[0]
            if count and not dry_run:
                con.execute(f"update {target.table} set {target.clear} where {where}", [cutoff])
            cleared.append(Cleared(target.table, target.what, count))
        con.execute("rollback" if dry_run else "commit")
    except duckdb.Error as exc:
        con.execute("rollback")
        raise LoadError(f"retention failed, nothing changed: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
    return cutoff, cleared
