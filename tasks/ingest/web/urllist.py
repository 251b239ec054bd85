"""Plain URL lists: a file with one URL a line (# comments, blank lines), or arguments."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from newsdesk.core.contracts.reasons import Reason
from tasks.ingest.records import IngestFailure
from tasks.ingest.web.urls import is_web_url


def read_url_list(path: Path) -> Iterator[str | IngestFailure]:
    """Each URL of the file; a line that is not an http(s) URL is a failure, not a skip.
    Only a regular file is opened (a FIFO given by mistake would block the run)."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise ValueError(f"{path}: not a regular file")
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            if is_web_url(text):
                yield text
            else:
                yield IngestFailure(
                    f"{path.resolve().as_uri()}#L{number}",
                    Reason.INVALID_URL,
                    f"line {number}: not an http(s) URL: {text[:200]!r}",
                )
