"""Sources that went quiet or keep failing (warehouse/queries/quiet_sources.sql), and the
alerts already sent about them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from newsdesk.core.config import Settings
from newsdesk.core.contracts.frames import SOURCE_ALERT_SCHEMA
from warehouse.connection import READ_TIMEOUT_S, WRITE_TIMEOUT_S, open_write
from warehouse.read import query
from warehouse.sql import query_sql


@dataclass(frozen=True)
class QuietRule:
    """[quiet] in newsdesk.toml."""

    share: float  # quiet below this share of its own median articles per day
    baseline_days: int  # the median is taken over this many full days …
    min_days: int  # … before the last `min_days` full days, each of which must be below it
    failed_fetch_hours: float  # failing: every fetch failed for this long
    realert_hours: float  # the same source and kind is not alerted again within this


def source_activity(
    db_path: Path | str, rule: QuietRule, now: datetime, *, timeout_s: float = READ_TIMEOUT_S
) -> pl.DataFrame:
    """Every registry source: baseline_per_day, recent_per_day (list), quiet, failing,
    failed_fetches, failing_since, failure_reasons, last_fetch_ok."""
    return query(
        db_path,
        query_sql("quiet_sources"),
        {
            "now": now,
            "share": rule.share,
            "baseline_days": rule.baseline_days,
            "min_days": rule.min_days,
            "fetch_hours": rule.failed_fetch_hours,
        },
        timeout_s=timeout_s,
    )


def alerted_since(
    db_path: Path | str, since: datetime, *, timeout_s: float = READ_TIMEOUT_S
) -> set[tuple[str, str]]:
    """(source, kind) pairs alerted at or after `since`."""
    frame = query(
        db_path,
        "SELECT DISTINCT source_id, kind FROM source_alerts WHERE alerted_at >= $since",
        {"since": since},
        timeout_s=timeout_s,
    )
    return {(s, k) for s, k in frame.iter_rows()}


def record_source_alerts(
    db_path: Path | str,
    alerts: pl.DataFrame,
    *,
    run_id: str,
    at: datetime,
    sent_through: str | None,
    timeout_s: float = WRITE_TIMEOUT_S,
) -> int:
    """Remember the alerts (SOURCE_ALERT_SCHEMA rows) that went out."""
    if alerts.is_empty():
        return 0
    table = alerts.select(SOURCE_ALERT_SCHEMA.names()).cast(dict(SOURCE_ALERT_SCHEMA)).to_arrow()
    with open_write(db_path, timeout_s) as con:
        con.register("alerts", table)
        con.execute(
            """
            INSERT INTO source_alerts (alerted_at, run_id, source_id, kind, detail, sent_through)
            SELECT $at, $run, source_id, kind, detail, $block FROM alerts
            """,
            {"at": at, "run": run_id, "block": sent_through},
        )
    return alerts.height


def quiet_rule(settings: Settings) -> QuietRule:
    """The rule as [quiet] in newsdesk.toml sets it."""
    return QuietRule(
        share=settings.quiet_share,
        baseline_days=settings.quiet_baseline_days,
        min_days=settings.quiet_min_days,
        failed_fetch_hours=settings.quiet_failed_fetch_hours,
        realert_hours=settings.quiet_realert_hours,
    )


def _when(value: datetime | None) -> str:
    return "never" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def findings(activity: pl.DataFrame, rule: QuietRule) -> pl.DataFrame:
    """One row per source and problem (SOURCE_ALERT_SCHEMA), the detail in words."""
    rows: list[dict[str, Any]] = []
    for row in activity.iter_rows(named=True):
        if row["quiet"]:
            recent = ", ".join(str(n) for n in row["recent_per_day"])
            rows.append(
                {
                    "source_id": row["source_id"],
                    "kind": "quiet",
                    "detail": f"articles per day over the last {rule.min_days} days: {recent}; "
                    f"its {rule.baseline_days}-day median before them: "
                    f"{row['baseline_per_day']:g} (alert below {rule.share:.0%})",
                }
            )
        if row["failing"]:
            rows.append(
                {
                    "source_id": row["source_id"],
                    "kind": "failing",
                    "detail": f"all {row['failed_fetches']} fetches failed since "
                    f"{_when(row['failing_since'])} ({row['failure_reasons']}); last fetch "
                    f"that worked: {_when(row['last_fetch_ok'])}",
                }
            )
    return pl.DataFrame(rows, schema=SOURCE_ALERT_SCHEMA)


def realert_cutoff(rule: QuietRule, now: datetime) -> datetime:
    return now - timedelta(hours=rule.realert_hours)
