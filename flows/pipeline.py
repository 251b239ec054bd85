"""The newsdesk run: ingest → gate → clean → gate → extract → gate → load → gate, per batch."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger

from flows.reporting import publish_run_artifacts
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
    GateThresholdExceeded,
    accounting_task,
    finish_run_task,
    load_task,
    replay_records,
    skip_loaded_task,
    start_run_task,
)
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
) -> list[Any]:
    """One batch through every stage and gate, loaded in one transaction."""
    gates: list[Any] = []
    raw, unreadable = ingest_task(batch, run_id, settings.max_bytes)
    raw_ok = _gate("ingest", raw, settings, registry, now, gates)
    fresh, duplicates = skip_loaded_task(raw_ok, settings)
    clean, clean_errors = clean_task(fresh, mapper, templates)
    clean_ok = _gate("clean", clean, settings, registry, now, gates)
    articles, extract_errors = extract_task(clean_ok, mapper)
    articles_ok = _gate("extract", articles, settings, registry, now, gates)
    to_load = _gate("load", articles_ok, settings, registry, now, gates)

    rejects = pl.concat([unreadable, clean_errors, extract_errors,
                         *(g.rejects for g in gates)], how="vertical").select(REJECT_SCHEMA.names())
    dq = pl.concat([g.dq_rows(run_id, batch_no) for g in gates], how="vertical_relaxed")
    exceeded = [g for g in gates if g.exceeded]
    result = load_task(raw, to_load if not exceeded else to_load.clear(), rejects, dq,
                       run_id=run_id, settings=settings)
    summary.batches += 1
    summary.ingested += len(batch)
    summary.cleaned += clean.height
    summary.extracted += articles.height
    summary.duplicates += duplicates + result.duplicates
    summary.loaded += result.loaded
    summary.updated += result.updated
    summary.add_rejects(rejects)
    if exceeded:
        worst = exceeded[0]
        raise GateThresholdExceeded(
            f"the {worst.stage} gate rejected {worst.failure_rate:.0%} of batch {batch_no} "
            f"(threshold {worst.threshold:.0%}); the batch was quarantined, not loaded"
        )
    accounting_task(summary, run_id=run_id, batch_no=batch_no, settings=settings)
    return gates


@flow(name="newsdesk-run", flow_run_name="run-{label}", log_prints=False)
def newsdesk_run(
    paths: list[str] | None = None,
    replay: bool = False,
    settings_overrides: dict[str, Any] | None = None,
    label: str = "files",
) -> dict[str, Any]:
    """Load the given files and folders (or replay quarantined documents) into the warehouse."""
    logger = get_run_logger()
    settings = load_settings(overrides=settings_overrides)
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
    try:
        with RowMapper(registry, settings.worker_count) as mapper:
            for batch_no, batch in enumerate(batched(items, settings.batch_size)):
                all_gates += process_batch(
                    batch, batch_no, run_id=run_id, settings=settings, registry=registry,
                    mapper=mapper, templates=templates, summary=summary, now=now)
                logger.info("batch %d: %d ingested so far, %d loaded, %d quarantined",
                            batch_no, summary.ingested, summary.loaded + summary.updated,
                            summary.quarantined)
        summary.status = "loaded"
    except Exception as exc:
        summary.status, summary.error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        finish_run_task(summary, settings)
        publish_run_artifacts(summary, all_gates)
        for line in summary.lines():
            logger.info(line)
    return summary.as_dict()
