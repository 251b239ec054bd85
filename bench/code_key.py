"""A short digest of the code and data files newsdesk's extraction reads (tasks/, newsdesk/:
.py, .npz, .json, .toml), for the trainers' caches of what that code computes: a cached
value is reused only while the code that made it is the same."""

from __future__ import annotations

import hashlib
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
_READ = (".py", ".npz", ".json", ".toml")


def code_digest(leave_out: tuple[Path, ...] = ()) -> str:
    """The digest of every such file but those in `leave_out` (a model the cached values
    feed, not one they come from)."""
    left_out = {path.resolve() for path in leave_out}
    digest = hashlib.sha256()
    for folder in ("tasks", "newsdesk"):
        for path in sorted((PROJECT / folder).rglob("*")):
            if path.suffix in _READ and path.resolve() not in left_out:
                digest.update(path.relative_to(PROJECT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
