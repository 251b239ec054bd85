"""One HTTP GET done safely: guarded addresses, redirects followed by hand, robots.txt,
a hard deadline, a size cap counted after decompression, retries for transient failures.

asyncio (httpx.AsyncClient) rather than threads: a whole request, headers and body, sits
under one `asyncio.timeout`, so a server that trickles a byte every few seconds is cut off
at the deadline — a thread blocked in a read cannot be interrupted like that — and a few
thousand waiting requests across many hosts cost coroutines, not threads."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from newsdesk.core.contracts.reasons import Reason
from tasks.ingest.web.guard import AddressGuard, BlockedAddress, GuardedBackend, Resolver, resolve
from tasks.ingest.web.inflate import BadData, CappedInflater, TooLarge
from tasks.ingest.web.polite import Politeness
from tasks.ingest.web.robots import MAX_ROBOTS_BYTES, RobotsRules, rules_for
from tasks.ingest.web.settings import FetchSettings
from tasks.ingest.web.urls import is_web_url, origin, without_fragment

# Headers worth keeping with a fetch (fetch_log) or needed for the next one.
KEPT_HEADERS = (
    "content-type",
    "content-length",
    "content-encoding",
    "content-language",
    "etag",
    "last-modified",
    "date",
    "retry-after",
    "location",
    "x-robots-tag",
    "cache-control",
    "server",
)
_REDIRECTS = {301, 302, 303, 307, 308}
# A refusal's body is kept (this much of it) to tell a bot wall or challenge page from a
# plain error: tasks/ingest/access.py reads it.
_REFUSED = {401, 403, 429, 503}
MAX_REFUSAL_BYTES = 256_000
_INFLATE = {"gzip", "x-gzip", "deflate"}


class FetchFailed(Exception):
    """A request that produced no usable answer. `transient` ones are worth another try."""

    def __init__(
        self,
        reason: Reason,
        detail: str,
        *,
        status: int | None = None,
        final_url: str | None = None,
        transient: bool = False,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.status = status
        self.final_url = final_url
        self.transient = transient
        self.retry_after_s = retry_after_s
        self.attempts = 1
        self.waited_s = 0.0  # how long the server held the request before it failed
        self.body: bytes | None = None  # a refusal's body (401, 403, 429, 503), capped
        self.content_type: str | None = None


@dataclass(frozen=True)
class Validators:
    """What the last fetch of a page said, for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Fetched:
    url: str  # as requested
    final_url: str  # after redirects
    status: int  # 2xx, or 304 (not modified: content is empty)
    content: bytes
    headers: dict[str, str]
    fetched_at: datetime
    elapsed_ms: float
    attempts: int = 1
    redirects: tuple[str, ...] = field(default=())

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def media_type(self) -> str | None:
        value = self.headers.get("content-type")
        return value.split(";")[0].strip().lower() if value else None

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


def retry_after_s(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds (RFC 9110 §10.2.3: delay-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class _Capped:
    """Counts body bytes as they arrive, inflating a compressed body as it comes so that a
    gzip bomb is stopped at the cap instead of filling memory."""

    def __init__(self, encoding: str, max_bytes: int) -> None:
        self._inflater = CappedInflater(max_bytes) if encoding in _INFLATE else None
        self._max = max_bytes
        self._parts: list[bytes] = []
        self._size = 0

    def _too_large(self) -> FetchFailed:
        return FetchFailed(Reason.TOO_LARGE, f"body larger than {self._max} bytes")

    def feed(self, raw: bytes) -> None:
        if self._inflater is None:
            self._size += len(raw)
            if self._size > self._max:
                raise self._too_large()
            self._parts.append(raw)
            return
        try:
            self._parts.append(self._inflater.feed(raw))
        except TooLarge:
            raise self._too_large() from None
        except BadData as exc:
            raise FetchFailed(Reason.UNREADABLE, f"bad compressed body: {exc}") from exc

    def body(self) -> bytes:
        if self._inflater is not None:
            try:
                self._parts.append(self._inflater.flush())
            except TooLarge:
                raise self._too_large() from None
        return b"".join(self._parts)


class _Deadline:
    """The time one fetch may take, counted from its first request (not from when it was
    queued behind the host's politeness delay), across every attempt and redirect."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._at: float | None = None

    def start(self) -> float:
        if self._at is None:
            self._at = asyncio.get_running_loop().time() + self.seconds
        return self._at

    def left(self) -> float:
        return self.start() - asyncio.get_running_loop().time()


def _stall_is_timeout(failed: FetchFailed, waited_s: float, deadline_s: float) -> None:
    """A server that holds each request silent and then closes the connection fails as a
    connection error, but what it cost is time: when those silences used at least half the
    fetch's deadline, the fetch is a `timeout`. A close that came early (a refused or reset
    connection, a server that hangs up at once) stays `connection_error`."""
    if failed.reason == Reason.CONNECTION_ERROR and waited_s >= deadline_s / 2:
        failed.reason = Reason.TIMEOUT
        failed.detail = (
            f"the server held the request {waited_s:.1f}s over {failed.attempts} attempt(s), "
            f"then closed the connection; the {deadline_s:g}s deadline ran out ({failed.detail})"
        )


async def _with_body(
    failed: FetchFailed, response: httpx.Response, kept: dict[str, str]
) -> FetchFailed:
    """A refusal with the start of its body, when it may be a challenge page (best effort: a
    body that cannot be read leaves the plain HTTP status)."""
    if failed.status not in _REFUSED:
        return failed
    body = _Capped(kept.get("content-encoding", "identity").strip().lower(), MAX_REFUSAL_BYTES)
    try:
        async for raw in response.aiter_raw():
            body.feed(raw)
        failed.body = body.body()
    except (FetchFailed, httpx.HTTPError):
        return failed
    failed.content_type = kept.get("content-type")
    return failed


def _kept(headers: httpx.Headers) -> dict[str, str]:
    return {name: headers[name] for name in KEPT_HEADERS if name in headers}


class Fetcher:
    """Holds the connection pools, the per-host turns and the robots.txt cache of one crawl.
    Use inside `async with`."""

    def __init__(self, settings: FetchSettings, *, resolver: Resolver = resolve) -> None:
        self.settings = settings
        self.polite = Politeness(
            per_host_concurrency=settings.per_host_concurrency,
            per_host_delay_s=settings.per_host_delay_s,
            total_concurrency=settings.total_concurrency,
        )
        self._backend = GuardedBackend(AddressGuard.from_allow(settings.allow), resolver)
        self._clients: dict[str, httpx.AsyncClient] = {}
        # Built once: loading the CA bundle takes ~0.1 s, too long to do per host.
        self._tls = httpx.create_ssl_context()
        self._robots: dict[str, asyncio.Task[RobotsRules | FetchFailed]] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in self._clients.values():
            await client.aclose()

    def _client(self, home: str) -> httpx.AsyncClient:
        """A small connection pool per origin: httpcore matches requests to connections by
        scanning its whole pool, which a single pool over many hosts makes the bottleneck."""
        client = self._clients.get(home)
        if client is None:
            size = self.settings.per_host_concurrency + 1  # + robots.txt
            transport = httpx.AsyncHTTPTransport(
                verify=self._tls,
                limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
            )
            # httpx builds its own pool; this one differs only in where it may connect. httpx
            # has no public hook for the network backend, so httpx is pinned (pyproject.toml)
            # and the pin, the attribute and the guard are tested (test_web_urls_guard.py).
            transport._pool._network_backend = self._backend
            client = self._clients[home] = httpx.AsyncClient(
                transport=transport,
                trust_env=False,  # a proxy from the environment would bypass the guard
                follow_redirects=False,
                timeout=httpx.Timeout(
                    self.settings.read_timeout_s, connect=self.settings.connect_timeout_s
                ),
                headers={
                    "User-Agent": self.settings.user_agent,
                    "Accept-Encoding": "gzip, deflate",
                },
            )
        return client

    async def fetch(
        self,
        url: str,
        *,
        accept: tuple[str, ...] | None = None,
        max_bytes: int | None = None,
        validators: Validators | None = None,
        robots: bool = True,
    ) -> Fetched:
        """The page at `url`, retried on transient failures; raises FetchFailed."""
        settings = self.settings
        max_bytes = settings.max_bytes if max_bytes is None else max_bytes
        backoff = wait_random_exponential(
            multiplier=settings.backoff_base_s, max=settings.max_wait_s
        )

        def wait(state: RetryCallState) -> float:
            failed = state.outcome.exception() if state.outcome else None
            if isinstance(failed, FetchFailed) and failed.retry_after_s is not None:
                # the server said when: its host waits that long, other hosts go on
                self.polite.pause(origin(failed.final_url or url), failed.retry_after_s)
                return 0.0
            return backoff(state)

        # One deadline for every attempt and the waits between them: a server that stalls
        # each time costs deadline_s, not (retries + 1) x deadline_s.
        deadline = _Deadline(settings.deadline_s)

        def out_of_time(state: RetryCallState) -> bool:
            failed = state.outcome.exception() if state.outcome else None
            later = failed.retry_after_s if isinstance(failed, FetchFailed) else None
            return deadline.left() <= max(state.upcoming_sleep or 0.0, later or 0.0)

        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda exc: isinstance(exc, FetchFailed) and exc.transient),
            stop=stop_after_attempt(settings.retries + 1) | out_of_time,
            wait=wait,
            reraise=True,
        )
        waited = 0.0
        try:
            async for attempt in retrying:
                with attempt:
                    tries = attempt.retry_state.attempt_number
                    try:
                        fetched = await self._follow(
                            url, accept, max_bytes, validators, robots, deadline
                        )
                    except FetchFailed as failed:
                        failed.attempts = tries
                        waited += failed.waited_s
                        later = failed.retry_after_s
                        if later is not None and later > settings.max_wait_s:
                            failed.detail += (
                                f" (Retry-After {later:.0f}s exceeds {settings.max_wait_s}s)"
                            )
                            failed.transient = False
                        raise
                    return replace(fetched, attempts=tries)
        except FetchFailed as failed:
            _stall_is_timeout(failed, waited, settings.deadline_s)
            raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _follow(
        self,
        url: str,
        accept: tuple[str, ...] | None,
        max_bytes: int,
        validators: Validators | None,
        robots: bool,
        deadline: _Deadline,
    ) -> Fetched:
        current = without_fragment(url)
        hops: list[str] = []
        for _ in range(self.settings.max_redirects + 1):
            if not is_web_url(current):
                raise FetchFailed(
                    Reason.INVALID_URL, f"not an http(s) URL: {current!r}", final_url=current
                )
            if current in hops:
                raise FetchFailed(
                    Reason.REDIRECT_LOOP, " → ".join([*hops, current]), final_url=current
                )
            hops.append(current)
            if robots:
                await self._check_robots(current)
            result = await self._once(current, accept, max_bytes, validators, deadline)
            if isinstance(result, Fetched):
                return replace(result, url=url, redirects=tuple(hops[:-1]))
            current = without_fragment(urljoin(current, result))
        raise FetchFailed(
            Reason.TOO_MANY_REDIRECTS,
            f"more than {self.settings.max_redirects} redirects: " + " → ".join(hops),
            final_url=current,
        )

    async def _once(
        self,
        url: str,
        accept: tuple[str, ...] | None,
        max_bytes: int,
        validators: Validators | None,
        deadline: _Deadline,
    ) -> Fetched | str:
        """One request: the answer, or the Location of a redirect."""
        headers = {}
        if validators is not None and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators is not None and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        async with self.polite.turn(origin(url)):
            started = time.perf_counter()
            try:
                async with asyncio.timeout_at(deadline.start()):
                    return await self._exchange(url, headers, accept, max_bytes, started)
            except FetchFailed as failed:
                failed.final_url = failed.final_url or url
                raise
            except TimeoutError as exc:
                raise FetchFailed(
                    Reason.TIMEOUT,
                    f"no complete answer within {self.settings.deadline_s}s",
                    final_url=url,
                ) from exc
            except httpx.ConnectTimeout as exc:
                raise FetchFailed(
                    Reason.TIMEOUT, f"connect timeout: {exc}", final_url=url, transient=True
                ) from exc
            except httpx.TimeoutException as exc:
                # A stalled server usually stalls again: not retried within this run.
                raise FetchFailed(
                    Reason.TIMEOUT,
                    f"{type(exc).__name__}: silent for {self.settings.read_timeout_s}s",
                    final_url=url,
                ) from exc
            except BlockedAddress as exc:
                raise FetchFailed(Reason.BLOCKED_ADDRESS, str(exc), final_url=url) from exc
            except (httpx.TransportError, httpx.DecodingError) as exc:
                failed = FetchFailed(
                    Reason.CONNECTION_ERROR,
                    f"{type(exc).__name__}: {exc}",
                    final_url=url,
                    transient=True,
                )
                failed.waited_s = time.perf_counter() - started
                raise failed from exc

    async def _exchange(
        self,
        url: str,
        headers: dict[str, str],
        accept: tuple[str, ...] | None,
        max_bytes: int,
        started: float,
    ) -> Fetched | str:
        client = self._client(origin(url))
        request = client.build_request("GET", url, headers=headers)
        response = await client.send(request, stream=True)
        try:
            status = response.status_code
            kept = _kept(response.headers)
            if status in _REDIRECTS and "location" in response.headers:
                return response.headers["location"]
            if status in (429, 503) or status >= 500:
                wait = retry_after_s(response.headers.get("retry-after"), datetime.now(UTC))
                failed = FetchFailed(
                    Reason.HTTP_STATUS,
                    f"HTTP {status}",
                    status=status,
                    transient=True,
                    retry_after_s=wait,
                )
                raise await _with_body(failed, response, kept)
            if status >= 400 or (status >= 300 and status != 304):
                failed = FetchFailed(Reason.HTTP_STATUS, f"HTTP {status}", status=status)
                raise await _with_body(failed, response, kept)
            if status != 304:
                media_type = kept.get("content-type", "").split(";")[0].strip().lower()
                if accept is not None and media_type and media_type not in accept:
                    raise FetchFailed(
                        Reason.UNSUPPORTED_TYPE, f"Content-Type {media_type}", status=status
                    )
                encoding = kept.get("content-encoding", "identity").strip().lower()
                if encoding not in (*_INFLATE, "identity"):
                    raise FetchFailed(
                        Reason.UNSUPPORTED_TYPE, f"Content-Encoding {encoding}", status=status
                    )
                declared = kept.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise FetchFailed(
                        Reason.TOO_LARGE, f"Content-Length {declared} > {max_bytes}", status=status
                    )
                body = _Capped(encoding, max_bytes)
                async for raw in response.aiter_raw():
                    body.feed(raw)
                content = body.body()
            else:
                content = b""
        except FetchFailed as failed:
            failed.status = failed.status or response.status_code
            raise
        finally:
            await response.aclose()
        return Fetched(
            url=url,
            final_url=url,
            status=status,
            content=content,
            headers=kept,
            fetched_at=datetime.now(UTC),
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    async def _check_robots(self, url: str) -> None:
        home = origin(url)
        task = self._robots.get(home)
        if task is None:
            # One fetch per origin and crawl, shared by everyone who asks meanwhile.
            task = self._robots[home] = asyncio.ensure_future(self._load_robots(home))
        rules = await asyncio.shield(task)
        if isinstance(rules, FetchFailed):
            raise FetchFailed(
                rules.reason, f"robots.txt: {rules.detail}", status=rules.status, final_url=url
            )
        if not rules.allows(url, self.settings.user_agent):
            raise FetchFailed(
                Reason.ROBOTS_DISALLOWED,
                rules.refusal or f"robots.txt of {home} disallows it",
                final_url=url,
            )

    async def _load_robots(self, home: str) -> RobotsRules | FetchFailed:
        try:
            fetched = await self.fetch(
                f"{home}/robots.txt", max_bytes=MAX_ROBOTS_BYTES, robots=False
            )
        except FetchFailed as failed:
            if failed.reason == Reason.HTTP_STATUS and failed.status is not None:
                return rules_for(failed.status, b"")
            if failed.reason == Reason.TOO_LARGE:
                return RobotsRules(refusal=f"robots.txt larger than {MAX_ROBOTS_BYTES} bytes")
            return failed
        rules = rules_for(fetched.status, fetched.content)
        delay = rules.crawl_delay(self.settings.user_agent)
        if delay:
            self.polite.slow_down(home, min(delay, self.settings.max_wait_s))
        return rules
