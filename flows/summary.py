"""What a run did, counted as it goes, for the terminal, the UI and the runs table."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from newsdesk.core.contracts.raw import Access

# The access classes, in the order reports show them.
ACCESS_CLASSES = tuple(a.value for a in Access)


# The attribute a failed run's exception carries its summary in (attach_summary).
_SUMMARY_ATTR = "newsdesk_summary"


def attach_summary(exc: BaseException, summary: dict[str, Any]) -> None:
    """A failed run's counts ride on its exception, which Prefect hands the command as the
    flow's result: the command prints what the run did (or `--json` its summary) before the
    reason, as for a run that loaded."""
    with contextlib.suppress(AttributeError, TypeError):  # a type that takes no attributes
        setattr(exc, _SUMMARY_ATTR, summary)


def attached_summary(exc: BaseException) -> dict[str, Any] | None:
    summary = getattr(exc, _SUMMARY_ATTR, None)
    return summary if isinstance(summary, dict) else None


def quarantined_documents(rejects: pl.DataFrame) -> int:
    """The inputs a batch's rejects hold back. Identical bytes under two names are two
    inputs: counted by (document, place)."""
    return 0 if rejects.is_empty() else rejects.select("doc_id", "uri").n_unique()


@dataclass
class RunSummary:
    run_id: str
    db: Path
    ingested: int = 0
    cleaned: int = 0
    extracted: int = 0
    loaded: int = 0  # new articles
    updated: int = 0  # articles whose page changed
    duplicates: int = 0
    unchanged_files: int = 0  # not read again (counted in duplicates and ingested too)
    files_read: int = 0  # local files read and put on record
    quarantined: int = 0  # documents (one document may fail several checks)
    reasons: Counter[tuple[str, str]] = field(default_factory=Counter)  # (stage, reason) → docs
    # stage → [rows evaluated, rows rejected] by its gate, over the whole run
    gate_tally: dict[str, list[int]] = field(default_factory=dict)
    # open | paywalled | blocked | js_required → pages read (tasks/ingest/access.py), with the
    # fetches refused by a bot wall (blocked before they became documents)
    access: Counter[str] = field(default_factory=Counter)
    # sources that went quiet or keep failing, when the run watched them (source, kind, detail)
    source_alerts: list[dict[str, str]] | None = None
    batches: int = 0
    status: str = "started"
    error: str | None = None

    def add_rejects(self, rejects: pl.DataFrame) -> None:
        if rejects.is_empty():
            return
        self.quarantined += quarantined_documents(rejects)
        pairs = rejects.select("doc_id", "uri", "stage", "reason").unique()
        for stage, reason in pairs.select("stage", "reason").iter_rows():
            self.reasons[(stage, reason)] += 1

    def add_access(self, raw: pl.DataFrame, unreadable: pl.DataFrame) -> None:
        for access, n in raw.drop_nulls("access").group_by("access").len().iter_rows():
            self.access[access] += n
        self.access["blocked"] += unreadable.filter(pl.col("reason") == "blocked").height

    def stage_counts(self) -> list[dict[str, Any]]:
        """Documents per stage: the rows of the run's `newsdesk-run-counts` table."""
        return [
            {"stage": "ingested", "documents": self.ingested},
            {"stage": "cleaned", "documents": self.cleaned},
            {"stage": "extracted", "documents": self.extracted},
            {"stage": "loaded (new)", "documents": self.loaded},
            {"stage": "loaded (updated)", "documents": self.updated},
            {"stage": "duplicates", "documents": self.duplicates},
            {"stage": "quarantined", "documents": self.quarantined},
        ]

    def access_counts(self) -> dict[str, int]:
        """Every class, zeros included, in a fixed order."""
        return {k: self.access.get(k, 0) for k in ACCESS_CLASSES}

    def add_gates(self, gates: Iterable[Any]) -> None:
        for gate in gates:
            tally = self.gate_tally.setdefault(gate.stage, [0, 0])
            tally[0] += gate.rows_evaluated
            tally[1] += gate.rows_failed

    def rejection_rate(self, stage: str) -> tuple[int, float]:
        evaluated, failed = self.gate_tally.get(stage, (0, 0))
        return evaluated, (failed / evaluated if evaluated else 0.0)

    def as_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "db": str(self.db),
            "ingested": self.ingested,
            "cleaned": self.cleaned,
            "extracted": self.extracted,
            "loaded": self.loaded,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "unchanged_files": self.unchanged_files,
            "files_read": self.files_read,
            "quarantined": self.quarantined,
            "quarantine_reasons": [
                {"stage": s, "reason": r, "documents": n}
                for (s, r), n in sorted(self.reasons.items())
            ],
            "access": self.access_counts(),
            "source_alerts": self.source_alerts,
            "error": self.error,
        }

    def lines(self) -> list[str]:
        out = [
            f"run {self.run_id}: {self.status}",
            f"  ingested     {self.ingested:>7}",
            f"  loaded       {self.loaded:>7} new, {self.updated} updated",
            f"  duplicates   {self.duplicates:>7} (already in the warehouse; "
            f"{self.unchanged_files} unchanged files not read again)",
            f"  quarantined  {self.quarantined:>7}",
        ]
        out += [
            f"    {stage:<8} {reason:<22} {n}"
            for (stage, reason), n in sorted(self.reasons.items())
        ]
        if any(n for k, n in self.access.items() if k != "open"):
            out.append(
                "  access       " + ", ".join(f"{k} {n}" for k, n in self.access_counts().items())
            )
        for alert in self.source_alerts or []:
            out.append(f"  source {alert['source_id']} {alert['kind']}: {alert['detail']}")
        if self.error:
            out.append(f"  error: {self.error}")
        out += [
            f"warehouse: {self.db}",
            'try: newsdesk sql "SELECT source_id, count(*) FROM articles GROUP BY 1"',
            "     newsdesk quarantine",
        ]
        return out
