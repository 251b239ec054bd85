"""Leftovers an extractor keeps around a story: share prompts, newsletter boxes, "read more"
links, related-story blocks and image credits. Only short blocks are judged, so a sentence of
the story that happens to contain such a word stays."""

from __future__ import annotations

import re

from lxml.etree import _Element

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
