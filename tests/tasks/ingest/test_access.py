"""Access classes on the hostile fixtures and on dev pages reviewed by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdesk.core.contracts.raw import Access
from tasks.ingest.access import classify_html, classify_text, markers

FIXTURES = Path(__file__).parents[2] / "fixtures" / "access"
LABELS = {
    k: v for k, v in json.loads((FIXTURES / "labels.json").read_text()).items() if k[0] != "_"
}


@pytest.mark.parametrize("name", sorted(LABELS))
def test_each_hostile_page_gets_its_class_and_evidence(name: str) -> None:
    spec = LABELS[name]
    verdict = classify_html((FIXTURES / name).read_text(), status=spec["status"])
    assert verdict.access == spec["access"]
    # evidence exactly when the page is not open
    assert (verdict.evidence is None) == (verdict.access == Access.OPEN)


def test_the_evidence_names_what_decided() -> None:
    teaser = classify_html((FIXTURES / "jsonld_gated_teaser.html").read_text())
    assert teaser.evidence == (
        "jsonld isAccessibleForFree=false; gated part .article-premium holds 13 words"
    )
    shell = classify_html((FIXTURES / "react_shell.html").read_text(), status=200)
    assert "empty #root" in shell.evidence and "1 script bundles" in shell.evidence
    wall = classify_html((FIXTURES / "cloudflare_challenge.html").read_text(), status=403)
    assert wall.evidence.startswith("HTTP 403; challenge markup")


def test_a_refusal_that_is_only_script_is_a_js_challenge() -> None:
    body = "<html><body><script>" + "var k=1;" * 400 + "</script></body></html>"
    assert classify_html(body, status=403).access == Access.BLOCKED
    assert classify_html(body, status=200).access == Access.JS_REQUIRED


def test_a_story_with_vendor_script_or_a_newsletter_prompt_stays_open() -> None:
    story = "<p>" + "The harbour wall will be rebuilt over two years. " * 40 + "</p>"
    for extra in markers().blocked_markup:
        page = f"<html><body><article>{story}</article><div class='{extra}'></div></body></html>"
        assert classify_html(page).access == Access.OPEN, extra
    for prompt in markers().prompts:
        page = f"<html><body><article>{story}</article><p>{prompt}</p></body></html>"
        assert classify_html(page).access == Access.OPEN, prompt


def test_a_short_text_dump_that_ends_in_a_prompt_is_paywalled() -> None:
    lead = "The council voted to rebuild the harbour wall. " * 5
    assert classify_text(lead + "\nSubscribe to continue reading\n").access == Access.PAYWALLED
    assert classify_text(lead * 20 + "\nSubscribe to continue reading\n").access == Access.OPEN
    assert classify_text(lead).access == Access.OPEN
