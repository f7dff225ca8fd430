"""Experiments and holdouts: the SQL statistics against scipy / statsmodels, the marts against an
independent pandas computation, and the planted effects of the generator recovered.

Three layers:
- the macros in macros/stats (normal CDF and quantile, Student t tail and quantile, chi-square
  survival, log-gamma) compiled once with `dbt compile --inline` and evaluated in DuckDB over a
  grid of inputs, compared with scipy (no warehouse needed);
- every p-value, interval and SRM statistic of the marts recomputed with scipy / statsmodels from
  the same counts, and the counts recomputed from the raw and staging tables with pandas;
- the generator's planted truths (manifest `experiments`) inside the marts' 95% intervals.
Each comparison helper is also run on a perturbed input to see it fail.
"""

from __future__ import annotations

import warnings

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import special, stats
from statsmodels.stats import proportion as sm_proportion

from conftest import DBT, ROOT, run

TOL = 1e-6  # the contract: every statistic within 1e-6 of scipy / statsmodels
LEVEL = 0.95
WINDOW_DAYS = 30
CONVERSION_TYPES = ("purchase", "membership_signup")
CONFIRMATION_PATH = "/checkout/thank-you"
MATCH_SECONDS = 120
SPLIT = "/*--split--*/"

STATS_TEMPLATE = f"""
select id, x, {{{{ normal_cdf('x') }}}} as cdf, {{{{ normal_upper_tail('x') }}}} as upper_tail
from normal_inputs
{SPLIT}
with start as (
    select id, p, {{{{ normal_quantile_initial('p') }}}} as z0 from quantile_inputs
)
select id, p, {{{{ normal_quantile_refine('z0', 'p') }}}} as z from start
{SPLIT}
{{{{ student_t_upper_tail_select('t_inputs', ['id'], 't', 'df') }}}}
{SPLIT}
with z_start as (
    select id, p, df, {{{{ normal_quantile_initial('1.0 - p') }}}} as z0 from t_quantile_inputs
),
z_refined as (
    select id, p, df, {{{{ normal_quantile_refine('z0', '1.0 - p') }}}} as z from z_start
),
{{{{ student_t_quantile_ctes('z_refined', ['id', 'p'], 'df', 'z', 'previous.p') }}}}
select id, t_quantile from t_quantile_4
{SPLIT}
select id, {{{{ chi_square_sf('x', 'df') }}}} as sf from chi_inputs
{SPLIT}
select id, {{{{ log_gamma('x') }}}} as lg from gamma_inputs
"""


# --------------------------------------------------------------------------------------------
# 1. the macros against scipy


@pytest.fixture(scope="module")
def stats_sql(tmp_path_factory) -> list[str]:
    """The statistics macros compiled to DuckDB SQL, one statement per check."""
    work = tmp_path_factory.mktemp("stats_sql")
    proc = run(
        [
            DBT,
            "--quiet",
            "compile",
            "--inline",
            STATS_TEMPLATE,
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],
        env={"CHATPERF_DUCKDB_PATH": str(work / "compile.duckdb"), "DBT_PROFILES_DIR": str(ROOT)},
    )
    parts = [p.strip() for p in proc.stdout.split(SPLIT)]
    assert len(parts) == 6, proc.stdout[-2000:]
    return parts


def evaluate(sql: str, **tables: pd.DataFrame) -> pd.DataFrame:
    con = duckdb.connect()
    for name, frame in tables.items():
        con.register(f"{name}_frame", frame)
        con.execute(f"create table {name} as select * from {name}_frame")
    out = con.execute(sql).df()
    con.close()
    return out.sort_values("id").reset_index(drop=True)


def gap(got, want) -> float:
    """got - want, 0 when both are missing (NULL / NaN), infinite when only one is."""
    got_missing, want_missing = pd.isna(got), pd.isna(want)
    if got_missing or want_missing:
        return 0.0 if got_missing and want_missing else np.inf
    return float(got) - float(want)


def max_abs_error(got, want) -> float:
    return float(np.max(np.abs(np.asarray(got, float) - np.asarray(want, float))))


NORMAL_X = np.concatenate([np.linspace(-9, 9, 721), [-37.5, -30, -20, -12, 12, 20, 30, 37.5]])


def test_normal_cdf_matches_scipy(stats_sql):
    frame = pd.DataFrame({"id": range(len(NORMAL_X)), "x": NORMAL_X})
    got = evaluate(stats_sql[0], normal_inputs=frame)
    assert max_abs_error(got.cdf, stats.norm.cdf(NORMAL_X)) < 1e-12
    # the tail itself, relatively: what small p-values are made of
    tail = stats.norm.sf(np.abs(NORMAL_X))
    keep = np.abs(NORMAL_X) < 37
    rel = np.abs(got.upper_tail.to_numpy()[keep] / tail[keep] - 1)
    assert rel.max() < 1e-8  # 1e-15 relative below 7 sd; the far-tail fraction gives ~1e-8


QUANTILE_P = np.array(
    [1e-12, 1e-9, 1e-6, 1e-4, 0.001, 0.005, 0.01, 0.02, 0.02425, 0.025, 0.05, 0.1, 0.2, 0.3]
    + [0.5, 0.7, 0.8, 0.9, 0.95, 0.975, 0.97575, 0.98, 0.99, 0.995, 0.999, 0.9999, 1 - 1e-6]
)


def test_normal_quantile_matches_scipy(stats_sql):
    frame = pd.DataFrame({"id": range(len(QUANTILE_P)), "p": QUANTILE_P})
    got = evaluate(stats_sql[1], quantile_inputs=frame)
    assert max_abs_error(got.z, stats.norm.ppf(QUANTILE_P)) < 1e-9


T_DF = [2, 2.5, 3, 5, 7.3, 10, 30, 100, 1000, 5083.66, 1e5]
T_VALUES = [0, 0.05, 0.5, 1, 1.96, 2.5, 4, 8, 20, 50]


def test_student_t_tail_matches_scipy(stats_sql):
    grid = [(df, t) for df in T_DF for t in T_VALUES]
    frame = pd.DataFrame(
        {"id": range(len(grid)), "df": [g[0] for g in grid], "t": [g[1] for g in grid]}
    )
    got = evaluate(stats_sql[2], t_inputs=frame)
    want = stats.t.sf(frame.t, frame.df)
    # two-sided p-values are 2 x the tail; worst case ~8e-10 at fractional small df (2.5)
    assert max_abs_error(2 * got.t_upper_tail, 2 * want) < 1e-8
    # negative t: the macro uses |t|
    got_negative = evaluate(stats_sql[2], t_inputs=frame.assign(t=-frame.t))
    assert max_abs_error(got_negative.t_upper_tail, want) < 1e-8


T_QUANTILE_P = [0.05, 0.025, 0.005, 0.0005]  # upper tails: 90%, 95%, 99%, 99.9% two-sided


def test_student_t_quantile_matches_scipy(stats_sql):
    grid = [(df, p) for df in [2, 2.5, 5, 10, 30, 100, 1000, 5083.66, 1e5] for p in T_QUANTILE_P]
    frame = pd.DataFrame(
        {"id": range(len(grid)), "df": [g[0] for g in grid], "p": [g[1] for g in grid]}
    )
    got = evaluate(stats_sql[3], t_quantile_inputs=frame)
    want = stats.t.isf(frame.p, frame.df)
    assert max_abs_error(got.t_quantile, want) < 1e-8


def test_chi_square_survival_matches_scipy(stats_sql):
    grid = [
        (df, x)
        for df in range(1, 13)
        for x in [0, 0.001, 0.5, 1, 2, 3.84, 6.63, 10.83, 20, 46.2, 100, 250]
    ]
    frame = pd.DataFrame(
        {"id": range(len(grid)), "df": [g[0] for g in grid], "x": [float(g[1]) for g in grid]}
    )
    got = evaluate(stats_sql[4], chi_inputs=frame)
    assert max_abs_error(got.sf, stats.chi2.sf(frame.x, frame.df)) < 1e-12


def test_log_gamma_matches_scipy(stats_sql):
    x = np.array([0.25, 0.5, 1, 1.5, 2, 2.5, 3.7, 10, 50.5, 1000, 2541.5, 1e5])
    got = evaluate(stats_sql[5], gamma_inputs=pd.DataFrame({"id": range(len(x)), "x": x}))
    assert np.allclose(got.lg, special.gammaln(x), rtol=1e-13, atol=1e-12)


# --------------------------------------------------------------------------------------------
# 2. the marts against scipy / statsmodels and an independent recomputation


@pytest.fixture(scope="module")
def results(warehouse) -> pd.DataFrame:
    return warehouse.df("select * from marts.rpt_experiment_results")


@pytest.fixture(scope="module")
def outcomes(warehouse) -> pd.DataFrame:
    return warehouse.df("select * from intermediate.int_experiment_unit_outcomes")


def control_row(results: pd.DataFrame, row) -> pd.Series:
    match = results[
        (results.experiment_id == row.experiment_id)
        & (results.variant == row.control_variant)
        & (results.metric == row.metric)
    ]
    assert len(match) == 1
    return match.iloc[0]


def proportion_errors(row, ctrl) -> dict[str, float]:
    """The mart's proportion statistics minus statsmodels' on the same counts."""
    args = (int(row.outcome_value), int(row.units), int(ctrl.outcome_value), int(ctrl.units))
    with warnings.catch_warnings():  # a holdout's 0 rate makes statsmodels' ratio stats divide by 0
        warnings.simplefilter("ignore", RuntimeWarning)
        test = sm_proportion.test_proportions_2indep(*args, method="wald", compare="diff")
    low, high = sm_proportion.confint_proportions_2indep(
        *args, method="wald", compare="diff", alpha=1 - LEVEL
    )
    p1, p0 = args[0] / args[1], args[2] / args[3]
    v1, v0 = p1 * (1 - p1) / args[1], p0 * (1 - p0) / args[3]
    rel_low, rel_high = relative_interval(p1, v1, p0, v0)
    return {
        "estimate": gap(row.estimate, p1),
        "absolute_lift": gap(row.absolute_lift, (p1 - p0)),
        "std_error": gap(row.std_error, np.sqrt(v1 + v0)),
        "p_value": gap(row.p_value, test.pvalue),
        "ci_lower": gap(row.ci_lower, low),
        "ci_upper": gap(row.ci_upper, high),
        "relative_ci_lower": gap(row.relative_ci_lower, rel_low),
        "relative_ci_upper": gap(row.relative_ci_upper, rel_high),
    }


def relative_interval(e1, v1, e0, v0) -> tuple[float, float]:
    """Delta-method interval of e1 / e0 - 1 (undefined when the control's estimate is 0)."""
    if e0 == 0:
        return np.nan, np.nan
    se = np.sqrt(v1 / e0**2 + e1**2 * v0 / e0**4)
    z = stats.norm.ppf(1 - (1 - LEVEL) / 2)
    return e1 / e0 - 1 - z * se, e1 / e0 - 1 + z * se


def welch_errors(row, y1: np.ndarray, y0: np.ndarray) -> dict[str, float]:
    test = stats.ttest_ind(y1, y0, equal_var=False)
    ci = test.confidence_interval(LEVEL)
    m1, m0 = y1.mean(), y0.mean()
    v1, v0 = y1.var(ddof=1) / len(y1), y0.var(ddof=1) / len(y0)
    rel_low, rel_high = relative_interval(m1, v1, m0, v0)
    return {
        "units": gap(row.units, len(y1)),
        "outcome_value": gap(row.outcome_value, y1.sum()),
        "absolute_lift": gap(row.absolute_lift, (m1 - m0)),
        "degrees_of_freedom": gap(row.degrees_of_freedom, test.df),
        "p_value": gap(row.p_value, test.pvalue),
        "ci_lower": gap(row.ci_lower, ci.low),
        "ci_upper": gap(row.ci_upper, ci.high),
        "relative_ci_lower": gap(row.relative_ci_lower, rel_low),
        "relative_ci_upper": gap(row.relative_ci_upper, rel_high),
    }


def ratio_moments(y: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """Ratio sum(y)/sum(x) and its delta-method variance (sample moments, ddof=1)."""
    n, mx = len(y), x.mean()
    r = y.sum() / x.sum()
    cov = np.cov(y, x, ddof=1)
    var = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (n * mx * mx)
    return r, var


def ratio_errors(row, y1, x1, y0, x0) -> dict[str, float]:
    r1, v1 = ratio_moments(y1, x1)
    r0, v0 = ratio_moments(y0, x0)
    se = np.sqrt(v1 + v0)
    z = stats.norm.ppf(1 - (1 - LEVEL) / 2)
    rel_low, rel_high = relative_interval(r1, v1, r0, v0)
    return {
        "outcome_value": gap(row.outcome_value, y1.sum()),
        "denominator_value": gap(row.denominator_value, x1.sum()),
        "estimate": gap(row.estimate, r1),
        "std_error": gap(row.std_error, se),
        "p_value": gap(row.p_value, 2 * stats.norm.sf(abs((r1 - r0) / se))),
        "ci_lower": gap(row.ci_lower, (r1 - r0 - z * se)),
        "ci_upper": gap(row.ci_upper, (r1 - r0 + z * se)),
        "relative_ci_lower": gap(row.relative_ci_lower, rel_low),
        "relative_ci_upper": gap(row.relative_ci_upper, rel_high),
    }


METRIC_COLUMNS = {  # metric -> (numerator, denominator) columns of int_experiment_unit_outcomes
    "revenue_per_unit": ("net_revenue", None),
    "chat_open_rate": ("chat_opens", "widget_views"),
    "csat": ("good_ratings", "rated_conversations"),
    "resolution_rate": ("resolved_conversations", "conversations"),
    "revenue_per_chat": ("net_revenue", "conversations"),
}


def all_errors(results: pd.DataFrame, outcomes: pd.DataFrame) -> dict[tuple, dict[str, float]]:
    out = {}
    for row in results[~results.is_control & results.p_value.notna()].itertuples():
        ctrl = control_row(results, row)
        key = (row.experiment_id, row.variant, row.metric)
        if row.metric_type == "proportion":
            out[key] = proportion_errors(row, ctrl)
            continue
        units = outcomes[outcomes.experiment_id == row.experiment_id]
        treated = units[units.variant_id == row.variant]
        control = units[units.variant_id == row.control_variant]
        y_col, x_col = METRIC_COLUMNS[row.metric]
        y1, y0 = treated[y_col].to_numpy(float), control[y_col].to_numpy(float)
        if row.metric_type == "mean":
            out[key] = welch_errors(row, y1, y0)
        else:
            x1, x0 = treated[x_col].to_numpy(float), control[x_col].to_numpy(float)
            out[key] = ratio_errors(row, y1, x1, y0, x0)
    return out


def worst(errors: dict[tuple, dict[str, float]]) -> tuple[float, str]:
    flat = [(abs(v), f"{k} {name}") for k, d in errors.items() for name, v in d.items()]
    return max(flat)


def test_every_statistic_matches_scipy_and_statsmodels(results, outcomes):
    errors = all_errors(results, outcomes)
    methods = set(results[~results.is_control & results.p_value.notna()].test_method)
    assert methods == {"two_proportion_z_test", "welch_t_test", "delta_method_z_test"}
    assert len(errors) >= 20
    value, where = worst(errors)
    assert value < TOL, f"worst difference {value:.3g} at {where}"


def test_statistics_check_fails_on_a_perturbed_count(results, outcomes):
    """The comparison above is not vacuous: one unit more in one cell breaks it."""
    for metric, column in (("converted", "outcome_value"), ("revenue_per_unit", "units")):
        bad = results.copy()
        pick = (bad.metric == metric) & ~bad.is_control & (bad.experiment_id == "proactive_prompt")
        if column == "units":  # the Welch check reads units from the unit rows: drop one
            bad_outcomes = outcomes.drop(
                outcomes[
                    (outcomes.experiment_id == "proactive_prompt")
                    & (outcomes.variant_id == "treatment")
                ].index[:1]
            )
            value, _ = worst(all_errors(results, bad_outcomes))
        else:
            bad.loc[pick, column] += 1
            value, _ = worst(all_errors(bad, outcomes))
        assert value > TOL, metric


def test_significance_and_verdicts_are_consistent(results):
    rows = results[~results.is_control]
    assert (rows.is_significant == (rows.p_value < 1 - LEVEL)).all()
    worsened = rows.is_guardrail & rows.is_significant & (rows.absolute_lift < 0)
    assert (rows.guardrail_worsened == worsened).all()
    failed = rows[rows.guardrail_worsened].groupby(["experiment_id", "variant"]).size()
    for (experiment, variant), _ in failed.items():
        same = rows[(rows.experiment_id == experiment) & (rows.variant == variant)]
        assert "winner" not in set(same.verdict)
    assert (results[results.is_control].verdict == "control").all()


# --- SRM


def srm_errors(srm: pd.DataFrame) -> dict[tuple, dict[str, float]]:
    out = {}
    for experiment, rows in srm.groupby("experiment_id"):
        observed = rows.observed_units.to_numpy(float)
        expected = observed.sum() * rows.planned_share.to_numpy(float)
        chi = stats.chisquare(observed, expected)
        first = rows.iloc[0]
        out[(experiment,)] = {
            "chi_square": gap(first.chi_square, chi.statistic),
            "p_value": gap(first.p_value, chi.pvalue),
            "degrees_of_freedom": gap(first.degrees_of_freedom, (len(rows) - 1)),
        }
    return out


def test_srm_matches_scipy_and_catches_the_broken_split(warehouse):
    srm = warehouse.df("select * from marts.rpt_experiment_srm")
    value, where = worst(srm_errors(srm))
    assert value < TOL, where
    flagged = dict(srm.groupby("experiment_id").is_srm.first())
    manifest = warehouse.manifest["experiments"]
    broken = {e for e, spec in manifest.items() if spec["planned_split"] != spec["actual_split"]}
    assert broken == {"srm_check"}
    assert {e for e, f in flagged.items() if f} == broken
    # and the check fails when one variant's count is off
    bad = srm.copy()
    bad.loc[bad.index[0], "observed_units"] += 1
    assert worst(srm_errors(bad))[0] > TOL


# --- counts recomputed independently with pandas


@pytest.fixture(scope="module")
def independent_units(warehouse) -> pd.DataFrame:
    """Exposed units per experiment, from the raw assignment and page-view tables."""
    asg = warehouse.df(
        "select assignment_id, lower(experiment_id) as experiment_id, lower(variant_id) as "
        "variant_id, anonymous_id, assigned_at, _loaded_at, _source_file, _source_line "
        "from raw.experiment_assignments"
    )
    asg = asg.sort_values(["_loaded_at", "_source_file", "_source_line"]).drop_duplicates(
        "assignment_id"
    )
    asg = asg[~asg.anonymous_id.str.startswith("qa_")]
    asg["assigned_at"] = pd.to_datetime(asg.assigned_at, utc=True, format="ISO8601")
    asg = asg.sort_values(["assigned_at", "assignment_id"]).drop_duplicates(
        ["experiment_id", "anonymous_id"]
    )
    views = warehouse.df(
        "select page_view_id, anonymous_id, viewed_at, page_url, _loaded_at, _source_file, "
        "_source_line from raw.web_pageviews"
    )
    views = views.sort_values(["_loaded_at", "_source_file", "_source_line"]).drop_duplicates(
        "page_view_id"
    )
    views["viewed_at"] = pd.to_datetime(views.viewed_at, utc=True, format="ISO8601")
    joined = asg.merge(views[["anonymous_id", "viewed_at"]], on="anonymous_id")
    joined = joined[joined.viewed_at >= joined.assigned_at]
    exposed = (
        joined.groupby(["experiment_id", "anonymous_id", "variant_id"])
        .viewed_at.min()
        .rename("exposed_at")
        .reset_index()
    )
    exposed["window_end"] = exposed.exposed_at + pd.Timedelta(days=WINDOW_DAYS)
    return exposed


def test_units_match_raw_tables_and_manifest(warehouse, results, independent_units):
    counts = independent_units.groupby(["experiment_id", "variant_id"]).size()
    mart = results[results.metric == "converted"].set_index(["experiment_id", "variant"]).units
    assert dict(counts) == {k: int(v) for k, v in mart.items()}
    for experiment, spec in warehouse.manifest["experiments"].items():
        for variant, truth in spec["per_variant"].items():
            assert counts[(experiment, variant)] == truth["units"], (experiment, variant)


def test_outcome_counts_match_independent_computation(warehouse, results, independent_units):
    units = independent_units
    units_utc = units.assign(
        exposed_at=units.exposed_at.dt.tz_localize(None),
        window_end=units.window_end.dt.tz_localize(None),
    )
    events = warehouse.df(
        "select anonymous_id, event_type, occurred_at from staging.stg_chat__events "
        "where event_type in ('widget_viewed', 'chat_opened')"
    )
    ev = units_utc.merge(events, on="anonymous_id")
    ev = ev[(ev.occurred_at >= ev.exposed_at) & (ev.occurred_at < ev.window_end)]
    per_unit = ev.groupby(["experiment_id", "variant_id", "anonymous_id", "event_type"]).size()
    per_unit = per_unit.unstack(fill_value=0)

    # conversions: identity link or the nearest order within MATCH_SECONDS of a confirmation view
    conv = warehouse.df(
        "select conversion_id, person_id, converted_at, net_amount_reporting "
        f"from marts.fct_conversions where conversion_type in {CONVERSION_TYPES}"
    )
    ident = warehouse.df(
        "select identifier_value as anonymous_id, person_id from "
        "intermediate.int_identities_stitched where identifier_type = 'anonymous_id'"
    )
    by_identity = units_utc.merge(ident, on="anonymous_id").merge(conv, on="person_id")
    confirm = warehouse.df(
        "select page_view_id, anonymous_id, viewed_at from staging.stg_web__pageviews "
        f"where page_path = '{CONFIRMATION_PATH}' and not is_internal"
    )
    near = confirm.merge(conv, how="cross")
    near["gap"] = (near.converted_at - near.viewed_at).dt.total_seconds().abs()
    near = near[near.gap <= MATCH_SECONDS].sort_values(["gap", "conversion_id"])
    near = near.drop_duplicates("page_view_id")
    by_page = units_utc.merge(
        near[["anonymous_id", "conversion_id", "converted_at", "net_amount_reporting"]],
        on="anonymous_id",
    )
    linked = pd.concat([by_identity, by_page]).drop_duplicates(
        ["experiment_id", "anonymous_id", "conversion_id"]
    )
    linked = linked[
        (linked.converted_at >= linked.exposed_at) & (linked.converted_at < linked.window_end)
    ]

    mart = results.set_index(["experiment_id", "variant", "metric"])
    for (experiment, variant), group in units.groupby(["experiment_id", "variant_id"]):
        key = (experiment, variant)
        unit_events = (
            per_unit.loc[key]
            if key in per_unit.index.droplevel(2)
            else pd.DataFrame(columns=["chat_opened", "widget_viewed"])
        )
        opens = unit_events.get("chat_opened", pd.Series(dtype=float))
        views = unit_events.get("widget_viewed", pd.Series(dtype=float))
        assert mart.loc[(*key, "chat_opened")].outcome_value == (opens > 0).sum(), key
        assert mart.loc[(*key, "chat_open_rate")].outcome_value == opens.sum(), key
        assert mart.loc[(*key, "chat_open_rate")].denominator_value == views.sum(), key
        mine = linked[(linked.experiment_id == experiment) & (linked.variant_id == variant)]
        assert mart.loc[(*key, "converted")].outcome_value == mine.anonymous_id.nunique(), key
        revenue = mine.net_amount_reporting.fillna(0).sum()
        assert abs(mart.loc[(*key, "revenue_per_unit")].outcome_value - revenue) < 1e-6, key
        assert len(group) == mart.loc[(*key, "converted")].units


# --- planted effects


def interval(results: pd.DataFrame, experiment: str, metric: str) -> pd.Series:
    rows = results[
        (results.experiment_id == experiment) & (results.metric == metric) & ~results.is_control
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def test_planted_lifts_inside_their_intervals(warehouse, results):
    truth = warehouse.manifest["experiments"]["proactive_prompt"]["true_effects"]
    opens = interval(results, "proactive_prompt", "chat_open_rate")
    assert opens.ci_lower <= truth["chat_open_rate_lift_absolute"] <= opens.ci_upper
    assert opens.is_significant
    converted = interval(results, "proactive_prompt", "converted")
    planted = truth["expected_purchase_rate_lift_absolute_in_window"]
    assert converted.ci_lower <= planted <= converted.ci_upper


def test_planted_null_effects_not_significant(results):
    for experiment in ("bot_first", "srm_check"):
        row = interval(results, experiment, "converted")
        assert not row.is_significant, experiment
        assert row.ci_lower <= 0 <= row.ci_upper


def test_planted_holdout_incrementality_inside_its_interval(warehouse):
    truth = warehouse.manifest["experiments"]["chat_holdout"]["true_effects"]
    rows = warehouse.df("select * from marts.rpt_holdout_incrementality").set_index("metric")
    conv = rows.loc["conversions"]
    planted = 1000 * truth["true_incremental_conversion_per_visitor_in_window"]
    assert conv.incremental_ci_lower_per_1000 <= planted <= conv.incremental_ci_upper_per_1000
    assert (
        conv.holdout_units
        == warehouse.manifest["experiments"]["chat_holdout"]["per_variant"]["holdout"]["units"]
    )
    revenue = rows.loc["revenue"]
    assert revenue.currency == "USD"
    assert revenue.incremental_share_of_attributed == pytest.approx(
        revenue.incremental_per_1000 / revenue.attributed_per_1000
    )


def test_holdout_incrementality_matches_scipy_and_statsmodels(warehouse, results, outcomes):
    """The per-1,000 incremental values and intervals, recomputed from the same counts."""
    rows = warehouse.df("select * from marts.rpt_holdout_incrementality").set_index("metric")
    assert set(rows.index) == {"conversions", "revenue"}
    conv = rows.loc["conversions"]
    row = interval(results, conv.experiment_id, "converted")
    ctrl = control_row(results, row)
    args = (int(row.outcome_value), int(row.units), int(ctrl.outcome_value), int(ctrl.units))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        test = sm_proportion.test_proportions_2indep(*args, method="wald", compare="diff")
    low, high = sm_proportion.confint_proportions_2indep(
        *args, method="wald", compare="diff", alpha=1 - LEVEL
    )
    units = outcomes[outcomes.experiment_id == conv.experiment_id]
    y1 = units[units.variant_id == conv.exposed_variant].net_revenue.to_numpy(float)
    y0 = units[units.variant_id == conv.holdout_variant].net_revenue.to_numpy(float)
    welch = stats.ttest_ind(y1, y0, equal_var=False)
    ci = welch.confidence_interval(LEVEL)
    revenue = rows.loc["revenue"]
    errors = {
        "conversions": {
            "incremental_per_1000": gap(
                conv.incremental_per_1000 / 1000, args[0] / args[1] - args[2] / args[3]
            ),
            "ci_lower": gap(conv.incremental_ci_lower_per_1000 / 1000, low),
            "ci_upper": gap(conv.incremental_ci_upper_per_1000 / 1000, high),
            "p_value": gap(conv.p_value, test.pvalue),
        },
        "revenue": {
            "incremental_per_1000": gap(revenue.incremental_per_1000 / 1000, y1.mean() - y0.mean()),
            "ci_lower": gap(revenue.incremental_ci_lower_per_1000 / 1000, ci.low),
            "ci_upper": gap(revenue.incremental_ci_upper_per_1000 / 1000, ci.high),
            "p_value": gap(revenue.p_value, welch.pvalue),
        },
    }
    value, where = worst(errors)
    assert value < TOL, f"worst difference {value:.3g} at {where}"  # per unit, and p
    assert conv.exposed_units == len(units[units.variant_id == conv.exposed_variant])
