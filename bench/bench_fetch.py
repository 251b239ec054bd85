"""Crawl throughput against local hosts, then the same crawl again (incremental).

    .venv/bin/python -m bench.bench_fetch                         # 20 hosts x 50 pages
    .venv/bin/python -m bench.bench_fetch --hosts 5 --pages 20 --per-host-concurrency 4

A child process serves N hosts (one port each on 127.0.0.1), each with robots.txt, an RSS
feed (ETag-aware) listing its pages, and the pages (~20 KB of HTML, ETag-aware). The crawl
starts from the N feeds with per-host delay 0 and collects RawRecords (fetched and
processed up to the ingest hand-over; clean and extract come later). The second run reuses
the first run's FetchState an hour later: every feed answers 304, so no page is asked for.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

from newsdesk.core.contracts.fetch import FetchState
from tasks.ingest.records import IngestFailure, RawRecord
from tasks.ingest.web.collect import CrawlStats, Kind, Target, collect
from tasks.ingest.web.settings import FetchSettings

_FILLER = " ".join(f"Paragraph text number {n} of a long news story." for n in range(350))


def _page(host: int, n: int) -> bytes:
    return (
        f"<!doctype html><html><head><title>Host {host} story {n}</title></head><body>"
        f"<h1>Story {n}</h1><p>{_FILLER}</p></body></html>"
    ).encode()


def _feed(port: int, pages: int) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>http://127.0.0.1:{port}/story/{n}</link>"
        f"<pubDate>Tue, 10 Jun 2025 08:{n % 60:02d}:00 GMT</pubDate></item>"
        for n in range(pages)
    )
    return f'<rss version="2.0"><channel><title>h</title>{items}</channel></rss>'.encode()


def _serve(ports: list, pages: int, hits, ready) -> None:  # runs in the child process
    def handler_for(host: int):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with hits.get_lock():
                    hits.value += 1
                port = self.server.server_address[1]
                if self.path == "/robots.txt":
                    body, kind = b"User-agent: *\nDisallow: /private/\n", "text/plain"
                elif self.path == "/feed.xml":
                    body, kind = _feed(port, pages), "application/rss+xml"
                elif self.path.startswith("/story/"):
                    body, kind = _page(host, int(self.path.rsplit("/", 1)[1])), "text/html"
                else:
                    body, kind = b"no", "text/plain"
                tag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
                if self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.send_header("ETag", tag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200 if body != b"no" else 404)
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("ETag", tag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    servers = [ThreadingHTTPServer(("127.0.0.1", 0), handler_for(i)) for i in range(len(ports))]
    for i, server in enumerate(servers):
        server.daemon_threads = True
        ports[i] = server.server_address[1]
        Thread(target=server.serve_forever, daemon=True).start()
    ready.set()
    while True:
        time.sleep(3600)


@contextmanager
def local_hosts(hosts: int, pages: int) -> Iterator[tuple[list[int], Any]]:
    """`hosts` hosts of `pages` pages each, served by a child process (so that serving costs
    the measured process nothing); yields their ports and the shared count of requests
    answered (`.value`). The child is stopped on leaving."""
    context = multiprocessing.get_context("spawn")
    manager = context.Manager()
    ports = manager.list([0] * hosts)
    hits, ready = context.Value("q", 0), context.Event()
    server = context.Process(target=_serve, args=(ports, pages, hits, ready), daemon=True)
    server.start()
    try:
        if not ready.wait(30):
            raise RuntimeError("the local hosts did not start within 30 s")
        yield list(ports), hits
    finally:
        server.terminate()
        manager.shutdown()


def _run(
    targets: list[Target],
    settings: FetchSettings,
    state: FetchState,
    now: datetime,
    label: str,
    hits,
) -> None:
    before = hits.value
    last: list[CrawlStats] = []
    started = time.perf_counter()
    records = failures = 0
    for item in collect(
        targets, settings=settings, state=state, run_id=label, now=now, progress=last.append
    ):
        if isinstance(item, RawRecord):
            records += 1
        elif isinstance(item, IngestFailure):
            failures += 1
    seconds = time.perf_counter() - started
    stats = last[-1]
    requests = hits.value - before
    print(
        f"{label}: {records} records, {failures} failures, {requests} requests "
        f"({stats.fetched} with a body, {stats.not_modified} not modified, "
        f"{stats.skipped_seen} links skipped as seen) in {seconds:.2f} s: "
        f"{records / seconds:.1f} pages/s, {requests / seconds:.1f} requests/s, "
        f"{stats.bytes / seconds / 1e6:.1f} MB/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--per-host-concurrency", type=int, default=2)
    parser.add_argument("--total-concurrency", type=int, default=32)
    args = parser.parse_args()

    with local_hosts(args.hosts, args.pages) as (ports, hits):
        targets = [Target(f"http://127.0.0.1:{port}/feed.xml", Kind.FEED) for port in ports]
        settings = replace(
            FetchSettings(),
            allow=("127.0.0.1:*",),
            per_host_delay_s=0.0,
            per_host_concurrency=args.per_host_concurrency,
            total_concurrency=args.total_concurrency,
        )
        state = FetchState()
        now = datetime.now(UTC)
        print(
            f"{args.hosts} hosts x {args.pages} pages, per-host concurrency "
            f"{args.per_host_concurrency}, total {args.total_concurrency}, delay 0"
        )
        _run(targets, settings, state, now, "first run", hits)
        _run(targets, settings, state, now + timedelta(hours=1), "second run", hits)


if __name__ == "__main__":
    main()
