"""The landing contract: every raw table, the folder its files land in, and its columns.

One place, shared by the generator (which writes files in these shapes), the loader (which
validates and loads them into DuckDB's ``raw`` schema) and the tests. The shapes copy how the
data really lands: Segment-style track events as JSON lines, and CSV files shaped like the
tables Fivetran lands for HubSpot, Stripe and Shopify, plus Patreon's members export.

Column types are the loader's validation rules, not the warehouse types of the staging layer:

- ``str``  any text (empty string is loaded as NULL)
- ``int``  an integer (Stripe amounts are integers in the smallest currency unit)
- ``dec``  a decimal number written as text (Shopify prices, Patreon amounts)
- ``bool`` true/false (also 1/0, t/f, yes/no, case-insensitive)
- ``ts``   an ISO-8601 timestamp; with an offset (kept as written) or naive (taken as UTC)
- ``date`` a calendar date
- ``json`` a JSON document written as text

A column marked ``required`` must be present and non-empty in every row; a row that breaks that
rule, or whose value does not parse as its type, is quarantined with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "str"
    required: bool = False


@dataclass(frozen=True)
class Table:
    """One raw table: ``raw.<name>``, loaded from ``<landing>/<folder>/<pattern>``."""

    name: str
    folder: str
    formats: tuple[str, ...]
    columns: tuple[Column, ...]
    description: str
    # file-name prefix inside the folder (several tables may share a folder)
    prefix: str = ""
    key: tuple[str, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def _cols(spec: str) -> tuple[Column, ...]:
    """Parse ``"id:int!, email, created:ts"`` into columns (``!`` marks required)."""
    out = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        name, _, typ = part.partition(":")
        required = typ.endswith("!") or name.endswith("!")
        typ = typ.rstrip("!") or "str"
        out.append(Column(name.rstrip("!"), typ, required))
    return tuple(out)


# Segment-style track event names the loader accepts in the chat event stream.
CHAT_EVENT_TYPES: tuple[str, ...] = (
    "Widget Viewed",
    "Chat Opened",
    "Message Sent",
    "Bot Responded",
    "Handoff Requested",
    "Handoff Accepted",
    "Conversation Resolved",
    "Conversation Reopened",
    "Conversation Abandoned",
    "CSAT Submitted",
    "Conversation Tagged",
    "Follow-up Sent",
)

# Events that belong to a conversation must carry properties.conversation_id.
CHAT_EVENTS_WITHOUT_CONVERSATION: tuple[str, ...] = ("Widget Viewed",)

AUTHOR_ROLES: tuple[str, ...] = ("visitor", "bot", "agent", "system")

TABLES: tuple[Table, ...] = (
    Table(
        name="chat_events",
        folder="chat_events",
        formats=("jsonl",),
        # JSON lines are validated against the Segment envelope, see loader.CHAT_ENVELOPE
        columns=_cols(
            "event_id!, event_type!, event_timestamp:ts!, received_at:ts, anonymous_id!, "
            "conversation_id, payload:json!"
        ),
        description="Segment-style track events from the chat widget, one JSON object per line.",
        key=("event_id",),
    ),
    Table(
        name="chat_message_export",
        folder="chat_message_export",
        formats=("csv", "jsonl"),
        columns=_cols(
            "conversation_id!, message_id!, sent_at:ts!, author_role!, author_id, text, "
            "visitor_id, visitor_email, page_url, channel"
        ),
        description="Generic message-level transcript export: one row per message, any platform.",
        key=("message_id",),
    ),
    Table(
        name="web_pageviews",
        folder="web",
        prefix="pageviews",
        formats=("csv",),
        columns=_cols(
            "page_view_id!, session_id!, anonymous_id!, viewed_at:ts!, page_url!, referrer, "
            "utm_source, utm_medium, utm_campaign, device_type, country"
        ),
        description="Web analytics page views (Segment pages / GA-like), the denominators.",
        key=("page_view_id",),
    ),
    Table(
        name="hubspot_contact",
        folder="hubspot",
        prefix="contact_",
        formats=("csv",),
        columns=_cols(
            "id:int!, property_email, property_firstname, property_lastname, "
            "property_createdate:ts!, property_lifecyclestage, property_hs_analytics_source, "
            "property_hs_analytics_source_data_1, property_hs_analytics_source_data_2, "
            "_fivetran_deleted:bool, _fivetran_synced:ts"
        ),
        description="HubSpot contacts as Fivetran lands them (properties prefixed property_).",
        key=("id",),
    ),
    Table(
        name="hubspot_contact_form_submission",
        folder="hubspot",
        prefix="contact_form_submission",
        formats=("csv",),
        columns=_cols(
            "contact_id:int!, conversion_id!, form_id!, page_url, title, timestamp:ts!, "
            "_fivetran_synced:ts"
        ),
        description="HubSpot form submissions (newsletter signup, sponsorship inquiry).",
        key=("conversion_id",),
    ),
    Table(
        name="hubspot_deal",
        folder="hubspot",
        prefix="deal_",
        formats=("csv",),
        columns=_cols(
            "deal_id:int!, property_dealname, property_amount:dec, property_deal_currency_code, "
            "property_dealstage, property_pipeline, property_createdate:ts!, "
            "property_closedate:ts, is_deleted:bool, _fivetran_synced:ts"
        ),
        description="HubSpot deals (sponsorships, courses) with their current stage.",
        key=("deal_id",),
    ),
    Table(
        name="hubspot_deal_contact",
        folder="hubspot",
        prefix="deal_contact",
        formats=("csv",),
        columns=_cols("deal_id:int!, contact_id:int!, _fivetran_synced:ts"),
        description="Which contacts a deal is associated with.",
        key=("deal_id", "contact_id"),
    ),
    Table(
        name="hubspot_deal_stage",
        folder="hubspot",
        prefix="deal_stage",
        formats=("csv",),
        columns=_cols(
            "deal_id:int!, _fivetran_start:ts!, _fivetran_end:ts, _fivetran_active:bool, value!, "
            "date_entered:ts!, source, source_id, _fivetran_synced:ts"
        ),
        description="HubSpot deal stage history (one row per stage a deal entered).",
        key=("deal_id", "_fivetran_start"),
    ),
    Table(
        name="stripe_customer",
        folder="stripe",
        prefix="customer",
        formats=("csv",),
        columns=_cols(
            "id!, email, name, created:ts!, currency, livemode:bool, is_deleted:bool, "
            "_fivetran_synced:ts"
        ),
        description="Stripe customers as Fivetran lands them.",
        key=("id",),
    ),
    Table(
        name="stripe_charge",
        folder="stripe",
        prefix="charge",
        formats=("csv",),
        columns=_cols(
            "id!, amount:int!, amount_refunded:int, currency!, customer_id, created:ts!, status!, "
            "paid:bool, captured:bool, refunded:bool, livemode:bool, description, invoice_id, "
            "receipt_email, metadata:json, _fivetran_synced:ts"
        ),
        description="Stripe charges; amounts in the smallest currency unit.",
        key=("id",),
    ),
    Table(
        name="stripe_refund",
        folder="stripe",
        prefix="refund",
        formats=("csv",),
        columns=_cols(
            "id!, charge_id!, amount:int!, currency!, created:ts!, status, reason, "
            "_fivetran_synced:ts"
        ),
        description="Stripe refunds, full or partial, against a charge.",
        key=("id",),
    ),
    Table(
        name="stripe_subscription",
        folder="stripe",
        prefix="subscription",
        formats=("csv",),
        columns=_cols(
            "id!, customer_id!, status!, created:ts!, start_date:ts, current_period_start:ts, "
            "current_period_end:ts, canceled_at:ts, ended_at:ts, cancel_at_period_end:bool, "
            "livemode:bool, metadata:json, _fivetran_synced:ts"
        ),
        description="Stripe subscriptions (memberships); metadata carries the tier.",
        key=("id",),
    ),
    Table(
        name="stripe_invoice",
        folder="stripe",
        prefix="invoice",
        formats=("csv",),
        columns=_cols(
            "id!, customer_id!, subscription_id, charge_id, number, status!, billing_reason, "
            "amount_due:int!, amount_paid:int, currency!, created:ts!, period_start:ts, "
            "period_end:ts, livemode:bool, _fivetran_synced:ts"
        ),
        description=(
            "Stripe invoices: subscription_create is a signup, subscription_cycle a renewal."
        ),
        key=("id",),
    ),
    Table(
        name="shopify_order",
        folder="shopify",
        prefix="order",
        formats=("csv",),
        columns=_cols(
            "id:int!, name, email, customer_id:int, created_at:ts!, processed_at:ts, "
            "updated_at:ts, cancelled_at:ts, currency!, total_price:dec!, subtotal_price:dec, "
            "total_tax:dec, total_discounts:dec, financial_status, fulfillment_status, test:bool, "
            "source_name, landing_site, referring_site, checkout_token, _fivetran_synced:ts"
        ),
        description="Shopify orders as Fivetran lands them; prices are decimal amounts.",
        key=("id",),
    ),
    Table(
        name="shopify_transaction",
        folder="shopify",
        prefix="transaction",
        formats=("csv",),
        columns=_cols(
            "id:int!, order_id:int!, kind!, status!, amount:dec!, currency!, created_at:ts!, "
            "test:bool, _fivetran_synced:ts"
        ),
        description="Shopify payment transactions; kind 'refund' rows are refunds.",
        key=("id",),
    ),
    Table(
        name="shopify_abandoned_checkout",
        folder="shopify",
        prefix="abandoned_checkout",
        formats=("csv",),
        columns=_cols(
            "id:int!, token!, email, created_at:ts!, updated_at:ts, completed_at:ts, "
            "total_price:dec, currency, landing_site, abandoned_checkout_url, _fivetran_synced:ts"
        ),
        description="Shopify checkouts that were started; completed_at is set when recovered.",
        key=("id",),
    ),
    Table(
        name="patreon_members",
        folder="patreon",
        prefix="members",
        formats=("csv",),
        # Patreon's Relationship Manager CSV export keeps its own column names.
        columns=(
            Column("Name"),
            Column("Email"),
            Column("Discord"),
            Column("Patron Status", required=True),
            Column("Follows You"),
            Column("Lifetime Amount", "dec"),
            Column("Pledge Amount", "dec"),
            Column("Charge Frequency"),
            Column("Tier"),
            Column("Addressee"),
            Column("Street"),
            Column("City"),
            Column("State"),
            Column("Zip"),
            Column("Country"),
            Column("Phone"),
            Column("Patronage Since Date", "ts", required=True),
            Column("Last Charge Date", "ts"),
            Column("Last Charge Status"),
            Column("Additional Details"),
            Column("User ID", required=True),
            Column("Last Updated", "ts"),
            Column("Currency"),
        ),
        description="Patreon members export (a dated snapshot per file): tiers and pledges.",
        key=("User ID",),
    ),
    Table(
        name="experiment_assignments",
        folder="experiments",
        prefix="assignments",
        formats=("csv", "jsonl"),
        columns=_cols(
            "assignment_id!, experiment_id!, variant_id!, anonymous_id!, assigned_at:ts!, "
            "assignment_source"
        ),
        description="Experiment assignment events: which variant a visitor was put in, and when.",
        key=("assignment_id",),
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}


def table_for_file(folder: str, filename: str) -> Table | None:
    """The table a landing file belongs to, by its folder, file-name prefix and extension.

    The longest matching prefix wins, so ``deal_stage_2026.csv`` is a deal-stage file, not a
    deal file.
    """
    lower = filename.lower()
    ext = _extension(lower)
    best: Table | None = None
    for table in TABLES:
        if table.folder != folder or ext not in table.formats:
            continue
        if lower.startswith(table.prefix.lower()) and (
            best is None or len(table.prefix) > len(best.prefix)
        ):
            best = table
    return best


def _extension(filename: str) -> str:
    for ext in ("jsonl", "ndjson", "json", "csv"):
        if filename.endswith("." + ext) or filename.endswith("." + ext + ".gz"):
            return "jsonl" if ext in ("ndjson", "json") else ext
    return ""
