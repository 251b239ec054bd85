"""What a cleaner returns for one page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Cleaned:
    """The main text of one page. An empty body means the cleaner found no article
    (the clean gate then rejects the page as empty_body)."""

    body: str
    method: str  # e.g. "trafilatura", "json-ld", "text-dump"
    hints: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable, for extract
