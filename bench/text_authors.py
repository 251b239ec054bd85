"""Text-dump authors on modern/, in this process: the rate `score modern` gives, each author
rule's share of it, and what the misses are, per renderer and half.

    .venv/bin/python -m bench.text_authors                    # rates, both halves
    .venv/bin/python -m bench.text_authors --rules            # + each rule: fired, removed
    .venv/bin/python -m bench.text_authors --misses           # + the tuning half's misses

Reads the dumps `make eval` scores (.cache/modern/text-<renderer>, made by
bench.eval.ensure_modern) with their address sidecars, cleans each as the CLI does (no
source templates: modern/ has one page per site) and runs tasks.extract.text_dump's author
rules (author_rules) one by one. A name is right as `score modern` counts it: the annotated
name inside it or it inside the annotated name, case and whitespace aside.

The held-out half is only ever counted (rates, rule totals, how misses divide); pages are
listed for the tuning half alone (bench/devset_split.json).
"""

from __future__ import annotations

import argparse
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from bench import split as devset_split
from bench.eval import DEVSET, MODERN, TEXT_RENDERERS, ensure_modern

_WS = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def norm(text: str) -> str:
    """As the dev set's scorer compares names."""
    return _WS.sub(" ", unicodedata.normalize("NFC", text).translate(_INVISIBLE)).strip().casefold()


def hit(names: Sequence[str], gold: str) -> bool:
    want = norm(gold)
    return any((got := norm(name)) and (got in want or want in got) for name in names)


@dataclass
class Page:
    id: str
    gold: str | None
    found: list[tuple[str, list[str]]]  # every rule's names, in the rules' order
    in_dump: bool  # the annotated name is in the dump's text at all

    def answer(self, without: frozenset[str] = frozenset()) -> tuple[str | None, list[str]]:
        """The rule that wins and its names, with the rules `without` left out."""
        return next(((r, n) for r, n in self.found if n and r not in without), (None, []))


def read_page(path: Path) -> tuple[str, list[tuple[str, list[str]]], str]:
    """(id, every rule's names, the dump's text) of one dump, cleaned as the CLI cleans."""
    from tasks.clean.text_dump import clean_text_dump
    from tasks.extract.text_dump import author_rules
    from tasks.page.fields import PageContext
    from tasks.parallel import worker_registry  # the CLI's registry (_init_registry)

    text = path.read_text(encoding="utf-8")
    sidecar = path.with_name(path.name + ".meta.json")
    url = json.loads(sidecar.read_text(encoding="utf-8"))["url"] if sidecar.exists() else None
    ctx = PageContext(registry=worker_registry(), url=url)
    cleaned = clean_text_dump(text, ctx)
    # the hints as the extract stage gets them: through JSON (tasks.clean.stage.clean_row)
    hints = json.loads(json.dumps(cleaned.hints, ensure_ascii=False, default=str))
    rules = author_rules(hints, text, cleaned.body.strip())
    return path.stem, [(name, rule()) for name, rule in rules], text


def _init_registry() -> None:
    """In a worker: the registry `newsdesk extract` reads (sources.toml by the settings)."""
    from newsdesk.core.config import load_settings
    from newsdesk.core.registry import load_registry
    from tasks import parallel

    parallel._init_worker(load_registry(load_settings().sources))


def read_half(
    renderer: str, ids: set[str], truth: dict[str, dict], pool: ProcessPoolExecutor
) -> list[Page]:
    paths = sorted(p for p in (MODERN / f"text-{renderer}").glob("*.txt") if p.stem in ids)
    done = list(pool.map(read_page, paths, chunksize=8))
    pages = []
    for doc_id, found, text in done:
        gold = truth[doc_id].get("author")
        pages.append(Page(doc_id, gold, found, bool(gold) and norm(gold) in norm(text)))
    return pages


def tally(pages: list[Page], without: frozenset[str] = frozenset()) -> dict[str, int]:
    """Annotated pages right / wrong / with no name; names on pages annotated with none."""
    out = Counter(annotated=0, right=0, wrong=0, none=0, unannotated_named=0)
    for page in pages:
        _, names = page.answer(without)
        if page.gold:
            out["annotated"] += 1
            out["right" if hit(names, page.gold) else "wrong" if names else "none"] += 1
        elif names:
            out["unannotated_named"] += 1
    return dict(out)


def rule_table(pages: list[Page]) -> dict[str, dict[str, int]]:
    """Per rule: the pages it answers (right, wrong, no annotated author), and what leaving
    it out changes (right, wrong: the rules after it may answer instead)."""
    base = tally(pages)
    out = {}
    for rule in [name for name, _ in pages[0].found] if pages else []:
        won = [p for p in pages if p.answer()[0] == rule]
        removed = tally(pages, frozenset([rule]))
        out[rule] = {
            "fired_right": sum(bool(p.gold) and hit(p.answer()[1], p.gold) for p in won),
            "fired_wrong": sum(bool(p.gold) and not hit(p.answer()[1], p.gold) for p in won),
            "fired_unannotated": sum(not p.gold for p in won),
            "removed_right": removed["right"] - base["right"],
            "removed_wrong": removed["wrong"] - base["wrong"],
            "removed_unannotated": removed["unannotated_named"] - base["unannotated_named"],
        }
    return out


def diagnosis(pages: list[Page]) -> dict[str, int]:
    """How the misses divide: no name or a wrong one, and the annotated name in the dump or
    not (a miss whose name the dump never shows no rule can mend)."""
    out: Counter[str] = Counter()
    for page in pages:
        if not page.gold:
            continue
        _, names = page.answer()
        if hit(names, page.gold):
            continue
        kind = "wrong" if names else "none"
        out[f"{kind}_in_dump" if page.in_dump else f"{kind}_not_in_dump"] += 1
    return dict(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renderers", nargs="+", choices=TEXT_RENDERERS,
                        default=list(TEXT_RENDERERS))  # fmt: skip
    parser.add_argument("--rules", action="store_true", help="each rule's share (both halves)")
    parser.add_argument("--misses", action="store_true", help="the tuning half's misses")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args(argv)
    ensure_modern(DEVSET)
    truth = devset_split.truth_rows(DEVSET, "modern")
    split = devset_split.load()["modern"]
    report: dict[str, dict] = {}
    context = get_context("spawn")  # one pool: its workers load the registry once
    pool = ProcessPoolExecutor(args.workers, mp_context=context, initializer=_init_registry)
    halves = [(r, h) for r in args.renderers for h in devset_split.HALVES]
    with pool:
        for renderer, half in halves:
            pages = read_half(renderer, set(split[half]), truth, pool)
            found = tally(pages)
            rate = found["right"] / found["annotated"] if found["annotated"] else 0.0
            entry: dict = {**found, "rate": rate, "misses": diagnosis(pages)}
            print(f"{renderer:<11} {half:<8} author {found['right']}/{found['annotated']} = "
                  f"{rate:.4f}  wrong {found['wrong']}  none {found['none']}  "
                  f"named on unannotated {found['unannotated_named']}  "
                  f"misses {entry['misses']}")  # fmt: skip
            if args.rules:
                entry["rules"] = rule_table(pages)
                for rule, row in entry["rules"].items():
                    cells = (f"{k}={v:+d}" if k.startswith("removed") else f"{k}={v}"
                             for k, v in row.items())  # fmt: skip
                    print(f"    {rule:<24} " + " ".join(cells))
            if args.misses and half == "tuning":
                for page in pages:
                    rule, names = page.answer()
                    if page.gold and not hit(names, page.gold):
                        print(f"    miss {page.id} gold={page.gold!r} got={names} by {rule} "
                              f"in_dump={page.in_dump}")  # fmt: skip
            report[f"{renderer}/{half}"] = entry
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
