"""The story as one run of units: each unit's value, the run with the largest sum (Finn's
body-text extraction), and where the run is cut back or widened."""

from __future__ import annotations

from tasks.clean.text_dump import patterns as p
from tasks.clean.text_dump import tuning as t
from tasks.clean.text_dump.blocks import Block, is_block_heading
from tasks.clean.text_dump.page import Page
from tasks.clean.text_units import SENTENCE_END, Unit


def unit_value(unit: Unit, block: Block, revised: Block, in_list: bool) -> float:
    """What a unit adds to a candidate article run: story words count for, furniture against,
    sentence-like short lines a little for, bare labels and menu items a little against."""
    if block == Block.BAD:
        return -min(t.BAD_CAP, t.BAD_BASE + unit.words)
    if block == Block.MINOR:
        return -t.MINOR_COST
    if block == Block.SPARSE:
        return -t.SPARSE_RATE * unit.words
    if block == Block.GOOD:
        return float(unit.words)
    if block == Block.NEARGOOD:
        return unit.words * t.NEARGOOD_RATE[revised == Block.GOOD]
    if SENTENCE_END.search(unit.text) and unit.words >= t.SENTENCE_WORDS:
        return unit.words * t.SENTENCE_RATE[revised == Block.GOOD]
    return -t.LIST_ITEM_COST if in_list else -t.LABEL_COST


def values(page: Page) -> list[float]:
    """Each unit's value; a block heading is a strong cut, its shadow counts against."""
    out = []
    for i, unit in enumerate(page.units):
        if i in page.boundaries:
            out.append(-t.BOUNDARY_COST)
        elif i in page.shadow:
            out.append(-t.SHADOW_RATE * unit.words)
        else:
            out.append(unit_value(unit, page.classes[i], page.revised[i], i in page.lists))
    return out


def best_run(values: list[float]) -> tuple[int, int]:
    """The article: the contiguous run with the largest sum (Kadane), as a half-open range.

    Pages put the article before its teasers and comments, so an earlier run that comes
    close to the best one (EARLIER_RUN_SHARE of its sum) wins over it."""
    start, end, total = _kadane(values, 0, len(values))
    while start > 0:
        earlier_start, earlier_end, earlier = _kadane(values, 0, start)
        if earlier < t.EARLIER_RUN_SHARE * total or earlier <= 0:
            break
        start, end, total = earlier_start, earlier_end, earlier
    return start, end


def _kadane(values: list[float], lo: int, hi: int) -> tuple[int, int, float]:
    best, best_range = 0.0, (lo, lo)
    total, start = 0.0, lo
    for i in range(lo, hi):
        if total <= 0:
            total, start = 0.0, i
        total += values[i]
        if total > best:
            best, best_range = total, (start, i + 1)
    return best_range[0], best_range[1], best


def cut_appendix(page: Page) -> int:
    """End the run at a block heading when what follows it weighs less than the story before
    it: a related box, a tag list or comments that the run took in for the prose beyond them.
    A heading after which the story resumes before any other furniture (a related-links box
    inside the article) cuts nothing."""
    start, end, values = page.start, page.end, page.values
    for b in sorted(x for x in page.boundaries if start < x < end):
        resumed = False
        for j in range(b + 1, end):
            if page.classes[j] == Block.BAD or j in page.boundaries:
                break
            if page.is_prose(j):
                resumed = j not in page.shadow
                break
        if not resumed and sum(values[b:end]) < sum(values[start:b]):
            return b
    return end


def extend_over_lead(page: Page) -> int:
    """Take in the lead paragraphs that one or two lines (a byline, a caption, a credit)
    separate from the run: those lines cost the run more than a short lead adds, and a
    menu above the lead may have put it in a block heading's shadow. Returns the new start."""
    units, start = page.units, page.start
    i = start - 1
    gap = 0
    while i >= 0 and gap < t.LEAD_GAP and not page.is_prose(i):
        if (
            i in page.boundaries
            or i in page.labels
            or page.classes[i] == Block.SPARSE
            or is_block_heading(units[i])
        ):
            return start
        gap += 1
        i -= 1
    lead = start
    while i >= 0 and page.is_prose(i) and SENTENCE_END.search(units[i].text):
        lead = i
        i -= 1
    return lead if sum(units[j].words for j in range(lead, start)) >= t.LEAD_WORDS else start


def extend_over_lists(page: Page, start: int) -> tuple[int, int]:
    """Widen the run over a list that touches it: ingredients before a recipe's steps, the
    points after a story's last paragraph. Each item counts a little against the run's sum, so
    a long list at its edge is cut off although nothing but its intro line ("Zutaten:")
    separates it from the story. Label lists (menus, tags) and furniture stay out."""
    units, classes, end = page.units, page.classes, page.end
    open_classes = (Block.SHORT, Block.NEARGOOD)

    def item(i: int) -> bool:
        return classes[i] in open_classes and i in page.lists and i not in page.labels | page.shadow

    def intro(i: int) -> bool:
        return classes[i] in open_classes and units[i].text.endswith(":") and i not in page.shadow

    lo = start
    while lo > 0 and (item(lo - 1) or intro(lo - 1)):
        lo -= 1
    while lo < start and (not item(lo) or intro(lo)):  # an outer intro heads what is left out
        lo += 1
    hi = end
    while hi < len(units) and (item(hi) or intro(hi)):
        hi += 1
    while hi > end and (not item(hi - 1) or intro(hi - 1)):
        hi -= 1
    # one or two stray lines are a link or a label, not a list the story goes on with
    if sum(item(i) and not intro(i) for i in range(lo, start)) < t.MIN_LIST_ITEMS:
        lo = start
    if sum(item(i) and not intro(i) for i in range(end, hi)) < t.MIN_LIST_ITEMS:
        hi = end
    return lo, hi


def stranded(page: Page) -> set[int]:
    """Short lines of the run that sit among furniture rather than among paragraphs.

    Between two paragraphs of a story stand subheadings and the odd caption: the stretch
    costs the run little. A stretch that costs it a lot (a share bar, a teaser box, a comment
    form the run had to cross to reach more prose) is furniture, and so are its short lines,
    however sentence-like ("So macht Radfahren sonst noch Spaß", "Diese Geschichte teilen")."""
    classes = page.classes
    found: set[int] = set()
    stretch: list[int] = []
    for i in range(page.start, page.end + 1):
        anchor = i == page.end or (page.is_prose(i) and i not in page.shadow)
        if not anchor:
            stretch.append(i)
            continue
        if sum(page.values[j] for j in stretch if classes[j] != Block.SHORT) < -t.STRETCH_COST:
            found.update(j for j in stretch if classes[j] == Block.SHORT)
        stretch = []
    return found


def ingredients(page: Page, start: int) -> list[int]:
    """A recipe's ingredient list when the run holds its steps: recipe pages print the
    ingredients under their own heading, often with servings, ratings and nutrition in
    between, too far above the steps for the run to reach. The list items under an
    "Ingredients" heading not far above the run, with their group intros ("Für den Teig:")."""
    units = page.units
    for h in range(start - 1, max(-1, start - t.RECIPE_REACH), -1):
        if units[h].words <= t.INGREDIENTS_HEADING_WORDS and p.INGREDIENTS.match(units[h].text):
            return [
                i
                for i in range(h + 1, start)
                if i in page.lists
                and i not in page.labels
                and page.classes[i] in (Block.SHORT, Block.NEARGOOD, Block.MINOR)
                and not units[i].image
            ]
    return []
