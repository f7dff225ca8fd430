"""Support view: speed, resolution quality and satisfaction (one view per job)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from common import (
    Kpi,
    bar_chart,
    chart,
    definition,
    kpi_label,
    kpi_rate,
    kpi_row,
    kpi_sums,
    line_chart,
    page_header,
    page_ready,
    q,
    rate_counts,
    trend_row,
)

info, f = page_header(
    "Support",
    "Is chat fast and does it solve problems? Human and bot work kept apart; rates are sums of "
    "counts over the date range, response times are the marts' 7-day rolling medians.",
)
SUPPORT_RATES = (
    "resolution_rate",
    "first_contact_resolution_rate",
    "reopen_rate",
    "csat_score",
    "csat_score_bot",
    "csat_score_human",
    "csat_score_escalated",
)
counts = kpi_sums(f, ["conversations", *rate_counts(*SUPPORT_RATES)])
trend = trend_row(f)
kpi_row(
    "Support KPIs over the date range",
    [
        Kpi(
            "support_conversations",
            "Conversations",
            counts["conversations"],
            "count",
            definition("rpt_chat_kpis_daily", "conversations"),
        ),
        Kpi(
            "support_p50_first_response_7d",
            "Human first response (median, 7 days)",
            trend.get("p50_first_human_response_seconds_7d"),
            "seconds",
            definition("rpt_chat_kpis_daily", "p50_first_human_response_seconds"),
            note=f"7 days ending {f.end:%Y-%m-%d}.",
        ),
        Kpi(
            "support_resolution_rate",
            kpi_label("resolution_rate"),
            kpi_rate(counts, "resolution_rate"),
            "rate",
            definition("rpt_chat_kpis_daily", "resolution_rate"),
        ),
        Kpi(
            "support_fcr",
            kpi_label("first_contact_resolution_rate"),
            kpi_rate(counts, "first_contact_resolution_rate"),
            "rate",
            definition("rpt_chat_kpis_daily", "first_contact_resolution_rate"),
        ),
        Kpi(
            "support_reopen_rate",
            kpi_label("reopen_rate"),
            kpi_rate(counts, "reopen_rate"),
            "rate",
            definition("rpt_chat_kpis_daily", "reopen_rate"),
        ),
        Kpi(
            "support_csat",
            kpi_label("csat_score"),
            kpi_rate(counts, "csat_score"),
            "rate",
            definition("rpt_chat_kpis_daily", "csat_score"),
            note=f"{counts['rated_conversations']:,.0f} rated conversations.",
        ),
    ],
)

daily = q(
    "select report_date::date as day, p50_first_human_response_seconds / 60 as p50, "
    "p90_first_human_response_seconds / 60 as p90, p50_bot_first_response_seconds / 60 as bot_p50 "
    "from marts.rpt_support_daily where channel = ? and report_date::date between ? and ? "
    "order by 1",
    f.channel,
    f.start,
    f.end,
)
left, right = st.columns(2)
with left:
    chart(
        "Daily first response, minutes: human median and p90, bot median",
        daily.melt("day", var_name="statistic", value_name="minutes"),
        lambda d: line_chart(d, "day", "minutes", "statistic", fmt=",.0f"),
        caption="rpt_support_daily (channel filter; not split by segment). "
        + definition("rpt_support_daily", "p50_first_human_response_seconds"),
    )
csat = {path: kpi_rate(counts, f"csat_score_{path}") for path in ("bot", "human", "escalated")}
csat_df = pd.DataFrame([{"path": k, "csat": v} for k, v in csat.items() if v is not None])
with right:
    chart(
        "CSAT by resolution path",
        csat_df,
        lambda d: bar_chart(d, "path", "csat", fmt=".0%"),
        caption=definition("rpt_chat_kpis_daily", "csat_score_bot"),
    )
rates = q(
    "select period_start::date as day, resolution_rate_7d as resolution, "
    "first_contact_resolution_rate_7d as first_contact_resolution, reopen_rate_7d as reopen "
    "from marts.rpt_chat_kpi_trends where channel = ? and segment_type = ? and segment_value = ? "
    "and period_start::date between ? and ? order by 1",
    f.channel,
    f.segment_type,
    f.segment_value,
    f.start,
    f.end,
)
issues = q(
    "select tag_value as issue_type, sum(conversations) as conversations "
    "from marts.rpt_top_intents_weekly where tag_type = 'issue_type' "
    "and week_start::date between ? and ? group by 1 order by 2 desc, 1 limit 8",
    f.start - dt.timedelta(days=6),
    f.end,
)
left, right = st.columns(2)
with left:
    chart(
        "Resolution, first-contact resolution and reopen rates (7-day rolling)",
        rates.melt("day", var_name="rate", value_name="value"),
        lambda d: line_chart(d, "day", "value", "rate", fmt=".0%"),
    )
with right:
    chart(
        "Top issue categories (conversations)",
        issues,
        lambda d: bar_chart(d, "issue_type", "conversations", horizontal=True),
        caption="ISO weeks overlapping the range, all channels and segments.",
    )
page_ready("support")
