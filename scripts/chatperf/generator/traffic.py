"""Web traffic: the page views of one hourly chunk of sessions (vectorised with numpy), then its
chat sessions.

A mixin of :class:`~chatperf.generator.orchestrator.Generator`. Draws from ``self.page_rng``
only; page views after midnight wait in ``self.pageview_spill`` for the next day's file."""

from __future__ import annotations

import math

import numpy as np

from chatperf.generator.catalogs import COURSES, PAGES, PRODUCTS
from chatperf.generator.constants import MS_DAY, SITE
from chatperf.generator.formats import iso_z_array
from chatperf.generator.sessions import (
    F_ABANDON,
    F_NEWSLETTER,
    F_PURCHASE,
    F_SPONSOR_FORM,
    F_WIDGET,
    V_QA,
)
from chatperf.generator.writers import CsvFile


class WebTraffic:
    """Page views of an hourly chunk of sessions."""

    def _process_chunk(self, d: int, s: np.ndarray, pv: CsvFile) -> None:
        rng, tc = self.page_rng, self.cfg.traffic
        n = len(s)
        flags = s["flags"]
        ordinal = s["ordinal"]
        ret = rng.choice(3, size=n, p=self.returning_src_p)
        src = np.where(ret == 0, self.src_direct, np.where(ret == 1, self.src_newsletter, s["acq"]))
        src = np.where(ordinal == 0, s["acq"], src).astype(np.int64)
        is_qa = (s["vflags"] & V_QA) > 0
        anon = np.array(self.anon_ids(s["vid"], is_qa), dtype=object)
        sess_key = (s["vid"].astype(np.uint64) << np.uint64(8)) | ordinal.astype(np.uint64)
        sess_ids = np.array(self.ids.for_values("sess", sess_key, "sess_"), dtype=object)

        special = (flags & (F_PURCHASE | F_ABANDON)) > 0
        normal_idx = np.flatnonzero(~special)
        k = 1 + np.minimum(
            rng.poisson(tc.extra_pages_per_session_mean, len(normal_idx)),
            tc.max_pages_per_session - 1,
        )
        total = int(k.sum())
        owner = np.repeat(normal_idx, k)
        gs = np.cumsum(k) - k
        pos = np.arange(total) - np.repeat(gs, k)
        gaps = (
            rng.lognormal(
                math.log(tc.page_gap_seconds_median * 1000), tc.page_gap_sigma, total
            ).astype(np.int64)
            + 1_000
        )
        gaps[pos == 0] = 0
        csum = np.cumsum(gaps)
        off = csum - np.repeat(csum[gs], k)
        path = rng.choice(len(PAGES), size=total, p=self.page_p)
        times = s["start"][owner] + off
        urls = self.page_urls[path]
        first = pos == 0
        osrc = src[owner]
        query = self.src_query[osrc]
        with_utm = first & (query != "")
        urls[with_utm] = urls[with_utm] + query[with_utm]
        refs = np.empty(total, dtype=object)
        refs[first] = self.src_referrer[osrc[first]]
        later = np.flatnonzero(~first)
        refs[later] = urls[later - 1]
        empty = np.full(total, "", dtype=object)
        utm_s = np.where(first, self.src_utm_source[osrc], empty)
        utm_m = np.where(first, self.src_utm_medium[osrc], empty)
        utm_c = np.where(first, self.src_utm_campaign[osrc], empty)
        device = np.array(self.devices, dtype=object)[s["device"][owner]]
        country = np.array(self.country_codes, dtype=object)[s["country"][owner]]
        cols = [
            None,
            sess_ids[owner],
            anon[owner],
            None,
            urls,
            refs,
            utm_s,
            utm_m,
            utm_c,
            device,
            country,
        ]

        # chat page lookups: the landing page shows the widget; the chat opens on the page
        # that is displayed at the open time
        first_row = np.full(n, -1, dtype=np.int64)
        first_row[normal_idx] = gs
        keys = (owner.astype(np.int64) << 32) + off
        widget_idx = np.flatnonzero((flags & F_WIDGET) > 0)
        open_rows = (
            np.searchsorted(
                keys, (widget_idx.astype(np.int64) << 32) + s["open_off"][widget_idx], "right"
            )
            - 1
        )

        # extra page views: checkouts, abandoned checkouts, form pages
        extra = self._special_pageviews(s, src, anon, sess_ids)
        all_times = times
        if extra:
            all_times = np.concatenate([times, np.array([e[0] for e in extra], dtype=np.int64)])
        viewed = iso_z_array(all_times)
        pv_ids = np.array(self.ids.block("pv", len(all_times)), dtype=object)
        full_cols = []
        for j, col in enumerate(cols):
            if j == 0:
                col = pv_ids
            elif j == 3:
                col = viewed
            elif extra:
                col = np.concatenate([col, np.array([e[1][j] for e in extra], dtype=object)])
            full_cols.append(col)
        order = np.argsort(all_times, kind="stable")
        all_times = all_times[order]
        next_day = self.start_ms + (d + 1) * MS_DAY
        cut_today = int(np.searchsorted(all_times, next_day))
        cut_end = int(np.searchsorted(all_times, self.end_ms))
        ordered = [c[order].tolist() for c in full_cols]
        rows_today = list(zip(*(c[:cut_today] for c in ordered), strict=True))
        pv.plain_rows(rows_today, len(rows_today))
        if cut_end > cut_today:
            self.pageview_spill[d + 1].extend(
                zip(*(c[cut_today:cut_end] for c in ordered), strict=True)
            )
        self._malformed_pageviews(pv, rows_today)
        self.counters["page_views"] += cut_end

        # the chat: widget views, opens, conversations
        self._chat_sessions(d, s, widget_idx, first_row, open_rows, urls, refs, src, anon)

    def _special_pageviews(self, s, src, anon, sess_ids) -> list[tuple[int, list]]:
        """Checkout / abandoned-checkout / form page views (Python; rare)."""
        out: list[tuple[int, list]] = []
        wanted = F_PURCHASE | F_ABANDON | F_NEWSLETTER | F_SPONSOR_FORM
        for i in np.flatnonzero((s["flags"] & wanted) > 0).tolist():
            fl = int(s["flags"][i])
            start = int(s["start"][i])
            dev = self.devices[int(s["device"][i])]
            cc = self.country_codes[int(s["country"][i])]
            sid, aid = sess_ids[i], anon[i]
            pages: list[tuple[int, str, str]] = []
            if fl & (F_PURCHASE | F_ABANDON):
                at = start + int(s["open_off"][i])
                kind = self.kind_names[int(s["pkind"][i])]
                product = {
                    "shopify_order": f"/shop/{PRODUCTS[i % len(PRODUCTS)][0]}",
                    "stripe_course": f"/courses/{COURSES[i % len(COURSES)][0]}",
                    "stripe_membership": "/membership",
                    "patreon_membership": "/membership",
                }[kind]
                ref = self.src_referrer[int(src[i])]
                pages.append((start, SITE + product, ref))
                if kind != "patreon_membership":
                    pages.append((at - 25_000, SITE + "/checkout", SITE + product))
                    if fl & F_PURCHASE:
                        pages.append((at + 2_000, SITE + "/checkout/thank-you", SITE + "/checkout"))
            if fl & (F_NEWSLETTER | F_SPONSOR_FORM):
                at = start + int(s["form_off"][i])
                if fl & F_NEWSLETTER:
                    pages.append((at - 8_000, SITE + "/newsletter", SITE + "/"))
                if fl & F_SPONSOR_FORM:
                    ts = at + 120_000 if fl & F_NEWSLETTER else at
                    pages.append((ts - 8_000, SITE + "/sponsorships", SITE + "/"))
            for t, url, ref in pages:
                out.append((t, [None, sid, aid, None, url, ref, "", "", "", dev, cc]))
        return out
