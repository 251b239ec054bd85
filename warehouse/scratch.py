"""A run's scratch: a DuckDB file of its own in a temporary folder, for what a run remembers
while it goes (the lines its text dumps showed, the local files on record). DuckDB holds at
most `memory_limit` of it in memory and keeps the rest on disk, so what grows with the
number of pages grows on disk, not in the process. The folder goes when the scratch closes
(or is collected)."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path

import duckdb

MEMORY_LIMIT = "64MB"  # a batch's look-ups need far less; the rest spills to the folder


def _drop(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    con.close()
    shutil.rmtree(folder, ignore_errors=True)


class Scratch:
    """One connection to a fresh scratch database; use it from one thread at a time."""

    def __init__(self, memory_limit: str = MEMORY_LIMIT) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="newsdesk-scratch-"))
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
