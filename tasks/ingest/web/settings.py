"""Every knob of a crawl in one frozen object, derived from the settings ([fetch])."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from newsdesk.core.config import Settings, defaults

ALLOW_ENV = "NEWSDESK_FETCH_ALLOW"

PAGE_TYPES = ("text/html", "application/xhtml+xml")
# Feeds and sitemaps are served under many labels (text/html included, sadly); the body is
# parsed safely whatever it claims to be, so only clearly binary or media types are refused.
XML_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "text/html",
    "text/plain",
    "application/gzip",
    "application/x-gzip",
    "application/octet-stream",
)


# The knobs a user sets ([fetch], [pipeline] max_bytes) default to the shipped settings.
_SHIPPED = defaults()


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = _SHIPPED.fetch.user_agent
    connect_timeout_s: float = _SHIPPED.fetch.connect_timeout_s
    read_timeout_s: float = _SHIPPED.fetch.read_timeout_s  # longest silence between chunks
    deadline_s: float = _SHIPPED.fetch.deadline_s  # whole request: a trickling server ends here
    max_bytes: int = _SHIPPED.pipeline.max_bytes  # page body after decompression
    max_xml_bytes: int = 50_000_000  # feeds and sitemaps (the sitemap protocol's own limit)
    max_redirects: int = 5
    per_host_delay_s: float = _SHIPPED.fetch.per_host_delay_s  # between two starts on a host
    per_host_concurrency: int = _SHIPPED.fetch.per_host_concurrency
    total_concurrency: int = _SHIPPED.fetch.total_concurrency
    retries: int = _SHIPPED.fetch.retries  # extra attempts after a transient failure
    backoff_base_s: float = 1.0  # attempt n waits base * 2**n, with full jitter
    max_wait_s: float = 120.0  # the longest Retry-After or robots Crawl-delay we accept
    max_sitemap_depth: int = 3  # index → index → urlset nesting
    max_feed_items: int = 1_000  # links taken from one feed
    max_sitemap_urls: int = 50_000  # links taken from one sitemap (the protocol's own limit)
    max_pages: int = 10_000  # pages one run fetches; the rest wait for a later run
    allow: tuple[str, ...] = ()  # hosts, addresses or networks exempt from the address guard
    page_types: tuple[str, ...] = PAGE_TYPES
    xml_types: tuple[str, ...] = XML_TYPES
    refetch_seen: bool = False  # re-request remembered links that carry no newer date

    @classmethod
    def of(cls, settings: Settings) -> FetchSettings:
        """The crawl's settings from the run's: [fetch] and [pipeline] max_bytes."""
        return cls(**settings.fetch.model_dump(), max_bytes=settings.pipeline.max_bytes)

    def with_env(self, environ: Mapping[str, str]) -> FetchSettings:
        """These settings plus the allow-list entries of NEWSDESK_FETCH_ALLOW (comma-separated)."""
        extra = tuple(e.strip() for e in environ.get(ALLOW_ENV, "").split(",") if e.strip())
        return replace(self, allow=(*self.allow, *extra)) if extra else self
