"""What each gate's suite is checked against: limits from the settings, the registry, now."""

from __future__ import annotations

from datetime import UTC, datetime, time

from expectations.params import GateParams
from newsdesk.core.config import Settings
from newsdesk.core.contracts.run import Stage
from newsdesk.core.registry import Registry


def gate_params(stage: str, settings: Settings, registry: Registry, now: datetime) -> GateParams:
    if stage == Stage.INGEST:
        return GateParams(max_bytes=settings.max_bytes)
    if stage == Stage.CLEAN:
        return GateParams(min_words=settings.min_words)
    if stage == Stage.EXTRACT:
        return GateParams(
            source_names=registry.names,
            page_types=registry.page_type_pairs(),
            date_min=datetime.combine(settings.date_min, time(), tzinfo=UTC),
            now=now,
        )
    return GateParams()
