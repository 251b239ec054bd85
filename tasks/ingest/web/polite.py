"""Turns to talk to a host: a few connections per host, a gap between request starts, a
pause when the host asks for one (Retry-After), and a cap on requests across all hosts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass


@dataclass
class _Host:
    slots: asyncio.Semaphore
    delay_s: float
    next_start: float = 0.0  # monotonic time before which no request may start
    paused_until: float = 0.0


class Politeness:
    def __init__(
        self, *, per_host_concurrency: int, per_host_delay_s: float, total_concurrency: int
    ) -> None:
        self._per_host = per_host_concurrency
        self._delay = per_host_delay_s
        self._total = asyncio.Semaphore(total_concurrency)
        self._hosts: dict[str, _Host] = {}

    def _host(self, origin: str) -> _Host:
        host = self._hosts.get(origin)
        if host is None:
            host = self._hosts[origin] = _Host(asyncio.Semaphore(self._per_host), self._delay)
        return host

    def slow_down(self, origin: str, delay_s: float) -> None:
        """A longer gap for this host (robots.txt Crawl-delay); never a shorter one."""
        host = self._host(origin)
        host.delay_s = max(host.delay_s, delay_s)

    def pause(self, origin: str, seconds: float) -> None:
        """No new request to this host for a while (it answered 429/503 with Retry-After)."""
        host = self._host(origin)
        host.paused_until = max(host.paused_until, time.monotonic() + seconds)

    @asynccontextmanager
    async def turn(self, origin: str) -> AsyncIterator[None]:
        host = self._host(origin)
        async with host.slots:
            while True:
                now = time.monotonic()
                start = max(now, host.next_start, host.paused_until)
                if start <= now:
                    break
                await asyncio.sleep(start - now)
            host.next_start = now + host.delay_s
            async with self._total:
                yield
