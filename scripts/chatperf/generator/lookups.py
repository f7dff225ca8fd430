"""Lookup tables derived from the config once per run (cumulative weights, numpy arrays of
source fields, day weights with the launch spike). No draws.

A mixin of :class:`~chatperf.generator.orchestrator.Generator`."""

from __future__ import annotations

import numpy as np

from chatperf.generator.catalogs import EMAIL_DOMAINS, PAGES, SENTIMENTS, TOPICS
from chatperf.generator.constants import SITE
from chatperf.generator.formats import offset_minutes
from chatperf.generator.randomness import cumulative, probabilities


class LookupTables:
    """Lookup tables derived from the config, built once per run."""

    def _prepare_tables(self) -> None:
        tc, cc, ec = self.cfg.traffic, self.cfg.chat, self.cfg.experiments
        self.country_codes = [c.code for c in tc.countries]
        self.country_p = probabilities([c.weight for c in tc.countries])
        self.country_currency = [c.currency for c in tc.countries]
        labels: list[str] = []
        self.country_tz: list[tuple[np.ndarray, np.ndarray]] = []
        for c in tc.countries:
            idx = []
            for label, _w in c.offsets:
                if label not in labels:
                    labels.append(label)
                idx.append(labels.index(label))
            cum = np.cumsum(probabilities([w for _, w in c.offsets]))
            self.country_tz.append((np.array(idx, dtype=np.uint8), cum))
        self.tz_labels = labels
        self.tz_minutes = [offset_minutes(x) for x in labels]
        self.devices = [d for d, _ in tc.device_shares]
        self.device_p = probabilities([w for _, w in tc.device_shares])
        self.sources = list(tc.sources)
        self.source_names = [s.name for s in tc.sources]
        self.source_p = probabilities([s.weight for s in tc.sources])
        self.src_direct = self.source_names.index("direct")
        self.src_newsletter = self.source_names.index("newsletter")
        self.src_utm_source = np.array([s.utm_source for s in tc.sources], dtype=object)
        self.src_utm_medium = np.array([s.utm_medium for s in tc.sources], dtype=object)
        self.src_utm_campaign = np.array([s.utm_campaign for s in tc.sources], dtype=object)
        self.src_referrer = np.array([s.referrer for s in tc.sources], dtype=object)
        self.src_query = np.array(
            [
                (
                    f"?utm_source={s.utm_source}&utm_medium={s.utm_medium}"
                    f"&utm_campaign={s.utm_campaign}"
                )
                if s.utm_source
                else ""
                for s in tc.sources
            ],
            dtype=object,
        )
        self.src_purchase_mult = np.array([s.purchase_multiplier for s in tc.sources])
        self.hourly_p = probabilities(tc.hourly_weights_utc)
        self.page_urls = np.array([SITE + p for p, _ in PAGES], dtype=object)
        self.page_p = probabilities([w for _, w in PAGES])
        self.domains = [d for d, _ in EMAIL_DOMAINS]
        self.domain_p = probabilities([w for _, w in EMAIL_DOMAINS])
        self.open_p = dict(cc.chat_open_probability)
        self.topic_names = list(TOPICS)
        self.topic_cum_nonbuyer = cumulative([TOPICS[t][2] for t in self.topic_names])
        self.topic_cum_buyer = cumulative([TOPICS[t][3] for t in self.topic_names])
        self.ending_names = [e for e, _ in cc.human_ending_shares]
        self.ending_cum = cumulative([w for _, w in cc.human_ending_shares])
        self.sentiment_names = [s for s, _ in SENTIMENTS]
        self.sentiment_cum = cumulative([w for _, w in SENTIMENTS])
        self.agent_ids = [f"agent_{i}" for i in range(1, cc.agents + 1)]
        self.agent_cum = cumulative([1.0 / (i + 1) ** 0.5 for i in range(cc.agents)])
        self.bot_rounds_cum = cumulative(cc.bot_extra_rounds_weights)
        self.kind_names = [k for k, _ in self.cfg.commerce.purchase_kinds]
        self.kind_p = probabilities([w for _, w in self.cfg.commerce.purchase_kinds])
        self.currency_factor = dict(self.cfg.commerce.currency_factors)
        self.tier_names = [t[0] for t in self.cfg.commerce.tiers]
        self.tier_usd = {t[0]: t[1] for t in self.cfg.commerce.tiers}
        self.tier_cum = cumulative([t[2] for t in self.cfg.commerce.tiers])
        self.returning_src_p = probabilities([w for _, w in tc.returning_session_source_shares])
        self.srm_t_share = ec.srm_check.actual_split[1]
        self.holdout_share = ec.chat_holdout.actual_split[1]
        self.proactive_t_share = ec.proactive_prompt.actual_split[1]
        self.bot_first_share = ec.bot_first.actual_split[0]
        self.day_weights, self.spike_days = self._day_weights()

    def _day_weights(self) -> tuple[np.ndarray, list[int]]:
        tc = self.cfg.traffic
        weights = np.empty(self.opts.days)
        for d in range(self.opts.days):
            weekday = (self.day0_no + d + 3) % 7  # 1970-01-01 was a Thursday
            weights[d] = tc.weekday_weights[weekday]
        spike: list[int] = []
        if self.opts.days >= tc.launch_spike_min_days:
            first = int(round(self.opts.days * tc.launch_spike_start_fraction))
            for i, m in enumerate(tc.launch_spike_multipliers):
                if first + i < self.opts.days:
                    weights[first + i] *= m
                    spike.append(first + i)
        return weights, spike

    def _source_p_for_day(self, d: int) -> np.ndarray:
        if d not in self.spike_days:
            return self.source_p
        tc = self.cfg.traffic
        w = np.array([s.weight for s in tc.sources])
        w[self.source_names.index(tc.launch_spike_source)] *= (
            tc.launch_spike_source_weight_multiplier
        )
        return w / w.sum()
