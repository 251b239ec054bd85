"""The dev-set renders newsdesk makes itself (bench/render.py) read a page's bytes the way
the dev set's own w3m renders were made: valid UTF-8, else the declared charset, else
windows-1252."""

from __future__ import annotations

from bench.render import decode_html


def test_page_declaring_utf8_with_a_stray_bad_byte_stays_utf8() -> None:
    page = '<meta charset="UTF-8"><p>Sprzeciw wobec ataków na Fundację</p>'.encode() + b"\xc3("
    text = decode_html(page)
    assert "ataków na Fundację" in text
    assert "\ufffd" in text  # the bad byte only


def test_declared_legacy_charset_and_undeclared_bytes() -> None:
    assert decode_html('<meta charset="iso-8859-2"><p>Łódź'.encode("iso-8859-2")).endswith("Łódź")
    assert decode_html(b"<p>Caf\xe9 cr\xe8me").endswith("Café crème")
