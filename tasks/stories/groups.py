"""Stories and copy clusters: connected groups of linked articles."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

COMPONENT_SCHEMA = pl.Schema({"article_id": pl.String, "component": pl.String})


def components(pairs: Iterable[tuple[str, str]]) -> pl.DataFrame:
    """COMPONENT_SCHEMA rows for every article in a pair: one id per connected group
    (union-find with path halving; the smallest article id of the group names it)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members = list(parent)
    return pl.DataFrame(
        {"article_id": members, "component": [find(m) for m in members]}, schema=COMPONENT_SCHEMA
    )


def largest_groups(pairs: Iterable[tuple[str, str]], top: int) -> list[list[str]]:
    """The `top` largest connected groups, largest first, each sorted."""
    comp = components(pairs)
    groups = comp.group_by("component").agg(pl.col("article_id").sort(), pl.len().alias("n"))
    groups = groups.sort(["n", "component"], descending=[True, False]).head(top)
    return [list(ids) for ids in groups["article_id"]]
