"""Publication dates of an HTML page: the evidence, its parsing, and the choice among it.

Evidence: the story's JSON-LD datePublished, publication meta tags, a <time> marked as the
publication time; the date line printed right under the headline (and a kicker line above
it); a "published on" byline; htmldate's original-date search (fast mode; its extensive
search, which may call dateparser, only when nothing else is found); a date in the page's
own URL. `choose_published` says how they combine. A datetime keeps the offset the page
gives; a page that gives none yields a naive datetime (read later in the source's zone).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from htmldate.extractors import try_date_expr
from lxml.etree import iterwalk
from lxml.html import HtmlElement

from tasks.page.leftovers import is_related_heading
from tasks.page.lexicon import alternation as words
from tasks.page.parse import in_body

# Meta keys naming the publication time, best first (lower-cased, as read_meta_tags keeps them).
PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "article.published",
    "article:published",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "publication_date",
    "date.published",
    "originalpublicationdate",
    "rnews:datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "citation_publication_date",
    "citation_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "date",
    "time_pubdate",
)
# Keys often filled with the render or update time: trusted only when other evidence agrees.
WEAK_META = frozenset({"dc.date", "dcterms.date", "date", "time_pubdate"})
MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
)

_ISO = re.compile(
    r"(?P<y>(?:19|20)\d\d)-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)"
    r"(?:[T ](?P<H>[0-2]\d):(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d)(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|[+-][01]\d:?[0-5]\d|[+-][01]\d(?!\d))?)?"
)
_SLASHED = re.compile(r"\b(?P<y>(?:19|20)\d\d)[/.](?P<m>[01]?\d)[/.](?P<d>[0-3]?\d)\b")
_DOTTED = re.compile(r"\b(?P<d>[0-3]?\d)\.\s?(?P<m>[01]?\d)\.\s?(?P<y>(?:19|20)\d\d)\b")
_COMPACT = re.compile(r"^(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?:\d{4,6})?$")
# A date path in a URL: /2019/05/31/, /2019-05-31-, /20190531/ (day optional only with /y/m/).
_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d\d)[/_-](?P<m>[01]?\d)[/_-](?P<d>[0-3]?\d)(?:[/_.-]|$)"
    r"|[/_-](?P<y2>(?:19|20)\d\d)(?P<m2>[01]\d)(?P<d2>[0-3]\d)(?:[/_.-]|$)"
)

EARLIEST = datetime(1995, 1, 1)


@dataclass(frozen=True)
class DateEvidence:
    """One date as found: where from, the string, and its parsed value."""

    method: str  # json-ld, meta, htmldate, trafilatura, url, text
    raw: str
    value: datetime
    strong: bool = True  # a key meant for the publication time (not a generic "date")


def _build(
    y: str,
    m: str,
    d: str,
    hh: str | None = None,
    mm: str | None = None,
    ss: str | None = None,
    tz: str | None = None,
) -> datetime | None:
    try:
        value = datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        return None
    if tz:
        if tz == "Z":
            return value.replace(tzinfo=UTC)
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if hours > 14:
            return value
        return value.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))
    return value


def parse_datetime(raw: str | None) -> datetime | None:
    """A datetime from the machine-readable forms pages use: ISO 8601 (offset kept), RFC 2822,
    YYYY/MM/DD, DD.MM.YYYY and YYYYMMDD. None when the string holds none of them."""
    if not raw:
        return None
    text = raw.strip()
    match = _ISO.search(text)
    if match:
        return _build(*match.group("y", "m", "d", "H", "M", "S", "tz"))
    if text[:3].isalpha() and "," in text[:5]:
        try:
            return parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            pass
    for pattern in (_SLASHED, _DOTTED, _COMPACT):
        match = pattern.search(text)
        if match:
            return _build(*match.group("y", "m", "d"))
    return None


def url_date(url: str | None) -> datetime | None:
    """The date written in a URL's path, if any."""
    if not url:
        return None
    match = _URL_DATE.search(url)
    if not match:
        return None
    if match.group("y"):
        return _build(*match.group("y", "m", "d"))
    return _build(*match.group("y2", "m2", "d2"))


def plausible(value: datetime, latest: datetime | None) -> bool:
    """Not before the web's news era, not after the moment the page was fetched (+1 day)."""
    naive = value.replace(tzinfo=None)
    if naive < EARLIEST:
        return False
    return latest is None or naive <= latest.replace(tzinfo=None) + timedelta(days=1)


def collect_evidence(jsonld: dict[str, Any], meta: dict[str, Any]) -> list[DateEvidence]:
    """The structured publication-date evidence of a page (JSON-LD, then meta), best first."""
    found = []
    raw = jsonld.get("date_published")
    value = parse_datetime(raw)
    if value:
        found.append(DateEvidence("json-ld", raw, value))
    for key in PUBLISHED_META:
        raw = meta.get(key)
        if isinstance(raw, list):
            raw = raw[0]
        value = parse_datetime(raw)
        if value:
            found.append(DateEvidence("meta", raw, value, strong=key not in WEAK_META))
    return found


def modified_date(jsonld: dict[str, Any], meta: dict[str, Any]) -> datetime | None:
    for raw in (jsonld.get("date_modified"), *(meta.get(key) for key in MODIFIED_META)):
        value = parse_datetime(raw if isinstance(raw, str) else None)
        if value:
            return value
    return None


def same_day(a: datetime | date, b: datetime | date) -> bool:
    return a.year == b.year and a.month == b.month and a.day == b.day


# "Published on …" in the page's own words; the date expression follows within a few words.
_BYLINE = re.compile(
    rf"\b(?:{words('html_dates.published')})\b"
    rf"(?:\s+(?:{words('html_dates.published_on')}))?\s*:?\s*(?P<rest>.{{6,40}})",
    re.IGNORECASE,
)


def byline_date(text: str, latest: datetime | None) -> DateEvidence | None:
    """The first date printed after a "published on"-like word in the visible text."""
    upper = (latest or datetime(2100, 1, 1)).replace(tzinfo=None) + timedelta(days=1)
    for match in _BYLINE.finditer(text):
        rest = match.group("rest")
        day = try_date_expr(rest, "%Y-%m-%d", False, EARLIEST, upper)
        if day:
            value = datetime.fromisoformat(day)
            return DateEvidence("text", match.group(0).strip(), value)
    return None


# Elements whose text is not the story's date line: hidden, quoted (embedded posts), or the
# site's navigation, sidebars and footer (archives, today's date, copyright lines).
_NOT_DATELINE = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "button",
        "select",
        "blockquote",
        "q",
        "nav",
        "aside",
        "footer",
    }
)
_UPDATED = re.compile(rf"\b(?:{words('html_dates.updated')})\b", re.IGNORECASE)
_HEADER_AFTER = 600  # characters of text after the headline where the date line sits
_HEADER_BEFORE = 200  # … and before it (kicker lines above the headline)
_CHUNK = 80  # longer text runs are sentences of the story, not a date line
_STORY_STARTED = 2  # long runs after the headline: a standfirst, then the story itself


def _headline(tree: HtmlElement, title: str | None) -> HtmlElement | None:
    """The page's headline element: the h1 that the <title> repeats, else the first h1."""
    heads = [h for h in in_body(tree, "h1") if h.text_content().strip()]
    if not heads:
        return None
    key = " ".join((title or "").split()).casefold()
    for head in heads:
        text = " ".join(head.text_content().split()).casefold()
        if len(text) > 8 and text in key:
            return head
    return heads[0]


def _chunks(tree: HtmlElement, headline: HtmlElement) -> tuple[list[str], list[str]]:
    """Text runs shown before the headline (nearest first, within _HEADER_BEFORE characters,
    inside the block that holds the headline) and after it (in order, within _HEADER_AFTER
    characters)."""
    block = headline.getparent()
    before: list[str] = []
    after: list[str] = []
    skipping = None  # an element whose inner text is not read (hidden, or read whole)
    seen_head = False
    size_after = long_runs = 0
    for event, element in iterwalk(tree, events=("start", "end")):
        if skipping is not None:
            if event != "end" or element is not skipping:
                continue
            skipping = None
            seen_head = seen_head or element is headline
            text = element.tail
        elif event == "end":
            text = element.tail
        else:
            if element is block:
                before.clear()  # only the headline's own block may hold its kicker line
            tag = element.tag
            if element is headline or not isinstance(tag, str) or tag in _NOT_DATELINE:
                skipping = element
                continue
            text = element.text
            if tag == "p" and seen_head:
                whole = element.text_content()
                if len(whole) > _CHUNK:  # a story paragraph: one long run, whatever its markup
                    skipping, text = element, whole
        text = " ".join((text or "").split())
        if not text:
            continue
        if not seen_head:
            before.append(text)
            continue
        if is_related_heading(text):
            break  # what follows is other stories' teasers and dates
        after.append(text)
        size_after += len(text)
        long_runs += len(text) > _CHUNK
        if size_after > _HEADER_AFTER or long_runs >= _STORY_STARTED:
            break
    near: list[str] = []
    size = 0
    for text in reversed(before):
        size += len(text)
        if size > _HEADER_BEFORE:
            break
        near.append(text)
    return near, after


def _first_date(texts: list[str], upper: datetime) -> DateEvidence | None:
    """The first date among short text runs; one marked as an update (not strong) only when
    no other is there."""
    updated = None
    for text in texts:
        if len(text) > _CHUNK:
            continue
        day = try_date_expr(text, "%Y-%m-%d", False, EARLIEST, upper)
        if not day:
            continue
        if not _UPDATED.search(text):
            return DateEvidence("header", text, datetime.fromisoformat(day))
        updated = updated or DateEvidence("header", text, datetime.fromisoformat(day), False)
    return updated


def header_dates(
    tree: HtmlElement, title: str | None, latest: datetime | None
) -> tuple[DateEvidence | None, DateEvidence | None]:
    """Dates printed next to the headline: the first one after it, and the nearest above it
    (a kicker line). Story dates sit there on pages without structured data; the dates of
    comments, teasers and archives sit elsewhere."""
    headline = _headline(tree, title)
    if headline is None:
        return None, None
    upper = (latest or datetime(2100, 1, 1)).replace(tzinfo=None) + timedelta(days=1)
    before, after = _chunks(tree, headline)
    found = []
    for texts in (after, before):
        hit = _first_date(texts, upper)
        found.append(hit)
    return found[0], found[1]


_DATE_RUN = 52  # characters: htmldate's longest date expression
_RUN_HEAD = 24  # characters: a long text run may open with its date ("27.1.2022 - Bei …")


def _shown_runs(tree: HtmlElement) -> Iterator[str]:
    """The page's text runs in document order, without hidden, quoted or navigation text."""
    skipping = None
    for event, element in iterwalk(tree, events=("start", "end")):
        if skipping is not None:
            if event == "end" and element is skipping:
                skipping = None
                yield element.tail or ""
        elif event == "end":
            yield element.tail or ""
        elif not isinstance(element.tag, str) or element.tag in _NOT_DATELINE:
            skipping = element
        else:
            yield element.text or ""


def text_date(tree: HtmlElement, latest: datetime | None) -> DateEvidence | None:
    """The first full date the page shows anywhere (a short run, or the opening of a long
    one): the last resort for pages that date themselves nowhere else. It replaces htmldate's
    extensive search, which scans the serialised page with many regexes (up to 0.3 s on a
    large page) and may call dateparser, for a small loss (2 of 400 dev-set pages)."""
    upper = (latest or datetime(2100, 1, 1)).replace(tzinfo=None) + timedelta(days=1)
    for run in _shown_runs(tree):
        text = " ".join(run.split())
        text = text if len(text) < _DATE_RUN else text[:_RUN_HEAD]
        if len(text) < 6 or not any(ch.isdigit() for ch in text):
            continue
        day = try_date_expr(text, "%Y-%m-%d", False, EARLIEST, upper)
        if day:
            return DateEvidence("page-text", text, datetime.fromisoformat(day))
    return None


def _is_utc(value: datetime) -> bool:
    offset = value.utcoffset()
    return offset is not None and not offset


def _agree(shown: datetime, other: datetime) -> bool:
    """The same day, also when the page's numeric date may be read month-first (11/08/23)."""
    if same_day(shown, other):
        return True
    if shown.day > 12:
        return False
    swapped = shown.replace(day=1).replace(month=shown.day, day=shown.month)
    return same_day(swapped, other)


def _structured_choice(
    structured: list[DateEvidence], searched: DateEvidence | None
) -> DateEvidence:
    strong = [e for e in structured if e.strong]
    if searched:
        agreeing = next((e for e in structured if same_day(e.value, searched.value)), None)
        if agreeing:
            return agreeing
        if strong:
            first = strong[0]
            shift = abs((first.value.date() - searched.value.date()).days)
            return searched if shift == 1 and _is_utc(first.value) else first
        return searched
    return (strong or structured)[0]


def choose_published(
    structured: list[DateEvidence],
    searched: DateEvidence | None,
    byline: DateEvidence | None,
    from_url: DateEvidence | None,
    header: tuple[DateEvidence | None, DateEvidence | None] = (None, None),
    shown: DateEvidence | None = None,
) -> DateEvidence | None:
    """The publication date the evidence supports best.

    `searched` is htmldate's original-date search, which reads the page's visible dates too:
    a structured date it agrees with wins (it keeps the time and zone); when structured
    dates disagree among themselves, that agreement settles it. A strong structured date
    otherwise wins, except when it is written in UTC and the page's own search finds the
    adjacent day: the page then shows its local day, which a UTC time near midnight hides.

    `header` holds the dates shown right after and right before the headline. The one after
    it is the story's date line: when structured data says another day (a re-published,
    re-indexed or time-shifted page), the page's own date line wins. Without structured
    data, a "published on" byline comes first, then the date line, the date above the
    headline, htmldate's (fast) search, the first date `shown` in the page's text, the URL.
    """
    after, before = header
    if not structured:
        return byline or after or before or searched or shown or from_url
    chosen = _structured_choice(structured, searched)
    if after and after.strong and not _agree(after.value, chosen.value):
        return after
    return chosen
