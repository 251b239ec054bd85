"""Leftovers an extractor keeps around a story: share prompts, newsletter boxes, "read more"
links, related-story blocks and image credits. Only short blocks are judged, so a sentence of
the story that happens to contain such a word stays."""

from __future__ import annotations

import re

from lxml.etree import _Element

SHORT = 160  # characters; longer blocks are story text whatever words they contain

_SHARE = (
    r"share (?:this|on|via)|teilen(?: mit| auf| via)?|mit anderen teilen|sharen mit|"
    r"partager(?: sur)?|condividi|compartir|udostępnij|podziel się|"
    r"like this|gefällt mir|wird geladen|loading\.\.\.|tweet(?: this)?|print this|drucken|"
    r"auf facebook|on facebook|per e-?mail (?:senden|versenden|teilen)|e-?mail this"
)
_NEWSLETTER = (
    r".*\bnewsletter\b.*(?:abonn|anmeld|bestell|subscri|sign ?up|inscri|zapisz|registr|erhalten)"
    r"|.*(?:abonn|anmeld|subscri|sign ?up|inscri|zapisz).*\bnewsletter\b"
    r"|zum newsletter|get the .{1,40} newsletter|do you want to be informed"
)
_READ_MORE = (
    r"read more|continue reading|weiterlesen|mehr lesen|mehr dazu|lire la suite|pour lire la suite|"
    r"leggi (?:anche|tutto)|czytaj (?:dalej|też|także|również)|zobacz (?:też|także)|"
    r"lesen sie (?:auch|mehr|hier)|auch interessant|schon gelesen|das könnte (?:dich|sie) auch|"
    r"das thema könnte|mehr zum thema|weitere artikel|ähnliche artikel|verwandte artikel|"
    r"related (?:articles?|posts?|stories|content|news)|you (?:may|might) also like|"
    r"more (?:from|on) this|see also|à lire aussi|voir aussi|lire aussi|sur le même sujet|"
    r"artículos relacionados|te puede interesar|articoli correlati|przeczytaj (?:też|także)"
)
_CREDIT = (
    r"(?:photo|foto|bild|image|picture|credit|credits|crédits? photos?|quelle|source|"
    r"titelbild|beitragsbild|headerbild|fotos|zdjęcie|fot\.|abbildung)\s*:"
    r"|©|\(c\)\s|image illustrative|bild anzeigen|photo credit"
)
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
