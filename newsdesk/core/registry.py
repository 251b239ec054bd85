"""The publisher registry: sources.toml parsed once into frozen, validated objects."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# What kind of page a record comes from (tasks/page/page_type.py decides).
PAGE_TYPES = (
    "article",
    "liveblog",
    "listing",
    "video",
    "gallery",
    "product",
    "forum",
    "documentation",
    "other",
)
# The types loaded from a source whose registry entry names none (`page_types = [...]`).
DEFAULT_PAGE_TYPES = ("article", "liveblog")
DATE_ORDERS = ("DMY", "MDY", "YMD")


class RegistryError(ValueError):
    """The registry file is unusable; the message names the file and the entry."""


@dataclass(frozen=True)
class ExtractionRules:
    """Per-publisher overrides: CSS selectors, or XPath expressions when they start with /."""

    body: str | None = None
    title: str | None = None
    date: str | None = None
    authors: str | None = None
    drop: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    name: str
    domains: tuple[str, ...]
    timezone: str
    aliases: tuple[str, ...] = ()
    language: str | None = None
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    include: tuple[str, ...] = ()  # URL regexes a fetched link must match (any)
    exclude: tuple[str, ...] = ()  # URL regexes that rule a link out
    # How the source prints numeric dates: DMY (01/02/03 = 1 Feb 2003), MDY or YMD. Unset,
    # a numeric date whose day and month could swap is not read (unparsed_date).
    date_order: str | None = None
    rules: ExtractionRules = field(default_factory=ExtractionRules)
    page_types: tuple[str, ...] = DEFAULT_PAGE_TYPES  # what the extract gate lets through

    @property
    def names(self) -> tuple[str, ...]:
        """The name and every alias: the ways a page may print this publisher."""
        return (self.name, *self.aliases)


def normalise_name(text: str) -> str:
    """Case- and space-insensitive key for matching a printed publisher name."""
    return re.sub(r"\s+", " ", text).strip().casefold()


# A registry domain: a host name's labels (IDN letters too) or an IPv4 address.
_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)*")


def host_of(url: str) -> str | None:
    host = urlsplit(url).hostname if "//" in url else None
    return host.lower().removeprefix("www.") if host else None


@dataclass(frozen=True)
class Registry:
    sources: tuple[Source, ...]
    path: Path | None = None

    def __post_init__(self) -> None:
        by_name: dict[str, Source] = {}
        by_domain: dict[str, Source] = {}
        for source in self.sources:
            for printed in source.names:
                key = normalise_name(printed)
                if key in by_name and by_name[key] is not source:
                    raise RegistryError(
                        f"{self.path or 'registry'}: the name or alias {printed!r} is used by "
                        f"both {by_name[key].name!r} and {source.name!r}"
                    )
                by_name[key] = source
            for domain in source.domains:
                if domain in by_domain:
                    raise RegistryError(
                        f"{self.path or 'registry'}: the domain {domain!r} is claimed by both "
                        f"{by_domain[domain].name!r} and {source.name!r}"
                    )
                by_domain[domain] = source
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_by_domain", by_domain)

    @property
    def names(self) -> frozenset[str]:
        """The 'known source' value set the extract gate checks against."""
        return frozenset(source.name for source in self.sources)

    def get(self, name: str) -> Source | None:
        return self._by_name.get(normalise_name(name))  # type: ignore[attr-defined]

    def by_url(self, url: str | None) -> Source | None:
        """The source whose domain is the URL's host or a parent domain of it."""
        host = host_of(url) if url else None
        if not host:
            return None
        by_domain: dict[str, Source] = self._by_domain  # type: ignore[attr-defined]
        parts = host.split(".")
        for i in range(len(parts) - 1):
            found = by_domain.get(".".join(parts[i:]))
            if found:
                return found
        return None

    def page_type_pairs(self) -> frozenset[tuple[str, str]]:
        """(source, page type) for every type each source loads: the extract gate's set."""
        return frozenset((s.name, kind) for s in self.sources for kind in s.page_types)

    def printed_names(self) -> dict[str, Source]:
        """Every printed name (normalised) → its source, for matching names in page text."""
        return dict(self._by_name)  # type: ignore[attr-defined]


def _tuple(entry: dict, key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RegistryError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _source(entry: dict, where: str) -> Source:
    known = {
        "name",
        "aliases",
        "domains",
        "timezone",
        "language",
        "feeds",
        "sitemaps",
        "include",
        "exclude",
        "date_order",
        "rules",
        "page_types",
    }
    unknown = set(entry) - known
    if unknown:
        raise RegistryError(f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(known)})")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RegistryError(f"{where}: every source needs a non-empty 'name'")
    where = f"{where} ({name!r})"
    timezone = entry.get("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise RegistryError(f"{where}: unknown time zone {timezone!r}") from exc
    domains = tuple(d.lower().removeprefix("www.") for d in _tuple(entry, "domains", where))
    for domain in domains:
        # A page's source is matched by its URL's host: a URL, a port or a phrase here
        # would never match one, so the file is refused rather than the source never found.
        if not _HOST.fullmatch(domain):
            raise RegistryError(
                f"{where}: domain {domain!r} is not a host name (such as example.com or "
                "news.example.org: no scheme, path, port or spaces)"
            )
    date_order = entry.get("date_order")
    if date_order is not None and date_order not in DATE_ORDERS:
        raise RegistryError(f"{where}: date_order must be one of {', '.join(DATE_ORDERS)}")
    rules = entry.get("rules", {})
    if not isinstance(rules, dict):
        raise RegistryError(f"{where}: 'rules' must be a table")
    bad_rules = set(rules) - {"body", "title", "date", "authors", "drop"}
    if bad_rules:
        raise RegistryError(f"{where}: unknown rules {sorted(bad_rules)}")
    page_types = _tuple(entry, "page_types", where) or DEFAULT_PAGE_TYPES
    unknown_types = sorted(set(page_types) - set(PAGE_TYPES))
    if unknown_types:
        raise RegistryError(
            f"{where}: unknown page_types {unknown_types} (known: {', '.join(PAGE_TYPES)})"
        )
    for pattern in (*_tuple(entry, "include", where), *_tuple(entry, "exclude", where)):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise RegistryError(f"{where}: bad URL pattern {pattern!r}: {exc}") from exc
    return Source(
        name=name.strip(),
        aliases=_tuple(entry, "aliases", where),
        domains=domains,
        timezone=timezone,
        language=entry.get("language"),
        feeds=_tuple(entry, "feeds", where),
        sitemaps=_tuple(entry, "sitemaps", where),
        include=_tuple(entry, "include", where),
        exclude=_tuple(entry, "exclude", where),
        page_types=page_types,
        date_order=date_order,
        rules=ExtractionRules(
            body=rules.get("body"),
            title=rules.get("title"),
            date=rules.get("date"),
            authors=rules.get("authors"),
            drop=_tuple(rules, "drop", f"{where} rules"),
        ),
    )


def load_registry(path: Path) -> Registry:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        # A scheduled run started in another folder reads ./sources.toml there: say how to
        # point at the registry.
        raise RegistryError(
            f"sources registry not found: {path} (--sources PATH or NEWSDESK_SOURCES names "
            "it; relative paths are read from the folder newsdesk runs in)"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:  # a folder, no permission
        raise RegistryError(f"sources registry {path}: {exc.strerror or exc}") from exc
    # Anything beside [[source]] (a `[[sources]]` typo) would leave a registry that knows
    # no publisher, and every page unknown_source, without a word.
    unknown = sorted(set(data) - {"source"})
    if unknown:
        raise RegistryError(
            f"{path}: unknown top-level keys {unknown}: publishers are [[source]] tables"
        )
    entries = data.get("source", [])
    if not isinstance(entries, list):
        raise RegistryError(f"{path}: expected [[source]] tables")
    return Registry(
        tuple(_source(entry, f"{path} [[source]] #{i + 1}") for i, entry in enumerate(entries)),
        path=path,
    )
