"""Patreon: members (new ones from purchases, plus members from before the range) and the
monthly member export.

The export is a snapshot, so members are kept in ``self.members`` until the end and written
as of the last day of each month in range (and the range end). A mixin of
:class:`~chatperf.generator.orchestrator.Generator`; draws from ``self.biz``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chatperf.generator.catalogs import FIRST_NAMES, LAST_NAMES, PATREON_STATUS_ACTIVE, PHONES
from chatperf.generator.constants import MS_DAY
from chatperf.generator.formats import add_month, money
from chatperf.landing_spec import TABLES_BY_NAME


@dataclass
class Member:
    """A Patreon member (the export is a snapshot, so members are kept until the end)."""

    user_id: int
    name: str
    email: str
    join_ms: int
    cancel_ms: int | None
    declined_ms: int | None
    tier: str
    pledge: float
    currency: str
    annual: bool
    discord: str
    follows: bool
    country: str
    phone: str
    address: tuple[str, str, str, str, str]


class PatreonSource:
    """Patreon members and the monthly member export."""

    def _plan_patreon(self, person, t) -> None:
        com, draw = self.cfg.commerce, self.biz
        tier = draw.wpick(self.tier_names, self.tier_cum)
        cur = person["currency"] if person["currency"] in ("USD", "EUR", "GBP") else "USD"
        self.members.append(self._member(person, t, tier, cur, com, draw))
        self.counters["patreon_members_new"] += 1

    def _member(self, person, t, tier, cur, com, draw, horizon_ms=None) -> Member:
        self.patreon_seq += 1
        annual = draw.u() < com.patreon_annual_share
        cancel = None
        months = 0
        limit = horizon_ms if horizon_ms is not None else self.end_ms
        p = t
        while p < limit and months < 48:
            if draw.u() < com.patreon_monthly_cancel_probability:
                cancel = p + int(draw.u() * 28 * MS_DAY)
                break
            p = add_month(p)
            months += 1
        declined = None
        if cancel is None and draw.u() < com.patreon_declined_probability:
            declined = add_month(t)
        discord = ""
        if draw.u() < 0.5:
            discord = f"{person['first'].lower()}_{person['vid'] % 997}"
        address = ("", "", "", "", "")
        phone = ""
        if tier == "VIP" or draw.u() < 0.1:
            address = (
                f"{person['first']} {person['last']}",
                f"{draw.poisson(40) + 1} Main St",
                "Springfield",
                "",
                f"{10000 + person['vid'] % 89999}",
            )
        if draw.u() < 0.05:
            phone = draw.pick(PHONES)
        return Member(
            user_id=60_000_000 + self.patreon_seq * 7,
            name=f"{person['first']} {person['last']}",
            email=self.messy_email(person["email"], draw),
            join_ms=t,
            cancel_ms=cancel,
            declined_ms=declined,
            tier=tier,
            pledge=self._price(self.tier_usd[tier], cur) * (10 if annual else 1),
            currency=cur,
            annual=annual,
            discord=discord,
            follows=draw.u() < 0.9,
            country=person["country"],
            phone=phone,
            address=address,
        )

    def _preexisting_members(self, expected_visitors: float) -> None:
        com, draw = self.cfg.commerce, self.biz
        n = max(
            5,
            int(
                round(expected_visitors / 1000 * com.patreon_preexisting_members_per_1000_visitors)
            ),
        )
        for k in range(n):
            # people who joined before the range: not site visitors, only in the export
            pid = 900_000_000 + k
            first, last = k % len(FIRST_NAMES), (k * 7) % len(LAST_NAMES)
            person = {
                "vid": pid,
                "qa": False,
                "first": FIRST_NAMES[first],
                "last": LAST_NAMES[last],
                "email": self.canonical_email(pid, first, last, k % 3, False),
                "country": self.country_codes[k % len(self.country_codes)],
                "currency": "USD",
                "acq": 0,
            }
            join = self.start_ms - int(draw.between(20, 540) * MS_DAY)
            tier = draw.wpick(self.tier_names, self.tier_cum)
            self.members.append(self._member(person, join, tier, "USD", com, draw))
        self.counters["patreon_members_preexisting"] = n

    def _write_patreon_snapshot(self, d: int) -> None:
        day = dt.date(1970, 1, 1) + dt.timedelta(days=self.day0_no + d)
        last_of_month = (day + dt.timedelta(days=1)).month != day.month
        if not (last_of_month or d == self.opts.days - 1):
            return
        snap = self.start_ms + (d + 1) * MS_DAY - 1_000
        rows = []
        for m in sorted(self.members, key=lambda m: m.user_id):
            if m.join_ms > snap:
                continue
            rows.append(self._member_row(m, snap))
        table = TABLES_BY_NAME["patreon_members"]
        self.landing.write_csv(table, day.strftime("%Y-%m"), rows)

    def _member_row(self, m: Member, snap: int) -> list:
        charges: list[int] = []
        t = m.join_ms
        stop = snap
        if m.cancel_ms is not None:
            stop = min(stop, m.cancel_ms - 1)
        declined = m.declined_ms is not None and m.declined_ms <= snap
        if declined:
            stop = min(stop, m.declined_ms - 1)
        while t <= stop:
            charges.append(t)
            t = add_month(t)
            if m.annual:
                for _ in range(11):
                    t = add_month(t)
        status = PATREON_STATUS_ACTIVE
        last_status = "Paid"
        last_charge = charges[-1] if charges else m.join_ms
        updated = max([m.join_ms, *charges])
        if m.cancel_ms is not None and m.cancel_ms <= snap:
            status = "Former patron"
            updated = max(updated, m.cancel_ms)
        elif declined:
            status = "Declined patron"
            last_status = "Declined"
            last_charge = m.declined_ms
            updated = max(updated, m.declined_ms)
        addressee, street, city, state, zip_code = m.address
        return [
            m.name,
            m.email,
            m.discord,
            status,
            "Yes" if m.follows else "No",
            money(m.pledge * len(charges)),
            money(m.pledge),
            "annual" if m.annual else "monthly",
            m.tier,
            addressee,
            street,
            city,
            state,
            zip_code,
            m.country if addressee else "",
            m.phone,
            self.fmt.naive(m.join_ms),
            self.fmt.naive(last_charge),
            last_status,
            "",
            str(m.user_id),
            self.fmt.naive(updated),
            m.currency,
        ]
