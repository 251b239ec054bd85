"""Listing a folder has the read deadline, like opening and reading a file.

The fault: a real folder whose listing takes longer than the deadline allows. A listing that
hangs for good needs a file system that stops answering (a hung NFS or FUSE mount), which a
test cannot mount portably; what newsdesk does is the same for both, because the listing runs
on a worker thread that is abandoned at the deadline whatever keeps it busy. So the folder
here is big (30,000 entries) and the deadline small (0.5 ms): os.scandir cannot list it in
time on any machine, and the test measures that the walk did not wait for it.
"""

from __future__ import annotations

import time
from pathlib import Path

from newsdesk.core.contracts.reasons import Reason
from tasks.ingest.files import discover, iter_items
from tasks.ingest.records import IngestFailure

ENTRIES = 30_000
DEADLINE_S = 0.0005


def _slow_folder(parent: Path) -> Path:
    folder = parent / "huge"
    folder.mkdir()
    for i in range(ENTRIES):
        (folder / f"{i:05}.html").touch()
    return folder


def test_a_folder_listing_past_its_deadline_is_a_timeout_row_and_the_walk_goes_on(
    tmp_path: Path,
) -> None:
    roots = tmp_path / "in"
    roots.mkdir()
    slow = _slow_folder(roots)
    (roots / "a.html").write_text("<html><p>first</p></html>")
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.html").write_text("<html><p>second</p></html>")

    # with a deadline it can meet, the same folder is listed whole
    found = list(discover([roots, other], timeout_s=30.0))
    assert len(found) == ENTRIES + 2 and all(isinstance(p, Path) for p in found)

    # (a file given by name is not listed: only the huge folder meets the tiny deadline)
    started = time.monotonic()
    found = list(discover([slow, other / "b.html"], timeout_s=DEADLINE_S))
    took = time.monotonic() - started
    failures = [f for f in found if isinstance(f, IngestFailure)]
    assert [(f.uri, f.reason) for f in failures] == [(slow.as_uri(), Reason.TIMEOUT)]
    assert "listing: no answer within" in failures[0].observed
    assert [p for p in found if isinstance(p, Path)] == [other / "b.html"]
    assert took < 5.0

    # a run's reader gets the same row
    first = next(iter_items([slow], max_bytes=1 << 20, read_timeout_s=DEADLINE_S))
    assert isinstance(first, IngestFailure) and first.reason == Reason.TIMEOUT
