"""Markdown undone once for the text cleaner and the byline reading (tasks/page/markdown.py)."""

from __future__ import annotations

from tasks.page.markdown import GAP, plain, undo_markdown


def test_a_line_reads_as_a_browser_shows_it() -> None:
    assert plain("By [Jane Roe](https://example.org/author/jane-roe/)") == "By Jane Roe"
    assert plain("> ### Jane Roe") == "Jane Roe"
    photo = "![Picture of Jane Roe](/jane.jpg) **Jane Roe**"
    assert plain(photo) == "[Picture of Jane Roe] Jane Roe"
    assert plain(r"28\. Juli, _Jane_ Roe") == "28. Juli, Jane Roe"


def test_two_links_run_together_are_parted_for_bylines_but_not_in_the_units_text() -> None:
    line = "[Jane Roe](/a/jane)[John Doe](/a/john)"
    assert plain(line) == "Jane Roe John Doe"
    text, heading, image, link_chars = undo_markdown(line)
    assert text == f"Jane Roe{GAP}John Doe" and not heading and not image and link_chars == 16


def test_an_image_without_alt_text_parts_the_words_it_stood_between() -> None:
    # html2text writes an inline photo as "![](…)": gone, it must not glue "2024" to "If"
    line = "Updated: December 9, 2024![](https://example.org/a.png)If you serve food"
    text, _, image, _ = undo_markdown(line)
    assert text == f"Updated: December 9, 2024{GAP}If you serve food" and not image
    assert plain(line) == "Updated: December 9, 2024 If you serve food"
    assert plain("a ![](x.png) b") == "a  b" and plain("![](x.png)") == ""
    assert plain("x![A photo](y.png)") == "x[A photo]"
