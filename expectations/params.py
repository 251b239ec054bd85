"""The values a gate's suite is built from: always passed in, never read from the environment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time
from typing import Any


@dataclass(frozen=True)
class GateParams:
    """One bag for every gate; each suite asks only for the fields it uses (`require`).

    Frozen and hashable so that a built suite can be cached per (stage, params).
    """

    max_bytes: int | None = None  # after_ingest: largest accepted document
    min_words: int | None = None  # after_clean: shortest accepted body
    # after_extract: earliest plausible published_at; a plain date means its midnight UTC
    date_min: datetime | date | None = None
    now: datetime | None = None  # after_extract: the run's clock (aware); the upper bound's anchor
    source_names: frozenset[str] | None = None  # after_extract: registry names (Registry.names)
    # after_extract: (source, page type) pairs a source loads (Registry.page_type_pairs);
    # None = the default types (article, liveblog) for every source in source_names
    page_types: frozenset[tuple[str, str]] | None = None

    def __post_init__(self) -> None:
        if self.source_names is not None and not isinstance(self.source_names, frozenset):
            names: Iterable[str] = self.source_names
            object.__setattr__(self, "source_names", frozenset(names))
        if self.page_types is not None and not isinstance(self.page_types, frozenset):
            pairs = frozenset(tuple(pair) for pair in self.page_types)
            object.__setattr__(self, "page_types", pairs)
        if isinstance(self.date_min, date) and not isinstance(self.date_min, datetime):
            object.__setattr__(self, "date_min", datetime.combine(self.date_min, time(), UTC))
        for name in ("date_min", "now"):
            value = getattr(self, name)
            # published_at is UTC-aware; comparing it with a naive bound would be a silent lie.
            if value is not None and value.tzinfo is None:
                raise ValueError(f"GateParams.{name} must be timezone-aware, got {value!r}")

    @classmethod
    def of(cls, params: GateParams | dict[str, Any]) -> GateParams:
        if isinstance(params, GateParams):
            return params
        known = {f.name for f in fields(cls)}
        unknown = set(params) - known
        if unknown:
            raise ValueError(f"unknown gate parameters {sorted(unknown)} (known: {sorted(known)})")
        return cls(**params)

    def require(self, suite: str, *names: str) -> tuple[Any, ...]:
        """The named values, or an error naming the suite and every missing parameter."""
        missing = [name for name in names if getattr(self, name) is None]
        if missing:
            raise ValueError(f"suite {suite!r} needs gate parameters {missing}")
        return tuple(getattr(self, name) for name in names)

    def for_sources(self, present: Iterable[str | None]) -> GateParams:
        """The same checks with the registry cut to the sources a batch names: a value is in
        the registry exactly when it is in the part the batch names. GX's cost per batch
        grows with the size of a value set (it copies an expectation's kwargs over and over
        while validating): with a registry of 487 sources the extract gate took 0.7 s of CPU
        a batch, with the batch's own sources a tenth of that."""
        if self.source_names is None:
            return self
        seen = set(present)
        pairs = self.page_types
        if pairs is not None:
            pairs = frozenset(pair for pair in pairs if pair[0] in seen)
        return replace(self, source_names=self.source_names & seen, page_types=pairs)
