"""Number formats of the dashboard (shared with the browser check, which needs no Streamlit)."""

from __future__ import annotations

import math


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_money(value: float | None, currency: str = "USD") -> str:
    if _missing(value):
        return "n/a"
    return f"{value:,.2f} {currency}"


def fmt_rate(value: float | None) -> str:
    if _missing(value):
        return "n/a"
    return f"{value * 100:.1f}%"


def fmt_count(value: float | None) -> str:
    if _missing(value):
        return "n/a"
    return f"{value:,.0f}"


def fmt_seconds(value: float | None) -> str:
    if _missing(value):
        return "n/a"
    value = float(value)
    if value < 90:
        return f"{value:.0f} s"
    if value < 5400:
        return f"{value / 60:.1f} min"
    return f"{value / 3600:.1f} h"


def fmt_number(value: float | None, digits: int = 2) -> str:
    if _missing(value):
        return "n/a"
    return f"{value:,.{digits}f}"


def fmt_points(delta: float | None) -> str:
    """A rate delta in percentage points."""
    if _missing(delta):
        return "n/a"
    return f"{delta * 100:+.1f} pts"


FORMATS = {
    "money": fmt_money,
    "rate": fmt_rate,
    "count": fmt_count,
    "seconds": fmt_seconds,
    "number": fmt_number,
}
