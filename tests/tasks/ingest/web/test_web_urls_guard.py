from __future__ import annotations

import pytest

from tasks.ingest.web.guard import AddressGuard, BlockedAddress
from tasks.ingest.web.settings import FetchSettings
from tasks.ingest.web.urls import canonicalize, is_web_url, origin


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "HTTP://Example.COM:80/a/b/?utm_source=x&b=2&a=1&fbclid=3#frag",
            "http://example.com/a/b?a=1&b=2",
        ),
        ("https://example.com:443/", "https://example.com"),
        (
            "https://example.com/news/./x/../story?gclid=abc&utm_medium=rss",
            "https://example.com/news/story",
        ),
        ("https://example.com/p?id=5", "https://example.com/p?id=5"),
        ("https://example.com:8443/p/", "https://example.com:8443/p"),
    ],
)
def test_canonical_urls(url: str, canonical: str) -> None:
    assert canonicalize(url) == canonical


def test_spellings_of_one_page_share_a_key() -> None:
    spellings = [
        "https://news.example/story/",
        "https://NEWS.example/story#comments",
        "https://news.example:443/story?utm_campaign=x",
        "https://news.example/story",
    ]
    assert len({canonicalize(u) for u in spellings}) == 1


def test_origin_and_web_urls() -> None:
    assert origin("https://Example.com:443/x") == "https://example.com"
    assert origin("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080"
    assert is_web_url("https://example.com/")
    assert not is_web_url("file:///etc/passwd")
    assert not is_web_url("javascript:alert(1)")
    assert not is_web_url("http://")


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:10.0.0.1",
        "::",
    ],
)
def test_internal_addresses_are_refused(address: str) -> None:
    assert not AddressGuard().allows("host.example", address, 443)


def test_public_addresses_pass_and_the_allow_list_opens_exceptions() -> None:
    guard = AddressGuard.from_allow(["127.0.0.1", "10.0.0.0/8", "intranet.example"])
    assert AddressGuard().allows("example.com", "93.184.215.14", 443)
    assert AddressGuard().allows("example.com", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", 80)
    assert guard.allows("a", "127.0.0.1", 80)
    assert not guard.allows("a", "127.0.0.2", 80)
    assert guard.allows("a", "10.9.9.9", 443)
    assert guard.allows("intranet.example", "192.168.0.5", 443)
    assert not guard.allows("other.example", "192.168.0.5", 443)


def test_the_allow_list_opens_ports_not_hosts() -> None:
    guard = AddressGuard.from_allow(
        ["127.0.0.1:8080", "10.0.0.0/8:*", "intranet.example", "[::1]:9000", "::2"]
    )
    assert guard.allows("a", "127.0.0.1", 8080)
    assert not guard.allows("a", "127.0.0.1", 1)  # an allowed host, another service
    assert not guard.allows("a", "127.0.0.1", 80)
    assert guard.allows("a", "10.1.2.3", 1)  # ":*" opens every port
    assert guard.allows("intranet.example", "192.168.0.5", 443)  # no port: 80 and 443
    assert not guard.allows("intranet.example", "192.168.0.5", 22)
    assert guard.allows("a", "::1", 9000)
    assert not guard.allows("a", "::1", 9001)
    assert guard.allows("a", "::2", 80)
    with pytest.raises(ValueError, match="port"):
        AddressGuard.from_allow(["127.0.0.1:http"])


def test_one_internal_answer_refuses_the_host() -> None:
    with pytest.raises(BlockedAddress, match=r"10\.0\.0\.1"):
        AddressGuard().pick("mixed.example", ["93.184.215.14", "10.0.0.1"], 443)


def test_a_refusal_says_which_entry_would_allow_it() -> None:
    """Found by hand: a run on a feed served from 127.0.0.1 quarantined it as blocked_address
    observed 'robots.txt: 127.0.0.1:8765 resolves to 127.0.0.1', naming no way out."""
    with pytest.raises(BlockedAddress, match=r"NEWSDESK_FETCH_ALLOW lists 127\.0\.0\.1:8765$"):
        AddressGuard().pick("127.0.0.1", ["127.0.0.1"], 8765)
    with pytest.raises(BlockedAddress, match=r"lists \[::1\]:8080$"):
        AddressGuard().pick("::1", ["::1"], 8080)


def test_allow_list_from_the_environment() -> None:
    base = FetchSettings(allow=("192.168.0.0/16",))
    assert base.with_env({"NEWSDESK_FETCH_ALLOW": " 127.0.0.1, localhost ,"}).allow == (
        "192.168.0.0/16",
        "127.0.0.1",
        "localhost",
    )
    assert base.with_env({}) is base


def test_httpx_is_the_pinned_version_whose_pool_takes_the_guarded_backend() -> None:
    """fetch.py sets the network backend of httpx's own pool (no public hook exists). Setting
    an attribute that a new httpx no longer reads would silently unguard every fetch, so the
    version is pinned in pyproject.toml and the attribute must be there before we set it."""
    import tomllib
    from importlib.metadata import version

    import httpx

    from tests.conftest import PROJECT

    pinned = [
        d
        for d in tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]["dependencies"]
        if d.startswith("httpx")
    ]
    assert pinned == [f"httpx=={version('httpx')}"], pinned
    pool = httpx.AsyncHTTPTransport()._pool
    assert hasattr(pool, "_network_backend")
