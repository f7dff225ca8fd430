"""Join plans of the dbt models: which joins DuckDB runs without an equality that bounds them.

A join whose conditions are only inequalities (a time range) or nothing at all (a cross
product) pairs every row of one side with every row of the other that the range admits: its
cost follows the product of the inputs, not its output. DuckDB runs those as
``PIECEWISE_MERGE_JOIN``, ``IE_JOIN``, ``NESTED_LOOP_JOIN``, ``BLOCKWISE_NL_JOIN`` or
``CROSS_PRODUCT``. Each is fine when one side is tiny (a seed, a handful of constant rows) and a
runaway when both sides are tables of events: ``int_experiment_unit_conversions`` once paired
every experiment unit with every conversion of its 30-day window (2.9 billion pairs at 300 k
messages) before the key equality was applied.

:func:`unbounded_joins` reads the compiled SQL of every model from dbt's ``manifest.json``,
asks DuckDB for its plan (``EXPLAIN``, estimates only: nothing runs) and returns the joins with
no equality whose estimated pairs (left rows x right rows) exceed ``max_pairs``. Run it on a
warehouse of realistic size (the estimates follow the tables' sizes), as the scale check does:
``scripts/explain_models.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

# DuckDB's physical join operators that apply no hash-equality first.
UNBOUNDED_OPERATORS = frozenset(
    {"PIECEWISE_MERGE_JOIN", "IE_JOIN", "NESTED_LOOP_JOIN", "BLOCKWISE_NL_JOIN", "CROSS_PRODUCT"}
)
# A join with no equality may enumerate up to left x right pairs; above this many it is reported.
# At the scale check's size (300 k messages) the project's legitimate ones (a seed of URL
# patterns, the 1,001-point quadrature grid of the t distribution, a few constant rows) stay
# below 3e7; the runaway experiment join was 4.6e9.
DEFAULT_MAX_PAIRS = 100_000_000


@dataclass(frozen=True)
class Join:
    model: str
    operator: str
    conditions: str
    left_rows: int
    right_rows: int

    @property
    def pairs(self) -> int:
        return self.left_rows * self.right_rows

    def describe(self) -> str:
        on = f" on {self.conditions}" if self.conditions else ""
        return (
            f"{self.model}: {self.operator}{on} (~{self.left_rows:,} x ~{self.right_rows:,} rows)"
        )


def _estimate(node: dict) -> int:
    """A node's estimated rows; operators without an estimate take their largest child's."""
    if node.get("name") == "UNGROUPED_AGGREGATE":
        return 1
    info = node.get("extra_info") or {}
    value = info.get("Estimated Cardinality")
    if value not in (None, ""):
        return int(str(value).replace(",", "").lstrip("~"))
    return max((_estimate(child) for child in node.get("children", [])), default=0)


def _conditions(node: dict) -> str:
    value = (node.get("extra_info") or {}).get("Conditions", "")
    return " and ".join(value) if isinstance(value, list) else str(value)


def _walk(node: dict):
    yield node
    for child in node.get("children", []):
        yield from _walk(child)


def joins_in_plan(model: str, plan: list[dict]) -> list[Join]:
    """Every join operator of an ``EXPLAIN (format json)`` plan, with its inputs' estimates."""
    found = []
    for root in plan:
        for node in _walk(root):
            name = node.get("name", "")
            if "JOIN" not in name and name != "CROSS_PRODUCT":
                continue
            children = node.get("children", [])
            sizes = [_estimate(child) for child in children] + [0, 0]
            found.append(Join(model, name, _conditions(node), sizes[0], sizes[1]))
    return found


def compiled_models(manifest_path: Path) -> dict[str, str]:
    """Model name -> compiled SQL of every SQL model in a compiled manifest."""
    manifest = json.loads(manifest_path.read_text())
    models = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node.get("language", "sql") != "sql":
            continue
        sql = node.get("compiled_code")
        if sql:
            models[node["name"]] = sql
    return models


def model_joins(con: duckdb.DuckDBPyConnection, models: dict[str, str]) -> list[Join]:
    """The join operators of every model's plan on this warehouse (``EXPLAIN``, nothing runs)."""
    found = []
    for name, sql in sorted(models.items()):
        row = con.execute(f"explain (format json) {sql}").fetchone()
        found.extend(joins_in_plan(name, json.loads(row[1])))
    return found


def unbounded_joins(joins: list[Join], max_pairs: int = DEFAULT_MAX_PAIRS) -> list[Join]:
    """Joins with no equality that may enumerate more than ``max_pairs`` estimated pairs."""
    return [
        join for join in joins if join.operator in UNBOUNDED_OPERATORS and join.pairs > max_pairs
    ]
