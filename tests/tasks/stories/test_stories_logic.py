"""The pure parts of copies and stories: shingles and MinHash, story terms, links, groups."""

from __future__ import annotations

import random

import polars as pl

from tasks.stories.groups import components, largest_groups
from tasks.stories.signatures import LshParams, bands, jaccard, shingles, signatures
from tasks.stories.stage import StoryParams, choose_links
from tasks.stories.terms import article_terms
from tests.conftest import SEEDS

BASE = (
    "The regional military group comprised of Russia and Belarus has kicked off a mission "
    "aimed at protecting the Union State of both countries, the Belarusian defense minister "
    "said on Monday after the first convoy of troops arrived in the country on Saturday."
)


def test_shingles_ignore_case_punctuation_and_spacing() -> None:
    assert shingles("One two, three four FIVE six") == shingles("one  two three\nfour five six!")
    assert shingles("a b c d e f") == {b"a b c d e", b"b c d e f"}
    assert shingles("too short") == {b"too short"}
    assert shingles("  ") == set()


def test_minhash_estimate_follows_jaccard() -> None:
    wire = BASE + " Reuters contributed to this report."
    other = (
        "Ravenous wild goats ruled this island for over a century until conservationists "
        "removed them and the native plants started to come back on the slopes."
    )
    sigs = signatures(
        pl.DataFrame({"article_id": ["a", "b", "c", "d"], "body": [BASE, wire, other, None]})
    )
    assert sigs["article_id"].to_list() == ["a", "b", "c"]  # no body, no signature
    by_id = dict(sigs.select("article_id", "minhash").iter_rows())
    true = len(shingles(BASE) & shingles(wire)) / len(shingles(BASE) | shingles(wire))
    assert abs(jaccard(by_id["a"], by_id["b"]) - true) < 0.15
    assert jaccard(by_id["a"], by_id["c"]) < 0.1
    assert jaccard(by_id["a"], by_id["a"]) == 1.0


def test_lsh_bands_put_near_copies_in_a_shared_bucket_and_strangers_in_none() -> None:
    params = LshParams.for_threshold(0.4)
    assert params.bands * params.rows <= 128
    wire = BASE + " Reuters contributed to this report."
    other = "Completely different words about cooking pasta with tomatoes and basil at home."
    sigs = signatures(pl.DataFrame({"article_id": ["a", "b", "c"], "body": [BASE, wire, other]}))
    b = bands(sigs, params)
    assert b.height == 3 * params.bands
    keys = {
        aid: set(g.select("band", "bucket").iter_rows()) for (aid,), g in b.group_by("article_id")
    }
    assert keys["a"] & keys["b"]
    assert not keys["a"] & keys["c"]


def test_story_terms_fold_names_and_keep_title_words() -> None:
    terms = dict(
        article_terms(
            "Russian-Belarusian joint military group kicks off protection mission",
            "Lukashenko's forces and the Belarusian army. The president said.",
        )
    )
    assert terms["russia"] and terms["joint"] and terms["milita"]  # title words, in_title
    assert terms["lukash"] is False  # a name of the lead; possessive gone, cut to 6 letters
    assert "the" not in terms and "said" not in terms and "army" not in terms
    other = dict(article_terms("Belarus and Russia sign", "Alyaksandr Lukashenka approved"))
    assert {"belaru", "russia", "lukash"} <= set(other)


def test_seed_terms_overlap() -> None:
    a = dict(article_terms(None, (SEEDS / "000_aead3fb2f9192cb0.txt").read_text()[:3000]))
    b = dict(article_terms(None, (SEEDS / "002_9fff910d0917317a.txt").read_text()[:60000]))
    assert {"belaru", "russia", "lukash", "minsk"} <= set(a) & set(b)


def test_choose_links_prefers_copy_and_needs_shared_terms() -> None:
    copies = pl.DataFrame(
        {"article_id": ["a", "c"], "other_id": ["b", "d"], "similarity": [0.95, 0.1]}
    )
    story = pl.DataFrame(
        {
            "article_id": ["a", "c", "e", "g"],
            "other_id": ["b", "d", "f", "h"],
            "shared": [5.0, 3.0, 1.0, 3.0],
            "shared_terms": [9, 5, 1, 4],
            "overlap": [0.9, 0.5, 0.9, 0.1],
            "cosine": [0.9, 0.4, 0.9, 0.1],
        }
    )
    links = choose_links(copies, story, StoryParams(copy_threshold=0.4, story_threshold=0.3))
    assert sorted(links.select("article_id", "relation").iter_rows()) == [
        ("a", "copy"),  # a copy is not also a same_story link
        ("c", "same_story"),  # e-f shares one term only; g-h too little
    ]


def test_components_and_largest_groups() -> None:
    pairs = [("b", "a"), ("c", "b"), ("x", "y"), ("p", "q"), ("q", "r"), ("r", "s")]
    comp = dict(components(pairs).iter_rows())
    assert comp["a"] == comp["b"] == comp["c"] == "a"
    assert comp["x"] == comp["y"] == "x"
    assert largest_groups(pairs, 2) == [["p", "q", "r", "s"], ["a", "b", "c"]]


def test_signatures_are_datasketch_minhashes_and_lsh_params_its_choice() -> None:
    """Signatures stored by earlier runs are compared with new ones: the numpy MinHash must
    give datasketch's bytes, and the kept LSH parameters datasketch's answer."""
    from datasketch import MinHash
    from datasketch.lsh import _optimal_param

    from tasks.stories import signatures as sig

    rng = random.Random(7)
    vocabulary = [*BASE.split(), "goats", "Zürich", "naïve", "ß", "—", "2024"]
    for n in (1, 2, 5, 6, 40, 400):
        text = " ".join(rng.choice(vocabulary) for _ in range(n))
        found = shingles(text)
        [expected] = MinHash.bulk([found], num_perm=sig.NUM_PERM, seed=sig.SEED)
        assert sig.minhash(found) == expected.hashvalues.astype("<u4").tobytes()
    for (threshold, perm), kept in sig._OPTIMAL.items():
        assert _optimal_param(threshold, perm, 0.5, 0.5) == kept
