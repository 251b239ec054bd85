"""Quality floors (`make test-quality`, not `make test`: it needs ../shared/devset): what
`newsdesk extract` (the real CLI) makes of the HELD-OUT half of the dev set
(bench/devset_split.json: pages of sites nobody tunes on) must not fall below
bench/floors.json, for the HTML pages and for text renders by w3m, inscriptis and html2text,
and on modern/ for every input (article body word-F1, authors, article detection; its
inscriptis and html2text dumps are ours: bench.eval.ensure_modern); no body may
hold more tokens found nowhere in its page (glued words) than pinned there. The seeds are
checked in `make test` from the repo's own copies (tests/test_seeds.py).

Extraction is deterministic, so a floor is the figure measured when it was pinned, truncated
to 3 decimals. Lowering one takes an edit of bench/floors.json (visible in review); a figure
well above its floor warns that the floor should be raised. The figures are the ones
`make eval` prints (same scorer, same conversion of the CLI's records).

Cost: one render of the pages by inscriptis and html2text (segments/ and dates/ into this
session's temp dir; modern/ once into .cache/modern, about 20 s) and one `newsdesk extract
--workers 2` over the held-out half of every input (about 2,650 pages; modern/'s inscriptis
and html2text dumps add 450 of them, about 27 s).
Speed is never asserted here (`make eval` and `make bench` measure it).
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest

from bench.eval import (
    CEILED,
    DEVSET,
    FLOORED,
    FLOORS,
    INPUTS,
    DevsetMissing,
    ensure_modern,
    ensure_renders,
    floor_of,
    folders,
    heldout_files,
    require_devset,
    run_extract,
    score_newsdesk,
    split_by_folder,
    write_truths,
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
    ensure_modern(devset)
    by_key = folders(devset, renders)
    run = run_extract(heldout_files(by_key), workers=WORKERS)
    workdir = tmp_path_factory.mktemp("eval")
    write_truths(devset, workdir, None)
    scores = score_newsdesk(split_by_folder(run.records, by_key), workdir, devset)
    return {"scores": {name: halves["heldout"] for name, halves in scores.items()}}


@pytest.fixture(scope="module")
def floors() -> dict[str, Any]:
    return json.loads(FLOORS.read_text(encoding="utf-8"))


def report(scores: dict[str, dict[str, float]], floors: dict[str, Any]) -> str:
    """Measured vs floor for every pinned figure; `pin` is what floors.json would hold if it
    were pinned today."""
    lines = [f"{'input':<16} {'figure':<15} {'measured':>8} {'floor':>7} {'diff':>7} {'pin':>6}"]
    for name in INPUTS:
        for figure in (*FLOORED, *CEILED):
            value = scores[name][figure]
            floor = floors.get(name, {}).get(figure)
            pin = f"{floor_of(value):>6.3f}"
            if floor is None:
                lines.append(f"{name:<16} {figure:<15} {value:>8.4f} {'none':>7} {'':>7} {pin}")
                continue
            note = "  <- BELOW" if value < floor else ""
            if figure in CEILED:
                note = "  <- ABOVE" if value > floor else "  <- lower it" if value < floor else ""
            elif value >= floor + RAISE_MARGIN:
                note = "  <- raise the floor"
            lines.append(
                f"{name:<16} {figure:<15} {value:>8.4f} {floor:>7.3f} {value - floor:>+7.4f} "
                f"{pin}{note}"
            )
    return "\n".join(lines)


PINNED = [(name, figure) for name in INPUTS for figure in FLOORED]


@pytest.mark.parametrize(("name", "figure"), PINNED)
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


@pytest.mark.parametrize("name", INPUTS)
def test_no_more_glued_tokens_than_pinned(
    name: str, measured: dict[str, Any], floors: dict[str, Any]
) -> None:
    """Body tokens found nowhere in the page's own text (two words run together, or text made
    up) on the held-out half: never more than bench/floors.json pins."""
    found = measured["scores"][name]
    ceiling = floors[name]["glued_tokens"]
    assert found["glued_tokens"] <= ceiling, (
        f"{name}: {found['glued_tokens']} body tokens are nowhere in their page (pinned: "
        f"{ceiling}), e.g. {found['glued_examples'][:10]}"
    )


def test_floor_report(
    measured: dict[str, Any], floors: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """Measured vs floor, printed in every run (also when all pass), so CI logs show how
    much room each floor has and which ones should be raised."""
    with capsys.disabled():
        print("\nquality floors (bench/floors.json):\n" + report(measured["scores"], floors))
