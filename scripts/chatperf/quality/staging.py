"""Expectation suites for the staging layer: the contract the marts rely on.

Staging renames, types, converts to UTC, labels actors and hashes personal data; these suites
check exactly that, table by table. Staging may hold raw transcript text (it is redacted before
any mart), so the privacy rule here is that emails arrive hashed.
"""

from __future__ import annotations

from chatperf.landing_spec import AUTHOR_ROLES
from chatperf.quality.rules import (
    TableSuite,
    accepted,
    at_most,
    between,
    dbt_accepted,
    hashed,
    known_currencies,
    not_null,
)

# The enums come from the accepted_values tests of models/staging/*/_<source>__models.yml (dbt's
# manifest), with their severity: Stripe, Shopify and Patreon add values over time, so theirs
# warn there and here. The export's author roles are the loader's contract (landing_spec.py).


def _chat_events(columns):
    return [
        # grain and time: every event has its id and a UTC time
        not_null("event_id", "Grain: one row per event id (deduplicated, first loaded copy)."),
        not_null("occurred_at", "Every event has a UTC time."),
        # accepted enums: the loader's event list, one actor label per event
        dbt_accepted("stg_chat__events", "event_type", "Only the documented chat events."),
        dbt_accepted("stg_chat__events", "actor_type", "Each event has exactly one actor type."),
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
        dbt_accepted(
            "stg_chat__exported_messages", "actor_type", "Each message has exactly one actor type."
        ),
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
    return _money(("amount",), "a refund amount is positive; it reduces revenue")(columns) + [
        not_null("refund_id", "Grain: one row per refund."),
        not_null("created_at", "Every refund has a UTC time."),
    ]


def _orders(columns):
    return _money(("total_price", "subtotal_price"), "order totals are never negative")(columns) + [
        not_null("order_id", "Grain: one row per order."),
        not_null("created_at", "Every order has a UTC creation time."),
        hashed("email_hash"),
    ]


def _transactions(columns):
    return _money(("amount",), "transaction amounts are positive; kind says refund")(columns) + [
        not_null("transaction_id", "Grain: one row per transaction."),
        not_null("created_at", "Every transaction has a UTC time."),
        dbt_accepted("stg_shopify__transactions", "kind", "Shopify transaction kinds."),
        dbt_accepted("stg_shopify__transactions", "status", "Shopify transaction statuses."),
    ]


def _abandoned_checkouts(columns):
    return _money(("total_price",), "a checkout total is never negative")(columns) + [
        not_null("checkout_id", "Grain: one row per started checkout."),
        not_null("created_at", "Every checkout has a UTC start time."),
        # completed_at is set when the checkout was recovered into an order: after it started
        at_most("created_at", "completed_at", "A checkout completes after it was started."),
        hashed("email_hash"),
    ]


def _stripe_customers(columns):
    return [
        not_null("customer_id", "Grain: one row per customer (newest synced version)."),
        not_null("created_at", "Every customer has a UTC creation time."),
        # NULL until the customer is first charged (the set ignores NULLs)
        accepted("currency", known_currencies(), "Currencies the fx_rates seed converts."),
        hashed("email_hash"),
    ]


def _invoices(columns):
    return _money(("amount_due", "amount_paid"), "invoice amounts are never negative")(columns) + [
        not_null("invoice_id", "Grain: one row per invoice (newest synced version)."),
        not_null("created_at", "Every invoice has a UTC creation time."),
        dbt_accepted("stg_stripe__invoices", "status", "Stripe invoice statuses."),
        dbt_accepted("stg_stripe__invoices", "billing_reason", "Stripe billing reasons."),
        at_most("period_started_at", "period_ends_at", "An invoice's period ends after it starts."),
    ]


def _subscriptions(columns):
    return [
        not_null("subscription_id", "Grain: one row per subscription (newest synced version)."),
        not_null("created_at", "Every subscription has a UTC creation time."),
        dbt_accepted("stg_stripe__subscriptions", "status", "Stripe subscription statuses."),
        at_most(
            "current_period_started_at",
            "current_period_ends_at",
            "The current billing period ends after it starts.",
        ),
        at_most("started_at", "ended_at", "A subscription ends after it started."),
        # with cancel at period end, canceled_at is the request; it still runs until ended_at
        at_most("canceled_at", "ended_at", "A subscription is canceled before (or as) it ends."),
    ]


def _contacts(columns):
    return [
        not_null("contact_id", "Grain: one row per contact (newest synced version)."),
        not_null("created_at", "Every contact has a UTC creation time (createdate)."),
        hashed("email_hash"),
    ]


def _form_submissions(columns):
    return [
        not_null("form_submission_id", "Grain: one row per form submission (conversion id)."),
        not_null("submitted_at", "Every form submission has a UTC time."),
        dbt_accepted(
            "stg_hubspot__form_submissions",
            "submission_type",
            "What the form is for, from its title.",
        ),
    ]


def _deals(columns):
    return _money(("amount",), "a deal amount is never negative")(columns) + [
        not_null("deal_id", "Grain: one row per deal (newest synced version)."),
        not_null("created_at", "Every deal has a UTC creation time (createdate)."),
        at_most(
            "created_at", "closed_at", "A deal is closed (or expected to) after it was created."
        ),
    ]


def _deal_contacts(columns):
    return [
        not_null("deal_contact_id", "Grain: one row per deal-contact association."),
        not_null("deal_id", "Every association names its deal."),
        not_null("contact_id", "Every association names its contact."),
    ]


def _deal_stages(columns):
    return [
        not_null("deal_stage_id", "Grain: one row per stage a deal entered."),
        not_null("deal_id", "Every stage row names its deal."),
        not_null("entered_at", "Every stage has the UTC time the deal entered it."),
        not_null("valid_from", "Every history row has its validity start (_fivetran_start)."),
        at_most("valid_from", "valid_to", "A history row's validity ends after it starts."),
    ]


def _patreon_members(columns):
    return _money(("pledge_amount", "lifetime_amount"), "pledges and payments are never negative")(
        columns
    ) + [
        not_null("member_snapshot_id", "Grain: one row per member and snapshot file."),
        not_null("patreon_user_id", "Every snapshot row names its member."),
        not_null("patron_since_at", "Every member has a UTC patron-since time."),
        dbt_accepted("stg_patreon__members", "patron_status", "Patreon's member statuses."),
        hashed("email_hash"),
    ]


def _load_files(columns):
    return [
        not_null("load_id", "Every file was loaded by a run."),
        not_null("file_path", "Grain: one row per landing file path and content."),
        not_null("file_sha256", "Grain: one row per landing file path and content."),
        not_null("loaded_at", "Every file has a UTC load time."),
        # row accounting: rows_in_file = rows_loaded + rows_quarantined, none negative
        between("rows_in_file", 0, None, "Row counts are never negative."),
        between("rows_loaded", 0, None, "Row counts are never negative."),
        between("rows_quarantined", 0, None, "Row counts are never negative."),
        at_most("rows_loaded", "rows_in_file", "Loaded rows came in the file."),
        at_most("rows_quarantined", "rows_in_file", "Quarantined rows came in the file."),
    ]


def _quarantine(columns):
    return [
        not_null("load_id", "Every refused row was refused by a run."),
        not_null("source_file", "Grain: one row per refused landing line per run."),
        not_null("source_line", "Grain: one row per refused landing line per run."),
        not_null("reason", "Every refused row says why."),
        not_null("quarantined_at", "Every refused row has a UTC time."),
        between("source_line", 1, None, "Landing lines are numbered from 1."),
    ]


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
    TableSuite(
        "staging.stg_shopify__abandoned_checkouts", ("checkout_id",), _abandoned_checkouts, 0
    ),
    TableSuite("staging.stg_stripe__customers", ("customer_id",), _stripe_customers, 0),
    TableSuite("staging.stg_stripe__invoices", ("invoice_id",), _invoices, 0),
    TableSuite("staging.stg_stripe__subscriptions", ("subscription_id",), _subscriptions, 0),
    TableSuite("staging.stg_hubspot__contacts", ("contact_id",), _contacts, 0),
    TableSuite(
        "staging.stg_hubspot__form_submissions", ("form_submission_id",), _form_submissions, 0
    ),
    TableSuite("staging.stg_hubspot__deals", ("deal_id",), _deals, 0),
    TableSuite("staging.stg_hubspot__deal_contacts", ("deal_contact_id",), _deal_contacts, 0),
    TableSuite("staging.stg_hubspot__deal_stages", ("deal_stage_id",), _deal_stages, 0),
    TableSuite("staging.stg_patreon__members", ("member_snapshot_id",), _patreon_members, 0),
    TableSuite("staging.stg_experiments__assignments", ("assignment_id",), _assignments, 0),
    # every warehouse has loaded at least one file; quarantine is empty on clean data
    TableSuite("staging.stg_loader__load_files", ("file_path", "file_sha256"), _load_files),
    TableSuite(
        "staging.stg_loader__quarantine",
        ("load_id", "source_file", "source_line"),
        _quarantine,
        0,
    ),
)
