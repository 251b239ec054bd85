"""The version is defined once, in the foundation, and agrees with pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import newsdesk
from newsdesk.core.version import __version__
from tasks.extract.stage import PARSER_VERSION


def test_version_agrees_with_pyproject_and_is_stamped_on_articles() -> None:
    pyproject = Path(__file__).parents[2] / "pyproject.toml"
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    assert __version__ == declared
    assert newsdesk.__version__ == __version__
    assert PARSER_VERSION.startswith(f"newsdesk {declared};")
