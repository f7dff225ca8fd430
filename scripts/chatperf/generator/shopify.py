"""Shopify: orders with their sale and refund transactions, and abandoned checkouts
(some recovered by a later order).

A mixin of :class:`~chatperf.generator.orchestrator.Generator`: draws from ``self.biz``,
queues rows with ``self._pend``. Order names (#1001 ...) are given when the day is written."""

from __future__ import annotations

from chatperf.generator.catalogs import PRODUCTS
from chatperf.generator.constants import MS_DAY, MS_HOUR, SITE
from chatperf.generator.formats import bool_text, money, offset_minutes


class ShopifySource:
    """Shopify orders, transactions and abandoned checkouts."""

    def _shop_ts(self, ms: int) -> str:
        """Shopify timestamps carry the shop's offset."""
        label = self.cfg.commerce.shop_timezone_offset
        return self.fmt.local_s(ms, offset_minutes(label), label)

    def _plan_abandoned_checkout(self, person, t, completed_at, total=None) -> str:
        draw = self.biz
        self.shopify_seq += 1
        cid = 21_000_000_000 + self.shopify_seq * 37
        token = self.ids.one("tok")[4:]
        product = draw.pick(PRODUCTS)
        cur = person["currency"]
        if total is None:
            total = self._price(product[2], cur)
        completed = ""
        last = t
        if completed_at is not None and completed_at < self.end_ms:
            completed = self._shop_ts(completed_at)
            last = completed_at
        row = [
            cid,
            token,
            self.messy_email(person["email"], draw),
            self._shop_ts(t),
            self._shop_ts(last),
            completed,
            money(total),
            cur,
            f"/products/{product[0]}",
            f"{SITE}/checkouts/{token}/recover",
            self.synced(last),
        ]
        self._pend("shopify_abandoned_checkout", t, str(cid), row)
        self.counters["abandoned_checkouts"] += 1
        if completed:
            self.counters["abandoned_checkouts_recovered"] += 1
        return token

    def _plan_shopify_order(self, person, t, anchor, abandoned_first) -> None:
        com, draw = self.cfg.commerce, self.biz
        cur = person["currency"]
        live = not person["qa"]
        items = 1 + draw.poisson(0.6)
        subtotal = 0.0
        product = PRODUCTS[0]
        for _ in range(items):
            product = draw.pick(PRODUCTS)
            subtotal += self._price(product[2], cur)
        discount = round(subtotal * 0.1, 2) if draw.u() < 0.15 else 0.0
        tax = round((subtotal - discount) * draw.pick((0.0, 0.07, 0.19, 0.2)), 2)
        total = round(subtotal - discount + tax, 2)
        token = self.ids.one("tok")[4:]
        if abandoned_first:
            at = anchor + int((t - anchor) * draw.between(0.1, 0.6))
            token = self._plan_abandoned_checkout(person, at, t, total)
        self.shopify_seq += 1
        oid = 5_100_000_000_000 + self.shopify_seq * 131
        self.shopify_customer_seq += 1
        customer = 7_200_000_000_000 + self.shopify_customer_seq * 17
        # transactions: the sale, then maybe a refund
        refund_amount, rt = 0.0, None
        force = self.force_refund["shopify"] and live
        if force or draw.u() < com.shopify_refund_probability:
            rt = t + (2 * MS_HOUR if force else int(draw.between(1, 15) * MS_DAY))
            if rt < self.end_ms:
                full = force or draw.u() < com.shopify_full_refund_share
                refund_amount = total if full else round(total * draw.between(0.2, 0.5), 2)
                if force:
                    self.force_refund["shopify"] = 0
            else:
                rt = None
        tx = self._next_tx()
        self._pend(
            "shopify_transaction",
            t,
            str(tx),
            [
                tx,
                oid,
                "sale",
                "success",
                money(total),
                cur,
                self._shop_ts(t),
                bool_text(not live),
                self.synced(t),
            ],
        )
        last = t
        status = "paid"
        if rt is not None:
            tx2 = self._next_tx()
            self._pend(
                "shopify_transaction",
                rt,
                str(tx2),
                [
                    tx2,
                    oid,
                    "refund",
                    "success",
                    money(refund_amount),
                    cur,
                    self._shop_ts(rt),
                    bool_text(not live),
                    self.synced(rt),
                ],
            )
            status = "refunded" if refund_amount >= total else "partially_refunded"
            last = rt
            self.counters["shopify_refunds"] += 1
        src = self.sources[person["acq"]]
        landing_site = f"/products/{product[0]}" + (
            f"?utm_source={src.utm_source}&utm_medium={src.utm_medium}" if src.utm_source else ""
        )
        row = [
            oid,
            None,
            self.messy_email(person["email"], draw),
            customer,
            self._shop_ts(t),
            self._shop_ts(t),
            self._shop_ts(last),
            "",
            cur,
            money(total),
            money(subtotal),
            money(tax),
            money(discount),
            status,
            "fulfilled" if draw.u() < 0.8 else "",
            bool_text(not live),
            "web",
            landing_site,
            src.referrer,
            token,
            self.synced(last),
        ]
        self._pend("shopify_order", t, str(oid), row)
        if not live:
            self.mess["test_mode_shopify_rows"] += 2 + (rt is not None)

    def _next_tx(self) -> int:
        self.shopify_seq += 1
        return 6_300_000_000_000 + self.shopify_seq * 53
