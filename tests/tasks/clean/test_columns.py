"""Side-by-side columns of a text dump (a layout table as w3m lays it out) are read one after
the other, and the units cut from them hold one column's text each."""

from __future__ import annotations

import textwrap
from itertools import zip_longest
from pathlib import Path

from newsdesk.core.registry import load_registry
from tasks.clean.columns import read_columns
from tasks.clean.text_dump import clean_text_dump
from tasks.clean.text_units import split_units
from tasks.page.fields import PageContext

PROJECT = Path(__file__).resolve().parents[3]
CTX = PageContext(registry=load_registry(PROJECT / "sources.toml"))

STORY = [
    "Der Stadtrat hat am Dienstagabend nach langer Debatte beschlossen, die alte Markthalle "
    "nicht abzureißen, sondern in den kommenden drei Jahren für Händler und Vereine umzubauen.",
    "Die Kosten von rund zwölf Millionen Euro teilen sich die Stadt und das Land, das den Umbau "
    "als Beispiel für die Belebung von Innenstädten fördern will, wie die Ministerin sagte.",
    "Gegen den Beschluss stimmten nur die beiden Abgeordneten der Freien Wähler, die eine "
    "Wohnbebauung auf dem Gelände gefordert hatten und nun ein Bürgerbegehren prüfen wollen.",
]
SIDEBAR = ["Meistgelesen", "", "1. Unfall auf der B 27", "2. Neue Kita eröffnet",
           "3. Stadtfest abgesagt", "", "Newsletter", "Jetzt anmelden"]  # fmt: skip
MENU = ["Startseite", "Lokales", "Sport", "Kultur", "Wetter"]


def wrapped(paragraphs: list[str], width: int) -> list[str]:
    """Paragraphs hard-wrapped at `width`, a blank line between them (as w3m wraps a cell)."""
    lines: list[str] = []
    for paragraph in paragraphs:
        lines += [*textwrap.wrap(paragraph, width), ""]
    return lines[:-1]


def side_by_side(*columns: tuple[list[str], int], gap: int = 4) -> list[str]:
    """Cells laid out as a text browser lays out a table row: each column padded to its
    width, `gap` spaces between them, trailing spaces dropped."""
    rows = zip_longest(*(lines for lines, _ in columns), fillvalue="")
    return [
        (" " * gap)
        .join(cell.ljust(width) for cell, (_, width) in zip(row, columns, strict=True))
        .rstrip()
        for row in rows
    ]


def page(lines: list[str]) -> str:
    head = ["Stadtanzeiger", "", "Markthalle bleibt stehen", ""]
    foot = ["", "Impressum | Datenschutz | Kontakt"]
    return "\n".join([*head, *lines, *foot])


def numbered(lines: list[str]) -> list[tuple[str, int]]:
    return [(line, number) for number, line in enumerate(lines)]


def test_story_beside_a_sidebar_is_read_before_the_sidebar() -> None:
    story = wrapped(STORY, 60)
    lines = side_by_side((story, 60), (SIDEBAR, 25))
    assert lines[0].startswith("Der Stadtrat hat") and lines[0].endswith("    Meistgelesen")
    read = [text for text, _ in read_columns(numbered(lines))]
    # the story's lines, blank lines between paragraphs kept; then the sidebar's, where the
    # rows beside the story's end left blank lines
    assert read[: len(story)] == story
    assert [text for text in read[len(story) :] if text] == [text for text in SIDEBAR if text]


def test_units_hold_one_column_each_and_point_at_their_source_line() -> None:
    lines = side_by_side((MENU, 14), (wrapped(STORY, 60), 60), (SIDEBAR, 25))
    units = split_units(page(lines))
    texts = [u.text for u in units]
    for paragraph in STORY:  # each wrapped paragraph is one unit again, without the sidebar
        assert paragraph in texts
    assert {"Meistgelesen", "Startseite", "3. Stadtfest abgesagt"} <= set(texts)
    first = next(u for u in units if u.text == STORY[0])
    assert first.line == 4  # the page's fifth line, where the paragraph starts
    body = clean_text_dump(page(lines), CTX).body
    for paragraph in STORY:
        assert paragraph in body
    assert "Meistgelesen" not in body and "Stadtfest" not in body and "Lokales" not in body


def test_a_data_table_stays_in_rows() -> None:
    table = [
        "Modell                      Preis     Isofix   Note",
        "Britax Römer Baby-Safe 2    370 €     ja       1,7",
        "Joie i-Level                300 €     ja       1,7",
        "Maxi-Cosi Cabriofix         140 €     nein     2,1",
        "Hauck Comfort Fix           120 €     nein     2,4",
    ]
    assert read_columns(numbered(table)) == numbered(table)


def test_a_short_token_over_the_gutter_does_not_end_the_columns() -> None:
    story = wrapped(STORY, 45)
    story[6:6] = [" " * 47 + "[l]"]  # an image w3m placed past the story's wrap width
    lines = side_by_side((story, 48), (SIDEBAR, 25))
    read = [text for text, _ in read_columns(numbered(lines))]
    assert read[: len(story)] == [line.rstrip() for line in story]


def test_a_form_field_is_one_element_and_prose_has_no_gutter() -> None:
    field = ["Suche  [                    ]  [Los]"] * 4
    prose = wrapped(STORY, 100)
    for lines in (field, prose):
        assert read_columns(numbered(lines)) == numbered(lines)


def test_wide_characters_take_two_screen_columns() -> None:
    story = [
        "市议会周二晚间经过长时间辩论后决定不拆除旧市场大厅",
        "而是在未来三年内将其改建供商贩和协会使用的场所",
        "改建费用约一千二百万欧元由市政府和州政府共同承担",
    ]
    sidebar = ["热门文章", "天气预报", "联系我们"]
    # each CJK character takes two screen columns: the story cell is 52 columns wide
    lines = [f"{s}{' ' * (56 - 2 * len(s))}{b}" for s, b in zip(story, sidebar, strict=True)]
    read = [text for text, _ in read_columns(numbered(lines))]
    assert read == [*story, "", *sidebar, ""]


def test_a_table_whose_rows_hold_running_text_stays_in_rows() -> None:
    # each row holds a setting, its description (wrapped) and its values: the rows, blank
    # lines apart across the whole width, hold a cell in each column
    settings = {
        "Spieldauer": ["• 5 Minuten", "• 10 Minuten"],
        "Schwierigkeit": ["• Amateur", "• Profi", "• Legende"],
        "Wetter": ["• Sonne", "• Regen"],
        "Anstoß": ["• Tag", "• Nacht"],
    }
    rows = []
    for name, values in settings.items():
        text = f"{name}: hier stellen Sie ein, wie das Spiel für beide Mannschaften abläuft."
        description = wrapped([text], 40)
        rows += [*side_by_side((description, 40), (values, 15)), ""]
    assert read_columns(numbered(rows)) == numbered(rows)
