"""Adding a publisher to the registry file from the command line, without breaking it."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from newsdesk.core.registry import Registry, RegistryError, load_registry


def source_block(
    name: str, domains: list[str], timezone: str, language: str | None, aliases: list[str]
) -> str:
    # JSON strings are valid TOML basic strings (same escapes), so json.dumps quotes safely.
    lines = ["", "[[source]]", f"name = {json.dumps(name)}"]
    if aliases:
        lines.append(f"aliases = {json.dumps(aliases)}")
    lines += [f"domains = {json.dumps(domains)}", f"timezone = {json.dumps(timezone)}"]
    if language:
        lines.append(f"language = {json.dumps(language)}")
    return "\n".join(lines) + "\n"


def append_source(path: Path, block: str) -> Registry:
    """Append an entry; the file is replaced only if the result is a valid registry (no
    duplicate name or domain, a known time zone), so a bad entry never reaches the file."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    updated = current.rstrip("\n") + "\n" + block
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".sources-", suffix=".toml")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(updated)
        try:
            registry = load_registry(temp)
        except RegistryError as exc:
            raise RegistryError(str(exc).replace(str(temp), str(path))) from None
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)
    return Registry(registry.sources, path=path)
