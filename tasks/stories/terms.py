"""Story terms: what two reports of one event share even when their text differs.

Two outlets telling the same event rarely share sentences, but they name the same people,
places and organisations in their headline and lead, within a few days of each other. The
terms of an article are the capitalised words of its title and lead (names, in English; all
nouns in German, which the rarity weighting in the warehouse then sorts out) and the longer
words of its title. Each term is folded (accents, case, possessive) and cut to its first
`PREFIX` letters, a crude stemmer that also joins transliterations and adjectives to their
names: Lukashenka / Lukashenko, Belarus / Belarusian, Russia / Russian.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

LEAD_WORDS = 80  # of the standfirst and body, after the title
PREFIX = 6
MIN_TITLE_WORD = 4

TERM_SCHEMA = pl.Schema({"article_id": pl.String, "term": pl.String, "in_title": pl.Boolean})

_TOKEN = re.compile(r"[^\W\d_][\w\u2019'-]*", re.UNICODE)
_POSSESSIVE = re.compile(r"['\u2019]s?$")

# Capitalised at a sentence start, or too common to tell events apart (English, German,
# French, Spanish function words and news furniture).
STOPWORDS = frozenset(
    """
    a an the and or but if of on in at to for from by with as is are was were be been has have
    had it its this that these those there their they them he she his her we our you your i
    not no yes so than then also after before over under about into out up down new more most
    said says say will would can could may might should must what when where which who whom
    why how all any each some such one two three first last year years day days week today
    yesterday tomorrow monday tuesday wednesday thursday friday saturday sunday january
    february march april june july august september october november december news update
    updated breaking live video photo photos read more according while during since until
    however meanwhile der die das ein eine einer eines und oder aber auch nicht mit von vom
    zum zur für auf aus bei nach seit über unter wie wir sie ihr ist sind war waren wird
    werden hat haben le la les un une des du de et ou mais pour par sur dans avec est sont el
    los las una unos y o pero para por con en es son
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


def _fold(word: str) -> str:
    word = unicodedata.normalize("NFKD", word)
    word = "".join(c for c in word if not unicodedata.combining(c)).casefold()
    return _POSSESSIVE.sub("", word).strip("-'\u2019")


def article_terms(title: str | None, lead: str | None) -> list[tuple[str, bool]]:
    """(term, in_title) pairs, each term once (in_title wins)."""
    found: dict[str, bool] = {}
    for text, in_title in ((title or "", True), (lead or "", False)):
        for match in _TOKEN.finditer(text):
            word = match.group()
            folded = _fold(word)
            if len(folded) < 2 or folded in STOPWORDS:
                continue
            name_like = word[0].isupper()
            if not (name_like or (in_title and len(folded) >= MIN_TITLE_WORD)):
                continue
            term = folded[:PREFIX]
            found[term] = found.get(term, False) or in_title
    return list(found.items())


def lead_of(standfirst: str | None, body: str | None, words: int = LEAD_WORDS) -> str:
    text = " ".join(t for t in (standfirst, body) if t)
    return " ".join(text.split()[:words])


def terms(articles: pl.DataFrame) -> pl.DataFrame:
    """TERM_SCHEMA rows for `article_id`, `title`, `body` (and `standfirst` when present)."""
    standfirst = "standfirst" if "standfirst" in articles.columns else None
    ids, found, titled = [], [], []
    for row in articles.iter_rows(named=True):
        lead = lead_of(row[standfirst] if standfirst else None, row["body"])
        for term, in_title in article_terms(row["title"], lead):
            ids.append(row["article_id"])
            found.append(term)
            titled.append(in_title)
    return pl.DataFrame({"article_id": ids, "term": found, "in_title": titled}, schema=TERM_SCHEMA)
