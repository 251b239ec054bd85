"""`make eval`: `newsdesk extract` on the dev set, next to the all-text floor and to
trafilatura and htmldate on the same pages, in one run and one table.

    .venv/bin/python -m bench.eval               # everything (~6 min on one free core)
    .venv/bin/python -m bench.eval --limit 40    # the first 40 pages of each set, a quick look
    .venv/bin/python -m bench.eval --raise-floors  # also raise bench/floors.json (never lowers)

Inputs: ../shared/devset/{segments,dates}/html, the dev set's w3m dumps, and renders of the
same pages by inscriptis and html2text (bench/render.py, cached in .cache/renders; only
missing pages are rendered). Scores come from the dev set's own `score` script.

What is measured
- newsdesk: the records the real CLI prints (`newsdesk extract DIR --format jsonl --no-gates
  --workers 1`, a subprocess per input and set; gates only add `gate_failures`, never change
  a field). Prediction = {id: file stem, body, title, published}.
  docs/s = (pages - 10) / (wall of the run - wall of a start-up run of the same CLI over the
  set's first 10 pages): the start-up run absorbs interpreter start, imports and first-use
  caches (dateparser builds its locale tables on first use). docs/cpu-s: the same with the
  CPU time (user + sys) of the CLI process, which a busy shared machine disturbs less.
- baselines: trafilatura `extract(html)`, `extract_metadata(html).date` (and `.title`) and
  htmldate `find_date(html)`, all with default settings, in this process, page by page in
  turn after 10 untimed warm-up pages; the time of the call only. They get the file's bytes
  (and decode them themselves, as newsdesk does), never the URL.
- all text: the whole dump as the body, no cleaning (the floor for text input).
Writes every figure to .cache/eval/latest.json and the prediction files next to it.
"""

from __future__ import annotations

import argparse
import contextlib
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

from bench.render import RENDERERS, render_set

PROJECT = Path(__file__).resolve().parents[1]
DEVSET = PROJECT.parent / "shared" / "devset"
SEEDS = PROJECT.parent / "shared" / "seeds"
RENDERS = PROJECT / ".cache" / "renders"
OUT = PROJECT / ".cache" / "eval"
FLOORS = PROJECT / "bench" / "floors.json"

SETS = ("segments", "dates")
TEXT_RENDERERS = ("w3m", *sorted(RENDERERS))  # w3m: the dev set's own dumps
INPUTS = ("html", *(f"text-{name}" for name in TEXT_RENDERERS))
# The figures bench/floors.json pins for every input.
FLOORED = ("segments_f1", "title_exact", "dates_accuracy")
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
    if name == "html":
        return devset / set_name / "html"
    if name == "text-w3m":
        return devset / set_name / "text-w3m"
    return renders / name.removeprefix("text-") / set_name


def folders(devset: Path, renders: Path) -> dict[tuple[str, str], Path]:
    return {
        (name, set_name): input_dir(devset, renders, name, set_name)
        for name in INPUTS
        for set_name in SETS
    }


def ensure_renders(devset: Path, renders: Path, workers: int = 2) -> int:
    """Render the pages the cache lacks (every renderer but w3m, both sets) in a process
    pool; a complete cache costs one directory listing. Returns how many were rendered."""
    jobs = []
    for renderer in sorted(RENDERERS):
        for set_name in SETS:
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


def predictions(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """CLI records in the scorer's format."""
    return [
        {
            "id": Path(row["path"]).stem,
            "body": row.get("body") or "",
            "title": row.get("title"),
            "published": row.get("published"),
        }
        for row in records
    ]


# --- scoring --------------------------------------------------------------------------------


def score(
    set_name: str, rows: Iterable[dict[str, Any]], workdir: Path, name: str, devset: Path
) -> dict[str, Any]:
    """The dev set's scorer on these predictions (kept as <workdir>/<name>.jsonl). If
    <workdir>/truth/<set>/truth.jsonl exists (a --limit run), it is the truth scored against."""
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


def figures(
    segments: dict[str, Any] | None, dates: dict[str, Any] | None, *, body: bool = True
) -> dict[str, float]:
    """The table's figures from the scorer's summaries of the two sets (None = not scored;
    body=False: the predictions carry no body, so the segment scores mean nothing)."""
    out: dict[str, float] = {}
    if segments is not None:
        if body:
            out |= {f"segments_{k}": segments[k] for k in ("precision", "recall", "f1")}
        if "title_exact" in segments:
            out["title_exact"] = segments["title_exact"]
        if "meta_date" in segments:
            out["segments_date_accuracy"] = segments["meta_date"]["accuracy"]
    if dates is not None:
        out["dates_accuracy"] = dates["accuracy"]
    return out


def score_newsdesk(
    records: dict[tuple[str, str], list[dict[str, Any]]], workdir: Path, devset: Path
) -> dict[str, dict[str, float]]:
    """Per input, the figures of newsdesk's records on both sets."""
    out = {}
    for name in INPUTS:
        scored = {
            set_name: score(
                set_name,
                predictions(records[name, set_name]),
                workdir,
                f"newsdesk-{name}-{set_name}",
                devset,
            )
            for set_name in SETS
        }
        out[name] = figures(scored["segments"], scored["dates"])
    return out


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


BASELINES: dict[str, Callable[[], Baseline]] = {
    "trafilatura extract()": trafilatura_extract,
    "trafilatura extract_metadata()": trafilatura_metadata,
    "htmldate find_date()": htmldate_find_date,
}


@dataclass
class Timed:
    rows: list[dict[str, Any]] = field(default_factory=list)
    wall_s: float = 0.0
    cpu_s: float = 0.0
    errors: int = 0


def run_baselines(devset: Path, limit: int | None) -> dict[tuple[str, str], Timed]:
    """Every baseline on every page of both sets, in turn page by page (a busy machine then
    slows them all alike), after untimed warm-up pages."""
    built = {name: make() for name, make in BASELINES.items()}
    out: dict[tuple[str, str], Timed] = {}
    for set_name in SETS:
        paths = sorted((devset / set_name / "html").glob("*.html"))[:limit]
        pages = [(p.stem, p.read_bytes()) for p in paths]
        for _, html in pages[:WARM_UP]:
            for fn in built.values():
                with contextlib.suppress(Exception):  # a crash counts in the timed pass
                    fn(html)
        timed = {name: Timed() for name in built}
        for doc_id, html in pages:
            for name, fn in built.items():
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


def limit_truth(devset: Path, workdir: Path, limit: int) -> None:
    """The truth of the first `limit` documents of each set, so that a quick run is not
    scored as if it had missed every other page."""
    for set_name in SETS:
        lines = (devset / set_name / "truth.jsonl").read_text(encoding="utf-8").split("\n")
        keep = sorted(json.loads(line)["id"] for line in lines if line.strip())[:limit]
        wanted = set(keep)
        target = workdir / "truth" / set_name
        target.mkdir(parents=True, exist_ok=True)
        (target / "truth.jsonl").write_text(
            "".join(
                f"{line}\n" for line in lines if line.strip() and json.loads(line)["id"] in wanted
            ),
            encoding="utf-8",
        )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def evaluate(
    devset: Path, renders: Path, workdir: Path, workers: int, limit: int | None
) -> dict[str, Any]:
    by_key = folders(devset, renders)
    if limit is not None:
        limit_truth(devset, workdir, limit)
    result: dict[str, Any] = {"newsdesk": {}, "all_text": {}, "baselines": {}}
    records: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for name in INPUTS:
        start = run_extract(_files(by_key[name, "segments"], WARM_UP), workers)
        speed = {"docs": 0, "wall_s": 0.0, "cpu_s": 0.0}
        for set_name in SETS:
            folder = by_key[name, set_name]
            run = run_extract([folder] if limit is None else _files(folder, limit), workers)
            records[name, set_name] = run.records
            speed["docs"] += len(run.records) - len(start.records)
            speed["wall_s"] += run.wall_s - start.wall_s
            speed["cpu_s"] += run.cpu_s - start.cpu_s
        result["newsdesk"][name] = {
            "startup": {"docs": len(start.records), "wall_s": start.wall_s, "cpu_s": start.cpu_s},
            **speed,
            "docs_per_s": _rate(speed["docs"], speed["wall_s"]),
            "docs_per_cpu_s": _rate(speed["docs"], speed["cpu_s"]),
        }
        print(f"  newsdesk extract {name}: done", file=sys.stderr)
    for name, scored in score_newsdesk(records, workdir, devset).items():
        result["newsdesk"][name] |= scored
    for name in INPUTS[1:]:
        folder = by_key[name, "segments"]
        rows = [
            {"id": p.stem, "body": p.read_text(encoding="utf-8")} for p in _files(folder, limit)
        ]
        seg = score("segments", rows, workdir, f"alltext-{name}", devset)
        result["all_text"][name] = figures(seg, None)
    timed = run_baselines(devset, limit)
    for name in BASELINES:
        per_set = {set_name: timed[name, set_name] for set_name in SETS}
        scored = {
            set_name: score(
                set_name, run.rows, workdir, f"baseline-{_slug(name)}-{set_name}", devset
            )
            for set_name, run in per_set.items()
        }
        has = {k for run in per_set.values() for row in run.rows for k in row}
        docs = sum(len(run.rows) for run in per_set.values())
        wall = sum(run.wall_s for run in per_set.values())
        cpu = sum(run.cpu_s for run in per_set.values())
        dates = scored["dates"] if "published" in has else None
        found = figures(scored["segments"], dates, body="body" in has)
        result["baselines"][name] = {
            **found,
            "docs": docs,
            "wall_s": wall,
            "cpu_s": cpu,
            "errors": sum(run.errors for run in per_set.values()),
            "docs_per_s": _rate(docs, wall),
            "docs_per_cpu_s": _rate(docs, cpu),
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


def raise_floors(newsdesk: dict[str, dict[str, float]], path: Path = FLOORS) -> list[str]:
    """Raise every floor the measured figures now exceed; never lower one (that takes a
    hand edit of floors.json). Returns what changed."""
    floors = json.loads(path.read_text(encoding="utf-8"))
    changed = []
    for name in INPUTS:
        for figure in FLOORED:
            old = floors.setdefault(name, {}).get(figure, 0.0)
            new = floor_of(newsdesk[name][figure])
            if new > old:
                floors[name][figure] = new
                changed.append(f"{name} {figure}: {old:.3f} -> {new:.3f}")
    path.write_text(json.dumps(floors, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


# --- the table -----------------------------------------------------------------------------------

_COLUMNS = (
    ("seg P", "segments_precision"),
    ("seg R", "segments_recall"),
    ("seg F1", "segments_f1"),
    ("title", "title_exact"),
    ("date(seg)", "segments_date_accuracy"),
    ("date acc", "dates_accuracy"),
)


def _cell(value: Any, width: int, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"{'-':>{width}}"
    return f"{value:>{width}.{digits}f}"


def table(result: dict[str, Any]) -> str:
    head = f"{'input':<16} {'system':<31}" + "".join(f" {c:>9}" for c, _ in _COLUMNS)
    lines = [head + f" {'docs/s':>8} {'docs/cpu-s':>10}", "-" * (len(head) + 20)]
    rows = [(n, "newsdesk extract (CLI)", f) for n, f in result["newsdesk"].items()]
    rows += [(n, "all text (whole dump)", f) for n, f in result["all_text"].items()]
    rows += [("html", n, f) for n, f in result["baselines"].items()]
    for name, system, found in rows:
        cells = "".join(" " + _cell(found.get(key), 9) for _, key in _COLUMNS)
        speed = (
            _cell(found.get("docs_per_s"), 8, 1) + " " + _cell(found.get("docs_per_cpu_s"), 10, 1)
        )
        lines.append(f"{name:<16} {system:<31}{cells} {speed}")
    ours = result["newsdesk"]["html"]
    theirs = result["baselines"]["trafilatura extract()"]
    lines.append(
        "newsdesk on HTML vs bare trafilatura.extract, docs/s: "
        f"{ours['docs_per_s'] / theirs['docs_per_s']:.2f}x wall, "
        f"{ours['docs_per_cpu_s'] / theirs['docs_per_cpu_s']:.2f}x CPU (target >= 0.8x)"
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
        help="raise bench/floors.json to today's figures (never lowers a floor)",
    )
    args = parser.parse_args(argv)
    devset = require_devset(args.devset)
    started = time.perf_counter()
    rendered = ensure_renders(devset, args.renders)
    print(f"renders: {rendered} pages rendered into {args.renders}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.out / "predictions" if args.limit is None else Path(tmp)
        result = evaluate(devset, args.renders, workdir, args.workers, args.limit)
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
    if args.raise_floors and args.limit is None:
        for line in raise_floors(result["newsdesk"]) or ["none raised"]:
            print(f"floors.json: {line}")


if __name__ == "__main__":
    main()
