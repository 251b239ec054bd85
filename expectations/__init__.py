"""Data-quality gates: one suite per stage, validated through Great Expectations (lazily).

The names below load on first use (PEP 562): importing `expectations.gate_process`, which
the CLI does before anything heavy, must not import Polars through the suites."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from expectations.gates import check_accounting, run_gate
    from expectations.params import GateParams
    from expectations.result import DQ_SCHEMA, ExpectationOutcome, GateResult
    from expectations.runner import GateError, warm_up

_WHERE = {
    "DQ_SCHEMA": "expectations.result",
    "ExpectationOutcome": "expectations.result",
    "GateError": "expectations.runner",
    "GateParams": "expectations.params",
    "GateResult": "expectations.result",
    "check_accounting": "expectations.gates",
    "run_gate": "expectations.gates",
    "warm_up": "expectations.runner",
}

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


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'expectations' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
