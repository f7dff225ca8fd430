"""Revenue and attribution: reconciliation to the raw payment tables, an independent attribution
computation in Python, and the planted chat-to-purchase delays seen through the windows."""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal

from conftest import ROOT

WINDOWS = (1, 7, 30)
MODELS = ("first_touch", "last_touch", "linear", "position_based")
INTERNAL_DOMAIN = "@example-creator.test"
CENT = Decimal("0.01")
COST_PER_HUMAN_CONVERSATION = 6.5  # the default of var cost_per_human_conversation


def is_internal(email: str | None) -> bool:
    return (email or "").strip().lower().endswith(INTERNAL_DOMAIN)


def latest_by(rows: list[tuple], key_index: int, synced_index: int) -> list[tuple]:
    """Fivetran entity tables: keep each id's newest synced version."""
    best: dict = {}
    for row in rows:
        key = row[key_index]
        if key not in best or (row[synced_index] or "") > (best[key][synced_index] or ""):
            best[key] = row
    return list(best.values())


def raw_net_revenue(wh) -> dict[tuple[str, str], Decimal]:
    """Net revenue per (source, currency), straight from the raw tables."""
    out: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    charges = latest_by(
        wh.query(
            "select id, amount, currency, status, paid, livemode, receipt_email, _fivetran_synced "
            "from raw.stripe_charge"
        ),
        0,
        7,
    )
    refunds: dict[str, int] = defaultdict(int)
    for _, charge_id, amount, status, _ in latest_by(
        wh.query("select id, charge_id, amount, status, _fivetran_synced from raw.stripe_refund"),
        0,
        4,
    ):
        if (status or "succeeded") == "succeeded":
            refunds[charge_id] += amount
    for cid, amount, currency, status, paid, live, email, _ in charges:
        if status != "succeeded" or not paid or live is False or is_internal(email):
            continue
        net = max(amount - refunds.get(cid, 0), 0)
        out[("stripe", currency.upper())] += Decimal(net) / 100
    orders = latest_by(
        wh.query(
            "select id, total_price, currency, financial_status, test, email, _fivetran_synced "
            "from raw.shopify_order"
        ),
        0,
        6,
    )
    order_refunds: dict[int, Decimal] = defaultdict(Decimal)
    for _, order_id, kind, status, amount, _ in latest_by(
        wh.query(
            "select id, order_id, kind, status, amount, _fivetran_synced "
            "from raw.shopify_transaction"
        ),
        0,
        5,
    ):
        if kind == "refund" and status == "success":
            order_refunds[order_id] += amount
    for oid, total, currency, status, test, email, _ in orders:
        if status not in ("paid", "partially_refunded", "refunded") or test or is_internal(email):
            continue
        out[("shopify", currency.upper())] += max(total - order_refunds.get(oid, 0), Decimal(0))
    first_snapshot: dict[str, tuple] = {}
    for row in wh.query(
        'select "User ID", "Pledge Amount", "Currency", "Email", "Last Updated", _source_file '
        "from raw.patreon_members"
    ):
        key = (row[4] or "", row[5])
        if row[0] not in first_snapshot or key < first_snapshot[row[0]][0]:
            first_snapshot[row[0]] = (key, row)
    for _, row in first_snapshot.values():
        _, pledge, currency, email, *_ = row
        if not is_internal(email):
            out[("patreon", (currency or "USD").upper())] += pledge or Decimal(0)
    for _, amount, currency, stage, closed, deleted, _ in latest_by(
        wh.query(
            "select deal_id, property_amount, property_deal_currency_code, property_dealstage, "
            "property_closedate, is_deleted, _fivetran_synced from raw.hubspot_deal"
        ),
        0,
        6,
    ):
        if (stage or "").lower() == "closedwon" and not deleted and closed:
            out[("hubspot", (currency or "USD").upper())] += amount or Decimal(0)
    return dict(out)


def test_revenue_reconciles_to_raw_payments_to_the_cent(warehouse):
    expected = raw_net_revenue(warehouse)
    actual = {
        (source, currency): Decimal(total).quantize(CENT)
        for source, currency, total in warehouse.query(
            "select source_system, currency, sum(net_amount) from marts.fct_conversions "
            "where is_revenue group by all"
        )
    }
    expected = {k: v.quantize(CENT) for k, v in expected.items() if v != 0 or k in actual}
    assert actual == expected
    assert len({c for _, c in actual}) >= 3, "the demo data should have several currencies"


def test_attributed_revenue_never_exceeds_revenue(warehouse):
    total = warehouse.query(
        "select sum(net_amount_reporting) from marts.fct_conversions where is_revenue"
    )[0][0]
    rows = warehouse.query(
        """
        select a.window_days, a.attribution_model, sum(a.attributed_revenue),
               sum(c.net_amount_reporting) filter (where a.touch_number = 1)
        from marts.fct_conversion_attribution a
        join marts.fct_conversions c using (conversion_id)
        where c.is_revenue
        group by all
        """
    )
    assert len(rows) == len(WINDOWS) * len(MODELS)
    for window, model, attributed, touched_value in rows:
        assert attributed <= total, (window, model)
        # equality where every converting person chatted: the touched conversions' full value
        assert attributed == touched_value, (window, model)
    by_window = defaultdict(set)
    for window, _, attributed, _ in rows:
        by_window[window].add(attributed)
    assert all(len(v) == 1 for v in by_window.values()), "every model splits the same value"
    assert sorted(min(v) for _, v in sorted(by_window.items())) == [
        min(v) for _, v in sorted(by_window.items())
    ], "longer windows never capture less"


def credits(model: str, n: int) -> list[float]:
    if model == "first_touch":
        return [1.0] + [0.0] * (n - 1)
    if model == "last_touch":
        return [0.0] * (n - 1) + [1.0]
    if model == "linear":
        return [1.0 / n] * n
    if n == 1:
        return [1.0]
    if n == 2:
        return [0.5, 0.5]
    return [0.4] + [0.2 / (n - 2)] * (n - 2) + [0.4]


def split_cents(value: Decimal | None, shares: list[float]) -> list[Decimal | None]:
    if value is None:
        return [None] * len(shares)
    parts = [
        (Decimal(repr(s)) * value * 100).to_integral_value(ROUND_FLOOR) / 100 for s in shares[:-1]
    ]
    return [*parts, value - sum(parts, Decimal(0))]


def test_attribution_matches_independent_computation(warehouse):
    gap = 1800
    conversions = warehouse.query(
        "select conversion_id, person_id, converted_at, net_amount_reporting "
        "from marts.fct_conversions where person_id is not null"
    )
    chats = defaultdict(list)
    for cid, person, started, last in warehouse.query(
        "select conversation_id, person_id, started_at, last_event_at "
        "from marts.fct_conversations where has_visitor_message"
    ):
        chats[person].append((started, cid, last))
    expected = {}
    for conv_id, person, at, value in conversions:
        for window in WINDOWS:
            touches = sorted(
                c for c in chats.get(person, []) if at - dt.timedelta(days=window) <= c[0] < at
            )
            if not touches:
                continue
            for model in MODELS:
                shares = credits(model, len(touches))
                amounts = split_cents(value, shares)
                for (_started, chat_id, last), share, amount in zip(
                    touches, shares, amounts, strict=True
                ):
                    direct = at <= last + dt.timedelta(seconds=gap)
                    expected[(conv_id, window, model, chat_id)] = (share, amount, direct)
    actual = {
        (r[0], r[1], r[2], r[3]): (r[4], r[5], r[6])
        for r in warehouse.query(
            "select conversion_id, window_days, attribution_model, conversation_id, credit, "
            "attributed_revenue, is_direct_touch from marts.fct_conversion_attribution"
        )
    }
    assert set(actual) == set(expected)
    assert len(actual) > 500
    for key, (share, amount, direct) in expected.items():
        got_share, got_amount, got_direct = actual[key]
        assert math.isclose(got_share, share, abs_tol=1e-12), key
        assert (got_amount is None and amount is None) or Decimal(got_amount) == amount, key
        assert got_direct == direct, key


def test_planted_delay_distribution_shows_in_the_windows(warehouse):
    """Purchases by chatters: delay from their earliest chat in 30 days, against the plant."""
    realised = warehouse.manifest["realised"]["chat_purchase_delay_shares"]
    rows = warehouse.query(
        """
        select max(seconds_chat_to_conversion) / 86400.0
        from marts.fct_conversion_attribution
        where conversion_type in ('purchase', 'membership_signup')
          and window_days = 30 and attribution_model = 'first_touch'
        group by conversion_id
        """
    )
    delays = [r[0] for r in rows]
    n = len(delays)
    assert n >= 25
    within_30 = realised["within_1_day"] + realised["1_to_7_days"] + realised["7_to_30_days"]
    for lo, hi, key in ((0, 1, "within_1_day"), (1, 7, "1_to_7_days"), (7, 30, "7_to_30_days")):
        share = sum(lo <= d < hi for d in delays) / n
        p = realised[key] / within_30
        se = math.sqrt(p * (1 - p) / n)
        assert abs(share - p) < 4 * se + 0.02, (key, share, p)
    counts = dict(
        warehouse.query(
            "select window_days, count(distinct conversion_id) "
            "from marts.fct_conversion_attribution "
            "where conversion_type in ('purchase', 'membership_signup') group by 1"
        )
    )
    # the short window misses the delayed purchases the plant put beyond a day
    assert counts[1] < counts[7] <= counts[30]
    assert counts[1] / counts[30] < 1 - realised["1_to_7_days"] / within_30 / 2


def test_fx_seed_covers_the_currencies(warehouse):
    with (ROOT / "seeds" / "fx_rates.csv").open() as f:
        have = {r["currency"] for r in csv.DictReader(f)}
    used = {r[0] for r in warehouse.query("select distinct currency from marts.fct_conversions")}
    assert used - {None} <= have
    missing = warehouse.query(
        "select count(*) from marts.fct_conversions "
        "where is_revenue and net_amount_reporting is null"
    )[0][0]
    assert missing == 0


def test_revenue_mart_reconciles_to_the_conversions(warehouse):
    """rpt_revenue_attribution_daily: every window and model carries the whole revenue of every
    day (days no chat touched included) and exactly the attributed revenue of the fact table."""
    total = warehouse.query(
        "select sum(net_amount_reporting) from marts.fct_conversions where is_revenue"
    )[0][0]
    attributed = dict(
        ((w, m), v)
        for w, m, v in warehouse.query(
            "select window_days, attribution_model, sum(attributed_revenue) "
            "from marts.fct_conversion_attribution group by all"
        )
    )
    rows = warehouse.query(
        """
        select window_days, attribution_model, sum(total_revenue),
               sum(attributed_revenue) filter (
                   where channel = 'all' and resolution_path = 'all' and segment_type = 'all'),
               count(*) filter (
                   where attributed_revenue > coalesce(total_revenue, attributed_revenue))
        from marts.rpt_revenue_attribution_daily
        group by all
        """
    )
    assert len(rows) == len(WINDOWS) * len(MODELS)
    for window, model, day_totals, day_attributed, above in rows:
        assert Decimal(day_totals).quantize(CENT) == Decimal(total).quantize(CENT), (window, model)
        assert day_attributed == attributed[(window, model)], (window, model)
        assert above == 0


def test_executive_business_outcomes_come_from_attribution(warehouse):
    """Revenue influenced, total revenue and cost savings of the executive overview, recomputed
    from the conversion and conversation facts (default window: 7 days)."""
    window = dt.timedelta(days=7)
    chats = defaultdict(list)
    for person, started in warehouse.query(
        "select person_id, started_at from marts.fct_conversations where has_visitor_message"
    ):
        chats[person].append(started)
    influenced: dict[dt.date, Decimal] = defaultdict(Decimal)
    totals: dict[dt.date, Decimal] = defaultdict(Decimal)
    for person, at, value in warehouse.query(
        "select person_id, converted_at, net_amount_reporting from marts.fct_conversions "
        "where net_amount_reporting is not null"
    ):
        week = (at - dt.timedelta(days=at.weekday())).date()
        totals[week] += value
        if any(at - window <= s < at for s in chats.get(person, [])):
            influenced[week] += value
    bot_resolved = dict(
        (week.date(), n)
        for week, n in warehouse.query(
            "select period_start, bot_resolved_conversations from marts.rpt_chat_kpis_weekly "
            "where channel = 'all' and segment_type = 'all'"
        )
    )
    rows = warehouse.query(
        "select week_start, revenue_influenced, total_revenue, support_cost_savings "
        "from marts.rpt_executive_overview_weekly"
    )
    assert len(rows) >= 4
    assert sum(influenced.values()) > 0
    for week_start, revenue, total, savings in rows:
        week = week_start.date() if isinstance(week_start, dt.datetime) else week_start
        assert Decimal(revenue) == influenced.get(week, Decimal(0)), week
        assert Decimal(total) == totals.get(week, Decimal(0)), week
        assert math.isclose(savings, bot_resolved[week] * COST_PER_HUMAN_CONVERSATION), week


def test_conversion_rates_match_independent_computation(warehouse):
    """rpt_chat_conversion_rates_daily: per conversation day, channel and window, the share of
    conversations followed (same person, within the window) by each kind of conversion."""
    conversions = defaultdict(list)
    for person, at, kind, is_revenue in warehouse.query(
        "select person_id, converted_at, conversion_type, is_revenue from marts.fct_conversions "
        "where person_id is not null"
    ):
        conversions[person].append((at, kind, is_revenue))
    kinds = {
        "chat_assisted_conversion_rate": lambda k, r: r,
        "purchase_conversion_rate": lambda k, r: k == "purchase",
        "lead_capture_rate": lambda k, r: k == "lead_capture",
        "membership_signup_rate": lambda k, r: k == "membership_signup",
        "newsletter_signup_rate": lambda k, r: k == "newsletter_signup",
        "sponsorship_inquiry_rate": lambda k, r: k == "sponsorship_inquiry",
    }
    groups: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    delays: dict[tuple, list[float]] = defaultdict(list)
    for day, channel, person, started in warehouse.query(
        "select conversation_date, channel, person_id, started_at from marts.fct_conversations "
        "where has_visitor_message"
    ):
        for window in WINDOWS:
            followed = [
                (at, kind, rev)
                for at, kind, rev in conversions.get(person, [])
                if started < at <= started + dt.timedelta(days=window)
            ]
            revenue_delays = [(at - started).total_seconds() for at, _, rev in followed if rev]
            for ch in (channel, "all"):
                g = groups[(day, ch, window)]
                g["conversations"] += 1
                for name, test in kinds.items():
                    g[name] += any(test(kind, rev) for _, kind, rev in followed)
                if revenue_delays:
                    delays[(day, ch, window)].append(min(revenue_delays))
    columns = ", ".join(kinds)
    rows = warehouse.query(
        f"select conversation_date, channel, window_days, conversations, {columns}, "
        "p50_seconds_chat_to_revenue_conversion from marts.rpt_chat_conversion_rates_daily"
    )
    assert len(rows) == len(groups)
    followed_any = 0
    for day, channel, window, n, *rates, p50 in rows:
        key = (day, channel, window)
        expected = groups[key]
        assert n == expected["conversations"], key
        for name, rate in zip(kinds, rates, strict=True):
            assert math.isclose(rate, expected[name] / n, abs_tol=1e-12), (key, name)
            followed_any += expected[name]
        d = sorted(delays.get(key, []))
        if not d:
            assert p50 is None, key
        else:
            mid = (len(d) - 1) / 2
            median = d[int(mid)] + (d[math.ceil(mid)] - d[int(mid)]) * (mid - int(mid))
            assert math.isclose(p50, median, abs_tol=1e-6), key
    assert followed_any > 50


def monday(at: dt.datetime) -> dt.datetime:
    return dt.datetime.combine((at - dt.timedelta(days=at.weekday())).date(), dt.time())


def median(values: list[float]) -> float | None:
    """Linear-interpolation median (quantile_cont 0.5)."""
    if not values:
        return None
    v = sorted(values)
    mid = (len(v) - 1) / 2
    return v[int(mid)] + (v[math.ceil(mid)] - v[int(mid)]) * (mid - int(mid))


def test_sales_pipeline_matches_independent_computation(warehouse):
    """Qualified lead rate, time to qualification, close rate and average deal size per week and
    lead source, recomputed from the staged CRM tables and the FX seed."""
    contacts = {
        cid: (created, from_chat)
        for cid, created, from_chat in warehouse.query(
            "select contact_id, created_at, is_created_from_chat "
            "from staging.stg_hubspot__contacts where not is_deleted and not is_internal"
        )
    }
    deal_contacts = warehouse.query(
        "select deal_id, contact_id from staging.stg_hubspot__deal_contacts"
    )
    qualified_deals: dict[str, dt.datetime] = {}
    for deal, at in warehouse.query(
        "select deal_id, entered_at from staging.stg_hubspot__deal_stages "
        "where deal_stage = 'qualifiedtobuy'"
    ):
        qualified_deals[deal] = min(at, qualified_deals.get(deal, at))
    qualified_at: dict[str, dt.datetime] = {}
    chat_deals: dict[str, bool] = defaultdict(bool)
    for deal, contact in deal_contacts:
        if deal in qualified_deals:
            at = qualified_deals[deal]
            qualified_at[contact] = min(at, qualified_at.get(contact, at))
        if contact in contacts:
            chat_deals[deal] |= bool(contacts[contact][1])
    rates = defaultdict(list)
    for day, currency, rate in warehouse.query(
        "select rate_date, currency, usd_per_unit from seeds.fx_rates"
    ):
        rates[currency].append((day, rate))
    expected: dict[tuple, dict] = defaultdict(lambda: defaultdict(list))
    for cid, (created, from_chat) in contacts.items():
        g = expected[(monday(created), "chat" if from_chat else "other")]
        g["leads"].append(cid)
        if cid in qualified_at:
            g["qualified"].append((qualified_at[cid] - created).total_seconds())
    for deal, stage, amount, currency, closed in warehouse.query(
        "select deal_id, deal_stage, amount, currency, closed_at from staging.stg_hubspot__deals "
        "where not is_deleted and deal_stage in ('closedwon', 'closedlost') "
        "and closed_at is not null"
    ):
        g = expected[(monday(closed), "chat" if chat_deals[deal] else "other")]
        if stage == "closedwon":
            usd = max((r for r in rates[currency] if r[0] <= closed.date()), default=None)
            g["won"].append(float(amount) * usd[1])
        else:
            g["lost"].append(deal)
    rows = warehouse.query(
        "select week_start, lead_source, leads, qualified_leads, qualified_lead_rate, "
        "p50_seconds_to_qualification, deals_won, deals_lost, close_rate, average_deal_size "
        "from marts.rpt_sales_pipeline_weekly"
    )
    assert len(rows) == len(expected)
    assert sum(r[3] for r in rows) > 5
    for week, source, leads, qualified, q_rate, p50, won, lost, close_rate, size in rows:
        g = expected[(week, source)]
        assert (leads, qualified) == (len(g["leads"]), len(g["qualified"])), (week, source)
        assert (won, lost) == (len(g["won"]), len(g["lost"])), (week, source)
        assert q_rate == (qualified / leads if leads else None)
        exp_p50 = median(g["qualified"])
        assert (p50 is None and exp_p50 is None) or math.isclose(p50, exp_p50), (week, source)
        assert close_rate == (won / (won + lost) if won + lost else None), (week, source)
        exp_size = sum(g["won"]) / won if won else None
        assert (size is None and exp_size is None) or math.isclose(size, exp_size), (week, source)


def test_checkout_completion_matches_independent_computation(warehouse):
    """Checkout completion and abandoned-cart recovery per day, chat-assisted (the person chatted
    in the 7 days before the checkout started) or not, from the staged Shopify tables."""
    chats = defaultdict(list)
    for person, started in warehouse.query(
        "select person_id, started_at from marts.fct_conversations where has_visitor_message"
    ):
        chats[person].append(started)
    events = [
        (person, at, True, False, False)
        for person, at in warehouse.query(
            "select email_hash, created_at from staging.stg_shopify__orders "
            "where not is_test_mode and not is_internal"
        )
    ] + [
        (person, at, False, True, completed is not None)
        for person, at, completed in warehouse.query(
            "select email_hash, created_at, completed_at "
            "from staging.stg_shopify__abandoned_checkouts where not is_internal"
        )
    ]
    expected: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for person, at, completed, abandoned, recovered in events:
        assisted = any(at - dt.timedelta(days=7) <= s <= at for s in chats.get(person, []))
        g = expected[(dt.datetime.combine(at.date(), dt.time()), assisted)]
        g[0] += completed or (abandoned and not recovered)
        g[1] += completed
        g[2] += abandoned
        g[3] += recovered
    rows = warehouse.query(
        "select checkout_date, is_chat_assisted, checkouts_started, checkouts_completed, "
        "abandoned_checkouts, recovered_checkouts, checkout_completion_rate, "
        "abandoned_cart_recovery_rate from marts.rpt_checkout_completion_daily"
    )
    assert len(rows) == len(expected)
    assert any(r[1] for r in rows) and sum(r[5] for r in rows) > 0
    for day, assisted, started, completed, abandoned, recovered, c_rate, r_rate in rows:
        assert [started, completed, abandoned, recovered] == expected[(day, assisted)], day
        assert c_rate == (completed / started if started else None)
        assert r_rate == (recovered / abandoned if abandoned else None)
