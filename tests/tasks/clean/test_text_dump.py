"""Boilerplate removal on text dumps: the seeds' gold bodies, from several layouts."""

from __future__ import annotations

import json
import re
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from newsdesk.core.registry import load_registry
from tasks.clean.text_dump import clean_text_dump, prose_language
from tasks.clean.text_dump.blocks import is_block_heading, is_furniture
from tasks.clean.text_dump.headline import trim_trailing_labels
from tasks.clean.text_dump.hints import render
from tasks.clean.text_dump.revise import revise
from tasks.clean.text_units import split_units, unit_words
from tasks.page.fields import PageContext
from tasks.page.words import count_words

PROJECT = Path(__file__).resolve().parents[3]
SEEDS = PROJECT / "tests" / "fixtures" / "seeds"
GOLD = json.loads((SEEDS / "gold.json").read_text(encoding="utf-8"))
CTX = PageContext(registry=load_registry(PROJECT / "sources.toml"))


def word_f1(found: str, expected: str) -> float:
    a = Counter(re.findall(r"\w+", found.lower()))
    b = Counter(re.findall(r"\w+", expected.lower()))
    common = sum((a & b).values())
    return 2 * common / (sum(a.values()) + sum(b.values())) if common else 0.0


def best_f1(body: str, gold: dict) -> float:
    """The gold notes accept a body with or without the standfirst."""
    return max(
        word_f1(body, gold["body"]), word_f1(body, f"{gold['standfirst']}\n\n{gold['body']}")
    )


def seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def as_w3m(text: str) -> str:
    """The seed as a wrapping renderer would show it: 100 columns, hanging bullet lines."""
    out = []
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip())
        out.append(textwrap.fill(line, 100, subsequent_indent=" " * (indent + 4)) if line else "")
    return "\n".join(out)


def as_markdown(text: str) -> str:
    """The seed as a markdown converter would show it: `*` bullets, links around menu items."""
    text = re.sub(r"^(\s*)•\s+(.+)$", r"\1* [\2](https://example.org/x)", text, flags=re.M)
    return text


@pytest.mark.parametrize("layout", [lambda t: t, as_w3m, as_markdown], ids=["plain", "w3m", "md"])
@pytest.mark.parametrize("name", sorted(GOLD))
def test_seed_body_matches_gold(name: str, layout) -> None:
    cleaned = clean_text_dump(layout(seed(name)), CTX)
    assert cleaned.method == "text-dump"
    assert best_f1(cleaned.body, GOLD[name]) >= 0.98
    json.dumps(cleaned.hints)  # hints travel as JSON


def test_seed_002_drops_related_block_ticker_caption_and_coverage_box() -> None:
    body = clean_text_dump(seed("002_9fff910d0917317a.txt"), CTX).body
    for furniture in (
        "Related News",
        "Belarus hosts US officials at joint Zapad drills",  # teaser in mid-story
        "Ksar Zaatar",  # breaking-news ticker
        "Tanks move during the Union Courage-2022",  # photo caption
        "As the Draconian Western-led sanctions",  # coverage box after the tags
        "3 Min Read",
        "Most Read",
    ):
        assert furniture not in body
    # the paragraphs on both sides of the related block stay, in order
    before = body.index("A senior official in the Belarusian Defense Ministry")
    after = body.index('"The regional force grouping is a complicated system')
    assert before < after


def test_seed_000_drops_author_bio_and_teasers() -> None:
    body = clean_text_dump(seed("000_aead3fb2f9192cb0.txt"), CTX).body
    assert "I am an experienced writer" not in body
    assert "KARACHI:" not in body
    assert body.rstrip().endswith("Courtesy: Oil.com")


def test_short_story_lines_stay_and_long_teasers_go() -> None:
    para = (
        "The committee met for four hours on Thursday and heard evidence from the mayor, the "
        "police chief and two residents who had written to complain about the noise at night."
    )
    teaser = (
        "Another long story about something else entirely that the site wants you to read next, "
        "with enough words to look like a paragraph of its own when read out of its context..."
    )
    page = "\n\n".join(
        ["Town hall news", "Noise complaints reach the committee", para, "Nobody agreed.",
         para.replace("four", "five"), "More from the site", teaser, teaser.replace("long", "big")]
    )  # fmt: skip
    body = clean_text_dump(page, CTX).body
    assert "Nobody agreed." in body
    assert "five hours" in body
    assert "something else entirely" not in body
    assert "More from the site" not in body


def test_hints_carry_headline_section_and_date_lines() -> None:
    hints = clean_text_dump(seed("002_9fff910d0917317a.txt"), CTX).hints
    assert hints["title"] == GOLD["002_9fff910d0917317a.txt"]["title"]
    assert any(line["text"] == "17 Oct 2022 19:58" for line in hints["date_lines"])
    assert hints["tags"] == GOLD["002_9fff910d0917317a.txt"]["tags"]
    assert "Al Mayadeen English" in hints["footer"]


def test_headline_printed_twice_with_its_date_beats_a_nearer_line() -> None:
    # a one-word headline, repeated in an image's alt text and dated right under it, wins over
    # the short line that stands nearer the story; a "Zubereitung:" style intro never wins
    page = "\n\n".join(
        ["• Startseite", "• Städte", "Emden", "16. Dezember 2019", "[Emden, Ratsdelft]",
         "Die Seehafenstadt im Porträt", "Unterwegs:", _story().split("\n\n", 2)[2]]
    )  # fmt: skip
    cleaned = clean_text_dump(page, CTX)
    assert cleaned.hints["title"] == "Emden"
    assert "committee met for six hours" in cleaned.body


def test_subtitle_between_headline_and_story_is_kept_without_the_date() -> None:
    page = _story("12 March 2024", "Residents say the bars stay open far too late")
    body = clean_text_dump(page, CTX).body
    assert body.startswith("Residents say the bars stay open far too late\n\nThe committee")
    assert "12 March" not in body
    # a menu line between them cuts the subtitle off: it is not the story's
    page = _story("Residents say the bars stay open far too late", "• Share")
    assert "Residents say" not in clean_text_dump(page, CTX).body
    # a caption with its credit is skipped, a list of names stops the search
    page = _story("Residents say the bars stay open far too late", "Anna Berg, Piotr Nowak",
                  "Night in the old town / Photo: Pixabay")  # fmt: skip
    assert not clean_text_dump(page, CTX).body.startswith(("Residents", "Anna", "Night"))


def test_empty_dump_gives_empty_body() -> None:
    assert clean_text_dump("\n\n   \n", CTX).body == ""


def test_markdown_escapes_and_icon_markers_are_undone() -> None:
    units = split_units("[28\\. Juli 2019](https://example.org/a)\n\n__Auch interessant\n\n_Tags_")
    assert [u.text for u in units] == ["28. Juli 2019", "Auch interessant", "Tags"]
    # html2text's seams where bold text changes style inside a sentence
    units = split_units("**Rheinmetall ist nach**** _NDR_****-Recherchen betroffen.**")
    assert units[0].text == "Rheinmetall ist nach NDR-Recherchen betroffen."
    # a blockquote is text; a bare ">" parts its paragraphs; a Python prompt stays
    units = split_units("> ## Quoted heading\n>\n> > A quoted line.\n\n>>> print(1)")
    assert [(u.text, u.heading) for u in units] == [
        ("Quoted heading", True),
        ("A quoted line.", False),
        (">>> print(1)", False),
    ]
    assert units[0].block != units[1].block


def test_a_link_or_bold_run_that_touches_a_word_is_parted_from_it() -> None:
    """html2text drops the space before a link ("inzwischen[eine …](…)") or a bold run:
    undone, its text is a word of its own, never glued to its neighbour; punctuation stays
    attached."""
    units = split_units(
        "Es gibt inzwischen[eine neue Fassung](https://example.org/a) des Leitfadens.\n\n"
        "Folgt uns auf [Twitter](https://t.example)! Mehr bei der[Technology Review](/tr)s."
    )
    assert units[0].text == "Es gibt inzwischen eine neue Fassung des Leitfadens."
    assert units[1].text == "Folgt uns auf Twitter! Mehr bei der Technology Review s."
    # the same for a bold run that lost its space ("die**3G-Regelung**")
    units = split_units("Hier gilt die**3G-Regelung**. Das**Westviertel** und **Essen**.")
    assert units[0].text == "Hier gilt die 3G-Regelung. Das Westviertel und Essen."
    # and a stray bold marker between two words
    assert split_units("Podologie sowie**medizinische Fußpflege")[0].text == (
        "Podologie sowie medizinische Fußpflege"
    )


def test_two_links_run_together_are_parted_in_the_body_only() -> None:
    """html2text runs two adjacent links together ("[Fold](#)[Unfold](#)"), and a link
    behind a bold marker ("an**[mail](…)**oder"): the body the cleaner writes parts them,
    while the unit's text, which the rules and the line model read, stays as it was."""
    units = split_units(
        "[Fold](javascript:;)[Unfold](javascript:;) Table of Contents\n\n"
        "**Fragen? per E-Mail an**[ __info@example.de__](mailto:info@example.de)**oder hier.**"
    )
    assert [unit.text for unit in units] == [
        "FoldUnfold Table of Contents",
        "Fragen? per E-Mail an info@example.deoder hier.",
    ]
    assert [unit.shown for unit in units] == [
        "Fold Unfold Table of Contents",
        "Fragen? per E-Mail an info@example.de oder hier.",
    ]
    assert render(units, [0, 1]) == [unit.shown for unit in units]
    assert split_units("[Home](/)")[0].shown == ""  # nothing parted: the text is shown


def test_markdown_tables_links_over_lines_and_list_headings_are_undone() -> None:
    # html2text's tables: the header rule goes, a row's cells stand side by side
    units = split_units(
        "Sum | Months | Rate\n---|---|---\n5.000 € | 36 | 143,17 €\n\n"
        "Details\n---\nAlcohol: | 10 % vol.\nMaker: | Beringer"
    )
    assert [u.text for u in units] == [
        "Sum Months Rate", "5.000 € 36 143,17 €", "Details", "Alcohol: 10 % vol.",
        "Maker: Beringer",
    ]  # fmt: skip
    assert len({u.block for u in units}) == 2
    # a rule over a menu line is a rule, not a table
    units = split_units("Story ends here.\n---\nHome | News | Contact")
    assert units[-1].text == "Home | News | Contact"
    # a link whose text runs over lines is one link, counted as link text
    units = split_units(
        "  * [ Haus des\ngemeinnützigen\nJournalismus ](https://ex.org/haus)\n  * Über uns"
    )
    assert [u.text for u in units] == ["Haus des gemeinnützigen Journalismus", "Über uns"]
    assert units[0].link_chars == len("Haus des gemeinnützigen Journalismus")
    # inline code; the space html2text leaves between emphasis and a comma
    units = split_units("Move `next-line` after **Deutschland** , **Italien** and `x`.")
    assert units[0].text == "Move next-line after Deutschland, Italien and x."
    # a heading as a list item's text; an empty heading is no line
    units = split_units("  * ### Impressum\n\n###\n\nText.")
    assert [(u.text, u.bullet) for u in units] == [("Impressum", True), ("Text.", False)]


def _story(*extra: str) -> str:
    para = (
        "The committee met for four hours on Thursday and heard evidence from the mayor, the "
        "police chief and two residents who had written to complain about the noise at night."
    )
    return "\n\n".join(
        ["Town hall news", "Noise complaints reach the committee", *extra, para,
         para.replace("four", "five"), para.replace("four", "six")]
    )  # fmt: skip


def test_comment_form_fields_do_not_hide_the_story_below_them() -> None:
    body = clean_text_dump(_story("Name(required)", "Comment(required)", "Submit"), CTX).body
    assert "five hours" in body and "four hours" in body


def test_figure_captions_inside_the_story_are_not_story() -> None:
    captions = (
        "Abbildung 4: Die grösste Lawine dieser Berichtsperiode wurde am Gürgaletsch ausgelöst.",
        "[20220103-1]Abbildung: Vergleich auf dem Aletschgletscher mit den Messungen vor Ort.",
        "Fig. 2. The committee room during the hearing, seen from the public gallery.",
    )
    paragraphs = _story().split("\n\n")[2:]
    page = "\n\n".join(
        ["Town hall news", "Noise complaints reach the committee", paragraphs[0], captions[0],
         captions[1], paragraphs[1], captions[2], paragraphs[2]]
    )  # fmt: skip
    body = clean_text_dump(page, CTX).body
    assert "four hours" in body and "five hours" in body and "six hours" in body
    assert not any(word in body for word in ("Lawine", "Aletschgletscher", "gallery"))


def test_date_lines_inside_the_story_are_not_story() -> None:
    paragraphs = _story().split("\n\n")[2:]
    page = "\n\n".join(
        ["Town hall news", "Noise complaints reach the committee", paragraphs[0],
         "Dienstag, 4. Juni 2019, 15:54", paragraphs[1], "Alex Fischer / 22.04.2020",
         "On 4 June 2019 the committee met again.", paragraphs[2]]
    )  # fmt: skip
    body = clean_text_dump(page, CTX).body
    assert "four hours" in body and "five hours" in body and "six hours" in body
    assert "15:54" not in body and "Alex Fischer" not in body
    assert "On 4 June 2019 the committee met again." in body  # a sentence with a date stays


@pytest.mark.parametrize(
    "line", ["publié le 1er novembre 2023 à 16h28", "Posted 22nd of March 2021", "1st January 2020"]
)
def test_a_day_with_an_ordinal_suffix_makes_a_date_line(line: str) -> None:
    # the extractor reads these forms (tasks/extract/text_dates); the cleaner must hand them on
    page = "\n\n".join(["Noise complaints reach the committee", line, _story()])
    dated = clean_text_dump(page, CTX).hints["date_lines"]
    assert [d["text"] for d in dated if d["text"] == line] == [line]


def test_a_drop_down_of_options_is_not_prose() -> None:
    # html2text prints a <select>'s options as one long line without a stop
    options = " ".join(
        f"The {topic} of the town and of the county {n}"
        for n, topic in enumerate(["arts", "politics", "music", "theatre", "history"] * 4)
    )
    page = _story() + "\n\nSelect Category " + options
    body = clean_text_dump(page, CTX).body
    assert "four hours" in body and "six hours" in body
    assert "Select Category" not in body and "of the county" not in body


def test_comment_titles_box_titles_and_caption_markers_in_several_languages() -> None:
    long_title = "The Loneliest Woman in the World: An Appreciation of Heart's “Alone” at Forty"
    for title in (f"11 responses to “{long_title}”", "Ein Gedanke zu „Über uns“",
                  "Eine Antwort auf „Über uns“", "Keine Kommentare for “Malaga”",
                  "Articles les plus lus",
                  "Das Thema könnte dich auch interessieren:"):  # fmt: skip
        assert is_block_heading(split_units(title)[0]), title
    # the story's own sentences with these words are no titles
    for line in ("No comments on the plan came from the mayor.", "One reply to the survey"):
        assert not is_block_heading(split_units(line)[0]), line
    for caption in ("Crédits photos : Bestimage", "Praca w magazynie, zdjęcie ilustracyjne",
                    "Das Geflecht der Firma. Zum Vergrößern auf das Bild klicken."):  # fmt: skip
        body = clean_text_dump(_story(caption), CTX).body
        assert "four hours" in body and max(caption.split(), key=len) not in body, caption


def test_unfilled_template_placeholders_are_furniture() -> None:
    for line in ("{{message}}", "{{^topArticle}} Für dieses Rezept gibt es noch keine Anleitung."):
        assert is_furniture(split_units(line)[0], frozenset()), line
    assert not is_furniture(split_units("The set {1, 2} has two members.")[0], frozenset())


def test_consent_banner_and_photo_credit_are_not_story() -> None:
    banner = (
        "Auf unserer Website werden Cookies eingesetzt, um unseren Internetauftritt "
        "benutzerfreundlich zu gestalten und die Zugriffe auf unsere Website zu analysieren. "
        "Wenn Sie auf der Website weitersurfen, stimmen Sie der Verwendung zu. Weitere "
        "Informationen finden Sie in unserer Datenschutzerklärung, dort können Sie Ihre "
        "Einstellungen jederzeit ändern und Ihre Einwilligung widerrufen, wann immer Sie wollen."
    )
    page = _story("Foto: Jane Doe/Agency") + "\n\n" + banner
    body = clean_text_dump(page, CTX).body
    assert "six hours" in body
    assert "Cookies" not in body
    assert "Foto:" not in body


def test_script_code_in_the_dump_does_not_decide_the_language() -> None:
    code = "function(e,t,n){var r=n(123);e.exports=function(){return new r.Template({code:1})}}"
    german = (
        "Der Ausschuss hat am Donnerstag vier Stunden lang getagt und dabei den Bürgermeister, "
        "den Polizeichef und zwei Anwohner gehört, die sich über den Lärm beschwert hatten."
    )
    units = split_units("\n\n".join([code * 3, german, german.replace("vier", "fünf")]))
    assert prose_language(units) == "de"


def test_ingredient_list_before_the_steps_is_story() -> None:
    steps = (
        "Alle Zutaten in eine Schüssel geben und mit dem Knethaken zu einem glatten Teig "
        "verarbeiten, dann den Teig eine Stunde lang im Kühlschrank ruhen lassen."
    )
    page = "\n".join(
        ["• Startseite", "• Rezepte", "• Impressum", "", "Mandelplätzchen mit Zimt und Nelken", "",
         "Zubereitungszeit: 25 Minuten", "", "Zutaten:", "300 g Mehl", "1 TL Backpulver",
         "100 g gemahlene Mandeln", "200 g Margarine", "200 g Zucker", "1 Prise Salz", "1 Ei",
         "1 TL Zimt", "", "Zubereitung:", "", steps, "",
         steps.replace("eine Stunde", "zwei Stunden"), "",
         steps.replace("eine Stunde", "drei Stunden")]
    )  # fmt: skip
    body = clean_text_dump(page, CTX).body
    assert "200 g Zucker" in body and "300 g Mehl" in body and "1 TL Zimt" in body
    assert "drei Stunden" in body
    assert "Impressum" not in body


def test_lead_above_the_byline_is_story() -> None:
    lead = (
        "The committee wants the city to close the square at midnight after a summer of "
        "complaints from residents."
    )
    page = _story().replace(
        "Noise complaints reach the committee",
        f"Noise complaints reach the committee\n\n{lead}\n\nBy Jane Doe, 3 May 2021",
    )
    body = clean_text_dump(page, CTX).body
    assert "close the square at midnight" in body
    assert "Jane Doe" not in body


def test_prose_past_a_related_box_that_never_resumes_the_story_is_left_out() -> None:
    about = (
        "We are a small team of volunteers who have reported on the town since 1998 and who "
        "rely on readers like you to keep going. Every month we publish the minutes of the "
        "council, the planning committee and the school board, and we answer every letter that "
        "reaches us. Support us with a donation today, or tell a friend about the paper."
    )
    page = _story() + "\n\n" + "\n\n".join(
        ["Related articles", "Mayor opens the new library", "Bus lane plans go to consultation",
         "Sign up for our newsletter", about]
    )  # fmt: skip
    body = clean_text_dump(page, CTX).body
    assert "six hours" in body
    assert "volunteers" not in body


def test_story_does_not_end_on_a_bare_label() -> None:
    units = split_units(
        "\n\n".join(["A paragraph of the story that ends well.", "- a list item", "Explore further",
                     "Weitere Informationen:", "Nobody agreed."])
    )  # fmt: skip
    cf = ["good", "short", "short", "short", "short"]
    keep = [0, 1, 2, 3]
    trim_trailing_labels(units, cf, keep)
    assert keep == [0, 1]  # the bullet item stays: lists end stories
    keep = [0, 4]
    trim_trailing_labels(units, cf, keep)
    assert keep == [0, 4]  # a short sentence is not a label


def test_inline_read_also_link_inside_the_story_is_not_story() -> None:
    link = "Lesen Sie auch: Bürgermeister eröffnet die neue Bibliothek"
    page = _story().replace(
        "\n\nThe committee met for five", f"\n\n{link}\n\nThe committee met for five"
    )
    body = clean_text_dump(page, CTX).body
    assert "four hours" in body and "five hours" in body and "six hours" in body
    assert "Bibliothek" not in body


@pytest.mark.parametrize(
    "notice",
    [
        "Gib deine E-Mail-Adresse ein, um diesem Blog zu folgen und per E-Mail "
        "Benachrichtigungen über neue Beiträge zu erhalten.",
        "This site is protected by reCAPTCHA and the Google Privacy Policy and Terms of Service "
        "apply.",
        "Trotz sorgfältiger inhaltlicher Kontrolle übernehme ich keine Haftung für die Inhalte "
        "externer Links, die in meinem Blog verlinkt sind.",
        "Dieses Blog steht unter einer Creative Commons Namensnennung 3.0 Österreich Lizenz.",
        "Für Links auf dieser Seite erhält CHIP ggf. eine Provision vom Händler.",
        "Klicken Sie auf den unteren Button, um den Inhalt von www.komoot.de zu laden.",
        "Mit der Anmeldung stimme ich der Bearbeitung meiner Daten entsprechend der "
        "Datenschutzerklärung zu.",
        "Get The Times of Israel's Daily Edition by email and never miss our top stories",
    ],
)
def test_sign_up_licence_and_disclaimer_lines_under_the_story_are_not_story(notice: str) -> None:
    body = clean_text_dump(_story() + "\n\n" + notice, CTX).body
    assert "six hours" in body
    assert notice[:25] not in body


def test_box_title_after_the_story_and_its_links_are_not_story() -> None:
    page = _story() + "\n\n" + "\n\n".join(
        ["Das könnte Sie auch interessieren", "Neue Buslinie ab Montag im Takt",
         "Stadtfest: Das Programm für das Wochenende", "Zurück zur Übersicht"]
    )  # fmt: skip
    body = clean_text_dump(page, CTX).body
    assert "six hours" in body
    for line in ("interessieren", "Buslinie", "Stadtfest", "Übersicht"):
        assert line not in body


def test_story_wrapped_in_a_narrow_table_column_is_rejoined_and_kept() -> None:
    para = (
        "Wie der Ressortchef am Dienstag vergangener Woche in München erklärte, würde die geplante "
        "Gewinnabschöpfung wichtige Investitionen in erneuerbare Energien gefährden, weil sich "
        "die Betreiber auf die Vergütung verlassen hatten."
    )
    column = "\n\n".join(
        textwrap.fill(para.replace("Dienstag", day), width=45) for day in ("Montag", "Freitag")
    )
    menu = "\n".join(["• Startseite", "• Politik", "• Wirtschaft", "• Impressum"])
    # the page itself is wrapped at 100 columns, as w3m does: only the cell is narrower
    notice = textwrap.fill(
        "Diese Website verwendet Cookies. Wenn Sie die Website weiter nutzen, stimmen Sie der "
        "Verwendung von Cookies zu. Weitere Informationen finden Sie in der Datenschutzerklärung.",
        width=100,
    )
    page = f"{menu}\n\nAiwanger warnt vor der Gewinnabschöpfung\n\n{column}\n\n{menu}\n\n{notice}"
    units = split_units(page)
    assert any(u.text == para.replace("Dienstag", "Freitag") for u in units)
    body = clean_text_dump(page, CTX).body
    assert "am Montag vergangener Woche" in body and "am Freitag vergangener Woche" in body


def test_lines_of_similar_length_without_a_running_sentence_stay_apart() -> None:
    # the page is wrapped at 100 columns; these blocks are not a narrower wrapped column
    notice = textwrap.fill(" ".join(["Diese Website verwendet Cookies."] * 6), width=100)
    repeated = ["Radtour durch Friedrichsfelde und Karlshorst"] * 3
    table = ["apache_builds 2.3 GB/s 0.098 GB/s", "github_events 2.5 GB/s 0.093 GB/s",
             "gsoc-2018 3.1 GB/s 0.091 GB/s"]  # fmt: skip
    for block in (repeated, table):
        units = split_units("\n".join(block) + "\n\n" + notice)
        assert [u.text for u in units[:3]] == block


def test_paragraph_ending_in_a_guillemet_quote_is_story_not_a_teaser() -> None:
    para = (
        "Der Verein hat am Donnerstag vier Stunden lang getagt und dabei den Präsidenten, den "
        "Trainer und zwei Mitglieder gehört, die sich über die Reise nach Katar beschwert hatten."
    )
    quote = (
        "In der Petition heisst es: «Im Winter wird zum ersten Mal eine Weltmeisterschaft in "
        "einem Land ausgetragen, in dem Homosexualität unter Strafe steht.»"
    )
    page = "\n\n".join(
        ["Sport", "Fans wehren sich gegen die Reise", para, quote, para.replace("vier", "fünf")]
    )
    body = clean_text_dump(page, CTX).body
    assert "In der Petition heisst es" in body
    assert "fünf Stunden" in body


def test_a_short_quotation_is_not_a_page_link() -> None:
    [quotation, back, forward] = split_units("«Öh, glaub ja.»\n\n« Zurück\n\nWeiter »")
    assert not is_furniture(quotation, frozenset())
    assert is_furniture(back, frozenset()) and is_furniture(forward, frozenset())


@pytest.mark.parametrize(
    "caption",
    [
        "Erdölpumpen im Abendrot. Bild: TebNad/Shutterstock.com",
        "Photograph by Ed Marshall, Redonda Restoration Programme",
        "Wer die Äste immer wieder auf die Wege zieht, ist unklar (Symbolbild).",
        "Le piquet de grève dans le hall de l'université / (C) Kab Niang",
    ],
)
def test_caption_with_its_credit_inside_the_story_is_not_story(caption: str) -> None:
    page = _story().replace(
        "\n\nThe committee met for five", f"\n\n{caption}\n\nThe committee met for five"
    )
    body = clean_text_dump(page, CTX).body
    assert "five hours" in body and "six hours" in body
    assert caption[:20] not in body


def test_link_share_of_markdown_units_counts_links_around_images() -> None:
    units = split_units(
        "[![Bernal](/img/b.jpg) Bernal verlängert bei Ineos](/sport/bernal)\n\n"
        "Der Kapitän sagte in [einem Interview](/interview) am Montag, er bleibe."
    )
    assert units[0].text == "[Bernal] Bernal verlängert bei Ineos"
    assert units[0].linked > 0.9
    assert 0.1 < units[1].linked < 0.3


def test_teaser_cards_made_of_links_after_a_markdown_story_are_not_story() -> None:
    cards = [
        f"[![Foto {n}](/img/{n}.jpg) {title}: what the council decided on {day} and why it "
        f"matters to the residents of the old town](/news/{n})"
        for n, (title, day) in enumerate(
            [("Bus lane plans", "Monday"), ("New library", "Tuesday"), ("Night noise", "Friday")]
        )
    ]
    page = _story() + "\n\n" + "\n\n".join(cards)
    body = clean_text_dump(page, CTX).body
    assert "six hours" in body
    assert "Bus lane plans" not in body and "Night noise" not in body


def test_ingredients_far_above_the_steps_of_a_recipe_are_story() -> None:
    step = (
        "Als erstes den Pudding kochen und zum Abkühlen zur Seite stellen, dabei gelegentlich "
        "umrühren, damit sich keine Haut bildet und er schön glatt bleibt."
    )
    nutrition = "\n\n".join(["Nährwerte pro Portion", "kcal", "4512", "Eiweiß", "53,82 g", "Fett"])
    page = "\n\n".join(
        ["Mandarinen-Schmand-Kuchen", "Bewertung: 4.52", "Rezept bewerten", "Zutaten",
         "Für den Mürbeteig:\n125 g Mehl\n65 g Zucker\n65 g Margarine oder Butter\n1 Ei",
         "Für die Füllung:\n500 ml Milch\n2 Pck. Vanillepuddingpulver\n200 g Zucker",
         nutrition, "Zubereitung", step, step.replace("Pudding", "Boden"),
         step.replace("Pudding", "Guss")]
    )  # fmt: skip
    body = clean_text_dump(page, CTX).body
    assert "65 g Margarine oder Butter" in body and "500 ml Milch" in body
    assert "Für den Mürbeteig:" in body
    assert "den Guss kochen" in body
    assert "kcal" not in body and "Bewertung" not in body


@pytest.mark.parametrize(
    ("heading", "box"),
    [
        (
            "Hinterlasse eine Antwort",
            "Diese Website verwendet Akismet, um Spam zu reduzieren. Erfahre mehr darüber, wie "
            "deine Kommentardaten verarbeitet werden, und warum wir sie nur so lange speichern.",
        ),
        (
            "Über Simon Dückert",
            "Scholarch der Cogneon Akademie. Von der Ausbildung Diplom-Ingenieur, seit vielen "
            "Jahren in der Beratung tätig und Autor von zwei Büchern über das Wissensmanagement.",
        ),
    ],
    ids=["comment-form", "about-box"],
)
def test_comment_form_and_about_box_after_the_story_are_not_story(heading: str, box: str) -> None:
    body = clean_text_dump(f"{_story()}\n\n{heading}\n\n{box}", CTX).body
    assert "six hours" in body
    assert heading not in body and box[:20] not in body


def test_category_list_with_item_countsis_furniture() -> None:
    cloud = (
        "Product Reviews (576) Recipes (423) Beauty (346) Promotion (241) Luxury (226) Travel (98)"
    )
    units = split_units(cloud)
    assert is_furniture(units[0], frozenset())


def test_author_bio_closing_the_story_is_left_out() -> None:
    bio = (
        "Inga Buller is Head of Social & Community at CHIP. When she is not selling things on "
        "eBay, she tests apps for the magazine and writes about the social networks she uses."
    )
    page = _story("By Inga Buller") + "\n\n" + bio
    body = clean_text_dump(page, CTX).body
    assert "six hours" in body and "Head of Social" not in body
    # a story's own last paragraph about a person the page never prints on a line of its own
    closing = (
        "Anna Berg has lived on the street for ten years and signed the complaint. She will come "
        "back to the committee in the autumn, when the council has published its measurements."
    )
    body = clean_text_dump(_story("By Inga Buller") + "\n\n" + closing, CTX).body
    assert "Anna Berg has lived on the street" in body


def test_revision_by_context_reads_decided_neighbours() -> None:
    units = split_units("\n\n".join(f"line {i}" for i in range(7)))
    classes = ["good", "short", "neargood", "bad", "short", "short", "neargood"]
    # a short line between good and near-good joins the good side; one between two bad
    # neighbours (the page's edge counts as bad) is bad; a near-good next to a good is good
    assert revise(units, classes) == ["good", "good", "good", "bad", "bad", "bad", "bad"]


def test_units_are_measured_in_the_cleaners_own_words() -> None:
    # The cleaner's lengths were tuned in word-character runs (text_units.unit_words), not in
    # the stored word_count's whitespace words (tasks/page/words): both stay, on purpose.
    assert (unit_words("The U.S. economy grew 5%"), count_words("The U.S. economy grew 5%")) == (
        6,
        5,
    )
    assert unit_words("日本語のテキスト") == 1 + 8 // 2  # one run of word characters, 8 CJK
    assert [u.words for u in split_units("The U.S. economy grew 5% in the third quarter.")] == [10]
