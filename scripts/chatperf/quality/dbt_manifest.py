"""The allowed values of the suites' enums, from dbt's ``accepted_values`` tests.

Each enum is written once, in a model's YAML (``accepted_values`` on the column, with
``severity: warn`` for a vendor's enum that may grow); the suites name the model and column and
take the values and the severity from dbt's manifest (``target/manifest.json``, written by
``dbt parse`` or ``dbt build``, which runs before the checkpoint). The checkpoint loads it once
per run (``use_manifest``); the suites look values up while it runs (``accepted_values``).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from chatperf.settings import DEFAULT_MANIFEST, PROJECT_DIR


class ManifestError(Exception):
    """No manifest, or no accepted_values test where a suite expects one; one line."""


@dataclass(frozen=True)
class AcceptedValues:
    values: tuple
    warn: bool  # dbt's severity is warn: an unknown value is a warning, not a failure


Enums = dict[tuple[str, str], AcceptedValues]  # (model name, column) -> its accepted values

_enums: ContextVar[Enums | None] = ContextVar("accepted_values", default=None)


def default_manifest(database: str | os.PathLike | None = None) -> Path:
    """$CHATPERF_DBT_MANIFEST; else target/manifest.json beside the database, when a dbt run
    kept its artifacts there (``--target-path``); else the project's target/manifest.json."""
    if os.environ.get("CHATPERF_DBT_MANIFEST"):
        return Path(os.environ["CHATPERF_DBT_MANIFEST"])
    if database is not None:
        beside = Path(database).parent / DEFAULT_MANIFEST
        if beside.is_file():
            return beside
    return PROJECT_DIR / DEFAULT_MANIFEST


def read_accepted_values(manifest: str | os.PathLike) -> Enums:
    """Every accepted_values test of the manifest, by (model, column)."""
    path = Path(manifest)
    if not path.is_file():
        raise ManifestError(
            f"dbt manifest {path} does not exist (the suites' allowed values come from it); "
            "run dbt parse or dbt build first"
        )
    try:
        nodes = json.loads(path.read_text())["nodes"]
    except (json.JSONDecodeError, KeyError) as exc:
        raise ManifestError(f"cannot read dbt manifest {path}: {exc}") from None
    out: Enums = {}
    for node in nodes.values():
        test = node.get("test_metadata") or {}
        if node.get("resource_type") != "test" or test.get("name") != "accepted_values":
            continue
        model = node["attached_node"].split(".")[-1]
        key = (model, node["column_name"])
        found = AcceptedValues(
            values=tuple(test["kwargs"]["values"]),
            warn=str(node["config"].get("severity", "error")).lower() == "warn",
        )
        if out.get(key, found) != found:
            raise ManifestError(f"{model}.{key[1]} has two accepted_values tests that differ")
        out[key] = found
    return out


@contextlib.contextmanager
def use_manifest(manifest: str | os.PathLike) -> Iterator[Enums]:
    """The suites take their allowed values from this manifest meanwhile."""
    token = _enums.set(read_accepted_values(manifest))
    try:
        yield _enums.get()
    finally:
        _enums.reset(token)


def accepted_values(model: str, column: str) -> AcceptedValues:
    """The values (and severity) of dbt's accepted_values test on ``model.column``."""
    enums = _enums.get()
    if enums is None:
        raise ManifestError("no dbt manifest loaded: run the suites inside use_manifest()")
    try:
        return enums[(model, column)]
    except KeyError:
        raise ManifestError(
            f"the dbt manifest has no accepted_values test on {model}.{column}"
        ) from None
