"""Author names as pages print them, cleaned to a list of person names."""

from __future__ import annotations

import re

from tasks.page.lexicon import alternation as words

# Separators between several names; the word connectors only in lower case ("E. Smith" stays).
# The phrases are in tasks/page/lexicon (table [authors]), one file per language.
# A spaced dash parts a name from its role or desk ("David Jackson - FullStack Editorial Team").
_SPLIT = re.compile(rf"\s*[,;/|&+]\s*|\s+[-\u2013\u2014]\s+|\s+(?:{words('authors.connector')})\s+")
_PREFIX = re.compile(rf"^(?:{words('authors.prefix')})\s*:?\s+", re.IGNORECASE)
# A label with no name after it: "Author", "By:".
_LABEL = re.compile(rf"^(?:{words('authors.prefix')})\s*:?$", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# "Posted on 3 March 2025 by Jane Doe": the names follow the last "by".
_BY = re.compile(rf"(?:^|\s)(?i:{words('authors.by')})\s+(?=\S)")
# A "name" that is a month or a weekday is the date part of a byline.
_DATE_WORDS = re.compile(rf"^(?:{words('authors.date_word')})\.?$", re.IGNORECASE)
# What follows a name in a byline: a date, a time, "Updated …", "| 5 min read"; a fragment
# that opens on one of these ("Updated: Dec 17") has no name.
_TAIL = re.compile(
    rf"(?:^|\s+)(?:(?i:{words('authors.tail_word')})\b|"
    rf"(?:{words('authors.tail_preposition')})\s|\d|[|•·]).*$"
)
_URL = re.compile(r"https?://\S+|www\.\S+")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Words that make a byline a role or a desk rather than a person.
_ROLES = re.compile(rf"\b(?:{words('authors.role')})\b", re.IGNORECASE)


_HANDLE = re.compile(r"^[\w][\w.-]{2,29}$")  # a user name: "aawoods", "q_admin", "raoul"


def clean_author(raw: str, *, handles: bool = False, credits: bool = False) -> str | None:
    """One person's name from a byline fragment, or None for roles, desks, e-mails, URLs.
    handles: also a lower-case user name, as structured data gives it for forum and blog
    posts (a page's text shows such words for many other things).
    credits: also a desk, a team or an agency the page credits ("TOI Lifestyle Desk",
    "Podium Staff"), for a page that names no person."""
    text = _URL.sub(" ", _BRACKETS.sub(" ", _EMAIL.sub(" ", raw)))
    text = " ".join(text.split()).strip(" -\u2013\u2014:·•|,")
    previous = None
    while previous != text:
        previous, text = text, _PREFIX.sub("", text).strip(" -\u2013\u2014:·•|,")
    text = _TAIL.sub("", text).strip(" -\u2013\u2014:·•|,")
    if not text or _LABEL.match(text) or any(ch.isdigit() for ch in text):
        return None
    if _ROLES.search(text) and not credits:
        return None
    words = text.split()
    if not 1 <= len(words) <= 5 or len(text) > 60:
        return None
    if len(words) == 1 and not text[:1].isupper() and not credits:
        return text if handles and _HANDLE.match(text) else None
    if all(_DATE_WORDS.match(word) for word in words):
        return None
    if text.isupper() and len(text) > 3:
        text = text.title()
    return text


def clean_authors(
    raws: list[str],
    exclude: set[str] | None = None,
    *,
    handles: bool = False,
    credits: bool = False,
) -> list[str]:
    """Distinct person names, in order, from byline strings that may list several people.
    `exclude` holds names that are the publisher's, not a person's; credits: desks and
    organisations too (see clean_author)."""
    skip = {name.casefold() for name in exclude or ()}
    names: list[str] = []
    for raw in raws:
        if _URL.fullmatch(raw.strip()):
            continue
        found_by = list(_BY.finditer(raw))
        if found_by and found_by[-1].start() > 0:
            raw = raw[found_by[-1].end() :]
        for part in _SPLIT.split(_EMAIL.sub(" ", raw)):
            name = clean_author(part, handles=handles, credits=credits)
            if name and name.casefold() not in skip and name not in names:
                names.append(name)
    return names


def is_label(line: str) -> bool:
    """A by-word or an author label alone: "By", "Written by", "Author:"."""
    return bool(_LABEL.match(line.strip()))


def by_word(line: str) -> bool:
    """The line has a by-word after its start ("Posted on 3 May 2025 by Jane Roe")."""
    return any(found.start() > 0 for found in _BY.finditer(line))
