"""The `newsdesk` command."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from newsdesk.settings import Settings, SettingsError, load_settings
from newsdesk.sources import Registry, RegistryError, load_registry

app = typer.Typer(
    name="newsdesk",
    help="Turn raw news pages into a clean, gated, queryable DuckDB warehouse.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Context:
    def __init__(self, db: Path | None, sources: Path | None) -> None:
        self.overrides = {"db": db, "sources": sources}

    def settings(self, **extra: Any) -> Settings:
        return load_settings(overrides={**self.overrides, **extra})

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


def _run_flow(ctx: Context, settings: Settings, **params: Any) -> dict[str, Any]:
    from newsdesk.prefect_server import connect

    api_url = connect(settings)
    from flows.pipeline import newsdesk_run

    overrides = {k: str(v) for k, v in ctx.overrides.items() if v is not None}
    state = newsdesk_run(settings_overrides=overrides, return_state=True, **params)
    result = state.result(raise_on_failure=False)
    if api_url:
        typer.echo(f"Prefect UI: {api_url.removesuffix('/api')}/runs", err=True)
    if isinstance(result, BaseException):
        raise fail(f"run failed: {result}")
    return result


def _print_summary(summary: dict[str, Any]) -> None:
    typer.echo(f"run {summary['run_id']}: {summary['status']}")
    typer.echo(f"  documents ingested  {summary['ingested']}")
    typer.echo(f"  articles loaded     {summary['loaded']} new, {summary['updated']} updated")
    typer.echo(f"  duplicates          {summary['duplicates']}")
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


@app.command()
def run(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files and folders (recursive) of HTML pages, text dumps, JSON Lines exports."
        ),
    ],
    batch_size: Annotated[int | None, typer.Option(help="Documents per batch.")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes for clean/extract (0 = one per core).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Run the pipeline on files and folders and load the result into the warehouse."""
    obj: Context = ctx.obj
    for path in paths:
        if not path.exists():
            raise fail(f"no such file or folder: {path}")
    if batch_size is not None:
        obj.overrides["batch_size"] = batch_size
    if workers is not None:
        obj.overrides["workers"] = workers
    settings = obj.settings()
    obj.registry(settings)
    summary = _run_flow(obj, settings, paths=[str(p.resolve()) for p in paths], label="files")
    if as_json:
        typer.echo(json.dumps(summary, indent=1))
    else:
        _print_summary(summary)


@app.command()
def replay(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Re-run every quarantined document (e.g. after adding its source to the registry)."""
    obj: Context = ctx.obj
    settings = obj.settings()
    obj.registry(settings)
    summary = _run_flow(obj, settings, replay=True, label="replay")
    if as_json:
        typer.echo(json.dumps(summary, indent=1))
    else:
        _print_summary(summary)


@app.command()
def extract(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (recursive).")],
    fmt: Annotated[
        RecordFormat,
        typer.Option("--format", help="json: one array; jsonl: a record per line, as it goes."),
    ] = RecordFormat.json,
    gates: Annotated[
        bool, typer.Option(help="Also report the gate failures each document would get.")
    ] = True,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (0 = one per core).")
    ] = None,
) -> None:
    """Ingest, clean and extract without writing to the warehouse; print one record per
    document (path, title, published, authors, source, section, tags, language, word_count,
    body, gate_failures)."""
    from newsdesk.extract_only import extract_paths

    obj: Context = ctx.obj
    for path in paths:
        if not path.exists():
            raise fail(f"no such file or folder: {path}")
    settings = obj.settings(workers=workers)
    records = extract_paths(paths, settings, obj.registry(settings), gates=gates)
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
    """Query the warehouse, read-only. Safe while a run is loading: it waits for the
    current batch to finish writing."""
    from warehouse.read import query as run_query

    settings = ctx.obj.settings()
    if not settings.db.exists():
        raise fail(f"no warehouse at {settings.db} yet: run `newsdesk run PATH` first")
    _print_frame(run_query(settings.db, query, timeout_s=settings.read_lock_timeout_s), fmt)


@app.command()
def quarantine(
    ctx: typer.Context,
    stage: Annotated[str | None, typer.Option(help="Only this stage.")] = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason.")] = None,
    resolved: Annotated[bool, typer.Option(help="Include rows that later loaded.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """What is quarantined, by stage and reason, with the document and the observed value."""
    from warehouse.read import quarantine_rows, quarantine_summary

    settings = ctx.obj.settings()
    if not settings.db.exists():
        raise fail(f"no warehouse at {settings.db} yet: run `newsdesk run PATH` first")
    timeout = settings.read_lock_timeout_s
    if fmt is OutputFormat.table:
        _print_frame(quarantine_summary(settings.db, timeout_s=timeout), fmt)
    rows = quarantine_rows(
        settings.db,
        stage=stage,
        reason=reason,
        include_resolved=resolved,
        limit=limit,
        timeout_s=timeout,
    )
    _print_frame(rows, fmt)


@app.command()
def sources(
    ctx: typer.Context, fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table
) -> None:
    """The sources registry: the publishers newsdesk knows."""
    import polars as pl

    settings = ctx.obj.settings()
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


def entry() -> None:
    """Console entry point: expected failures end in one line, not a traceback."""
    from newsdesk.prefect_server import PrefectServerError

    try:
        app()
    except (SettingsError, RegistryError, PrefectServerError, FileNotFoundError) as exc:
        typer.echo(f"newsdesk: {exc}", err=True)
        raise SystemExit(2) from None
