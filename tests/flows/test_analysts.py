"""Analysts never block a load, and a load never blocks analysts: a real second process keeps
a read-only DuckDB connection to what analysts open (the read copy) for the whole of a real
run; the run neither waits nor fails, the reader keeps seeing whole runs, and sees the new
one once it opens the file again. `newsdesk sql` reads the same copy."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from tests.conftest import SAMPLES
from tests.newsdesk.test_cli import invoke
from warehouse.publish import read_copy_path

# Holds one connection until told to reopen; answers each line with the article count.
READER = """
import sys, duckdb
path = sys.argv[1]
con = duckdb.connect(path, read_only=True)
print(con.execute("SELECT count(*) FROM v_articles").fetchone()[0], flush=True)
for line in sys.stdin:
    if line.strip() == "reopen":
        con.close()
        con = duckdb.connect(path, read_only=True)
    print(con.execute("SELECT count(*) FROM v_articles").fetchone()[0], flush=True)
"""


def _inputs(folder: Path, names: list[str]) -> Path:
    folder.mkdir()
    for name in names:
        shutil.copy(SAMPLES / "html" / name, folder / name)
        shutil.copy(SAMPLES / "html" / f"{name}.meta.json", folder / f"{name}.meta.json")
    return folder


def test_a_reader_holding_the_analysts_copy_neither_delays_nor_fails_a_run(
    prefect_api_url: str, tmp_path: Path, warehouse_path: Path
) -> None:
    from flows.pipeline import newsdesk_run

    # A reader that kept the warehouse file itself open would make this run wait 5 s, then fail.
    overrides = {"db": str(warehouse_path), "workers": 1, "write_lock_timeout_s": 5}
    first = _inputs(tmp_path / "a", ["dw-fr-terres-fertiles.html", "salon-us-emissions-2019.html"])
    second = _inputs(
        tmp_path / "b", ["natgeo-ravenous-wild-goats.html", "phys.org-flint-flake-tool.html"]
    )
    assert newsdesk_run(paths=[str(first)], settings_overrides=overrides)["loaded"] == 2
    copy = read_copy_path(warehouse_path)
    assert copy.exists()

    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(copy)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "2"  # type: ignore[union-attr]
        started = time.monotonic()
        result = newsdesk_run(paths=[str(second)], settings_overrides=overrides)
        took = time.monotonic() - started
        assert result["status"] == "loaded" and result["loaded"] == 2
        assert reader.poll() is None  # the reader held its connection throughout

        def ask(line: str) -> str:
            reader.stdin.write(line + "\n")  # type: ignore[union-attr]
            reader.stdin.flush()  # type: ignore[union-attr]
            return reader.stdout.readline().strip()  # type: ignore[union-attr]

        assert ask("again") == "2"  # its open connection shows the runs whole when it opened
        assert ask("reopen") == "4"  # opened again: the new run
        code, out, _ = invoke(
            "sql", "SELECT count(*) AS n FROM v_articles", "--format", "csv", db=warehouse_path
        )
        assert code == 0 and out.split() == ["n", "4"]
    finally:
        reader.stdin.close()  # type: ignore[union-attr]
        reader.wait(10)
    # Had the run waited for the reader it would have taken write_lock_timeout_s and failed.
    print(f"run with a reader holding the copy: {took:.1f} s")
    with duckdb.connect(str(copy), read_only=True) as con:
        (content_columns,) = con.execute(
            "SELECT count(*) FROM duckdb_columns() "
            "WHERE table_name = 'raw_documents' AND column_name = 'content'"
        ).fetchone()
    assert content_columns == 0  # raw page bytes stay out: in the raw store, for replay
