"""Sales view: conversion after chat (several attribution windows side by side), pipeline, carts."""

from __future__ import annotations

import datetime as dt

import altair as alt
import streamlit as st
from common import (
    Kpi,
    bar_chart,
    chart,
    definition,
    kpi_row,
    page_header,
    page_ready,
    project_var,
    q,
    ratio,
)

info, f = page_header(
    "Sales",
    "Does chat earn money? Conversion after chat over several windows (a short window "
    "undercounts chat), the lead pipeline and abandoned-cart recovery.",
)
window = int(project_var("default_attribution_window_days", 7))
currency = project_var("reporting_currency", "USD")
rates = q(
    "select window_days, sum(conversations) as conversations, "
    "sum(conversations_followed_by_revenue) as revenue, "
    "sum(conversations_followed_by_purchase) as purchase, "
    "sum(conversations_followed_by_lead_capture) as lead_capture, "
    "sum(conversations_followed_by_membership_signup) as membership_signup "
    "from marts.rpt_chat_conversion_rates_daily where channel = ? "
    "and conversation_date::date between ? and ? group by 1 order by 1",
    f.channel,
    f.start,
    f.end,
)
default = rates[rates["window_days"] == window]
row = default.iloc[0] if len(default) else None
weeks = (f.start - dt.timedelta(days=6), f.end)
pipe = q(
    "select sum(leads) as leads, sum(qualified_leads) as qualified, sum(deals_won) as won, "
    "sum(deals_lost) as lost, sum(average_deal_size * deals_won) as won_value "
    "from marts.rpt_sales_pipeline_weekly where week_start::date between ? and ?",
    *weeks,
).iloc[0]
carts = q(
    "select sum(abandoned_checkouts) as abandoned, sum(recovered_checkouts) as recovered "
    "from marts.rpt_checkout_completion_daily where checkout_date::date between ? and ?",
    f.start,
    f.end,
).iloc[0]


def share(col: str):
    return None if row is None else ratio(row[col], row["conversations"])


kpi_row(
    f"Sales KPIs ({window}-day window)",
    [
        Kpi(
            "sales_assisted_conversion",
            "Chat-assisted conversion rate",
            share("revenue"),
            "rate",
            definition("rpt_chat_conversion_rates_daily", "chat_assisted_conversion_rate"),
        ),
        Kpi(
            "sales_lead_capture",
            "Lead capture rate",
            share("lead_capture"),
            "rate",
            definition("rpt_chat_conversion_rates_daily", "lead_capture_rate"),
        ),
        Kpi(
            "sales_qualified_lead_rate",
            "Qualified lead rate",
            ratio(pipe["qualified"], pipe["leads"]),
            "rate",
            definition("rpt_sales_pipeline_weekly", "qualified_lead_rate"),
            note="All lead sources; ISO weeks overlapping the range.",
        ),
        Kpi(
            "sales_close_rate",
            "Close rate",
            ratio(pipe["won"], (pipe["won"] or 0) + (pipe["lost"] or 0)),
            "rate",
            definition("rpt_sales_pipeline_weekly", "close_rate"),
        ),
        Kpi(
            "sales_average_deal",
            "Average deal size",
            ratio(pipe["won_value"], pipe["won"]),
            "money",
            definition("rpt_sales_pipeline_weekly", "average_deal_size"),
            currency=currency,
        ),
        Kpi(
            "sales_cart_recovery",
            "Abandoned-cart recovery",
            ratio(carts["recovered"], carts["abandoned"]),
            "rate",
            definition("rpt_checkout_completion_daily", "abandoned_cart_recovery_rate"),
        ),
    ],
)
long = rates.melt(["window_days", "conversations"], var_name="conversion", value_name="n")
long["rate"] = long["n"] / long["conversations"]
left, right = st.columns(2)
with left:
    chart(
        "Conversion after chat by attribution window (days)",
        long[["window_days", "conversion", "rate"]],
        lambda d: (
            alt.Chart(d)
            .mark_bar()
            .encode(
                x=alt.X("conversion:N", title=None),
                xOffset="window_days:O",
                y=alt.Y("rate:Q", title=None, axis=alt.Axis(format=".1%")),
                color=alt.Color("window_days:O", title="window (days)"),
                tooltip=["conversion:N", "window_days:O", alt.Tooltip("rate:Q", format=".2%")],
            )
        ),
        caption="rpt_chat_conversion_rates_daily (channel filter; not split by segment). "
        + definition("rpt_chat_conversion_rates_daily", "chat_assisted_conversion_rate"),
    )
pipeline = q(
    "select strftime(week_start, '%Y-%m-%d') as week, sum(leads) as leads, "
    "sum(qualified_leads) as qualified, "
    "sum(deals_won) as won from marts.rpt_sales_pipeline_weekly "
    "where week_start::date between ? and ? group by 1 order by 1",
    *weeks,
)
with right:
    chart(
        "Lead pipeline per week",
        pipeline.melt("week", var_name="stage", value_name="count"),
        lambda d: (
            alt.Chart(d)
            .mark_bar()
            .encode(
                x=alt.X(
                    "yearmonthdate(week):O", title=None, axis=alt.Axis(format="%b %d", labelAngle=0)
                ),
                xOffset="stage:N",
                y=alt.Y("count:Q", title=None),
                color=alt.Color("stage:N", legend=alt.Legend(orient="bottom")),
                tooltip=["week:O", "stage:N", "count:Q"],
            )
        ),
    )
checkout = q(
    "select case when is_chat_assisted then 'after chat' else 'no chat' end as visitors, "
    "sum(checkouts_completed) / nullif(sum(checkouts_started), 0) as completion "
    "from marts.rpt_checkout_completion_daily where checkout_date::date between ? and ? "
    "group by 1 order by 1",
    f.start,
    f.end,
)
intent = q(
    "select page_intent, sum(conversations) as conversations "
    "from marts.rpt_sales_chat_daily where channel = ? and report_date::date between ? and ? "
    "group by 1 order by 2 desc",
    f.channel,
    f.start,
    f.end,
)
left, right = st.columns(2)
with left:
    chart(
        "Checkout completion: after chat vs no chat",
        checkout,
        lambda d: bar_chart(d, "visitors", "completion", fmt=".0%"),
        caption=definition("rpt_checkout_completion_daily", "checkout_completion_rate"),
    )
with right:
    chart(
        "Conversations by page intent",
        intent,
        lambda d: bar_chart(d, "page_intent", "conversations", horizontal=True),
    )
page_ready("sales")
