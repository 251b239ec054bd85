"""The phrase lexicon: one file per language, every key one that code reads."""

from __future__ import annotations

import importlib
import re

import pytest

from tasks.page import lexicon

# The modules that read the lexicon: each asks for its keys when imported.
USERS = (
    "tasks.page.html_dates",
    "tasks.page.leftovers",
    "tasks.extract.text_dump",
    "tasks.extract.authors",
    "tasks.extract.text_dates",
    "tasks.clean.text_dump",
)


def test_every_key_in_the_files_is_read_by_some_pattern() -> None:
    for module in USERS:  # so that the test holds when run on its own
        importlib.import_module(module)
    assert lexicon.known_keys() == lexicon.asked()


def test_every_fragment_is_a_regular_expression_of_its_own() -> None:
    for key in lexicon.known_keys():
        for fragment in lexicon.phrases(key):
            assert fragment and fragment == fragment.strip(), (key, fragment)
            re.compile(fragment)  # a fragment never opens a group another one closes


def test_languages_join_in_a_fixed_order_and_unknown_keys_fail() -> None:
    furniture = lexicon.phrases("text_dump.furniture")
    assert furniture.index("share") < furniture.index("teilen") < furniture.index("fermer")
    assert furniture.index("fermer") < furniture.index("facebook")  # language-neutral last
    assert lexicon.alternation("text_dump.teaser_more", wrap=r"\b{}\b") == r"\bmore\b"
    with pytest.raises(KeyError, match="no lexicon file"):
        lexicon.phrases("text_dump.no_such_key")


def test_a_prefix_alternative_stays_behind_the_shorter_one() -> None:
    # "und" before "und von": a split at "und" leaves "von …" to the name cleaner
    connectors = lexicon.phrases("authors.connector")
    assert connectors.index("und") < connectors.index("und von")


def test_by_language_keeps_each_language_apart() -> None:
    relative = lexicon.by_language("text_dates.relative")
    assert list(relative)[:2] == ["en", "de"]  # LANGUAGES order
    assert any("gestern" in fragment for fragment in relative["de"])
    assert not any("gestern" in fragment for fragment in relative["en"])
    with pytest.raises(KeyError, match="no lexicon file"):
        lexicon.by_language("text_dates.no_such_key")
