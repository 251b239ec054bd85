"""A run killed with -9 in the middle of a crawl: what it had fetched is loaded (batches flush
after `flush_s`), its worker processes die with it, and it shows as `crashed` in
`newsdesk status`, then in `runs` and in Prefect once the next run starts. A real
`newsdesk run` process, a real HTTP server on 127.0.0.1 that stops answering, a real kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.flows.test_web_run import article
from tests.httpserver import Reply, Request, Site
from warehouse.read import query

HELD = 4  # the page the server never answers while the run is alive


@pytest.fixture
def stalling_site(sites: Callable[[], Site]) -> Iterator[int]:
    """A feed of HELD pages; the last one is answered only once the test ends."""
    site = sites()
    release = threading.Event()
    items = "".join(
        f"<item><link>{site.url(f'/news/{n}.html')}</link></item>" for n in range(1, HELD + 1)
    )
    feed = f"<rss version='2.0'><channel><title>W</title>{items}</channel></rss>".encode()
    site.add("/feed.xml", Reply(200, feed, {"Content-Type": "application/rss+xml"}))
    html = {"Content-Type": "text/html; charset=utf-8"}
    for n in range(1, HELD):
        site.add(f"/news/{n}.html", Reply(200, article(n), html))

    def held(_request: Request) -> Reply:
        release.wait(120)
        return Reply(200, article(HELD), html)

    site.add(f"/news/{HELD}.html", held)
    yield site.port
    release.set()


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> list[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's bookkeeping is left


def _describe(pids: list[int]) -> list[str]:
    out = []
    for pid in pids:
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            cmd = "?"
        out.append(f"{pid}: {cmd[:120]}")
    return out


def _wait_for(check, timeout_s: float, what: str):
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if value := check():
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_killed_run_keeps_its_pages_leaves_no_process_and_shows_as_crashed(
    prefect_api_url: str, stalling_site: int, tmp_path: Path, warehouse_path: Path
) -> None:
    registry = tmp_path / "sources.toml"
    registry.write_text(
        '[[source]]\nname = "Local Wire"\ndomains = ["127.0.0.1"]\ntimezone = "Europe/Madrid"\n'
    )
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_api_url,
        "NEWSDESK_DB": str(warehouse_path),
        "NEWSDESK_SOURCES": str(registry),
        "NEWSDESK_FETCH_ALLOW": "127.0.0.1:*",
        "NEWSDESK_FETCH_PER_HOST_DELAY_S": "0",
        "NEWSDESK_PIPELINE_WORKERS": "2",
        "NEWSDESK_PIPELINE_FLUSH_S": "2",
        "NEWSDESK_GATES_EXTRACT_THRESHOLD": "0.9",
    }
    newsdesk = str(Path(sys.executable).parent / "newsdesk")
    feed = f"http://127.0.0.1:{stalling_site}/feed.xml"
    proc = subprocess.Popen(
        [newsdesk, "run", "--feed", feed],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    left: list[int] = []
    try:
        # Three pages arrive, the fourth never does: the batch of three is loaded after
        # flush_s although it is far from full (batch_size 200).
        def loaded() -> int:
            if not warehouse_path.exists():
                return 0
            try:
                return int(query(warehouse_path, "SELECT count(*) AS n FROM articles")["n"][0])
            except Exception:  # the run is creating its schema
                return 0

        assert _wait_for(loaded, 150, "the first batch to be loaded") == 3
        workers = _wait_for(lambda: _descendants(proc.pid), 30, "the worker processes")
        # the gate process (a batch of three is cleaned in the run's own process:
        # flows.pipeline.SMALL_BATCH); a larger batch adds the pool's workers and the
        # resource tracker of their spawn
        assert len(workers) >= 1

        os.kill(proc.pid, signal.SIGKILL)
        killed = time.monotonic()
        proc.wait(10)
        # The workers get SIGKILL from the kernel when their parent dies; the resource
        # tracker ends once they have closed its pipe. Exiting a 200 MB process takes a while
        # on a loaded machine, hence the generous wait; without the fix they stay forever.
        while (left := [p for p in workers if _alive(p)]) and time.monotonic() - killed < 90:
            time.sleep(0.3)
        assert not left, f"processes outlived the killed run: {_describe(left)}"
        took = time.monotonic() - killed
        print(f"all {len(workers)} child processes gone {took:.1f} s after kill -9")

        runs = query(warehouse_path, "SELECT run_id, status, flow_run_id FROM runs")
        assert runs["status"].to_list() == ["started"]  # what the dead process left
        status = subprocess.run(
            [newsdesk, "status", "--json"], env=env, capture_output=True, text=True, timeout=120
        )
        assert status.returncode == 0, status.stderr
        shown = json.loads(status.stdout)["runs"]
        assert [r["status"] for r in shown] == ["crashed"]

        from flows.pipeline import newsdesk_run

        newsdesk_run(
            paths=[], settings_overrides={"db": str(warehouse_path), "sources": str(registry)}
        )
        dead = query(
            warehouse_path, "SELECT status, error FROM runs WHERE run_id = ?", [runs["run_id"][0]]
        )
        assert dead["status"][0] == "crashed" and "died" in dead["error"][0]

        from uuid import UUID

        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            flow_run = client.read_flow_run(UUID(runs["flow_run_id"][0]))
        assert flow_run.state is not None and flow_run.state.type.value == "CRASHED"
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in left:  # only what this test started, by pid
            if isinstance(pid, int) and _alive(pid):
                os.kill(pid, signal.SIGKILL)
