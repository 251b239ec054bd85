"""Quality floors: what `newsdesk extract` (the real CLI) makes of ../shared/devset must not
fall below bench/floors.json, for the HTML pages and for text renders by w3m, inscriptis and
html2text; and the two seeds must keep their exact title, date, byline and source and a body
word F1 >= 0.98.

Extraction is deterministic, so a floor is the figure measured when it was pinned, truncated
to 3 decimals. Lowering one takes an edit of bench/floors.json (visible in review); a figure
well above its floor warns that the floor should be raised. The figures are the ones
`make eval` prints (same scorer, same conversion of the CLI's records).

Cost: one render of the pages by inscriptis and html2text (into this session's temp dir) and
one `newsdesk extract --workers 2` over all 3,600 pages and the seeds: 3.5 minutes measured on
two busy shared cores (less on free ones). Speed is never asserted here (`make eval` and
`make bench` measure it).
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest

from bench.eval import (
    DEVSET,
    FLOORED,
    FLOORS,
    INPUTS,
    SEED_WORD_F1,
    DevsetMissing,
    ensure_renders,
    floor_of,
    folders,
    require_devset,
    run_extract,
    score_newsdesk,
    seed_checks,
    seed_paths,
    split_by_folder,
)

pytestmark = pytest.mark.timeout(1200)

WORKERS = 2
# A figure this far above its floor is a floor that should be raised.
RAISE_MARGIN = 0.005


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    try:
        devset = require_devset(DEVSET)
    except DevsetMissing as exc:
        pytest.fail(f"{exc}. The quality floors cannot be checked without it.", pytrace=False)
    renders = tmp_path_factory.mktemp("renders")
    ensure_renders(devset, renders, workers=WORKERS)
    by_key = folders(devset, renders)
    seeds, gold = seed_paths(devset.parent / "seeds")
    run = run_extract([*by_key.values(), *seeds], workers=WORKERS)
    workdir = tmp_path_factory.mktemp("eval")
    scores = score_newsdesk(split_by_folder(run.records, by_key), workdir, devset)
    return {"scores": scores, "seeds": seed_checks(run.records, gold)}


@pytest.fixture(scope="module")
def floors() -> dict[str, Any]:
    return json.loads(FLOORS.read_text(encoding="utf-8"))


def report(scores: dict[str, dict[str, float]], floors: dict[str, Any]) -> str:
    """Measured vs floor for every pinned figure; `pin` is what floors.json would hold if it
    were pinned today."""
    lines = [f"{'input':<16} {'figure':<15} {'measured':>8} {'floor':>7} {'diff':>7} {'pin':>6}"]
    for name in INPUTS:
        for figure in FLOORED:
            value = scores[name][figure]
            floor = floors.get(name, {}).get(figure)
            pin = f"{floor_of(value):>6.3f}"
            if floor is None:
                lines.append(f"{name:<16} {figure:<15} {value:>8.4f} {'none':>7} {'':>7} {pin}")
                continue
            note = "  <- BELOW" if value < floor else ""
            if value >= floor + RAISE_MARGIN:
                note = "  <- raise the floor"
            lines.append(
                f"{name:<16} {figure:<15} {value:>8.4f} {floor:>7.3f} {value - floor:>+7.4f} "
                f"{pin}{note}"
            )
    return "\n".join(lines)


@pytest.mark.parametrize("figure", FLOORED)
@pytest.mark.parametrize("name", INPUTS)
def test_figure_is_not_below_its_floor(
    name: str, figure: str, measured: dict[str, Any], floors: dict[str, Any]
) -> None:
    table = report(measured["scores"], floors)
    floor = floors.get(name, {}).get(figure)
    assert floor is not None, f"bench/floors.json has no floor for {name} {figure}:\n{table}"
    value = measured["scores"][name][figure]
    assert value >= floor, (
        f"{name} {figure} fell to {value:.4f}, below its floor {floor:.3f} "
        f"(bench/floors.json). Fix the regression, or lower the floor there in a visible "
        f"edit that says why.\n{table}"
    )
    if value >= floor + RAISE_MARGIN:
        warnings.warn(
            f"{name} {figure} is {value:.4f}, well above its floor {floor:.3f}: raise it in "
            f"bench/floors.json to {floor_of(value):.3f}",
            stacklevel=1,
        )


def test_floors_file_pins_every_figure(floors: dict[str, Any]) -> None:
    """Removing a floor is as visible as lowering one: the file must pin every figure."""
    missing = [f"{n} {f}" for n in INPUTS for f in FLOORED if f not in floors.get(n, {})]
    assert not missing, f"bench/floors.json lacks floors for: {', '.join(missing)}"
    assert floors["seeds"]["body_word_f1"] >= SEED_WORD_F1


@pytest.mark.parametrize("check", ["title", "published", "authors", "source"])
def test_seed_fields_are_exact(check: str, measured: dict[str, Any]) -> None:
    seeds = measured["seeds"]
    assert len(seeds) == 2, f"the CLI gave no record for some seed: {sorted(seeds)}"
    wrong = [name for name, checks in seeds.items() if not checks[check]]
    assert not wrong, f"seed {check} differs from gold.json for {wrong}"


def test_seed_bodies_match_gold(measured: dict[str, Any], floors: dict[str, Any]) -> None:
    floor = floors["seeds"]["body_word_f1"]
    f1 = {name: round(checks["body_word_f1"], 4) for name, checks in measured["seeds"].items()}
    assert len(f1) == 2 and all(v >= floor for v in f1.values()), f"body word F1 {f1} < {floor}"


def test_floor_report(
    measured: dict[str, Any], floors: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """Measured vs floor, printed in every run (also when all pass), so CI logs show how
    much room each floor has and which ones should be raised."""
    with capsys.disabled():
        print("\nquality floors (bench/floors.json):\n" + report(measured["scores"], floors))


def test_floor_of_truncates() -> None:
    assert floor_of(0.92399) == 0.923
    assert floor_of(0.923) == 0.923
    assert floor_of(0.9) == 0.9
