"""Forward-only schema migrations, then the analyst views on top.

`warehouse/migrations/NNNN_<what>.sql` files are applied in version order, each in its own
transaction, and recorded with their sha256 in `schema_migrations` (dlt's `_dlt_version`).
An applied file that changed, vanished, or a new file numbered below the newest applied one
is an error: history is never rewritten, fixes go in a new file. The views in
`warehouse/views/*.sql` hold no data, so they are simply recreated after every migration run.
Every run starts by migrating, so that work is skipped when the `schema_state` table holds
the fingerprint (sha256) of the migration and view files as they were when it last completed:
a run's start then costs one small read, not a transaction per view.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.connection import WRITE_TIMEOUT_S, open_write, transaction
from warehouse.rawstore import put, store_root

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VIEWS_DIR = Path(__file__).parent / "views"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(RuntimeError):
    """The migration files and the database's recorded history disagree."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str
    checksum: str


def discover(migrations_dir: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file, in version order; badly named or duplicate versions are errors."""
    found: dict[int, Migration] = {}
    for path in sorted(migrations_dir.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path}: migration files are named NNNN_<what>.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(
                f"{migrations_dir}: version {version:04d} used by both "
                f"{found[version].name} and {path.name}"
            )
        data = path.read_bytes()
        found[version] = Migration(
            version, path.name, data.decode("utf-8"), hashlib.sha256(data).hexdigest()
        )
    return [found[v] for v in sorted(found)]


def _applied(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[str, str]]:
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name VARCHAR NOT NULL,
            checksum VARCHAR NOT NULL,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )
        """
    )
    rows = con.execute("SELECT version, name, checksum FROM schema_migrations").fetchall()
    return {version: (name, checksum) for version, name, checksum in rows}


def _check_history(migrations: list[Migration], applied: dict[int, tuple[str, str]]) -> None:
    by_version = {m.version: m for m in migrations}
    for version, (name, checksum) in sorted(applied.items()):
        current = by_version.get(version)
        if current is None:
            raise MigrationError(f"applied migration {name} is missing from the migrations folder")
        if current.checksum != checksum:
            raise MigrationError(
                f"applied migration {name} was edited after it ran (checksum {checksum[:12]} "
                f"recorded, {current.checksum[:12]} on disk): put the change in a new migration"
            )
    newest = max(applied, default=0)
    late = [m.name for m in migrations if m.version not in applied and m.version < newest]
    if late:
        raise MigrationError(
            f"migrations {late} are numbered below the newest applied one ({newest:04d}); "
            "renumber them after it"
        )


def fingerprint(migrations: list[Migration], views_dir: Path = VIEWS_DIR) -> str:
    """The sha256 of the migration files (names and contents) and of the views."""
    digest = hashlib.sha256()
    for migration in migrations:
        digest.update(f"{migration.name} {migration.checksum}\n".encode())
    for view in sorted(views_dir.glob("*.sql")):
        digest.update(f"{view.name} ".encode() + view.read_bytes() + b"\n")
    return digest.hexdigest()


def read_state(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """A fingerprint kept in `schema_state` ("files": the migrations and views applied;
    "registry": the registry last synced into `sources`), None when there is none."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND table_name = 'schema_state'"
    ).fetchone()
    if not found or not found[0]:
        return None
    # a literal, not a bound parameter: DuckDB imports pandas (~0.6 s) to bind one
    quoted = key.replace("'", "''")
    row = con.execute(f"SELECT fingerprint FROM schema_state WHERE key = '{quoted}'").fetchone()
    return row[0] if row else None


def write_state(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_state "
        "(key VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL, "
        "recorded_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    con.execute(
        "INSERT OR REPLACE INTO schema_state (key, fingerprint) VALUES (?, ?)", [key, value]
    )


def is_current(
    con: duckdb.DuckDBPyConnection,
    migrations_dir: Path = MIGRATIONS_DIR,
    views_dir: Path = VIEWS_DIR,
) -> bool:
    """Whether the warehouse completed a migration run with exactly these files."""
    return read_state(con, "files") == fingerprint(discover(migrations_dir), views_dir)


def _migrate(con: duckdb.DuckDBPyConnection, migration: Migration) -> int:
    try:
        con.execute(migration.sql)
        con.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
            [migration.version, migration.name, migration.checksum],
        )
    except duckdb.Error as exc:
        raise MigrationError(f"migration {migration.name} failed: {exc}") from exc
    return migration.version


def _views(con: duckdb.DuckDBPyConnection, views_dir: Path) -> None:
    for view in sorted(views_dir.glob("*.sql")):
        try:
            con.execute(view.read_text(encoding="utf-8"))
        except duckdb.Error as exc:
            raise MigrationError(f"view {view.name} failed: {exc}") from exc


def apply(
    con: duckdb.DuckDBPyConnection,
    migrations_dir: Path = MIGRATIONS_DIR,
    views_dir: Path = VIEWS_DIR,
) -> list[int]:
    """Apply pending migrations and recreate the views on an open read-write connection (a
    no-op when the files are those of the last completed migration run: `schema_state`)."""
    migrations = discover(migrations_dir)
    wanted = fingerprint(migrations, views_dir)
    if read_state(con, "files") == wanted:
        return []
    applied = _applied(con)
    _check_history(migrations, applied)
    if not applied:
        # A new warehouse: every migration and the views in one transaction (one commit,
        # not 16: 0.05 s of CPU and as many syncs of the file). Nothing is lost if one
        # fails, as nothing was there; a warehouse with a history keeps each migration's
        # own transaction, so one that fails leaves the earlier ones applied.
        with transaction(con):
            done = [_migrate(con, m) for m in migrations]
            _views(con, views_dir)
    else:
        done = []
        for migration in migrations:
            if migration.version not in applied:
                with transaction(con):
                    done.append(_migrate(con, migration))
        with transaction(con):
            _views(con, views_dir)
    move_raw_out(con)
    write_state(con, "files", wanted)  # last: an interrupted migration run is done again
    return done


_MOVE_CHUNK = 200  # rows per transaction: bounded memory, and a crash loses one chunk's work


def move_raw_out(con: duckdb.DuckDBPyConnection, chunk: int = _MOVE_CHUNK) -> int:
    """Move the raw bytes a warehouse from before migration 0050 keeps in
    `raw_documents.content` into its raw store, a chunk per transaction (files first, then the
    rows that name them): a crash halfway leaves rows either moved or still holding their
    bytes, and readers read both. Returns the rows moved; a no-op once done.

    The file does not shrink by itself: DuckDB reuses the freed blocks for later loads."""
    if not con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
        "AND table_name = 'raw_documents' AND column_name = 'content_size'"
    ).fetchone()[0]:
        return 0  # a test's own migrations folder without 0050
    (path,) = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    root = store_root(path)
    moved = 0
    while True:
        rows = con.execute(
            "SELECT doc_id, content FROM raw_documents WHERE content_size IS NULL LIMIT ?",
            [chunk],
        ).fetchall()
        if not rows:
            return moved
        done = [
            (doc_id, put(root, content) if content else None, len(content or b""))
            for doc_id, content in rows
        ]
        ids, shas, sizes = zip(*done, strict=True)
        con.register(
            "moved_raw",
            pa.table(
                {
                    "doc_id": pa.array(ids, pa.string()),
                    "sha": pa.array(shas, pa.string()),
                    "size": pa.array(sizes, pa.int64()),
                }
            ),
        )
        try:
            with transaction(con):
                con.execute(
                    "UPDATE raw_documents AS r SET content_sha256 = m.sha, content_size = m.size, "
                    "content = NULL FROM moved_raw AS m WHERE r.doc_id = m.doc_id"
                )
        finally:
            con.unregister("moved_raw")
        moved += len(done)


def migrate(
    db_path: Path | str,
    *,
    migrations_dir: Path = MIGRATIONS_DIR,
    views_dir: Path = VIEWS_DIR,
    lock_timeout_s: float = WRITE_TIMEOUT_S,
) -> list[int]:
    """Bring the warehouse file up to date; returns the versions applied now (often none)."""
    with open_write(db_path, lock_timeout_s) as con:
        return apply(con, migrations_dir, views_dir)
