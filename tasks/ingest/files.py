"""Local inputs: files and folders of saved pages, JSON Lines exports, sidecar metadata."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from newsdesk.core.contracts.files import FileRead, FileStamp, FileUnchanged
from newsdesk.core.contracts.reasons import Reason
from newsdesk.core.isodates import parse_iso_utc
from tasks.ingest.records import IngestFailure, RawRecord

SIDECAR_SUFFIX = ".meta.json"
JSONL_SUFFIXES = (".jsonl", ".ndjson")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
_SIDECAR_KEYS = {"url", "source", "fetched_at", "published", "title"}


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Every input file under the given files and folders, in a stable order. Hidden files
    and sidecars are not inputs; a missing path is an error the caller reports."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and not name.endswith(SIDECAR_SUFFIX):
                        yield Path(root) / name
        elif path.exists():
            yield path
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")


def read_sidecar(path: Path) -> dict[str, str]:
    """`<file>.meta.json`: url, source, fetched_at, published, title that the page may not show."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    data = json.loads(sidecar.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{sidecar}: expected a JSON object")
    return {k: str(v) for k, v in data.items() if k in _SIDECAR_KEYS and v not in (None, "")}


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def read_file(path: Path, *, max_bytes: int) -> Iterator[RawRecord | IngestFailure]:
    """The records one file holds: one page, or one per line of a JSON Lines export."""
    uri = path.resolve().as_uri()
    name = path.name.lower()
    try:
        if name.endswith(JSONL_SUFFIXES):
            yield from read_jsonl(path)
            return
        if name.endswith(WARC_SUFFIXES):
            from tasks.ingest.web.warc import read_warc

            yield from read_warc(path, max_bytes=max_bytes)
            return
        meta = read_sidecar(path)
        size = path.stat().st_size
        content = path.read_bytes() if size <= max_bytes else b""
    except (OSError, ValueError) as exc:
        yield IngestFailure(uri, Reason.UNREADABLE, f"{type(exc).__name__}: {exc}")
        return
    yield RawRecord(
        uri=uri,
        content=content,
        size_bytes=size,
        fetched_at=parse_iso_utc(meta.get("fetched_at")) or _mtime(path),
        url=meta.get("url"),
        media_type_hint="text/html" if name.endswith((".html", ".htm", ".xhtml")) else None,
        source_hint=meta.get("source"),
        title_hint=meta.get("title"),
        published_hint=meta.get("published"),
    )


def read_jsonl(path: Path) -> Iterator[RawRecord | IngestFailure]:
    """Exports of other scrapers: one JSON object per line with url / html / text / title /
    date (also published, published_at, fetched_at, source). A bad line is a failure, not
    the end of the file."""
    fetched_default = _mtime(path)
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            uri = f"{path.resolve().as_uri()}#L{number}"
            try:
                item = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield IngestFailure(uri, Reason.MALFORMED_RECORD, f"line {number}: {exc}")
                continue
            if not isinstance(item, dict):
                yield IngestFailure(uri, Reason.MALFORMED_RECORD, f"line {number}: not an object")
                continue
            html, text = item.get("html"), item.get("text")
            body = html if isinstance(html, str) and html.strip() else text
            if not isinstance(body, str):
                yield IngestFailure(
                    uri, Reason.MALFORMED_RECORD, f"line {number}: no 'html' or 'text' field"
                )
                continue
            date = next(
                (item[k] for k in ("date", "published", "published_at") if item.get(k)), None
            )
            yield RawRecord(
                uri=uri,
                content=body.encode("utf-8"),
                fetched_at=parse_iso_utc(item.get("fetched_at")) or fetched_default,
                url=item.get("url") if isinstance(item.get("url"), str) else None,
                media_type_hint="text/html" if body is html else "text/plain",
                source_hint=item.get("source") if isinstance(item.get("source"), str) else None,
                title_hint=item.get("title") if isinstance(item.get("title"), str) else None,
                published_hint=str(date) if date else None,
            )


def iter_items(paths: Iterable[Path], *, max_bytes: int) -> Iterator[RawRecord | IngestFailure]:
    """Every record under the given paths, read lazily: memory stays bounded by the batch."""
    for path in discover(paths):
        yield from read_file(path, max_bytes=max_bytes)


def stamp_of(path: Path) -> FileStamp:
    stat = path.stat()
    try:
        sidecar: int | None = path.with_name(path.name + SIDECAR_SUFFIX).stat().st_mtime_ns
    except FileNotFoundError:
        sidecar = None
    return FileStamp(stat.st_size, stat.st_mtime_ns, sidecar)


def iter_tracked_items(
    paths: Iterable[Path], *, max_bytes: int, known: Mapping[str, FileStamp]
) -> Iterator[RawRecord | IngestFailure | FileRead | FileUnchanged]:
    """iter_items, for a run that remembers what it read: a file whose size and mtime (and
    its sidecar's mtime) equal those in `known` is not opened (FileUnchanged); after the
    records of a file that was read comes its FileRead, for the warehouse to remember. A file
    that could not be read gets no FileRead: the next run tries it again."""
    for path in discover(paths):
        uri = path.resolve().as_uri()
        try:
            stamp = stamp_of(path)
        except OSError:
            stamp = None  # read_file reports it as unreadable
        if stamp is not None and known.get(uri) == stamp:
            yield FileUnchanged(uri)
            continue
        unreadable = False
        for item in read_file(path, max_bytes=max_bytes):
            unreadable |= isinstance(item, IngestFailure) and item.reason is Reason.UNREADABLE
            yield item
        if stamp is not None and not unreadable:
            yield FileRead(uri, stamp)


def batched(
    items: Iterable[RawRecord | IngestFailure], size: int
) -> Iterator[list[RawRecord | IngestFailure]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
