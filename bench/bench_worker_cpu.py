"""CPU per page of what a run does to an HTML page, step by step, next to bare trafilatura on
the same pages, in one process and one run.

    .venv/bin/python -m bench.bench_worker_cpu                  # 200 dev pages
    .venv/bin/python -m bench.bench_worker_cpu --pages 150 --profile 40

Pages: every k-th file of ../shared/devset/{segments,dates,modern}/html (modern's are
gzipped; read and unzipped untimed), N in all, in batches of --batch. For each batch, in a
rotating order so that a change in machine load hits all alike:
- trafilatura: `trafilatura.extract(bytes, with_metadata=True, include_comments=False)` per
  page (issue 14's reference; it decodes the bytes itself);
- newsdesk: the run's own stage functions on the batch: decode + hash (`raw_row`, in the
  run's main process), then access, clean and extract through one page pass
  (`tasks.one_pass.read_pages`, as a run maps them), over a mapper that runs in this process
  but pickles every row there and back, as the pool does;
- with --apart, also newsdesk as before the page pass: each stage mapping its own function.
Reported per page: the worker functions' CPU (what the pool's processes spend), the pickling
both ways (`transfer`), the main process's framing around them (`frames`: building rows and
frames), and decode + hash. Times are `time.process_time`, after WARM_UP pages untimed and the
language and page-type models loaded (`warm_models`: once per worker process, not per page).
The sub-steps are timed by wrapping the functions in SUBSTEPS that exist: they nest (a
sub-step's time includes those it calls).
`--profile N` also prints cProfile's N most costly functions (cumulative) of the newsdesk
path, in a second pass (cProfile inflates small calls).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gzip
import importlib
import io
import pickle
import pstats
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
DEVSET = PROJECT.parent / "shared" / "devset"
SETS = ("segments", "dates", "modern")
WARM_UP = 10
# label: module:function, ... (each module's binding of the name is wrapped, where it exists)
SUBSTEPS = {
    "parse (load_html)": (
        "tasks.one_pass:load_html",
        "tasks.page.html:load_html",
        "tasks.ingest.access:load_html",
    ),
    "access: classify_html": ("tasks.ingest.access:classify_html",),
    "clean: clean_html": ("tasks.clean.stage:clean_html",),
    "  jsonld + meta tags": ("tasks.page.html:read_jsonld", "tasks.page.html:read_meta_tags"),
    "  date hints": ("tasks.page.html:_date_hints",),
    "  bylines": (
        "tasks.page.html:read_bylines",
        "tasks.page.html:_bylines",
        "tasks.page.html:_headline_lines",
        "tasks.page.html:labelled_names",
        "tasks.page.html:forum_poster",
        "tasks.page.html:first_username",
    ),
    "  page signals": ("tasks.page.html:page_signals", "tasks.page.html:add_body_signals"),
    "  word marks": ("tasks.page.html:_space_blocks",),
    "  trafilatura bare_extraction": (
        "tasks.page.html:bare_extraction",
        "tasks.page.html:_bare_extraction",
    ),
    "  paragraphs + leftovers": ("tasks.page.html:_trafilatura_paragraphs",),
    "  standfirst": ("tasks.page.html:_standfirst", "tasks.page.html:_lead_paragraph"),
    "clean: language": ("tasks.clean.stage:detect_language",),
    "clean: word count": ("tasks.clean.stage:count_words",),
    "extract: extract_html": ("tasks.extract.stage:extract_html",),
}


def page_paths(devset: Path, pages: int) -> list[Path]:
    every = sorted(
        p
        for name in SETS
        for pattern in ("*.html", "*.html.gz")
        for p in (devset / name / "html").glob(pattern)
    )
    step = max(1, len(every) // (pages + WARM_UP))
    return every[::step][: pages + WARM_UP]


def read_page(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


class Clock:
    """CPU seconds per label."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.on = True

    def add(self, label: str, started: float) -> None:
        if self.on:
            self.cpu[label] += time.process_time() - started

    def wrap(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(label, started)

        return timed


class PicklingMapper:
    """tasks.parallel.Mapper in this process, paying the pool's pickling both ways; the
    function's own CPU is counted under `worker: <name>`."""

    workers = 1

    def __init__(self, clock: Clock, prefix: str) -> None:
        self.clock = clock
        self.prefix = prefix

    def map(self, fn: Callable[[dict], dict], rows: Iterable[dict]) -> list[dict]:
        out = []
        for row in rows:
            started = time.process_time()
            sent = pickle.loads(pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL))
            self.clock.add(f"{self.prefix}transfer", started)
            started = time.process_time()
            result = fn(sent)
            self.clock.add(f"{self.prefix}worker: {fn.__name__}", started)
            started = time.process_time()
            out.append(pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)))
            self.clock.add(f"{self.prefix}transfer", started)
        return out


def wrap_substeps(clock: Clock) -> list[str]:
    wrapped = []
    for label, specs in SUBSTEPS.items():
        for spec in specs:
            module_name, name = spec.split(":")
            try:
                module = importlib.import_module(module_name)
            except ImportError:  # not in this version of the code
                continue
            if callable(getattr(module, name, None)):
                setattr(module, name, clock.wrap(label, getattr(module, name)))
                if label not in wrapped:
                    wrapped.append(label)
    return wrapped


def newsdesk_path(clock: Clock, *, apart: bool) -> Callable[[list[tuple[Path, bytes]]], None]:
    """A batch of pages through decode, access, clean and extract, as a run's batch takes
    them (gates aside: every page here is open and long enough)."""
    import polars as pl

    from newsdesk.core.contracts.raw import RAW_SCHEMA
    from newsdesk.core.registry import Registry
    from tasks.clean.stage import clean_batch
    from tasks.extract.stage import extract_batch
    from tasks.ingest.access import classify_batch
    from tasks.ingest.records import RawRecord, raw_row
    from tasks.parallel import _init_worker

    try:
        from tasks.one_pass import read_pages
    except ImportError:  # the code before the page pass
        read_pages = None

    _init_worker(Registry(()))
    prefix = "apart " if apart else ""
    mapper = PicklingMapper(clock, prefix)
    fetched = datetime(2026, 12, 1, tzinfo=UTC)

    def run(batch: list[tuple[Path, bytes]]) -> None:
        started = time.process_time()
        rows = [
            raw_row(RawRecord(uri=p.as_uri(), content=c, fetched_at=fetched), "r", 1 << 30)
            for p, c in batch
        ]
        raw = pl.DataFrame(rows, schema=RAW_SCHEMA)
        clock.add(f"{prefix}decode+hash", started)
        started = time.process_time()
        if apart or read_pages is None:
            raw = classify_batch(raw, mapper)
            clean = clean_batch(raw, mapper)[0]
            articles = extract_batch(clean, mapper)[0]
        else:
            pages = read_pages(raw, mapper)
            clean = clean_batch(pages.raw, pages.clean)[0]
            articles = extract_batch(clean, pages.extract)[0]
        clock.add(f"{prefix}stages", started)
        if articles.height != len(batch):
            raise RuntimeError(f"{articles.height} articles of {len(batch)} pages")

    return run


def trafilatura_path(clock: Clock) -> Callable[[list[tuple[Path, bytes]]], None]:
    import trafilatura

    def run(batch: list[tuple[Path, bytes]]) -> None:
        started = time.process_time()
        for _, content in batch:
            trafilatura.extract(content, with_metadata=True, include_comments=False)
        clock.add("trafilatura", started)

    return run


def warm_models() -> None:
    """Load what a worker loads once per process, whatever the warm-up pages asked of it: the
    language model is read only for a page whose markup states no language, and none of the
    warm-up pages may be one (its 0.5 s load then counted as 2-3 ms a page)."""
    for module_name, name in (
        ("tasks.page.language", "_identifier"),
        ("tasks.page.page_type", "_model"),
    ):
        try:
            getattr(importlib.import_module(module_name), name)()
        except (ImportError, AttributeError):  # not in this version of the code
            continue


def report(clock: Clock, substeps: list[str], pages: int, apart: bool) -> str:
    ms = {label: seconds * 1000 / pages for label, seconds in clock.cpu.items()}
    lines = [f"CPU ms/page over {pages} pages (time.process_time, one process)"]
    ratios = []
    for prefix, name in (
        ("", "newsdesk"),
        *((("apart ", "newsdesk, stages apart"),) if apart else ()),
    ):
        workers = {k[len(prefix) :]: v for k, v in ms.items() if k.startswith(f"{prefix}worker: ")}
        frames = ms[f"{prefix}stages"] - sum(workers.values()) - ms.get(f"{prefix}transfer", 0.0)
        total = ms[f"{prefix}decode+hash"] + ms[f"{prefix}stages"]
        lines.append(f"{name}:")
        lines += [f"  {label:<34} {value:7.2f}" for label, value in workers.items()]
        lines.append(
            f"  {'transfer (pickling both ways)':<34} {ms.get(f'{prefix}transfer', 0.0):7.2f}"
        )
        lines.append(f"  {'frames (main process)':<34} {frames:7.2f}")
        lines.append(f"  {'decode + hash (main process)':<34} {ms[f'{prefix}decode+hash']:7.2f}")
        lines.append(f"  {'total':<34} {total:7.2f}")
        ratios.append((name, total))
    lines.append(f"trafilatura.extract                  {ms['trafilatura']:7.2f}")
    for name, total in ratios:
        lines.append(
            f"ratio {name} / trafilatura, docs per CPU-second: {ms['trafilatura'] / total:.2f}"
        )
    lines.append("sub-steps (nested, inside the worker functions; both newsdesk paths summed):")
    lines += [
        f"  {label:<34} {ms.get(label, 0.0) / (2 if apart else 1):7.2f}" for label in substeps
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--apart", action="store_true", help="also each stage apart")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)

    clock = Clock()
    substeps = wrap_substeps(clock)
    pages = [(path, read_page(path)) for path in page_paths(args.devset, args.pages)]
    systems = [newsdesk_path(clock, apart=False), trafilatura_path(clock)]
    if args.apart:
        systems.append(newsdesk_path(clock, apart=True))
    for system in systems:
        system(pages[:WARM_UP])
    warm_models()
    clock.cpu.clear()
    timed = pages[WARM_UP:]
    batches = [timed[i : i + args.batch] for i in range(0, len(timed), args.batch)]
    for i, batch in enumerate(batches):
        turn = i % len(systems)
        for system in systems[turn:] + systems[:turn]:
            system(batch)
    print(report(clock, substeps, len(timed), args.apart))

    if args.profile:
        clock.on = False
        profiler = cProfile.Profile()
        profiler.enable()
        for batch in batches:
            systems[0](batch)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
        print(out.getvalue())


if __name__ == "__main__":
    main()
