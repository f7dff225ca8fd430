"""People and emails: anonymous ids (qa_ for QA visitors), a visitor's canonical email, and
the case/whitespace variants other systems store it as.

A mixin of :class:`~chatperf.generator.orchestrator.Generator`."""

from __future__ import annotations

import numpy as np

from chatperf.generator.catalogs import FIRST_NAMES, LAST_NAMES
from chatperf.generator.constants import QA_EMAIL_DOMAIN
from chatperf.generator.randomness import Draw


class People:
    """Anonymous ids and emails of visitors."""

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
