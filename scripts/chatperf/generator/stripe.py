"""Stripe: customers, one-off course charges, monthly subscriptions with invoices, refunds.

A mixin of :class:`~chatperf.generator.orchestrator.Generator`: draws from ``self.biz`` and
queues rows with ``self._pend`` (see business.py); refunds are forced once each (full and
partial) so every kind exists."""

from __future__ import annotations

import orjson

from chatperf.generator.constants import MS_DAY, MS_HOUR
from chatperf.generator.formats import add_month, bool_text


class StripeSource:
    """Stripe customers, charges, refunds, invoices and subscriptions."""

    def _stripe_customer(self, person, t: int) -> str:
        cus = self.ids.one("cus")
        live = not person["qa"]
        row = [
            cus,
            self.messy_email(person["email"], self.biz),
            f"{person['first']} {person['last']}",
            self.fmt.naive(t),
            person["currency"].lower(),
            bool_text(live),
            "false",
            self.synced(t),
        ]
        self._pend("stripe_customer", t, cus, row)
        if not live:
            self.mess["test_mode_stripe_rows"] += 1
        return cus

    def _charge_row(
        self,
        ch,
        amount,
        refunded_amt,
        currency,
        cus,
        t,
        status,
        live,
        desc,
        invoice,
        email,
        metadata,
        last_change,
    ) -> list:
        paid = status == "succeeded"
        return [
            ch,
            amount,
            refunded_amt,
            currency,
            cus,
            self.fmt.naive(t),
            status,
            bool_text(paid),
            bool_text(paid),
            bool_text(paid and refunded_amt >= amount),
            bool_text(live),
            desc,
            invoice or "",
            email,
            orjson.dumps(metadata, option=orjson.OPT_SORT_KEYS).decode(),
            self.synced(last_change),
        ]

    def _maybe_refund_stripe(self, ch, amount, currency, t) -> tuple[int, int]:
        com, draw = self.cfg.commerce, self.biz
        forced = None
        if self.force_refund["stripe_full"]:
            forced = "full"
        elif self.force_refund["stripe_partial"]:
            forced = "partial"
        if forced is None and draw.u() >= com.stripe_refund_probability:
            return 0, t
        rt = t + int(draw.between(0.5, 12) * MS_DAY)
        if forced is None and rt >= self.end_ms:
            return 0, t
        if forced is not None:
            rt = min(rt, t + 2 * MS_HOUR)
            if rt >= self.end_ms:
                return 0, t
            self.force_refund["stripe_" + forced] = 0
            full = forced == "full"
        else:
            full = draw.u() < com.stripe_full_refund_share
        refund_amt = amount if full else max(1, int(amount * draw.between(0.2, 0.6)))
        reason = draw.pick(("requested_by_customer", "requested_by_customer", "duplicate", ""))
        re_id = self.ids.one("re")
        self._pend(
            "stripe_refund",
            rt,
            re_id,
            [
                re_id,
                ch,
                refund_amt,
                currency,
                self.fmt.naive(rt),
                "succeeded",
                reason,
                self.synced(rt),
            ],
        )
        self.counters["stripe_refunds_full" if full else "stripe_refunds_partial"] += 1
        return refund_amt, rt

    def _plan_stripe_one_off(self, person, t, course) -> None:
        com, draw = self.cfg.commerce, self.biz
        live = not person["qa"]
        cur = person["currency"]
        cus = self._stripe_customer(person, t - 40_000)
        amount = int(self._price(course[2], cur) * 100)
        email = self.messy_email(person["email"], draw)
        meta = {"course": course[0], "source": "website"}
        if draw.u() < com.charge_declined_first_probability:
            ch = self.ids.one("ch")
            ft = t - int(draw.between(60, 600) * 1000)
            self._pend(
                "stripe_charge",
                ft,
                ch,
                self._charge_row(
                    ch,
                    amount,
                    0,
                    cur.lower(),
                    cus,
                    ft,
                    "failed",
                    live,
                    f"Course: {course[1]}",
                    None,
                    email,
                    meta,
                    ft,
                ),
            )
            self.counters["stripe_failed_charges"] += 1
        ch = self.ids.one("ch")
        refunded, last = self._maybe_refund_stripe(ch, amount, cur.lower(), t)
        self._pend(
            "stripe_charge",
            t,
            ch,
            self._charge_row(
                ch,
                amount,
                refunded,
                cur.lower(),
                cus,
                t,
                "succeeded",
                live,
                f"Course: {course[1]}",
                None,
                email,
                meta,
                last,
            ),
        )
        if not live:
            self.mess["test_mode_stripe_rows"] += 2

    def _plan_stripe_subscription(self, person, t) -> None:
        com, draw = self.cfg.commerce, self.biz
        live = not person["qa"]
        cur = person["currency"]
        tier = draw.wpick(self.tier_names, self.tier_cum)
        amount = int(self._price(self.tier_usd[tier], cur) * 100)
        cus = self._stripe_customer(person, t - 30_000)
        sub = self.ids.one("sub")
        email = self.messy_email(person["email"], draw)
        number_prefix = cus[4:12].upper()
        period_start, k = t, 0
        cancel_at = None
        last_change = t
        while period_start < self.end_ms:
            period_end = add_month(period_start)
            inv = self.ids.one("in")
            ch = self.ids.one("ch")
            reason = "subscription_create" if k == 0 else "subscription_cycle"
            self._pend(
                "stripe_invoice",
                period_start,
                inv,
                [
                    inv,
                    cus,
                    sub,
                    ch,
                    f"{number_prefix}-{k + 1:04d}",
                    "paid",
                    reason,
                    amount,
                    amount,
                    cur.lower(),
                    self.fmt.naive(period_start),
                    self.fmt.naive(period_start),
                    self.fmt.naive(period_end),
                    bool_text(live),
                    self.synced(period_start + 60_000),
                ],
            )
            refunded, rlast = (0, period_start)
            if k == 0 and draw.u() < com.stripe_refund_probability / 2:
                refunded, rlast = self._maybe_refund_stripe(ch, amount, cur.lower(), period_start)
            self._pend(
                "stripe_charge",
                period_start,
                ch,
                self._charge_row(
                    ch,
                    amount,
                    refunded,
                    cur.lower(),
                    cus,
                    period_start,
                    "succeeded",
                    live,
                    "Subscription creation" if k == 0 else "Subscription update",
                    inv,
                    email,
                    {"tier": tier},
                    rlast,
                ),
            )
            last_change = period_start
            if not live:
                self.mess["test_mode_stripe_rows"] += 2
            if draw.u() < com.subscription_monthly_cancel_probability:
                cancel_at = period_start + int(draw.u() * (period_end - period_start))
                break
            period_start = period_end
            k += 1
        cur_start = period_start
        cur_end = add_month(cur_start)
        status, canceled_at, ended_at, at_end = "active", "", "", "false"
        if cancel_at is not None and cancel_at < self.end_ms:
            canceled_at = self.fmt.naive(cancel_at)
            at_end = "true"
            last_change = cancel_at
            if cur_end < self.end_ms:
                status, ended_at = "canceled", self.fmt.naive(cur_end)
                last_change = cur_end
        if period_start >= self.end_ms:  # the loop ran past the window: last real period
            cur_start = period_start
        row = [
            sub,
            cus,
            status,
            self.fmt.naive(t),
            self.fmt.naive(t),
            self.fmt.naive(min(cur_start, self._last_period_start(t))),
            self.fmt.naive(add_month(min(cur_start, self._last_period_start(t)))),
            canceled_at,
            ended_at,
            at_end,
            bool_text(live),
            orjson.dumps({"tier": tier}).decode(),
            self.synced(min(last_change, self.end_ms)),
        ]
        self._pend("stripe_subscription", t, sub, row)
        self.counters["stripe_subscriptions"] += 1

    def _last_period_start(self, t: int) -> int:
        """Start of the billing period that contains the end of the window."""
        p = t
        while True:
            nxt = add_month(p)
            if nxt >= self.end_ms:
                return p
            p = nxt
