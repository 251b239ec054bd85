"""The story's headline and the lines that belong to it without being its text: the
standfirst under the headline, bylines and date lines, an author's bio at the end, and the
bare labels a story's last paragraph is followed by."""

from __future__ import annotations

from collections import Counter

from tasks.clean.text_dump import patterns as p
from tasks.clean.text_dump import tuning as t
from tasks.clean.text_dump.blocks import Block, is_block_heading, is_furniture
from tasks.clean.text_dump.page import Page
from tasks.clean.text_units import SENTENCE_END, Unit


def title_index(page: Page) -> int | None:
    """The headline: a heading-like unit standing alone just before the story (or opening it).

    Pages print their headline more than once (a breadcrumb, an image's alt text, the
    document title above the article), and put the date or byline right under it; both count
    for a candidate. Headlines of one or two words exist ("Emden", "Nebelsuppe.") but need
    such support to beat a longer line nearer the story.

    Tried and not kept (issue 16, s34title; title exact on segments/ per renderer
    w3m/html2text/inscriptis, tuning half in-process, held-out by make eval's CLI):
    - the line that opens the story run and is printed again elsewhere ("More about
      <headline>", a breadcrumb) as a candidate however long (TITLE_LEAD_WORDS skipped it as
      the lead; inscriptis m0315): tuning 126/145/134 -> 127/145/136 of 205, modern/
      inscriptis 105 -> 106 of 274, no other tuning title changed; held-out title
      0.5722/0.6598/0.6186 -> 0.5773/0.6598/0.6237 and segments F1 +0.0006 on w3m and
      inscriptis, but held-out modern/ date accuracy on w3m 0.6991 -> 0.6903 (one page of
      113), so not kept by the no-drop rule.
    - copies in a list of bare labels (page.labels, a menu) not counted as printed again:
      tuning 127/145/136 -> 128/146/137, but modern/ w3m and inscriptis -1 each (m0457's
      headline is also a menu label); too few pages either way, not kept.
    - above TITLE_REACH, the nearest line printed again with a date or byline under it when
      the best line in reach has not both (the run starting late past a sidebar): tuning
      segments 127/145/136 -> 128/143/137, modern/ 96/117/106 -> 99/117/107, and about 60
      tuning pages' headlines change (wrong to other wrong lines, which move the byline
      zone): not kept."""
    units, start, end = page.units, page.start, page.end
    best, best_score = None, 0.0
    lowest = max(0, start - t.TITLE_REACH)
    short_keys = [
        k if u.words <= t.TITLE_KEY_WORDS else "" for u, k in zip(units, page.keys, strict=True)
    ]
    printed = Counter(short_keys)
    for i in range(lowest, min(end, start + t.TITLE_INSIDE)):
        unit = units[i]
        if not 1 <= unit.words <= t.TITLE_WORDS:
            continue
        text = unit.text
        if is_furniture(unit, frozenset(), teaser=False) or is_block_heading(unit) or unit.bullet:
            continue
        if (
            i in page.lists
            or p.CREDIT.match(text)
            or p.CAPTION_CREDIT.search(text)
            or text.endswith(":")
        ):
            continue  # a list line, a credit, a caption or an intro ("Zubereitung:") is no headline
        if p.DATEISH.search(text) and unit.words <= t.TITLE_DATE_WORDS:
            continue
        if i >= start and unit.words > t.TITLE_LEAD_WORDS and not unit.heading:
            continue  # inside the story a long line is its lead, not a headline
        score = _title_score(page, short_keys, printed, i)
        if score > best_score:
            best, best_score = i, score
    return best


def _title_score(page: Page, short_keys: list[str], printed: Counter[str], i: int) -> float:
    units, start = page.units, page.start
    unit = units[i]
    text = unit.text
    low, high = t.TITLE_PHRASE_WORDS
    score = t.TITLE_BASE - abs(start - i) * t.TITLE_DISTANCE_COST
    score += t.TITLE_HEADING_BONUS if unit.heading else 0.0
    score += (
        t.TITLE_PHRASE_BONUS
        if low <= unit.words <= high
        else -t.TITLE_LABEL_COST
        if unit.words <= t.TITLE_LABEL_WORDS
        else 0.0
    )
    score -= (
        t.TITLE_SENTENCE_COST if text.endswith(".") and unit.words > t.TITLE_LABEL_WORDS else 0.0
    )
    score -= t.TITLE_INSIDE_COST if i >= start else 0.0
    alone = (i == 0 or units[i - 1].block != unit.block) and (
        i + 1 == len(units) or units[i + 1].block != unit.block
    )
    score += t.TITLE_ALONE_BONUS if alone else -t.TITLE_NOT_ALONE_COST
    score += t.TITLE_PRINTED_BONUS if _printed_again(short_keys, printed, i) else 0.0
    dated_below = any(
        p.DATEISH.search(u.text) or p.BYLINE.match(u.text)
        for u in units[i + 1 : i + 1 + t.TITLE_DATED_REACH]
        if u.words <= t.METADATA_WORDS
    )
    score += t.TITLE_DATED_BONUS if dated_below else 0.0
    return score


def _printed_again(short_keys: list[str], printed: Counter[str], i: int) -> bool:
    """Whether unit i's text is printed elsewhere on the page, on its own or inside a short
    line (a breadcrumb, an image's alt text), but not over and over: a label under every
    forum post or teaser ("Forenprofi", "Weiterlesen") is no headline. short_keys holds the
    template_key of each unit of at most TITLE_KEY_WORDS words ("" for longer ones), printed
    counts them."""
    key = short_keys[i]
    if len(key) < t.MIN_TITLE_KEY_CHARS or printed[key] > t.MAX_HEADLINE_PRINTS:
        return False
    return printed[key] > 1 or any(j != i and key in k for j, k in enumerate(short_keys))


def standfirst(page: Page, first: int) -> list[int]:
    """The lines between the headline and the story's first paragraph that are its
    standfirst or subtitle: text of a few words or more, not a date, byline, credit, list
    line or furniture. Anything else between them (a menu, a share bar, a breadcrumb, a list
    of names) cuts them off."""
    assert page.title is not None
    found: list[int] = []
    for i in range(first - 1, page.title, -1):
        unit = page.units[i]
        text = unit.text
        block = page.classes[i]
        if p.DATEISH.search(text) or is_metadata_line(unit) or block == Block.MINOR:
            continue
        if p.CREDIT_TAIL.search(text):
            continue  # a caption with its credit
        if block == Block.BAD or i in page.lists or unit.words < t.STANDFIRST_WORDS:
            break
        # a phrase has lowercase words; a breadcrumb or a list of names has none or separators
        if p.BREADCRUMB.search(text) or not any(w[0].islower() for w in p.WORD.findall(text)):
            break
        found.insert(0, i)
    return found


def trim_trailing_labels(units: list[Unit], classes: list[Block], keep: list[int]) -> None:
    """Drop the bare labels the story ends on: a box title or a link after the last
    paragraph ("Weitere Informationen:", "Explore further", "Zurück zur Übersicht"). A label
    there heads nothing of the story, and no sentence of it ends that way."""
    while keep:
        unit = units[keep[-1]]
        dangling_intro = unit.text.endswith(":") and unit.words <= t.TRAILING_INTRO_WORDS
        bare = (
            classes[keep[-1]] == Block.SHORT
            and not SENTENCE_END.search(unit.text)
            and unit.words <= t.TRAILING_LABEL_WORDS
        )
        if unit.bullet or not (dangling_intro or bare):
            return
        keep.pop()


def author_bio(units: list[Unit], stops: frozenset[str], keep: list[int]) -> int | None:
    """An author's bio among the story's last paragraphs: a paragraph that opens on a
    person's name that the page also prints as a line of its own or in a byline ("Von Inga
    Buller"), and goes on "… ist Head of Social bei CHIP"."""
    for i in keep[-t.BIO_TAIL :]:
        match = p.BIO_OPENING.match(units[i].text)
        if not match or units[i].words > t.BIO_WORDS:
            continue
        name = match.group(1)
        if not all(
            word[0].isupper() and word.lower() not in stops
            for word in name.split()
            if word.lower() not in p.NAME_PARTICLES
        ):
            continue  # "Die Frau ist …", "Das Spiel ist …": not a name
        folded = name.casefold()
        if any(
            j != i and other.words <= t.BYLINE_WORDS and folded in other.text.casefold()
            for j, other in enumerate(units)
        ):
            return i
    return None


def is_metadata_line(unit: Unit) -> bool:
    """A byline or a tag line."""
    return unit.words <= t.METADATA_WORDS and bool(
        p.BYLINE.match(unit.text) or p.TAG_LINE.match(unit.text)
    )


def is_date_line(unit: Unit) -> bool:
    """A date or time with a label at most ("16 marca 2021", "Publikacja: 04.05.2021",
    "Alex Fischer / 22.04.2020"): the timestamp of the page, a comment or a ticker entry is
    metadata, not story text."""
    if unit.words > t.DATE_LINE_WORDS or not p.DATEISH.search(unit.text):
        return False
    return len(p.LETTER_WORD.findall(p.DATEISH.sub(" ", unit.text))) <= t.DATE_LABEL_WORDS
