"""Language of a text, by py3langid (its model ships inside the package: no download)."""

from __future__ import annotations

from functools import cache

# Short texts give unreliable guesses; below this many letters we say nothing.
_MIN_LETTERS = 40


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str | None) -> str | None:
    if not text or sum(ch.isalpha() for ch in text[:3000]) < _MIN_LETTERS:
        return None
    language, probability = _identifier().classify(text[:3000])
    return language if probability >= 0.5 else None
