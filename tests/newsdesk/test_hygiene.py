"""Credentials, lone surrogates, control and bidi characters: what may be stored and shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.core.hygiene import (
    TITLE_MAX_CHARS,
    clean_title,
    redact_credentials,
    scrub_surrogates,
    strip_controls,
    strip_credentials,
)
from newsdesk.core.registry import RegistryError, load_registry


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("http://token@example.com:8080/a?b=1#c", "http://example.com:8080/a?b=1#c"),
        ("https://example.com/a@b/c?mail=x@y.z", "https://example.com/a@b/c?mail=x@y.z"),
        ("https://u:p@[::1]:8/x", "https://[::1]:8/x"),
        ("https://u:p@[broken/x", "https://[broken/x"),  # invalid IPv6: the text scrub applies
        ("https://example.com/", "https://example.com/"),
    ],
)
def test_credentials_leave_urls(url: str, expected: str) -> None:
    assert strip_credentials(url) == expected


def test_credentials_leave_free_text() -> None:
    text = "status 404; url https://a:b@x.example/1; final http://c@y.example/2; mail me@z.example"
    assert redact_credentials(text) == (
        "status 404; url https://x.example/1; final http://y.example/2; mail me@z.example"
    )


def test_titles_are_one_capped_line_without_controls_or_bidi_overrides() -> None:
    assert clean_title("\u202eexe.gnp Holiday\u202c photos\u200f") == "exe.gnp Holiday photos"
    assert clean_title("Line one\nline\x00two\t\x85end") == "Line one line two end"
    assert clean_title("  \u2066\u2069 ") is None
    long = clean_title("word " * 100_000)
    assert long is not None and len(long) <= TITLE_MAX_CHARS and long.endswith("word…")
    unbroken = clean_title("x" * 1000)
    assert unbroken is not None and len(unbroken) == TITLE_MAX_CHARS
    assert clean_title("Caf\ud800e") == "Caf\ufffde"
    assert clean_title("Right-to-left: \u05e9\u05dc\u05d5\u05dd") == "Right-to-left: שלום"


def test_text_keeps_line_breaks_and_loses_nul() -> None:
    assert strip_controls("a\x00b\x07\tc\r\nd\x1b") == "ab\tc\r\nd"
    assert strip_controls("page\x0cbreak\x1dnext") == "page break next"  # words kept apart
    assert strip_controls("it\u00e2\x80\x99s") == "it\u00e2\x80\x99s"  # mojibake kept as shown
    assert scrub_surrogates("\ud83d\ude00 \udc80") == "\U0001f600 \ufffd"


def test_date_order_is_checked_in_the_registry(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    entry = '[[source]]\nname = "A"\ndomains = ["a.example"]\ndate_order = "{}"\n'
    path.write_text(entry.format("DMY"))
    assert load_registry(path).get("A").date_order == "DMY"
    path.write_text(entry.format("DDMMYY"))
    with pytest.raises(RegistryError, match="date_order"):
        load_registry(path)
