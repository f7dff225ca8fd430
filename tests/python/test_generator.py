"""The generator: deterministic, its mess fully accounted for by the loader, its data shaped as
its manifest says."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest

import chatperf.generator as generator_module
from chatperf.generator import DEFAULT_CONFIG, Generator, RunOptions, prepare_out, validate
from conftest import generate, load

SMALL = {"conversations": 300, "days": 7, "start_date": "2026-09-01"}


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("gen") / "a"
    return out, generate(out, seed=11, **SMALL)


def test_same_seed_same_bytes_other_seed_other_data(small, tmp_path: Path):
    out, manifest = small
    again = generate(tmp_path / "b", seed=11, **SMALL)
    assert tree_digest(out) == tree_digest(tmp_path / "b")
    assert again == manifest
    other = generate(tmp_path / "c", seed=12, **SMALL)
    assert other["counts"] != manifest["counts"]
    assert tree_digest(out) != tree_digest(tmp_path / "c")


def test_spooling_to_disk_does_not_change_the_output(small, tmp_path: Path, monkeypatch):
    """At 10M messages the generator spools future hours to disk; the bytes must not change."""
    out, _ = small
    original_init = Generator.__init__

    def tiny_spool(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.spool_cap_bytes = 4096  # spill almost every hour

    monkeypatch.setattr(generator_module.Generator, "__init__", tiny_spool)
    opts = RunOptions(
        out=tmp_path / "spooled",
        seed=11,
        conversations=SMALL["conversations"],
        days=SMALL["days"],
        start_date=dt.date.fromisoformat(SMALL["start_date"]),
    )
    validate(opts)
    prepare_out(opts.out, force=False)
    Generator(opts, DEFAULT_CONFIG).run(opts.out)
    assert not (opts.out / generator_module.SPOOL_DIR).exists()
    assert tree_digest(out) == tree_digest(opts.out)


def test_reloading_generated_data_adds_nothing(small, tmp_path: Path):
    out, _ = small
    db = tmp_path / "w.duckdb"
    load(out, db)
    tables = [r[0] for r in query(db, "select table_name from raw._load_files group by 1")]
    before = {t: query(db, f"select count(*) from raw.{t}")[0][0] for t in tables}
    quarantined = query(db, "select count(*) from raw._quarantine")[0][0]
    load(out, db)
    after = {t: query(db, f"select count(*) from raw.{t}")[0][0] for t in tables}
    assert after == before
    assert query(db, "select count(*) from raw._quarantine")[0][0] == quarantined
    assert sum(before.values()) > 1000


def test_every_file_accounted_for_exactly_as_the_manifest_says(warehouse):
    files = warehouse.manifest["files"]
    loaded = {
        r[0]: r[1:]
        for r in warehouse.query(
            "select file_path, rows_in_file, rows_loaded, rows_quarantined from raw._load_files"
        )
    }
    assert set(loaded) == set(files)
    for rel, expected in files.items():
        rows_in_file, rows_loaded, rows_quarantined = loaded[rel]
        assert rows_in_file == expected["rows"], rel
        assert rows_quarantined == expected["expected_quarantine"], rel
        assert rows_loaded + rows_quarantined == rows_in_file, rel
    total_q = warehouse.query("select count(*) from raw._quarantine")[0][0]
    assert total_q == warehouse.manifest["mess"]["expected_quarantine_total"]


def test_each_kind_of_mess_is_loaded_or_quarantined_with_its_reason(warehouse):
    mess = warehouse.manifest["mess"]
    reasons = dict(
        warehouse.query(
            """
            select
                case
                    when reason like 'malformed JSON%' then 'truncated_json'
                    when reason = 'missing required value ''anonymousId''' then 'no_anonymous_id'
                    when table_name = 'web_pageviews' and reason like 'expected % fields%'
                        then 'malformed_pageview'
                    else table_name || ': ' || reason
                end,
                count(*)
            from raw._quarantine
            group by 1
            """
        )
    )
    assert reasons == {
        "truncated_json": mess["truncated_json_lines"],
        "no_anonymous_id": mess["events_missing_anonymous_id"],
        "malformed_pageview": mess["malformed_pageview_rows"],
    }
    assert mess["malformed_lines_total"] == (
        mess["truncated_json_lines"] + mess["malformed_pageview_rows"]
    )

    # duplicates are loaded (raw is append-only) and removed in staging
    raw_rows, distinct_ids = warehouse.query(
        "select count(*), count(distinct event_id) from raw.chat_events"
    )[0]
    assert raw_rows - distinct_ids == (
        mess["duplicate_events_exact"] + mess["duplicate_events_new_received_at"]
    )
    staged = warehouse.query("select count(*) from staging.stg_chat__events")[0][0]
    assert staged <= distinct_ids

    # late events: received a day or more after they happened
    late = warehouse.query(
        """
        with first_copy as (
            select
                event_id,
                min(cast(received_at as timestamptz)) as received_at,
                min(cast(event_timestamp as timestamptz)) as happened_at
            from raw.chat_events
            group by event_id
        )
        select count(*) from first_copy where received_at - happened_at > interval 12 hour
        """
    )[0][0]
    assert late == mess["late_events"]

    # every timezone offset the generator wrote is in raw, with the same counts
    offsets = dict(
        warehouse.query(
            """
            with first_copy as (
                select event_id, min(event_timestamp) as ts
                from raw.chat_events
                group by event_id
            )
            select
                case when ts like '%Z' then 'Z' else right(ts, 6) end as suffix,
                count(*)
            from first_copy
            group by 1
            """
        )
    )
    assert offsets == mess["mixed_timezone_offsets"]

    # QA visitors reach raw (every visitor is assigned to the experiments on arrival)
    qa = warehouse.query(
        "select count(distinct anonymous_id) from raw.experiment_assignments "
        "where anonymous_id like 'qa\\_%' escape '\\'"
    )[0][0]
    assert qa == mess["qa_visitors"]


def test_mess_that_loads_is_in_raw_as_the_manifest_says(warehouse):
    """Orphan references and bot macros posting through an agent seat are loaded (they are not
    parse errors), in the numbers planted; staging labels every macro message a bot's."""
    mess = warehouse.manifest["mess"]
    counts = warehouse.query(
        """
        select
            (select count(distinct id) from raw.stripe_refund
             where charge_id not in (select id from raw.stripe_charge)),
            (select count(*) from (
                select distinct deal_id, contact_id from raw.hubspot_deal_contact
                where contact_id not in (select id from raw.hubspot_contact))),
            (select count(*) from (
                select conversation_id from raw.chat_events
                where conversation_id is not null
                group by 1
                having count(*) filter (where event_type = 'Chat Opened') = 0)),
            (select count(distinct event_id) from raw.chat_events
             where json_extract_string(payload, '$.properties.author_id') = 'macro_autoreply'
                and json_extract_string(payload, '$.properties.author_role') = 'agent')
            + (select count(distinct message_id) from raw.chat_message_export
               where author_id = 'macro_autoreply' and author_role = 'agent')
        """
    )[0]
    assert counts == (
        mess["orphan_stripe_refunds"],
        mess["orphan_deal_contacts"],
        mess["orphan_conversations"],
        mess["macro_autoreply_bot_messages_labelled_agent"],
    )
    assert min(counts) > 0
    labels = warehouse.query(
        """
        select distinct actor_type from staging.stg_chat__events
        where author_id = 'macro_autoreply'
        union
        select distinct actor_type from staging.stg_chat__exported_messages
        where author_id = 'macro_autoreply'
        """
    )
    assert labels == [("bot",)]


def test_event_counts_by_name_match_the_manifest(warehouse):
    counts = dict(
        warehouse.query(
            """
            select event_type, count(*)
            from (select event_id, min(event_type) as event_type from raw.chat_events
                  group by event_id)
            group by 1
            """
        )
    )
    assert counts == warehouse.manifest["counts"]["chat_events_by_name"]
    # malformed page-view rows are extra, broken copies: they are quarantined, not counted
    page_views = warehouse.query("select count(*) from raw.web_pageviews")[0][0]
    assert page_views == warehouse.manifest["counts"]["entities"]["page_views"]


def test_data_stays_inside_the_manifest_date_range(warehouse):
    """(The planted behaviour itself, e.g. bot resolution share and human response times, is
    recovered from the marts in test_kpis.py.)"""
    dates = warehouse.manifest["date_range"]
    first, last = warehouse.query(
        "select min(cast(cast(event_timestamp as timestamptz) as date)), "
        "max(cast(cast(event_timestamp as timestamptz) as date)) from raw.chat_events"
    )[0]
    start = dt.date.fromisoformat(dates["start_date"])
    end = dt.date.fromisoformat(dates["end_date"])
    # local offsets move an event at most a day either side of its UTC date
    assert start - dt.timedelta(days=1) <= first <= start + dt.timedelta(days=1)
    assert last <= end + dt.timedelta(days=1)


def test_parallel_load_equals_serial_load(small, tmp_path: Path):
    """Files parsed in worker processes land exactly as a one-process load lands them."""
    from chatperf.loader import load_landing

    out, _ = small
    tables = None
    contents = []
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.duckdb"
        results = load_landing(out, db, workers=workers)
        assert [r.path for r in results] == sorted(r.path for r in results)
        con = duckdb.connect(str(db), read_only=True)
        try:
            if tables is None:
                tables = [
                    r[0]
                    for r in con.execute(
                        "select table_name from information_schema.tables "
                        "where table_schema = 'raw' and table_name not like '\\_%' escape '\\' "
                        "order by 1"
                    ).fetchall()
                ]
            contents.append(
                {
                    t: con.execute(
                        f"select * exclude (_loaded_at, _load_id) from raw.{t} order by all"
                    ).fetchall()
                    for t in [*tables]
                }
                | {
                    "_quarantine": con.execute(
                        "select * exclude (quarantined_at, load_id) from raw._quarantine "
                        "order by all"
                    ).fetchall(),
                    "_load_files": con.execute(
                        "select * exclude (loaded_at, load_id) from raw._load_files order by all"
                    ).fetchall(),
                }
            )
        finally:
            con.close()
    assert len(tables) > 10
    assert contents[0] == contents[1]


# raw table -> its email column, in every table the generator writes an email to
EMAIL_COLUMNS = {
    "chat_message_export": "visitor_email",
    "hubspot_contact": "property_email",
    "patreon_members": '"Email"',
    "shopify_abandoned_checkout": "email",
    "shopify_order": "email",
    "stripe_charge": "receipt_email",
    "stripe_customer": "email",
}


def test_email_variants_are_loaded_and_hash_to_one_person(warehouse):
    """Emails differing only in case and surrounding whitespace are loaded as written, in the
    planted numbers per table, and after staging each address is one hash and one person."""
    planted = warehouse.manifest["mess"]["email_case_whitespace_variant_rows_by_table"]
    loaded = {
        table: warehouse.query(
            f"select count(*) from raw.{table} "
            f"where {col} like '%@%' and {col} <> lower(trim({col}))"
        )[0][0]
        for table, col in EMAIL_COLUMNS.items()
    }
    assert loaded == planted
    assert min(loaded.values()) > 0

    # every spelling of an address the identity graph reads, from raw
    spellings = """
        select json_extract_string(payload, '$.context.traits.email') as email
        from raw.chat_events
        union all select visitor_email from raw.chat_message_export where visitor_id is not null
        union all select property_email from raw.hubspot_contact
        union all select email from raw.stripe_customer
        union all select email from raw.shopify_order
        union all select "Email" from raw.patreon_members
    """
    raw_spellings, addresses = warehouse.query(
        f"select count(distinct email), count(distinct lower(trim(email))) "
        f"from ({spellings}) where email like '%@%'"
    )[0]
    assert raw_spellings > addresses, "some addresses should come in several spellings"
    hashes = {
        r[0]
        for r in warehouse.query(
            f"select distinct sha256(lower(trim(email))) from ({spellings}) where email like '%@%'"
        )
    }
    people = warehouse.query(
        "select identifier_value, person_id from intermediate.int_identities_stitched "
        "where identifier_type = 'email_hash'"
    )
    assert {value for value, _ in people} == hashes
    assert len(people) == addresses  # one identifier and one person per address
    assert all(value == person for value, person in people)


def test_out_of_order_lines_are_in_raw_as_planted(warehouse):
    """Chat event files are written in arrival order except the planted out-of-order lines:
    each is a line received after the line written next (a descent in file order)."""
    descents = warehouse.query(
        """
        with lines as (
            select
                cast(received_at as timestamptz) as received_at,
                lead(cast(received_at as timestamptz)) over (
                    partition by _source_file order by _source_line
                ) as next_received_at
            from raw.chat_events
        )
        select count(*) from lines where received_at > next_received_at
        """
    )[0][0]
    assert descents == warehouse.manifest["mess"]["out_of_order_lines"]
    assert descents > 0


def test_test_mode_rows_are_loaded_and_kept_out_of_revenue(warehouse):
    """Stripe test-mode (livemode false) and Shopify test rows reach raw in the planted
    numbers; staging flags them and no conversion or attributed revenue counts them. (The
    generator plants test-mode rows for QA people only, so the marts' internal-account filter
    would also drop them: the is_test_mode flag itself is checked on the revenue events.)"""
    planted = warehouse.manifest["mess"]["test_mode_rows_by_table"]
    stripe = ("stripe_charge", "stripe_customer", "stripe_invoice", "stripe_subscription")
    shopify = ("shopify_order", "shopify_transaction")
    loaded = {
        t: warehouse.query(f"select count(*) from raw.{t} where not livemode")[0][0] for t in stripe
    } | {t: warehouse.query(f"select count(*) from raw.{t} where test")[0][0] for t in shopify}
    assert loaded == planted
    assert min(loaded.values()) > 0
    test_payments = """
        select 'stripe:' || id as conversion_id from raw.stripe_charge where not livemode
        union all
        select 'shopify:' || id from raw.shopify_order where test
    """
    flagged, unflagged, in_conversions, in_attribution = warehouse.query(
        f"""
        select
            (select count(*) from intermediate.int_revenue_events_unioned
             where revenue_event_id in ({test_payments}) and is_test_mode),
            (select count(*) from intermediate.int_revenue_events_unioned
             where revenue_event_id in ({test_payments}) and not is_test_mode),
            (select count(*) from marts.fct_conversions
             where conversion_id in ({test_payments})),
            (select count(*) from marts.fct_conversion_attribution
             where conversion_id in ({test_payments}))
        """
    )[0]
    assert flagged > 0
    assert (unflagged, in_conversions, in_attribution) == (0, 0, 0)
