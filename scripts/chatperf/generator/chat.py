"""The chat of one hourly chunk: widget views, opens, and conversations simulated by
:class:`~chatperf.generator.conversation.ConversationSim` and emitted as events (or, for
helpdesk conversations, as rows of the message export); the staffed-hours calendar the
simulation asks about; and the conversation counters of the manifest.

A mixin of :class:`~chatperf.generator.orchestrator.Generator`. Draws from ``self.chat``
(and ``self.mess_draw`` for mess)."""

from __future__ import annotations

import orjson

from chatperf.generator.constants import MS_DAY, MS_HOUR
from chatperf.generator.conversation import MESSAGE_EVENTS
from chatperf.generator.sessions import (
    F_APP,
    F_HELPDESK,
    F_IDENT,
    F_OPEN,
    F_SPONSOR_CHAT,
    F_START,
    V_BOT_FIRST,
    V_BUYER,
    V_PROACTIVE_T,
    V_QA,
)


class ChatSessions:
    """Widget views, opens and conversations of an hourly chunk; staffed hours."""

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
                    name in MESSAGE_EVENTS
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
            if t >= self.end_ms or name not in MESSAGE_EVENTS:
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
