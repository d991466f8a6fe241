"""The archive's exceptions."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class ArchiveError(Exception):
    """The archive cannot be used as asked (missing, newer schema, bad query)."""


class ArchiveNotFound(ArchiveError, FileNotFoundError):
    """A read-only open of an archive file that does not exist."""


class ArchiveDamaged(ArchiveError):
    """SQLite's quick check finds the archive file damaged: nothing is written to it."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(
            f"archive {path} is damaged ({problem}); not writing to it. Keep the file, "
            "copy it with `scrapy archive backup` and recover it as docs/operations.md "
            "describes (A damaged archive)"
        )


class ArchiveUnwritable(ArchiveError):
    """The archive file, or the directory it is in, cannot be written."""


class ArchiveLocked(ArchiveError):
    """Another crawl holds the archive's run lock."""

    def __init__(self, lock_path: Path, pid: int | None) -> None:
        self.lock_path = lock_path
        self.pid = pid
        holder = f"process {pid}" if pid else "another process"
        super().__init__(
            f"archive is locked by {holder} (lock file {lock_path}); "
            "another crawl is running against this archive"
        )


class RecordRefused(ArchiveError, ValueError):
    """The archive's constraints refuse a record (no identity, a key that does not match
    its id and year, no URL); the batch it came in is not stored."""
