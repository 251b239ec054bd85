"""Failed and crashed runs are sent through the notification block named in [alerts] block.

The flows carry `notify_failure` as their on_failure and on_crashed hook, so the message
goes out however the run was started (CLI, served deployment, `prefect deployment run`).
A hook cannot help when its process is killed outright; for that case a Prefect automation
on "flow run entered Crashed" with the same block is the server-side complement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prefect import Flow
from prefect.blocks.core import Block
from prefect.client.schemas.objects import FlowRun, State
from prefect.logging import get_logger
from prefect.utilities.urls import url_for

from newsdesk.core.config import Settings, load_settings

logger = get_logger("newsdesk.alerts")

# What the runs table says about the run, in the order a reader wants it.
_COUNTS = ("ingested", "loaded", "updated", "duplicates", "quarantined")


@dataclass(frozen=True)
class Alert:
    subject: str
    body: str


def compose(
    flow_name: str,
    run_name: str,
    state_name: str,
    reason: str | None,
    counts: dict[str, Any] | None,
    link: str | None,
) -> Alert:
    """The notification: which run, in what state, why, and what it had done."""
    subject = f"newsdesk: {flow_name} run {run_name} {state_name.lower()}"
    lines = [
        f"run: {flow_name} / {run_name}",
        f"state: {state_name}",
        f"reason: {reason or 'no message was recorded'}",
    ]
    if counts:
        lines.append("counts: " + ", ".join(f"{k} {counts[k]}" for k in _COUNTS if k in counts))
        if counts.get("run_id"):
            lines.append(f"warehouse run: {counts['run_id']} ({counts.get('db')})")
    if link:
        lines.append(f"details: {link}")
    return Alert(subject, "\n".join(lines))


def run_counts(settings: Settings, flow_run_id: str) -> dict[str, Any] | None:
    """The run's row in the warehouse, if it got that far (best effort: an alert about a
    broken warehouse must still go out)."""
    from warehouse.read import query
    from warehouse.sql import query_sql

    if not settings.db.exists():
        return None
    try:
        frame = query(
            settings.db,
            query_sql("run_counts"),  # run_id and the _COUNTS columns
            {"flow_run_id": flow_run_id},
            timeout_s=min(settings.read_lock_timeout_s, 10.0),
        )
    except Exception as exc:  # any warehouse error only costs the counts
        logger.warning("no counts for the alert: %s", exc)
        return None
    return {**frame.row(0, named=True), "db": str(settings.db)} if frame.height else None


def load_block(name: str) -> Block:
    """Block.load, with Prefect's webhook block type loaded first: a run imports it lazily
    (newsdesk/cli/prefect_server.py PREFECT_DEFERRED), and Block.load finds a type only once
    its module has run."""
    import prefect.blocks.webhook  # noqa: F401 (imported again: a lazy module loads)

    return Block.load(name)


def notify_failure(flow: Flow[Any, Any], flow_run: FlowRun, state: State[Any]) -> None:
    """on_failure / on_crashed hook: send the alert through the configured block, if any."""
    params = flow_run.parameters or {}
    try:
        settings = load_settings(overrides=params.get("settings_overrides"))
    except Exception as exc:  # bad settings are the failure being reported
        logger.error("alert not sent: settings could not be read: %s", exc)
        return
    if not settings.alerts_block:
        return
    alert = compose(
        flow.name,
        flow_run.name,
        state.name or state.type.value,
        state.message,
        run_counts(settings, str(flow_run.id)),
        url_for(flow_run),
    )
    send(settings, alert)


def send(settings: Settings, alert: Alert) -> bool:
    """Send through [alerts] block; False when none is configured or sending failed (logged:
    a failed alert must not hide what it was about)."""
    if not settings.alerts_block:
        return False
    try:
        block = load_block(settings.alerts_block)
        with block.raise_on_failure():
            block.notify(alert.body, alert.subject)
    except Exception as exc:
        logger.error("alert not sent through %s: %s", settings.alerts_block, exc)
        return False
    logger.info("alert sent through %s: %s", settings.alerts_block, alert.subject)
    return True


def check_block(settings: Settings) -> str | None:
    """Why the configured block cannot send (for `newsdesk serve` to warn at start)."""
    if not settings.alerts_block:
        return None
    try:
        block = load_block(settings.alerts_block)
    except Exception as exc:  # a missing block is a ValueError, a bad name others
        return (
            f"[alerts] block = {settings.alerts_block!r} cannot be loaded ({exc}); "
            "failed runs will not be notified"
        )
    if not callable(getattr(block, "notify", None)):
        return f"[alerts] block = {settings.alerts_block!r} is not a notification block"
    return None
