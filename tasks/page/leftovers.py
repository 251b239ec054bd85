"""Leftovers an extractor keeps around a story: share prompts, newsletter boxes, "read more"
links, related-story blocks and image credits. Only short blocks are judged, so a sentence of
the story that happens to contain such a word stays."""

from __future__ import annotations

import re

from lxml.etree import XPath, _Element

from tasks.page.lexicon import alternation as words

SHORT = 160  # characters; longer blocks are story text whatever words they contain

# The phrases are in tasks/page/lexicon (table [leftovers]), one file per language.
_SHARE = words("leftovers.share")
_NEWSLETTER = (
    rf".*\bnewsletter\b.*(?:{words('leftovers.newsletter_signup_after')})"
    rf"|.*(?:{words('leftovers.newsletter_signup_before')}).*\bnewsletter\b"
    rf"|{words('leftovers.newsletter')}"
)
_READ_MORE = words("leftovers.read_more")
_CREDIT = rf"(?:{words('leftovers.credit_label')})\s*:|{words('leftovers.credit')}"
_LEFTOVER = re.compile(rf"^\W*(?:{_SHARE}|{_NEWSLETTER}|{_READ_MORE}|{_CREDIT})", re.IGNORECASE)
_RELATED_HEAD = re.compile(rf"^\W*(?:{_READ_MORE})\W*$", re.IGNORECASE)
_BLOCKS = ("p", "head", "item", "quote", "list", "table", "code", "graphic", "lb")


def _text(element: _Element) -> str:
    return " ".join("".join(element.itertext()).split())


def is_leftover(text: str) -> bool:
    """A short block that only prompts, credits or points elsewhere."""
    return len(text) <= SHORT and bool(_LEFTOVER.match(text))


def is_related_heading(text: str) -> bool:
    """A heading that introduces links to other stories ("Read more", "Lesen Sie auch")."""
    return bool(_RELATED_HEAD.match(text))


def remove_leftovers(body: _Element) -> int:
    """Drop leftover blocks from trafilatura's output tree in place; a "related" heading
    goes with the list that follows it. Returns how many blocks were dropped."""
    dropped = 0
    for element in list(body):
        if element.getparent() is None or element.tag not in _BLOCKS:
            continue
        text = _text(element)
        if not text:
            continue
        if element.tag in ("head", "p") and is_related_heading(text):
            following = element.getnext()
            if following is not None and following.tag == "list":
                body.remove(following)
                dropped += 1
        if element.tag != "list" and is_leftover(text):
            body.remove(element)
            dropped += 1
        elif element.tag == "list":
            for item in list(element):
                if is_leftover(_text(item)):
                    element.remove(item)
                    dropped += 1
    return dropped


# --- teaser cards on the page, before trafilatura reads it ----------------------------------------

_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_CARD_CHARS = 800  # a run's middle card: a linked headline, a label, a date, a sentence or two
_MIN_CARDS = 3
_CARD_DEPTH = 6  # how far above a linked headline its card may start
# Characters of the story container's own paragraphs (some 150 words): below, the page is a
# listing's intro over its cards, and the cards are what it shows.
_MIN_STORY = 1000


def story_container(tree: _Element) -> _Element | None:
    """The element whose own paragraphs hold the most text: where a story is."""
    totals: dict[_Element, int] = {}
    for paragraph in tree.iter("p"):
        parent = paragraph.getparent()
        if parent is not None:
            totals[parent] = totals.get(parent, 0) + len(paragraph.text_content())
    return max(totals, key=totals.__getitem__) if totals else None


def _card_key(element: _Element) -> tuple[str, str]:
    return element.tag, (element.get("class") or "").split(" ", 1)[0]


# A heading is an <h2>-<h6>, or an element styled or marked as one: card grids often set their
# headlines as <p class="h4"> or <div role="heading">.
_CLASSED = " or ".join(
    f"contains(concat(' ', normalize-space(@class), ' '), ' {tag} ')" for tag in _HEADINGS
)
_TAGGED = " or ".join(f"self::{tag}" for tag in _HEADINGS)
_HEADING_LIKE = XPath(f"//*[{_TAGGED} or @role='heading' or {_CLASSED}]")


def _linked_headlines(tree: _Element) -> list[_Element]:
    """Headings that are, or hold, a link to another page: a teaser's headline."""
    found = []
    for heading in _HEADING_LIKE(tree):
        link = next(heading.iter("a"), None)
        if link is None:
            parent = heading.getparent()
            link = parent if parent is not None and parent.tag == "a" else None
        if link is not None and link.get("href") and len(heading.text_content().split()) >= 2:
            found.append(heading)
    return found


def drop_teaser_cards(tree: _Element, story: _Element | None) -> int:
    """Remove runs of teaser cards that come after the story, outside its container: at
    least three sibling blocks of one kind (tag and first class name), each a short block
    with a linked headline ("Read this next", "More from…", a site's latest posts). Cards
    inside the story's container, around it or in its <article> stay (a roundup's items are
    its text), and so do all cards when the story is short (a listing's intro).
    Returns how many cards were removed."""
    if story is None or sum(len(p.text_content()) for p in story.iterchildren("p")) < _MIN_STORY:
        return 0
    around = {story, *story.iterancestors()}
    runs: dict[tuple[_Element, tuple[str, str]], dict[_Element, None]] = {}
    for heading in _linked_headlines(tree):
        card = heading
        for _ in range(_CARD_DEPTH):
            parent = card.getparent()
            if parent is None or parent in around:
                break
            runs.setdefault((parent, _card_key(card)), {})[card] = None
            card = parent
    # the page's own <article> around the story marks its extent: cards in it are its own
    outer = next(story.iterancestors("article"), None)
    candidates = [
        (parent, cards)
        for (parent, _), cards in runs.items()
        if len(cards) >= _MIN_CARDS
        and story not in parent.iterancestors()
        and (outer is None or (parent is not outer and outer not in parent.iterancestors()))
    ]
    if not candidates:
        return 0
    order = {element: i for i, element in enumerate(tree.iter())}
    dropped = 0
    for parent, cards in candidates:
        kept = [card for card in cards if card.getparent() is parent and order[card] > order[story]]
        sizes = sorted(len(card.text_content()) for card in kept)
        if len(kept) >= _MIN_CARDS and sizes[len(sizes) // 2] <= _CARD_CHARS:
            for card in kept:
                parent.remove(card)  # its tail is the spacing between cards
            dropped += len(kept)
    return dropped


# --- dialogs: what a page shows only on request -------------------------------------------------

# A modal dialog (a "republish this story" box, a sign-up or share form) is written into the page
# and shown on a click: ARIA marks it (role="dialog", aria-modal) or it is a <dialog> not open.
_DIALOGS = XPath(
    "//*[@role='dialog' or @role='alertdialog' or @aria-modal='true'] | //dialog[not(@open)]"
)


def drop_dialogs(tree: _Element, story: _Element | None) -> int:
    """Remove the page's modal dialogs, unless one holds the story (a page that opens its
    article in a lightbox). Returns how many were removed."""
    return _drop_outside_story(_DIALOGS(tree), story)


def _drop_outside_story(elements: list[_Element], story: _Element | None) -> int:
    """Remove each element that is not the story nor one of its ancestors; how many were."""
    dropped = 0
    for element in elements:
        if element.getparent() is None or (
            story is not None and (element is story or element in story.iterancestors())
        ):
            continue
        _remove_keeping_tail(element)
        dropped += 1
    return dropped


def _remove_keeping_tail(element: _Element) -> None:
    parent = element.getparent()
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


# --- what the page marks as no part of its content ----------------------------------------------

# Markup by which a page tells search engines what is not its content: Google's data-nosnippet
# and the robots-nocontent class (Yahoo's, still written by WordPress' sharing buttons). Pages
# put it on share bars, cookie notices, footnotes of offers and their navigation.
_UNINDEXED = XPath(
    "//*[@data-nosnippet or contains(concat(' ', normalize-space(@class), ' '), "
    "' robots-nocontent ')]"
)


def drop_unindexed(tree: _Element, story: _Element | None) -> int:
    """Remove what the page marks as not its content, unless a marked element holds the story
    (a page that marks its whole layout). Returns how many were removed."""
    return _drop_outside_story(_UNINDEXED(tree), story)
