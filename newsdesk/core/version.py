"""The project's version, in the foundation: the extractor stamps it on every article
(`parser_version`), and no stage may import the command-line package for it. pyproject.toml
says the same version; tests/newsdesk/test_version.py checks they agree."""

from __future__ import annotations

__version__ = "0.1.0"
