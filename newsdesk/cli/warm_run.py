"""The warm runner: `newsdesk run` in a fork of a process whose imports are done.

Of the ~3.4 s of CPU the run's process spent on the two seeds, ~2 s were imports (Prefect
~1 s, Polars, pyarrow, DuckDB, the flow and its stages), paid again by every run. The warm
runner is a process that has made them (and built nothing else: no thread, no warehouse
open, no Prefect client), started in the background by the first run that finds none (that
run goes on in its own process, as before) and ending once no run came for WARM_IDLE_S. A
later run hands itself to a fork of it: the command sends what it would run (`request`),
its environment and folder, and its standard input, output and error (SCM_RIGHTS) over a
Unix socket; the fork takes them as its own, sends its pid, waits for the command to say it
has it (_GO; within _GO_S, else it does not start the run and the command runs it), runs
the pipeline as the command would have, and sends back its exit code, which the command
exits with. The command passes Ctrl-C (SIGINT), Ctrl-\\ (SIGQUIT), SIGTERM and SIGHUP on to
the fork's process group (the fork and the workers it starts), as the terminal would have
to its own, and ends by the signal that ended the fork; Ctrl-Z (SIGTSTP) stops the group
and the command, and continuing the command continues the group; a command killed outright
hangs up, and the fork's group then gets SIGTERM. The fork takes the command's umask,
processors, core file size and dispositions of those signals; its priority is the
runner's (it cannot raise it), so the niceness is in the key.

The same rules as the warm gate helper (expectations/gate_process.py): a socket in the
user's private folder, taking connections from the user's processes only, named by a
fingerprint of the interpreter, its packages and the project's code and data files, here
with the environment the imports read (PREFECT_*, PYTHON*, locale, HOME), the folder and
Prefect's settings files (runner_key): Prefect reads its settings at import, so a runner
serves only commands that would have read the same. It forks only while it has a single
thread. Whatever fails before the fork has answered leaves the run to run here.
NEWSDESK_WARM_RUNS=0 turns it off; `newsdesk ui --stop` ends the helpers.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import importlib
import json
import os
import resource
import signal
import socket
import struct
import subprocess
import sys
import sysconfig
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

from expectations.gate_process import (
    WARM_PROCESS_NAME,
    accept_until_idle,
    connect_unix,
    listen_unix,
    peer_credentials,
    warm_dir,
    warm_folder,
    warm_key,
)

RUNNER_PROCESS_NAME = "newsdesk-runner"  # what ps and top show
WARM_RUNS_ENV = "NEWSDESK_WARM_RUNS"  # "0": every run imports in its own process
# The project's packages a run imports: a change in any needs a new runner.
_CODE = ("newsdesk", "flows", "tasks", "warehouse", "expectations")
# What a run's imports read from the environment (Prefect's settings, the locale of the
# standard streams): a runner started with other values serves no run. Not NEWSDESK_*:
# newsdesk reads its settings when a run starts (load_settings), in the fork, from the
# command's environment.
_KEYED_PREFIXES = ("PREFECT_", "PYTHON", "LC_")
_KEYED = frozenset({"DO_NOT_TRACK", "HOME", "LANG", "TZ"})
_REPLY_S = 10.0  # how long a run waits for the runner's fork to answer
# How long a fork waits for the command to say it has its pid (_GO) before it starts the
# run: past it (the command stopped by a Ctrl-Z that came first, a loaded machine), the fork
# answers _LATE and ends, and the command runs the flow itself once it goes on.
_GO_S = 10.0
_GO = b"go\n"
_LATE = b"late"
_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
_HEADER = struct.Struct("!I")  # the request's length, sent with the descriptors

# What the runner imports: the command and the flow, and what a run of the seeds imported
# after them as it went (sys.modules compared: Prefect's engines, pyarrow's datasets, the
# gates' suites, the small run's cleaning: ~0.3 s of CPU a run), and a pool worker's.
_A_RUNS_IMPORTS = (
    "newsdesk.cli",
    "flows.pipeline",
    "flows.progress",
    "flows.small_runs",
    "flows.unchanged",
    "prefect.engine",
    "prefect.flow_engine",
    "prefect.task_engine",
    "graphviz",
    "pyarrow.compute",
    "pyarrow.dataset",
    "expectations.gates",
    "expectations.runner",
    "justext",
    "lxml_html_clean",
    "tasks.page.language",
    # a pool worker's imports (tasks/parallel.py): a small run cleans and extracts here
    "tasks.one_pass",
    "tasks.page.html",
    "tasks.extract.html",
)

# The runner's program (`serve_runner`), with the caller's import path.
_RUNNER = (
    "import json, sys; sys.path[:0] = json.loads(sys.argv[1]); "
    "from newsdesk.cli.warm_run import serve_runner; serve_runner(sys.argv[2])"
)


def runner_key() -> str:
    """The environment the imports read, the folder, and the files Prefect reads its settings
    from besides the environment (the folder's prefect.toml, pyproject.toml and .env, and
    the profiles file), by size and modification time: a runner imported Prefect in the
    command's folder with these, and serves only commands that would import it alike."""
    env = sorted(
        f"{k}={v}" for k, v in os.environ.items() if k.startswith(_KEYED_PREFIXES) or k in _KEYED
    )
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")
    profiles = os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml"
    files = []
    for path in ("prefect.toml", "pyproject.toml", ".env", profiles):
        try:
            found = os.stat(path)
            files.append(f"{path}:{found.st_size}:{found.st_mtime_ns}")
        except OSError:
            files.append(f"{path}: none")
    # A fork runs at the runner's priority, which it cannot raise again (`nice newsdesk run`
    # once must not slow the runs after it, nor a plain run make a niced one run at full).
    nice = f"nice:{os.getpriority(os.PRIO_PROCESS, 0)}"
    return warm_key(_CODE, ("runner", os.getcwd(), nice, *env, *files))


def runner_paths(folder: Path, key: str) -> tuple[Path, Path]:
    """The runner's socket and its lock file (its pid)."""
    return folder / f"runs-{key}.sock", folder / f"runs-{key}.lock"


def hand_off(request: dict[str, Any]) -> int | None:
    """Run `request` in a fork of the warm runner: its exit code once it has ended; None when
    no runner took it (off, none up yet: one is started for the next runs), and the caller
    runs it here. Call it once the environment is what the run needs (Prefect's server
    found): the runner is started with it and the fork gets it."""
    folder = warm_folder(WARM_RUNS_ENV)
    if folder is None:
        return None
    path, _ = runner_paths(folder, runner_key())
    _standard_streams_open()
    runner = connect_unix(path)
    if runner is None:
        _start_runner(path)
        return None
    with runner, runner.makefile("rb") as replies, _Forwarding() as forwarding:
        ignored = [s for s, handler in forwarding.previous.items() if handler is signal.SIG_IGN]
        pid = _send(runner, replies, {**request, "ignored": ignored})
        if pid is None:
            return None
        forwarding.to(pid)
        # The fork starts the run only now, once a Ctrl-Z reaches it (one that came before
        # stopped this process alone, while the fork waited for this)
        with contextlib.suppress(OSError):  # gone: its answer, or none, tells
            runner.sendall(_GO)
        code = _wait(runner, replies)
        if code == _LATE:
            forwarding.to(None)  # signals from here on are this process's
            return None
    if code is not None:
        return code
    if forwarding.sent:
        # Ended by the signal this process passed on (SIGTERM, SIGHUP): so does the command,
        # as a run here would have, with the status a shell reads as that signal's.
        signal.signal(forwarding.sent[-1], signal.SIG_DFL)
        signal.raise_signal(forwarding.sent[-1])
    print(f"newsdesk: the run's process (pid {pid}) ended without an exit code", file=sys.stderr)
    return 1


def _standard_streams_open() -> None:
    """/dev/null on a standard descriptor the command was started without (`<&-`, a daemon):
    else the socket to the runner, the lowest free descriptor, would be one, and the fork
    would get it as its stdin (or stdout), holding the command's end open: a command killed
    then would not hang up, and the fork's run would not end."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)


def _start_runner(path: Path) -> None:
    # absolute: the runner leaves this run's folder ('' on the path)
    where = json.dumps([os.path.abspath(p) for p in sys.path])
    subprocess.Popen(
        [sys.executable, "-c", _RUNNER, where, str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # it outlives this run, and the terminal's Ctrl-C
    )


def _send(runner: socket.socket, replies: BinaryIO, request: dict[str, Any]) -> int | None:
    """The request to the runner; the pid of its fork that took it, None if none did."""
    umask = os.umask(0o077)  # read it (there is no other way), then put it back
    os.umask(umask)
    body = json.dumps(
        {
            **request,
            "env": dict(os.environ),
            "cwd": os.getcwd(),
            "umask": umask,
            "cpus": sorted(os.sched_getaffinity(0)),
            "core": resource.getrlimit(resource.RLIMIT_CORE),
        }
    ).encode()
    try:
        runner.settimeout(_REPLY_S)
        socket.send_fds(runner, [_HEADER.pack(len(body))], [0, 1, 2])
        runner.sendall(body)
        reply = replies.readline().strip()
    except OSError:  # a standard stream closed, a runner stuck or gone
        return None
    return int(reply) if reply.isdigit() else None


class _Forwarding:
    """The signals this process gets, passed on to the fork's group once its pid is known:
    from before the request is sent, so that a Ctrl-C that comes as the fork starts (its pid
    on the way) reaches the run, not the command alone. One that came before a fork took
    the run (or that found it gone) is raised here on exit, as if it came then (the run then
    runs here, or not).

    Ctrl-Z (SIGTSTP, unless this process ignores it) stops the fork's group, then this
    process, as the terminal stops a run here and its workers; continuing this process
    (`fg`, `bg`) continues the group. SIGSTOP, not SIGTSTP, to the group: the system drops
    a SIGTSTP to a group with no parent in its session (the fork's, once its runner ended).
    One that comes before the fork's pid stops this process alone: the fork has not started
    the run, and starts it only once this process, going on, has its pid (_GO)."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.kept: list[int] = []
        self.sent: list[int] = []  # passed on to the fork's group
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> _Forwarding:
        self.previous = {s: signal.signal(s, self._forward) for s in _FORWARDED}
        if signal.getsignal(signal.SIGTSTP) is signal.SIG_DFL:
            self.previous[signal.SIGTSTP] = signal.signal(signal.SIGTSTP, self._stop)
        return self

    def _forward(self, signum: int, _frame: object) -> None:
        if self.pid is None:
            self.kept.append(signum)
            return
        try:
            os.killpg(self.pid, signum)
        except OSError:  # gone: the run did not get it
            self.kept.append(signum)
        else:
            self.sent.append(signum)

    def _stop(self, _signum: int, _frame: object) -> None:
        # (a handler runs between two steps of this process's main thread: `to` does not
        # change the pid in the middle of it)
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.pid, signal.SIGSTOP)
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        try:
            # stopped here until continued (not in a group with no parent in its session,
            # for which the system drops it, as for any process)
            signal.raise_signal(signal.SIGTSTP)
        finally:
            signal.signal(signal.SIGTSTP, self._stop)
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.pid, signal.SIGCONT)

    def to(self, pid: int | None) -> None:
        """Signals to the group of fork `pid` from now on, those kept too; None: the fork
        did not start the run, and those from now on are this process's."""
        self.pid = pid
        if pid is not None:
            kept, self.kept = self.kept, []
            for signum in kept:
                self._forward(signum, None)

    def __exit__(self, *_: object) -> None:
        for s, handler in self.previous.items():
            signal.signal(s, handler)
        if self.pid is None:
            for signum in self.kept:
                signal.raise_signal(signum)


def _wait(runner: socket.socket, replies: BinaryIO) -> int | bytes | None:
    """The fork's exit code; _LATE when it did not start the run (the command's _GO came
    after _GO_S); None when it ended without one (killed)."""
    try:
        runner.settimeout(None)
        reply = replies.readline().strip()
    except OSError:
        reply = b""
    if reply == _LATE:
        return _LATE
    return int(reply) if reply.isdigit() else None


# --- the runner ---------------------------------------------------------------------------


def serve_runner(path_text: str) -> None:
    """The warm runner (`python -c`, started by a run): take the lock (one runner per
    socket), make a run's imports, listen, and fork a run for each request, until WARM_IDLE_S
    pass without one or another runner took the socket's name."""
    path = Path(path_text)
    lock = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os._exit(0)  # another runner has it
    os.ftruncate(lock, 0)
    os.write(lock, str(os.getpid()).encode())
    from newsdesk.core.processes import name_process

    name_process(RUNNER_PROCESS_NAME)
    _import_a_run()  # in the command's folder, whose prefect.toml Prefect reads
    os.chdir("/")  # it outlives the run and must not hold its folder
    if threading.active_count() > 1:
        os._exit(0)  # a fork of a process with threads can hang on a lock one of them held
    listener = listen_unix(path, 16)  # over a killed runner's socket too
    own = path.stat().st_ino
    forks: dict[int, int] = {}  # the pid of each fork that may still run: its command's

    def end(*_: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second one ends it at once
        with contextlib.suppress(OSError):
            if path.stat().st_ino == own:
                path.unlink()
        listener.close()
        os.close(lock)  # a new runner may start while this one waits for its forks
        _outlive(forks)
        os._exit(0)

    signal.signal(signal.SIGTERM, end)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the forks
    # woken every _OUTLIVE_S: a run stopped by Ctrl-Z whose command was then killed goes on
    # (and ends) within seconds, not when the runner next ends
    for conn in accept_until_idle(
        listener, path, own, wake_s=_OUTLIVE_S, on_wake=lambda: _continue_orphans(forks)
    ):
        try:
            request, fds = _receive(conn)
        except (OSError, ValueError):
            conn.close()
            continue
        if (pid := os.fork()) == 0:
            listener.close()
            os.close(lock)
            _run_fork(conn, fds, request)
        _continue_orphans(forks)
        forks[pid] = (peer_credentials(conn) or (0, 0, 0))[0]
        for fd in fds:
            os.close(fd)
        conn.close()
    end()


_OUTLIVE_S = 1.0  # how often a runner that has ended looks at the forks it waits for


def _outlive(forks: dict[int, int]) -> None:
    """Until the runner's forks (pid: their command's) have ended. A runner that ended first
    would leave a run stopped by Ctrl-Z in a process group with no parent in its session,
    which the system hangs up (SIGHUP, then SIGCONT): the run would end. A stopped one whose
    command is gone is continued (_continue_orphans), as while the runner listens."""
    while forks:
        _continue_orphans(forks)
        time.sleep(_OUTLIVE_S)


def _continue_orphans(forks: dict[int, int]) -> None:
    """Forget the forks that ended; continue a stopped one whose command is gone (killed
    outright while stopped: the fork's watcher, stopped too, did not see the hang-up; once
    continued, it does, and ends its group)."""
    for fork, command in list(forks.items()):
        state = _child_state(fork)
        if state is None:
            del forks[fork]
        elif state == "T" and not _running(command):
            with contextlib.suppress(OSError):
                os.killpg(fork, signal.SIGCONT)


def _child_state(pid: int) -> str | None:
    """The state of this process's child `pid` (R, S, D, T...); None once it has ended (the
    kernel reaps the runner's forks: its pid may then be another process's)."""
    try:
        state, parent = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[:2]
    except (OSError, ValueError):
        return None
    return state if int(parent) == os.getpid() and state not in "ZX" else None


def _import_a_run() -> None:
    """What `newsdesk run` imports, as it imports it (newsdesk.cli.entry, _run_flow), and
    the stages a small run runs in its own process; frozen for the forks (gc.freeze)."""
    from newsdesk.cli.prefect_server import PREFECT_DEFERRED
    from newsdesk.core.processes import imports_deferring, imports_without_gc
    from warehouse.pandas_probes import answer_without_pandas

    answer_without_pandas()
    with imports_without_gc(), imports_deferring(PREFECT_DEFERRED):
        for module in _A_RUNS_IMPORTS:
            importlib.import_module(module)
        from tasks.page.language import load_now

        load_now()  # the language model a small run's cleaning uses, mapped from its cache


def _receive(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    conn.settimeout(_REPLY_S)
    head, fds, _, _ = socket.recv_fds(conn, _HEADER.size, 3)
    try:
        if len(fds) != 3:
            raise ValueError("three descriptors expected")
        (size,) = _HEADER.unpack(head + _exactly(conn, _HEADER.size - len(head)))
        return json.loads(_exactly(conn, size)), fds
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


def _exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ValueError("the request ended early")
        data += chunk
    return data


def _run_fork(conn: socket.socket, fds: list[int], request: dict[str, Any]) -> NoReturn:
    """The fork: the command's streams, environment and folder; the run; its exit code back.
    Never returns into the runner's loop."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # its own children are waited for
        # The signals the command passes on, taken as the command takes them: not as the
        # runner does (SIGTERM is its end; one started by a script's background job or by
        # nohup ignores SIGINT or SIGHUP, and its forks would then not stop on Ctrl-C).
        for signum in _FORWARDED:
            taken = signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL
            signal.signal(signum, signal.SIG_IGN if signum in request["ignored"] else taken)
        os.setpgid(0, 0)  # the group the command passes signals to, workers included
        from newsdesk.core.processes import name_process

        name_process("newsdesk")  # in ps and top, the run (ui --stop leaves it running)
        for stream in (sys.stdout, sys.stderr):  # what the runner wrote goes to /dev/null
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        _own_streams()
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        os.umask(request["umask"])  # the files the run makes (the warehouse) as the command's
        # the command's processors (`taskset`), for the run and the workers it starts; while
        # the fork has one thread, which the setting is per
        with contextlib.suppress(OSError):  # not all of them allowed here: the runner's
            os.sched_setaffinity(0, request["cpus"])
        # the command's core file size: a Ctrl-\ (SIGQUIT) dumps the run's core as the
        # command's limit says, in its folder (none with the usual 0), not the runner's
        with contextlib.suppress(OSError, ValueError):  # above the runner's hard limit
            resource.setrlimit(resource.RLIMIT_CORE, tuple(request["core"]))
        conn.sendall(f"{os.getpid()}\n".encode())
        if not _go(conn):
            return  # not started: the command runs it, or is gone
        conn.settimeout(None)
        done = threading.Event()
        threading.Thread(target=_watch, args=(conn, done), daemon=True).start()
        from newsdesk.cli import run_handed

        code = run_handed(request)
        # What the interpreter's exit does (and multiprocessing's forks): wait for the
        # threads that are not daemons, then the exit handlers (Prefect's log and event
        # workers drain, the gate process ends), before the command may exit.
        threading._shutdown()  # type: ignore[attr-defined]
        atexit._run_exitfuncs()
        # the runner's streams too, on the same descriptors now: what an import kept
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            with contextlib.suppress(OSError, ValueError, AttributeError):
                stream.flush()  # type: ignore[union-attr]
        done.set()
        with contextlib.suppress(OSError):
            conn.sendall(f"{code}\n".encode())
    finally:
        os._exit(code)


def _go(conn: socket.socket) -> bool:
    """Whether the command said it has the fork's pid (its Ctrl-Z now reaches the run)
    within _GO_S; if not, it is told the run did not start (_LATE)."""
    conn.settimeout(_GO_S)
    try:
        if _exactly(conn, len(_GO)) == _GO:
            return True
    except TimeoutError:
        with contextlib.suppress(OSError):
            conn.sendall(_LATE + b"\n")
    except (OSError, ValueError):  # hung up: the command is gone
        pass
    return False


def _own_streams() -> None:
    """Standard streams on the command's descriptors, buffered as the command's are: the
    runner's were on /dev/null (stdout block-buffered, not a terminal)."""
    for name, fd, mode in (("stdin", 0, "r"), ("stdout", 1, "w"), ("stderr", 2, "w")):
        old = getattr(sys, name)
        line = mode == "w" and (name == "stderr" or os.isatty(fd))
        new = open(  # noqa: SIM115 (the process's stream, open until it exits)
            fd, mode, encoding=old.encoding, errors=old.errors, closefd=False, buffering=-1
        )
        if line:
            new.reconfigure(line_buffering=True)
        setattr(sys, name, new)


def _watch(conn: socket.socket, done: threading.Event) -> None:
    """The command hung up (killed): end the run's group, as the command's end would have."""
    with contextlib.suppress(OSError):
        while conn.recv(64):
            pass
    if not done.is_set():
        os.killpg(0, signal.SIGTERM)


# --- ending the helpers -------------------------------------------------------------------


_STOP_WAIT_S = 5.0  # how long `ui --stop` waits for the helpers it ended to be gone


def stop_helpers() -> list[int]:
    """End the warm helpers of this environment (runners and gate helpers, whatever their
    key; started with this venv's packages on their path): their pids, once they are gone
    (their sockets removed) or _STOP_WAIT_S passed. A run in a fork of one goes on (its
    runner, its socket removed, ends after it: _outlive); the next run starts a new helper."""
    folder = warm_dir()
    if folder is None:
        return []
    ours = sysconfig.get_path("purelib").encode()
    stopped = []
    for lock in sorted(folder.glob("*.lock")):
        try:
            pid = int(lock.read_text().split()[0])
            name = Path(f"/proc/{pid}/comm").read_text().strip()
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if name in (RUNNER_PROCESS_NAME, WARM_PROCESS_NAME) and ours in command:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
                stopped.append(pid)
    # Each ends in its own time (a loaded machine may schedule it seconds later): what
    # follows `ui --stop` (a bench, an uninstall) must not find them, nor their sockets.
    deadline = time.monotonic() + _STOP_WAIT_S
    while any(map(_running, stopped)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return stopped


def _running(pid: int) -> bool:
    """Up, not ended (a zombie has run its exit, its socket removed)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
