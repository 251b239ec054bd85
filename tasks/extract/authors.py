"""Author names as pages print them, cleaned to a list of person names."""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from tasks.extract.text_dates import find_dates
from tasks.page.lexicon import alternation as words

# Separators between several names; the word connectors only in lower case ("E. Smith" stays).
# The phrases are in tasks/page/lexicon (table [authors]), one file per language.
# A spaced dash parts a name from its role or desk ("David Jackson - FullStack Editorial Team").
_SPLIT = re.compile(
    rf"\s*[,;/|&+»]\s*|\s+[-\u2013\u2014]\s+|\s+(?:{words('authors.connector')})\s+"
)
_PREFIX = re.compile(rf"^(?:{words('authors.prefix')})\s*:?\s+", re.IGNORECASE)
# A label with no name after it: "Author", "By:".
_LABEL = re.compile(rf"^(?:{words('authors.prefix')})\s*:?$", re.IGNORECASE)
# The same alone in its block, with the name in the next one ("Article by" / "Jane Roe").
_BLOCK_LABEL = re.compile(rf"^(?:{words('authors.label')})\s*:?$", re.IGNORECASE)
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
    # a dump glues inline elements: "By Jane RoeUpdated: Dec 19"
    rf"|(?<=[a-z])(?=[A-Z])(?i:{words('authors.tail_word')})\b.*$"
    # a date after the name, its month first, spaced or glued: "Jane Roe February 8, 2022",
    # "Jane RoeFebruary 8"
    rf"|(?:\s+|(?<=[a-z])(?=[A-Z]))(?i:{words('authors.date_word')})\.?\s+\d.*$"
)
_URL = re.compile(r"https?://\S+|www\.\S+")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Words that make a byline a role or a desk rather than a person.
_ROLES = re.compile(rf"\b(?:{words('authors.role')})\b", re.IGNORECASE)


# A date before the names, parted by a dot or a bar ("Dec. 19, 2025 · Jane Roe"); after
# them, such a dot starts the byline's tail (_TAIL).
_LEAD = re.compile(r"^([^·•|]*)[·•|]\s*")
_THE = re.compile(r"^the\s+", re.IGNORECASE)
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
    if not text or _LABEL.match(text) or is_label(_THE.sub("", text)):
        return None  # a label, not a name: "By:", "The Author", "About the author"
    if any(ch.isdigit() for ch in text):
        # a user name may hold digits ("Pippin06"); a name never does
        return text if handles and _HANDLE.match(text) and not text.isdigit() else None
    if text.startswith("@"):  # a social-media account, not a name
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
        if "&" in raw:
            raw = html.unescape(raw)  # escaped twice in JSON-LD: "Maria &amp; Katerina"
        found_by = list(_BY.finditer(raw))
        if found_by and found_by[-1].start() > 0:
            raw = raw[found_by[-1].end() :]
        lead = _LEAD.match(raw)
        if lead and find_dates(lead.group(1), keep_ambiguous=True):
            raw = raw[lead.end() :]
        for k, part in enumerate(_SPLIT.split(_EMAIL.sub(" ", raw))):
            if k and _CREDENTIAL.match(part.strip()):
                continue  # "Dylan Bailey, MS, RD, FAND": her credentials, not more people
            name = clean_author(part, handles=handles, credits=credits)
            if name and name.casefold() not in skip and name not in names:
                names.append(name)
    return _without_initials(names)


_INITIALS = re.compile(r"^[A-Z]{2,3}$")


def _without_initials(names: list[str]) -> list[str]:
    """Names without the initials an avatar shows in place of a photo ("CM" beside "Craig
    McCarthy", "CM Craig McCarthy"): a name's initials are no one else's name."""
    stripped = []
    for name in names:
        first, _, rest = name.partition(" ")
        if _INITIALS.match(first) and rest and first == _initials_of(rest):
            name = rest  # "CM Craig McCarthy": the avatar's letters before the name
        if name not in stripped:
            stripped.append(name)
    initials = {_initials_of(name) for name in stripped if " " in name}
    return [name for name in stripped if not (_INITIALS.match(name) and name in initials)]


def _initials_of(name: str) -> str:
    return "".join(word[0] for word in name.split())


def is_person_name(name: str) -> bool:
    """Two to four capitalised words ("Jane Roe", "Julian K. Arni"): a person's name as a
    byline prints it."""
    return bool(_PERSON.match(name))


def is_account(name: str) -> bool:
    """A CMS or forum user name rather than a name as printed: one word with a dot, an
    underscore or a digit, in lower case, or with an inner capital ("andrew.keaveney",
    "KatieS", "jsmith")."""
    return bool(
        _HANDLE.match(name)
        and (re.search(r"[._\d]", name) or name[:1].islower() or re.search(r"[a-z][A-Z]", name))
    )


def is_label(line: str) -> bool:
    """A by-word or an author label alone: "By", "Written by", "Author:", "Article by"; also
    as a list's item ("• Von", a text dump's bullet)."""
    line = line.strip().lstrip(_BULLET_MARKS + " ")
    return bool(_LABEL.match(line) or _BLOCK_LABEL.match(line))


def by_word(line: str) -> bool:
    """The line has a by-word after its start ("Posted on 3 May 2025 by Jane Roe")."""
    return any(found.start() > 0 for found in _BY.finditer(line))


# --- bylines as lines of text (a text dump's, or an HTML page's lines around its headline) ---

_WORD_BOUNDED = r"\b{}\b"
# "ByJane Roe": a dump glues the by-word to a linked name (a capital after it, case-sensitive)
BYLINE = re.compile(
    rf"^(?:(?:{words('extract.byline')})(?::\s*|\s+)|(?-i:By)(?=[A-ZÀ-ÞĀ-Ž][a-zà-ÿ]))(?P<names>.+)$",
    re.I,
)
BYLINE_MAX_WORDS = 12  # a byline line is short; "by" inside a sentence is prose
# What follows the names in a byline: a separator and a date, a place, or a role.
_BYLINE_TAIL = re.compile(
    r"\s*(?:[|/•·\u2013—]|\s-\s).*$"
    rf"|\s+(?i:{words('extract.byline_preposition')})\s.*$"
    rf"|,\s*(?:\d|[a-z]|(?i:{words('extract.byline_role_adjective')})\b"
    rf"|\w*(?i:{words('extract.byline_role')}))\w*.*$"
    r"|,?\s+\d.*$"
)
_NAME_SPLIT = re.compile(
    rf"\s*(?:,|&|{words('extract.name_connector', wrap=_WORD_BOUNDED)})\s*", re.I
)
_NAME = re.compile(r"^[A-ZÀ-ÞĀ-Ž][\w'\u2019.-]*(?:\s+[\w'\u2019.-]+){0,4}$")
# A name on a line not marked as a byline: two to four capitalised words ("Jane Roe",
# "Julian K. Arni"), or one user name with an inner capital or underscore ("DaleJack", "Noah_B").
_BARE_NAME = re.compile(
    r"^(?:[A-ZÀ-ÞĀ-Ž][\w'\u2019.-]*(?:\s+[A-ZÀ-ÞĀ-Ž][\w'\u2019.-]*){1,3}"
    r"|[A-Za-z][a-z0-9]+(?:[A-Z_][A-Za-z0-9]*)+)$"
)
_PERSON = re.compile(r"^[A-ZÀ-ÞĀ-Ž][\w'\u2019.-]*(?:\s+[A-ZÀ-ÞĀ-Ž][\w'\u2019.-]*){1,3}$")
_BARE_WORDS = 18  # a names-only line: up to six names (_BARE_PARTS), each checked
_BARE_PARTS = 6
_BARE_TAIL = re.compile(r"\s+[|•·]\s.*$")  # "A, B, C & D": up to six names, each checked
# Post-nominal letters after a name ("Jane Roe, MD, PhD", "Dylan Bailey, MS, RD, FAND"):
# degrees and credentials, not more names.
_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,6}|(?:[A-Z][a-z]?\.){1,3}(?:\s?[A-Z]{2,6})?|Ph\.?D\.?)$")
# A name printed twice in a row: an author photo's alt text ("Picture of Jane Roe", "Jane
# Roe Profile Image") or the name repeated, then the name as a line of its own.
_PHOTO_LINES = 2
_PHOTO = re.compile(rf"\b(?:{words('authors.photo')})\b", re.IGNORECASE)
_BULLET_MARKS = "•·*-\u2013□◦▪"  # a text dump's list bullets
# A bullet that opens a dump's list item (text_dump's menus and dates, author_model's lines)
LIST_BULLET = re.compile(r"^\s*[•□◦▪*+-]\s+")
_BULLETS = frozenset(_BULLET_MARKS)
_IMAGES = re.compile(r"\[(?P<alt>[^\]]*)\]")  # a text dump's image placeholders: "[Julia-Gr]"
_ALONE = re.compile(r"^\s*\[(?P<alt>[^\]]*)\]\s*$")


def shown_lines(lines: list[str]) -> list[str]:
    """The lines that show more than images ("[photo-of-jane]" in a text dump), stripped."""
    return [line.strip() for line in lines if _IMAGES.sub("", line).strip()]


def _alt_text(line: str) -> str:
    """A line that is one image as its alt text ("[Jane Roe]": a markdown dump's photo);
    any other line as it is."""
    alone = _ALONE.match(line)
    return alone["alt"] if alone else line


# What parts a byline's names from the rest of the line before its date.
_HEAD_SEPARATOR = re.compile(r"\s[/|·•]\s")
# "Jane Roe on" before the date on its line: the preposition is the date's
_HEAD_END = re.compile(rf"\s+(?:{words('authors.tail_preposition')})$")


def by_lines(lines: list[str], *, credits: bool = False, strict: bool = False) -> list[str]:
    """The names of the first by-line, or of the line after a by-word alone on its line;
    strict: by-lines alone, whose names need no cleaning ("By Jane Roe", not "by Jane Roe
    (Author)" under a book on sale): the page-type model's byline signal."""
    for k, line in enumerate(lines):
        found = byline_names(line, credits=credits, strict=strict)
        if not found and not strict and is_label(line):
            # the names on the next line, or the one after an author photo's file name
            # ("[]avatar_jane_roe": one word, no prose)
            for n, after in enumerate(lines[k + 1 : k + 3]):
                found = byline_names(after, bare=True, credits=credits)
                # a first name alone right under a by-word ("von" / "nach" / "Datum" is a form)
                lone = not n and _BY_LABEL.search(line)
                found = found or (labelled_names(after) if lone else [])
                if found or len(after.split()) != 1:
                    break
        if found:
            return found
    return []


# One capitalised word: a first name or a pen name ("Eliz", "Amanda"), which a line of its
# own shows for many other things; after an author label it is the author's.
_ONE_NAME = re.compile(r"^[A-ZÀ-ÞĀ-Ž][a-zà-ÿ'\u2019-]+$")
# A label that ends on a by-word ("Written by", "Von"), not a field's name ("Author" over a
# search form's box)
_BY_LABEL = re.compile(rf"(?:^|\s)(?:{words('authors.by')})\s*:?$", re.IGNORECASE)


def labelled_names(line: str) -> list[str]:
    """The names on the line after a by-word label alone ("Written by" / "Eliz - Product
    marketer"), read as the rest of a by-line ("By Eliz - Product marketer": the role after
    the dash is its tail): the label makes a lone first name an author's, so one capitalised
    word will do, or names by their shape; nothing else on the line ("Date within …")."""
    found = byline_names(f"By {line.strip()}")
    if len(found) == 1 and _ONE_NAME.match(found[0]):
        return found
    # several names: each a name by its shape ("Art & Culture" is a section)
    return found if found and all(is_person_name(name) for name in found) else []


# A markdown link to an author's own page (html2text and other markdown dumps keep link
# targets): "[Jane Roe](https://site.example/author/jane-roe/)", a forum's user page
# "[jdoe](/u/jdoe)", "[jdoe](/members/jdoe.1234/)" (a slug after the word: "/authors/" alone
# is a list of them all). An author's page is theirs whatever its slug says; a people's or a
# user's page must name the person its link shows ("[Sign In](/user/login)" is no one's).
_AUTHOR_LINK = re.compile(
    r"(?<!!)\[(?P<text>[^\[\]\n]{2,60})\]\((?:https?://[^/\s)]+)?(?:/[^/\s)]+)*?"
    r"/(?:(?P<author>authors?|contributors?|writers?|blog-authors)|(?P<user>u|users?|members?"
    r"|profiles?)|people|staff|newsteam)/(?P<slug>(?:[^/?#\s)]+/)*[^/?#\s)]+)"
)


_ACCOUNT = re.compile(rf"^(?:{words('authors.account_action')})$", re.IGNORECASE)


def linked_names(text: str) -> list[str]:
    """The people the first link to an author's page names ("[Jane Roe](/author/jane-roe/)"),
    or a user's page that its address names ("[jdoe](/u/jdoe)", "[Jane Roe](/people/jane-roe)");
    not what such links also say ("View all posts", "Full bio")."""
    for found in _AUTHOR_LINK.finditer(text):
        shown, slug = found["text"].strip(), _folded(found["slug"])
        if _ACCOUNT.match(shown):
            continue
        names = [
            name
            for name in clean_authors([shown])
            if is_person_name(name) and (found["author"] or _named_in(name, slug))
        ]
        if names:
            return names
        if found["user"] and _HANDLE.match(shown) and _folded(shown) in slug:
            return [shown]
    return []


def _folded(text: str) -> str:
    """Lower case without accents, as an address spells a name ("López" in "/lopez")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _named_in(name: str, slug: str) -> bool:
    """A word of the name (three letters or more) is in the address's slug."""
    return any(len(word) >= 3 and word in slug for word in re.findall(r"\w+", _folded(name)))


# "Thread starter jdoe", "Discussion in 'Help' started by jdoe, May 26, 2025.": the user
# name of a forum thread's first post (a user name, lower case, with digits, or a display
# name of capitalised words: "Thread starter Jane Roe"), which ends the line or comes
# before a comma: "started by the council in 2019" is prose.
_STARTER = re.compile(
    rf"(?:^|\s)(?i:{words('authors.starter')})\s*:?\s+"
    r"(?P<name>[^\s,]+(?:\s+[A-ZÀ-ÞĀ-Ž][^\s,]*){0,2})(?=\s*(?:,|$))"
)


# The same label alone on its line, under the user name ("jdoe" / "Original Poster")
_STARTER_LABEL = re.compile(rf"^(?i:{words('authors.starter')})$")


def thread_starter(lines: list[str]) -> list[str]:
    """The user name the forum shows as the thread's starter, at its first mention: after
    the label, or on the line above the label alone."""
    for k, line in enumerate(lines):
        found = _STARTER.search(line)
        name = clean_author(found.group("name"), handles=True) if found else None
        if found and _EMAIL.fullmatch(found.group("name")):
            # a forum whose accounts are e-mail addresses shows the address as the user name
            name = found.group("name")
        if not name and k and _STARTER_LABEL.match(line.strip()):
            above = lines[k - 1].strip()
            name = clean_author(above, handles=True) if _HANDLE.match(above) else None
        if name:
            return [name]
    return []


# --- a thread's first poster, from the thread's structure ---

_POST_WORDS = 12  # a post's date line: the date, and a place or an "edited" note after it
_POSTER_EXTRA = 2  # words after the poster's name in the header: a rank, a badge ("Admin")
_STORY_PREFIX = 40  # the story's first line as the page shows it, before a dump wraps it
_RELATIVE_DATE = re.compile(rf"^(?:{words('text_dates.relative')})", re.IGNORECASE)


def _post_date(line: str) -> bool:
    """A short line that opens on a date, as a post's header dates the post ("April 2, 2024
    in Questions", "March 2025 edited March 2025", "3 days ago")."""
    text = line.strip().lstrip(_BULLET_MARKS + " ")
    tokens = text.split()
    if not tokens or len(tokens) > _POST_WORDS:
        return False
    dates = find_dates(text, keep_ambiguous=True)
    if dates and text.startswith(dates[0].raw):
        return True
    return month_year(" ".join(tokens[:2])) or bool(_RELATIVE_DATE.match(text))


def _poster(line: str) -> str | None:
    """The poster a post's header names on the line above its date: a person's name alone
    ("Jane Roe"), or a user name with a rank or a badge after it ("Linc Admin", "JGD
    Members"), the name printed twice when a dump glues the avatar's alt text to it
    ("LincLinc Admin")."""
    text = _IMAGES.sub(" ", line).replace("|", " ").strip().lstrip(_BULLET_MARKS + " ")
    tokens = text.split()
    if not tokens or len(tokens) > 1 + _POSTER_EXTRA:
        return None
    if (found := byline_names(text, bare=True)) and len(found) == 1:
        return found[0]
    first = tokens[0]
    half = len(first) // 2
    if len(first) % 2 == 0 and first[:half] == first[half:]:
        first = first[:half]
    if not _HANDLE.match(first) or first.isdigit():
        return None
    return clean_author(first, handles=True)


def thread_posters(lines: list[str], story: str = "") -> list[str]:
    """The first poster of a thread, read from its structure: each post headed by its
    poster's name on the line above the post's date ("Linc Admin" / "March 2025"), the first
    header before the story's first line (the thread's first post, which the cleaner keeps
    as the story; comments under an article come after it), and the page a thread: two
    posters or more, the first of whom heads another post too (the starter answering in
    the thread, as a listing's or a product page's dated labels do not: "Released" /
    "21 Aug, 2012").

    Issue 16, modern/ (bench.text_authors, in-process; w3m/html2text/inscriptis; held-out
    read as totals only): with asker, tuning right 105/110/98 -> 107/111/102 of 133, wrong
    1/2/2 -> 1/1/2; held-out right 69/75/65 -> 69/75/67 of 109, wrong 5/7/5 -> 5/7/4 (this
    rule alone: tuning +2/0/+2, held-out +0 on every renderer, never fired wrong). Tried and
    not kept: any two headers (no poster heading a second post): tuning +1/-1/+1 right for
    3/2/3 wrong more, field labels read as posters ("Last", "Conclusion", "Released"), and
    held-out 0/-3/-2 right, +2/+5/+4 wrong; the first poster heading one post only when a
    user name by its shape (is_account): no right name more, one more name on an unannotated
    held-out w3m page; the name up to two or three lines above the date (a rank or a badge
    line between): no right name more, field labels of unannotated pages ("Filtered").

    Its place (text_dump.author_rules): after every by-line and photo rule, its name no
    ordinary word of the page (_proper). Read first, right after thread_starter, it changed
    the scored modern/ figures only as above, but on 10 tuning dumps of segments/ and dates/
    (no annotated author; read by hand) it outranked the by-line or the dated line with an
    ordinary word above a date ("into", "Gehöre" on four dumps, "Prendre") or a first name
    alone ("Tim" for a by-line's "Tim Anderson", four dumps), and on modern/'s m0083 (a
    listing, no author annotated) it named a teaser's author. Read last, it names the same
    annotated modern/ pages (figures above unchanged) and none of those."""
    shown = shown_lines(lines)
    opening = story.strip().split("\n")[0].strip()[:_STORY_PREFIX] if story else ""
    start = next((k for k, line in enumerate(shown) if opening and opening in line), None)
    if start is None:
        return []
    posters: list[tuple[int, str]] = []
    for k in range(1, len(shown)):
        if _post_date(shown[k]) and (name := _poster(shown[k - 1])):
            posters.append((k - 1, name))
    if not posters or posters[0][0] >= start:
        return []
    # a poster by the name's first word: a header may add a rank to it ("JGD Members")
    first = posters[0][1].split()[0]
    keys = Counter(name.split()[0] for _, name in posters)
    if len(keys) < 2 or keys[first] < 2:
        return []
    readings = Counter(name for _, name in posters if name.split()[0] == first)
    if first in readings:
        return [first]  # the user name alone, and with a rank after it ("JGD" / "JGD Members")
    return [min(readings, key=lambda name: (-readings[name], len(name)))]


# "asked Mar 28, 2014 at 11:38" / "drat's user avatar" / "drat" / "1,655 1 1 gold badge": a
# Q&A page's question card, the asker's name under the date the question was asked and over
# the asker's reputation (a figure); the card of an editor comes before it, an answerer's
# after it ("answered …")
_ASKED = re.compile(rf"^(?i:{words('authors.asked')})\s+(?=\S)")
_CARD_LINES = 3  # from the date to the name: the avatar's alt text between them


def asker(lines: list[str]) -> list[str]:
    """The user who asked a Q&A page's question: the name on its card, the first line under
    the asked date that is not the avatar's alt text, when a figure (the reputation) opens
    the line after it."""
    shown = shown_lines(lines)
    for k, line in enumerate(shown):
        found = _ASKED.match(line.lstrip(_BULLET_MARKS + " "))
        if not found or not _post_date(line.lstrip(_BULLET_MARKS + " ")[found.end() :]):
            continue
        card = [other for other in shown[k + 1 : k + 1 + _CARD_LINES] if not _PHOTO.search(other)]
        name = _poster(card[0]) if len(card) > 1 and card[1][:1].isdigit() else None
        return [name] if name else []
    return []


def signed_handles(lines: list[str]) -> list[str]:
    """The user name of the first by-line that names one ("By thanosmano,"; not a capitalised
    word: "Shop By Collection"), when the page also shows it alone on a line: the poster's
    card beside the post. A lower-case word after "By" is prose as often ("By default"); a
    word printed as a line of its own is no part of a sentence."""
    alone = {line.strip() for line in lines}
    for line in lines:
        found = BYLINE.match(_IMAGES.sub(" ", line).strip())
        names = _BYLINE_TAIL.sub("", found.group("names")).strip(" ,.") if found else ""
        name = clean_author(names, handles=True) if is_account(names) else None
        if name and name in alone:
            return [name]
    return []


def photo_names(lines: list[str], *, accounts: bool = True) -> list[str]:
    """The names of the first names-only line under an author photo: its alt text shows
    the name ("Picture of Jane Roe" / "Jane Roe") or calls it the author's ("Author image" /
    "Jane Roe"), the usual author box of a page that prints no by-word; accounts: or a user
    name under the photo its alt text gives as theirs ("jdoe's user avatar" / "jdoe"), which
    a forum shows for every poster and editor, not only the author."""
    shown = [line.strip() for line in lines if line.strip()]
    for k in range(1, len(shown)):
        if shown[k][:1] in _BULLETS:
            continue  # a menu item, which menus repeat
        before = shown[max(0, k - _PHOTO_LINES) : k]
        found = byline_names(shown[k], bare=True)
        found = found if accounts or not any(map(is_account, found)) else []
        # the alt text calls it a photo ("Picture of …", "… Profile Image"); a heading or
        # a menu item shown twice is no author box
        if found and any(_author_photo(line, found[0]) for line in before):
            return found
        name = clean_author(shown[k], handles=True) if _HANDLE.match(shown[k]) else None
        name = name if accounts else None
        if name and any(_own_photo(line, name) for line in before):
            return [name]
    return []


# A by-word anywhere in a line, a label's colon after it too ("Reviewed By: A")
_BY_WORD = re.compile(rf"(?:^|\s)(?i:{words('authors.by')})\s*:?\s")
_DOUBLED_TO_DATE = 3  # the date line follows the name within a line or two ("Reviewed by")


def doubled_names(lines: list[str], dated: set[str], title: str | None = None) -> list[str]:
    """The names of the first person's name printed twice in a row above a date line: a text
    dump shows the author photo's alt text, then the name ("Jane Roe" / "Jane Roe" /
    "Updated: August 5, 2025"). Between headline and story only; elsewhere a name shown
    twice is a teaser's or a commenter's, and without a date a product's or a menu's. The
    headline does not stand between a byline's name and its date: a menu item a dump shows
    twice above the headline ("Contact Us" / "Contact Us" / headline / date) is no byline.
    A "headline" with a by-word ("Reviewed By: A") may be a byline taken for one, and
    separates nothing."""
    shown = shown_lines(lines)
    headline = title.strip() if title and not _BY_WORD.search(title) else None
    for k in range(1, len(shown)):
        line = shown[k]
        if line != shown[k - 1] or line[:1] in _BULLETS:
            continue
        following = shown[k + 1 : k + 1 + _DOUBLED_TO_DATE]
        if headline in following:
            following = following[: following.index(headline)]
        if not any(after in dated for after in following):
            continue
        found = byline_names(line, bare=True)
        if found and all(is_person_name(name) for name in found):
            return found
    return []


def _author_photo(line: str, name: str) -> bool:
    """The alt text of the photo of `name`: a photo word and the name, or a photo word and
    an author label alone ("Author image")."""
    if name in line:
        return bool(_PHOTO.search(line.replace(name, " ")))
    rest = _PHOTO.sub(" ", line).strip(" -:") if _PHOTO.search(line) else ""
    return bool(rest) and is_label(rest)


def _own_photo(line: str, name: str) -> bool:
    """The alt text of a user's photo: "jdoe's user avatar"."""
    return bool(re.match(rf"{re.escape(name)}['\u2019]s\s", line) and _PHOTO.search(line))


_BIO_WORDS = 8  # a bio names its author in its first words: "Jane started …", "(Editor) - Jane …"
_BIO_MIN_WORDS = 8  # ... and is prose, not a menu or a teaser title
# ... about a person: "he", "her"
_PERSONAL = re.compile(rf"\b(?i:{words('authors.bio_pronoun')})\b")
# ... or by that person: "Jane Roe" / "I'm the founder of …"
_FIRST_PERSON = re.compile(rf"^(?:{words('authors.bio_first_person')})")
# An author box whose photo's alt text runs into the bio on one line: "Jane Roe Photo Jane
# Roe Photo I'm a tech blogger by night …"
_PHOTO_BIO = re.compile(
    r"^(?P<name>[^\W\d_][\w'\u2019.-]*(?:\s+[^\W\d_][\w'\u2019.-]*){1,3})"
    rf"\s+(?i:{words('authors.photo')})\s+"
    rf"(?:(?P=name)\s+(?i:{words('authors.photo')})\s+)?(?P<bio>.+)$"
)


def _first_person(line: str, story: str) -> bool:
    """A line of prose that opens a bio in the first person ("I'm the founder of …"), outside
    the story: an author box. In the story, a heading over such a paragraph is the story's
    own; a short line ("I'm a contractor") is a button."""
    return (
        len(line.split()) >= _BIO_MIN_WORDS
        and bool(_FIRST_PERSON.match(line))
        and " ".join(line.split()) not in story
    )


def bio_names(lines: list[str], story: str = "") -> list[str]:
    """The name of the first author box: a person's name alone on its line, then the
    author's bio, the paragraph that starts on the next line shown, which credits the full
    name after a by-word ("This post was written by Jane Roe, head of …"), or calls them by
    the first name alone, goes on in lower case and speaks of a person ("Jane Roe" / "Jane
    started the site in 2010; her …"). A heading that opens a paragraph about a thing
    repeats its term ("Rustic Furniture" / "Rustic furniture is …") and says "it".
    A bio in the first person names its author outside `story` (the story's text, its
    whitespace collapsed): "Jane Roe" / "I'm the founder of …", or the photo's alt text
    before it on its line ("Jane Roe Photo I'm a tech blogger …")."""
    for k, line in enumerate(lines):
        glued = _PHOTO_BIO.match(line.strip())
        if glued and is_person_name(glued["name"]) and _first_person(glued["bio"], story):
            return [glued["name"]]
        if line.strip()[:1] in _BULLETS or len(line.split()) > _BARE_PARTS:
            continue
        # "Jane Roe (JRoeNews)"; a photo alone, whose alt text is the name ("[Jane Roe]")
        found = byline_names(_BRACKETS.sub(" ", _alt_text(line)), bare=True)
        if not found or not is_person_name(found[0]):
            continue
        bio = _paragraph_after(lines, k)
        if len(bio.split()) < _BIO_MIN_WORDS:
            continue
        if _first_person(_lines_after(lines, k)[0], story):
            return found[:1]
        opening = " ".join(bio.split()[:_BIO_WORDS])
        first, second = found[0].split()[:2]
        if re.search(rf"{_BY.pattern}{re.escape(found[0])}\b", opening):
            return found[:1]
        called = re.search(rf"(?:^|[\s(\u2013\u2014-]){re.escape(first)}\s+([a-z]\w*)", opening)
        if called and called.group(1) != second.casefold() and _PERSONAL.search(bio):
            return found[:1]
        # or opens a line on the full name as printed, then a verb ("Jane Roe is a freelance
        # writer …"); a name inside a sentence ("… goalkeeper Jane Roe has") is a subject
        named = re.compile(rf"{re.escape(found[0])}\s+[a-z]")
        if any(named.match(line) for line in _lines_after(lines, k)[:2]) and _PERSONAL.search(bio):
            return found[:1]
    return []


def _paragraph_after(lines: list[str], k: int) -> str:
    """The text from the first line shown after line k up to the next blank line."""
    return " ".join(_lines_after(lines, k))


def _lines_after(lines: list[str], k: int) -> list[str]:
    """The lines from the first one shown after line k up to the next blank line."""
    shown: list[str] = []
    for line in lines[k + 1 :]:
        if line.strip():
            shown.append(line.strip())
        elif shown:
            break
    return shown


def dated_names(
    lines: list[str],
    dated: set[str],
    title: str | None,
    *,
    credits: bool = False,
    handles: bool = False,
) -> list[str]:
    """Names the page prints with a date between headline and story, at the first date line
    that has them: after its last by-word, before or after the dates on its line, or on a
    line of their own just above or below it. credits: a desk or a team too; handles: after
    the by-word, also one user name (a text dump's blog or forum post: "3 May 2025 von
    jdoe42"). (One capitalised word before the date, a first name the byline prints alone,
    was read on the line right under the headline, "Susan December 9, 2024", and on the line
    above the date: both are gone, see text_dump._authors.)"""
    for k, line in enumerate(lines):
        if line not in dated or (title and line.strip() == title.strip()):
            continue  # a date in the headline is the story's subject, not its byline
        last_by = [m.start() for m in _BY.finditer(line) if m.start() > 0]
        if last_by and len(line[: last_by[-1]].split()) <= BYLINE_MAX_WORDS:
            # "Posted on 3 May 2025 by A - 5 Comments on …": the names after the last by-word;
            # or one user name, the poster's ("3 May 2025 von jdoe42"; not the words of a
            # link bar after it: "by jdoe | hide | past")
            found = clean_authors([line], credits=credits)
            handle = clean_authors([line], handles=True) if handles and not found else []
            found = found or (handle if len(handle) == 1 else [])
            if found:
                return found
        dates = find_dates(line, keep_ambiguous=True)
        start = line.find(dates[0].raw) if dates else -1
        # the names up to the first separator: "A - 2025/4/29", "A / site.com / Updated: …"
        head = _HEAD_SEPARATOR.split(line[:start].strip())[0] if start > 0 else ""
        head = _HEAD_END.sub("", head.strip(" -\u2013\u2014|/·•"))
        named = head and not (title or "").startswith(head)
        found = byline_names(head, bare=True, credits=credits) if named else []
        end = line.rfind(dates[-1].raw) + len(dates[-1].raw) if dates else len(line)
        found = found or byline_names(line[end:], bare=True, credits=credits)
        for other in (_next_line(reversed(lines[:k])), _next_line(lines[k + 1 :])):
            if not found and other not in dated and other != title:
                found = byline_names(other, bare=True, credits=credits)
        if found:
            return found
    return []


# The parts of a metadata line a page lays side by side, parted by a dot or a bar ("Jane
# Roe•Oct 20, 2025", "December 15, 2025 · 30 min · 6279 words · Jane Roe").
_PARTS = re.compile(r"\s*[·•|]\s*")


def part_names(lines: list[str], menus: set[str]) -> list[str]:
    """The person's name that a dated line under the headline shows as one of its parts:
    the name, the date and the reading time parted by dots or bars, in any order, with
    nothing but figures between the name and the date ("Jane Roe • May 3, 2025 • 5 min
    read"; not "May 3, 2025 | categories: Python | View Comments"). A name by its shape
    (two to four capitalised words, what follows it in a byline cut: "Jane Roe on behalf
    of …"), and not an item of the page's menus (a section: "Travel News • May 3, 2025")."""
    for line in lines:
        parts = [p.strip(" -\u2013\u2014,") for p in _PARTS.split(_IMAGES.sub(" ", line).strip())]
        dated = [k for k, part in enumerate(parts) if find_dates(part, keep_ambiguous=True)]
        if len(parts) < 2 or not dated:
            continue
        for k, part in enumerate(parts):
            name = clean_author(_BYLINE_TAIL.sub("", part)) or ""
            if not is_person_name(name) or name.casefold() in menus:
                continue
            if any(_figures_between(parts, k, d) for d in dated):
                return [name]
    return []


def _figures_between(parts: list[str], k: int, d: int) -> bool:
    """Every part between parts k and d holds a figure (a reading time, a word count)."""
    return all(any(ch.isdigit() for ch in part) for part in parts[min(k, d) + 1 : max(k, d)])


# A name printed twice in one line: an author photo's alt text, then the name ("Picture of
# Jane Roe Jane Roe", "An avatar representing Jane Roe Jane Roe", "Jane Roe (jr) Jane Roe
# (jr)"), or a dump that glues the repeats ("Jane RoeJane Roe").
_REPEATED = re.compile(
    r"(?:^|\s)(?P<name>[A-ZÀ-ÞĀ-Ž][\w'\u2019.-]*(?:\s+[A-ZÀ-ÞĀ-Ž][\w'\u2019.-]*){1,3}"
    r"(?:\s*\([^()]*\))?)(?:\s*(?P=name))+$"
)


def repeated_names(lines: list[str], *, photo: bool = False) -> list[str]:
    """The name of the first line that ends in a person's name printed twice over; photo:
    after an alt text that calls it a photo (a logo's or a button's alt text and label
    repeat a name too, anywhere on a page)."""
    for line in lines:
        found = None
        # the alt text as a dump without brackets shows it, or apart in its brackets
        # ("[An avatar representing Jane Roe] Jane Roe")
        for shown in (_IMAGES.sub(" ", line), _IMAGES.sub(r" \g<alt> ", line)):
            shown = shown.strip().lstrip("•·*-\u2013□ ")
            if found := _REPEATED.search(shown):
                break
        name = _BRACKETS.sub(" ", found.group("name")).strip() if found else ""
        if photo and found and not _PHOTO.search(shown[: found.start("name")]):
            continue
        if name and is_person_name(name) and clean_author(name):
            return [name]
    return []


_POSTER_WORDS = 4  # "raoul (Raoul Duke)": a name or a user name, and what repeats it


def post_header_names(lines: list[str]) -> list[str]:
    """The poster of the first post header: a name or a user name, then the post's date with
    its time ("DaleJack September 5, 2024, 11:15pm 1", "raoul (raoul) May 3, 2024, 8:45am"),
    how a forum heads each post; between headline and story, the thread's first post. A user
    name alone on a line is many things; before the date and time of a post it is its poster."""
    for line in lines:
        dates = find_dates(line, keep_ambiguous=True)
        if not dates or not dates[0].has_time:
            continue
        shown = line[: line.find(dates[0].raw)]
        head = _BRACKETS.sub(" ", shown).strip(" -\u2013\u2014|·•,")
        if not head or len(head.split()) > _POSTER_WORDS:
            continue
        found = byline_names(head, bare=True)
        if not found and _HANDLE.match(head) and not any(ch.isdigit() for ch in head):
            # a token with figures ("JaneDoe42x") may be any generated id
            found = [name] if (name := clean_author(head, handles=True)) else []
        # a person's name or a user name, not a word ("answered Dec 3, 2025 at 10:00"): a
        # user name in lower case must look like one ("hayley.p") or be shown as one, beside
        # the poster's display name ("raoul (raoul)")
        if found and all(
            is_person_name(name) or _USER_NAME.search(name) or f"({name})" in shown
            for name in found
        ):
            return found
    return []


_USER_NAME = re.compile(r"[._]|[a-z][A-Z]")  # "hayley.p", "q_admin", "DaleJack"


_DAY = re.compile(r"^(?:[12]?\d|3[01])(?:st|nd|rd|th)?$")


# A month and a year alone, after a date's label or not ("Last Updated January, 2025")
_MONTH_YEAR = re.compile(
    rf"^(?:(?:{words('authors.tail_word')})\s*:?\s+)?(?:{words('authors.date_word')})\.?,?"
    r"\s+(?:19|20)\d\d$",
    re.IGNORECASE,
)


def month_year(line: str) -> bool:
    """A line that dates a post by its month and year alone ("Last Updated January, 2025"),
    which no date parser reads as a day."""
    return bool(_MONTH_YEAR.match(line.strip().lstrip("•·*-\u2013 ")))


def yearless_date(line: str) -> bool:
    """A line that is a day and a month, with no year ("Jun 9", "Friday, 9 June"): the
    date of a blog post of this year under its author's name, which no date parser reads."""
    tokens = [token.strip(",.") for token in line.split()]
    if not 2 <= len(tokens) <= 4:
        return False
    days = sum(bool(_DAY.match(token)) for token in tokens)
    months = sum(bool(_DATE_WORDS.match(token)) for token in tokens)
    return days == 1 and months == len(tokens) - 1


def _next_line(lines: Iterable[str]) -> str:
    """The first line that shows more than images ("[photo-of-jane]" in a text dump)."""
    return next((line for line in lines if _IMAGES.sub("", line).strip()), "")


def byline_names(
    line: str, *, bare: bool = False, credits: bool = False, strict: bool = False
) -> list[str]:
    """The names of a by-line ('By A and B | 5 May'); bare: of a line that holds only names
    ('A', 'A and B', a forum user name 'DaleJack')."""
    shown = line if strict else _IMAGES.sub(" ", line)
    stripped = shown.strip().lstrip("•·*-\u2013□ ").strip()
    m = BYLINE.match(stripped)
    if m:
        names = _BYLINE_TAIL.sub("", m.group("names")).strip(" ,.")
    elif bare and len(_BARE_TAIL.sub("", stripped).split()) <= _BARE_WORDS:
        # names alone, up to a separator ("Jane Roe | The Texas Newsroom"); each checked below
        names = _BARE_TAIL.sub("", stripped)
    else:
        return []
    found = [n.strip() for n in _NAME_SPLIT.split(names) if n.strip()]
    if len(found) > 1:
        found = [n for n in found if not _CREDENTIAL.match(n)] or found
    if bare and not m:  # a line not marked as a byline must be names alone
        if len(found) > _BARE_PARTS:
            return []
        named = all(_BARE_NAME.match(n) and clean_author(n, credits=credits) for n in found)
        return found if named else []
    if strict:
        found = [n for n in found if _NAME.match(n)]
    cleaned = (clean_author(n, credits=credits) for n in found)
    return [name for name in cleaned if name and _NAME.match(name)]


# A name that owns what follows: "Jane Roe's Tech Blog", "Jane Roe's personal pages"
_POSSESSIVE = re.compile(
    r"^(?P<name>[A-ZÀ-ÞĀ-Ž][\w.-]*(?:\s+[A-ZÀ-ÞĀ-Ž][\w.-]*){1,2})['\u2019]s\s+\w"
)
_OWNER_HEAD = 5  # the page's first lines shown: its header, where a blog names its owner


def site_owner(lines: list[str]) -> list[str]:
    """The person a personal site is named after, in its header ("Jane Roe's Tech Blog",
    "Jane Roe's thoughts on …"): a blog's author when no post names one. A person's name by
    its shape: two or three capitalised words, no role. (The holder of a "© 2020 Jane Roe"
    line was tried too: on modern/'s tuning half most holders are companies.)"""
    for line in shown_lines(lines)[:_OWNER_HEAD]:
        found = _POSSESSIVE.match(line.lstrip(_BULLET_MARKS + "# "))
        if found and (name := _owner_name(found["name"])):
            return [name]
    return []


def _owner_name(text: str) -> str | None:
    """The name before the possessive, if a person's."""
    name = " ".join(text.split())
    return name if clean_author(name) == name and is_person_name(name) else None
