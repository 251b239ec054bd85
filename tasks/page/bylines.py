"""Where an HTML page shows who wrote it, read from the one parsed tree before trafilatura
prunes it: byline elements (rel=author, schema.org author properties, elements whose class
names the author), names set under an author label ("Article by" / "Jane Roe"), and the
user name a forum gives its first post. Extract cleans what is found here (roles, dates,
e-mails) and decides which source wins; this module only collects the page's texts."""

from __future__ import annotations

import re

from lxml.etree import XPath
from lxml.html import HtmlElement

from tasks.page.lexicon import alternation as words

# Where pages print their byline: rel=author links, schema.org author properties, and
# elements whose class names the author ("byline", "author-name", "c-byline__author").
# Reader comments and forms are not the byline: "comment-author", a form's "Name *" label.
_NOT_COMMENT = (
    "[not(ancestor-or-self::*[contains(@class, 'comment') or contains(@id, 'comment') "
    "or contains(@id, 'respond')])][not(ancestor::form)]"
)
_MARKED = XPath(
    "//body//*[@rel='author' or @itemprop='author' or contains(@class, 'author') "
    "or contains(@class, 'byline') or contains(@class, 'Author') or contains(@class, 'Byline')]"
    + _NOT_COMMENT
)
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

# An author label standing alone in its element ("Article by", "Written by:", "Author"),
# with the name in the next text of the page.
_LABEL = re.compile(rf"^(?:{words('authors.label')})\s*:?$", re.IGNORECASE)
_SHORT_TEXTS = XPath(
    "//body//text()[string-length(normalize-space()) > 1][string-length(normalize-space()) < 40]"
)
# asked of a label's element only (asked of every text on the page, it costs ~15 ms a page)
_IN_COMMENT = XPath(
    "boolean(ancestor-or-self::*[contains(@class, 'comment') or contains(@id, 'comment') "
    "or contains(@id, 'respond')] | ancestor::form)"
)
_NEXT_TEXT = XPath("following::text()[normalize-space()][position() <= 3]")
_NOT_SHOWN = frozenset({"script", "style", "noscript", "template", "title", "option"})
_NAME_WORDS = 5

# The user name a forum gives the first post of a thread (XenForo's data-author on each
# message, NodeBB's data-username on the post at index 0).
_FIRST_POST = XPath(
    "(//body//*[@data-author][contains(@class, 'message') or contains(@class, 'post')]"
    " | //body//*[@data-index='0'][@data-username] | //body//shreddit-post[@author])[1]"
)
# Forum software that marks no post's author in an attribute prints the first post's user
# name in an element of class "username" (vBulletin, phpBB, XenForo) or "hnuser".
_USERNAME = XPath(
    "(//body//*[contains(concat(' ', normalize-space(@class), ' '), ' username ') "
    "or contains(concat(' ', normalize-space(@class), ' '), ' hnuser ')]" + _NOT_COMMENT + ")[1]"
)


def _norm(text: str) -> str:
    return " ".join(text.split())


def shown_bylines(tree: HtmlElement) -> list[str]:
    """Byline texts as the page shows them, in document order (a few at most)."""
    found: list[str] = []
    for element in _MARKED(tree):
        if not isinstance(element.tag, str) or element.tag in _NOT_SHOWN:
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
        return _norm(element.text_content())
    return ""


def labelled_names(tree: HtmlElement) -> list[str]:
    """Texts that follow an author label standing alone in its element: "Article written by:"
    above an <h3> with the name, "Article by" / "Jane Roe" in two blocks."""
    found: list[str] = []
    for node in _SHORT_TEXTS(tree):
        owner = node.getparent()
        if owner is None or not _LABEL.match(_norm(str(node))):
            continue
        if (
            node.is_tail
            or owner.tag in _NOT_SHOWN
            or _norm(owner.text_content()) != _norm(str(node))
        ):
            continue  # the label is part of a longer text: a sentence, not a label
        if _IN_COMMENT(owner):
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


def forum_poster(tree: HtmlElement) -> str | None:
    """The user name on a forum thread's first post, as its markup states it."""
    first = next(iter(_FIRST_POST(tree)), None)
    if first is None:
        return None
    name = _norm(
        first.get("data-author") or first.get("data-username") or first.get("author") or ""
    )
    return name or None


def first_username(tree: HtmlElement) -> str | None:
    """The first user name the page prints (a forum's first post's, when no markup says)."""
    first = next(iter(_USERNAME(tree)), None)
    name = _norm(first.text_content()) if first is not None else ""
    return name if 0 < len(name) <= 40 else None
