"""Planted mess that is not decided per chat event (events.py does that): orphan refunds and
deal contacts, malformed page-view rows, crawler events without an anonymousId, and the
manifest's summary of all mess planted.

A mixin of :class:`~chatperf.generator.orchestrator.Generator`; draws from ``self.mess_draw``
and ``self.page_rng``."""

from __future__ import annotations

import orjson

from chatperf.generator.constants import MS_DAY, MS_HOUR, MS_MINUTE, SITE
from chatperf.generator.writers import CsvFile


class PlantedMess:
    """Orphans, malformed page views, crawler events, and the mess summary."""

    def _plant_orphan_refunds(self, d: int) -> None:
        base = self.start_ms + d * MS_DAY + 12 * MS_HOUR
        for k in range(self.cfg.mess.orphan_refunds):
            self._orphan_refund(base + k * 17 * MS_MINUTE, "usd")

    def _orphan_refund(self, t: int, currency: str) -> None:
        if t >= self.end_ms:
            return
        re_id = self.ids.one("re")
        ghost = "ch_" + self.ids.one("ch")[3:][::-1]  # a charge id that was never written
        self._pend(
            "stripe_refund",
            t,
            re_id,
            [
                re_id,
                ghost,
                1500,
                currency,
                self.fmt.naive(t),
                "succeeded",
                "requested_by_customer",
                self.synced(t),
            ],
        )
        self.mess["orphan_stripe_refunds"] += 1

    def _plant_orphan_deal_contact(self, d: int) -> None:
        t = self.start_ms + d * MS_DAY + 9 * MS_HOUR
        deal_id = 9_100_000 + (self.deal_seq + 1) * 11  # a deal that was never written
        self._pend(
            "hubspot_deal_contact",
            t,
            f"{deal_id}-orphan",
            [deal_id, 99_000_000 + deal_id % 1000, self.synced(t)],
        )
        self.mess["orphan_deal_contacts"] += 1

    def _malformed_pageviews(self, pv: CsvFile, rows: list) -> None:
        if not rows:
            return
        mc = self.cfg.mess
        n = int(self.page_rng.binomial(len(rows), mc.malformed_pageview_probability))
        if n == 0 and self.mess["malformed_pageview_rows"] < mc.minimum_per_kind:
            n = 1
        for _ in range(n):
            row = list(rows[int(self.mess_draw.u() * len(rows))])
            # a tracker that forgot to quote: a comma inside the URL splits the field
            row[4] = str(row[4]) + ",utm_content=carousel"
            pv.raw_malformed(",".join(str(x) for x in row))
            self.mess["malformed_pageview_rows"] += 1

    def _crawler_events(self, d: int) -> None:
        """Widget views from a headless crawler: no anonymousId, so the loader refuses them."""
        mc = self.cfg.mess
        n = int(self.page_rng.poisson(mc.missing_anonymous_id_per_day))
        if n == 0 and self.mess["events_missing_anonymous_id"] < mc.minimum_per_kind:
            n = 1
        day_start = self.start_ms + d * MS_DAY
        for _ in range(n):
            t = day_start + int(self.mess_draw.u() * (MS_DAY - MS_HOUR))
            recv = t + 900
            obj = {
                "messageId": self.ids.one("evt"),
                "type": "track",
                "event": "Widget Viewed",
                "userId": None,
                "timestamp": self.fmt.z(t),
                "receivedAt": self.fmt.z(recv),
                "properties": {"prompt": "passive"},
                "context": {
                    "page": {"url": SITE + "/", "referrer": ""},
                    "userAgent": "Mozilla/5.0 (compatible; HeadlessChrome/126.0; +crawler)",
                },
            }
            self.events.push(recv, orjson.dumps(obj), 2)
            self.mess["events_missing_anonymous_id"] += 1

    def _mess_summary(self) -> dict:
        m = dict(self.mess)
        m["macro_autoreply_bot_messages_labelled_agent"] = self.counters["macro_autoreply_messages"]
        m["qa_visitors"] = self.counters["qa_visitors"]
        m["mixed_timezone_offsets"] = dict(sorted(self.offset_counts.items()))
        for key in (
            "test_mode_stripe_rows",
            "test_mode_shopify_rows",
            "email_case_whitespace_variants",
            "orphan_stripe_refunds",
            "orphan_deal_contacts",
        ):
            m.setdefault(key, 0)
        m["email_case_whitespace_variant_rows_by_table"] = dict(
            sorted(self.landing.email_variant_rows.items())
        )
        m["test_mode_rows_by_table"] = dict(sorted(self.landing.test_mode_rows.items()))
        files = self.landing.files.values()
        m["malformed_lines_total"] = sum(f["malformed"] for f in files)
        m["expected_quarantine_total"] = sum(f["expected_quarantine"] for f in files)
        return dict(sorted(m.items()))
