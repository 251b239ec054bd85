"""Where an HTML page shows who wrote it, read from the one parsed tree before trafilatura
prunes it: byline elements (rel=author, schema.org author properties, elements whose class
names the author), trafilatura's own byline search, names set under an author label
("Article by" / "Jane Roe"), and the user name a forum gives its first post. Extract cleans
what is found here (roles, dates, e-mails) and decides which source wins; this module only
collects the page's texts.

All of it comes from one walk over the page's elements (`read_bylines`): the walk keeps the
few elements whose attributes could make them a byline, and the texts that could be an
author label, and the rules below are then asked of those alone. Asked as XPath of the
whole tree, one expression each (and trafilatura's over a pruned copy of it), they cost
about 13 ms of CPU a page; the walk and the rules on its few finds cost under 2 ms. The
rules are the XPaths' conditions written in Python, so the finds are the same."""

from __future__ import annotations

import re
from copy import deepcopy
from typing import NamedTuple

from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import extract_author
from trafilatura.utils import trim
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS

from tasks.page.lexicon import alternation as words


class Bylines(NamedTuple):
    """What a page shows of its authors, as printed (uncleaned)."""

    shown: list[str]  # byline elements' texts, trafilatura's find first when searched
    labelled: list[str]  # texts that follow an author label standing alone in its element
    poster: str | None  # the user name on a forum thread's first post, as its markup states it
    username: str | None  # the first user name the page prints outside comments
    linked: list[str]  # texts of links to an author's page ("/author/jane-roe/"), first first


# What the walk keeps: an element whose class or id holds one of these (every class and id
# condition below contains one), or that has one of the attributes or tags the rules ask for.
_CLASS_HINT = re.compile(
    r"uthor|byl|yline|BBL|(?i:ser[-_]?name)|hnuser|screenname|writer|channel-name|zuozhe"
    r"|bianji|xiaobian|submitted-by|posted-by|journalist-name"
)
_ID_HINT = re.compile(r"uthor|zuozhe|bianji|xiaobian")
_RARE_KEYS = frozenset(
    {"rel", "itemprop", "data-testid", "data-component", "data-author", "data-username"}
)
_AUTHOR_TESTIDS = ("AuthorCard", "AuthorURL")
_TAGS = frozenset({"author", "rel", "shreddit-post"})
# A link to an author's own page: WordPress's /author/jane-roe/, /authors/jane-roe, a CMS's
# /blog/author/jane-roe/ (a slug after the word: "/authors/" alone is a list of them all).
_AUTHOR_HREF = re.compile(r"/authors?/[^/?#\s]")

# --- bylines the page marks: rel=author, schema.org author properties, and elements whose
# class names the author ("byline", "author-name", "c-byline__author"), in <body>. Reader
# comments and forms are not the byline: "comment-author", a form's "Name *" label.
_MARKED_CLASS = ("author", "byline", "Author", "Byline")
# A class token that names the byline itself or the name in it ("post-author", "author_name",
# "authorName", "c-byline__author", "author-link"); not a box around it ("author-bio",
# "author-avatar", "author-info"), whose text is a biography or a photo credit.
_BYLINE_CLASS = re.compile(
    r"^(?:[\w-]*[-_])?(?:author|byline)s?(?:[-_]{0,2}(?:name|link))?$|^(?:author|byline)Name$",
    re.IGNORECASE,
)
_NAME_PROPS = XPath(".//*[@itemprop='name']")
_MAX_CHARS = 120  # a byline is short; a longer text is a biography or a story
_MAX_FOUND = 6
_NOT_SHOWN = frozenset({"script", "style", "noscript", "template", "title", "option"})

# --- trafilatura's byline search (trafilatura.metadata.extract_author, 2.3.1): its three
# AUTHOR_XPATHS, most specific first, over the page without AUTHOR_DISCARD_XPATHS's
# elements (comments, sidebars, dates, figures); the first text of 3 to 119 characters wins.
_TRAFILATURA_TAGS = (
    frozenset({"a", "address", "div", "link", "p", "span", "strong"}),
    frozenset({"a", "div", "h3", "h4", "p", "span"}),
)
_T1_CLASS = re.compile(r"author-?name|AuthorName|authorName")
_T2_EXACT = frozenset({"byline", "username", "byl", "BBL"})
_T2_ID = re.compile(r"author|zuozhe|bianji|xiaobian")
_T2_CLASS = re.compile(
    r"author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"
)
_T3_ID = re.compile(r"[Aa]uthor")
_T3_CLASS = re.compile(r"[Aa]uthor|screenname|writer|[Bb]yline")
_DISCARD_TAGS = frozenset({"a", "div", "section", "span"})
_DISCARD_ID = re.compile(r"^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = re.compile(
    r"^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram"
    r"|article-(?:share|support)|print|category|meta-date|meta-reviewer"
)
# the same conditions as XPath, asked of a find's subtree: does pruning change its text?
_DISCARDED_INSIDE = XPath(
    "boolean(.//*[(self::a or self::div or self::section or self::span) and (@id='comments'"
    " or @class='comments' or @class='title' or @class='date' or starts-with(@id, 'comments')"
    " or contains(@id, 'commentlist') or contains(@id, 'comment-list')"
    " or contains(@id, 'ProductReviews') or starts-with(@class, 'Comments')"
    " or starts-with(@class, 'comments') or contains(@class, 'commentlist')"
    " or contains(@class, 'comments-list') or contains(@class, 'sidebar')"
    " or contains(@class, 'is-hidden') or contains(@class, 'quote')"
    " or contains(@class, 'embedly-instagram') or contains(@class, 'article-share')"
    " or contains(@class, 'article-support') or contains(@class, 'print')"
    " or contains(@class, 'category') or contains(@class, 'meta-date')"
    " or contains(@class, 'meta-reviewer') or contains(@data-component, 'Figure'))]"
    " | .//time | .//figure)"
)

# --- an author label standing alone in its element ("Article by", "Written by:", "Author"),
# with the name in the next text of the page
_LABEL = re.compile(rf"^(?:{words('authors.label')})\s*:?$", re.IGNORECASE)
_LABEL_CHARS = 40  # a label's text, spaces collapsed, is shorter
_XML_SPACE = re.compile(r"[ \t\r\n]+")  # what XPath's normalize-space() collapses
_NEXT_TEXT = XPath("following::text()[normalize-space()][position() <= 3]")
_NAME_WORDS = 5


def _norm(text: str) -> str:
    return " ".join(text.split())


class _Walk(NamedTuple):
    found: list[tuple[HtmlElement, bool]]  # kept elements, in document order; in <body>?
    labels: list[HtmlElement]  # <body> elements whose own first text could be a label


def _walk(root: HtmlElement, *, whole: bool) -> _Walk:
    """whole: the elements outside <body> too (trafilatura's search reads them: the head's
    <link rel=author>); the other rules read <body> alone."""
    walk = _Walk([], [])
    hinted: dict[str, bool] = {}  # class → _CLASS_HINT found in it (pages repeat classes)
    body = _first_body(root)
    for element in root.iter() if whole else ():
        if element is body:
            break
        _consider(element, False, walk)
    if body is None:
        return walk
    if whole:
        _consider(body, False, walk)
    _label(body, walk.labels)  # <body>'s own text is in it, <body> is not
    found, labels = walk.found, walk.labels
    # the checks written out, with local names: this loop is most of the cost
    class_hint, id_hint, rare_keys, tags = _CLASS_HINT.search, _ID_HINT.search, _RARE_KEYS, _TAGS
    label, chars = _LABEL.match, _LABEL_CHARS
    for element in body.iterdescendants():
        tag = element.tag
        if tag.__class__ is not str:
            continue  # a comment or a processing instruction
        keys = element.keys()
        if keys:
            hint = False
            if "class" in keys:
                classes = element.get("class")
                hint = hinted.get(classes)
                if hint is None:
                    hint = hinted[classes] = class_hint(classes) is not None
            if (
                hint
                or ("id" in keys and id_hint(element.get("id")))
                or (not rare_keys.isdisjoint(keys) and _rare_hint(element))
                or tag in tags
                or (tag == "a" and "/author" in (element.get("href") or ""))
            ):
                found.append((element, True))
        elif tag in tags:
            found.append((element, True))
        text = element.text
        # a label is short: XPath's normalize-space() keeps all but the spaces
        if (
            text
            and not text.isspace()
            and (len(text) < chars or _chars(text) < chars)
            and label(" ".join(text.split()))
            and 1 < len(_XML_SPACE.sub(" ", text).strip(" ")) < chars
        ):
            labels.append(element)
    node = body if whole else root
    while node is not root and node is not None:  # after <body> (the parser leaves nothing)
        for sibling in node.itersiblings():
            for element in sibling.iter():
                _consider(element, False, walk)
        node = node.getparent()
    return walk


def _first_body(root: HtmlElement) -> HtmlElement | None:
    """The first <body> in document order: the root's child, as the parser makes it (lxml's
    iter() would look on through the whole page for a second one)."""
    body = root.find("body")
    if (
        root.tag != "body"
        and body is not None
        and not any(
            element.tag == "body"
            for sibling in body.itersiblings(preceding=True)
            for element in sibling.iter()
        )
    ):
        return body
    return next(root.iter("body"), None)


def _consider(element: HtmlElement, inside: bool, walk: _Walk) -> None:
    """The loop in _walk, for an element outside <body>."""
    tag = element.tag
    if tag.__class__ is not str:
        return
    keys = element.keys()
    classes = element.get("class")
    if (
        (classes is not None and _CLASS_HINT.search(classes))
        or ("id" in keys and _ID_HINT.search(element.get("id")))
        or (not _RARE_KEYS.isdisjoint(keys) and _rare_hint(element))
        or tag in _TAGS
    ):
        walk.found.append((element, inside))


def _rare_hint(element: HtmlElement) -> bool:
    """An attribute the rules ask for, with a value they could take (most rel attributes are
    rel=noopener, rel=stylesheet)."""
    return (
        element.get("rel") == "author"
        or "author" in (element.get("itemprop") or "")
        or element.get("data-testid") in _AUTHOR_TESTIDS
        or "Byline" in (element.get("data-component") or "")
        or element.get("data-author") is not None
        or element.get("data-username") is not None
    )


def _label(element: HtmlElement, labels: list[HtmlElement]) -> None:
    text = element.text
    if (
        text
        and _LABEL.match(_norm(text))
        and 1 < len(_XML_SPACE.sub(" ", text).strip(" ")) < _LABEL_CHARS
    ):
        labels.append(element)


def _chars(text: str) -> int:
    """The characters of a text that XPath's normalize-space() never drops."""
    return len(text) - text.count(" ") - text.count("\n") - text.count("\t") - text.count("\r")


def read_bylines(tree: HtmlElement, *, search: bool = False) -> Bylines:
    """What the page (the root element of its parsed document) shows of its authors; search:
    trafilatura's byline search too, its find first in `shown` (for pages whose structured
    data names no author)."""
    root = tree.getroottree().getroot()
    walk = _walk(root, whole=search)
    shown: list[str] = []
    if search:
        author = _trafilatura_author(root, walk)
        if author:
            shown.append(author)
    for text in _marked(walk):
        if text not in shown:
            shown.append(text)
    return Bylines(
        shown[:_MAX_FOUND], _labelled(walk), _poster(walk), _username(walk), _linked(walk)
    )


def _outside_comments(element: HtmlElement) -> bool:
    """Not in reader comments (an element whose class or id names them, itself or around it)
    nor in a form."""
    node: HtmlElement | None = element
    while node is not None:
        if (
            (node is not element and node.tag == "form")
            or "comment" in (node.get("class") or "")
            or any(word in (node.get("id") or "") for word in ("comment", "respond"))
        ):
            return False
        node = node.getparent()
    return True


def _marked(walk: _Walk) -> list[str]:
    """Byline texts as the page shows them, in document order (a few at most)."""
    found: list[str] = []
    for element, inside in walk.found:
        if not inside or element.tag in _NOT_SHOWN:
            continue
        classes = element.get("class") or ""
        if not (
            element.get("rel") == "author"
            or element.get("itemprop") == "author"
            or any(word in classes for word in _MARKED_CLASS)
        ) or not _outside_comments(element):
            continue
        text = _byline_text(element)
        if text and len(text) <= _MAX_CHARS and text not in found:
            found.append(text)
            if len(found) >= _MAX_FOUND:
                break
    return found


def _byline_text(element: HtmlElement) -> str:
    if element.get("itemprop") == "author":
        # microdata: a Person whose name may be a <meta itemprop=name content=…> (no text)
        for prop in _NAME_PROPS(element):
            name = _norm(prop.get("content") or prop.text_content())
            if name:
                return name
        return _norm(element.text_content())
    if element.get("rel") == "author":
        return _norm(element.text_content())
    if any(_BYLINE_CLASS.match(token) for token in (element.get("class") or "").split()):
        return _linked_box(element) or _norm(element.text_content())
    return ""


def _linked_box(element: HtmlElement) -> str | None:
    """The names of a box of authors that links each one's page, one a link ("Jane Roe" /
    "Staff Writer", "John Doe" / "Editor" in one box: the roles are no names)."""
    links = element.iter("a")
    linked = [_link_name(a) for a in links if _AUTHOR_HREF.search(a.get("href") or "")]
    if len(linked) < 2:
        return None
    return ", ".join(dict.fromkeys(name for name in linked if name)) or None


def _trafilatura_author(root: HtmlElement, walk: _Walk) -> str | None:
    """trafilatura.metadata.extract_author(root), without copying and pruning the page; but
    a box that links two or more authors' pages gives their names (_linked_box), where
    trafilatura runs names and roles together."""
    if any(element.tag == "rel" for element, _ in walk.found):
        # its first XPath asks for rel='me' child elements: never seen on a page
        return extract_author(root)
    passes: tuple[list[HtmlElement], ...] = ([], [], [])
    for element, _ in walk.found:
        tag = element.tag
        classes = element.get("class") or ""
        ident = element.get("id") or ""
        itemprop = element.get("itemprop") or ""
        if tag == "author" or (
            tag in _TRAFILATURA_TAGS[0]
            and (
                element.get("rel") == "author"
                or ident == "author"
                or classes == "author"
                or itemprop == "author name"
                or element.get("data-testid") in _AUTHOR_TESTIDS
                or _T1_CLASS.search(classes)
            )
        ):
            passes[0].append(element)
        if tag in _TRAFILATURA_TAGS[1] and (
            classes in _T2_EXACT
            or "author" in itemprop
            or _T2_ID.search(ident)
            or _T2_CLASS.search(classes)
        ):
            passes[1].append(element)
        if (
            "Byline" in (element.get("data-component") or "")
            or "author" in itemprop
            or _T3_ID.search(ident)
            or _T3_CLASS.search(classes)
        ):
            passes[2].append(element)
    for candidates in passes:
        for element in candidates:
            if _discarded(element):
                continue
            if _DISCARDED_INSIDE(element):  # its text as trafilatura's pruned copy has it
                element = prune_unwanted_nodes(deepcopy(element), AUTHOR_DISCARD_XPATHS)
            content = trim(" ".join(element.itertext()))
            if content and 2 < len(content) < 120:
                # a box that links each author's page: their names, not their roles
                return _linked_box(element) or normalize_authors(None, content)
    return None


def _discarded(element: HtmlElement) -> bool:
    """In or one of AUTHOR_DISCARD_XPATHS's elements (the root is never pruned)."""
    node: HtmlElement | None = element
    while node is not None:
        parent = node.getparent()
        tag = node.tag
        if tag in ("time", "figure"):
            return True
        if parent is not None and tag in _DISCARD_TAGS:
            ident = node.get("id") or ""
            classes = node.get("class") or ""
            if (
                ident == "comments"
                or classes in ("comments", "title", "date")
                or _DISCARD_ID.search(ident)
                or _DISCARD_CLASS.search(classes)
                or "Figure" in (node.get("data-component") or "")
            ):
                return True
        node = parent
    return False


def _labelled(walk: _Walk) -> list[str]:
    """Texts that follow an author label standing alone in its element: "Article written by:"
    above an <h3> with the name, "Article by" / "Jane Roe" in two blocks."""
    found: list[str] = []
    for owner in walk.labels:
        if owner.tag in _NOT_SHOWN or _norm(owner.text_content()) != _norm(owner.text):
            continue  # the label is part of a longer text: a sentence, not a label
        if not _outside_comments(owner):
            continue
        for following in _NEXT_TEXT(owner):  # after the label's element, not inside it
            parent = following.getparent()
            if parent is None or parent.tag in _NOT_SHOWN:
                continue
            text = _norm(str(following))
            if len(text.split()) <= _NAME_WORDS and text not in found:
                found.append(text)
            break
        if len(found) >= _MAX_FOUND:
            break
    return found


def _poster(walk: _Walk) -> str | None:
    """The user name on a forum thread's first post: XenForo's data-author on each message,
    NodeBB's data-username on the post at index 0, Reddit's author on its post element."""
    for element, inside in walk.found:
        if not inside:
            continue
        classes = element.get("class") or ""
        if (
            (element.get("data-author") is not None and ("message" in classes or "post" in classes))
            or (element.get("data-index") == "0" and element.get("data-username") is not None)
            or (element.tag == "shreddit-post" and element.get("author") is not None)
        ):
            name = _norm(
                element.get("data-author")
                or element.get("data-username")
                or element.get("author")
                or ""
            )
            return name or None
    return None


# The class of the element that prints a post's user name: "username" (phpBB, XenForo),
# "bigusername" (vBulletin), "PostUser-name" (Flarum), "hnuser" (Hacker News).
_USERNAME_CLASS = re.compile(r"^[\w-]*?user[-_]?name$|^hnuser$", re.IGNORECASE)


def _username(walk: _Walk) -> str | None:
    """The first user name the page prints (a forum's first post's, when no markup says):
    forum software that marks no post's author in an attribute prints it in an element whose
    class names it (_USERNAME_CLASS)."""
    for element, inside in walk.found:
        if not inside:
            continue
        tokens = _XML_SPACE.split(element.get("class") or "")
        if any(map(_USERNAME_CLASS.match, tokens)) and _outside_comments(element):
            name = _norm(element.text_content())
            return name if 0 < len(name) <= 40 else None
    return None


# What parts a link's name from the rest of what the link shows ("Jane Roe" / "Staff Writer"
# in two blocks of one link to her page).
_LINK_BLOCKS = frozenset({"div", "p", "dt", "dd", "li", "h2", "h3", "h4", "h5", "h6"})


def _linked(walk: _Walk) -> list[str]:
    """The texts of links to an author's page, in document order (a few at most): the page's
    byline when its markup names it nothing else. A link that shows the author's name above
    their role ("Jane Roe" / "Staff Writer" in blocks of their own) gives its first block."""
    found: list[str] = []
    for element, inside in walk.found:
        if (
            not inside
            or element.tag != "a"
            or not _AUTHOR_HREF.search(element.get("href") or "")
            or not _outside_comments(element)
        ):
            continue
        text = _link_name(element)
        if text and len(text) <= _MAX_CHARS and text not in found:
            found.append(text)
            if len(found) >= _MAX_FOUND:
                break
    return found


def _link_name(link: HtmlElement) -> str:
    """What a link to an author's page shows of the name: its first block when it has blocks
    ("Jane Roe" above "Staff Writer"), else its text."""
    for block in link.iterdescendants(*_LINK_BLOCKS):
        text = _norm(block.text_content())
        if text:
            return text
    return _norm(link.text_content())
