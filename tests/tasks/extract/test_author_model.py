"""The learned fallback for a text dump's author (tasks.extract.author_model): it answers
only where no rule names anyone, and stays silent where it is not sure (real dumps of the dev
set's tuning half)."""

from __future__ import annotations

import json
from pathlib import Path

from newsdesk.core.registry import load_registry
from tasks.clean.text_dump import clean_text_dump
from tasks.extract.author_model import candidates, learned_names
from tasks.extract.text_dump import author_rules, extract_text_dump, page_lines
from tasks.page.fields import PageContext

PROJECT = Path(__file__).resolve().parents[3]
FIXTURES = PROJECT / "tests" / "fixtures" / "text"
REGISTRY = load_registry(PROJECT / "sources.toml")


def _read(name: str, url: str | None = None) -> tuple[str, dict, str, PageContext]:
    """A dump, its hints as the extract stage gets them (through JSON) and its body."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    ctx = PageContext(registry=REGISTRY, url=url)
    cleaned = clean_text_dump(text, ctx)
    hints = json.loads(json.dumps(cleaned.hints, ensure_ascii=False, default=str))
    return text, hints, cleaned.body, ctx


def test_the_model_names_the_byline_no_rule_reads() -> None:
    """segments/s0399 as inscriptis renders it: "STAND 21.4.2021 , 16:41 Uhr AUTOR/IN Julius
    Richter" under the headline, a label in capitals after the date that no rule reads; the
    model names the person after it."""
    text, hints, body, ctx = _read("s0399_inscriptis.txt")
    rules = author_rules(hints, text, body.strip())
    assert [name for name, rule in rules if rule()] == ["learned"]
    assert extract_text_dump(text, hints, ctx, body).authors == ["Julius Richter"]


def test_the_model_stays_silent_on_a_listing() -> None:
    """modern/m3011, a news section's front page (no author annotated): teasers with their
    reporters' names, none the page's own; no rule names anyone and the model is not sure
    of any name."""
    url = "https://www.npr.org/sections/science/"
    text, hints, body, ctx = _read("m3011.txt", url)
    page = page_lines(text)
    names = {candidate.name for candidate in candidates(hints, page, body)}
    assert len(names) > 20  # persons' names among them: the teasers' bylines
    assert learned_names(hints, page, body) == []
    assert extract_text_dump(text, hints, ctx, body).authors == []


def test_a_desk_or_a_heading_is_no_candidate() -> None:
    """A desk is credited by a by-line alone (the rules' decision); a run of ordinary words in
    title case is a heading; one capitalised word inside a sentence is no one's name."""
    hints = {"title": "Storm closes the harbour", "before_body": [], "date_lines": []}
    page = [
        "Storm closes the harbour",
        "Harbour Lifestyle Desk / harbour.example / Updated: Dec 17, 2025",
        "Read More Stories",
        "Rain fell on Monday as the ferry waited; read more stories soon.",
        "Jane van der Berg",
    ]
    names = [candidate.name for candidate in candidates(hints, page, "Rain fell")]
    assert "Jane van der Berg" in names
    assert not any("Desk" in name for name in names)
    assert "Read More Stories" not in names and "Rain" not in names


def test_a_label_or_a_heading_glued_on_is_trimmed() -> None:
    """A run's last word that labels the next field ("Von Katharina Schmidt Kategorien: Mode",
    dates/d0389 as w3m renders it) or that the page shows alone on a line (a heading) is no
    part of the name."""
    hints = {"title": "Polarisierende BH-Werbung", "before_body": [], "date_lines": []}
    page = [
        "Polarisierende BH-Werbung",
        "Von Katharina Schmidt Kategorien: Mode 6. November 2023, 15:25 Uhr",
        "Anna Maria Becker Newsletter",
        "Was haben BHs mit Eisbergen zu tun?",
        "Newsletter",
    ]
    names = [candidate.name for candidate in candidates(hints, page, "Was haben")]
    assert "Katharina Schmidt" in names and "Anna Maria Becker" in names
    assert "Katharina Schmidt Kategorien" not in names
    assert "Anna Maria Becker Newsletter" not in names


def test_a_photo_credit_is_told_by_its_agency() -> None:
    """A name whose line or the next names a picture agency is a photo's credit ("Bild von
    Michael Gaida" / "auf Pixabay", dates/d0225 as w3m renders it): the feature is set."""
    hints = {"title": "Welttag der Feuchtgebiete", "before_body": [], "date_lines": []}
    page = [
        "Welttag der Feuchtgebiete",
        "Der Welttag mahnt zum Schutz der Artenvielfalt. Bild von Michael Gaida",
        "auf Pixabay",
        "Jana Roth",
    ]
    found = {c.name: c.features for c in candidates(hints, page, "Der Welttag")}
    assert found["Michael Gaida"]["agency"] == 1.0
    assert found["Jana Roth"]["agency"] == 0.0
