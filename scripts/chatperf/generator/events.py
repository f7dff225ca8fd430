"""Chat events: each track event is serialised with orjson into the hourly bucket of its
``receivedAt``, with its planted mess (late, truncated, duplicated, re-delivered lines).

One uniform from ``self.mess_draw`` per event decides its mess; the first events force each
kind once so every run big enough carries all of them. Buckets are written to the day's JSONL
file once no later session can add to them (with a few lines planted out of order).
A mixin of :class:`~chatperf.generator.orchestrator.Generator`."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import orjson

from chatperf.generator.constants import MS_DAY, MS_MINUTE


class ChatEventEmitter:
    """Chat events into their receivedAt hour buckets, with per-event mess."""

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
