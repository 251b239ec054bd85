"""The page's structure around single units: lists, label lists, the block headings that open
boxes, and the units such a heading puts out of the story (its shadow)."""

from __future__ import annotations

from tasks.clean.text_dump import patterns as p
from tasks.clean.text_dump import tuning as t
from tasks.clean.text_dump.blocks import PROSE, Block, is_block_heading
from tasks.clean.text_dump.page import Page
from tasks.clean.text_units import SENTENCE_END, Unit


def list_members(units: list[Unit]) -> set[int]:
    """Units in blocks of many short lines: menus, tickers, teaser lists, or a list in the
    story; such a line is never story on its own account, only by its context."""
    members: set[int] = set()
    start = 0
    while start < len(units):
        end = start
        while end + 1 < len(units) and units[end + 1].block == units[start].block:
            end += 1
        block = range(start, end + 1)
        if (
            len(block) >= t.MIN_LIST_LINES
            and sum(units[i].words for i in block) / len(block) < t.LIST_MEAN_WORDS
        ):
            members.update(block)
        start = end + 1
    return members


def label_lists(units: list[Unit], lists: set[int]) -> set[int]:
    """Members of lists of bare labels (tags, menu entries): three or more items of at most
    three words, no sentence, mostly without figures (ingredient lists have figures)."""
    labels: set[int] = set()
    by_block: dict[int, list[int]] = {}
    for i in lists:
        by_block.setdefault(units[i].block, []).append(i)
    for members in by_block.values():
        members.sort()
        items = [units[i].text for i in members]
        # the first item may be the list's own label ("Tagged:", "Share:")
        rest = members[1:] if items[0].endswith(":") else members
        if (
            all(
                units[i].words <= t.LABEL_WORDS and not SENTENCE_END.search(units[i].text)
                for i in rest
            )
            and sum(any(c.isdigit() for c in text) for text in items) < len(items) / 2
        ):
            labels.update(members)
    return labels


def boundaries(page: Page) -> set[int]:
    """Where a non-story block opens: a block heading, or the first item of a label list.

    A heading word that is an item of a bullet menu ("• Archive", "• Links") or part of a
    form ("Comment (required) [ ]") opens nothing: it is furniture like its neighbours."""
    units, classes, labels = page.units, page.classes, page.labels
    found = {
        i
        for i, u in enumerate(units)
        if classes[i] == Block.BAD
        and is_block_heading(u)
        and not (u.bullet or p.FORM.search(u.text))
    }
    for i in labels:
        # a label list closes a story (its tags); before any story it is just a menu
        if i - 1 not in labels and page.previous_class(i) in PROSE:
            items = [j for j in labels if units[j].block == units[i].block]
            # tags are topics; a list made of furniture ("Twitter", "Facebook") is a share bar,
            # and one of bare bullets or icons is decoration
            furniture = sum(classes[j] == Block.BAD or units[j].words == 0 for j in items)
            if furniture * 2 < len(items):
                found.add(i)
    return found


def shadowed(page: Page) -> set[int]:
    """Units that a block heading ("Related News", "Written by", "Breaking") puts out of the
    story: what follows it up to the next furniture, unless that much prose follows that the
    story has plainly resumed (a related-links box in the middle of an article)."""
    units, labels = page.units, page.labels
    shadow: set[int] = set()
    for h in sorted(page.boundaries):
        following: list[int] = []
        prose = 0
        first = h + 1
        while first < len(units) and first in labels:  # a label list shadows what follows it
            first += 1
        for j in range(first, len(units)):
            if page.classes[j] == Block.BAD or j in labels:
                break
            following.append(j)
            if page.is_prose(j):
                prose += units[j].words
            if prose >= t.RESUME_WORDS:
                break
        if prose < t.RESUME_WORDS:
            shadow.update(following)
        else:  # the story resumes: only the short lines before its first paragraph go
            for j in following:
                if page.is_prose(j):
                    break
                shadow.add(j)
    return shadow
