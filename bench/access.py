"""Precision and recall of the access classes (tasks/ingest/access.py) on a labelled set.

    .venv/bin/python -m bench.access            # the table, per half and overall
    .venv/bin/python -m bench.access --errors   # also every page classified wrongly

The labelled set:
- every HTML page of the dev set (../shared/devset/{modern,segments,dates}/html): pages that
  gave an article, a product, a forum thread (the truth has a body for each), so `open`,
  except the pages named in bench/access_labels.json, each reviewed by hand;
- the hostile pages in tests/fixtures/access/ (challenge pages, bot walls, app shells,
  paywalls, and open pages that look like them), labelled in their labels.json, read with
  the HTTP status they are served with in the tests.
The dev pages are split by site (a hash of the host): rules are tuned on the `tune` half and
judged on the `held-out` half; the fixtures are reported on their own, as they were written
with the rules in mind. The same dev pages' w3m dumps are scored too (classify_text).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from newsdesk.core.contracts.raw import Access
from tasks.ingest.access import classify_html, classify_text, markers
from tasks.ingest.decode import decode

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT.parent / "shared" / "devset"
FIXTURES = ROOT / "tests" / "fixtures" / "access"
HAND_LABELS = ROOT / "bench" / "access_labels.json"
CLASSES = [a.value for a in Access]


def _half(url: str) -> str:
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return "tune" if hashlib.sha256(host.encode()).digest()[0] % 2 == 0 else "held-out"


def dev_pages(*, read: bool = True) -> list[tuple[str, str, bytes, int | None, str]]:
    """(id, group, bytes, status, label) for every dev-set HTML page (bytes empty unless
    `read`)."""
    hand = {k: v for k, v in json.loads(HAND_LABELS.read_text()).items() if not k.startswith("_")}
    pages = []
    for part in ("modern", "segments", "dates"):
        for line in (DEVSET / part / "truth.jsonl").read_text().splitlines():
            truth = json.loads(line)
            folder = DEVSET / part / "html"
            path = folder / f"{truth['id']}.html"
            if not read:
                data = b""
            elif path.exists():
                data = path.read_bytes()
            else:
                with gzip.open(f"{path}.gz") as packed:
                    data = packed.read()
            label = hand.get(truth["id"], {}).get("access", "open")
            pages.append((truth["id"], _half(truth["url"]), data, None, label))
    return pages


def fixture_pages() -> list[tuple[str, str, bytes, int | None, str]]:
    labels = json.loads((FIXTURES / "labels.json").read_text())
    return [
        (name, "fixtures", (FIXTURES / name).read_bytes(), spec["status"], spec["access"])
        for name, spec in labels.items()
        if not name.startswith("_")
    ]


def scores(rows: list[tuple[str, str]]) -> dict[str, dict[str, float | int | None]]:
    """Per class: support (labelled), predicted, precision, recall; rows = (label, predicted)."""
    out = {}
    for cls in CLASSES:
        tp = sum(1 for label, got in rows if label == got == cls)
        predicted = sum(1 for _, got in rows if got == cls)
        support = sum(1 for label, _ in rows if label == cls)
        out[cls] = {
            "support": support,
            "predicted": predicted,
            "precision": tp / predicted if predicted else None,
            "recall": tp / support if support else None,
        }
    return out


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the pages classified wrongly")
    args = parser.parse_args()
    results: list[tuple[str, str, str, str, str | None]] = []
    spent = 0.0
    html = [*dev_pages(), *fixture_pages()]
    for doc_id, group, data, status, label in html:
        text = decode(data).text or ""
        started = time.process_time()  # CPU time: a busy shared machine disturbs it less
        verdict = classify_html(text, status=status)
        spent += time.process_time() - started
        results.append((doc_id, group, label, verdict.access.value, verdict.evidence))
    # The same dev pages as w3m dumps (classify_text: no markup, so only a short text that
    # ends in a prompt can be told apart; empty_body catches a shell's near-empty dump).
    for doc_id, _, _, _, label in dev_pages(read=False):
        part = {"m": "modern", "s": "segments", "d": "dates"}[doc_id[0]]
        dump = (DEVSET / part / "text-w3m" / f"{doc_id}.txt").read_text(errors="replace")
        verdict = classify_text(dump)
        results.append((doc_id, "w3m", label, verdict.access.value, verdict.evidence))

    groups = {
        "tune (dev)": ["tune"],
        "held-out (dev)": ["held-out"],
        "fixtures": ["fixtures"],
        "all HTML": ["tune", "held-out", "fixtures"],
        "w3m dumps (dev)": ["w3m"],
    }
    print(f"{'set':<18}{'class':<13}{'labelled':>9}{'predicted':>10}{'precision':>10}{'recall':>8}")
    report = {}
    for name, members in groups.items():
        rows = [(label, got) for _, group, label, got, _ in results if group in members]
        report[name] = scores(rows)
        for cls, s in report[name].items():
            print(
                f"{name:<18}{cls:<13}{s['support']:>9}{s['predicted']:>10}"
                f"{_fmt(s['precision']):>10}{_fmt(s['recall']):>8}"
            )
    print(f"{len(html)} HTML pages, {spent / len(html) * 1000:.2f} ms CPU a page to classify")
    print("access_markers.toml on the dev pages: pages holding each entry anywhere / verdicts it")
    print("decided (an entry present on open pages is kept from firing by the structure rules)")
    dev = [(doc_id, data) for doc_id, _, data, _, _ in dev_pages()]
    lowered = [(doc_id, data.decode("utf-8", "replace").lower()) for doc_id, data in dev]
    found = markers()
    for entry in (*found.blocked_markup, *found.blocked_titles, *found.prompts):
        holding = sum(1 for _, text in lowered if entry in text)
        decided = sum(1 for *_, evidence in results if evidence and repr(entry) in evidence)
        print(f"  {entry!r:<40} {holding:>5} pages {decided:>4} verdicts")
    if args.errors:
        for doc_id, group, label, got, evidence in results:
            if label != got:
                print(f"  {doc_id} ({group}): labelled {label}, got {got}: {evidence}")
    counts = Counter(got for *_, got, _ in results)
    print("predicted overall:", dict(counts))


if __name__ == "__main__":
    main()
