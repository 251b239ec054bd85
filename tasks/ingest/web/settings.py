"""Every knob of a crawl in one frozen object; the lead fills it from the settings file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

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


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = "newsdesk/0.1 (+https://example.invalid/newsdesk)"
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 20.0  # longest silence between two received chunks
    deadline_s: float = 60.0  # whole request, headers and body: a trickling server ends here
    max_bytes: int = 10_000_000  # page body after decompression
    max_xml_bytes: int = 50_000_000  # feeds and sitemaps (the sitemap protocol's own limit)
    max_redirects: int = 5
    per_host_delay_s: float = 1.0  # between two request starts on one host
    per_host_concurrency: int = 2
    total_concurrency: int = 32
    retries: int = 2  # extra attempts after a transient failure
    backoff_base_s: float = 1.0  # attempt n waits base * 2**n, with full jitter
    max_wait_s: float = 120.0  # the longest Retry-After or robots Crawl-delay we accept
    max_sitemap_depth: int = 3  # index → index → urlset nesting
    allow: tuple[str, ...] = ()  # hosts, addresses or networks exempt from the address guard
    page_types: tuple[str, ...] = PAGE_TYPES
    xml_types: tuple[str, ...] = XML_TYPES
    refetch_seen: bool = False  # re-request remembered links that carry no newer date

    def with_env(self, environ: Mapping[str, str]) -> FetchSettings:
        """These settings plus the allow-list entries of NEWSDESK_FETCH_ALLOW (comma-separated)."""
        extra = tuple(e.strip() for e in environ.get(ALLOW_ENV, "").split(",") if e.strip())
        return replace(self, allow=(*self.allow, *extra)) if extra else self
