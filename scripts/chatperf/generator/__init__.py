"""Generate a landing folder of realistic demo data, plus a ground-truth manifest.

The generator simulates a creator's website with a chat widget (a bot in front of a small
human team) and the business systems around it (Stripe, Shopify, HubSpot, Patreon), and writes
every raw table of :mod:`chatperf.landing_spec` as day-partitioned files. It plants known
behaviour (response-time distributions, bot resolution, reopens, experiments with known effects,
a chat holdout) and known mess (duplicates, late events, malformed lines, orphans) and records
all of it in ``_manifest.json``, so tests can check the pipeline against the truth.

How it works, in one paragraph: day by day, new visitors arrive (seasonality and a launch
spike). When a visitor arrives, their whole future is planned at once, vectorised with numpy:
their sessions over the following days, in which sessions the widget shows and a chat starts,
their experiment variants, and whether and when they buy, sign up or ask about a sponsorship.
Sessions wait in a per-day queue; each day is processed in hourly chunks: page views are built
with numpy, chat conversations are simulated event by event and serialised with orjson into
hourly buckets keyed by ``receivedAt``, which are flushed to the day files as soon as no later
session can add to them. Business rows (orders, charges, contacts, deals ...) wait in per-day
queues until their day is written. Nothing but the open day's data is held in memory.

Everything is deterministic: one ``numpy.random.Generator`` family seeded from ``--seed``, ids
from a bijective 64-bit mix of counters, no wall-clock time. Same arguments, same bytes.
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
import orjson

from chatperf.generator.business import BusinessPlanning
from chatperf.generator.chat import ChatSessions
from chatperf.generator.config import (
    DEFAULT_CONFIG,
    ChatConfig,
    CommerceConfig,
    CountrySpec,
    CrmConfig,
    ExperimentsConfig,
    ExperimentSpec,
    GeneratorConfig,
    MessConfig,
    RunOptions,
    SourceSpec,
    TrafficConfig,
)
from chatperf.generator.constants import (
    GENERATOR_VERSION,
    MANIFEST_NAME,
    MS_DAY,
    MS_HOUR,
    SPOOL_DIR,
    GeneratorError,
)
from chatperf.generator.conversation import ConversationSim
from chatperf.generator.events import ChatEventEmitter
from chatperf.generator.experiments import Experiments
from chatperf.generator.formats import (
    TimeFormat,
)
from chatperf.generator.hubspot import HubSpotSource
from chatperf.generator.lookups import LookupTables
from chatperf.generator.manifest import ManifestBuilder
from chatperf.generator.mess import PlantedMess
from chatperf.generator.patreon import Member, PatreonSource
from chatperf.generator.people import People
from chatperf.generator.randomness import (
    Draw,
    Ids,
)
from chatperf.generator.sessions import (
    SESSION_DTYPE,
)
from chatperf.generator.shopify import ShopifySource
from chatperf.generator.stripe import StripeSource
from chatperf.generator.traffic import WebTraffic
from chatperf.generator.visitors import VisitorPlanning
from chatperf.generator.writers import EventBuckets, JsonlFile, Landing
from chatperf.landing_spec import TABLES, TABLES_BY_NAME

# ======================================================================================
# the generator


class Generator(
    StripeSource,
    ShopifySource,
    HubSpotSource,
    PatreonSource,
    BusinessPlanning,
    WebTraffic,
    ChatEventEmitter,
    ChatSessions,
    PlantedMess,
    People,
    ManifestBuilder,
    Experiments,
    LookupTables,
    VisitorPlanning,
):
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
        self._prepare_tables()

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
        self.hubspot_contact_seq = 0
        self.deal_seq = 0
        self.shopify_seq = 0
        self.shopify_customer_seq = 0
        self.patreon_seq = 0
        self.order_name_seq = 1000
        self.forced_qa = 0
        self.force_refund = {"stripe_full": 1, "stripe_partial": 1, "shopify": 1}

    # ----------------------------------------------------------------------------------
    # lookup tables derived from the config

    # ----------------------------------------------------------------------------------
    # visitor planning (vectorised)

    # ----------------------------------------------------------------------------------
    # the run

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

    # ----------------------------------------------------------------------------------
    # the manifest: arguments, planted parameters, true effects, mess, per-file accounting


# ======================================================================================
# entry points


def validate(opts: RunOptions) -> None:
    if (opts.conversations is None) == (opts.messages is None):
        raise GeneratorError("give exactly one of --conversations and --messages")
    if opts.conversations is not None and not 1 <= opts.conversations <= 50_000_000:
        raise GeneratorError(
            f"--conversations must be between 1 and 50000000, got {opts.conversations}"
        )
    if opts.messages is not None and not 10 <= opts.messages <= 500_000_000:
        raise GeneratorError(f"--messages must be between 10 and 500000000, got {opts.messages}")
    if not 1 <= opts.days <= 3660:
        raise GeneratorError(f"--days must be between 1 and 3660, got {opts.days}")
    if not 0 <= opts.seed < 2**63:
        raise GeneratorError(f"--seed must be a non-negative integer, got {opts.seed}")
    if not 1971 <= opts.start_date.year <= 2200:
        raise GeneratorError(f"--start-date must be between 1971 and 2200, got {opts.start_date}")


def generated_entries() -> set[str]:
    """Top-level names the generator writes into the output folder."""
    return {t.folder for t in TABLES} | {MANIFEST_NAME, SPOOL_DIR}


def prepare_out(out: Path, force: bool) -> list[str]:
    """Create ``out``; refuse a non-empty one unless forced (then wipe what we generate).

    Returns the names of entries left in place because the generator did not write them.
    """
    if out.exists() and not out.is_dir():
        raise GeneratorError(f"--out {out} exists and is not a folder")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise GeneratorError(
                f"--out {out} exists and is not empty; pass --force to replace the generated "
                "data in it"
            )
        ours = generated_entries()
        for entry in sorted(out.iterdir()):
            if entry.name in ours:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        return sorted(e.name for e in out.iterdir())
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GeneratorError(f"cannot create --out {out}: {exc.strerror or exc}") from None
    return []


def generate(
    opts: RunOptions,
    cfg: GeneratorConfig = DEFAULT_CONFIG,
    progress: Callable[[int, dict], None] | None = None,
) -> dict:
    """Write the landing folder and its manifest; return the manifest."""
    validate(opts)
    prepare_out(opts.out, opts.force)
    return Generator(opts, cfg).run(opts.out, progress)


__all__ = [
    "DEFAULT_CONFIG",
    "GENERATOR_VERSION",
    "MANIFEST_NAME",
    "SPOOL_DIR",
    "ChatConfig",
    "CommerceConfig",
    "CountrySpec",
    "CrmConfig",
    "ExperimentSpec",
    "ExperimentsConfig",
    "Generator",
    "GeneratorConfig",
    "GeneratorError",
    "MessConfig",
    "RunOptions",
    "SourceSpec",
    "TrafficConfig",
    "generate",
    "generated_entries",
    "prepare_out",
    "validate",
]
