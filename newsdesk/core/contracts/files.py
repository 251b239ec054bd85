"""What a run remembers of the local files it read (warehouse table file_reads), so that a
rerun skips the unchanged ones without reading them."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

FILE_READ_SCHEMA = pl.Schema(
    {
        "uri": pl.String,
        "size_bytes": pl.Int64,
        "mtime_ns": pl.Int64,
        "sidecar_mtime_ns": pl.Int64,
    }
)


@dataclass(frozen=True)
class FileStamp:
    """A file as the file system describes it: unchanged while these are equal."""

    size_bytes: int
    mtime_ns: int
    sidecar_mtime_ns: int | None


@dataclass(frozen=True)
class FileRead:
    """Marks the end of one file's records in the item stream: once the batch holding it is
    loaded, every record of the file is in the warehouse."""

    uri: str
    stamp: FileStamp


@dataclass(frozen=True)
class FileUnchanged:
    """A file skipped because its stamp equals the one on record; it counts as a duplicate."""

    uri: str


def file_reads_frame(reads: list[FileRead]) -> pl.DataFrame:
    return pl.DataFrame(
        [(r.uri, r.stamp.size_bytes, r.stamp.mtime_ns, r.stamp.sidecar_mtime_ns) for r in reads],
        schema=FILE_READ_SCHEMA,
        orient="row",
    )
