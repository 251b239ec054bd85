"""The newsdesk run: ingest → gate → clean → gate → extract → gate → load → gate, per batch."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger

from flows.reporting import publish_run_artifacts
from newsdesk.alerts import notify_failure
from newsdesk.run_lock import flow_turn, skipped_state
from newsdesk.settings import Settings, load_settings
from newsdesk.sources import Registry, load_registry
from newsdesk.summary import RunSummary
from tasks.clean.task import clean_task
from tasks.extract.task import extract_task
from tasks.gate import gate_task
from tasks.gate_params import gate_params
from tasks.ingest.files import batched, iter_items
from tasks.ingest.records import IngestFailure, RawRecord
from tasks.ingest.task import ingest_task
from tasks.load.task import (
    accounting_task,
    finish_run_task,
    load_task,
    replay_records,
    skip_known_task,
    start_run_task,
)
from tasks.load.thresholds import stop_if_over_threshold
from tasks.parallel import RowMapper
from tasks.rejects import REJECT_SCHEMA
from warehouse.load import new_run_id

Item = RawRecord | IngestFailure


def _gate(stage: str, frame: pl.DataFrame, settings: Settings, registry: Registry,
          now: datetime, gates: list[Any]) -> pl.DataFrame:
    result = gate_task(stage, frame, gate_params(stage, settings, registry, now),
                       settings.threshold(stage))
    gates.append(result)
    return result.passed


def process_batch(
    batch: list[Item], batch_no: int, *, run_id: str, settings: Settings, registry: Registry,
    mapper: RowMapper, templates: dict[str, frozenset[str]], summary: RunSummary, now: datetime,
    slowest: Slowest, replay: bool,
) -> list[Any]:
    """One batch through every stage and gate, loaded in one transaction."""
    gates: list[Any] = []
    raw, unreadable = ingest_task(batch, run_id, settings.max_bytes)
    raw_ok = _gate("ingest", raw, settings, registry, now, gates)
    fresh, duplicates = skip_known_task(raw_ok, settings, replay)
    clean, clean_errors = clean_task(fresh, mapper, templates)
    clean_ok = _gate("clean", clean, settings, registry, now, gates)
    articles, extract_errors = extract_task(clean_ok, mapper)
    slowest.add(articles)
    articles_ok = _gate("extract", articles, settings, registry, now, gates)
    to_load = _gate("load", articles_ok, settings, registry, now, gates)

    rejects = pl.concat([unreadable, clean_errors, extract_errors,
                         *(g.rejects for g in gates)], how="vertical").select(REJECT_SCHEMA.names())
    dq = pl.concat([g.dq_rows(run_id, batch_no) for g in gates], how="vertical_relaxed")
    result = load_task(raw, to_load, rejects, dq, run_id=run_id, settings=settings)
    summary.batches += 1
    summary.ingested += len(batch)
    summary.cleaned += clean.height
    summary.extracted += articles.height
    summary.duplicates += duplicates + result.duplicates
    summary.loaded += result.loaded
    summary.updated += result.updated
    summary.add_rejects(rejects)
    summary.add_gates(gates)
    accounting_task(summary, run_id=run_id, batch_no=batch_no, settings=settings)
    stop_if_over_threshold(summary, settings, min_rows=settings.threshold_min_rows)
    return gates


@flow(name="newsdesk-run", flow_run_name="run-{label}", log_prints=False,
      on_failure=[notify_failure], on_crashed=[notify_failure])
def newsdesk_run(
    paths: list[str] | None = None,
    replay: bool = False,
    settings_overrides: dict[str, Any] | None = None,
    label: str = "files",
) -> dict[str, Any]:
    """Load the given files and folders (or replay quarantined documents) into the warehouse.
    One run writes a warehouse at a time: a second one waits, then ends as Skipped."""
    settings = load_settings(overrides=settings_overrides)
    with flow_turn(settings.db, timeout_s=settings.run_lock_timeout_s, label=label) as turn:
        if not turn.acquired:
            skipped = RunSummary(run_id="-", db=settings.db, status="skipped")
            return skipped_state(turn, settings.db, skipped.as_dict())  # type: ignore[return-value]
        return _run(paths, replay, settings, label)


def _run(paths: list[str] | None, replay: bool, settings: Settings, label: str
         ) -> dict[str, Any]:
    logger = get_run_logger()
    registry = load_registry(settings.sources)
    run_id = new_run_id()
    now = datetime.now(UTC)
    summary = RunSummary(run_id=run_id, db=settings.db)
    templates = start_run_task(run_id, settings, registry,
                               {"paths": paths or [], "replay": replay})
    items = (replay_records(settings) if replay
             else iter_items([Path(p) for p in paths or []], max_bytes=settings.max_bytes))
    logger.info("run %s → %s (batches of %d, %d workers)", run_id, settings.db,
                settings.batch_size, settings.worker_count)
    all_gates: list[Any] = []
    slowest = Slowest()
    started = time.monotonic()
    try:
        with RowMapper(registry, settings.worker_count) as mapper:
            for batch_no, batch in enumerate(batched(items, settings.batch_size)):
                all_gates += process_batch(
                    batch, batch_no, run_id=run_id, settings=settings, registry=registry,
                    mapper=mapper, templates=templates, summary=summary, now=now,
                    slowest=slowest, replay=replay)
                logger.info(stage_counts_line(batch_no, summary, time.monotonic() - started))
        stop_if_over_threshold(summary, settings, min_rows=1)
        summary.status = "loaded"
    except Exception as exc:
        summary.status, summary.error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        finish_run_task(summary, settings)
        publish_run_artifacts(summary, all_gates)
        for line in summary.lines():
            logger.info(line)
        for line in slowest.lines():
            logger.info(line)
    return summary.as_dict()


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
