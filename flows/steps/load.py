"""Prefect wrappers of the load stage: run bookkeeping, the batch load and its checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from expectations import GateResult
from flows.summary import RunSummary
from flows.thresholds import AccountingMismatch
from newsdesk.core.config import Settings
from newsdesk.core.registry import Registry
from tasks.clean.templates import TemplateMemory
from tasks.load.stage import known_doc_ids
from warehouse import load as wh
from warehouse.publish import Published, publish_read_copy


@task(name="publish-read-copy", cache_policy=NO_CACHE)
def publish_read_copy_task(settings: Settings) -> Published:
    """The analysts' copy of the warehouse as this run left it (warehouse.publish)."""
    return publish_read_copy(settings.db, timeout_s=settings.read_lock_timeout_s)


@task(name="close-crashed-runs", cache_policy=NO_CACHE)
def close_crashed_runs_task(settings: Settings) -> list[dict[str, Any]]:
    return wh.close_crashed_runs(settings.db, timeout_s=settings.write_lock_timeout_s)


@task(name="start-run", cache_policy=NO_CACHE)
def start_run_task(
    run_id: str, settings: Settings, registry: Registry, params: dict[str, Any], command: str
) -> TemplateMemory:
    """Migrate, sync the registry, record the run; returns what the sources' pages showed
    (the text templates' memory, read from the warehouse batch by batch)."""
    wh.start_run(
        settings.db,
        run_id=run_id,
        flow_run_id=flow_run.get_id(),
        command=command,
        params=params,
        registry=registry,
        timeout_s=settings.write_lock_timeout_s,
    )
    return TemplateMemory(settings.db, timeout_s=settings.read_lock_timeout_s)


@task(name="known-documents", cache_policy=NO_CACHE)
def known_documents_task(doc_ids: list[str], settings: Settings, mode: str) -> set[str]:
    """The batch's documents the warehouse knows (skip_known sets them aside), read once for
    the page pass (which reads only their access) and the skip after the ingest gate."""
    return known_doc_ids(doc_ids, settings, mode=mode)


@task(name="load", cache_policy=NO_CACHE)
def load_task(
    raw: pl.DataFrame,
    articles: pl.DataFrame,
    rejects: pl.DataFrame,
    dq: pl.DataFrame,
    found: pl.DataFrame,
    *,
    files: pl.DataFrame | None = None,
    run_id: str,
    settings: Settings,
    versions: pl.DataFrame | None = None,
    accounting: Accounting | None = None,
    packed: dict[str, bytes] | None = None,
) -> wh.LoadResult:
    return wh.load_batch(
        settings.db,
        run_id=run_id,
        raw=raw,
        articles=articles,
        rejects=rejects,
        dq=dq,
        found=found,
        versions=versions,
        files=files,
        checks=accounting,
        packed=packed,
        timeout_s=settings.write_lock_timeout_s,
    )


class Accounting:
    """Every input accounted for once a batch is in: loaded + updated + duplicates +
    quarantined = ingested. Checked on the counts the load returns, inside its transaction
    (`load_task`'s `checks`), so the check's dq row commits with the batch: one connection
    and one task run a batch instead of two each. `raise_if_unbalanced` then stops the run,
    as a check of its own did, with the batch and its row committed."""

    def __init__(
        self,
        summary: RunSummary,
        *,
        ingested: int,
        duplicates: int,
        quarantined: int,
        run_id: str,
        batch_no: int,
    ) -> None:
        self._summary = summary  # the run before this batch: not changed here
        self._batch = {"ingested": ingested, "duplicates": duplicates, "quarantined": quarantined}
        self._run_id = run_id
        self._batch_no = batch_no
        self._counts: dict[str, int] = {}
        self._result: GateResult | None = None

    def __call__(self, loaded: wh.LoadResult) -> pl.DataFrame:
        from expectations import check_accounting

        s, batch = self._summary, self._batch
        self._counts = {
            "ingested": s.ingested + batch["ingested"],
            "loaded": s.loaded + s.updated + loaded.loaded + loaded.updated,
            "quarantined": s.quarantined + batch["quarantined"],
            "duplicates": s.duplicates + batch["duplicates"] + loaded.duplicates,
        }
        self._result = check_accounting(**self._counts)
        return self._result.dq_rows(self._run_id, self._batch_no)

    def raise_if_unbalanced(self) -> None:
        if self._result is None or not self._result.exceeded:
            return
        c = self._counts
        raise AccountingMismatch(
            f"accounting failed after batch {self._batch_no}: ingested {c['ingested']} ≠ "
            f"loaded {c['loaded']} + duplicates {c['duplicates']} + "
            f"quarantined {c['quarantined']}"
        )


def _save_run_rows(
    save: Callable[..., int], rows: pl.DataFrame, rows_arg: str, run_id: str, settings: Settings
) -> int:
    """Rows a run gathered, written under its id in one short write; none: no connection."""
    if rows.is_empty():
        return 0
    return save(
        settings.db, run_id=run_id, **{rows_arg: rows}, timeout_s=settings.write_lock_timeout_s
    )


@task(name="propose-sources", cache_policy=NO_CACHE)
def propose_sources_task(proposals: pl.DataFrame, *, run_id: str, settings: Settings) -> int:
    """Unknown publishers' domains seen by the run, for `newsdesk sources --proposed`."""
    return _save_run_rows(wh.record_proposed_sources, proposals, "proposals", run_id, settings)


@task(name="save-templates", cache_policy=NO_CACHE)
def save_templates_task(lines: pl.DataFrame, *, run_id: str, settings: Settings) -> int:
    """Count the run's text-dump lines per source, for the templates later runs use."""
    return _save_run_rows(wh.save_template_lines, lines, "lines", run_id, settings)


@task(name="finish-run", cache_policy=NO_CACHE)
def finish_run_task(summary: RunSummary, settings: Settings) -> None:
    wh.finish_run(settings.db, summary.as_dict(), timeout_s=settings.write_lock_timeout_s)
