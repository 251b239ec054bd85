"""What a flow run is called: its run id and what it ran ("files: samples/ (7)", "web: 3
sources", "replay"), in the Prefect UI, the runs table and the run lock alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from newsdesk.core.contracts.run import new_run_id, run_id_at


def current_run_id() -> str:
    """The id of the current flow run's newsdesk run, the same wherever it is asked for (the
    flow-run name and the flow body): the run's expected start and the flow run's own id."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    flow_run = context.flow_run if context else None
    if flow_run is None:
        return new_run_id()
    started = flow_run.expected_start_time or flow_run.created
    return run_id_at(started, flow_run.id.hex) if started else new_run_id()


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _shown(path: str) -> str:
    p = Path(path)
    return f"{p.name}/" if p.is_dir() else p.name


def describe_inputs(
    paths: Sequence[str] = (),
    web: Mapping[str, Any] | None = None,
    replay: bool = False,
    documents: int | None = None,
    *,
    reprocess: Mapping[str, Any] | None = None,
) -> str:
    """What a run reads, in a few words."""
    parts = []
    if reprocess is not None:
        picked = [f"{key} {reprocess[key]}" for key in ("source", "since") if reprocess.get(key)]
        parts.append("reprocess" + (f": {', '.join(picked)}" if picked else ""))
    if replay:
        parts.append("replay")
    if paths:
        shown = ", ".join(_shown(p) for p in paths[:2])
        more = f" +{len(paths) - 2} more" if len(paths) > 2 else ""
        counted = f" ({documents})" if documents is not None else ""
        parts.append(f"files: {shown}{more}{counted}")
    web = web or {}
    fetched = []
    if web.get("all_sources"):
        fetched.append("all sources")
    for key, what in (
        ("sources", "source"),
        ("feeds", "feed"),
        ("sitemaps", "sitemap"),
        ("url_lists", "URL list"),
        ("urls", "page"),
    ):
        if web.get(key):
            fetched.append(_count(len(web[key]), what))
    if fetched:
        parts.append("web: " + ", ".join(fetched))
    return "; ".join(parts) or "nothing"


def run_name() -> str:
    """flow_run_name of newsdesk-run: `<run id> <what ran>`."""
    from prefect.runtime import flow_run

    params = flow_run.parameters
    what = params.get("label") or describe_inputs(
        params.get("paths") or (),
        params.get("web"),
        bool(params.get("replay")),
        reprocess=params.get("reprocess"),
    )
    return f"{current_run_id()} {what}"


def maintenance_name() -> str:
    from prefect.runtime import flow_run

    return f"{current_run_id()} maintenance ({flow_run.parameters.get('label') or 'nightly'})"
