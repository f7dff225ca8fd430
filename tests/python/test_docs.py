"""`dbt docs generate` documents every column of every model, and a metric reads the same
wherever it appears (one docs block per definition)."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from conftest import dbt


@pytest.fixture(scope="module")
def docs(warehouse) -> tuple[dict, dict]:
    dbt(["docs", "generate"], warehouse.path)
    target = warehouse.path.parent / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    return manifest, catalog


def built_models(manifest: dict, catalog: dict):
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] == "model" and unique_id in catalog["nodes"]:
            yield unique_id, node, catalog["nodes"][unique_id]


def test_every_column_of_every_model_is_described(docs):
    manifest, catalog = docs
    missing = []
    checked = 0
    for unique_id, node, entry in built_models(manifest, catalog):
        if not node["description"].strip():
            missing.append(f"{unique_id}: model description")
        described = {name.lower(): c["description"] for name, c in node["columns"].items()}
        for column in entry["columns"]:
            checked += 1
            if not described.get(column.lower(), "").strip():
                missing.append(f"{unique_id}.{column}")
    assert checked > 500
    assert not missing, f"{len(missing)} undocumented: {missing[:20]}"


def test_kpi_columns_share_one_definition(docs):
    """A KPI column carries the same text in every KPI mart: it comes from one docs block."""
    manifest, catalog = docs
    kpi_marts = [
        "model.chat_performance.rpt_chat_kpis_daily",
        "model.chat_performance.rpt_chat_kpis_weekly",
    ]
    texts: dict[str, set[str]] = defaultdict(set)
    for unique_id in kpi_marts:
        for name, column in manifest["nodes"][unique_id]["columns"].items():
            texts[name].add(column["description"].strip())
    assert len(texts) > 40
    differing = {name: t for name, t in texts.items() if len(t) > 1}
    assert not differing, differing
    # and the definition reaches the docs site (rendered, not a raw {{ doc() }} call)
    assert all("{{" not in t for ts in texts.values() for t in ts)


def test_views_per_job_reuse_the_kpi_definitions(docs):
    """A KPI column of the support, sales, community and executive views carries the KPI mart's
    definition (the same docs block, perhaps after a short prefix such as 'Median.')."""
    manifest, _ = docs
    nodes = manifest["nodes"]
    kpis = {
        name: column["description"].strip()
        for name, column in nodes["model.chat_performance.rpt_chat_kpis_daily"]["columns"].items()
        if name not in ("period_start", "channel", "segment_type", "segment_value")
    }
    views = [
        "rpt_support_daily",
        "rpt_sales_chat_daily",
        "rpt_community_weekly",
        "rpt_executive_overview_weekly",
    ]
    checked, differing = 0, {}
    for view in views:
        for name, column in nodes[f"model.chat_performance.{view}"]["columns"].items():
            if name not in kpis:
                continue
            checked += 1
            text = column["description"].strip()
            if kpis[name] not in text and kpis[name].split(". ", 1)[-1] not in text:
                differing[f"{view}.{name}"] = text
    assert checked > 40
    assert not differing, differing
