"""An HTML page's tree, parsed once for access, clean and extract: trafilatura's loader, with
the element classes looked up in C.

lxml.html's parser asks a Python method (`HtmlElementClassLookup.lookup`) for the class of
every element object it hands out: each step of an iteration, each search hit, each node of a
copy. A page's pass (access, our readers, trafilatura and htmldate on that tree and its
copies) creates some 14,000 of them per page; the Python call costs about 3 % of the
page's CPU. `_lookup()` gives the same classes (FormElement for <form>, InputElement for
<input>…, HtmlElement for the other elements, HtmlComment and the rest) from lxml's own C
lookups, so every reader sees the objects it saw before.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlElementClassLookup,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    fromstring,
)


def _lookup() -> etree.ElementNamespaceClassLookup:
    lookup = etree.ElementNamespaceClassLookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement,
            comment=HtmlComment,
            pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    by_tag = lookup.get_namespace(None)  # HTML elements have no namespace
    for tag, cls in HtmlElementClassLookup._default_element_classes.items():
        by_tag[tag] = cls
    return lookup


# trafilatura.utils.HTML_PARSER's options
_PARSER = HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
)
_PARSER.set_element_class_lookup(_lookup())


def _from_bytes(text: str) -> HtmlElement | None:
    try:
        return fromstring(text.encode("utf8", "surrogatepass"), parser=_PARSER)
    except Exception:  # lxml raises several kinds on broken input; trafilatura logs them
        return None


def load_html(html: str | bytes) -> HtmlElement | None:
    """The page's tree as `trafilatura.utils.load_html` parses it (decoded, repaired, the
    same fallbacks and the same refusal of what is not HTML), from our parser."""
    # here, not at the top: this module's other helpers serve text dumps too, which need no
    # trafilatura (its import is 0.05-0.1 s of CPU)
    from trafilatura.utils import decode_file, is_dubious_html, repair_faulty_html

    text = decode_file(html)
    beginning = text[:50].lower()
    dubious = is_dubious_html(beginning)
    text = repair_faulty_html(text, beginning)
    tree = None
    from_bytes = False
    try:
        tree = fromstring(text, parser=_PARSER)
    except ValueError:  # "Unicode strings with encoding declaration are not supported."
        tree = _from_bytes(text)
        from_bytes = True
    except Exception:  # as trafilatura's loader: a failed parse is no tree
        tree = None
    if (tree is None or len(tree) < 1) and not from_bytes:
        tree = _from_bytes(text)
    if tree is not None and dubious and len(tree) < 2:
        return None
    return tree


def first_below(tree: HtmlElement, tag: str) -> HtmlElement | None:
    """`tree.find(f".//{tag}")`, the first such element below the root in document order,
    without the walk over the rest of the page that costs (lxml's iterator, having found one,
    looks on for the next): the search goes child by child and stops in the child that holds
    it (<title> in <head>; <body> right under the root)."""
    for child in tree:
        if child.tag == tag:
            return child
        found = child.find(f".//{tag}")
        if found is not None:
            return found
    return None


def find_body(tree: HtmlElement) -> HtmlElement | None:
    """`tree.find(".//body")`, cheaply (first_below)."""
    return first_below(tree, "body")


def in_body(tree: HtmlElement, tag: str) -> Iterator[HtmlElement]:
    """`tree.iterfind(f".//body//{tag}")`, cheaply: the parser keeps a single <body> (it drops
    a misplaced second one), so these are the elements below that one."""
    body = find_body(tree)
    return iter(()) if body is None else body.iterdescendants(tag)
