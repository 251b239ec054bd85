"""Data-quality gates: one suite per stage, validated through Great Expectations (lazily)."""

from expectations.gates import check_accounting, run_gate
from expectations.params import GateParams
from expectations.result import DQ_SCHEMA, ExpectationOutcome, GateResult
from expectations.runner import GateError, warm_up

__all__ = [
    "DQ_SCHEMA",
    "ExpectationOutcome",
    "GateError",
    "GateParams",
    "GateResult",
    "check_accounting",
    "run_gate",
    "warm_up",
]
