"""The Great Expectations checkpoint: every suite of every layer against the warehouse.

Great Expectations' SQL datasource does not work on DuckDB (upstream issue #11579), so each
table is read from DuckDB with a read-only connection and validated through GX's pandas
datasource, in batches of ``batch_rows`` rows ordered by the table's grain (so memory stays flat
however big the table is). Row-level expectations run on every batch and their unexpected
counts are summed. Table-level facts that batches cannot see - the row count and the number of
distinct grain keys - are computed by DuckDB in one pass and validated by GX as a one-row frame,
so grain uniqueness and volume ranges hold for the whole table.

The GX context is ephemeral (nothing to commit besides the suites, which are code); Data Docs
HTML is written to the folder given, for people to read.
"""

from __future__ import annotations

import logging
import os
import shutil
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from chatperf.quality.dbt_manifest import ManifestError, default_manifest, use_manifest
from chatperf.settings import apply_duckdb_bounds

LAYERS = ("staging", "marts")
DEFAULT_BATCH_ROWS = 100_000


class CheckpointError(Exception):
    """A problem the user must fix (missing or locked database); its message is one line."""


@dataclass
class Finding:
    suite: str
    expectation: str
    severity: str = "critical"
    unexpected: int = 0
    example: object = None
    error: str | None = None

    def line(self) -> str:
        if self.error:
            return f"{self.suite}: {self.expectation} ({self.error})"
        example = f", e.g. {self.example!r}" if self.example is not None else ""
        return f"{self.suite}: {self.expectation} ({self.unexpected} unexpected{example})"


@dataclass
class Report:
    suites: int = 0
    expectations: int = 0
    batches: int = 0
    rows: int = 0
    failures: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    data_docs: Path | None = None

    @property
    def success(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        head = (
            f"{self.suites} suites, {self.expectations} expectations, {self.batches} batches, "
            f"{self.rows} rows"
        )
        if self.success:
            warn = f", {len(self.warnings)} warning(s)" if self.warnings else ""
            return f"checkpoint passed: {head}{warn}"
        shown = "; ".join(f.line() for f in self.failures[:6])
        more = f"; and {len(self.failures) - 6} more" if len(self.failures) > 6 else ""
        suites = len({f.suite for f in self.failures})
        return (
            f"checkpoint FAILED: {len(self.failures)} expectation(s) in {suites} suite(s): "
            f"{shown}{more}"
        )


def _plain(value):
    """numpy scalars (and tuples of them) as plain Python values, for a readable message."""
    if isinstance(value, tuple | list):
        return tuple(_plain(v) for v in value)
    return value.item() if hasattr(value, "item") else value


def _label(config) -> str:
    """A short name for an expectation: its type and the columns it looks at."""
    kwargs = config.kwargs
    kind = config.type.removeprefix("expect_")
    if "column" in kwargs:
        target = kwargs["column"]
    elif "column_A" in kwargs:
        target = f"{kwargs['column_A']}, {kwargs['column_B']}"
    elif "column_list" in kwargs:
        target = ", ".join(kwargs["column_list"])
    else:
        target = ""
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    extra = ""
    if low is not None and high is not None:
        extra = f" in [{_num(low)}, {_num(high)}]"
    elif low is not None:
        extra = f" >= {_num(low)}"
    elif high is not None:
        extra = f" <= {_num(high)}"
    return f"{kind}({target}){extra}"


def _num(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _to_pandas(batch: pa.RecordBatch):
    """Arrow batch to pandas, decimals (money, DuckDB HUGEINT counts) as floats for GX."""
    arrays = []
    for fld, arr in zip(batch.schema, batch.columns, strict=True):
        if pa.types.is_decimal(fld.type):
            arr = arr.cast(pa.float64())
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, names=batch.schema.names).to_pandas()


def _quiet_gx() -> None:
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="great_expectations")
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


def _context(data_docs: Path | None):
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if data_docs is not None:
        context.add_data_docs_site(
            site_name="chatperf",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(Path(data_docs).resolve()),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    return context


def _connect(database: Path) -> duckdb.DuckDBPyConnection:
    if not database.exists():
        raise CheckpointError(f"database {database} does not exist; run the load and dbt build")
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.IOException as exc:
        msg = str(exc).splitlines()[0]
        if "lock" in msg.lower():
            raise CheckpointError(
                f"database {database} is locked by another process; retry when it has finished"
            ) from None
        raise CheckpointError(f"cannot open database {database}: {msg}") from None
    apply_duckdb_bounds(con, database)
    return con


def _columns(con, table: str) -> dict[str, str]:
    schema, name = table.split(".", 1)
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    return dict(rows)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _severity(config) -> str:
    """'critical', 'warning' or 'info' (GX gives an enum whose str() is 'FailureSeverity.X')."""
    severity = config.severity or "critical"
    return str(getattr(severity, "value", severity)).lower()


class _Collector:
    """Sums each expectation's results over the batches of one suite."""

    def __init__(self, suite: str):
        self.suite = suite
        self.findings: dict[str, Finding] = {}

    def add(self, checkpoint_result) -> None:
        for run in checkpoint_result.run_results.values():
            for res in run.results:
                if res.success:
                    continue
                config = res.expectation_config
                label = _label(config)
                finding = self.findings.setdefault(
                    label,
                    Finding(self.suite, label, severity=_severity(config)),
                )
                info = res.exception_info or {}
                if info.get("raised_exception"):
                    message = str(info.get("exception_message") or "error").splitlines()[0]
                    finding.error = message[:160]
                    continue
                result = res.result or {}
                finding.unexpected += int(result.get("unexpected_count") or 0)
                if finding.example is None:
                    examples = result.get("partial_unexpected_list") or []
                    if examples:
                        finding.example = _plain(examples[0])
                    elif "observed_value" in result:
                        finding.example = _plain(result["observed_value"])


def suites(layer: str) -> tuple:
    """The TableSuites of a layer (imported on demand: Great Expectations is slow to import)."""
    from chatperf.quality import marts, staging

    return {"staging": staging.SUITES, "marts": marts.SUITES}[layer]


def _validate_table(context, datasource, con, spec, batch_rows: int, report: Report):
    import great_expectations as gx
    import great_expectations.expectations as gxe

    columns = _columns(con, spec.table)
    if not columns:
        report.failures.append(Finding(spec.table, "table exists", error="table not found"))
        return

    # row level: the suite's rules plus grain uniqueness inside each batch (shows the keys)
    row_rules = list(spec.expectations(columns))
    if len(spec.grain) == 1:
        row_rules.append(
            gxe.ExpectColumnValuesToBeUnique(
                column=spec.grain[0], description=f"Grain: one row per {spec.grain[0]}."
            )
        )
    else:
        row_rules.append(
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=list(spec.grain),
                description="Grain: one row per " + ", ".join(spec.grain) + ".",
            )
        )
    # table level: volume range and grain uniqueness across all batches
    table_rules = [
        gxe.ExpectColumnValuesToBeBetween(
            column="row_count",
            min_value=spec.min_rows,
            max_value=spec.max_rows,
            description="Volume: the table's row count lies in its expected range.",
        ),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="row_count",
            column_B="distinct_grain_keys",
            description="Grain: as many distinct (" + ", ".join(spec.grain) + ") as rows.",
        ),
    ]

    def checkpoint(name: str, rules: list):
        suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=rules))
        asset = datasource.add_dataframe_asset(name)
        batch = asset.add_batch_definition_whole_dataframe("whole frame")
        vd = context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=suite)
        )
        return context.checkpoints.add(
            gx.Checkpoint(
                name=name,
                validation_definitions=[vd],
                actions=[],
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": 3},
            )
        )

    rows_checkpoint = checkpoint(spec.table, row_rules)
    table_checkpoint = checkpoint(f"{spec.table} (table)", table_rules)
    report.suites += 2
    report.expectations += len(row_rules) + len(table_rules)

    collector = _Collector(spec.table)
    grain = ", ".join(_quote(c) for c in spec.grain)
    reader = con.execute(f"select * from {spec.table} order by {grain}").fetch_record_batch(
        batch_rows
    )
    seen_batch = False
    for record_batch in reader:
        if record_batch.num_rows == 0 and seen_batch:
            continue
        seen_batch = True
        report.batches += 1
        report.rows += record_batch.num_rows
        collector.add(rows_checkpoint.run(batch_parameters={"dataframe": _to_pandas(record_batch)}))
    if not seen_batch:  # an empty table still gets its (empty) validation and docs page
        import pandas as pd

        empty = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
        report.batches += 1
        collector.add(rows_checkpoint.run(batch_parameters={"dataframe": empty}))

    summary = con.execute(
        f"select (select count(*) from {spec.table}) as row_count, "
        f"(select count(*) from (select distinct {grain} from {spec.table}) as keys) "
        "as distinct_grain_keys"
    ).df()
    table_collector = _Collector(f"{spec.table} (table)")
    table_collector.add(table_checkpoint.run(batch_parameters={"dataframe": summary}))

    for finding in [*collector.findings.values(), *table_collector.findings.values()]:
        if finding.severity.lower() in ("warning", "info"):
            report.warnings.append(finding)
        else:
            report.failures.append(finding)


def _clear_docs(folder: Path) -> None:
    """Remove the previous run's Data Docs (only what GX writes there)."""
    for name in ("index.html", "static", "validations", "expectations"):
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def run_checkpoint(
    database: str | os.PathLike,
    data_docs: str | os.PathLike | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    layers: Iterable[str] = LAYERS,
    tables: Iterable[str] | None = None,
    progress: Callable[[str, int], None] | None = None,
    manifest: str | os.PathLike | None = None,
) -> Report:
    """Validate every suite of the layers (or only ``tables``) and return what failed.

    The suites' allowed values come from dbt's ``manifest`` (default:
    ``dbt_manifest.default_manifest``)."""
    _quiet_gx()
    database = Path(database)
    con = _connect(database)
    docs = Path(data_docs) if data_docs else None
    try:
        with use_manifest(manifest or default_manifest(database)):
            return _run(con, docs, batch_rows, layers, tables, progress)
    except ManifestError as exc:
        raise CheckpointError(str(exc)) from None
    finally:
        con.close()


def _run(con, docs, batch_rows, layers, tables, progress) -> Report:
    context = _context(docs)
    datasource = context.data_sources.add_pandas("warehouse")
    report = Report()
    wanted = set(tables) if tables else None
    specs = [
        spec for layer in layers for spec in suites(layer) if not wanted or spec.table in wanted
    ]
    unknown = (wanted or set()) - {spec.table for spec in specs}
    if unknown:
        raise CheckpointError(f"no suite for table(s): {', '.join(sorted(unknown))}")
    for spec in specs:
        if progress:
            progress(spec.table, len(specs))
        _validate_table(context, datasource, con, spec, batch_rows, report)
    if docs is not None:
        docs.mkdir(parents=True, exist_ok=True)
        _clear_docs(docs)
        context.build_data_docs()
        report.data_docs = docs / "index.html"
    return report
