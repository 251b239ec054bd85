"""After a scheduled ingest: sources that went quiet or keep failing raise an alert through
the same notification block as failed runs ([alerts] block), once per source and kind within
[quiet] realert_hours, and the run shows them as an artifact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl
from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows.alerts import Alert, send
from newsdesk.core.config import Settings
from warehouse.quiet import (
    alerted_since,
    findings,
    quiet_rule,
    realert_cutoff,
    record_source_alerts,
    source_activity,
)


def compose_source_alert(new: pl.DataFrame, run_id: str, db: str) -> Alert:
    names = ", ".join(f"{s} {k}" for s, k in new.select("source_id", "kind").iter_rows())
    count = new["source_id"].n_unique()
    verb = "sources need" if count > 1 else "source needs"
    subject = f"newsdesk: {count} {verb} attention: {names}"
    lines = [f"{s} ({k}): {d}" for s, k, d in new.iter_rows()]
    lines += [f"warehouse run: {run_id} ({db})", "see: newsdesk status"]
    return Alert(subject, "\n".join(lines))


@dataclass(frozen=True)
class Watched:
    found: pl.DataFrame  # every current problem (SOURCE_ALERT_SCHEMA)
    alerted: pl.DataFrame  # the ones alerted now (not alerted within realert_hours)
    sent: bool  # went out through the block


@task(name="watch-sources", cache_policy=NO_CACHE)
def watch_sources_task(settings: Settings, run_id: str, now: datetime) -> Watched:
    rule = quiet_rule(settings)
    timeout_s = settings.read_lock_timeout_s
    found = findings(source_activity(settings.db, rule, now, timeout_s=timeout_s), rule)
    done = alerted_since(settings.db, realert_cutoff(rule, now), timeout_s=timeout_s)
    earlier = pl.DataFrame(
        sorted(done), schema={"source_id": pl.String, "kind": pl.String}, orient="row"
    )
    fresh = found.join(earlier, on=["source_id", "kind"], how="anti", maintain_order="left")
    sent = False
    if not fresh.is_empty():
        sent = send(settings, compose_source_alert(fresh, run_id, str(settings.db)))
        record_source_alerts(
            settings.db,
            fresh,
            run_id=run_id,
            at=now,
            sent_through=settings.alerts_block if sent else None,
            timeout_s=settings.write_lock_timeout_s,
        )
    publish_sources_artifact(found, fresh, run_id)
    return Watched(found, fresh, sent)


def publish_sources_artifact(found: pl.DataFrame, fresh: pl.DataFrame, run_id: str) -> None:
    alerted = set(fresh.select("source_id", "kind").iter_rows())
    rows = "\n".join(
        f"| {s} | {k} | {d} | {'yes' if (s, k) in alerted else 'earlier'} |"
        for s, k, d in found.iter_rows()
    )
    create_markdown_artifact(
        key="newsdesk-run-sources",
        markdown=(
            f"## Sources that need attention after run `{run_id}`\n\n"
            + (
                f"| source | problem | detail | alerted |\n|---|---|---|---|\n{rows}\n"
                if rows
                else "None: every registry source publishes at its usual rate and fetches.\n"
            )
            + "\nSee `newsdesk status`."
        ),
        description="Registry sources that went quiet or whose fetches all fail ([quiet])",
    )
