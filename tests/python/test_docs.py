"""`dbt docs generate` documents every column of every model, and a metric reads the same
wherever it appears (one docs block per definition)."""

from __future__ import annotations

import ast
import json
import re
from collections import defaultdict

import pytest
import yaml

from conftest import ROOT, dbt


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


DASHBOARD = ROOT / "scripts" / "dashboard"
PAGE_EXPOSURES = {
    "app.py": "dashboard_overview",
    "pages/1_Support.py": "dashboard_support",
    "pages/2_Sales.py": "dashboard_sales",
    "pages/3_Community.py": "dashboard_community",
    "pages/4_Experiments.py": "dashboard_experiments",
}
TABLE_REF = re.compile(r"\b(?:marts|seeds)\.([a-z_]+)")


def tables_read(tree: ast.AST) -> set[str]:
    return {
        m.group(1)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        for m in TABLE_REF.finditer(node.value)
    }


def common_tables() -> dict[str, set[str]]:
    """Per function of common.py: the tables it reads, through the helpers it calls too."""
    tree = ast.parse((DASHBOARD / "common.py").read_text())
    funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    calls = {
        name: {
            c.func.id
            for c in ast.walk(fn)
            if isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id in funcs
        }
        - {name}
        for name, fn in funcs.items()
    }
    reads = {name: tables_read(fn) for name, fn in funcs.items()}
    changed = True
    while changed:  # transitive closure over the helpers' calls
        changed = False
        for name, callees in calls.items():
            extra = set().union(*(reads[c] for c in callees)) - reads[name] if callees else set()
            if extra:
                reads[name] |= extra
                changed = True
    return reads


def test_exposures_declare_every_mart_a_dashboard_page_reads():
    """Lineage in the docs is true: each page's exposure lists every table the page queries,
    its own SQL and that of the shared helpers it calls (the sidebar filters, the trend row)."""
    exposures = {
        e["name"]: {re.search(r"ref\('(\w+)'\)", d).group(1) for d in e["depends_on"]}
        for e in yaml.safe_load((ROOT / "models" / "exposures.yml").read_text())["exposures"]
    }
    helpers = common_tables()
    missing = {}
    for page, exposure in PAGE_EXPOSURES.items():
        tree = ast.parse((DASHBOARD / page).read_text())
        used = {
            c.func.id
            for c in ast.walk(tree)
            if isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id in helpers
        }
        read = tables_read(tree).union(*(helpers[h] for h in used))
        assert read, page
        if read - exposures[exposure]:
            missing[exposure] = sorted(read - exposures[exposure])
    assert not missing, missing
