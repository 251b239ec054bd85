"""A crawl: targets (pages, feeds, sitemaps) in, RawRecords and IngestFailures out.

The crawl runs on an asyncio loop in a thread of its own, so the caller consumes a plain
iterator while fetches go on; a bounded hand-over keeps a slow consumer from piling up
pages in memory. Links found in feeds and sitemaps are queued per host and each host is
drained by at most `per_host_concurrency` workers, so one slow host never holds up the
others and a 50,000-link sitemap costs queue entries, not coroutines."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import re
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from newsdesk.core.contracts.fetch import FetchState, LogEntry, Seen
from newsdesk.core.contracts.raw import Access
from newsdesk.core.contracts.reasons import Reason
from newsdesk.core.hygiene import redact_credentials, strip_credentials
from newsdesk.core.registry import Registry, Source
from tasks.ingest.access import classify_html
from tasks.ingest.decode import HTML, decode
from tasks.ingest.records import IngestFailure, RawRecord, doc_id_of
from tasks.ingest.web.feeds import read_feed
from tasks.ingest.web.fetch import Fetched, Fetcher, FetchFailed, Validators
from tasks.ingest.web.guard import Resolver, resolve
from tasks.ingest.web.safexml import XmlRefused
from tasks.ingest.web.settings import FetchSettings
from tasks.ingest.web.sitemaps import parse_sitemap
from tasks.ingest.web.urls import canonicalize, origin

_HANDOVER = 64  # items fetched but not yet taken by the consumer


class Kind(StrEnum):
    PAGE = "page"
    FEED = "feed"
    SITEMAP = "sitemap"


@dataclass(frozen=True)
class Target:
    """Something to fetch, and the registry source it belongs to (its name becomes the
    records' source_hint, its include/exclude patterns filter the links found)."""

    url: str
    kind: Kind = Kind.PAGE
    source: Source | None = None


def targets_for_source(source: Source) -> list[Target]:
    return [
        *(Target(url, Kind.FEED, source) for url in source.feeds),
        *(Target(url, Kind.SITEMAP, source) for url in source.sitemaps),
    ]


def targets_for_urls(
    urls: Iterable[str], kind: Kind = Kind.PAGE, registry: Registry | None = None
) -> list[Target]:
    """URLs given directly; each is tied to the registry source owning its domain, if any."""
    return [Target(url, kind, registry.by_url(url) if registry else None) for url in urls]


@dataclass
class CrawlStats:
    fetched: int = 0  # answers with a body
    not_modified: int = 0  # 304
    unchanged: int = 0  # a body identical to the one remembered
    failed: int = 0
    skipped_seen: int = 0  # links remembered and not newer than their last fetch
    filtered: int = 0  # links ruled out by a source's include / exclude patterns
    records: int = 0  # pages handed on as RawRecords
    bytes: int = 0
    over_limit: int = 0  # links left out by a cap (feed items, sitemap URLs, pages per run)


Progress = Callable[[CrawlStats], None]


@dataclass(frozen=True)
class _Job:
    url: str
    kind: Kind
    source: Source | None
    discovered: bool = False  # found in a feed or sitemap, not asked for
    date: datetime | None = None  # the feed's or sitemap's date for it
    title: str | None = None
    published_raw: str | None = None
    depth: int = 0  # sitemap nesting
    parent: str | None = None  # the feed or sitemap it was found in


# What a feed or a sitemap is served as, besides the types a page is accepted under.
_FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)
# The root element of a feed or a sitemap, after the XML declaration, comments and doctype.
_XML_ROOT = re.compile(
    rb"^(?:\s|<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>|<\?xml-stylesheet[^>]*\?>)*"
    rb"<(?:[\w-]+:)?(rss|feed|RDF|urlset|sitemapindex)\b",
    re.S,
)


def served_kind(fetched: Fetched) -> Kind | None:
    """FEED or SITEMAP when a page address served one (by its root element), else None."""
    found = _XML_ROOT.match(fetched.content[:4096].lstrip(b"\xef\xbb\xbf"))
    if found is None:
        return None
    return Kind.SITEMAP if found[1] in (b"urlset", b"sitemapindex") else Kind.FEED


def _wanted(source: Source | None, url: str) -> bool:
    if source is None:
        return True
    if source.include and not any(re.search(p, url) for p in source.include):
        return False
    return not any(re.search(p, url) for p in source.exclude)


class _Crawl:
    def __init__(
        self,
        fetcher: Fetcher,
        state: FetchState,
        run_id: str,
        now: datetime,
        emit: Callable[[RawRecord | IngestFailure], Awaitable[None]],
        progress: Progress | None,
    ) -> None:
        self.fetcher = fetcher
        self.settings = fetcher.settings
        self.state = state
        self.run_id = run_id
        self.now = now
        self.emit = emit
        self.progress = progress
        self.stats = CrawlStats()
        self._queued: set[str] = set()
        self._hosts: dict[str, deque[_Job]] = {}
        self._workers: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._pages = 0  # pages queued this run, against settings.max_pages
        self._over_page_cap: dict[str, int] = {}  # feed/sitemap (or "given") -> links left out

    def add(self, job: _Job) -> None:
        # Credentials in a URL (given, or in a feed or sitemap) are never sent nor stored.
        job = replace(job, url=strip_credentials(job.url))
        key = canonicalize(job.url)
        if key in self._queued:
            return
        if job.discovered and not _wanted(job.source, job.url):
            self.stats.filtered += 1
            return
        if job.kind == Kind.PAGE:
            if self._pages >= self.settings.max_pages:
                self.stats.over_limit += 1
                where = job.parent or "the URLs given"
                self._over_page_cap[where] = self._over_page_cap.get(where, 0) + 1
                return
            self._pages += 1
        self._queued.add(key)
        host = origin(job.url)
        self._hosts.setdefault(host, deque()).append(job)
        self._pending += 1
        self._idle.clear()
        if self._workers.get(host, 0) < self.settings.per_host_concurrency:
            self._workers[host] = self._workers.get(host, 0) + 1
            task = asyncio.create_task(self._drain(host))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def run(self, targets: Iterable[Target]) -> CrawlStats:
        for target in targets:
            self.add(_Job(target.url, target.kind, target.source))
        await self._idle.wait()
        # Links over the run's page cap were not fetched nor remembered: a later run takes
        # them. One row per feed or sitemap they came from says how many.
        for where, count in self._over_page_cap.items():
            await self.emit(
                IngestFailure(
                    where,
                    Reason.OVER_LIMIT,
                    f"{count} links not fetched: the run reached its cap of "
                    f"{self.settings.max_pages} pages ([fetch] max_pages); a later run "
                    f"fetches them; run {self.run_id}",
                )
            )
        return self.stats

    async def _drain(self, host: str) -> None:
        jobs = self._hosts[host]
        try:
            while jobs:
                job = jobs.popleft()
                try:
                    await self._handle(job)
                except Exception as exc:  # a bug must not end the crawl, nor vanish
                    self.stats.failed += 1
                    await self.emit(
                        IngestFailure(
                            job.url,
                            Reason.UNREADABLE,
                            f"internal error: {type(exc).__name__}: {exc}",
                        )
                    )
                finally:
                    self._pending -= 1
                    if self.progress is not None:
                        self.progress(self.stats)
        finally:
            self._workers[host] -= 1
            if self._pending == 0:
                self._idle.set()

    def _skip(self, job: _Job, seen: Seen | None) -> bool:
        """A remembered link whose feed or sitemap date is not newer than its last fetch."""
        if not job.discovered or seen is None:
            return False
        if job.date is not None:
            return job.date <= seen.last_fetched_at
        return job.kind == Kind.PAGE and not self.settings.refetch_seen

    async def _handle(self, job: _Job) -> None:
        canonical = canonicalize(job.url)
        seen = self.state.get(canonical)
        if self._skip(job, seen):
            self.stats.skipped_seen += 1
            return
        is_page = job.kind == Kind.PAGE
        # A page address the user gave may serve a feed or a sitemap: accepted, and read as one.
        given = is_page and not job.discovered
        accept = self.settings.page_types if is_page else self.settings.xml_types
        # Sitemaps are always read in full: an index that has not changed still leads to
        # child sitemaps that have, and a 304 would leave nothing to follow.
        conditional = seen is not None and job.kind != Kind.SITEMAP
        try:
            fetched = await self.fetcher.fetch(
                job.url,
                accept=(*accept, *_FEED_TYPES) if given else accept,
                max_bytes=self.settings.max_bytes if is_page else self.settings.max_xml_bytes,
                validators=Validators(seen.etag, seen.last_modified) if conditional else None,
            )
        except FetchFailed as failed:
            await self._failed(job, failed)
            return
        if given and (served := served_kind(fetched)) is not None:
            job, is_page = replace(job, kind=served), False
        self._log(job, fetched)
        if fetched.not_modified:
            self.stats.not_modified += 1
            if seen is not None:
                self.state.remember(replace(seen, last_fetched_at=self.now, status=304))
            return
        self.stats.fetched += 1
        self.stats.bytes += len(fetched.content)
        doc_id = doc_id_of(fetched.content)
        self.state.remember(
            Seen(
                canonical,
                self.now,
                fetched.headers.get("etag"),
                fetched.headers.get("last-modified"),
                doc_id,
                fetched.status,
                fetched.final_url,
            )
        )
        if seen is not None and seen.doc_id == doc_id:
            self.stats.unchanged += 1
            if is_page:
                return
            # A feed or sitemap read again: its links pass the seen / date rules one by one,
            # so links that failed last time get another chance.
        try:
            if is_page:
                await self._page(job, fetched)
            elif job.kind == Kind.FEED:
                await self._feed(job, fetched)
            else:
                await self._sitemap(job, fetched)
        except XmlRefused as refused:
            self.stats.failed += 1
            await self.emit(
                IngestFailure(
                    job.url,
                    refused.reason,
                    self._observed(job, refused.detail, fetched.status, fetched.final_url),
                )
            )

    async def _page(self, job: _Job, fetched: Fetched) -> None:
        self.stats.records += 1
        await self.emit(
            RawRecord(
                uri=fetched.final_url,
                content=fetched.content,
                fetched_at=fetched.fetched_at,
                size_bytes=len(fetched.content),
                url=fetched.final_url,
                media_type_hint=fetched.media_type,
                charset_hint=fetched.charset,
                source_hint=job.source.name if job.source else None,
                title_hint=job.title,
                published_hint=job.published_raw,
            )
        )

    async def _capped(self, job: _Job, fetched: Fetched, found: int, cap: int, key: str) -> None:
        """One row for the links a feed or sitemap listed beyond its cap."""
        self.stats.over_limit += found - cap
        await self.emit(
            IngestFailure(
                job.url,
                Reason.OVER_LIMIT,
                self._observed(
                    job,
                    f"{found} links listed, the first {cap} taken ([fetch] {key}); "
                    f"{found - cap} left out",
                    fetched.status,
                    fetched.final_url,
                ),
            )
        )

    async def _feed(self, job: _Job, fetched: Fetched) -> None:
        entries, skipped = read_feed(
            fetched.content, url=fetched.final_url, content_type=fetched.headers.get("content-type")
        )
        for item in skipped:  # every item is accounted for: one row for each unusable link
            self.stats.failed += 1
            title = f" {item.title[:120]!r}" if item.title else ""
            await self.emit(
                IngestFailure(
                    f"{job.url}#item-{item.number}",
                    Reason.INVALID_URL,
                    self._observed(job, f"feed item {item.number}{title}: {item.why}", None, None),
                )
            )
        cap = self.settings.max_feed_items
        for entry in entries[:cap]:
            self.add(
                _Job(
                    entry.url,
                    Kind.PAGE,
                    job.source,
                    True,
                    entry.published,
                    entry.title,
                    entry.published_raw,
                    parent=job.url,
                )
            )
        if len(entries) > cap:
            await self._capped(job, fetched, len(entries), cap, "max_feed_items")

    async def _sitemap(self, job: _Job, fetched: Fetched) -> None:
        sitemap = parse_sitemap(fetched.content, max_bytes=self.settings.max_xml_bytes)
        if sitemap.is_index and job.depth >= self.settings.max_sitemap_depth:
            raise XmlRefused(
                Reason.OVER_LIMIT,
                f"sitemap indexes nested deeper than {self.settings.max_sitemap_depth} "
                "([fetch] max_sitemap_depth)",
            )
        for item in sitemap.skipped:  # like a feed's: one row for each unusable entry
            self.stats.failed += 1
            await self.emit(
                IngestFailure(
                    f"{job.url}#entry-{item.number}",
                    Reason.INVALID_URL,
                    self._observed(job, f"sitemap entry {item.number}: {item.why}", None, None),
                )
            )
        kind = Kind.SITEMAP if sitemap.is_index else Kind.PAGE
        cap = self.settings.max_sitemap_urls
        for entry in sitemap.entries[:cap]:
            self.add(
                _Job(
                    entry.url,
                    kind,
                    job.source,
                    True,
                    entry.lastmod,
                    entry.title,
                    entry.published_raw,
                    job.depth + 1,
                    job.url,
                )
            )
        if len(sitemap.entries) > cap:
            await self._capped(job, fetched, len(sitemap.entries), cap, "max_sitemap_urls")

    def _observed(self, job: _Job, detail: str, status: int | None, final: str | None) -> str:
        parts = [detail, f"url {job.url}"]
        if final and final != job.url:
            parts.append(f"final {final}")
        if status is not None:
            parts.append(f"status {status}")
        if job.source is not None:
            parts.append(f"source {job.source.name}")
        parts.append(f"run {self.run_id}")
        return redact_credentials("; ".join(parts))

    async def _failed(self, job: _Job, failed: FetchFailed) -> None:
        self.stats.failed += 1
        reason, detail = _refusal(failed)
        self.state.log(
            LogEntry(
                self.run_id,
                job.url,
                failed.status,
                str(reason),
                0,
                0.0,
                datetime.now(UTC),
                failed.final_url,
            )
        )
        if failed.attempts > 1:
            detail += f" (after {failed.attempts} attempts)"
        await self.emit(
            IngestFailure(
                job.url, reason, self._observed(job, detail, failed.status, failed.final_url)
            )
        )

    def _log(self, job: _Job, fetched: Fetched) -> None:
        self.state.log(
            LogEntry(
                self.run_id,
                job.url,
                fetched.status,
                None,
                len(fetched.content),
                fetched.elapsed_ms,
                fetched.fetched_at,
                fetched.final_url,
                fetched.headers,
            )
        )


def _refusal(failed: FetchFailed) -> tuple[Reason, str]:
    """A 401/403/429/503 whose body is a bot wall or challenge page is `blocked`, with the
    evidence; any other failure keeps its own reason."""
    if failed.body:
        decoded = decode(failed.body, media_type_hint="text/html", charset_hint=None)
        if decoded.text and decoded.media_type == HTML:
            verdict = classify_html(decoded.text, status=failed.status)
            if verdict.access == Access.BLOCKED:
                return Reason.BLOCKED, verdict.evidence or failed.detail
    return failed.reason, failed.detail


_DONE = object()


@dataclass
class _Crashed:
    error: BaseException


class _Handover:
    """Items from the crawl thread to the consumer, at most _HANDOVER waiting."""

    def __init__(self) -> None:
        self.items: queue.Queue[object] = queue.Queue()
        self.started = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task[None] | None = None
        self.slots: asyncio.Semaphore | None = None

    async def put(self, item: RawRecord | IngestFailure) -> None:
        assert self.slots is not None
        await self.slots.acquire()
        self.items.put(item)

    def taken(self) -> None:
        assert self.loop is not None and self.slots is not None
        with contextlib.suppress(RuntimeError):  # the crawl is over: nobody waits for a slot
            self.loop.call_soon_threadsafe(self.slots.release)

    def stop(self) -> None:
        self.started.wait()
        if self.loop is not None and self.task is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already finished
                self.loop.call_soon_threadsafe(self.task.cancel)


async def _crawl_main(
    handover: _Handover,
    targets: list[Target],
    settings: FetchSettings,
    state: FetchState,
    run_id: str,
    now: datetime,
    progress: Progress | None,
    resolver: Resolver,
) -> None:
    handover.loop = asyncio.get_running_loop()
    handover.task = asyncio.current_task()  # type: ignore[assignment]
    handover.slots = asyncio.Semaphore(_HANDOVER)
    handover.started.set()
    try:
        async with Fetcher(settings, resolver=resolver) as fetcher:
            crawl = _Crawl(fetcher, state, run_id, now, handover.put, progress)
            await crawl.run(targets)
            if progress is not None:
                progress(crawl.stats)
    except asyncio.CancelledError:
        pass
    except BaseException as exc:
        handover.items.put(_Crashed(exc))
    finally:
        handover.items.put(_DONE)


def collect(
    targets: Iterable[Target],
    *,
    settings: FetchSettings,
    state: FetchState,
    run_id: str,
    now: datetime,
    progress: Progress | None = None,
    resolver: Resolver = resolve,
) -> Iterator[RawRecord | IngestFailure]:
    """Fetch the targets and what their feeds and sitemaps link to, politely and safely.

    Yields a RawRecord per new or changed page and an IngestFailure per target or link that
    could not be fetched or read. `state` is read and updated (seen pages, fetch log); save
    it only after the records are committed, or a crash in between would mark pages as
    seen that never reached the warehouse. `now` (the run's start) is stored as each page's
    last fetch time; `progress` is called from the crawl thread after every link."""
    handover = _Handover()
    thread = threading.Thread(
        target=asyncio.run,
        name=f"newsdesk-fetch-{run_id}",
        daemon=True,
        args=(
            _crawl_main(handover, list(targets), settings, state, run_id, now, progress, resolver),
        ),
    )
    thread.start()
    try:
        while True:
            item = handover.items.get()
            if item is _DONE:
                break
            if isinstance(item, _Crashed):
                raise item.error
            handover.taken()
            yield item  # type: ignore[misc]
    finally:
        if thread.is_alive():
            handover.stop()
            thread.join()
