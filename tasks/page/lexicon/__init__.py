"""The phrases the text cleaners and extractors look for, one data file per language.

`en.toml`, `de.toml`, `fr.toml`, … hold a language's phrases; `common.toml` the ones of no
language (brand, agency and site names, symbols, figures). A file has one table per user
(`[text_dump]`, `[leftovers]`, `[extract]`, `[authors]`, `[html_dates]`, `[text_dates]`),
and each key of it names the pattern it fills: `text_dump.furniture` is the list of whole
lines that are page furniture, in any language. The patterns themselves (how the phrases
are anchored and what may follow them) stay in the code that uses them; only the words are
here.

Every entry is a regular-expression fragment (`log ?in`, `datenschutz(?:erklärung)?`):
the patterns join one key's fragments of all languages into one alternation. Fragments of
one key keep their order within a language, so where order matters to a pattern (an
alternative that is a prefix of a later one) it is the order written here. Patterns that
are searched in lowercased text (`notice`, `copyright`, `consent_*`) need lowercase entries;
`about_heading` is matched case-sensitively.

Adding a language is adding a file with the keys it has phrases for. A key the code never
asks for is an error (tests/tasks/page/test_lexicon.py), so a typo cannot go unnoticed.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).parent
# The order the files' fragments are joined in: matching does not depend on it, except for
# alternatives that are prefixes of each other, which live in one language's list.
LANGUAGES = ("en", "de", "fr", "pl", "es", "it", "nl", "hu", "fi", "common")

_asked: set[str] = set()


@cache
def _files() -> dict[str, dict[str, list[str]]]:
    """language → {"table.key": fragments}."""
    found = {path.stem for path in FOLDER.glob("*.toml")}
    if found != set(LANGUAGES):
        raise RuntimeError(f"lexicon files {sorted(found)} differ from LANGUAGES {LANGUAGES}")
    out: dict[str, dict[str, list[str]]] = {}
    for language in LANGUAGES:
        data = tomllib.loads((FOLDER / f"{language}.toml").read_text(encoding="utf-8"))
        out[language] = {
            f"{table}.{key}": list(fragments)
            for table, keys in data.items()
            for key, fragments in keys.items()
        }
    return out


def known_keys() -> set[str]:
    """Every key some language file holds."""
    return {key for entries in _files().values() for key in entries}


def asked() -> set[str]:
    """The keys the code has asked for so far (all of them, once the users are imported)."""
    return set(_asked)


def phrases(key: str) -> list[str]:
    """One key's fragments, of every language in LANGUAGES order."""
    found = [fragment for language in LANGUAGES for fragment in _files()[language].get(key, ())]
    if not found:
        raise KeyError(f"no lexicon file has phrases for {key!r}")
    _asked.add(key)
    return found


def by_language(key: str) -> dict[str, list[str]]:
    """One key's fragments per language that has them, in LANGUAGES order: for a pattern that
    must know which language it matched (a relative date is parsed in its own language)."""
    found = {
        language: list(_files()[language][key])
        for language in LANGUAGES
        if _files()[language].get(key)
    }
    if not found:
        raise KeyError(f"no lexicon file has phrases for {key!r}")
    _asked.add(key)
    return found


def alternation(key: str, wrap: str = "{}") -> str:
    """One key's fragments as a regular-expression alternation (without a group around it);
    `wrap` formats each fragment, e.g. r"\\b{}\\b"."""
    return "|".join(wrap.format(fragment) for fragment in phrases(key))
