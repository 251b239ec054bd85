"""Hostile and odd local inputs, each with the real fault: a record's failure is the record's,
only regular files under the folder given are read, and valid odd inputs load."""

from __future__ import annotations

import gzip
import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest

from newsdesk.core.contracts.reasons import Reason
from tasks.ingest.files import _Skipped, bounded, iter_items
from tasks.ingest.records import IngestFailure, RawRecord, stated_url, to_frames

BODY = (
    "The city council voted on Tuesday to approve a new budget for public transport after "
    "months of debate over fares and service cuts. The plan adds buses on busy routes."
)


def items_within(paths: list[Path], seconds: float, **kwargs) -> list[RawRecord | IngestFailure]:
    """iter_items on a thread: a test of "never blocks" must not itself block forever."""
    found: list = []
    worker = threading.Thread(
        target=lambda: found.extend(iter_items(paths, max_bytes=1_000_000, **kwargs)),
        daemon=True,
    )
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"reading {paths} took longer than {seconds} s"
    return found


def by_name(items: list) -> dict[str, RawRecord | IngestFailure]:
    return {item.uri.rsplit("/", 1)[1]: item for item in items}


def test_each_hostile_jsonl_line_fails_alone_and_the_file_goes_on(tmp_path: Path) -> None:
    good = {"url": "https://a.example/ok", "title": "Fine", "text": BODY}
    lines = [
        json.dumps(good),
        "[" * 100_000 + "]" * 100_000,  # RecursionError in json.loads
        '{"url": "https://a.example/s", "title": "x\\ud800y", "text": "t\\ud800 ' + BODY + '"}',
        '{"url": "https://a.example/\\ud800", "text": "' + BODY + '"}',
        '{"url": "https://a.example/big", "n": ' + "7" * 5000 + ', "text": "' + BODY + '"}',
        '{"url": "https://a.example/nul", "text": "a\\u0000b\\u0007c ' + BODY + '"}',
        '{"url": "https://a.example/\\u0000x", "text": "' + BODY + '"}',
        json.dumps(good | {"url": "https://user:secret@a.example/cred"}),
    ]
    export = tmp_path / "export.jsonl"
    export.write_bytes("\n".join(lines).encode() + b"\n\xff\xfe{bad utf-8\n" + b"{}" + b"\n")
    started = time.monotonic()
    items = items_within([export], 30)
    elapsed = time.monotonic() - started
    assert elapsed < 5  # measured well under a second; the bound allows for a loaded machine
    outcome = {item.uri.rsplit("#", 1)[1]: item for item in items}
    assert list(outcome) == [f"L{n}" for n in range(1, 11)]  # every line, none lost
    records = {k: v for k, v in outcome.items() if isinstance(v, RawRecord)}
    failures = {k: v for k, v in outcome.items() if isinstance(v, IngestFailure)}
    assert sorted(records) == ["L1", "L3", "L5", "L6", "L8"]
    assert {f.reason for f in failures.values()} == {Reason.MALFORMED_RECORD}
    assert "nested too deeply" in failures["L2"].observed
    assert "surrogate" in failures["L4"].observed
    assert "not an http(s) URL" in failures["L7"].observed
    # A lone surrogate in text or title is replaced, never passed on to fail a frame.
    assert records["L3"].title_hint == "x\ufffdy"
    assert records["L8"].url == "https://a.example/cred"
    raw, rejects = to_frames(items, run_id="r", max_bytes=1_000_000)
    assert raw.height == 5 and rejects.height == 5
    texts = dict(zip(raw["uri"].str.extract(r"#(L\d+)$"), raw["text"], strict=True))
    assert texts["L6"].startswith("abc ")  # NUL and BEL dropped from the text
    assert "secret" not in " ".join(raw["url"].drop_nulls())


def test_a_line_longer_than_max_bytes_is_skipped_not_held(tmp_path: Path) -> None:
    export = tmp_path / "long.jsonl"
    huge = json.dumps({"url": "https://a.example/h", "text": "x" * 3_000_000})
    export.write_text(huge + "\n" + json.dumps({"url": "https://a.example/n", "text": BODY}))
    items = list(iter_items([export], max_bytes=1_000_000))
    assert [type(i).__name__ for i in items] == ["IngestFailure", "RawRecord"]
    assert items[0].reason == Reason.TOO_LARGE


def test_a_fifo_named_page_html_is_skipped_without_being_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "page.html")
    (tmp_path / "real.html").write_text("<html><body><p>" + BODY + "</p></body></html>")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.html"))
    try:
        started = time.monotonic()
        items = by_name(items_within([tmp_path], 10))
        elapsed = time.monotonic() - started
    finally:
        server.close()
    assert elapsed < 2  # no open(): a FIFO with no writer would block here forever
    assert (items["page.html"].reason, items["page.html"].observed) == (
        Reason.SPECIAL_FILE,
        "FIFO: not opened",
    )
    assert items["sock.html"].reason == Reason.SPECIAL_FILE
    assert "socket" in items["sock.html"].observed
    assert isinstance(items["real.html"], RawRecord)


def test_a_fifo_sidecar_and_a_device_given_directly_are_not_opened(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("<html><body><p>" + BODY + "</p></body></html>")
    os.mkfifo(tmp_path / "page.html.meta.json")
    [item] = items_within([tmp_path], 10)
    assert item.reason == Reason.SPECIAL_FILE and "sidecar" in item.observed
    [device] = items_within([Path("/dev/zero")], 10)
    assert device.reason == Reason.SPECIAL_FILE and "character device" in device.observed


def test_symlinks_leaving_the_input_folder_are_refused(tmp_path: Path) -> None:
    inputs, outside = tmp_path / "inputs", tmp_path / "outside"
    inputs.mkdir()
    outside.mkdir()
    secret = outside / "passwd.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (outside / "more").mkdir()
    (outside / "more" / "page.txt").write_text(BODY)
    (inputs / "passwd.txt").symlink_to(secret)
    (inputs / "etc-passwd.txt").symlink_to("/etc/passwd")
    (inputs / "linked-dir").symlink_to(outside / "more")
    (inputs / "own.txt").write_text(BODY)
    (inputs / "alias.txt").symlink_to(inputs / "own.txt")  # inside the root: read
    items = by_name(items_within([inputs], 10))
    for name in ("passwd.txt", "etc-passwd.txt", "linked-dir"):
        assert items[name].reason == Reason.OUTSIDE_ROOT, name
    assert str(secret) in items["passwd.txt"].observed
    assert isinstance(items["own.txt"], RawRecord) and isinstance(items["alias.txt"], RawRecord)
    assert b"root:x" not in b"".join(i.content for i in items.values() if isinstance(i, RawRecord))

    followed = by_name(items_within([inputs], 10, follow_links=True))
    assert isinstance(followed["passwd.txt"], RawRecord)
    assert isinstance(followed["page.txt"], RawRecord)  # from the followed folder


def test_symlink_loops_are_walked_once_when_following(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "page.txt").write_text(BODY)
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    items = items_within([tmp_path], 10, follow_links=True)
    assert [i.uri.rsplit("/", 2)[-2:] for i in items] == [["a", "page.txt"]]


def test_every_read_has_a_deadline(tmp_path: Path) -> None:
    """The deadline on a real read that never returns: opening a FIFO with no writer."""
    fifo = tmp_path / "stuck"
    os.mkfifo(fifo)

    def read_all() -> bytes:
        with fifo.open("rb") as stream:
            return stream.read()

    started = time.monotonic()
    with pytest.raises(_Skipped) as skipped:
        bounded(read_all, 0.5, "read")
    elapsed = time.monotonic() - started
    assert skipped.value.reason == Reason.TIMEOUT
    assert 0.5 <= elapsed < 10  # the read never returns: the bound only allows for load
    # Let the abandoned reader finish, so the test leaves no thread behind.
    with open(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK), "wb"):
        pass
    time.sleep(0.1)


def test_reads_share_one_thread_and_one_that_hangs_keeps_it(tmp_path: Path) -> None:
    """Bounded calls run on one thread in turn (no thread started per read); a call past its
    deadline is left its thread, and the calls after it get a thread of their own."""
    threads = {bounded(lambda: threading.get_ident(), 5, "read") for _ in range(20)}
    assert len(threads) == 1
    release = threading.Event()
    with pytest.raises(_Skipped):
        bounded(lambda: release.wait(30), 0.2, "read")
    after = bounded(lambda: threading.get_ident(), 5, "read")
    assert after not in threads
    assert bounded(lambda: "still read", 5, "read") == "still read"
    release.set()


def test_gzipped_pages_are_read_and_bounded(tmp_path: Path) -> None:
    page = "<html><body><h1>Title</h1><p>" + BODY + "</p></body></html>"
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(page.encode()))
    (tmp_path / "page.html.meta.json").write_text(json.dumps({"url": "https://a.example/gz"}))
    (tmp_path / "bomb.html.gz").write_bytes(gzip.compress(b"<p>" + b"a" * 5_000_000))
    (tmp_path / "broken.html.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    raw, rejects = to_frames(
        iter_items([tmp_path], max_bytes=1_000_000), run_id="r", max_bytes=1_000_000
    )
    rows = {r["uri"].rsplit("/", 1)[1]: r for r in raw.iter_rows(named=True)}
    assert rows["page.html.gz"]["media_type"] == "text/html"
    assert rows["page.html.gz"]["text"] == page
    assert rows["page.html.gz"]["url"] == "https://a.example/gz"
    # A bomb is read to max_bytes + 1 and no further: too_large for the gate.
    assert rows["bomb.html.gz"]["size_bytes"] == 1_000_001
    assert rows["bomb.html.gz"]["content"] == b""
    assert rejects["reason"].to_list() == [Reason.UNREADABLE]


def test_a_page_with_a_few_control_characters_is_text(tmp_path: Path) -> None:
    page = "<html><body><p>" + BODY.replace("council", "coun\x00cil\x01") + "</p></body></html>"
    (tmp_path / "page.html").write_bytes(page.encode())
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 16)
    raw, _ = to_frames(iter_items([tmp_path], max_bytes=100_000), run_id="r", max_bytes=100_000)
    rows = {r["uri"].rsplit("/", 1)[1]: r for r in raw.iter_rows(named=True)}
    assert rows["page.html"]["media_type"] == "text/html"
    assert "city council voted" in rows["page.html"]["text"]
    assert rows["blob.bin"]["media_type"] == "application/octet-stream"


def test_a_text_dump_stating_its_url_gets_it(tmp_path: Path) -> None:
    (tmp_path / "dump.txt").write_text(
        "Al Mayadeen English\n\nURL: https://english.almayadeen.net/news/x?a=1\n\n" + BODY
    )
    (tmp_path / "late.txt").write_text("Title\n\n" + "line\n" * 20 + "URL: https://x.example/\n")
    raw, _ = to_frames(iter_items([tmp_path], max_bytes=100_000), run_id="r", max_bytes=100_000)
    urls = dict(zip(raw["uri"].str.extract(r"/([^/]+)$"), raw["url"], strict=True))
    assert urls == {"dump.txt": "https://english.almayadeen.net/news/x?a=1", "late.txt": None}
    assert stated_url("URL: https://u:p@a.example/x\n") == "https://a.example/x"
    assert stated_url("URL: javascript:alert(1)\n") is None
