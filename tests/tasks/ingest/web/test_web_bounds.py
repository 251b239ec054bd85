"""A crawl has bounds: links per feed and per sitemap, sitemap nesting, pages per run, time
per request (all attempts together), and the ports the allow-list opens. What a bound leaves
out gets a row with its reason; a real server on 127.0.0.1 plays every part."""

from __future__ import annotations

import contextlib
import socket
import time
from dataclasses import replace
from datetime import UTC, datetime

from newsdesk.core.contracts.fetch import FetchState
from tasks.ingest.records import IngestFailure, RawRecord
from tasks.ingest.web.collect import Kind, Target, collect
from tasks.ingest.web.settings import FetchSettings
from tests.httpserver import Reply, Site, stall

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _crawl(targets: list[Target], settings: FetchSettings) -> list[RawRecord | IngestFailure]:
    return list(collect(targets, settings=settings, state=FetchState(), run_id="r", now=NOW))


def _feed(site: Site, path: str, links: list[str]) -> None:
    items = "".join(f"<item><title>t</title><link>{site.url(link)}</link></item>" for link in links)
    body = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}</channel></rss>'
    )
    site.add(path, Reply(200, body.encode(), {"Content-Type": "application/rss+xml"}))


def _sitemap(site: Site, path: str, links: list[str], *, index: bool = False) -> None:
    tag, root = ("sitemap", "sitemapindex") if index else ("url", "urlset")
    entries = "".join(f"<{tag}><loc>{site.url(link)}</loc></{tag}>" for link in links)
    body = f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</{root}>'
    site.add(path, Reply(200, body.encode(), {"Content-Type": "application/xml"}))


def _pages(site: Site, count: int, prefix: str) -> list[str]:
    paths = [f"/{prefix}/{n}" for n in range(count)]
    for path in paths:
        site.page(path, path)
    return paths


def test_the_defaults_are_the_documented_caps() -> None:
    default = FetchSettings()
    assert (default.max_feed_items, default.max_sitemap_urls) == (1_000, 50_000)
    assert default.max_sitemap_depth == 3 and default.max_pages == 10_000


def test_a_feed_and_a_sitemap_are_cut_at_their_caps_with_a_row_each(sites, settings):
    site: Site = sites()
    _feed(site, "/feed.xml", _pages(site, 12, "f"))
    _sitemap(site, "/map.xml", _pages(site, 9, "s"))
    capped = replace(settings, max_feed_items=5, max_sitemap_urls=4)

    items = _crawl(
        [Target(site.url("/feed.xml"), Kind.FEED), Target(site.url("/map.xml"), Kind.SITEMAP)],
        capped,
    )

    pages = [i for i in items if isinstance(i, RawRecord)]
    over = {i.uri: i.observed for i in items if isinstance(i, IngestFailure)}
    assert sorted(p.uri for p in pages) == sorted(
        [site.url(f"/f/{n}") for n in range(5)] + [site.url(f"/s/{n}") for n in range(4)]
    )
    assert set(over) == {site.url("/feed.xml"), site.url("/map.xml")}
    assert (
        "12 links listed, the first 5 taken ([fetch] max_feed_items); 7 left out"
        in (over[site.url("/feed.xml")])
    )
    assert (
        "9 links listed, the first 4 taken ([fetch] max_sitemap_urls); 5 left out"
        in (over[site.url("/map.xml")])
    )
    assert all(i.reason == "over_limit" for i in items if isinstance(i, IngestFailure))
    assert not {f"/f/{n}" for n in range(5, 12)} & set(site.paths())  # never requested


def test_pages_per_run_and_sitemap_nesting(sites, settings):
    site: Site = sites()
    _sitemap(site, "/map.xml", _pages(site, 6, "p"))
    _sitemap(site, "/deep/0.xml", ["/deep/1.xml"], index=True)
    _sitemap(site, "/deep/1.xml", ["/deep/2.xml"], index=True)
    _sitemap(site, "/deep/2.xml", ["/p/0"])
    capped = replace(settings, max_pages=4, max_sitemap_depth=1)

    items = _crawl(
        [Target(site.url("/map.xml"), Kind.SITEMAP), Target(site.url("/deep/0.xml"), Kind.SITEMAP)],
        capped,
    )

    pages = [i for i in items if isinstance(i, RawRecord)]
    failures = {i.uri: i for i in items if isinstance(i, IngestFailure)}
    assert len(pages) == 4
    assert failures[site.url("/map.xml")].reason == "over_limit"
    assert "2 links not fetched" in failures[site.url("/map.xml")].observed
    assert failures[site.url("/deep/1.xml")].reason == "over_limit"
    assert "nested deeper than 1" in failures[site.url("/deep/1.xml")].observed
    assert "/deep/2.xml" not in site.paths()
    assert len(items) == 4 + 2  # every page accounted for: 4 fetched, 2 rows for the rest


def _unanswered_port() -> tuple[socket.socket, list[socket.socket]]:
    """A listener whose accept queue is full: a new connection is never completed (the
    kernel drops its SYNs), as a host that stopped answering."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers = []
    for _ in range(4):  # more than the backlog (Linux keeps backlog + 1)
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(listener.getsockname())
        fillers.append(filler)
    time.sleep(0.1)
    return listener, fillers


def test_the_deadline_covers_every_attempt_and_a_stall_is_a_timeout(sites, settings):
    host, fillers = _unanswered_port()
    port = host.getsockname()[1]
    site: Site = sites()
    site.add("/held", stall(60.0))  # accepts, reads the request, never answers in time
    # Without the deadline, the held page would wait out its 30 s read timeout and the silent
    # host's robots.txt would take 21 connect timeouts of 0.4 s and the backoffs between
    # them: far from the 1.5 s the deadline allows, so a loaded machine cannot blur the two.
    patient = replace(
        settings, connect_timeout_s=0.4, read_timeout_s=30.0, deadline_s=1.5, retries=20
    )
    try:
        started = time.monotonic()
        items = _crawl(
            [Target(f"http://127.0.0.1:{port}/page"), Target(site.url("/held"))], patient
        )
        took = time.monotonic() - started
    finally:
        for sock in [host, *fillers]:
            sock.close()

    by_uri = {i.uri: i for i in items}
    silent = by_uri[f"http://127.0.0.1:{port}/page"]
    held = by_uri[site.url("/held")]
    assert isinstance(silent, IngestFailure) and silent.reason == "timeout", silent
    assert isinstance(held, IngestFailure) and held.reason == "timeout", held
    # The deadline ends them all at 1.5 s (twice over for the silent host: its robots.txt,
    # then the page; side by side); the bound leaves a loaded machine room, and is well
    # below what they would take without it.
    assert took < 10.0, took


def test_the_allow_list_opens_a_port_not_the_host(sites, settings, only_loopback):
    site: Site = sites()
    site.page("/ok", "ok")
    site.add("/to-port-1", Reply(302, b"", {"Location": "http://127.0.0.1:1/admin"}))
    one_port = replace(settings, allow=(f"127.0.0.1:{site.port}",))

    items = {
        i.uri: i
        for i in _crawl([Target(site.url("/ok")), Target(site.url("/to-port-1"))], one_port)
    }

    assert isinstance(items[site.url("/ok")], RawRecord)
    refused = items[site.url("/to-port-1")]
    assert isinstance(refused, IngestFailure) and refused.reason == "blocked_address"
    assert "127.0.0.1:1 " in refused.observed
    assert {address[1] for address in only_loopback} == {site.port}  # port 1 never dialled
