"""HubSpot: one contact per person, its form submissions, sponsorship deals and their stages.

A mixin of :class:`~chatperf.generator.orchestrator.Generator`: draws from ``self.biz``,
queues rows with ``self._pend``."""

from __future__ import annotations

import math

from chatperf.generator.catalogs import FORMS
from chatperf.generator.constants import MS_DAY, SITE
from chatperf.generator.formats import bool_text, money


class HubSpotSource:
    """HubSpot contacts, form submissions, deals and deal stages."""

    def _plan_contact(self, person, created, how, form_times, sponsor_times, customer) -> None:
        crm, draw = self.cfg.crm, self.biz
        self.hubspot_contact_seq += 1
        cid = 51_000 + self.hubspot_contact_seq * 3
        src = self.sources[person["acq"]]
        if how == "chat":
            source, d1, d2 = "OFFLINE", "CONVERSATIONS", "LIVE_CHAT"
            self.counters["hubspot_contacts_from_chat"] += 1
        elif how == "purchase":
            source, d1, d2 = "OFFLINE", "INTEGRATION", "stripe-shopify-sync"
        else:
            source, d1, d2 = src.hubspot_source, src.hubspot_source_data_1, src.utm_campaign
        deals = []
        for ts, channel in sponsor_times:
            if ts < self.end_ms and draw.u() < crm.deal_probability:
                deals.append(self._plan_deal(person, cid, ts, channel))
        stage = "lead" if how == "chat" else "subscriber"
        if sponsor_times:
            stage = "marketingqualifiedlead"
        if any(deals):
            stage = "opportunity"
        if customer:
            stage = "customer"
        deleted = draw.u() < crm.contact_deleted_probability
        row = [
            cid,
            self.messy_email(person["email"], draw),
            person["first"],
            person["last"],
            self.fmt.z(created),
            stage,
            source,
            d1,
            d2,
            bool_text(deleted),
            self.synced(created),
        ]
        self._pend("hubspot_contact", created, str(cid), row)
        self.counters["hubspot_contacts"] += 1
        for ts, kind in form_times:
            conv = self.ids.uuid("conversion")
            form, title, page = FORMS[kind]
            self._pend(
                "hubspot_contact_form_submission",
                ts,
                conv,
                [cid, conv, form, SITE + page, title, self.fmt.z(ts), self.synced(ts)],
            )
            self.counters[f"form_submissions.{kind}"] += 1

    def _plan_deal(self, person, contact_id, inquiry_ms, channel) -> bool:
        crm, draw = self.cfg.crm, self.biz
        created = inquiry_ms + int(draw.lognorm(math.log(0.8 * MS_DAY), 0.6))
        if created >= self.end_ms:
            return False
        self.deal_seq += 1
        deal_id = 9_100_000 + self.deal_seq * 11
        lo, hi = crm.deal_amount_usd_range
        amount = round(draw.between(lo, hi) / 50) * 50
        stages = [(crm.deal_stages[0], created)]
        t = created
        for nxt in (*crm.deal_stages[1:], "closedwon"):
            t += int(
                draw.lognorm(math.log(crm.deal_stage_days_median * MS_DAY), crm.deal_stage_sigma)
            )
            stage = nxt if draw.u() < crm.deal_advance_probability else "closedlost"
            stages.append((stage, t))
            if stage in ("closedwon", "closedlost"):
                break
        visible = [(s, ts) for s, ts in stages if ts < self.end_ms]
        current, current_at = visible[-1]
        closed = current in ("closedwon", "closedlost")
        what = "YouTube integration" if channel == "chat" else "Sponsorship"
        name = f"{person['last']} Media - {what}"
        self._pend(
            "hubspot_deal",
            created,
            str(deal_id),
            [
                deal_id,
                name,
                money(amount),
                "USD",
                current,
                "default",
                self.fmt.z(created),
                self.fmt.z(current_at) if closed else "",
                "false",
                self.synced(current_at),
            ],
        )
        self._pend(
            "hubspot_deal_contact",
            created,
            f"{deal_id}-{contact_id}",
            [deal_id, contact_id, self.synced(created)],
        )
        if self.mess["orphan_deal_contacts"] < self.cfg.mess.orphan_deal_contacts:
            self._pend(
                "hubspot_deal_contact",
                created + 1000,
                f"{deal_id}-orphan",
                [deal_id, 99_000_000 + deal_id % 1000, self.synced(created)],
            )
            self.mess["orphan_deal_contacts"] += 1
        for k, (stage, ts) in enumerate(visible):
            active = k == len(visible) - 1
            end = "9999-12-31T23:59:59.999Z" if active else self.fmt.z(visible[k + 1][1])
            self._pend(
                "hubspot_deal_stage",
                ts,
                f"{deal_id}-{k:02d}",
                [
                    deal_id,
                    self.fmt.z(ts),
                    end,
                    bool_text(active),
                    stage,
                    self.fmt.z(ts),
                    "CRM_UI",
                    self.agent_ids[deal_id % len(self.agent_ids)],
                    self.synced(ts),
                ],
            )
        self.counters["hubspot_deals"] += 1
        self.counters[f"hubspot_deals_via_{channel}"] += 1
        return True
