"""A run validates in a gate process of its own: the same results as here, and the run's
process never imports Great Expectations."""

import json
from pathlib import Path

from tests.fresh_python import run_python

# Run in a fresh interpreter: this test process has GX imported already (conftest).
SCRIPT = """
import json, os, signal, sys
import polars as pl
from expectations import check_accounting, run_gate
from expectations.gate_process import gate_process_pid, start_gate_process, stop_gate_process

def clean_gate():
    frame = pl.DataFrame({
        "doc_id": ["a", "b", "c"], "run_id": ["r"] * 3, "uri": ["u1", "u2", "u3"],
        "body": ["x", "x", None], "word_count": [10, 2, None],
    })
    result = run_gate("clean", frame, params={"min_words": 5}, threshold=0.5)
    rejects = result.rejects.sort("doc_id").select("doc_id", "reason", "observed").rows()
    return {
        "passed": result.passed["doc_id"].to_list(), "rejects": [list(r) for r in rejects],
        "failed": result.rows_failed, "exceeded": result.exceeded,
        "outcomes": [[o.label, o.failed, o.success] for o in result.outcomes],
    }

if __name__ == "__main__":
    remote = sys.argv[1] in ("remote", "killed")
    if remote:
        start_gate_process()
    found = clean_gate()
    if remote:  # ps and top (and the bench) tell it from the workers by its name
        with open(f"/proc/{gate_process_pid()}/comm") as comm:
            name = comm.read().strip()
    if sys.argv[1] == "killed":  # the gate process dies: this process validates from then on
        pid = gate_process_pid()
        os.kill(pid, signal.SIGKILL)
        assert json.dumps(clean_gate()) == json.dumps(found)
        assert gate_process_pid() is None

    found["name"] = name if remote else None
    found["accounting"] = check_accounting(
        ingested=3, loaded=1, quarantined=1, duplicates=0
    ).exceeded
    found["gx_here"] = "great_expectations" in sys.modules
    stop_gate_process()
    print(json.dumps(found))
"""


def _run(mode: str, tmp_path: Path) -> dict:
    script = tmp_path / "gate_check.py"
    script.write_text(SCRIPT, encoding="utf-8")
    done = run_python(str(script), mode)
    if mode != "killed":
        # A gate process ended by a signal leaves the resource tracker warning, on every run,
        # of leaked semaphores; one that is hung up on returns and cleans up.
        assert "leaked semaphore" not in done.stderr, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_gate_process_gives_the_same_results_without_gx_in_the_caller(tmp_path):
    remote = _run("remote", tmp_path)
    assert remote.pop("gx_here") is False  # the caller never imported GX
    assert remote.pop("accounting") is True  # 1 + 1 + 0 != 3: the check ran, and failed
    assert remote.pop("name") == "newsdesk-gates"
    script: dict = {"__name__": "here"}
    exec(SCRIPT, script)  # the same gate, validated in this process
    here = json.loads(json.dumps(script["clean_gate"]()))
    assert remote == here
    assert here["passed"] == ["a"]
    assert [r[0] for r in here["rejects"]] == ["b", "c"]


def test_a_killed_gate_process_leaves_the_validation_to_the_caller(tmp_path):
    killed = _run("killed", tmp_path)
    assert killed.pop("gx_here") is True  # validated here once the gate process was gone
    assert killed.pop("accounting") is True
    remote = _run("remote", tmp_path)
    remote.pop("gx_here"), remote.pop("accounting")
    assert killed == remote


def test_gx_starts_without_running_the_modules_no_suite_uses():
    # scipy.stats and altair, which GX imports at its top, load only when first touched;
    # SQLAlchemy, an optional dependency of GX's SQL path, is not imported by GX at all, and
    # imports as usual afterwards.
    code = (
        "import sys\n"
        "from expectations.runner import warm_up\n"
        "warm_up()\n"
        "ran = 'scipy.stats._distn_infrastructure', 'altair.vegalite', 'sqlalchemy'\n"
        "print(*(name in sys.modules for name in ran))\n"
        "import scipy.stats\n"
        "print(scipy.stats.norm.cdf(0.0), 'scipy.stats._distn_infrastructure' in sys.modules)\n"
        "import sqlalchemy\n"
        "print(sqlalchemy.__name__)\n"
    )
    done = run_python("-c", code)
    assert done.stdout.split() == ["False", "False", "False", "0.5", "True", "sqlalchemy"]
