"""What a run shows in the Prefect UI: table artifacts of its gates and its counts."""

from __future__ import annotations

from typing import Any

import polars as pl
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.summary import RunSummary


def publish_run_artifacts(summary: RunSummary, gate_rows: list[dict[str, Any]]) -> None:
    """gate_rows: flows.tally.GateTally.table(), every expectation summed over the run."""
    key = "newsdesk-run"
    create_table_artifact(
        key=f"{key}-gates",
        table=gate_rows or [{"stage": "", "expectation": "none"}],
        description=f"Data-quality gates of run {summary.run_id}: every expectation, "
        "evaluated / passed / failed, with failure examples.",
    )
    counts = summary.as_dict()
    create_table_artifact(
        key=f"{key}-counts",
        table=summary.stage_counts(),
        description=f"Documents per stage, run {summary.run_id}",
    )
    create_table_artifact(
        key=f"{key}-access",
        table=[{"access": k, "pages": n} for k, n in summary.access_counts().items()],
        description=f"Pages by access, run {summary.run_id}: open, paywalled, blocked (bot "
        "walls, challenge pages, also refused fetches), js_required (app shells). The ones not "
        "open are quarantined with that reason and the evidence.",
    )
    reasons = (
        "\n".join(
            f"| {r['stage']} | {r['reason']} | {r['documents']} |"
            for r in counts["quarantine_reasons"]
        )
        or "| - | - | 0 |"
    )
    create_markdown_artifact(
        key=f"{key}-quarantine",
        markdown=(
            f"## Quarantine of run `{summary.run_id}`\n\n| stage | reason | documents |\n"
            f"|---|---|---|\n{reasons}\n\nSee the rows:\n\n```\nnewsdesk quarantine\n"
            f'newsdesk sql "SELECT stage, reason, uri, observed FROM quarantine '
            f"WHERE last_run_id = '{summary.run_id}'\"\n```\n\nWarehouse: `{summary.db}`"
        ),
        description="Quarantined documents by reason, and how to query them",
    )


def publish_story_artifacts(result: Any, run_id: str) -> None:
    """The stories the run started or grew, and the largest clusters of copies among them."""
    rows = [
        {
            "new": "new" if story["new"] else "grew",
            "first_seen": str(story["first_seen"]),
            "first_outlet": story["first_outlet"],
            "articles": story["article_count"],
            "outlets": ", ".join(story["outlets"]),
            "title": story["title"],
        }
        for story in result.story_rows
    ]
    create_table_artifact(
        key="newsdesk-run-stories",
        table=rows or [{"new": "", "title": "no story with more than one article in this run"}],
        description=f"Stories of run {run_id} told by more than one article "
        f"({result.new_stories} new stories in all, {result.same_story} same_story and "
        f"{result.copies} copy links added). All: newsdesk stories",
    )
    create_table_artifact(
        key="newsdesk-run-copies",
        table=result.copy_clusters or [{"articles": 0, "title": "no copies"}],
        description="The largest clusters of copied text (the same body on several pages) "
        "among the stories this run changed",
    )


# Readable run logs for the Prefect UI (counts per stage, rate, the slowest documents).


def stage_counts_line(batch_no: int, summary: RunSummary, elapsed_s: float) -> str:
    rate = summary.ingested / elapsed_s if elapsed_s > 0 else 0.0
    return (
        f"batch {batch_no} done: ingested {summary.ingested} → cleaned {summary.cleaned} "
        f"→ extracted {summary.extracted} → loaded {summary.loaded} new + "
        f"{summary.updated} updated ({summary.duplicates} duplicates); quarantined "
        f"{summary.quarantined}; {rate:.1f} documents/s"
    )


class Slowest:
    """The run's slowest documents by clean + extract time: where to look when it drags."""

    def __init__(self, keep: int = 5) -> None:
        self.keep = keep
        self.top = pl.DataFrame(schema={"uri": pl.String, "ms": pl.Float64, "word_count": pl.Int64})

    def add(self, articles: pl.DataFrame) -> None:
        batch = articles.select(
            "uri",
            (pl.col("clean_ms").fill_null(0) + pl.col("extract_ms").fill_null(0)).alias("ms"),
            pl.col("word_count").cast(pl.Int64),
        )
        self.top = pl.concat([self.top, batch]).top_k(self.keep, by="ms")

    def lines(self) -> list[str]:
        if self.top.is_empty():
            return []
        rows = self.top.sort("ms", descending=True).iter_rows()
        return [f"slowest {len(self.top)} documents (clean + extract):"] + [
            f"  {ms:8.1f} ms  {words or 0:>6} words  {uri}" for uri, ms, words in rows
        ]
