"""What a run keeps between batches, reduced as it goes: its size depends on the number of
expectations, publishers' domains and distinct template lines, never on the number of pages
(a batch's frames are dropped once it is loaded)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import polars as pl

from newsdesk.core.contracts.frames import (
    PROPOSED_SOURCE_SCHEMA,
    TEMPLATE_LINE_SCHEMA,
    merge_proposals,
)

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
        self.frame = merge_proposals(
            pl.concat([self.frame, proposals.select(PROPOSED_SOURCE_SCHEMA.names())])
        )


class TemplateLineTally:
    """Text-dump lines counted per source (TEMPLATE_LINE_SCHEMA, increments), handed to
    `flush` whenever more than `max_rows` distinct lines are held, and at the end of the run.
    The counts are increments, so saving them in parts adds up to the same totals; the run
    itself uses the templates it read at its start, so an early save changes nothing in it.
    Per line it keeps the least and greatest article that showed it: what the warehouse needs
    to tell a line of one article (kept with it) from a line of two or more (NULL)."""

    def __init__(self, flush: Callable[[pl.DataFrame], Any], max_rows: int = 50_000) -> None:
        self._flush = flush
        self.max_rows = max_rows
        self.frame = pl.DataFrame(schema=_TALLY_SCHEMA)
        self.flushes = 0

    def add(self, lines: pl.DataFrame) -> None:
        lines = lines.drop_nulls(["source_id", "line", "article_id"])  # as the warehouse does
        if lines.is_empty():
            return
        new = lines.select(
            "source_id",
            "line",
            pl.col("article_id").alias("article_min"),
            pl.col("article_id").alias("article_max"),
            pl.col("pages_seen").fill_null(1),
        ).cast(_TALLY_SCHEMA)  # type: ignore[arg-type]
        self.frame = (
            pl.concat([self.frame, new])
            .group_by("source_id", "line", maintain_order=True)
            .agg(
                pl.col("article_min").min(),
                pl.col("article_max").max(),
                pl.col("pages_seen").sum(),
            )
            .cast(_TALLY_SCHEMA)  # type: ignore[arg-type]
        )
        if self.frame.height > self.max_rows:
            self.flush()

    def lines(self) -> pl.DataFrame:
        """The tally as TEMPLATE_LINE_SCHEMA rows: a line of two or more articles comes as
        two rows (its pages split between them), so the warehouse sees both."""
        one = self.frame.filter(pl.col("article_min") == pl.col("article_max"))
        mixed = self.frame.filter(pl.col("article_min") != pl.col("article_max"))
        return pl.concat(
            [
                one.select(
                    "source_id", "line", pl.col("article_min").alias("article_id"), "pages_seen"
                ),
                mixed.select(
                    "source_id",
                    "line",
                    pl.col("article_min").alias("article_id"),
                    pl.col("pages_seen") - 1,
                ),
                mixed.select(
                    "source_id",
                    "line",
                    pl.col("article_max").alias("article_id"),
                    pl.lit(1, pl.Int64).alias("pages_seen"),
                ),
            ]
        ).cast(TEMPLATE_LINE_SCHEMA)  # type: ignore[arg-type]

    def flush(self) -> None:
        if self.frame.is_empty():
            return
        self._flush(self.lines())
        self.flushes += 1
        self.frame = self.frame.clear()


_TALLY_SCHEMA = pl.Schema(
    {
        "source_id": pl.String,
        "line": pl.String,
        "article_min": pl.String,
        "article_max": pl.String,
        "pages_seen": pl.Int64,
    }
)
