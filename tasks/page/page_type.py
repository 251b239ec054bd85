"""What kind of page a record comes from: article, liveblog, listing, video, gallery, product,
forum, documentation or other.

The page says it first: its schema.org types (JSON-LD) and og:type. Those are often missing
or wrong (a shop tags every page og:type=article, a blog sets "website"), so a small logistic
regression weighs them together with the page's structure: how much of its text is links,
how long the main text is, teaser blocks (<article> elements), runs of repeated sibling blocks
(a thread's posts, a listing's teasers), what its class and id names call its parts (post,
price, card, toc, byline), dates, prices, forms, and the words of its own canonical address
(/blog/, /product/, /docs/, /tag/). Schema.org types come from JSON-LD and microdata.

The weights (page_type_model.json) are fitted by bench/train_page_type.py on the TUNING half
of the dev set only (modern/'s annotated page types, and the segments/ and dates/ tuning pages
as articles); `make eval` judges the model on the held-out half. The model says article or
not, from a threshold the training chose by site-grouped cross-validation (the model file's
"thresholds"); a page that is not an article gets the type its markup names, else listing
when links dominate it, else other.

A text dump has no markup: its own model (text_weights) reads how much of the dump the
extracted story is, in what shape (bullet lines, [bracketed] images, dates, prices, a
byline), and the words of its short lines: the page's labels (Reply, Add to cart, Terms,
Newsletter), whose weights are learned like the rest; words too rare in the training (fewer
than 30 sites) have none. A dump has no canonical link, but production knows the address
it fetched the page from (PageContext.url): its path's words count as the HTML model's do,
weighed apart (fitted where an address exists), so a dump without one scores as before.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path
from typing import Any

from lxml.html import HtmlElement

from newsdesk.core.registry import PAGE_TYPES
from tasks.page.parse import find_body

MODEL_PATH = Path(__file__).with_name("page_type_model.json")

# schema.org types → the page type they name (None: an article family type).
_SCHEMA: dict[str, str] = {
    "newsarticle": "article",
    "reportagenewsarticle": "article",
    "analysisnewsarticle": "article",
    "opinionnewsarticle": "article",
    "reviewnewsarticle": "article",
    "backgroundnewsarticle": "article",
    "article": "article",
    "blogposting": "article",
    "socialmediaposting": "article",
    "scholarlyarticle": "article",
    "report": "article",
    "liveblogposting": "liveblog",
    "collectionpage": "listing",
    "itemlist": "listing",
    "searchresultspage": "listing",
    "videoobject": "video",
    "imagegallery": "gallery",
    "product": "product",
    "productgroup": "product",
    "offer": "product",
    "discussionforumposting": "forum",
    "qapage": "forum",
    "question": "forum",
    "techarticle": "documentation",
    "apireference": "documentation",
    "faqpage": "other",
    "webpage": "webpage",
}
_OG = ("article", "website", "product", "video", "profile", "book")
_PATH_WORDS = (
    "blog",
    "news",
    "article",
    "articles",
    "post",
    "posts",
    "story",
    "stories",
    "product",
    "products",
    "shop",
    "store",
    "category",
    "categories",
    "tag",
    "tags",
    "topic",
    "topics",
    "section",
    "sections",
    "search",
    "docs",
    "doc",
    "documentation",
    "reference",
    "api",
    "guide",
    "help",
    "thread",
    "threads",
    "forum",
    "forums",
    "community",
    "questions",
    "discussion",
    "video",
    "videos",
    "watch",
    "gallery",
    "photos",
    "services",
    "service",
    "p",
    "dp",
    "item",
    "live",
)
_SCHEMA_URL = re.compile(r"schema\.org/(\w+)", re.IGNORECASE)
_DATED_PATH = re.compile(r"/(?:19|20)\d\d/(?:[01]?\d/)?")
_WORD = re.compile(r"[a-z]+")
_SLUG_WORDS = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){3,}")  # a long hyphenated slug: a headline


def address_path(url: str | None) -> str | None:
    """The path of a page's address, lower-cased and without its query ("/blog/a-story"),
    or None without an address."""
    if not url:
        return None
    path = url.split("//", 1)[-1].partition("/")[2].lower()
    return "/" + path.split("?", 1)[0]


def path_features(path: str) -> dict[str, float]:
    """What the words of an address's path say (/blog/, /product/, /docs/, /tag/, a date, a
    headline's slug, its depth): shared by the HTML model and the text-dump one."""
    out: dict[str, float] = {}
    words = set(_WORD.findall(path))
    for word in _PATH_WORDS:
        if word in words:
            out[f"path:{word}"] = 1.0
    if _DATED_PATH.search(path):
        out["path:dated"] = 1.0
    if _SLUG_WORDS.search(path):
        out["path:slug"] = 1.0
    depth = len([part for part in path.split("/") if part])
    out["path:depth"] = min(depth, 6) / 6
    return out


def _log(n: float) -> float:
    return math.log1p(max(n, 0.0))


def add_body_signals(signals: dict[str, Any], paragraphs: list[str]) -> dict[str, Any]:
    """The main text's share in the signals: its words, paragraphs and prose (words in
    paragraphs of 25 words or more)."""
    counts = [len(p.split()) for p in paragraphs]
    signals["body_words"] = sum(counts)
    signals["body_paragraphs"] = len(counts)
    signals["prose_words"] = sum(n for n in counts if n >= 25)
    return signals


# What a page's own class and id names call its parts: posts and replies (a thread), prices
# and carts (a shop), teaser cards (a listing), a table of contents or permalink anchors
# (documentation), a byline (an article). Counted per element, weighed by the model.
_MARKUP = re.compile(
    r"(?<![a-z])(?:(?P<post>posts?|comments?|repl(?:y|ies)|messages?|answers?|thread|topic)"
    r"|(?P<price>prices?|cart|basket|checkout|sku|add-to-cart|addtocart|product)"
    r"|(?P<card>cards?|teasers?|tiles?|promo|grid-item|item-list|listing|feed)"
    r"|(?P<toc>toc|toctree|table-of-contents|headerlink|sidebar|docs?|highlight)"
    r"|(?P<byline>byline|author|dateline|pubdate|published))(?![a-z])"
)
_MARKUP_NAMES = ("post", "price", "card", "toc", "byline")
_BLOCKS = {"div", "li", "article", "section", "tr"}


def _repeated_blocks(body: HtmlElement | None) -> tuple[int, int, int]:
    """The page's largest run of sibling blocks that share a first class name and each hold
    some text (8 words or more): a thread's posts, a listing's teasers, a shop's tiles.
    Returns (how many, their words, their link words); a story's paragraphs are <p>."""
    best = (0, 0, 0)
    if body is None:
        return best
    for parent in body.iter(*_BLOCKS, "ul", "ol", "tbody", "main", "body"):
        if len(parent) <= max(best[0], 2):
            continue  # too few children for a group that counts (see below)
        groups: dict[str, list[HtmlElement]] = {}
        for child in parent:
            if child.tag in _BLOCKS:
                names = (child.get("class") or "").split()
                groups.setdefault(names[0] if names else child.tag, []).append(child)
        for members in groups.values():
            if len(members) <= max(best[0], 2):
                continue
            words = links = kept = 0
            for member in members:
                n = len(member.text_content().split())
                if n >= 8:
                    kept += 1
                    words += n
                    links += sum(len(a.text_content().split()) for a in member.iter("a"))
            if kept >= 3 and kept > best[0]:
                best = (kept, words, links)
    return best


_COUNTED = ("article", "time", "p", "form", "pre", "code", "button", "input", "img", "h2", "h3",
            "li")  # fmt: skip


def page_signals(
    tree: HtmlElement,
    schema_types: list[str],
    meta: dict[str, Any],
    body_words: int,
    main_type: str | None = None,
) -> dict[str, Any]:
    """What the classifier reads, gathered in clean_html's single parse (JSON-serialisable);
    one walk over the tree counts the elements. The schema.org types are the JSON-LD ones and
    the microdata itemtypes (a forum's Comment, a shop's Product and Offer); main_type is the
    type of the JSON-LD object the page describes itself with (tasks.page.jsonld's best one):
    a CMS that marks its posts as BlogPosting marks its other pages as WebPage, while the
    types the page merely mentions (an Organization, a BreadcrumbList) say little."""
    counts = dict.fromkeys(_COUNTED, 0)
    schema = set(schema_types)
    markup = dict.fromkeys(_MARKUP_NAMES, 0)
    seen: dict[str, list[str]] = {}
    prices = link_words = 0
    for element in tree.iter():
        tag = element.tag
        if tag in counts:
            counts[tag] += 1
        elif tag == "a":
            link_words += len(element.text_content().split())
        if element.get("itemprop") == "price":
            prices += 1
        itemtype = element.get("itemtype")
        if itemtype:
            schema.update(t.lower() for t in _SCHEMA_URL.findall(itemtype))
        classes, ids = element.get("class"), element.get("id")
        names = classes or ids
        if names:
            if classes and ids:
                names = f"{classes} {ids}"
            hits = seen.get(names)
            if hits is None:  # pages repeat their class names: each is read once
                hits = seen[names] = [m.lastgroup or "" for m in _MARKUP.finditer(names.lower())]
            for hit in hits:
                markup[hit] += 1
    body = find_body(tree)
    text_words = len(body.text_content().split()) if body is not None else 0
    repeats, repeat_words, repeat_links = _repeated_blocks(body)
    return {
        "schema": sorted(schema),
        "main_type": main_type,
        "og": (meta.get("og:type") or "").strip().lower() or None,
        "path": address_path(meta.get("canonical") or meta.get("og:url")),
        "text_words": text_words,
        "link_words": link_words,
        "body_words": body_words,
        "articles": counts["article"],
        "times": counts["time"],
        "paragraphs": counts["p"],
        "forms": counts["form"],
        "prices": prices,
        "code": counts["pre"] + counts["code"],
        "buttons": counts["button"] + counts["input"],
        "images": counts["img"],
        "headings": counts["h2"] + counts["h3"],
        "lists": counts["li"],
        "repeats": repeats,
        "repeat_words": repeat_words,
        "repeat_links": repeat_links,
        **{f"markup_{name}": n for name, n in markup.items()},
        "published_meta": bool(meta.get("article:published_time")),
        "author_meta": bool(meta.get("author") or meta.get("article:author")),
    }


_LOGGED = ("articles", "times", "paragraphs", "forms", "prices", "code", "buttons", "images",
           "headings", "lists", *(f"markup_{name}" for name in _MARKUP_NAMES))  # fmt: skip


def _main_kind(main_type: str | None) -> str:
    """The family of the page's main JSON-LD object: article (a liveblog is one), webpage (the
    generic page types), other (anything else that carries a date), or none."""
    if not main_type:
        return "none"
    if _SCHEMA.get(main_type) in ("article", "liveblog"):
        return "article"
    return "webpage" if main_type in ("webpage", "itempage") else "other"


def features(signals: dict[str, Any]) -> dict[str, float]:
    """Named numeric features of one page's signals."""
    out: dict[str, float] = {"bias": 1.0}
    named = {_SCHEMA.get(t, "unknown") for t in signals.get("schema") or ()}
    for kind in (*PAGE_TYPES, "webpage", "unknown"):
        if kind in named:
            out[f"schema:{kind}"] = 1.0
    if not signals.get("schema"):
        out["schema:none"] = 1.0
    out[f"main:{_main_kind(signals.get('main_type'))}"] = 1.0
    og = signals.get("og")
    out[f"og:{og if og in _OG else 'other' if og else 'none'}"] = 1.0
    path = signals.get("path")
    if path is None:
        out["path:none"] = 1.0
    else:
        out |= path_features(path)
    text = signals.get("text_words") or 0
    body = signals.get("body_words") or 0
    out["link_density"] = (signals.get("link_words") or 0) / text if text else 0.0
    out["body_share"] = body / text if text else 0.0
    out["body_words"] = _log(body) / 10
    out["text_words"] = _log(text) / 10
    for key in _LOGGED:
        out[key] = _log(signals.get(key) or 0) / 5
    # repeated sibling blocks: a thread's posts (long, few links), teasers (short, linked)
    repeats = signals.get("repeats") or 0
    repeat_words = signals.get("repeat_words") or 0
    out["repeats"] = _log(repeats) / 5
    out["repeat_share"] = min(repeat_words / text, 1.0) if text else 0.0
    out["repeat_link_share"] = (
        (signals.get("repeat_links") or 0) / repeat_words if repeat_words else 0.0
    )
    out["repeat_length"] = _log(repeat_words / repeats) / 5 if repeats else 0.0
    # articles are prose: most of the main text in long paragraphs
    out["prose_share"] = (signals.get("prose_words") or 0) / body if body else 0.0
    out["body_paragraphs"] = _log(signals.get("body_paragraphs") or 0) / 5
    # a story shows one or two <time>s (published, updated), a listing or a thread one per
    # item: a band the logged count alone cannot draw (it only grows or falls with it)
    times = signals.get("times") or 0
    out["times_few"] = float(1 <= times <= 2)
    out["times_many"] = float(times >= 6)
    out["dated"] = float(bool(signals.get("dated")))
    out["published_meta"] = float(bool(signals.get("published_meta")))
    out["author_meta"] = float(bool(signals.get("author_meta")))
    return out


_BULLET = re.compile(r"^\s*(?:[•□◦▪*·-]|\d+\.)\s")
_BRACKETED = re.compile(r"^\s*\[[^\]]*\]\s*$")
_MONEY = re.compile(r"[$€£¥]\s?\d|\d\s?(?:€|EUR|USD)\b")


_LETTERS = re.compile(r"[^\W\d_]+")
SHORT_LINE_WORDS = 6  # a line this short is a label, a button, a menu item or a heading


def _short_line_words(lines: list[str]) -> list[str]:
    """The distinct words of the dump's short lines: the page's own labels (Reply, Add to
    cart, Docs, Read more, Terms), which say what kind of page it is where its prose cannot.
    Which of them count, and how much, is learned (bench/train_page_type.py)."""
    words: set[str] = set()
    for line in lines:
        if len(line.split()) <= SHORT_LINE_WORDS:
            words.update(word.lower() for word in _LETTERS.findall(line))
    return sorted(words)


def text_signals(
    text: str, body: str, date_lines: int, bylined: bool, url: str | None = None
) -> dict[str, Any]:
    """What the text-dump model reads: how much of the page is the story, and in what
    shape (the page's menus come as bullet lines, images as [bracketed] lines), the words
    of its short lines, and the path of its fetch address (url) when it has one."""
    lines = [line for line in text.split("\n") if line.strip()]
    paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    counts = [len(p.split()) for p in paragraphs]
    return {
        "kind": "text",
        "text_words": len(text.split()),
        "body_words": sum(counts),
        "body_paragraphs": len(counts),
        "prose_words": sum(n for n in counts if n >= 25),
        "lines": len(lines),
        "bullets": sum(1 for line in lines if _BULLET.match(line)),
        "bracketed": sum(1 for line in lines if _BRACKETED.match(line)),
        "money": len(_MONEY.findall(text)),
        "date_lines": date_lines,
        "bylined": bylined,
        "words": _short_line_words(lines),
        "path": address_path(url),
    }


def text_features(signals: dict[str, Any]) -> dict[str, float]:
    """Named numeric features of one text dump's signals (a word the model has no weight for
    counts for nothing). A dump without an address has no address features at all (the
    older sets' articles, a file with no sidecar): its lack is no signal either way."""
    text = signals.get("text_words") or 0
    body = signals.get("body_words") or 0
    lines = signals.get("lines") or 0
    path = signals.get("path")
    return {
        "bias": 1.0,
        "body_share": body / text if text else 0.0,
        "prose_share": (signals.get("prose_words") or 0) / body if body else 0.0,
        "body_words": _log(body) / 10,
        "text_words": _log(text) / 10,
        "body_paragraphs": _log(signals.get("body_paragraphs") or 0) / 5,
        "bullet_share": (signals.get("bullets") or 0) / lines if lines else 0.0,
        "bracketed_share": (signals.get("bracketed") or 0) / lines if lines else 0.0,
        "money": _log(signals.get("money") or 0) / 5,
        "date_lines": _log(signals.get("date_lines") or 0) / 5,
        "bylined": float(bool(signals.get("bylined"))),
        **{f"word:{word}": 1.0 for word in signals.get("words") or ()},
        **({"address": 1.0, **path_features(path)} if path is not None else {}),
    }


def featurise(signals: dict[str, Any]) -> tuple[str, dict[str, float]]:
    """(model name, features): the text-dump model for a dump's signals, else the HTML one."""
    if signals.get("kind") == "text":
        return "text_weights", text_features(signals)
    return "weights", features(signals)


@cache
def _model() -> dict[str, Any]:
    return json.loads(MODEL_PATH.read_text(encoding="utf-8"))


def threshold(signals: dict[str, Any]) -> float:
    """The probability from which a page is an article: chosen by bench/train_page_type.py by
    cross-validation on the tuning half, per model (the HTML one and the text-dump one)."""
    name = featurise(signals)[0]
    return float((_model().get("thresholds") or {}).get(name, 0.5))


def article_probability(signals: dict[str, Any]) -> float:
    name, found = featurise(signals)
    weights = _model().get(name) or {}
    z = sum(weights.get(key, 0.0) * value for key, value in found.items())
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def classify(signals: dict[str, Any] | None) -> str:
    """The page's type. Without signals (an old hint, a page that would not parse) it is
    taken for an article, as before page types existed."""
    if not signals:
        return "article"
    named = [_SCHEMA.get(t) for t in signals.get("schema") or ()]
    if article_probability(signals) >= threshold(signals):
        return "liveblog" if "liveblog" in named else "article"
    if signals.get("kind") == "text":
        lines = signals.get("lines") or 0
        return "listing" if lines and (signals.get("bullets") or 0) / lines > 0.5 else "other"
    for kind in ("liveblog", "product", "forum", "video", "gallery", "documentation", "listing"):
        if kind in named:
            return kind
    if signals.get("og") in ("video", "video.other", "video.episode", "video.movie"):
        return "video"
    text = signals.get("text_words") or 0
    if text and (signals.get("link_words") or 0) / text > 0.5:
        return "listing"
    return "other"
