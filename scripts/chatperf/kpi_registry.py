"""The KPI registry, read from the one place it is written: ``macros/kpi_registry.sql``.

dbt reads the registry through the ``kpi_registry()`` macro; Python reads the same YAML text,
which the macro file holds between the ``# kpi-registry:begin`` and ``# kpi-registry:end``
lines. Nothing here restates a formula: the Great Expectations bounds (``chatperf.quality``) and
the tests take the rates (numerator / denominator), duration statistics, units and valid ranges
from this module.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
REGISTRY_FILE = ROOT / "macros" / "kpi_registry.sql"
_BLOCK = re.compile(r"^# kpi-registry:begin\n(.*?)^# kpi-registry:end$", re.S | re.M)


@dataclass(frozen=True)
class Rate:
    name: str
    label: str
    numerator: str
    denominator: str
    unit: str
    valid_range: tuple[float | None, float | None]
    docs: str
    trend: bool = False
    semantic_metric: str | None = None


@dataclass(frozen=True)
class Duration:
    name: str
    label: str
    column: str
    source: str
    statistics: tuple[str, ...]
    unit: str
    valid_range: tuple[float | None, float | None]
    docs: str
    only_when: str | None = None
    trend_statistics: tuple[str, ...] = ()
    semantic_metrics: tuple[tuple[str, str], ...] = ()

    def columns(self) -> dict[str, str]:
        """{mart column: statistic}, e.g. {'p50_resolution_seconds': 'p50', ...}."""
        return {f"{s}_{self.name}_seconds": s for s in self.statistics}


@dataclass(frozen=True)
class Registry:
    rates: tuple[Rate, ...]
    durations: tuple[Duration, ...]

    def rate(self, name: str) -> Rate:
        for rate in self.rates:
            if rate.name == name:
                return rate
        raise KeyError(f"no rate named {name!r} in the KPI registry ({REGISTRY_FILE})")

    def valid_ranges(self) -> dict[str, tuple[float | None, float | None]]:
        """{KPI mart column: (min, max)} for every rate and duration statistic, plus the
        rolling (``_7d``, ``_28d``) columns of the trends (week-over-week deltas are signed)."""
        out: dict[str, tuple[float | None, float | None]] = {}
        for rate in self.rates:
            out[rate.name] = rate.valid_range
            if rate.trend:
                out[f"{rate.name}_7d"] = out[f"{rate.name}_28d"] = rate.valid_range
        for duration in self.durations:
            for column, statistic in duration.columns().items():
                out[column] = duration.valid_range
                if statistic in duration.trend_statistics:
                    out[f"{column}_7d"] = out[f"{column}_28d"] = duration.valid_range
        return out


def _range(value) -> tuple[float | None, float | None]:
    low, high = value
    return low, high


def parse(text: str) -> Registry:
    """The registry from the text of ``macros/kpi_registry.sql``."""
    found = _BLOCK.search(text)
    if not found:
        raise ValueError(
            f"no '# kpi-registry:begin' ... '# kpi-registry:end' block in {text[:80]!r}"
        )
    data = yaml.safe_load(found.group(1))
    rates = tuple(
        Rate(
            name=r["name"],
            label=r["label"],
            numerator=r["numerator"],
            denominator=r["denominator"],
            unit=r["unit"],
            valid_range=_range(r["valid_range"]),
            docs=r["docs"],
            trend=bool(r.get("trend", False)),
            semantic_metric=r.get("semantic_metric"),
        )
        for r in data["rates"]
    )
    durations = tuple(
        Duration(
            name=d["name"],
            label=d["label"],
            column=d["column"],
            source=d["source"],
            statistics=tuple(d["statistics"]),
            unit=d["unit"],
            valid_range=_range(d["valid_range"]),
            docs=d["docs"],
            only_when=d.get("only_when"),
            trend_statistics=tuple(d.get("trend_statistics", ())),
            semantic_metrics=tuple(sorted(d.get("semantic_metrics", {}).items())),
        )
        for d in data["durations"]
    )
    return Registry(rates, durations)


@functools.cache
def registry() -> Registry:
    return parse(REGISTRY_FILE.read_text())
