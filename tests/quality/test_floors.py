"""Quality floors (`make test-quality`, not `make test`: it needs ../shared/devset): what
`newsdesk extract` (the real CLI) makes of the dev set must not fall below bench/floors.json,
for the HTML pages and for text renders by w3m, inscriptis and html2text. The seeds are
checked in `make test` from the repo's own copies (tests/test_seeds.py).

Extraction is deterministic, so a floor is the figure measured when it was pinned, truncated
to 3 decimals. Lowering one takes an edit of bench/floors.json (visible in review); a figure
well above its floor warns that the floor should be raised. The figures are the ones
`make eval` prints (same scorer, same conversion of the CLI's records).

Cost: one render of the pages by inscriptis and html2text (into this session's temp dir) and
one `newsdesk extract --workers 2` over all 3,600 pages: 3.5 minutes measured on
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
    DevsetMissing,
    ensure_renders,
    floor_of,
    folders,
    require_devset,
    run_extract,
    score_newsdesk,
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
    run = run_extract(list(by_key.values()), workers=WORKERS)
    workdir = tmp_path_factory.mktemp("eval")
    return {"scores": score_newsdesk(split_by_folder(run.records, by_key), workdir, devset)}


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


def test_floor_report(
    measured: dict[str, Any], floors: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """Measured vs floor, printed in every run (also when all pass), so CI logs show how
    much room each floor has and which ones should be raised."""
    with capsys.disabled():
        print("\nquality floors (bench/floors.json):\n" + report(measured["scores"], floors))
