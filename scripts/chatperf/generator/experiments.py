"""Experiments: the assignment rows of the four experiments, and their ground truth.

Truth is accumulated per variant while visitors are planned (expected and realised purchase
rates, the no-chat counterfactual; QA visitors excluded) and turned into the manifest's
``experiments`` section with the true effects. Assignment lead times draw from ``self.rng``.
A mixin of :class:`~chatperf.generator.orchestrator.Generator`."""

from __future__ import annotations

import numpy as np

from chatperf.generator.formats import iso_z_array
from chatperf.generator.manifest import ratio
from chatperf.landing_spec import TABLES_BY_NAME


class Experiments:
    """Experiment assignment rows and per-variant ground truth."""

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

    def _variant_truth(self, key: str) -> dict:
        t = self.truth
        units = t[key + ".units"]
        return {
            "units": int(units),
            "chatters": int(t[key + ".chatters"]),
            "expected_purchase_rate": ratio(t[key + ".sum_p"], units),
            "expected_purchase_rate_in_window": ratio(t[key + ".sum_p_in_window"], units),
            "realised_purchase_rate_in_window": ratio(t[key + ".purchases_in_window"], units),
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
                "expected_csat_good_share": ratio(t[f"csat.{arm}.sum_p_good"], rated),
                "realised_csat_good_share": ratio(t[f"csat.{arm}.good"], rated),
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
            "true_incremental_conversion_per_visitor": ratio(incr, exposed_units),
            "true_incremental_conversion_per_visitor_in_window": ratio(incr_w, exposed_units),
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
