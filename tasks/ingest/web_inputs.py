"""What a run fetches from the web: registry sources, and URLs, feeds and sitemaps given
directly; turned into crawl targets for tasks.ingest.web.collect."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.core.config import Settings
from newsdesk.core.registry import Registry

if TYPE_CHECKING:  # the crawler (~0.5 s of imports) loads only for a run that fetches
    # Polars (~0.2 s of imports), which the CLI loads only once it has started the gate process
    from newsdesk.core.contracts.fetch import FetchState
    from tasks.ingest.records import IngestFailure, RawRecord
    from tasks.ingest.web.collect import Target
    from tasks.ingest.web.settings import FetchSettings


class UnknownSourceName(ValueError):
    """`--source NAME` names no registry entry."""


@dataclass(frozen=True)
class WebInputs:
    sources: tuple[str, ...] = ()
    all_sources: bool = False
    urls: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    url_lists: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, values: dict[str, Any] | None) -> WebInputs:
        """From the flow's JSON parameter (lists become tuples; unknown keys are an error)."""
        values = values or {}
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown web inputs {sorted(unknown)}")
        return cls(**{k: v if isinstance(v, bool) else tuple(v) for k, v in values.items()})

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def __bool__(self) -> bool:
        return bool(
            self.sources
            or self.all_sources
            or self.urls
            or self.feeds
            or self.sitemaps
            or self.url_lists
        )


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def split_paths_and_urls(values: Iterable[str]) -> tuple[list[str], list[str]]:
    """Command-line inputs: web addresses on one side, files and folders on the other."""
    values = list(values)
    return [v for v in values if not is_url(v)], [v for v in values if is_url(v)]


def plan(inputs: WebInputs, registry: Registry) -> tuple[list[Target], list[IngestFailure]]:
    """The crawl targets, and the lines of URL lists that are not URLs (failures to record)."""
    if not inputs:
        return [], []
    from tasks.ingest.web.collect import Kind, targets_for_source, targets_for_urls
    from tasks.ingest.web.urllist import read_url_list

    chosen = list(registry.sources) if inputs.all_sources else []
    for name in inputs.sources:
        source = registry.get(name)
        if source is None:
            known = ", ".join(sorted(registry.names)) or "none"
            raise UnknownSourceName(f"no source named {name!r} in the registry (known: {known})")
        if source not in chosen:
            chosen.append(source)
    listed: list[str] = []
    bad_lines: list[IngestFailure] = []
    for path in inputs.url_lists:
        for item in read_url_list(Path(path)):
            (listed if isinstance(item, str) else bad_lines).append(item)  # type: ignore[arg-type]
    return [
        *(t for source in chosen for t in targets_for_source(source)),
        *targets_for_urls([*inputs.urls, *listed], Kind.PAGE, registry),
        *targets_for_urls(inputs.feeds, Kind.FEED, registry),
        *targets_for_urls(inputs.sitemaps, Kind.SITEMAP, registry),
    ], bad_lines


def fetch_settings(settings: Settings) -> FetchSettings:
    from tasks.ingest.web.settings import FetchSettings

    return FetchSettings.of(settings)


def web_items(
    inputs: WebInputs,
    registry: Registry,
    settings: Settings,
    *,
    state: FetchState,
    run_id: str,
    now: datetime,
) -> Iterator[RawRecord | IngestFailure]:
    """The pages the crawl brings, and a failure for everything it could not."""
    from tasks.ingest.web.collect import collect

    targets, bad_lines = plan(inputs, registry)
    yield from bad_lines
    yield from collect(
        targets, settings=fetch_settings(settings), state=state, run_id=run_id, now=now
    )
