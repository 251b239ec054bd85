"""A run's scratch: a DuckDB file of its own in a temporary folder, for what a run remembers
while it goes (the lines its text dumps showed, the local files on record). DuckDB holds at
most `memory_limit` of it in memory and keeps the rest on disk, so what grows with the
number of pages grows on disk, not in the process. The folder goes when the scratch closes
(or is collected). A run killed with -9 cannot remove its folder: folders are named with the
pid of their process, and the first scratch of a later process removes those whose process is
gone."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import weakref
from pathlib import Path

import duckdb
import polars as pl

MEMORY_LIMIT = "64MB"  # a batch's look-ups need far less; the rest spills to the folder
PREFIX = "newsdesk-scratch-"
_OWNED = re.compile(rf"^{PREFIX}(\d+)-")
_swept = threading.Event()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def sweep(folder: Path | None = None) -> list[Path]:
    """Remove the scratch folders left by processes that are gone; returns them."""
    removed = []
    root = folder or Path(tempfile.gettempdir())
    for entry in root.glob(f"{PREFIX}*"):
        owner = _OWNED.match(entry.name)
        if owner and entry.is_dir() and not _alive(int(owner.group(1))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _drop(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    con.close()
    shutil.rmtree(folder, ignore_errors=True)


class Scratch:
    """One connection to a fresh scratch database; use it from one thread at a time."""

    def __init__(self, memory_limit: str = MEMORY_LIMIT) -> None:
        if not _swept.is_set():
            _swept.set()
            sweep()
        self.folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        self.con = duckdb.connect(
            str(self.folder / "scratch.duckdb"),
            config={
                "memory_limit": memory_limit,
                "threads": 1,
                "temp_directory": str(self.folder / "spill"),
                "preserve_insertion_order": False,
            },
        )
        self._drop = weakref.finalize(self, _drop, self.con, self.folder)

    def close(self) -> None:
        self._drop()

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RunLines:
    """The lines a run's text dumps showed (tasks.clean.templates.TemplateMemory), per
    source: the one article each was seen on, or "" once two or more showed it."""

    def __init__(self) -> None:
        self._scratch = Scratch()
        self._scratch.con.execute(
            "CREATE TABLE run_lines (source_id VARCHAR, line VARCHAR, article VARCHAR)"
        )

    @property
    def folder(self) -> Path:
        return self._scratch.folder

    def learn(self, lines: pl.DataFrame) -> None:
        """Add a batch's (source_id, line, article) rows, one per line ("" for a line two
        articles of the batch showed): a line on record for another article becomes ""."""
        con = self._scratch.con
        con.register("batch_lines", lines.select("source_id", "line", "article").to_arrow())
        try:
            con.execute(
                """
                UPDATE run_lines SET article = ''
                FROM batch_lines b
                WHERE run_lines.source_id = b.source_id AND run_lines.line = b.line
                  AND run_lines.article <> '' AND run_lines.article <> b.article
                """
            )
            con.execute(
                """
                INSERT INTO run_lines
                SELECT b.source_id, b.line, b.article FROM batch_lines b
                ANTI JOIN run_lines r ON r.source_id = b.source_id AND r.line = b.line
                """
            )
        finally:
            con.unregister("batch_lines")

    def seen(self, pairs: pl.DataFrame) -> pl.DataFrame:
        """Those of the (source_id, line) pairs on record, with their article."""
        con = self._scratch.con
        con.register("wanted", pairs.select("source_id", "line").to_arrow())
        try:
            return con.execute(
                """
                SELECT r.source_id, r.line, r.article FROM run_lines r
                SEMI JOIN wanted w ON r.source_id = w.source_id AND r.line = w.line
                """
            ).pl()
        finally:
            con.unregister("wanted")

    def of_source(self, source_id: str) -> pl.DataFrame:
        return self._scratch.con.execute(
            "SELECT source_id, line, article FROM run_lines WHERE source_id = ?", [source_id]
        ).pl()

    def close(self) -> None:
        self._scratch.close()
