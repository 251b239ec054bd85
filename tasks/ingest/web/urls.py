"""One spelling per page: the key under which a URL is remembered between runs."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url
from url_normalize import url_normalize

WEB_SCHEMES = ("http", "https")


def is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


@lru_cache(maxsize=65536)  # a URL is keyed several times per crawl; the libraries are slow
def canonicalize(url: str) -> str:
    """Case, default ports, dot segments and percent-escapes normalised (url-normalize);
    tracking parameters (utm_*, fbclid, gclid, …) dropped and the query sorted (courlan);
    the fragment and a trailing slash removed. Only a key: pages are fetched as linked."""
    normal = normalize_url(url_normalize(url.strip()) or url, strict=False)
    parts = urlsplit(normal)
    path = parts.path.rstrip("/") if parts.path != "/" else ""
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def origin(url: str) -> str:
    """scheme://host[:port]: the unit robots.txt, politeness and connection pools work on."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = "" if parts.port in (None, default) else f":{parts.port}"
    return f"{parts.scheme}://{host}{port}"


def without_fragment(url: str) -> str:
    return urlunsplit(urlsplit(url.strip())._replace(fragment=""))
