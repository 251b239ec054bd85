"""The evaluation's scoring rules (bench/eval.py) that need no dev set: what the segments set
scores as a page's article text, what counts as a glued token, the fetch addresses
modern/'s pages come with and the renders of them every text input reads."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from bench.eval import (
    INPUTS,
    MODERN,
    article_text,
    ensure_modern,
    folders,
    glued_tokens,
    predictions,
)


def test_segments_score_the_standfirst_then_the_body() -> None:
    record = {"path": "/x/s0001.txt", "standfirst": "The dek.\n", "body": "First paragraph."}
    assert article_text(record) == "The dek.\n\nFirst paragraph."
    assert article_text({"standfirst": None, "body": "Only body."}) == "Only body."
    assert article_text({"standfirst": "Only a dek.", "body": None}) == "Only a dek."
    # a standfirst that is really furniture is scored with the rest, so it counts against
    furniture = {"path": "/x/s0002.txt", "standfirst": "Subscribe now!", "body": "Story."}
    (scored,) = predictions([furniture], with_standfirst=True)
    assert "Subscribe now!" in scored["body"]
    (body_only,) = predictions([furniture])
    assert body_only["body"] == "Story."


def test_glued_tokens_set_markdown_underscores_aside(tmp_path: Path) -> None:
    dump = tmp_path / "page.txt"
    dump.write_text(
        "Erschienen: _Engelbarts Traum_ bei [Campus](/c)\n"
        "[Stolperstein_Maria_Tillessen__Wirtschaftsweiber__Gunter_]\n",
        encoding="utf-8",
    )
    body = "Erschienen: Engelbarts Traum bei Campus\n\nStolperstein_Maria_Tillessen Gunter_"
    assert glued_tokens({"path": str(dump), "body": body}) == []
    glued = "Erschienen: Engelbarts Traum beiCampus"
    assert glued_tokens({"path": str(dump), "body": glued}) == ["beiCampus"]


def test_glued_tokens_set_markdown_code_spans_aside(tmp_path: Path) -> None:
    # html2text marks inline code with backticks, which the cleaner drops: "`JOIN`s" reads
    # "JOINs", a word of the page; two code spans run together are still glue
    dump = tmp_path / "page.txt"
    dump.write_text("Use `JOIN`s and `UNION`s, or `a``b` together.\n", encoding="utf-8")
    body = "Use JOINs and UNIONs"
    assert glued_tokens({"path": str(dump), "body": body}) == []
    assert glued_tokens({"path": str(dump), "body": "UseJOINs"}) == ["UseJOINs"]


def test_glued_tokens_of_an_html_page(tmp_path: Path) -> None:
    """Words that blocks, a <br> or a script part on the page and the record runs together
    are glue; a word split where inline markup meets ("<b>PRO</b><em>2") is not glue, ruby
    annotations are not part of their line, and a control character hides no paragraph."""
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><p>West Palm Beach, FL<br>June 10</p><div>Links</div><div>Overview</div>"
        "<p><strong>Join VIP PRO</strong><em>2 Day Delivery</em></p>"
        "<p><ruby>痴漢<rp>(</rp><rt>ちかん</rt><rp>)</rp></ruby>する</p>"
        "<p>Denn bei aller Liebe\x08 für das Schöne</p></body></html>",
        encoding="utf-8",
    )

    def glued(body: str) -> list[str]:
        return glued_tokens({"path": str(page), "body": body})

    assert glued("West Palm Beach, FLJune 10\n\nLinksOverview") == ["FLJune", "LinksOverview"]
    assert glued("West Palm Beach, FL\nJune 10\n\nLinks\n\nOverview") == []
    assert glued("Join VIP PRO\n2 Day Delivery\n\nJoin VIP PRO2 Day Delivery") == []
    assert glued("痴漢する ちかん") == []
    assert glued("Denn bei aller Liebe für das Schöne") == []


def test_modern_pages_come_with_their_fetch_address(tmp_path: Path) -> None:
    """modern/'s pages (HTML unpacked, w3m dumps copied, the unpacked pages rendered by
    inscriptis and html2text) each get a sidecar with the address the truth gives, as
    production's pages come with theirs; a page without one gets none, and a second call
    leaves the copies and renders as they are."""
    devset, target = tmp_path / "devset", tmp_path / "modern"
    (devset / "modern" / "html").mkdir(parents=True)
    (devset / "modern" / "text-w3m").mkdir()
    for doc_id in ("m0001", "m0003"):
        page = devset / "modern" / "html" / f"{doc_id}.html.gz"
        page.write_bytes(gzip.compress(b"<html><body><p>A page.</p></body></html>"))
        (devset / "modern" / "text-w3m" / f"{doc_id}.txt").write_text("A page.\n")
    rows = [{"id": "m0001", "url": "https://example.org/blog/a-story/"}, {"id": "m0003"}]
    (devset / "modern" / "truth.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert ensure_modern(devset, target) == 2 + 2 * 2  # unpacked, and rendered twice
    kinds = ("html", "text-w3m", "text-html2text", "text-inscriptis")
    for kind in kinds:
        name = "m0001.html" if kind == "html" else "m0001.txt"
        sidecar = json.loads((target / kind / f"{name}.meta.json").read_text())
        assert sidecar == {"url": "https://example.org/blog/a-story/"}
    assert (target / "text-w3m" / "m0003.txt").read_text() == "A page.\n"
    for renderer in ("html2text", "inscriptis"):  # bench.render's renders, as the other sets'
        assert (target / f"text-{renderer}" / "m0003.txt").read_text().strip() == "A page."
    assert not list(target.glob("*/m0003.*.meta.json"))
    assert ensure_modern(devset, target) == 0


def test_every_input_reads_modern(tmp_path: Path) -> None:
    """modern/ is scored for every input: HTML and w3m as the dev set ships them, and the
    inscriptis and html2text dumps ensure_modern renders beside them."""
    devset, renders = tmp_path / "devset", tmp_path / "renders"
    by_key = folders(devset, renders)
    assert {name for name, set_name in by_key if set_name == "modern"} == set(INPUTS)
    assert by_key["text-html2text", "modern"] == MODERN / "text-html2text"
    assert by_key["text-inscriptis", "segments"] == renders / "inscriptis" / "segments"
    assert by_key["text-w3m", "dates"] == devset / "dates" / "text-w3m"
