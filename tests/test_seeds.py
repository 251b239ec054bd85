"""The two seeds (hand-annotated text dumps, the repo's own copies in tests/fixtures/seeds)
through the real `newsdesk extract`: exact title, date, byline and source, and a body word
F1 of at least the floor pinned in bench/floors.json. Runs in `make test`, with nothing
beside the clone; the dev-set floors are `make test-quality` (tests/quality)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.eval import (
    CEILED,
    FLOORED,
    FLOORS,
    INPUTS,
    SEED_WORD_F1,
    floor_of,
    run_extract,
    seed_checks,
    seed_paths,
)

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"


@pytest.fixture(scope="module")
def seeds() -> dict[str, dict[str, Any]]:
    paths, gold = seed_paths(SEEDS)
    return seed_checks(run_extract(paths, workers=1).records, gold)


@pytest.fixture(scope="module")
def floors() -> dict[str, Any]:
    return json.loads(FLOORS.read_text(encoding="utf-8"))


@pytest.mark.parametrize("check", ["title", "published", "authors", "source"])
def test_seed_fields_are_exact(check: str, seeds: dict[str, dict[str, Any]]) -> None:
    assert len(seeds) == 2, f"the CLI gave no record for some seed: {sorted(seeds)}"
    wrong = [name for name, checks in seeds.items() if not checks[check]]
    assert not wrong, f"seed {check} differs from gold.json for {wrong}"


def test_seed_bodies_match_gold(seeds: dict[str, dict[str, Any]], floors: dict[str, Any]) -> None:
    floor = floors["seeds"]["body_word_f1"]
    f1 = {name: round(checks["body_word_f1"], 4) for name, checks in seeds.items()}
    assert len(f1) == 2 and all(v >= floor for v in f1.values()), f"body word F1 {f1} < {floor}"


def test_floors_file_pins_every_figure(floors: dict[str, Any]) -> None:
    """Removing a floor is as visible as lowering one: the file must pin every figure."""
    pinned = [(n, f) for n in INPUTS for f in (*FLOORED, *CEILED)]
    missing = [f"{n} {f}" for n, f in pinned if f not in floors.get(n, {})]
    assert not missing, f"bench/floors.json lacks floors for: {', '.join(missing)}"
    assert floors["seeds"]["body_word_f1"] >= SEED_WORD_F1


def test_floor_of_truncates() -> None:
    assert floor_of(0.92399) == 0.923
    assert floor_of(0.923) == 0.923
    assert floor_of(0.9) == 0.9
