"""Crawls over feeds, sitemaps and pages on several local hosts: what is collected, with
which hints; what a second run fetches (nothing new); how hosts are treated (delays)."""

from __future__ import annotations

import gzip
import threading
from datetime import UTC, datetime

from newsdesk.core.contracts.fetch import FetchState
from newsdesk.core.registry import Source
from tasks.ingest.records import IngestFailure, RawRecord
from tasks.ingest.web.collect import CrawlStats, Kind, Target, collect, targets_for_source
from tasks.ingest.web.settings import FetchSettings
from tests.httpserver import Reply, Site

RUN1 = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
RUN2 = datetime(2025, 6, 10, 13, 0, tzinfo=UTC)


def _rss(site: Site, items: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{path}</title><link>{site.url(path)}</link><pubDate>{date}</pubDate></item>"
        for path, date in items
    )
    return f'<rss version="2.0"><channel><title>t</title>{body}</channel></rss>'.encode()


def _feed_route(site: Site, path: str, state: dict) -> None:
    """A feed whose body (state['body']) may change between runs, with ETag support."""

    def answer(request) -> Reply:
        tag = f'"{hash(state["body"]) & 0xFFFF:x}"'
        if request.headers.get("if-none-match") == tag:
            return Reply(304, b"", {"ETag": tag})
        return Reply(200, state["body"], {"Content-Type": "application/rss+xml", "ETag": tag})

    site.add(path, answer)


def _urlset(site: Site, paths: list[str], lastmod: str) -> bytes:
    urls = "".join(
        f"<url><loc>{site.url(p)}</loc><lastmod>{lastmod}</lastmod></url>" for p in paths
    )
    return (f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>').encode()


def _crawl(
    targets: list[Target], settings: FetchSettings, state: FetchState, now: datetime
) -> tuple[list[RawRecord], list[IngestFailure], CrawlStats]:
    seen: list[CrawlStats] = []
    items = list(
        collect(
            targets,
            settings=settings,
            state=state,
            run_id=now.isoformat(),
            now=now,
            progress=seen.append,
        )
    )
    records = [i for i in items if isinstance(i, RawRecord)]
    failures = [i for i in items if isinstance(i, IngestFailure)]
    return records, failures, seen[-1]


def test_feeds_and_sitemaps_then_an_incremental_run(sites, settings):
    feed_host: Site = sites()
    map_host: Site = sites()
    feed_host.add("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /private/\n"))
    feed: dict = {
        "body": _rss(
            feed_host,
            [
                ("/news/1?utm_source=rss", "Tue, 10 Jun 2025 08:00:00 GMT"),
                ("/news/2", "Tue, 10 Jun 2025 09:00:00 GMT"),
                ("/private/3", "Tue, 10 Jun 2025 09:00:00 GMT"),
                ("/video/4", "Tue, 10 Jun 2025 09:00:00 GMT"),
            ],
        )
    }
    _feed_route(feed_host, "/feed.xml", feed)
    for path in ("/news/1", "/news/2", "/news/5", "/private/3", "/video/4"):
        feed_host.page(path, f"story {path}")
    index = (
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{map_host.url('/s1.xml.gz')}</loc><lastmod>2025-06-09</lastmod>"
        f"</sitemap><sitemap><loc>{map_host.url('/s2.xml')}</loc></sitemap>"
        f"</sitemapindex>"
    ).encode()
    map_host.add("/sitemap.xml", Reply(200, index, {"Content-Type": "application/xml"}))
    map_host.add(
        "/s1.xml.gz",
        Reply(
            200,
            gzip.compress(_urlset(map_host, ["/m/1", "/m/2"], "2025-06-09")),
            {"Content-Type": "application/gzip"},
        ),
    )
    map_host.add(
        "/s2.xml",
        Reply(
            200,
            _urlset(map_host, ["/m/3", "/m/404"], "2025-06-09"),
            {"Content-Type": "application/xml"},
        ),
    )
    for path in ("/m/1", "/m/2", "/m/3"):
        map_host.page(path, f"mapped {path}", etag=False)

    source = Source(
        name="Example News",
        domains=("127.0.0.1",),
        timezone="UTC",
        feeds=(feed_host.url("/feed.xml"),),
        sitemaps=(map_host.url("/sitemap.xml"),),
        exclude=(r"/video/",),
    )
    targets = [*targets_for_source(source), Target(feed_host.url("/news/2"))]
    state = FetchState()

    records, failures, stats = _crawl(targets, settings, state, RUN1)

    by_url = {r.url: r for r in records}
    assert sorted(by_url) == sorted(
        [
            feed_host.url("/news/1?utm_source=rss"),
            feed_host.url("/news/2"),
            map_host.url("/m/1"),
            map_host.url("/m/2"),
            map_host.url("/m/3"),
        ]
    )
    story = by_url[feed_host.url("/news/1?utm_source=rss")]
    assert story.source_hint == "Example News"
    assert story.title_hint == "/news/1?utm_source=rss"
    assert story.published_hint == "Tue, 10 Jun 2025 08:00:00 GMT"
    assert story.media_type_hint == "text/html" and story.charset_hint == "utf-8"
    assert b"story /news/1" in story.content
    assert sorted((f.uri, str(f.reason)) for f in failures) == sorted(
        [
            (feed_host.url("/private/3"), "robots_disallowed"),
            (map_host.url("/m/404"), "http_status"),
        ]
    )
    assert "source Example News" in failures[0].observed
    assert stats.filtered == 1  # /video/4
    assert feed_host.paths().count("/news/2") == 1  # from the feed and asked for: once
    assert "/video/4" not in feed_host.paths()
    logged = {entry.url: entry for entry in state.log_entries()}
    assert logged[map_host.url("/m/404")].reason == "http_status"
    assert logged[map_host.url("/m/1")].status == 200

    # Second run, an hour later: the feed gained one item, the sitemaps did not change.
    feed["body"] = _rss(
        feed_host,
        [
            ("/news/5", "Tue, 10 Jun 2025 12:30:00 GMT"),
            ("/news/1?utm_source=rss", "Tue, 10 Jun 2025 08:00:00 GMT"),
            ("/news/2", "Tue, 10 Jun 2025 09:00:00 GMT"),
        ],
    )
    before = {id(site): len(site.hits) for site in (feed_host, map_host)}
    records, failures, stats = _crawl(targets, settings, state, RUN2)

    assert [r.url for r in records] == [feed_host.url("/news/5")]
    assert [(f.uri, str(f.reason)) for f in failures] == [(map_host.url("/m/404"), "http_status")]
    new_feed_hits = feed_host.paths()[before[id(feed_host)] :]
    new_map_hits = map_host.paths()[before[id(map_host)] :]
    # The feed changed and the asked-for page came back 304; old entries were not asked for.
    assert sorted(new_feed_hits) == ["/feed.xml", "/news/2", "/news/5", "/robots.txt"]
    # s1 is dated before the last fetch: skipped. The index and the undated s2 are read
    # again (same bytes); their remembered pages are not asked for, the missing one is.
    assert sorted(new_map_hits) == ["/m/404", "/robots.txt", "/s2.xml", "/sitemap.xml"]
    assert stats.not_modified == 1 and stats.unchanged == 2
    assert state.get(f"http://127.0.0.1:{feed_host.port}/news/1").last_fetched_at == RUN1


def test_an_unchanged_page_without_validators_adds_nothing(sites, settings):
    site: Site = sites()
    site.page("/plain", "same", etag=False)
    state = FetchState()
    first, _, _ = _crawl([Target(site.url("/plain"))], settings, state, RUN1)
    second, failures, stats = _crawl([Target(site.url("/plain"))], settings, state, RUN2)
    assert len(first) == 1 and second == [] and failures == []
    assert stats.unchanged == 1
    assert site.paths().count("/plain") == 2


def test_per_host_delay_spaces_requests_but_hosts_run_side_by_side(sites, settings):
    hosts: list[Site] = [sites() for _ in range(3)]
    targets = []
    for host in hosts:
        for n in range(4):
            host.page(f"/p/{n}", f"page {n}")
            targets.append(Target(host.url(f"/p/{n}")))
    polite = FetchSettings(
        **{**settings.__dict__, "per_host_delay_s": 0.2, "per_host_concurrency": 1}
    )
    records, failures, _ = _crawl(targets, polite, FetchState(), RUN1)
    assert len(records) == 12 and failures == []
    for host in hosts:
        # Page requests only (robots.txt paid for the connection setup), and their whole
        # span: single gaps, seen from the server, jitter on a busy machine.
        starts = sorted(hit.at for hit in host.hits if hit.path.startswith("/p/"))
        assert starts[-1] - starts[0] >= 3 * 0.2 * 0.85, starts
    # Side by side: the three hosts' first page requests overlap in time.
    firsts = [min(hit.at for hit in host.hits if hit.path.startswith("/p/")) for host in hosts]
    assert max(firsts) - min(firsts) < 0.2


def test_robots_crawl_delay_slows_one_host(sites, settings):
    site: Site = sites()
    site.add("/robots.txt", Reply(200, b"User-agent: newsdesk\nCrawl-delay: 0.3\n"))
    for n in range(3):
        site.page(f"/p/{n}", "x")
    records, _, _ = _crawl(
        [Target(site.url(f"/p/{n}")) for n in range(3)], settings, FetchState(), RUN1
    )
    assert len(records) == 3
    starts = sorted(hit.at for hit in site.hits if hit.path.startswith("/p/"))
    assert starts[2] - starts[0] >= 0.55


def test_stopping_early_ends_the_crawl(sites, settings):
    site: Site = sites()
    for n in range(30):
        site.page(f"/p/{n}", "x")
    items = collect(
        [Target(site.url(f"/p/{n}")) for n in range(30)],
        settings=settings,
        state=FetchState(),
        run_id="r",
        now=RUN1,
    )
    first = next(items)
    items.close()  # joins the crawl thread
    assert isinstance(first, RawRecord)
    assert not [t for t in threading.enumerate() if t.name == "newsdesk-fetch-r"]


def test_a_direct_feed_url(sites, settings):
    site: Site = sites()
    state: dict = {"body": _rss(site, [("/a", "Tue, 10 Jun 2025 08:00:00 GMT")])}
    _feed_route(site, "/rss", state)
    site.page("/a", "a")
    records, failures, _ = _crawl(
        [Target(site.url("/rss"), Kind.FEED)], settings, FetchState(), RUN1
    )
    assert [r.url for r in records] == [site.url("/a")] and failures == []
    assert records[0].source_hint is None


def test_a_page_address_that_serves_a_feed_or_a_sitemap_is_read_as_one(sites, settings):
    """`newsdesk run URL` with the URL of a feed or a sitemap: the links are followed (it was
    quarantined as unsupported_type), whatever type the server names; a page stays a page."""
    site: Site = sites()
    feed = {"body": _rss(site, [("/news/1", "Tue, 10 Jun 2025 08:00:00 GMT")])}
    _feed_route(site, "/feed", feed)
    site.add(
        "/map",  # served as text/xml under an address with no hint of a sitemap
        Reply(200, _urlset(site, ["/m/1"], "2025-06-09"), {"Content-Type": "text/xml"}),
    )
    for path in ("/news/1", "/m/1", "/plain"):
        site.page(path, f"story {path}")
    targets = [Target(site.url(p)) for p in ("/feed", "/map", "/plain")]

    records, failures, _ = _crawl(targets, settings, FetchState(), RUN1)

    assert failures == []
    assert sorted(r.url for r in records) == sorted(
        site.url(p) for p in ("/news/1", "/m/1", "/plain")
    )
    assert {r.url: r.title_hint for r in records}[site.url("/news/1")] == "/news/1"
