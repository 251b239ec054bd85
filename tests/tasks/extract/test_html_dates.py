"""Date evidence: parsing, and the choice among JSON-LD, meta, htmldate, byline and URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tasks.extract.html_dates import (
    DateEvidence,
    byline_date,
    choose_published,
    parse_datetime,
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
