"""extract_html: metadata from structured data, meta tags, the page's text and registry rules."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta, timezone

import pytest

from newsdesk.core.registry import ExtractionRules, Registry, Source
from tasks.extract.authors import clean_authors
from tasks.extract.html import clean_title, extract_html
from tasks.page.fields import PageContext, PageFields
from tasks.page.html import clean_html
from tests.conftest import FIXTURES

HTML = FIXTURES / "html"
EXPECTED = json.loads((HTML / "devset_expected.json").read_text(encoding="utf-8"))
EMPTY = PageContext(registry=Registry(()))
STORY = "".join(
    f"<p>{s}</p>"
    for s in (
        "The council voted on Tuesday to rebuild the old harbour wall before the winter storms.",
        "Engineers said the work would take four months and cost about two million euros.",
        "Residents who had campaigned for the repair welcomed the decision after years of delay.",
    )
)


def fields_of(html: str, ctx: PageContext = EMPTY) -> PageFields:
    cleaned = clean_html(html, ctx)
    return extract_html(html, json.loads(json.dumps(cleaned.hints)), ctx)


def page(head: str, body: str = "") -> str:
    return (
        f"<html lang='en-GB'><head>{head}</head><body><article><h1>Harbour wall to be rebuilt"
        f"</h1>{body}{STORY}</article></body></html>"
    )


def jsonld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


NEWS = {
    "@context": "https://schema.org",
    "@graph": [
        {"@type": "WebSite", "name": "Example Times"},
        {
            "@type": "NewsArticle",
            "headline": "Harbour wall to be rebuilt",
            "datePublished": "2024-03-05T09:30:00+01:00",
            "dateModified": "2024-03-06T10:00:00+01:00",
            "author": [
                {"@type": "Person", "name": "By Jane Roe"},
                {"@type": "Person", "name": "John Smith, Staff Writer"},
                {"@type": "Person", "name": "Staff"},
            ],
            "articleSection": "Local",
            "keywords": "harbour, council, storms",
            "publisher": {"@type": "Organization", "name": "Example Times"},
            "image": {"@type": "ImageObject", "url": "https://example.org/wall.jpg"},
        },
    ],
}


def test_jsonld_gives_the_fields_and_the_date_keeps_its_offset() -> None:
    head = (
        "<title>Harbour wall to be rebuilt | Example Times</title>"
        '<link rel="canonical" href="https://example.org/news/harbour-wall">'
        '<meta property="og:description" content="The town repairs its wall.">' + jsonld(NEWS)
    )
    fields = fields_of(page(head))
    assert fields.title == "Harbour wall to be rebuilt"
    assert fields.published == datetime(2024, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    assert fields.published_raw == "2024-03-05T09:30:00+01:00"
    assert fields.published_method == "json-ld"
    assert fields.modified == datetime(2024, 3, 6, 10, tzinfo=timezone(timedelta(hours=1)))
    assert fields.authors == ["Jane Roe", "John Smith"]  # roles and "Staff" are not names
    assert fields.section == "Local"
    assert fields.tags == ["harbour", "council", "storms"]
    assert fields.site_name == "Example Times"
    assert fields.canonical_url == "https://example.org/news/harbour-wall"
    assert fields.image_url == "https://example.org/wall.jpg"
    assert fields.description == "The town repairs its wall."
    assert fields.language == "en"
    assert fields.extraction_method.startswith("trafilatura")


def test_meta_tags_without_a_zone_give_a_naive_date() -> None:
    head = (
        "<title>Harbour wall to be rebuilt - Example Times</title>"
        '<meta property="og:site_name" content="Example Times">'
        '<meta property="article:published_time" content="2024-03-05T09:30:00">'
        '<meta name="author" content="jane.roe@example.org">'
        '<meta name="author" content="Anna Berg">'
        '<meta property="article:tag" content="harbour">'
    )
    fields = fields_of(page(head))
    assert fields.published == datetime(2024, 3, 5, 9, 30)
    assert fields.published.tzinfo is None
    assert fields.published_method == "meta"
    assert fields.title == "Harbour wall to be rebuilt"
    assert fields.authors == ["Anna Berg"]
    assert fields.tags == ["harbour"]


def test_a_published_on_byline_is_used_when_there_is_no_structured_date() -> None:
    body = "<p class='meta'>Veröffentlicht am 16.08.2019 von Anna Berg</p>"
    fields = fields_of(page("<title>Harbour wall</title>", body))
    assert fields.published == datetime(2019, 8, 16)
    assert fields.published_method == "text"


def test_a_page_with_no_date_at_all_gives_none() -> None:
    fields = fields_of(page("<title>Harbour wall</title>"))
    assert fields.published is None
    assert fields.published_method is None


def test_registry_rules_override_title_date_and_authors() -> None:
    rules = ExtractionRules(
        title="//h2[@class='headline']",
        date="//span[@class='when']",
        authors="//span[@class='who']",
    )
    registry = Registry(
        (
            Source(
                name="Example Times",
                domains=("example.org",),
                timezone="Europe/Berlin",
                rules=rules,
            ),
        )
    )
    body = (
        "<h2 class='headline'>The real headline</h2><span class='when'>2024-03-07 08:00</span>"
        "<span class='who'>Von Anna Berg und Jan Kowalski</span>"
    )
    html = page(jsonld(NEWS), body)
    ctx = PageContext(registry=registry, url="https://www.example.org/news/1")
    fields = fields_of(html, ctx)
    assert fields.title == "The real headline"
    assert fields.published == datetime(2024, 3, 7, 8, 0)
    assert fields.published_method == "rules"
    assert fields.authors == ["Anna Berg", "Jan Kowalski"]
    # without the registry entry the page speaks: the date line under its headline
    # (another day than the JSON-LD) wins, the headline comes from the JSON-LD
    plain = fields_of(html)
    assert plain.published == datetime(2024, 3, 7)
    assert plain.published_method == "header"
    assert plain.title == "Harbour wall to be rebuilt"


def test_extract_without_hints_parses_the_page_itself() -> None:
    html = page(jsonld(NEWS))
    assert extract_html(html, {}, EMPTY) == fields_of(html)


@pytest.mark.parametrize(
    ("raw", "h1", "expected"),
    [
        ("Harbour wall to be rebuilt | Example Times", None, "Harbour wall to be rebuilt"),
        ("Example Times - Harbour wall to be rebuilt", None, "Harbour wall to be rebuilt"),
        (
            "Harbour wall: the long road to a repair | News",
            "Harbour wall: the long road to a repair",
            "Harbour wall: the long road to a repair",
        ),
        ("Harbour wall to be rebuilt", None, "Harbour wall to be rebuilt"),
        ("Harbour wall to be rebuilt \u2013 exampletimes.org", None, "Harbour wall to be rebuilt"),
    ],
)
def test_clean_title(raw: str, h1: str | None, expected: str) -> None:
    assert clean_title(raw, {"Example Times"}, h1, {"exampletimes"}) == expected


def test_authors_from_the_byline_the_page_shows() -> None:
    """No JSON-LD or meta author: the rel=author link or the .byline element names them."""
    linked = fields_of(page("", "<p class='meta'>By <a rel='author' href='/a/jr'>Jane Roe</a></p>"))
    assert linked.authors == ["Jane Roe"]
    shown = fields_of(page("", "<div class='byline'>By John Smith | 4 June 2024</div>"))
    assert shown.authors == ["John Smith"]


def test_user_names_from_structured_data_and_the_author_box() -> None:
    """A forum post's JSON-LD names its author by user name; a page without structured data
    shows the name in an author element (trafilatura's byline search finds it)."""
    post = {"@context": "https://schema.org", "@type": "BlogPosting", "headline": "Wall",
            "author": {"@type": "Person", "name": "aawoods"}}  # fmt: skip
    assert fields_of(page(jsonld(post))).authors == ["aawoods"]
    boxed = fields_of(page("", "<div class='post-meta'><span class='author'>Jane Roe</span></div>"))
    assert boxed.authors == ["Jane Roe"]


def test_authors_from_a_graph_reference_before_an_organisation() -> None:
    """Yoast's @graph names the author by reference ({"@id": …}) to a Person node elsewhere
    on the page; an Organization credited as author only counts when no person is named."""
    person = {"@type": "Person", "@id": "https://example.org/#/jr", "name": "Jane Roe",
              "url": "https://example.org/author/jr/"}  # fmt: skip
    post = {"@context": "https://schema.org", "@graph": [
        {"@type": "Article", "headline": "Wall", "author": {"@id": "https://example.org/#/jr"}},
        person]}  # fmt: skip
    assert fields_of(page(jsonld(post))).authors == ["Jane Roe"]
    by_org = {"@context": "https://schema.org", "@type": "Article", "headline": "Wall",
              "author": {"@type": "Organization", "name": "Harbour Works"}}  # fmt: skip
    shown = "<div class='post-meta'><span class='author'>John Smith</span></div>"
    assert fields_of(page(jsonld(by_org), shown)).authors == ["John Smith"]
    assert fields_of(page(jsonld(by_org))).authors == ["Harbour Works"]


def test_a_desk_is_credited_only_when_no_person_is() -> None:
    """A desk or a team in the author field is the page's credit when it names no person; a
    person beside the desk wins."""
    desk = '<meta name="author" content="Lifestyle Desk">'
    assert fields_of(page(desk)).authors == ["Lifestyle Desk"]
    shown = "<p class='byline'>By <a rel='author' href='/a/jr'>Jane Roe</a></p>"
    assert fields_of(page(desk, shown)).authors == ["Jane Roe"]
    named = '<meta name="author" content="David Jackson - FullStack Editorial Team">'
    assert fields_of(page(named)).authors == ["David Jackson"]


def test_a_byline_without_markup_next_to_the_headline() -> None:
    """No structured author and no byline markup: the lines around the headline hold it, as
    a by-line, or as a name above the date (not a section name far from the date)."""
    by = fields_of(page("", "<p class='x'>by: <!-- -->Jane Roe<!-- -->, Dec 17, 2025</p>"))
    assert by.authors == ["Jane Roe"]
    dated = fields_of(page("", "<p>John Smith</p><div><span>July 23, 2025</span> · 6 min</div>"))
    assert dated.authors == ["John Smith"]
    undated = fields_of(page("", "<p>John Smith</p><p>Share this story</p>"))
    assert undated.authors == []


def test_a_cms_account_yields_to_the_person_the_byline_shows() -> None:
    """Structured data naming a CMS account ("andrew.keaveney", "KatieS") yields to the
    person the page's byline shows; a first name alone ("Susan") is a name, and stays."""
    shown = "<p>by <a class='author-link' href='/authors/ao'><span>Aoife O'Riordan</span></a></p>"
    account = '<meta name="author" content="KatieS">'
    assert fields_of(page(account, shown)).authors == ["Aoife O'Riordan"]
    assert fields_of(page(account)).authors == ["KatieS"]
    first_name = '<meta name="author" content="Susan">'
    assert fields_of(page(first_name, shown)).authors == ["Susan"]


def test_a_link_to_an_author_page_names_the_author() -> None:
    """The first link to an author's page names the story's author where nothing else does,
    and where the structured data credits the publisher; a teaser's author never does."""
    linked = "<p><a href='/author/mk/'>Moses Kim and Kate Shokurova</a></p>"
    assert fields_of(page("", linked)).authors == ["Moses Kim", "Kate Shokurova"]
    publisher = (
        '<meta property="og:site_name" content="Rapid7"><meta name="author" content="Rapid7">'
    )
    person = "<a href='/blog/author/spencer/'>Spencer McIntyre</a>"
    assert fields_of(page(publisher, person)).authors == ["Spencer McIntyre"]
    assert fields_of(page(publisher, "<a href='/author/spencer/'>Full bio</a>")).authors == [
        "Rapid7"
    ]
    teaser = "<a href='/author/news/'>Rapid7</a><p>More</p><a href='/author/sm/'>Scott Miller</a>"
    assert fields_of(page(publisher, teaser)).authors == ["Rapid7"]


def test_authors_from_forum_and_seo_markup() -> None:
    """A forum thread's starter is its first post's user name, not a reply's; a
    DiscussionForumPosting names it too; Yoast's "Written by" twitter label names a writer."""
    posts = (
        "<article class='message message--post' data-author='Pippin06'>"
        "<a class='username'>Pippin06</a></article>"
        "<article class='message message--post' data-author='SmellSharpe'>"
        "<span class='author'>Smell Sharpe</span></article>"
    )
    assert fields_of(page("", posts)).authors == ["Pippin06"]
    thread = {"@context": "https://schema.org", "@type": "DiscussionForumPosting",
              "headline": "Wall", "author": {"@type": "Person", "name": "Linc"}}  # fmt: skip
    assert fields_of(page(jsonld(thread))).authors == ["Linc"]
    # a WebPage credits no one; the Article beside it does; a comment's writer never counts
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "name": "Wall", "datePublished": "2025-01-02"},
        {"@type": "Comment", "author": {"@type": "Person", "name": "Late Reply"}},
        {"@type": "HowTo", "name": "Wall",
         "author": {"@type": "Person", "name": "Ann Lee"}}]}  # fmt: skip
    assert fields_of(page(jsonld(graph))).authors == ["Ann Lee"]
    yoast = (
        '<meta name="twitter:label1" content="Written by">'
        '<meta name="twitter:data1" content="Jane Roe">'
    )
    assert fields_of(page(yoast)).authors == ["Jane Roe"]


def test_a_name_under_an_author_label_or_opening_the_description() -> None:
    """No markup names the author: a heading "Article written by:" over the name, or the
    description's own "By …"; a second label (a book's "Author:") adds no one."""
    boxed = "<h2>Article written by:</h2><h3>Doris Munoz, MD</h3><p>Author:</p><p>H.G. Parry</p>"
    assert fields_of(page("", STORY + boxed)).authors == ["Doris Munoz"]
    described = (
        '<meta name="description" content="By Jane Roe | HARBOURTOWN, Dec 20 - The council">'
    )
    assert fields_of(page(described)).authors == ["Jane Roe"]


def test_page_types_from_markup_and_structure() -> None:
    """A news article is an article; a shop's product page and a section page full of links
    are not, whatever og:type they claim."""
    news = fields_of(page(jsonld(NEWS) + '<meta property="og:type" content="article">'))
    assert news.page_type == "article"
    product = {"@context": "https://schema.org", "@type": "Product", "name": "Kettle",
               "offers": {"@type": "Offer", "price": "20"}}  # fmt: skip
    shop = fields_of(
        "<html><head>" + jsonld(product) + '<meta property="og:type" content="product">'
        "</head><body><h1>Kettle</h1><p>A kettle.</p><form><button>Add to cart</button>"
        "<span itemprop='price'>20</span></form></body></html>"
    )
    assert shop.page_type == "product"
    teasers = "".join(
        f"<article><h2><a href='/news/{n}'>Harbour story number {n} of the week</a></h2>"
        f"<a href='/news/{n}'>Read the whole story about harbour {n}</a></article>"
        for n in range(30)
    )
    section = fields_of(
        "<html><head><link rel='canonical' href='https://example.org/section/local/'>"
        "<meta property='og:type' content='website'></head><body><h1>Local</h1>"
        f"{teasers}</body></html>"
    )
    assert section.page_type in ("listing", "other")


def test_the_page_type_is_decided_once_by_clean() -> None:
    """clean_html classifies the page (its body handling depends on the type) and extract
    reads that decision; hints gathered before clean wrote it are classified by extract."""
    html = page(jsonld(NEWS))
    hints = clean_html(html, EMPTY).hints
    assert hints["page"]["type"] == "article"
    decided = json.loads(json.dumps(hints))
    decided["page"]["type"] = "forum"  # what clean said stands, the signals are not read again
    assert extract_html(html, decided, EMPTY).page_type == "forum"
    del decided["page"]["type"]
    assert extract_html(html, decided, EMPTY).page_type == "article"


@pytest.mark.parametrize(
    ("raws", "expected"),
    [
        (["By Jane Roe and John Smith"], ["Jane Roe", "John Smith"]),
        (["Von Anna Berg, dpa"], ["Anna Berg"]),
        (["jane@example.org"], []),
        (["Redaktion"], []),
        (["Example Times"], []),
        (["https://example.org/authors/jane"], []),
        (["Jane Roe (Reporterin)", "Jane Roe"], ["Jane Roe"]),
        (["E. Smith"], ["E. Smith"]),
        (["By JANE ROE | March 3, 2025"], ["Jane Roe"]),
        (["Posted on March 3, 2025 by Jane Roe"], ["Jane Roe"]),
        (["Written by Jane Roe Updated 5 hours ago"], ["Jane Roe"]),
        (["Jane Roe jane@example.org, Senior Editor"], ["Jane Roe"]),
        (["Lifestyle Desk / example.in / Updated: Dec 17, 2025, 21:47 IST"], []),
        (["Sat, 20 Dec, 2025 - 06:36"], []),
        (["Author"], []),
        (["@harbourtimes"], []),
    ],
)
def test_clean_authors(raws: list[str], expected: list[str]) -> None:
    assert clean_authors(raws, exclude={"Example Times"}) == expected


@pytest.mark.parametrize("doc_id", list(EXPECTED))
def test_devset_pages_title_and_date(doc_id: str) -> None:
    html = gzip.decompress((HTML / f"{doc_id}.html.gz").read_bytes()).decode("utf-8")
    fields = fields_of(html)
    expected = EXPECTED[doc_id]
    if "title" in expected:
        assert fields.title == expected["title"]
    if "date" in expected:
        assert fields.published is not None
        assert fields.published.date().isoformat() == expected["date"]


def test_a_hostile_json_ld_block_is_ignored_and_the_next_one_read() -> None:
    """A block nested 100,000 deep (RecursionError) or holding a 5,000-digit number
    (ValueError in int()) costs that block only, not the page."""
    deep = "[" * 100_000 + "]" * 100_000
    big = '{"@type": "WebPage", "n": ' + "9" * 5000 + "}"
    good = '{"@type": "NewsArticle", "headline": "From JSON-LD", "datePublished": "2024-03-01"}'
    scripts = "".join(f"<script type='application/ld+json'>{b}</script>" for b in (deep, big, good))
    found = fields_of(page(f"<title>Harbour</title>{scripts}"))
    assert found.published == datetime(2024, 3, 1)


@pytest.mark.parametrize(
    ("shown", "lang", "order", "expected"),
    [
        ("01/02/03", "en", None, None),  # htmldate would guess; newsdesk does not
        ("01/02/03", "en", "MDY", datetime(2003, 1, 2)),
        ("05/06/2019", "de", None, datetime(2019, 6, 5)),  # German pages write the day first
        ("05/06/2019", "en", None, None),
        ("17/06/2019", "en", None, datetime(2019, 6, 17)),  # one order only reads it
    ],
)
def test_a_shown_numeric_date_is_read_only_in_a_known_order(
    shown: str, lang: str, order: str | None, expected: datetime | None
) -> None:
    registry = Registry((Source("Town News", ("town.example",), "UTC", date_order=order),))
    ctx = PageContext(registry=registry, url="https://town.example/news/harbour")
    html = page("<title>Harbour</title>", f"<p class='date'>Published {shown}</p>")
    found = fields_of(html.replace("lang='en-GB'", f"lang='{lang}'"), ctx)
    assert found.published == expected
