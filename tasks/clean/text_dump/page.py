"""What the cleaner knows about one page, as one object the steps read and fill in.

The steps run in order (tasks.clean.text_dump.analyse): the units and their context-free
classes, the lists and label lists among them, the block headings that open boxes and the
units in their shadow, each unit's value to the story, the story run, its headline and the
units kept as story. Each step reads what the earlier ones found on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tasks.clean.line_model import Layout
from tasks.clean.text_dump.blocks import PROSE, Block
from tasks.clean.text_units import Unit


@dataclass
class Page:
    units: list[Unit]
    keys: list[str]  # template_key of each unit
    stop_density: list[float]
    classes: list[Block]  # context-free class of each unit
    revised: list[Block]  # class after jusText's revision by context
    lists: set[int]  # units in blocks of many short lines
    labels: set[int]  # members of lists of bare labels (tags, menu entries)
    boundaries: set[int] = field(default_factory=set)  # where a non-story block opens
    shadow: set[int] = field(default_factory=set)  # units a block heading puts out of the story
    values: list[float] = field(default_factory=list)  # what each unit adds to a story run
    start: int = 0  # the story run, half-open
    end: int = 0
    title: int | None = None  # the headline

    def is_prose(self, i: int) -> bool:
        """A paragraph (good or near-good) that is not a list line."""
        return self.classes[i] in PROSE and i not in self.lists

    def previous_class(self, i: int) -> Block | None:
        """The class of the nearest unit before i that is neither minor nor short."""
        for j in range(i - 1, -1, -1):
            if self.classes[j] not in (Block.MINOR, Block.SHORT):
                return self.classes[j]
        return None

    def layout(self, keep: list[int]) -> Layout:
        """What the rules found, as the line model reads it."""
        return Layout(
            classes=self.classes,
            revised=self.revised,
            stop_density=self.stop_density,
            lists=self.lists,
            labels=self.labels,
            boundaries=self.boundaries,
            shadow=self.shadow,
            start=self.start,
            end=self.end,
            title=self.title,
            keep=frozenset(keep),
        )
