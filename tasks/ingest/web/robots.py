"""robots.txt as RFC 9309 reads it: what one answer from /robots.txt allows."""

from __future__ import annotations

from dataclasses import dataclass

from protego import Protego

# RFC 9309 §2.5: crawlers must parse at least 500 KiB; the rest may be ignored.
MAX_ROBOTS_BYTES = 512_000


@dataclass(frozen=True)
class RobotsRules:
    parser: Protego | None = None  # None with no refusal: everything is allowed
    refusal: str | None = None  # set when the whole site is off limits, and why

    def allows(self, url: str, user_agent: str) -> bool:
        if self.refusal is not None:
            return False
        return self.parser is None or self.parser.can_fetch(url, user_agent)

    def crawl_delay(self, user_agent: str) -> float | None:
        delay = self.parser.crawl_delay(user_agent) if self.parser is not None else None
        return float(delay) if delay is not None else None


def rules_for(status: int, body: bytes) -> RobotsRules:
    """A 2xx body is parsed; 4xx (no file, or forbidden) allows everything; 5xx means the
    site cannot say, and RFC 9309 §2.3.1.4 says to assume a complete disallow."""
    if 200 <= status < 300:
        return RobotsRules(Protego.parse(body[:MAX_ROBOTS_BYTES].decode("utf-8", "replace")))
    if 400 <= status < 500:
        return RobotsRules()
    return RobotsRules(refusal=f"robots.txt answered HTTP {status}: treated as disallow-all")
