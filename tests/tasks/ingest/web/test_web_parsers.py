"""Feeds, sitemaps and URL lists read from bytes: what they yield, what they refuse."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks.ingest.records import IngestFailure
from tasks.ingest.web.feeds import read_feed
from tasks.ingest.web.safexml import XmlRefused
from tasks.ingest.web.sitemaps import parse_sitemap
from tasks.ingest.web.urllist import read_url_list

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example</title><link>https://news.example/</link>
<item><title>First</title><link>https://news.example/a/1</link>
  <pubDate>Tue, 10 Jun 2025 08:00:00 +0200</pubDate></item>
<item><title>Relative</title><link>/a/2</link></item>
<item><title>No link</title></item>
<item><title>Script</title><link>javascript:alert(1)</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<entry><title>Atom one</title><link href="https://news.example/atom/1"/>
  <updated>2025-06-10T06:00:00Z</updated></entry>
</feed>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&xxe;</title><link>https://x.example/</link></item>
</channel></rss>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<rss version="2.0"><channel><item><title>&d;</title><link>https://x.example/</link></item>
</channel></rss>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example/sitemap-1.xml</loc><lastmod>2025-06-01</lastmod></sitemap>
  <sitemap><loc>https://news.example/sitemap-news.xml.gz</loc></sitemap>
</sitemapindex>"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
 <url><loc>https://news.example/n/1</loc>
  <image:image><image:loc>https://img.example/1.jpg</image:loc></image:image>
  <news:news><news:publication><news:name>Example</news:name><news:language>en</news:language>
  </news:publication><news:publication_date>2025-06-10T08:00:00+02:00</news:publication_date>
  <news:title>News one</news:title></news:news></url>
 <url><loc>https://news.example/n/2</loc><lastmod>2025-06-09</lastmod></url>
 <url><loc>not a url</loc></url>
</urlset>"""


def test_rss_entries_with_dates_and_resolved_links() -> None:
    entries, _ = read_feed(
        RSS, url="https://news.example/feed.xml", content_type="application/rss+xml"
    )
    assert [e.url for e in entries] == ["https://news.example/a/1", "https://news.example/a/2"]
    assert entries[0].published == datetime(2025, 6, 10, 6, 0, tzinfo=UTC)
    assert entries[0].published_raw == "Tue, 10 Jun 2025 08:00:00 +0200"
    assert entries[0].title == "First"
    assert entries[1].published is None


def test_feed_items_without_a_usable_link_are_reported_not_dropped() -> None:
    feed = b"""<rss version="2.0"><channel><title>t</title>
    <item><title>Good</title><link>https://news.example/a/1</link></item>
    <item><title>Script</title><link>javascript:alert(1)</link></item>
    <item><title>Local</title><link>file:///etc/passwd</link></item>
    <item><title>None</title></item>
    </channel></rss>"""
    entries, skipped = read_feed(feed, url="https://news.example/feed.xml")
    assert [e.url for e in entries] == ["https://news.example/a/1"]
    assert [(s.number, s.title, s.why) for s in skipped] == [
        (2, "Script", "javascript: link"),
        (3, "Local", "file: link"),
        (4, "None", "no link"),
    ]


def test_atom_entries() -> None:
    [entry], _ = read_feed(ATOM, url="https://news.example/atom.xml")
    assert entry.url == "https://news.example/atom/1"
    assert entry.published == datetime(2025, 6, 10, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize("document", [XXE, LAUGHS])
def test_feeds_with_entity_declarations_are_refused(document: bytes) -> None:
    with pytest.raises(XmlRefused) as refused:
        read_feed(document, url="https://x.example/feed")
    assert refused.value.reason == "unsafe_xml"


def test_a_feed_that_is_not_a_feed() -> None:
    with pytest.raises(XmlRefused) as refused:
        read_feed(b"<html><body>Oops</body></html>", url="https://x.example/feed")
    assert refused.value.reason == "malformed_xml"


def test_feedparser_never_opens_what_the_bytes_name() -> None:
    # Bytes that spell a local path are data, not a file to read.
    with pytest.raises(XmlRefused):
        read_feed(b"/etc/passwd", url="https://x.example/feed")


def test_sitemap_index() -> None:
    sitemap = parse_sitemap(INDEX, max_bytes=100_000)
    assert sitemap.is_index
    assert [e.url for e in sitemap.entries] == [
        "https://news.example/sitemap-1.xml",
        "https://news.example/sitemap-news.xml.gz",
    ]
    assert sitemap.entries[0].lastmod == datetime(2025, 6, 1, tzinfo=UTC)
    assert sitemap.entries[1].lastmod is None


def test_news_sitemap_gzipped() -> None:
    sitemap = parse_sitemap(gzip.compress(NEWS), max_bytes=100_000)
    assert not sitemap.is_index
    first, second = sitemap.entries
    assert (first.url, first.title) == ("https://news.example/n/1", "News one")
    assert first.lastmod == datetime(2025, 6, 10, 6, 0, tzinfo=UTC)
    assert first.published_raw == "2025-06-10T08:00:00+02:00"
    assert second.lastmod == datetime(2025, 6, 9, tzinfo=UTC)


def test_text_sitemap() -> None:
    sitemap = parse_sitemap(
        b"https://a.example/1\n\nnot-a-url\nhttps://a.example/2\n", max_bytes=1000
    )
    assert [e.url for e in sitemap.entries] == ["https://a.example/1", "https://a.example/2"]


def test_sitemap_refusals() -> None:
    cases = {
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY e "x">]><urlset>&e;</urlset>': "unsafe_xml",
        b"<urlset><url><loc>https://a.example/</url>": "malformed_xml",
        b"<rss><channel/></rss>": "malformed_xml",
        gzip.compress(b"<urlset>" + b" " * 5000 + b"</urlset>"): "too_large",
    }
    for document, reason in cases.items():
        with pytest.raises(XmlRefused) as refused:
            parse_sitemap(document, max_bytes=1000)
        assert refused.value.reason == reason, document[:40]


def test_url_lists(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(
        "# morning run\nhttps://a.example/1\n\nftp://a.example/x\n  https://b.example/2  \n",
        encoding="utf-8",
    )
    items = list(read_url_list(listing))
    assert items[0] == "https://a.example/1"
    assert isinstance(items[1], IngestFailure) and items[1].reason == "invalid_url"
    assert items[1].uri.endswith("urls.txt#L4")
    assert items[2] == "https://b.example/2"
