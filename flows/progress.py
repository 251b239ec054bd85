"""Progress of a run in the terminal (rich): documents per stage, rate, ETA. The flow calls
`report` after every batch; the command line decides whether anyone is listening."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.summary import RunSummary

_listener: Callable[[RunSummary], None] | None = None
_notices: Callable[[str], None] | None = None
_run_started: str | None = None


def started(run_id: str) -> None:
    """The run is recorded in the warehouse (`started`): stopped from here on, it ends
    recorded as aborted; before, nothing of it is there."""
    global _run_started
    _run_started = run_id


def run_started() -> str | None:
    """The id of the run the flow recorded in this process, if it got that far."""
    return _run_started


def report(summary: RunSummary) -> None:
    if _listener is not None:
        _listener(summary)


def notice(message: str) -> None:
    """Something the person who started the run must see now (a wait for the warehouse),
    not only in the Prefect log."""
    if _notices is not None:
        _notices(message)


def count_documents(paths: Iterable[Path], *, timeout_s: float) -> int | None:
    """How many documents the files hold, when that is cheap to know (None: a JSON Lines
    export or a web archive holds an unknown number). Each folder listing has `timeout_s`,
    as in the run (a folder that does not answer counts as its one timeout row)."""
    from tasks.ingest.files import JSONL_SUFFIXES, WARC_SUFFIXES, discover

    total = 0
    for path in discover(paths, timeout_s=timeout_s):
        if isinstance(path, Path) and path.name.lower().endswith((*JSONL_SUFFIXES, *WARC_SUFFIXES)):
            return None
        total += 1
    return total


@contextmanager
def terminal_progress(total: int | None) -> Iterator[None]:
    """A progress bar on stderr while a run goes on (nothing when stderr is not a terminal),
    and the run's notices on stderr (always)."""
    global _listener, _notices, _run_started
    _run_started = None  # this run's, not one an earlier call in this process recorded
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from warehouse.connection import on_lock_wait

    on_lock_wait(notice)  # a wait on a lock held outside newsdesk (a notebook) is told too
    console = Console(stderr=True)
    if not console.is_terminal or os.environ.get("CI"):

        def plain(message: str) -> None:
            sys.stderr.write(f"newsdesk: {message}\n")
            sys.stderr.flush()

        _notices = plain
        try:
            yield
        finally:
            _notices = None
        return
    columns = [
        TextColumn("[bold]documents"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[stages]}"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("run", total=total, stages="", rate="")

        def update(summary: RunSummary) -> None:
            elapsed = bar.tasks[task].elapsed or 0.0
            rate = f"{summary.ingested / elapsed:.1f} docs/s" if elapsed else ""
            stages = (
                f"cleaned {summary.cleaned} · extracted {summary.extracted} · loaded "
                f"{summary.loaded + summary.updated} · duplicates {summary.duplicates} · "
                f"quarantined {summary.quarantined}"
            )
            bar.update(task, completed=summary.ingested, stages=stages, rate=rate)

        _listener = update

        def shown(message: str) -> None:
            bar.console.print(f"newsdesk: {message}", markup=False, highlight=False)

        _notices = shown
        try:
            yield
        finally:
            _listener = _notices = None
