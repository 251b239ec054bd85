"""clean_html: main text from real pages and hand-made ones, registry rules, leftovers."""

from __future__ import annotations

import gzip
import json
import threading

import pytest

from newsdesk.core.registry import ExtractionRules, Registry, Source
from tasks.page.fields import PageContext
from tasks.page.html import (
    _APART,
    _external_keeps_lead,
    _keep_own_lead,
    _keeping_lead,
    clean_html,
)
from tasks.page.leftovers import is_leftover
from tasks.page.rules import RuleError, compile_selector
from tests.conftest import FIXTURES

HTML = FIXTURES / "html"
EXPECTED = json.loads((HTML / "devset_expected.json").read_text(encoding="utf-8"))
EMPTY = PageContext(registry=Registry(()))

STORY = [
    "The council voted on Tuesday to rebuild the old harbour wall before the winter storms.",
    "Engineers said the work would take four months and cost about two million euros.",
    "Residents who had campaigned for the repair welcomed the decision after years of delay.",
    "The mayor said the town could not afford another flood like the one in 2019.",
]


def page(body: str, head: str = "") -> str:
    title = "<title>Harbour wall | Example Times</title>"
    return f"<html><head>{title}{head}</head><body>{body}</body></html>"


def article(extra_after: str = "", extra_before: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY)
    return page(
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></nav>"
        f"<article><h1>Harbour wall to be rebuilt</h1>{extra_before}{paragraphs}{extra_after}"
        "</article><footer>Impressum · Datenschutz</footer>"
    )


@pytest.mark.parametrize("doc_id", [k for k, v in EXPECTED.items() if v["set"] == "segments"])
def test_devset_pages_keep_the_story_and_drop_the_boilerplate(doc_id: str) -> None:
    html = gzip.decompress((HTML / f"{doc_id}.html.gz").read_bytes()).decode("utf-8")
    cleaned = clean_html(html, EMPTY)
    expected = EXPECTED[doc_id]
    for segment in expected["with"]:
        assert segment in " ".join(cleaned.body.split()), segment
    for segment in expected["without"]:
        assert segment not in cleaned.body, segment
    assert "\n\n" in cleaned.body
    json.dumps(cleaned.hints)  # the hints travel as a JSON column


def test_a_plain_article_gives_its_paragraphs_separated_by_blank_lines() -> None:
    cleaned = clean_html(article(), EMPTY)
    assert cleaned.method == "trafilatura"
    assert cleaned.body.split("\n\n")[-4:] == STORY
    assert "Impressum" not in cleaned.body


def test_an_article_s_body_does_not_repeat_its_headline() -> None:
    # trafilatura keeps the <h1> of the container it reads; the headline is the title field
    cleaned = clean_html(article(), EMPTY)
    assert cleaned.body.split("\n\n") == STORY
    # a headline that the text repeats later is not the opening line: the body is untouched
    repeated = article(extra_before="<p>Harbour wall to be rebuilt</p>")
    assert clean_html(repeated, EMPTY).body.split("\n\n")[0] == "Harbour wall to be rebuilt"


def test_a_page_without_an_article_gives_an_empty_body() -> None:
    assert clean_html("<html><body></body></html>", EMPTY).body == ""
    assert clean_html("", EMPTY).body == ""


def test_leftovers_are_removed_but_story_sentences_with_such_words_stay() -> None:
    leftovers = (
        "<p>Share this: Facebook, Twitter</p>"
        "<p>Subscribe to our newsletter for the latest updates.</p>"
        "<p>Photo: Jane Roe / Example Agency</p>"
        "<h3>Related articles</h3><ul><li><a href='/a'>Storm warning for the coast</a></li>"
        "<li><a href='/b'>Ferry timetable changes</a></li></ul>"
    )
    story_with_word = (
        "<p>The newsletter of the harbour association had warned readers about the wall "
        "for years, and its editor said the decision came far too late for many of them.</p>"
    )
    cleaned = clean_html(article(extra_after=story_with_word + leftovers), EMPTY)
    for gone in (
        "Share this",
        "Subscribe to our newsletter",
        "Photo: Jane Roe",
        "Related articles",
        "Storm warning for the coast",
    ):
        assert gone not in cleaned.body
    assert "The newsletter of the harbour association" in cleaned.body
    assert STORY[0] in cleaned.body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Teilen mit:", True),
        ("Zum Newsletter anmelden", True),
        ("Crédits photos : Bestimage", True),
        ("Czytaj też: inne wiadomości", True),
        ("Read more", True),
        ("Photographers gathered at the harbour to watch the storm.", False),
        ("Read more than the headline: " + "the council's report is long. " * 6, False),
    ],
)
def test_is_leftover(text: str, expected: bool) -> None:
    assert is_leftover(text) is expected


def test_the_description_shown_as_a_lead_is_the_standfirst_not_body() -> None:
    """The page's description shown above the story is its standfirst: a field of its own,
    never prepended to the body."""
    from tasks.extract.html import extract_html

    lead = "After years of delay the town will finally repair the wall that protects its port."
    head = f'<meta name="description" content="{lead}">'
    body = (
        f"<article><h1>Harbour wall</h1><div class='teaser'><strong>{lead}</strong></div>"
        + "".join(f"<p>{p}</p>" for p in STORY)
        + "</article>"
    )
    cleaned = clean_html(page(body, head), EMPTY)
    assert lead not in cleaned.body
    assert cleaned.body.endswith(STORY[-1])
    assert extract_html(page(body, head), cleaned.hints, EMPTY).standfirst == lead
    # a description the page never shows is no standfirst
    hidden = page("<article>" + "".join(f"<p>{p}</p>" for p in STORY) + "</article>", head)
    found = clean_html(hidden, EMPTY)
    assert lead not in found.body
    assert extract_html(hidden, found.hints, EMPTY).standfirst is None


def test_a_lead_the_markup_names_is_the_standfirst_when_no_description_shows() -> None:
    """A page without a description it shows: the block before the story that its class marks
    as a teaser, excerpt or lead is the standfirst. A marked block after the story (a teaser
    of another story), or one that is a link, is not."""
    from tasks.extract.html import extract_html

    lead = "After years of delay the town will finally repair the wall that protects its port."
    story = "".join(f"<p>{p}</p>" for p in STORY)
    before = f"<h1>Harbour wall</h1><div class='post-teaser'><p>{lead}</p></div>"
    html = page(f"{before}<div class='content'>{story}</div>")
    cleaned = clean_html(html, EMPTY)
    assert lead not in cleaned.body
    assert cleaned.body.endswith(STORY[-1])
    assert extract_html(html, cleaned.hints, EMPTY).standfirst == lead
    # after the story: another story's teaser
    card = f"<div class='entry-excerpt'><p>{lead}</p></div>"
    assert clean_html(page(f"<div>{story}</div>{card}"), EMPTY).hints["standfirst"] is None
    # a link to another page, not a lead
    linked = f"<div class='teaser'><p><a href='/other'>{lead}</a></p></div><div>{story}</div>"
    assert clean_html(page(linked), EMPTY).hints["standfirst"] is None
    # a class word inside another word marks nothing ("leader", "introduction")
    board = f"<div class='leaderboard'><p>{lead}</p></div><div>{story}</div>"
    assert clean_html(page(board), EMPTY).hints["standfirst"] is None


@pytest.mark.parametrize(
    "shown",
    [
        "  After   years\n of delay the town will <b>finally</b> repair the wall that"
        " protects its port.",
        "After&nbsp;years of <em>delay</em> the town will finally repair the wall that"
        " protects its port.",
    ],
)
def test_the_lead_is_found_however_its_spaces_and_markup_fall(shown: str) -> None:
    """The lead is matched on normalised text (spaces collapsed), whatever the raw text's
    spacing and inline markup; it is looked for before trafilatura prunes the tree."""
    lead = "After years of delay the town will finally repair the wall that protects its port."
    head = f'<meta name="description" content="{lead}">'
    body = f"<article><h1>Harbour wall</h1><div class='teaser'><strong>{shown}</strong></div>"
    body += "".join(f"<p>{p}</p>" for p in STORY)
    cleaned = clean_html(page(body + "</article>", head), EMPTY)
    assert cleaned.hints["standfirst"] == lead


@pytest.mark.parametrize("name", ["s0105.html.gz", "s0194.html.gz", "d0035.html.gz"])
def test_trafilatura_on_the_tree_itself_gives_bare_extractions_body(name: str) -> None:
    """_bare_extraction runs trafilatura's steps on the tree it is given (no copy) and gives
    the body trafilatura.bare_extraction gives with the same options."""
    from lxml import etree
    from trafilatura import bare_extraction

    from tasks.page.html import _OPTIONS, _bare_extraction
    from tasks.page.parse import load_html

    html = gzip.decompress((HTML / name).read_bytes()).decode("utf-8")
    expected = bare_extraction(load_html(html), options=_OPTIONS)
    found = _bare_extraction(load_html(html))
    assert expected is not None and found is not None
    assert etree.tostring(found.body) == etree.tostring(expected.body)
    assert found.raw_text == expected.raw_text
    assert _bare_extraction(load_html("<html><body><p></p><div></div></body></html>")) is None
    assert bare_extraction(load_html("<html><body><p></p><div></div></body></html>")) is None


def registry_with(rules: ExtractionRules) -> Registry:
    return Registry(
        (
            Source(
                name="Example Times",
                domains=("example.org",),
                timezone="Europe/Berlin",
                rules=rules,
            ),
        )
    )


def test_registry_rules_pick_the_body_and_drop_nodes() -> None:
    html = page(
        "<div class='promo'><p>" + "Win a trip to the harbour! " * 10 + "</p></div>"
        "<div class='story'><p>" + "</p><p>".join(STORY) + "</p>"
        "<p class='ad'>Advertisement: buy a boat</p></div>"
        "<span class='when'>2024-03-05 09:30</span><span class='who'>By Jane Roe</span>"
    )
    rules = ExtractionRules(
        body="//div[@class='story']",
        drop=("//p[@class='ad']",),
        date="//span[@class='when']",
        title="//title",
        authors="//span[@class='who']",
    )
    ctx = PageContext(registry=registry_with(rules), url="https://www.example.org/a/1")
    cleaned = clean_html(html, ctx)
    assert cleaned.method == "rules"
    assert cleaned.body.split("\n\n") == STORY
    assert cleaned.hints["dates"]["rule"] == ["2024-03-05 09:30"]
    assert cleaned.hints["rules"]["authors"] == ["By Jane Roe"]
    # another site: the rules do not apply
    other = clean_html(
        html, PageContext(registry=registry_with(rules), url="https://elsewhere.net/a/1")
    )
    assert other.method != "rules"


def test_css_rules_work_like_xpath_ones() -> None:
    html = page(
        "<div class='story'><p>" + "</p><p>".join(STORY) + "</p></div>"
        "<p class='byline'><span class='who'>By Jane Roe</span></p>"
    )
    rules = ExtractionRules(body="div.story", authors=".byline > span.who")
    cleaned = clean_html(
        html, PageContext(registry=registry_with(rules), url="https://example.org/a")
    )
    assert cleaned.body.split("\n\n") == STORY
    assert cleaned.hints["rules"]["authors"] == ["By Jane Roe"]


def test_a_bad_rule_is_a_clear_error() -> None:
    with pytest.raises(RuleError, match="XPath"):
        compile_selector("//div[")
    with pytest.raises(RuleError, match="CSS"):
        compile_selector("div..story")


def test_br_and_list_items_keep_their_line_breaks() -> None:
    """A <br> ends a line and list items stay one per line: no word runs into the next."""
    address = (
        "<p>MIDFLORIDA Credit Union<br>West Palm Beach, FL<br>June 10 -- the branch opened</p>"
    )
    deals = "<ul>" + "".join(f"<li>Deal {n}: <b>{n}0%</b> off kettles</li>" for n in range(12))
    cleaned = clean_html(article(extra_after=address + deals + "</ul>"), EMPTY)
    lines = cleaned.body.split("\n")
    assert "West Palm Beach, FL" in lines and "June 10 -- the branch opened" in lines
    assert "FLJune" not in cleaned.body
    items = [line for line in lines if line.startswith("- Deal ")]
    assert items == [f"- Deal {n}: {n}0% off kettles" for n in range(12)]


def test_words_apart_on_the_page_stay_apart_in_minified_markup() -> None:
    """Minified markup puts no space where a browser breaks: nested blocks inside a list item
    (which trafilatura flattens into one text) and an image between two words stay two
    words, and so do blocks parted only by spaces (which trafilatura trims); inline elements
    still join ("m<sup>3</sup>" is one word)."""
    related = "<ul>" + "".join(
        f"<li><div>Story {n} joins the council as CIO</div>"
        f"<div><div><span>Digital Transformation</span></div></div>"
        f"<div> <span>Print length</span> </div> <div> <span>{n}20 pages</span> </div></li>"
        for n in range(6)
    )
    lead = "<p>Updated: December 9, 2024<img src='x.png' alt=''>If you live by the harbour</p>"
    unit = "<p>The new wall holds 40 m<sup>3</sup> of stone per metre of harbour front.</p>"
    cleaned = clean_html(article(extra_before=lead, extra_after=unit + related + "</ul>"), EMPTY)
    assert "2024 If you live" in cleaned.body
    assert "40 m3 of stone" in cleaned.body
    assert "CIODigital" not in cleaned.body
    assert "Story 5 joins the council as CIO Digital Transformation" in cleaned.body
    assert "Print length 520 pages" in cleaned.body
    assert _APART not in cleaned.body


def test_the_word_apart_mark_survives_trafilatura_s_fallback_extractors() -> None:
    """trafilatura's fallbacks (readability, its baseline) drop every non-printable character
    from what they keep; the mark that parts two words must be one they keep, or a product
    page's "$195.00</b>…<span>or 4 payments" comes out as "$195.00or"."""
    from trafilatura.utils import remove_control_characters, sanitize

    marked = f"$195.00{_APART}or 4 payments"
    assert remove_control_characters(marked) == marked
    assert sanitize(marked) == marked


def test_prose_between_blocks_is_kept_and_loose_labels_are_not() -> None:
    """Text that stands right after a heading without a <p> around it is a paragraph of the
    story when it is prose; a short loose label or dateline between blocks is not."""
    prose = "This is prose after a heading that no paragraph wraps, as older pages write it."
    section = f"<h2>Background</h2>{prose}<h2>Details</h2>Posted 24. März 2004, 19:49"
    cleaned = clean_html(article(extra_after=section + "<p>" + STORY[0] + " Again.</p>"), EMPTY)
    paragraphs = cleaned.body.split("\n\n")
    assert prose in paragraphs
    assert paragraphs.index("Background") + 1 == paragraphs.index(prose)
    assert "19:49" not in cleaned.body


def test_inline_code_stays_in_its_word_and_a_code_block_keeps_its_lines() -> None:
    inline = "<p>All the modules had to be <code>import</code>ing cleanly before the port.</p>"
    block = "<pre><code>x = 1\ny = 2</code></pre>"
    cleaned = clean_html(article(extra_after=inline + block), EMPTY)
    assert "All the modules had to be importing cleanly before the port." in cleaned.body
    assert "x = 1\ny = 2" in cleaned.body


@pytest.mark.parametrize("hidden", ["<script>var slot = 1;</script>", "<style>.a{}</style>"])
def test_a_script_or_style_between_two_words_parts_them(hidden: str) -> None:
    """What a script or style stands for (an ad it fills in, a styled gap) parts the text on
    either side; trafilatura would join it, even after a stop ("$195.00or")."""
    price = f"<p>The wall costs <b>$195.00</b>{hidden}<span>or four payments</span> a year.</p>"
    cleaned = clean_html(article(extra_before=price), EMPTY)
    assert "$195.00 or four payments" in cleaned.body


def test_words_after_dropped_furniture_are_not_glued_to_the_text_before_it() -> None:
    """A word is kept apart from the text before it even when that text ends in a stop, and
    when trafilatura drops what lay between (a share box: "Example0.com" + "Overview:")."""
    items = "".join(
        f"<li><div><span>Links to Example{n}.com</span></div><div class='share'>Share.</div>"
        f"<div class='note'>Scroll right.</div><div><strong>Overview:</strong> plan {n}</div></li>"
        for n in range(5)
    )
    cleaned = clean_html(article(extra_after=f"<ul>{items}</ul>"), EMPTY)
    assert "- Links to Example0.com Scroll right. Overview: plan 0" in cleaned.body.split("\n")
    assert "comOverview" not in cleaned.body and "right.Overview" not in cleaned.body


def test_a_text_the_page_shows_twice_is_kept_once() -> None:
    """A page that repeats its story (a copy for small screens, the article again in a
    "continue reading" block) gives each of its paragraphs once, in the first copy's order."""
    copy = "".join(f"<p>{p}</p>" for p in STORY)
    cleaned = clean_html(article(extra_after=f"<div class='mobile'>{copy}</div>"), EMPTY)
    paragraphs = cleaned.body.split("\n\n")
    assert [p for p in paragraphs if p in STORY] == STORY


def test_a_few_repeats_of_the_page_s_own_stay() -> None:
    """Headings over every product and a quote shown twice are the page's own repeats."""
    products = "".join(
        f"<h2>Kettle {n}</h2><h3>Pros</h3><p>Kettle {n} boils a litre of water in {n + 2} "
        f"minutes and keeps it warm for an hour.</p><h3>Cons</h3><p>Loud at {n}0 dB.</p>"
        for n in range(4)
    )
    quote = f"<blockquote><p>{STORY[0]}</p></blockquote>"
    cleaned = clean_html(article(extra_after=products + quote), EMPTY)
    paragraphs = cleaned.body.split("\n\n")
    assert paragraphs.count("Pros") == 4 and paragraphs.count("Cons") == 4
    assert paragraphs.count(STORY[0]) == 2


def _cards(n: int = 3, heading: str = "h3") -> str:
    tag = heading.split()[0]
    return "".join(
        f"<div class='entry'><{heading}><a href='/story-{i}'>Other story number {i} headline"
        f"</a></{tag}><p>Teaser sentence of other story {i}, which the site shows under every"
        " article of the section to keep its readers on the site a little longer.</p></div>"
        for i in range(n)
    )


@pytest.mark.parametrize("heading", ["h3", "p class='card-title h4'", "div role='heading'"])
def test_teaser_cards_after_the_story_and_outside_it_are_dropped(heading: str) -> None:
    """Whether a card's headline is an <h3> or an element styled or marked as a heading."""
    story = "".join(f"<p>{p} ({i})</p>" for i in range(3) for p in STORY)
    html = page(
        f"<div id='content'><div class='lead'><h1>Harbour wall to be rebuilt</h1>{story}</div>"
        f"<div class='block'><h3>Read on</h3>{_cards(heading=heading)}</div></div>"
    )
    body = clean_html(html, EMPTY).body
    assert STORY[-1] in body
    assert "Teaser sentence" not in body and "Other story" not in body


def test_teaser_cards_in_the_story_s_article_or_under_a_short_intro_stay() -> None:
    story = "".join(f"<p>{p} ({i})</p>" for i in range(3) for p in STORY)
    in_article = page(
        f"<article><div class='text'>{story}</div><div class='more'>{_cards()}</div></article>"
    )
    assert "Teaser sentence of other story 2" in clean_html(in_article, EMPTY).body
    listing = page(f"<div><div class='intro'><p>{STORY[0]}</p></div><div>{_cards(6)}</div></div>")
    assert "Teaser sentence of other story 5" in clean_html(listing, EMPTY).body


_REPUBLISH = (
    "Want to republish this story? Credit the writer and the paper, link back to the article"
    " and keep the text as it was published, with no changes to its meaning."
)


@pytest.mark.parametrize(
    "dialog",
    [
        f"<div role='dialog'><h2>Republish</h2><p>{_REPUBLISH}</p></div>",
        f"<div class='box' aria-modal='true'><p>{_REPUBLISH}</p></div>",
    ],
)
def test_a_modal_dialog_in_the_story_s_container_is_not_its_text(dialog: str) -> None:
    """A dialog the page shows on a click (ARIA's role=dialog or aria-modal) is furniture even
    inside the article, where trafilatura keeps it."""
    story = "".join(f"<p>{p} ({i})</p>" for i in range(3) for p in STORY)
    body = clean_html(page(f"<article><h1>Harbour wall</h1>{story}{dialog}</article>"), EMPTY).body
    assert STORY[-1] in body and "republish" not in body


def test_a_dialog_that_holds_the_story_stays() -> None:
    """A page that shows its article in a dialog (a lightbox): the dialog is the story."""
    story = "".join(f"<p>{p} ({i})</p>" for i in range(3) for p in STORY)
    body = clean_html(page(f"<div role='dialog'><h1>Harbour wall</h1>{story}</div>"), EMPTY).body
    assert STORY[-1] in body


_OFFER_NOTE = (
    "Financing is available to qualified customers only, subject to credit approval, and the"
    " monthly rate shown assumes the full term of the plan with no early repayment at all."
)


@pytest.mark.parametrize(
    "marked",
    [
        f"<div class='offer-notes robots-nocontent'><p>{_OFFER_NOTE}</p></div>",
        f"<div data-nosnippet><p>{_OFFER_NOTE}</p></div>",
        f"<p data-nosnippet='true'>{_OFFER_NOTE}</p>",
    ],
)
def test_what_the_page_marks_as_no_content_is_not_its_text(marked: str) -> None:
    """A block the page tells search engines is not its content (data-nosnippet, the
    robots-nocontent class) stays out, even inside the article, where trafilatura keeps it."""
    story = "".join(f"<p>{p} ({i})</p>" for i in range(3) for p in STORY)
    body = clean_html(page(f"<article><h1>Harbour wall</h1>{story}{marked}</article>"), EMPTY).body
    assert STORY[-1] in body and "Financing" not in body


def test_a_story_inside_a_block_marked_as_no_content_stays() -> None:
    """A page that marks its whole layout: the marked block holds the story, which stays."""
    story = "".join(f"<p>{p} ({i})</p>" for i in range(3) for p in STORY)
    body = clean_html(page(f"<div data-nosnippet><h1>Harbour wall</h1>{story}</div>"), EMPTY).body
    assert STORY[-1] in body


def test_headings_and_lists_of_a_story_trafilatura_found_no_container_for_stay() -> None:
    """With no article container it knows, trafilatura takes the page's paragraphs alone:
    the story's headings and lists between them are put back, in place; a heading over a
    gallery (no text follows it) and the furniture around the story stay out."""
    story = (
        f"<p>{STORY[0]}</p><h2>Why the wall matters</h2><p>{STORY[1]}</p>"
        "<ul><li>Four months of work on the old wall.</li><li>Two million euros.</li></ul>"
        f"<p>{STORY[2]}</p><h2>Photos of the harbour</h2><div class='gallery'><img src='a.jpg'>"
        f"</div><p>{STORY[3]}</p><h2>More stories</h2><ul><li><a href='/x'>Other</a></li></ul>"
    )
    body = clean_html(page(f"<div class='rich'><h1>Harbour wall</h1>{story}</div>"), EMPTY).body
    paragraphs = body.split("\n\n")
    assert paragraphs[paragraphs.index(STORY[1]) - 1] == "Why the wall matters"
    assert "- Two million euros." in paragraphs
    assert "Photos of the harbour" not in body and "More stories" not in body


def test_trafilatura_s_own_lead_stays_when_it_takes_readability_s_longer_text() -> None:
    """readability takes one node of the page; the story's opening paragraphs that trafilatura's
    own extraction found above that node come back in front of it, once; the own paragraphs
    readability shows too are left to it."""
    from lxml import etree

    own = etree.fromstring(
        f"<body><p>{STORY[0]}</p><p>{STORY[1]}</p><head>The works</head><p>{STORY[2]}</p></body>"
    )
    chosen = etree.fromstring(
        f"<body><head>The works</head><p>{STORY[2]}</p><p>{STORY[3]}</p></body>"
    )
    _keep_own_lead(own, chosen)
    texts = ["".join(element.itertext()) for element in chosen]
    assert texts == [STORY[0], STORY[1], "The works", STORY[2], STORY[3]]


def test_the_lead_is_kept_only_inside_our_call_and_in_its_own_thread() -> None:
    """trafilatura's comparison is replaced once; outside clean_html's own call (bare
    trafilatura in the same process) and in other threads (a Dask worker's) it is trafilatura's."""
    clean_html(article(), EMPTY)
    assert not getattr(_keeping_lead, "on", False)
    seen: list[bool] = []
    with _external_keeps_lead():
        other = threading.Thread(target=lambda: seen.append(getattr(_keeping_lead, "on", False)))
        other.start()
        other.join()
        assert _keeping_lead.on
    assert seen == [False]
    assert not _keeping_lead.on
