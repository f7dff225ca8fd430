"""Chat performance dashboard, overview: the guide's blueprint (run: make dashboard).

Top row business outcomes, middle row operational health with alert thresholds, bottom row
diagnostics. Reads only the serving copy (see common.py); the other views are in pages/.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st
from common import (
    Kpi,
    alert_thresholds,
    bar_chart,
    chart,
    definition,
    doc_block,
    kpi_row,
    kpi_sums,
    line_chart,
    page_header,
    page_ready,
    project_var,
    q,
    ratio,
    trend_row,
)

info, f = page_header(
    "Chat performance overview",
    "The blueprint: business outcomes, operational health, diagnostics. Every number comes "
    "from the published marts; each tile carries its definition from the dbt docs.",
)
currency = project_var("reporting_currency", "USD")
window = int(project_var("default_attribution_window_days", 7))
model = project_var("default_attribution_model", "position_based")
cost = float(project_var("cost_per_human_conversation", 0))
prev_start, prev_end = f.prev7

# --- top row: business outcomes ---------------------------------------------------------------


def revenue_influenced(start: dt.date, end: dt.date) -> float:
    row = q(
        "select coalesce(sum(attributed_revenue), 0) as v from marts.rpt_revenue_attribution_daily "
        "where window_days = ? and attribution_model = ? and channel = ? "
        "and resolution_path = 'all' and segment_type = ? and segment_value = ? "
        "and conversion_date::date between ? and ?",
        window,
        model,
        f.channel,
        f.segment_type,
        f.segment_value,
        start,
        end,
    )
    return float(row["v"].iloc[0])


def conversion_rate(start: dt.date, end: dt.date) -> float | None:
    row = q(
        "select sum(conversations_followed_by_revenue) as n, sum(conversations) as d "
        "from marts.rpt_chat_conversion_rates_daily where window_days = ? and channel = ? "
        "and conversation_date::date between ? and ?",
        window,
        f.channel,
        start,
        end,
    )
    return ratio(row["n"].iloc[0], row["d"].iloc[0])


rev = revenue_influenced(f.start, f.end)
rev_delta = revenue_influenced(f.last7_start, f.end) - revenue_influenced(prev_start, prev_end)
conv = conversion_rate(f.start, f.end)
conv_last, conv_prev = conversion_rate(f.last7_start, f.end), conversion_rate(prev_start, prev_end)
check_days = int((project_var("retention_check_days", [30]) or [30])[0])
ret = q(
    "select sum(chatter_members_retained) as cr, sum(chatter_members) as cm, "
    "sum(other_members_retained) as orr, sum(other_members) as om "
    "from marts.rpt_member_retention where check_days = ?",
    check_days,
).iloc[0]
chat_rate, other_rate = ratio(ret["cr"], ret["cm"]), ratio(ret["orr"], ret["om"])
lift = None if chat_rate is None or other_rate is None else chat_rate - other_rate
bot_resolved = kpi_sums(f, ["bot_resolved_conversations"])["bot_resolved_conversations"]
bot_last = kpi_sums(f, ["bot_resolved_conversations"], f.last7_start, f.end)
bot_prev = kpi_sums(f, ["bot_resolved_conversations"], prev_start, prev_end)
channel_note = "Channel filter applies; not split by segment." if f.segment_type != "all" else ""

kpi_row(
    "Business outcomes",
    [
        Kpi(
            "revenue_influenced",
            "Revenue influenced by chat",
            rev,
            "money",
            definition("rpt_executive_overview_weekly", "revenue_influenced"),
            delta=rev_delta,
            currency=currency,
            note=f"{model.replace('_', '-')} attribution, {window}-day window.",
        ),
        Kpi(
            "chat_assisted_conversion_rate",
            "Chat-assisted conversion rate",
            conv,
            "rate",
            definition("rpt_executive_overview_weekly", "chat_assisted_conversion_rate"),
            delta=None if conv_last is None or conv_prev is None else conv_last - conv_prev,
            delta_kind="points",
            note=channel_note,
        ),
        Kpi(
            "retention_lift",
            f"Retention lift ({check_days}-day)",
            lift,
            "rate",
            definition("rpt_executive_overview_weekly", "retention_lift"),
            note=(
                "Pooled over every signup month to date (not filtered). "
                + (
                    f"{int(ret['cm'] or 0)} chatting and {int(ret['om'] or 0)} other members "
                    f"reached the {check_days}-day check"
                    + ("; n/a until chatting members do." if lift is None else ".")
                )
            ),
        ),
        Kpi(
            "support_cost_savings",
            "Support cost savings",
            bot_resolved * cost,
            "money",
            definition("rpt_executive_overview_weekly", "support_cost_savings"),
            delta=(bot_last["bot_resolved_conversations"] - bot_prev["bot_resolved_conversations"])
            * cost,
            currency=currency,
            note=f"{bot_resolved:,.0f} bot-resolved conversations x {cost:.2f} {currency}.",
        ),
    ],
)

daily_rev = q(
    "select conversion_date::date as day, sum(attributed_revenue) as revenue_influenced "
    "from marts.rpt_revenue_attribution_daily where window_days = ? and attribution_model = ? "
    "and channel = ? and resolution_path = 'all' and segment_type = ? and segment_value = ? "
    "and conversion_date::date between ? and ? group by 1",
    window,
    model,
    f.channel,
    f.segment_type,
    f.segment_value,
    f.start,
    f.end,
)
days = pd.DataFrame({"day": pd.date_range(f.start, f.end, freq="D")})
daily_rev["day"] = pd.to_datetime(daily_rev["day"])
daily_rev = days.merge(daily_rev, on="day", how="left").fillna({"revenue_influenced": 0})
daily_rev["7-day rolling average"] = daily_rev["revenue_influenced"].rolling(7, 1).mean()
daily_rev = daily_rev.rename(columns={"revenue_influenced": "daily"})
left, right = st.columns(2)
with left:
    chart(
        f"Revenue influenced per day ({currency}), with its 7-day rolling average",
        daily_rev.melt("day", var_name="series", value_name="revenue"),
        lambda d: line_chart(d, "day", "revenue", "series"),
    )
conv_daily = q(
    "select conversation_date::date as day, sum(conversations) as conversations "
    "from marts.rpt_chat_conversion_rates_daily where window_days = ? and channel = ? "
    "and conversation_date::date between ? and ? group by 1 order by 1",
    window,
    f.channel,
    f.start,
    f.end,
)
weekly = q(
    "select period_start::date as week, conversations, resolved_conversations, "
    "bot_resolved_conversations from marts.rpt_chat_kpis_weekly where channel = ? "
    "and segment_type = ? and segment_value = ? and period_start::date between ? and ? "
    "order by 1",
    f.channel,
    f.segment_type,
    f.segment_value,
    f.start - dt.timedelta(days=6),
    f.end,
)
weekly["support cost savings"] = weekly["bot_resolved_conversations"] * cost
with right:
    chart(
        f"Support cost savings per ISO week ({currency})",
        weekly[["week", "support cost savings"]],
        lambda d: (
            alt.Chart(d)
            .mark_bar()
            .encode(
                x=alt.X("week:T", title=None, timeUnit="yearmonthdate"),
                y=alt.Y("support cost savings:Q", title=None),
                tooltip=["week:T", alt.Tooltip("support cost savings:Q", format=",.2f")],
            )
        ),
        caption="Weeks overlapping the date range; the last week may be partial.",
    )

# --- middle row: operational health -----------------------------------------------------------

trend = trend_row(f)
thresholds = alert_thresholds()
rolling_doc = doc_block("rolling_rate")


def health(key: str, label: str, kind: str, better_high: bool, base_col: str) -> Kpi:
    metric = f"{key}_7d"
    rule = thresholds.get(metric, {})
    value = trend.get(metric)
    delta = trend.get(f"{metric}_wow_delta")
    return Kpi(
        metric,
        label,
        None if value is None or pd.isna(value) else float(value),
        kind,
        definition("rpt_chat_kpis_daily", base_col),
        delta=None if delta is None or pd.isna(delta) else float(delta),
        delta_kind="points" if kind == "rate" else "",
        delta_label="week over week",
        higher_is_better=better_high,
        threshold=rule.get("threshold"),
        threshold_comparison=rule.get("comparison", ""),
        note=f"7 days ending {f.end:%Y-%m-%d}.",
    )


kpi_row(
    "Operational health (7-day rolling, alert thresholds from seeds/alert_thresholds.csv)",
    [
        health(
            "p50_first_human_response_seconds",
            "Human first response (median)",
            "seconds",
            False,
            "p50_first_human_response_seconds",
        ),
        health("resolution_rate", "Resolution rate", "rate", True, "resolution_rate"),
        health("containment_rate", "Bot containment", "rate", True, "containment_rate"),
        health("escalation_rate", "Escalation rate", "rate", False, "escalation_rate"),
        health("reopen_rate", "Reopen rate", "rate", False, "reopen_rate"),
    ],
)
st.caption(f"Rolling values: {rolling_doc}")

trends = q(
    "select period_start::date as day, resolution_rate_7d, containment_rate_7d, "
    "escalation_rate_7d, reopen_rate_7d, p50_first_human_response_seconds_7d "
    "from marts.rpt_chat_kpi_trends where channel = ? and segment_type = ? and segment_value = ? "
    "and period_start::date between ? and ? order by 1",
    f.channel,
    f.segment_type,
    f.segment_value,
    f.start,
    f.end,
)
rates = trends.drop(columns="p50_first_human_response_seconds_7d").melt(
    "day", var_name="metric", value_name="value"
)
rules = pd.DataFrame(
    [
        {"metric": m, "threshold": thresholds[m]["threshold"]}
        for m in rates["metric"].unique()
        if m in thresholds
    ]
)
left, right = st.columns(2)
with left:
    chart(
        "7-day rolling rates with their alert thresholds (dashed)",
        rates,
        lambda d: (
            line_chart(d, "day", "value", "metric", fmt=".0%")
            + alt.Chart(rules)
            .mark_rule(strokeDash=[6, 4])
            .encode(y="threshold:Q", color="metric:N")
        ),
    )
response = trends[["day", "p50_first_human_response_seconds_7d"]].assign(
    minutes=lambda d: d["p50_first_human_response_seconds_7d"] / 60
)
limit = thresholds.get("p50_first_human_response_seconds_7d", {}).get("threshold")
with right:
    chart(
        "Median human first response, 7-day rolling (minutes; alert line dashed)",
        response[["day", "minutes"]],
        lambda d: (
            line_chart(d, "day", "minutes", fmt=",.0f")
            + alt.Chart(pd.DataFrame({"limit": [(limit or 0) / 60]}))
            .mark_rule(color="#d33", strokeDash=[6, 4])
            .encode(y="limit:Q")
        ),
    )

# --- bottom row: diagnostics ------------------------------------------------------------------

st.markdown('<div class="row-title">Diagnostics</div>', unsafe_allow_html=True)
week_lo = f.start - dt.timedelta(days=6)
channel_clause = "" if f.channel == "all" else "and channel = ?"
channel_args = () if f.channel == "all" else (f.channel,)
volume = q(
    "select report_date::date as day, channel, sum(messages) as messages "
    "from marts.rpt_volume_by_channel_daily where report_date::date between ? and ? "
    f"{channel_clause} group by 1, 2 order by 1, 2",
    f.start,
    f.end,
    *channel_args,
)
total_messages = int(volume["messages"].sum()) if len(volume) else 0
kpi_row(
    "",
    [
        Kpi(
            "messages",
            "Messages in the range",
            total_messages,
            "count",
            definition("rpt_volume_by_channel_daily", "messages"),
            note="Not split by segment.",
        ),
        Kpi(
            "conversations",
            "Conversations in the range",
            kpi_sums(f, ["conversations"])["conversations"],
            "count",
            definition("rpt_chat_kpis_daily", "conversations"),
        ),
    ],
)
left, right = st.columns(2)
with left:
    chart(
        "Message volume by channel per day",
        volume,
        lambda d: (
            alt.Chart(d)
            .mark_bar()
            .encode(
                x=alt.X("day:T", title=None),
                y=alt.Y("messages:Q", title=None, stack=True),
                color=alt.Color("channel:N", legend=alt.Legend(orient="bottom")),
                tooltip=["day:T", "channel:N", "messages:Q"],
            )
        ),
        caption="Not split by segment.",
    )
length = q(
    "select length_bucket, sum(conversations) as conversations "
    "from marts.rpt_conversation_length_weekly where length_measure = 'duration' "
    f"and week_start::date between ? and ? {channel_clause} group by 1 order by 1",
    week_lo,
    f.end,
    *channel_args,
)
length["share"] = length["conversations"] / max(length["conversations"].sum(), 1)
with right:
    chart(
        "Conversation length (share of conversations by duration)",
        length,
        lambda d: (
            alt.Chart(d)
            .mark_bar()
            .encode(
                x=alt.X("length_bucket:N", title=None, sort=None),
                y=alt.Y("share:Q", title=None, axis=alt.Axis(format=".0%")),
                tooltip=[
                    "length_bucket:N",
                    "conversations:Q",
                    alt.Tooltip("share:Q", format=".1%"),
                ],
            )
        ),
        caption="ISO weeks overlapping the range. "
        + definition("rpt_conversation_length_weekly", "length_bucket"),
    )
intents = q(
    "select tag_value as intent, sum(conversations) as conversations "
    "from marts.rpt_top_intents_weekly where tag_type = 'intent' "
    "and week_start::date between ? and ? group by 1 order by 2 desc, 1 limit 8",
    week_lo,
    f.end,
)
left, right = st.columns(2)
with left:
    chart(
        "Top intents (conversations)",
        intents,
        lambda d: bar_chart(d, "intent", "conversations", horizontal=True),
        caption="ISO weeks overlapping the range, all channels and segments.",
    )
snippets = q(
    "select strftime(week_start, '%Y-%m-%d') as week, channel, outcome, handled_by, "
    "tag_intent as intent, transcript_snippet from marts.rpt_conversation_review_sample "
    f"where week_start::date between ? and ? {channel_clause} "
    "order by week_start desc, sample_rank, conversation_id limit 4",
    week_lo,
    f.end,
    *channel_args,
)
with right:
    st.markdown("**Representative transcript snippets (redacted)**")
    if snippets.empty:
        st.markdown('<div data-empty-chart="snippets"></div>', unsafe_allow_html=True)
        st.warning("No review-sample conversations with the selected filters.")
    else:
        st.table(snippets.set_index("week"))
        st.caption(definition("rpt_conversation_review_sample", "transcript_snippet"))

page_ready("overview")
