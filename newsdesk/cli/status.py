"""`newsdesk status`: the last runs and the health of each source, from the warehouse alone
(no Prefect server needed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from flows.run_lock import is_held
from warehouse.quiet import QuietRule, source_activity
from warehouse.read import query
from warehouse.sql import query_sql


@dataclass(frozen=True)
class Status:
    db: Path
    runs: pl.DataFrame  # newest first
    reasons: pl.DataFrame  # run_id, stage, reason, rows
    sources: pl.DataFrame

    def as_dict(self) -> dict[str, Any]:
        reasons = self.reasons.group_by("run_id", maintain_order=True).agg(
            pl.struct("stage", "reason", "rows").alias("gate_failures")
        )
        runs = self.runs.join(reasons, on="run_id", how="left")
        return {"db": str(self.db), "runs": runs.to_dicts(), "sources": self.sources.to_dicts()}


def read_status(
    db: Path,
    *,
    runs: int = 10,
    timeout_s: float = 60.0,
    rule: QuietRule | None = None,
    now: datetime | None = None,
) -> Status:
    """The last `runs` runs, their gate failures by reason, and every source's health; with
    a [quiet] `rule`, also whether each registry source went quiet or keeps failing (as of
    `now`, default the clock): the `attention` column, in words."""
    last = query(db, query_sql("status_runs"), {"limit": runs}, timeout_s=timeout_s)
    if not is_held(db):
        # No live process holds the run lock, so a run still `started` lost its process;
        # the next run records it so (close_crashed_runs), this shows it already.
        last = last.with_columns(
            status=pl.when(pl.col("status") == "started")
            .then(pl.lit("crashed"))
            .otherwise(pl.col("status"))
        )
    reasons = query(
        db, query_sql("status_reasons"), {"runs": last["run_id"].to_list()}, timeout_s=timeout_s
    )
    sources = query(db, query_sql("status_sources"), timeout_s=timeout_s)
    if rule is not None:
        activity = source_activity(db, rule, now or datetime.now(UTC), timeout_s=timeout_s)
        attention = pl.DataFrame(
            [(row["source_id"], _attention(row)) for row in activity.iter_rows(named=True)],
            schema={"source_id": pl.String, "attention": pl.String},
            orient="row",
        )
        sources = sources.join(attention, on="source_id", how="left")
    return Status(db, last, reasons, sources)


def _attention(row: dict[str, Any]) -> str | None:
    """A source's problems in a few words (the alert has the long form)."""
    said = []
    if row["quiet"]:
        recent = ", ".join(str(n) for n in row["recent_per_day"])
        said.append(f"quiet: {recent} a day, median {row['baseline_per_day']:g}")
    if row["failing"]:
        said.append(f"failing since {_when(row['failing_since'])} ({row['failure_reasons']})")
    return "; ".join(said) or None


def _when(value: Any) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M")


def _reasons_text(reasons: pl.DataFrame, run_id: str) -> str:
    mine = reasons.filter(pl.col("run_id") == run_id)
    return "\n".join(f"{s}/{r} {n}" for _, s, r, n in mine.iter_rows()) or "-"


def render(status: Status) -> None:
    """Two tables on the terminal: runs, then sources (times in UTC)."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(120, Console().width))
    runs = Table(title=f"Last runs ({status.db})", title_justify="left")
    for name in ("run", "cmd", "state", "started (UTC)", "took", "in", "loaded", "dup", "quar"):
        numeric = name in {"took", "in", "loaded", "dup", "quar"}
        runs.add_column(name, no_wrap=True, justify="right" if numeric else "left")
    runs.add_column("quarantine reasons (gates)", overflow="fold")
    errors = []
    for row in status.runs.iter_rows(named=True):
        took = "-" if row["duration_s"] is None else f"{row['duration_s']:.1f} s"
        loaded = f"{row['loaded']}+{row['updated']} upd" if row["updated"] else str(row["loaded"])
        runs.add_row(
            row["run_id"],
            row["command"],
            row["status"],
            _when(row["started_at"]),
            took,
            str(row["ingested"]),
            loaded,
            str(row["duplicates"]),
            str(row["quarantined"]),
            _reasons_text(status.reasons, row["run_id"]),
        )
        if row["error"]:
            errors.append(f"  {row['run_id']}: {row['error']}")
    console.print(runs if status.runs.height else "no runs yet")
    for line in errors:
        console.print(line, highlight=False, soft_wrap=True)

    sources = Table(title="Sources", title_justify="left")
    for name in (
        "source",
        "articles",
        "per day (7 d)",
        "last loaded",
        "last fetch ok",
        "quarantined",
        "quarantine rate",
    ):
        sources.add_column(name, justify="left" if name == "source" else "right")
    for row in status.sources.iter_rows(named=True):
        rate = row["quarantine_rate"]
        name = row["source_id"] + ("" if row["in_registry"] else " (removed)")
        sources.add_row(
            name,
            str(row["articles"]),
            f"{row['articles_per_day_7d']:.2f}",
            _when(row["last_loaded_at"]),
            _when(row["last_fetch_ok"]),
            str(row["quarantined_docs"]),
            "-" if rate is None else f"{rate:.0%}",
        )
    console.print(sources if status.sources.height else "no sources synced yet")
    if "attention" in status.sources.columns:
        # Below the table, whole: [quiet] findings are sentences, not cells.
        for name, said in status.sources.select("source_id", "attention").drop_nulls().rows():
            console.print(f"  attention: {name}: {said}", highlight=False, markup=False)
