"""Short-lived DuckDB connections that wait their turn instead of failing.

DuckDB lets one process hold a database file read-write, and while it does no other process
may open the file at all; an open reader likewise blocks a writer. So every connection here
lives only as long as one batch or one query, and opening retries the lock error with bounded,
jittered exponential backoff.

Plain retrying lets a reader in a tight loop starve a writer (the file is almost never free
when the writer looks). A side file `<db>.newsdesk-lock` is a turnstile: a writer holds it
exclusively for as long as it writes, and a reader passes through it (takes and drops a shared
lock) before each attempt to open the database. A waiting writer therefore only waits for the
readers already inside. Clients that do not know the turnstile (the DuckDB CLI) still work:
the retry on DuckDB's own lock error covers them.
"""

from __future__ import annotations

import fcntl
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

WRITE_TIMEOUT_S = 300.0
READ_TIMEOUT_S = 60.0
_FIRST_DELAY_S = 0.005
_MAX_DELAY_S = 0.5


class WarehouseBusy(TimeoutError):
    """The database stayed locked by another connection for longer than the caller allowed."""


class WarehouseMissing(FileNotFoundError):
    """A reader asked for a warehouse file that does not exist yet."""


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    message = str(exc)
    # Across processes: the file lock. Within one process: a read-only and a read-write
    # connection to the same file cannot coexist either.
    return "Could not set lock on file" in message or "different configuration" in message


def _backoff(attempt: int) -> float:
    """Full jitter (AWS architecture blog): spreads retrying processes apart."""
    return random.uniform(0, min(_MAX_DELAY_S, _FIRST_DELAY_S * 2**attempt))


def _turnstile_fd(db_path: Path) -> int | None:
    try:
        return os.open(f"{db_path}.newsdesk-lock", os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        return None  # e.g. a read-only directory: fall back to plain retrying


def _flock(fd: int, mode: int, deadline: float, db_path: Path) -> None:
    attempt = 0
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise WarehouseBusy(f"{db_path}: another newsdesk process kept writing") from None
            time.sleep(_backoff(attempt))
            attempt += 1


def _configure(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    # Results come back in UTC whatever the machine's zone, matching the frames' schemas.
    con.execute("SET TimeZone = 'UTC'")
    return con


def _connect(db_path: Path, *, read_only: bool, deadline: float, turnstile: int | None):
    attempt = 0
    while True:
        if read_only and turnstile is not None:
            _flock(turnstile, fcntl.LOCK_SH, deadline, db_path)
            fcntl.flock(turnstile, fcntl.LOCK_UN)
        try:
            return _configure(duckdb.connect(str(db_path), read_only=read_only))
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if not _is_lock_conflict(exc):
                raise
            if time.monotonic() >= deadline:
                mode = "read-only" if read_only else "read-write"
                raise WarehouseBusy(
                    f"{db_path}: could not open {mode} within the time allowed; "
                    f"the last lock error was: {exc}"
                ) from exc
            time.sleep(_backoff(attempt))
            attempt += 1


@contextmanager
def open_write(
    db_path: Path | str, timeout_s: float = WRITE_TIMEOUT_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection, waited for up to `timeout_s`; hold it only while writing."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_s
    turnstile = _turnstile_fd(db_path)
    try:
        if turnstile is not None:
            _flock(turnstile, fcntl.LOCK_EX, deadline, db_path)
        con = _connect(db_path, read_only=False, deadline=deadline, turnstile=turnstile)
        try:
            yield con
        finally:
            con.close()
    finally:
        if turnstile is not None:
            os.close(turnstile)  # closing the descriptor releases its lock


@contextmanager
def open_read(
    db_path: Path | str, timeout_s: float = READ_TIMEOUT_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection, waited for up to `timeout_s`; fetch everything, then leave."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise WarehouseMissing(f"no warehouse at {db_path}: run `newsdesk migrate` or a load")
    deadline = time.monotonic() + timeout_s
    turnstile = _turnstile_fd(db_path)
    try:
        con = _connect(db_path, read_only=True, deadline=deadline, turnstile=turnstile)
    finally:
        if turnstile is not None:
            os.close(turnstile)
    try:
        yield con
    finally:
        con.close()
