"""From text lines to typed rows: the value parsers of the landing contract's column types and
the JSON-lines and CSV readers, each yielding every data line as a typed row or a quarantine
reason. A value out of its raw column's range (beyond int64, too many digits or decimals for
decimal(18, 4)) is a reason, never an Arrow or DuckDB error later; so are undecodable bytes
(chatperf.loader_read) and a CSV record the csv module refuses (a field over its size limit).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import orjson
import pyarrow as pa

from chatperf.landing_spec import (
    CHAT_EVENT_TYPES,
    CHAT_EVENTS_WITHOUT_CONVERSATION,
    TABLES_BY_NAME,
    Column,
    Table,
)
from chatperf.loader_read import show_escaped, undecodable_reason

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
DEC_PRECISION, DEC_SCALE = 18, 4  # the raw tables' decimal(18, 4)

# --------------------------------------------------------------------------------------
# value parsing: each parser returns the typed value or raises ValueError with a reason


def _parse_str(v: str) -> str:
    return v


def _parse_int(v: str) -> int:
    try:
        i = int(v.strip())
    except ValueError:
        raise ValueError(f"{v!r} is not an integer") from None
    if not INT64_MIN <= i <= INT64_MAX:
        raise ValueError(f"{v!r} is out of range for int64 (bigint)")
    return i


_DEC_TYPE = f"decimal({DEC_PRECISION}, {DEC_SCALE})"
_DEC_LIMIT = Decimal(10) ** (DEC_PRECISION - DEC_SCALE)
_DEC_QUANTUM = Decimal(1).scaleb(-DEC_SCALE)


def _parse_dec(v: str) -> Decimal:
    try:
        d = Decimal(v.strip())
    except InvalidOperation:
        raise ValueError(f"{v!r} is not a decimal number") from None
    if not d.is_finite():
        raise ValueError(f"{v!r} is not a finite number")
    if abs(d) >= _DEC_LIMIT:
        raise ValueError(
            f"{v!r} has more than {DEC_PRECISION - DEC_SCALE} digits before the decimal point "
            f"({_DEC_TYPE})"
        )
    q = d.quantize(_DEC_QUANTUM)
    if q != d:
        raise ValueError(f"{v!r} has more than {DEC_SCALE} decimal places ({_DEC_TYPE})")
    return q


_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}


def _parse_bool(v: str) -> bool:
    s = v.strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(f"{v!r} is not a boolean")


# The ISO-8601 forms staging casts on every engine (macros/cross_db/timestamps.sql): a date,
# optionally a time (HH:MM, HH:MM:SS, fractions); an offset (Z, +HH, +HHMM, +HH:MM) only after
# full seconds and with nothing between them. Python alone would accept more ('10:00 +02:00',
# a lower-case 'z', '10:00+02:00') that DuckDB then refuses mid-build; such rows are quarantined.
_TS_FORM = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
    r"|[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}(?::?\d{2})?))?"
)


def _parse_ts(v: str) -> str:
    s = v.strip()
    if not _TS_FORM.fullmatch(s):
        raise ValueError(
            f"{v!r} is not an ISO-8601 timestamp (YYYY-MM-DD[THH:MM[:SS[.f]]], offset Z or "
            "+HH[:MM] after the seconds)"
        )
    try:
        dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{v!r} is not an ISO-8601 timestamp (no such date or time)") from None
    return s


def _parse_date(v: str) -> dt.date:
    try:
        return dt.date.fromisoformat(v.strip())
    except ValueError:
        raise ValueError(f"{v!r} is not a date") from None


def _parse_json(v: str) -> str:
    try:
        orjson.loads(v)
    except orjson.JSONDecodeError:
        raise ValueError(f"{v[:40]!r} is not valid JSON") from None
    return v


PARSERS: dict[str, Callable[[str], object]] = {
    "str": _parse_str,
    "int": _parse_int,
    "dec": _parse_dec,
    "bool": _parse_bool,
    "ts": _parse_ts,
    "date": _parse_date,
    "json": _parse_json,
}

ARROW_TYPES: dict[str, pa.DataType] = {
    "str": pa.string(),
    "int": pa.int64(),
    "dec": pa.decimal128(DEC_PRECISION, DEC_SCALE),
    "bool": pa.bool_(),
    "ts": pa.string(),
    "date": pa.date32(),
    "json": pa.string(),
}

SQL_TYPES: dict[str, str] = {
    "str": "varchar",
    "int": "bigint",
    "dec": _DEC_TYPE,
    "bool": "boolean",
    "ts": "varchar",
    "date": "date",
    "json": "varchar",
}


# --------------------------------------------------------------------------------------
# rows: a parsed row is a list of typed values in contract order, or a quarantine reason


@dataclass
class FileResult:
    path: str
    table: str
    sha256: str
    rows_in_file: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    skipped: bool = False
    refused: bool = False  # not a regular file: never opened
    notes: list[str] = field(default_factory=list)


def _convert(columns: tuple[Column, ...], values: dict[str, object]) -> list[object]:
    """Type-check one record given as {column: raw value}; raise ValueError with the reason."""
    out: list[object] = []
    for col in columns:
        raw = values.get(col.name)
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            if col.required:
                raise ValueError(f"missing required value '{col.name}'")
            out.append(None)
            continue
        if not isinstance(raw, str):
            # JSON scalars: keep numbers and booleans exact, objects as JSON text
            if col.type == "json" or isinstance(raw, dict | list):
                raw = orjson.dumps(raw).decode()
            elif isinstance(raw, bool):
                raw = "true" if raw else "false"
            else:
                raw = str(raw)
        try:
            out.append(PARSERS[col.type](raw))
        except ValueError as exc:
            raise ValueError(f"column '{col.name}': {exc}") from None
    return out


def _chat_event_record(obj: dict) -> dict[str, object]:
    """Map a Segment track event onto the chat_events columns, checking its envelope."""
    if not isinstance(obj, dict):
        raise ValueError("JSON line is not an object")
    event = obj.get("event")
    if event is not None and event not in CHAT_EVENT_TYPES:
        raise ValueError(f"unknown event type {event!r}")
    props = obj.get("properties") or {}
    if not isinstance(props, dict):
        raise ValueError("properties is not an object")
    conversation_id = props.get("conversation_id")
    if event is not None and event not in CHAT_EVENTS_WITHOUT_CONVERSATION and not conversation_id:
        raise ValueError(f"missing required value 'properties.conversation_id' for {event!r}")
    return {
        "event_id": obj.get("messageId"),
        "event_type": event,
        "event_timestamp": obj.get("timestamp"),
        "received_at": obj.get("receivedAt"),
        "anonymous_id": obj.get("anonymousId"),
        "conversation_id": conversation_id,
    }


_PAYLOAD_INDEX = TABLES_BY_NAME["chat_events"].column_names.index("payload")
_ENVELOPE_NAMES = {
    "event_id": "messageId",
    "event_type": "event",
    "event_timestamp": "timestamp",
    "anonymous_id": "anonymousId",
}


def _iter_jsonl(
    table: Table, handle: io.TextIOBase, encoding: str = "UTF-8"
) -> Iterator[tuple[int, str, list[object] | None, str | None, dict | None]]:
    """Yield (line number, raw line, row or None, quarantine reason or None, extras)."""
    names = set(table.column_names)
    for lineno, line in enumerate(handle, start=1):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        try:
            obj = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            undecodable = undecodable_reason(text, encoding)
            if undecodable:
                yield lineno, show_escaped(text), None, undecodable, None
                continue
            detail = str(exc).splitlines()[0].split(": line ")[0]
            yield lineno, text, None, f"malformed JSON: {detail}", None
            continue
        try:
            if table.name == "chat_events":
                record = _chat_event_record(obj)
                record["payload"] = "{}"  # the line itself, set below without parsing twice
                extras = None
            else:
                if not isinstance(obj, dict):
                    raise ValueError("JSON line is not an object")
                record = obj
                extra_keys = sorted(k for k in obj if k not in names)
                extras = {k: obj[k] for k in extra_keys} or None
            row = _convert(table.columns, record)
            if table.name == "chat_events":
                row[_PAYLOAD_INDEX] = text
        except ValueError as exc:
            reason = str(exc)
            if table.name == "chat_events":
                for col, envelope in _ENVELOPE_NAMES.items():
                    reason = reason.replace(f"'{col}'", f"'{envelope}'")
            yield lineno, text, None, reason, None
            continue
        yield lineno, text, row, None, extras


def _tap(handle: io.TextIOBase, lines: list[str]) -> Iterator[str]:
    """The handle's lines, each also kept in ``lines``: the physical text of the CSV record."""
    for line in handle:
        lines.append(line)
        yield line


def _csv_error_reason(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"CSV field longer than {csv.field_size_limit()} characters (the loader's limit)"
    return f"unreadable CSV record: {exc}"


def _iter_csv(
    table: Table, handle: io.TextIOBase, result: FileResult, encoding: str = "UTF-8"
) -> Iterator[tuple[int, str, list[object] | None, str | None, dict | None]]:
    lines: list[str] = []
    reader = csv.reader(_tap(handle, lines))
    try:
        header = next(reader)
    except StopIteration:
        result.notes.append("empty file (no header)")
        return
    lines.clear()
    header = [show_escaped(h.strip().lstrip("\ufeff")) for h in header]
    known = set(table.column_names)
    missing = [c for c in table.column_names if c not in header]
    extra = [h for h in header if h not in known]
    missing_required = [c.name for c in table.columns if c.required and c.name in missing]
    if missing:
        result.notes.append("schema drift: file lacks column(s) " + ", ".join(missing))
    if extra:
        result.notes.append(
            "schema drift: extra column(s) " + ", ".join(extra) + " kept in _extra_columns"
        )
    width = len(header)
    line_start = reader.line_num + 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            fields, reason = None, _csv_error_reason(exc)
        lineno = line_start
        line_start = reader.line_num + 1
        text = "".join(lines).rstrip("\r\n")
        lines.clear()
        if fields is None:
            yield lineno, show_escaped(text), None, reason, None
            continue
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        undecodable = undecodable_reason(text, encoding)
        if undecodable:
            yield lineno, show_escaped(text), None, undecodable, None
            continue
        if missing_required:
            reason = "schema drift: file lacks required column(s) " + ", ".join(missing_required)
            yield lineno, _csv_line(fields), None, reason, None
            continue
        if len(fields) != width:
            reason = f"expected {width} fields, found {len(fields)}"
            yield lineno, _csv_line(fields), None, reason, None
            continue
        record = dict(zip(header, fields, strict=True))
        try:
            row = _convert(table.columns, record)
        except ValueError as exc:
            yield lineno, _csv_line(fields), None, str(exc), None
            continue
        extras = {k: record[k] for k in extra} or None
        yield lineno, "", row, None, extras  # the raw text is only kept for quarantined rows


def _csv_line(fields: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(fields)
    return buf.getvalue()
