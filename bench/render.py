"""Render the dev set's HTML pages as plain-text dumps with renderers other than w3m.

The pages are decoded the way the dev set's own w3m renders were made: valid UTF-8 (a BOM
dropped), else the charset a <meta> tag declares, else windows-1252. Each renderer lays the
page out differently (inscriptis: indented layout with `*` bullets; html2text: unwrapped
markdown), which is the point: the text cleaner must not depend on one renderer's layout.

usage: python -m bench.render CACHE_DIR [--devset DIR] [--sets segments dates]
       [--renderers inscriptis html2text]
writes CACHE_DIR/<renderer>/<set>/<id>.txt (existing files are kept).
"""

from __future__ import annotations

import argparse
import codecs
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

DEFAULT_DEVSET = Path(__file__).resolve().parents[2] / "shared" / "devset"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def decode_html(data: bytes) -> str:
    """Valid UTF-8 first, then the declared charset, then windows-1252 (never fails).

    A page that declares UTF-8 but holds a stray invalid byte is read as UTF-8 with that
    byte replaced, as w3m reads it: windows-1252 would turn all its text into mojibake."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            codec = codecs.lookup(declared.group(1).decode("ascii"))
        except LookupError:
            codec = None
        if codec is not None and codec.name == "utf-8":
            return data.decode("utf-8-sig", errors="replace")
        if codec is not None:
            try:
                return data.decode(codec.name)
            except UnicodeDecodeError:
                pass
    return data.decode("windows-1252", errors="replace")


def render_inscriptis(html: str) -> str:
    from inscriptis import get_text  # dev dependency: imported only when this renderer runs

    return get_text(html)


def render_html2text(html: str) -> str:
    import html2text  # dev dependency: imported only when this renderer runs

    converter = html2text.HTML2Text()
    converter.body_width = 0  # one line per paragraph, like a copy-paste
    converter.unicode_snob = True  # keep characters instead of ASCII look-alikes
    return converter.handle(html)


RENDERERS: dict[str, Callable[[str], str]] = {
    "inscriptis": render_inscriptis,
    "html2text": render_html2text,
}


def render_pages(pages: Iterable[Path], renderer: str, out_dir: Path) -> int:
    """Render each HTML page to `out_dir/<stem>.txt` unless it is there already; returns how
    many files were written. A renderer crash on one page leaves it empty, never stops."""
    render = RENDERERS[renderer]
    out_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    for page in pages:
        target = out_dir / f"{page.stem}.txt"
        if target.exists():
            continue
        try:
            text = render(decode_html(page.read_bytes()))
        except Exception as exc:  # a renderer crash on one page must not stop the set
            text = ""
            print(f"{renderer}: {page.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
        target.write_text(text, encoding="utf-8")
        written += 1
    return written


def render_set(devset: Path, set_name: str, renderer: str, out_dir: Path) -> int:
    """Render every page of one set; returns how many files were written."""
    return render_pages(sorted((devset / set_name / "html").glob("*.html")), renderer, out_dir)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cache", type=Path, help="output folder, e.g. .cache/renders")
    parser.add_argument("--devset", type=Path, default=DEFAULT_DEVSET)
    parser.add_argument("--sets", nargs="+", default=["segments", "dates"])
    parser.add_argument("--renderers", nargs="+", default=sorted(RENDERERS), choices=RENDERERS)
    args = parser.parse_args(argv)
    for renderer in args.renderers:
        for set_name in args.sets:
            n = render_set(args.devset, set_name, renderer, args.cache / renderer / set_name)
            print(f"{renderer}/{set_name}: {n} rendered")


if __name__ == "__main__":
    main()
