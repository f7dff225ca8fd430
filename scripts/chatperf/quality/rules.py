"""Building blocks for the expectation suites: each helper returns Great Expectations
expectations for one documented rule, with the rule's definition as the expectation's
description (it shows in Data Docs next to the result).

A suite module (``staging.py``, ``marts.py``) lists its tables as ``TableSuite`` objects; the
checkpoint runner (``checkpoint.py``) reads each table from DuckDB in batches, validates every
batch against the table's row-level expectations and validates one summary row per table
(row count, distinct grain keys) against the table-level ones, so grain uniqueness and volumes
hold for the whole table, not just within a batch.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from chatperf.kpi_registry import registry
from chatperf.quality.dbt_manifest import accepted_values
from chatperf.quality.pii import ROOT, patterns

# {column name: DuckDB type} for the table being validated, read when the checkpoint runs.
Columns = dict[str, str]

NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "DOUBLE", "FLOAT", "REAL")


@dataclass(frozen=True)
class TableSuite:
    """One table's suite: its grain, expected row-count range and row-level expectations."""

    table: str  # schema.table
    grain: tuple[str, ...]
    expectations: Callable[[Columns], list[Expectation]]
    min_rows: int = 1
    max_rows: int | None = None
    description: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return self.table


def is_numeric(duckdb_type: str) -> bool:
    return duckdb_type.upper().startswith(NUMERIC_TYPES + ("DECIMAL", "NUMERIC"))


def is_string(duckdb_type: str) -> bool:
    return duckdb_type.upper().startswith(("VARCHAR", "TEXT", "STRING"))


# Columns that may be negative (and are no rates even when named like one): differences.
SIGNED = re.compile(r"(delta|lift|robust_z|statistic|ci_lower|ci_upper|incremental)")


# --------------------------------------------------------------------------------------
# rules that apply to every mart by naming convention (house style: rates end in _rate and lie
# in [0, 1]; counts and durations are never negative; percentiles come as p50/p75/p90)


def registered_kpi_bounds(columns: Columns) -> list[Expectation]:
    """A KPI of the registry (``macros/kpi_registry.sql``: its rates and duration statistics,
    and their rolling ``_7d`` / ``_28d`` values) lies in the registry's valid range."""
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column=col,
            min_value=low,
            max_value=high,
            description=f"`{col}` is a registered KPI: within [{low}, {high}] (KPI registry).",
        )
        for col, (low, high) in registry().valid_ranges().items()
        if col in columns and is_numeric(columns[col])
    ]


def rates_between_0_and_1(columns: Columns) -> list[Expectation]:
    """Every rate (``*_rate``, ``*_rate_7d``, ``*_rate_28d``), share and CSAT score is a ratio of
    counts where the numerator is a subset of the denominator, so it lies in [0, 1]. A KPI of the
    registry is bounded by its registered range instead (``registered_kpi_bounds``)."""
    rate = re.compile(r"(_rate(_\d+d)?|^share_.*|_share.*|^csat_score.*)$")
    registered = registry().valid_ranges()
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column=col,
            min_value=0,
            max_value=1,
            description=f"`{col}` is a rate: subset / set, so within [0, 1].",
        )
        for col, typ in columns.items()
        if is_numeric(typ) and rate.search(col) and not SIGNED.search(col) and col not in registered
    ]


def counts_non_negative(columns: Columns) -> list[Expectation]:
    """Counts, amounts and durations are never negative; deltas, lifts, z-scores, test
    statistics, interval bounds and incremental (exposed minus holdout) values may be."""
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column=col,
            min_value=0,
            description=f"`{col}` is a count, amount or duration: never negative.",
        )
        for col, typ in columns.items()
        if is_numeric(typ)
        and not SIGNED.search(col)
        and not col.endswith("_rate")
        and col not in registry().valid_ranges()
    ]


def percentiles_ordered(columns: Columns) -> list[Expectation]:
    """For every measure reported as percentiles, p50 <= p75 <= p90 (a percentile never falls
    as its rank rises); the mean is not ordered against them (outliers pull it)."""
    out: list[Expectation] = []
    ranks = ("p50", "p75", "p90")
    measures = {c[4:] for c in columns if c[:3] in ranks and c[3] == "_"}
    for measure in sorted(measures):
        present = [f"{r}_{measure}" for r in ranks if f"{r}_{measure}" in columns]
        for lower, upper in zip(present, present[1:], strict=False):
            out.append(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=upper,
                    column_B=lower,
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                    description=f"Percentiles are ordered: `{lower}` <= `{upper}`.",
                )
            )
    return out


def no_personal_data(columns: Columns) -> list[Expectation]:
    """No string column of a mart holds an email, a phone number or a card number (the
    patterns shared with the no_pii dbt test; transcript text must arrive redacted)."""
    out: list[Expectation] = []
    for col, typ in columns.items():
        if not is_string(typ):
            continue
        for kind, pattern in patterns().items():
            out.append(
                gxe.ExpectColumnValuesToNotMatchRegex(
                    column=col,
                    regex=pattern,
                    description=f"Privacy: no {kind} in `{col}` (marts hold no personal data).",
                )
            )
    return out


def mart_defaults(columns: Columns) -> list[Expectation]:
    """The convention rules every mart follows."""
    return (
        registered_kpi_bounds(columns)
        + rates_between_0_and_1(columns)
        + counts_non_negative(columns)
        + percentiles_ordered(columns)
        + no_personal_data(columns)
    )


# --------------------------------------------------------------------------------------
# explicit rules, named after the definition they enforce


def at_most(smaller: str, larger: str, definition: str) -> Expectation:
    """``smaller <= larger`` on every row where both are known."""
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=larger,
        column_B=smaller,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
        description=definition,
    )


def never_both(a: str, b: str, definition: str) -> Expectation:
    """Two flags that exclude each other: never both true on one row."""
    return gxe.ExpectColumnPairValuesToBeInSet(
        column_A=a,
        column_B=b,
        value_pairs_set=[(True, False), (False, True), (False, False)],
        ignore_row_if="either_value_is_missing",
        description=definition,
    )


def accepted(
    column: str, values: list | tuple, definition: str, warn_only: bool = False
) -> Expectation:
    """Values in the set. ``warn_only`` for a vendor's enum (Stripe, Shopify, Patreon add values
    over time): an unknown value is reported as a warning, as dbt's test warns, and does not stop
    the pipeline."""
    return gxe.ExpectColumnValuesToBeInSet(
        column=column,
        value_set=list(values),
        description=definition,
        severity="warning" if warn_only else "critical",
    )


def dbt_accepted(model: str, column: str, definition: str) -> Expectation:
    """Values in the set of dbt's ``accepted_values`` test on ``model.column`` (from dbt's
    manifest: the list lives once, in the model's YAML), with its severity: ``warn`` there, for a
    vendor's enum, makes it a GX warning here."""
    enum = accepted_values(model, column)
    return accepted(column, enum.values, definition, warn_only=enum.warn)


def not_null(column: str, definition: str) -> Expectation:
    return gxe.ExpectColumnValuesToNotBeNull(column=column, description=definition)


def between(column: str, low, high, definition: str) -> Expectation:
    return gxe.ExpectColumnValuesToBeBetween(
        column=column, min_value=low, max_value=high, description=definition
    )


def hashed(column: str) -> Expectation:
    """A hashed identifier is 64 lower-case hex characters, never the raw value."""
    return gxe.ExpectColumnValuesToMatchRegex(
        column=column,
        regex=r"^[0-9a-f]{64}$",
        description=f"Privacy: `{column}` is a SHA-256 hash, never the raw email.",
    )


def known_currencies() -> list[str]:
    """Currencies the fx_rates seed can convert: any other currency has no reporting amount."""
    with (ROOT / "seeds" / "fx_rates.csv").open(newline="") as f:
        return sorted({row["currency"].upper() for row in csv.DictReader(f)})
