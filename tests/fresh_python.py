"""A fresh interpreter on the project, for tests of what a process imports or how it ends:
the test's own process has imported too much already."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def run_python(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python ARGS` in a fresh interpreter on the project (nothing imported yet), which must
    succeed. No warm gate helper unless `env` asks for one (NEWSDESK_WARM_GATES)."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            "PYTHONPATH": str(PROJECT),
            "PATH": "/usr/bin:/bin",
            "NEWSDESK_WARM_GATES": "0",
            "NEWSDESK_WARM_RUNS": "0",
            **(env or {}),
        },
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done
