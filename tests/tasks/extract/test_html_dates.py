"""Date evidence: parsing, and the choice among JSON-LD, meta, htmldate, byline and URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from lxml.html import fromstring

from tasks.page.html_dates import (
    DateEvidence,
    byline_date,
    choose_published,
    header_dates,
    parse_datetime,
    text_date,
    url_date,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "2024-03-05T09:30:00+01:00",
            datetime(2024, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=1))),
        ),
        ("2024-03-05T09:30:00Z", datetime(2024, 3, 5, 9, 30, tzinfo=UTC)),
        (
            "2024-03-05T09:30:00.123-0500",
            datetime(2024, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=-5))),
        ),
        ("2024-03-05 09:30", datetime(2024, 3, 5, 9, 30)),
        ("2024-03-05", datetime(2024, 3, 5)),
        ("2022-1-26T14:32:06", datetime(2022, 1, 26, 14, 32, 6)),
        ("Tue, 05 Mar 2024 09:30:00 GMT", datetime(2024, 3, 5, 9, 30, tzinfo=UTC)),
        ("Di., 25.01.2022 - 14:45", datetime(2022, 1, 25)),
        ("2024/03/05", datetime(2024, 3, 5)),
        ("20240305", datetime(2024, 3, 5)),
        ("yesterday", None),
        ("2024-13-45", None),
        ("", None),
    ],
)
def test_parse_datetime(raw: str, expected: datetime | None) -> None:
    assert parse_datetime(raw) == expected


def test_url_date() -> None:
    assert url_date("https://example.org/2019/05/31/story") == datetime(2019, 5, 31)
    assert url_date("https://example.org/news/20190531-story.html") == datetime(2019, 5, 31)
    assert url_date("https://example.org/news/story-12345") is None
    assert url_date(None) is None


def test_byline_date_reads_published_on_in_several_languages() -> None:
    assert byline_date("Home News Veröffentlicht am 16.08.2019 von Anna", None).value == datetime(
        2019, 8, 16
    )
    assert byline_date("Posted on June 13, 2019 by admin", None).value == datetime(2019, 6, 13)
    assert byline_date("Erschienen am: 01.11.2023", None).value == datetime(2023, 11, 1)
    # "Datensatz vom …" is not "Datum": the keyword must be a whole word
    assert byline_date("Datensatz vom 09.03.2016", None) is None
    # a date after the fetch time is not a publication date
    assert byline_date("Published 05.03.2030", datetime(2024, 1, 1, tzinfo=UTC)) is None


def ev(method: str, value: datetime, strong: bool = True) -> DateEvidence:
    return DateEvidence(method, value.isoformat(), value, strong)


def test_structured_date_wins_and_the_search_settles_disagreement() -> None:
    jsonld = ev("json-ld", datetime(2020, 1, 10, 16, 50, tzinfo=UTC))
    meta = ev("meta", datetime(2023, 1, 1, 14, 11, tzinfo=timezone(timedelta(hours=1))))
    search = ev("htmldate", datetime(2023, 1, 1))
    assert choose_published([jsonld], None, None, None) is jsonld
    assert choose_published([jsonld, meta], search, None, None) is meta


def test_a_utc_time_yields_to_the_local_day_the_page_shows() -> None:
    utc_late = ev("json-ld", datetime(2023, 11, 9, 1, 49, tzinfo=UTC))
    local_day = ev("htmldate", datetime(2023, 11, 8))
    assert choose_published([utc_late], local_day, None, None) is local_day
    # with a real offset the structured date stays
    berlin = ev("json-ld", datetime(2023, 11, 9, 1, 49, tzinfo=timezone(timedelta(hours=1))))
    assert choose_published([berlin], local_day, None, None) is berlin


def test_weak_meta_yields_to_the_search_and_bylines_beat_the_search() -> None:
    weak = ev("meta", datetime(2019, 9, 22), strong=False)
    search = ev("htmldate", datetime(2019, 6, 28))
    byline = ev("text", datetime(2019, 6, 27))
    assert choose_published([weak], search, None, None) is search
    assert choose_published([], search, byline, None) is byline
    from_url = ev("url", datetime(2019, 6, 1))
    assert choose_published([], None, None, from_url) is from_url
    assert choose_published([], None, None, None) is None


LEAD = "The council voted on Tuesday to rebuild the old harbour wall before the winter storms. "


def headed(before: str, after: str) -> str:
    return (
        "<html><head><title>Harbour wall to be rebuilt | Example Times</title></head><body>"
        "<header><h1>Example Times</h1><p>Archive 01.01.2015</p></header>"
        f"<article>{before}<h1>Harbour wall <em>to be rebuilt</em></h1>{after}</article>"
        "<footer>© 2024, 02.02.2024</footer></body></html>"
    )


def test_header_dates_read_the_date_lines_around_the_headline() -> None:
    html = headed(
        "<div>Politik | <b>12.03.2020</b></div>",
        "<script>var built = '2011-01-01';</script><p>Aktualisiert: 21.09.2020</p>"
        "<p>von Anna Berg am <time>20.09.2020</time></p>" + f"<p>{LEAD * 3}</p>",
    )
    after, before = header_dates(fromstring(html), "Harbour wall to be rebuilt", None)
    # the h1 the title repeats, not the site's logo h1; an update only if nothing else
    assert after == DateEvidence("header", "20.09.2020", datetime(2020, 9, 20))
    assert before == DateEvidence("header", "12.03.2020", datetime(2020, 3, 12))
    only_update = headed("", "<p>Aktualisiert: 21.09.2020</p>")
    after, before = header_dates(fromstring(only_update), "Harbour wall to be rebuilt", None)
    assert after is not None and after.value == datetime(2020, 9, 21) and not after.strong
    assert before is None


def test_header_dates_skip_quotes_teasers_and_the_story() -> None:
    tweet = (
        "<blockquote class='twitter-tweet'>Great news! — Jane (@jane) March 1, 2020</blockquote>"
    )
    related = "<h3>Lesen Sie auch</h3><a href='/x'>Storm warning</a><span>14/08/2019</span>"
    story = f"<p>{LEAD * 2}</p><p>{LEAD} Later: 05.05.2020</p><p>{LEAD}</p><p>06.06.2020</p>"
    for after_headline in (tweet, related, story):
        html = headed("", after_headline)
        assert header_dates(fromstring(html), "Harbour wall to be rebuilt", None) == (None, None)
    no_headline = "<html><body><p>Posted 03.03.2020</p></body></html>"
    assert header_dates(fromstring(no_headline), None, None) == (None, None)


def test_a_date_after_the_fetch_time_is_not_a_date_line() -> None:
    html = headed("", "<p>12.03.2030</p>")
    latest = datetime(2024, 1, 1, tzinfo=UTC)
    assert header_dates(fromstring(html), "Harbour wall to be rebuilt", latest) == (None, None)


def test_the_page_date_line_beats_structured_data_that_says_another_day() -> None:
    jsonld = ev("json-ld", datetime(2011, 2, 21, 17, 47, tzinfo=timezone(timedelta(hours=1))))
    line = ev("header", datetime(2011, 3, 3))
    assert choose_published([jsonld], None, None, None, (line, None)) is line
    # the same day: the structured date keeps its time and zone
    same = ev("header", datetime(2011, 2, 21))
    assert choose_published([jsonld], None, None, None, (same, None)) is jsonld
    # "11/08/23" read day-first is 11 August; month-first it agrees with 8 November
    meta = ev("meta", datetime(2023, 11, 8, 17, 19))
    ambiguous = ev("header", datetime(2023, 8, 11))
    assert choose_published([meta], None, None, None, (ambiguous, None)) is meta
    # an "updated" line and a date above the headline do not overrule structured data
    updated = ev("header", datetime(2011, 3, 3), strong=False)
    above = ev("header", datetime(2011, 3, 3))
    assert choose_published([jsonld], None, None, None, (updated, above)) is jsonld


def test_without_structured_data_the_byline_then_the_date_lines_then_the_search() -> None:
    byline = ev("text", datetime(2019, 6, 27))
    line = ev("header", datetime(2019, 6, 26))
    above = ev("header", datetime(2019, 6, 25))
    search = ev("htmldate", datetime(2019, 6, 28))
    assert choose_published([], search, byline, None, (line, above)) is byline
    assert choose_published([], search, None, None, (line, above)) is line
    assert choose_published([], search, None, None, (None, above)) is above
    assert choose_published([], search, None, None, (None, None)) is search


def test_text_date_is_the_first_date_the_page_shows() -> None:
    page = (
        "<html><body><nav>Archiv 01.01.2015</nav><script>var x = '2011-01-01';</script>"
        "<div><p>27.1.2022 - Bei der Erinnerung an die Verfolgten des NS-Regimes waren viele "
        "Opfer lange vergessen.</p><p>Kommentar vom 03.02.2022</p></div></body></html>"
    )
    found = text_date(fromstring(page), None)
    assert found is not None and found.value == datetime(2022, 1, 27)
    assert found.method == "page-text"
    assert text_date(fromstring("<html><body><p>No date, 2022.</p></body></html>"), None) is None
