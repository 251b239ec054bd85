"""What a cleaner returns for one page, and the hints it hands the extractor.

The hints travel through the clean frame as JSON text (CLEAN_SCHEMA `hints`), so each is a
JSON-serialisable mapping; these TypedDicts name the keys each cleaner writes and extract
reads. Keys are optional (`total=False`): a cleaner that found nothing leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict


class DateEvidenceHint(TypedDict, total=False):
    """One dated finding (tasks.page.html_dates.DateEvidence as JSON)."""

    method: str
    raw: str
    value: str  # ISO 8601
    strong: bool


class HtmlDateHints(TypedDict, total=False):
    rule: list[str]  # dates selected by the source's extraction rules
    structured: list[DateEvidenceHint | None]  # JSON-LD and meta tags
    htmldate: str | None  # htmldate's search, ISO
    byline: DateEvidenceHint | None
    header: list[DateEvidenceHint | None]  # (after the headline, before it)
    shown: DateEvidenceHint | None
    url: str | None  # the page URL, when it carries a date


class HtmlHints(TypedDict, total=False):
    """tasks.page.html.clean_html → tasks.extract.html.extract_html."""

    version: int  # HINTS_VERSION: extract gathers them again when they are older
    jsonld: dict[str, Any]
    meta: dict[str, str]
    title_tag: str | None
    h1: str | None
    dates: HtmlDateHints
    rules: dict[str, list[str]]  # title / authors selected by the source's rules
    method: str  # how the body was found: rules or trafilatura
    standfirst: str | None  # the lead paragraph shown apart from the story (never in body)
    bylines: list[str]  # byline texts the page shows (rel=author, .byline, author boxes)
    labelled: list[str]  # texts after an author label alone in its block ("Article by")
    poster: str | None  # the user name on a forum thread's first post
    username: str | None  # the first user name the page prints (class "username")
    linked: list[str]  # texts of links to an author's page ("/author/jane-roe/")
    headline_lines: list[str]  # the text lines around the <h1>, when no structured author
    page: dict[str, Any]  # tasks.page.page_type signals (schema types, og:type, structure)
    # and the page type classify decided from them ("type")


class DateLine(TypedDict):
    i: int  # the unit's index
    text: str
    zone: str  # byline | lead | body | after | far
    words: int


class TextDumpHints(TypedDict, total=False):
    """tasks.clean.text_dump.clean_text_dump → tasks.extract.text_dump.extract_text_dump."""

    language: str | None
    title: str | None
    title_index: int | None
    body_range: list[int] | None  # [first, end) unit indexes of the story
    section: str | None
    before_body: list[str]
    after_body: list[str]
    date_lines: list[DateLine]
    tags: list[str]
    header: list[str]
    footer: list[str]
    fetched_at: str | None  # ISO


Hints = HtmlHints | TextDumpHints


@dataclass
class Cleaned:
    """The main text of one page. An empty body means the cleaner found no article
    (the clean gate then rejects the page as empty_body)."""

    body: str
    method: str  # e.g. "trafilatura", "json-ld", "text-dump"
    hints: Hints = field(default_factory=lambda: {})  # JSON-serialisable, for extract
