"""What a gate hands back: typed, Polars-only, with no trace of Great Expectations' objects."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import polars as pl

from newsdesk.core.contracts.frames import DQ_SCHEMA

Severity = Literal["error", "warn"]

SAMPLE_SIZE = 5  # failing rows kept per expectation, for the UI and dq_results


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    reason: str
    severity: Severity
    evaluated: int
    failed: int
    success: bool
    sample: tuple[dict[str, str | None], ...]  # up to SAMPLE_SIZE {"id", "observed"}

    @property
    def label(self) -> str:
        """Expectation and column, as written into a reject row: `expect_…(source_id)`."""
        return f"{self.expectation}({self.column})" if self.column else self.expectation


@dataclass(frozen=True, eq=False)
class GateResult:
    suite: str
    stage: str
    rows_evaluated: int
    rows_failed: int  # input rows with at least one error-severity failure
    outcomes: tuple[ExpectationOutcome, ...]
    rejects: pl.DataFrame  # REJECT_SCHEMA: one row per failing row per distinct reason
    passed: pl.DataFrame  # the input rows with no error-severity failure, input schema
    threshold: float  # the failure rate the batch may reach without failing the gate
    validated_at: datetime  # aware UTC; when the result was produced

    @property
    def failure_rate(self) -> float:
        return self.rows_failed / self.rows_evaluated if self.rows_evaluated else 0.0

    @property
    def exceeded(self) -> bool:
        """True when the gate must stop the stage (a terminal failure for the flow)."""
        return self.failure_rate > self.threshold

    def dq_rows(
        self, run_id: str, batch_no: int, recorded_at: datetime | None = None
    ) -> pl.DataFrame:
        """The rows this result adds to dq_results (DQ_SCHEMA); one per expectation."""
        recorded = recorded_at or self.validated_at
        return pl.DataFrame(
            [
                {
                    "run_id": run_id,
                    "batch_no": batch_no,
                    "suite": self.suite,
                    "stage": self.stage,
                    "expectation": o.expectation,
                    "column_name": o.column,
                    "reason": o.reason,
                    "severity": o.severity,
                    "evaluated": o.evaluated,
                    "failed": o.failed,
                    "success": o.success,
                    "threshold": self.threshold,
                    "sample": json.dumps(list(o.sample), ensure_ascii=False),
                    "recorded_at": recorded,
                }
                for o in self.outcomes
            ],
            schema=DQ_SCHEMA,
        )
