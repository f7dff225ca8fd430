"""An independent computation of the conversation timeline, in plain Python, from the raw tables.

It shares no code with the dbt models: it reads raw.chat_events (parsing each payload with the
json module) and raw.chat_message_export, deduplicates, labels actors from the seed CSV, and
applies the rules of the `conversation_timeline_rules` docs block. Tests compare it with the marts.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
MESSAGE_EVENTS = {"message_sent", "bot_responded"}
ROLE_TO_ACTOR = {
    "visitor": "visitor",
    "user": "visitor",
    "customer": "visitor",
    "contact": "visitor",
    "bot": "bot",
    "automation": "bot",
    "agent": "human_agent",
    "human": "human_agent",
    "admin": "human_agent",
    "teammate": "human_agent",
    "system": "system",
}
INTERNAL_DOMAINS = ("example-creator.test",)
INTERNAL_PREFIXES = ("qa_",)


def utc(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    parsed = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def email_hash(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def is_internal(email: str | None, anonymous_id: str | None) -> bool:
    e = (email or "").strip().lower()
    return any(e.endswith("@" + d) for d in INTERNAL_DOMAINS) or any(
        (anonymous_id or "").startswith(p) for p in INTERNAL_PREFIXES
    )


def known_accounts() -> dict[str, str]:
    with (ROOT / "seeds" / "known_chat_accounts.csv").open() as f:
        return {r["account_id"]: r["actor_type"] for r in csv.DictReader(f)}


@dataclass
class Event:
    event_id: str
    conversation_id: str
    event_type: str
    at: dt.datetime
    actor: str
    anonymous_id: str | None
    internal: bool
    email_hash: str | None = None
    resolved: bool = False


@dataclass
class Conversation:
    conversation_id: str
    events: list[Event] = field(default_factory=list)


@dataclass
class Sighting:
    """An anonymous visitor id seen together with an email, in any chat event or export row."""

    at: dt.datetime
    row_id: str
    anonymous_id: str
    email_hash: str


def _snake(name: str) -> str:
    return name.lower().replace(" ", "_").replace("-", "_")


def _actor(event_type: str, props: dict, accounts: dict[str, str]) -> str:
    author = props.get("author_id") or props.get("bot_id")
    if author in accounts:
        return accounts[author]
    if event_type == "bot_responded":
        return "bot"
    if event_type == "message_sent":
        return ROLE_TO_ACTOR.get((props.get("author_role") or "").strip().lower())
    if event_type == "conversation_tagged":
        return ROLE_TO_ACTOR.get((props.get("author_role") or "").strip().lower(), "system")
    if event_type == "handoff_requested":
        return ROLE_TO_ACTOR.get((props.get("requested_by") or "").strip().lower())
    if event_type == "conversation_resolved":
        return ROLE_TO_ACTOR.get((props.get("resolved_by") or "").strip().lower())
    if event_type in ("handoff_accepted", "follow_up_sent"):
        return "human_agent"
    if event_type == "conversation_abandoned":
        return "system"
    return "visitor"


def read_events(database: Path, sightings: list[Sighting] | None = None) -> dict[str, Conversation]:
    """Conversations with their deduplicated, labelled events, from the raw tables.

    `sightings`, when given, collects every (anonymous id, email) pair seen in chat, including
    events outside any conversation, for linking visitors to people."""
    accounts = known_accounts()
    if sightings is None:
        sightings = []
    con = duckdb.connect(str(database), read_only=True)
    try:
        stream = con.execute(
            "select event_id, payload, _loaded_at, _source_file, _source_line "
            "from raw.chat_events order by _loaded_at, _source_file, _source_line"
        ).fetchall()
        export = con.execute(
            "select conversation_id, message_id, sent_at, author_role, author_id, visitor_id, "
            "visitor_email from raw.chat_message_export "
            "order by _loaded_at, _source_file, _source_line"
        ).fetchall()
    finally:
        con.close()

    conversations: dict[str, Conversation] = {}
    seen: set[str] = set()
    for event_id, payload, *_ in stream:
        if event_id in seen:
            continue  # the first loaded copy wins
        seen.add(event_id)
        obj = json.loads(payload)
        props = obj.get("properties") or {}
        email = ((obj.get("context") or {}).get("traits") or {}).get("email")
        if obj.get("anonymousId") and email_hash(email):
            sightings.append(
                Sighting(utc(obj["timestamp"]), event_id, obj["anonymousId"], email_hash(email))
            )
        conversation_id = props.get("conversation_id")
        if not conversation_id:
            continue
        event_type = _snake(obj["event"])
        conv = conversations.setdefault(conversation_id, Conversation(conversation_id))
        conv.events.append(
            Event(
                event_id=event_id,
                conversation_id=conversation_id,
                event_type=event_type,
                at=utc(obj["timestamp"]),
                actor=_actor(event_type, props, accounts),
                anonymous_id=obj.get("anonymousId"),
                internal=is_internal(email, obj.get("anonymousId")),
                email_hash=email_hash(email),
            )
        )
    seen_messages: set[str] = set()
    for conversation_id, message_id, sent_at, role, author_id, visitor_id, email in export:
        if message_id in seen_messages:
            continue
        seen_messages.add(message_id)
        if visitor_id and email_hash(email):
            sightings.append(Sighting(utc(sent_at), message_id, visitor_id, email_hash(email)))
        actor = accounts.get(author_id) or ROLE_TO_ACTOR.get((role or "").strip().lower())
        conv = conversations.setdefault(conversation_id, Conversation(conversation_id))
        conv.events.append(
            Event(
                event_id=message_id,
                conversation_id=conversation_id,
                event_type="message_sent",
                at=utc(sent_at),
                actor=actor,
                anonymous_id=visitor_id,
                internal=is_internal(email, visitor_id),
                email_hash=email_hash(email),
            )
        )
    for conv in conversations.values():
        conv.events.sort(key=lambda e: (e.at, e.event_id))
    return conversations


def timeline(conv: Conversation) -> dict:
    """The per-conversation fields the tests compare, by the documented rules."""
    events = conv.events
    started = events[0].at
    reopens = [e.at for e in events if e.event_type == "conversation_reopened"]
    cycle_starts = [started, *reopens]
    # cycle 1: from the start to the first reopen
    cycle_end = reopens[0] if reopens else None
    in_cycle = [e for e in events if cycle_end is None or e.at < cycle_end]
    human_replies = [
        e.at for e in in_cycle if e.event_type in MESSAGE_EVENTS and e.actor == "human_agent"
    ]
    first_human = min(human_replies) if human_replies else None
    handoffs = [
        e.at
        for e in in_cycle
        if e.event_type == "handoff_requested" and (first_human is None or e.at <= first_human)
    ]
    clock_start = max(handoffs) if handoffs else cycle_starts[0]
    messages = [e for e in events if e.event_type in MESSAGE_EVENTS]
    count = defaultdict(int)
    for m in messages:
        count[m.actor] += 1
    resolved = [e.at for e in events if e.event_type == "conversation_resolved"]
    last_reopen = max(reopens) if reopens else None
    marked = bool(resolved) and (last_reopen is None or max(resolved) >= last_reopen)
    bot = count["bot"] > 0
    human = count["human_agent"] > 0
    handed_off = any(e.event_type == "handoff_requested" for e in events)
    return {
        "conversation_id": conv.conversation_id,
        "started_at": started,
        "last_event_at": events[-1].at,
        "first_human_response_seconds": (
            (first_human - clock_start).total_seconds() if first_human else None
        ),
        "is_bot_involved": bot,
        "is_human_involved": human,
        "is_handed_off": handed_off,
        "is_contained": bot and not handed_off and not human,
        "is_escalated": bot and (handed_off or human),
        "is_marked_resolved": marked,
        "is_resolved": marked,  # the default rule, var('resolution_rule') = 'marked'
        "reopen_count": len(reopens),
        "is_reopened": bool(reopens),
        "message_count": len(messages),
        "visitor_message_count": count["visitor"],
        "bot_message_count": count["bot"],
        "human_message_count": count["human_agent"],
        "is_internal": any(e.internal for e in events),
        "has_reply": bot or human,
        "last_message_at": max(m.at for m in messages) if messages else None,
        "anonymous_id": next((e.anonymous_id for e in events if e.anonymous_id), None),
        "email_hash": next((e.email_hash for e in events if e.email_hash), None),
    }


def person_of(t: dict, first_email: dict[str, str]) -> str:
    """A visitor id is the person of the first email it was seen with in chat (else itself);
    without a visitor id, the conversation's email is the person (else the conversation)."""
    if t["anonymous_id"]:
        return first_email.get(t["anonymous_id"], "anonymous_id:" + t["anonymous_id"])
    return t["email_hash"] or "conversation:" + t["conversation_id"]


def add_return_windows(
    timelines: dict[str, dict],
    sightings: list[Sighting],
    no_return_days: float,
    bot_window_hours: float,
    resolution_rule: str,
) -> None:
    """The no-return resolution and bot resolution: nobody came back within the window."""
    first_email: dict[str, str] = {}
    for s in sorted(sightings, key=lambda s: (s.at, s.row_id)):
        first_email.setdefault(s.anonymous_id, s.email_hash)
    # the data covers up to the latest event of any conversation (internal ones too)
    horizon = max(t["last_event_at"] for t in timelines.values())
    # conversations the visitor started (wrote in), per person, in start order
    started_by: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for t in timelines.values():
        t["person_id"] = person_of(t, first_email)
        if t["visitor_message_count"] > 0:
            started_by[t["person_id"]].append((t["started_at"], t["conversation_id"]))

    def nobody_came_back(t: dict, window: dt.timedelta) -> bool:
        last = t["last_message_at"] or t["started_at"]
        if t["reopen_count"] or last + window > horizon:
            return False
        me = (t["started_at"], t["conversation_id"])
        later = [s for s, cid in started_by[t["person_id"]] if (s, cid) > me]
        return all(s > last + window for s in later)

    for t in timelines.values():
        bot_clear = nobody_came_back(t, dt.timedelta(hours=bot_window_hours))
        t["is_bot_resolved"] = t["is_contained"] and bot_clear
        t["is_resolved_no_return"] = t["has_reply"] and nobody_came_back(
            t, dt.timedelta(days=no_return_days)
        )
        if resolution_rule == "no_return":
            t["is_resolved"] = t["is_resolved_no_return"]


def conversation_timelines(
    database: Path,
    resolution_rule: str = "marked",
    no_return_days: float = 7,
    bot_window_hours: float = 24,
) -> dict[str, dict]:
    """Every conversation's timeline; the window defaults are dbt_project.yml's vars."""
    sightings: list[Sighting] = []
    timelines = {cid: timeline(c) for cid, c in read_events(database, sightings).items()}
    add_return_windows(timelines, sightings, no_return_days, bot_window_hours, resolution_rule)
    return timelines
