"""Every macro of macros/ is described, with each of its arguments, in a macros/**/_*.yml of its
folder (one property file per topic). No dbt needed: the signatures are read from the SQL."""

from __future__ import annotations

import re

import yaml

from conftest import ROOT

SIGNATURE = re.compile(r"\{%-?\s*(macro|test)\s+(\w+)\(([^)]*)\)")


def arguments(text: str) -> list[str]:
    """The argument names of a signature (defaults may hold commas inside quotes or brackets)."""
    names, depth, quote, current = [], 0, None, ""
    for ch in text + ",":
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "," and depth == 0:
            if current.strip():
                names.append(current.split("=")[0].strip())
            current = ""
            continue
        current += ch
    return names


def test_every_macro_and_argument_is_described_in_its_folder():
    problems = []
    for sql in sorted((ROOT / "macros").rglob("*.sql")):
        documented = {}
        for yml in sql.parent.glob("_*.yml"):
            for entry in yaml.safe_load(yml.read_text()).get("macros", []):
                documented[entry["name"]] = entry
        for kind, name, args in SIGNATURE.findall(sql.read_text()):
            key = f"test_{name}" if kind == "test" else name
            entry = documented.get(key)
            if not entry or not entry.get("description"):
                problems.append(f"{sql.relative_to(ROOT)}: {key} is not described")
                continue
            described = {a["name"]: a.get("description") for a in entry.get("arguments", [])}
            for arg in arguments(args):
                if not described.get(arg):
                    problems.append(f"{sql.relative_to(ROOT)}: {key}({arg}) is not described")
    assert problems == []
