"""Nightly warehouse maintenance: close dead runs, prune old dq_results and one-off template
lines, ANALYZE, CHECKPOINT, delete raw-store files no row names, and optionally export every
table as Parquet.

It holds the same run lock as a pipeline run, so it never writes while a run loads, and while
it holds it any run still marked `started` is known to be dead (its process ended without
finishing) and is marked `crashed`.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows.alerts import notify_failure
from flows.naming import maintenance_name
from flows.run_lock import flow_turn, skipped_state
from flows.steps.load import publish_read_copy_task
from newsdesk.core.config import Settings, load_settings
from warehouse.connection import set_memory_limit
from warehouse.maintenance import Tidied, tidy
from warehouse.rawstore import Pruned, prune_raw_store
from warehouse.read import export_parquet


@task(name="tidy-warehouse", cache_policy=NO_CACHE)
def tidy_task(settings: Settings) -> Tidied:
    return tidy(
        settings.db,
        dq_retention_days=settings.dq_retention_days,
        template_retention_days=settings.template_retention_days,
        timeout_s=settings.write_lock_timeout_s,
    )


@task(name="prune-raw-store", cache_policy=NO_CACHE)
def prune_task(settings: Settings) -> Pruned:
    # under the run lock: no load is writing files its rows will name
    return prune_raw_store(settings.db, timeout_s=settings.read_lock_timeout_s)


@task(name="export-parquet", cache_policy=NO_CACHE)
def export_task(settings: Settings) -> list[Path]:
    return export_parquet(settings.db, Path(settings.export_dir).expanduser().resolve())


@flow(
    name="newsdesk-maintenance",
    flow_run_name=maintenance_name,
    on_failure=[notify_failure],
    on_crashed=[notify_failure],
)
def newsdesk_maintenance(
    settings_overrides: dict[str, Any] | None = None, label: str = "nightly"
) -> dict[str, Any]:
    """Keep the warehouse fast and small; never while a run writes it."""
    logger = get_run_logger()
    settings = load_settings(overrides=settings_overrides)
    set_memory_limit(settings.warehouse.memory_limit)
    result: dict[str, Any] = {"db": str(settings.db), "status": "skipped"}
    if not settings.db.exists():
        logger.info("no warehouse at %s yet: nothing to maintain", settings.db)
        return result
    with flow_turn(settings.db, timeout_s=settings.run_lock_timeout_s, label=label) as turn:
        if not turn.acquired:
            return skipped_state(turn, settings.db, result)  # type: ignore[return-value]
        tidied = tidy_task(settings)
        pruned = prune_task(settings)
        publish_read_copy_task(settings)
    exported = export_task(settings) if settings.export_dir else []
    result = {
        **result,
        "status": "done",
        **asdict(tidied),
        "raw_files_pruned": pruned.files,
        "raw_bytes_pruned": pruned.bytes,
        "exported": [str(p) for p in exported],
    }
    logger.info(
        "marked %d dead runs crashed, pruned %d dq_results rows older than %d days and %d one-off "
        "template lines unseen for %d days, %.1f → %.1f MB; deleted %d raw-store files no row "
        "names; exported %d tables",
        tidied.aborted_runs,
        tidied.pruned_dq_rows,
        settings.dq_retention_days,
        tidied.pruned_template_lines,
        settings.template_retention_days,
        tidied.size_before_bytes / 1e6,
        tidied.size_after_bytes / 1e6,
        pruned.files,
        len(exported),
    )
    create_table_artifact(
        key="newsdesk-maintenance",
        table=[{"step": k, "value": str(v)} for k, v in result.items() if k != "exported"]
        + [{"step": "exported", "value": str(p)} for p in exported],
        description=f"Warehouse maintenance of {settings.db}",
    )
    return result
