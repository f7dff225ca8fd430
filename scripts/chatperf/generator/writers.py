"""Output files with row accounting: the landing folder, CSV and JSONL day files, and the
hourly buckets that hold chat event lines until their ``receivedAt`` hour is written."""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np

from chatperf.generator.constants import MS_HOUR
from chatperf.landing_spec import Table


def file_name(table: Table, key: str) -> str:
    """``<prefix>_<key>.<ext>``: the contract's prefix (or a default), an underscore, the key."""
    prefix = table.prefix or {"chat_events": "events", "chat_message_export": "export"}.get(
        table.name, table.name
    )
    sep = "" if prefix.endswith("_") else "_"
    ext = "jsonl" if table.name == "chat_events" else "csv"
    return f"{prefix}{sep}{key}.{ext}"


EMAIL_COLUMNS = frozenset(("email", "Email", "receipt_email", "visitor_email", "property_email"))


class Landing:
    """Writes landing files and remembers, per file, rows / malformed / expected quarantine."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.files: dict[str, dict[str, int]] = {}
        self.table_rows: dict[str, int] = defaultdict(int)
        # planted mess as written, row by row, per table (for the manifest; data unchanged)
        self.email_variant_rows: dict[str, int] = defaultdict(int)
        self.test_mode_rows: dict[str, int] = defaultdict(int)

    def rel(self, table: Table, key: str) -> str:
        return f"{table.folder}/{file_name(table, key)}"

    def _account(self, table: Table, rel: str, rows: int, malformed: int, quarantine: int):
        entry = self.files.setdefault(
            rel, {"rows": 0, "malformed": 0, "expected_quarantine": 0, "table": 0}
        )
        entry["rows"] += rows
        entry["malformed"] += malformed
        entry["expected_quarantine"] += quarantine
        self.table_rows[table.name] += rows

    def open_csv(self, table: Table, key: str) -> CsvFile:
        return CsvFile(self, table, key)

    def write_csv(self, table: Table, key: str, rows: list[list]) -> None:
        self._count_planted(table, rows)
        f = self.open_csv(table, key)
        f.rows(rows)
        f.close()

    def _count_planted(self, table: Table, rows: list[list]) -> None:
        """Rows whose email is not in its normal form (case, surrounding whitespace), and
        test-mode rows (Stripe livemode false, Shopify test true)."""
        names = table.column_names
        emails = [i for i, n in enumerate(names) if n in EMAIL_COLUMNS]
        live = names.index("livemode") if "livemode" in names else None
        test = names.index("test") if "test" in names else None
        for row in rows:
            if any(
                isinstance(row[i], str) and "@" in row[i] and row[i] != row[i].strip().lower()
                for i in emails
            ):
                self.email_variant_rows[table.name] += 1
            if (live is not None and str(row[live]).lower() == "false") or (
                test is not None and str(row[test]).lower() == "true"
            ):
                self.test_mode_rows[table.name] += 1

    def open_jsonl(self, table: Table, key: str) -> JsonlFile:
        return JsonlFile(self, table, key)

    def manifest_files(self) -> dict[str, dict[str, int]]:
        return {
            rel: {k: v for k, v in entry.items() if k != "table"}
            for rel, entry in sorted(self.files.items())
        }


class CsvFile:
    def __init__(self, landing: Landing, table: Table, key: str) -> None:
        self.landing, self.table = landing, table
        self.rel = landing.rel(table, key)
        path = landing.out / self.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\n")
        self.writer.writerow(table.column_names)
        self.n = 0
        self.malformed = 0
        landing._account(table, self.rel, 0, 0, 0)

    def rows(self, rows: list) -> None:
        self.writer.writerows(rows)
        self.n += len(rows)

    def rows_counted(self, rows, count: int) -> None:
        self.writer.writerows(rows)
        self.n += count

    def plain_rows(self, rows, count: int) -> None:
        """Rows of strings that need no quoting (ids, ISO times, catalog URLs): joined
        directly, which gives the same bytes as the csv module, only faster."""
        if count:
            self.handle.write("\n".join(map(",".join, rows)))
            self.handle.write("\n")
        self.n += count

    def raw_malformed(self, line: str) -> None:
        self.handle.write(line + "\n")
        self.n += 1
        self.malformed += 1

    def close(self) -> None:
        self.handle.close()
        self.landing._account(self.table, self.rel, self.n, self.malformed, self.malformed)


class JsonlFile:
    def __init__(self, landing: Landing, table: Table, key: str) -> None:
        self.landing, self.table = landing, table
        self.rel = landing.rel(table, key)
        path = landing.out / self.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = path.open("wb")
        self.n = 0
        self.malformed = 0
        self.quarantine = 0
        landing._account(table, self.rel, 0, 0, 0)

    def write_lines(self, lines: list, malformed: int, quarantine: int) -> None:
        for a in range(0, len(lines), 20_000):
            self.handle.write(b"\n".join(lines[a : a + 20_000]))
            self.handle.write(b"\n")
        self.n += len(lines)
        self.malformed += malformed
        self.quarantine += quarantine

    def close(self) -> None:
        self.handle.close()
        self.landing._account(self.table, self.rel, self.n, self.malformed, self.quarantine)


class EventBuckets:
    """Chat event lines waiting for their ``receivedAt`` hour to be written, in time order.

    Lines are copied into one bytearray per hour (orjson's result objects carry a 4 KiB
    buffer each, which would multiply the memory held). Hours of later days, such as the
    replies to a weekend's conversations that arrive on Monday morning, are spooled to files
    under ``<out>/.spool`` once they hold more than ``cap_bytes``, so memory stays bounded
    whatever the volume. The output does not depend on the cap: spooled lines keep their
    arrival order and are read back before the in-memory ones of the same hour.
    """

    def __init__(self, spool_dir: Path, cap_bytes: int) -> None:
        self.spool_dir = spool_dir
        self.cap_bytes = cap_bytes
        self.buckets: dict[int, list] = {}
        self.counts: dict[int, list[int]] = {}  # hour -> [malformed, missing anonymousId]
        self.spooled: set[int] = set()
        self.day_end_key = 0
        self.future_bytes = 0

    def start_day(self, day_end_ms: int) -> None:
        self.day_end_key = day_end_ms // MS_HOUR
        self.future_bytes = sum(len(b[2]) for k, b in self.buckets.items() if k >= self.day_end_key)

    def push(self, recv: int, line: bytes, special: int = 0) -> None:
        key = recv // MS_HOUR
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = [[], [], bytearray()]
            if key not in self.counts:
                self.counts[key] = [0, 0]
        bucket[0].append(recv)
        buf = bucket[2]
        bucket[1].append(len(buf))
        buf += line
        if special:
            self.counts[key][special - 1] += 1
        if key >= self.day_end_key:
            self.future_bytes += len(line)
            if self.future_bytes > self.cap_bytes:
                self._spill()

    def _spill(self) -> None:
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        for key in sorted(k for k in self.buckets if k >= self.day_end_key):
            recvs, starts, buf = self.buckets.pop(key)
            ends = [*starts[1:], len(buf)]
            view = memoryview(buf)
            parts: list = []
            for recv, a, b in zip(recvs, starts, ends, strict=True):
                parts.append(b"%d " % recv)
                parts.append(view[a:b])
                parts.append(b"\n")
            with (self.spool_dir / f"{key}.spool").open("ab") as f:
                f.write(b"".join(parts))
            self.spooled.add(key)
        self.future_bytes = 0

    def ready_keys(self, upto_key: int) -> list[int]:
        return sorted(k for k in self.counts if k < upto_key)

    def take(self, key: int) -> tuple[list, int, int]:
        """The lines of one hour, sorted by receivedAt (stable), and its special counts."""
        recvs: list[int] = []
        lines: list = []
        if key in self.spooled:
            path = self.spool_dir / f"{key}.spool"
            for rec in path.read_bytes().split(b"\n")[:-1]:
                sp = rec.index(b" ")
                recvs.append(int(rec[:sp]))
                lines.append(rec[sp + 1 :])
            path.unlink()
            self.spooled.discard(key)
        bucket = self.buckets.pop(key, None)
        if bucket is not None:
            b_recvs, starts, buf = bucket
            ends = [*starts[1:], len(buf)]
            view = memoryview(buf)
            recvs.extend(b_recvs)
            lines.extend(view[a:b] for a, b in zip(starts, ends, strict=True))
        malformed, missing = self.counts.pop(key)
        order = np.argsort(np.array(recvs, dtype=np.int64), kind="stable").tolist()
        return [lines[j] for j in order], malformed, missing

    def close(self) -> None:
        if self.spool_dir.exists():
            shutil.rmtree(self.spool_dir)
