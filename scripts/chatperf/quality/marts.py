"""Expectation suites for the marts: the documented metric definitions, checked on the data.

Every mart gets the convention rules (``rules.mart_defaults``: rates in [0, 1], counts and
durations non-negative, p50 <= p75 <= p90, no personal data in any string column) plus its
grain (unique across the whole table) and a row-count range. The explicit rules below encode
definitions from the docs blocks (models/marts/kpis/_kpis__docs.md and the other
_<folder>__docs.md files); each says which.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from chatperf.kpi_registry import registry
from chatperf.quality.dbt_manifest import accepted_values
from chatperf.quality.rules import (
    TableSuite,
    accepted,
    at_most,
    between,
    dbt_accepted,
    mart_defaults,
    never_both,
    not_null,
)

# The enums come from the marts' accepted_values tests (dbt's manifest), except the KPI
# segments, which no dbt test of the KPI marts lists.


def _conversations(columns):
    return mart_defaults(columns) + [
        not_null("conversation_id", "Grain: one row per conversation."),
        dbt_accepted("fct_conversations", "resolution_path", "Each conversation has one path."),
        # Containment = conversations never handed to a human: contained and handed off exclude
        # each other.
        never_both("is_contained", "is_handed_off", "Containment: never handed to a human."),
        # Bot resolution: the bot answered and no human was asked for - so a bot-resolved
        # conversation never involved a human (bot and human stay exclusive).
        never_both(
            "is_bot_resolved", "is_human_involved", "Bot-resolved conversations had no human."
        ),
        never_both("is_bot_resolved", "is_escalated", "Escalated conversations are not bot wins."),
        # Moderation burden: flagged messages are a subset of the conversation's messages.
        at_most("flagged_message_count", "message_count", "Flagged messages <= messages."),
        at_most("human_message_count", "message_count", "Human messages <= messages."),
        at_most("bot_message_count", "message_count", "Bot messages <= messages."),
        # CSAT on the rating's own 1..scale scale; 'good' is judged in proportion (docs: csat).
        between("csat_rating", 1, 10, "CSAT ratings are 1 or more."),
        at_most("csat_rating", "csat_scale", "A CSAT rating never exceeds its scale."),
    ]


def _messages(columns):
    return mart_defaults(columns) + [
        not_null("message_id", "Grain: one row per message."),
        # Bot and human activity stay distinct: one actor label per message.
        dbt_accepted("fct_chat_messages", "actor_type", "Each message has exactly one actor type."),
        not_null("actor_type", "Every message is labelled."),
    ]


def _kpis(columns):
    return _kpi_defaults(columns) + [
        # Rates are ratios of counts whose numerators are subsets of their denominators: the
        # registered rates in _kpi_defaults; CSAT's denominator, the rated conversations, here.
        at_most("rated_conversations", "conversations", "Only rated conversations count."),
        accepted(
            "segment_type",
            (
                "all",
                "traffic_source",
                "device_type",
                "visitor_type",
                "page_intent",
                "country",
                "campaign",
                "membership_tier",
                "region",
                "resolution_path",
            ),
            "Documented KPI segments.",
        ),
    ]


def _kpi_defaults(columns):
    return mart_defaults(columns) + _registered_subsets(columns)


def _registered_subsets(columns):
    """A registered rate valid in [0, 1] is a subset / set (macros/kpi_registry.sql): its
    numerator count never exceeds its denominator count."""
    return [
        at_most(rate.numerator, rate.denominator, f"{rate.label}: numerator <= denominator.")
        for rate in registry().rates
        if rate.valid_range == (0, 1) and rate.numerator in columns and rate.denominator in columns
    ]


def _community(columns):
    # moderation burden (flagged / all messages), return chat rate: registered rates
    return _kpi_defaults(columns)


def _conversions(columns):
    return mart_defaults(columns) + [
        dbt_accepted("fct_conversions", "conversion_type", "Documented conversion types."),
        # Refunds reduce revenue but never below zero: net <= gross.
        at_most("net_amount", "gross_amount", "Net revenue never exceeds the gross payment."),
    ]


def _attribution(columns):
    return mart_defaults(columns) + [
        dbt_accepted(
            "fct_conversion_attribution", "attribution_model", "The four attribution models."
        ),
        # A conversion's credit never sums to more than its value: each touch gets 0..1.
        between("credit", 0, 1, "Attribution credit per touch lies in [0, 1]."),
    ]


def _revenue_attribution(columns):
    return mart_defaults(columns) + [
        # Attributed revenue is part of all revenue that day.
        at_most("attributed_revenue", "total_revenue", "Attributed <= total revenue."),
        at_most("touched_conversions", "all_conversions", "Touched <= all conversions."),
    ]


def _executive(columns):
    return mart_defaults(columns) + [
        at_most("revenue_influenced", "total_revenue", "Revenue influenced <= total revenue."),
        at_most("direct_chat_revenue", "revenue_influenced", "Direct is part of influenced."),
    ]


def _experiment_results(columns):
    verdicts = accepted_values("rpt_experiment_results", "verdict").values
    return mart_defaults(columns) + [
        # models/marts/experiments/_experiments__docs.md: experiment_p_value, experiment_ci
        between("p_value", 0, 1, "A p-value is a probability."),
        at_most("ci_lower", "ci_upper", "The interval of the lift: lower <= upper."),
        at_most("relative_ci_lower", "relative_ci_upper", "Relative lift: lower <= upper."),
        dbt_accepted("rpt_experiment_results", "metric_type", "Proportion, mean or ratio metrics."),
        dbt_accepted("rpt_experiment_results", "test_method", "One test per metric type."),
        dbt_accepted("rpt_experiment_results", "verdict", "The documented verdicts."),
        # experiment_verdict: a metric whose guardrail worsened significantly is flagged, never
        # called a winner
        gxe.ExpectColumnPairValuesToBeInSet(
            column_A="guardrail_worsened",
            column_B="verdict",
            value_pairs_set=[(False, v) for v in verdicts] + [(True, "guardrail_failed")],
            ignore_row_if="either_value_is_missing",
            description="A worsened guardrail makes the verdict guardrail_failed, never winner.",
        ),
    ]


def _experiment_srm(columns):
    return mart_defaults(columns) + [
        between("p_value", 0, 1, "The SRM p-value is a probability."),
        at_most("observed_units", "total_units", "A variant's units are part of the total."),
    ]


def _holdout(columns):
    return mart_defaults(columns) + [
        between("p_value", 0, 1, "A p-value is a probability."),
        between("incremental_std_error_per_1000", 0, None, "A standard error is >= 0."),
        at_most(
            "incremental_ci_lower_per_1000",
            "incremental_ci_upper_per_1000",
            "The interval of the incremental value: lower <= upper.",
        ),
        dbt_accepted("rpt_holdout_incrementality", "metric", "Holdout metrics."),
    ]


def _tracking(columns):
    return mart_defaults(columns) + [
        dbt_accepted("rpt_tracking_health_daily", "health_status", "Tracking-health statuses."),
    ]


def _loader(columns):
    return mart_defaults(columns) + [
        at_most("rows_quarantined", "rows_in_files", "Quarantined rows came in files."),
    ]


SUITES: tuple[TableSuite, ...] = (
    TableSuite("marts.fct_conversations", ("conversation_id",), _conversations),
    TableSuite("marts.fct_chat_messages", ("message_id",), _messages),
    TableSuite(
        "marts.rpt_chat_kpis_daily",
        ("period_start", "channel", "segment_type", "segment_value"),
        _kpis,
    ),
    TableSuite(
        "marts.rpt_chat_kpis_weekly",
        ("period_start", "channel", "segment_type", "segment_value"),
        _kpis,
    ),
    TableSuite(
        "marts.rpt_chat_kpi_trends",
        ("period_start", "channel", "segment_type", "segment_value"),
        mart_defaults,
    ),
    TableSuite("marts.rpt_chat_alerts", ("period_start", "channel", "alert_id"), mart_defaults, 0),
    TableSuite("marts.kpi_definitions", ("kpi_name",), mart_defaults),
    TableSuite("marts.rpt_support_daily", ("report_date", "channel"), mart_defaults),
    TableSuite(
        "marts.rpt_sales_chat_daily", ("report_date", "channel", "page_intent"), mart_defaults
    ),
    TableSuite("marts.rpt_sales_pipeline_weekly", ("week_start", "lead_source"), mart_defaults, 0),
    TableSuite("marts.rpt_community_weekly", ("week_start", "channel"), _community),
    TableSuite(
        "marts.rpt_executive_overview_weekly", ("week_start", "reporting_currency"), _executive
    ),
    TableSuite("marts.rpt_volume_by_channel_daily", ("report_date", "channel"), mart_defaults),
    TableSuite(
        "marts.rpt_conversation_length_weekly",
        ("week_start", "channel", "length_measure", "length_bucket"),
        mart_defaults,
    ),
    TableSuite(
        "marts.rpt_top_intents_weekly", ("week_start", "tag_type", "tag_value"), mart_defaults, 0
    ),
    TableSuite("marts.rpt_conversation_review_sample", ("conversation_id",), mart_defaults, 0),
    TableSuite("marts.fct_conversions", ("conversion_id",), _conversions, 0),
    TableSuite("marts.fct_conversion_attribution", ("attribution_id",), _attribution, 0),
    TableSuite(
        "marts.rpt_revenue_attribution_daily",
        (
            "conversion_date",
            "window_days",
            "attribution_model",
            "channel",
            "resolution_path",
            "segment_type",
            "segment_value",
        ),
        _revenue_attribution,
        0,
    ),
    TableSuite(
        "marts.rpt_chat_conversion_rates_daily",
        ("conversation_date", "channel", "window_days"),
        mart_defaults,
        0,
    ),
    TableSuite(
        "marts.rpt_checkout_completion_daily",
        ("checkout_date", "is_chat_assisted"),
        mart_defaults,
        0,
    ),
    TableSuite("marts.rpt_member_retention", ("signup_month", "check_days"), mart_defaults, 0),
    TableSuite("marts.metricflow_time_spine", ("date_day",), mart_defaults),
    TableSuite(
        "marts.rpt_experiment_results",
        ("experiment_id", "variant", "metric"),
        _experiment_results,
        0,
    ),
    TableSuite("marts.rpt_experiment_srm", ("experiment_id", "variant_id"), _experiment_srm, 0),
    TableSuite("marts.rpt_holdout_incrementality", ("experiment_id", "metric"), _holdout, 0),
    TableSuite(
        "marts.rpt_tracking_health_daily", ("event_date", "source_name", "event_type"), _tracking
    ),
    TableSuite(
        "marts.rpt_load_quarantine_daily",
        ("quarantine_date", "table_name", "reason_class"),
        _loader,
        0,
    ),
    TableSuite("marts.rpt_load_files_daily", ("load_date", "table_name"), mart_defaults),
    TableSuite("marts.rpt_payment_input_issues", ("revenue_event_id", "issue"), mart_defaults, 0),
)
