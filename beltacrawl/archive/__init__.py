"""The SQLite archive: current articles, their previous versions, failures and crawl runs.

It stores records; it never parses pages. See docs/archive.md for the tables and example
queries. :meth:`Archive.open` returns one connection with three parts:

- ``archive.store`` (:mod:`.store`): the versioned upsert of records, and the lookups a
  crawl decides with (``lookup``, ``refresh_candidates``, ``count``);
- ``archive.ledger`` (:mod:`.ledger`): crawl runs, failed fetches, listing coverage;
- ``archive.queries`` (:mod:`.queries`): what analysts read (stats, export, search, show,
  backup, integrity check);
- ``archive.captures`` (:mod:`.captures`): where each article's pages are kept (WARC) and
  which page each version was extracted from.

Underneath: :mod:`.database` (the connection: open, migrate, transactions, close),
:mod:`.schema` (DDL and migrations), :mod:`.columns` (the columns and row codec derived
from :class:`beltacrawl.items.Article`), :mod:`.lock` (the run lock that keeps a second
crawl out) and :mod:`.errors`.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp, Archive.open(pathlib.Path(tmp) / "a.sqlite") as a:
...     record = {"url": "https://deu.belta.by/economics/view/x-1-2024/", "key": "1-2024",
...               "article_id": 1, "article_year": 2024, "kind": "article", "title": "T",
...               "body": "B", "content_hash": "h1"}
...     a.store.upsert_many([record, {**record, "content_hash": "h2", "body": "B2"}])
...     a.store.lookup(["1-2024", "2-2024"])["1-2024"].key, a.store.count()
[<Outcome.NEW: 'new'>, <Outcome.UPDATED: 'updated'>]
('1-2024', 1)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from beltacrawl.archive.captures import Capture, Captures, Source
from beltacrawl.archive.columns import ARTICLE_FIELDS
from beltacrawl.archive.database import Database
from beltacrawl.archive.errors import ArchiveError, ArchiveLocked, ArchiveNotFound, RecordRefused
from beltacrawl.archive.ledger import CrawlRun, FailureRecord, Ledger
from beltacrawl.archive.lock import ArchiveLock
from beltacrawl.archive.queries import ArchiveStats, ArticleHistory, Queries, SearchHit
from beltacrawl.archive.schema import schema_version
from beltacrawl.archive.store import ArchivedState, Outcome, Store

if TYPE_CHECKING:
    import os
    from pathlib import Path
    from types import TracebackType

__all__ = [
    "ARTICLE_FIELDS",
    "DEFAULT_PATH",
    "Archive",
    "ArchiveError",
    "ArchiveLock",
    "ArchiveLocked",
    "ArchiveNotFound",
    "ArchiveStats",
    "ArchivedState",
    "ArticleHistory",
    "Capture",
    "CrawlRun",
    "FailureRecord",
    "Outcome",
    "RecordRefused",
    "SearchHit",
    "Source",
    "schema_version",
]

#: Where the archive lives unless ``BELTA_ARCHIVE`` says otherwise (relative to the
#: directory scrapy runs in).
DEFAULT_PATH = "data/belta.sqlite"


class Archive:
    """One open archive file. Open with :meth:`open`; close it or use ``with``."""

    def __init__(self, database: Database) -> None:
        self.db = database
        """The connection the parts share."""
        self.store = Store(database)
        self.ledger = Ledger(database)
        self.queries = Queries(database, self.ledger)
        self.captures = Captures(database)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, readonly: bool = False) -> Archive:
        """Open (and, unless ``readonly``, create and migrate) the archive at ``path``.

        Raises :class:`ArchiveNotFound` for a read-only open of a missing file, and
        :class:`ArchiveError` for a file that is not an archive this code can use.
        """
        return cls(Database.open(path, readonly=readonly))

    @property
    def path(self) -> Path:
        return self.db.path

    @property
    def readonly(self) -> bool:
        return self.db.readonly

    def user_version(self) -> int:
        """The archive's schema version."""
        return self.db.user_version()

    @property
    def lock_path(self) -> Path:
        """``<archive>.lock``, the file of the run lock."""
        return self.path.with_name(self.path.name + ".lock")

    def lock(self) -> ArchiveLock:
        """Take the run lock now; raises :class:`ArchiveLocked` when another crawl holds it.

        Use as a context manager or call ``release()`` on the returned handle.
        """
        return ArchiveLock(self.lock_path).acquire()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
