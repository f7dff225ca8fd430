"""Generate a landing folder of realistic demo data, plus a ground-truth manifest.

The generator simulates a creator's website with a chat widget (a bot in front of a small
human team) and the business systems around it (Stripe, Shopify, HubSpot, Patreon), and writes
every raw table of :mod:`chatperf.landing_spec` as day-partitioned files. It plants known
behaviour (response-time distributions, bot resolution, reopens, experiments with known effects,
a chat holdout) and known mess (duplicates, late events, malformed lines, orphans) and records
all of it in ``_manifest.json``, so tests can check the pipeline against the truth.

How it works, in one paragraph: day by day, new visitors arrive (seasonality and a launch
spike). When a visitor arrives, their whole future is planned at once, vectorised with numpy:
their sessions over the following days, in which sessions the widget shows and a chat starts,
their experiment variants, and whether and when they buy, sign up or ask about a sponsorship.
Sessions wait in a per-day queue; each day is processed in hourly chunks: page views are built
with numpy, chat conversations are simulated event by event and serialised with orjson into
hourly buckets keyed by ``receivedAt``, which are flushed to the day files as soon as no later
session can add to them. Business rows (orders, charges, contacts, deals ...) wait in per-day
queues until their day is written. Nothing but the open day's data is held in memory.

Everything is deterministic: one ``numpy.random.Generator`` family seeded from ``--seed``, ids
from a bijective 64-bit mix of counters, no wall-clock time. Same arguments, same bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import math
import shutil
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
import orjson

from chatperf.generator.business import BusinessPlanning
from chatperf.generator.catalogs import (
    COURSES,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    PAGES,
    PRODUCTS,
    SENTIMENTS,
    TOPICS,
)
from chatperf.generator.config import (
    DEFAULT_CONFIG,
    ChatConfig,
    CommerceConfig,
    CountrySpec,
    CrmConfig,
    ExperimentsConfig,
    ExperimentSpec,
    GeneratorConfig,
    MessConfig,
    RunOptions,
    SourceSpec,
    TrafficConfig,
)
from chatperf.generator.constants import (
    GENERATOR_VERSION,
    MANIFEST_NAME,
    MS_DAY,
    MS_HOUR,
    MS_MINUTE,
    QA_EMAIL_DOMAIN,
    SITE,
    SPOOL_DIR,
    GeneratorError,
)
from chatperf.generator.conversation import ConversationSim
from chatperf.generator.formats import (
    TimeFormat,
    iso_z_array,
    offset_minutes,
)
from chatperf.generator.hubspot import HubSpotSource
from chatperf.generator.patreon import Member, PatreonSource
from chatperf.generator.randomness import (
    Draw,
    Ids,
    cumulative,
    probabilities,
)
from chatperf.generator.sessions import (
    F_ABANDON,
    F_APP,
    F_HELPDESK,
    F_IDENT,
    F_NEWSLETTER,
    F_OPEN,
    F_PURCHASE,
    F_SPONSOR_CHAT,
    F_SPONSOR_FORM,
    F_START,
    F_WIDGET,
    SESSION_DTYPE,
    V_BOT_FIRST,
    V_BUYER,
    V_HOLDOUT,
    V_PROACTIVE_T,
    V_QA,
    V_SRM_T,
)
from chatperf.generator.shopify import ShopifySource
from chatperf.generator.stripe import StripeSource
from chatperf.generator.writers import CsvFile, EventBuckets, JsonlFile, Landing
from chatperf.landing_spec import TABLES, TABLES_BY_NAME

# ======================================================================================
# the generator


class Generator(StripeSource, ShopifySource, HubSpotSource, PatreonSource, BusinessPlanning):
    def __init__(self, opts: RunOptions, cfg: GeneratorConfig = DEFAULT_CONFIG) -> None:
        self.opts, self.cfg = opts, cfg
        self.fmt = TimeFormat()
        start = dt.datetime.combine(opts.start_date, dt.time(), tzinfo=dt.UTC)
        self.start_ms = int(start.timestamp()) * 1000
        self.end_ms = self.start_ms + opts.days * MS_DAY
        self.day0_no = self.start_ms // MS_DAY
        ss = np.random.SeedSequence(opts.seed)
        (pilot_ss, plan_ss, page_ss, chat_ss, biz_ss, mess_ss, lag_ss) = ss.spawn(7)
        self.pilot_rng = np.random.default_rng(pilot_ss)
        self.rng = np.random.default_rng(plan_ss)
        self.page_rng = np.random.default_rng(page_ss)
        self.chat = Draw(np.random.default_rng(chat_ss))
        self.biz = Draw(np.random.default_rng(biz_ss))
        self.mess_draw = Draw(np.random.default_rng(mess_ss))
        self.lag_rng = np.random.default_rng(lag_ss)
        self.ids = Ids(opts.seed)
        self._prepare_tables()

        self.next_vid = 0
        self.session_queue: dict[int, list[np.ndarray]] = defaultdict(list)
        self.pending: dict[str, dict[int, list[tuple[int, str, list]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.pageview_spill: dict[int, list[list[str]]] = defaultdict(list)
        self.members: list[Member] = []
        self.chat_file: JsonlFile | None = None
        self.spool_cap_bytes = 256 << 20
        self.counters: dict[str, int] = defaultdict(int)
        self.mess: dict[str, int] = defaultdict(int)
        self.offset_counts: dict[str, int] = defaultdict(int)
        self.truth: dict[str, float] = defaultdict(float)
        self.frt_staffed: list[float] = []
        self.frt_all: list[float] = []
        self.delay_days: list[float] = []
        self.hubspot_contact_seq = 0
        self.deal_seq = 0
        self.shopify_seq = 0
        self.shopify_customer_seq = 0
        self.patreon_seq = 0
        self.order_name_seq = 1000
        self.forced_qa = 0
        self.force_refund = {"stripe_full": 1, "stripe_partial": 1, "shopify": 1}

    # ----------------------------------------------------------------------------------
    # lookup tables derived from the config

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

    # ----------------------------------------------------------------------------------
    # visitor planning (vectorised)

    def _sample_visitors(self, rng: np.random.Generator, d: int, n: int) -> dict:
        """Draw n new visitors arriving on day d with all their sessions and chat flags."""
        tc, cc = self.cfg.traffic, self.cfg.chat
        day_start = self.start_ms + d * MS_DAY
        country = rng.choice(len(self.country_codes), size=n, p=self.country_p)
        u_tz = rng.random(n)
        tz = np.zeros(n, dtype=np.uint8)
        for ci, (idx, cum) in enumerate(self.country_tz):
            mask = country == ci
            if mask.any():
                tz[mask] = idx[np.minimum(np.searchsorted(cum, u_tz[mask]), len(idx) - 1)]
        device = rng.choice(len(self.devices), size=n, p=self.device_p)
        acq = rng.choice(len(self.sources), size=n, p=self._source_p_for_day(d))
        qa = rng.random(n) < tc.qa_visitor_share
        srm_t = rng.random(n) < self.srm_t_share
        holdout = rng.random(n) < self.holdout_share
        pro_t = rng.random(n) < self.proactive_t_share
        bot_first = rng.random(n) < self.bot_first_share
        first = rng.integers(0, len(FIRST_NAMES), n)
        last = rng.integers(0, len(LAST_NAMES), n)
        domain = rng.choice(len(self.domains), size=n, p=self.domain_p)
        k = np.minimum(
            rng.geometric(tc.sessions_per_visitor_geometric_p, n), tc.max_sessions_per_visitor
        )
        hour = rng.choice(24, size=n, p=self.hourly_p)
        first_start = day_start + hour * MS_HOUR + (rng.random(n) * MS_HOUR).astype(np.int64)
        first_start = np.clip(first_start, day_start + 5_000, day_start + MS_DAY - 2 * MS_MINUTE)

        total = int(k.sum())
        owner = np.repeat(np.arange(n), k)
        group_start = np.cumsum(k) - k
        ordinal = np.arange(total) - group_start[owner]
        gaps = rng.exponential(tc.return_gap_days_mean * MS_DAY, total) + (
            tc.return_gap_min_minutes * MS_MINUTE
        )
        gaps = gaps.astype(np.int64)
        gaps[ordinal == 0] = 0
        csum = np.cumsum(gaps)
        start = first_start[owner] + csum - csum[group_start[owner]]
        u_widget = rng.random(total)
        u_open = rng.random(total)
        u_start = rng.random(total)
        u_help = rng.random(total)
        u_ident = rng.random(total)
        u_app = rng.random(total)
        open_off = 3_000 + np.minimum(
            rng.lognormal(
                math.log(cc.open_delay_seconds_median * 1000), cc.open_delay_sigma, total
            ),
            20 * MS_MINUTE,
        ).astype(np.int64)
        keep = start < self.end_ms - MS_MINUTE
        owner, ordinal, start, open_off = owner[keep], ordinal[keep], start[keep], open_off[keep]
        exposed = ~holdout[owner]
        widget = exposed & (u_widget[keep] < cc.widget_view_probability)
        p_open = np.where(pro_t[owner], self.open_p["treatment"], self.open_p["control"])
        opened = widget & (u_open[keep] < p_open)
        started = opened & (u_start[keep] < cc.conversation_start_probability)
        helpdesk = started & (u_help[keep] < cc.helpdesk_share)
        ident = started & (u_ident[keep] < cc.identify_probability)
        app = (
            opened
            & (device[owner] == self.devices.index("mobile"))
            & (u_app[keep] < cc.app_channel_share_on_mobile)
        )
        flags = (
            widget * F_WIDGET
            + opened * F_OPEN
            + started * F_START
            + helpdesk * F_HELPDESK
            + ident * F_IDENT
            + app * F_APP
        ).astype(np.uint16)
        return {
            "n": n,
            "country": country,
            "tz": tz,
            "device": device,
            "acq": acq,
            "qa": qa,
            "srm_t": srm_t,
            "holdout": holdout,
            "pro_t": pro_t,
            "bot_first": bot_first,
            "first": first,
            "last": last,
            "domain": domain,
            "first_start": first_start,
            "owner": owner,
            "ordinal": ordinal,
            "start": start,
            "open_off": open_off,
            "flags": flags,
            "started": started,
        }

    def calibrate(self) -> dict:
        """Pick the new-visitor rate that gives the requested conversations (or messages)."""
        opts = self.opts
        unit = 3000.0  # pilot visitors per unit of day weight
        pilot_conv = 0
        for d in range(opts.days):
            n = int(round(unit * self.day_weights[d]))
            v = self._sample_visitors(self.pilot_rng, d, n)
            conv_at = v["start"] + v["open_off"]
            pilot_conv += int((v["started"] & (conv_at < self.end_ms)).sum())
        conv_per_unit = pilot_conv / unit
        info: dict = {"pilot_conversations_per_visitor_rate_unit": conv_per_unit}
        if opts.messages is not None:
            mean_msgs = self._pilot_messages_per_conversation()
            target_conv = opts.messages / mean_msgs
            info["pilot_messages_per_conversation"] = mean_msgs
        else:
            target_conv = float(opts.conversations or 0)
        info["target_conversations"] = target_conv
        self.visitor_rate = target_conv / max(conv_per_unit, 1e-9)
        info["new_visitors_per_unit_day_weight"] = self.visitor_rate
        return info

    def _pilot_messages_per_conversation(self, n: int = 4000) -> float:
        """Simulate conversations (no output) to learn the mean message count."""
        draw = Draw(self.pilot_rng)
        sim = ConversationSim(self, draw, pilot=True)
        weights = self.day_weights / self.day_weights.sum()
        days = self.pilot_rng.choice(self.opts.days, size=n, p=weights)
        hours = self.pilot_rng.choice(24, size=n, p=self.hourly_p)
        secs = self.pilot_rng.random(n) * MS_HOUR
        total = 0
        for i in range(n):
            t0 = int(self.start_ms + days[i] * MS_DAY + hours[i] * MS_HOUR + secs[i])
            arm_bot = draw.u() < self.bot_first_share
            buyer = draw.u() < 0.05
            events = sim.simulate(t0, arm_bot, buyer, False, "pilot", "anon_pilot", "web")
            total += sum(1 for ev in events if ev[0] < self.end_ms and ev[1] in _MESSAGE_EVENTS)
        return total / n

    def plan_day(self, d: int) -> None:
        """Arrivals of day d: sample, decide outcomes, queue sessions and business rows."""
        lam = self.visitor_rate * self.day_weights[d]
        n = int(self.rng.poisson(lam)) if lam > 0 else 0
        if n == 0:
            self._write_assignments(d, None)
            return
        v = self._sample_visitors(self.rng, d, n)
        self._commit_visitors(d, v)

    def _delay_ms(self, buckets, rng: np.random.Generator, n: int) -> np.ndarray:
        shares = probabilities([b[2] for b in buckets])
        which = rng.choice(len(buckets), size=n, p=shares)
        lo = np.array([b[0] for b in buckets])[which]
        hi = np.array([b[1] for b in buckets])[which]
        return ((lo + (hi - lo) * rng.random(n)) * MS_DAY).astype(np.int64)

    @staticmethod
    def delay_cdf(buckets, x_ms: np.ndarray) -> np.ndarray:
        x = x_ms / MS_DAY
        out = np.zeros_like(x, dtype=float)
        total = sum(b[2] for b in buckets)
        for lo, hi, w in buckets:
            out += (w / total) * np.clip((x - lo) / (hi - lo), 0.0, 1.0)
        return out

    def _commit_visitors(self, d: int, v: dict) -> None:
        rng, com, crm = self.rng, self.cfg.commerce, self.cfg.crm
        n = v["n"]
        vids = np.arange(self.next_vid, self.next_vid + n, dtype=np.int64)
        self.next_vid += n
        owner, start, flags = v["owner"], v["start"], v["flags"]
        open_at = start + v["open_off"]
        started_in = v["started"] & (open_at < self.end_ms)
        chatted = np.bincount(owner[started_in], minlength=n) > 0
        first_chat = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_chat, owner[started_in], open_at[started_in])
        qa = v["qa"]
        holdout, pro_t, bot_first = v["holdout"], v["pro_t"], v["bot_first"]
        exposed = ~holdout
        # force a couple of QA visitors early so test-mode data always exists
        if self.forced_qa < 2:
            take = min(2 - self.forced_qa, n)
            qa[:take] = True
            self.forced_qa += take
            forced_qa_idx = list(range(take))
        else:
            forced_qa_idx = []

        p_base = com.base_purchase_probability * self.src_purchase_mult[v["acq"]]
        lift = com.chat_purchase_lift * chatted + com.proactive_treatment_purchase_lift * (
            pro_t & exposed
        )
        p = np.minimum(p_base + lift, com.max_purchase_probability)
        p_cf = np.minimum(p_base, com.max_purchase_probability)  # never saw the chat
        p = np.where(qa, com.qa_purchase_probability, p)
        bought = rng.random(n) < p
        kind = rng.choice(len(self.kind_names), size=n, p=self.kind_p)
        # anchor: first chat for chatters, a random in-window session otherwise
        counts = np.bincount(owner, minlength=n)
        gstart = np.cumsum(counts) - counts
        pick = gstart + (rng.random(n) * counts).astype(np.int64)
        anchor = np.where(chatted, first_chat, start[np.minimum(pick, len(start) - 1)])
        chat_delay = self._delay_ms(com.chat_to_purchase_delay_buckets, rng, n)
        other_delay = self._delay_ms(com.nonchat_to_purchase_delay_buckets, rng, n)
        delay = np.where(chatted, chat_delay, other_delay)
        for j, i in enumerate(forced_qa_idx):
            bought[i] = True
            kind[i] = self.kind_names.index("stripe_course" if j == 0 else "shopify_order")
            delay[i] = 2 * MS_HOUR
        purchase_ms = anchor + delay
        in_window = bought & (purchase_ms < self.end_ms - 5 * MS_MINUTE)
        # truth (QA visitors excluded): expected conversion, eventually and within the window
        remaining = self.end_ms - anchor
        f_in = np.where(
            chatted,
            self.delay_cdf(com.chat_to_purchase_delay_buckets, remaining),
            self.delay_cdf(com.nonchat_to_purchase_delay_buckets, remaining),
        )
        real = ~qa
        self._accumulate_truth(v, real, p, p_cf, f_in, bought, in_window, chatted)
        for i in np.flatnonzero(real & chatted & in_window):
            self.delay_days.append(float(delay[i]) / MS_DAY)

        u = rng.random((6, n))
        newsletter = u[0] < crm.newsletter_signup_probability
        sponsor_form = u[1] < crm.sponsorship_form_probability
        sponsor_chat = chatted & (u[2] < crm.sponsorship_chat_probability)
        ident_in = started_in & ((flags & F_IDENT) > 0)
        has_ident = np.bincount(owner[ident_in], minlength=n) > 0
        chat_contact = has_ident & (u[3] < crm.chat_contact_probability)
        abandon_nb = ~bought & (u[4] < com.abandoned_checkout_probability_nonbuyer)
        purchaser_contact = u[5] < crm.purchaser_contact_probability

        vflags = (
            qa * V_QA
            + holdout * V_HOLDOUT
            + (pro_t & exposed) * V_PROACTIVE_T
            + (bot_first & exposed) * V_BOT_FIRST
            + bought * V_BUYER
            + v["srm_t"] * V_SRM_T
        ).astype(np.uint8)

        sess = np.zeros(len(owner), dtype=SESSION_DTYPE)
        sess["vid"] = vids[owner]
        sess["start"] = start
        sess["open_off"] = v["open_off"]
        sess["flags"] = flags
        sess["ordinal"] = v["ordinal"]
        sess["pkind"] = -1
        for name in ("country", "device", "tz", "acq", "first", "last", "domain"):
            sess[name] = v[name][owner]
        sess["vflags"] = vflags[owner]

        extra: list[tuple] = []
        interesting = np.flatnonzero(
            in_window | newsletter | sponsor_form | sponsor_chat | chat_contact | abandon_nb
        )
        for i in interesting.tolist():
            lo, hi = int(gstart[i]), int(gstart[i] + counts[i])
            person = self._person(int(vids[i]), v, i, bool(qa[i]))
            extra.extend(
                self._plan_business(
                    d,
                    i,
                    person,
                    v,
                    sess,
                    lo,
                    hi,
                    open_at,
                    bool(in_window[i]),
                    int(purchase_ms[i]),
                    int(anchor[i]),
                    self.kind_names[int(kind[i])],
                    bool(newsletter[i]),
                    bool(sponsor_form[i]),
                    bool(sponsor_chat[i]),
                    bool(chat_contact[i]),
                    bool(abandon_nb[i]),
                    bool(purchaser_contact[i]),
                )
            )
        if extra:
            add = np.zeros(len(extra), dtype=SESSION_DTYPE)
            src_rows = np.array([gstart[e[0]] for e in extra], dtype=np.int64)
            add[:] = sess[src_rows]
            add["start"] = [e[1] for e in extra]
            add["open_off"] = [e[2] for e in extra]
            add["form_off"] = 0
            add["flags"] = [e[3] for e in extra]
            add["ordinal"] = [e[4] for e in extra]
            add["pkind"] = [e[5] for e in extra]
            sess = np.concatenate([sess, add])
        self._queue_sessions(sess)
        self._write_assignments(d, (vids, v, qa))
        self.counters["visitors"] += n
        self.counters["qa_visitors"] += int(qa.sum())

    def _accumulate_truth(self, v, real, p, p_cf, f_in, bought, in_window, chatted) -> None:
        t = self.truth
        exposed = ~v["holdout"]
        groups = {
            "chat_holdout.exposed": real & exposed,
            "chat_holdout.holdout": real & v["holdout"],
            "proactive_prompt.control": real & exposed & ~v["pro_t"],
            "proactive_prompt.treatment": real & exposed & v["pro_t"],
            "bot_first.bot_first": real & exposed & v["bot_first"],
            "bot_first.human_first": real & exposed & ~v["bot_first"],
            "srm_check.control": real & ~v["srm_t"],
            "srm_check.treatment": real & v["srm_t"],
        }
        for key, m in groups.items():
            t[key + ".units"] += float(m.sum())
            t[key + ".sum_p"] += float(p[m].sum())
            t[key + ".sum_p_in_window"] += float((p[m] * f_in[m]).sum())
            t[key + ".purchases_in_window"] += float(in_window[m].sum())
            t[key + ".sum_p_counterfactual_no_chat"] += float(p_cf[m].sum())
            t[key + ".sum_p_counterfactual_in_window"] += float((p_cf[m] * f_in[m]).sum())
            t[key + ".chatters"] += float((chatted & m).sum())
        t["purchases_beyond_window"] += float((bought & ~in_window & real).sum())

    def _queue_sessions(self, sess: np.ndarray) -> None:
        sess = sess[sess["start"] < self.end_ms]
        day = (sess["start"] - self.start_ms) // MS_DAY
        order = np.argsort(day, kind="stable")
        sess, day = sess[order], day[order]
        bounds = np.flatnonzero(np.diff(day)) + 1
        for chunk in np.split(sess, bounds):
            if len(chunk):
                self.session_queue[int((chunk["start"][0] - self.start_ms) // MS_DAY)].append(chunk)
        self.counters["sessions"] += len(sess)

    def _write_assignments(self, d: int, data) -> None:
        table = TABLES_BY_NAME["experiment_assignments"]
        f = self.landing.open_csv(table, self.fmt.date(self.day0_no + d))
        if data is not None:
            vids, v, qa = data
            ec = self.cfg.experiments
            n = len(vids)
            anon = self.anon_ids(vids, qa)
            lo, hi = ec.assignment_lead_ms
            exposed = ~v["holdout"]
            specs = [
                (ec.srm_check, np.where(v["srm_t"], 1, 0), np.ones(n, bool)),
                (ec.chat_holdout, np.where(v["holdout"], 1, 0), np.ones(n, bool)),
                (ec.proactive_prompt, np.where(v["pro_t"], 1, 0), exposed),
                (ec.bot_first, np.where(v["bot_first"], 0, 1), exposed),
            ]
            cols_t, cols_e, cols_v, cols_a = [], [], [], []
            for k, (_spec, variant, mask) in enumerate(specs):
                idx = np.flatnonzero(mask)
                lead = self.rng.integers(lo, hi, len(idx)) + (3 - k) * 50
                cols_t.append(v["first_start"][idx] - lead)
                cols_e.append(np.full(len(idx), k))
                cols_v.append(variant[idx] + 2 * k)
                cols_a.append(idx)
            at = np.concatenate(cols_t)
            exp_k = np.concatenate(cols_e)
            var_k = np.concatenate(cols_v)
            who = np.concatenate(cols_a)
            order = np.lexsort((exp_k, who, at))
            at, exp_k, var_k, who = at[order], exp_k[order], var_k[order], who[order]
            exp_names = np.array([s[0].experiment_id for s in specs], dtype=object)
            var_names = np.array([name for s in specs for name in s[0].variants], dtype=object)
            anon_np = np.array(anon, dtype=object)
            step = 100_000
            for a in range(0, len(at), step):
                sl = slice(a, a + step)
                rows = zip(
                    self.ids.block("asg", len(at[sl])),
                    exp_names[exp_k[sl]].tolist(),
                    var_names[var_k[sl]].tolist(),
                    anon_np[who[sl]].tolist(),
                    iso_z_array(at[sl]).tolist(),
                    ["web_sdk"] * len(at[sl]),
                    strict=True,
                )
                f.plain_rows(rows, len(at[sl]))
            self.counters["assignments"] += len(at)
        f.close()

    def anon_ids(self, vids: np.ndarray, qa: np.ndarray) -> list[str]:
        normal = self.ids.for_values("anon", vids, "anon_")
        if qa.any():
            qa_ids = self.ids.for_values("qa", vids, "qa_")
            return [
                q if is_qa else a for a, q, is_qa in zip(normal, qa_ids, qa.tolist(), strict=True)
            ]
        return normal

    def anon_id(self, vid: int, is_qa: bool) -> str:
        return self.anon_ids(np.array([vid], dtype=np.int64), np.array([is_qa]))[0]

    # ----------------------------------------------------------------------------------
    # people and emails

    def canonical_email(self, vid: int, first: int, last: int, domain: int, qa: bool) -> str:
        if qa:
            return f"qa+{vid}@{QA_EMAIL_DOMAIN}"
        f = FIRST_NAMES[first].lower()
        ln = LAST_NAMES[last].lower().replace("'", "").replace("ü", "u")
        pattern = vid % 3
        if pattern == 0:
            local = f"{f}.{ln}{vid}"
        elif pattern == 1:
            local = f"{f[0]}{ln}{vid}"
        else:
            local = f"{f}{vid}"
        return f"{local}@{self.domains[domain]}"

    def messy_email(self, email: str, draw: Draw) -> str:
        """The same address as another system might store it: case and whitespace vary."""
        if draw.u() >= self.cfg.mess.messy_email_probability:
            return email
        self.mess["email_case_whitespace_variants"] += 1
        local, _, dom = email.partition("@")
        r = draw.u()
        if r < 0.3:
            parts = local.split(".")
            local = ".".join(x[:1].upper() + x[1:] for x in parts)
            out = f"{local}@{dom.capitalize()}"
        elif r < 0.5:
            out = email.upper()
        elif r < 0.75:
            out = "  " + email[:1].upper() + email[1:]
        else:
            out = email + " "
        return out

    def _person(self, vid: int, v: dict, i: int, qa: bool) -> dict:
        first, last = int(v["first"][i]), int(v["last"][i])
        return {
            "vid": vid,
            "qa": qa,
            "first": FIRST_NAMES[first] if not qa else "QA",
            "last": LAST_NAMES[last] if not qa else f"Tester {vid}",
            "email": self.canonical_email(vid, first, last, int(v["domain"][i]), qa),
            "country": self.country_codes[int(v["country"][i])],
            "currency": self.country_currency[int(v["country"][i])],
            "acq": int(v["acq"][i]),
        }

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

    # ----------------------------------------------------------------------------------
    # staffed hours

    def is_staffed(self, t: int) -> bool:
        day, rest = divmod(t, MS_DAY)
        c = self.cfg.chat
        return (day + 3) % 7 in c.staffed_weekdays and (
            c.staffed_hours_utc[0] <= rest // MS_HOUR < c.staffed_hours_utc[1]
        )

    def next_staffed(self, t: int) -> int:
        """The next moment agents come online (only called outside staffed hours)."""
        c = self.cfg.chat
        day = t // MS_DAY
        for k in range(9):
            if (day + k + 3) % 7 in c.staffed_weekdays:
                s = (day + k) * MS_DAY + c.staffed_hours_utc[0] * MS_HOUR
                if s > t:
                    return s
        return t

    # ----------------------------------------------------------------------------------
    # the run

    def run(self, out: Path, progress: Callable[[int, dict], None] | None = None) -> dict:
        # the generator makes millions of short-lived, acyclic objects: the cyclic garbage
        # collector would only rescan them (about a fifth of the run time)
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._run(out, progress)
        finally:
            if gc_was_enabled:
                gc.enable()

    def _run(self, out: Path, progress: Callable[[int, dict], None] | None) -> dict:
        self.landing = Landing(out)
        calibration = self.calibrate()
        expected_visitors = self.visitor_rate * float(self.day_weights.sum())
        self._preexisting_members(expected_visitors)
        self.sim = ConversationSim(self, self.chat)
        self._prepare_emitter()
        self.events = EventBuckets(out / SPOOL_DIR, self.spool_cap_bytes)
        for d in range(self.opts.days):
            self.plan_day(d)
            self._process_day(d)
            if d == self.opts.days // 2:
                self._plant_orphan_refunds(d)
            if d == self.opts.days - 1 and self.mess["orphan_deal_contacts"] == 0:
                self._plant_orphan_deal_contact(d)
            self._write_pending(d)
            self._write_patreon_snapshot(d)
            if progress is not None:
                progress(d, {"messages": self.counters["messages"]})
        assert not self.events.counts, "chat events left after the last day"
        self.events.close()
        manifest = self.manifest(calibration)
        path = out / MANIFEST_NAME
        path.write_bytes(
            orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"
        )
        return manifest

    def _plant_orphan_refunds(self, d: int) -> None:
        base = self.start_ms + d * MS_DAY + 12 * MS_HOUR
        for k in range(self.cfg.mess.orphan_refunds):
            self._orphan_refund(base + k * 17 * MS_MINUTE, "usd")

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

    def _process_day(self, d: int) -> None:
        day_start = self.start_ms + d * MS_DAY
        date = self.fmt.date(self.day0_no + d)
        chunks = self.session_queue.pop(d, [])
        if chunks:
            sess = np.concatenate(chunks)
            order = np.lexsort((sess["ordinal"], sess["vid"], sess["start"]))
            sess = sess[order]
        else:
            sess = np.zeros(0, dtype=SESSION_DTYPE)
        pv = self.landing.open_csv(TABLES_BY_NAME["web_pageviews"], date)
        spill = self.pageview_spill.pop(d, [])
        if spill:
            pv.plain_rows(spill, len(spill))
        self.chat_file = self.landing.open_jsonl(TABLES_BY_NAME["chat_events"], date)
        self.events.start_day(day_start + MS_DAY)
        self._crawler_events(d)
        hour_of = (sess["start"] - day_start) // MS_HOUR
        bounds = np.searchsorted(hour_of, np.arange(25))
        for h in range(24):
            lo, hi = int(bounds[h]), int(bounds[h + 1])
            if hi > lo:
                self._process_chunk(d, sess[lo:hi], pv)
            self._flush_buckets((day_start + (h + 1) * MS_HOUR) // MS_HOUR)
        pv.close()
        self.chat_file.close()
        self.chat_file = None

    # ----------------------------------------------------------------------------------
    # page views (vectorised) and the chat loop of one hourly chunk of sessions

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

    # ----------------------------------------------------------------------------------
    # chat events: emission into hourly buckets keyed by receivedAt, with planted mess

    def _prepare_emitter(self) -> None:
        c, mc = self.cfg.chat, self.cfg.mess
        self.lag_mu = math.log(c.receive_lag_ms_median)
        self.lag_sigma = c.receive_lag_sigma
        self.mess_min = mc.minimum_per_kind
        self._lags: list[int] = []
        self.event_counts: dict[str, int] = defaultdict(int)
        # one uniform per event decides its mess: [late | truncated | dup | dup new receivedAt]
        self.p_late = mc.late_event_probability
        self.p_trunc = self.p_late + mc.truncated_json_probability
        self.p_dup = self.p_trunc + mc.duplicate_exact_probability
        self.p_dup2 = self.p_dup + mc.duplicate_new_received_at_probability
        self._force_r = {
            "late_events": self.p_late / 2,
            "truncated_json_lines": (self.p_late + self.p_trunc) / 2,
            "duplicate_events_exact": (self.p_trunc + self.p_dup) / 2,
            "duplicate_events_new_received_at": (self.p_dup + self.p_dup2) / 2,
        }
        self.forced = [k for k in self._force_r if self.mess_min > 0]
        if self.opts.days < 2:  # a late event needs a later day to arrive on
            self.forced = [k for k in self.forced if k != "late_events"]
        self._force_i = 0

    def _lag(self) -> int:
        if not self._lags:
            lags = self.lag_rng.lognormal(self.lag_mu, self.lag_sigma, 1 << 16) + 30
            self._lags = lags.astype(np.int64).tolist()
        return self._lags.pop()

    def _mess_r(self) -> float:
        """The uniform that picks an event's mess; forces each kind once at the start."""
        r = self.mess_draw.u()
        if self.forced:
            self.forced = [k for k in self.forced if self.mess[k] < self.mess_min]
            if self.forced:
                self._force_i += 1
                r = self._force_r[self.forced[self._force_i % len(self.forced)]]
        return r

    def _hit(self, kind: str, p: float) -> bool:
        if self.mess[kind] < self.mess_min:
            return True
        return self.mess_draw.u() < p

    def emit(
        self, t: int, name: str, props: dict, anon: str, ctx, off_min: int, suffix: str
    ) -> bool:
        """Serialise one track event into its receivedAt bucket; False if after the window."""
        recv = t + (self._lags.pop() if self._lags else self._lag())
        if recv >= self.end_ms:
            return False  # not yet received when the window closes
        r = self._mess_r()
        if r < self.p_late:
            late = t + int(self.mess_draw.between(*self.cfg.mess.late_event_days) * MS_DAY)
            if late < self.end_ms:
                recv = late
                self.mess["late_events"] += 1
        obj = {
            "messageId": self.ids.one("evt"),
            "type": "track",
            "event": name,
            "anonymousId": anon,
            "userId": None,
            "timestamp": self.fmt.local(t, off_min, suffix),
            "receivedAt": self.fmt.z(recv),
            "properties": props,
            "context": ctx,
        }
        line = orjson.dumps(obj)
        if self.p_late <= r < self.p_trunc:
            cut = max(10, int(len(line) * self.mess_draw.between(0.3, 0.9)))
            self.events.push(recv, line[:cut], 1)  # a partial write; the retry follows
            self.mess["truncated_json_lines"] += 1
        self.events.push(recv, line)
        self.offset_counts[suffix] += 1
        self.event_counts[name] += 1
        if self.p_trunc <= r < self.p_dup:
            self.events.push(recv, line)  # the same line delivered twice
            self.mess["duplicate_events_exact"] += 1
        elif self.p_dup <= r < self.p_dup2:  # a retry: same messageId, later receivedAt
            recv2 = recv + int(self.mess_draw.between(1, 180) * MS_MINUTE)
            if recv2 < self.end_ms:
                obj["receivedAt"] = self.fmt.z(recv2)
                self.events.push(recv2, orjson.dumps(obj))
                self.mess["duplicate_events_new_received_at"] += 1
        return True

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

    def _flush_buckets(self, upto_key: int) -> None:
        """Write every bucket whose hour is before ``upto_key`` (no later session can add)."""
        mc = self.cfg.mess
        for key in self.events.ready_keys(upto_key):
            out, malformed, missing = self.events.take(key)
            if len(out) >= 3:
                m = int(self.page_rng.binomial(len(out), mc.out_of_order_probability))
                if m == 0 and self.mess["out_of_order_lines"] < self.mess_min:
                    m = 1
                for _ in range(m):
                    a = 1 + int(self.mess_draw.u() * (len(out) - 1))
                    b = int(self.mess_draw.u() * a)
                    out.insert(b, out.pop(a))  # an older line written after newer ones
                    self.mess["out_of_order_lines"] += 1
            assert self.chat_file is not None
            self.chat_file.write_lines(out, malformed, malformed + missing)

    def _chat_sessions(self, d, s, widget_idx, first_row, open_rows, urls, refs, src, anon) -> None:
        cc, mc = self.cfg.chat, self.cfg.mess
        sim, draw, md = self.sim, self.chat, self.mess_draw
        end = self.end_ms
        w = s[widget_idx]
        columns = zip(
            w["flags"].tolist(),
            w["vflags"].tolist(),
            w["start"].tolist(),
            w["open_off"].tolist(),
            w["tz"].tolist(),
            w["device"].tolist(),
            w["country"].tolist(),
            anon[widget_idx].tolist(),
            src[widget_idx].tolist(),
            first_row[widget_idx].tolist(),
            open_rows.tolist(),
            widget_idx.tolist(),
            strict=True,
        )
        for fl, vf, start, open_off, tz, dev, ctry, aid, src_i, row0, row, i in columns:
            off_min, suffix = self.tz_minutes[tz], self.tz_labels[tz]
            srcs = self.sources[src_i]
            ctx = {
                "page": {"url": urls[row0], "referrer": refs[row0]},
                "device": {"type": self.devices[dev]},
                "location": {"country": self.country_codes[ctry]},
            }
            if srcs.utm_source:
                ctx["campaign"] = {
                    "source": srcs.utm_source,
                    "medium": srcs.utm_medium,
                    "name": srcs.utm_campaign,
                }
            proactive = bool(vf & V_PROACTIVE_T)
            tw = start + 1_500 + int(draw.u() * 1_000)
            self.emit(
                tw,
                "Widget Viewed",
                {"prompt": "proactive" if proactive else "passive"},
                aid,
                orjson.Fragment(orjson.dumps(ctx)),
                off_min,
                suffix,
            )
            if not fl & F_OPEN:
                continue
            t_open = start + open_off
            if t_open >= end:
                continue
            conv = self.ids.one("conv")
            channel = "app" if fl & F_APP else "web"
            trigger = "launcher_click"
            if proactive and draw.u() < cc.proactive_trigger_share_in_treatment:
                trigger = "proactive_prompt"
            page_url = urls[row]
            ctx["page"] = {"url": page_url, "referrer": refs[row]}
            email = None
            if fl & F_IDENT:
                rec = s[i]
                email = self.canonical_email(
                    int(rec["vid"]),
                    int(rec["first"]),
                    int(rec["last"]),
                    int(rec["domain"]),
                    bool(vf & V_QA),
                )
            if not fl & F_START:
                self.emit(
                    t_open,
                    "Chat Opened",
                    {"conversation_id": conv, "channel": channel, "trigger": trigger},
                    aid,
                    orjson.Fragment(orjson.dumps(ctx)),
                    off_min,
                    suffix,
                )
                self.counters["opens_without_message"] += 1
                continue
            bot_first = bool(vf & V_BOT_FIRST)
            helpdesk = bool(fl & F_HELPDESK)
            events = sim.simulate(
                t_open,
                bot_first,
                bool(vf & V_BUYER),
                bool(fl & F_SPONSOR_CHAT),
                conv,
                aid,
                "helpdesk" if helpdesk else channel,
                email,
                trigger,
            )
            self._conversation_truth(sim.info, events, bot_first, helpdesk, bool(vf & V_QA))
            if helpdesk:
                self._export_rows(events, conv, aid, email, page_url, off_min, suffix)
                continue
            if email is not None:
                ctx["traits"] = {"email": self.messy_email(email, md)}
            frag = orjson.Fragment(orjson.dumps(ctx))
            if self._hit("orphan_conversations", mc.orphan_conversation_probability):
                events = [e for e in events if e[1] != "Chat Opened"]
                self.mess["orphan_conversations"] += 1
            for t, name, props in events:
                if t >= end:
                    break
                if self.emit(t, name, props, aid, frag, off_min, suffix) and (
                    name in _MESSAGE_EVENTS
                ):
                    self.counters["messages"] += 1

    def _conversation_truth(self, info, events, bot_first, helpdesk, qa) -> None:
        c = self.counters
        c["conversations"] += 1
        c["conversations.helpdesk" if helpdesk else "conversations.events"] += 1
        if qa:
            c["conversations.qa"] += 1
        if bot_first:
            c["conversations.bot_handled"] += 1
            if info.get("outcome") == "resolved_by_bot":
                resolved = next(t for t, n, p in events if n == "Conversation Resolved")
                if resolved < self.end_ms:
                    c["conversations.bot_resolved"] += 1
            if info.get("handoff"):
                c["conversations.handoffs"] += 1
        frt = info.get("frt_ms")
        if frt is not None and info["frt_clock"] + frt < self.end_ms:
            self.frt_all.append(frt / 1000.0)
            if info["frt_staffed"]:
                self.frt_staffed.append(frt / 1000.0)
        outcome = info.get("outcome")
        if outcome:
            c[f"conversations.outcome.{outcome}"] += 1

    def _export_rows(self, events, conv, anon, email, page_url, off_min, suffix) -> None:
        email_txt = self.messy_email(email, self.mess_draw) if email else ""
        for t, name, props in events:
            if t >= self.end_ms or name not in _MESSAGE_EVENTS:
                continue
            if name == "Bot Responded":
                role, author = "bot", props["bot_id"]
            else:
                role, author = props["author_role"], props["author_id"]
                if role == "system":
                    continue
            row = [
                conv,
                props["message_id"],
                self.fmt.local(t, off_min, suffix),
                role,
                author,
                props["text"],
                anon,
                email_txt,
                page_url,
                "helpdesk",
            ]
            self._pend("chat_message_export", t, props["message_id"], row)
            self.counters["messages"] += 1
            self.counters["export_messages"] += 1

    # ----------------------------------------------------------------------------------
    # the manifest: arguments, planted parameters, true effects, mess, per-file accounting

    def manifest(self, calibration: dict) -> dict:
        cfg, cc, com = self.cfg, self.cfg.chat, self.cfg.commerce
        c = self.counters
        weekday_names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        last_day = self.opts.start_date + dt.timedelta(days=self.opts.days - 1)
        bot_handled = c["conversations.bot_handled"]
        planted = {
            "bot_resolution_probability": cc.bot_resolution_probability,
            "bot_handoff_probability": cc.bot_handoff_probability,
            "bot_abandon_probability": round(
                1.0 - cc.bot_resolution_probability - cc.bot_handoff_probability, 10
            ),
            "bot_response_time_seconds": {
                "distribution": "lognormal",
                "mu": cc.bot_response_mu,
                "sigma": cc.bot_response_sigma,
                "median": math.exp(cc.bot_response_mu),
                "note": "plus 0.1 s; bot replies never stop the human clock",
            },
            "human_first_response_time_seconds": {
                "distribution": "lognormal",
                "mu": cc.human_first_response_mu,
                "sigma": cc.human_first_response_sigma,
                "median_staffed_hours": math.exp(cc.human_first_response_mu),
                "clock_start": "first visitor message (human_first arm), Handoff Requested "
                "(bot_first arm) or Conversation Reopened (second cycle)",
                "outside_staffed_hours": "wait until agents come online, then the same log-normal",
                "not_a_human_reply": [cc.macro_autoreply_author_id, "system", cc.bot_id],
            },
            "human_reply_time_seconds": {
                "distribution": "lognormal",
                "mu": cc.human_reply_mu,
                "sigma": cc.human_reply_sigma,
                "median": math.exp(cc.human_reply_mu),
            },
            "staffed_hours": {
                "timezone": "UTC",
                "weekdays": [weekday_names[i] for i in cc.staffed_weekdays],
                "hours": list(cc.staffed_hours_utc),
                "rule": "agents online on these weekdays from hours[0]:00 to hours[1]:00 UTC",
            },
            "reopen_probability": cc.reopen_probability,
            "abandonment": {
                "while_waiting_for_first_human_reply": cc.abandon_while_waiting_probability,
                "bot_phase": round(
                    1.0 - cc.bot_resolution_probability - cc.bot_handoff_probability, 10
                ),
                "human_ending_shares": dict(cc.human_ending_shares),
            },
            "csat_model": {
                "submit_probability": cc.csat_submit_probability,
                "p_good": "sigmoid(intercept - slope * ln(1 + first_human_response_minutes) "
                "- bot_first_arm_penalty); bot-resolved: sigmoid(bot_resolved_intercept - "
                "bot_first_arm_penalty); good = rating 4 or 5",
                "intercept": cc.csat_intercept,
                "slope_per_log_minute": cc.csat_slope_per_log_minute,
                "bot_resolved_intercept": cc.csat_bot_resolved_intercept,
                "bot_first_arm_penalty": cc.csat_bot_first_arm_penalty,
            },
            "purchase": {
                "base_probability": com.base_purchase_probability,
                "source_multipliers": {s.name: s.purchase_multiplier for s in self.sources},
                "chat_purchase_lift_absolute": com.chat_purchase_lift,
                "chat_lift_applies_to": "visitors with at least one started conversation",
                "proactive_treatment_lift_absolute": com.proactive_treatment_purchase_lift,
                "kinds": dict(com.purchase_kinds),
                "one_purchase_per_visitor": True,
                "chat_to_purchase_delay": self._delay_summary(com.chat_to_purchase_delay_buckets),
                "nonchat_to_purchase_delay": self._delay_summary(
                    com.nonchat_to_purchase_delay_buckets
                ),
            },
            "traffic": {
                "launch_spike_dates": [self.fmt.date(self.day0_no + d) for d in self.spike_days],
                "launch_spike_multipliers": list(
                    cfg.traffic.launch_spike_multipliers[: len(self.spike_days)]
                ),
                "new_visitors_per_unit_day_weight": self.visitor_rate,
            },
            "config": dataclasses.asdict(cfg),
        }
        realised = {
            "bot_handled_conversations": bot_handled,
            "bot_resolved_conversations": c["conversations.bot_resolved"],
            "bot_resolution_share": _ratio(c["conversations.bot_resolved"], bot_handled),
            "human_first_response_seconds_staffed_median": _median(self.frt_staffed),
            "human_first_response_seconds_all_median": _median(self.frt_all),
            "human_first_responses_staffed": len(self.frt_staffed),
            "human_first_responses_all": len(self.frt_all),
            "chat_purchase_delay_shares": self._realised_delay_shares(),
        }
        manifest = {
            "generator": {"name": "chatperf.generator", "version": GENERATOR_VERSION},
            "arguments": self.opts.arguments(),
            "date_range": {
                "start_date": self.opts.start_date.isoformat(),
                "end_date": last_day.isoformat(),
                "days": self.opts.days,
                "window_end_utc": self.fmt.z(self.end_ms),
                "partitioning": "chat_events by the UTC date of receivedAt; every other table "
                "by the UTC date of the row's own creation timestamp; patreon members as "
                "monthly snapshots (last day of the month in range, or the range end)",
                "state_semantics": "mutable rows (charges, orders, subscriptions, deals, "
                "contacts) show their state as of window_end_utc",
            },
            "calibration": calibration,
            "definitions": {
                "conversation": "a chat open followed by at least one visitor message "
                "(event stream or helpdesk export)",
                "message": "a Message Sent or Bot Responded event, or a chat_message_export row",
                "qa_accounts": f"anonymous ids starting qa_, emails at @{QA_EMAIL_DOMAIN}",
                "truth_excludes": "QA visitors",
            },
            "counts": {
                "tables": {tb.name: self.landing.table_rows.get(tb.name, 0) for tb in TABLES},
                "entities": {k: v for k, v in sorted(c.items())},
                "chat_events_by_name": dict(sorted(self.event_counts.items())),
            },
            "planted": planted,
            "realised": realised,
            "experiments": self._experiments_truth(),
            "mess": self._mess_summary(),
            "files": self.landing.manifest_files(),
        }
        return _plain(manifest)

    def _delay_summary(self, buckets) -> dict:
        total = sum(b[2] for b in buckets)
        labels = {}
        for lo, hi, w in buckets:
            labels[f"{lo:g}-{hi:g}_days"] = w / total
        return {
            "distribution": "mixture of uniforms over day buckets",
            "buckets": [
                {"from_days": lo, "to_days": hi, "share": w / total} for lo, hi, w in buckets
            ],
            "shares": {
                "within_1_day": self._share_between(buckets, 0, 1),
                "1_to_7_days": self._share_between(buckets, 1, 7),
                "7_to_30_days": self._share_between(buckets, 7, 30),
                "over_30_days": self._share_between(buckets, 30, 10_000),
            },
        }

    @staticmethod
    def _share_between(buckets, a: float, b: float) -> float:
        total = sum(w for _, _, w in buckets)
        share = 0.0
        for lo, hi, w in buckets:
            overlap = max(0.0, min(hi, b) - max(lo, a))
            share += w / total * overlap / (hi - lo)
        return round(share, 12)

    def _realised_delay_shares(self) -> dict:
        x = np.array(self.delay_days)
        n = len(x)
        return {
            "purchases": n,
            "within_1_day": _ratio(int((x < 1).sum()), n),
            "1_to_7_days": _ratio(int(((x >= 1) & (x < 7)).sum()), n),
            "7_to_30_days": _ratio(int(((x >= 7) & (x < 30)).sum()), n),
            "over_30_days": _ratio(int((x >= 30).sum()), n),
            "note": "chatters' purchases observed inside the window (so long delays are "
            "under-represented near the end of the range)",
        }

    def _variant_truth(self, key: str) -> dict:
        t = self.truth
        units = t[key + ".units"]
        return {
            "units": int(units),
            "chatters": int(t[key + ".chatters"]),
            "expected_purchase_rate": _ratio(t[key + ".sum_p"], units),
            "expected_purchase_rate_in_window": _ratio(t[key + ".sum_p_in_window"], units),
            "realised_purchase_rate_in_window": _ratio(t[key + ".purchases_in_window"], units),
        }

    def _experiments_truth(self) -> dict:
        ec, cc, com = self.cfg.experiments, self.cfg.chat, self.cfg.commerce
        t = self.truth
        out = {}
        for spec in (ec.proactive_prompt, ec.bot_first, ec.chat_holdout, ec.srm_check):
            variants = {v: self._variant_truth(f"{spec.experiment_id}.{v}") for v in spec.variants}
            out[spec.experiment_id] = {
                "variants": list(spec.variants),
                "planned_split": dict(zip(spec.variants, spec.planned_split, strict=True)),
                "actual_split": dict(zip(spec.variants, spec.actual_split, strict=True)),
                "population": spec.population,
                "description": spec.description,
                "assigned_at": "the visitor's first session, before its first page view",
                "per_variant": variants,
            }
        pp = out["proactive_prompt"]
        c_, t_ = pp["per_variant"]["control"], pp["per_variant"]["treatment"]
        pp["true_effects"] = {
            "chat_open_probability_per_widget_view": dict(cc.chat_open_probability),
            "chat_open_rate_lift_absolute": self.open_p["treatment"] - self.open_p["control"],
            "direct_purchase_lift_absolute": com.proactive_treatment_purchase_lift,
            "expected_purchase_rate_lift_absolute": t_["expected_purchase_rate"]
            - c_["expected_purchase_rate"],
            "expected_purchase_rate_lift_absolute_in_window": t_["expected_purchase_rate_in_window"]
            - c_["expected_purchase_rate_in_window"],
        }
        bf = out["bot_first"]
        csat = {}
        for arm in ("bot_first", "human_first"):
            rated = t[f"csat.{arm}.rated"]
            csat[arm] = {
                "rated_conversations": int(rated),
                "expected_csat_good_share": _ratio(t[f"csat.{arm}.sum_p_good"], rated),
                "realised_csat_good_share": _ratio(t[f"csat.{arm}.good"], rated),
            }
        bf["true_effects"] = {
            "purchase_effect_planted": 0.0,
            "expected_purchase_rate_difference": bf["per_variant"]["bot_first"][
                "expected_purchase_rate"
            ]
            - bf["per_variant"]["human_first"]["expected_purchase_rate"],
            "csat_bot_first_arm_penalty_logit": cc.csat_bot_first_arm_penalty,
            "csat": csat,
        }
        ho = out["chat_holdout"]
        exposed_units = t["chat_holdout.exposed.units"]
        incr = (
            t["chat_holdout.exposed.sum_p"] - t["chat_holdout.exposed.sum_p_counterfactual_no_chat"]
        )
        incr_w = (
            t["chat_holdout.exposed.sum_p_in_window"]
            - t["chat_holdout.exposed.sum_p_counterfactual_in_window"]
        )
        ho["true_effects"] = {
            "holdout_sees_widget": False,
            "true_incremental_conversion_per_visitor": _ratio(incr, exposed_units),
            "true_incremental_conversion_per_visitor_in_window": _ratio(incr_w, exposed_units),
            "definition": "mean over exposed (non-QA) visitors of their purchase probability "
            "minus the probability they would have had without chat (the holdout's model)",
            "expected_rate_difference_exposed_minus_holdout": ho["per_variant"]["exposed"][
                "expected_purchase_rate"
            ]
            - ho["per_variant"]["holdout"]["expected_purchase_rate"],
        }
        sr = out["srm_check"]
        sr["true_effects"] = {"purchase_effect_planted": 0.0, "sample_ratio_mismatch": True}
        return out

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


_MESSAGE_EVENTS = frozenset(("Message Sent", "Bot Responded"))


def _ratio(a: float, b: float) -> float | None:
    return float(a) / float(b) if b else None


def _median(values: list[float]) -> float | None:
    return float(np.median(np.array(values))) if values else None


def _plain(obj):
    """Plain Python types (no numpy scalars) so the manifest serialises deterministically."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating | float):
        return float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


# ======================================================================================
# entry points


def validate(opts: RunOptions) -> None:
    if (opts.conversations is None) == (opts.messages is None):
        raise GeneratorError("give exactly one of --conversations and --messages")
    if opts.conversations is not None and not 1 <= opts.conversations <= 50_000_000:
        raise GeneratorError(
            f"--conversations must be between 1 and 50000000, got {opts.conversations}"
        )
    if opts.messages is not None and not 10 <= opts.messages <= 500_000_000:
        raise GeneratorError(f"--messages must be between 10 and 500000000, got {opts.messages}")
    if not 1 <= opts.days <= 3660:
        raise GeneratorError(f"--days must be between 1 and 3660, got {opts.days}")
    if not 0 <= opts.seed < 2**63:
        raise GeneratorError(f"--seed must be a non-negative integer, got {opts.seed}")
    if not 1971 <= opts.start_date.year <= 2200:
        raise GeneratorError(f"--start-date must be between 1971 and 2200, got {opts.start_date}")


def generated_entries() -> set[str]:
    """Top-level names the generator writes into the output folder."""
    return {t.folder for t in TABLES} | {MANIFEST_NAME, SPOOL_DIR}


def prepare_out(out: Path, force: bool) -> list[str]:
    """Create ``out``; refuse a non-empty one unless forced (then wipe what we generate).

    Returns the names of entries left in place because the generator did not write them.
    """
    if out.exists() and not out.is_dir():
        raise GeneratorError(f"--out {out} exists and is not a folder")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise GeneratorError(
                f"--out {out} exists and is not empty; pass --force to replace the generated "
                "data in it"
            )
        ours = generated_entries()
        for entry in sorted(out.iterdir()):
            if entry.name in ours:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        return sorted(e.name for e in out.iterdir())
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GeneratorError(f"cannot create --out {out}: {exc.strerror or exc}") from None
    return []


def generate(
    opts: RunOptions,
    cfg: GeneratorConfig = DEFAULT_CONFIG,
    progress: Callable[[int, dict], None] | None = None,
) -> dict:
    """Write the landing folder and its manifest; return the manifest."""
    validate(opts)
    prepare_out(opts.out, opts.force)
    return Generator(opts, cfg).run(opts.out, progress)


__all__ = [
    "DEFAULT_CONFIG",
    "GENERATOR_VERSION",
    "MANIFEST_NAME",
    "SPOOL_DIR",
    "ChatConfig",
    "CommerceConfig",
    "CountrySpec",
    "CrmConfig",
    "ExperimentSpec",
    "ExperimentsConfig",
    "Generator",
    "GeneratorConfig",
    "GeneratorError",
    "MessConfig",
    "RunOptions",
    "SourceSpec",
    "TrafficConfig",
    "generate",
    "generated_entries",
    "prepare_out",
    "validate",
]
