"""How many words a text has, in every script: the one counter behind `word_count` and the
clean gate's `min_words`.

Chinese and Japanese put no spaces between words, so splitting on whitespace counts a whole
sentence as one word (a 1,600-character Chinese article came out at about 40 "words" and
failed `min_words`). Han and kana characters count at two per word (the average length of a
Chinese word); everything else is counted by whitespace as before. Korean separates its
words with spaces and is counted that way.
"""

from __future__ import annotations

import re

# Han (unified, extension A, compatibility) and kana.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# The same characters and CJK punctuation (ideographic space and stops, fullwidth marks):
# none of it is a word of its own.
_CJK_OR_MARK = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+"
)
CJK_CHARS_PER_WORD = 2


def count_words(text: str) -> int:
    """Whitespace-separated words, plus one word per two Han or kana characters."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return len(text.split())
    rest = _CJK_OR_MARK.sub(" ", text)
    return len(rest.split()) + -(-cjk // CJK_CHARS_PER_WORD)
