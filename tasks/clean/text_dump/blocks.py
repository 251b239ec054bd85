"""Each unit's class on its own, before any context: jusText's classes plus two of ours.

A unit is furniture (a menu item, a notice, a credit), a block heading that opens a box
("Related", "Kommentare"), or text of some length and stopword share.
"""

from __future__ import annotations

from enum import StrEnum

from tasks.clean.templates import template_key
from tasks.clean.text_dump import patterns as p
from tasks.clean.text_dump import tuning as t
from tasks.clean.text_units import SENTENCE_END, Unit


class Block(StrEnum):
    """A unit's class. The order is the line model's feature order (line_model.CLASSES)."""

    BAD = "bad"  # furniture or a block heading
    SHORT = "short"  # too short to tell on its own: context decides
    NEARGOOD = "neargood"  # prose-like, but short or sparse in stopwords
    GOOD = "good"  # a paragraph of prose
    SPARSE = "sparse"  # long but hardly prose: a list of names, a drop-down, a keyword box
    MINOR = "minor"  # image alt texts and lines printed twice: never story, common inside it


PROSE = (Block.GOOD, Block.NEARGOOD)


def stop_density(text: str, stops: frozenset[str]) -> float:
    """The share of the text's words that are stopwords."""
    if len(p.CJK.findall(text)) > t.CJK_SHARE * len(text):
        # Chinese and Japanese have no stoplist here: clause punctuation is their prose signal
        return t.STOP_HIGH if p.CJK_CLAUSE.search(text) else 0.0
    words = p.WORD.findall(text.lower())
    return sum(w in stops for w in words) / len(words) if words else 0.0


def is_block_heading(unit: Unit) -> bool:
    """The title of a box that is not the story: related links, comments, tags, an author box."""
    if unit.words <= t.COMMENT_HEAD_WORDS and p.COMMENT_HEAD.search(unit.text):
        return True
    if unit.words <= t.COMMENTS_TITLE_WORDS and p.COMMENTS_TITLE.match(unit.text):
        return True
    if unit.words <= t.ABOUT_HEADING_WORDS and p.ABOUT_HEADING.match(unit.text):
        return True
    # "Lesen Sie auch: <headline>" is one inline link, not the title of a box that follows
    return (
        unit.words <= t.BLOCK_HEADING_WORDS
        and bool(p.BLOCK_HEADING.match(unit.text))
        and not p.READ_ALSO.match(unit.text)
    )


def is_furniture(unit: Unit, template: frozenset[str], teaser: bool = True) -> bool:
    """Context-free: is this unit page furniture whatever surrounds it?"""
    text = unit.text
    words = unit.words
    if template and template_key(text) in template:
        return True
    if p.FORM.search(text) or p.FURNITURE.match(text):
        return True
    if "{{" in text and p.TEMPLATE_PLACEHOLDER.search(text):
        return True
    lowered = text.lower()
    if words <= t.NOTICE_WORDS and (p.COPYRIGHT.search(lowered) or p.NOTICE.search(lowered)):
        return True
    if words <= t.READ_ALSO_WORDS and p.READ_ALSO.match(text):
        return True
    if words <= t.CONSENT_WORDS and p.CONSENT.search(lowered):
        return True
    if words <= t.CAPTION_END_WORDS and p.CAPTION_END.search(text):
        return True
    if (
        words <= t.BREADCRUMB_WORDS
        and len(p.BREADCRUMB.findall(text)) >= t.MIN_BREADCRUMB_SEPARATORS
    ):
        return True
    if words <= t.PAGINATION_WORDS and p.PAGINATION.search(text) and not p.QUOTE_END.search(text):
        return True  # "« Zurück", "Weiter »"; but «Storming the Sazerac» is a quotation
    if len(p.ITEM_COUNT.findall(text)) >= t.MIN_COUNTED_ITEMS:
        return True  # "Recipes (423) Beauty (346) …": a category or archive list
    if (
        teaser
        and words <= t.TEASER_WORDS
        and p.TEASER_END.search(text)
        and not p.QUOTE_END.search(text)
    ):
        return True
    return words <= t.METADATA_WORDS and bool(p.BYLINE.match(text))


def is_credit(unit: Unit) -> bool:
    """A photo credit, a caption with its credit, or a figure's caption."""
    text = unit.text
    return (
        (unit.words <= t.CREDIT_WORDS and bool(p.CREDIT.match(text)))
        or (
            # a caption ending in its credit is furniture already, a strong cut between cards
            unit.words <= t.CAPTION_CREDIT_WORDS
            and bool(p.CAPTION_CREDIT.search(text))
            and not p.CAPTION_END.search(text)
        )
        or (unit.words <= t.MAX_CAPTION_WORDS and bool(p.FIGURE_CAPTION.match(text)))
    )


def is_run_on(unit: Unit) -> bool:
    """A long text that hardly ever ends a sentence: a drop-down's options ("Monat auswählen
    Juni 2014 Januar 2014 …"), a tag cloud, a script. Prose ends one every few dozen words."""
    if unit.words < t.RUN_ON_WORDS:
        return False
    return unit.words > t.RUN_ON_WORDS * (len(p.SENTENCE_STOP.findall(unit.text)) + 1)


def duplicates(keys: list[str]) -> set[int]:
    """Units whose template_key another unit shares."""
    seen: dict[str, int] = {}
    dup: set[int] = set()
    for i, key in enumerate(keys):
        if key in seen:
            dup.update((seen[key], i))
        else:
            seen[key] = i
    return dup


def classify_unit(
    unit: Unit, density: float, in_template: bool, printed_twice: bool, template: frozenset[str]
) -> Block:
    """One unit's context-free class."""
    if (unit.image or is_credit(unit) or printed_twice) and not in_template:
        # image alt texts, photo credits and lines printed twice (captions, repeated
        # menus) are not story, but sit inside stories as often as outside: they weigh little
        return Block.MINOR
    if (
        is_furniture(unit, template)
        or is_block_heading(unit)
        or (unit.linked > t.MAX_LINK_SHARE and not unit.bullet)
    ):
        return Block.BAD
    if unit.linked > t.MAX_LINK_SHARE:
        # a linked list item is a menu entry, a tag or a teaser: never story on its own
        # account, but its list (a tag list closing the story) still tells where it stands
        return Block.SHORT
    length = len(unit.text)
    if length < t.LENGTH_LOW or unit.words < t.MIN_PROSE_WORDS or " " not in unit.text:
        return Block.SHORT
    if is_run_on(unit):
        return Block.SPARSE
    if not SENTENCE_END.search(unit.text) and unit.words < t.NO_STOP_WORDS:
        density -= t.NO_STOP_PENALTY  # a long line without a sentence end is a headline or a label
    if density >= t.STOP_HIGH:
        return Block.GOOD if length > t.LENGTH_HIGH else Block.NEARGOOD
    if density >= t.STOP_LOW:
        return Block.NEARGOOD
    return Block.SPARSE  # long but hardly prose: a list of names, a keyword box


def classify(
    units: list[Unit],
    keys: list[str],
    densities: list[float],
    template: frozenset[str],
    lists: set[int],
) -> list[Block]:
    """Context-free classes of all units. A list item is never more than near-good: a list
    in the story is story by its context, not on its own account."""
    printed = duplicates(keys)
    classes = [
        classify_unit(
            unit,
            densities[i],
            in_template=bool(template) and keys[i] in template,
            printed_twice=i in printed and unit.words < t.MINOR_DUPLICATE_WORDS,
            template=template,
        )
        for i, unit in enumerate(units)
    ]
    for i in lists:
        if classes[i] == Block.GOOD:
            classes[i] = Block.NEARGOOD
    return classes
