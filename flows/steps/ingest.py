"""Prefect wrappers of the ingest stage."""

from __future__ import annotations

from collections.abc import Callable, Set
from dataclasses import dataclass

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from newsdesk.core.config import Settings
from newsdesk.core.contracts.fetch import FetchState
from newsdesk.core.contracts.files import FileRead, FileUnchanged, file_reads_frame
from tasks.ingest.batches import TimedBatches
from tasks.ingest.records import IngestFailure, RawRecord, to_frames
from tasks.one_pass import Pages, read_pages
from tasks.parallel import Mapper
from warehouse.fetch_state import load_state, save_state
from warehouse.file_reads import KnownFiles, known_files, record_file_reads


@dataclass
class Ingested:
    """One batch as read: `taken` records (documents and failures), the files whose last
    record is in it (or before it), and how many files were skipped as unchanged."""

    taken: int
    raw: pl.DataFrame
    unreadable: pl.DataFrame
    files: pl.DataFrame
    unchanged: int


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(
    batches: TimedBatches[RawRecord | IngestFailure | FileRead | FileUnchanged],
    run_id: str,
    max_bytes: int,
) -> Ingested:
    """The next batch: full, or what came within `flush_s` of its first item (waited for
    inside this task, so a slow fetch shows in the UI). Unchanged files take no place in a
    batch: a rerun over a folder of unchanged files goes through it in one step. `taken`
    is 0 once the items are exhausted."""
    records: list[RawRecord | IngestFailure] = []
    files: list[FileRead] = []
    unchanged = 0
    while not records:
        batch = batches.next_batch()
        if not batch:
            break
        for item in batch:
            if isinstance(item, FileRead):
                files.append(item)
            elif isinstance(item, FileUnchanged):
                unchanged += 1
            else:
                records.append(item)
    raw, failures = to_frames(records, run_id=run_id, max_bytes=max_bytes)
    return Ingested(len(records), raw, failures, file_reads_frame(files), unchanged)


@task(name="known-files", cache_policy=NO_CACHE)
def known_files_task(settings: Settings) -> KnownFiles:
    return known_files(settings.db, timeout_s=settings.read_lock_timeout_s)


@task(name="record-files", cache_policy=NO_CACHE)
def record_files_task(files: pl.DataFrame, *, run_id: str, settings: Settings) -> int:
    return record_file_reads(settings.db, run_id, files, timeout_s=settings.write_lock_timeout_s)


@task(name="read-pages", cache_policy=NO_CACHE)
def read_pages_task(raw: pl.DataFrame, mapper: Mapper, known: Callable[[], Set[str]]) -> Pages:
    """Whether each page is open, paywalled, blocked or needs JavaScript, and the open pages
    the warehouse does not know (`known()`, looked up here: no task run of its own, ~55 ms
    of CPU a batch with the server's share) cleaned and extracted too, in one worker call a
    page (tasks.one_pass), where their bytes are packed for the raw store too."""
    return read_pages(raw, mapper, known(), pack=True)


@task(name="load-fetch-state", cache_policy=NO_CACHE)
def load_fetch_state_task(settings: Settings) -> FetchState:
    return load_state(settings.db)


@task(name="save-fetch-state", cache_policy=NO_CACHE)
def save_fetch_state_task(state: FetchState, settings: Settings) -> tuple[int, int]:
    """Only after the run's loads committed: a page marked seen must be in the warehouse."""
    return save_state(settings.db, state)
