"""DuckDB's probes for pandas answered without importing it (warehouse/pandas_probes.py).

Each case runs in a fresh interpreter: this one may have pandas loaded already, and then no
probe is made at all."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def run_fresh(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_warehouse_binds_and_scans_arrow_without_pandas(tmp_path: Path) -> None:
    out = run_fresh(
        f"""
        import sys
        from pathlib import Path
        from warehouse.pandas_probes import answer_without_pandas
        answer_without_pandas()
        from newsdesk.core.registry import load_registry
        from warehouse.load import sync_sources
        from warehouse.migrate import migrate
        from warehouse.read import query
        db = Path({str(tmp_path / "w.duckdb")!r})
        migrate(db)  # bound parameters
        changed = sync_sources(db, load_registry(Path("sources.toml")))  # an Arrow table
        sources = query(db, "SELECT count(*) AS n FROM sources WHERE name <> ?", ["x"])
        print(changed > 0, sources["n"][0] == changed, "pandas" in sys.modules)
        """
    )
    assert out == "True True False"


def test_code_outside_the_warehouse_gets_pandas_and_duckdb_then_uses_it(tmp_path: Path) -> None:
    out = run_fresh(
        f"""
        import sys
        from pathlib import Path
        from warehouse.pandas_probes import answer_without_pandas
        answer_without_pandas()
        import duckdb, polars as pl
        from newsdesk.core.registry import load_registry
        from warehouse.load import sync_sources
        from warehouse.migrate import migrate
        db = Path({str(tmp_path / "w.duckdb")!r})
        migrate(db)
        sync_sources(db, load_registry(Path("sources.toml")))
        before = "pandas" in sys.modules  # the warehouse's probes were answered 'no'
        converted = pl.DataFrame({{"a": [1]}}).to_pandas()  # pyarrow imports it for polars
        import pandas
        con = duckdb.connect()
        nat = con.execute("SELECT ? IS NULL", [pandas.NaT]).fetchone()[0]
        df = con.execute("SELECT 7 AS a").df()
        print(before, type(converted).__name__, nat, type(df).__name__, int(df["a"][0]))
        """
    )
    assert out == "False DataFrame True DataFrame 7"


def test_polars_lazy_pandas_import_is_a_python_import() -> None:
    out = run_fresh(
        """
        from warehouse.pandas_probes import answer_without_pandas
        answer_without_pandas()
        from polars._dependencies import pandas as pd  # a proxy until first used
        print(type(pd.DataFrame({"a": [1]})).__name__)
        """
    )
    assert out == "DataFrame"
