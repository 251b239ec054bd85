"""The raw page bytes, outside the warehouse file: a content-addressed store on disk.

`warehouse.duckdb` keeps its raw bytes in the folder `warehouse.raw/` beside it, one gzip
file per distinct content: `<root>/<sha256[:2]>/<sha256>.gz`. `raw_documents` keeps the
hash and the size of what was stored (`content_sha256`, `content_size`); the path follows
from the hash, so the pair (file, folder) can be moved or copied together anywhere.

Why: the bytes were most of the warehouse's size (a 40 KB page against a 3 KB article), so
every backup, checkpoint and read-copy publish carried them although only replay and
reprocess read them.

- Packed by the run's workers as they read each page (`pack`, from tasks/one_pass.py), and
  written by the run's process before the batch that names them commits, each atomically
  (a temporary file in the same folder, then os.replace), so a committed row never names a
  half-written file.
  The same bytes twice are stored once (the name is their hash).
- Read back with their hash checked: a missing or damaged file is `RawUnavailable`, which
  replay and reprocess turn into a `raw_missing` quarantine row for that page. A damaged
  file is set aside, so the page seen again is stored whole again.
- A file no row names (a batch that rolled back, a pruned row) is garbage:
  `prune_unreferenced` deletes it, from the nightly maintenance flow, under the run lock.
- No fsync per file: a file cut short by a power loss fails its hash check on read
  (`raw_missing`), which is the same outcome an fsync would only have made rarer.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import itertools
import os
import re
import time
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from warehouse.connection import READ_TIMEOUT_S, open_read

_SUFFIX = ".gz"
_NAME = re.compile(r"^[0-9a-f]{64}\.gz$")
# gzip level 1: 400 dev-set pages (132 KB on average) shrink 4.2x at 0.86 ms CPU a page;
# level 6 gives 4.9x for 2.0 ms. Every page a run loads is compressed (by the run's workers,
# beside extraction: `pack`), so speed wins over the last 15 %.
_LEVEL = 1
_THREADS = 4  # zlib and file writes release the GIL
# Files younger than this are left by prune: they may belong to a batch still loading.
PRUNE_MIN_AGE_S = 3600.0


class RawUnavailable(OSError):
    """A stored page's bytes are missing from the store or damaged."""


def store_root(db_path: Path | str) -> Path:
    """`data/warehouse.duckdb` → `data/warehouse.raw/` (one store per warehouse file)."""
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.stem}.raw")


def content_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def blob_path(root: Path, sha: str) -> Path:
    return root / sha[:2] / f"{sha}{_SUFFIX}"


def pack(content: bytes) -> bytes:
    """`content` as the store keeps it (gzip; mtime=0: the same bytes give the same file).
    Pure and picklable: a run's workers pack the pages they read (tasks/one_pass.py), so the
    compression runs beside extraction instead of in the run's own process."""
    return gzip.compress(content, compresslevel=_LEVEL, mtime=0)


def put(root: Path, content: bytes) -> str:
    """Store `content` (once) and return its sha256."""
    sha = content_sha256(content)
    put_packed(root, sha, lambda: pack(content))
    return sha


def put_packed(root: Path, sha: str, packed: bytes | Callable[[], bytes]) -> str:
    """Store bytes already packed (or packed on demand, only when the file is not there yet)
    under `sha`, which the caller vouches is the sha256 of the unpacked bytes (a run's doc_id
    is: tasks/ingest/records.py `doc_id_of`; `get` checks it on every read anyway)."""
    target = blob_path(root, sha)
    if target.exists():
        return sha  # content-addressed: the same name holds the same bytes
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.with_name(f".{sha}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        scratch.write_bytes(packed if isinstance(packed, bytes) else packed())
        os.replace(scratch, target)
    finally:
        scratch.unlink(missing_ok=True)
    return sha


def put_many(
    root: Path, contents: Iterable[bytes | None], packed: Iterable[tuple[str, bytes] | None] = ()
) -> list[str | None]:
    """put() each content, a few at a time on threads; None (no bytes kept) stays None.
    `packed`, in the same order where given: the (sha256, packed bytes) a worker made of that
    content already, written as they are (put_packed)."""

    def one(item: tuple[bytes | None, tuple[str, bytes] | None]) -> str | None:
        content, done = item
        if done is not None:
            return put_packed(root, *done)
        return None if content is None else put(root, content)

    items = itertools.zip_longest(contents, packed)
    with ThreadPoolExecutor(_THREADS, thread_name_prefix="newsdesk-raw") as pool:
        return list(pool.map(one, items))


def get(root: Path, sha: str) -> bytes:
    """The bytes stored under `sha`, checked against it; RawUnavailable if missing or damaged."""
    path = blob_path(root, sha)
    try:
        packed = path.read_bytes()
    except FileNotFoundError as exc:
        raise RawUnavailable(f"raw store file {path} is missing") from exc
    except OSError as exc:  # permissions, an I/O error of the disk
        raise RawUnavailable(f"raw store file {path} cannot be read: {exc}") from exc
    try:
        content = gzip.decompress(packed)
    except (OSError, EOFError, zlib.error) as exc:
        _set_aside(path)
        raise RawUnavailable(f"raw store file {path} is damaged: {exc}") from exc
    if content_sha256(content) != sha:
        _set_aside(path)
        raise RawUnavailable(f"raw store file {path} is damaged: not the bytes of its name")
    return content


def _set_aside(path: Path) -> None:
    """A damaged file is renamed out of the way (`….gz.damaged`, for a look and then for
    prune), so the next load of the same page, which only writes files that are not there,
    writes it whole again."""
    with contextlib.suppress(OSError):  # a read-only store: it stays damaged, still reported
        os.replace(path, path.with_name(path.name + ".damaged"))


@dataclass(frozen=True)
class Pruned:
    files: int
    bytes: int
    kept: int


def prune_unreferenced(
    root: Path, referenced: set[str], *, min_age_s: float = PRUNE_MIN_AGE_S
) -> Pruned:
    """Delete store files no row names, and leftover temporary files, older than `min_age_s`.
    Call it where no load runs (maintenance holds the run lock); the age guard also spares
    a batch that wrote its files and has not committed yet."""
    if not root.is_dir():
        return Pruned(0, 0, 0)
    cutoff = time.time() - min_age_s
    files = size = kept = 0
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            name = path.name
            stat = path.lstat()
            is_blob = _NAME.match(name) is not None
            if is_blob and name.removesuffix(_SUFFIX) in referenced:
                kept += 1
                continue
            if stat.st_mtime > cutoff or not (is_blob or name.endswith((".tmp", ".damaged"))):
                continue
            path.unlink(missing_ok=True)
            files += 1
            size += stat.st_size
    return Pruned(files, size, kept)


def prune_raw_store(
    db_path: Path | str,
    *,
    timeout_s: float = READ_TIMEOUT_S,
    min_age_s: float = PRUNE_MIN_AGE_S,
) -> Pruned:
    """prune_unreferenced for a warehouse's own store: the files its rows name are kept."""
    with open_read(db_path, timeout_s) as con:
        if not con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'raw_documents' "
            "AND column_name = 'content_sha256'"
        ).fetchone()[0]:
            return Pruned(0, 0, 0)  # not migrated to 0050 yet: its bytes are in the table
        referenced = {
            sha
            for (sha,) in con.execute(
                "SELECT DISTINCT content_sha256 FROM raw_documents WHERE content_sha256 NOT NULL"
            ).fetchall()
        }
    return prune_unreferenced(store_root(db_path), referenced, min_age_s=min_age_s)
