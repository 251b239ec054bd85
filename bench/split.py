"""The dev set in two halves by site: a tuning half to fit rules, phrases and models on, and a
held-out half to judge them on. A page's half is a stable hash of its site (the host of the
truth URL without "www."; for a web.archive.org copy, the archived page's host), so every page
of one site falls in the same half and a rule fitted to a site cannot score on the half that
judges it.

    .venv/bin/python -m bench.split          # rewrite bench/devset_split.json from the truth

The split is committed (bench/devset_split.json): `make eval` and the CI floors read it, and
rewriting it only reproduces it (the hash is fixed), unless the dev set itself changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

PROJECT = Path(__file__).resolve().parents[1]
DEVSET = PROJECT.parent / "shared" / "devset"
SPLIT = PROJECT / "bench" / "devset_split.json"
SETS = ("segments", "dates", "modern")
HALVES = ("tuning", "heldout")
_ARCHIVED = re.compile(r"^/web/[^/]+/(.+)$")


def site_of(url: str | None) -> str:
    """The site a truth URL belongs to; "" when there is none (such pages are held out)."""
    if not url:
        return ""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "web.archive.org":
        inner = _ARCHIVED.match(parts.path)
        if inner:
            target = inner.group(1)
            return site_of(target if "//" in target else f"http://{target}")
    return host.removeprefix("www.")


def half_of(site: str) -> str:
    """ "tuning" or "heldout": the first byte of the site's SHA-256, even or odd."""
    if not site:
        return "heldout"
    return HALVES[hashlib.sha256(site.encode()).digest()[0] % 2]


def truth_rows(devset: Path, set_name: str) -> dict[str, dict]:
    """A dev set's truth.jsonl, document id → its row."""
    lines = (devset / set_name / "truth.jsonl").read_text(encoding="utf-8").split("\n")
    return {row["id"]: row for row in map(json.loads, filter(str.strip, lines))}


def build(devset: Path = DEVSET) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for set_name in SETS:
        halves: dict[str, list[str]] = {half: [] for half in HALVES}
        for doc_id, row in truth_rows(devset, set_name).items():
            halves[half_of(site_of(row.get("url")))].append(doc_id)
        out[set_name] = {half: sorted(ids) for half, ids in halves.items()}
    return out


def load(path: Path = SPLIT) -> dict[str, dict[str, frozenset[str]]]:
    """The committed split: set → half → document ids."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {s: {h: frozenset(raw[s][h]) for h in HALVES} for s in SETS}


def main() -> None:
    split = build()
    about = (
        "The dev set's tuning and held-out halves, by site: sha256(host of the truth URL, "
        "without www.; the archived host for web.archive.org copies), first byte even = "
        "tuning, odd = heldout. Written by `python -m bench.split`; tune on tuning, judge on "
        "heldout (the CI floors are held-out figures)."
    )
    SPLIT.write_text(json.dumps({"_about": about, **split}, indent=1) + "\n", encoding="utf-8")
    for set_name, halves in split.items():
        print(set_name, {half: len(ids) for half, ids in halves.items()})


if __name__ == "__main__":
    main()
