"""The orchestrator: :class:`Generator` holds the run's state and its random streams, and runs
the day loop; every concern lives in a mixin of its own module."""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
import orjson

from chatperf.generator.business import BusinessPlanning
from chatperf.generator.chat import ChatSessions
from chatperf.generator.config import DEFAULT_CONFIG, GeneratorConfig, RunOptions
from chatperf.generator.constants import MANIFEST_NAME, MS_DAY, MS_HOUR, SPOOL_DIR
from chatperf.generator.conversation import ConversationSim
from chatperf.generator.events import ChatEventEmitter
from chatperf.generator.experiments import Experiments
from chatperf.generator.formats import TimeFormat
from chatperf.generator.hubspot import HubSpotSource
from chatperf.generator.lookups import LookupTables
from chatperf.generator.manifest import ManifestBuilder
from chatperf.generator.mess import PlantedMess
from chatperf.generator.patreon import Member, PatreonSource
from chatperf.generator.people import People
from chatperf.generator.randomness import Draw, Ids
from chatperf.generator.sessions import SESSION_DTYPE
from chatperf.generator.shopify import ShopifySource
from chatperf.generator.stripe import StripeSource
from chatperf.generator.traffic import WebTraffic
from chatperf.generator.visitors import VisitorPlanning
from chatperf.generator.writers import EventBuckets, JsonlFile, Landing
from chatperf.landing_spec import TABLES_BY_NAME


class Generator(
    LookupTables,
    VisitorPlanning,
    Experiments,
    People,
    BusinessPlanning,
    StripeSource,
    ShopifySource,
    PatreonSource,
    HubSpotSource,
    WebTraffic,
    ChatSessions,
    ChatEventEmitter,
    PlantedMess,
    ManifestBuilder,
):
    """Plans and writes one landing folder: ``Generator(opts, cfg).run(out)``.

    Its methods come from one mixin per concern (the bases above, in reading order); they
    share the state set up in ``__init__``. Each random stream is drawn in a fixed order, so
    keep the order of the calls, or the bytes change:

    - ``pilot_rng``: calibration only (visitors.py)
    - ``rng``: visitor planning, experiment assignment times (visitors.py, experiments.py)
    - ``page_rng``: page views (traffic.py), and how many malformed rows, crawler events and
      out-of-order lines to plant (mess.py, events.py)
    - ``chat``: widget and conversation decisions (chat.py, conversation.py)
    - ``biz``: business rows (business.py, stripe.py, shopify.py, patreon.py, hubspot.py)
    - ``mess_draw``: which mess an event, line or email gets (events.py, mess.py, chat.py)
    - ``lag_rng``: the receive lag of each chat event (events.py)
    """

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
        self._prepare_tables()  # lookups.py

        # run state: planned sessions and rows waiting for their day, and what was written
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
        # id sequences and one-off forcing of the business sources
        self.hubspot_contact_seq = 0
        self.deal_seq = 0
        self.shopify_seq = 0
        self.shopify_customer_seq = 0
        self.patreon_seq = 0
        self.order_name_seq = 1000
        self.forced_qa = 0
        self.force_refund = {"stripe_full": 1, "stripe_partial": 1, "shopify": 1}

    # ----------------------------------------------------------------------------------
    # the run: calibrate, then day by day plan arrivals, write the day, write queued rows

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
