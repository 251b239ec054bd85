"""A gate run in a fresh process: no GX at import, no progress bars or ERROR lines, no files."""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import logging, sys, threading
logging.basicConfig(level=logging.INFO)  # as a flow's logging would: show INFO and up
import polars as pl
import expectations
from newsdesk.core.contracts.clean import CLEAN_SCHEMA
assert "great_expectations" not in sys.modules, "importing the package must not import GX"
rows = [
    {"doc_id": "d0", "body": None, "word_count": 0},
    {"doc_id": "d1", "body": "x", "word_count": 9},
]
frame = pl.DataFrame(rows, schema=CLEAN_SCHEMA)
warming = threading.Thread(target=expectations.warm_up)  # as a flow would, during ingest
warming.start()
result = expectations.run_gate("clean", frame, params={"min_words": 5}, threshold=1.0)
assert result.rejects["doc_id"].to_list() == ["d0"], result.rejects
warming.join()
print("gate ok")
"""


def test_a_gate_run_is_quiet_and_leaves_no_files(tmp_path: Path):
    work, home, tmp = tmp_path / "work", tmp_path / "home", tmp_path / "tmp"
    for folder in (work, home, tmp):
        folder.mkdir()
    project = Path(__file__).resolve().parents[2]
    env = os.environ | {
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "PYTHONPATH": str(project),
    }
    env.pop("GX_ANALYTICS_ENABLED", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert done.stdout.strip() == "gate ok"
    # Logging is at INFO, as in a flow: GX must not log (or draw progress bars) at all.
    assert done.stderr == "", done.stderr
    for folder in (work, home, tmp):
        assert list(folder.iterdir()) == [], f"{folder.name}: {list(folder.iterdir())}"
