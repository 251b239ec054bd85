"""Operations commands: `newsdesk serve`, `newsdesk ui`, `newsdesk status`.

Registered on the app in newsdesk/cli/__init__.py (`app.command()(serve)` …);
ctx.obj is cli.Context.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer


def _overrides(ctx: typer.Context) -> dict[str, str]:
    """The global options (--db, --sources) as the flows' settings_overrides."""
    return {k: str(v) for k, v in ctx.obj.overrides.items() if v is not None}


def _fail(message: str) -> typer.Exit:
    typer.echo(f"newsdesk: {message}", err=True)
    return typer.Exit(1)


def serve(
    ctx: typer.Context,
    limit: Annotated[
        int | None,
        typer.Option(min=1, help="At most this many flow runs at once (Prefect's default: 5)."),
    ] = None,
) -> None:
    """Register the deployments (ingest, replay, maintenance) with their schedules from
    [schedules] and run them until stopped (Ctrl-C pauses the schedules). Runs can also be
    started by hand: prefect deployment run newsdesk-run/ingest."""
    from newsdesk.cli.prefect_server import connect

    settings = ctx.obj.settings()
    ctx.obj.registry(settings)
    api_url = connect(settings)
    if api_url is None:
        raise _fail('serve needs a Prefect server: set [prefect] mode = "auto"')
    from flows.alerts import check_block
    from flows.deployments import ScheduleError, build, specs
    from flows.deployments import serve as serve_deployments

    try:
        build(settings)  # fail on a bad schedule before anything is registered
    except ScheduleError as exc:
        raise _fail(str(exc)) from None
    for spec in specs(settings):
        typer.echo(f"  {spec.full_name:<30} {spec.schedule or '(by hand only)'}", err=True)
    if problem := check_block(settings):
        typer.echo(f"newsdesk: warning: {problem}", err=True)
    typer.echo(f"Prefect UI: {api_url.removesuffix('/api')}/deployments", err=True)
    serve_deployments(settings, _overrides(ctx) or None, limit=limit)


def ui(
    ctx: typer.Context,
    stop: Annotated[
        bool,
        typer.Option(
            "--stop",
            help="Stop the local server that newsdesk started, and the warm helpers that "
            "runs hand their imports to.",
        ),
    ] = False,
) -> None:
    """Start (or reuse) the Prefect server for the UI and print its address; runs started
    afterwards report to it."""
    from newsdesk.cli.ui import open_ui, stop_local_server

    settings = ctx.obj.settings()
    if stop:
        from newsdesk.cli.warm_run import stop_helpers

        pid = stop_local_server(settings)
        if pid:
            typer.echo(f"stopped the Prefect server (pid {pid})")
        else:
            from newsdesk.cli.prefect_server import is_healthy, local_api_url

            api_url = local_api_url(settings)
            # Found with two clones: the second's `ui --stop` said no server was running
            # while the first's answered on the same port (its pid file is in its folder).
            typer.echo(
                f"a Prefect server answers at {api_url.removesuffix('/api')}, but newsdesk "
                f"did not start it from here (no {settings.prefect_home / 'server.pid'}): "
                "stop it with `newsdesk ui --stop` in the folder whose run started it"
                if is_healthy(api_url)
                else "no Prefect server started by newsdesk is running"
            )
        if helpers := stop_helpers():
            pids = ", ".join(map(str, helpers))
            typer.echo(f"stopped {len(helpers)} warm helper(s) (pid {pids})")
        return
    info = open_ui(settings)
    how = (
        f"started, healthy after {info.seconds_to_healthy:.1f} s"
        if info.started
        else "already running, reused"
    )
    typer.echo(f"Prefect UI: {info.url}  ({how})")
    typer.echo(f"API:        {info.api_url}")
    if info.started:
        typer.echo(f"log:        {settings.prefect_home / 'server.log'}")
        typer.echo("stop it:    newsdesk ui --stop")


def status(
    ctx: typer.Context,
    runs: Annotated[int, typer.Option(min=1, help="How many of the last runs to show.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The last runs (state, duration, counts, quarantine by reason) and each source's health
    (last successful fetch, articles per day, quarantine rate, and whether it went quiet or
    keeps failing, by [quiet]), from the warehouse alone."""
    from newsdesk.cli.status import read_status, render
    from warehouse.quiet import quiet_rule

    settings = ctx.obj.settings()
    if not settings.db.exists():
        raise _fail(f"no warehouse at {settings.db} yet: run `newsdesk run PATH` first")
    report = read_status(
        settings.db,
        runs=runs,
        timeout_s=settings.read_lock_timeout_s,
        rule=quiet_rule(settings),
    )
    if as_json:
        typer.echo(json.dumps(report.as_dict(), default=str, indent=1))
    else:
        render(report)
