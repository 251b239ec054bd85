"""The newsdesk run: ingest → gate → clean → gate → extract → gate → load → gate, per batch."""

from __future__ import annotations

import itertools
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Set
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
from prefect import get_run_logger

from expectations import GateResult
from expectations.gate_process import start_gate_process
from flows import progress
from flows.alerts import notify_failure
from flows.batch import Steps, through_stages
from flows.json_flow import json_flow
from flows.naming import current_run_id, describe_inputs, run_name
from flows.overlap import BatchLoader, ReadAhead
from flows.reporting import (
    Slowest,
    publish_run_artifacts,
    publish_story_artifacts,
    stage_counts_line,
)
from flows.run_lock import flow_turn, mark_crashed_in_prefect, skipped_state
from flows.small_runs import SMALL_BATCH, is_small, step, warehouse_kept_open
from flows.source_watch import watch_sources_task
from flows.steps.clean import clean_task
from flows.steps.extract import extract_task
from flows.steps.gate import gate_task
from flows.steps.ingest import (
    Ingested,
    ingest_task,
    known_files_task,
    load_fetch_state_task,
    read_pages_task,
    record_files_task,
    save_fetch_state_task,
)
from flows.steps.load import (
    Accounting,
    close_crashed_runs_task,
    finish_run_task,
    known_documents_task,
    load_task,
    propose_sources_task,
    publish_read_copy_task,
    save_templates_task,
    start_run_task,
)
from flows.steps.stories import search_index_task, stories_task
from flows.summary import RunSummary, attach_summary, quarantined_documents
from flows.tally import GateTally, ProposalTally, TemplateLineTally
from flows.thresholds import stop_if_over_threshold
from newsdesk.core.config import Settings, load_settings
from newsdesk.core.contracts.fetch import FetchState
from newsdesk.core.contracts.files import FileRead, FileStamp, FileUnchanged
from newsdesk.core.contracts.reasons import REJECT_SCHEMA
from newsdesk.core.contracts.run import Stage
from newsdesk.core.memory import limit_arenas, release_freed, resident_mb
from newsdesk.core.registry import Registry, load_registry
from tasks.clean.templates import TemplateMemory
from tasks.gate_params import gate_params
from tasks.ingest.batches import TimedBatches
from tasks.ingest.files import StampLookup, iter_tracked_items
from tasks.ingest.records import IngestFailure, RawRecord
from tasks.ingest.web_inputs import WebInputs, web_items
from tasks.load.stage import (
    found_in_quarantined,
    known_doc_ids,
    proposed_sources,
    replay_records,
    reprocess_plan,
    stored_records,
)
from tasks.one_pass import Pages
from tasks.parallel import Mapper, RowMapper, run_mapper
from warehouse.connection import set_memory_limit
from warehouse.publish import read_copy_path


class LazyMapper:
    """The run's worker pool (or Dask client), opened for the first batch with documents: a
    rerun whose files are all unchanged starts no worker. With `local` (the run's own
    process), batches of at most SMALL_BATCH documents met before any pool is open go
    there: starting a pool (the stages' imports) costs a second or more of CPU, cleaning
    the two seeds a fraction of one."""

    def __init__(
        self,
        opener: Callable[[], AbstractContextManager[Mapper]],
        local: Callable[[], Mapper] | None = None,
    ) -> None:
        self._opener = opener
        self._local = local
        self._mapper: Mapper | None = None
        self._current: Mapper | None = None
        self._here: Mapper | None = None
        self._stack = ExitStack()

    def open(self) -> Mapper:
        if self._mapper is None:
            self._mapper = self._stack.enter_context(self._opener())
        return self._mapper

    @property
    def opened(self) -> Mapper | None:
        """The pool (or client), if a batch opened it; None: no worker was started."""
        return self._mapper

    def for_batch(self, documents: int) -> None:
        """Where the next batch's rows go."""
        if self._mapper is None and self._local is not None and documents <= SMALL_BATCH:
            self._here = self._here or self._local()
            self._current = self._here
        else:
            self._current = self.open()

    def map(
        self, fn: Callable[[dict[str, Any]], dict[str, Any]], rows: Iterable[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        return (self._current or self.open()).map(fn, rows)

    def __enter__(self) -> LazyMapper:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


class StepClock:
    """CPU seconds (of the thread that ran it) and wall seconds of the run's main process per
    step, for the run log: what the run costs beside the workers' access, clean and extract
    (which show under read-pages as waiting), and how long each step takes."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.wall: dict[str, float] = defaultdict(float)
        self._lock = threading.Lock()  # the flow's thread and the loader's (flows/overlap.py)

    def timed(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                with self._lock:
                    self.cpu[name] += time.thread_time() - cpu
                    self.wall[name] += time.perf_counter() - started

        return run

    def line(self) -> str:
        def parts(seconds: dict[str, float]) -> str:
            steps = sorted(seconds.items(), key=lambda kv: -kv[1])
            return ", ".join(f"{k} {v:.2f}" for k, v in steps)

        return (
            f"main-process CPU s: {time.process_time():.2f} in all (imports too); "
            f"{parts(self.cpu)}; wall s: {parts(self.wall)}"
        )


@dataclass
class RunContext:
    run_id: str
    now: datetime
    settings: Settings
    registry: Registry
    mapper: Mapper | LazyMapper
    templates: TemplateMemory
    summary: RunSummary
    slowest: Slowest
    mode: str  # run | replay | reprocess
    gates: GateTally
    proposals: ProposalTally
    template_lines: TemplateLineTally
    clock: StepClock = field(default_factory=StepClock)
    started: float = field(default_factory=time.monotonic)
    # the gates' thresholds can stop the run: not while it runs quarantined documents again
    # (a replay, a reprocess's second part): their rate says nothing about the run
    thresholds: bool = True
    small: bool = False  # counted small by the command line: bookkeeping steps are no tasks

    def step(self, task: Any) -> Callable[..., Any]:
        return step(task, self.small)

    def gate(self, stage: Stage, frame: pl.DataFrame) -> GateResult:
        params = gate_params(stage, self.settings, self.registry, self.now)
        return gate_task(stage, frame, params, self.settings.threshold(stage))

    def read_pages(self, raw: pl.DataFrame, loading: Set[str]) -> tuple[Pages, set[str]]:
        """The batch's page pass (tasks/one_pass.py): each HTML page parsed and sent to a
        worker once for its access, clean and extract; the documents the warehouse knows,
        looked up once, get their access read only and are set aside after the ingest gate.
        Ids of the batch being loaded meanwhile (`loading`) are not looked up yet: they come
        back as unsure, for finish_batch to look up once that load is in."""
        timed = self.clock.timed
        ids = raw["doc_id"].to_list()
        unsure = {i for i in ids if i in loading}
        known = partial(
            known_doc_ids, [i for i in ids if i not in unsure], self.settings, mode=self.mode
        )
        return timed("read-pages", self.step(read_pages_task))(raw, self.mapper, known), unsure

    def steps(self) -> Steps:
        timed = self.clock.timed
        return Steps(
            gate=timed("gates", self.gate),
            clean=timed(
                "clean",
                lambda raw, ready: clean_task(raw, ready, self.templates, learn=self.mode == "run"),
            ),
            extract=timed("extract", extract_task),
        )


def skip_unchanged(ingested: Ingested, run: RunContext) -> None:
    """A step with no document to read (files skipped as unchanged, or the marks of files
    whose records went into earlier batches): count them, remember the files."""
    summary = run.summary
    summary.ingested += ingested.unchanged
    summary.duplicates += ingested.unchanged
    summary.unchanged_files += ingested.unchanged
    summary.files_read += run.step(record_files_task)(
        ingested.files, run_id=run.run_id, settings=run.settings
    )


def finish_batch(
    ingested: Ingested, pages: Pages, unsure: set[str], batch_no: int, run: RunContext
) -> None:
    """One batch, after its page pass, through every gate, loaded in one transaction (in the
    loader's thread when batches overlap: flows/overlap.py)."""
    if unsure:  # shared with the batch loaded before: known now if that batch had them
        pages.known = {
            *pages.known,
            *run.clock.timed("known-documents", run.step(known_documents_task))(
                sorted(unsure), run.settings, run.mode
            ),
        }
    unreadable = ingested.unreadable
    batch = through_stages(pages, run.steps())
    gates = batch.gates
    run.template_lines.add(batch.template_lines)
    clean, articles = batch.clean, batch.articles

    rejects = pl.concat(
        [unreadable, batch.clean_errors, batch.extract_errors, *(g.rejects for g in gates)],
        how="vertical",
    ).select(REJECT_SCHEMA.names())
    dq = pl.concat([g.dq_rows(run.run_id, batch_no) for g in gates], how="vertical_relaxed")
    found = found_in_quarantined(rejects, clean, articles)
    run.proposals.add(proposed_sources(rejects, articles))
    summary = run.summary
    accounting = Accounting(
        summary,
        ingested=ingested.taken + ingested.unchanged,
        duplicates=batch.duplicates + ingested.unchanged,
        quarantined=quarantined_documents(rejects),
        run_id=run.run_id,
        batch_no=batch_no,
    )
    result = run.clock.timed("load", load_task)(
        batch.raw,
        batch.to_load,
        rejects,
        dq,
        found,
        files=ingested.files,
        run_id=run.run_id,
        settings=run.settings,
        versions=batch.earlier_versions,
        accounting=accounting,
        packed=pages.packed,
    )

    summary.batches += 1
    summary.ingested += ingested.taken + ingested.unchanged
    summary.cleaned += clean.height
    summary.extracted += articles.height
    summary.duplicates += batch.duplicates + result.duplicates + ingested.unchanged
    summary.unchanged_files += ingested.unchanged
    summary.files_read += ingested.files.height
    summary.loaded += result.loaded
    summary.updated += result.updated
    summary.add_rejects(rejects)
    summary.add_access(batch.raw, unreadable)
    summary.add_gates(gates)
    run.gates.add(gates)
    run.slowest.add(articles)
    accounting.raise_if_unbalanced()
    progress.report(summary)
    # What the batch freed goes back to the system now (newsdesk/core/memory.py): the
    # process's peak is then what the batches in flight hold, not what earlier ones left.
    del batch, clean, articles, gates, rejects, dq, found
    run.clock.timed("trim", release_freed)()
    rss, peak = resident_mb()
    get_run_logger().info(
        "%s; run's process %.0f MB resident (peak %.0f MB)",
        stage_counts_line(batch_no, summary, time.monotonic() - run.started),
        rss,
        peak,
    )
    if run.thresholds:
        stop_if_over_threshold(summary, run.settings, min_rows=run.settings.threshold_min_rows)


@json_flow(
    name="newsdesk-run",
    flow_run_name=run_name,
    log_prints=False,
    on_failure=[notify_failure],
    on_crashed=[notify_failure],
)
def newsdesk_run(
    paths: list[str] | None = None,
    replay: bool = False,
    web: dict[str, Any] | None = None,
    settings_overrides: dict[str, Any] | None = None,
    label: str | None = None,
    reprocess: dict[str, Any] | None = None,
    watch_sources: bool = False,
    rescan: bool = False,
    documents: int | None = None,
) -> dict[str, Any]:
    """Load files and folders, pages fetched from the web (`web`: sources, all_sources, urls,
    feeds, sitemaps, url_lists) or, with `replay`, the quarantined documents again. With
    `reprocess` ({"source": name or None, "since": ISO date or None}), clean and extract the
    stored pages again with the current code: the articles' pages, then the quarantined ones.
    `label` names what runs (default: said from the inputs), in the flow-run name and the
    run lock. `watch_sources` (the scheduled ingest): afterwards, alert on registry sources
    that went quiet or keep failing ([quiet]). A local file read before whose size and mtime
    are unchanged is not read again, unless `rescan` (a replay or reprocess reads its files
    anyway). `documents`: how many the command line counted in `paths` (None: not counted);
    a run of at most SMALL_BATCH keeps the warehouse open throughout (flows/small_runs.py).
    One run writes a warehouse at a time: a second one waits, then ends as Skipped."""
    limit_arenas()  # set by the command line already; here too for a deployment's runs
    settings = load_settings(overrides=settings_overrides)
    set_memory_limit(settings.warehouse.memory_limit)
    run_id = current_run_id()
    label = label or describe_inputs(paths or (), web, replay, reprocess=reprocess)
    with flow_turn(settings.db, timeout_s=settings.run_lock_timeout_s, label=label) as turn:
        if not turn.acquired:
            skipped = RunSummary(run_id=run_id, db=settings.db, status="skipped")
            return skipped_state(turn, settings.db, skipped.as_dict())  # type: ignore[return-value]
        mode = "reprocess" if reprocess is not None else "replay" if replay else "run"
        with warehouse_kept_open(settings.db, documents, settings.write_lock_timeout_s):
            return _run(
                run_id,
                paths or [],
                mode,
                WebInputs.of(web),
                settings,
                reprocess or {},
                watch_sources,
                rescan=rescan,
                small=is_small(documents),
                large=documents is not None and documents > SMALL_BATCH,
            )


Item = RawRecord | IngestFailure | FileRead | FileUnchanged
Phase = tuple[Iterator[Item], bool]


def _counts(item: Item) -> bool:
    """Whether an item takes a place in a batch: the marks of files read or skipped do not."""
    return not isinstance(item, FileRead | FileUnchanged)


def _phases(
    mode: str,
    paths: list[str],
    web: WebInputs,
    fetch_state: FetchState | None,
    reprocess: dict[str, Any],
    known: StampLookup | Mapping[str, FileStamp],
    run: RunContext,
) -> Iterator[Phase]:
    """The run's inputs, in parts, each with whether the gates' thresholds may stop it."""
    settings = run.settings
    if mode == "reprocess":
        loaded, held = reprocess_plan(
            settings, run.registry, source=reprocess.get("source"), since=reprocess.get("since")
        )
        get_run_logger().info(
            "reprocess: the pages of %d loaded articles, then %d quarantined pages",
            len(loaded),
            len(held),
        )
        yield stored_records(settings, loaded), True
        yield stored_records(settings, held), False
        return
    items: Iterator[Item] = itertools.chain(
        replay_records(settings) if mode == "replay" else (),
        iter_tracked_items(
            [Path(p) for p in paths],
            max_bytes=settings.max_bytes,
            known=known,
            read_timeout_s=settings.read_timeout_s,
            follow_links=settings.follow_links,
        ),
        web_items(web, run.registry, settings, state=fetch_state, run_id=run.run_id, now=run.now)
        if fetch_state is not None
        else (),
    )
    yield items, mode == "run"


def publish_read_copy(
    summary: RunSummary, settings: Settings, logger: Any, *, small: bool = False
) -> None:
    """Analysts see the run once it is whole. A failed copy leaves them the previous one: it
    fails a run that had loaded, and is only logged when the run had failed already. A run
    that took no document (every file unchanged) keeps the copy there is: copying the whole
    warehouse again would cost an unchanged rerun time proportional to the warehouse, for
    the one new row of `runs` (the warehouse itself has it)."""
    if summary.batches == 0 and summary.status == "loaded" and read_copy_path(settings.db).exists():
        logger.info("read copy for analysts unchanged: the run took no document")
        return
    try:
        published = step(publish_read_copy_task, small)(settings)
    except Exception as exc:
        if summary.status != "loaded":
            logger.error("read copy not published (analysts keep the previous one): %s", exc)
            return
        raise
    logger.info(
        "read copy for analysts: %s (%.1f MB, %.1f s)",
        published.path,
        published.bytes / 1e6,
        published.seconds,
    )


def _run(
    run_id: str,
    paths: list[str],
    mode: str,
    web: WebInputs,
    settings: Settings,
    reprocess: dict[str, Any],
    watch: bool = False,
    *,
    rescan: bool = False,
    small: bool = False,
    large: bool = False,
) -> dict[str, Any]:
    logger = get_run_logger()
    start_gate_process()  # started by the CLI already; a no-op then
    registry = load_registry(settings.sources)
    now = datetime.now(UTC)
    summary = RunSummary(run_id=run_id, db=settings.db)
    # This run holds the run lock: any run still `started` lost its process.
    crashed = step(close_crashed_runs_task, small)(settings)
    if crashed:
        logger.warning("runs whose process died, now marked crashed: %s", crashed)
        mark_crashed_in_prefect(crashed)
    params: dict[str, Any] = {"paths": paths, "replay": mode == "replay", "web": web.as_dict()}
    if mode == "reprocess":
        params["reprocess"] = reprocess
    templates = step(start_run_task, small)(run_id, settings, registry, params, command=mode)
    progress.started(run_id)  # a stop from here on ends it recorded as aborted
    fetch_state = load_fetch_state_task(settings) if web else None
    # Files read by an earlier run and unchanged since are skipped: not on --rescan, and not
    # in a replay or reprocess (they run stored documents again).
    tracked = mode == "run" and bool(paths) and not rescan
    known = step(known_files_task, small)(settings) if tracked else {}
    logger.info(
        "%s %s → %s (batches of %d, clean and extract on %s)",
        mode,
        run_id,
        settings.db,
        settings.batch_size,
        f"the Dask cluster at {settings.dask_address}"
        if settings.executor == "dask"
        else f"{settings.worker_count} worker processes",
    )
    # Reduced as the run goes: nothing here grows with the number of pages.
    gates = GateTally()
    slowest = Slowest()
    proposals = ProposalTally()
    template_lines = TemplateLineTally(
        lambda lines: step(save_templates_task, small)(lines, run_id=run_id, settings=settings)
    )
    clock = StepClock()
    failure: Exception | None = None
    try:
        with LazyMapper(
            lambda: run_mapper(registry, settings),
            local=(lambda: RowMapper(registry, 1)) if settings.executor == "processes" else None,
        ) as mapper:
            run = RunContext(
                run_id,
                now,
                settings,
                registry,
                mapper,
                templates,
                summary,
                slowest,
                mode,
                gates,
                proposals,
                template_lines,
                clock,
                small=small,
            )
            batch_numbers = itertools.count()
            phases = _phases(mode, paths, web, fetch_state, reprocess, known, run)
            for items, thresholds in phases:
                run.thresholds = thresholds
                batches = TimedBatches(
                    items, batch_size=settings.batch_size, flush_s=settings.flush_s, counts=_counts
                )
                ingest = partial(
                    clock.timed("ingest", ingest_task), batches, run_id, settings.max_bytes
                )
                # leaving: the last load waited for, the reader stopped, a read ahead ended
                with (
                    ReadAhead(ingest, settings.overlap) as ahead,
                    batches,
                    BatchLoader(settings.overlap) as loader,
                ):
                    # A run counted large starts its workers once its first batch will be
                    # large (so not for a rerun of unchanged files): they start and import
                    # the stages while that batch is read, not after.
                    if (
                        large
                        and mapper.opened is None
                        and batches.wait_for(SMALL_BATCH + 1, settings.flush_s)
                    ):
                        mapper.open()
                    while True:
                        ingested = ahead.take()
                        if not ingested.taken:
                            loader.wait()
                            skip_unchanged(ingested, run)
                            break
                        ahead.start()  # the next batch is read while this one is in the workers
                        batch_no = next(batch_numbers)
                        mapper.for_batch(ingested.taken)
                        pages, unsure = run.read_pages(ingested.raw, loader.in_flight)
                        loader.submit(
                            partial(finish_batch, ingested, pages, unsure, batch_no, run),
                            set(ingested.raw["doc_id"]),
                        )
                        # The batch is the loader's now: freed as soon as it is in, not
                        # kept by these names until the next batch's page pass returns
                        # (while the batch after that is read ahead: three batches held).
                        del ingested, pages, unsure
                if thresholds:  # at the end of its part, every gate counts
                    stop_if_over_threshold(summary, settings, min_rows=1)
            if fetch_state is not None:
                save_fetch_state_task(fetch_state, settings)
            # After every batch is in: copies and stories across all sources (the articles'
            # features on the workers, idle by now, if the run opened them), then the search
            # index (the workers gone).
            stories = clock.timed("stories", step(stories_task, small))(
                run_id, settings, mapper.opened
            )
            publish_story_artifacts(stories, run_id)
        clock.timed("search-index", step(search_index_task, small))(run_id, settings)
        summary.status = "loaded"
        if watch:
            watched = watch_sources_task(settings, run_id, datetime.now(UTC))
            summary.source_alerts = watched.found.to_dicts()
    except Exception as exc:
        summary.status, summary.error = "failed", f"{type(exc).__name__}: {exc}"
        failure = exc
        raise
    finally:
        step(propose_sources_task, small)(proposals.frame, run_id=run_id, settings=settings)
        template_lines.flush()
        step(finish_run_task, small)(summary, settings)
        clock.timed("read-copy", publish_read_copy)(summary, settings, logger, small=small)
        publish_run_artifacts(summary, gates.table())
        for line in [*summary.lines(), *slowest.lines(), clock.line()]:
            logger.info(line)
        if failure is not None:  # the command prints what the failed run did, then why
            attach_summary(failure, summary.as_dict())
    return summary.as_dict()
