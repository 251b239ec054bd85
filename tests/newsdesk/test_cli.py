"""The newsdesk command, in process (typer's runner) and as the installed entry point."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from newsdesk.cli import app
from newsdesk.core.config import defaults
from tests.conftest import PROJECT, SEEDS
from tests.expectations.test_warm_gates import alive, wait_gone
from tests.httpserver import Site

runner = CliRunner()
NEWSDESK = Path(sys.executable).with_name("newsdesk")


def invoke(*args: str, db: Path | None = None) -> tuple[int, str, str]:
    global_args = ["--db", str(db)] if db else []
    result = runner.invoke(app, [*global_args, *args])
    return result.exit_code, result.stdout, result.stderr


def newsdesk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The installed command, as a user runs it (Prefect logs to the real stderr)."""
    return subprocess.run(
        [str(NEWSDESK), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


@pytest.fixture
def loaded_db(prefect_api_url: str, seed_dir: Path, warehouse_path: Path) -> Path:
    done = newsdesk(
        "--db",
        str(warehouse_path),
        "run",
        str(seed_dir),
        "--workers",
        "1",
        env={"PREFECT_API_URL": prefect_api_url},
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "documents ingested  2" in out
    assert "articles loaded     1 new" in out
    assert "extract  unknown_source" in out and "extract  unparsed_date" in out
    assert f"warehouse: {warehouse_path}" in out
    return warehouse_path


def test_extract_prints_records_with_gate_failures(seed_dir: Path) -> None:
    code, out, err = invoke("extract", str(seed_dir), "--workers", "1")
    assert code == 0, err
    records = {Path(r["path"]).name: r for r in json.loads(out)}
    loaded = records["002_9fff910d0917317a.txt"]
    assert loaded["title"] == "Russian-Belarusian joint military group kicks off protection mission"
    assert loaded["published"] == "2022-10-17T19:58:00+03:00"
    assert loaded["source"] == "Al Mayadeen English"
    assert loaded["gate_failures"] == []
    held = records["000_aead3fb2f9192cb0.txt"]
    assert held["title"].startswith("Belarus and Russia are signing agreement")
    assert "Belarusian President Alyaksandr Lukashenka gave approval" in held["body"]
    assert sorted(f["reason"] for f in held["gate_failures"]) == ["unknown_source", "unparsed_date"]
    for field in (
        "path",
        "title",
        "published",
        "authors",
        "source",
        "section",
        "tags",
        "language",
        "word_count",
        "body",
    ):
        assert field in held


def test_extract_jsonl_streams_one_line_per_document(tmp_path: Path) -> None:
    shutil.copy(SEEDS / "002_9fff910d0917317a.txt", tmp_path / "a.txt")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.7 not a page")
    code, out, _ = invoke("extract", str(tmp_path), "--format", "jsonl", "--workers", "1")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [Path(r["path"]).name for r in lines] == ["a.txt", "b.pdf"]
    assert lines[1]["gate_failures"][0]["reason"] == "unsupported_type"


def test_the_warehouse_memory_limit_setting_reaches_the_commands_connections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouse.connection import set_memory_limit
    from warehouse.migrate import migrate

    db = tmp_path / "warehouse.duckdb"
    migrate(db)
    monkeypatch.setenv("NEWSDESK_WAREHOUSE_MEMORY_LIMIT", "300MB")
    try:
        code, out, err = invoke(
            "sql", "SELECT current_setting('memory_limit') AS m", "--format", "csv", db=db
        )
    finally:
        set_memory_limit(defaults().warehouse.memory_limit)
    assert code == 0, err
    with duckdb.connect() as con:
        con.execute("SET memory_limit = '300MB'")
        expected = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert out.splitlines()[1] == expected


def test_sql_formats_and_refuses_writes(loaded_db: Path) -> None:
    code, out, _ = invoke(
        "sql",
        "SELECT source_id, count(*) AS n FROM articles GROUP BY 1",
        "--format",
        "csv",
        db=loaded_db,
    )
    assert code == 0
    assert list(csv.DictReader(io.StringIO(out))) == [
        {"source_id": "Al Mayadeen English", "n": "1"}
    ]
    code, out, _ = invoke("sql", "SELECT title FROM v_articles", "--format", "json", db=loaded_db)
    assert json.loads(out)[0]["title"].startswith("Russian-Belarusian")
    code, out, _ = invoke("sql", "SELECT count(*) AS n FROM quarantine", db=loaded_db)
    assert code == 0 and "(1 row)" in out
    code, _, _ = invoke("sql", "DELETE FROM articles", db=loaded_db)
    assert code != 0
    code, out, _ = invoke(
        "sql", "SELECT count(*) AS n FROM articles", "--format", "csv", db=loaded_db
    )
    assert out.splitlines()[1] == "1"


def test_quarantine_shows_reasons_and_what_was_found(loaded_db: Path) -> None:
    code, out, _ = invoke("quarantine", "--format", "json", db=loaded_db)
    assert code == 0
    rows = json.loads(out)
    assert sorted(r["reason"] for r in rows) == ["unknown_source", "unparsed_date"]
    assert rows[0]["found_title"].startswith("Belarus and Russia are signing agreement")
    code, out, _ = invoke("quarantine", "--doc", rows[0]["doc_id"][:10], db=loaded_db)
    assert code == 0
    assert "Belarusian President Alyaksandr Lukashenka gave approval" in out
    assert "unparsed_date" in out and "unknown_source" in out


def test_replay_after_registering_the_source(
    loaded_db: Path, tmp_path: Path, prefect_api_url: str
) -> None:
    registry = tmp_path / "sources.toml"
    registry.write_text(
        (PROJECT / "sources.toml").read_text()
        + """
[[source]]
name = "Belarus Desk"
domains = ["belarus-desk.example"]
timezone = "Europe/Minsk"
"""
    )
    done = newsdesk(
        "--db",
        str(loaded_db),
        "--sources",
        str(registry),
        "replay",
        "--json",
        env={"PREFECT_API_URL": prefect_api_url},
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    # The page names no publisher and shows no date: registering a source cannot help it.
    assert (summary["ingested"], summary["loaded"], summary["quarantined"]) == (1, 0, 1)


def test_sources_lists_the_registry() -> None:
    code, out, _ = invoke("sources", "--format", "json")
    assert code == 0
    names = {row["name"]: row for row in json.loads(out)}
    assert names["Al Mayadeen English"]["timezone"] == "Asia/Beirut"


def test_entry_point_fails_with_one_line_reasons(tmp_path: Path) -> None:
    env = {"NEWSDESK_DB": str(tmp_path / "none.duckdb")}
    for args, message in [
        (["run", str(tmp_path / "missing")], "no such file or folder"),
        (["sql", "SELECT 1"], "no warehouse at"),
        # found by an acceptance pass: replay said only "nothing is quarantined"
        (["replay"], "yet (nothing is quarantined): run `newsdesk run PATH` first"),
        (["reprocess"], "yet (nothing to reprocess): run `newsdesk run PATH` first"),
        (["--sources", str(tmp_path / "nope.toml"), "sources"], "sources registry not found"),
        (["run", "--source", "Nobody"], "no source named 'Nobody'"),
    ]:
        done = newsdesk(*args, env=env)
        assert done.returncode != 0, args
        assert message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_an_unknown_publisher_is_proposed_added_and_replayed(
    prefect_api_url: str, tmp_path: Path, warehouse_path: Path
) -> None:
    from tests.flows.test_pipeline import UNKNOWN_HTML

    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(SEEDS / "002_9fff910d0917317a.txt", pages)
    shutil.copy(UNKNOWN_HTML, pages / "pipenv.html")
    (pages / "pipenv.html.meta.json").write_text(
        json.dumps({"url": "https://pythonspeed.com/articles/pipenv-docker/"})
    )
    registry = tmp_path / "sources.toml"
    shutil.copy(PROJECT / "sources.toml", registry)
    common = ("--db", str(warehouse_path), "--sources", str(registry))
    env = {"PREFECT_API_URL": prefect_api_url}

    done = newsdesk(*common, "run", str(pages), "--workers", "1", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["loaded"] == 1

    code, out, _ = invoke(*common, "sources", "--proposed", "--format", "json")
    assert code == 0
    [proposal] = json.loads(out)
    assert proposal["domain"] == "pythonspeed.com" and proposal["status"] == "proposed"

    code, out, err = invoke(
        *common,
        "sources",
        "add",
        "pythonspeed.com",
        "--name",
        "Python Speed",
        "--timezone",
        "America/New_York",
    )
    assert code == 0, err
    code, out, _ = invoke(*common, "sources", "add", "pythonspeed.com", "--name", "Again")
    assert code != 0  # the domain is taken: the file is left as it was
    assert registry.read_text().count("pythonspeed.com") == 1

    done = newsdesk(*common, "replay", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["loaded"] == 1
    code, out, _ = invoke(
        *common, "sql", "SELECT source_id FROM articles ORDER BY 1", "--format", "csv"
    )
    assert out.splitlines() == ["source_id", "Al Mayadeen English", "Python Speed"]


def test_a_skipped_run_says_why_and_exits_non_zero(
    prefect_api_url: str, seed_dir: Path, warehouse_path: Path
) -> None:
    """A run that finds the warehouse held by another run says so while it waits, then ends
    as skipped with the reason and exit status 3, printing no summary of loads."""
    from flows.run_lock import run_lock

    with run_lock(warehouse_path, timeout_s=1, label="a long load"):
        done = newsdesk(
            "--db",
            str(warehouse_path),
            "run",
            str(seed_dir),
            "--workers",
            "1",
            env={
                "PREFECT_API_URL": prefect_api_url,
                "NEWSDESK_WAREHOUSE_RUN_LOCK_TIMEOUT_S": "1",
            },
        )
    assert done.returncode == 3, done.stderr
    assert "newsdesk: waiting up to 1 s (run_lock_timeout_s) for the warehouse: a long load" in (
        done.stderr
    )
    assert re.search(r"newsdesk: run \d{8}T\d{6}Z-[0-9a-f]{4} skipped: a long load", done.stderr)
    assert "documents ingested" not in done.stdout


def test_messages_name_commands_that_exist() -> None:
    """Every `newsdesk COMMAND` a message or docstring of the code tells a user to run is a
    command of the CLI (one once pointed at a `newsdesk migrate` that never existed)."""
    import typer.main

    commands = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    told: dict[str, set[str]] = {}
    for folder in ("newsdesk", "flows", "tasks", "warehouse", "expectations"):
        for path in (PROJECT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for name in re.findall(
                r"(?:`|(?:next|try|now run|accept one): +)newsdesk ([a-z]+)", text
            ):
                told.setdefault(name, set()).add(str(path.relative_to(PROJECT)))
    assert told, "no command named anywhere: the pattern is broken"
    unknown = {name: where for name, where in told.items() if name not in commands}
    assert not unknown, f"messages name commands that do not exist: {unknown}"


def test_follow_links_lets_a_run_read_a_symlink_out_of_its_folder(
    prefect_api_url: str, tmp_path: Path, warehouse_path: Path
) -> None:
    inputs, elsewhere = tmp_path / "inputs", tmp_path / "elsewhere"
    inputs.mkdir()
    elsewhere.mkdir()
    seed = SEEDS / "002_9fff910d0917317a.txt"
    (elsewhere / seed.name).write_bytes(seed.read_bytes())
    (inputs / "linked.txt").symlink_to(elsewhere / seed.name)
    common = ("--db", str(warehouse_path), "run", str(inputs), "--workers", "1", "--json")
    env = {"PREFECT_API_URL": prefect_api_url}
    refused = newsdesk(*common, env=env)
    assert refused.returncode == 0, refused.stderr
    summary = json.loads(refused.stdout)
    assert summary["loaded"] == 0
    assert [(r["reason"], r["documents"]) for r in summary["quarantine_reasons"]] == [
        ("outside_root", 1)
    ]
    followed = newsdesk(*common, "--follow-links", env=env)
    assert followed.returncode == 0, followed.stderr
    assert json.loads(followed.stdout)["loaded"] == 1


def test_a_url_with_credentials_reaches_neither_prefect_nor_the_warehouse(
    prefect_api_url: str, tmp_path: Path, warehouse_path: Path, sites: Callable[[], Site]
) -> None:
    """The run's parameters are stored by Prefect: the URL goes in without its password."""
    from prefect.client.orchestration import get_client

    missing = sites()  # every path answers 404
    url = f"http://reader:hunter2@127.0.0.1:{missing.port}/page"
    done = newsdesk(
        "--db",
        str(warehouse_path),
        "run",
        url,
        "--json",
        env={
            "PREFECT_API_URL": prefect_api_url,
            "NEWSDESK_FETCH_ALLOW": f"127.0.0.1:{missing.port}",
        },
    )
    assert done.returncode == 0, done.stderr
    assert "hunter2" not in done.stdout + done.stderr
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs()
    assert runs and not any("hunter2" in json.dumps(r.parameters) for r in runs)
    code, out, _ = invoke("sql", "SELECT * FROM quarantine", "--format", "json", db=warehouse_path)
    assert code == 0 and "http_status" in out and "hunter2" not in out


def test_runs_take_their_gate_process_from_the_warm_helper(
    prefect_api_url: str, seed_dir: Path, tmp_path: Path
) -> None:
    # The command as users run it (the helper on): the first run starts the helper, the
    # second forks its gate process from it; both gate the seeds alike, and the helper is
    # still up after them (ended here, as it ends once idle).
    folder = tmp_path / "rt"
    env = {
        "PREFECT_API_URL": prefect_api_url,
        "NEWSDESK_WARM_GATES": "1",
        "NEWSDESK_RUNTIME_DIR": str(folder),
    }
    summaries = []
    try:
        for k in range(2):
            db = tmp_path / f"w{k}.duckdb"
            done = newsdesk("--db", str(db), "run", str(seed_dir), "--json", env=env)
            assert done.returncode == 0, done.stderr[-2000:]
            summary = json.loads(done.stdout)
            summaries.append(
                [summary[key] for key in ("status", "ingested", "loaded", "quarantined")]
                + [sorted((r["stage"], r["reason"]) for r in summary["quarantine_reasons"])]
            )
        assert summaries[0] == summaries[1]
        assert summaries[0][:4] == ["loaded", 2, 1, 1]
        (lock,) = folder.glob("*.lock")
        helper = int(lock.read_text().split()[0])
        assert alive(helper)
    finally:
        for lock in folder.glob("*.lock"):
            pid = int(lock.read_text().split()[0])
            if pid and alive(pid):
                os.kill(pid, signal.SIGTERM)
                wait_gone(pid)


def test_a_run_that_fails_a_gate_prints_what_it_did_then_why(
    prefect_api_url: str, seed_dir: Path, tmp_path: Path
) -> None:
    """A run stopped by a gate's threshold once printed only the reason (and `--json`
    nothing at all): its summary comes first, with status failed, then the one-line reason,
    which says where to look and which setting decides."""
    for name in ("a.html", "b.html", "c.html"):  # empty: 3 of 5 fail the ingest gate (50 %)
        (seed_dir / name).write_bytes(b"")
    env = {"PREFECT_API_URL": prefect_api_url}
    text = newsdesk("--db", str(tmp_path / "t.duckdb"), "run", str(seed_dir), env=env)
    assert text.returncode == 1, text.stderr
    assert re.search(r"^run \S+: failed$", text.stdout, re.MULTILINE)
    assert "articles loaded     1 new" in text.stdout
    assert "ingest   empty_content          3" in text.stdout
    [reason] = [line for line in text.stderr.splitlines() if line.startswith("newsdesk:")]
    assert "run failed: the ingest gate rejected 60% of 5 documents" in reason
    assert "newsdesk quarantine" in reason and "ingest_threshold" in reason
    assert "Traceback" not in text.stderr

    done = newsdesk("--db", str(tmp_path / "j.duckdb"), "run", str(seed_dir), "--json", env=env)
    assert done.returncode == 1, done.stderr
    summary = json.loads(done.stdout)
    assert summary["status"] == "failed"
    assert [summary[k] for k in ("ingested", "loaded", "quarantined")] == [5, 1, 4]
    assert summary["error"].startswith("GateThresholdExceeded: the ingest gate rejected 60%")


def test_numbers_out_of_range_are_refused_before_anything_runs(tmp_path: Path) -> None:
    """Found by hand: `reprocess --batch-size 0` failed as "range() arg 3 must not be zero",
    `status --runs -1` and `quarantine --limit -1` with DuckDB's Binder Error."""
    from newsdesk.core.config import SettingsError, load_settings

    db = tmp_path / "none.duckdb"
    for args, option in [
        (["reprocess", "--batch-size", "0"], "--batch-size"),
        (["run", str(tmp_path), "--workers", "-1"], "--workers"),
        (["status", "--runs", "0"], "--runs"),
        (["quarantine", "--limit", "-1"], "--limit"),
        (["search", "x", "--limit", "-1"], "--limit"),
        (["stories", "--limit", "-2"], "--limit"),
    ]:
        code, _, err = invoke(*args, db=db)
        assert code == 2 and f"Invalid value for '{option}'" in err, (args, err)
    assert not db.exists()
    with pytest.raises(SettingsError, match=r"\[pipeline\] batch_size = '0'"):
        load_settings(env={"NEWSDESK_PIPELINE_BATCH_SIZE": "0"})


def test_a_run_on_a_folder_with_no_files_says_so(prefect_api_url: str, tmp_path: Path) -> None:
    """A mistyped or empty folder ran as a plain `loaded` with 0 documents: it still does (a
    drop folder may be empty), with a notice on stderr."""
    empty = tmp_path / "inbox"
    empty.mkdir()
    done = newsdesk(
        "--db",
        str(tmp_path / "w.duckdb"),
        "run",
        str(empty),
        env={"PREFECT_API_URL": prefect_api_url},
    )
    assert done.returncode == 0, done.stderr
    assert "documents ingested  0" in done.stdout
    assert f"newsdesk: no files under {empty}: nothing to read" in done.stderr


def test_quarantine_names_the_stages_and_reasons_there_are(tmp_path: Path) -> None:
    """Found by hand: `quarantine --stage extarct` printed an empty table, as if the stage
    held nothing back."""
    code, _, err = invoke("quarantine", "--stage", "extarct", db=tmp_path / "w.duckdb")
    assert code == 1 and "no stage 'extarct': one of ingest, clean, extract, load" in err
    code, _, err = invoke("quarantine", "--reason", "unknown-source", db=tmp_path / "w.duckdb")
    assert code == 1 and "no reason 'unknown-source'" in err and "unknown_source" in err


def test_ui_stop_names_a_server_it_did_not_start(
    prefect_api_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found with two clones: the second's `ui --stop` said "no Prefect server started by
    newsdesk is running" while the first's answered on the port. It now says whose it is,
    and leaves it up."""
    from urllib.parse import urlsplit

    from newsdesk.cli.prefect_server import is_healthy

    monkeypatch.setenv("NEWSDESK_PREFECT_PORT", str(urlsplit(prefect_api_url).port))
    monkeypatch.setenv("NEWSDESK_PREFECT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEWSDESK_RUNTIME_DIR", str(tmp_path / "rt"))  # no helpers here
    code, out, err = invoke("ui", "--stop")
    assert code == 0, err
    assert "but newsdesk did not start it from here" in out
    assert str(tmp_path / "home" / "server.pid") in out
    assert is_healthy(prefect_api_url)


def test_a_source_with_nothing_to_fetch_is_named(
    prefect_api_url: str, tmp_path: Path, write_registry: Callable[..., Path]
) -> None:
    """Found by hand: `run --source Salon` (no feeds, no sitemaps) and `run --all-sources` on
    the shipped registry loaded 0 documents without a word. The run still runs (and exits
    0), and stderr says why it fetched nothing."""
    registry = write_registry({"Quiet Daily": ["quiet.example"]})
    env = {"PREFECT_API_URL": prefect_api_url}
    common = ("--db", str(tmp_path / "w.duckdb"), "--sources", str(registry), "run")
    done = newsdesk(*common, "--source", "quiet daily", env=env)
    assert done.returncode == 0, done.stderr
    assert "documents ingested  0" in done.stdout
    assert f"newsdesk: Quiet Daily has no feeds or sitemaps in {registry}" in done.stderr
    done = newsdesk(*common, "--all-sources", env=env)
    assert done.returncode == 0, done.stderr
    assert f"newsdesk: no source in {registry} has feeds or sitemaps" in done.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_run_stopped_in_the_middle_is_recorded_aborted_and_says_so(
    prefect_api_url: str, tmp_path: Path, warehouse_path: Path, signum: signal.Signals
) -> None:
    """Found verifying an acceptance pass: a run stopped by SIGTERM (a scheduler) or Ctrl-C
    was recorded aborted but ended without a word. The installed command, on 300 pages:
    stopped once batches are in, it ends as the signal ends it, says in one line that the
    run is recorded aborted, and the warehouse holds whole batches."""
    from tests.flows.test_serve_stop import many_pages

    pages = many_pages(tmp_path / "pages", 300)
    process = subprocess.Popen(
        [str(NEWSDESK), "--db", str(warehouse_path), "run", str(pages), "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={
            **os.environ,
            "PREFECT_API_URL": prefect_api_url,
            "NEWSDESK_PIPELINE_BATCH_SIZE": "10",
        },
    )
    try:
        deadline = time.monotonic() + 240
        while not _articles(warehouse_path):  # a batch is in
            assert process.poll() is None, "the run ended before a batch was in"
            assert time.monotonic() < deadline, "no batch in after 240 s"
            time.sleep(0.5)
        process.send_signal(signum)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == (130 if signum == signal.SIGINT else -signal.SIGTERM), err
    how = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    [line] = [line for line in err.splitlines() if line.startswith("newsdesk:")]
    assert re.fullmatch(
        rf"newsdesk: run (\S+) interrupted \({how}\): recorded as aborted .*", line
    ), err[-2000:]
    run_id = line.split()[2]
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        [(status, loaded)] = con.execute(
            "SELECT status, loaded FROM runs WHERE run_id = ?", [run_id]
        ).fetchall()
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert status == "aborted" and 0 < loaded < 300
    assert articles == loaded  # whole batches: each article in was counted


def _articles(db: Path) -> int:
    """Articles in the warehouse, 0 while a run's batch holds it (the read waits not)."""
    if not db.exists():
        return 0
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute("SELECT count(*) FROM articles").fetchone()[0]
    except duckdb.Error:
        return 0
