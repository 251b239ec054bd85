"""The lines around a page's headline, where a byline without markup stands (issue 16)."""

from __future__ import annotations

from lxml.etree import XPath
from lxml.html import fromstring

from tasks.page.html import _following_texts, _headline_lines

PAGE = (
    "<html><head><title>T</title></head><body>"
    "<nav><a>Home</a> | <a>News</a><!-- menu --> tail of a comment</nav>"
    "<div><span>By</span> <a>Jane Roe</a></div>"
    "<article><header><h1>The <em>big</em> story</h1>after the headline"
    "<p>Dec 17, 2025<?pi x?>after a PI</p><script>var x = 1;</script></header>"
    "<p>First paragraph.</p></article><footer>Footer</footer></body></html>"
)


def test_the_texts_after_the_headline_are_xpaths_following_texts_in_order() -> None:
    h1 = fromstring(PAGE).find(".//h1")
    want = [(node.getparent(), node.is_text, str(node)) for node in XPath("following::text()")(h1)]
    assert list(_following_texts(h1)) == want
    assert [text for _, _, text in want][:3] == ["after the headline", "Dec 17, 2025", "after a PI"]


def test_lines_above_and_below_the_headline_without_scripts_or_comments() -> None:
    # a block's tail is a line of the block around it; a comment's and a PI's tails are not
    # read (as before the lazy walk)
    assert _headline_lines(fromstring(PAGE)) == [
        "T",
        "Home | News",
        "By Jane Roe",
        "The big story",
        "after the headline",
        "Dec 17, 2025",
        "First paragraph.",
        "Footer",
    ]
