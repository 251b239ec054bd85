"""Per-publisher extraction rules from the registry: CSS selectors or XPath (starting with / or
./ or '(') that pick the body, title, date or authors, or drop nodes before extraction."""

from __future__ import annotations

from functools import lru_cache

from lxml.etree import XPath, XPathSyntaxError
from lxml.html import HtmlElement

from newsdesk.core.registry import ExtractionRules

# Blocks whose text is one paragraph of a rule-selected body.
_PARAGRAPHS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "dd")


class RuleError(ValueError):
    """A registry rule is neither valid XPath nor valid CSS (a configuration error)."""


@lru_cache(maxsize=512)
def compile_selector(selector: str) -> XPath:
    """XPath when the rule looks like one, else CSS translated by cssselect."""
    text = selector.strip()
    try:
        if text.startswith(("/", "./", "(")):
            return XPath(text)
        try:
            from cssselect import GenericTranslator, SelectorError
        except ImportError as exc:
            raise RuleError(f"CSS rule {selector!r} needs the cssselect package") from exc
        try:
            return XPath(GenericTranslator().css_to_xpath(text))
        except SelectorError as exc:
            raise RuleError(f"not a valid CSS selector: {selector!r}: {exc}") from exc
    except XPathSyntaxError as exc:
        raise RuleError(f"not a valid XPath expression: {selector!r}: {exc}") from exc


def select(tree: HtmlElement, selector: str | None) -> list[HtmlElement]:
    """The elements a rule matches, in document order (attribute or text results skipped)."""
    if not selector:
        return []
    return [node for node in compile_selector(selector)(tree) if isinstance(node, HtmlElement)]


def select_text(tree: HtmlElement, selector: str | None) -> list[str]:
    """The non-empty texts a rule matches: element text, or attribute / text() results."""
    if not selector:
        return []
    texts = []
    for node in compile_selector(selector)(tree):
        if isinstance(node, HtmlElement):
            node = node.get("content") or node.get("datetime") or node.text_content()
        text = " ".join(str(node).split())
        if text:
            texts.append(text)
    return texts


def drop_nodes(tree: HtmlElement, rules: ExtractionRules) -> int:
    """Remove what the rules' drop list matches, in place; returns how many nodes went."""
    dropped = 0
    for selector in rules.drop:
        for node in select(tree, selector):
            if node.getparent() is not None:
                node.drop_tree()
                dropped += 1
    return dropped


def paragraphs(elements: list[HtmlElement]) -> list[str]:
    """The paragraphs of rule-selected body elements, in order."""
    found: list[str] = []
    for element in elements:
        blocks = [
            node
            for node in element.iter(*_PARAGRAPHS)
            # the innermost block holds the paragraph; an outer one would repeat it
            if not any(child.tag in _PARAGRAPHS for child in node.iterdescendants())
        ]
        for block in blocks or [element]:
            text = " ".join(block.text_content().split())
            if text:
                found.append(text)
    return found
