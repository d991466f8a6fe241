"""The connection to one archive file: open (creating and migrating), transactions, close."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from beltacrawl.archive import schema
from beltacrawl.archive.errors import (
    ArchiveDamaged,
    ArchiveError,
    ArchiveNotFound,
    ArchiveUnwritable,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Milliseconds a connection waits for another writer before giving up with "database is locked".
BUSY_TIMEOUT_MS = 30_000


def utc_now() -> str:
    """Current UTC time, ISO 8601 with offset, e.g. ``2026-11-28T10:00:00+00:00``."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def unwritable(path: Path) -> str | None:
    """Why an archive at ``path`` could not be written, or ``None``. SQLite writes beside
    the file (its ``-wal`` and ``-shm`` files), and so does the run lock: the directory
    must be writable too."""
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is read-only"
    directory = next((parent for parent in path.parents if parent.exists()), Path("."))
    if not directory.is_dir():
        return f"{directory} is not a directory"
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"the directory {directory} is not writable"
    return None


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
            if cause := unwritable(path):
                raise ArchiveUnwritable(f"cannot write the archive {path}: {cause}")
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
            if not readonly:
                database._check_intact()
            database._migrate()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ArchiveError(f"cannot open archive {path}: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        return database

    def _check_intact(self) -> None:
        """Refuse a damaged file before anything is written to it (SQLite's quick check:
        every page read once, without the slower index cross-checks)."""
        try:
            rows = [row[0] for row in self.conn.execute("PRAGMA quick_check(1)")]
        except sqlite3.DatabaseError as exc:
            raise ArchiveDamaged(self.path, str(exc)) from exc
        if rows != ["ok"]:
            lines = [line for line in rows[0].splitlines() if not line.startswith("***")]
            raise ArchiveDamaged(self.path, lines[0] if lines else rows[0])

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
