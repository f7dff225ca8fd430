"""Visitor planning (vectorised with numpy): calibration of the arrival rate, and for each day's
new visitors their whole future at once: sessions, chat flags, experiment variants, whether
and when they buy; sessions are queued by day, outcomes handed to business planning.

A mixin of :class:`~chatperf.generator.orchestrator.Generator`. Draws from ``self.rng``
(``self.pilot_rng`` for calibration) in a fixed order: keep it, or the bytes change."""

from __future__ import annotations

import math

import numpy as np

from chatperf.generator.catalogs import FIRST_NAMES, LAST_NAMES
from chatperf.generator.constants import MS_DAY, MS_HOUR, MS_MINUTE
from chatperf.generator.conversation import MESSAGE_EVENTS, ConversationSim
from chatperf.generator.randomness import Draw, probabilities
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


class VisitorPlanning:
    """Calibration and the vectorised planning of each day's new visitors."""

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
