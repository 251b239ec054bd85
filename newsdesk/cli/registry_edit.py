"""Adding a publisher to the registry file from the command line, without breaking it.

tomlkit writes the entry (any name: quotes, backslashes, emoji) and keeps the rest of the
file as it was, comments included."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import tomlkit

from newsdesk.core.registry import Registry, RegistryError, load_registry


def source_block(
    name: str, domains: list[str], timezone: str, language: str | None, aliases: list[str]
) -> dict[str, Any]:
    """A `[[source]]` entry, keys in the order the registry documents them."""
    entry: dict[str, Any] = {"name": name}
    if aliases:
        entry["aliases"] = aliases
    entry |= {"domains": domains, "timezone": timezone}
    if language:
        entry["language"] = language
    return entry


def append_source(path: Path, entry: dict[str, Any]) -> Registry:
    """Append an entry; the file is replaced only if the result is a valid registry (no
    duplicate name or domain, a known time zone), so a bad entry never reaches the file."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if current.strip():  # a blank line before the new entry, as between the others
        current = current.rstrip("\n") + "\n\n"
    document = tomlkit.parse(current)
    if "source" not in document:
        document.append("source", tomlkit.aot())
    table = tomlkit.table()
    table.update(entry)
    document["source"].append(table)  # type: ignore[union-attr]
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".sources-", suffix=".toml")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(tomlkit.dumps(document))
        try:
            registry = load_registry(temp)
        except RegistryError as exc:
            raise RegistryError(str(exc).replace(str(temp), str(path))) from None
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)
    return Registry(registry.sources, path=path)
