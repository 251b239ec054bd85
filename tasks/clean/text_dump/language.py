"""The language of a dump's prose, and the stopwords its units are weighed with."""

from __future__ import annotations

from functools import lru_cache

from tasks.clean.text_dump import patterns as p
from tasks.clean.text_dump import tuning as t
from tasks.clean.text_units import Unit
from tasks.page.language import guess_language

# py3langid code → jusText stoplist name, for the languages the stoplists cover well.
_STOPLISTS = {
    "en": "English", "de": "German", "fr": "French", "pl": "Polish", "es": "Spanish",
    "it": "Italian", "nl": "Dutch", "pt": "Portuguese", "sv": "Swedish", "da": "Danish",
    "no": "Norwegian_Bokmal", "fi": "Finnish", "cs": "Czech", "sk": "Slovak", "ru": "Russian",
    "uk": "Ukrainian", "tr": "Turkish", "hu": "Hungarian", "ro": "Romanian", "el": "Greek",
    "id": "Indonesian", "ca": "Catalan", "hr": "Croatian", "sl": "Slovenian", "lt": "Lithuanian",
    "lv": "Latvian", "et": "Estonian", "bg": "Bulgarian", "sr": "Serbian", "ar": "Arabic",
}  # fmt: skip


@lru_cache(maxsize=64)
def stoplist(language: str | None) -> frozenset[str]:
    """jusText's stopword list for a language (English and German merged when unknown)."""
    import justext  # light import, deferred so that importing this module stays cheap

    # English is always added: pages in other languages quote it and embed English widgets
    english = frozenset(justext.get_stoplist("English"))
    name = _STOPLISTS.get(language or "")
    if name is None:
        return english | frozenset(justext.get_stoplist("German"))
    return english | frozenset(justext.get_stoplist(name))


def prose_language(units: list[Unit]) -> str | None:
    """ISO 639-1 code of the page's prose, from its longest units: py3langid's best guess
    (tasks/page/language.py), however unsure, since the stoplist needs one."""
    # each text once: a line printed many times (a warning, a menu) would outvote the story
    prose = {u.text for u in units if u.words >= t.LANGUAGE_UNIT_WORDS and looks_like_prose(u.text)}
    longest = sorted(prose, key=lambda text: (-len(text), text))[: t.LANGUAGE_SAMPLE_UNITS]
    return guess_language(" ".join(longest))


def looks_like_prose(text: str) -> bool:
    """Not script code or markup left in the dump (it would make the page look English)."""
    return len(p.CODE_CHARS.findall(text)) < t.CODE_SHARE * len(text)
