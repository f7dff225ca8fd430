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
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    PAGES,
    SENTIMENTS,
    TOPICS,
)
from chatperf.generator.chat import ChatSessions
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
from chatperf.generator.conversation import MESSAGE_EVENTS, ConversationSim
from chatperf.generator.events import ChatEventEmitter
from chatperf.generator.formats import (
    TimeFormat,
    iso_z_array,
    offset_minutes,
)
from chatperf.generator.hubspot import HubSpotSource
from chatperf.generator.mess import PlantedMess
from chatperf.generator.patreon import Member, PatreonSource
from chatperf.generator.people import People
from chatperf.generator.randomness import (
    Draw,
    Ids,
    cumulative,
    probabilities,
)
from chatperf.generator.sessions import (
    F_APP,
    F_HELPDESK,
    F_IDENT,
    F_OPEN,
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
from chatperf.generator.traffic import WebTraffic
from chatperf.generator.writers import EventBuckets, JsonlFile, Landing
from chatperf.landing_spec import TABLES, TABLES_BY_NAME

# ======================================================================================
# the generator


class Generator(
    StripeSource,
    ShopifySource,
    HubSpotSource,
    PatreonSource,
    BusinessPlanning,
    WebTraffic,
    ChatEventEmitter,
    ChatSessions,
    PlantedMess,
    People,
):
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
            total += sum(1 for ev in events if ev[0] < self.end_ms and ev[1] in MESSAGE_EVENTS)
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
