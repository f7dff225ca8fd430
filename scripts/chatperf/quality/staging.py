"""Expectation suites for the staging layer: the contract the marts rely on.

Staging renames, types, converts to UTC, labels actors and hashes personal data; these suites
check exactly that, table by table. Staging may hold raw transcript text (it is redacted before
any mart), so the privacy rule here is that emails arrive hashed.
"""

from __future__ import annotations

from chatperf.landing_spec import AUTHOR_ROLES, CHAT_EVENT_TYPES
from chatperf.quality.rules import (
    TableSuite,
    accepted,
    at_most,
    between,
    hashed,
    known_currencies,
    not_null,
)

# Every actor is exactly one of these (bot and human activity stay distinct end to end).
ACTOR_TYPES = ("visitor", "bot", "human_agent", "system")
# Staging's snake_case names for the Segment events the loader accepts.
EVENT_TYPES = tuple(e.lower().replace(" ", "_").replace("-", "_") for e in CHAT_EVENT_TYPES)


def _chat_events(columns):
    return [
        # grain and time: every event has its id and a UTC time
        not_null("event_id", "Grain: one row per event id (deduplicated, first loaded copy)."),
        not_null("occurred_at", "Every event has a UTC time."),
        # accepted enums: the loader's event list, one actor label per event
        accepted("event_type", EVENT_TYPES, "Only the documented chat events."),
        accepted("actor_type", ACTOR_TYPES, "Each event has exactly one actor type."),
        not_null("actor_type", "Each event is labelled visitor, bot, human_agent or system."),
        # bot confidence is a probability
        between("bot_confidence", 0, 1, "Bot intent confidence is a probability."),
        # CSAT ratings lie on the 1..scale scale they were asked on
        between("csat_rating", 1, 10, "CSAT ratings are 1 or more."),
        at_most("csat_rating", "csat_scale", "A CSAT rating never exceeds its scale."),
        # moderation burden needs the flag on every event
        not_null("is_flagged", "Flagged-for-moderation is known for every event."),
        hashed("email_hash"),
    ]


def _exported_messages(columns):
    return [
        not_null("message_id", "Grain: one row per exported message id."),
        not_null("sent_at", "Every message has a UTC time."),
        accepted("author_role", AUTHOR_ROLES, "The export contract's author roles."),
        accepted("actor_type", ACTOR_TYPES, "Each message has exactly one actor type."),
        hashed("email_hash"),
    ]


def _pageviews(columns):
    return [
        not_null("page_view_id", "Grain: one row per page view."),
        not_null("viewed_at", "Every page view has a UTC time (the chat open-rate denominator)."),
    ]


def _money(amount_columns, definition):
    def build(columns):
        out = [
            accepted("currency", known_currencies(), "Currencies the fx_rates seed converts."),
        ]
        for col in amount_columns:
            out.append(between(col, 0, None, f"`{col}`: {definition}"))
        return out

    return build


def _charges(columns):
    return _money(
        ("amount", "amount_refunded"), "payment amounts are never negative (refunds are rows)"
    )(columns) + [
        not_null("charge_id", "Grain: one row per charge."),
        at_most("amount_refunded", "amount", "A charge never refunds more than it charged."),
        hashed("receipt_email_hash"),
    ]


def _refunds(columns):
    return _money(("amount",), "a refund amount is positive; it reduces revenue")(columns)


def _orders(columns):
    return _money(("total_price", "subtotal_price"), "order totals are never negative")(columns) + [
        hashed("email_hash")
    ]


def _transactions(columns):
    return _money(("amount",), "transaction amounts are positive; kind says refund")(columns) + [
        accepted(
            "kind",
            ("sale", "capture", "authorization", "refund", "void", "change"),
            "Shopify transaction kinds.",
        ),
    ]


def _contacts(columns):
    return [hashed("email_hash")]


def _assignments(columns):
    return [
        not_null("assignment_id", "Grain: one row per assignment event."),
        not_null("variant_id", "Every assignment names its variant."),
        not_null("assigned_at", "Every assignment has a UTC time."),
    ]


SUITES: tuple[TableSuite, ...] = (
    TableSuite("staging.stg_chat__events", ("event_id",), _chat_events),
    TableSuite("staging.stg_chat__exported_messages", ("message_id",), _exported_messages, 0),
    TableSuite("staging.stg_web__pageviews", ("page_view_id",), _pageviews),
    TableSuite("staging.stg_stripe__charges", ("charge_id",), _charges, 0),
    TableSuite("staging.stg_stripe__refunds", ("refund_id",), _refunds, 0),
    TableSuite("staging.stg_shopify__orders", ("order_id",), _orders, 0),
    TableSuite("staging.stg_shopify__transactions", ("transaction_id",), _transactions, 0),
    TableSuite("staging.stg_hubspot__contacts", ("contact_id",), _contacts, 0),
    TableSuite("staging.stg_experiments__assignments", ("assignment_id",), _assignments, 0),
)
