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

The package, by concern (``Generator`` is composed of one mixin per concern):

- ``config``: every planted number (frozen dataclasses) and :class:`RunOptions`;
  ``constants``: time units, names, :class:`GeneratorError`; ``catalogs``: texts and names
- ``randomness``: ``Draw`` (scalar draws) and ``Ids``; ``formats``: ISO times, money, booleans
- ``sessions``: the session record and its flags; ``writers``: landing files and accounting
- ``orchestrator``: :class:`Generator`, its state, the run and the day loop
- ``lookups``, ``visitors``, ``experiments``: config lookups, vectorised visitor planning,
  experiment assignments and truth
- ``traffic``: page views; ``chat``: widget, opens, conversations; ``conversation``: one
  conversation event by event; ``events``: chat events into receivedAt buckets
- ``people``, ``business``: emails and ids, and what a visitor buys or signs up for;
  ``stripe``, ``shopify``, ``patreon``, ``hubspot``: one module per source system
- ``mess``: planted mess; ``manifest``: the ground-truth manifest
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

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
    SPOOL_DIR,
    GeneratorError,
)
from chatperf.generator.conversation import ConversationSim
from chatperf.generator.orchestrator import Generator
from chatperf.landing_spec import TABLES

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
    "ConversationSim",
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
