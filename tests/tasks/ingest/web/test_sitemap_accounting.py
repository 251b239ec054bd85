"""Every sitemap entry is accounted for: one without a usable <loc> is an `invalid_url` row,
as a feed item without a usable link is (a real sitemap served from 127.0.0.1)."""

from __future__ import annotations

from datetime import UTC, datetime

from newsdesk.core.contracts.fetch import FetchState
from tasks.ingest.records import IngestFailure, RawRecord
from tasks.ingest.web.collect import Kind, Target, collect
from tests.httpserver import Reply, Site

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def test_sitemap_entries_without_a_usable_loc_leave_a_row_each(sites, settings):
    site: Site = sites()
    site.page("/ok", "A page")
    entries = [
        f"<url><loc>{site.url('/ok')}</loc></url>",
        "<url><lastmod>2025-01-01</lastmod></url>",  # no <loc>
        "<url><loc>  </loc></url>",  # empty
        "<!-- a comment is no entry -->",
        "<url><loc>javascript:void(0)</loc></url>",
        "<url><loc>file:///etc/passwd</loc></url>",
    ]
    body = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(entries)
        + "</urlset>"
    )
    site.add("/map.xml", Reply(200, body.encode(), {"Content-Type": "application/xml"}))

    items = list(
        collect(
            [Target(site.url("/map.xml"), Kind.SITEMAP)],
            settings=settings,
            state=FetchState(),
            run_id="r",
            now=NOW,
        )
    )
    pages = [i for i in items if isinstance(i, RawRecord)]
    rows = {i.uri: i for i in items if isinstance(i, IngestFailure)}
    assert [p.uri for p in pages] == [site.url("/ok")]
    base = site.url("/map.xml")
    assert {uri: (row.reason, row.observed.split(";")[0]) for uri, row in rows.items()} == {
        f"{base}#entry-2": ("invalid_url", "sitemap entry 2: no link"),
        f"{base}#entry-3": ("invalid_url", "sitemap entry 3: no link"),
        f"{base}#entry-4": ("invalid_url", "sitemap entry 4: javascript: link"),
        f"{base}#entry-5": ("invalid_url", "sitemap entry 5: file: link"),
    }
    assert "/etc/passwd" not in site.paths()  # never fetched, never read
