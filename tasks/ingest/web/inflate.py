"""Inflating gzip / zlib data to a size cap, checked as it inflates: a bomb (a few kB that
inflate to gigabytes) stops at the cap instead of filling memory. For fetched bodies, as they
arrive, and for .gz sitemaps."""

from __future__ import annotations

import zlib

# wbits 32 + 15: a zlib or gzip header, detected; 16 + 15: gzip only.
ANY_HEADER = 32 + zlib.MAX_WBITS
GZIP_ONLY = 16 + zlib.MAX_WBITS


class TooLarge(ValueError):
    """The data inflates to more than the cap."""


class BadData(ValueError):
    """Not valid compressed data (zlib's message)."""


class CappedInflater:
    """Feed compressed chunks, get their inflated bytes; never more than `max_bytes` in all."""

    def __init__(self, max_bytes: int, wbits: int = ANY_HEADER) -> None:
        self._inflater = zlib.decompressobj(wbits)
        self._max = max_bytes
        self.size = 0

    def _counted(self, out: bytes) -> bytes:
        self.size += len(out)
        if self.size > self._max:
            raise TooLarge(f"more than {self._max} bytes")
        return out

    def feed(self, data: bytes) -> bytes:
        parts = []
        while data:
            try:
                out = self._inflater.decompress(data, self._max - self.size + 1)
            except zlib.error as exc:
                raise BadData(str(exc)) from exc
            parts.append(self._counted(out))
            data = self._inflater.unconsumed_tail
        return b"".join(parts)

    def flush(self) -> bytes:
        return self._counted(self._inflater.flush())


def inflate(content: bytes, max_bytes: int, wbits: int = ANY_HEADER) -> bytes:
    """All of `content`, inflated, when that is at most `max_bytes`."""
    inflater = CappedInflater(max_bytes, wbits)
    return inflater.feed(content) + inflater.flush()
