"""A Prefect flow whose parameters are stored without importing FastAPI.

Prefect stores a flow run's parameters in JSON form through FastAPI's `jsonable_encoder`,
imported on the first run: FastAPI's models cost 0.3-0.4 s of CPU, a tenth of a small run,
for parameters that are JSON already (paths, flags, option dicts). `JsonFlow` stores a
parameter that plain `json` encodes as what it decodes to (tuples become lists, as with
FastAPI) and hands any other value to Prefect's own encoder.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from prefect import Flow

P = ParamSpec("P")
R = TypeVar("R")


class JsonFlow(Flow[P, R]):
    def serialize_parameters(self, parameters: dict[str, Any]) -> dict[str, Any]:
        plain: dict[str, Any] = {}
        other: dict[str, Any] = {}
        for key, value in parameters.items():
            try:
                plain[key] = json.loads(json.dumps(value, allow_nan=False))
            except (TypeError, ValueError, RecursionError):
                other[key] = value
        # Prefect's own way (FastAPI's encoder, placeholders for what it cannot encode) for
        # the rest; the bound `self` of a method flow is among them and dropped there.
        found = super().serialize_parameters(other) if other else {}
        return {
            key: plain[key] if key in plain else found[key]
            for key in parameters
            if key in plain or key in found
        }


def json_flow(**options: Any) -> Callable[[Callable[P, R]], JsonFlow[P, R]]:
    """`@prefect.flow(**options)`, making a JsonFlow."""

    def make(fn: Callable[P, R]) -> JsonFlow[P, R]:
        return JsonFlow(fn=fn, **options)

    return make
