"""Progress of a run in the terminal (rich): documents per stage, rate, ETA. The flow calls
`report` after every batch; the command line decides whether anyone is listening."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.summary import RunSummary

_listener: Callable[[RunSummary], None] | None = None


def report(summary: RunSummary) -> None:
    if _listener is not None:
        _listener(summary)


def count_documents(paths: Iterable[Path]) -> int | None:
    """How many documents the files hold, when that is cheap to know (None: a JSON Lines
    export or a web archive holds an unknown number)."""
    from tasks.ingest.files import JSONL_SUFFIXES, WARC_SUFFIXES, discover

    total = 0
    for path in discover(paths):
        if path.name.lower().endswith((*JSONL_SUFFIXES, *WARC_SUFFIXES)):
            return None
        total += 1
    return total


@contextmanager
def terminal_progress(total: int | None) -> Iterator[None]:
    """A progress bar on stderr while a run goes on (nothing when stderr is not a terminal)."""
    global _listener
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    if not console.is_terminal or os.environ.get("CI"):
        yield
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
        try:
            yield
        finally:
            _listener = None
