"""`newsdesk run` handed to a fork of the warm runner (newsdesk/cli/warm_run.py): the same
warehouse, output and exit status as a run in the command's own process, Ctrl-C passed on,
and `newsdesk ui --stop` ending the helpers."""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT
from tests.expectations.test_warm_gates import alive, wait_gone
from tests.fresh_python import run_python

# The installed command's entry, in a fresh interpreter that says at its exit whether it
# imported Prefect or DuckDB: a command the runner took does neither.
COMMAND = """
import atexit, json, sys
out = sys.argv.pop(1)
heavy = lambda: "prefect" in sys.modules or "duckdb" in sys.modules
atexit.register(lambda: open(out, "w").write(json.dumps({"heavy": heavy()})))
from newsdesk.cli import entry
entry()
"""
# How long a signalled or killed command may take to end: in one `make test` beside two other
# heavy jobs on 2 cores, one of these commands was still up 60 s after its signal.
ENDS_WITHIN_S = 120
ARTICLES = "SELECT source_id, title, published_at, body FROM articles ORDER BY 1, 2"
QUARANTINE = "SELECT stage, reason FROM quarantine ORDER BY 1, 2"


@pytest.fixture(scope="module")
def helpers(
    prefect_api_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The environment of commands that use warm helpers of this module's own (its folder:
    the tests share its runner); any helper still up at the end is ended."""
    folder = tmp_path_factory.mktemp("rt")
    folder.chmod(0o700)
    yield {
        "PREFECT_API_URL": prefect_api_url,
        "NEWSDESK_WARM_RUNS": "1",
        "NEWSDESK_WARM_GATES": "1",
        "NEWSDESK_RUNTIME_DIR": str(folder),
    }
    for lock in folder.glob("*.lock"):
        pid = int(lock.read_text().split()[0])
        if pid and alive(pid):
            os.kill(pid, signal.SIGKILL)


def start(
    tmp_path: Path,
    env: dict[str, str],
    *args: str,
    umask: int = -1,
    no_stdin: bool = False,
    no_sigint: bool = False,
    cpus: set[int] | None = None,
    job: bool = False,
    no_core: bool = False,
) -> tuple[subprocess.Popen, Path]:
    """The command, started (`no_stdin`: without a standard input, as `<&-` starts it;
    `no_sigint`: ignoring SIGINT, as a script's background job starts; `cpus`: on those
    processors only, as `taskset` starts it; `job`: in a process group of its own, as a
    shell with job control starts it, whose parent is in its session: else a Ctrl-Z may
    reach a group the system does not stop, as where pytest's own group has no parent in
    its session; `no_core`: with no core file, as `ulimit -c 0` starts it)."""

    def before() -> None:
        if no_stdin:
            os.close(0)
        if no_sigint:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        if cpus:
            os.sched_setaffinity(0, cpus)
        if no_core:
            resource.setrlimit(
                resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1])
            )

    said = tmp_path / f"said-{time.monotonic_ns()}.json"
    process = subprocess.Popen(
        [sys.executable, "-c", COMMAND, str(said), *args],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
        umask=umask,
        preexec_fn=before if no_stdin or no_sigint or cpus or no_core else None,
        process_group=0 if job else None,
    )
    return process, said


def command(
    tmp_path: Path, env: dict[str, str], *args: str, umask: int = -1, no_sigint: bool = False
) -> tuple[int, str, str, bool]:
    """Exit status, stdout, stderr, and whether the command imported Prefect or DuckDB."""
    process, said = start(tmp_path, env, *args, umask=umask, no_sigint=no_sigint)
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err, json.loads(said.read_text())["heavy"]


def runner_up(env: dict[str, str], tmp_path: Path, seed_dir: Path) -> int:
    """The runner's pid, once it listens; a run here starts it if none is up (the runner
    then ignores SIGINT, as the first run did: a background job's, which its forks must not)."""
    folder = Path(env["NEWSDESK_RUNTIME_DIR"])
    if not list(folder.glob("runs-*.sock")):
        db = str(tmp_path / "w.duckdb")
        first, _ = start(tmp_path, env, "--db", db, "run", str(seed_dir), no_sigint=True)
        assert first.wait(timeout=300) == 0
    deadline = time.monotonic() + 120
    while not list(folder.glob("runs-*.sock")):
        assert time.monotonic() < deadline, "no runner listens"
        time.sleep(0.1)
    (lock,) = folder.glob("runs-*.lock")
    return int(lock.read_text().split()[0])


def contents(db: Path) -> tuple[list, list]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(ARTICLES).fetchall(), con.execute(QUARANTINE).fetchall()


def test_a_run_handed_to_the_runner_loads_and_tells_as_one_run_here(
    helpers: dict[str, str], seed_dir: Path, tmp_path: Path
) -> None:
    here = tmp_path / "here.duckdb"
    # (as a background job of a script: ignoring SIGINT, as the runner it starts then does)
    code, out, err, imported = command(
        tmp_path,
        helpers,
        *("--db", str(here), "run", str(seed_dir), "--json"),
        umask=0o022,
        no_sigint=True,
    )
    assert code == 0, err[-2000:]
    assert imported  # no runner yet: this run ran in the command, and started one
    runner = runner_up(helpers, tmp_path, seed_dir)
    assert Path(f"/proc/{runner}/comm").read_text().strip() == "newsdesk-runner"

    # (with a umask other than the runner's: the files the run makes follow the command's)
    handed = tmp_path / "handed.duckdb"
    code, out_handed, err_handed, imported = command(
        tmp_path, helpers, "--db", str(handed), "run", str(seed_dir), "--json", umask=0o077
    )
    assert code == 0, err_handed[-2000:]
    assert not imported  # the command only handed the run over
    assert here.stat().st_mode & 0o077 and not handed.stat().st_mode & 0o077
    assert _counts(json.loads(out_handed)) == _counts(json.loads(out))  # its stdout
    assert _counts(json.loads(out))[:4] == ["loaded", 2, 1, 1]
    assert "Prefect UI:" in err_handed  # and its stderr
    assert contents(handed) == contents(here)  # gates, quarantine, accounting alike
    assert alive(runner)  # it serves the next run

    # An unchanged rerun is looked at in the fork too, and recorded as one here is.
    code, out, err, imported = command(
        tmp_path, helpers, "--db", str(handed), "run", str(seed_dir), "--json"
    )
    assert code == 0, err[-2000:]
    assert not imported
    rerun = json.loads(out)
    assert rerun["unchanged_files"] == 2 and rerun["loaded"] == 0
    assert contents(handed) == contents(here)


def test_a_handed_runs_failure_and_ctrl_c_end_the_command_as_they_end_a_run_here(
    helpers: dict[str, str], seed_dir: Path, tmp_path: Path
) -> None:
    from flows.run_lock import run_lock

    runner = runner_up(helpers, tmp_path, seed_dir)
    db = tmp_path / "b.duckdb"
    with run_lock(db, timeout_s=1, label="a long load"):
        # skipped: the warehouse stayed held (the fork's exit status and message)
        code, out, err, imported = command(
            tmp_path,
            {**helpers, "NEWSDESK_WAREHOUSE_RUN_LOCK_TIMEOUT_S": "1"},
            "--db",
            str(db),
            "run",
            str(seed_dir),
        )
        assert not imported
        assert code == 3, err[-2000:]
        assert re.search(r"newsdesk: run \d{8}T\d{6}Z-[0-9a-f]{4} skipped: a long load", err)
        assert "documents ingested" not in out
        # Ctrl-C while the handed run waits for the warehouse: typer's 130, as here
        process, said = waiting(tmp_path, helpers, db, seed_dir)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=ENDS_WITHIN_S) == 130
        # and says so, as a run here does (it ended without a word)
        assert "run interrupted (Ctrl-C) before it started writing" in process.stderr.read()
        assert not json.loads(said.read_text())["heavy"]
        # SIGTERM (a service stopped, `kill`): the run ends, and the command by that signal,
        # as a run here ends (not with a status of its own and a message); a command kept
        # to one processor (`taskset`) has its run kept there too
        cpu = min(os.sched_getaffinity(0))
        process, _ = waiting(tmp_path, helpers, db, seed_dir, cpus={cpu})
        (fork,) = forks(runner, process)
        assert os.sched_getaffinity(fork) == {cpu}
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=ENDS_WITHIN_S) == -signal.SIGTERM
        wait_gone(fork)
        # Ctrl-\ (SIGQUIT) likewise; the run dumps its core as the command's limit says
        # (none: 0), in the command's folder, not as the runner's
        process, _ = waiting(tmp_path, helpers, db, seed_dir, no_core=True)
        (fork,) = forks(runner, process)
        assert core_limit(fork) == "0"
        process.send_signal(signal.SIGQUIT)
        assert process.wait(timeout=ENDS_WITHIN_S) == -signal.SIGQUIT
        wait_gone(fork)
        # a command killed outright: its run ends too, not left holding the warehouse; also
        # when the command was started without a standard input (the socket to the runner
        # is then not made one of the fork's standard streams, which would keep the
        # command's end open: no hang-up)
        process, _ = waiting(tmp_path, helpers, db, seed_dir, no_stdin=True, job=True)
        (fork,) = forks(runner, process)
        # (before that, Ctrl-Z stops its run with it, and `fg` continues both: the fork
        # waited for the command to have its pid before the run said it waits)
        signal_both(process, fork, signal.SIGTSTP, "T")
        signal_both(process, fork, signal.SIGCONT, "RSD")
        kill_both(process, fork)
        # killed outright while stopped: the runner, still listening, continues the run it
        # forked (whose watcher, stopped too, had not seen the hang-up), which then ends;
        # not left stopped, holding the warehouse, until the runner itself ends
        process, _ = waiting(tmp_path, helpers, db, seed_dir, job=True)
        (fork,) = forks(runner, process)
        signal_both(process, fork, signal.SIGTSTP, "T")
        kill_both(process, fork)
        assert alive(runner)


def waiting(
    tmp_path: Path,
    env: dict[str, str],
    db: Path,
    seed_dir: Path,
    *,
    no_stdin: bool = False,
    cpus: set[int] | None = None,
    job: bool = False,
    no_core: bool = False,
) -> tuple[subprocess.Popen, Path]:
    """A command whose run waits for the warehouse, once it says so."""
    env = {**env, "NEWSDESK_WAREHOUSE_RUN_LOCK_TIMEOUT_S": "120"}
    args = ("--db", str(db), "run", str(seed_dir))
    process, said = start(
        tmp_path, env, *args, no_stdin=no_stdin, cpus=cpus, job=job, no_core=no_core
    )
    assert process.stderr is not None
    line = ""
    while "waiting up to" not in line:
        line = process.stderr.readline()
        assert line, "the run ended before it waited"
    return process, said


def wait_state(pid: int, states: str, timeout_s: float = 120.0) -> None:
    """Until the process is in one of `states` (T: stopped; R, S, D: going), as ps shows it:
    each process takes a signal in its own time on a loaded machine."""
    deadline = time.monotonic() + timeout_s
    while (state := Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) not in (
        states
    ):
        assert time.monotonic() < deadline, f"process {pid} is {state}, not one of {states}"
        time.sleep(0.02)


def signal_both(process: subprocess.Popen, fork: int, signum: int, states: str) -> None:
    """`signum` to the command, then until its fork and the command are in `states`."""
    process.send_signal(signum)
    wait_state(fork, states)
    wait_state(process.pid, states)


def kill_both(process: subprocess.Popen, fork: int) -> None:
    """The command killed outright, then until its fork, the run, is gone too."""
    process.kill()
    process.wait(timeout=ENDS_WITHIN_S)
    wait_gone(fork)


def core_limit(pid: int) -> str:
    """The process's soft core file size, as /proc tells it."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max core file size"):
            return line.split()[4]
    raise AssertionError("no core file size")


def forks(runner: int, process: subprocess.Popen) -> list[int]:
    """The runner's forks that run `process`'s command (its stderr theirs): not one of an
    earlier command, which may still be ending on a loaded machine."""
    assert process.stderr is not None
    stderr = os.readlink(f"/proc/self/fd/{process.stderr.fileno()}")
    found = []
    for task in Path(f"/proc/{runner}/task").iterdir():
        for pid in (task / "children").read_text().split():
            with contextlib.suppress(OSError):  # ended meanwhile
                if os.readlink(f"/proc/{pid}/fd/2") == stderr:
                    found.append(int(pid))
    return found


def test_an_ended_runner_waits_for_its_forks_and_continues_a_stopped_one_left_alone() -> None:
    # A runner that ends (idle, `ui --stop`) before a run it forked, stopped by Ctrl-Z, would
    # leave it in a group the system hangs up: it waits for its forks to end. One whose
    # command was killed while it was stopped is continued (its watcher then ends its run).
    from newsdesk.cli.warm_run import _outlive

    fork = subprocess.Popen(["sleep", "600"], start_new_session=True)  # a run's group
    command = subprocess.Popen(["sleep", "600"])
    try:
        os.killpg(fork.pid, signal.SIGSTOP)
        wait_state(fork.pid, "T")
        runner = threading.Thread(target=_outlive, args=({fork.pid: command.pid},))
        runner.start()
        runner.join(3)
        assert runner.is_alive()  # its fork runs (stopped, its command there)
        assert fork.poll() is None
        wait_state(fork.pid, "T")
        command.kill()
        command.wait()
        wait_state(fork.pid, "RS")  # continued
        fork.terminate()
        fork.wait(timeout=60)
        runner.join(60)
        assert not runner.is_alive()  # ended once its fork has
    finally:
        for process in (fork, command):
            process.kill()
            process.wait()


def test_ui_stop_ends_the_warm_helpers(
    helpers: dict[str, str], seed_dir: Path, tmp_path: Path
) -> None:
    runner = runner_up(helpers, tmp_path, seed_dir)
    # `newsdesk ui --stop` ends the helpers (the runner and the gate helper); in a folder
    # of its own, where newsdesk started no Prefect server
    done = subprocess.run(
        [str(Path(sys.executable).with_name("newsdesk")), "ui", "--stop"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, **helpers},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    stopped = re.search(r"stopped 2 warm helper\(s\) \(pid (\d+), (\d+)\)", done.stdout)
    assert stopped, done.stdout
    assert runner in map(int, stopped.groups())
    for pid in map(int, stopped.groups()):  # each ends in its own time on a loaded machine
        wait_gone(pid)
    assert list(Path(helpers["NEWSDESK_RUNTIME_DIR"]).glob("*.sock")) == []


def _counts(summary: dict) -> list:
    return [summary[k] for k in ("status", "ingested", "loaded", "quarantined", "duplicates")] + [
        sorted((r["stage"], r["reason"]) for r in summary["quarantine_reasons"])
    ]


def test_the_runner_key_follows_what_prefect_reads_at_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A runner imported Prefect with its settings: a command whose Prefect would read other
    # ones (environment, the folder's prefect.toml) finds another runner; newsdesk's own
    # settings are read per run, in the fork, and share it.
    from newsdesk.cli.warm_run import runner_key

    monkeypatch.chdir(tmp_path)
    before = runner_key()
    monkeypatch.setenv("NEWSDESK_PIPELINE_WORKERS", "3")
    assert runner_key() == before
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    with_url = runner_key()
    assert with_url != before
    (tmp_path / "prefect.toml").write_text('[api]\nurl = "http://127.0.0.1:8/api"\n')
    assert runner_key() != with_url
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert runner_key() not in (before, with_url)


def test_the_runner_key_follows_the_code_its_data_and_the_priority(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A runner has imported the project's modules and what they read as they were imported
    # (tasks/page/lexicon compiles its phrases then): a change in either is another runner.
    from expectations import gate_process
    from newsdesk.cli import warm_run

    project = tmp_path / "project"
    for package in warm_run._CODE:
        shutil.copytree(
            gate_process._PROJECT / package,
            project / package,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    monkeypatch.setattr(gate_process, "_PROJECT", project)
    monkeypatch.chdir(tmp_path)
    before = warm_run.runner_key()
    assert warm_run.runner_key() == before
    lexicon = project / "tasks" / "page" / "lexicon" / "en.toml"
    lexicon.write_text(lexicon.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert warm_run.runner_key() != before
    # A fork runs at its runner's priority, and cannot raise it: `nice newsdesk run` has a
    # runner of its own (in a process of its own: this one could not lower it again).
    done = run_python(
        "-c",
        "import os; from newsdesk.cli.warm_run import runner_key; "
        "plain = runner_key(); os.nice(5); print(runner_key() != plain)",
    )
    assert done.stdout.strip() == "True"


def test_signals_that_come_before_the_forks_pid_are_kept_for_it() -> None:
    # Ctrl-C as the fork starts (its pid on the way back) reaches the run, not the command
    # alone; one that came when no fork took the run is the command's own.
    from newsdesk.cli.warm_run import _Forwarding

    fork = subprocess.Popen(["sleep", "60"], start_new_session=True)  # a group, as a fork's
    try:
        with _Forwarding() as forwarding:
            signal.raise_signal(signal.SIGTERM)  # kept: this process goes on
            forwarding.to(fork.pid)
        assert fork.wait(timeout=30) == -signal.SIGTERM
    finally:
        fork.kill()
    # (Python's own Ctrl-C: pytest may have been started ignoring SIGINT)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt), _Forwarding():
            signal.raise_signal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, previous)
