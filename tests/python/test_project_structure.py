"""Our own project evaluator (the dbt package hub is out of reach, so no dbt-project-evaluator):
it reads the `manifest.json` of a `dbt parse` and fails on

- layer violations: an intermediate model that reads a mart; a mart that reads a staging model
  or a source directly (marts read staging only through intermediates); a staging model that
  reads anything but sources, seeds and staging; `source()` outside staging; a model outside
  models/staging, models/intermediate and models/marts;
- a model without a grain test: `unique` and `not_null` on one column, or the project's
  `unique_combination_of_columns` (or an entry in GRAIN_EXEMPTIONS, with its reason);
- an undocumented model, a model that declares no column, or a declared column without a
  description. (That every column the warehouse holds is declared is checked against the built
  catalog by test_docs.py, which needs a built warehouse; this file needs none.)

Each rule is shown failing on a small synthetic manifest, so none of them is a check that
cannot fail. The real project is parsed once (see the `manifest` fixture).
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

from conftest import DBT, ROOT, run

PROJECT = "chat_performance"
LAYERS = ("staging", "intermediate", "marts")

# Models that may go without a grain test, each with the reason. Empty today: every model has one.
GRAIN_EXEMPTIONS: dict[str, str] = {}

GRAIN_TESTS = {"unique", "not_null", "unique_combination_of_columns"}


def layer_of(node: dict) -> str | None:
    """staging / intermediate / marts from the model's folder, None outside the three."""
    path = node["original_file_path"].replace("\\", "/")
    for layer in LAYERS:
        if path.startswith(f"models/{layer}/"):
            return layer
    return None


def kind_of(unique_id: str, manifest: dict) -> str:
    """What a dependency is: source, seed, snapshot, or the layer of a model."""
    resource_type = unique_id.split(".", 1)[0]
    if resource_type == "model":
        return layer_of(manifest["nodes"][unique_id]) or "model outside the layers"
    return resource_type


def layer_violations(manifest: dict) -> list[str]:
    found = []
    for _, node in project_models(manifest):
        layer = layer_of(node)
        if layer is None:
            found.append(f"{node['name']}: not under models/staging, intermediate or marts")
            continue
        for parent in sorted(set(node["depends_on"]["nodes"])):
            kind = kind_of(parent, manifest)
            name = parent.split(".")[-1] if kind != "source" else ".".join(parent.split(".")[-2:])
            if layer == "intermediate" and kind == "marts":
                found.append(f"{node['name']}: intermediate reads mart {name}")
            elif layer == "marts" and kind in ("staging", "source"):
                found.append(f"{node['name']}: mart reads {kind} {name} directly")
            elif layer == "staging" and kind not in ("source", "seed", "staging"):
                found.append(f"{node['name']}: staging reads {kind} {name}")
            elif layer == "intermediate" and kind == "source":
                found.append(f"{node['name']}: source() outside staging ({name})")
    return found


def grain_violations(manifest: dict, exemptions: dict[str, str] | None = None) -> list[str]:
    exemptions = GRAIN_EXEMPTIONS if exemptions is None else exemptions
    tests: dict[str, list[tuple[str, str | None]]] = {}
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        if node["resource_type"] == "test" and metadata.get("name") in GRAIN_TESTS:
            attached = node.get("attached_node") or next(iter(node["depends_on"]["nodes"]), None)
            tests.setdefault(attached, []).append((metadata["name"], node.get("column_name")))
    found = []
    for unique_id, node in project_models(manifest):
        if node["name"] in exemptions:
            continue
        attached = tests.get(unique_id, [])
        unique = {column for name, column in attached if name == "unique"}
        not_null = {column for name, column in attached if name == "not_null"}
        combination = any(name == "unique_combination_of_columns" for name, _ in attached)
        if not (unique & not_null) and not combination:
            found.append(
                f"{node['name']}: no grain test (unique + not_null on a column, or "
                "unique_combination_of_columns)"
            )
    return found


def doc_violations(manifest: dict) -> list[str]:
    found = []
    for _, node in project_models(manifest):
        if not node["description"].strip():
            found.append(f"{node['name']}: no model description")
        if not node["columns"]:
            found.append(f"{node['name']}: no column declared in its yml")
        for column_name, column in node["columns"].items():
            if not column["description"].strip():
                found.append(f"{node['name']}.{column_name}: no description")
    return found


def project_models(manifest: dict):
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] == "model" and node.get("package_name", PROJECT) == PROJECT:
            yield unique_id, node


def violations(manifest: dict) -> list[str]:
    return layer_violations(manifest) + grain_violations(manifest) + doc_violations(manifest)


# --- the real project ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifest() -> dict:
    """The project's manifest: CHATPERF_MANIFEST (a manifest.json already compiled) when set,
    else a `dbt parse` into target/project_structure (git-ignored; partial parsing makes a
    re-run with few changed files take seconds, the first one about 15 s)."""
    if os.environ.get("CHATPERF_MANIFEST"):
        return json.loads(Path(os.environ["CHATPERF_MANIFEST"]).read_text())
    out = ROOT / "target" / "project_structure"
    run(
        [DBT, "parse", "--target-path", str(out / "target"), "--log-path", str(out / "logs")],
        env={
            "DBT_PROFILES_DIR": str(ROOT),
            "CHATPERF_DUCKDB_PATH": str(out / "parse.duckdb"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
    )
    return json.loads((out / "target" / "manifest.json").read_text())


def test_the_project_parses_into_all_three_layers(manifest):
    layers = {layer_of(node) for _, node in project_models(manifest)}
    assert layers == set(LAYERS)
    assert sum(1 for _ in project_models(manifest)) > 50


def test_no_layer_violations(manifest):
    found = layer_violations(manifest)
    assert not found, "\n".join(found)


def test_every_model_has_a_grain_test(manifest):
    found = grain_violations(manifest)
    assert not found, "\n".join(found)
    names = {node["name"] for _, node in project_models(manifest)}
    assert set(GRAIN_EXEMPTIONS) <= names, "an exemption names a model that no longer exists"


def test_every_model_and_declared_column_is_described(manifest):
    found = doc_violations(manifest)
    assert not found, "\n".join(found)


# --- the checker catches each rule (synthetic manifests) -------------------------------------


def model(name: str, layer: str, parents: list[str] = (), columns: dict | None = None) -> dict:
    return {
        "resource_type": "model",
        "package_name": PROJECT,
        "name": name,
        "original_file_path": f"models/{layer}/area/{name}.sql",
        "description": f"{name} described.",
        "columns": {"id": {"description": "The key."}} if columns is None else columns,
        "depends_on": {"nodes": list(parents)},
    }


def grain_test(test: str, model_id: str, column: str | None = "id") -> dict:
    return {
        "resource_type": "test",
        "test_metadata": {"name": test},
        "attached_node": model_id,
        "column_name": column,
        "depends_on": {"nodes": [model_id]},
    }


def clean_manifest() -> dict:
    """A tiny project in the three layers that breaks no rule."""
    src = f"source.{PROJECT}.crm.contacts"
    nodes = {
        f"model.{PROJECT}.stg_crm__contacts": model("stg_crm__contacts", "staging", [src]),
        f"model.{PROJECT}.int_contacts_enriched": model(
            "int_contacts_enriched",
            "intermediate",
            [f"model.{PROJECT}.stg_crm__contacts", f"seed.{PROJECT}.fx_rates"],
        ),
        f"model.{PROJECT}.fct_contacts": model(
            "fct_contacts", "marts", [f"model.{PROJECT}.int_contacts_enriched"]
        ),
        f"model.{PROJECT}.rpt_contacts_daily": model(
            "rpt_contacts_daily", "marts", [f"model.{PROJECT}.fct_contacts"]
        ),
    }
    for name in ("stg_crm__contacts", "int_contacts_enriched", "fct_contacts"):
        for test in ("unique", "not_null"):
            nodes[f"test.{PROJECT}.{test}_{name}"] = grain_test(test, f"model.{PROJECT}.{name}")
    nodes[f"test.{PROJECT}.combo_rpt"] = grain_test(
        "unique_combination_of_columns", f"model.{PROJECT}.rpt_contacts_daily", None
    )
    return {"nodes": nodes, "sources": {src: {"resource_type": "source"}}}


def with_change(change) -> list[str]:
    manifest = copy.deepcopy(clean_manifest())
    change(manifest["nodes"])
    return violations(manifest)


def test_the_clean_synthetic_project_passes():
    assert violations(clean_manifest()) == []


def test_catches_an_intermediate_reading_a_mart():
    def change(nodes):
        nodes[f"model.{PROJECT}.int_contacts_enriched"]["depends_on"]["nodes"].append(
            f"model.{PROJECT}.fct_contacts"
        )

    assert with_change(change) == ["int_contacts_enriched: intermediate reads mart fct_contacts"]


def test_catches_a_mart_reading_staging_or_a_source():
    def change(nodes):
        nodes[f"model.{PROJECT}.rpt_contacts_daily"]["depends_on"]["nodes"] += [
            f"model.{PROJECT}.stg_crm__contacts",
            f"source.{PROJECT}.crm.contacts",
        ]

    assert sorted(with_change(change)) == [
        "rpt_contacts_daily: mart reads source crm.contacts directly",
        "rpt_contacts_daily: mart reads staging stg_crm__contacts directly",
    ]


def test_catches_staging_reading_beyond_sources_seeds_and_staging():
    def change(nodes):
        nodes[f"model.{PROJECT}.stg_crm__contacts"]["depends_on"]["nodes"].append(
            f"model.{PROJECT}.int_contacts_enriched"
        )

    assert with_change(change) == [
        "stg_crm__contacts: staging reads intermediate int_contacts_enriched"
    ]


def test_catches_source_outside_staging_and_a_model_outside_the_layers():
    def change(nodes):
        nodes[f"model.{PROJECT}.int_contacts_enriched"]["depends_on"]["nodes"].append(
            f"source.{PROJECT}.crm.contacts"
        )
        nodes[f"model.{PROJECT}.rpt_contacts_daily"]["original_file_path"] = "models/rpt.sql"

    assert sorted(with_change(change)) == [
        "int_contacts_enriched: source() outside staging (crm.contacts)",
        "rpt_contacts_daily: not under models/staging, intermediate or marts",
    ]


def test_catches_a_model_without_a_grain_test():
    def drop_not_null(nodes):
        del nodes[f"test.{PROJECT}.not_null_fct_contacts"]  # unique alone is not a grain

    def drop_combination(nodes):
        del nodes[f"test.{PROJECT}.combo_rpt"]

    assert with_change(drop_not_null) == [
        "fct_contacts: no grain test (unique + not_null on a column, or "
        "unique_combination_of_columns)"
    ]
    assert len(with_change(drop_combination)) == 1
    manifest = clean_manifest()
    del manifest["nodes"][f"test.{PROJECT}.combo_rpt"]
    assert grain_violations(manifest, {"rpt_contacts_daily": "a reason"}) == []


def test_catches_an_undocumented_model_or_column():
    def change(nodes):
        nodes[f"model.{PROJECT}.fct_contacts"]["description"] = "  "
        nodes[f"model.{PROJECT}.int_contacts_enriched"]["columns"]["id"]["description"] = ""
        nodes[f"model.{PROJECT}.rpt_contacts_daily"]["columns"] = {}

    assert sorted(with_change(change)) == [
        "fct_contacts: no model description",
        "int_contacts_enriched.id: no description",
        "rpt_contacts_daily: no column declared in its yml",
    ]
