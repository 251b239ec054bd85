"""MinHash signatures of article bodies over word shingles, and their LSH band keys.

A signature is computed once per body (datasketch's MinHash, 128 permutations, computed here
with numpy to the same bytes: importing datasketch pulls in scipy, ~0.5 s of CPU a run) and
stored;
LSH cuts it into bands of rows and hashes each band to a bucket. Two bodies whose estimated
Jaccard similarity is above the LSH threshold share a bucket in at least one band with high
probability, so candidates are found by an equi-join on (band, bucket) in the warehouse
instead of comparing every pair, and a run hashes only its own new articles.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import polars as pl

NUM_PERM = 128
SHINGLE_WORDS = 5
SEED = 1

_WORD = re.compile(r"\w+", re.UNICODE)

SIGNATURE_SCHEMA = pl.Schema(
    {
        "article_id": pl.String,
        "body_sha": pl.String,
        "minhash": pl.Binary,
        "shingles": pl.Int32,
    }
)
BAND_SCHEMA = pl.Schema({"article_id": pl.String, "band": pl.Int16, "bucket": pl.UInt64})


@dataclass(frozen=True)
class LshParams:
    """How a signature is cut: `bands` x `rows` = NUM_PERM (at most)."""

    bands: int
    rows: int

    @classmethod
    def for_threshold(cls, threshold: float) -> LshParams:
        # datasketch's own choice: minimises the weighted false positive and negative areas.
        # Known answers are kept (a test checks them against datasketch): datasketch pulls in
        # scipy, ~0.5 s of CPU a run.
        if (found := _OPTIMAL.get((threshold, NUM_PERM))) is not None:
            return cls(*found)
        from datasketch.lsh import _optimal_param

        bands, rows = _optimal_param(threshold, NUM_PERM, 0.5, 0.5)
        return cls(bands, rows)


# datasketch.lsh._optimal_param(threshold, num_perm, 0.5, 0.5) → (bands, rows)
_OPTIMAL = {(0.4, 128): (32, 4)}

# datasketch's MinHash (2.x, scheme affine32, seed SEED): each shingle's SHA-1 (its first 4
# bytes, little-endian), mixed by MurmurHash3's finalizer, then h -> a*h + b mod 2^32 for
# each of NUM_PERM (a, b) drawn from numpy's RandomState(SEED); a signature holds the minima.
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


_A, _B = _permutations()


def minhash(shingle_set: set[bytes]) -> bytes:
    """The signature of a non-empty shingle set: NUM_PERM little-endian uint32 minima."""
    first4 = b"".join(hashlib.sha1(s).digest()[:4] for s in shingle_set)
    hv = np.frombuffer(first4, dtype="<u4").astype(np.uint32).reshape(-1, 1)
    s1, m1, s2, m2, s3 = _FMIX
    with np.errstate(over="ignore"):  # multiplication wraps around: modulo 2^32 is meant
        hv = hv ^ (hv >> s1)
        hv = hv * m1
        hv = hv ^ (hv >> s2)
        hv = hv * m2
        hv = hv ^ (hv >> s3)
        return (hv * _A + _B).min(axis=0).astype("<u4").tobytes()


def words(text: str) -> list[str]:
    """Lowercased word tokens, accents kept, punctuation and spacing ignored."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[bytes]:
    """The set of k-word shingles; a text shorter than k words is one shingle."""
    tokens = words(text)
    if len(tokens) <= k:
        return {" ".join(tokens).encode()} if tokens else set()
    return {" ".join(tokens[i : i + k]).encode() for i in range(len(tokens) - k + 1)}


def body_sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def signatures(articles: pl.DataFrame) -> pl.DataFrame:
    """SIGNATURE_SCHEMA rows for `article_id`, `body` rows with a non-empty body."""
    rows = articles.select("article_id", "body").filter(pl.col("body").is_not_null())
    sets = [shingles(body) for body in rows["body"]]
    keep = [i for i, s in enumerate(sets) if s]
    return pl.DataFrame(
        {
            "article_id": [rows["article_id"][i] for i in keep],
            "body_sha": [body_sha(rows["body"][i]) for i in keep],
            "minhash": [minhash(sets[i]) for i in keep],
            "shingles": [len(sets[i]) for i in keep],
        },
        schema=SIGNATURE_SCHEMA,
    )


def as_array(minhash: bytes) -> np.ndarray:
    return np.frombuffer(minhash, dtype="<u4")


def bands(sigs: pl.DataFrame, params: LshParams) -> pl.DataFrame:
    """BAND_SCHEMA rows: one bucket per band of each signature (blake2b of the band's bytes)."""
    ids, band_no, buckets = [], [], []
    for article_id, minhash in sigs.select("article_id", "minhash").iter_rows():
        for b in range(params.bands):
            chunk = minhash[b * params.rows * 4 : (b + 1) * params.rows * 4]
            digest = hashlib.blake2b(chunk, digest_size=8, person=b"nd-lsh").digest()
            ids.append(article_id)
            band_no.append(b)
            buckets.append(int.from_bytes(digest, "little"))
    return pl.DataFrame({"article_id": ids, "band": band_no, "bucket": buckets}, schema=BAND_SCHEMA)


def jaccard(a: bytes, b: bytes) -> float:
    """The MinHash estimate of the Jaccard similarity of two bodies' shingle sets."""
    return float(np.mean(as_array(a) == as_array(b)))
