"""When a gate's share of rejected documents is too high for the run to go on."""

from __future__ import annotations

from flows.summary import RunSummary
from newsdesk.core.config import Settings
from newsdesk.core.contracts.run import Stage


class GateThresholdExceeded(RuntimeError):
    """A gate rejected more of the run than its threshold allows: terminal, not retried."""


class AccountingMismatch(RuntimeError):
    """Documents went missing or were counted twice between ingest and load: terminal."""


def stop_if_over_threshold(summary: RunSummary, settings: Settings, *, min_rows: int) -> None:
    """Rates are over the whole run so far, not one batch: a batch of three pages says little.
    During the run a gate must have seen `min_rows` documents before it can stop it; at the
    end of the run every gate counts."""
    for stage in Stage:
        evaluated, rate = summary.rejection_rate(stage)
        threshold = settings.threshold(stage)
        if evaluated >= max(1, min_rows) and rate > threshold:
            reasons = ", ".join(
                f"{reason} {n}" for (s, reason), n in sorted(summary.reasons.items()) if s == stage
            )
            raise GateThresholdExceeded(
                f"the {stage} gate rejected {rate:.0%} of {evaluated} documents "
                f"(threshold {threshold:.0%}; {reasons}); what passed is loaded, the rest "
                f"is in quarantine: `newsdesk quarantine` shows why; [gates] {stage}_threshold "
                "in newsdesk.toml sets the share a run tolerates"
            )
