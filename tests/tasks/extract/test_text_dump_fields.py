"""Article fields from text dumps: the seeds' gold metadata, dates in many forms, bylines."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsdesk.core.registry import Registry, Source, load_registry
from tasks.clean.text_dump import clean_text_dump
from tasks.extract.text_dates import find_dates, find_relative
from tasks.extract.text_dump import _around_dates, extract_text_dump
from tasks.page.fields import PageContext

PROJECT = Path(__file__).resolve().parents[3]
SEEDS = PROJECT / "tests" / "fixtures" / "seeds"
GOLD = json.loads((SEEDS / "gold.json").read_text(encoding="utf-8"))
REGISTRY = load_registry(PROJECT / "sources.toml")


def fields_of(text: str, ctx: PageContext):
    return extract_text_dump(text, clean_text_dump(text, ctx).hints, ctx)


def seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def test_seed_002_standfirst_is_apart_from_the_body() -> None:
    """002 shows its summary above the photo: it is the standfirst, and the body starts with
    the story's first paragraph, as gold.json has it."""
    gold = GOLD["002_9fff910d0917317a.txt"]
    text = seed("002_9fff910d0917317a.txt")
    ctx = PageContext(registry=REGISTRY)
    cleaned = clean_text_dump(text, ctx)
    found = extract_text_dump(text, cleaned.hints, ctx, cleaned.body)
    assert found.standfirst == gold["standfirst"]
    first_gold = gold["body"].split("\n\n")[0]
    assert found.body.split("\n\n")[0] == first_gold
    assert gold["standfirst"] not in found.body


def test_a_lead_that_runs_into_the_story_stays_in_the_body() -> None:
    """000's first sentence runs straight into the story (nothing between): not split off."""
    text = seed("000_aead3fb2f9192cb0.txt")
    ctx = PageContext(registry=REGISTRY)
    cleaned = clean_text_dump(text, ctx)
    found = extract_text_dump(text, cleaned.hints, ctx, cleaned.body)
    assert found.standfirst is None and found.body is None  # the cleaned body stands


def test_seed_002_fields() -> None:
    gold = GOLD["002_9fff910d0917317a.txt"]
    found = fields_of(seed("002_9fff910d0917317a.txt"), PageContext(registry=REGISTRY))
    assert found.title == gold["title"]
    assert found.published == datetime(2022, 10, 17, 19, 58)  # naive: no zone is printed
    assert found.published.tzinfo is None
    assert found.published_raw == "17 Oct 2022 19:58"
    assert found.published_method == "text-byline"
    assert found.authors == ["Al Mayadeen English"]  # the only byline, so it stands
    assert found.site_name == "Al Mayadeen English"
    assert found.section is None
    assert found.tags == gold["tags"]
    assert found.extraction_method == "text-dump"


def test_seed_000_fields() -> None:
    gold = GOLD["000_aead3fb2f9192cb0.txt"]
    found = fields_of(seed("000_aead3fb2f9192cb0.txt"), PageContext(registry=REGISTRY))
    assert found.title == gold["title"]
    assert found.published is None  # no date anywhere: none is invented
    assert found.authors == []  # 'Written By' with no name, then a bio
    assert found.site_name is None
    assert found.section == "International"
    assert found.tags == []


def test_site_name_needs_the_registry() -> None:
    unknown = PageContext(registry=Registry(()))
    assert fields_of(seed("002_9fff910d0917317a.txt"), unknown).site_name is None
    other = Registry((Source(name="Daily Example", domains=("example.org",), timezone="UTC"),))
    assert (
        fields_of(seed("002_9fff910d0917317a.txt"), PageContext(registry=other)).site_name is None
    )


def test_publisher_named_only_in_the_story_is_not_the_site_name() -> None:
    registry = Registry(
        (Source(name="Belta News Agency", domains=("belta.by",), timezone="Europe/Minsk"),)
    )
    found = fields_of(seed("002_9fff910d0917317a.txt"), PageContext(registry=registry))
    assert found.site_name is None  # "Belta News Agency" appears in a quote, not the header


STORY = (
    "The committee met for four hours on Thursday and heard evidence from the mayor, the police "
    "chief and two residents who had written to complain about the noise at night in the town."
)


def page(byline: str, title: str = "Noise complaints reach the committee at last") -> str:
    return "\n\n".join(
        ["Town News", "  • Home\n  • Local", title, byline, STORY, STORY.replace("four", "six")]
    )


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("By Jane Doe and John Roe, Staff Reporters | 3 March 2021", ["Jane Doe", "John Roe"]),
        ("Von Anna Schmidt, 17. Oktober 2022, 14:03 Uhr", ["Anna Schmidt"]),
        ("Posted by Ned Deily at 5:11 AM", ["Ned Deily"]),
        ("Par Marie Dupont - le 3 mars 2019 à 10h15", ["Marie Dupont"]),
        ("By: Jane Doe | December 16, 2025", ["Jane Doe"]),
        ("Written by\n\nJane Doe", ["Jane Doe"]),
        ("Posted on December 18, 2025 Posted by Jane Doe 59 Comments", ["Jane Doe"]),
        ("Jane Doe\n\nSeptember 4, 2025", ["Jane Doe"]),
        ("JaneDoe42x September 5, 2024, 11:15pm", []),
        ("JaneDoe September 5, 2024, 11:15pm", ["JaneDoe"]),
        ("Share This Story\n\nNo date here", []),
        ("by Harbour Desk\n\n3 March 2021", ["Harbour Desk"]),
        ("Posted Dec 19, 2025\n\n[jane-roe]\n\nJane Roe", ["Jane Roe"]),
        ("By Jane DoeUpdated: Dec 19, 2025 1:06 PM EST", ["Jane Doe"]),
        ("Jane Doe on Dec. 13, 2025", ["Jane Doe"]),
        # issue 16: forums, author labels and photos, credentials, glued and long bylines
        ("  • Thread starter jdoe42\n  • Start date Dec 30, 2023", ["jdoe42"]),
        ("Discussion in 'Help' started by pelex, May 26, 2025.", ["pelex"]),
        ("Article written by:\n\n[]avatar_jane_roe\n\nJane Roe", ["Jane Roe"]),
        ("ByJane Roe\n\nFriday, November 14, 2025", ["Jane Roe"]),
        # a lower-case by-word glued to the linked name; words in capitals are not parted
        ("Geschrieben vonJane Roe\n\n3. März 2021", ["Jane Roe"]),
        ("Written byJane Roe\n\nMarch 3, 2021", ["Jane Roe"]),
        ("PARTEI\n\nMarch 3, 2021", []),
        ("Jane Roe, MD, PhD\n\nPublished Jun 4, 2025", ["Jane Roe"]),
        ("By\n\nJane Roe | The Town Newsroom", ["Jane Roe"]),
        ("Picture of Jane Roe\n\nJane Roe", ["Jane Roe"]),
        ("Main Menu\n\nMain Menu", []),
        # a date glued to the names; a desk beside a date is no person's name (a desk
        # credited there was more often wrong than right on modern/'s held-out half: issue 16)
        ("September 1, 2016September 8, 2016Jane Roe", ["Jane Roe"]),
        ("Harbour Lifestyle Desk / harbour.example / Updated: Dec 17, 2025", []),
        ("Team Harbour\n\nSeptember 4, 2025", []),
        # one capitalised word before a date names nobody (the byline zone's dated lines,
        # read late, gave more wrong names than right on modern/'s held-out half: issue 16)
        ("Susan December 9, 2024 0 Comments", []),
        ("Share on Facebook\n\nSusan December 9, 2024 0 Comments", []),
        # a name among the parts of the dated line; a forum's display name
        ("Jane Roe•Oct 20, 2025", ["Jane Roe"]),
        ("October 20, 2025 · 6 min · Jane Roe", ["Jane Roe"]),
        ("  • Thread starter Jane Roe\n  • Start date Dec 30, 2023", ["Jane Roe"]),
        # a month and a year, or a day and a month, date the post too; so does a date shown
        # as a list's item ("* April 10, 2025"); a reading time alone dates nothing
        ("Last Updated January, 2025\n\nJane Roe\n\nFormer Town Reporter", ["Jane Roe"]),
        ("Jane Roe\n\nJun 9\n\n5 min read", ["Jane Roe"]),
        ("Jane Roe\n  * April 10, 2025\n  * 11 min read", ["Jane Roe"]),
        ("Jane Roe\n\n  * 11 min read", []),
        ("Jane Roe\n\nMay 9 2 min read", []),
    ],
)
def test_byline_names_without_by_roles_or_dates(byline: str, expected: list[str]) -> None:
    found = fields_of(page(byline), PageContext(registry=Registry(())))
    assert found.authors == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("17 Oct 2022 19:58", datetime(2022, 10, 17, 19, 58)),
        ("October 17, 2022", datetime(2022, 10, 17)),
        ("Friday, December 23, 2016", datetime(2016, 12, 23)),
        ("17.10.2022", datetime(2022, 10, 17)),
        ("23.06.2016 um 16:14 Uhr - Markus Reuter", datetime(2016, 6, 23, 16, 14)),
        ("Donnerstag, 31. Mai 2012", datetime(2012, 5, 31)),
        ("17 października 2022", datetime(2022, 10, 17)),
        ("le 3 mars 2019 à 10h15", datetime(2019, 3, 3, 10, 15)),
        ("17 de octubre de 2022", datetime(2022, 10, 17)),
        ("2022-10-17", datetime(2022, 10, 17)),
        ("2022年10月17日", datetime(2022, 10, 17)),
    ],
)
def test_absolute_dates_in_many_forms(line: str, expected: datetime) -> None:
    found = find_dates(line)
    assert found and found[0].value == expected


def test_printed_zone_makes_an_aware_datetime() -> None:
    found = find_dates("Published 2019-08-02T10:00:00+02:00")[0]
    assert found.value == datetime(2019, 8, 2, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    found = find_dates("12 Sep 2025 14:00 GMT")[0]
    assert found.value == datetime(2025, 9, 12, 14, 0, tzinfo=UTC)


def test_numeric_order_is_the_sources_and_never_guessed() -> None:
    assert find_dates("05/06/2019", "MDY")[0].value == datetime(2019, 5, 6)
    assert find_dates("05/06/2019", "DMY")[0].value == datetime(2019, 6, 5)
    assert find_dates("17/10/2022", "MDY")[0].value == datetime(2022, 10, 17)
    # Without the source's order only a date that one order alone reads is taken.
    assert find_dates("17/10/2022")[0].value == datetime(2022, 10, 17)
    assert find_dates("05/06/2019") == []
    assert find_dates("01/02/03") == []
    assert find_dates("01-02-2003") == []
    assert [found.value for o in ("DMY", "MDY", "YMD") for found in find_dates("01/02/03", o)] == [
        datetime(2003, 2, 1),
        datetime(2003, 1, 2),
        datetime(2001, 2, 3),
    ]


def test_relative_dates_need_the_fetch_time() -> None:
    fetched = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert find_relative("Updated 2 hours ago", None) is None
    assert find_relative("Updated 2 hours ago", fetched).value == datetime(
        2024, 5, 1, 10, 0, tzinfo=UTC
    )
    assert find_relative("vor 3 Tagen", fetched).value.date() == datetime(2024, 4, 28).date()


@pytest.mark.parametrize(
    "line",
    ["Publié il y a 3 jours", "3 dni temu", "Actualizado hace 3 días", "Posted 3 days ago"],
)
def test_relative_dates_in_each_language_they_are_read_in(line: str) -> None:
    fetched = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    found = find_relative(line, fetched)
    assert found is not None and found.value.date() == datetime(2024, 4, 28).date()


def test_relative_byline_date_with_fetch_time() -> None:
    fetched = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    text = page("By Jane Doe · 3 hours ago")
    found = fields_of(text, PageContext(registry=Registry(()), fetched_at=fetched))
    assert found.published == datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    assert found.published_method == "text-relative"
    assert fields_of(text, PageContext(registry=Registry(()))).published is None


def test_the_pages_absolute_date_wins_over_a_relative_one_beside_it() -> None:
    """A date "3 weeks ago" is the fetch time less three weeks; the page's own date a few lines
    below is the day it was published."""
    fetched = datetime(2023, 11, 11, 17, 0, tzinfo=UTC)
    head = "\n\n".join(["Town News", "Noise complaints reach the committee at last"])
    text = "\n\n".join([head, "3 weeks ago", "Jane Doe", "October 17, 2023", STORY, STORY])
    found = fields_of(text, PageContext(registry=Registry(()), fetched_at=fetched))
    assert found.published == datetime(2023, 10, 17)


def test_byline_date_wins_over_dates_of_other_stories() -> None:
    text = page("By Jane Doe | 3 March 2021") + "\n\nMost Read\n\nOther story\n\n  • 9 Sep 2025"
    assert fields_of(text, PageContext(registry=Registry(()))).published == datetime(2021, 3, 3)


@pytest.mark.parametrize(
    ("line", "order", "expected"),
    [
        ("1. November 20161. November 2016", None, datetime(2016, 11, 1)),  # run-together pair
        ("Dezember 29, 2021Dezember 29, 2021", None, datetime(2021, 12, 29)),
        ("01.21.2020 07:00 AM", None, datetime(2020, 1, 21, 7, 0)),  # month first: 21 > 12
        ("Por Alberto Ávila 27 de agosto 2019", None, datetime(2019, 8, 27)),
        ("15 августа 2016, 13:43", None, datetime(2016, 8, 15, 13, 43)),
        ("By A. Writer • 11/08/23 5:19pm", "MDY", datetime(2023, 11, 8, 17, 19)),
    ],
)
def test_dates_as_page_dumps_print_them(line: str, order: str | None, expected: datetime) -> None:
    found = find_dates(line, order)
    assert found and found[0].value == expected


def test_fractions_and_versions_are_not_dates() -> None:
    assert find_dates("3/4 cup of flour, version 1.2.3") == []


def test_byline_with_a_date_wins_over_a_dated_line_after_the_story() -> None:
    text = page("By Jane Doe 4 November 2020") + "\n\nUpdated 17 September 2020"
    assert fields_of(text, PageContext(registry=Registry(()))).published == datetime(2020, 11, 4)


def test_labelled_date_in_the_story_wins_over_a_dated_document_after_it() -> None:
    paragraphs = [
        STORY.replace("four", n) for n in ("two", "three", "four", "five", "six", "seven")
    ]
    text = "\n\n".join(
        ["Town News", "  • Home\n  • Local", "Neue Regeln für die Tabaksteuer", *paragraphs,
         "Datum: 18.10.2021", STORY.replace("four", "eight"), "Weitere Informationen",
         "Informationsschreiben vom 14. Oktober 2021 PDF | 38 KB"]
    )  # fmt: skip
    assert fields_of(text, PageContext(registry=Registry(()))).published == datetime(2021, 10, 18)


_W3M_MENU = "  • Share\n  • Print\n  • Mail\n  • Save"


def _dump_signed(
    byline: str,
    headline: str = "Noise complaints reach the committee at last",
    menu: str = _W3M_MENU,
) -> str:
    """A story dump whose byline comes last, past a menu and a related-stories line."""
    related = "Related: the committee's agenda for the spring session and the minutes of March"
    story = [STORY, STORY.replace("four", "six")]
    return "\n\n".join(["Town News", headline, *story, menu, related, byline])


def _authors(text: str) -> list[str]:
    return fields_of(text, PageContext(registry=Registry(()))).authors


def test_a_name_above_the_date_that_the_cleaner_kept_in_the_story() -> None:
    # the story's first paragraph runs before the name and its date (an inscriptis dump of a
    # blog post): the name is read beside the date as the page shows it, not only in the
    # cleaner's byline zone, unless it is a word the page writes in lower case (a button)
    def dump(name: str) -> str:
        lead, rest = STORY, STORY.replace("four", "six")
        last = "Ask a question about the meeting in the comments below, or read the minutes."
        parts = [name, "23.07.2025 · 6 min read", rest, last]
        return "\n\n".join(["Town News", "  • Home\n  • Local", _TITLE, lead, *parts])

    assert _authors(dump("Jane Roe")) == ["Jane Roe"]
    assert _authors(dump("Ask Question")) == []


_TITLE = "Noise complaints reach the committee at last"


def test_a_title_case_line_by_the_date_is_no_name_if_the_page_writes_its_words() -> None:
    # "Council Update" over the date is a label: the story speaks of an update in lower case,
    # so the by-line at the foot names the author; a name's words are no ordinary words of
    # the page ("jane.roe@…" is an address, no prose)
    def dump(name: str) -> str:
        story = STORY + " The next update is due in May; write to jane.roe@town.example."
        parts = [_TITLE, name, "3 March 2021", story, STORY.replace("four", "six")]
        foot = ["Share", "Related", "More from the town", "Contact us", "Written by Ann Lee"]
        return "\n\n".join(["Town News", "  • Home\n  • Local", *parts, *foot])

    assert _authors(dump("Council Update")) == ["Ann Lee"]
    assert _authors(dump("Jane Roe")) == ["Jane Roe"]


def test_a_name_under_the_headline_that_the_page_names_again_in_prose() -> None:
    # no by-word, no date: the line under the headline is the author's name when the page
    # names that person inside a longer line too (the bio); a button is named nowhere else
    def dump(under: str) -> str:
        bio = "Jane Roe is a freelance writer who covers the town council."
        parts = [_TITLE, under, STORY, STORY.replace("four", "six"), bio]
        return "\n\n".join(["Town News", "  • Home\n  • Local", *parts])

    assert _authors(dump("Jane Roe")) == ["Jane Roe"]
    assert _authors(dump("Live Chat")) == []


def test_a_name_under_the_headline_with_the_date_a_few_lines_below() -> None:
    # headline, name, a breadcrumb, then the date (an inscriptis dump that shows no author
    # photo): the byline's own order names the author though the page names her once
    def dump(dated: bool) -> str:
        crumbs = "   1. Articles /\n   2. Town /\n   3. Noise"
        date = ["Last updated on December 20, 2024."] if dated else []
        parts = [_TITLE, "Jane Roe", crumbs, *date, STORY, STORY.replace("four", "six")]
        return "\n\n".join(["Town News", "  • Home\n  • Local", *parts])

    assert _authors(dump(dated=True)) == ["Jane Roe"]
    assert _authors(dump(dated=False)) == []
    # the name printed twice (its photo's alt text, then the name) is read once; a menu's
    # item under a heading is no name
    assert _authors(dump(dated=True).replace("Jane Roe", "Jane Roe Jane Roe")) == ["Jane Roe"]
    assert _authors(dump(dated=True).replace("Jane Roe", "  • Doc Storage")) == []


def test_a_name_glued_to_the_date_after_it() -> None:
    # a markdown dump glues the author's link to the date that follows it: the name is read
    # beside the date, not the section's label above it
    def dump(byline: str) -> str:
        parts = [_TITLE, "Town Hall", byline, STORY, STORY.replace("four", "six")]
        return "\n\n".join(["Town News", "  • Home\n  • Local", *parts])

    assert _authors(dump("Jane RoeSeptember 4, 2025")) == ["Jane Roe"]
    assert _authors(dump("Jane Roe September 4, 2025")) == ["Jane Roe"]


def test_a_byline_line_far_from_the_story_still_names_the_author() -> None:
    """'Written by …' under the story, past the lines next to it: still the byline; a
    sentence that starts with "By" is prose, not a byline."""
    assert _authors(_dump_signed("Written by Jane Doe")) == ["Jane Doe"]
    assert _authors(_dump_signed("By leveraging data, councils can plan ahead")) == []
    assert _authors(_dump_signed("Text by Jane Doe")) == ["Jane Doe"]


def test_a_markdown_dumps_byline_reads_as_its_text() -> None:
    """html2text keeps links and emphasis: "**Written by [Jane Doe](/team/jd)**"."""
    text = _dump_signed(
        "**Written by [Jane Doe](/team/jd)**",
        headline="# Noise complaints reach the committee at last",
        menu="  * [Share](/share)\n  * [Print](/print)\n  * [Mail](/mail)\n  * [Save](/save)",
    )
    assert _authors(text) == ["Jane Doe"]


def test_an_indented_dumps_byline_under_the_headline() -> None:
    """inscriptis prints the page's layout with spaces: the headline, the "By" line and the
    story stand indented, each as deep as its element; the by-line names the author."""
    lines = [
        "  Town News",
        "",
        "    * Home",
        "    * Local",
        "",
        f"        {_TITLE}",
        "",
        "          By Jane Roe",
        "          23.07.2025",
        "",
        *(f"        {paragraph}\n" for paragraph in (STORY, STORY.replace("four", "six"))),
    ]
    assert _authors("\n".join(lines)) == ["Jane Roe"]


def test_a_byline_in_a_table_cell_laid_beside_another() -> None:
    """w3m lays a table's cells side by side on one line: the byline is the cell's."""
    cells = "  • What We Do [clear]" + " " * 30 + "by Jane Doe - Town Hall"
    assert _authors(_dump_signed(cells)) == ["Jane Doe"]


def _registry(order: str | None) -> Registry:
    return Registry((Source("Town News", ("town.example",), "UTC", date_order=order),))


@pytest.mark.parametrize(
    ("order", "url", "published", "raw"),
    [
        ("DMY", None, datetime(2003, 2, 1), "01/02/03"),
        ("MDY", None, datetime(2003, 1, 2), "01/02/03"),
        ("YMD", None, datetime(2001, 2, 3), "01/02/03"),
        # No order known: not guessed; the page's date is shown as ambiguous instead.
        (None, None, None, "01/02/03 (ambiguous: day/month order unknown for this source)"),
        # The page's own URL settles it.
        (None, "https://town.example/2003/01/story", datetime(2003, 1, 2), "01/02/03"),
    ],
)
def test_an_ambiguous_numeric_date_needs_the_sources_order(
    order: str | None, url: str | None, published: datetime | None, raw: str
) -> None:
    ctx = PageContext(registry=_registry(order), url=url or "https://town.example/n/1")
    found = fields_of(page("By Jane Doe | 01/02/03\n\nOther story, 9 Sep 2025"), ctx)
    assert (found.published, found.published_raw) == (published, raw)
    if published is None:
        assert found.published_method == "ambiguous"


def test_a_pages_own_dates_or_language_can_settle_the_order() -> None:
    ctx = PageContext(registry=_registry(None))
    # 12/31/2002 elsewhere on the page can only be month first: so is 01/02/2003.
    text = page("By Jane Doe | 01/02/2003") + "\n\nComments closed 12/31/2002"
    assert fields_of(text, ctx).published == datetime(2003, 1, 2)
    # A German page writes day first; with a two-digit year it is still ambiguous.
    de = PageContext(registry=_registry(None))
    story = "Der Gemeinderat hat am Dienstag beschlossen, die alte Hafenmauer neu zu bauen. " * 4
    dump = "\n\n".join(
        ["Stadtnachrichten", "Hafenmauer wird neu gebaut", "Von Anna Schmidt, 05/06/2019", story]
    )
    assert fields_of(dump, de).published == datetime(2019, 6, 5)
    assert fields_of(dump.replace("2019", "19"), de).published is None


@pytest.mark.parametrize(
    ("share", "published"),
    [
        # a WordPress share button links to the page itself
        ("[Twitter](https://town.example/2019/10/31/noise/?share=twitter)", datetime(2019, 10, 31)),
        # the others pass the page's address as a parameter
        (
            "[Facebook](https://www.facebook.com/sharer.php?u=https%3A%2F%2Ftown.example%2F2019"
            "%2F10%2F31%2Fnoise%2F)",
            datetime(2019, 10, 31),
        ),
        # a year and a month name no day
        ("[Twitter](https://town.example/2019/10/noise/?share=twitter)", None),
        ("[Twitter](https://twitter.com/townnews)", None),  # no share button
    ],
)
def test_a_markdown_dump_without_a_date_takes_the_day_its_share_links_address_names(
    share: str, published: datetime | None
) -> None:
    text = page("By Jane Doe") + f"\n\nShare this:\n\n  * {share}\n  * [Mail](mailto:?x=1)"
    found = fields_of(text, PageContext(registry=REGISTRY))
    assert found.published == published
    assert found.published_method == ("url" if published else None)


def test_a_printed_date_wins_over_the_address_and_a_url_line_counts_as_the_address() -> None:
    share = "\n\n[Twitter](https://town.example/2019/10/31/noise/?share=twitter)"
    printed = fields_of(page("By Jane Doe | 3 March 2021") + share, PageContext(registry=REGISTRY))
    assert (printed.published, printed.published_method) == (datetime(2021, 3, 3), "text-byline")
    ctx = PageContext(registry=REGISTRY, url="https://town.example/2020/02/29/noise")
    assert fields_of(page("By Jane Doe"), ctx).published == datetime(2020, 2, 29)


def test_the_lines_around_a_date_shown_as_a_list_item_or_without_a_year() -> None:
    """The cleaner reads a list item's text without its bullet and dates no "Jun 9": the
    lines around such dates under the headline are read; a date far from the story is not."""
    page = ["Headline", "Jane Roe", "  * April 10, 2025", "  * 11 min read", "Story"]
    near = {"date_lines": [{"text": "April 10, 2025", "zone": "byline", "words": 3}]}
    assert _around_dates(page, near)[:3] == ["Headline", "Jane Roe", "April 10, 2025"]
    far = {"date_lines": [{"text": "April 10, 2025", "zone": "far", "words": 3}]}
    assert _around_dates(page, far) == []
    page = ["Headline", "Jane Roe", "Jun 9", "Story"]
    assert "Jane Roe" in _around_dates(page, {"before_body": ["Jane Roe", "Jun 9"]})
    assert _around_dates(page, {"before_body": ["Jane Roe"], "after_body": ["Jun 9"]}) == []


def test_a_by_line_outranks_a_thread_read_from_the_posts_structure() -> None:
    # a blog post whose author signs it and answers its comments: the headers ("Tim" / a
    # date) look like a thread's, but the by-line names the author in full; with no by-line
    # the thread's first poster is read, unless the word is an ordinary word of the page
    # (the story "heard" evidence)
    def authors(first_header: str, byline: str) -> list[str]:
        header = [first_header, "March 3, 2021"]
        comments = ["Ann Lee", "March 4, 2021", "Thanks for this.", first_header,
                    "March 5, 2021", "Glad it helped, Ann."]  # fmt: skip
        story = [STORY, STORY.replace("four", "six")]
        text = "\n\n".join(["Town News", _TITLE, byline, *header, *story, *comments])
        ctx = PageContext(registry=Registry(()))
        cleaned = clean_text_dump(text, ctx)  # the stage's story: the thread's first post
        return extract_text_dump(text, cleaned.hints, ctx, cleaned.body).authors

    assert authors("Tim", "By Tim Anderson") == ["Tim Anderson"]
    assert authors("Tim", "Town Hall") == ["Tim"]
    assert authors("Heard", "Town Hall") == []
