"""The manifest: arguments, planted parameters, realised values, true experiment effects,
planted mess and the per-file row accounting, as plain JSON types.

A mixin of :class:`~chatperf.generator.orchestrator.Generator`; it only reads what the run
recorded (no draws)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np

from chatperf.generator.constants import GENERATOR_VERSION, QA_EMAIL_DOMAIN
from chatperf.landing_spec import TABLES


class ManifestBuilder:
    """The ground-truth manifest of a run."""

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
            "bot_resolution_share": ratio(c["conversations.bot_resolved"], bot_handled),
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
            "within_1_day": ratio(int((x < 1).sum()), n),
            "1_to_7_days": ratio(int(((x >= 1) & (x < 7)).sum()), n),
            "7_to_30_days": ratio(int(((x >= 7) & (x < 30)).sum()), n),
            "over_30_days": ratio(int((x >= 30).sum()), n),
            "note": "chatters' purchases observed inside the window (so long delays are "
            "under-represented near the end of the range)",
        }


def ratio(a: float, b: float) -> float | None:
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
