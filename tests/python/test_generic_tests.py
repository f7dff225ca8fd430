"""Our own generic dbt tests (macros/generic_tests/) can fail: each one, applied to seeds with
bad rows in a throwaway dbt project, fails with the failure count worked out by hand, and
passes on good rows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from conftest import DBT, ROOT, run

FIXTURE = ROOT / "tests" / "fixtures" / "generic_tests"

# test name prefix -> failures on gt_bad (see the comments in the fixture's _seeds.yml)
EXPECTED_BAD = {
    "unique_combination_of_columns_gt_bad": 2,
    "expression_is_true_gt_bad": 2,
    "mutually_exclusive_gt_bad": 2,
    "equal_row_count_gt_bad": 1,
    "row_count_between_gt_bad": 1,
    "no_pii_gt_bad_.": 4,  # the model-level scan (its name ends in '_')
    "value_between_gt_bad_rate": 2,
    "recency_gt_bad_happened_at": 1,
    "no_pii_gt_bad_note": 4,
}


def make_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    shutil.copytree(ROOT / "macros", project / "macros")
    repo = yaml.safe_load((ROOT / "dbt_project.yml").read_text())
    (project / "dbt_project.yml").write_text(
        yaml.safe_dump(
            {
                # the macros dispatch in the chat_performance namespace
                "name": "chat_performance",
                "version": "0.1.0",
                "config-version": 2,
                "profile": "chat_performance",
                "seed-paths": ["seeds"],
                "macro-paths": ["macros"],
                "flags": {"send_anonymous_usage_stats": False},
                "vars": repo["vars"],
            }
        )
    )
    (project / "profiles.yml").write_text(
        yaml.safe_dump(
            {
                "chat_performance": {
                    "target": "dev",
                    "outputs": {
                        "dev": {"type": "duckdb", "path": str(tmp_path / "gt.duckdb"), "threads": 1}
                    },
                }
            }
        )
    )
    return project


def test_every_generic_test_fails_on_bad_rows_and_passes_on_good_ones(tmp_path):
    project = make_project(tmp_path)
    proc = run(
        [DBT, "build", "--project-dir", str(project), "--profiles-dir", str(project)]
        + ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        check=False,
    )
    assert proc.returncode == 1, proc.stdout[-3000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    tests = {
        r["unique_id"].split(".")[2]: (r["status"], r["failures"])
        for r in results
        if r["unique_id"].startswith("test.")
    }

    def find(prefix: str) -> tuple[str, int]:
        if prefix.endswith("_."):  # the model-level test: exactly '<prefix>'
            return tests[prefix[:-1]]
        matches = [name for name in tests if name.startswith(prefix)]
        assert len(matches) == 1, (prefix, sorted(tests))
        return tests[matches[0]]

    for prefix, failures in EXPECTED_BAD.items():
        assert find(prefix) == ("fail", failures), prefix

    assert find("no_pii_gt_bad_part") == ("pass", 0)
    good = {name: outcome for name, outcome in tests.items() if "_gt_bad" not in name}
    assert len(good) == 8
    assert all(outcome == ("pass", 0) for outcome in good.values()), good
    # every generic test of ours is exercised here
    ours = {p.stem for p in (ROOT / "macros" / "generic_tests").glob("*.sql")}
    exercised = {name for name in ours if any(t.startswith(name + "_gt_bad") for t in tests)}
    assert exercised == ours
