#!/usr/bin/env python3
"""Compare every table of some schemas in two DuckDB warehouses, column by column and row by row.

For a refactor that must not change numbers: build the same landing data before and after the
change, then

    python scripts/compare_warehouses.py before.duckdb after.duckdb            # marts
    python scripts/compare_warehouses.py a.duckdb b.duckdb --schemas marts intermediate

Rows are paired in sorted order and compared column by column: exactly, except floating-point
columns, which agree within --tolerance relative (DuckDB sums doubles in parallel, so the order
of the additions, and with it the last bits of a mean or a variance, changes from run to run).
A table or column present in one warehouse only is a difference too.

Exit codes: 0 identical, 1 differences (one line each), 2 usage or database error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}


def _tables(con, catalog: str, schemas: list[str]) -> dict[tuple[str, str], dict[str, str]]:
    rows = con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns"
        " where table_catalog = ? and table_schema in (select unnest(?))"
        " order by table_schema, table_name, ordinal_position",
        [catalog, schemas],
    ).fetchall()
    tables: dict[tuple[str, str], dict[str, str]] = {}
    for schema, table, column, dtype in rows:
        tables.setdefault((schema, table), {})[column] = dtype
    return tables


def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _same(column: str, dtype: str, tolerance: float) -> str:
    """SQL: the column is equal in both rows; floats within a relative tolerance."""
    a, b = f"a.{_quote(column)}", f"b.{_quote(column)}"
    if dtype.upper() not in FLOAT_TYPES:
        return f"{a} is not distinct from {b}"
    return (
        f"({a} is not distinct from {b} or (isnan({a}) and isnan({b}))"
        f" or abs({a} - {b}) <= {tolerance} * greatest(abs({a}), abs({b}), 1e-6))"
    )


def compare(before: Path, after: Path, schemas: list[str], tolerance: float = 1e-9) -> list[str]:
    """One line per difference between the two warehouses' tables in ``schemas``.

    Rows are paired in the order of their non-float columns (then their floats), and every
    column must be equal, floats within ``tolerance`` relative to the larger magnitude.
    """
    con = duckdb.connect()
    # Attached under their own names (the file stems) when they differ, so that views, which
    # dbt-duckdb writes with the database name in them, resolve in both.
    first, second = before.stem, after.stem
    if first == second:
        first, second = "before", "after"
    con.execute(f"attach '{before}' as {_quote(first)} (read_only)")
    con.execute(f"attach '{after}' as {_quote(second)} (read_only)")
    left, right = _tables(con, first, schemas), _tables(con, second, schemas)
    differences = []
    for key in sorted(set(left) | set(right)):
        name = ".".join(key)
        if key not in right or key not in left:
            where = "before" if key in left else "after"
            differences.append(f"{name}: only in the {where} warehouse")
            continue
        columns = left[key]
        if list(columns) != list(right[key]):
            only_a = sorted(set(columns) - set(right[key]))
            only_b = sorted(set(right[key]) - set(columns))
            differences.append(
                f"{name}: columns differ (before only {only_a}, after only {only_b})"
            )
            continue
        exact = [c for c, t in columns.items() if t.upper() not in FLOAT_TYPES]
        floats = [c for c, t in columns.items() if t.upper() in FLOAT_TYPES]
        order = ", ".join(_quote(c) for c in exact + floats)
        table = f"{_quote(key[0])}.{_quote(key[1])}"

        def numbered(catalog: str, table=table, order=order) -> str:
            return (
                f"select *, row_number() over (order by {order}) as _row"
                f" from {_quote(catalog)}.{table}"
            )

        same = " and ".join(_same(c, t, tolerance) for c, t in columns.items())
        count_a, count_b, unequal = con.execute(
            f"with a as ({numbered(first)}), b as ({numbered(second)})"
            " select count(a._row), count(b._row),"
            f" count(*) filter (where a._row is null or b._row is null or not ({same}))"
            " from a full outer join b on a._row = b._row"
        ).fetchone()
        if unequal:
            differences.append(
                f"{name}: {count_a:,} rows before, {count_b:,} after; {unequal:,} rows differ"
            )
    con.close()
    return differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--schemas", nargs="+", default=["marts"], help="default: marts")
    parser.add_argument(
        "--tolerance", type=float, default=1e-9, help="relative tolerance of float columns"
    )
    args = parser.parse_args(argv)
    for path in (args.before, args.after):
        if not path.is_file():
            print(f"error: {path} does not exist", file=sys.stderr)
            return 2
    try:
        differences = compare(args.before, args.after, args.schemas, args.tolerance)
    except duckdb.Error as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    for line in differences:
        print(line)
    if differences:
        print(f"{len(differences)} table(s) differ")
        return 1
    print(f"identical: every table of {', '.join(args.schemas)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
