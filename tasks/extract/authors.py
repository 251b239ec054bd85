"""Author names as pages print them, cleaned to a list of person names."""

from __future__ import annotations

import re

from tasks.page.lexicon import alternation as words

# Separators between several names; the word connectors only in lower case ("E. Smith" stays).
# The phrases are in tasks/page/lexicon (table [authors]), one file per language.
_SPLIT = re.compile(rf"\s*[,;/|&+]\s*|\s+(?:{words('authors.connector')})\s+")
_PREFIX = re.compile(rf"^(?:{words('authors.prefix')})\s*:?\s+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# "Posted on 3 March 2025 by Jane Doe": the names follow the last "by".
_BY = re.compile(r"(?:^|\s)(?i:by|von|par|por)\s+(?=\S)")
# A "name" that is a month or a weekday is the date part of a byline.
_DATE_WORDS = re.compile(
    r"^(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mai|"
    r"juni|juli|oktober|dezember|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"today|yesterday|heute|gestern)\.?$",
    re.IGNORECASE,
)
# What follows a name in a byline: a date, a time, "Updated …", "| 5 min read".
_TAIL = re.compile(
    r"\s+(?:(?i:updated|published|posted|last updated|aktualisiert|veröffentlicht)\b|"
    r"(?:on|at|am|um|le)\s|\d|[|•·]).*$"
)
_URL = re.compile(r"https?://\S+|www\.\S+")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Words that make a byline a role or a desk rather than a person.
_ROLES = re.compile(rf"\b(?:{words('authors.role')})\b", re.IGNORECASE)


_HANDLE = re.compile(r"^[\w][\w.-]{2,29}$")  # a user name: "aawoods", "q_admin", "raoul"


def clean_author(raw: str, *, handles: bool = False) -> str | None:
    """One person's name from a byline fragment, or None for roles, desks, e-mails, URLs.
    handles: also a lower-case user name, as structured data gives it for forum and blog
    posts (a page's text shows such words for many other things)."""
    text = _URL.sub(" ", _BRACKETS.sub(" ", _EMAIL.sub(" ", raw)))
    text = " ".join(text.split()).strip(" -\u2013\u2014:·•|,")
    previous = None
    while previous != text:
        previous, text = text, _PREFIX.sub("", text).strip(" -\u2013\u2014:·•|,")
    text = _TAIL.sub("", text).strip(" -\u2013\u2014:·•|,")
    if not text or _ROLES.search(text) or any(ch.isdigit() for ch in text):
        return None
    words = text.split()
    if not 1 <= len(words) <= 5 or len(text) > 60:
        return None
    if len(words) == 1 and not text[:1].isupper():
        return text if handles and _HANDLE.match(text) else None
    if all(_DATE_WORDS.match(word) for word in words):
        return None
    if text.isupper() and len(text) > 3:
        text = text.title()
    return text


def clean_authors(
    raws: list[str], exclude: set[str] | None = None, *, handles: bool = False
) -> list[str]:
    """Distinct person names, in order, from byline strings that may list several people.
    `exclude` holds names that are the publisher's, not a person's."""
    skip = {name.casefold() for name in exclude or ()}
    names: list[str] = []
    for raw in raws:
        if _URL.fullmatch(raw.strip()):
            continue
        found_by = list(_BY.finditer(raw))
        if found_by and found_by[-1].start() > 0:
            raw = raw[found_by[-1].end() :]
        for part in _SPLIT.split(_EMAIL.sub(" ", raw)):
            name = clean_author(part, handles=handles)
            if name and name.casefold() not in skip and name not in names:
                names.append(name)
    return names
