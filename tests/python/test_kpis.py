"""The KPI marts against an independent computation in pandas/numpy from fct_conversations,
fct_chat_messages and the raw widget views; planted truths recovered; the tunable rules switch
the marts; MetricFlow answers from the same definitions."""

from __future__ import annotations

import csv
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import DBT, ROOT, dbt, dbt_env, run

SEGMENTS = {
    "all": lambda df: pd.Series("all", index=df.index),
    "traffic_source": lambda df: df["traffic_source"],
    "device_type": lambda df: df["device_type"],
    "page_intent": lambda df: df["page_intent"],
    "country": lambda df: df["country_code"],
    "campaign": lambda df: df["utm_campaign"].fillna("(none)"),
    "visitor_type": lambda df: np.where(df["is_returning_visitor"], "returning", "new"),
    "membership_tier": lambda df: df["membership_tier"],
}


def ratio(num, den):
    return None if den == 0 else num / den


def pct(values, q):
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return None if not values else float(np.percentile(values, q, method="linear"))


def mean(values):
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return None if not values else float(np.mean(values))


def expected_kpis(conv: pd.DataFrame, replies: pd.DataFrame, views: int) -> dict:
    """Every KPI of one group, from conversation rows, by the documented formulas."""
    ini = conv[conv["has_visitor_message"]]
    n = len(ini)
    opened = int(conv["has_open_event"].sum())
    bot = int(ini["is_bot_involved"].sum())
    human = int(ini["is_human_involved"].sum())
    rated = ini[ini["csat_rating"].notna()]
    per_person = ini.groupby("person_id").size()
    out = {
        "widget_views": views,
        "conversations_opened": opened,
        "conversations": n,
        "resolved_conversations": int(ini["is_resolved"].sum()),
        "active_chat_users": int(ini["person_id"].nunique()),
        "returning_chat_users": int((per_person >= 2).sum()),
        "chat_open_rate": ratio(opened, views),
        "message_initiation_rate": ratio(
            int((conv["has_open_event"] & conv["has_visitor_message"]).sum()), opened
        ),
        "resolution_rate": ratio(int(ini["is_resolved"].sum()), n),
        "first_contact_resolution_rate": ratio(int(ini["is_first_contact_resolved"].sum()), n),
        "bot_resolution_rate": ratio(int(ini["is_bot_resolved"].sum()), bot),
        "human_resolution_rate": ratio(
            int((ini["is_resolved"] & ini["is_human_involved"]).sum()), human
        ),
        "containment_rate": ratio(int(ini["is_contained"].sum()), bot),
        "escalation_rate": ratio(int(ini["is_escalated"].sum()), bot),
        "reopen_rate": ratio(int(ini["is_reopened"].sum()), int(ini["has_resolution_event"].sum())),
        "automation_rate": ratio(bot, n) * ratio(int(ini["is_bot_resolved"].sum()), bot)
        if bot
        else (0.0 if n else None),
        "repeat_contact_rate": ratio(int(ini["is_repeat_contact"].sum()), n),
        "engaged_conversation_rate": ratio(int(ini["is_engaged"].sum()), n),
        "return_chat_rate": ratio(int((per_person >= 2).sum()), int(ini["person_id"].nunique())),
        "messages_per_conversation": ratio(int(ini["message_count"].sum()), n),
        "csat_score": ratio(int(rated["is_csat_good"].astype(bool).sum()), len(rated)),
        "bot_involvement_rate": ratio(bot, n),
        "abandonment_rate": ratio(int(ini["is_abandoned"].sum()), n),
        "messages": int(ini["message_count"].sum()),
    }
    # every duration: mean, p50, p75, p90 (numpy's linear interpolation = quantile_cont)
    durations = {
        "first_human_response": ini["first_human_response_seconds"],
        "bot_first_response": ini["bot_first_response_seconds"],
        "time_to_handoff": ini["time_to_handoff_seconds"],
        "resolution": ini.loc[ini["is_resolved"], "resolution_seconds"],
        "conversation_length": ini["conversation_length_seconds"],
    }
    for name, values in durations.items():
        out[f"mean_{name}_seconds"] = mean(values.tolist())
        for q in (50, 75, 90):
            out[f"p{q}_{name}_seconds"] = pct(values.tolist(), q)
    for path in ("bot", "human", "escalated"):
        r = rated[rated["resolution_path"] == path]
        out[f"csat_score_{path}"] = ratio(int(r["is_csat_good"].astype(bool).sum()), len(r))
    rep = replies[replies["conversation_id"].isin(set(ini["conversation_id"]))]
    out["human_replies"] = len(rep)
    out["mean_reply_seconds"] = mean(rep["reply_seconds"].tolist())
    out["p50_reply_seconds"] = pct(rep["reply_seconds"].tolist(), 50)
    out["p90_reply_seconds"] = pct(rep["reply_seconds"].tolist(), 90)
    return out


def page_intent(url: str) -> str:
    """Longest matching path prefix in the page_intents seed."""
    from urllib.parse import urlparse

    path = urlparse(url).path or "/"
    with (ROOT / "seeds" / "page_intents.csv").open() as f:
        rules = sorted(
            csv.DictReader(f), key=lambda r: (-len(r["path_prefix"]), int(r["priority"]))
        )
    return next((r["page_intent"] for r in rules if path.startswith(r["path_prefix"])), "unknown")


def raw_widget_views(warehouse) -> pd.DataFrame:
    """Widget views straight from the raw payloads (deduplicated, internal accounts dropped)."""
    rows = warehouse.query(
        "select event_id, payload from raw.chat_events where event_type = 'Widget Viewed' "
        "order by _loaded_at, _source_file, _source_line"
    )
    seen, out = set(), []
    for event_id, payload in rows:
        if event_id in seen:
            continue
        seen.add(event_id)
        obj = json.loads(payload)
        ctx = obj.get("context") or {}
        email = ((ctx.get("traits") or {}).get("email") or "").strip().lower()
        if obj["anonymousId"].startswith("qa_") or email.endswith("@example-creator.test"):
            continue
        ts = pd.Timestamp(obj["timestamp"]).tz_convert("UTC")
        url = (ctx.get("page") or {}).get("url") or ""
        campaign = ctx.get("campaign") or {}
        out.append(
            {
                "day": ts.tz_localize(None).normalize(),
                "traffic_source": (campaign.get("source") or "direct").lower(),
                "device_type": ((ctx.get("device") or {}).get("type") or "unknown").lower(),
                "page_intent": page_intent(url),
                "country": ((ctx.get("location") or {}).get("country") or "unknown").upper(),
                "campaign": (campaign.get("name") or "(none)").lower(),
            }
        )
    return pd.DataFrame(out)


def week_of(days: pd.Series) -> pd.Series:
    """Monday of the ISO week (what date_trunc('week', ...) gives)."""
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


@pytest.fixture(scope="module")
def data(warehouse):
    conv = warehouse.df("select * from marts.fct_conversations")
    conv["day"] = pd.to_datetime(conv["started_at"]).dt.normalize()
    conv["week"] = week_of(conv["day"])
    replies = warehouse.df(
        "select conversation_id, reply_seconds from marts.fct_chat_messages "
        "where reply_seconds is not null"
    )
    marts = {}
    for grain in ("daily", "weekly"):
        mart = warehouse.df(f"select * from marts.rpt_chat_kpis_{grain}")
        mart["period_start"] = pd.to_datetime(mart["period_start"])
        marts[grain] = mart
    views = raw_widget_views(warehouse)
    views["week"] = week_of(views["day"])
    return conv, replies, marts, views


def close(actual, expected) -> bool:
    a_none = actual is None or (isinstance(actual, float) and math.isnan(actual))
    if expected is None:
        return a_none
    if a_none:
        return False
    return abs(float(actual) - float(expected)) <= 1e-9 * max(1.0, abs(float(expected)))


def check_periods(data, grain: str, periods: list, segment_type: str) -> int:
    """Every KPI of every channel x segment value of the chosen periods, mart vs pandas."""
    conv, replies, marts, views = data
    key = "day" if grain == "daily" else "week"
    mart = marts[grain]
    conv = conv.assign(segment_value=SEGMENTS[segment_type](conv))
    checked = 0
    for period in periods:
        period_conv = conv[conv[key] == period]
        for channel in ["all", *sorted(period_conv["channel"].unique())]:
            ch_conv = (
                period_conv if channel == "all" else period_conv[period_conv["channel"] == channel]
            )
            for value, group in ch_conv.groupby("segment_value"):
                n_views = 0
                if channel == "all" and segment_type not in ("visitor_type", "membership_tier"):
                    period_views = views[views[key] == period]
                    n_views = (
                        len(period_views)
                        if segment_type == "all"
                        else int((period_views[segment_type] == value).sum())
                    )
                expected = expected_kpis(group, replies, n_views)
                row = mart[
                    (mart["period_start"] == period)
                    & (mart["channel"] == channel)
                    & (mart["segment_type"] == segment_type)
                    & (mart["segment_value"] == value)
                ]
                assert len(row) == 1, (period, channel, segment_type, value)
                row = row.iloc[0]
                wrong = {k: (row[k], v) for k, v in expected.items() if not close(row[k], v)}
                assert not wrong, f"{grain} {period} {channel} {segment_type}={value}: {wrong}"
                checked += 1
    return checked


@pytest.mark.parametrize("segment_type", list(SEGMENTS))
def test_daily_kpis_match_independent_computation(data, segment_type):
    days = sorted(data[0]["day"].unique())
    chosen = days[3:6] + days[-2:]  # a few days, including the launch week and the last day
    assert check_periods(data, "daily", chosen, segment_type) >= 5


@pytest.mark.parametrize("segment_type", ["all", "traffic_source", "membership_tier"])
def test_weekly_kpis_match_independent_computation(data, segment_type):
    weeks = sorted(data[0]["week"].unique())
    assert check_periods(data, "weekly", [weeks[0], weeks[2]], segment_type) >= 3


def test_weekly_rates_are_ratios_of_daily_counts(warehouse):
    """Weekly = sum of daily counts, never an average of daily rates."""
    rows = warehouse.query(
        """
        with d as (
            select date_trunc('week', period_start) as wk, sum(resolved_conversations) as r,
                   sum(conversations) as n
            from marts.rpt_chat_kpis_daily
            where channel = 'all' and segment_type = 'all' group by 1
        )
        select d.r * 1.0 / d.n, w.resolution_rate, d.r, w.resolved_conversations
        from d join marts.rpt_chat_kpis_weekly w
          on w.period_start = d.wk and w.channel = 'all' and w.segment_type = 'all'
        """
    )
    assert len(rows) >= 4
    for from_daily, weekly, r_daily, r_weekly in rows:
        assert r_daily == r_weekly
        assert abs(from_daily - weekly) < 1e-12


def test_rolling_trends_from_counts(warehouse):
    conv = warehouse.df(
        "select started_at, is_resolved from marts.fct_conversations where has_visitor_message"
    )
    conv["day"] = pd.to_datetime(conv["started_at"]).dt.normalize()
    trends = warehouse.df(
        "select period_start, resolution_rate_7d, resolution_rate_28d, "
        "resolution_rate_7d_wow_delta from marts.rpt_chat_kpi_trends "
        "where channel = 'all' and segment_type = 'all' order by period_start"
    )
    trends["period_start"] = pd.to_datetime(trends["period_start"])
    by_day = trends.set_index("period_start")
    for day in list(by_day.index)[-5:]:
        for window in (7, 28):
            w = conv[(conv["day"] <= day) & (conv["day"] > day - pd.Timedelta(days=window))]
            assert close(by_day.loc[day, f"resolution_rate_{window}d"], w["is_resolved"].mean())
        week_ago = day - pd.Timedelta(days=7)
        if week_ago in by_day.index:
            assert close(
                by_day.loc[day, "resolution_rate_7d_wow_delta"],
                by_day.loc[day, "resolution_rate_7d"] - by_day.loc[week_ago, "resolution_rate_7d"],
            )


def test_planted_bot_resolution_share_is_recovered(warehouse):
    planted = warehouse.manifest["planted"]["bot_resolution_probability"]
    bot, resolved = warehouse.query(
        """
        select count(*), count(case when is_bot_resolved then 1 end)
        from marts.fct_conversations
        where has_visitor_message and is_bot_involved and source_system = 'event_stream'
          and last_event_at <= (select max(last_event_at) from marts.fct_conversations)
                               - interval 2 day
        """
    )[0]
    share = resolved / bot
    se = math.sqrt(planted * (1 - planted) / bot)
    assert bot > 300
    assert abs(share - planted) < 4 * se, (share, planted, se)


def test_planted_human_response_median_is_recovered(warehouse):
    """Handoff-started clocks inside staffed hours: the planted log-normal's median."""
    truth = warehouse.manifest["planted"]["human_first_response_time_seconds"]
    staffed = warehouse.manifest["planted"]["staffed_hours"]
    start_hour, end_hour = staffed["hours"]
    values = [
        r[0]
        for r in warehouse.query(
            f"""
            select first_human_response_seconds
            from marts.fct_conversations
            where handoff_requested_at is not null
              and human_clock_started_at = handoff_requested_at
              and first_human_response_seconds is not null
              and isodow(human_clock_started_at) <= 5
              and hour(human_clock_started_at) >= {start_hour}
              and hour(human_clock_started_at) < {end_hour - 1}
            """
        )
    ]
    n = len(values)
    assert n > 100
    median = float(np.median(values))
    # standard error of a log-normal's sample median, on the log scale
    se_log = 1.2533 * truth["sigma"] / math.sqrt(n)
    assert abs(math.log(median) - truth["mu"]) < 4 * se_log, (median, truth["median_staffed_hours"])


@pytest.fixture(scope="module")
def warehouse_copy(warehouse, tmp_path_factory):
    def make(name: str) -> Path:
        path = tmp_path_factory.mktemp(name) / "warehouse.duckdb"
        shutil.copy(warehouse.path, path)
        return path

    return make


def test_switching_the_resolution_rule_changes_the_marts(warehouse, warehouse_no_return):
    db = warehouse_no_return.path
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        mismatched = con.execute(
            "select count(*) from marts.fct_conversations "
            "where is_resolved != is_resolved_no_return"
        ).fetchone()[0]
        rate = con.execute(
            "select resolution_rate from marts.rpt_chat_kpis_weekly "
            "where channel = 'all' and segment_type = 'all' order by period_start limit 1"
        ).fetchone()[0]
        expected = con.execute(
            "select avg(case when is_resolved_no_return then 1.0 else 0 end) "
            "from marts.fct_conversations where has_visitor_message and started_at < "
            "(select min(period_start) + interval 7 day from marts.rpt_chat_kpis_weekly)"
        ).fetchone()[0]
    finally:
        con.close()
    marked_rate = warehouse.query(
        "select resolution_rate from marts.rpt_chat_kpis_weekly "
        "where channel = 'all' and segment_type = 'all' order by period_start limit 1"
    )[0][0]
    assert mismatched == 0
    assert close(rate, expected)
    assert not close(rate, marked_rate), "the two rules should give different numbers"


def test_switching_engaged_csat_and_bot_window_rules_changes_the_marts(warehouse, warehouse_copy):
    db = warehouse_copy("engaged")
    dbt(
        [
            "build",
            "--select",
            "int_conversations_enriched+",
            "--exclude",
            "test_type:unit",
            "--vars",
            "{engaged_min_messages: 1, engaged_min_seconds: 0, csat_good_min: 5,"
            " bot_resolution_return_window_hours: 168}",
        ],
        db,
    )
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        engaged, csat = con.execute(
            "select engaged_conversation_rate, csat_score from marts.rpt_chat_kpis_weekly "
            "where channel = 'all' and segment_type = 'all' order by period_start limit 1"
        ).fetchone()
        fives = con.execute(
            "select avg(case when csat_rating = 5 then 1.0 else 0 end) "
            "from marts.fct_conversations "
            "where has_visitor_message and csat_rating is not null and started_at < "
            "(select min(period_start) + interval 7 day from marts.rpt_chat_kpis_weekly)"
        ).fetchone()[0]
        week_bot_rate, week_start = con.execute(
            "select bot_resolution_rate, period_start from marts.rpt_chat_kpis_weekly "
            "where channel = 'all' and segment_type = 'all' order by period_start limit 1"
        ).fetchone()
        week_bot_expected = con.execute(
            "select avg(case when is_bot_resolved then 1.0 else 0 end) "
            "from marts.fct_conversations "
            "where has_visitor_message and is_bot_involved and started_at < ? + interval 7 day",
            [week_start],
        ).fetchone()[0]
        week_resolved = {
            r[0]
            for r in con.execute(
                "select conversation_id from marts.fct_conversations where is_bot_resolved"
            ).fetchall()
        }
    finally:
        con.close()
    assert engaged == 1.0
    assert close(csat, fives)
    # a week-long return window: fewer bot resolutions, each one also a 24-hour one
    day_resolved = {
        r[0]
        for r in warehouse.query(
            "select conversation_id from marts.fct_conversations where is_bot_resolved"
        )
    }
    default_rate = warehouse.query(
        "select bot_resolution_rate from marts.rpt_chat_kpis_weekly "
        "where channel = 'all' and segment_type = 'all' order by period_start limit 1"
    )[0][0]
    assert week_resolved < day_resolved
    assert close(week_bot_rate, week_bot_expected)
    assert week_bot_rate < default_rate


def test_metricflow_answers_like_the_mart(warehouse, tmp_path):
    """`mf query` for two metrics returns the numbers the weekly mart holds."""
    env = dbt_env(warehouse.path)
    # mf reads the semantic manifest from the project's own target/ folder
    run([DBT, "parse"], env=env)
    out = tmp_path / "mf.csv"
    mf = str(Path(sys.executable).with_name("mf"))
    import os

    proc = subprocess.run(
        [
            mf,
            "query",
            "--metrics",
            "conversations,resolution_rate",
            "--group-by",
            "metric_time__week",
            "--csv",
            str(out),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with out.open() as f:
        mf_rows = {r["metric_time__week"][:10]: r for r in csv.DictReader(f)}
    mart = {
        str(r[0])[:10]: r[1:]
        for r in warehouse.query(
            "select period_start, conversations, resolution_rate from marts.rpt_chat_kpis_weekly "
            "where channel = 'all' and segment_type = 'all'"
        )
    }
    assert set(mf_rows) == set(mart)
    for week, (conversations, rate) in mart.items():
        assert int(float(mf_rows[week]["conversations"])) == conversations
        assert close(float(mf_rows[week]["resolution_rate"]), rate)


def test_review_sample_is_stratified(warehouse):
    """Each week x outcome (resolved/failed) x handling (bot/human) holds min(5, population)
    replied conversations of that stratum, each with a snippet."""
    conv = warehouse.df(
        "select conversation_id, started_at, is_resolved, is_human_involved "
        "from marts.fct_conversations where has_visitor_message and has_reply"
    )
    conv["week_start"] = week_of(pd.to_datetime(conv["started_at"]).dt.normalize())
    conv["outcome"] = np.where(conv["is_resolved"], "resolved", "failed")
    conv["handled_by"] = np.where(conv["is_human_involved"], "human", "bot")
    population = conv.groupby(["week_start", "outcome", "handled_by"]).size()
    sample = warehouse.df("select * from marts.rpt_conversation_review_sample")
    sample["week_start"] = pd.to_datetime(sample["week_start"])
    got = sample.groupby(["week_start", "outcome", "handled_by"]).size()
    assert len(population) >= 16
    assert got.to_dict() == population.clip(upper=5).to_dict()
    merged = sample.merge(conv, on="conversation_id", suffixes=("", "_fact"))
    assert len(merged) == len(sample)
    assert (merged["outcome"] == merged["outcome_fact"]).all()
    assert (merged["handled_by"] == merged["handled_by_fact"]).all()
    assert (merged["week_start"] == merged["week_start_fact"]).all()
    assert sample["transcript_snippet"].notna().all()
