"""`make eval`: `newsdesk extract` on the dev set, next to the all-text floor and to
trafilatura and htmldate on the same pages, in one run and one table per half of the dev set.

    .venv/bin/python -m bench.eval               # everything (~6 min on one free core)
    .venv/bin/python -m bench.eval --limit 40    # the first 40 pages of each set, a quick look
    .venv/bin/python -m bench.eval --raise-floors  # also raise bench/floors.json (never lowers)

Inputs: ../shared/devset/{segments,dates,modern}/html (modern's pages are gzipped: they are
unpacked once into .cache/modern, and its w3m dumps copied there, each page with a sidecar
giving the address it was fetched from, as production's pages have), the dev set's w3m
dumps, and renders of every page by inscriptis and html2text (bench/render.py: the page's
bytes decoded as the dev set's w3m dumps were, valid UTF-8, else the declared charset, else
windows-1252; then inscriptis `get_text`, html2text with no wrapping; deterministic with the
locked versions). The segments and dates renders are cached in .cache/renders, modern's in
.cache/modern/text-<renderer> beside its w3m dumps, with the same sidecars; only missing
pages are rendered (modern/: about 20 s for both renderers). The dev set ships modern/ as
HTML and w3m dumps only: its inscriptis and html2text dumps are ours, made this way, not the
dev set's. Scores come from the dev set's own `score` script.

Halves: every figure is given for the tuning half and the held-out half of each set
(bench/devset_split.json, by site: bench/split.py). Rules, phrases and models are fitted on
the tuning half; the held-out half judges them, and CI's floors (bench/floors.json) are
held-out figures.

What is measured
- newsdesk: the records the real CLI prints (`newsdesk extract DIR --format jsonl --no-gates
  --workers 1`, a subprocess per input and set; gates only add `gate_failures`, never change
  a field). Prediction = {id: file stem, body, title, published}.
- the article text scored on segments/: standfirst + body (article_text). The product keeps
  the standfirst (dek) in its own field, but the segments annotation counts the dek as main
  text, and trafilatura, scored on the same pages, keeps it in its body; scoring body alone
  would count every dek as missed text. A standfirst that is really furniture still scores
  as a false positive, since its text is in what is scored. The body alone is reported too
  (seg F1 body, segments_body_*). modern/ and the seeds score the body alone: their
  annotation keeps the standfirst apart (the seeds' gold allows either).
  docs/s = (pages - 10) / (wall of the run - wall of a start-up run of the same CLI over the
  set's first 10 pages): the start-up run absorbs interpreter start, imports and first-use
  caches (dateparser builds its locale tables on first use). docs/cpu-s: the same with the
  CPU time (user + sys) of the CLI process, which a busy shared machine disturbs less.
- baselines: trafilatura `extract(html)`, `extract_metadata(html).date` (and `.title`) and
  htmldate `find_date(html)`, all with default settings, in this process, page by page in
  turn after 10 untimed warm-up pages; the time of the call only. They get the file's bytes
  (and decode them themselves, as newsdesk does), never the URL.
- all text: the whole dump as the body, no cleaning (the floor for text input).
- modern: body word-F1 (articles, all pages), title, date, author and article detection
  (precision/recall of page_type "article") from `score modern`, for every input (HTML, the
  dev set's w3m dumps, our inscriptis and html2text renders), next to trafilatura's
  `bare_extraction(html, with_metadata=True, include_comments=False)` on the same pages.
- glued tokens: body tokens (runs of word characters) of newsdesk's records that appear
  nowhere in the page's own text (HTML: its text as a browser separates it, blocks apart,
  ruby annotations out of the line, or inside one run of text between two tags; text: the
  dump, markdown underscores set aside): words glued together, or text made up.
  Pinned as a ceiling on the held-out half (bench/floors.json).
Writes every figure to .cache/eval/latest.json and the prediction files next to it.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import math
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bench import split as devset_split
from bench.render import RENDERERS, decode_html, render_pages, render_set
from newsdesk.core.hygiene import strip_controls

PROJECT = Path(__file__).resolve().parents[1]
DEVSET = PROJECT.parent / "shared" / "devset"
SEEDS = PROJECT.parent / "shared" / "seeds"
RENDERS = PROJECT / ".cache" / "renders"
MODERN = PROJECT / ".cache" / "modern"
OUT = PROJECT / ".cache" / "eval"
FLOORS = PROJECT / "bench" / "floors.json"

SETS = ("segments", "dates", "modern")
# The sets bench.render renders into .cache/renders; modern/ comes as HTML and w3m dumps
# only, and ensure_modern renders it beside them.
RENDERED_SETS = ("segments", "dates")
TEXT_RENDERERS = ("w3m", *sorted(RENDERERS))  # w3m: the dev set's own dumps
INPUTS = ("html", *(f"text-{name}" for name in TEXT_RENDERERS))
HALVES = devset_split.HALVES
# The figures bench/floors.json pins for every input (held-out half), modern/'s too: every
# input reads modern/ (its inscriptis and html2text dumps are ours).
FLOORED = ("segments_f1", "segments_body_f1", "title_exact", "dates_accuracy",
           "modern_body_f1_articles", "modern_author", "modern_article_precision",
           "modern_article_recall")  # fmt: skip
# Ceilings: figures that must not rise (held-out half).
CEILED = ("glued_tokens",)
WARM_UP = 10
SEED_WORD_F1 = 0.98


class DevsetMissing(RuntimeError):
    """The dev set is not beside the checkout."""


def require_devset(devset: Path = DEVSET) -> Path:
    if not (devset / "score").is_file():
        raise DevsetMissing(
            f"dev set not found at {devset}: it must sit beside the checkout as "
            "../shared/devset (with its `score` script, segments/ and dates/)"
        )
    return devset


def input_dir(devset: Path, renders: Path, name: str, set_name: str) -> Path:
    """The folder of pages one input holds for one set."""
    if set_name == "modern":  # unpacked, copied and rendered by ensure_modern
        return MODERN / name
    if name in ("html", "text-w3m"):
        return devset / set_name / name
    return renders / name.removeprefix("text-") / set_name


def folders(devset: Path, renders: Path) -> dict[tuple[str, str], Path]:
    return {
        (name, set_name): input_dir(devset, renders, name, set_name)
        for name in INPUTS
        for set_name in SETS
    }


def ensure_modern(
    devset: Path, target: Path = MODERN, renderers: Sequence[str] = tuple(sorted(RENDERERS))
) -> int:
    """modern/'s pages unpacked (the CLI reads .html, not .html.gz; only missing ones), its
    w3m dumps copied beside them and the unpacked pages rendered by `renderers` into
    `text-<renderer>/` (bench.render, as the other sets' renders; only missing ones), each
    page and dump with a sidecar (`<file>.meta.json`) that gives the address the page was
    fetched from, as production knows it (a web run, a sidecar, a JSON Lines export):
    modern/ stands for what production reads. The older sets get none (their dev set's rule:
    many of their URLs hold the date that is scored). Returns how many files were written
    (pages unpacked and dumps rendered)."""
    urls = _modern_urls(devset)
    done = 0
    for kind in ("html", "text-w3m"):
        (target / kind).mkdir(parents=True, exist_ok=True)
    for packed in sorted((devset / "modern" / "html").glob("*.html.gz")):
        page = target / "html" / packed.name.removesuffix(".gz")
        if not page.exists():
            page.write_bytes(gzip.decompress(packed.read_bytes()))
            done += 1
        _sidecar(page, urls.get(page.stem))
    for dump in sorted((devset / "modern" / "text-w3m").glob("*.txt")):
        copy = target / "text-w3m" / dump.name
        if not copy.exists() or copy.stat().st_size != dump.stat().st_size:
            copy.write_bytes(dump.read_bytes())
        _sidecar(copy, urls.get(dump.stem))
    pages = sorted((target / "html").glob("*.html"))
    for renderer in renderers:
        folder = target / f"text-{renderer}"
        done += render_pages(pages, renderer, folder)
        for page in pages:
            _sidecar(folder / f"{page.stem}.txt", urls.get(page.stem))
    return done


def _modern_urls(devset: Path) -> dict[str, str]:
    rows = devset_split.truth_rows(devset, "modern")
    return {doc_id: row["url"] for doc_id, row in rows.items() if row.get("url")}


def _sidecar(page: Path, url: str | None) -> None:
    """The page's `<file>.meta.json` with its address (none without one), written when it
    differs."""
    sidecar = page.with_name(page.name + ".meta.json")
    wanted = json.dumps({"url": url}) + "\n" if url else None
    now = sidecar.read_text(encoding="utf-8") if sidecar.exists() else None
    if wanted is None and now is not None:
        sidecar.unlink()
    elif wanted is not None and now != wanted:
        sidecar.write_text(wanted, encoding="utf-8")


def ensure_renders(devset: Path, renders: Path, workers: int = 2) -> int:
    """Render the pages the cache lacks (every renderer but w3m, both sets) in a process
    pool; a complete cache costs one directory listing. Returns how many were rendered."""
    jobs = []
    for renderer in sorted(RENDERERS):
        for set_name in RENDERED_SETS:
            out = renders / renderer / set_name
            pages = {p.stem for p in (devset / set_name / "html").glob("*.html")}
            if not pages <= {p.stem for p in out.glob("*.txt")}:
                jobs.append((devset, set_name, renderer, out))
    if not jobs:
        return 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        return sum(pool.map(render_set, *zip(*jobs, strict=True)))


# --- newsdesk, through its CLI -------------------------------------------------------------


@dataclass
class CliRun:
    records: list[dict[str, Any]]
    wall_s: float
    cpu_s: float


def newsdesk_command() -> list[str]:
    script = Path(sys.executable).with_name("newsdesk")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from newsdesk.cli import entry; entry()"]


def run_extract(paths: Sequence[Path], workers: int) -> CliRun:
    """`newsdesk extract PATHS --format jsonl --no-gates --workers N`, its records and the
    wall and CPU time (the CLI and its worker processes) it took."""
    command = [*newsdesk_command(), "extract", *map(str, paths)]
    command += ["--format", "jsonl", "--no-gates", "--workers", str(workers)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"newsdesk extract failed ({done.returncode}):\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # split on "\n" only: str.splitlines() also breaks at U+2028 and U+0085 inside strings
    records = [json.loads(line) for line in done.stdout.split("\n") if line.strip()]
    return CliRun(records, wall, cpu)


def heldout_files(
    by_key: dict[tuple[str, str], Path], split_path: Path = devset_split.SPLIT
) -> list[Path]:
    """The pages of the held-out half in every folder (what CI's floors are measured on)."""
    split = devset_split.load(split_path)
    return [
        path
        for (_, set_name), folder in sorted(by_key.items())
        for path in _files(folder, None)
        if path.stem in split[set_name]["heldout"]
    ]


def split_by_folder(
    records: Iterable[dict[str, Any]], by_key: dict[tuple[str, str], Path]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The records of one CLI run over several folders, per (input, set)."""
    keys = {path.resolve(): key for key, path in by_key.items()}
    out: dict[tuple[str, str], list[dict[str, Any]]] = {key: [] for key in by_key}
    for row in records:
        key = keys.get(Path(row["path"]).parent)
        if key is not None:
            out[key].append(row)
    return out


def article_text(row: dict[str, Any]) -> str:
    """What the product extracts as the article's text: the standfirst, then the body."""
    parts = (row.get("standfirst"), row.get("body"))
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def predictions(
    records: Iterable[dict[str, Any]], *, with_standfirst: bool = False
) -> list[dict[str, Any]]:
    """CLI records in the scorer's format; the body with the standfirst before it when asked
    (the segments set's scoring rule, article_text)."""
    return [
        {
            "id": Path(row["path"]).stem,
            "body": article_text(row) if with_standfirst else row.get("body") or "",
            "title": row.get("title"),
            "published": row.get("published"),
            "authors": row.get("authors") or [],
            "page_type": row.get("page_type"),
        }
        for row in records
    ]


# --- scoring --------------------------------------------------------------------------------


def write_truths(
    devset: Path, workdir: Path, limit: int | None, split_path: Path = devset_split.SPLIT
) -> None:
    """<workdir>/<half>/truth/<set>/truth.jsonl: each half's truth (of the first `limit`
    documents of a set when limited), so that every half is scored against its own pages."""
    split = devset_split.load(split_path)
    for set_name in SETS:
        lines = (devset / set_name / "truth.jsonl").read_text(encoding="utf-8").split("\n")
        rows = [(json.loads(line)["id"], line) for line in lines if line.strip()]
        kept = {doc_id for doc_id, _ in sorted(rows)[:limit]}
        for half in HALVES:
            target = workdir / half / "truth" / set_name
            target.mkdir(parents=True, exist_ok=True)
            wanted = split[set_name][half] & kept
            (target / "truth.jsonl").write_text(
                "".join(f"{line}\n" for doc_id, line in rows if doc_id in wanted),
                encoding="utf-8",
            )


def score(
    set_name: str, rows: Iterable[dict[str, Any]], workdir: Path, name: str, devset: Path
) -> dict[str, Any]:
    """The dev set's scorer on these predictions (kept as <workdir>/<name>.jsonl). If
    <workdir>/truth/<set>/truth.jsonl exists (a half, or a --limit run), it is the truth
    scored against."""
    workdir.mkdir(parents=True, exist_ok=True)
    preds = workdir / f"{name}.jsonl"
    with preds.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    summary = workdir / f"{name}.score.json"
    command = [sys.executable, str(devset / "score"), set_name, str(preds), "--json", str(summary)]
    truth = workdir / "truth" / set_name
    if (truth / "truth.jsonl").exists():
        command += ["--truth", str(truth)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"score {set_name} {preds} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(summary.read_text(encoding="utf-8"))


def score_halves(
    set_name: str, rows: list[dict[str, Any]], workdir: Path, name: str, devset: Path
) -> dict[str, dict[str, Any]]:
    """The scorer's summary of each half (write_truths has written the halves' truth)."""
    out = {}
    for half in HALVES:
        truth = workdir / half / "truth" / set_name / "truth.jsonl"
        ids = {json.loads(line)["id"] for line in truth.read_text(encoding="utf-8").split("\n")
               if line.strip()}  # fmt: skip
        picked = [row for row in rows if Path(str(row["id"])).stem in ids]
        out[half] = score(set_name, picked, workdir / half, name, devset)
    return out


def figures(
    segments: dict[str, Any] | None,
    dates: dict[str, Any] | None,
    modern: dict[str, Any] | None = None,
    *,
    body: bool = True,
    body_only: dict[str, Any] | None = None,
) -> dict[str, float]:
    """The table's figures from the scorer's summaries of the sets (None = not scored;
    body=False: the predictions carry no body, so the segment scores mean nothing;
    body_only: segments scored on the body without the standfirst)."""
    out: dict[str, float] = {}
    if segments is not None:
        if body:
            out |= {f"segments_{k}": segments[k] for k in ("precision", "recall", "f1")}
        if body_only is not None:
            out |= {f"segments_body_{k}": body_only[k] for k in ("precision", "recall", "f1")}
        if "title_exact" in segments:
            out["title_exact"] = segments["title_exact"]
        if "meta_date" in segments:
            out["segments_date_accuracy"] = segments["meta_date"]["accuracy"]
    if dates is not None:
        out["dates_accuracy"] = dates["accuracy"]
    if modern is not None:
        if body:
            out["modern_segments_f1"] = modern["f1"]
            out["modern_body_f1_articles"] = modern["body_f1_articles"]
            out["modern_body_f1"] = modern["body_f1"]
        if "title_exact" in modern:
            out["modern_title_exact"] = modern["title_exact"]
        if "meta_date" in modern:
            out["modern_date_accuracy"] = modern["meta_date"]["accuracy"]
        out["modern_author"] = modern["author"]
        if "article_detection" in modern:
            detected = modern["article_detection"]
            out["modern_article_precision"] = detected["precision"]
            out["modern_article_recall"] = detected["recall"]
    return out


def score_newsdesk(
    records: dict[tuple[str, str], list[dict[str, Any]]],
    workdir: Path,
    devset: Path,
    inputs: Sequence[str] = INPUTS,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Per input and half, the figures of newsdesk's records on every set it reads (segments:
    standfirst + body, and body alone), and the glued-token count."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name in inputs:
        scored = {
            set_name: score_halves(
                set_name,
                predictions(records[name, set_name], with_standfirst=set_name == "segments"),
                workdir,
                f"newsdesk-{name}-{set_name}",
                devset,
            )
            for set_name in SETS
        }
        body_only = score_halves(
            "segments",
            predictions(records[name, "segments"]),
            workdir,
            f"newsdesk-{name}-segments-body",
            devset,
        )
        out[name] = {}
        for half in HALVES:
            found = figures(
                scored["segments"][half],
                scored["dates"][half],
                scored["modern"][half] if "modern" in scored else None,
                body_only=body_only[half],
            )
            glued = [
                glued_tokens(row)
                for set_name in SETS
                for row in records[name, set_name]
                if Path(row["path"]).stem in _half_ids(workdir, half, set_name)
            ]
            found["glued_tokens"] = sum(len(tokens) for tokens in glued)
            found["glued_examples"] = sorted({t for tokens in glued for t in tokens})[:20]
            out[name][half] = found
    return out


def _half_ids(workdir: Path, half: str, set_name: str) -> frozenset[str]:
    return _ids_in(workdir / half / "truth" / set_name / "truth.jsonl")


_ID_CACHE: dict[Path, frozenset[str]] = {}


def _ids_in(truth: Path) -> frozenset[str]:
    if truth not in _ID_CACHE:
        lines = truth.read_text(encoding="utf-8").split("\n")
        _ID_CACHE[truth] = frozenset(json.loads(line)["id"] for line in lines if line.strip())
    return _ID_CACHE[truth]


# --- glued tokens: body words that are nowhere in the page ------------------------------------

_TOKEN = re.compile(r"\w+")


# Elements whose edges separate words when a browser shows the page; inline ones (b, a, sup,
# span…) do not: "m<sup>3</sup>" is one token.
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "option",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
        "script",
        "style",
        "noscript",
        "button",
        "label",
        "select",
        "textarea",
        "img",
    ]
)


def page_tokens(path: Path) -> set[str]:
    """Every token of the page's own text: an HTML page's text as a browser separates it
    (block elements and <br> apart, inline elements joined; alt, title and content attributes
    too, which extractors may show), so two words in neighbouring blocks never make one token;
    a text dump as it is, where markdown's underscores (`_Neuland_`, emphasis to html2text)
    and backticks (a code span: "`JOIN`s", which the cleaner reads as "JOINs") are markup,
    not part of a word, so a token also counts without them.
    An HTML page's tokens also count run by run (each text between two tags on its own): a
    token inside one run joins nothing, so it is no glue even where the record parts words
    that inline markup runs together ("<b>PRO</b><em>2 Day" shown as two lines). Ruby
    annotations (<rt>, <rp>) stand above their base text, not in its line ("痴漢する")."""
    data = path.read_bytes()
    if path.suffix != ".html":
        text = data.decode("utf-8", errors="replace")
        tokens = set(_TOKEN.findall(text)) | set(_TOKEN.findall(text.replace("`", "")))
        return tokens | {part for t in tokens if "_" in t for part in t.split("_") if part}
    from lxml import html as lxml_html

    # the page as the product reads it (tasks/ingest/decode): lxml would refuse to write back
    # a text holding a control character, and empty it instead
    text = strip_controls(decode_html(data))
    try:
        parser = lxml_html.HTMLParser(encoding="utf-8")  # not the charset the page declares
        tree = lxml_html.fromstring(text.encode("utf-8"), parser=parser)
    except Exception:  # an unparsable page: its raw text is all there is
        return set(_TOKEN.findall(text))
    attributes = ("alt", "title", "content", "aria-label")
    parts = [str(v) for a in attributes for v in tree.xpath(f"//@{a}")]
    parts += [str(run) for run in tree.xpath("//text()")]
    for annotation in tree.xpath("//rt | //rp"):
        annotation.drop_tree()  # its text is in parts already; its tail stays
    for element in tree.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            with contextlib.suppress(ValueError):  # text lxml will not write back as is
                element.text = " " + (element.text or "")
                element.tail = " " + (element.tail or "")
    parts.append(tree.text_content())
    return set(_TOKEN.findall(" ".join(parts)))


def glued_tokens(record: dict[str, Any]) -> list[str]:
    """The record's body tokens found nowhere in its page's own text."""
    body = record.get("body") or ""
    path = Path(record["path"])
    if not body or not path.exists():
        return []
    known = page_tokens(path)
    return [t for t in dict.fromkeys(_TOKEN.findall(body)) if not _known(t, known)]


def _known(token: str, known: set[str]) -> bool:
    """In the page as it is, or, underscores set aside (markdown emphasis, a file name's
    separators), made of the page's own words ("_Plos", "Stolperstein_Maria_Tillessen")."""
    if token in known:
        return True
    parts = [part for part in token.split("_") if part]
    return "_" in token and bool(parts) and all(part in known for part in parts)


# --- the seeds: hand-annotated text dumps ----------------------------------------------------


def word_f1(found: str, expected: str) -> float:
    a = Counter(re.findall(r"\w+", found.lower()))
    b = Counter(re.findall(r"\w+", expected.lower()))
    common = sum((a & b).values())
    return 2 * common / (sum(a.values()) + sum(b.values())) if common else 0.0


def seed_checks(records: Iterable[dict[str, Any]], gold: dict[str, dict]) -> dict[str, dict]:
    """Per seed: exact title, published (wall-clock time as printed), authors and source,
    and the body's word F1 against the gold body (with or without the standfirst, as the
    gold notes allow)."""
    out = {}
    for row in records:
        name = Path(row["path"]).name
        if name not in gold:
            continue
        g = gold[name]
        published = row.get("published")
        out[name] = {
            "title": row.get("title") == g["title"],
            "published": (published or "")[:19] == (g["published"] or "")[:19],
            "authors": row.get("authors") == ([g["author"]] if g["author"] else []),
            "source": row.get("source") == g["source"],
            "body_word_f1": max(
                word_f1(row.get("body") or "", g["body"]),
                word_f1(row.get("body") or "", f"{g['standfirst']}\n\n{g['body']}"),
            ),
        }
    return out


def seed_paths(seeds: Path = SEEDS) -> tuple[list[Path], dict[str, dict]]:
    gold = json.loads((seeds / "gold.json").read_text(encoding="utf-8"))
    return [seeds / name for name in sorted(gold)], gold


# --- baselines, in this process ---------------------------------------------------------------

# A baseline maps a page's bytes to a prediction ({"body"/"title"/"published": …}).
Baseline = Callable[[bytes], dict[str, Any]]


def trafilatura_extract() -> Baseline:
    import trafilatura

    return lambda html: {"body": trafilatura.extract(html) or ""}


def trafilatura_metadata() -> Baseline:
    from trafilatura import extract_metadata

    def run(html: bytes) -> dict[str, Any]:
        meta = extract_metadata(html)
        return {"title": meta.title, "published": meta.date}

    return run


def htmldate_find_date() -> Baseline:
    from htmldate import find_date

    return lambda html: {"published": find_date(html)}


def trafilatura_bare() -> Baseline:
    """What the issue compares with: body and metadata in one call, comments off."""
    from trafilatura import bare_extraction

    def run(html: bytes) -> dict[str, Any]:
        doc = bare_extraction(html, with_metadata=True, include_comments=False)
        if doc is None:
            return {"body": ""}
        return {
            "body": doc.text or "",
            "title": doc.title,
            "published": doc.date,
            "author": doc.author,
        }

    return run


BASELINES: dict[str, Callable[[], Baseline]] = {
    "trafilatura extract()": trafilatura_extract,
    "trafilatura extract_metadata()": trafilatura_metadata,
    "htmldate find_date()": htmldate_find_date,
    "trafilatura bare_extraction()": trafilatura_bare,
}
# The sets each baseline runs on (modern/ only with the one the targets name).
BASELINE_SETS: dict[str, tuple[str, ...]] = {
    "trafilatura extract()": RENDERED_SETS,
    "trafilatura extract_metadata()": RENDERED_SETS,
    "htmldate find_date()": RENDERED_SETS,
    "trafilatura bare_extraction()": SETS,
}


@dataclass
class Timed:
    rows: list[dict[str, Any]] = field(default_factory=list)
    wall_s: float = 0.0
    cpu_s: float = 0.0
    errors: int = 0


def run_baselines(
    devset: Path, limit: int | None, names: Sequence[str] = tuple(BASELINES)
) -> dict[tuple[str, str], Timed]:
    """Every baseline on every page of its sets, in turn page by page (a busy machine then
    slows them all alike), after untimed warm-up pages."""
    built = {name: BASELINES[name]() for name in names}
    out: dict[tuple[str, str], Timed] = {}
    for set_name in SETS:
        active = {name: fn for name, fn in built.items() if set_name in BASELINE_SETS[name]}
        if not active:
            continue
        paths = _files(input_dir(devset, RENDERS, "html", set_name), limit)
        pages = [(p.stem, p.read_bytes()) for p in paths]
        for _, html in pages[:WARM_UP]:
            for fn in active.values():
                with contextlib.suppress(Exception):  # a crash counts in the timed pass
                    fn(html)
        timed = {name: Timed() for name in active}
        for doc_id, html in pages:
            for name, fn in active.items():
                run = timed[name]
                wall, cpu = time.perf_counter(), time.process_time()
                try:
                    row = fn(html)
                except Exception as exc:  # a crash scores as an empty prediction
                    run.errors += 1
                    row = {"error": repr(exc)}
                run.cpu_s += time.process_time() - cpu
                run.wall_s += time.perf_counter() - wall
                run.rows.append({"id": doc_id, **row})
        out |= {(name, set_name): run for name, run in timed.items()}
    return out


# --- the whole evaluation -----------------------------------------------------------------------


def _rate(docs: int, seconds: float) -> float:
    return docs / seconds if seconds > 0 else math.nan


def _files(folder: Path, limit: int | None) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".html", ".txt"))[:limit]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def evaluate(
    devset: Path,
    renders: Path,
    workdir: Path,
    workers: int,
    limit: int | None,
    *,
    split_path: Path = devset_split.SPLIT,
    inputs: Sequence[str] = INPUTS,
    baselines: Sequence[str] = tuple(BASELINES),
) -> dict[str, Any]:
    by_key = folders(devset, renders)
    write_truths(devset, workdir, limit, split_path)
    result: dict[str, Any] = {"newsdesk": {}, "all_text": {}, "baselines": {}}
    records: dict[tuple[str, str], list[dict[str, Any]]] = {}
    speeds: dict[str, dict[str, Any]] = {}
    for name in inputs:
        start = run_extract(_files(by_key[name, "segments"], WARM_UP), workers)
        speed = {"docs": 0, "wall_s": 0.0, "cpu_s": 0.0}
        for set_name in SETS:
            folder = by_key[name, set_name]
            run = run_extract([folder] if limit is None else _files(folder, limit), workers)
            records[name, set_name] = run.records
            if set_name in RENDERED_SETS:  # the speed compared with trafilatura.extract
                speed["docs"] += len(run.records) - len(start.records)
                speed["wall_s"] += run.wall_s - start.wall_s
                speed["cpu_s"] += run.cpu_s - start.cpu_s
        speeds[name] = {
            "startup": {"docs": len(start.records), "wall_s": start.wall_s, "cpu_s": start.cpu_s},
            **speed,
            "docs_per_s": _rate(speed["docs"], speed["wall_s"]),
            "docs_per_cpu_s": _rate(speed["docs"], speed["cpu_s"]),
        }
        print(f"  newsdesk extract {name}: done", file=sys.stderr)
    scored = score_newsdesk(records, workdir, devset, inputs)
    result["newsdesk"] = {name: {**scored[name], "speed": speeds[name]} for name in inputs}
    for name in inputs[1:]:
        rows = [
            {"id": p.stem, "body": p.read_text(encoding="utf-8")}
            for p in _files(by_key[name, "segments"], limit)
        ]
        seg = score_halves("segments", rows, workdir, f"alltext-{name}", devset)
        result["all_text"][name] = {half: figures(seg[half], None) for half in HALVES}
    timed = run_baselines(devset, limit, baselines)
    for name in baselines:
        per_set = {s: timed[name, s] for s in BASELINE_SETS[name]}
        has = {k for run in per_set.values() for row in run.rows for k in row}
        halves = {
            s: score_halves(s, run.rows, workdir, f"baseline-{_slug(name)}-{s}", devset)
            for s, run in per_set.items()
        }
        docs = sum(len(run.rows) for s, run in per_set.items() if s in RENDERED_SETS)
        wall = sum(run.wall_s for s, run in per_set.items() if s in RENDERED_SETS)
        cpu = sum(run.cpu_s for s, run in per_set.items() if s in RENDERED_SETS)
        found = {
            half: figures(
                halves["segments"][half],
                halves["dates"][half] if "published" in has else None,
                halves["modern"][half] if "modern" in halves else None,
                body="body" in has,
            )
            for half in HALVES
        }
        result["baselines"][name] = {
            **found,
            "speed": {
                "docs": docs,
                "wall_s": wall,
                "cpu_s": cpu,
                "errors": sum(run.errors for run in per_set.values()),
                "docs_per_s": _rate(docs, wall),
                "docs_per_cpu_s": _rate(docs, cpu),
            },
        }
    if limit is None:
        paths, gold = seed_paths(devset.parent / "seeds")
        result["seeds"] = seed_checks(run_extract(paths, workers).records, gold)
    return result


# --- floors ---------------------------------------------------------------------------------------


def floor_of(x: float) -> float:
    """A measured figure as a floor: truncated (not rounded) to 3 decimals. The inner round
    keeps 0.923 from becoming 0.922 (0.923 * 1000 is 922.9999… in floating point)."""
    return math.floor(round(x * 1000, 6)) / 1000


def raise_floors(heldout: dict[str, dict[str, float]], path: Path = FLOORS) -> list[str]:
    """Raise every held-out floor the measured figures now exceed and lower no ceiling's
    slack; never lower a floor (that takes a hand edit of floors.json). Returns what changed."""
    floors = json.loads(path.read_text(encoding="utf-8"))
    changed = []
    for name in INPUTS:
        pinned = floors.setdefault(name, {})
        for figure in FLOORED:
            old = pinned.get(figure, 0.0)
            new = floor_of(heldout[name][figure])
            if new > old:
                pinned[figure] = new
                changed.append(f"{name} {figure}: {old:.3f} -> {new:.3f}")
        for figure in CEILED:
            old = pinned.get(figure)
            new = heldout[name][figure]
            if old is None or new < old:
                pinned[figure] = new
                changed.append(f"{name} {figure}: {old} -> {new}")
    path.write_text(json.dumps(floors, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


# --- the table -----------------------------------------------------------------------------------

_COLUMNS = (
    ("seg P", "segments_precision"),
    ("seg R", "segments_recall"),
    ("seg F1", "segments_f1"),
    ("F1 body", "segments_body_f1"),
    ("title", "title_exact"),
    ("date(seg)", "segments_date_accuracy"),
    ("date acc", "dates_accuracy"),
)
_MODERN_COLUMNS = (
    ("seg F1", "modern_segments_f1"),
    ("F1 art", "modern_body_f1_articles"),
    ("F1 all", "modern_body_f1"),
    ("title", "modern_title_exact"),
    ("date", "modern_date_accuracy"),
    ("author", "modern_author"),
    ("art P", "modern_article_precision"),
    ("art R", "modern_article_recall"),
)


def _cell(value: Any, width: int, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"{'-':>{width}}"
    return f"{value:>{width}.{digits}f}"


def _rows(result: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    rows = [(n, "newsdesk extract (CLI)", f) for n, f in result["newsdesk"].items()]
    rows += [(n, "all text (whole dump)", f) for n, f in result["all_text"].items()]
    rows += [("html", n, f) for n, f in result["baselines"].items()]
    return rows


def table(result: dict[str, Any]) -> str:
    lines = []
    for half in HALVES:
        head = f"{half:<8} {'input':<16} {'system':<31}" + "".join(f" {c:>9}" for c, _ in _COLUMNS)
        lines += [head + f" {'glued':>6}", "-" * (len(head) + 7)]
        for name, system, found in _rows(result):
            cells = "".join(" " + _cell(found[half].get(key), 9) for _, key in _COLUMNS)
            glued = found[half].get("glued_tokens")
            lines.append(
                f"{half:<8} {name:<16} {system:<31}{cells} {'' if glued is None else glued:>6}"
            )
        lines.append("")
        head = f"{half:<8} {'modern/':<16} {'system':<31}" + "".join(
            f" {c:>7}" for c, _ in _MODERN_COLUMNS
        )
        lines += [head, "-" * len(head)]
        for name, system, found in _rows(result):
            if "modern_author" not in found[half]:
                continue
            cells = "".join(" " + _cell(found[half].get(key), 7) for _, key in _MODERN_COLUMNS)
            lines.append(f"{half:<8} {name:<16} {system:<31}{cells}")
        lines.append("")
    lines.append(f"{'speed (segments + dates, both halves)':<48} {'docs/s':>8} {'docs/cpu-s':>10}")
    for name, system, found in _rows(result):
        speed = found.get("speed")
        if speed:
            lines.append(
                f"{name:<16} {system:<31} {_cell(speed['docs_per_s'], 8, 1)} "
                f"{_cell(speed['docs_per_cpu_s'], 10, 1)}"
            )
    ours = result["newsdesk"].get("html", {}).get("speed")
    theirs = result["baselines"].get("trafilatura extract()", {}).get("speed")
    if ours and theirs:
        lines.append(
            "newsdesk on HTML vs bare trafilatura.extract, docs/s: "
            f"{ours['docs_per_s'] / theirs['docs_per_s']:.2f}x wall, "
            f"{ours['docs_per_cpu_s'] / theirs['docs_per_cpu_s']:.2f}x CPU (target >= 0.9x)"
        )
    for name, checks in result.get("seeds", {}).items():
        shown = " ".join(
            f"{k}={'ok' if v is True else 'WRONG' if v is False else f'{v:.3f}'}"
            for k, v in checks.items()
        )
        lines.append(f"seed {name}: {shown}")
    return "\n".join(lines)


def _versions() -> dict[str, str]:
    names = ("trafilatura", "htmldate", "inscriptis", "html2text", "dateparser", "lxml")
    return {"python": platform.python_version(), **{n: version(n) for n in names}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="only the first N pages of each set")
    parser.add_argument(
        "--workers", type=int, default=1, help="CLI workers (docs/s is per core only with 1)"
    )
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--renders", type=Path, default=RENDERS)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--raise-floors",
        action="store_true",
        help="raise bench/floors.json to today's held-out figures (never lowers a floor)",
    )
    parser.add_argument(
        "--inputs", nargs="+", choices=INPUTS, default=list(INPUTS), help="only these inputs"
    )
    parser.add_argument(
        "--baselines", nargs="*", choices=list(BASELINES), default=list(BASELINES),
        help="only these baselines (none: --baselines with no name)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    try:
        devset = require_devset(args.devset)
    except DevsetMissing as exc:  # a clone without the dev set: one line, as make bench says
        parser.exit(2, f"make eval: {exc}\n")
    started = time.perf_counter()
    rendered = ensure_renders(devset, args.renders)
    unpacked = ensure_modern(devset)
    print(f"renders: {rendered} pages rendered into {args.renders}; {unpacked} modern pages "
          f"unpacked or rendered into {MODERN}", file=sys.stderr)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.out / "predictions" if args.limit is None else Path(tmp)
        result = evaluate(
            devset,
            args.renders,
            workdir,
            args.workers,
            args.limit,
            inputs=tuple(args.inputs),
            baselines=tuple(args.baselines),
        )
    result["meta"] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "devset": str(devset),
        "limit": args.limit,
        "cli_workers": args.workers,
        "versions": _versions(),
        "seconds": time.perf_counter() - started,
        "measured": __doc__.split("What is measured", 1)[1].split("Writes every", 1)[0].strip(),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(table(result))
    print(f"({result['meta']['seconds']:.0f} s; figures in {args.out / 'latest.json'})")
    if args.raise_floors and args.limit is None and len(args.inputs) == len(INPUTS):
        heldout = {name: found["heldout"] for name, found in result["newsdesk"].items()}
        for line in raise_floors(heldout) or ["none raised"]:
            print(f"floors.json: {line}")


if __name__ == "__main__":
    main()
