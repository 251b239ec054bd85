"""The language of a text, in one place for every stage: py3langid (its model ships inside
the package: no download), loaded once per process, with one set of thresholds.

Two questions are asked of it:
- `detect_language`: the language, only when the text says it clearly (enough letters and a
  probable answer); None otherwise. The clean stage asks it of a body whose cleaner named
  no language.
- `guess_language`: py3langid's best guess for any sample of MIN_CHARS or more, however
  unsure. The text-dump cleaner asks it of its longest prose units: it weighs every unit
  with that language's stopwords, so an unsure guess still picks a list (and an unknown
  code gets English and German). Answering it confidently instead would name no language
  for 12 of the 4,200 dev-set dumps (Pidgin and `zxx` guesses, one unsure English page) and
  change what they give; both questions read the same model and the same sample size.
"""

from __future__ import annotations

import threading
from functools import cache

SAMPLE_CHARS = 3000  # what is read of a text: its first characters
MIN_CHARS = 40  # a shorter sample says nothing
MIN_LETTERS = 40  # … nor, for a clear answer, one with fewer letters than this
MIN_PROBABILITY = 0.5  # a clear answer is at least this probable (normalised over languages)


_loading = threading.Lock()


@cache
def _loaded():  # py3langid has no type hints
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    # ~0.6 s of CPU to load, deferred to first use; norm_probs gives probabilities that sum
    # to 1 (the best guess is the same with or without: normalising keeps the order)
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _identifier():
    with _loading:  # one load, also when load_in_background's thread is still at it
        return _loaded()


def load_in_background() -> None:
    """Start loading the model in a thread of its own. Most of the load is LZMA
    decompression (0.4 s of its 0.6 s of CPU), which runs without the GIL: a small run, which
    cleans in its own process, starts this before it imports Prefect and finds the model
    ready when its first page is cleaned."""
    threading.Thread(target=_identifier, name="newsdesk-language-model", daemon=True).start()


def guess_language(text: str | None) -> str | None:
    """ISO 639-1 code of py3langid's best guess, however unsure; None for a short text."""
    sample = (text or "")[:SAMPLE_CHARS]
    if len(sample) < MIN_CHARS:
        return None
    code, _ = _identifier().classify(sample)
    return code


def detect_language(text: str | None) -> str | None:
    """ISO 639-1 code of the text's language when it is clear; None when it is not."""
    sample = (text or "")[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    code, probability = _identifier().classify(sample)
    return code if probability >= MIN_PROBABILITY else None
