"""Prefect wrapper of the gates."""

from __future__ import annotations

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from expectations.params import GateParams
from expectations.result import GateResult


@task(name="gate", task_run_name="gate-{stage}", cache_policy=NO_CACHE)
def gate_task(stage: str, frame: pl.DataFrame, params: GateParams, threshold: float) -> GateResult:
    from expectations import run_gate

    return run_gate(stage, frame, params=params, threshold=threshold)
