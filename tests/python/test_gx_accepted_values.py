"""The GX suites' allowed values come from dbt's accepted_values tests, one list per enum.

The suites are built against the manifest of a ``dbt parse``: every in-set expectation that
names a dbt test has exactly that test's values and its severity (warn -> GX warning), the
vendors' enums stay warnings, and the chat event list is still the loader's. Planted changes to
a copy of the manifest show up in the suites; a missing manifest is a one-line error.
"""

from __future__ import annotations

import json

import pytest

from chatperf.landing_spec import CHAT_EVENT_TYPES
from chatperf.quality.checkpoint import CheckpointError, run_checkpoint, suites
from chatperf.quality.dbt_manifest import ManifestError, read_accepted_values, use_manifest
from conftest import PYTHON, dbt, run

# The in-set expectations whose values dbt's accepted_values tests hold, and their severities
# before the lists moved to the manifest: (suite table, column) -> GX severity.
FROM_DBT = {
    ("staging.stg_chat__events", "event_type"): "critical",
    ("staging.stg_chat__events", "actor_type"): "critical",
    ("staging.stg_chat__exported_messages", "actor_type"): "critical",
    ("staging.stg_shopify__transactions", "kind"): "warning",
    ("staging.stg_shopify__transactions", "status"): "warning",
    ("staging.stg_stripe__invoices", "status"): "warning",
    ("staging.stg_stripe__invoices", "billing_reason"): "warning",
    ("staging.stg_stripe__subscriptions", "status"): "warning",
    ("staging.stg_hubspot__form_submissions", "submission_type"): "critical",
    ("staging.stg_patreon__members", "patron_status"): "warning",
    ("marts.fct_conversations", "resolution_path"): "critical",
    ("marts.fct_chat_messages", "actor_type"): "critical",
    ("marts.fct_conversions", "conversion_type"): "critical",
    ("marts.fct_conversion_attribution", "attribution_model"): "critical",
    ("marts.rpt_experiment_results", "metric_type"): "critical",
    ("marts.rpt_experiment_results", "test_method"): "critical",
    ("marts.rpt_experiment_results", "verdict"): "critical",
    ("marts.rpt_holdout_incrementality", "metric"): "critical",
    ("marts.rpt_tracking_health_daily", "health_status"): "critical",
}
# In-set expectations with another source: the fx_rates seed, the landing contract, the KPI
# segments (no dbt test on the KPI marts lists them).
NOT_FROM_DBT = {"currency", "author_role", "segment_type"}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    work = tmp_path_factory.mktemp("parse")
    dbt(["parse"], work / "warehouse.duckdb")
    return work / "target" / "manifest.json"


def in_set_rules(manifest_path) -> dict[tuple[str, str], object]:
    """Every in-set expectation of every suite, by (table, column)."""
    out = {}
    with use_manifest(manifest_path):
        for layer in ("staging", "marts"):
            for spec in suites(layer):
                for rule in spec.expectations({}):
                    if type(rule).__name__ == "ExpectColumnValuesToBeInSet":
                        out[(spec.table, rule.column)] = rule
    return out


def severity(rule) -> str:
    return str(getattr(rule.severity, "value", rule.severity)).lower()


def test_suites_take_values_and_severity_from_the_dbt_tests(manifest):
    enums = read_accepted_values(manifest)
    rules = in_set_rules(manifest)
    from_dbt = {k: r for k, r in rules.items() if k[1] not in NOT_FROM_DBT}
    assert {k: severity(r) for k, r in from_dbt.items()} == FROM_DBT
    for (table, column), rule in from_dbt.items():
        enum = enums[(table.split(".")[1], column)]
        assert list(rule.value_set) == list(enum.values), (table, column)
        assert (severity(rule) == "warning") == enum.warn
    # the loader's chat events, as staging names them, are the dbt test's list
    events = rules[("staging.stg_chat__events", "event_type")].value_set
    snake = [e.lower().replace(" ", "_").replace("-", "_") for e in CHAT_EVENT_TYPES]
    assert list(events) == snake


def test_a_changed_dbt_test_changes_the_suite(manifest, tmp_path):
    data = json.loads(manifest.read_text())
    for node in data["nodes"].values():
        if (node.get("test_metadata") or {}).get("name") != "accepted_values":
            continue
        if node["attached_node"].endswith(".stg_patreon__members"):
            node["config"]["severity"] = "ERROR"  # the vendor enum made strict
        if node["attached_node"].endswith(".fct_conversations") and (
            node["column_name"] == "resolution_path"
        ):
            node["test_metadata"]["kwargs"]["values"].append("deflected")
    changed = tmp_path / "manifest.json"
    changed.write_text(json.dumps(data))
    rules = in_set_rules(changed)
    assert severity(rules[("staging.stg_patreon__members", "patron_status")]) == "critical"
    assert "deflected" in rules[("marts.fct_conversations", "resolution_path")].value_set

    # a suite whose dbt test is gone says which
    for node in data["nodes"].values():
        if node.get("column_name") == "health_status":
            node["test_metadata"]["name"] = "not_null"
    changed.write_text(json.dumps(data))
    with pytest.raises(ManifestError, match="no accepted_values test on rpt_tracking_health"):
        in_set_rules(changed)


def test_a_missing_manifest_is_a_one_line_error(warehouse, tmp_path):
    missing = tmp_path / "target" / "manifest.json"
    with pytest.raises(CheckpointError, match=f"dbt manifest {missing} does not exist"):
        run_checkpoint(warehouse.path, tables=["marts.fct_conversations"], manifest=missing)
    proc = run(
        [PYTHON, "scripts/run_checkpoint.py", "--database", str(warehouse.path)]
        + ["--manifest", str(missing), "--no-data-docs", "--quiet"],
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: dbt manifest {missing} does not exist")
    assert proc.stderr.count("\n") == 1
