"""The entry points a flow calls: one gate per stage, and the load stage's accounting check."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import polars as pl

from expectations import after_clean, after_extract, after_ingest, before_load
from expectations.params import GateParams
from expectations.result import GateResult
from expectations.runner import empty_result, validate
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
    return validate(frame, _suite(stage, gate_params), stage=stage, threshold=threshold)


def check_accounting(
    *, ingested: int, loaded: int, quarantined: int, duplicates: int
) -> GateResult:
    """loaded + quarantined + duplicates must equal ingested. A mismatch is a batch-level
    failure: `exceeded` is True and the outcome's sample shows both sides; there are no
    document rejects (no single document is to blame)."""
    frame = before_load.accounting_frame(
        ingested=ingested, loaded=loaded, quarantined=quarantined, duplicates=duplicates
    )
    return validate(frame, _accounting_suite(), stage=Stage.LOAD, threshold=0.0)
