"""Real Great Expectations, imported once for the whole session (it takes seconds)."""

from collections.abc import Callable
from typing import Any

import polars as pl
import pytest

from expectations import warm_up


@pytest.fixture(scope="session", autouse=True)
def _gx_warm() -> None:
    warm_up()


@pytest.fixture
def make_frame() -> Callable[[pl.Schema, list[dict[str, Any]]], pl.DataFrame]:
    """A frame in a stage's real schema; columns a row does not name are null."""

    def build(schema: pl.Schema, rows: list[dict[str, Any]]) -> pl.DataFrame:
        for row in rows:
            unknown = set(row) - set(schema.names())
            assert not unknown, f"not in the schema: {unknown}"
        return pl.DataFrame(rows, schema=schema)

    return build
