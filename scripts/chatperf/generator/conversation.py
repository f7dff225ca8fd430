"""One conversation, event by event: the bot phase, human cycles, a reopen, CSAT.

:class:`ConversationSim` draws from the chat :class:`Draw` only, reads the generator's lookup
tables and staffed hours, and adds to its counters and truth (never in pilot mode)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from chatperf.generator.catalogs import (
    ABUSIVE,
    AGENT_FIRST,
    AGENT_REPLIES,
    BOT_ANSWERS,
    BOT_HANDOFF_NOTE,
    CARDS,
    CSAT_BAD,
    CSAT_GOOD,
    MACRO_TEXT,
    PHONES,
    SYSTEM_AUTORESOLVED,
    SYSTEM_JOINED,
    TOPIC_INTENT_TAG,
    TOPICS,
    VISITOR_FOLLOWUPS,
    VISITOR_HANDOFF,
    VISITOR_NUDGES,
    VISITOR_OPENERS,
    VISITOR_REOPEN,
    VISITOR_THANKS,
)
from chatperf.generator.constants import MS_HOUR, MS_MINUTE
from chatperf.generator.randomness import Draw, cumulative, sigmoid

if TYPE_CHECKING:
    from chatperf.generator.orchestrator import Generator


# the events that count as chat messages
MESSAGE_EVENTS = frozenset(("Message Sent", "Bot Responded"))


class ConversationSim:
    """Simulates one conversation; returns its events as (epoch ms, event name, properties)."""

    def __init__(self, gen: Generator, draw: Draw, pilot: bool = False) -> None:
        self.g, self.d, self.c, self.pilot = gen, draw, gen.cfg.chat, pilot
        c = self.c
        ln1000 = math.log(1000.0)
        self.bot_mu = c.bot_response_mu + ln1000
        self.human_mu = c.human_first_response_mu + ln1000
        self.reply_mu = c.human_reply_mu + ln1000
        self.typing_mu = math.log(c.visitor_typing_seconds_median * 1000)
        self.p_abuse = c.abusive_message_probability
        self.p_pii = c.visitor_pii_probability
        self.info: dict = {}
        self.end = gen.end_ms

    # -- pieces

    def typing(self) -> int:
        return int(self.d.lognorm(self.typing_mu, self.c.visitor_typing_sigma)) + 400

    def _visitor(self, ev, base, t, anon, text, allow_mess=True) -> None:
        d = self.d
        props = {
            **base,
            "message_id": self.g.ids.one("msg"),
            "author_role": "visitor",
            "author_id": anon,
            "text": text,
        }
        if allow_mess:
            r = d.u()
            if r < self.p_abuse:
                reason, props["text"] = d.pick(ABUSIVE)
                props["flagged"] = True
                props["moderation_reason"] = reason
                if not self.pilot and t < self.end:
                    self.g.counters[f"flagged_messages.{reason}"] += 1
            elif r < self.p_abuse + self.p_pii:
                kind = d.pick(("email", "phone", "card"))
                if kind == "email":
                    extra = f" You can reach me at {self.email or 'me.' + anon[-6:] + '@gmail.com'}"
                elif kind == "phone":
                    extra = f" My number is {d.pick(PHONES)}"
                else:
                    extra = f" The card {d.pick(CARDS)} was charged."
                props["text"] = text + extra
                if not self.pilot and t < self.end:
                    self.g.counters[f"pii_in_visitor_messages.{kind}"] += 1
        ev.append((t, "Message Sent", props))

    def _message(self, ev, base, t, role, author, text) -> None:
        ev.append(
            (
                t,
                "Message Sent",
                {
                    **base,
                    "message_id": self.g.ids.one("msg"),
                    "author_role": role,
                    "author_id": author,
                    "text": text,
                },
            )
        )

    def _bot(self, ev, base, t, topic, confidence) -> None:
        ev.append(
            (
                t,
                "Bot Responded",
                {
                    **base,
                    "message_id": self.g.ids.one("msg"),
                    "bot_id": self.c.bot_id,
                    "text": self.d.pick(BOT_ANSWERS[topic]),
                    "intent": TOPICS[topic][0],
                    "confidence": round(confidence, 2),
                },
            )
        )

    def _tags(self, ev, base, t, topic, outcome, by) -> None:
        d = self.d
        for tag_type, p in self.c.tag_probabilities:
            if d.u() >= p:
                continue
            if tag_type == "issue_type":
                value = TOPICS[topic][1]
            elif tag_type == "intent":
                value = TOPIC_INTENT_TAG[topic]
            elif tag_type == "sentiment":
                value = d.wpick(self.g.sentiment_names, self.g.sentiment_cum)
            else:
                value = outcome
            t += int(d.between(1, 20) * 1000)
            ev.append(
                (
                    t,
                    "Conversation Tagged",
                    {**base, "tag_type": tag_type, "tag_value": value, "tagged_by": by},
                )
            )

    def human_delay(self, clock: int, staffed: bool) -> int:
        base = int(self.d.lognorm(self.human_mu, self.c.human_first_response_sigma))
        if staffed:
            return base
        return self.g.next_staffed(clock) - clock + base

    def _human_cycle(self, ev, base, clock, handoff, cycle, topic, anon) -> int | None:
        """One human cycle from the clock start; returns the resolution time or None."""
        c, d, g = self.c, self.d, self.g
        staffed = g.is_staffed(clock)
        if not staffed and d.u() < c.macro_autoreply_probability_offhours:
            self._message(
                ev,
                base,
                clock + int(d.between(2, 6) * 1000),
                "agent",
                c.macro_autoreply_author_id,
                MACRO_TEXT,
            )
            if not self.pilot and clock < self.end:
                g.counters["macro_autoreply_messages"] += 1
        delay = self.human_delay(clock, staffed)
        reply_at = clock + delay
        if d.u() < c.visitor_nudge_probability:
            tn = clock + int(d.lognorm(math.log(60_000), 0.7))
            if tn < reply_at - 2_000:
                self._visitor(ev, base, tn, anon, d.pick(VISITOR_NUDGES), allow_mess=False)
        if cycle == 1 and d.u() < c.abandon_while_waiting_probability:
            patience = int(d.lognorm(math.log(c.patience_minutes_median * MS_MINUTE), 0.8))
            ta = clock + max(5_000, min(patience, int(delay * 0.9)))
            ev.append((ta, "Conversation Abandoned", {**base, "reason": "visitor_left"}))
            self.info["outcome"] = "abandoned_waiting"
            if self.email and d.u() < 0.5:
                ev.append(
                    (
                        reply_at,
                        "Follow-up Sent",
                        {**base, "medium": "email", "agent_id": d.wpick(g.agent_ids, g.agent_cum)},
                    )
                )
            return None
        agent = d.wpick(g.agent_ids, g.agent_cum)
        tj = max(clock + 500, reply_at - int(d.between(3, 20) * 1000))
        if handoff:
            ev.append((tj, "Handoff Accepted", {**base, "agent_id": agent}))
        else:
            self._message(ev, base, tj, "system", "system", SYSTEM_JOINED.format(agent=agent))
        self._message(ev, base, reply_at, "agent", agent, d.pick(AGENT_FIRST).format(agent=agent))
        if cycle == 1:
            self.info["frt_ms"] = delay
            self.info["frt_staffed"] = staffed
            self.info["frt_clock"] = clock
        t = reply_at
        for _ in range(d.poisson(c.human_extra_rounds_mean)):
            t += self.typing()
            self._visitor(ev, base, t, anon, d.pick(VISITOR_FOLLOWUPS))
            t += int(d.lognorm(self.reply_mu, c.human_reply_sigma))
            self._message(ev, base, t, "agent", agent, d.pick(AGENT_REPLIES))
        ending = d.wpick(g.ending_names, g.ending_cum) if cycle == 1 else "agent"
        if ending == "agent":
            t += int(d.lognorm(math.log(90_000), 0.7))
            ev.append(
                (t, "Conversation Resolved", {**base, "resolved_by": "agent", "agent_id": agent})
            )
        elif ending == "visitor":
            t += self.typing()
            self._visitor(ev, base, t, anon, d.pick(VISITOR_THANKS), allow_mess=False)
            t += 1_500
            ev.append(
                (t, "Conversation Resolved", {**base, "resolved_by": "visitor", "agent_id": agent})
            )
        elif ending == "system":
            t += int(c.system_autoresolve_hours * MS_HOUR)
            self._message(ev, base, t, "system", "system", SYSTEM_AUTORESOLVED)
            t += 200
            ev.append(
                (t, "Conversation Resolved", {**base, "resolved_by": "system", "agent_id": None})
            )
        else:
            t += int(c.no_reply_timeout_minutes * MS_MINUTE)
            ev.append((t, "Conversation Abandoned", {**base, "reason": "no_reply_timeout"}))
            self.info["outcome"] = "abandoned_no_reply"
            return None
        self._tags(ev, base, t, topic, "resolved", agent)
        if self.email and d.u() < c.followup_probability:
            ev.append(
                (
                    t + int(d.lognorm(math.log(2 * MS_HOUR), 0.8)),
                    "Follow-up Sent",
                    {**base, "medium": "email", "agent_id": agent},
                )
            )
        self.info["outcome"] = f"resolved_by_{ending}"
        return t

    def _csat(self, ev, base, t, bot_first) -> None:
        c, d = self.c, self.d
        if d.u() >= c.csat_submit_probability:
            return
        frt = self.info.get("frt_ms")
        if frt is None:  # bot resolved
            x = c.csat_bot_resolved_intercept
        else:
            x = c.csat_intercept - c.csat_slope_per_log_minute * math.log1p(frt / MS_MINUTE)
        if bot_first:
            x -= c.csat_bot_first_arm_penalty
        p_good = sigmoid(x)
        good = d.u() < p_good
        if good:
            rating = 5 if d.u() < c.csat_five_given_good else 4
        else:
            rating = d.wpick((1, 2, 3), cumulative(c.csat_bad_rating_weights))
        props = {**base, "rating": rating, "scale": 5}
        if d.u() < c.csat_comment_probability:
            comment = d.pick(CSAT_GOOD if good else CSAT_BAD)
            if d.u() < c.csat_comment_pii_probability:
                if d.u() < 0.5:
                    comment += f" - call me on {d.pick(PHONES)}"
                else:
                    comment += f" - write to {self.email or 'someone@gmail.com'}"
                if not self.pilot and t < self.end:
                    self.g.counters["pii_in_csat_comments"] += 1
            props["comment"] = comment
        tc = t + int(d.lognorm(math.log(3 * MS_MINUTE), 0.8))
        ev.append((tc, "CSAT Submitted", props))
        if not self.pilot and tc < self.end:
            arm = "bot_first" if bot_first else "human_first"
            truth = self.g.truth
            truth[f"csat.{arm}.rated"] += 1
            truth[f"csat.{arm}.sum_p_good"] += p_good
            truth[f"csat.{arm}.good"] += good

    # -- the whole conversation

    def simulate(
        self,
        t_open,
        bot_first,
        buyer,
        sponsor,
        conv_id,
        anon,
        channel,
        email=None,
        trigger="launcher_click",
    ) -> list:
        c, d, g = self.c, self.d, self.g
        self.email = email
        self.info = {"bot": bot_first, "outcome": None}
        base = {"conversation_id": conv_id, "channel": channel}
        ev: list = [(t_open, "Chat Opened", {**base, "trigger": trigger})]
        t = t_open + self.typing()
        if sponsor:
            topic = "sponsorship"
        else:
            topic = d.wpick(g.topic_names, g.topic_cum_buyer if buyer else g.topic_cum_nonbuyer)
        self.info["topic"] = topic
        self._visitor(ev, base, t, anon, d.pick(VISITOR_OPENERS[topic]))
        resolved_at = None
        if bot_first:
            rounds = d.wpick((0, 1, 2), g.bot_rounds_cum)
            x = d.u()
            escalate = (
                c.bot_resolution_probability
                <= x
                < (c.bot_resolution_probability + c.bot_handoff_probability)
            )
            for r in range(rounds + 1):
                t += int(d.lognorm(self.bot_mu, c.bot_response_sigma)) + 100
                conf = d.between(0.3, 0.6) if escalate else d.between(0.6, 0.99)
                self._bot(ev, base, t, topic, conf)
                if r < rounds:
                    t += self.typing()
                    self._visitor(ev, base, t, anon, d.pick(VISITOR_FOLLOWUPS))
            if x < c.bot_resolution_probability:
                if d.u() < 0.5:
                    t += self.typing()
                    self._visitor(ev, base, t, anon, d.pick(VISITOR_THANKS), allow_mess=False)
                t += int(d.lognorm(math.log(20_000), 0.6))
                ev.append(
                    (t, "Conversation Resolved", {**base, "resolved_by": "bot", "agent_id": None})
                )
                self.info["outcome"] = "resolved_by_bot"
                self._tags(ev, base, t, topic, "bot_resolved", c.bot_id)
                self._csat(ev, base, t, bot_first)
                ev.sort(key=_first)
                return ev
            if escalate:
                if d.u() < c.handoff_requested_by_visitor_share:
                    t += self.typing()
                    self._visitor(ev, base, t, anon, d.pick(VISITOR_HANDOFF), allow_mess=False)
                    t += 800
                    props = {**base, "requested_by": "visitor", "reason": "visitor_request"}
                else:
                    t += 1_200
                    reason = d.pick(("low_confidence", "sensitive_topic", "billing_issue"))
                    props = {**base, "requested_by": "bot", "reason": reason}
                ev.append((t, "Handoff Requested", props))
                self._message(ev, base, t + 700, "bot", c.bot_id, BOT_HANDOFF_NOTE)
                self.info["handoff"] = True
                resolved_at = self._human_cycle(ev, base, t, True, 1, topic, anon)
            else:
                if d.u() < c.bot_abandon_no_reply_timeout_share:
                    t += int(c.no_reply_timeout_minutes * MS_MINUTE)
                    reason = "no_reply_timeout"
                else:
                    t += int(d.lognorm(math.log(4 * MS_MINUTE), 0.7))
                    reason = "visitor_left"
                ev.append((t, "Conversation Abandoned", {**base, "reason": reason}))
                self.info["outcome"] = "abandoned_in_bot"
                ev.sort(key=_first)
                return ev
        else:
            resolved_at = self._human_cycle(ev, base, t, False, 1, topic, anon)
        if resolved_at is not None and d.u() < c.reopen_probability:
            tr = resolved_at + int(
                d.lognorm(math.log(c.reopen_delay_hours_median * MS_HOUR), c.reopen_delay_sigma)
            )
            ev.append((tr, "Conversation Reopened", {**base, "reopened_by": "visitor"}))
            self._visitor(ev, base, tr + self.typing(), anon, d.pick(VISITOR_REOPEN))
            self.info["reopened"] = True
            if not self.pilot and tr < self.end:
                g.counters["reopens"] += 1
            resolved_at = self._human_cycle(ev, base, tr, False, 2, topic, anon)
        if resolved_at is not None:
            self._csat(ev, base, resolved_at, bot_first)
        ev.sort(key=_first)
        return ev


def _first(item):
    return item[0]
