"""What a run keeps between batches, reduced as it goes: its size depends on the number of
expectations, publishers' domains and distinct template lines, never on the number of pages
(a batch's frames are dropped once it is loaded)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import polars as pl

from newsdesk.core.contracts.frames import PROPOSED_SOURCE_SCHEMA, TEMPLATE_LINE_SCHEMA

EXAMPLES = 3  # failure examples kept per expectation for the UI's gate table


class GateTally:
    """Every expectation of every gate, summed over the run's batches (the UI's gate table).
    Keeps counts and a few examples per expectation, not the gate results."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add(self, gates: Iterable[Any]) -> None:
        for gate in gates:
            for outcome in gate.outcomes:
                key = (gate.stage, outcome.expectation, outcome.column or "")
                row = self._rows.setdefault(
                    key,
                    {
                        "stage": gate.stage,
                        "expectation": outcome.expectation,
                        "column": outcome.column or "",
                        "reason": outcome.reason,
                        "severity": outcome.severity,
                        "evaluated": 0,
                        "failed": 0,
                        "examples": [],
                    },
                )
                row["evaluated"] += outcome.evaluated
                row["failed"] += outcome.failed
                room = EXAMPLES - len(row["examples"])
                row["examples"] += [str(s) for s in outcome.sample[:room]]

    def __len__(self) -> int:
        return len(self._rows)

    def table(self) -> list[dict[str, Any]]:
        return [
            {
                **row,
                "passed": row["evaluated"] - row["failed"],
                "examples": "; ".join(row["examples"]),
            }
            for row in self._rows.values()
        ]


class ProposalTally:
    """Unknown publishers' domains seen so far (PROPOSED_SOURCE_SCHEMA), one row per domain."""

    def __init__(self) -> None:
        self.frame = pl.DataFrame(schema=PROPOSED_SOURCE_SCHEMA)

    def add(self, proposals: pl.DataFrame) -> None:
        if proposals.is_empty():
            return
        self.frame = (
            pl.concat([self.frame, proposals.select(PROPOSED_SOURCE_SCHEMA.names())])
            .group_by("domain", maintain_order=True)
            .agg(
                pl.col("site_name").drop_nulls().first(),
                pl.col("language").drop_nulls().first(),
                pl.col("pages").fill_null(1).sum(),
                pl.col("sample_uri").drop_nulls().first(),
            )
            .cast(PROPOSED_SOURCE_SCHEMA)  # type: ignore[arg-type]
        )


class TemplateLineTally:
    """Text-dump lines counted per source (TEMPLATE_LINE_SCHEMA, increments), handed to
    `flush` whenever more than `max_rows` distinct lines are held, and at the end of the run.
    The counts are increments, so saving them in parts adds up to the same totals; the run
    itself uses the templates it read at its start, so an early save changes nothing in it."""

    def __init__(self, flush: Callable[[pl.DataFrame], Any], max_rows: int = 50_000) -> None:
        self._flush = flush
        self.max_rows = max_rows
        self.frame = pl.DataFrame(schema=TEMPLATE_LINE_SCHEMA)
        self.flushes = 0

    def add(self, lines: pl.DataFrame) -> None:
        if lines.is_empty():
            return
        self.frame = (
            pl.concat([self.frame, lines.select(TEMPLATE_LINE_SCHEMA.names())])
            .group_by("source_id", "line", maintain_order=True)
            .agg(pl.col("pages_seen").fill_null(1).sum())
            .cast(TEMPLATE_LINE_SCHEMA)  # type: ignore[arg-type]
        )
        if self.frame.height > self.max_rows:
            self.flush()

    def flush(self) -> None:
        if self.frame.is_empty():
            return
        self._flush(self.frame)
        self.flushes += 1
        self.frame = self.frame.clear()
