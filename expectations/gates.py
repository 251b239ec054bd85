"""The entry points a flow calls: one gate per stage, and the load stage's accounting check."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import polars as pl

from expectations import after_clean, after_extract, after_ingest, before_load
from expectations.gate_process import in_gate_process
from expectations.params import GateParams
from expectations.result import GateResult
from expectations.runner import (
    Checked,
    check_columns,
    empty_result,
    evaluate,
    judge,
    suite_columns,
)
from newsdesk.core.contracts.run import Stage

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

# stage (as written in reject rows) → (suite name, suite builder)
GATES: dict[str, tuple[str, Callable[[GateParams], ExpectationSuite]]] = {
    Stage.INGEST: (after_ingest.NAME, after_ingest.build_suite),
    Stage.CLEAN: (after_clean.NAME, after_clean.build_suite),
    Stage.EXTRACT: (after_extract.NAME, after_extract.build_suite),
    Stage.LOAD: (before_load.NAME, before_load.build_suite),
}


@lru_cache(maxsize=32)
def _suite(stage: str, params: GateParams) -> ExpectationSuite:
    # Cached per parameters: a run's gates reuse one suite for every batch.
    return GATES[stage][1](params)


@lru_cache(maxsize=1)
def _accounting_suite() -> ExpectationSuite:
    return before_load.accounting_suite()


_ACCOUNTING = "accounting"
# Which suite: (stage, its parameters), or the accounting check's. Suites are built where they
# are validated (the gate process, when there is one): this process need not import GX.
SuiteKey = tuple[str, GateParams | None]


def _suite_of(key: SuiteKey) -> ExpectationSuite:
    stage, params = key
    return _accounting_suite() if stage == _ACCOUNTING else _suite(stage, params)


def _describe(key: SuiteKey) -> tuple[str, list[str]]:
    suite = _suite_of(key)
    return suite.name, suite_columns(suite)


def _evaluate(key: SuiteKey, frame: pl.DataFrame) -> list[Checked]:
    return evaluate(_suite_of(key), frame)


@lru_cache(maxsize=64)
def _described(key: SuiteKey) -> tuple[str, list[str]]:
    return in_gate_process(_describe, key)


def _validate(key: SuiteKey, frame: pl.DataFrame, stage: str, threshold: float) -> GateResult:
    """Only the checked columns go to GX (and to the gate process): no binary content, no
    list columns, less copying."""
    name, columns = _described(key)
    check_columns(name, columns, frame)
    checked = in_gate_process(_evaluate, key, frame.select(columns))
    return judge(frame, name, checked, stage=stage, threshold=threshold)


def run_gate(
    stage: str, frame: pl.DataFrame, *, params: GateParams | dict[str, Any], threshold: float
) -> GateResult:
    """Validate a stage's output batch against its gate.

    stage: ingest | clean | extract | load. threshold: the share of rejected rows (0 to 1) the
    batch may have before `result.exceeded` says the stage must stop.
    """
    if stage not in GATES:
        raise ValueError(f"unknown stage {stage!r}; gates exist for {sorted(GATES)}")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be a share between 0 and 1, got {threshold}")
    gate_params = GateParams.of(params)
    if frame.is_empty():
        return empty_result(GATES[stage][0], stage, frame, threshold)
    if "source_id" in frame.columns:
        gate_params = gate_params.for_sources(frame["source_id"].unique().to_list())
    return _validate((stage, gate_params), frame, stage, threshold)


def check_accounting(
    *, ingested: int, loaded: int, quarantined: int, duplicates: int
) -> GateResult:
    """loaded + quarantined + duplicates must equal ingested. A mismatch is a batch-level
    failure: `exceeded` is True and the outcome's sample shows both sides; there are no
    document rejects (no single document is to blame)."""
    frame = before_load.accounting_frame(
        ingested=ingested, loaded=loaded, quarantined=quarantined, duplicates=duplicates
    )
    return _validate((_ACCOUNTING, None), frame, Stage.LOAD, 0.0)
