"""The queries in warehouse/queries/*.sql, by name: every statement the other layers have
run is a file here, versioned with the code, read once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path

QUERIES = Path(__file__).with_name("queries")


@cache
def query_sql(name: str) -> str:
    """The text of warehouse/queries/<name>.sql (a missing name is an error, not None)."""
    path = QUERIES / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no query {name!r}: {path} does not exist")
    return path.read_text(encoding="utf-8")
