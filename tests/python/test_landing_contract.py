"""One landing contract: chatperf/landing_spec.py and the dbt sources agree.

Every raw table of landing_spec.py is a table of a source in
``models/staging/<source>/_<source>__sources.yml``, described as there, with exactly its
columns in order, each described with its loader type (and ``required``), then the loader's
metadata columns (``loader.META_COLUMNS``), described alike in every table; and every raw
source table is in landing_spec.py (besides the loader's own bookkeeping tables,
``raw._load_files`` and ``raw._quarantine``). The cases below plant each kind of disagreement
in a copy of either side and see the check name it. No dbt or warehouse needed.
"""

from __future__ import annotations

import copy
import dataclasses

import pytest
import yaml

from chatperf.landing_spec import TABLES, Column, Table
from chatperf.loader import META_COLUMNS
from conftest import ROOT

# The loader's bookkeeping (models/staging/loader/_loader__sources.yml): not landing tables.
LOADER_TABLES = {"_load_files", "_quarantine"}


def raw_sources() -> dict[str, dict]:
    """{table name: its entry in a sources yml} for every table of a source in schema raw."""
    out: dict[str, dict] = {}
    for path in sorted((ROOT / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            if source.get("schema") != "raw":
                continue
            for table in source["tables"]:
                assert table["name"] not in out, f"raw.{table['name']} is declared twice"
                out[table["name"]] = {**table, "_file": path.relative_to(ROOT)}
    return out


def column_description(column: Column) -> str:
    """How a sources yml describes a landing column: its loader type, and whether required."""
    return f"{column.type}{', required' if column.required else ''} (validated by the loader)"


def table_description(table: Table) -> str:
    pattern = f"{table.folder}/{table.prefix}*.{'|'.join(table.formats)}"
    return f"{table.description} Landing files: {pattern}."


def contract_problems(tables: tuple[Table, ...], sources: dict[str, dict]) -> list[str]:
    """Every disagreement between the landing spec and the raw sources, one line each."""
    problems = []
    meta_docs: dict[str, set[str]] = {name: set() for name in META_COLUMNS}
    for table in tables:
        source = sources.get(table.name)
        if source is None:
            problems.append(f"raw.{table.name}: in landing_spec.py, in no sources yml")
            continue
        where = f"raw.{table.name} ({source['_file']})"
        if source.get("description") != table_description(table):
            problems.append(f"{where}: description is not {table_description(table)!r}")
        columns = [(c["name"], c.get("description", "")) for c in source.get("columns", [])]
        names = [name for name, _ in columns]
        wanted = table.column_names + list(META_COLUMNS)
        if names != wanted:
            missing = [c for c in wanted if c not in names]
            extra = [c for c in names if c not in wanted]
            problems.append(
                f"{where}: columns differ from landing_spec.py + loader metadata "
                f"(missing {missing}, not in the contract {extra}"
                + (", or in another order)" if not missing and not extra else ")")
            )
            continue
        for column, (_, description) in zip(table.columns, columns, strict=False):
            if description != column_description(column):
                problems.append(
                    f"{where}: column {column.name!r} is described {description!r}, "
                    f"not {column_description(column)!r}"
                )
        for name, description in columns[len(table.columns) :]:
            meta_docs[name].add(description)
    for name, descriptions in meta_docs.items():
        if len(descriptions) > 1 or "" in descriptions:
            problems.append(f"loader column {name}: described differently {sorted(descriptions)}")
    known = {t.name for t in tables} | LOADER_TABLES
    for name in sorted(set(sources) - known):
        problems.append(
            f"raw.{name} ({sources[name]['_file']}): a source table not in landing_spec.py"
        )
    return problems


def test_landing_spec_and_the_sources_agree():
    assert contract_problems(TABLES, raw_sources()) == []


def replace_table(name: str, **changes) -> tuple[Table, ...]:
    return tuple(dataclasses.replace(t, **changes) if t.name == name else t for t in TABLES)


def test_a_column_only_in_the_spec_is_named():
    charge = next(t for t in TABLES if t.name == "stripe_charge")
    tables = replace_table("stripe_charge", columns=(*charge.columns, Column("dispute_id")))
    (problem,) = contract_problems(tables, raw_sources())
    assert problem.startswith("raw.stripe_charge (models/staging/stripe/_stripe__sources.yml): ")
    assert "missing ['dispute_id']" in problem


def test_a_column_only_in_the_yml_is_named():
    sources = copy.deepcopy(raw_sources())
    sources["web_pageviews"]["columns"].insert(2, {"name": "ip_address", "description": "str"})
    (problem,) = contract_problems(TABLES, sources)
    assert "raw.web_pageviews" in problem and "not in the contract ['ip_address']" in problem


def test_columns_in_another_order_are_named():
    sources = copy.deepcopy(raw_sources())
    columns = sources["shopify_order"]["columns"]
    columns[0], columns[1] = columns[1], columns[0]
    (problem,) = contract_problems(TABLES, sources)
    assert "raw.shopify_order" in problem and "or in another order" in problem


@pytest.mark.parametrize(
    "column, changed",
    [("amount", Column("amount", "dec", True)), ("currency", Column("currency", "str", False))],
)
def test_a_type_or_required_flag_that_differs_is_named(column, changed):
    refund = next(t for t in TABLES if t.name == "stripe_refund")
    columns = tuple(changed if c.name == column else c for c in refund.columns)
    (problem,) = contract_problems(replace_table("stripe_refund", columns=columns), raw_sources())
    assert "raw.stripe_refund" in problem and f"column {column!r} is described" in problem


def test_tables_only_on_one_side_are_named():
    sources = copy.deepcopy(raw_sources())
    sources["zendesk_ticket"] = {"name": "zendesk_ticket", "columns": [], "_file": "x.yml"}
    del sources["experiment_assignments"]
    assert contract_problems(TABLES, sources) == [
        "raw.experiment_assignments: in landing_spec.py, in no sources yml",
        "raw.zendesk_ticket (x.yml): a source table not in landing_spec.py",
    ]


def test_a_loader_column_missing_or_described_differently_is_named():
    sources = copy.deepcopy(raw_sources())
    sources["hubspot_deal"]["columns"][-1]["description"] = "The run."
    (problem,) = contract_problems(TABLES, sources)
    assert problem.startswith("loader column _load_id: described differently")
    del sources["hubspot_deal"]["columns"][-1]
    (problem,) = contract_problems(TABLES, sources)
    assert "raw.hubspot_deal" in problem and "missing ['_load_id']" in problem
