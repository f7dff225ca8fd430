"""Bad files never take the others down: one fixture per class of file-level fault (broken gzip,
an over-long CSV field, integers beyond int64, decimals too wide for decimal(18, 4), a dangling
symlink, a FIFO, undecodable bytes, Latin-1, UTF-16 and byte order marks).

The committed fixtures are in tests/fixtures/file_faults/landing/; the files git cannot hold (a
FIFO, a dangling symlink) or that would only bloat it (a broken gzip, a 140 KB field) are made in
tmp_path by `make_landing`. For every file: its physical data lines = loaded + quarantined in
raw._load_files, the raw table and raw._quarantine hold exactly those rows, the CLI exits 0 with
one line on stderr and no traceback, the valid files beside the bad ones load, and a second run
adds nothing and does not hang.
"""

from __future__ import annotations

import codecs
import gzip
import os
import shutil
import subprocess
import zlib
from pathlib import Path

import duckdb
import pytest

from chatperf.landing_spec import table_for_file
from conftest import PYTHON, ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "file_faults" / "landing"
LOADER = [PYTHON, "scripts/load_landing.py"]
TIMEOUT = 60  # a FIFO used to block the loader forever

TRUNCATED_GZ = "file not loaded: truncated gzip (the compressed data ends before its end marker)"
NOT_UTF8 = "not valid UTF-8: undecodable byte(s) "
ALL_LINES = "*"  # every readable data line is quarantined with this reason prefix

# file -> (rows loaded, rows quarantined, {line: reason prefix}, a phrase of the file's note)
EXPECTED: dict[str, tuple[int, int, dict, str | None]] = {
    "chat_events/events_01_valid.jsonl": (2, 0, {}, None),
    "chat_events/events_02_utf8_bom.jsonl": (2, 0, {}, None),  # the BOM line loads
    "chat_events/events_03_invalid_byte.jsonl": (2, 1, {2: NOT_UTF8 + r"\xe9 at character"}, None),
    "chat_events/events_04_dangling.jsonl": (0, 0, {}, "not read: a dangling symlink"),
    "chat_events/events_05_fifo.jsonl": (0, 0, {}, "not read: a FIFO (named pipe)"),
    "stripe/charge_01_beyond_int64.csv": (
        2,
        2,
        {
            4: "column 'amount': '9223372036854775808' is out of range for int64 (bigint)",
            5: "column 'amount': '-9223372036854775809' is out of range for int64 (bigint)",
        },
        None,
    ),
    "stripe/refund_01_truncated.csv.gz": (0, ALL_LINES, {ALL_LINES: TRUNCATED_GZ}, "re-land"),
    "stripe/customer_01_not_gzip.csv.gz": (
        0,
        0,
        {},
        "file not loaded: not a gzip file (incorrect header check)",
    ),
    "shopify/order_01_decimal_places.csv": (
        2,
        3,
        {
            3: "column 'total_price': '19.99999' has more than 4 decimal places (decimal(18, 4))",
            4: "column 'total_price': '123456789012345.00' has more than 14 digits before the "
            "decimal point (decimal(18, 4))",
            6: "column 'subtotal_price': '1E+20' has more than 14 digits before the decimal "
            "point (decimal(18, 4))",
        },
        None,
    ),
    "web/pageviews_01_invalid_utf8.csv": (2, 1, {3: NOT_UTF8 + r"\xc3 at character"}, None),
    "web/pageviews_02_long_field.csv": (
        1,
        1,
        {2: "CSV field longer than 131072 characters"},
        None,
    ),
    "hubspot/contact_01_latin1.csv": (
        1,
        2,
        {2: NOT_UTF8 + r"\xe9 at character", 4: NOT_UTF8 + r"\xfc at character"},
        None,
    ),
    "hubspot/contact_02_utf16.csv": (2, 0, {}, "UTF-16 text"),
    "web/pageviews_09_valid.csv": (1, 0, {}, None),
}

REFUND_HEADER = "id,charge_id,amount,currency,created,status,reason,_fivetran_synced\n"


def refund_rows(n: int) -> str:
    return "".join(
        f"re_ff_{i},ch_ff_ok,{i},usd,2026-09-03T12:00:00Z,succeeded,,2026-09-03T13:00:00Z\n"
        for i in range(n)
    )


def make_landing(root: Path) -> Path:
    """The committed fixtures plus the files made at test time."""
    landing = root / "landing"
    shutil.copytree(FIXTURES, landing)
    whole = gzip.compress((REFUND_HEADER + refund_rows(200)).encode())
    (landing / "stripe" / "refund_01_truncated.csv.gz").write_bytes(whole[: len(whole) // 2])
    (landing / "stripe" / "customer_01_not_gzip.csv.gz").write_bytes(
        b"id,email,name,created\ncus_ff,a@example.com,A,2026-09-03T10:00:00Z\n"
    )
    web = (FIXTURES / "web" / "pageviews_01_invalid_utf8.csv").read_text(errors="replace")
    header = web.splitlines()[0]
    row = "pv_ff_{},s_ff,anon_ff,2026-09-03T09:58:00Z,https://example-creator.com/{},,,,,desktop,FR"
    (landing / "web" / "pageviews_02_long_field.csv").write_text(
        "\n".join([header, row.format("long", "x" * 140_000), row.format("short", "y")]) + "\n"
    )
    os.symlink(root / "gone.jsonl", landing / "chat_events" / "events_04_dangling.jsonl")
    os.mkfifo(landing / "chat_events" / "events_05_fifo.jsonl")
    return landing


def physical_data_lines(path: Path) -> int:
    """Non-blank physical lines after the CSV header, counted from the bytes, independently of
    the loader: a broken gzip counts what zlib can inflate, a non-regular file counts 0."""
    if not path.is_file():
        return 0
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        try:
            data = zlib.decompressobj(wbits=31).decompress(data)  # stops where the data ends
        except zlib.error:
            data = b""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        lines = data.decode("utf-16").split("\n")
    else:
        lines = data.split(b"\n")
    lines = [line for line in lines if line.strip()]
    is_csv = ".csv" in path.name
    return max(len(lines) - is_csv, 0)


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def load(landing: Path, db: Path, workers: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        LOADER
        + ["--landing", str(landing), "--database", str(db), "--workers", str(workers), "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def assert_clean_exit(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("\n") <= 1, proc.stderr  # at most the hint where to look


def check_accounting(db: Path, landing: Path) -> None:
    """Every file's physical data lines = loaded + quarantined, with the expected reasons."""
    files = {
        p.relative_to(landing).as_posix(): p
        for p in landing.rglob("*")
        if p.is_symlink() or not p.is_dir()
    }
    accounting = {
        r[0]: r[1:]
        for r in query(
            db,
            "select file_path, rows_in_file, rows_loaded, rows_quarantined, notes "
            "from raw._load_files",
        )
    }
    assert set(accounting) == set(files)
    for rel in files:
        loaded, quarantined, reasons, note = EXPECTED[rel]
        in_file = physical_data_lines(files[rel])
        if quarantined == ALL_LINES:
            assert in_file > 0, rel
            quarantined = in_file
        assert accounting[rel][:3] == (in_file, loaded, quarantined), rel
        table = table_for_file(*rel.split("/")).name
        assert query(db, f"select count(*) from raw.{table} where _source_file = '{rel}'") == [
            (loaded,)
        ], rel
        got = dict(
            query(
                db, f"select source_line, reason from raw._quarantine where source_file = '{rel}'"
            )
        )
        assert len(got) == quarantined, rel
        if ALL_LINES in reasons:
            assert all(r.startswith(reasons[ALL_LINES]) for r in got.values()), (rel, got)
        else:
            assert set(got) == set(reasons), (rel, got)
            for line, reason in reasons.items():
                assert got[line].startswith(reason), (rel, got[line])
        assert (note is None and accounting[rel][3] is None) or note in accounting[rel][3], (
            rel,
            accounting[rel][3],
        )


def counts(db: Path) -> list[tuple]:
    return query(db, "select (select count(*) from raw._load_files), count(*) from raw._quarantine")


VALID = "chat_events/events_01_valid.jsonl"  # sorts first
LAST_VALID = "web/pageviews_09_valid.csv"  # sorts last


@pytest.mark.parametrize("bad", sorted(set(EXPECTED) - {VALID, LAST_VALID}))
def test_one_bad_file_beside_a_valid_one(tmp_path: Path, bad: str):
    """Each fault class alone: the valid file sorted before and one after it still load."""
    landing = make_landing(tmp_path)
    keep = {VALID, bad, LAST_VALID}
    for p in sorted(landing.rglob("*"), reverse=True):
        rel = p.relative_to(landing).as_posix()
        if (p.is_symlink() or not p.is_dir()) and rel not in keep:
            p.unlink()
    db = tmp_path / "w.duckdb"
    first = load(landing, db, 1)
    assert_clean_exit(first)
    unread = int(EXPECTED[bad][3] is not None and EXPECTED[bad][3].startswith("not read"))
    assert f"{len(keep) - unread} new file(s), 0 already loaded" in first.stdout
    check_accounting(db, landing)
    before = counts(db)
    second = load(landing, db, 1)
    assert_clean_exit(second)
    assert "0 new file(s)" in second.stdout
    assert counts(db) == before


@pytest.mark.parametrize("workers", [1, 2])
def test_every_bad_file_is_accounted_for_and_the_rest_loads(tmp_path: Path, workers: int):
    landing = make_landing(tmp_path)
    db = tmp_path / "w.duckdb"
    first = load(landing, db, workers)
    assert_clean_exit(first)
    assert f"{len(EXPECTED) - 2} new file(s), 0 already loaded, 2 not read;" in first.stdout
    assert (
        first.stderr.startswith("see the reasons with: select reason")
        and "2 file(s) not read" in first.stderr
    )
    check_accounting(db, landing)

    # undecodable bytes are kept, escaped, in the raw line; the rest of the line reads as text
    raw = query(
        db,
        "select raw_line from raw._quarantine "
        "where source_file = 'hubspot/contact_01_latin1.csv' and source_line = 2",
    )[0][0]
    assert r"Jos\xe9" in raw and raw.startswith("801,jose@example.com")
    # UTF-16 and the BOM'd JSON line decode to the same text as UTF-8 would
    assert query(db, "select property_lastname from raw.hubspot_contact order by id") == [
        ("Silva",),
        ("Zoë",),
        ("Lì",),
    ]
    assert query(
        db,
        "select event_id from raw.chat_events "
        "where _source_file = 'chat_events/events_02_utf8_bom.jsonl' order by 1",
    ) == [("e_ff_3",), ("e_ff_4",)]

    before = counts(db)
    second = load(landing, db, workers)
    assert_clean_exit(second)
    assert "0 new file(s)" in second.stdout
    assert counts(db) == before


def test_a_fixed_file_landed_again_loads(tmp_path: Path):
    """What the README tells a user to do: replace the broken file (same name is fine) and run
    the loader again; the old attempt stays in raw._load_files and raw._quarantine as history."""
    landing = make_landing(tmp_path)
    db = tmp_path / "w.duckdb"
    assert_clean_exit(load(landing, db, 1))
    refunds = landing / "stripe" / "refund_01_truncated.csv.gz"
    refunds.write_bytes(gzip.compress((REFUND_HEADER + refund_rows(200)).encode()))
    (tmp_path / "gone.jsonl").write_bytes(
        (FIXTURES / "chat_events" / "events_01_valid.jsonl")
        .read_bytes()
        .replace(b"e_ff_", b"e_ff_link_")
    )
    second = load(landing, db, 1)
    assert_clean_exit(second)
    assert "2 new file(s)" in second.stdout
    assert query(
        db,
        "select rows_in_file, rows_loaded, rows_quarantined from raw._load_files "
        "where file_path = 'stripe/refund_01_truncated.csv.gz' order by loaded_at",
    )[-1] == (200, 200, 0)
    assert query(db, "select count(*) from raw.stripe_refund") == [(200,)]
    assert query(
        db,
        "select count(*) from raw.chat_events "
        "where _source_file = 'chat_events/events_04_dangling.jsonl'",
    ) == [(2,)]
