"""A run's first batches of at most SMALL_BATCH documents are cleaned in the run's own
process: a pool (its workers import the stages) is started only for a larger batch."""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flows.pipeline import SMALL_BATCH, LazyMapper


class Recorder:
    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log

    def map(self, fn: Any, rows: Any) -> list[Any]:
        self.log.append(self.name)
        return [fn(row) for row in rows]


def test_small_batches_run_here_until_a_larger_one_opens_the_pool() -> None:
    log: list[str] = []
    opened: list[int] = []

    @contextmanager
    def pool() -> Any:
        opened.append(1)
        yield Recorder("pool", log)

    with LazyMapper(pool, local=lambda: Recorder("here", log)) as mapper:
        mapper.for_batch(3)
        assert mapper.map(lambda r: r + 1, [1, 2]) == [2, 3]
        mapper.for_batch(SMALL_BATCH)
        mapper.map(lambda r: r, [1])
        assert not opened and log == ["here", "here"]
        mapper.for_batch(SMALL_BATCH + 1)
        mapper.map(lambda r: r, [1])
        mapper.for_batch(2)  # once a pool is open, every batch goes there
        mapper.map(lambda r: r, [1])
    assert opened == [1] and log == ["here", "here", "pool", "pool"]

    with LazyMapper(pool) as remote:  # no local mapper (a Dask cluster): always the pool
        remote.for_batch(1)
        remote.map(lambda r: r, [1])
    assert opened == [1, 1] and log[-1] == "pool"


STAGES = {"ingest", "gate", "clean", "extract", "load"}  # what the UI shows for every run


def _task_names(flow_run_id: Any, wanted: set[str]) -> set[str]:
    """The task names of a flow run's task runs, once `wanted` are among them (the server
    records task runs from events, a moment after they end)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    only = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    deadline = time.monotonic() + 60
    with get_client(sync_client=True) as client:
        while True:
            names = {t.name.split("-")[0] for t in client.read_task_runs(flow_run_filter=only)}
            if wanted <= names or time.monotonic() > deadline:
                return names
            time.sleep(0.5)


def test_a_run_counted_small_keeps_its_stages_as_task_runs_and_no_bookkeeping(
    prefect_api_url: str, seed_dir: Path, tmp_path: Path
) -> None:
    from flows.pipeline import newsdesk_run

    found: dict[int | None, tuple[dict[str, Any], set[str]]] = {}
    for documents in (2, None):  # counted by the command line, or not
        state = newsdesk_run(
            paths=[str(seed_dir)],
            settings_overrides={"db": str(tmp_path / f"w{documents}.duckdb"), "workers": 1},
            documents=documents,
            return_state=True,
        )
        wanted = STAGES if documents else STAGES | {"start", "finish", "publish"}
        found[documents] = (state.result(), _task_names(state.state_details.flow_run_id, wanted))
    (small, small_tasks), (counted_not, tasks) = found[2], found[None]
    assert small_tasks == STAGES  # gate-ingest … gate-load are "gate"
    assert {"start", "known", "stories", "search", "finish", "publish"} <= tasks
    # the same run either way
    keys = ("ingested", "loaded", "updated", "duplicates", "quarantined", "quarantine_reasons")
    assert [small[k] for k in keys] == [counted_not[k] for k in keys]


def test_a_small_runs_flow_run_sends_no_heartbeats() -> None:
    # Prefect's engine reads the setting when the flow run starts, in the caller's context.
    from prefect.settings import get_current_settings

    from flows.small_runs import without_heartbeats

    default = get_current_settings()
    assert default.flows.heartbeat_frequency is not None
    with without_heartbeats(2):
        assert get_current_settings().flows.heartbeat_frequency is None
        assert get_current_settings().api == default.api  # the rest as it was
    assert get_current_settings().flows == default.flows
    with without_heartbeats(SMALL_BATCH + 1), without_heartbeats(None):
        assert get_current_settings().flows == default.flows
