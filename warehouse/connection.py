"""Short-lived DuckDB connections that wait their turn instead of failing.

DuckDB lets one process hold a database file read-write, and while it does no other process
may open the file at all; an open reader likewise blocks a writer. So every connection here
lives only as long as one batch or one query, and opening retries the lock error with bounded,
jittered exponential backoff (tenacity).

Plain retrying is unfair: a reader in a tight loop starves a writer (the file is almost never
free when the writer looks), and a writer loading batch after batch starves readers. Two side
files make newsdesk processes take turns (Linux/macOS flock, one descriptor per attempt, so
threads of one process queue like processes):
- `<db>.newsdesk-lock`, the turnstile: a writer holds it exclusively while it writes; a reader
  passes through it (takes and drops a shared lock) before each attempt to open the database.
  A waiting writer therefore only waits for the readers already inside.
- `<db>.newsdesk-readers`: a reader stopped at the turnstile holds it shared until it passes;
  a writer about to take the turnstile first lets such waiting readers through.
Clients that know neither file (the DuckDB CLI) still work: the retry on DuckDB's own lock
error covers them.

Opening the file costs about 20 ms of CPU (its catalog read, a checkpoint at the close), and
a small run opens it about 35 times. Work of a few seconds (a small run) can keep it open
instead (`kept_open`): the process's connections meanwhile are new connections to the
database it holds (about 2 ms), and other processes wait for the file as for one long load.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import duckdb
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    retry_if_result,
    wait_random_exponential,
)

from newsdesk.core.config import defaults

# Callers pass the run's [warehouse] timeouts; these are the shipped ones, for direct use.
WRITE_TIMEOUT_S = defaults().warehouse.write_lock_timeout_s
READ_TIMEOUT_S = defaults().warehouse.read_lock_timeout_s
_FIRST_DELAY_S = 0.005
_MAX_DELAY_S = 0.5
_POLL_S = 0.005  # flock polling: a syscall, cheap enough to do often
_READER_GRACE_S = 2.0


class WarehouseBusy(TimeoutError):
    """The database stayed locked by another connection for longer than the caller allowed."""


class WarehouseMissing(FileNotFoundError):
    """A reader asked for a warehouse file that does not exist yet."""


def _is_lock_conflict(exc: BaseException) -> bool:
    if not isinstance(exc, duckdb.IOException | duckdb.ConnectionException):
        return False
    message = str(exc)
    # Across processes: the file lock. Within one process: a read-only and a read-write
    # connection to the same file cannot coexist either.
    return "Could not set lock on file" in message or "different configuration" in message


# Full jitter (AWS architecture blog): spreads retrying processes apart.
_BACKOFF = wait_random_exponential(multiplier=_FIRST_DELAY_S, max=_MAX_DELAY_S)


# Who hears that a connection waits on DuckDB's own lock, held by a process that knows no
# turnstile (a notebook or the DuckDB CLI on the warehouse itself): the command's terminal,
# set by the run (flows/progress.py). Without it a run waited write_lock_timeout_s (300 s)
# in silence, then failed. Waits between newsdesk's own processes are short and not told.
_wait_notice: Callable[[str], None] | None = None
_NOTICE_AFTER_S = 2.0
_HOLDER = re.compile(r"Conflicting lock is held in (.+?)(?:\. See also|$)")


def on_lock_wait(notice: Callable[[str], None] | None) -> None:
    """Tell `notice` (once a connection) when opening the warehouse waits on another
    process's lock for more than _NOTICE_AFTER_S; None: tell no one."""
    global _wait_notice
    _wait_notice = notice


def _until(deadline: float) -> Callable[[RetryCallState], bool]:
    return lambda _state: time.monotonic() >= deadline


def _side_file(db_path: Path, suffix: str) -> int | None:
    try:
        return os.open(f"{db_path}.{suffix}", os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        return None  # e.g. a read-only directory: fall back to plain retrying


def _try_flock(fd: int, mode: int) -> bool:
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _take_turnstile(db_path: Path, deadline: float) -> int | None:
    """The writer's turn: let waiting readers pass, then hold the turnstile exclusively."""
    turnstile = _side_file(db_path, "newsdesk-lock")
    waiting = _side_file(db_path, "newsdesk-readers")
    if turnstile is None:
        return None
    try:
        # Readers pass within one poll interval once the turnstile is free; the grace bound
        # keeps a stream of readers from holding a writer off.
        grace = min(deadline, time.monotonic() + _READER_GRACE_S)
        while waiting is not None and not _try_flock(waiting, fcntl.LOCK_EX):
            if time.monotonic() >= grace:
                break
            time.sleep(_POLL_S)
        taken = Retrying(
            retry=retry_if_result(lambda taken: not taken),
            wait=_BACKOFF,
            stop=_until(deadline),
            retry_error_callback=lambda _state: False,
        )(_try_flock, turnstile, fcntl.LOCK_EX)
        if not taken:
            os.close(turnstile)
            raise WarehouseBusy(f"{db_path}: another newsdesk process kept writing")
        return turnstile
    finally:
        if waiting is not None:
            os.close(waiting)


def _pass_turnstile(db_path: Path, deadline: float) -> None:
    """A reader's turn: wait (flagged as waiting) until no newsdesk writer holds the file."""
    turnstile = _side_file(db_path, "newsdesk-lock")
    if turnstile is None:
        return
    waiting: int | None = None
    flagged = False
    try:
        while not _try_flock(turnstile, fcntl.LOCK_SH):
            if waiting is None:
                waiting = _side_file(db_path, "newsdesk-readers")
            if waiting is not None and not flagged:
                flagged = _try_flock(waiting, fcntl.LOCK_SH)  # fails while a writer checks it
            if time.monotonic() >= deadline:
                raise WarehouseBusy(f"{db_path}: a newsdesk load kept the warehouse busy")
            time.sleep(_POLL_S)
    finally:
        os.close(turnstile)  # closing a descriptor drops its lock
        if waiting is not None:
            os.close(waiting)


# DuckDB's own default lets a connection keep every block it reads (80 % of the machine's
# memory), so what a connection that reads the whole warehouse holds grows with the
# warehouse (the analysts' copy of a 9,000-page bench warehouse: 115 MB in DuckDB, 77 MB of
# it cached blocks). The connections here are short and read a block about once: a bounded
# pool costs little, and joins and sorts past it spill to a file beside the warehouse.
# The process's [warehouse] memory_limit: set_memory_limit, by whoever loaded the settings.
_limits = {"memory_limit": defaults().warehouse.memory_limit}


def set_memory_limit(limit: str) -> None:
    """What each warehouse connection opened from now on in this process may hold in memory
    (a size DuckDB reads, already checked by the settings: 128MB, 1GiB)."""
    _limits["memory_limit"] = limit


# A new warehouse file is made of 16 KB blocks, not DuckDB's 256 KB. Every load is its own
# open of the file, and DuckDB starts a new row group in each table with an index (all of
# ours: a primary key) at each open that appends to it; the checkpoint at the close writes
# that row group's few hundred rows into a block of their own. A table a load looks up
# without its key (an ON CONFLICT, a scan for a body's hash) is then read block by block,
# one block per earlier load: with 256 KB blocks, what a load held grew by about 1.4 MB a
# batch (issue 14's flat memory; bench/bench_load_memory.py). 16 KB blocks hold the same
# rows in a sixteenth of the memory and of the file. A file made before keeps its blocks.
BLOCK_SIZE = 16_384


def _create(db_path: Path) -> None:
    """An empty warehouse file with BLOCK_SIZE blocks (DuckDB fixes a file's block size
    when it creates it). Called by a writer, holding the turnstile."""
    quoted = "'" + str(db_path).replace("'", "''") + "'"  # ATTACH binds no parameter
    with duckdb.connect() as con:
        con.execute(f"ATTACH {quoted} AS new_warehouse (BLOCK_SIZE {BLOCK_SIZE})")


def _configure(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    # Results come back in UTC whatever the machine's zone, matching the frames' schemas.
    con.execute(f"SET TimeZone = 'UTC'; SET memory_limit = '{_limits['memory_limit']}'")
    return con


# The warehouses this process keeps open (kept_open), by real path: their connection.
_kept: dict[str, duckdb.DuckDBPyConnection] = {}
_kept_lock = threading.Lock()


def _key(db_path: Path) -> str:
    return os.path.realpath(db_path)


def _connect(db_path: Path, *, read_only: bool, deadline: float) -> duckdb.DuckDBPyConnection:
    reader = read_only
    # A file this process keeps open read-write: DuckDB refuses a read-only connection next
    # to it ("different configuration"), and hands a read-write one the open database.
    read_only = read_only and _key(db_path) not in _kept

    def attempt() -> duckdb.DuckDBPyConnection:
        if reader:
            _pass_turnstile(db_path, deadline)
        elif not db_path.exists():
            _create(db_path)
        return _configure(duckdb.connect(str(db_path), read_only=read_only))

    started = time.monotonic()
    told = False

    def waiting(state: RetryCallState) -> None:
        nonlocal told
        notice = _wait_notice
        if told or notice is None or time.monotonic() - started < _NOTICE_AFTER_S:
            return
        told = True
        exc = state.outcome.exception() if state.outcome else None
        found = _HOLDER.search(str(exc)) if exc else None
        holder = found.group(1) if found else "another process"
        setting = "read_lock_timeout_s" if reader else "write_lock_timeout_s"
        notice(
            f"{db_path} is held open by {holder}; waiting up to "
            f"{max(0.0, deadline - time.monotonic()):.0f} s more ({setting}). Readers should "
            "open the read copy (<db>.read.duckdb), not the warehouse"
        )

    def busy(state: RetryCallState) -> NoReturn:
        exc = state.outcome.exception() if state.outcome else None
        mode = "read-only" if read_only else "read-write"
        raise WarehouseBusy(
            f"{db_path}: could not open {mode} within the time allowed; "
            f"the last lock error was: {exc}"
        ) from exc

    return Retrying(
        retry=retry_if_exception(_is_lock_conflict),
        wait=_BACKOFF,
        stop=_until(deadline),
        before_sleep=waiting,
        retry_error_callback=busy,
    )(attempt)


@contextmanager
def open_write(
    db_path: Path | str, timeout_s: float = WRITE_TIMEOUT_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection, waited for up to `timeout_s`; hold it only while writing.

    Do not open a reader inside it in the same process: the reader would wait for the writer.
    """
    con, turnstile = _connect_writer(Path(db_path), timeout_s)
    try:
        yield con
    finally:
        con.close()
        if turnstile is not None:
            os.close(turnstile)


def _connect_writer(
    db_path: Path, timeout_s: float
) -> tuple[duckdb.DuckDBPyConnection, int | None]:
    """A read-write connection and the turnstile taken for it (the caller releases it),
    both waited for up to `timeout_s` together."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_s
    turnstile = _take_turnstile(db_path, deadline)
    try:
        return _connect(db_path, read_only=False, deadline=deadline), turnstile
    except BaseException:
        if turnstile is not None:
            os.close(turnstile)
        raise


@contextmanager
def kept_open(db_path: Path | str, timeout_s: float = WRITE_TIMEOUT_S) -> Iterator[None]:
    """Keep the warehouse open read-write in this process until the block ends: its
    open_write and open_read meanwhile connect to the database held open (readers too: they
    still wait at the turnstile for this process's writers). No other process can open the
    file meanwhile (its readers and writers wait, as for a load): for work of a few seconds
    only. Opened like a writer's connection (waited for up to `timeout_s`); nested, a no-op."""
    db_path = Path(db_path)
    key = _key(db_path)
    if key in _kept:
        yield
        return
    con, turnstile = _connect_writer(db_path, timeout_s)
    if turnstile is not None:
        os.close(turnstile)
    with _kept_lock:
        _kept[key] = con
    try:
        yield
    finally:
        with _kept_lock:
            del _kept[key]
        con.close()  # the file closes (and is checkpointed) with the last connection


@contextmanager
def open_read(
    db_path: Path | str, timeout_s: float = READ_TIMEOUT_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection, waited for up to `timeout_s`; fetch everything, then leave."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise WarehouseMissing(
            f"no warehouse at {db_path} yet: `newsdesk run PATH` creates it with its first load"
        )
    con = _connect(db_path, read_only=True, deadline=time.monotonic() + timeout_s)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN; COMMIT when the block ends; ROLLBACK when it raises anything (an interrupt
    too), then the exception goes on. Every write of the warehouse goes through here, so a
    batch, a run's start or a migration is committed whole or not at all."""
    con.begin()
    try:
        yield con
        con.commit()
    except BaseException:
        # A COMMIT that failed has ended the transaction already; its error is the one to see.
        with contextlib.suppress(duckdb.TransactionException):
            con.rollback()
        raise
