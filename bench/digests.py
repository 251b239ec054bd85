"""Digests of what clean + extract make of every page: a refactoring's proof of "same output".

    .venv/bin/python -m bench.digests --write    # pin today's output (after a wanted change)
    .venv/bin/python -m bench.digests            # compare with the pinned digests

For every page, the sha256 of its body and of its other extracted fields (title, date, zone,
authors, source, section, tags, language, word count, method) as `newsdesk extract` prints
them. Two fixtures hold them:
- tests/fixtures/digests/repo.json: the repository's own pages (samples/, the seeds and the
  test fixtures), checked by tests/tasks/clean/test_digests.py without ../shared;
- tests/fixtures/digests/devset.json: every dev-set page (../shared/devset/{segments,dates,
  modern}) as HTML, as its w3m dump and as inscriptis and html2text renders (bench/render.py,
  cached in .cache/renders; modern/'s in .cache/modern/text-<renderer> with their address
  sidecars, the dumps make eval scores: bench.eval.ensure_modern), and the seeds; checked by
  tests/quality/test_digests.py.

Only a change that is meant to change output re-pins them (--write), and its commit says so.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bench.eval import (
    DEVSET,
    PROJECT,
    RENDERS,
    ensure_modern,
    ensure_renders,
    folders,
    run_extract,
)
from bench.render import RENDERERS, decode_html

FIXTURES = PROJECT / "tests" / "fixtures" / "digests"
REPO_FIXTURE = FIXTURES / "repo.json"
DEVSET_FIXTURE = FIXTURES / "devset.json"
REPO_INPUTS = ("samples", "tests/fixtures/seeds", "tests/fixtures/text", "tests/fixtures/html")
# Fields that say where a page was, not what was made of it.
NOT_OUTPUT = ("path", "gate_failures")
DIGITS = 16  # hex digits of sha256 kept: 64 bits, no collision among a few thousand pages


def _sha(value: Any) -> str:
    data = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:DIGITS]


def page_digest(record: dict[str, Any]) -> list[str]:
    """[digest of the body, digest of every other extracted field]. A relative date ("vor 3
    Tagen") is read against the file's modification time, which is where and when the file
    was copied, not what the code does: its method is kept, its instant is not."""
    fields = {k: v for k, v in record.items() if k not in (*NOT_OUTPUT, "body")}
    if "relative" in str(fields.get("published_method") or ""):
        fields["published"] = None
    return [_sha(record.get("body") or ""), _sha(fields)]


def digests(records: Iterable[dict[str, Any]], roots: dict[Path, str]) -> dict[str, list[str]]:
    """Digests keyed by `<label>/<path under its root>`, one label per input folder."""
    out: dict[str, list[str]] = {}
    for record in records:
        path = Path(record["path"]).resolve()
        for root, label in roots.items():
            if path.is_relative_to(root):
                out[f"{label}/{path.relative_to(root).as_posix()}"] = page_digest(record)
                break
        else:
            raise ValueError(f"a record outside the inputs: {path}")
    return dict(sorted(out.items()))


def repo_pages(out: Path, project: Path = PROJECT) -> Path:
    """The repository's pages gathered under `out`: each text dump and HTML page (unpacked if
    gzip-compressed) as `pages/<path>`, and every HTML page rendered by inscriptis and
    html2text as `text-<renderer>/<path>.txt`, so that the markdown and indented layouts are
    covered too."""
    for name in REPO_INPUTS:
        for page in sorted((project / name).rglob("*")):
            if page.suffix not in (".txt", ".html", ".gz") or page.name.endswith(".meta.json"):
                continue
            data = page.read_bytes()
            relative = page.relative_to(project).as_posix()
            if page.suffix == ".gz":
                data, relative = gzip.decompress(data), relative.removesuffix(".gz")
            target = out / "pages" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            for sidecar in page.parent.glob(f"{page.name}.meta.json"):
                (out / "pages" / f"{relative}.meta.json").write_bytes(sidecar.read_bytes())
            if relative.endswith(".html"):
                html = decode_html(data)
                for renderer, render in sorted(RENDERERS.items()):
                    rendered = out / f"text-{renderer}" / f"{relative}.txt"
                    rendered.parent.mkdir(parents=True, exist_ok=True)
                    rendered.write_text(render(html), encoding="utf-8")
    return out


def repo_digests(workers: int = 1) -> dict[str, list[str]]:
    with tempfile.TemporaryDirectory(prefix="newsdesk-digests-") as tmp:
        root = repo_pages(Path(tmp).resolve())
        roots = {path: path.name for path in sorted(root.iterdir())}
        return digests(run_extract(list(roots), workers=workers).records, roots)


def devset_roots(devset: Path = DEVSET, renders: Path = RENDERS, workers: int = 2) -> dict:
    """Every dev-set input folder, labelled `<input>/<set>`, rendering what is missing."""
    ensure_renders(devset, renders, workers=workers)
    ensure_modern(devset)  # modern/ unpacked, w3m dumps copied, rendered: what make eval reads
    roots = {
        folder.resolve(): f"{name}/{set_name}"
        for (name, set_name), folder in folders(devset, renders).items()
    }
    roots[(devset.parent / "seeds").resolve()] = "seeds"
    return roots


def devset_digests(workers: int = 2) -> dict[str, list[str]]:
    roots = devset_roots(workers=workers)
    return digests(run_extract(list(roots), workers=workers).records, roots)


def differences(pinned: dict[str, list[str]], now: dict[str, list[str]]) -> list[str]:
    """What changed, page by page: body, fields, or a page gone or new."""
    out = []
    for key in sorted(pinned.keys() | now.keys()):
        before, after = pinned.get(key), now.get(key)
        if before == after:
            continue
        if before is None or after is None:
            out.append(f"{key}: {'new' if before is None else 'gone'}")
            continue
        pairs = zip(("body", "fields"), before, after, strict=True)
        parts = [name for name, a, b in pairs if a != b]
        out.append(f"{key}: {' and '.join(parts)} changed")
    return out


def write(path: Path, found: dict[str, list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v)}" for k, v in sorted(found.items())
    ]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="pin today's digests")
    parser.add_argument("--repo-only", action="store_true", help="only the repository's pages")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    jobs = [(REPO_FIXTURE, lambda: repo_digests(workers=1))]
    if not args.repo_only:
        jobs.append((DEVSET_FIXTURE, lambda: devset_digests(workers=args.workers)))
    changed = 0
    for fixture, compute in jobs:
        found = compute()
        if args.write:
            write(fixture, found)
            print(f"{fixture.relative_to(PROJECT)}: {len(found)} pages pinned")
            continue
        pinned = json.loads(fixture.read_text(encoding="utf-8"))
        diff = differences(pinned, found)
        changed += len(diff)
        print(f"{fixture.relative_to(PROJECT)}: {len(found)} pages, {len(diff)} differ")
        for line in diff[:50]:
            print("  " + line)
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
