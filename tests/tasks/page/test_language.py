"""One language detector (tasks/page/language.py): a clear answer, or a best guess."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tasks.page.language import MIN_CHARS, detect_language, guess_language

GERMAN = (
    "Der Ausschuss hat am Donnerstag vier Stunden lang getagt und dabei den Bürgermeister, "
    "den Polizeichef und zwei Anwohner gehört, die sich über den Lärm beschwert hatten."
)
ENGLISH = (
    "The committee met for four hours on Thursday and heard from the mayor, the police chief "
    "and two residents who had complained about the noise at night."
)


def test_clear_prose_gets_the_same_answer_from_both_questions() -> None:
    for text, code in ((GERMAN, "de"), (ENGLISH, "en")):
        assert detect_language(text) == guess_language(text) == code


def test_short_or_letterless_text_gets_no_clear_answer() -> None:
    assert detect_language(None) is None and guess_language(None) is None
    assert detect_language("Kurz.") is None and guess_language("Kurz.") is None
    figures = "12:30 | 14.05.2024 | 3/4 | 1,234 — 5,678 (2023) ++ 42 % 77"
    assert len(figures) >= MIN_CHARS
    assert detect_language(figures) is None  # no letters: nothing clear to say
    assert guess_language(figures) is not None  # the cleaner still gets a guess


def test_an_unsure_guess_is_no_clear_answer() -> None:
    mixed = "Ok ja si no tak oui yes nein ok ja si no tak oui yes nein ok ja"
    assert guess_language(mixed) is not None
    assert detect_language(mixed) is None  # py3langid gives it well under even odds


def test_no_other_module_runs_a_language_model() -> None:
    project = Path(__file__).resolve().parents[3]
    users = {
        path.relative_to(project).as_posix()
        for package in ("newsdesk", "flows", "tasks", "warehouse", "expectations")
        for path in (project / package).rglob("*.py")
        if re.search(r"^\s*(?:from|import) py3langid", path.read_text(encoding="utf-8"), re.M)
    }
    assert users == {"tasks/page/language.py"}


def test_a_model_loading_in_the_background_is_loaded_once():
    import threading

    from tasks.page import language

    language._loaded.cache_clear()
    language.load_in_background()
    text = "The council approved the new budget for the city's schools on Tuesday evening."
    assert language.guess_language(text) == "en"  # waits for the thread's load, or loads it
    for thread in threading.enumerate():
        if thread.name == "newsdesk-language-model":
            thread.join()
    assert language._loaded.cache_info().misses == 1


def test_the_model_is_decompressed_once_into_the_cache_and_answers_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from tasks.page import language

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    packaged = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    try:
        language._loaded.cache_clear()
        written = language._loaded()  # decompresses into the cache
        [folder] = (tmp_path / "newsdesk" / "langid").iterdir()
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            f"{name}.npy" for name in language._ARRAYS
        )
        language._loaded.cache_clear()
        mapped = language._loaded()  # maps what the first load wrote
        for text in (GERMAN, ENGLISH, "Ok ja si no tak oui yes nein ok ja si no tak oui yes"):
            assert written.classify(text) == mapped.classify(text) == packaged.classify(text)
    finally:
        language._loaded.cache_clear()
