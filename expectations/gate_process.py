"""The gate process's launcher: what the run's process needs to start it, call it and end it.

Standard library only (the package's `__init__` loads nothing until asked): the CLI starts
the gate process right after reading its arguments, before its own heavy imports (Polars,
pyarrow, DuckDB: ~0.4 s of CPU), so that GX's import in it (~2.4 s of CPU) begins that much
earlier on the other core. What runs in the process is `expectations.runner.serve`.

A run's gate process is forked by a warm helper when one is up (`serve_warm`): a process
that has imported GX and built its context, started by the first run that finds none, and
ending once no run asked it for WARM_IDLE_S. A fork of it is a gate process with nothing
left to import: a run no longer pays GX's import (~2.3 s of CPU on the other core) nor waits
for it at its first gate. The helper is found by a socket named by a fingerprint of the
interpreter, its installed packages and the project's gate code (`warm_key`): changed code
or a re-synced venv finds no helper and starts a new one (the old one ends when idle).
Whatever goes wrong with it (no private folder for the socket, a helper that does not
answer) leaves the run to start a gate process of its own, as before. NEWSDESK_WARM_GATES=0
turns it off.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import multiprocessing
import os
import signal
import socket
import stat
import struct
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_STOP_GRACE_S = 2.0
GATE_PROCESS_NAME = "newsdesk-gates"  # what ps and top show (bench/runner.py tells it apart)
WARM_PROCESS_NAME = "newsdesk-warm"  # the warm helper, which forks gate processes
WARM_ENV = "NEWSDESK_WARM_GATES"  # "0": every run imports GX in a gate process of its own
WARM_DIR_ENV = "NEWSDESK_RUNTIME_DIR"  # the folder of the helpers' sockets (tests: their own)
WARM_IDLE_S = 900.0  # a helper no run asked for a gate process this long ends
WARM_IDLE_ENV = "NEWSDESK_WARM_IDLE_S"  # another idle time (tests)
_WARM_START_S = 10.0  # how long a run waits for a helper it started to listen
_WARM_REPLY_S = 10.0  # how long a run waits for a ready helper to fork its gate process
_PROJECT = Path(__file__).resolve().parents[1]
# The project's packages a gate process imports: a change in them needs a new helper.
_GATE_CODE = ("expectations", "newsdesk")


# The gate process's program: the runner's `serve`, with the caller's import path.
_SERVE = (
    "import json, sys; sys.path[:0] = json.loads(sys.argv[1]); "
    "from expectations.runner import serve; serve(int(sys.argv[2]), int(sys.argv[3]))"
)
# The warm helper's program (`serve_warm`), likewise.
_WARM = (
    "import json, sys; sys.path[:0] = json.loads(sys.argv[1]); "
    "from expectations.gate_process import serve_warm; serve_warm(sys.argv[2])"
)


class _Gate:
    """One end of a socket to a process that validates (no executor: one call at a time is
    all gates need, and a plain process can be ended without waiting for anything)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.lock = threading.Lock()

    @property
    def pid(self) -> int:
        raise NotImplementedError

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) there; GateProcessDied when the process is gone."""
        with self.lock:
            try:
                self.conn.send((fn, args))
                ok, value = self.conn.recv()
            except (EOFError, OSError) as exc:
                raise GateProcessDied(str(exc)) from exc
        if ok:
            return value
        raise value

    def stop(self) -> None:
        self.conn.close()


class _GateProcess(_Gate):
    """A fresh interpreter, this process's child. Started as `python -c`, not as a
    multiprocessing spawn: a spawned child imports the parent's main module first (the
    `newsdesk` command: its CLI, 0.2 s of CPU) and comes with a resource tracker process,
    neither of which the gates need."""

    def __init__(self) -> None:
        conn, child = multiprocessing.Pipe()
        fd = child.fileno()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVE, json.dumps(sys.path), str(fd), str(os.getpid())],
            pass_fds=(fd,),
            stdin=subprocess.DEVNULL,
        )  # its GX import starts now
        child.close()  # the socket ends (EOFError here) when the process dies
        super().__init__(conn)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        # Hanging up lets a process that has finished its import return and clean up; one
        # still importing GX is not waited for.
        self.conn.close()
        try:
            self.process.wait(timeout=_STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)


class GateProcessDied(RuntimeError):
    """The gate process ended (killed, out of memory) before it answered."""


_gate_process: _Gate | None = None
_gate_lock = threading.Lock()


def start_gate_process() -> None:
    """Start the process that validates (idempotent; it lives as long as this process): a
    fork of the warm helper, or a fresh interpreter whose GX import begins at once, so a
    caller starts it as early as it knows gates will run."""
    global _gate_process
    with _gate_lock:
        if _gate_process is not None:
            return
        _gate_process = _warm_gate() or _GateProcess()
        atexit.register(stop_gate_process)


def stop_gate_process() -> None:
    """End the gate process without waiting for its import to finish."""
    global _gate_process
    with _gate_lock:
        gate, _gate_process = _gate_process, None
    if gate is not None:
        gate.stop()


def gate_process_pid() -> int | None:
    gate = _gate_process
    return gate.pid if gate is not None else None


def in_gate_process(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) in the gate process when one is started, else here. A gate process that
    died (killed, out of memory) is not started again: this process validates from then on."""
    gate = _gate_process
    if gate is None:
        return fn(*args)
    try:
        return gate.call(fn, *args)
    except GateProcessDied:
        stop_gate_process()
        return fn(*args)


# --- the warm helper ----------------------------------------------------------------------


def warm_dir() -> Path | None:
    """The folder of the helpers' sockets, only this user's (mode 0700): anyone who can
    connect to a helper can have it run code. None when it cannot be made so."""
    base = os.environ.get(WARM_DIR_ENV)
    folder = Path(base) if base else Path(tempfile.gettempdir()) / f"newsdesk-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        found = folder.lstat()
    except OSError:
        return None
    private = stat.S_ISDIR(found.st_mode) and not found.st_mode & 0o077
    return folder if private and found.st_uid == os.getuid() else None


def warm_folder(off_env: str) -> Path | None:
    """warm_dir, for a caller that would use a helper: None when the variable `off_env` is
    "0", when the system cannot pass descriptors over a socket (SCM_RIGHTS), or when there
    is no private folder."""
    if os.environ.get(off_env, "1") == "0" or not hasattr(socket, "send_fds"):
        return None
    return warm_dir()


def warm_key(packages: tuple[str, ...] = _GATE_CODE, extra: tuple[str, ...] = ()) -> str:
    """What a helper must share with a run to fork its gate processes: the interpreter, its
    installed packages (the modification times of its site-packages folders, which a venv
    sync changes) and the size and modification time of every file of the project's gate
    code (`packages`: its modules, and the data they read as they are imported, such as the
    lexicons and model weights of tasks/; `extra`: whatever else the helper depends on).
    ~1 ms: a stat per file, no read."""
    parts: list[str] = [sys.executable, sys.version, str(_PROJECT), *extra]
    for folder in sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}):
        with contextlib.suppress(OSError):
            parts.append(f"{folder}:{os.stat(folder).st_mtime_ns}")
    for package in packages:
        for root, dirs, files in os.walk(_PROJECT / package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                found = os.stat(os.path.join(root, name))
                parts.append(f"{root}/{name}:{found.st_size}:{found.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def warm_helper_pid() -> int | None:
    """The pid of the helper this process's runs would use, if one is up (for the benches)."""
    folder = warm_dir()
    if folder is None:
        return None
    _, lock = warm_paths(folder, warm_key())
    try:
        pid = int(lock.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if pid and os.path.exists(f"/proc/{pid}") else None


def warm_paths(folder: Path, key: str) -> tuple[Path, Path]:
    """The helper's socket and its lock file (its pid, then "ready" once GX is imported)."""
    return folder / f"gates-{key}.sock", folder / f"gates-{key}.lock"


def _warm_gate() -> _Gate | None:
    """A gate process forked by the warm helper, starting the helper if none answers; None
    when off or when that fails (the caller starts a gate process of its own)."""
    folder = warm_folder(WARM_ENV)
    if folder is None:
        return None
    path, lock = warm_paths(folder, warm_key())
    try:
        helper = connect_unix(path)
        # A helper that says it is ready forks at once: one that does not answer within
        # _WARM_REPLY_S is stuck (stopped, swapped out), and the run goes without it.
        ready = helper is not None and _reads_ready(lock)
        if helper is None:
            subprocess.Popen(
                [sys.executable, "-c", _WARM, json.dumps(_absolute(sys.path)), str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # it outlives this run
            )
            deadline = time.monotonic() + _WARM_START_S
            while helper is None and time.monotonic() < deadline:
                time.sleep(0.005)
                helper = connect_unix(path)
        if helper is None:
            return None
        conn, child = multiprocessing.Pipe()
        try:
            socket.send_fds(helper, [b"fork"], [child.fileno()])
        except OSError:
            helper.close()
            conn.close()
            return None
        finally:
            child.close()
        gate = _ForkedGate(conn, helper)
        if ready:
            helper.settimeout(_WARM_REPLY_S)
            if not gate.pid:
                gate.stop()
                return None
        # A helper still importing GX answers once it is done: the run goes on meanwhile (its
        # first call waits, as for a gate process of its own).
        return gate
    except OSError:
        return None


def _reads_ready(lock: Path) -> bool:
    try:
        return lock.read_text().split()[1:] == ["ready"]
    except OSError:
        return False


def _absolute(paths: list[str]) -> list[str]:
    # The helper leaves this run's folder (a test's, removed later): '' is that folder.
    return [os.path.abspath(p) for p in paths]


def connect_unix(path: Path) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
    except OSError:
        sock.close()
        return None
    return sock


def listen_unix(path: Path, backlog: int) -> socket.socket:
    """A socket that listens at `path`, and is found there only once it listens: bound
    under a name of its own, then renamed over `path` (over a killed helper's socket too).
    A run that finds the name can connect: one that came between a bind and a listen would
    be refused, and go without the helper."""
    staging = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        staging.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(staging))
    listener.listen(backlog)
    os.replace(staging, path)
    return listener


def accept_until_idle(
    listener: socket.socket,
    path: Path,
    own: int,
    *,
    wake_s: float = 30.0,
    on_wake: Callable[[], object] | None = None,
) -> Iterator[socket.socket]:
    """A helper's connections, as they come, until WARM_IDLE_S (NEWSDESK_WARM_IDLE_S) pass
    without one, or the socket's name at `path` is no longer its own (`own`, its inode):
    gone, or another helper's, and no run finds this one any more. Only this user's: one
    from another (its uid as the system tells it, SO_PEERCRED) is closed unread, besides
    the folder's mode that keeps others out (anyone who can connect can have code run).
    `on_wake` is called each time `wake_s` pass without a connection."""
    me = os.getuid()
    idle_s = float(os.environ.get(WARM_IDLE_ENV, WARM_IDLE_S))
    # woken now and then to see the name is still its own, also when no run comes
    listener.settimeout(min(idle_s, wake_s))
    last = time.monotonic()
    while time.monotonic() - last < idle_s:
        try:
            if path.stat().st_ino != own:
                return  # the socket's name is another helper's now
        except OSError:
            return
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            if on_wake is not None:
                on_wake()
            continue
        if (peer_credentials(conn) or (0, -1, 0))[1] != me:
            conn.close()  # (no run of this user's: the helper is as idle as it was)
            continue
        last = time.monotonic()
        yield conn


_PEER = struct.Struct("3i")  # the system's struct ucred: pid, uid, gid


def peer_credentials(conn: socket.socket) -> tuple[int, int, int] | None:
    """The pid, user and group of the process that connected (as they were then)."""
    try:
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEER.size)
    except OSError:
        return None
    return _PEER.unpack(creds)


class _ForkedGate(_Gate):
    """A gate process the helper forked (or will fork, once its GX import is done). Not
    this process's child: it ends when hung up on, as a run's own gate process does (a run
    killed with -9 hangs up too), and there is nothing to wait for. Its pid comes back on
    the helper's socket, read when asked for."""

    def __init__(self, conn: Connection, helper: socket.socket) -> None:
        super().__init__(conn)
        self._helper = helper
        self._pid: int | None = None

    @property
    def pid(self) -> int:
        if self._pid is None:
            try:
                with self._helper:
                    reply = self._helper.recv(32)
            except OSError:  # timed out
                reply = b""
            self._pid = int(reply) if reply.isdigit() else 0
        return self._pid

    def stop(self) -> None:
        self.conn.close()
        self._helper.close()


def serve_warm(path_text: str) -> None:
    """The warm helper (`python -c`, started by a run): take the lock (one helper per
    socket), listen, import GX and build its context, then fork a gate process for each run
    that sends a socket end, until WARM_IDLE_S pass without one or another helper took the
    socket's name."""
    path = Path(path_text)
    lock_path = path.with_suffix(".lock")
    lock = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os._exit(0)  # another helper has it
    os.ftruncate(lock, 0)
    os.write(lock, str(os.getpid()).encode())
    listener = listen_unix(path, 64)
    own = path.stat().st_ino

    def end(*_: object) -> None:
        with contextlib.suppress(OSError):
            if path.stat().st_ino == own:
                path.unlink()
        os._exit(0)

    signal.signal(signal.SIGTERM, end)  # ended (a bench, the user): no socket left behind
    os.chdir("/")  # it outlives the run and must not hold its folder
    from expectations.runner import serve_on, warm_up_for_forks
    from newsdesk.core.processes import name_process

    name_process(WARM_PROCESS_NAME)
    warm_up_for_forks()
    os.pwrite(lock, f"{os.getpid()} ready".encode(), 0)
    # Forked gate processes are reaped by the kernel: the helper never waits for them.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)

    for conn in accept_until_idle(listener, path, own):
        with conn:
            try:
                _, fds, _, _ = socket.recv_fds(conn, 16, 1)
            except OSError:
                continue
            if not fds:
                continue
            pid = os.fork()
            if pid == 0:
                listener.close()
                conn.close()
                os.close(lock)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                serve_on(fds[0])  # never returns
            os.close(fds[0])
            with contextlib.suppress(OSError):
                conn.sendall(str(pid).encode())
    end()
