"""Boilerplate removal for plain-text page dumps (any renderer, or a copy-paste).

The dump is cut into units (text_units), each unit is classified on its own (length, stopword
density, sentence punctuation, boilerplate patterns, the source's template, and its share of
link text where the dump keeps links), then revised by
its context the way jusText does (a short line between story paragraphs is story; a teaser
between menus is not), and the article is the contiguous run of units with the highest score
(Finn's body-text-extraction idea: story words count for, boilerplate counts against). Units
of that run classed as story make the body, and a learned line model (line_model) adds the
story lines the rules left out, within limits the rules set. Headline, byline, date lines,
tags and header / footer lines are handed to the extractor as hints.

The modules, in the order a page goes through them:
- language: the page's language and its stopwords;
- blocks: each unit's class on its own (Block), from the patterns (patterns, whose phrases
  are in tasks/page/lexicon) and the tuned numbers (tuning);
- revise: jusText's revision of each class by its neighbours;
- structure: lists, label lists, block headings and their shadow;
- story_run: each unit's value, the story run, and where it is cut back or widened;
- headline: the headline, standfirst, bylines, date lines and an author's bio;
- hints: the body's paragraphs and the extractor's hints.
The page (page.Page) carries what each step found to the next.
"""

from __future__ import annotations

from newsdesk.core.contracts.hints import Cleaned
from tasks.clean.line_model import Layout, cuts, story_probabilities, w3m_form
from tasks.clean.templates import template_key
from tasks.clean.text_dump import headline, hints, story_run, structure
from tasks.clean.text_dump.blocks import Block, classify, is_run_on, stop_density
from tasks.clean.text_dump.language import prose_language, stoplist
from tasks.clean.text_dump.page import Page
from tasks.clean.text_dump.revise import revise
from tasks.clean.text_units import Unit, split_units
from tasks.page.fields import PageContext

METHOD = "text-dump"
# Classes that are never story, whatever run they stand in.
_NEVER_STORY = (Block.BAD, Block.SPARSE, Block.MINOR)

__all__ = ["METHOD", "Block", "clean_text_dump", "prose_language", "rule_layout"]


def analyse(units: list[Unit], template: frozenset[str]) -> tuple[str | None, Page, list[int]]:
    """The page's language, what the rules find on it, and the units they keep as story."""
    language = prose_language(units)
    stops = stoplist(language)
    keys = [template_key(u.text) for u in units]
    densities = [stop_density(u.text, stops) for u in units]
    lists = structure.list_members(units)
    classes = classify(units, keys, densities, template, lists)
    page = Page(
        units=units,
        keys=keys,
        stop_density=densities,
        classes=classes,
        revised=revise(units, classes),
        lists=lists,
        labels=structure.label_lists(units, lists),
    )
    page.boundaries = structure.boundaries(page)
    page.shadow = structure.shadowed(page)
    page.values = story_run.values(page)
    page.start, page.end = story_run.best_run(page.values)
    page.end = story_run.cut_appendix(page)
    if page.end > page.start:
        page.title = headline.title_index(page)
        _widen(page)
    keep = _keep(page, stops)
    return language, page, keep


def _widen(page: Page) -> None:
    """Widen the run over its lead and over lists at its edges, never above the headline."""
    floor = page.title + 1 if page.title is not None and page.title < page.start else 0
    lead = max(floor, story_run.extend_over_lead(page))
    page.shadow -= set(range(lead, page.start))  # the story's lead is out of any heading's shadow
    start, page.end = story_run.extend_over_lists(page, lead)
    page.start = max(floor, start)


def _keep(page: Page, stops: frozenset[str]) -> list[int]:
    """The units of the run kept as story: no furniture, nothing in a heading's shadow, no
    label, headline, byline or date line, no line stranded among furniture; then an author's
    bio ends the story, and a recipe's ingredients and the standfirst join it."""
    units = page.units
    stranded = story_run.stranded(page)
    keep = [
        i
        for i in range(page.start, page.end)
        if page.classes[i] not in _NEVER_STORY
        and i not in page.shadow
        and i not in page.labels
        and i != page.title
        and not headline.is_metadata_line(units[i])
        and not headline.is_date_line(units[i])
        and i not in stranded
    ]
    headline.trim_trailing_labels(units, page.classes, keep)
    bio = headline.author_bio(units, stops, keep)
    if bio is not None:
        del keep[keep.index(bio) :]
        page.boundaries.add(bio)  # the bio closes the story as a box heading would
        page.end = bio
    if keep:
        keep[:0] = story_run.ingredients(page, keep[0])
    if page.title is not None and keep:
        keep[:0] = headline.standfirst(page, keep[0])
    return keep


def rule_layout(units: list[Unit], template: frozenset[str]) -> tuple[str | None, Layout]:
    """The page's language and what the rules find: each unit's class, the story run, its
    headline and the units kept as story."""
    language, page, keep = analyse(units, template)
    return language, page.layout(keep)


def _learned_additions(units: list[Unit], layout: Layout, w3m: bool) -> set[int]:
    """Story lines the rules left out that the line model finds likely enough story.
    It never overrules what the rules know for certain: no headline, byline or tag line,
    nothing the rules recognised as furniture or a line of the source's template (class
    bad), no run-on line (a drop-down's options, a tag cloud: its words can score like
    prose, but it is never story). What the rules fence off by layout alone (an alt text, a
    credit or a line printed twice, class minor; a line in a box that a block heading opens,
    "Written By", "Related"; anything beyond the block headings that close the story or
    open the furniture above it) is left out too, unless the cuts in use (line_model.cuts)
    overrule that fence from a probability: the w3m head's (`w3m`, chosen by site-grouped
    CV) overrule class minor, and the story's block headings for lines of a few words or
    more (a one-word tag line there is never story)."""
    first = max((b for b in layout.boundaries if b < layout.start), default=-1)
    last = min((b for b in layout.boundaries if b >= layout.end), default=len(units))
    probabilities = story_probabilities(units, layout, w3m)
    cut = cuts(w3m)
    return {
        i
        for i, p in enumerate(map(float, probabilities))
        if p >= cut.story
        and (first < i < last or (p >= cut.beyond_boundary and units[i].words >= cut.fence_words))
        and i not in layout.keep
        and (i not in layout.shadow or (p >= cut.in_shadow and units[i].words >= cut.fence_words))
        and layout.classes[i] != Block.BAD
        and (layout.classes[i] != Block.MINOR or p >= cut.minor)
        and not is_run_on(units[i])
        and i != layout.title
        and not headline.is_metadata_line(units[i])
        and not headline.is_date_line(units[i])
    }


def clean_text_dump(text: str, ctx: PageContext, template: frozenset[str] = frozenset()) -> Cleaned:
    """The story paragraphs of a text dump, with hints for the extractor.

    `template` holds template_key()s of lines the source prints on every page (learned by
    tasks.clean.templates); those lines never count as story."""
    units = split_units(text)
    if not units:
        return Cleaned(body="", method=METHOD, hints={})
    language, page, keep = analyse(units, template)
    layout = page.layout(keep)
    story = sorted(layout.keep | _learned_additions(units, layout, w3m_form(text)))
    body = "\n\n".join(hints.render(units, story))
    # the extractor's zones (byline, lead, after) stay anchored on the rules' story run
    found = hints.hints(page, sorted(layout.keep), language, ctx)
    return Cleaned(body=body, method=METHOD, hints=found)
