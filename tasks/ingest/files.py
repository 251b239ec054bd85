"""Local inputs: files and folders of saved pages, JSON Lines exports, sidecar metadata.

Only regular files under the folders given are read. A FIFO, socket or device is skipped
with a `special_file` row without being opened (opening a FIFO blocks until a writer comes);
a symlink whose target leaves the folder given is refused (`outside_root`) unless links
may be followed. Every folder listing, open and read runs with a deadline (`[pipeline]
read_timeout_s`), so a folder or file that never answers costs that long and a `timeout`
row, not the run.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import queue
import stat
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TypeVar

from newsdesk.core.contracts.files import FileRead, FileStamp, FileUnchanged
from newsdesk.core.contracts.reasons import Reason
from newsdesk.core.isodates import parse_iso_utc
from tasks.ingest.jsonl import JSON_ERRORS, parse_record_line
from tasks.ingest.records import IngestFailure, RawRecord

SIDECAR_SUFFIX = ".meta.json"
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
JSON_NOT_READ = (
    "a JSON array is not read: exports are JSON Lines (.jsonl or .ndjson, one object a "
    "line); jq -c '.[]' FILE.json > FILE.jsonl converts it"
)
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_SIDECAR_KEYS = {"url", "source", "fetched_at", "published", "title"}
_SIDECAR_MAX_BYTES = 1_000_000
_CHUNK = 1 << 20
DEFAULT_READ_TIMEOUT_S = 30.0

T = TypeVar("T")


@dataclass(frozen=True)
class ReadOptions:
    max_bytes: int
    read_timeout_s: float = DEFAULT_READ_TIMEOUT_S
    follow_links: bool = False  # follow symlinks that leave the folder given


class _Skipped(Exception):
    """A file that is not read, and why."""

    def __init__(self, reason: Reason, observed: str) -> None:
        super().__init__(observed)
        self.reason, self.observed = reason, observed


class _Runner:
    """A daemon thread that runs the calls of one caller thread in turn (starting a thread
    per open and read cost the run's process 0.06 ms each, four a page). It ends when idle
    for a while; a call that overstays its deadline leaves it to that call, abandoned."""

    _IDLE_S = 2.0

    def __init__(self) -> None:
        self._calls: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()  # a runner ending idle and a call given to it
        self.alive = True
        threading.Thread(target=self._serve, name="newsdesk-read", daemon=True).start()

    def give(self, call: Callable[[], None]) -> bool:
        """False when the runner has ended: the call is not taken."""
        with self._lock:
            if self.alive:
                self._calls.put(call)
            return self.alive

    def _serve(self) -> None:
        while True:
            try:
                call = self._calls.get(timeout=self._IDLE_S)
            except queue.Empty:
                with self._lock:
                    if self._calls.empty():
                        self.alive = False
                        return
                continue
            call()


_runners = threading.local()


def bounded(call: Callable[[], T], timeout_s: float, what: str) -> T:
    """`call()` with a deadline. It runs on a daemon thread: a read stuck in the kernel (a
    hung network mount, a FIFO) cannot be interrupted, only abandoned, and an abandoned
    daemon thread does not keep the process alive."""
    box: list[T] = []
    error: list[BaseException] = []
    done = threading.Event()

    def target() -> None:
        try:
            box.append(call())
        except BaseException as exc:  # handed to the caller's thread
            error.append(exc)
        finally:
            done.set()

    runner: _Runner | None = getattr(_runners, "runner", None)
    if runner is None or not runner.give(target):
        runner = _runners.runner = _Runner()
        runner.give(target)
    if not done.wait(timeout_s):
        _runners.runner = None  # the thread stays with the call that hangs
        raise _Skipped(Reason.TIMEOUT, f"{what}: no answer within {timeout_s:g} s")
    if error:
        raise error[0]
    return box[0]


def _kind(mode: int) -> str | None:
    """What a non-regular file is, None for a regular one."""
    for test, name in (
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISDIR, "directory"),
    ):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "special file"


def _open_now(path: Path) -> int:
    """A descriptor for a regular file (no deadline: call it through `bounded`). O_NONBLOCK:
    if the file was swapped for a FIFO after it was checked, opening it still returns at
    once; fstat then refuses it."""
    kind = _kind(os.stat(path).st_mode)  # a FIFO or device is never opened
    if kind is not None:
        raise _Skipped(Reason.SPECIAL_FILE, f"{kind}: not opened")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    kind = _kind(os.fstat(fd).st_mode)
    if kind is not None:
        os.close(fd)
        raise _Skipped(Reason.SPECIAL_FILE, f"{kind}: not opened")
    return fd


def _open_regular(path: Path, timeout_s: float) -> int:
    """A descriptor for a regular file, opened within the deadline."""
    return bounded(lambda: _open_now(path), timeout_s, "open")


def _read_small(path: Path, limit: int, timeout_s: float) -> bytes:
    """At most `limit` bytes of a small regular file (a sidecar), opened and read in one
    call with the deadline: each call handed to the reading thread cost the run's process
    about 0.05 ms, and a sidecar took two."""

    def do_read() -> bytes:
        with os.fdopen(_open_now(path), "rb") as file:
            return file.read(limit)

    return bounded(do_read, timeout_s, "open and read")


class _Reader:
    """A regular file read in chunks, each with the deadline; gzip is undone on the fly."""

    def __init__(self, path: Path, timeout_s: float, *, gunzip: bool) -> None:
        self.timeout_s = timeout_s
        self.fd = _open_regular(path, timeout_s)
        self.size = os.fstat(self.fd).st_size
        self.raw = os.fdopen(self.fd, "rb")  # buffered: read(n) returns n bytes unless at EOF
        self.stream = gzip.GzipFile(fileobj=self.raw, mode="rb") if gunzip else self.raw

    def read(self, size: int) -> bytes:
        return bounded(lambda: self.stream.read(size), self.timeout_s, "read")

    def close(self) -> None:
        self.stream.close()
        self.raw.close()

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _uri(path: Path, folders: dict[Path, Path] | None = None) -> str:
    """The file's place: its folder resolved (as it always was: one spelling per folder,
    however it was reached), its own name kept (a symlink is named as itself, not as the
    file it points to). `folders`: folders resolved already, by their path as given."""
    folder = None if folders is None else folders.get(path.parent)
    if folder is None:
        folder = Path(os.path.realpath(path.parent))
        if folders is not None:
            folders[path.parent] = folder
    return (folder / path.name).as_uri()


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def _is_input(name: str) -> bool:
    return not name.startswith(".") and not name.endswith(SIDECAR_SUFFIX)


def discover(
    paths: Iterable[Path],
    *,
    follow_links: bool = False,
    timeout_s: float = DEFAULT_READ_TIMEOUT_S,
) -> Iterator[Path | IngestFailure]:
    """Every input file under the given files and folders, in a stable order, and a failure
    for each symlink that leaves its folder. Hidden files and sidecars are not inputs; a
    path given explicitly is read even when it is a symlink (it was asked for); a missing
    path is an error the caller reports. Each folder's listing has the read deadline: one
    that does not answer in time (a hung network mount) is a `timeout` row for that folder,
    and the walk goes on with the next."""
    for path in paths:
        if path.is_dir():
            root = os.path.realpath(path)
            yield from _walk(path, root, follow_links, {root}, timeout_s)
        elif path.exists() or path.is_symlink():
            yield path
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")


@dataclass(frozen=True)
class _Entry:
    path: Path
    is_dir: bool  # a folder itself, not a link to one
    link_target: str | None  # a symlink's resolved target
    link_to_dir: bool


def _list(folder: Path) -> list[_Entry]:
    """A folder's input entries, with everything the walk needs to know about them (each of
    these calls may touch the file system, so all of them run under the listing's deadline)."""
    entries: list[_Entry] = []
    with os.scandir(folder) as listing:
        for entry in listing:
            if not _is_input(entry.name):
                continue
            path = Path(entry.path)
            if entry.is_symlink():
                target = os.path.realpath(path)
                entries.append(_Entry(path, False, target, os.path.isdir(target)))
            else:
                entries.append(_Entry(path, entry.is_dir(follow_symlinks=False), None, False))
    return sorted(entries, key=lambda e: e.path.name)


def _walk(
    folder: Path, root: str, follow: bool, visited: set[str], timeout_s: float
) -> Iterator[Path | IngestFailure]:
    try:
        entries = bounded(lambda: _list(folder), timeout_s, "listing")
    except _Skipped as skipped:
        yield IngestFailure(_uri(folder), skipped.reason, skipped.observed)
        return
    except OSError as exc:
        yield IngestFailure(_uri(folder), Reason.UNREADABLE, f"{type(exc).__name__}: {exc}")
        return
    for entry in entries:
        path, target = entry.path, entry.link_target
        if target is not None:
            if not follow and not _inside(target, root):
                yield IngestFailure(
                    _uri(path),
                    Reason.OUTSIDE_ROOT,
                    f"symlink to {target} leaves {root} (allow with --follow-links)",
                )
                continue
            if entry.link_to_dir:
                # Inside the root its files are walked anyway; followed, once per folder.
                if follow and target not in visited:
                    visited.add(target)
                    yield from _walk(path, root, follow, visited, timeout_s)
                continue
            yield path
        elif entry.is_dir:
            visited.add(os.path.realpath(path))
            yield from _walk(path, root, follow, visited, timeout_s)
        else:
            yield path


def read_sidecar(
    path: Path, timeout_s: float = DEFAULT_READ_TIMEOUT_S, *, follow_links: bool = False
) -> dict[str, str]:
    """`<file>.meta.json` (for `page.html.gz` also `page.html.meta.json`): url, source,
    fetched_at, published, title that the page may not show. A sidecar is read like a page:
    regular files only, with the deadline, at most 1 MB."""
    names = [path.name + SIDECAR_SUFFIX]
    if path.name.lower().endswith(".gz"):
        names.append(path.name[:-3] + SIDECAR_SUFFIX)
    sidecar = next((path.with_name(n) for n in names if path.with_name(n).exists()), None)
    if sidecar is None:
        return {}
    # Only a symlink can lead out of the page's folder (resolving both paths, for every
    # page, cost the run's process ~0.2 ms a page)
    if not follow_links and sidecar.is_symlink():
        target = os.path.realpath(sidecar)
        if not _inside(target, os.path.realpath(path.parent)):
            raise _Skipped(Reason.OUTSIDE_ROOT, f"sidecar {sidecar.name}: symlink to {target}")
    try:
        data = json.loads(_read_small(sidecar, _SIDECAR_MAX_BYTES, timeout_s))
    except _Skipped as skipped:
        raise _Skipped(skipped.reason, f"sidecar {sidecar.name}: {skipped.observed}") from None
    except JSON_ERRORS as exc:
        raise ValueError(f"sidecar {sidecar.name}: {type(exc).__name__}: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{sidecar.name}: expected a JSON object")
    return {
        k: str(v)
        for k, v in data.items()
        if k in _SIDECAR_KEYS and v not in (None, "") and isinstance(v, str | int | float)
    }


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def _inner_name(name: str) -> str:
    """The name without a compression suffix: what the bytes inside are."""
    return name[:-3] if name.endswith(".gz") else name


def read_file(
    path: Path, *, max_bytes: int, options: ReadOptions | None = None, uri: str | None = None
) -> Iterator[RawRecord | IngestFailure]:
    """The records one file holds: one page, or one per line of a JSON Lines export.
    `.gz` pages and exports are decompressed, at most `max_bytes` of them. `uri`: the
    file's, when the caller has it (_uri)."""
    options = options or ReadOptions(max_bytes)
    uri = uri or _uri(path)
    name = path.name.lower()
    try:
        if name.endswith(JSONL_SUFFIXES):
            yield from read_jsonl(path, options)
            return
        if name.endswith(WARC_SUFFIXES):
            from tasks.ingest.web.warc import read_warc

            os.close(_open_regular(path, options.read_timeout_s))  # type checked, not blocked
            yield from read_warc(path, max_bytes=max_bytes)
            return
        meta = read_sidecar(path, options.read_timeout_s, follow_links=options.follow_links)
        gunzip = name.endswith(".gz")
        with _Reader(path, options.read_timeout_s, gunzip=gunzip) as reader:
            if not gunzip and reader.size > max_bytes:
                size, content = reader.size, b""  # counted, not read: the gate says too_large
            else:
                content = reader.read(max_bytes + 1)
                size = len(content)
                if size > max_bytes:
                    content = b""
        fetched_at = parse_iso_utc(meta.get("fetched_at")) or _mtime(path)
    except _Skipped as skipped:
        yield IngestFailure(uri, skipped.reason, skipped.observed)
        return
    except (OSError, EOFError, zlib.error, *JSON_ERRORS) as exc:
        yield IngestFailure(uri, Reason.UNREADABLE, f"{type(exc).__name__}: {exc}"[:500])
        return
    inner = _inner_name(name)
    if inner.endswith(".json") and content.lstrip()[:1] == b"[":
        # An export written as one JSON array (scrapy's `-o items.json`) was sniffed as HTML
        # and became one document, the first record's page, the others lost without a row.
        yield IngestFailure(uri, Reason.UNSUPPORTED_TYPE, JSON_NOT_READ)
        return
    yield RawRecord(
        uri=uri,
        content=content,
        size_bytes=size,
        fetched_at=fetched_at,
        url=meta.get("url"),
        media_type_hint="text/html" if inner.endswith(HTML_SUFFIXES) else None,
        source_hint=meta.get("source"),
        title_hint=meta.get("title"),
        published_hint=meta.get("published"),
    )


def _lines(reader: _Reader, max_line: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line read in chunks; None for a line longer than
    `max_line`, which is skipped to its end without being held in memory."""
    number, pending, too_long = 0, b"", False
    while chunk := reader.read(_CHUNK):
        parts = (pending + chunk).split(b"\n")
        pending = parts.pop()
        for part in parts:
            number += 1
            yield number, None if too_long else part
            too_long = False
        if len(pending) > max_line:
            pending, too_long = b"", True
    if pending or too_long:
        yield number + 1, None if too_long else pending


def read_jsonl(
    path: Path, options: ReadOptions | None = None
) -> Iterator[RawRecord | IngestFailure]:
    """Exports of other scrapers: one JSON object per line with url / html / text / title /
    date (also published, published_at, fetched_at, source). A bad line is a failure of
    that line only: the rest of the file is read."""
    options = options or ReadOptions(max_bytes=10_000_000)
    fetched_default = _mtime(path)
    base = _uri(path)
    with _Reader(path, options.read_timeout_s, gunzip=path.name.lower().endswith(".gz")) as reader:
        for number, line in _lines(reader, options.max_bytes):
            uri = f"{base}#L{number}"
            if line is None:
                yield IngestFailure(
                    uri, Reason.TOO_LARGE, f"line {number}: longer than {options.max_bytes} bytes"
                )
                continue
            if line.strip():
                yield parse_record_line(line, uri, number, fetched_default)


def iter_items(
    paths: Iterable[Path],
    *,
    max_bytes: int,
    read_timeout_s: float = DEFAULT_READ_TIMEOUT_S,
    follow_links: bool = False,
) -> Iterator[RawRecord | IngestFailure]:
    """Every record under the given paths, read lazily: memory stays bounded by the batch."""
    options = ReadOptions(max_bytes, read_timeout_s, follow_links)
    for item in discover(paths, follow_links=follow_links, timeout_s=read_timeout_s):
        if isinstance(item, IngestFailure):
            yield item
        else:
            yield from read_file(item, max_bytes=max_bytes, options=options)


def stamp_of(path: Path) -> FileStamp:
    st = path.stat()
    try:
        sidecar: int | None = path.with_name(path.name + SIDECAR_SUFFIX).stat().st_mtime_ns
    except FileNotFoundError:
        sidecar = None
    return FileStamp(st.st_size, st.st_mtime_ns, sidecar)


class StampLookup(Protocol):
    """Files on record (warehouse.file_reads.KnownFiles), asked a chunk at a time."""

    def stamps(self, uris: Sequence[str]) -> Mapping[str, FileStamp]: ...


@dataclass(frozen=True)
class _InMemory:
    """Files on record given as a mapping (small callers and tests)."""

    known: Mapping[str, FileStamp]

    def stamps(self, uris: Sequence[str]) -> Mapping[str, FileStamp]:
        return {u: self.known[u] for u in uris if u in self.known}


def _lookup(known: StampLookup | Mapping[str, FileStamp]) -> StampLookup:
    return _InMemory(known) if isinstance(known, Mapping) else known


_STAMP_CHUNK = 512  # files stat'ed and looked up together


def _stamped(
    paths: Iterable[Path | IngestFailure], known: StampLookup
) -> Iterator[tuple[Path, str, FileStamp | None, FileStamp | None] | IngestFailure]:
    """(path, uri, stamp now, stamp on record) for each path, in order, looked up in chunks."""
    iterator = iter(paths)
    while chunk := list(itertools.islice(iterator, _STAMP_CHUNK)):
        stamped: list[tuple[Path, str, FileStamp | None] | IngestFailure] = []
        folders: dict[Path, Path] = {}  # each folder resolved once a chunk (_uri)
        for path in chunk:
            if isinstance(path, IngestFailure):
                stamped.append(path)
                continue
            try:
                stamp: FileStamp | None = stamp_of(path)
            except OSError:
                stamp = None  # read_file reports it as unreadable
            stamped.append((path, _uri(path, folders), stamp))
        on_record = known.stamps([s[1] for s in stamped if not isinstance(s, IngestFailure)])
        for item in stamped:
            yield item if isinstance(item, IngestFailure) else (*item, on_record.get(item[1]))


def iter_tracked_items(
    paths: Iterable[Path],
    *,
    max_bytes: int,
    known: StampLookup | Mapping[str, FileStamp],
    read_timeout_s: float = DEFAULT_READ_TIMEOUT_S,
    follow_links: bool = False,
) -> Iterator[RawRecord | IngestFailure | FileRead | FileUnchanged]:
    """iter_items, for a run that remembers what it read: a file whose size and mtime (and
    its sidecar's mtime) equal those on record in `known` is not opened (FileUnchanged);
    after the records of a file that was read comes its FileRead, for the warehouse to
    remember. A file that gave any failure (unreadable, past its deadline, not a regular
    file, a bad line) gets no FileRead: the next run reads it again and counts its failures
    again. `known` is asked 512 files at a time, so it need not be held in memory."""
    options = ReadOptions(max_bytes, read_timeout_s, follow_links)
    stamped = _stamped(
        discover(paths, follow_links=follow_links, timeout_s=read_timeout_s), _lookup(known)
    )
    for item in stamped:
        if isinstance(item, IngestFailure):
            yield item
            continue
        path, uri, stamp, on_record = item
        if stamp is not None and on_record == stamp:
            yield FileUnchanged(uri)
            continue
        failed = False
        for record in read_file(path, max_bytes=max_bytes, options=options, uri=uri):
            failed |= isinstance(record, IngestFailure)
            yield record
        if stamp is not None and not failed:
            yield FileRead(uri, stamp)


def all_unchanged(
    paths: Iterable[Path],
    *,
    known: StampLookup | Mapping[str, FileStamp],
    read_timeout_s: float = DEFAULT_READ_TIMEOUT_S,
    follow_links: bool = False,
) -> int | None:
    """How many files the paths hold when every one of them is on record in `known` with its
    stamp unchanged, so iter_tracked_items would read none of them; None as soon as one is
    new, changed, or fails (a failure is counted again by every run), or when there is none.
    Nothing is opened: the files are listed and stat'ed only."""
    files = 0
    stamped = _stamped(
        discover(paths, follow_links=follow_links, timeout_s=read_timeout_s), _lookup(known)
    )
    for item in stamped:
        if isinstance(item, IngestFailure):
            return None
        _, _, stamp, on_record = item
        if stamp is None or on_record != stamp:
            return None
        files += 1
    return files or None


def batched(
    items: Iterable[RawRecord | IngestFailure], size: int
) -> Iterator[list[RawRecord | IngestFailure]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
