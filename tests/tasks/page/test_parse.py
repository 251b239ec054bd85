"""tasks.page.parse: the same tree and the same element classes as trafilatura's loader."""

from __future__ import annotations

import gzip
from pathlib import Path

import lxml.html
import pytest
from lxml import etree
from trafilatura.utils import load_html as trafilatura_load_html

from tasks.page.parse import load_html

FIXTURES = Path(__file__).parents[2] / "fixtures"

FORM_PAGE = """<!DOCTYPE html><html><head><title>T</title></head><body>
<!-- a comment --><?php echo 1 ?>
<form action="/s"><label for="q">Search</label><input name="q" value="x">
<select name="s"><option>a</option></select><textarea name="t">hi</textarea></form>
<p>Some <b>text</b> &amp; more.</p></body></html>"""


def _pages() -> list[str]:
    pages = [FORM_PAGE]
    for path in sorted((FIXTURES / "html").glob("*.html*")):
        data = path.read_bytes()
        pages.append((gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8"))
    return pages


def _shape(tree: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    return [(type(e).__name__, str(e.tag)) for e in tree.iter()]


@pytest.mark.parametrize("page", _pages(), ids=lambda p: str(len(p)))
def test_same_tree_and_classes_as_trafilatura(page: str) -> None:
    ours, theirs = load_html(page), trafilatura_load_html(page)
    assert ours is not None and theirs is not None
    assert etree.tostring(ours) == etree.tostring(theirs)
    assert _shape(ours) == _shape(theirs)
    # a copy (trafilatura and htmldate copy the tree) keeps the classes
    copied = ours.__copy__()
    assert _shape(copied) == _shape(theirs)


def test_form_elements_keep_their_classes() -> None:
    tree = load_html(FORM_PAGE)
    assert tree is not None
    assert isinstance(tree.find(".//form"), lxml.html.FormElement)
    assert isinstance(tree.find(".//input"), lxml.html.InputElement)
    assert tree.find(".//input").value == "x"
    assert isinstance(tree.find(".//p"), lxml.html.HtmlElement)
    assert tree.find(".//p").text_content() == "Some text & more."


@pytest.mark.parametrize(
    "text",
    [
        "",
        "just words, no markup at all",
        "<p>one block</p>",
        b"<html><body><p>caf\xc3\xa9</p></body></html>",
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>declared</p></body></html>',
        "<html/>\n<body><p>self-closed html</p></body>",
        "<html><body><p>control\x00\x08 chars</p></body></html>",
    ],
)
def test_refusals_and_repairs_as_trafilatura(text: str | bytes) -> None:
    ours, theirs = load_html(text), trafilatura_load_html(text)
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert etree.tostring(ours) == etree.tostring(theirs)


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>T</title></head><body><svg><title>icon</title></svg></body></html>",
        "<html><body><p>no head</p><svg><title>x</title></svg></body></html>",
        "<div><p>a</p><section><p>b</p></section></div>",
        "<html><head></head><body><div>x</div></body></html>",
    ],
)
@pytest.mark.parametrize("tag", ["body", "title", "p", "head", "section", "svg"])
def test_first_below_is_find_descendant(html: str, tag: str) -> None:
    from tasks.page.parse import first_below

    tree = lxml.html.document_fromstring(html)
    for root in (tree, *tree.iterdescendants()):
        assert first_below(root, tag) is root.find(f".//{tag}")


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>T</title></head><body><h1>a</h1><div><h1>b</h1></div></body></html>",
        "<html><body><h1>a</h1><body><h1>second body</h1></body></body></html>",
        "<p>x</p><body><h1>a</h1></body><html><body><h1>b</h1></body></html>",
        "<div><h1>fragment</h1></div><div>y</div>",
        "<html><head><title>no h1</title></head></html>",
    ],
)
def test_in_body_is_iterfind_below_body(html: str) -> None:
    from tasks.page.parse import in_body

    tree = load_html(html)
    if tree is None:
        tree = lxml.html.document_fromstring(html)
    assert list(in_body(tree, "h1")) == list(tree.iterfind(".//body//h1"))


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><script>a</script></head><body><div><script type='x'>b</script></div>"
        "<svg><script>c</script></svg><iframe></iframe><template><p>t</p></template></body></html>",
        "<div><script>fragment</script><p>text</p></div><div>y</div>",
    ],
)
def test_access_walks_find_what_its_xpaths_found(html: str) -> None:
    """tasks.ingest.access reads scripts and hidden elements with lxml's iterators: the same
    elements, in the same order, as the XPaths it used (//script; .//script | .//style …)."""
    from tasks.ingest.access import _DROP, _body, _scripts

    tree = load_html(html)
    assert tree is not None
    for root in (tree, *tree.iterdescendants()):
        assert list(_scripts(root)) == root.xpath("//script")
    body = _body(tree)
    hidden = etree.XPath(" | ".join(f".//{tag}" for tag in _DROP))
    assert list(body.iterdescendants(*_DROP)) == hidden(body)
