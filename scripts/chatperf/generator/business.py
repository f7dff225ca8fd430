"""Business planning for one visitor: which purchases, forms, contacts and deals they get.

Only visitors with an outcome get here (Python, not vectorised). Rows are queued per table and
day with :meth:`BusinessPlanning._pend` and written, sorted by time and id, when their day is
written (:meth:`BusinessPlanning._write_pending`). The per-source rows come from the
Stripe, Shopify, Patreon and HubSpot mixins (stripe.py, shopify.py, patreon.py, hubspot.py).
All draws come from ``self.biz``."""

from __future__ import annotations

import math

from chatperf.generator.catalogs import COURSES
from chatperf.generator.constants import MS_DAY, MS_HOUR, MS_MINUTE
from chatperf.generator.sessions import (
    ABANDON_ORDINAL,
    F_ABANDON,
    F_HELPDESK,
    F_IDENT,
    F_NEWSLETTER,
    F_PURCHASE,
    F_SPONSOR_CHAT,
    F_SPONSOR_FORM,
    F_START,
    PURCHASE_ORDINAL,
)
from chatperf.landing_spec import TABLES


class BusinessPlanning:
    """What one visitor buys or signs up for; business rows queued per table and day."""

    def _pend(self, table: str, ms: int, key: str, row: list) -> None:
        if ms >= self.end_ms or ms < self.start_ms:
            return
        day = (ms - self.start_ms) // MS_DAY
        self.pending[table][day].append((ms, key, row))

    def synced(self, ms: int) -> str:
        """Fivetran syncs every 30 minutes; a row is synced at the first sync after it changed."""
        return self.fmt.z((ms // (30 * MS_MINUTE) + 1) * 30 * MS_MINUTE + 4 * MS_MINUTE)

    def _plan_business(
        self,
        d,
        i,
        person,
        v,
        sess,
        lo,
        hi,
        open_at,
        buys,
        purchase_ms,
        anchor,
        kind,
        newsletter,
        sponsor_form,
        sponsor_chat,
        chat_contact,
        abandon_nb,
        purchaser_contact,
    ) -> list[tuple]:
        """Plan purchases, forms, contacts and deals; return extra sessions to add."""
        draw = self.biz
        extra: list[tuple] = []
        contact_events: list[tuple[int, str]] = []  # (time, how)
        normal = [j for j in range(lo, hi)]
        # chat-based contact and sponsorship conversations
        chat_sessions = [
            j for j in normal if sess["flags"][j] & F_START and open_at[j] < self.end_ms
        ]
        if chat_contact:
            ident = [j for j in chat_sessions if sess["flags"][j] & F_IDENT]
            if ident:
                t = int(open_at[ident[0]]) + int(draw.between(2, 8) * MS_MINUTE)
                contact_events.append((t, "chat"))
        sponsor_times: list[tuple[int, str]] = []
        if sponsor_chat:
            web = [j for j in chat_sessions if not sess["flags"][j] & F_HELPDESK]
            if web:
                j = web[0]
                sess["flags"][j] |= F_SPONSOR_CHAT
                t = int(open_at[j]) + int(draw.between(3, 10) * MS_MINUTE)
                sponsor_times.append((t, "chat"))
                contact_events.append((t, "chat"))
        form_times: list[tuple[int, str]] = []
        if newsletter or sponsor_form:
            j = normal[int(draw.u() * len(normal))]
            off = int(draw.lognorm(math.log(50_000), 0.6)) + 10_000
            sess["form_off"][j] = off
            t = int(sess["start"][j]) + off
            if newsletter:
                sess["flags"][j] |= F_NEWSLETTER
                form_times.append((t, "newsletter"))
                contact_events.append((t, "form"))
            if sponsor_form:
                sess["flags"][j] |= F_SPONSOR_FORM
                ts = t + 120_000 if newsletter else t
                form_times.append((ts, "sponsorship"))
                sponsor_times.append((ts, "form"))
                contact_events.append((ts, "form"))
        if buys:
            pre = int(draw.lognorm(math.log(180_000), 0.5)) + 30_000
            pre = min(pre, purchase_ms - anchor - 1_000)
            extra.append(
                (
                    i,
                    purchase_ms - pre,
                    pre,
                    F_PURCHASE,
                    PURCHASE_ORDINAL,
                    self.kind_names.index(kind),
                )
            )
            abandoned_first = kind == "shopify_order" and (
                draw.u() < self.cfg.commerce.shopify_abandoned_then_completed_probability
            )
            self._plan_purchase(person, kind, purchase_ms, anchor, abandoned_first, extra, i)
            if purchaser_contact:
                contact_events.append((purchase_ms + 10 * MS_MINUTE, "purchase"))
        if abandon_nb:
            j = normal[int(draw.u() * len(normal))]
            t = int(sess["start"][j]) + int(draw.lognorm(math.log(6 * MS_HOUR), 1.0))
            if t < self.end_ms:
                pre = 90_000
                extra.append(
                    (
                        i,
                        t - pre,
                        pre,
                        F_ABANDON,
                        ABANDON_ORDINAL,
                        self.kind_names.index("shopify_order"),
                    )
                )
                self._plan_abandoned_checkout(person, t, None)
        # HubSpot: one contact per person, created at the first contact-creating moment
        if contact_events:
            contact_events.sort()
            created, how = contact_events[0]
            if created < self.end_ms:
                self._plan_contact(
                    person,
                    created,
                    how,
                    form_times,
                    sponsor_times,
                    buys and purchase_ms < self.end_ms,
                )
        return extra

    def _price(self, usd: float, currency: str) -> float:
        return float(max(1, round(usd * self.currency_factor[currency])))

    def _plan_purchase(self, person, kind, t, anchor, abandoned_first, extra, i) -> None:
        self.counters["purchases"] += 1
        self.counters[f"purchases.{kind}"] += 1
        if kind == "shopify_order":
            self._plan_shopify_order(person, t, anchor, abandoned_first)
        elif kind == "stripe_course":
            course = self.biz.pick(COURSES)
            self._plan_stripe_one_off(person, t, course)
        elif kind == "stripe_membership":
            self._plan_stripe_subscription(person, t)
        else:
            self._plan_patreon(person, t)

    def _write_pending(self, d: int) -> None:
        date = self.fmt.date(self.day0_no + d)
        skip = {"chat_events", "web_pageviews", "experiment_assignments", "patreon_members"}
        for table in TABLES:
            if table.name in skip:
                continue
            items = self.pending[table.name].pop(d, [])
            items.sort(key=lambda x: (x[0], x[1]))
            rows = [x[2] for x in items]
            if table.name == "shopify_order":
                for row in rows:
                    self.order_name_seq += 1
                    row[1] = f"#{self.order_name_seq}"
            self.landing.write_csv(table, date, rows)
