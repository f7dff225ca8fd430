"""scripts/compare_warehouses.py, the check that a refactor leaves every mart value unchanged:
it passes on equal tables (floats differing in their last bits included) and fails on a changed
value, a float off by more than the tolerance, a missing row, a missing column or table."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from compare_warehouses import compare

ROWS = "select i as id, 'k' || i as label, i / 7.0 as ratio from range(50) t(i)"


def make(path: Path, *statements: str) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(f"create table marts.t as {ROWS}")
    con.execute("create table marts.other as select 1 as x")
    for statement in statements:
        con.execute(statement)
    con.close()
    return path


def test_equal_warehouses_compare_equal_despite_float_noise(tmp_path):
    before = make(tmp_path / "before.duckdb")
    after = make(tmp_path / "after.duckdb", "update marts.t set ratio = ratio * (1 + 1e-14)")
    assert compare(before, after, ["marts"]) == []


@pytest.mark.parametrize(
    "change",
    [
        "update marts.t set label = 'changed' where id = 3",
        "update marts.t set ratio = ratio * (1 + 1e-6) where id = 3",
        "delete from marts.t where id = 3",
        "insert into marts.t values (99, 'k99', 1.0)",
        "alter table marts.t drop column label",
        "drop table marts.other",
    ],
)
def test_any_real_difference_is_reported(tmp_path, change):
    before = make(tmp_path / "before.duckdb")
    after = make(tmp_path / "after.duckdb", change)
    (difference,) = compare(before, after, ["marts"])
    assert difference.startswith(("marts.t:", "marts.other:"))
