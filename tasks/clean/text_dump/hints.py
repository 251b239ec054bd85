"""What the cleaner hands on: the body's paragraphs, and hints for the extractor (the
headline, the lines around the story by zone, the tag list after it)."""

from __future__ import annotations

from enum import StrEnum

from newsdesk.core.contracts.hints import DateLine, TextDumpHints
from tasks.clean.text_dump import patterns as p
from tasks.clean.text_dump import tuning as t
from tasks.clean.text_dump.page import Page
from tasks.clean.text_units import Unit
from tasks.page.fields import PageContext


class Zone(StrEnum):
    """Where a date line stands relative to the story (the extractor weighs its date by it)."""

    BYLINE = "byline"  # between headline and story, or a short line just under the headline
    LEAD = "lead"  # the story's first paragraphs
    AFTER = "after"  # just after the story
    BODY = "body"  # inside the story: a date the story talks about
    FAR = "far"  # menus, teasers, comments: their dates belong to other things


def render(units: list[Unit], keep: list[int]) -> list[str]:
    """Paragraphs for the body; consecutive list items of one block stay one paragraph."""
    out: list[str] = []
    previous: Unit | None = None
    for i in keep:
        unit = units[i]
        text = unit.shown or unit.text
        if (
            unit.bullet
            and previous is not None
            and previous.bullet
            and previous.block == unit.block
        ):
            out[-1] = f"{out[-1]}\n- {text}"
        else:
            out.append(f"- {text}" if unit.bullet else text)
        previous = unit
    return out


def tags_after(units: list[Unit], end: int) -> list[str]:
    """A tag list right after the story: 'Tags: a, b' or a short bullet list."""
    low, high = t.TAG_ITEMS
    for i in range(end, min(len(units), end + t.TAGS_REACH)):
        m = p.TAG_LINE.match(units[i].text)
        if m:
            return [tag.strip() for tag in p.TAG_SEPARATOR.split(m.group(1)) if tag.strip()]
        if units[i].bullet:
            items = []
            j = i
            while j < len(units) and units[j].bullet and units[j].block == units[i].block:
                items.append(units[j].text)
                j += 1
            if low <= len(items) <= high and all(
                1 <= len(item.split()) <= t.TAG_WORDS for item in items
            ):
                heading = units[i - 1].text if i > 0 else ""
                if i == end or p.BLOCK_HEADING.match(heading):  # right after the story, or "Tags"
                    return items
            return []
    return []


def _zone(page: Page, i: int, unit: Unit, first_body: int, last_body: int, keep: list[int]) -> Zone:
    """Where a date line stands relative to the story."""
    title, anchor = page.title, page.title if page.title is not None else page.start
    if (anchor - t.BYLINE_ZONE_ABOVE <= i < first_body + 1 and i not in keep) or (
        title is not None and title < i <= title + t.BYLINE_REACH and unit.words <= t.METADATA_WORDS
    ):
        return Zone.BYLINE
    if first_body <= i <= min(last_body, first_body + t.LEAD_ZONE):
        return Zone.LEAD
    if last_body < i <= last_body + t.AFTER_ZONE:
        return Zone.AFTER
    if first_body <= i <= last_body:
        return Zone.BODY
    return Zone.FAR


def hints(page: Page, keep: list[int], language: str | None, ctx: PageContext) -> TextDumpHints:
    """What the extractor needs: the headline and the lines around the story, by zone.
    `keep` is the rules' story (the zones stay anchored on it, whatever the line model adds)."""
    units, title = page.units, page.title
    anchor = title if title is not None else page.start
    first_body = keep[0] if keep else page.start
    last_body = keep[-1] if keep else page.end - 1
    section = None
    if title is not None and title > 0:
        label = units[title - 1]
        if (
            1 <= label.words <= t.SECTION_WORDS
            and not label.bullet
            and not p.DATEISH.search(label.text)
        ):
            section = label.text
    date_lines: list[DateLine] = [
        {
            "i": i,
            "text": unit.text,
            "zone": _zone(page, i, unit, first_body, last_body, keep),
            "words": unit.words,
        }
        for i, unit in enumerate(units)
        if len(unit.text) < t.HINT_DATE_CHARS and p.DATEISH.search(unit.text)
    ]
    return {
        "language": language,
        "title": units[title].text if title is not None else None,
        "title_index": title,
        "body_range": [first_body, last_body + 1] if keep else None,
        "section": section,
        "before_body": [
            u.text
            for u in units[max(0, anchor - t.BEFORE_BODY) : first_body]
            if u.words <= t.BEFORE_BODY_WORDS
        ],
        "after_body": [u.text for u in units[last_body + 1 : last_body + 1 + t.AFTER_BODY]],
        "date_lines": date_lines[: t.MAX_DATE_LINES],
        "tags": tags_after(units, last_body + 1),
        "header": [
            u.text for u in units[: min(t.EDGE_LINES, max(anchor, 1))] if u.words <= t.EDGE_WORDS
        ],
        "footer": [u.text for u in units[-t.EDGE_LINES :] if u.words <= t.EDGE_WORDS],
        "fetched_at": ctx.fetched_at.isoformat() if ctx.fetched_at else None,
    }
