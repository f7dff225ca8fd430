"""No personal data in any mart. The generator plants emails, phone numbers and card numbers in
visitor messages and CSAT comments (manifest counts.entities.pii_in_*); the scanner finds them
upstream, in staging, and finds none in any string column of any mart - the transcript text
that reaches a mart carries [email] / [phone] / [card] markers instead."""

from __future__ import annotations

import pytest

from chatperf.quality.pii import find_pii, luhn_ok

SCANNED_SCHEMA = "marts"  # every mart, the semantic time spine and the quality marts


def string_columns(warehouse, schema: str) -> list[tuple[str, str]]:
    return warehouse.query(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = ? and data_type = 'VARCHAR' order by 1, 2",
        [schema],
    )


def scan(warehouse, schema: str, table: str, column: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for (value,) in warehouse.query(f'select distinct "{column}" from {schema}."{table}"'):
        for kind in find_pii(value):
            found[kind] = found.get(kind, 0) + 1
    return found


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("write to ana.lopez@example.org", ["email"]),
        ("call me on +1 (415) 555-0134", ["phone"]),
        ("+49 170 1234567", ["phone"]),
        ("07700 900461", ["phone"]),
        ("+91 98765 43210", ["phone"]),
        ("The card 4242 4242 4242 4242 was charged.", ["card"]),
        ("5555-5555-5555-4444", ["card"]),
        ("4111111111111111", ["card"]),
        # not personal data: ids, dates, short numbers, a 16-digit number failing Luhn
        ("conv_1234567890123", []),
        ("shopify:5100000000524", []),
        ("2026-09-01 10:00:00", []),
        ("order 12345 shipped", []),
        ("1234567890123456", []),
        ("[email] [phone] [card]", []),
        # hyphenated ids: a UUID's groups are no phone numbers (HubSpot form ids at 300 k messages)
        ("hubspot_form:fd581718-46e3-4029-a7d4-026747670093", []),
        ("hubspot_form:8b313a8b-33bf-4173-abf3-054587682218", []),
        ("ref 0267-4767-0093-1234", []),
        ("version 1.020.5551234567", []),
        # a phone number still counts at the end of a sentence or before a dash
        ("call 07700 900461.", ["phone"]),
        ("ring +49 170 1234567 - thanks", ["phone"]),
    ],
)
def test_scanner(text, kinds):
    assert find_pii(text) == kinds


def test_luhn():
    assert luhn_ok("4242 4242 4242 4242") and not luhn_ok("4242 4242 4242 4241")


def test_no_personal_data_in_any_mart(warehouse):
    columns = string_columns(warehouse, SCANNED_SCHEMA)
    tables = {t for t, _ in columns}
    assert {"fct_chat_messages", "rpt_conversation_review_sample", "metricflow_time_spine"} <= {
        t
        for (t,) in warehouse.query(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        )
    }
    assert len(tables) >= 20
    findings = {
        (table, column): found
        for table, column in columns
        if (found := scan(warehouse, SCANNED_SCHEMA, table, column))
    }
    assert findings == {}


def test_planted_pii_is_found_upstream_and_redacted_in_the_marts(warehouse):
    planted = warehouse.manifest["counts"]["entities"]
    assert planted["pii_in_csat_comments"] > 0
    assert all(planted[f"pii_in_visitor_messages.{k}"] > 0 for k in ("email", "phone", "card"))

    # the scanner sees the planted data where it is allowed to be: staging's raw text
    staging = scan(warehouse, "staging", "stg_chat__events", "message_text")
    assert {"email", "phone", "card"} <= set(staging)
    assert scan(warehouse, "staging", "stg_chat__events", "csat_comment")

    # every message with personal data that reaches the messages mart arrives redacted
    rows = warehouse.query(
        "select events.message_text, messages.message_text_redacted "
        "from staging.stg_chat__events as events "
        "inner join marts.fct_chat_messages as messages "
        "on coalesce(events.message_id, events.event_id) = messages.message_id "
        "where events.message_text is not null"
    )
    with_pii = [(raw, red) for raw, red in rows if find_pii(raw)]
    assert len(with_pii) >= 30
    for raw, redacted in with_pii:
        assert find_pii(redacted) == [], (raw, redacted)
        assert any(marker in redacted for marker in ("[email]", "[phone]", "[card]")), redacted


def test_emails_are_hashed_in_staging(warehouse):
    for table, column in (
        ("stg_chat__events", "email_hash"),
        ("stg_hubspot__contacts", "email_hash"),
        ("stg_shopify__orders", "email_hash"),
        ("stg_stripe__charges", "receipt_email_hash"),
    ):
        bad = warehouse.query(
            f"select count(*) from staging.{table} "
            f"where {column} is not null and not regexp_matches({column}, '^[0-9a-f]{{64}}$')"
        )
        assert bad == [(0,)], table


def test_moderation_burden_counts_every_message_the_source_flags(warehouse):
    """Flagged (abuse, spam) messages are counted where the source marks them: every flagged
    event of the stream reaches the marts once; the transcript export has no flag column, so
    its abusive messages are the only planted ones not counted."""
    planted = warehouse.manifest["counts"]["entities"]
    planted_total = planted["flagged_messages.abuse"] + planted["flagged_messages.spam"]
    marked = warehouse.query(
        "select count(distinct event_id) from raw.chat_events "
        "where json_extract(payload, '$.properties.flagged') = 'true'"
    )[0][0]
    unmarked_in_export = warehouse.query(
        "select count(*) from raw.chat_message_export where text in ("
        "'this is a total scam, you idiots', 'answer me already you useless clowns', "
        "'BUY CHEAP FOLLOWERS NOW at cheap-followers.biz', 'earn $5000/week from home, dm me')"
    )[0][0]
    assert marked > 0 and marked + unmarked_in_export == planted_total
    by_reason = dict(
        warehouse.query(
            "select moderation_reason, count(*) from marts.fct_chat_messages where is_flagged "
            "group by 1"
        )
    )
    assert sum(by_reason.values()) == marked and set(by_reason) == {"abuse", "spam"}
    assert warehouse.query("select sum(flagged_message_count) from marts.fct_conversations") == [
        (marked,)
    ]
    assert warehouse.query(
        "select sum(flagged_messages) from marts.rpt_community_weekly where channel = 'all'"
    ) == [(marked,)]
