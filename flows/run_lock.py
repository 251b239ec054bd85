"""One run writes the warehouse at a time: an OS file lock next to the database.

Why a file lock rather than a Prefect concurrency limit: it covers every way a run starts
(`newsdesk run` without a server, ephemeral mode, a served deployment, `prefect deployment
run`), it is keyed to the warehouse file itself (two warehouses never block each other), and
the kernel releases it when its holder dies, so a crashed run cannot leave a slot taken.

`<db>.newsdesk-run` is held (filelock's FileLock: flock, exclusive) for a whole run; it is
not the per-batch turnstile of warehouse.connection, which readers also pass through. The
holder writes who it is into `<db>.newsdesk-run.json`, so a waiting run can say what it
waits for.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from flows import progress

_POLL_S = 0.25


@dataclass(frozen=True)
class Turn:
    """The outcome of asking for the warehouse: acquired, or why not (`holder`, `waited_s`)."""

    acquired: bool
    waited_s: float
    holder: dict[str, object] | None  # what the run that kept the lock wrote about itself

    def skip_message(self, db: Path) -> str:
        who = describe(self.holder) if self.holder else "another run"
        return (
            f"skipped: {who} kept the warehouse {db} busy for {self.waited_s:.0f} s "
            f"(run_lock_timeout_s); nothing was written"
        )


def lock_path(db: Path) -> Path:
    return Path(f"{db}.newsdesk-run")


def holder_path(db: Path) -> Path:
    return Path(f"{db}.newsdesk-run.json")


def describe(holder: dict[str, object]) -> str:
    label = holder.get("label") or "a run"
    flow_run = f", flow run {holder['flow_run_id']}" if holder.get("flow_run_id") else ""
    return (
        f"{label} (pid {holder.get('pid')} on {holder.get('host')}{flow_run}, "
        f"since {holder.get('since')})"
    )


def read_holder(db: Path) -> dict[str, object] | None:
    try:
        text = holder_path(db).read_text(encoding="utf-8")
        return json.loads(text) if text.strip() else None
    except (OSError, ValueError):
        return None


def is_held(db: Path) -> bool:
    """Whether a live process holds the run lock now (a dead one's lock the kernel freed)."""
    try:
        fd = os.open(lock_path(db), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False  # closing the descriptor below drops this probe's shared lock
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


@contextmanager
def run_lock(
    db: Path,
    *,
    timeout_s: float,
    label: str,
    flow_run_id: str | None = None,
    on_wait: Callable[[dict[str, object] | None], None] | None = None,
) -> Iterator[Turn]:
    """Hold the warehouse's run lock for the body, waiting up to `timeout_s` for it.

    Yields a Turn; when `acquired` is false the body must not write (the caller ends the run
    as skipped). `on_wait` is called once, with the holder's description, if the lock is busy.
    """
    db.parent.mkdir(parents=True, exist_ok=True)
    # An instance per call: threads of one process exclude each other too. The kernel drops
    # the lock when its holder dies, so a crashed run leaves nothing taken.
    lock = FileLock(lock_path(db), mode=0o666)
    started = time.monotonic()
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait(read_holder(db))
        try:
            lock.acquire(
                timeout=max(0.0, timeout_s - (time.monotonic() - started)), poll_interval=_POLL_S
            )
        except Timeout:
            yield Turn(False, time.monotonic() - started, read_holder(db))
            return
    waited = time.monotonic() - started
    me = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "label": label,
        "flow_run_id": flow_run_id,
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    try:
        holder_path(db).write_text(json.dumps(me), encoding="utf-8")
        yield Turn(True, waited, None)
    finally:
        holder_path(db).unlink(missing_ok=True)
        lock.release()  # an explicit unlock: a forked worker holding the descriptor keeps nothing


# In a flow run: the lock around the whole run, and the state a skipped run ends in.


@contextmanager
def flow_turn(db: Path, *, timeout_s: float, label: str) -> Iterator[Turn]:
    """run_lock for the current flow run: it names the flow run and logs any wait."""
    from prefect import get_run_logger
    from prefect.runtime import flow_run

    logger = get_run_logger()

    def waiting(holder: dict[str, object] | None) -> None:
        message = (
            f"waiting up to {timeout_s:.0f} s (run_lock_timeout_s) for the warehouse: "
            f"{describe(holder) if holder else 'another run'} is writing it"
        )
        logger.warning(message)
        progress.notice(message)

    with run_lock(
        db, timeout_s=timeout_s, label=label, flow_run_id=flow_run.get_id(), on_wait=waiting
    ) as turn:
        if turn.acquired and turn.waited_s >= _POLL_S:
            logger.info("got the warehouse after waiting %.1f s", turn.waited_s)
            progress.notice(f"got the warehouse after waiting {turn.waited_s:.1f} s")
        yield turn


def mark_crashed_in_prefect(runs: list[dict[str, object]]) -> list[str]:
    """Runs whose process died left their flow runs Running in Prefect: set them Crashed
    (unless Prefect already closed them). Returns the flow run ids changed."""
    from uuid import UUID

    from prefect import get_run_logger
    from prefect.client.orchestration import get_client
    from prefect.states import Crashed

    logger = get_run_logger()
    changed: list[str] = []
    ids = [str(r["flow_run_id"]) for r in runs if r.get("flow_run_id")]
    if not ids:
        return changed
    with get_client(sync_client=True) as client:
        for run, flow_run_id in zip(runs, ids, strict=False):
            try:
                found = client.read_flow_run(UUID(flow_run_id))
                if found.state is not None and found.state.is_final():
                    continue
                message = (
                    f"run {run['run_id']}: its process (pid {run.get('pid')} on "
                    f"{run.get('host')}) died before the run finished"
                )
                client.set_flow_run_state(found.id, Crashed(message=message), force=True)
                changed.append(flow_run_id)
            except Exception as exc:  # an unknown id (another server): the warehouse says it
                logger.warning("flow run %s not marked crashed: %s", flow_run_id, exc)
    return changed


def skipped_state(turn: Turn, db: Path, result: dict[str, object]) -> object:
    """A Completed state named Skipped: visible as such in the UI, not a failure (no alert,
    the run that holds the warehouse is untouched), with the reason as its message."""
    from prefect import get_run_logger
    from prefect.states import Completed

    message = turn.skip_message(db)
    get_run_logger().warning(message)
    return Completed(name="Skipped", message=message, data={**result, "error": message})
