"""The KPI registry (macros/kpi_registry.sql) is the one place a rate's formula is written.

- No other file of the repository states a registered rate as its numerator over its
  denominator (``safe_divide('resolved_conversations', 'conversations')``,
  ``resolved_conversations / conversations``, ``("resolved_conversations", "conversations")``,
  ...); the check is shown failing on planted statements.
- What cannot be generated from it agrees with it: the MetricFlow ratio metrics, the KPI marts'
  YAML (docs block and bounds of every KPI column), and the kpi_definitions table dbt builds.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from chatperf.kpi_registry import REGISTRY_FILE, Rate, parse, registry
from conftest import ROOT

# Files allowed to state a registered formula, and why:
EXEMPT = {
    # the registry itself
    "macros/kpi_registry.sql",
    # MetricFlow's YAML cannot be generated: test_semantic_metrics_agree_with_the_registry
    # checks every ratio metric against the registry instead
    "models/marts/semantic/_semantic__models.yml",
}
# the pytest suite recomputes every KPI independently of the project (that is its point)
EXEMPT_DIRS = ("tests/python/",)


def formula_patterns(rate: Rate) -> list[re.Pattern]:
    """Ways code states ``rate`` as numerator over denominator."""
    # a rolling count (``_7d``, ``_28d``) states the same formula
    n, d = (re.escape(c) + r"(?:_\d+d)?" for c in (rate.numerator, rate.denominator))
    q = r"""['"]"""
    sp = r"[ \t]*"  # a statement on one line: spaces and tabs, never a newline
    return [
        # safe_divide('n', 'd'), ('name', 'n', 'd'), at_most("n", "d"), ratio(c["n"], c["d"]),
        # 'y': 'n', 'x': 'd' : the two names as neighbouring string literals (d not a dict key)
        re.compile(
            rf"{q}(?:[\w.]*\.)?{n}{q}{sp}\]?{sp},{sp}(?:{q}\w+{q}{sp}:{sp})?"
            rf"(?:\w+\[)?{q}(?:[\w.]*\.)?{d}{q}(?!{sp}:)"
        ),
        # n / d, n / nullif(d, 0), sum(n) / sum(d), df["n"] / df["d"], cast(n as double) / d
        re.compile(
            rf"\b{n}\b{q}?\]?{sp}(?:as{sp}\w+{sp})?\)?{sp}(?:\*{sp}1\.0{sp})?/{sp}"
            rf"(?:nullif{sp}\({sp})?(?:sum{sp}\({sp})?(?:\w+\[{q})?(?:[\w.]*\.)?\b{d}\b"
        ),
    ]


def formula_statements(text: str, rates=None) -> list[tuple[str, int, str]]:
    """(rate, line number, line) for every statement of a registered formula in ``text``."""
    found = []
    for rate in rates or registry().rates:
        for pattern in formula_patterns(rate):
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                found.append((rate.name, line, text.splitlines()[line - 1].strip()))
    return found


def tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [
        f
        for f in out
        if f not in EXEMPT
        and not f.startswith(EXEMPT_DIRS)
        and Path(f).suffix in (".sql", ".py", ".yml", ".yaml", ".md", ".csv")
        and (ROOT / f).is_file()
    ]


def test_no_registered_formula_is_stated_outside_the_registry():
    files = tracked_files()
    assert "models/marts/kpis/rpt_chat_kpi_trends.sql" in files and len(files) > 100
    hits = [
        f"{f}:{line}: {rate}: {text}"
        for f in files
        for rate, line, text in formula_statements((ROOT / f).read_text(errors="replace"))
    ]
    assert not hits, "formula of a registered KPI outside macros/kpi_registry.sql:\n" + "\n".join(
        hits
    )


@pytest.mark.parametrize(
    "planted",
    [
        "{{ safe_divide('resolved_conversations', 'conversations') }} as resolution_rate",
        "select sum(resolved_conversations) / nullif(sum(conversations), 0) as resolution_rate",
        "cast(resolved_conversations as double) / nullif(conversations, 0)",
        "ratio(counts['resolved_conversations'], counts['conversations'])",
        'ratio(counts["reopened_conversations"], counts["ever_resolved_conversations"])',
        "('resolution_rate', 'resolved_conversations', 'conversations'),",
        "{'metric': 'resolution_rate', 'y': 'resolved_conversations', 'x': 'conversations'}",
        'at_most("flagged_messages", "messages", "Moderation burden.")',
        "df['good_csat_conversations'] / df['rated_conversations']",
        "safe_divide('w.contained_conversations_7d', 'w.bot_involved_conversations_7d')",
    ],
)
def test_the_formula_check_fails_on_a_planted_formula(planted):
    assert formula_statements(f"-- some model\n{planted}\n"), planted


@pytest.mark.parametrize(
    "innocent",
    [
        "{{ kpi_rate_sql('resolution_rate') }} as resolution_rate",
        "{period_start: 2026-09-01, conversations: 1, resolved_conversations: 1}",
        "resolved_conversations: 3, bot_involved_conversations: 2",
        'expression: "resolved_conversations <= conversations"',
        "Resolution rate = resolved conversations / conversations.",
    ],
)
def test_the_formula_check_leaves_other_text_alone(innocent):
    assert not formula_statements(innocent), innocent


def test_the_registry_parses_and_is_consistent():
    reg = parse(REGISTRY_FILE.read_text())
    assert reg == registry()
    names = [r.name for r in reg.rates] + [c for d in reg.durations for c in d.columns()]
    assert len(names) == len(set(names)) and len(reg.rates) >= 20
    for rate in reg.rates:
        low, high = rate.valid_range
        assert low == 0 and (high is None or high == 1), rate
        assert rate.unit == "rate" or high is None, rate
    for duration in reg.durations:
        assert set(duration.trend_statistics) <= set(duration.statistics), duration
        assert duration.source in ("conversations", "replies"), duration


def _semantic() -> tuple[dict, dict]:
    spec = yaml.safe_load(
        (ROOT / "models" / "marts" / "semantic" / "_semantic__models.yml").read_text()
    )
    measures = {m["name"]: m for s in spec["semantic_models"] for m in s["measures"]}
    metrics = {m["name"]: m for m in spec["metrics"]}
    return measures, metrics


def _counts_of(metric: dict, measures: dict) -> set[str]:
    """Names a simple metric's count goes by: the metric's and its measure's."""
    measure = metric["type_params"]["measure"]
    return {metric["name"], measure if isinstance(measure, str) else measure["name"]}


def test_semantic_metrics_agree_with_the_registry():
    """Every MetricFlow ratio metric is a registered rate, with the registry's numerator and
    denominator counts and docs block; every rate the registry maps to MetricFlow exists."""
    measures, metrics = _semantic()
    reg = registry()
    ratios = {name: m for name, m in metrics.items() if m["type"] == "ratio"}
    assert {r.semantic_metric for r in reg.rates if r.semantic_metric} == set(ratios)
    for rate in reg.rates:
        if not rate.semantic_metric:
            continue
        metric = ratios[rate.semantic_metric]
        numerator = metrics[metric["type_params"]["numerator"]]
        denominator = metrics[metric["type_params"]["denominator"]]
        assert rate.numerator in _counts_of(numerator, measures), rate.name
        assert rate.denominator in _counts_of(denominator, measures), rate.name
        assert metric["description"] == f"{{{{ doc('{rate.docs}') }}}}", rate.name
    for duration in reg.durations:
        for statistic, name in duration.semantic_metrics:
            measure = measures[metrics[name]["type_params"]["measure"]]
            assert duration.column in measure["expr"], name
            assert measure["agg"] == "percentile" and measure["agg_params"]["percentile"] == (
                int(statistic[1:]) / 100
            ), name


def test_kpi_mart_yaml_agrees_with_the_registry():
    """Each registered KPI column of the daily (and, by YAML anchor, weekly) mart is described
    by the registry's docs block and tested against its valid range."""
    spec = yaml.safe_load((ROOT / "models" / "marts" / "kpis" / "_kpis__models.yml").read_text())
    models = {m["name"]: m for m in spec["models"]}
    daily, weekly = models["rpt_chat_kpis_daily"], models["rpt_chat_kpis_weekly"]
    assert weekly["columns"] == daily["columns"] and weekly["data_tests"] == daily["data_tests"]
    columns = {c["name"]: c for c in daily["columns"]}
    reg = registry()
    expected = {r.name: (r.docs, r.valid_range) for r in reg.rates}
    for d in reg.durations:
        expected.update({c: (d.docs, d.valid_range) for c in d.columns()})
    for name, (docs, (low, high)) in expected.items():
        column = columns[name]
        assert f"doc('{docs}')" in column["description"], name
        bounds = [t["value_between"]["arguments"] for t in column["data_tests"]]
        assert bounds == [{"min_value": low, **({"max_value": high} if high is not None else {})}]


def test_kpi_definitions_table_is_the_registry(warehouse):
    rows = warehouse.query(
        "select kpi_name, kpi_kind, label, unit, numerator, denominator, duration_column, "
        "statistic, docs_block, valid_min, valid_max, has_trend, semantic_metric "
        "from marts.kpi_definitions order by kpi_order"
    )
    reg = registry()
    expected = [
        (r.name, "rate", r.label, r.unit, r.numerator, r.denominator, None, None, r.docs)
        + (r.valid_range[0], r.valid_range[1], r.trend, r.semantic_metric)
        for r in reg.rates
    ]
    for source in ("conversations", "replies"):
        for d in (d for d in reg.durations if d.source == source):
            for column, statistic in d.columns().items():
                expected.append(
                    (column, "duration", d.label, d.unit, None, None, d.column, statistic, d.docs)
                    + (d.valid_range[0], d.valid_range[1], statistic in d.trend_statistics)
                    + (dict(d.semantic_metrics).get(statistic),)
                )
    assert [tuple(r) for r in rows] == expected
    # and every KPI column of the marts is in it
    mart_columns = {
        name
        for (name,) in warehouse.query(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'rpt_chat_kpis_daily'"
        )
    }
    assert {r[0] for r in rows} <= mart_columns
