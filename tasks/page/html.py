"""Main text of an HTML page: trafilatura on a tree parsed once, improved with what the page
and the registry say (structured data, per-publisher rules, a standfirst trafilatura missed,
leftover prompts and credits removed). The same pass gathers the evidence extract needs
(JSON-LD, meta tags, date candidates) into JSON-serialisable hints, so the page is parsed once."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from html import unescape
from itertools import chain, islice
from typing import Any

import trafilatura.core as trafilatura_core
from htmldate import find_date
from lxml import etree
from lxml.etree import XPath, strip_tags
from lxml.html import HtmlElement
from trafilatura.core import trafilatura_sequence
from trafilatura.metadata import Document
from trafilatura.settings import Extractor

from newsdesk.core.contracts.hints import Cleaned
from newsdesk.core.registry import ExtractionRules
from tasks.page import rules as page_rules
from tasks.page.bylines import read_bylines
from tasks.page.fields import PageContext
from tasks.page.html_dates import (
    DateEvidence,
    byline_date,
    collect_evidence,
    header_dates,
    text_date,
    url_date,
)
from tasks.page.jsonld import read_jsonld
from tasks.page.leftovers import (
    drop_dialogs,
    drop_teaser_cards,
    drop_unindexed,
    remove_leftovers,
    story_container,
)
from tasks.page.meta_tags import read_meta_tags
from tasks.page.page_type import add_body_signals, classify, page_signals
from tasks.page.parse import first_below, in_body, load_html

HINTS_VERSION = 7
# comments off: reader comments are not the story (measured: +0.005 F1 on the dev set)
_OPTIONS = Extractor(output_format="txt", comments=False, tables=True)  # txt: no text render
_MIN_STANDFIRST = 40  # characters; shorter descriptions are labels, not a lead paragraph
_LEAD_TAGS = ("p", "h2", "div", "span", "strong", "b", "em", "section", "header", "summary")


def _norm(text: str) -> str:
    return " ".join(text.replace(_APART, " ").split())


def _first_text(tree: HtmlElement, path: str) -> str | None:
    return _first_shown(tree.iterfind(path))


def _first_shown(nodes: Iterable[HtmlElement]) -> str | None:
    for node in nodes:
        text = _norm(node.text_content())
        if text:
            return text
    return None


_SCRIPTS = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_TAGS = re.compile(r"<[^>]*>")


def _visible_text(html: str) -> str:
    """The page's text without markup, scripts or styles (regexes: far cheaper than a walk
    over the tree, and exact enough to look for a byline or a known passage)."""
    return " ".join(unescape(_TAGS.sub(" ", _SCRIPTS.sub(" ", html))).split())


# Elements of trafilatura's output tree that end a line inside a paragraph: <lb/> is its <br>;
# a nested list's items and a cell's rows are lines of their own.
# trafilatura leaves some HTML inside its own elements (a <table> in a <p>): its rows, items and
# line breaks count too, and its cells stand apart.
_LINE_BREAKS = frozenset(
    {"lb", "item", "row", "list", "table", "p", "head", "quote"}
    | {"br", "tr", "li", "ul", "ol", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
)
_CELLS = frozenset({"cell", "td", "th"})


def _breaks_line(element: Any) -> bool:
    """Whether an element of trafilatura's output ends a line. <code> is both a block of code
    (its lines apart from the text around it) and a word set in code inside a sentence, which
    must stay part of its word ("<code>import</code>ing" is "importing"): a block has lines."""
    if element.tag == "code":
        text = "".join(element.itertext()).strip()
        return "\n" in text or next(element.iter("lb", "br"), None) is not None
    return element.tag in _LINE_BREAKS


def _lines(element: Any) -> list[str]:
    """The element's text, line by line: a break (<lb/>, a nested block) ends a line and
    words on either side never run together ("…Beach, FL" / "June 10 …")."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            block = _breaks_line(child)
            if block:
                parts.append("\n")
            elif child.tag in _CELLS:
                parts.append(" ")  # cells of a row nested in a paragraph: words apart
            walk(child)
            if block:
                parts.append("\n")
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return [line for line in (_norm(raw) for raw in "".join(parts).split("\n")) if line]


# Elements whose edges a browser shows as a break between words (block, table, list and
# form elements, line breaks and images); inline ones (a, b, span, sup…) join their words:
# "m<sup>3</sup>" is one word.
_WORD_BREAKS = frozenset(
    {"address", "article", "aside", "blockquote", "br", "dd", "details", "dialog", "div"}
    | {"dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "nav", "ol", "p", "pre"}
    | {"section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"}
    | {"caption", "button", "label", "select", "option", "textarea", "img", "picture"}
    | {"video", "audio", "iframe", "menu"}
)
_HIDDEN = frozenset({"script", "style", "noscript", "template", "head", "title"})


# What _space_blocks puts between words a browser shows apart: not a space, which trafilatura
# trims from the edges of every text it copies before it joins them, but a character it keeps
# as a letter; its output turns each back into a space. The object replacement character: a
# printable symbol, since trafilatura's fallback extractors (readability, the baseline) drop
# every non-printable one (a private-use mark went there, and "$195.00" met "or"); a page
# that shows one shows a placeholder box, no part of a word.
_APART = "\ufffc"


def _space_blocks(tree: HtmlElement) -> None:
    """Mark the first word of every run of text that a browser shows apart from the word
    before it (a block edge, a line break, an image or a space lies between them), so that
    trafilatura, which trims the spaces at the edges of every text it copies and flattens a
    list item's or a cell's nested blocks into one text, cannot glue two words: minified
    pages write "<div>CIO</div><div><span>Digital" and "2024<img …>If you", and
    "<div> <span>Print length</span> </div> <div> <span>320 pages" loses its spaces. A word
    is marked after any text, not only after a word: trafilatura may drop the text between
    ("…Travelinsurance.com</span>…<div>scroll for more info.</div>…<strong>Overview:"); words
    joined by inline markup stay joined ("m<sup>3</sup>"); only text that is there changes,
    as no element gains a text or tail it lacked (trafilatura reads an empty one differently
    from a missing one)."""
    edge = False  # a block edge or a space lies between the last text and the next one
    seen = False  # a text came before
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        tag = element.tag
        shows = isinstance(tag, str)  # a comment's or instruction's text is not shown
        if shows and (tag in _WORD_BREAKS or tag in _HIDDEN):
            # a script or style between two texts parts them too: what it stands for (an ad,
            # a widget it fills in, a styled gap) is not part of either word
            edge = True
        slot = "text" if event == "start" else "tail"
        if slot == "text" and (not shows or tag in _HIDDEN):
            continue
        text = getattr(element, slot)
        if not text:
            continue
        words = text.strip()
        if not words:  # trafilatura drops a text of spaces: it parts nothing
            edge = True
            continue
        if seen and (edge or text[0].isspace()) and (words[0].isalnum() or words[0] == "_"):
            text = _APART + text
            setattr(element, slot, text)
        edge, seen = text[-1].isspace(), True


def _unmark(root: Any) -> None:
    """_space_blocks' marks in trafilatura's output back to spaces."""
    for element in root.iter():
        if element.text and _APART in element.text:
            element.text = element.text.replace(_APART, " ")
        if element.tail and _APART in element.tail:
            element.tail = element.tail.replace(_APART, " ")


# Loose text kept as a paragraph: a sentence of at least this many words. Shorter loose texts
# between blocks are a page's furniture far more often than its story (a dateline under the
# headline, "Read more…", a label, a price).
_LOOSE_WORDS = 10
_SENTENCE_END = re.compile("[.!?\u2026][\"'\u201d\u2019\u00bb)\\]]*$")


def _is_prose(text: str) -> bool:
    return len(text.split()) >= _LOOSE_WORDS and bool(_SENTENCE_END.search(text))


def _wrap_loose_text(body: Any) -> None:
    """Text that trafilatura keeps between its blocks rather than in one (prose right after a
    heading, not wrapped in a <p> on the page: "<h2>Background</h2>The council…") becomes a
    paragraph of its own when it is prose; the blocks are read one by one, and it would be
    lost. Other loose text goes."""
    loose = [(0, body.text)] if body.text else []
    loose += [(i + 1, e.tail) for i, e in enumerate(body) if e.tail]
    for element in body:
        element.tail = None
    body.text = None
    for index, text in reversed(loose):
        if _is_prose(text.strip()):
            paragraph = etree.Element("p")
            paragraph.text = text.strip()
            body.insert(index, paragraph)


def _element_text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _keep_own_lead(own: Any, chosen: Any) -> None:
    """The paragraphs of trafilatura's own extraction that come before the first one the
    external extraction (readability, justext) shows, put back before it in place. When
    trafilatura prefers readability's text (much longer than its own), readability has taken
    one node of the page, and a story whose opening paragraphs and the rest sit in different
    nodes (a lead, then an embedded block that holds the rest of the text) loses its opening,
    which trafilatura's own extraction had (all of it, when the two share no paragraph). The
    own paragraphs from the first one readability shows on are left to it."""
    shown = _element_text(chosen)
    lead = []
    for element in own:
        text = _element_text(element)
        if text and text in shown:
            break
        lead.append(element)
    for index, element in enumerate(lead):
        chosen.insert(index, element)


_keeping_lead = threading.local()


def _compare_keeping_lead(cleaned: Any, raw: Any, body: Any, text: str, options: Any) -> Any:
    chosen, chosen_text = _trafilatura_compare(cleaned, raw, body, text, options)
    if getattr(_keeping_lead, "on", False) and chosen is not body and len(body):
        _keep_own_lead(body, chosen)
    return chosen, chosen_text


# trafilatura has no hook for its comparison with the external extractors: its module's
# function is replaced once, and keeps the lead only inside our own call, in the thread that
# makes it (a Dask worker extracts in threads; the benches' bare trafilatura in the same
# process gets trafilatura's own behaviour). The text it returns, which later steps weigh
# (the recall retry compares lengths), stays theirs.
_trafilatura_compare = trafilatura_core.compare_extraction
trafilatura_core.compare_extraction = _compare_keeping_lead


@contextmanager
def _external_keeps_lead() -> Iterator[None]:
    """trafilatura's comparison with the external extractors keeps its own lead
    (_keep_own_lead) when it takes theirs, in this thread, for the duration of the block."""
    _keeping_lead.on = True
    try:
        yield
    finally:
        _keeping_lead.on = False


def _bare_extraction(tree: HtmlElement) -> Document | None:
    """What `trafilatura.bare_extraction(tree, options=_OPTIONS)` gives (its body), made on
    the tree itself: bare_extraction copies a tree it is handed, to leave it as it was (1.5 ms
    a page), and after trafilatura nothing reads this one (the standfirst's candidate is found
    before). The steps are bare_extraction's with these options: no metadata, language or
    deduplication; its tree-size and output-size checks."""
    try:
        with _external_keeps_lead():
            body, text, _, comments = trafilatura_sequence(tree, _OPTIONS, _OPTIONS.url)
        if _OPTIONS.max_tree_size and len(body) > _OPTIONS.max_tree_size:
            strip_tags(body, "hi")
            if len(body) > _OPTIONS.max_tree_size:
                return None
    except (TypeError, ValueError):
        return None
    if len(text) < _OPTIONS.min_output_size and len(comments) < _OPTIONS.min_output_comm_size:
        return None
    document = Document()
    document.raw_text, document.body = text, body
    return document


# A story's block that trafilatura's paragraph-only recovery leaves out: (kind, its lines).
_Block = tuple[str, list[str]]
_OUTLINE_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})


def _outline(story: HtmlElement | None) -> list[_Block]:
    """The story container's own blocks in order, read before trafilatura prunes the tree:
    paragraphs (the anchors), headings, and lists (one line per item)."""
    if story is None:
        return []
    blocks: list[_Block] = []
    for child in story:
        tag = child.tag
        if tag == "p":
            text = _norm(child.text_content())
            if text:
                blocks.append(("p", [text]))
        elif tag in _OUTLINE_HEADINGS:
            text = _norm(child.text_content())
            if text:
                blocks.append(("head", [text]))
        elif tag in ("ul", "ol"):
            items = [_norm(item.text_content()) for item in child.iterchildren("li")]
            items = [item for item in items if item]
            if items:
                blocks.append(("list", items))
        elif isinstance(tag, str):
            blocks.append(("other", []))  # a figure, a gallery, a widget: what a heading may head
    return blocks


def _heads_text(outline: list[_Block], number: int) -> bool:
    """Whether the heading at `number` introduces text (a paragraph or a list follows it),
    not a gallery or a widget."""
    following = outline[number + 1] if number + 1 < len(outline) else None
    return following is not None and following[0] in ("p", "list")


def _restore_outline(paragraphs: list[str], outline: list[_Block]) -> list[str]:
    """The story's headings and lists put back between its paragraphs, where trafilatura found
    no article container and took the page's paragraphs alone (its recovery reads <p>s, not
    headings or lists): a heading or list of the story container goes back when paragraphs
    of that container that the body holds stand before and after it. Furniture around the
    story stays out: only blocks between two kept paragraphs return."""
    position = {_norm(text): index for index, text in enumerate(paragraphs)}
    shown = _norm(" ".join(paragraphs))
    inserts: dict[int, list[str]] = {}
    pending: list[str] = []
    anchored = False
    for number, (kind, lines) in enumerate(outline):
        if kind == "p":
            index = position.get(lines[0])
            if index is None:
                continue
            if anchored and pending:
                inserts.setdefault(index, []).extend(pending)
            pending, anchored = [], True
        elif kind == "head" and not _heads_text(outline, number):
            continue
        elif kind != "other" and anchored and not all(line in shown for line in lines):
            bullet = "- " if kind == "list" and len(lines) > 1 else ""
            pending.extend(f"{bullet}{line}" for line in lines)
    if not inserts:
        return paragraphs
    restored: list[str] = []
    for index, text in enumerate(paragraphs):
        restored.extend(inserts.get(index, ()))
        restored.append(text)
    return restored


def _trafilatura_paragraphs(tree: HtmlElement, outline: list[_Block] | None = None) -> list[str]:
    document = _bare_extraction(tree)
    if document is None or document.body is None:
        return []
    _unmark(document.body)
    _wrap_loose_text(document.body)
    remove_leftovers(document.body)
    # paragraphs alone: trafilatura's recovery of a page's <p>s, no container found
    recovered = all(element.tag == "p" for element in document.body)
    paragraphs: list[str] = []
    for element in document.body:
        if element.tag == "list":
            # one item a paragraph; a nested list's items and an item's <br>s are lines of it
            items = [_lines(item) for item in element]
            bullet = "- " if len(items) > 1 else ""
            paragraphs.extend(f"{bullet}" + "\n".join(lines) for lines in items if lines)
        elif element.tag == "table":
            rows = []
            for row in element.iter("row"):
                cells = [" ".join(_lines(cell)) for cell in row]
                line = " | ".join(cell for cell in cells if cell)
                if line:
                    rows.append(line)
            if rows:
                paragraphs.append("\n".join(rows))
        else:
            lines = _lines(element)
            if lines:
                paragraphs.append("\n".join(lines))
    if recovered and outline:
        paragraphs = _restore_outline(paragraphs, outline)
    return _once(paragraphs)


# A body whose repeated paragraphs hold at least this share of its words holds its text twice.
_COPY_SHARE = 1 / 3


def _once(paragraphs: list[str]) -> list[str]:
    """Each paragraph once when the page holds its text twice (the article again below itself,
    a copy for small screens): then the repeated paragraphs are a large share of the words.
    A few repeats are the page's own and stay (a list shown in a summary and again in the
    text, a quote in a carousel, "Pros" and "Cons" over every product)."""
    once = list(dict.fromkeys(paragraphs))
    if len(once) == len(paragraphs):
        return paragraphs
    words = sum(len(p.split()) for p in paragraphs)
    repeated = words - sum(len(p.split()) for p in once)
    return once if repeated >= _COPY_SHARE * words else paragraphs


def _probe(description: str | None) -> str | None:
    """The opening of the page's description that its lead paragraph shows."""
    if not description or len(description) < _MIN_STANDFIRST:
        return None
    return _norm(description)[:_MIN_STANDFIRST].rstrip(".…")


def _standfirst(lead: str | None, description: str | None, body: str) -> str | None:
    """The page's lead paragraph when trafilatura left it out: the element that shows the
    page's own description (news sites put the standfirst there: `lead`, found by
    _lead_paragraph before trafilatura pruned the tree), if the body lacks it."""
    probe = _probe(description)
    if lead is None or probe is None or probe in _norm(body):
        return None
    return lead


def _lead_paragraph(tree: HtmlElement, description: str | None) -> str | None:
    """The first element outside <head> whose own text opens as the page's description does,
    with its whole text (at most about twice the description's length)."""
    probe = _probe(description)
    if probe is None:
        return None
    # an element's own text opens with the probe's first 10 characters (the test below), so
    # with their first word: a cheap test of the raw text before it is normalised
    first = probe[:10].split()[0] if probe[:10].strip() else ""
    head = first_below(tree, "head")
    for element in tree.iter(*_LEAD_TAGS):
        if first not in (element.text or ""):
            continue
        own = _norm(element.text or "")
        if own and own.startswith(probe[: len(own)]) and len(own) >= 10:
            text = _norm(element.text_content())
            if text.startswith(probe) and len(text) <= 2 * len(description) + 20:
                if head is not None and element in head.iterdescendants():
                    continue
                return text
    return None


# Class names by which pages mark the paragraph under the headline that sums the story up
# (WordPress' entry-excerpt, "article-teaser", "lead", "intro", "standfirst", "dek",
# "summary", "abstract"): a word of the class, between hyphens, underscores or spaces.
_LEAD_WORDS = ("teaser", "excerpt", "lead", "intro", "standfirst", "dek", "summary", "abstract")
_LEAD_CLASS = re.compile(rf"(?:^|[-_\s])(?:{'|'.join(_LEAD_WORDS)})(?:[-_\s]|$)", re.I)
_MARKED_TAGS = ("p", "div", "section", "header", "span")
_MAX_STANDFIRST = 1000  # characters: longer marked blocks are the story or a listing's text


def _marked_lead(tree: HtmlElement, story: HtmlElement | None) -> str | None:
    """The standfirst of a page whose description does not show it: the first block before
    the story (outside its container, which trafilatura reads) that the page's classes mark
    as a teaser, excerpt or lead, when it is prose (a sentence) and not a link (a teaser
    card of another story). Read before trafilatura prunes the tree; the walk ends at the
    story (a third of a millisecond on a heavy page; XPath took 2 ms)."""
    if story is None:
        return None
    around = {story, *story.iterancestors()}
    for element in tree.iter(*_MARKED_TAGS, story.tag):
        if element is story:
            return None  # what follows is the story, then teasers of other stories
        marks = element.get("class")
        if not marks or element in around or not _LEAD_CLASS.search(marks):
            continue
        text = _norm(element.text_content())
        if _MIN_STANDFIRST <= len(text) <= _MAX_STANDFIRST and _SENTENCE_END.search(text):
            linked = sum(len(_norm(link.text_content())) for link in element.iter("a"))
            if 2 * linked < len(text):
                return text
    return None


def _without_headline(paragraphs: list[str], headlines: tuple[str | None, ...]) -> list[str]:
    """The body without the headline it opens with: trafilatura keeps the <h1> when the
    container it chose holds it, but an article's headline is the record's title, not its
    text. Only the first paragraph, only an exact match."""
    if len(paragraphs) < 2:
        return paragraphs
    first = _norm(paragraphs[0]).casefold()
    if any(first == _norm(h).casefold() for h in headlines if h):
        return paragraphs[1:]
    return paragraphs


def _needs_search(structured: list[DateEvidence]) -> bool:
    """Whether htmldate's search must weigh in: no strong structured date, structured dates
    that disagree, or a UTC time whose local day the page may show differently."""
    strong = [e for e in structured if e.strong]
    if not strong:
        return True
    first = strong[0].value
    return any(e.value.date() != first.date() for e in structured) or any(
        e.value.utcoffset() is not None and not e.value.utcoffset() for e in structured
    )


def _evidence(item: DateEvidence | None) -> dict[str, Any] | None:
    return asdict(item) | {"value": item.value.isoformat()} if item else None


def _search(tree: HtmlElement, url: str | None, max_date: str | None) -> str | None:
    """htmldate's original-date search in fast mode. Its extensive mode is not used: it
    scans the serialised page with many regexes (up to 0.3 s on a large page) and may call
    dateparser, whose locale set-up costs 10-20 s per process; text_date stands in for it."""
    return find_date(tree, original_date=True, extensive_search=False, url=url, max_date=max_date)


def _date_hints(
    tree: HtmlElement,
    html: str,
    jsonld: dict,
    meta: dict,
    title: str | None,
    ctx: PageContext,
    rules: ExtractionRules,
) -> dict[str, Any]:
    """Date evidence, gathered cheapest first and only as far as the choice needs it."""
    structured = collect_evidence(jsonld, meta)
    page_url = meta.get("canonical") or meta.get("og:url") or jsonld.get("url") or ctx.url
    from_rule = page_rules.select_text(tree, rules.date)
    max_date = ctx.fetched_at.strftime("%Y-%m-%d") if ctx.fetched_at else None
    searched = byline = shown = None
    header: tuple[DateEvidence | None, DateEvidence | None] = (None, None)
    if not from_rule and structured:
        header = header_dates(tree, title, ctx.fetched_at)  # may overrule structured data
        if _needs_search(structured):
            searched = _search(tree, page_url, max_date)
    elif not from_rule:
        # the first of byline, date lines, search, any shown date that is found settles it
        byline = byline_date(_visible_text(html), ctx.fetched_at)
        if byline is None:
            header = header_dates(tree, title, ctx.fetched_at)
        if byline is None and header == (None, None):
            searched = _search(tree, page_url, max_date)
            shown = None if searched else text_date(tree, ctx.fetched_at)
    return {
        "rule": from_rule,
        "structured": [_evidence(e) for e in structured],
        "htmldate": searched,
        "byline": _evidence(byline),
        "header": [_evidence(e) for e in header],
        "shown": _evidence(shown),
        "url": page_url if url_date(page_url) else None,
    }


def clean_html(html: str, ctx: PageContext, tree: HtmlElement | None = None) -> Cleaned:
    """The page's main text (paragraphs joined by blank lines) and the hints extract reads;
    `tree`: the page already parsed by trafilatura's loader (it is changed here)."""
    tree = load_html(html) if tree is None else tree
    if tree is None:
        return Cleaned(body="", method="unparsable")
    source = ctx.registry.by_url(ctx.url)
    rules = source.rules if source else ExtractionRules()
    jsonld = read_jsonld(tree)
    meta = read_meta_tags(tree)
    if rules.drop:
        page_rules.drop_nodes(tree, rules)
    title_tag = _first_text(tree, ".//head/title") or _first_text(tree, ".//title")
    headline = jsonld.get("headline") or meta.get("og:title") or title_tag
    named = _has_structured_author(jsonld, meta)
    hints: dict[str, Any] = {
        "version": HINTS_VERSION,
        "jsonld": {k: v for k, v in jsonld.items() if k != "body"},
        "meta": meta,
        "title_tag": title_tag,
        "h1": _first_shown(in_body(tree, "h1")),
        "dates": _date_hints(tree, html, jsonld, meta, headline, ctx, rules),
        "rules": {
            "title": page_rules.select_text(tree, rules.title),
            "authors": page_rules.select_text(tree, rules.authors),
        },
    }
    # trafilatura's byline search too when the structured data names no author
    bylines = read_bylines(tree, search=not named)
    hints |= {
        "bylines": bylines.shown,
        "labelled": bylines.labelled,
        "poster": bylines.poster,
        "username": bylines.username,
        "linked": bylines.linked,
    }
    if not named:
        hints["headline_lines"] = _headline_lines(tree)
    # before trafilatura, which prunes the tree it is given
    signals = page_signals(tree, jsonld.get("types") or [], meta, 0, jsonld.get("type"))

    selected = page_rules.select(tree, rules.body)
    if selected:
        paragraphs, method = page_rules.paragraphs(selected), "rules"
    else:
        story = story_container(tree)
        drop_dialogs(tree, story)
        drop_unindexed(tree, story)
        drop_teaser_cards(tree, story)
        _space_blocks(tree)
        description = meta.get("og:description") or meta.get("description")
        description = description or jsonld.get("description")
        # before trafilatura, which prunes the tree
        lead = _lead_paragraph(tree, description)
        # the description shows nowhere (or the page has none): the lead its markup names
        marked = _marked_lead(tree, story) if lead is None else None
        outline = _outline(story if story is not None and story.getparent() is not None else None)
        paragraphs, method = _trafilatura_paragraphs(tree, outline), "trafilatura"
        body_text = "\n".join(paragraphs)
        # the lead paragraph trafilatura left out is the standfirst: a field of its own,
        # never prepended to the body
        hints["standfirst"] = _standfirst(lead, description, body_text) or (
            marked if marked and marked[:_MIN_STANDFIRST] not in _norm(body_text) else None
        )
    signals["dated"] = bool(jsonld.get("date_published") or meta.get("article:published_time"))
    hints["page"] = add_body_signals(signals, paragraphs)
    # decided once, here: extract reads it
    hints["page"]["type"] = kind = classify(hints["page"])
    if method == "trafilatura" and kind in ("article", "liveblog"):
        # a story's headline is its title, not its text; a thread's or a service page's
        # heading is part of what it shows. After the page-type signals, which were
        # measured on bodies that kept the headline.
        paragraphs = _without_headline(paragraphs, (hints["h1"], headline, title_tag))
    hints["method"] = method
    return Cleaned(body="\n\n".join(paragraphs), method=method, hints=hints)


_META_AUTHORS = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator")


def _has_structured_author(jsonld: dict, meta: dict) -> bool:
    """A person named in JSON-LD or a meta tag (a profile URL in article:author names no one)."""
    return bool(
        jsonld.get("authors")
        or any(not name.startswith("http") for key in _META_AUTHORS for name in meta.get(key) or ())
    )


# Elements whose text is a line of its own on a page; inline ones (a, span, time) join it.
_BLOCKS = frozenset(
    {"p", "div", "li", "dd", "dt", "td", "th", "header", "footer", "section", "article"}
    | {"aside", "nav", "figure", "figcaption", "blockquote", "address", "main", "form"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr", "br", "hr", "body"}
)
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "button", "select"})
_AROUND_HEADLINE = (3, 10)
_BYLINE_WORDS = 30  # lines before and after the headline's own line
# the text around the headline, in document order: the nearest 60 text nodes before it, its
# own, and (_following_texts) the first 200 after it
_PRECEDING = XPath("preceding::text()[position() <= 60] | .//text()")
_FOLLOWING = 200
_FIRST_H1 = XPath("descendant::body[1]/descendant::h1[1]")
_WALK_EVENTS = ("start", "end", "comment", "pi")


def _following_texts(h1: HtmlElement) -> Iterator[tuple[Any, bool, str]]:
    """following::text() of the headline, lazily, in document order, as (the element it is the
    text or the tail of, is it a text (not a tail), the text): XPath would walk the rest of the
    page before the first is read, and the lines need a few."""
    node: HtmlElement | None = h1
    while node is not None:
        if node.tail is not None:
            yield node, False, node.tail
        sibling = node.getnext()
        while sibling is not None:
            if isinstance(sibling.tag, str):
                for event, element in etree.iterwalk(sibling, events=_WALK_EVENTS):
                    if event == "start":
                        if element.text is not None:
                            yield element, True, element.text
                    elif element is not sibling and element.tail is not None:
                        yield element, False, element.tail  # an end, a comment's, a PI's
            if sibling.tail is not None:
                yield sibling, False, sibling.tail
            sibling = sibling.getnext()
        node = node.getparent()


def _headline_lines(tree: HtmlElement) -> list[str]:
    """The page's text lines just above and below its first <h1>, as a text dump shows them
    (a block element starts a line): where a byline without markup stands ("by: Jane Roe,
    Dec 17, 2025", a name above its date)."""
    # the first <h1> (lxml's iterfind would look on through the page for a second one)
    first = _FIRST_H1(tree)
    h1 = first[0] if first else next(tree.iterfind(".//body//h1"), None)
    if h1 is None:
        return []
    before, after = _AROUND_HEADLINE
    lines: list[tuple[Any, str]] = []  # (the block a text belongs to, text so far)
    headline = None
    # element → (in a skipped element, the nearest block around it, in the headline),
    # worked out once per element: the texts share their few ancestors
    places: dict[HtmlElement, tuple[bool, HtmlElement | None, bool]] = {}

    def place(element: HtmlElement) -> tuple[bool, HtmlElement | None, bool]:
        path = []  # the element and its ancestors not yet placed
        node: HtmlElement | None = element
        while node is not None and node not in places:
            path.append(node)
            node = node.getparent()
        skipped, block, in_h1 = places[node] if node is not None else (False, None, False)
        for node in reversed(path):
            skipped = skipped or node.tag in _SKIPPED
            block = node if node.tag in _BLOCKS else block
            in_h1 = in_h1 or node is h1
            places[node] = (skipped, block, in_h1)
        return places[element]

    texts = chain(
        ((node.getparent(), node.is_text, str(node)) for node in _PRECEDING(h1)),
        islice(_following_texts(h1), _FOLLOWING),
    )
    for parent, is_text, raw in texts:
        if parent is None or not isinstance(parent.tag, str):
            continue
        owner = parent if is_text else parent.getparent()
        if owner is None:
            continue
        skipped, block, in_h1 = place(owner)
        if skipped:
            continue
        text = _norm(raw)
        if not text:
            continue
        if lines and lines[-1][0] is block:
            lines[-1] = (block, f"{lines[-1][1]} {text}")
        else:
            lines.append((block, text))
            if headline is not None and len(lines) > headline + after + 1:
                break  # the last line wanted is whole: nothing after it is read
        if headline is None and in_h1:
            headline = len(lines) - 1
    if headline is None:
        return []
    near = lines[max(0, headline - before) : headline + after + 1]
    # a paragraph of the story is no byline: kept as an empty line, so that lines stay next
    # to their neighbours only
    return [text if len(text.split()) <= _BYLINE_WORDS else "" for _, text in near]
