"""jusText's context-sensitive revision: short and near-good units take the class of what
surrounds them (a short line between story paragraphs is story; a teaser between menus is not)."""

from __future__ import annotations

from tasks.clean.text_dump import tuning as t
from tasks.clean.text_dump.blocks import Block
from tasks.clean.text_units import Unit

_DECIDED = (Block.GOOD, Block.BAD)


def _nearest(classes: list[Block], kinds: tuple[Block, ...], step: int) -> list[Block]:
    """For each unit, the class of the nearest unit before it (step -1) or after it (step 1)
    whose class is one of `kinds`; bad where there is none (the page's edge)."""
    nearest = [Block.BAD] * len(classes)
    found = Block.BAD
    order = range(len(classes)) if step < 0 else range(len(classes) - 1, -1, -1)
    for i in order:
        nearest[i] = found
        if classes[i] in kinds:
            found = classes[i]
    return nearest


def revise(units: list[Unit], classes: list[Block]) -> list[Block]:
    """The classes revised by context: only good and bad remain."""
    revised = [Block.BAD if c == Block.SPARSE else c for c in classes]
    headings = [
        u.heading or (classes[i] == Block.SHORT and u.words <= t.HEADING_WORDS)
        for i, u in enumerate(units)
    ]
    for i in range(len(units)):
        if headings[i] and revised[i] == Block.SHORT:
            distance = 0
            for j in range(i + 1, len(units)):
                if distance > t.MAX_HEADING_DISTANCE:
                    break
                if revised[j] == Block.GOOD:
                    revised[i] = Block.NEARGOOD
                    break
                distance += len(units[j].text)
    # short units take their class from their neighbours as they were before this pass
    before, after = _nearest(revised, _DECIDED, -1), _nearest(revised, _DECIDED, 1)
    before_any = _nearest(revised, (*_DECIDED, Block.NEARGOOD), -1)
    after_any = _nearest(revised, (*_DECIDED, Block.NEARGOOD), 1)
    for i, c in enumerate(revised):
        if c != Block.SHORT:
            continue
        if before[i] == after[i]:
            revised[i] = before[i]
        elif (before[i] == Block.BAD and before_any[i] == Block.NEARGOOD) or (
            after[i] == Block.BAD and after_any[i] == Block.NEARGOOD
        ):
            revised[i] = Block.GOOD
        else:
            revised[i] = Block.BAD
    # near-good units, in page order: one already decided counts as a neighbour of the next
    after = _nearest(revised, _DECIDED, 1)
    previous = Block.BAD
    for i, c in enumerate(revised):
        if c == Block.NEARGOOD:
            c = revised[i] = (
                Block.BAD if (previous, after[i]) == (Block.BAD, Block.BAD) else Block.GOOD
            )
        if c in _DECIDED:
            previous = c
    return revised
