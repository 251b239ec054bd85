"""The `newsdesk` command."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from newsdesk.cli import ops as cli_ops
from newsdesk.core.config import Settings, SettingsError, load_settings
from newsdesk.core.hygiene import strip_credentials
from newsdesk.core.processes import (
    exit_without_collecting,
    imports_deferring,
    imports_without_gc,
)
from newsdesk.core.registry import Registry, RegistryError, host_of, load_registry

app = typer.Typer(
    name="newsdesk",
    help="Turn raw news pages into a clean, gated, queryable DuckDB warehouse.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Context:
    def __init__(self, db: Path | None, sources: Path | None) -> None:
        self.overrides = {"db": db, "sources": sources}

    def settings(self, **extra: Any) -> Settings:
        settings = load_settings(overrides={**self.overrides, **extra})
        self.limit_memory(settings)
        return settings

    @staticmethod
    def limit_memory(settings: Settings) -> None:
        # Here, not at the top: DuckDB loads only for the commands that read settings.
        from warehouse.connection import set_memory_limit

        set_memory_limit(settings.warehouse.memory_limit)

    def registry(self, settings: Settings) -> Registry:
        return load_registry(settings.sources)


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"newsdesk: {message}", err=True)
    return typer.Exit(code)


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="Warehouse file (env NEWSDESK_DB; default .newsdesk/warehouse.duckdb).",
            show_default=False,
        ),
    ] = None,
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            help="Sources registry (env NEWSDESK_SOURCES; default sources.toml).",
            show_default=False,
        ),
    ] = None,
) -> None:
    ctx.obj = Context(db, sources)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class RecordFormat(StrEnum):
    json = "json"
    jsonl = "jsonl"


def _print_frame(frame: Any, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.csv:
        sys.stdout.write(frame.write_csv())
    elif fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(frame.to_dicts(), default=str, ensure_ascii=False, indent=1))
        sys.stdout.write("\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(show_lines=False)
        for name in frame.columns:
            table.add_column(name, overflow="fold")
        for row in frame.iter_rows():
            table.add_row(*("" if v is None else str(v) for v in row))
        Console(width=max(120, Console().width)).print(table)
        typer.echo(f"({frame.height} row{'s' if frame.height != 1 else ''})")


def _run_flow(
    ctx: Context, settings: Settings, total: int | None, *, as_json: bool, **params: Any
) -> dict[str, Any]:
    from expectations.gate_process import start_gate_process
    from newsdesk.core.memory import limit_arenas

    limit_arenas()  # before Prefect's threads take arenas of their own (newsdesk/core/memory.py)
    # GX's import (~3 s of CPU) goes on in a process of its own while Prefect starts here.
    start_gate_process()
    from newsdesk.cli.prefect_server import PREFECT_DEFERRED, connect

    api_url = connect(settings)
    # Prefect, Polars, DuckDB and the stages: 0.3 s less CPU without the collector, and
    # less without the part of Prefect's import that a run does not use
    with imports_without_gc(), imports_deferring(PREFECT_DEFERRED):
        from flows.pipeline import newsdesk_run
        from flows.progress import run_started, terminal_progress

    from flows.small_runs import without_heartbeats

    overrides = {k: str(v) for k, v in ctx.overrides.items() if v is not None}
    with _told_if_stopped(run_started), terminal_progress(total), without_heartbeats(total):
        state = newsdesk_run(
            settings_overrides=overrides, documents=total, return_state=True, **params
        )
    result = state.result(raise_on_failure=False)
    if api_url:
        typer.echo(f"Prefect UI: {api_url.removesuffix('/api')}/runs", err=True)
    if isinstance(result, BaseException):
        from flows.summary import attached_summary

        # What the failed run did (loaded, quarantined, why) first, as for a run that
        # loaded: a scheduler reading --json gets its summary with "status": "failed".
        summary = attached_summary(result)
        if summary is not None:
            _finish(summary, as_json)
        raise fail(f"run failed: {result}")
    return result


@contextmanager
def _told_if_stopped(run_started: Callable[[], str | None]) -> Iterator[None]:
    """A run stopped by Ctrl-C or SIGTERM ended without a word (exit 130, or by the signal),
    in the command and in a fork of the warm runner alike (found verifying an acceptance
    pass). The flow records it aborted as it unwinds (once it has recorded it at all:
    `run_started`); then stderr says so in one line, and the command still ends as that
    signal ends it (130; killed by SIGTERM). Prefect's own SIGTERM handler ends the flow,
    then sends the signal again to the handler it found: this one, which tells and ends
    the process."""

    def tell(how: str) -> None:
        if run_id := run_started():
            typer.echo(
                f"newsdesk: run {run_id} interrupted ({how}): recorded as aborted (newsdesk "
                "status); what its finished batches loaded stays in the warehouse",
                err=True,
            )
        else:
            typer.echo(
                f"newsdesk: run interrupted ({how}) before it started writing the warehouse: "
                "nothing of it was recorded or loaded",
                err=True,
            )

    def terminated(signum: int, frame: object) -> None:
        tell("SIGTERM")
        signal.signal(signum, signal.SIG_DFL)
        signal.raise_signal(signum)

    previous = signal.getsignal(signal.SIGTERM)
    if previous is signal.SIG_DFL:  # not one ignored (nohup) or handled by a caller
        signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    except KeyboardInterrupt:
        tell("Ctrl-C")
        raise
    finally:
        if previous is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, previous)


# `newsdesk run` / `replay` exit with this when the run was skipped (another run held the
# warehouse for longer than run_lock_timeout_s): nothing was loaded, and a script must know.
SKIPPED_EXIT = 3


def _print_summary(summary: dict[str, Any]) -> None:
    typer.echo(f"run {summary['run_id']}: {summary['status']}")
    typer.echo(f"  documents ingested  {summary['ingested']}")
    typer.echo(f"  articles loaded     {summary['loaded']} new, {summary['updated']} updated")
    typer.echo(
        f"  duplicates          {summary['duplicates']} "
        "(seen before, or the same text at another URL)"
    )
    if summary.get("unchanged_files"):
        typer.echo(
            f"    of which {summary['unchanged_files']} files not read again "
            "(size and mtime unchanged; --rescan reads them)"
        )
    typer.echo(f"  quarantined         {summary['quarantined']}")
    for row in summary["quarantine_reasons"]:
        typer.echo(f"    {row['stage']:<8} {row['reason']:<22} {row['documents']}")
    typer.echo(f"warehouse: {summary['db']}")
    typer.echo(
        'next: newsdesk sql "SELECT source_id, title, published_at FROM articles '
        'ORDER BY published_at DESC LIMIT 10"'
    )
    if summary["quarantined"]:
        typer.echo("      newsdesk quarantine   (what was held back, and why)")


def _finish(summary: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(summary, indent=1))
    elif summary["status"] != "skipped":
        _print_summary(summary)
    if summary["status"] == "skipped":
        reason = summary.get("error") or "another run held the warehouse"
        raise fail(f"run {summary['run_id']} {reason}", SKIPPED_EXIT)


@app.command()
def run(
    ctx: typer.Context,
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PATH_OR_URL]...",
            help="Files and folders (recursive) of HTML pages, text dumps, JSON Lines exports and "
            "WARC files; and page URLs (http/https).",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            metavar="NAME",
            help="Fetch this registry source's feeds and sitemaps (repeatable).",
        ),
    ] = None,
    all_sources: Annotated[
        bool,
        typer.Option("--all-sources", help="Fetch every registry source's feeds and sitemaps."),
    ] = False,
    feed: Annotated[
        list[str] | None, typer.Option(metavar="URL", help="An RSS/Atom feed URL (repeatable).")
    ] = None,
    sitemap: Annotated[
        list[str] | None, typer.Option(metavar="URL", help="A sitemap URL (repeatable).")
    ] = None,
    url_list: Annotated[
        list[Path] | None,
        typer.Option(metavar="FILE", help="A file of page URLs, one per line (repeatable)."),
    ] = None,
    deployment: Annotated[
        str | None,
        typer.Option(
            metavar="FLOW/NAME",
            help="Start a run of this deployment (e.g. newsdesk-run/ingest) on the server "
            "`newsdesk serve` works for, instead of running here.",
        ),
    ] = None,
    batch_size: Annotated[int | None, typer.Option(min=1, help="Documents per batch.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=0, help="Worker processes for clean/extract (0 = one per core)."),
    ] = None,
    follow_links: Annotated[
        bool,
        typer.Option(
            "--follow-links",
            help="Follow symlinks that lead out of the folders given (refused by default: "
            "outside_root).",
        ),
    ] = False,
    rescan: Annotated[
        bool,
        typer.Option(
            "--rescan",
            help="Read every local file again, also those whose size and modification time "
            "are unchanged since a run read them (after editing a file without changing its "
            "mtime).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Run the pipeline and load the result into the warehouse.

    Inputs are files, folders and web addresses. Web fetches obey robots.txt and refuse
    private addresses (see [fetch] in the settings)."""
    # Light (no Polars, no DuckDB): what comes before the gate process starts must be.
    from tasks.ingest.web_inputs import WebInputs, plan, split_paths_and_urls

    obj: Context = ctx.obj
    paths, urls = split_paths_and_urls(inputs or [])
    for path in [*paths, *(url_list or [])]:
        if not Path(path).exists():
            raise fail(f"no such file or folder: {path}")
    # Prefect stores a run's parameters: URLs go in without credentials ("user:secret@").
    web = WebInputs(
        sources=tuple(source or ()),
        all_sources=all_sources,
        urls=tuple(map(strip_credentials, urls)),
        feeds=tuple(map(strip_credentials, feed or ())),
        sitemaps=tuple(map(strip_credentials, sitemap or ())),
        url_lists=tuple(str(p.resolve()) for p in url_list or ()),
    )
    if not paths and not web and not deployment:
        raise fail(
            "nothing to run: give files or folders, URLs, --source NAME, "
            "--all-sources, --feed, --sitemap or --url-list"
        )
    obj.overrides.update(
        {"batch_size": batch_size, "workers": workers, "follow_links": follow_links or None}
    )
    settings = load_settings(overrides=obj.overrides)
    registry = obj.registry(settings)
    params: dict[str, Any] = {
        "paths": [str(Path(p).resolve()) for p in paths],
        "web": web.as_dict() or None,
    }
    request = {
        "overrides": obj.overrides,
        "params": params,
        "given": paths,  # as typed: the run's name shows them so
        "rescan": rescan,
        "json": as_json,
    }
    surely = not deployment and not web and (rescan or not settings.db.exists())
    if surely:
        # The pipeline runs on files: in a fork of the warm runner, or here, GX's import
        # starting now on the other core, before this process imports DuckDB, Polars and
        # Prefect (the first gate then finds it ready). After every check that can fail
        # fast: a process still importing is not hung up on.
        _run_elsewhere_or_start_gates(settings, request)
    plan(web, registry)  # an unknown --source name fails here, before anything starts
    _say_sources_without_feeds(web, registry)
    check = bool(paths and not web)  # a rerun on files: are they unchanged (also in the fork)
    if not surely and not deployment:
        _run_elsewhere_or_start_gates(settings, {**request, "if_unchanged": check}, gates=False)
    obj.limit_memory(settings)
    if deployment:
        _trigger(obj, settings, deployment, params)
        return
    if not surely:
        if check and (recorded := _if_unchanged(settings, registry, params)):
            _finish(recorded, as_json)
            return
        from expectations.gate_process import start_gate_process

        start_gate_process()
    _pipeline(obj, settings, params, paths, rescan=rescan, as_json=as_json)


def _say_sources_without_feeds(web: Any, registry: Registry) -> None:
    """`--source Salon` on a source with no feeds or sitemaps fetched nothing and loaded 0
    without a word (so did `--all-sources` on the shipped registry): the run goes on (other
    inputs may be given), and stderr says why it fetches nothing there."""
    fix = "add feeds = [...] or sitemaps = [...] to a source's entry"
    for name in web.sources:
        source = registry.get(name)
        if source is not None and not source.feeds and not source.sitemaps:
            typer.echo(
                f"newsdesk: {source.name} has no feeds or sitemaps in {registry.path}: "
                f"nothing to fetch for it ({fix})",
                err=True,
            )
    if web.all_sources and not any(s.feeds or s.sitemaps for s in registry.sources):
        typer.echo(
            f"newsdesk: no source in {registry.path} has feeds or sitemaps: --all-sources "
            f"fetches nothing ({fix})",
            err=True,
        )


def _run_elsewhere_or_start_gates(
    settings: Settings, request: dict[str, Any], *, gates: bool = True
) -> None:
    """The run in a fork of the warm runner (newsdesk/cli/warm_run.py), which has made the
    imports this process would make (~2 s of CPU); when none takes it, this process runs it,
    its gate process started now (with `gates`)."""
    from newsdesk.cli.prefect_server import connect
    from newsdesk.cli.warm_run import hand_off

    connect(settings)  # Prefect's environment, which the runner must share
    code = hand_off({**request, "overrides": _plain(request["overrides"])})
    if code is not None:
        raise typer.Exit(code)
    if gates:
        from expectations.gate_process import start_gate_process

        start_gate_process()


def _plain(overrides: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in overrides.items()}


def _pipeline(
    obj: Context,
    settings: Settings,
    params: dict[str, Any],
    given: list[str],
    *,
    rescan: bool,
    as_json: bool,
) -> None:
    """What `newsdesk run` runs once it knows the pipeline must: here, or in a fork of the
    warm runner (run_handed)."""
    total = None if params["web"] else _count(given, settings.read_timeout_s)
    if total == 0:
        # Not an error (a drop folder a schedule reads may be empty), but a mistyped folder
        # must not pass for a run that found nothing new.
        typer.echo(
            f"newsdesk: no files under {', '.join(given)}: nothing to read (pages, text "
            "dumps, .jsonl and .warc files are read, also in sub-folders)",
            err=True,
        )
    from flows.naming import describe_inputs
    from flows.small_runs import prepare

    prepare(total)
    label = describe_inputs(given, params["web"], documents=total)
    _finish(
        _run_flow(obj, settings, total, as_json=as_json, label=label, rescan=rescan, **params),
        as_json,
    )


def run_handed(request: dict[str, Any]) -> int:
    """`newsdesk run`'s pipeline in a fork of the warm runner, in the command's folder and
    environment, with its standard streams: its exit code, failures told as the command
    tells them (entry; KeyboardInterrupt as typer does)."""
    overrides = dict(request["overrides"])
    for name in ("db", "sources"):
        if overrides.get(name) is not None:
            overrides[name] = Path(overrides[name])
    obj = Context(None, None)
    obj.overrides = overrides
    try:
        settings = obj.settings()
        params = request["params"]
        if request.get("if_unchanged") and (
            recorded := _if_unchanged(settings, obj.registry(settings), params)
        ):
            _finish(recorded, request["json"])
            return 0
        from expectations.gate_process import start_gate_process

        start_gate_process()
        _pipeline(
            obj,
            settings,
            request["params"],
            request["given"],
            rescan=request["rescan"],
            as_json=request["json"],
        )
    except typer.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if not isinstance(exc, _expected_errors()):
            import traceback

            traceback.print_exc()
            return 1
        typer.echo(f"newsdesk: {exc}", err=True)
        return 2
    return 0


def _if_unchanged(
    settings: Settings, registry: Registry, params: dict[str, Any]
) -> dict[str, Any] | None:
    """A rerun whose files are all unchanged, recorded without running the pipeline
    (flows/unchanged.py); None when the pipeline must run."""
    from newsdesk.cli.prefect_server import connect

    api_url = connect(settings)
    if api_url is None:  # ephemeral Prefect: the flow records the run
        return None
    from flows.unchanged import record_unchanged_run

    recorded = record_unchanged_run(params["paths"], settings, registry, api_url=api_url)
    if recorded is not None:
        typer.echo(f"Prefect UI: {api_url.removesuffix('/api')}/runs", err=True)
    return recorded


def _count(paths: list[str], timeout_s: float) -> int | None:
    from flows.progress import count_documents

    return count_documents((Path(p) for p in paths), timeout_s=timeout_s)


def _trigger(obj: Context, settings: Settings, name: str, params: dict[str, Any]) -> None:
    from newsdesk.cli.prefect_server import connect

    if connect(settings) is None:
        raise fail('--deployment needs a Prefect server: set [prefect] mode = "auto"')
    from flows.deployments import trigger

    overrides = {k: str(v) for k, v in obj.overrides.items() if v is not None}
    # Only what was given: an empty `paths` or a None `web` replaced the deployment's own
    # (`run --deployment newsdesk-run/ingest` ran on nothing), and a None settings_overrides
    # the warehouse `serve --db` named (found triggering the ingest of a served folder).
    given = {k: v for k, v in params.items() if v}
    if overrides:
        given["settings_overrides"] = overrides
    flow_run = trigger(name, given, wait_s=0)
    typer.echo(
        f"started {flow_run.name} ({flow_run.id}) of deployment {name}; `newsdesk serve` runs it"
    )


@app.command()
def replay(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Re-run the quarantined documents from their stored bytes.

    For example after adding their source to the registry."""
    obj: Context = ctx.obj
    settings = obj.settings()
    obj.registry(settings)
    if not settings.db.exists():
        raise fail(
            f"no warehouse at {settings.db} yet (nothing is quarantined): "
            "run `newsdesk run PATH` first"
        )
    _finish(_run_flow(obj, settings, None, as_json=as_json, replay=True), as_json)


@app.command()
def reprocess(
    ctx: typer.Context,
    source: Annotated[
        str | None, typer.Option(metavar="NAME", help="Only the pages of this registry source.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Only pages first ingested on or after this date (YYYY-MM-DD or ISO time).",
        ),
    ] = None,
    batch_size: Annotated[int | None, typer.Option(min=1, help="Documents per batch.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=0, help="Worker processes for clean/extract (0 = one per core)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Clean and extract the stored pages again with the current code and registry.

    The pages of the loaded articles, then the quarantined ones, through the usual gates.
    An article whose extraction changed is updated (its old version stays in
    article_versions); a quarantined page that now passes is loaded."""
    from datetime import datetime

    obj: Context = ctx.obj
    obj.overrides.update({"batch_size": batch_size, "workers": workers})
    settings = obj.settings()
    registry = obj.registry(settings)
    if not settings.db.exists():
        raise fail(
            f"no warehouse at {settings.db} yet (nothing to reprocess): "
            "run `newsdesk run PATH` first"
        )
    found = registry.get(source) if source is not None else None
    if source is not None and found is None:
        raise fail(f"no source named {source!r} in {settings.sources}")
    if since is not None:
        try:
            datetime.fromisoformat(since)
        except ValueError:
            raise fail(f"--since wants a date (YYYY-MM-DD) or ISO time, not {since!r}") from None
    plan = {"source": found.name if found else None, "since": since}
    _finish(_run_flow(obj, settings, None, as_json=as_json, reprocess=plan), as_json)


@app.command()
def extract(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH...", help="Files and folders (recursive).")
    ],
    fmt: Annotated[
        RecordFormat,
        typer.Option("--format", help="json: one array; jsonl: a record per line, as it goes."),
    ] = RecordFormat.json,
    gates: Annotated[
        bool, typer.Option(help="Also report the gate failures each document would get.")
    ] = True,
    workers: Annotated[
        int | None, typer.Option(min=0, help="Worker processes (0 = one per core).")
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="Clean text dumps with the source templates this warehouse learned, as a run "
            "on it would (read only; also the global --db).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Extract articles without writing to the warehouse.

    Ingests, cleans and extracts, and prints one record per document: path, title,
    published, authors, source, section, tags, language, word_count, body, and the gate
    failures it would get."""
    from flows.extract_only import extract_paths

    obj: Context = ctx.obj
    for path in paths:
        if not path.exists():
            raise fail(f"no such file or folder: {path}")
    warehouse = db or obj.overrides["db"]
    if warehouse is not None and not Path(warehouse).exists():
        raise fail(f"no warehouse at {warehouse}")
    settings = obj.settings(workers=workers)
    templates = None
    if warehouse is not None:
        from flows.extract_only import warehouse_templates
        from warehouse.load import WarehouseOutdated

        try:
            templates = warehouse_templates(Path(warehouse), settings)
        except WarehouseOutdated as exc:
            raise fail(str(exc)) from None
    records = extract_paths(
        paths, settings, obj.registry(settings), gates=gates, templates=templates
    )
    if fmt is RecordFormat.jsonl:
        for item in records:
            sys.stdout.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
            sys.stdout.flush()
    else:
        sys.stdout.write(json.dumps(list(records), ensure_ascii=False, default=str, indent=1))
        sys.stdout.write("\n")


@app.command()
def sql(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="A read-only SQL query.")],
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
) -> None:
    """Query what analysts read: the copy of the warehouse published after the last run.

    Never waits for a load, and a load never waits for it; it shows whole runs."""
    from warehouse.read import analyst_query

    settings = ctx.obj.settings()
    if not settings.db.exists():
        raise fail(f"no warehouse at {settings.db} yet: run `newsdesk run PATH` first")
    _print_frame(
        analyst_query(settings.db, query, timeout_s=settings.read_lock_timeout_s, fts=True), fmt
    )


@app.command()
def raw(
    ctx: typer.Context,
    doc: Annotated[str, typer.Argument(help="A doc_id, or a prefix of it.")],
    out: Annotated[
        Path | None, typer.Option(help="Write the bytes to this file, not to stdout.")
    ] = None,
) -> None:
    """The stored bytes of one document, as they were read or fetched (from the raw store
    beside the warehouse; the tables keep only their hash)."""
    from warehouse.read import StoredPageError, stored_page

    settings = ctx.obj.settings()
    if not settings.db.exists():
        raise fail(f"no warehouse at {settings.db} yet: run `newsdesk run PATH` first")
    try:
        _, content = stored_page(settings.db, doc, timeout_s=settings.read_lock_timeout_s)
    except StoredPageError as exc:
        raise fail(str(exc)) from exc
    if out is not None:
        out.write_bytes(content)
    else:
        sys.stdout.buffer.write(content)


def _when(value: str | None, option: str) -> Any:
    if value is None:
        return None
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} {value!r}: use a date (2022-10-17) or a time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command()
def stories(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", help="Stories first seen on or after this date.")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Only stories this source took part in.")
    ] = None,
    min_articles: Annotated[
        int, typer.Option("--min-articles", min=1, help="Only stories told by this many articles.")
    ] = 1,
    limit: Annotated[int, typer.Option("--limit", min=0, help="At most this many stories.")] = 100,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
) -> None:
    """The stories, earliest first: articles that copy each other or tell the same event,
    with the outlets that carried them (the first outlet first)."""
    from warehouse.stories import list_stories

    settings = ctx.obj.settings()
    if not settings.db.exists():
        raise fail(f"no warehouse at {settings.db} yet: run `newsdesk run PATH` first")
    from warehouse.read import analyst_path

    frame = list_stories(
        analyst_path(settings.db),
        since=_when(since, "--since"),
        source=source,
        min_articles=min_articles,
        limit=limit,
        timeout_s=settings.read_lock_timeout_s,
    )
    if fmt is OutputFormat.table:  # the story's own page is `--format json`
        import polars as pl

        frame = frame.select(
            pl.col("first_seen").dt.strftime("%Y-%m-%d %H:%M").alias("first seen (UTC)"),
            pl.col("article_count").alias("articles"),
            pl.col("outlets").list.join(", "),
            "copies",
            "title",
            pl.col("story_id").str.slice(0, 12).alias("story"),
        )
    _print_frame(frame, fmt)


@app.command()
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Words to look for (BM25 ranking).")],
    since: Annotated[
        str | None, typer.Option("--since", help="Published on or after this date.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Published before this date.")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="At most this many articles.")] = 20,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
) -> None:
    """Full-text search over title, standfirst and body, best match first, with a snippet
    where the words are marked **like this**."""
    from warehouse.read import analyst_path
    from warehouse.search import SearchUnavailable, with_snippets
    from warehouse.search import search as run_search

    settings = ctx.obj.settings()
    if not settings.db.exists():
        raise fail(f"no warehouse at {settings.db} yet: run `newsdesk run PATH` first")
    source_db = analyst_path(settings.db)  # what `newsdesk sql` reads: the analysts' copy
    try:
        hits = run_search(
            source_db,
            text,
            since=_when(since, "--since"),
            until=_when(until, "--until"),
            source=source,
            limit=limit,
            timeout_s=settings.read_lock_timeout_s,
        )
        hits = with_snippets(source_db, hits, text, timeout_s=settings.read_lock_timeout_s)
    except SearchUnavailable as exc:
        raise fail(str(exc)) from None
    hits = hits.with_columns(hits["score"].round(3))
    if fmt is OutputFormat.table:
        import polars as pl

        hits = hits.select(
            "score",
            pl.col("published_at").dt.strftime("%Y-%m-%d").alias("published"),
            "source_id",
            "title",
            "snippet",
        )
    _print_frame(hits, fmt)


@app.command()
def quarantine(
    ctx: typer.Context,
    stage: Annotated[str | None, typer.Option(help="Only this stage.")] = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason.")] = None,
    doc: Annotated[
        str | None,
        typer.Option(
            help="Show one document in full (its doc_id or a prefix of it), with the body found."
        ),
    ] = None,
    resolved: Annotated[bool, typer.Option(help="Include rows that later loaded.")] = False,
    limit: Annotated[int, typer.Option(min=0, help="At most this many rows.")] = 50,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """What is quarantined, and why.

    By stage and reason, with the document, the observed value and what the pipeline had
    found in it."""
    import polars as pl

    from newsdesk.core.contracts.reasons import Reason
    from newsdesk.core.contracts.run import Stage
    from warehouse.read import quarantine_rows, quarantine_summary

    # A typo ("--stage extarct") listed nothing, as if nothing were held back there.
    if stage is not None and stage not in {s.value for s in Stage}:
        raise fail(f"no stage {stage!r}: one of {', '.join(s.value for s in Stage)}")
    if reason is not None and reason not in {r.value for r in Reason}:
        raise fail(f"no reason {reason!r}: one of {', '.join(sorted(r.value for r in Reason))}")
    settings = ctx.obj.settings()
    if not settings.db.exists():
        raise fail(f"no warehouse at {settings.db} yet: run `newsdesk run PATH` first")
    timeout = settings.read_lock_timeout_s
    rows = quarantine_rows(
        settings.db,
        stage=stage,
        reason=reason,
        include_resolved=resolved,
        doc=doc,
        limit=limit,
        timeout_s=timeout,
    )
    if fmt is not OutputFormat.table:
        _print_frame(rows, fmt)
        return
    if doc:
        if rows.is_empty():
            raise fail(f"no quarantined document with an id starting {doc!r}")
        first = rows.row(0, named=True)
        for key in ("doc_id", "uri", "found_title", "found_date", "found_site_name", "found_words"):
            typer.echo(f"{key:<16} {first[key]}")
        for row in rows.iter_rows(named=True):
            typer.echo(
                f"failed           {row['stage']} / {row['reason']}: {row['expectation']}"
                f" observed={row['observed']!r} ({row['status']})"
            )
        typer.echo(f"\n{first['found_body'] or '(no body found)'}")
        return
    _print_frame(
        quarantine_summary(settings.db, timeout_s=timeout).select("stage", "reason", "documents"),
        fmt,
    )
    _print_frame(
        rows.select(
            pl.col("doc_id").str.slice(0, 12),
            "stage",
            "reason",
            pl.col("observed").fill_null("(missing)"),
            pl.col("uri").str.replace("^file://", "").alias("document"),
            pl.col("found_title").str.slice(0, 60).alias("title found"),
            "times_seen",
        ),
        fmt,
    )
    typer.echo(
        "one document in full: newsdesk quarantine --doc DOC_ID; run them again: newsdesk replay"
    )


sources_app = typer.Typer(
    help="The sources registry: the publishers newsdesk knows.", rich_markup_mode=None
)
app.add_typer(sources_app, name="sources")


@sources_app.callback(invoke_without_command=True)
def sources(
    ctx: typer.Context,
    proposed: Annotated[
        bool,
        typer.Option(
            "--proposed", help="List unknown publishers seen in quarantined pages instead."
        ),
    ] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """The sources registry: the publishers newsdesk knows.

    With --proposed: the domains of pages quarantined as unknown_source, as entries to add
    with `newsdesk sources add DOMAIN`."""
    if ctx.invoked_subcommand is not None:
        return
    import polars as pl

    settings = ctx.obj.settings()
    if proposed:
        from warehouse.read import proposed_sources

        if not settings.db.exists():
            raise fail(f"no warehouse at {settings.db} yet: run `newsdesk run PATH` first")
        _print_frame(proposed_sources(settings.db, timeout_s=settings.read_lock_timeout_s), fmt)
        if fmt is OutputFormat.table:
            typer.echo(
                "accept one: newsdesk sources add DOMAIN [--name NAME] [--timezone TZ];"
                " then: newsdesk replay"
            )
        return
    registry = ctx.obj.registry(settings)
    frame = pl.DataFrame(
        [
            {
                "name": s.name,
                "aliases": ", ".join(s.aliases),
                "domains": ", ".join(s.domains),
                "timezone": s.timezone,
                "language": s.language or "",
                "feeds": len(s.feeds),
                "sitemaps": len(s.sitemaps),
            }
            for s in registry.sources
        ],
        schema={
            "name": pl.String,
            "aliases": pl.String,
            "domains": pl.String,
            "timezone": pl.String,
            "language": pl.String,
            "feeds": pl.Int64,
            "sitemaps": pl.Int64,
        },
    )
    _print_frame(frame, fmt)
    if fmt is OutputFormat.table:
        typer.echo(f"registry: {registry.path}")


@sources_app.command("add")
def sources_add(
    ctx: typer.Context,
    domain: Annotated[str, typer.Argument(help="The publisher's domain (e.g. example.com).")],
    name: Annotated[
        str | None,
        typer.Option(help="Its name (default: the name printed on its pages, from the proposal)."),
    ] = None,
    timezone: Annotated[str, typer.Option(help="IANA zone its undated times are read in.")] = "UTC",
    language: Annotated[str | None, typer.Option(help="ISO 639-1 code.")] = None,
    alias: Annotated[
        list[str] | None, typer.Option(help="Another name as printed on its pages (repeatable).")
    ] = None,
) -> None:
    """Add a publisher to the registry file (checked before it is written)."""
    from newsdesk.cli.registry_edit import append_source, source_block

    settings = ctx.obj.settings()
    # A page's address pasted for its domain ("https://www.example.com/news/") is read as
    # its host; anything else that is no host name is refused by the registry's check.
    domain = (host_of(domain) or domain) if "://" in domain else domain
    domain = domain.strip().lower().removeprefix("www.")
    registry = ctx.obj.registry(settings)
    taken = next((s for s in registry.sources if domain in s.domains), None)
    if taken is not None:
        raise fail(f"{domain} is in the registry already, as {taken.name!r} ({settings.sources})")
    proposal: dict[str, Any] = {}
    if settings.db.exists():
        from warehouse.read import proposed_sources

        found = proposed_sources(
            settings.db, include_accepted=True, timeout_s=settings.read_lock_timeout_s
        )
        matches = found.filter(found["domain"] == domain)
        proposal = matches.row(0, named=True) if matches.height else {}
    name = name or proposal.get("site_name") or domain
    block = source_block(
        name, [domain], timezone, language or proposal.get("language"), list(alias or [])
    )
    append_source(settings.sources, block)
    if proposal:
        from warehouse.load import accept_proposed_source

        accept_proposed_source(settings.db, domain, timeout_s=settings.write_lock_timeout_s)
    typer.echo(f"added {name!r} ({domain}, {timezone}) to {settings.sources}")
    typer.echo("now run: newsdesk replay   (its quarantined pages load if nothing else fails)")


app.command()(cli_ops.serve)
app.command()(cli_ops.ui)
app.command()(cli_ops.status)


def _expected_errors() -> tuple[type[BaseException], ...]:
    """The failures that end in one line. Imported only once an exception is raised: DuckDB and
    pyarrow (warehouse.read) load before `newsdesk run` has started its gate process
    otherwise (0.1 s of CPU); a command that raised one has loaded them already."""
    import duckdb

    from newsdesk.cli.prefect_server import PrefectServerError
    from tasks.ingest.web_inputs import UnknownSourceName
    from warehouse.connection import WarehouseBusy
    from warehouse.read import ReadOnlyQuery

    return (
        SettingsError,
        RegistryError,
        PrefectServerError,
        FileNotFoundError,
        UnknownSourceName,
        WarehouseBusy,
        ReadOnlyQuery,
        duckdb.Error,
    )


def entry() -> None:
    """Console entry point: expected failures end in one line, not a traceback."""
    from warehouse.pandas_probes import answer_without_pandas

    answer_without_pandas()  # DuckDB's binds and Arrow scans then leave pandas unloaded
    try:
        app()
    except Exception as exc:  # not SystemExit, which ends every command
        if not isinstance(exc, _expected_errors()):
            raise
        typer.echo(f"newsdesk: {exc}", err=True)
        raise SystemExit(2) from None
    finally:
        exit_without_collecting()
