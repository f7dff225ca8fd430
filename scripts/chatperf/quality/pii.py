"""Personal-data patterns and a scanner for text values.

The patterns live once, as vars in ``dbt_project.yml`` (``pii_email_pattern``,
``pii_phone_pattern``, ``pii_card_pattern``), so the ``no_pii`` dbt test, the Great
Expectations privacy expectations and the pytest scanner agree. They are RE2-compatible (no
look-around) so that DuckDB, Spark and Python all read them the same way. A card candidate
(13-19 digits, spaces or dashes allowed) only counts when it passes the Luhn check, which keeps
long numeric ids from raising false alarms in Python; SQL cannot run Luhn portably, so the dbt
test is the stricter of the two.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
KINDS = ("email", "phone", "card")


@cache
def patterns(project_file: str | None = None) -> dict[str, str]:
    """The three patterns as written in dbt_project.yml's vars, by kind."""
    path = Path(project_file) if project_file else ROOT / "dbt_project.yml"
    project_vars = yaml.safe_load(path.read_text())["vars"]
    return {kind: project_vars[f"pii_{kind}_pattern"] for kind in KINDS}


@cache
def _compiled() -> dict[str, re.Pattern[str]]:
    return {kind: re.compile(p, re.ASCII) for kind, p in patterns().items()}


def luhn_ok(candidate: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    digits = [int(c) for c in candidate if c.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def find_pii(text: str | None) -> list[str]:
    """The kinds of personal data found in a text value ('email', 'phone', 'card')."""
    if not text:
        return []
    found = []
    compiled = _compiled()
    if compiled["email"].search(text):
        found.append("email")
    if any(luhn_ok(m.group(0)) for m in compiled["card"].finditer(text)):
        found.append("card")
    if compiled["phone"].search(text) and not ("card" in found and not _phone_outside_cards(text)):
        found.append("phone")
    return found


def _phone_outside_cards(text: str) -> bool:
    """Whether a phone match remains once card numbers are blanked out."""
    blanked = _compiled()["card"].sub(" ", text)
    return bool(_compiled()["phone"].search(blanked))
