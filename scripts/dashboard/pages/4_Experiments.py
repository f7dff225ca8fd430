"""Experiments view: A/B results with confidence intervals, sample-ratio checks, holdouts.

Renders marts.rpt_experiment_results, rpt_experiment_srm and rpt_holdout_incrementality when
the serving copy has them; until then it says so (and the page is not an error).
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from common import chart, page_header, page_ready, q, table_exists

info, f = page_header(
    "Experiments",
    "A/B tests and holdouts: lift with its confidence interval per metric and variant, sample "
    "ratio mismatch, and incremental conversions against a holdout. Not filtered.",
)
present = {
    name: table_exists("marts", name)
    for name in ("rpt_experiment_results", "rpt_experiment_srm", "rpt_holdout_incrementality")
}
if not any(present.values()):
    st.markdown('<div data-note="no-experiments"></div>', unsafe_allow_html=True)
    st.info(
        "No experiment results published yet: the serving copy has no experiment marts "
        "(marts.rpt_experiment_results, rpt_experiment_srm, rpt_holdout_incrementality). "
        "They appear here after the pipeline publishes them."
    )

if present["rpt_experiment_srm"]:
    srm = q("select * from marts.rpt_experiment_srm order by experiment_id")
    st.subheader("Sample ratio mismatch")
    flagged = srm[srm["is_srm"].fillna(False).astype(bool)] if "is_srm" in srm else srm.iloc[0:0]
    for experiment in flagged["experiment_id"].drop_duplicates():
        st.warning(f"{experiment}: sample ratio mismatch; do not trust its results.")
    st.table(srm.set_index("experiment_id"))

if present["rpt_experiment_results"]:
    results = q(
        "select * from marts.rpt_experiment_results order by experiment_id, metric, variant"
    )
    st.subheader("Results")
    st.caption(
        "Relative lift (variant / control - 1) puts rates, CSAT and revenue on one scale; a "
        "metric whose control estimate is 0 has no relative lift and is only in the table."
    )
    for experiment in results["experiment_id"].drop_duplicates():
        rows = results[
            (results["experiment_id"] == experiment)
            & ~results["is_control"].astype(bool)
            & results["relative_lift"].notna()
        ]
        if rows.empty:
            continue
        chart(
            f"{experiment}: relative lift vs control with confidence interval",
            rows[
                [
                    "metric",
                    "variant",
                    "relative_lift",
                    "relative_ci_lower",
                    "relative_ci_upper",
                    "p_value",
                    "verdict",
                ]
            ],
            lambda d: (
                alt.Chart(d)
                .mark_rule(strokeWidth=2)
                .encode(
                    y=alt.Y("metric:N", title=None),
                    yOffset="variant:N",
                    x=alt.X(
                        "relative_ci_lower:Q",
                        title="relative lift",
                        axis=alt.Axis(format="+.0%"),
                    ),
                    x2="relative_ci_upper:Q",
                    color=alt.Color("variant:N", legend=alt.Legend(orient="bottom")),
                )
                + alt.Chart(d)
                .mark_point(filled=True, size=60)
                .encode(
                    y="metric:N",
                    yOffset="variant:N",
                    x="relative_lift:Q",
                    color="variant:N",
                    tooltip=[
                        "metric",
                        "variant",
                        alt.Tooltip("relative_lift:Q", format="+.1%"),
                        alt.Tooltip("relative_ci_lower:Q", format="+.1%"),
                        alt.Tooltip("relative_ci_upper:Q", format="+.1%"),
                        alt.Tooltip("p_value:Q", format=".4f"),
                        "verdict",
                    ],
                )
                + alt.Chart(pd.DataFrame({"zero": [0.0]}))
                .mark_rule(strokeDash=[4, 4], color="gray")
                .encode(x="zero:Q")
            ),
            height=120 + 32 * len(rows),  # the height includes the axis and the legend
        )
    cols = [
        c
        for c in (
            "experiment_id", "variant", "metric", "units", "estimate", "absolute_lift",
            "relative_lift", "ci_lower", "ci_upper", "p_value", "is_significant",
            "is_guardrail", "verdict",
        )
        if c in results
    ]  # fmt: skip
    st.table(results[cols].set_index("experiment_id"))

if present["rpt_holdout_incrementality"]:
    st.subheader("Holdout incrementality")
    st.table(q("select * from marts.rpt_holdout_incrementality"))
page_ready("experiments")
