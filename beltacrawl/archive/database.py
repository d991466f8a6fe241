"""The connection to one archive file: open (creating and migrating), transactions, close."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from beltacrawl.archive import schema
from beltacrawl.archive.errors import ArchiveError, ArchiveNotFound

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator

#: Milliseconds a connection waits for another writer before giving up with "database is locked".
BUSY_TIMEOUT_MS = 30_000


def utc_now() -> str:
    """Current UTC time, ISO 8601 with offset, e.g. ``2026-11-28T10:00:00+00:00``."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Database:
    """One SQLite connection to an archive file at the current schema version."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, readonly: bool) -> None:
        self.conn = conn
        """The connection (autocommit: write through :meth:`transaction`)."""
        self.path = path
        self.readonly = readonly

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, readonly: bool = False) -> Database:
        """Open (and, unless ``readonly``, create and migrate) the archive at ``path``."""
        path = Path(path).expanduser()
        if readonly:
            if not path.is_file():
                raise ArchiveNotFound(f"no archive at {path}")
            conn = sqlite3.connect(
                path.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None
            )
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            if not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            database = cls(conn, path, readonly=readonly)
            database._migrate()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ArchiveError(f"cannot open archive {path}: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        return database

    def _migrate(self) -> None:
        target = schema.schema_version()
        version = self.user_version()
        if version > target:
            raise ArchiveError(
                f"archive {self.path} has schema version {version}; this beltacrawl "
                f"knows versions up to {target} — upgrade beltacrawl"
            )
        if version == target and not schema.missing_columns(self.conn):
            return
        if self.readonly:
            raise ArchiveError(
                f"archive {self.path} has schema version {version}, expected {target}"
                f"{'' if version < target else ' with every record field'}; "
                "open it once read-write (e.g. run a crawl) to migrate it"
            )
        while True:
            with self.transaction():
                # Re-read inside the write lock: another process may have migrated meanwhile.
                version = self.user_version()
                if version >= target:
                    schema.add_missing_columns(self.conn)
                    return
                schema.MIGRATIONS[version](self.conn)
                self.conn.execute(f"PRAGMA user_version = {version + 1}")

    def user_version(self) -> int:
        """The archive's schema version (``PRAGMA user_version``)."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        # IMMEDIATE takes the write lock up front, so a concurrent writer waits (busy
        # timeout) instead of failing half-way with SQLITE_BUSY on lock upgrade.
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()
