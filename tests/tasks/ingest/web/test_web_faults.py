"""Every way a fetch goes wrong ends as an IngestFailure with its reason — and what can be
fetched still is. One crawl over all the faults at once, so the slow ones overlap."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from newsdesk.core.contracts.fetch import FetchState
from tasks.ingest.records import IngestFailure, RawRecord
from tasks.ingest.web.collect import Kind, Target, collect
from tasks.ingest.web.settings import FetchSettings
from tests.httpserver import Reply, Site, gzipped, reset, stall, trickle

NOW = datetime(2025, 1, 1, tzinfo=UTC)
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol4;</loc></url></urlset>"""


def _run(targets: list[Target], settings: FetchSettings) -> dict[str, RawRecord | IngestFailure]:
    items = list(collect(targets, settings=settings, state=FetchState(), run_id="r1", now=NOW))
    return {item.uri: item for item in items}


@pytest.fixture
def faulty(sites) -> Site:
    site: Site = sites()
    site.add("/robots.txt", Reply(200, b"User-agent: newsdesk\nDisallow: /private/\n"))
    site.page("/ok", "fine")
    site.page("/private/secret", "hidden")
    site.add("/slow", stall(4.0))  # past the test's read timeout
    site.add("/trickle", trickle(0.2, 6.0))  # past its deadline, a byte well inside each silence
    site.add("/reset", reset)
    site.add("/gone", Reply(404, b"no"))
    site.add("/busy", Reply(503, b"later", {"Retry-After": "0"}))
    site.add("/loop/a", Reply(302, b"", {"Location": "/loop/b"}))
    site.add("/loop/b", Reply(302, b"", {"Location": "/loop/a"}))
    for n in range(10):
        site.add(f"/chain/{n}", Reply(301, b"", {"Location": f"/chain/{n + 1}"}))
    site.add("/to-private", Reply(302, b"", {"Location": "http://10.0.0.1/admin"}))
    site.add("/to-metadata", Reply(302, b"", {"Location": "http://169.254.169.254/latest"}))
    big = b"<html><body>" + b"a" * 200_000 + b"</body></html>"
    site.add("/big", Reply(200, big, {"Content-Type": "text/html"}))
    site.add("/big-unannounced", Reply(200, big, {"Content-Type": "text/html"}, length=False))
    bomb = gzipped(b"<html>" + b"\0" * 20_000_000)
    site.add("/bomb", Reply(200, bomb, {"Content-Type": "text/html", "Content-Encoding": "gzip"}))
    site.add(
        "/small-gzip",
        Reply(
            200,
            gzipped(b"<html><p>packed</p></html>"),
            {"Content-Type": "text/html", "Content-Encoding": "gzip"},
        ),
    )
    site.add("/picture", Reply(200, b"\x89PNG....", {"Content-Type": "image/png"}))
    site.add("/lol.xml", Reply(200, BILLION_LAUGHS, {"Content-Type": "application/xml"}))
    site.add(
        "/broken.xml",
        Reply(
            200, b"<urlset><url><loc>http://x</loc></urlset>", {"Content-Type": "application/xml"}
        ),
    )
    return site


def test_every_fault_has_its_reason_and_good_pages_still_arrive(faulty, settings, only_loopback):
    pages = [
        "/ok",
        "/private/secret",
        "/slow",
        "/trickle",
        "/reset",
        "/gone",
        "/busy",
        "/loop/a",
        "/chain/0",
        "/to-private",
        "/to-metadata",
        "/big",
        "/big-unannounced",
        "/bomb",
        "/small-gzip",
        "/picture",
    ]
    targets = [Target(faulty.url(p)) for p in pages]
    targets += [
        Target(faulty.url("/lol.xml"), Kind.SITEMAP),
        Target(faulty.url("/broken.xml"), Kind.SITEMAP),
    ]

    # Limits the slow and the trickling page run into, each far from its fault (a loaded
    # machine only makes them run in later), with room for the good pages to arrive and for
    # the reset page's two quick closes to stay under half the deadline (else a `timeout`).
    short = replace(settings, read_timeout_s=2.0, deadline_s=3.0)
    got = _run(targets, short)

    def reason(path: str) -> str:
        item = got[faulty.url(path)]
        assert isinstance(item, IngestFailure), item
        return str(item.reason)

    assert isinstance(got[faulty.url("/ok")], RawRecord)
    assert got[faulty.url("/ok")].content.startswith(b"<html>")
    assert got[faulty.url("/small-gzip")].content == b"<html><p>packed</p></html>"
    assert reason("/private/secret") == "robots_disallowed"
    assert reason("/slow") == "timeout"
    assert reason("/trickle") == "timeout"
    assert "within 3.0s" in got[faulty.url("/trickle")].observed
    assert reason("/reset") == "connection_error"
    assert "after 2 attempts" in got[faulty.url("/reset")].observed
    assert reason("/gone") == "http_status"
    assert "HTTP 404" in got[faulty.url("/gone")].observed
    assert reason("/busy") == "http_status"
    assert reason("/loop/a") == "redirect_loop"
    assert reason("/chain/0") == "too_many_redirects"
    assert reason("/to-private") == "blocked_address"
    assert "10.0.0.1" in got[faulty.url("/to-private")].observed
    assert reason("/to-metadata") == "blocked_address"
    assert reason("/big") == "too_large"
    assert reason("/big-unannounced") == "too_large"
    assert reason("/bomb") == "too_large"
    assert reason("/picture") == "unsupported_type"
    assert reason("/lol.xml") == "unsafe_xml"
    assert reason("/broken.xml") == "malformed_xml"
    assert len(got) == len(targets)  # nothing silent, nothing twice
    # The guard refused before connecting: only the test server was ever dialled.
    assert {address[0] for address in only_loopback} == {"127.0.0.1"}
    # Retries: the reset page and the busy page were tried twice, the 404 once, the
    # disallowed page never.
    paths = faulty.paths()
    assert paths.count("/reset") == 2
    assert paths.count("/busy") == 2
    assert paths.count("/gone") == 1
    assert "/private/secret" not in paths
    assert paths.count("/robots.txt") == 1


def test_retry_after_is_honoured(sites, settings):
    site: Site = sites()
    calls: list[float] = []

    def busy_once(request) -> Reply:
        calls.append(request.at)
        if len(calls) == 1:
            return Reply(429, b"slow down", {"Retry-After": "1"})
        return Reply(200, b"<html><p>now</p></html>", {"Content-Type": "text/html"})

    site.add("/page", busy_once)
    got = _run([Target(site.url("/page"))], settings)
    assert isinstance(got[site.url("/page")], RawRecord)
    assert len(calls) == 2
    assert calls[1] - calls[0] >= 0.95


def test_nothing_local_without_the_allow_list(sites, settings, only_loopback):
    site: Site = sites()
    site.page("/page", "local")
    strict = FetchSettings(read_timeout_s=0.5, deadline_s=1.0, retries=0)
    got = _run([Target(site.url("/page"))], strict)
    assert got[site.url("/page")].reason == "blocked_address"
    assert site.hits == []
    assert only_loopback == []  # refused before any socket was opened


def test_a_name_resolving_to_a_private_address_is_refused(settings, only_loopback):
    async def resolver(host: str, port: int) -> list[str]:
        return {"news.test": ["127.0.0.1"], "evil.test": ["10.0.0.1"]}[host]

    items = list(
        collect(
            [Target("http://evil.test:8080/x")],
            settings=settings,
            state=FetchState(),
            run_id="r",
            now=NOW,
            resolver=resolver,
        )
    )
    assert [(i.uri, str(i.reason)) for i in items] == [
        ("http://evil.test:8080/x", "blocked_address")
    ]
    assert only_loopback == []


def test_the_socket_goes_to_the_address_that_was_checked(sites, settings, only_loopback):
    site: Site = sites()
    site.page("/page", "by name")
    resolved: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        resolved.append(host)
        return ["127.0.0.1"]

    url = f"http://news.test:{site.port}/page"
    items = list(
        collect(
            [Target(url)],
            settings=settings,
            state=FetchState(),
            run_id="r",
            now=NOW,
            resolver=resolver,
        )
    )
    assert isinstance(items[0], RawRecord) and b"by name" in items[0].content
    assert site.hits[-1].headers["host"] == f"news.test:{site.port}"
    assert set(resolved) == {"news.test"}
    assert {address[0] for address in only_loopback} == {"127.0.0.1"}
