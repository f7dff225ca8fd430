"""Text formats of values in the landing files: ISO-8601 times, money, booleans."""

from __future__ import annotations

import datetime as dt

import numpy as np

from chatperf.generator.constants import MS_MINUTE


def offset_minutes(label: str) -> int:
    if label == "Z":
        return 0
    sign = -1 if label[0] == "-" else 1
    hours, minutes = label[1:].split(":")
    return sign * (int(hours) * 60 + int(minutes))


class TimeFormat:
    """Fast ISO-8601 formatting of epoch milliseconds (dates cached)."""

    __slots__ = ("_dates", "_minutes")

    def __init__(self) -> None:
        self._dates: dict[int, str] = {}
        self._minutes: dict[int, str] = {}

    def date(self, day_no: int) -> str:
        s = self._dates.get(day_no)
        if s is None:
            s = (dt.date(1970, 1, 1) + dt.timedelta(days=day_no)).isoformat()
            self._dates[day_no] = s
        return s

    def local(self, ms: int, offset_min: int, suffix: str) -> str:
        """``2026-09-01T12:00:03.250+02:00`` for the instant ``ms`` seen at ``offset_min``."""
        minute, rest = divmod(ms + offset_min * MS_MINUTE, MS_MINUTE)
        prefix = self._minutes.get(minute)
        if prefix is None:
            if len(self._minutes) > 200_000:
                self._minutes.clear()
            day, mod = divmod(minute, 1440)
            prefix = f"{self.date(day)}T{mod // 60:02d}:{mod % 60:02d}:"
            self._minutes[minute] = prefix
        s, milli = divmod(rest, 1000)
        return f"{prefix}{s:02d}.{milli:03d}{suffix}"

    def z(self, ms: int) -> str:
        return self.local(ms, 0, "Z")

    def local_s(self, ms: int, offset_min: int, suffix: str) -> str:
        """Like :meth:`local` without milliseconds: ``2026-09-01T08:00:03-04:00``."""
        secs = (ms + offset_min * MS_MINUTE) // 1000
        day, sod = divmod(secs, 86_400)
        h, rem = divmod(sod, 3600)
        m, s = divmod(rem, 60)
        return f"{self.date(day)}T{h:02d}:{m:02d}:{s:02d}{suffix}"

    def naive(self, ms: int) -> str:
        """Fivetran/Stripe style ``2026-09-01 10:00:04`` (UTC, no offset)."""
        secs = ms // 1000
        day, sod = divmod(secs, 86_400)
        h, rem = divmod(sod, 3600)
        m, s = divmod(rem, 60)
        return f"{self.date(day)} {h:02d}:{m:02d}:{s:02d}"


def iso_z_array(ms: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms", timezone="UTC")


def money(x: float) -> str:
    return f"{x:.2f}"


def bool_text(x: bool) -> str:
    return "true" if x else "false"


def add_month(ms: int) -> int:
    """The same instant a calendar month later (days past the 28th become the 28th)."""
    d = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
    y, m = (d.year, d.month + 1) if d.month < 12 else (d.year + 1, 1)
    day = min(d.day, 28)
    return int(d.replace(year=y, month=m, day=day).timestamp() * 1000)
