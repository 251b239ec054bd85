"""Dates as printed in page text: absolute ones in many forms and languages, relative ones.

Absolute dates are found with regular expressions whose month names come from dateparser's
language data (so "17 Oct 2022", "17. Oktober 2022", "17 października 2022", "October 17,
2022", "17.10.2022", "2022-10-17" all parse) and read directly: no dateparser.search, which is
far too slow for whole pages. A time next to the date is kept ("19:58", "5:11 AM", "16:14
Uhr"), and so is a printed zone or offset (then the result is aware). Relative dates ("2 hours
ago", "vor 3 Tagen", "wczoraj") are handed to dateparser.parse with the fetch time as base,
only when the fetch time is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

from newsdesk.core.registry import DATE_ORDERS
from tasks.page import lexicon

_LANGUAGES = ("en", "de", "fr", "pl", "es", "it", "nl", "pt", "sv", "da", "cs", "tr", "ru")
_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")  # fmt: skip
_ZONES = {
    "utc": 0, "gmt": 0, "z": 0, "wet": 0, "bst": 60, "cet": 60, "mez": 60, "cest": 120,
    "mesz": 120, "eet": 120, "eest": 180, "est": -300, "edt": -240, "cst": -360, "cdt": -300,
    "mst": -420, "mdt": -360, "pst": -480, "pdt": -420,
}  # fmt: skip


@lru_cache(maxsize=1)
def _month_table() -> dict[str, int]:
    """Month names and abbreviations → month number, from dateparser's language data."""
    from importlib import import_module

    table: dict[str, int] = {}
    for language in _LANGUAGES:
        info = import_module(f"dateparser.data.date_translation_data.{language}").info
        for number, key in enumerate(_MONTH_KEYS, 1):
            for name in info.get(key, []):
                name = name.lower().rstrip(".")
                if len(name) >= 3 and name.isalpha():
                    table.setdefault(name, number)
    return table


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], ...]:
    months = "|".join(sorted(map(re.escape, _month_table()), key=len, reverse=True))
    day = r"(?P<d>[0-3]?\d)"
    # a year may run into the next word: WordPress prints "1. November 20161. November 2016"
    year = r"(?P<y>(?:19|20)\d\d)(?!\d{3})"
    mon = rf"(?P<mon>{months})\.?"
    return (
        re.compile(rf"\b{year}-(?P<m>[01]?\d)-{day}(?!\d)"),
        re.compile(rf"\b{year}/(?P<m>[01]?\d)/{day}\b"),
        re.compile(rf"\b{year}年(?P<m>[01]?\d)月{day}日"),
        re.compile(
            rf"\b{day}(?:st|nd|rd|th|er|\.)?\s*(?:de\s+|of\s+)?{mon},?\s*(?:de\s+)?{year}", re.I
        ),
        re.compile(rf"\b{mon}\s+{day}(?:st|nd|rd|th)?,?\s+{year}", re.I),
        re.compile(rf"\b{day}\.\s?(?P<m>[0-3]?\d)\.\s?(?P<y>(?:19|20)?\d\d)(?!\d)"),
        re.compile(rf"\b(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)/{year}"),
        re.compile(rf"\b{day}(?P<dash>-)(?P<m>[01]?\d)-{year}"),
        re.compile(r"\b(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)/(?P<y>\d\d)(?![\d/])"),
    )  # fmt: skip


_TIME = re.compile(
    r"^(?:T|\W{0,3}(?:(?:um|at|à|o|a las|alle|om|kl\.?|godz\.?|-|,|\|)\s*)?)"
    r"(?P<h>[0-2]?\d)[:.h](?P<min>[0-5]\d)(?::(?P<s>[0-5]\d))?\s*"
    r"(?P<ampm>[ap]\.?\s?m\.?)?(?:\s*uhr)?"
    r"(?:\s*\(?(?P<zone>utc|gmt|z|wet|bst|cet|cest|mez|mesz|eet|eest|[ecmp][sd]t)\b)?"
    r"(?:\s*(?P<off>[+\-\u2212][01]?\d(?::?[0-5]\d)?)(?!\d))?",
    re.I,
)
# Relative dates by language (tasks/page/lexicon, [text_dates] relative): dateparser is told
# the language, so it need not try every locale it knows (that detection cost ~50 ms a call).
_RELATIVE = tuple(
    (language, re.compile("|".join(fragments), re.I))
    for language, fragments in lexicon.by_language("text_dates.relative").items()
)


@dataclass(frozen=True)
class FoundDate:
    value: datetime  # naive unless the text printed a zone (or the date was relative)
    raw: str  # the text it was read from
    relative: bool = False
    has_time: bool = False
    ambiguous: bool = False  # a numeric date more than one order reads: value is one of them


def _zone(match: re.Match[str]) -> timezone | None:
    """The zone printed after a time: a name, an offset, or a name with an offset."""
    offset = match.group("off")
    base = _ZONES.get((match.group("zone") or "").lower())
    if offset:
        sign = -1 if offset[0] in "-\u2212" else 1
        digits = offset[1:].replace(":", "")
        hours, minutes = (
            (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
        )
        return timezone(timedelta(minutes=(base or 0) + sign * (hours * 60 + minutes)))
    if base is not None:
        return UTC if base == 0 else timezone(timedelta(minutes=base))
    return None


def _with_time(day: datetime, tail: str) -> tuple[datetime, str, bool]:
    """The date with the clock time (and zone) printed right after it, if any."""
    m = _TIME.match(tail)
    if not m:
        return day, "", False
    hour, minute = int(m.group("h")), int(m.group("min"))
    ampm = (m.group("ampm") or "").lower().replace(".", "").replace(" ", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23:
        return day, "", False
    value = day.replace(hour=hour, minute=minute, second=int(m.group("s") or 0))
    zone = _zone(m)
    return (value.replace(tzinfo=zone) if zone else value), m.group(0).rstrip(), True


def _readings(
    a: int, b: int, year: int | None, yy: int | None, order: str | None
) -> set[tuple[int, int, int]]:
    """(year, month, day) readings of the numeric date a/b/year (or a/b/yy with a two-digit
    year): in the source's order when the registry gives one and it reads the date, else
    every valid order (17/10/2022 on a month-first site is still 17 October)."""
    if order:
        found = _readings_in(a, b, year, yy, (order,))
        if found:
            return found
    return _readings_in(a, b, year, yy, DATE_ORDERS)


def _readings_in(
    a: int, b: int, year: int | None, yy: int | None, orders: tuple[str, ...]
) -> set[tuple[int, int, int]]:
    """The valid (year, month, day) readings of a/b/year (four digits) or a/b/yy in `orders`."""
    found: set[tuple[int, int, int]] = set()
    for o in orders:
        if year is not None:  # a/b/2022: the year is last, only day and month can swap
            if o == "YMD":
                continue
            y, m, d = (year, b, a) if o == "DMY" else (year, a, b)
        else:
            assert yy is not None
            y, m, d = (a, b, yy) if o == "YMD" else (yy, b, a) if o == "DMY" else (yy, a, b)
            y += 2000 if y < 70 else 1900
        try:
            datetime(y, m, d)
        except ValueError:
            continue
        found.add((y, m, d))
    return found


def _build(
    match: re.Match[str], date_order: str | None, year4_order: str | None = None
) -> datetime | None:
    """The date a match prints; None when it is no valid date, or when its day and month
    (or year) could be read in more than one order and the source's order is not known.
    `year4_order` is the order for dates with a four-digit year only (a language's
    convention: a German page's 05/06/2019 is 5 June; its 05/06/19 is still ambiguous)."""
    groups = match.groupdict()
    try:
        if groups.get("a"):
            a, b = int(groups["a"]), int(groups["b"])
            four = groups["y"] if len(groups["y"]) == 4 else None
            if four and date_order is None:
                date_order = year4_order
            readings = _readings(
                a, b, int(four) if four else None, None if four else int(groups["y"]), date_order
            )
            if len(readings) != 1:
                return None  # 01/02/03 or 05/06/2019 without a known order: not guessed
            year, month, day = readings.pop()
            return datetime(year, month, day)
        day = int(groups["d"])
        month = int(groups["m"]) if groups.get("m") else _month_table()[groups["mon"].lower()]
        if groups.get("m") and groups.get("dash") and day <= 12 and month <= 12:
            # 01-02-2003: day-first in most places, month-first in the US
            readings = _readings(day, month, int(groups["y"]), None, date_order or year4_order)
            if len(readings) != 1:
                return None
            year, month, day = readings.pop()
            return datetime(year, month, day)
        if month > 12 >= day:  # "01.21.2020": an American page writes the month first
            day, month = month, day
        year = int(groups["y"])
        if year < 100:
            year += 2000 if year < 70 else 1900
        return datetime(year, month, day)
    except (ValueError, KeyError):
        return None


def find_dates(
    text: str,
    date_order: str | None = None,
    *,
    year4_order: str | None = None,
    keep_ambiguous: bool = False,
) -> list[FoundDate]:
    """Every absolute date in a line, in order, with its time and zone when printed.
    `date_order` (DMY, MDY, YMD: the source's, from the registry) reads numeric dates whose
    day and month could swap; without it such a date is ambiguous: left out, or with
    `keep_ambiguous` returned flagged (so that a caller can tell "the page's date is
    ambiguous" from "the page shows no date")."""
    found: list[tuple[int, FoundDate]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _patterns():
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            day = _build(m, date_order, year4_order)
            ambiguous = False
            if day is None and keep_ambiguous:
                day = next(filter(None, (_build(m, o) for o in DATE_ORDERS)), None)
                ambiguous = day is not None
            if day is None or not 1990 <= day.year <= 2100:
                continue
            value, time_text, has_time = _with_time(day, text[m.end() : m.end() + 40])
            taken.append((m.start(), m.end()))
            raw = text[m.start() : m.end() + len(time_text)].strip()
            found.append((m.start(), FoundDate(value, raw, has_time=has_time, ambiguous=ambiguous)))
    if not found:
        time_first = _time_before_date(text, date_order)
        if time_first:
            found.append((0, time_first))
    return [date for _, date in sorted(found, key=lambda pair: pair[0])]


# Languages whose every locale writes numeric dates day first: their pages' dates with a
# four-digit year are read so (05/06/2019 is 5 June on a German page). English is not here:
# American pages write the month first, British ones the day.
LANGUAGE_DATE_ORDER = dict.fromkeys(
    ("de", "fr", "es", "it", "pl", "nl", "pt", "ru", "uk", "cs", "sk", "tr", "vi", "el", "ro"),
    "DMY",
)


def ambiguous_numeric(text: str, date_order: str | None, year4_order: str | None) -> bool:
    """True when the text shows a numeric date that the known orders do not settle (what
    another date parser, htmldate, would read by its own habit)."""
    for pattern in _patterns():
        if "(?P<a>" not in pattern.pattern and "(?P<dash>" not in pattern.pattern:
            continue
        for m in pattern.finditer(text):
            if _build(m, date_order, year4_order) is None and any(
                _build(m, o) for o in DATE_ORDERS
            ):
                return True
    return False


def shown_orders(text: str) -> set[str]:
    """The orders (DMY, MDY, YMD) the line's unambiguous numeric dates prove: 31/12/2023 can only
    be day first, 12/31/2023 only month first. A page keeps one convention, so a date it
    prints that way tells how to read its 05/06/2019 (evidence, not a guess)."""
    proven: set[str] = set()
    for pattern in _patterns():
        if "(?P<a>" not in pattern.pattern and "(?P<dash>" not in pattern.pattern:
            continue
        for m in pattern.finditer(text):
            groups = m.groupdict()
            a, b = (groups["a"], groups["b"]) if groups.get("a") else (groups["d"], groups["m"])
            year = int(groups["y"])
            four, two = (year, None) if len(groups["y"]) == 4 else (None, year)
            readable = {o for o in DATE_ORDERS if _readings_in(int(a), int(b), four, two, (o,))}
            if len(readable) == 1:
                proven |= readable
    return proven


_TIME_FIRST = re.compile(r"(?P<h>[0-2]?\d):(?P<min>[0-5]\d)\s*(?P<ampm>[ap]\.?m\.?)?\W{1,4}", re.I)


def _time_before_date(text: str, date_order: str | None) -> FoundDate | None:
    """'10:08 am Fri Jul 19, 2013': a time printed before the date it belongs to."""
    m = _TIME_FIRST.search(text)
    if not m:
        return None
    rest = text[m.end() :]
    for pattern in _patterns():
        d = pattern.search(rest[:40])
        if d:
            day = _build(d, date_order)
            if day is None:
                return None
            value, _, _ = _with_time(day, m.group(0))
            return FoundDate(value, text[m.start() : m.end() + d.end()].strip(), has_time=True)
    return None


def find_relative(text: str, fetched_at: datetime | None) -> FoundDate | None:
    """A relative date ("2 hours ago") read against the fetch time; None without one."""
    if fetched_at is None:
        return None
    found = [(m, language) for language, pattern in _RELATIVE if (m := pattern.search(text))]
    if not found:
        return None
    m, language = min(found, key=lambda pair: pair[0].start())  # the first one in the line
    import dateparser  # slow to import and to call: only for the few relative candidates

    base = fetched_at.astimezone(UTC).replace(tzinfo=None)
    value = dateparser.parse(
        m.group(0),
        languages=[language],
        settings={
            "RELATIVE_BASE": base,
            "PREFER_DATES_FROM": "past",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    if value is None:
        return None
    return FoundDate(value.replace(tzinfo=UTC), m.group(0), relative=True, has_time=True)
