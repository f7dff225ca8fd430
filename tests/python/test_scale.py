"""The build finishes on a mid-sized site, inside bounded memory and temp space.

The demo and the other tests are too small to show a join whose cost follows the product of its
inputs: ``int_experiment_unit_conversions`` once ran for over 30 minutes at 300 k messages
(20 GB of memory, 44 GB of temp files) pairing every experiment unit with every conversion of
its outcome window. This check generates about 300 k messages (seed 42, four weeks: the case
where DuckDB planned that join), loads them and runs the full ``dbt build`` - models, data
tests (no personal data in any mart included) and unit tests - with DuckDB held to 4 GB of
memory and a 1 GB temp directory: a runaway join fails the build with DuckDB's out-of-memory or
temp-directory-full error instead of running for an hour. Then every model's plan on that
warehouse must be free of joins with no equality that may enumerate more than
``plans.DEFAULT_MAX_PAIRS`` pairs (``scripts/explain_models.py``). Speed itself is the
benchmark's business, not this test's.
"""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from chatperf.plans import DEFAULT_MAX_PAIRS, joins_in_plan, model_joins, unbounded_joins
from chatperf.settings import DUCKDB_BOUNDS
from conftest import PYTHON, ROOT, dbt, load, run

SCALE = {"messages": 300_000, "days": 28, "seed": 42}
BOUNDS = {"CHATPERF_DUCKDB_MEMORY_LIMIT": "4GB", "CHATPERF_DUCKDB_MAX_TEMP_SIZE": "1GB"}


@pytest.fixture(scope="module")
def scale_warehouse(tmp_path_factory):
    work = tmp_path_factory.mktemp("scale")
    landing, db = work / "landing", work / "warehouse.duckdb"
    run(
        [
            PYTHON,
            "scripts/generate_data.py",
            "--out",
            str(landing),
            "--messages",
            str(SCALE["messages"]),
            "--days",
            str(SCALE["days"]),
            "--seed",
            str(SCALE["seed"]),
            "--force",
            "--quiet",
        ]
    )
    load(landing, db)
    build = dbt(["build"], db, check=False, env=BOUNDS)
    # the build's manifest holds every model's compiled SQL; later dbt commands overwrite it
    if (work / "target" / "manifest.json").exists():
        (work / "target" / "manifest.json").replace(work / "build_manifest.json")
    return db, build


def test_dbt_runs_under_the_bounds_the_environment_sets(scale_warehouse):
    db, _ = scale_warehouse
    shown = dbt(
        [
            "show",
            "--inline",
            "select current_setting('memory_limit') as memory_limit,"
            " current_setting('max_temp_directory_size') as max_temp",
            "--output",
            "json",
        ],
        db,
        env=BOUNDS,
    ).stdout
    row = json.loads(shown[shown.index("{") : shown.rindex("}") + 1])["show"][0]
    # DuckDB prints the limits in binary units: 4 GB = 3.7 GiB, 1 GB = 953.6 MiB
    assert (row["memory_limit"], row["max_temp"]) == ("3.7 GiB", "953.6 MiB"), row


def test_full_build_passes_at_300k_messages_in_bounded_memory(scale_warehouse):
    db, build = scale_warehouse
    tail = "\n".join((build.stdout + build.stderr).splitlines()[-40:])
    assert build.returncode == 0, f"dbt build failed at {SCALE['messages']:,} messages:\n{tail}"
    con = duckdb.connect(str(db), read_only=True)
    try:
        messages = con.execute("select count(*) from marts.fct_chat_messages").fetchone()[0]
    finally:
        con.close()
    assert messages > 250_000


def test_no_model_joins_without_a_bounding_equality_at_scale(scale_warehouse):
    db, build = scale_warehouse
    assert build.returncode == 0
    manifest = json.loads((db.parent / "build_manifest.json").read_text())
    models = {
        node["name"]: node["compiled_code"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node.get("compiled_code")
    }
    assert len(models) >= 50
    con = duckdb.connect(str(db), read_only=True)
    try:
        joins = model_joins(con, models)
    finally:
        con.close()
    assert len(joins) > 100
    assert [j.describe() for j in unbounded_joins(joins)] == []


def test_the_plan_check_flags_a_range_join_of_two_event_tables():
    """The guard itself: a time-range join of two big tables is flagged; the same join bounded by
    an equality on the key, or a range join against a handful of rows, is not."""
    con = duckdb.connect()
    con.execute(
        "create table units as select i % 50000 as person_id, timestamp '2026-09-01'"
        " + to_seconds(i * 7) as exposed_at from range(200000) t(i)"
    )
    con.execute(
        "create table conversions as select i % 50000 as person_id, timestamp '2026-09-01'"
        " + to_seconds(i * 11) as converted_at from range(100000) t(i)"
    )
    con.execute("create table few as select * from conversions limit 5")
    window = (
        "conversions.converted_at >= units.exposed_at"
        " and conversions.converted_at < units.exposed_at + interval 30 day"
    )
    models = {
        "runaway": f"select * from units inner join conversions on {window}",
        "keyed": (
            "select * from units inner join conversions"
            f" on units.person_id = conversions.person_id and {window}"
        ),
        "small_side": f"select * from units inner join few as conversions on {window}",
    }
    flagged = {j.model for j in unbounded_joins(model_joins(con, models))}
    con.close()
    assert flagged == {"runaway"}
    assert DEFAULT_MAX_PAIRS < 200_000 * 100_000


def test_plan_reader_takes_the_size_of_an_ungrouped_aggregate_as_one_row():
    plan = [
        {
            "name": "CROSS_PRODUCT",
            "children": [
                {"name": "SEQ_SCAN", "extra_info": {"Estimated Cardinality": "500000"}},
                {
                    "name": "UNGROUPED_AGGREGATE",
                    "children": [
                        {"name": "SEQ_SCAN", "extra_info": {"Estimated Cardinality": "900000"}}
                    ],
                },
            ],
        }
    ]
    (join,) = joins_in_plan("m", plan)
    assert (join.left_rows, join.right_rows) == (500_000, 1)
    assert unbounded_joins([join]) == []


def test_profile_and_scripts_share_the_duckdb_bounds():
    """profiles.yml reads the same environment variables with the same defaults as
    chatperf.settings.DUCKDB_BOUNDS (the scripts' connections)."""

    profile = (ROOT / "profiles.yml").read_text()
    for setting, (env, default) in DUCKDB_BOUNDS.items():
        lines = [x for x in profile.splitlines() if x.strip().startswith(f"{setting}:")]
        wanted = rf"env_var\('{env}', '{re.escape(default)}'\)"
        assert any(re.search(wanted, line) for line in lines), (setting, lines)
