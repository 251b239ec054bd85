"""Why a page gave nothing: `open`, `paywalled`, `blocked` or `js_required`, with the evidence.

The page's own structure decides first: its HTTP status, its JSON-LD (`isAccessibleForFree`
and the `hasPart` element it says is gated), how much text it shows next to how much script
it carries. Vendor markup (challenge scripts, CAPTCHA widgets) and paywall prompts come from
a short data file (access_markers.toml) and only ever confirm what the structure suggests:
a page that shows a full story is open, whatever its scripts or its JSON-LD say. The dev
pages (all open) and the hostile fixtures measure every rule: `python -m bench.access`.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import lxml.html
import polars as pl
from lxml import etree

from newsdesk.core.contracts.raw import Access
from tasks.ingest.decode import HTML
from tasks.page.parse import find_body, first_below, load_html
from tasks.parallel import Mapper

_MARKERS = Path(__file__).with_name("access_markers.toml")

# A challenge page or bot wall says a sentence or two; a story says hundreds of words.
BLOCKED_MAX_WORDS = 120
# An app shell shows no more than a title, a "loading" line or a noscript notice.
SHELL_MAX_WORDS = 40
# Script a shell ships before it can show anything: one bundle, or this much inline code.
SHELL_MIN_SCRIPT_BYTES = 2_000
# The gated part of a page that says it is not free, when served empty or as a teaser.
GATED_MAX_WORDS = 60
# A story cut short where a prompt asks to subscribe (its visible article text).
TRUNCATED_MAX_WORDS = 150
# The prompt sits where the story stops: read only the page's text from here on.
_PROMPT_TAIL_CHARS = 3_000
# A refusal that may carry a challenge body.
REFUSED_STATUSES = frozenset({401, 403, 429, 503})

# What a reader without JavaScript does not see. <noscript> stays: such a reader sees it, and
# forum apps (Discourse, Flarum) serve their whole thread there.
_DROP = ("script", "style", "template", "svg", "head", "iframe")
_APP_ROOTS = ("root", "app", "__next", "__nuxt", "svelte", "main-app", "ember-app")
_ROOTS_XPATH = "//*[" + " or ".join(f'@id="{root}"' for root in _APP_ROOTS) + "]"
_FALSE = {"false", "0", "no"}


@dataclass(frozen=True)
class Verdict:
    access: Access
    evidence: str | None = None  # what decided it; None when open

    def as_row(self) -> dict[str, str | None]:
        return {"access": str(self.access), "access_evidence": self.evidence}


OPEN = Verdict(Access.OPEN)


@dataclass(frozen=True)
class Markers:
    blocked_markup: tuple[str, ...]
    blocked_titles: tuple[str, ...]
    prompts: tuple[str, ...]


@cache
def markers(path: Path = _MARKERS) -> Markers:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Markers(
        tuple(m.lower() for m in data["blocked"]["markup"]),
        tuple(t.lower() for t in data["blocked"]["titles"]),
        tuple(p.lower() for p in data["paywalled"]["prompts"]),
    )


@dataclass(frozen=True)
class _Page:
    title: str
    words: int  # visible words without JavaScript: the body without scripts, styles, templates
    article_words: int | None  # words in <article> (the largest), when the page has one
    text_tail: str  # the last part of the visible text, lower case
    script_srcs: int
    inline_script_bytes: int
    not_free: bool  # its JSON-LD says isAccessibleForFree false
    gated_selectors: tuple[str, ...]  # hasPart cssSelector of the parts that are not free


def _jsonld(tree: lxml.html.HtmlElement) -> tuple[bool, tuple[str, ...]]:
    """(isAccessibleForFree is false somewhere, cssSelectors of the non-free parts)."""
    not_free = False
    selectors: list[str] = []

    def walk(node: object, depth: int = 0) -> None:
        nonlocal not_free
        if depth > 8:
            return
        if isinstance(node, list):
            for item in node:
                walk(item, depth + 1)
            return
        if not isinstance(node, dict):
            return
        free = node.get("isAccessibleForFree")
        if free is not None and str(free).strip().lower() in _FALSE:
            not_free = True
            selector = node.get("cssSelector")
            if isinstance(selector, str) and selector.strip():
                selectors.append(selector.strip())
        for value in node.values():
            if isinstance(value, list | dict):
                walk(value, depth + 1)

    for script in _scripts(tree):
        if script.get("type") != "application/ld+json":
            continue
        try:
            walk(json.loads(script.text or "", strict=False))
        except ValueError:
            continue  # a broken block says nothing
    return not_free, tuple(dict.fromkeys(selectors))


def _scripts(tree: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """The document's <script> elements (XPath's //script), without XPath's slower walk."""
    return tree.getroottree().getroot().iter("script")


@contextmanager
def _hidden_blanked(body: lxml.html.HtmlElement) -> Iterator[None]:
    """While inside: every text within the body's elements of _DROP is blank (their tails, which
    lie outside them, stay), so that text_content() gives what a reader sees; afterwards the
    tree is as it was. Cheaper than copying the tree to drop them (clean and extract read
    this tree next), and than an XPath over every text node."""
    saved: list[tuple[lxml.html.HtmlElement, str, str]] = []
    try:
        for hidden in list(body.iterdescendants(*_DROP)):  # .//script | .//style | …
            if hidden.text is not None:
                saved.append((hidden, "text", hidden.text))
                hidden.text = None
            for inner in hidden.iterdescendants():
                for slot in ("text", "tail"):
                    value = getattr(inner, slot)
                    if value is not None:
                        saved.append((inner, slot, value))
                        setattr(inner, slot, None)
        yield
    finally:
        for element, slot, value in reversed(saved):
            setattr(element, slot, value)


def _words(element: lxml.html.HtmlElement) -> int:
    return len(element.text_content().split())


def _shown(element: lxml.html.HtmlElement, body: lxml.html.HtmlElement) -> bool:
    """Whether an element of the body is outside its elements of _DROP (a reader sees it)."""
    for ancestor in element.iterancestors():
        if ancestor is body:
            return True
        if ancestor.tag in _DROP:
            return False
    return True


def parse(text: str) -> lxml.html.HtmlElement | None:
    """The page's tree as the clean stage parses it (trafilatura's loader), so that one parse
    serves access, clean and extract; lxml's document parser for what that loader refuses (a
    bare fragment: a challenge body may be one)."""
    tree = load_html(text)
    if tree is not None:
        return tree
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def _body(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    body = find_body(tree)
    return tree if body is None else body


def _read(tree: lxml.html.HtmlElement, body: lxml.html.HtmlElement) -> _Page:
    """What the page shows. Its scripts (JSON-LD among them) are read first; then its visible
    text, with the body's hidden texts blanked only while that is read."""
    found = first_below(tree, "title")
    title = " ".join(((found.text if found is not None else None) or "").split()).lower()
    not_free, selectors = _jsonld(tree)
    scripts = list(_scripts(tree))
    srcs = sum(1 for s in scripts if s.get("src"))
    inline = sum(
        len(s.text or "")
        for s in scripts
        if not s.get("src") and "json" not in (s.get("type") or "").lower()
    )
    with _hidden_blanked(body):
        visible = body.text_content()
        articles = [a for a in body.iterdescendants("article") if _shown(a, body)]
        article_words = max((_words(a) for a in articles), default=None)
    return _Page(
        title=title,
        words=len(visible.split()),
        article_words=article_words,
        text_tail=" ".join(visible[-_PROMPT_TAIL_CHARS * 2 :].split()).lower()[
            -_PROMPT_TAIL_CHARS:
        ],
        script_srcs=srcs,
        inline_script_bytes=inline,
        not_free=not_free,
        gated_selectors=selectors,
    )


def _empty_root(tree: lxml.html.HtmlElement, body: lxml.html.HtmlElement) -> str | None:
    """The id of an app's empty mount point (#root, #__next, …), for the evidence only."""
    for found in tree.xpath(_ROOTS_XPATH):
        if _shown(found, body) and not _words(found):
            return found.get("id")
    return None


def _gated_words(
    tree: lxml.html.HtmlElement, body: lxml.html.HtmlElement, selectors: tuple[str, ...]
) -> tuple[str, int] | None:
    """The first non-free part the page serves, and its words (None: none of them is there;
    the page gates on the client and its text may be whole)."""
    for selector in selectors:
        try:
            found = tree.cssselect(selector)
        except Exception:  # cssselect raises its own errors on selectors it cannot read
            continue
        found = [f for f in found if _shown(f, body)]
        if found:
            return selector, sum(_words(f) for f in found)
    return None


def _prompt(tail: str) -> str | None:
    return next((p for p in markers().prompts if p in tail), None)


def _blocked_markup(lowered: str, title: str) -> str | None:
    found = next((m for m in markers().blocked_markup if m in lowered), None)
    if found:
        return f"challenge markup {found!r}"
    if title in markers().blocked_titles:
        return f"title {title!r}"
    return None


def classify_html(
    text: str, *, status: int | None = None, tree: lxml.html.HtmlElement | None = None
) -> Verdict:
    """The access of an HTML page (and the HTTP status it came with, when fetched); `tree`:
    the page already parsed (`parse`), which is read, never changed."""
    tree = parse(text) if tree is None else tree
    if tree is None:
        return OPEN  # nothing to parse: the gates say why (empty, undecodable)
    body = _body(tree)
    page = _read(tree, body)
    prefix = f"HTTP {status}; " if status is not None and status >= 400 else ""
    script_bytes = page.inline_script_bytes
    shell = page.words <= SHELL_MAX_WORDS and (
        page.script_srcs > 0 or script_bytes >= SHELL_MIN_SCRIPT_BYTES
    )

    if page.words <= BLOCKED_MAX_WORDS:
        wall = _blocked_markup(text.lower(), page.title)
        if wall:
            return Verdict(Access.BLOCKED, f"{prefix}{wall}; {page.words} visible words")
        if status in REFUSED_STATUSES and shell:
            # A refusal whose body is only script: the JS challenge that sets a cookie.
            return Verdict(
                Access.BLOCKED,
                f"{prefix}script-only body: {page.words} visible words, "
                f"{page.script_srcs} scripts, {script_bytes} bytes inline",
            )

    if shell:
        with _hidden_blanked(body):
            empty = _empty_root(tree, body)
        root = f", empty #{empty}" if empty else ""
        return Verdict(
            Access.JS_REQUIRED,
            f"{prefix}{page.words} visible words, {page.script_srcs} script bundles, "
            f"{script_bytes} bytes inline script{root}",
        )

    if page.not_free:
        with _hidden_blanked(body):
            gated = _gated_words(tree, body, page.gated_selectors)
        if gated is not None and gated[1] <= GATED_MAX_WORDS:
            return Verdict(
                Access.PAYWALLED,
                f"{prefix}jsonld isAccessibleForFree=false; gated part {gated[0]} "
                f"holds {gated[1]} words",
            )
        prompt = _prompt(page.text_tail)
        if prompt and gated is None:
            return Verdict(
                Access.PAYWALLED,
                f"{prefix}jsonld isAccessibleForFree=false; prompt {prompt!r}",
            )

    story = page.article_words if page.article_words is not None else page.words
    if story <= TRUNCATED_MAX_WORDS:
        prompt = _prompt(page.text_tail)
        if prompt:
            return Verdict(
                Access.PAYWALLED, f"{prefix}{story} words of story, then prompt {prompt!r}"
            )
    return OPEN


_TEXT_WORDS = re.compile(r"\S+")


def classify_text(text: str) -> Verdict:
    """A text dump shows no markup: only a short text that ends in a paywall prompt says
    anything (a dump of a shell or a challenge page is near empty: empty_body says so)."""
    words = len(_TEXT_WORDS.findall(text))
    if words > TRUNCATED_MAX_WORDS * 2:
        return OPEN
    tail = " ".join(text[-_PROMPT_TAIL_CHARS * 2 :].split()).lower()[-_PROMPT_TAIL_CHARS:]
    prompt = _prompt(tail)
    if prompt:
        return Verdict(Access.PAYWALLED, f"{words} words of text, then prompt {prompt!r}")
    return OPEN


def access_row(row: dict[str, Any], tree: lxml.html.HtmlElement | None = None) -> dict[str, Any]:
    """One raw document's access (runs in the worker pool; `tree`: its HTML already parsed).
    A page the reader trips on is left unread (null), never a crashed batch: the later gates
    still judge it."""
    text = row.get("text")
    if not text:
        return {"doc_id": row["doc_id"], "access": None, "access_evidence": None}
    try:
        if row["media_type"] == HTML:
            verdict = classify_html(text, tree=tree)
        else:
            verdict = classify_text(text)
    except Exception:  # lxml or cssselect on a pathological page
        return {"doc_id": row["doc_id"], "access": None, "access_evidence": None}
    return {"doc_id": row["doc_id"], **verdict.as_row()}


def with_access(raw: pl.DataFrame, found: list[dict[str, Any]]) -> pl.DataFrame:
    """The raw batch with `access` and `access_evidence` from `found` (access_row's rows, in
    the batch's order); a row whose worker died is left unread."""
    return raw.with_columns(
        pl.Series("access", [r.get("access") for r in found], dtype=pl.String),
        pl.Series("access_evidence", [r.get("access_evidence") for r in found], dtype=pl.String),
    )


def classify_batch(raw: pl.DataFrame, mapper: Mapper) -> pl.DataFrame:
    """The raw batch with `access` and `access_evidence` filled in, row order kept (a run reads
    them in its page pass, tasks.one_pass, with clean and extract)."""
    if raw.is_empty():
        return raw
    return with_access(raw, mapper.map(access_row, raw.drop("content").iter_rows(named=True)))
