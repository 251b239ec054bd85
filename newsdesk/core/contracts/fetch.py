"""What a crawl remembers between runs (seen_urls) and what it did (fetch_log), in memory.
warehouse/fetch_state.py loads it from and saves it to DuckDB."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from newsdesk.core.hygiene import strip_credentials


@dataclass(frozen=True)
class Seen:
    canonical_url: str
    last_fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    doc_id: str | None = None  # sha256 of the content last fetched
    status: int | None = None
    final_url: str | None = None


@dataclass(frozen=True)
class LogEntry:
    run_id: str
    url: str
    status: int | None  # None: no HTTP answer at all
    reason: str | None  # a Reason value when the fetch failed
    bytes: int
    elapsed_ms: float
    fetched_at: datetime
    final_url: str | None
    headers: dict[str, str] = field(default_factory=dict)


class FetchState:
    """Remembered pages plus this run's changes and log; only the crawl thread writes it
    while a collect() runs."""

    def __init__(
        self,
        seen: Iterable[Seen] = (),
        *,
        remembered: Callable[[str], Seen | None] | None = None,
    ) -> None:
        # `remembered` looks a URL up in what earlier runs kept (warehouse.fetch_state), so
        # that a run holds only the pages it fetched itself (at most a run's page cap).
        self._seen = {item.canonical_url: item for item in seen}
        self._remembered = remembered
        self._changed: dict[str, Seen] = {}
        self._log: list[LogEntry] = []

    def get(self, canonical_url: str) -> Seen | None:
        found = self._seen.get(canonical_url)
        if found is None and self._remembered is not None:
            found = self._remembered(canonical_url)
        return found

    def remember(self, item: Seen) -> None:
        if item.final_url:  # a redirect may lead to a URL with credentials in it
            item = replace(item, final_url=strip_credentials(item.final_url))
        self._seen[item.canonical_url] = item
        self._changed[item.canonical_url] = item

    def log(self, entry: LogEntry) -> None:
        self._log.append(
            replace(
                entry,
                url=strip_credentials(entry.url),
                final_url=entry.final_url and strip_credentials(entry.final_url),
            )
        )

    def changes(self) -> list[Seen]:
        return list(self._changed.values())

    def log_entries(self) -> list[LogEntry]:
        return list(self._log)

    def clear_changes(self) -> None:
        """After the changes are saved: the next save writes only what is new."""
        self._changed.clear()
        self._log.clear()
