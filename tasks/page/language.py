"""The language of a text, in one place for every stage: py3langid (its model ships inside
the package: no download), loaded once per process, with one set of thresholds. The model's
arrays are decompressed once into the user's cache folder (`$XDG_CACHE_HOME/newsdesk/langid`,
else `~/.cache/newsdesk/langid`, ~68 MB) and mapped from there.

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

import os
import shutil
import tempfile
import threading
from functools import cache
from pathlib import Path
from typing import Any

SAMPLE_CHARS = 3000  # what is read of a text: its first characters
MIN_CHARS = 40  # a shorter sample says nothing
MIN_LETTERS = 40  # … nor, for a clear answer, one with fewer letters than this
MIN_PROBABILITY = 0.5  # a clear answer is at least this probable (normalised over languages)


_loading = threading.Lock()


# The model's arrays, decompressed once per user and model file into the user's cache
# folder (~68 MB, one .npy per array) and then mapped, not read: py3langid ships them LZMA-
# compressed, and decompressing them took ~0.45 s of a load's ~0.5 s of CPU in every run
# and every worker. Mapped, a load costs ~0.05 s and the processes of a run share the pages.
_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newsdesk" / "langid"


def _decompressed(model: Path) -> Path | None:
    """The folder of the model's arrays as .npy files, written on first use; None when the
    cache folder cannot be written (the model is then read from the package as before)."""
    import numpy as np

    stat = model.stat()
    folder = _cache_root() / f"{stat.st_size}-{stat.st_mtime_ns}"

    def complete() -> bool:
        return all((folder / f"{name}.npy").is_file() for name in _ARRAYS)

    if complete():
        return folder
    from py3langid.modelio import load_model

    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".writing-"))
    except OSError:
        return None
    try:
        ptc, pc, classes, nextmove, row, out_feat = load_model(model)
        arrays = {
            "ptc": ptc,
            "pc": pc,
            "classes": np.asarray(classes),
            "nextmove": np.frombuffer(nextmove, dtype=f"u{nextmove.itemsize}"),
            "nextmove_row": np.frombuffer(row, dtype=f"u{row.itemsize}"),
            "out_feat": np.asarray(out_feat, dtype=np.int32),
        }
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", array, allow_pickle=False)
        tmp.rename(folder)  # whole or absent; a process beside that got there first wins
    except OSError:
        if not complete():  # not writable, or a folder someone emptied: read the package's
            return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


@cache
def _loaded() -> Any:  # py3langid has no type hints
    from array import array

    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    model = MODEL_DIR / MODEL_FILE
    folder = _decompressed(model)
    if folder is None:
        # norm_probs gives probabilities that sum to 1 (the best guess is the same with or
        # without: normalising keeps the order)
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    data = {
        name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in _ARRAYS
    }

    def stdlib(values: Any) -> array[int]:  # py3langid walks these as stdlib arrays
        return array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize], values.tobytes())

    return LanguageIdentifier(
        data["ptc"],
        np.asarray(data["pc"]),
        data["classes"].tolist(),
        stdlib(data["nextmove"]),
        data["out_feat"].tolist(),
        tk_row=stdlib(data["nextmove_row"]),
        norm_probs=True,
    )


def _identifier():
    with _loading:  # one load, also when load_in_background's thread is still at it
        return _loaded()


def load_now() -> None:
    """Load the model in this thread (the warm runner, before it forks: the runs forked from
    it find it loaded)."""
    _identifier()


def load_in_background() -> None:
    """Start loading the model in a thread of its own: a small run, which cleans in its own
    process, starts this before it imports Prefect and finds the model ready when its first
    page is cleaned. Mapped from the cache, the load is ~0.05 s of CPU; the first one (the
    LZMA decompression, ~0.45 s) runs mostly without the GIL."""
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
