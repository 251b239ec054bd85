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


def test_binds_and_arrow_scans_leave_pandas_unloaded() -> None:
    out = run_fresh(
        """
        import sys
        from warehouse.pandas_probes import answer_without_pandas
        answer_without_pandas()
        import duckdb, polars as pl, pyarrow as pa
        con = duckdb.connect()
        rows = con.execute("SELECT ?::VARCHAR, ? + 1, ? IS NULL", ["a", 41, None]).fetchall()
        con.register("t", pa.table({"x": [1, 2]}))
        total = con.execute("SELECT sum(x) FROM t WHERE x > ?", [0]).fetchone()[0]
        frame = con.execute("SELECT * FROM t ORDER BY x").pl()
        print(rows, total, frame["x"].to_list(), "pandas" in sys.modules)
        """
    )
    assert out == "[('a', 42, True)] 3 [1, 2] False"


def test_python_code_that_imports_pandas_gets_it_and_duckdb_then_uses_it() -> None:
    out = run_fresh(
        """
        import importlib
        from warehouse.pandas_probes import answer_without_pandas
        answer_without_pandas()
        import duckdb, polars as pl
        con = duckdb.connect()
        con.execute("SELECT ?", [1]).fetchall()  # a probe, answered 'no'
        pd = importlib.import_module("pandas")  # asked by Python code: imported
        import pandas
        nat = con.execute("SELECT ? IS NULL", [pandas.NaT]).fetchone()[0]
        df = con.execute("SELECT 7 AS a").df()
        converted = pl.DataFrame({"a": [1]}).to_pandas()
        print(pd is pandas, nat, type(df).__name__, int(df["a"][0]), type(converted).__name__)
        """
    )
    assert out == "True True DataFrame 7 DataFrame"


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
