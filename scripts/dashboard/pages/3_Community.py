"""Community view: participation, return visits, retention and moderation burden."""

from __future__ import annotations

import datetime as dt

import altair as alt
import streamlit as st
from common import (
    Kpi,
    chart,
    definition,
    kpi_rate,
    kpi_row,
    kpi_sums,
    line_chart,
    page_header,
    page_ready,
    q,
    rate_counts,
)

info, f = page_header(
    "Community",
    "Do people come back and take part? Weekly marts (ISO weeks overlapping the range); active "
    "users are distinct people, so they are shown per week, never summed across weeks.",
)
weekly = q(
    "select week_start::date as week, active_chat_users, returning_chat_users, return_chat_rate, "
    "conversations, messages, messages_per_conversation, engaged_conversation_rate, "
    "flagged_message_rate, flagged_messages, engaged_conversations "
    "from marts.rpt_community_weekly where channel = ? and week_start::date between ? and ? "
    "order by 1",
    f.channel,
    f.start - dt.timedelta(days=6),
    f.end,
)
COMMUNITY_RATES = ("messages_per_conversation", "engaged_conversation_rate", "flagged_message_rate")
counts = kpi_sums(f, rate_counts(*COMMUNITY_RATES))
# The last ISO week that ends inside the range: a week still in progress would understate
# active users. Only when the range holds no whole week is the partial one shown (and named so).
complete = weekly[weekly["week"].map(lambda w: w.date() + dt.timedelta(days=6) <= f.end)]
last = (complete if len(complete) else weekly).iloc[-1] if len(weekly) else {}
last_note = ""
if len(weekly):
    last_note = f"Week of {last['week']:%Y-%m-%d}" + (
        "." if len(complete) else " (partial: still in progress)."
    )
kpi_row(
    "Community KPIs",
    [
        Kpi(
            "community_active_users",
            "Active chat users (last whole week)",
            last.get("active_chat_users") if len(weekly) else None,
            "count",
            definition("rpt_community_weekly", "active_chat_users"),
            note=last_note,
        ),
        Kpi(
            "community_return_rate",
            "Return chat rate (last whole week)",
            last.get("return_chat_rate") if len(weekly) else None,
            "rate",
            definition("rpt_community_weekly", "return_chat_rate"),
        ),
        Kpi(
            "community_messages_per_conversation",
            "Messages per conversation",
            kpi_rate(counts, "messages_per_conversation"),
            "number",
            definition("rpt_chat_kpis_daily", "messages_per_conversation"),
        ),
        Kpi(
            "community_engaged_rate",
            "Engaged-conversation rate",
            kpi_rate(counts, "engaged_conversation_rate"),
            "rate",
            definition("rpt_chat_kpis_daily", "engaged_conversation_rate"),
        ),
        Kpi(
            "community_flagged_rate",
            "Moderation burden",
            kpi_rate(counts, "flagged_message_rate"),
            "rate",
            definition("rpt_chat_kpis_daily", "flagged_message_rate"),
        ),
    ],
)
left, right = st.columns(2)
with left:
    chart(
        "Active and returning chat users per week",
        weekly[["week", "active_chat_users", "returning_chat_users"]].melt(
            "week", var_name="users", value_name="people"
        ),
        lambda d: line_chart(d, "week", "people", "users", fmt=",.0f"),
        caption="rpt_community_weekly (channel filter; not split by segment).",
    )
with right:
    chart(
        "Return chat rate and engaged-conversation rate per week",
        weekly[["week", "return_chat_rate", "engaged_conversation_rate"]].melt(
            "week", var_name="rate", value_name="value"
        ),
        lambda d: line_chart(d, "week", "value", "rate", fmt=".0%"),
    )
retention = q(
    "select check_days, sum(chatter_members) as chatting_members, "
    "sum(chatter_members_retained) / nullif(sum(chatter_members), 0) as chatted, "
    "sum(other_members_retained) / nullif(sum(other_members), 0) as did_not_chat "
    "from marts.rpt_member_retention group by 1 order by 1"
)
with left:
    chart(
        "Member retention at each check age: chatted vs did not chat",
        retention.melt(["check_days", "chatting_members"], var_name="members", value_name="rate"),
        lambda d: (
            alt.Chart(d)
            .mark_bar()
            .encode(
                x=alt.X("check_days:O", title="days after signup"),
                xOffset="members:N",
                y=alt.Y("rate:Q", title=None, axis=alt.Axis(format=".0%")),
                color=alt.Color("members:N", legend=alt.Legend(orient="bottom")),
                tooltip=["check_days:O", "members:N", alt.Tooltip("rate:Q", format=".1%")],
            )
        ),
        caption="All signup months to date. A missing bar = no such members reached the age. "
        + definition("rpt_member_retention", "retention_lift"),
    )
with right:
    chart(
        "Flagged messages per week (moderation burden)",
        weekly[["week", "flagged_messages"]],
        lambda d: (
            alt.Chart(d)
            .mark_bar()
            .encode(
                x=alt.X("week:T", title=None, timeUnit="yearmonthdate"),
                y=alt.Y("flagged_messages:Q", title=None),
                tooltip=["week:T", "flagged_messages:Q"],
            )
        ),
    )
page_ready("community")
