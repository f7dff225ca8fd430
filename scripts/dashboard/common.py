"""Shared parts of the dashboard: the serving-copy reader, filters, KPI tiles, charts.

The dashboard reads only the read-only serving copy the pipeline publishes
(``$CHATPERF_SERVING_PATH``, default ``data/serving/chat_metrics.duckdb``), never the warehouse,
so it never blocks the scheduled ``dbt build``. Every query opens a fresh read-only connection:
after a publish swaps in a new file, the next query reads it (results are cached per version).

Every KPI tile shows its definition, taken from the dbt docs published with the data
(``meta.column_docs``), and carries ``data-kpi`` / ``data-value`` attributes so the browser
test can check the rendered numbers against the marts. A chart never renders empty: the page
shows a "no data" warning (marked ``data-empty-chart``) instead, which the browser test fails on.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd
import streamlit as st

from chatperf.formatting import (
    FORMATS,
    fmt_money,
    fmt_points,
    fmt_seconds,
)
from chatperf.settings import DEFAULT_SERVING_PATH, PROJECT_DIR, apply_duckdb_bounds

# The dashboard may start in any folder: its default serving copy is the project's.
DEFAULT_SERVING = PROJECT_DIR / DEFAULT_SERVING_PATH
SEGMENT_LABELS = {
    "all": "all visitors",
    "traffic_source": "traffic source",
    "device_type": "device",
    "visitor_type": "new vs returning",
    "page_intent": "page intent",
    "country": "region (country)",
    "campaign": "campaign",
    "membership_tier": "membership tier",
}

CSS = """
<style>
.kpi-card {border: 1px solid #d9dde3; border-radius: 8px; padding: 10px 12px; height: 100%;
  background: #fbfcfd;}
.kpi-card.alert {border-color: #d33; background: #fff4f4;}
.kpi-label {font-size: 0.85rem; color: #444; font-weight: 600;}
.kpi-value {font-size: 1.7rem; font-weight: 700; line-height: 1.2; margin: 2px 0;}
.kpi-delta {font-size: 0.85rem;}
.kpi-delta.up {color: #1a7f37;} .kpi-delta.down {color: #c62828;} .kpi-delta.flat {color: #666;}
.kpi-threshold {font-size: 0.8rem; color: #555;}
.kpi-badge {display: inline-block; background: #d33; color: #fff; border-radius: 4px;
  padding: 0 6px; font-size: 0.75rem; font-weight: 700; margin-left: 4px;}
.kpi-def {font-size: 0.75rem; color: #666; margin-top: 4px; line-height: 1.25;}
.row-title {font-size: 1.1rem; font-weight: 700; margin: 0.6rem 0 0.2rem 0;}
</style>
"""


# --------------------------------------------------------------------------------------
# the serving copy


def serving_path() -> Path:
    return Path(os.environ.get("CHATPERF_SERVING_PATH") or DEFAULT_SERVING)


def _version_key(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


@st.cache_data(show_spinner=False, max_entries=512)
def _query(path: str, version_key: tuple[int, int], sql: str, params: tuple) -> pd.DataFrame:
    # An in-memory database that attaches the file: duckdb.connect(path) would reuse a
    # database instance cached in this process (still the replaced file) while any other
    # connection to the path is open; ATTACH always opens the file the path names now.
    con = duckdb.connect(":memory:")
    try:
        apply_duckdb_bounds(con)
        con.execute(f"attach '{path.replace(chr(39), chr(39) * 2)}' as serving (read_only)")
        con.execute("use serving")
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def q(sql: str, *params) -> pd.DataFrame:
    """Run ``sql`` on the live serving copy (a fresh read-only connection per new version)."""
    path = serving_path()
    return _query(str(path), _version_key(path), sql, params)


def require_serving() -> dict:
    """Stop the page with a clear message when there is no serving copy; else its publish info."""
    path = serving_path()
    if not path.is_file():
        st.error(
            f"No serving copy at {path}. Run the pipeline (`make pipeline`) to publish the marts."
        )
        st.stop()
    info = q("select * from meta.publish_info")
    return info.iloc[0].to_dict() if len(info) else {}


def table_exists(schema: str, table: str) -> bool:
    found = q(
        "select count(*) as n from duckdb_tables() where schema_name = ? and table_name = ?",
        schema,
        table,
    )
    return bool(found["n"].iloc[0])


def project_var(name: str, default=None):
    rows = q("select value_json from meta.project_vars where name = ?", name)
    return json.loads(rows["value_json"].iloc[0]) if len(rows) else default


_DOC_REF = re.compile(r"`var\('(\w+)'\)`")


def doc_block(name: str) -> str:
    rows = q("select description from meta.doc_blocks where name = ?", name)
    return " ".join(rows["description"].iloc[0].split()) if len(rows) else ""


def definition(table: str, column: str) -> str:
    """The column's description from the dbt docs, with var() references shown as values."""
    rows = q(
        "select description from meta.column_docs where table_name = ? and column_name = ?",
        table,
        column,
    )
    if not len(rows):
        return ""
    text = " ".join(rows["description"].iloc[0].split())
    return _DOC_REF.sub(lambda m: f"{m.group(1)} = {project_var(m.group(1), '?')}", text)


# --------------------------------------------------------------------------------------
# filters


@dataclass
class Filters:
    start: dt.date
    end: dt.date
    channel: str
    segment_type: str
    segment_value: str

    @property
    def segment_label(self) -> str:
        if self.segment_type == "all":
            return "all visitors"
        return f"{SEGMENT_LABELS.get(self.segment_type, self.segment_type)} = {self.segment_value}"

    def describe(self) -> str:
        return (
            f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d} · channel: {self.channel} · "
            f"segment: {self.segment_label}"
        )

    @property
    def last7_start(self) -> dt.date:
        return self.end - dt.timedelta(days=6)

    @property
    def prev7(self) -> tuple[dt.date, dt.date]:
        return self.end - dt.timedelta(days=13), self.end - dt.timedelta(days=7)


def _remember(key: str, value):
    st.session_state[f"_kept_{key}"] = value
    return value


def _kept(key: str, default):
    return st.session_state.get(f"_kept_{key}", default)


def sidebar_filters() -> Filters:
    """Date range, channel and segment in the sidebar (kept across pages)."""
    bounds = q(
        "select min(period_start)::date as lo, max(period_start)::date as hi "
        "from marts.rpt_chat_kpis_daily"
    )
    lo, hi = bounds["lo"].iloc[0], bounds["hi"].iloc[0]
    if pd.isna(lo):
        st.error("The serving copy has no KPI rows yet (marts.rpt_chat_kpis_daily is empty).")
        st.stop()
    lo, hi = pd.Timestamp(lo).date(), pd.Timestamp(hi).date()
    st.sidebar.header("Filters")
    picked = st.sidebar.date_input(
        "Date range (UTC)", value=_kept("dates", (lo, hi)), min_value=lo, max_value=hi
    )
    if isinstance(picked, tuple | list) and len(picked) == 2:
        start, end = picked
    else:  # the user has picked only the first day so far
        start = end = picked[0] if isinstance(picked, tuple | list) else picked
    _remember("dates", (start, end))
    channels = [
        "all",
        *q(
            "select distinct channel from marts.rpt_chat_kpis_daily "
            "where channel <> 'all' order by 1"
        )["channel"],
    ]
    channel = st.sidebar.selectbox(
        "Channel", channels, index=channels.index(_kept("channel", "all"))
    )
    _remember("channel", channel)
    types = list(SEGMENT_LABELS)
    segment_type = st.sidebar.selectbox(
        "Segment",
        types,
        index=types.index(_kept("segment_type", "all")),
        format_func=lambda t: SEGMENT_LABELS[t],
    )
    _remember("segment_type", segment_type)
    segment_value = "all"
    if segment_type != "all":
        values = list(
            q(
                "select distinct segment_value from marts.rpt_chat_kpis_daily "
                "where segment_type = ? order by 1",
                segment_type,
            )["segment_value"]
        )
        kept = _kept("segment_value", values[0])
        segment_value = st.sidebar.selectbox(
            "Segment value", values, index=values.index(kept) if kept in values else 0
        )
    _remember("segment_value", segment_value)
    return Filters(start, end, channel, segment_type, segment_value)


def page_header(title: str, intro: str) -> tuple[dict, Filters]:
    st.set_page_config(
        page_title=f"Chat performance · {title}", layout="wide", initial_sidebar_state="expanded"
    )
    st.markdown(CSS, unsafe_allow_html=True)
    info = require_serving()
    filters = sidebar_filters()
    st.title(title)
    st.caption(intro)
    st.caption(
        f"{filters.describe()} · serving copy version {info.get('version', '?')} "
        f"(published {info.get('published_at', '?')})"
    )
    return info, filters


def page_ready(name: str) -> None:
    """The last element of every page: the browser test waits for it."""
    st.markdown(f'<div data-page-ready="{name}"></div>', unsafe_allow_html=True)


# --------------------------------------------------------------------------------------
# KPI tiles


@dataclass
class Kpi:
    key: str
    label: str
    value: float | None
    kind: str  # money | rate | count | seconds | number
    definition: str
    delta: float | None = None
    delta_kind: str = ""  # "" (same as kind), "points"
    delta_label: str = "vs previous 7 days"
    higher_is_better: bool = True
    threshold: float | None = None
    threshold_comparison: str = ""  # above | below: the alert fires when the value is ...
    note: str = ""
    currency: str = "USD"

    def formatted(self) -> str:
        if self.kind == "money":
            return fmt_money(self.value, self.currency)
        return FORMATS[self.kind](self.value)

    @property
    def alert(self) -> bool:
        if self.threshold is None or self.value is None or pd.isna(self.value):
            return False
        if self.threshold_comparison == "above":
            return self.value > self.threshold
        return self.value < self.threshold

    def html(self) -> str:
        parts = [f'<div class="kpi-label">{html.escape(self.label)}']
        if self.alert:
            parts.append('<span class="kpi-badge" data-alert="1">ALERT</span>')
        parts.append("</div>")
        raw = "" if self.value is None or pd.isna(self.value) else f"{float(self.value):.6g}"
        parts.append(
            f'<div class="kpi-value" data-kpi="{self.key}" data-value="{raw}">'
            f"{html.escape(self.formatted())}</div>"
        )
        if self.delta is not None and not pd.isna(self.delta):
            if self.delta_kind == "points":
                shown = fmt_points(self.delta)
            elif self.kind == "money":
                shown = f"{self.delta:+,.2f} {self.currency}"
            elif self.kind == "seconds":
                shown = ("+" if self.delta >= 0 else "-") + fmt_seconds(abs(self.delta))
            else:
                shown = f"{self.delta:+,.0f}"
            good = (self.delta > 0) == self.higher_is_better
            css = "flat" if self.delta == 0 else ("up" if good else "down")
            arrow = "▲" if self.delta > 0 else ("▼" if self.delta < 0 else "■")
            parts.append(
                f'<div class="kpi-delta {css}">{arrow} {html.escape(shown)} '
                f"{html.escape(self.delta_label)}</div>"
            )
        if self.threshold is not None:
            limit = (
                fmt_money(self.threshold, self.currency)
                if self.kind == "money"
                else FORMATS[self.kind](self.threshold)
            )
            word = "above" if self.threshold_comparison == "above" else "below"
            parts.append(f'<div class="kpi-threshold">alert when {word} {limit}</div>')
        if self.note:
            parts.append(f'<div class="kpi-def">{html.escape(self.note)}</div>')
        parts.append(
            f'<div class="kpi-def" data-definition="{self.key}">'
            f"<b>Definition:</b> {html.escape(self.definition or 'not documented')}</div>"
        )
        css = "kpi-card alert" if self.alert else "kpi-card"
        return f'<div class="{css}">{"".join(parts)}</div>'


def kpi_row(title: str, kpis: list[Kpi]) -> None:
    st.markdown(f'<div class="row-title">{html.escape(title)}</div>', unsafe_allow_html=True)
    for col, kpi in zip(st.columns(len(kpis)), kpis, strict=True):
        col.markdown(kpi.html(), unsafe_allow_html=True)


# --------------------------------------------------------------------------------------
# charts


def chart(title: str, df: pd.DataFrame, build, caption: str = "", height: int = 260) -> None:
    """Draw ``build(df)`` (an Altair chart) under ``title``; a warning instead if no data."""
    st.markdown(f"**{title}**")
    values = df.select_dtypes("number")
    if df.empty or values.empty or values.notna().sum().sum() == 0:
        st.markdown(f'<div data-empty-chart="{html.escape(title)}"></div>', unsafe_allow_html=True)
        st.warning(f"No data for “{title}” with the selected filters.")
        return
    st.altair_chart(build(df).properties(height=height), width="stretch")
    if caption:
        st.caption(caption)


def ratio(num: float, den: float) -> float | None:
    return None if not den or pd.isna(den) else float(num) / float(den)


def kpi_definitions() -> dict[str, dict]:
    """The KPI registry as published (``meta.kpi_definitions``, from macros/kpi_registry.sql):
    each KPI's label, unit, numerator and denominator count columns, docs block, valid range."""
    rows = q("select * from meta.kpi_definitions order by kpi_order")
    return {r["kpi_name"]: r for r in rows.to_dict("records")}


def kpi_label(name: str) -> str:
    return kpi_definitions()[name]["label"]


def rate_counts(*names: str) -> list[str]:
    """The count columns (numerators and denominators) the registered rates ``names`` need."""
    kpis = kpi_definitions()
    return list(
        dict.fromkeys(c for n in names for c in (kpis[n]["numerator"], kpis[n]["denominator"]))
    )


def kpi_rate(counts: dict, name: str) -> float | None:
    """The registered rate ``name`` over summed counts: its numerator / its denominator, as the
    KPI registry declares them (never restated here)."""
    kpi = kpi_definitions()[name]
    return ratio(counts[kpi["numerator"]], counts[kpi["denominator"]])


def alert_thresholds() -> dict[str, dict]:
    """seeds.alert_thresholds by metric name (e.g. ``resolution_rate_7d``)."""
    rows = q("select * from seeds.alert_thresholds")
    return {r["metric"]: r for r in rows.to_dict("records")}


def kpi_sums(filters: Filters, columns: list[str], start=None, end=None) -> dict:
    """Sums of count columns of rpt_chat_kpis_daily over a date range, for the filters."""
    select = ", ".join(f"coalesce(sum({c}), 0) as {c}" for c in columns)
    row = q(
        f"select {select} from marts.rpt_chat_kpis_daily "
        "where period_start::date between ? and ? and channel = ? "
        "and segment_type = ? and segment_value = ?",
        start or filters.start,
        end or filters.end,
        filters.channel,
        filters.segment_type,
        filters.segment_value,
    )
    return row.iloc[0].to_dict()


def trend_row(filters: Filters) -> dict:
    """rpt_chat_kpi_trends (7/28-day rolling values and week-over-week deltas) on the end day."""
    rows = q(
        "select * from marts.rpt_chat_kpi_trends where period_start::date = ? and channel = ? "
        "and segment_type = ? and segment_value = ?",
        filters.end,
        filters.channel,
        filters.segment_type,
        filters.segment_value,
    )
    return rows.iloc[0].to_dict() if len(rows) else {}


def line_chart(df: pd.DataFrame, x: str, y: str, color: str | None = None, fmt: str = ",.2f"):
    enc = {
        "x": alt.X(f"{x}:T", title=None),
        "y": alt.Y(f"{y}:Q", title=None, axis=alt.Axis(format=fmt)),
        "tooltip": [alt.Tooltip(f"{x}:T"), alt.Tooltip(f"{y}:Q", format=fmt)],
    }
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=None, legend=alt.Legend(orient="bottom"))
        enc["tooltip"].append(alt.Tooltip(f"{color}:N"))
    return alt.Chart(df).mark_line(point=True).encode(**enc)


def bar_chart(
    df: pd.DataFrame, category: str, value: str, horizontal: bool = False, fmt: str = ",.0f"
):
    """Bars of ``value`` per ``category``; horizontal bars are sorted longest first."""
    tooltip_fmt = ".1%" if fmt.endswith("%") else fmt
    cat = (
        alt.Y(f"{category}:N", sort="-x", title=None)
        if horizontal
        else alt.X(f"{category}:N", title=None)
    )
    axis = alt.Axis(format=fmt)
    val = (alt.X if horizontal else alt.Y)(f"{value}:Q", title=None, axis=axis)
    enc = {"y": cat, "x": val} if horizontal else {"x": cat, "y": val}
    tooltip = [alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=tooltip_fmt)]
    return alt.Chart(df).mark_bar().encode(**enc, tooltip=tooltip)
