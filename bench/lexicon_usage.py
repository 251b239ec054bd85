"""How many dev-set pages each phrase of tasks/page/lexicon could match, per half.

    .venv/bin/python -m bench.lexicon_usage                 # every phrase, as TSV
    .venv/bin/python -m bench.lexicon_usage --at-most 2     # the phrases of <= 2 pages

A phrase (one regular-expression fragment of one key) counts a page when it occurs anywhere
in the page's text, ignoring case (no word edges: some are stems, `abonn`, or suffixes), in
any render of the page: the dev set's w3m dump
and the inscriptis and html2text renders that `make eval` caches (.cache/renders), for
segments/, dates/ and modern/. That is an upper bound on where its pattern fires (the
patterns also anchor the phrase to a whole line, a line start or a neighbour), so a phrase
found on two pages or fewer can fire on no more than those: it remembers pages, it is no
rule (issue 16). Pages are counted per half of bench/devset_split.json.

The tables counted are those of the text cleaners and extractors (`text_dump`, `leftovers`,
`extract`); `authors` and `html_dates` are left to their own issues.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from bench import split as devset_split
from tasks.page.lexicon import LANGUAGES, _files

PROJECT = Path(__file__).resolve().parents[1]
DEVSET = PROJECT.parent / "shared" / "devset"
RENDERS = PROJECT / ".cache" / "renders"
SETS = ("segments", "dates", "modern")
TABLES = ("text_dump", "leftovers", "extract")


def page_texts(devset: Path = DEVSET, renders: Path = RENDERS) -> Iterator[tuple[str, str, str]]:
    """(set, id, text) of every dev page: the distinct lines of all its renders."""
    for set_name in SETS:
        folders = [
            devset / set_name / "text-w3m",
            *(d / set_name for d in sorted(renders.glob("*"))),
        ]
        ids = sorted(p.stem for p in folders[0].glob("*.txt"))
        for doc_id in ids:
            lines: dict[str, None] = {}
            for folder in folders:
                path = folder / f"{doc_id}.txt"
                if path.exists():
                    text = path.read_text(encoding="utf-8", errors="replace")
                    lines |= dict.fromkeys(line.strip() for line in text.split("\n"))
            yield set_name, doc_id, "\n".join(lines)


def phrase_list(tables: tuple[str, ...] = TABLES) -> list[tuple[str, str, str]]:
    """(language, table.key, fragment) of every phrase of the tables, in file order."""
    return [
        (language, key, fragment)
        for language in LANGUAGES
        for key, fragments in _files()[language].items()
        if key.split(".")[0] in tables
        for fragment in fragments
    ]


def _lowercase(fragment: str) -> str:
    """The fragment for lowercased text: its letters lowercased, but not an escape's (`\\S`,
    `\\W` and `\\D` keep their meaning). Without re.IGNORECASE, a pattern that opens with a
    literal is found by a fast scan for it, which makes the count minutes faster."""
    return re.sub(r"\\.|[^\\]+", lambda m: m[0] if m[0][0] == "\\" else m[0].lower(), fragment)


def usage(
    phrases: list[tuple[str, str, str]], devset: Path = DEVSET, renders: Path = RENDERS
) -> list[dict[str, int]]:
    """Per phrase, the number of pages of each half it occurs on."""
    split = devset_split.load()
    half_of = {
        (set_name, doc_id): half
        for set_name in SETS
        for half in devset_split.HALVES
        for doc_id in split[set_name][half]
    }
    patterns = [re.compile(_lowercase(fragment)) for _, _, fragment in phrases]
    counts = [dict.fromkeys(devset_split.HALVES, 0) for _ in phrases]
    for set_name, doc_id, text in page_texts(devset, renders):
        half = half_of[set_name, doc_id]
        lowered = text.lower()
        for pattern, count in zip(patterns, counts, strict=True):
            if pattern.search(lowered):
                count[half] += 1
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--at-most", type=int, help="only phrases found on this many pages or fewer"
    )
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--renders", type=Path, default=RENDERS)
    args = parser.parse_args(argv)
    phrases = phrase_list()
    counts = usage(phrases, args.devset, args.renders)
    print("language\tkey\tphrase\ttuning\theldout")
    shown = 0
    for (language, key, fragment), count in zip(phrases, counts, strict=True):
        if args.at_most is not None and sum(count.values()) > args.at_most:
            continue
        shown += 1
        print(f"{language}\t{key}\t{fragment}\t{count['tuning']}\t{count['heldout']}")
    print(f"{shown} of {len(phrases)} phrases", file=sys.stderr)


if __name__ == "__main__":
    main()
