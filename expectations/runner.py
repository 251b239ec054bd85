"""The one adapter to Great Expectations (GX 1.x): every other module stays free of it.

GX has no Polars engine and its SQL path is unreliable on DuckDB, so a batch is validated as a
pandas frame in an ephemeral (in-memory, file-less) context. GX takes ~3 s of CPU to import: it
is imported lazily, once per process, and `warm_up()` lets a caller start that in a background
thread while other work runs. A run does better: `gate_process.start_gate_process()` imports GX in a
process of its own, on the other core, while the run starts (Prefect, the warehouse, the first
batch), and every validation goes there with only the checked columns; the run's process
never imports GX. That process is forked from the warm helper when one is up
(`warm_up_for_forks`, `serve_on`), with GX imported already. Without it, validations run
here.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

import polars as pl

from expectations.gate_process import GATE_PROCESS_NAME
from expectations.result import SAMPLE_SIZE, ExpectationOutcome, GateResult, Severity
from newsdesk.core.contracts.reasons import REJECT_SCHEMA, Reason
from newsdesk.core.processes import (
    die_with,
    imports_deferring,
    imports_hiding,
    imports_without_gc,
    name_process,
)

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite
    from great_expectations.expectations import Expectation

T = TypeVar("T")
_COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")
_LINEAGE = ("doc_id", "run_id", "uri")


class GateError(RuntimeError):
    """A suite could not be evaluated (missing column, GX raised): a bug, not bad data."""


@dataclass(frozen=True)
class _Gx:
    module: ModuleType
    batch_definition: Any  # GX's whole-dataframe batch definition on a pandas asset


_start_lock = threading.Lock()
_run_lock = threading.Lock()  # one validation at a time: GX's execution engine holds the batch
_state: _Gx | None = None
# The configurations of the expectations being validated, by id (with the expectation, so
# that an id is not reused meanwhile); set only while `evaluate` runs, in its thread.
_validating = threading.local()


def _memoize_configuration(expectation_class: type) -> None:
    """Make `Expectation.configuration` computed once per expectation and validation.

    GX (1.24) builds that property anew (a pydantic `.dict()` of every kwarg, value sets
    included) each time it reads one kwarg: about 130 times per expectation per validation,
    80 % of a gate's CPU, and the more so the larger a value set. While `evaluate` runs, the
    expectations GX made from the suite for that validation are not changed, so the first
    answer stands for the rest of it; outside a validation the property is GX's own."""
    built = expectation_class.__dict__.get("configuration")
    if not isinstance(built, property) or built.fget is None:
        return  # another GX: nothing to speed up, nothing to break
    fget = built.fget

    def configuration(self: Any) -> Any:
        memo: dict[int, tuple[Any, Any]] | None = getattr(_validating, "configs", None)
        if memo is None:
            return fget(self)
        found = memo.get(id(self))
        if found is None or found[0] is not self:
            found = memo[id(self)] = (self, fget(self))
        return found[1]

    expectation_class.configuration = property(configuration, doc=built.__doc__)  # type: ignore[attr-defined]


# Modules GX imports at its top for expectations no suite here uses (scipy.stats for the
# distribution tests, altair for their charts): 0.7 s of the 2.4 s of CPU its import takes.
# They are imported lazily: loaded the first time anything touches them, so a suite that
# needs them still gets them.
_DEFERRED = frozenset({"scipy.stats", "altair"})


# Optional dependencies of GX that this environment has for other packages (SQLAlchemy for
# Prefect's server) and GX imports at its top when it finds them, for its SQL datasources and
# execution engine: a suite here validates a pandas frame, so GX imports as if they were
# not installed (its own fallback). SQLAlchemy and the dialects it then pulls in were 0.3-0.4
# s of the ~2.5 s of CPU of GX's import.
_HIDDEN = frozenset({"sqlalchemy"})


def _import_gx() -> ModuleType:
    with imports_deferring(_DEFERRED), imports_hiding(_HIDDEN):
        import great_expectations
    return great_expectations


def _start() -> _Gx:
    # GX's INFO chatter (docs decorators, datasource loading) does not belong in run logs.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    gx = _import_gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from great_expectations.expectations.expectation import Expectation

    _memoize_configuration(Expectation)
    config = DataContextConfig(
        # No temporary data-docs site: the default ephemeral config would create one.
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    asset = context.data_sources.add_pandas("newsdesk").add_dataframe_asset("batch")
    return _Gx(gx, asset.add_batch_definition_whole_dataframe("whole"))


def _gx() -> _Gx:
    global _state
    with _start_lock:
        if _state is None:
            _state = _start()
        return _state


def warm_up() -> None:
    """Import GX and build the context now (e.g. in a background thread); idempotent."""
    _gx()


def serve(fd: int, parent: int) -> None:
    """The gate process (`python -c`, started by expectations.gate_process): import GX,
    then run what the parent sends on the socket `fd` (`serve_on`). An import that fails
    ends it: the parent validates then."""
    die_with(parent)  # a run killed with -9 must not leave its gate process behind
    name_process(GATE_PROCESS_NAME)
    with imports_without_gc():
        warm_up()
    serve_on(fd)


def warm_up_for_forks() -> None:
    """The warm helper's start (expectations.gate_process.serve_warm): GX imported and its
    context built, so that each gate process forked from it starts with nothing to do."""
    with imports_without_gc():
        warm_up()


def serve_on(fd: int) -> None:
    """Run what the other end of the socket `fd` sends, one call at a time, until it hangs
    up; then end the process."""
    name_process(GATE_PROCESS_NAME)
    conn = Connection(fd)
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            # The parent waits for this exit, and nothing here needs tearing down (GX's
            # context is in memory): end without the interpreter's teardown of every module
            # GX loaded (0.1-0.4 s), as a forked multiprocessing child ends.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        try:
            reply: tuple[bool, Any] = (True, fn(*args))
        except Exception as exc:  # the caller raises it, as if it had run there
            reply = (False, exc)
        conn.send(reply)


def gx_api() -> ModuleType:
    """The `great_expectations` module, with its context ready (suites need one to exist)."""
    return _gx().module


def rule(
    reason: Reason,
    severity: Severity = "error",
    *,
    keep_first: bool = False,
    observed: str | None = None,
) -> dict:
    """The `meta` every gate expectation carries. keep_first: for uniqueness checks, the first
    copy of a value passes and only the later copies fail (GX flags every copy). observed:
    the one column a failing row shows (a pair check shows both columns otherwise)."""
    found = {"reason": str(reason), "severity": severity, "keep_first": keep_first}
    return found | ({"observed": observed} if observed else {})


def make_suite(name: str, expectations: Sequence[Expectation]) -> ExpectationSuite:
    """A suite whose expectations remember their position: GX reports results in its own
    order, and a row failing two checks with one reason is reported by the first one."""
    suite = _gx().module.ExpectationSuite(name=name)
    for order, expectation in enumerate(expectations):
        if {"reason", "severity"} - set(expectation.meta or {}):
            raise ValueError(f"{name}: every expectation needs meta=rule(...): {expectation}")
        expectation.meta = {**expectation.meta, "order": order}
        suite.add_expectation(expectation)
    return suite


def _columns_of(kwargs: dict) -> list[str]:
    found: list[str] = []
    for key in _COLUMN_KWARGS:
        value = kwargs.get(key)
        found.extend([value] if isinstance(value, str) else value or [])
    return found


def _raised(info: dict) -> str | None:
    """GX's exception_info is either one record or a dict of them keyed by metric."""
    records = [info] if "raised_exception" in info else list(info.values())
    for record in records:
        if record.get("raised_exception"):
            return str(record.get("exception_message"))
    return None


def _observed(frame: pl.DataFrame, columns: list[str], rows: list[int]) -> list[str | None]:
    """The failing values as text, read from the Polars frame (not GX's pandas copy, where an
    integer column with nulls has become float)."""
    picked = frame.select(columns)[rows]
    if len(columns) == 1:
        return picked.to_series().cast(pl.String).to_list()
    return [json.dumps(row, default=str) for row in picked.rows(named=True)]


def empty_result(suite: str, stage: str, frame: pl.DataFrame, threshold: float) -> GateResult:
    """Nothing to validate: zero rows evaluated, nothing rejected, no GX call."""
    return GateResult(
        suite=suite,
        stage=stage,
        rows_evaluated=0,
        rows_failed=0,
        outcomes=(),
        rejects=pl.DataFrame(schema=REJECT_SCHEMA),
        passed=frame,
        threshold=threshold,
        validated_at=datetime.now(UTC),
    )


@dataclass(frozen=True)
class Checked:
    """One expectation's result as plain data (no GX object), so that it can come back from
    the gate process."""

    type: str
    kwargs: dict[str, Any]
    meta: dict[str, Any]
    success: bool
    details: dict[str, Any]  # element_count, unexpected_index_list
    error: str | None


def suite_columns(suite: ExpectationSuite) -> list[str]:
    """The columns a suite checks: the only ones that go to GX."""
    return list(
        dict.fromkeys(c for e in suite.expectations for c in _columns_of(e.configuration.kwargs))
    )


def evaluate(suite: ExpectationSuite, frame: pl.DataFrame) -> list[Checked]:
    """GX's verdict on `frame` (the suite's columns only), as plain records."""
    # The pandas frame keeps its default RangeIndex, so GX's unexpected_index_list holds row
    # positions. (Naming an id column instead makes GX look each failing row up one by one:
    # ~0.15 ms a row, seconds for a bad batch.)
    pandas_frame = frame.to_pandas()
    state = _gx()
    with _run_lock:
        batch = state.batch_definition.get_batch(batch_parameters={"dataframe": pandas_frame})
        _validating.configs = {}
        try:
            report = batch.validate(suite, result_format={"result_format": "COMPLETE"})
        finally:
            _validating.configs = None
    checked = []
    for result in report.results:
        config = result.expectation_config
        details = result.result or {}
        checked.append(
            Checked(
                type=config.type,
                kwargs={k: config.kwargs.get(k) for k in _COLUMN_KWARGS},
                meta=dict(config.meta),
                success=bool(result.success),
                details={
                    k: details[k]
                    for k in ("element_count", "unexpected_index_list")
                    if k in details
                },
                error=_raised(result.exception_info or {}),
            )
        )
    return checked


def validate(
    frame: pl.DataFrame, suite: ExpectationSuite, *, stage: str, threshold: float
) -> GateResult:
    """Validate `frame` against `suite`; split it into passed rows and reject rows."""
    if frame.is_empty():
        return empty_result(suite.name, stage, frame, threshold)
    columns = suite_columns(suite)
    check_columns(suite.name, columns, frame)
    # Only the checked columns go to pandas: no binary content, no list columns, less copying.
    checked = evaluate(suite, frame.select(columns))
    return judge(frame, suite.name, checked, stage=stage, threshold=threshold)


def check_columns(suite: str, columns: list[str], frame: pl.DataFrame) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise GateError(f"suite {suite!r} checks columns {missing} the frame lacks")


def judge(
    frame: pl.DataFrame, suite: str, checked: list[Checked], *, stage: str, threshold: float
) -> GateResult:
    """The gate's result from GX's verdict: passed rows, reject rows, outcomes."""
    ids = frame["doc_id"].to_list() if "doc_id" in frame.columns else None
    outcomes: list[tuple[int, ExpectationOutcome]] = []
    failures: list[dict[str, Any]] = []
    for result in checked:
        order, outcome, rows, observed = _read(result, frame, ids, suite)
        outcomes.append((order, outcome))
        if outcome.severity == "error":
            failures.extend(
                {
                    "row": row,
                    "order": order,
                    "expectation": outcome.label,
                    "reason": outcome.reason,
                    "observed": value,
                }
                for row, value in zip(rows, observed, strict=True)
            )

    failed_rows = {failure["row"] for failure in failures}
    keep = [True] * frame.height
    for row in failed_rows:
        keep[row] = False
    return GateResult(
        suite=suite,
        stage=stage,
        rows_evaluated=frame.height,
        rows_failed=len(failed_rows),
        outcomes=tuple(outcome for _, outcome in sorted(outcomes, key=lambda pair: pair[0])),
        rejects=_rejects(frame, failures, stage),
        passed=frame.filter(pl.Series(keep, dtype=pl.Boolean)),
        threshold=threshold,
        validated_at=datetime.now(UTC),
    )


def _read(
    result: Checked, frame: pl.DataFrame, ids: list[str] | None, suite: str
) -> tuple[int, ExpectationOutcome, list[int], list[str | None]]:
    """One expectation's result → (suite position, outcome, failing rows, observed values)."""
    meta = result.meta
    checked = _columns_of(result.kwargs)
    column = ",".join(checked) or None
    if result.error is not None:
        raise GateError(f"suite {suite!r}: {result.type}({column}) raised: {result.error}")
    details = result.details
    if not result.success and "unexpected_index_list" not in details:
        raise GateError(
            f"suite {suite!r}: {result.type}({column}) failed without naming rows; "
            "only row-level expectations can gate a batch"
        )
    rows = [int(index) for index in details.get("unexpected_index_list") or []]
    success = result.success
    if meta.get("keep_first") and rows:
        first = frame[checked[0]].is_first_distinct()
        rows = [row for row in rows if not first[row]]
        success = not rows
    shown = [meta["observed"]] if meta.get("observed") else checked
    observed = _observed(frame, shown, rows) if rows else []
    outcome = ExpectationOutcome(
        expectation=result.type,
        column=column,
        reason=meta["reason"],
        severity=meta["severity"],
        evaluated=int(details.get("element_count", frame.height)),
        failed=len(rows),
        success=success,
        sample=tuple(
            {"id": ids[row] if ids is not None else str(row), "observed": value}
            for row, value in zip(rows[:SAMPLE_SIZE], observed, strict=False)
        ),
    )
    return meta["order"], outcome, rows, observed


def _rejects(frame: pl.DataFrame, failures: list[dict[str, Any]], stage: str) -> pl.DataFrame:
    """One reject row per failing row and distinct reason (the first expectation, in suite
    order, names it). A frame without documents (a batch-level check) has nothing to reject."""
    if not failures or "doc_id" not in frame.columns:
        return pl.DataFrame(schema=REJECT_SCHEMA)
    lineage = frame.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("row"),
        *[pl.col(c) if c in frame.columns else pl.lit(None, pl.String).alias(c) for c in _LINEAGE],
    )
    schema = {"row": pl.Int64, "order": pl.Int64, "expectation": pl.String}
    schema |= {"reason": pl.String, "observed": pl.String}
    return (
        pl.DataFrame(failures, schema=schema)
        .sort("row", "order")
        .unique(["row", "reason"], keep="first", maintain_order=True)
        .join(lineage, on="row", how="left")
        .with_columns(stage=pl.lit(stage))
        .select(REJECT_SCHEMA.names())
        .cast(dict(REJECT_SCHEMA))
    )
