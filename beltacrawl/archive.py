"""The SQLite archive: current articles, their previous versions, failures and crawl runs.

Shared by the archive pipeline (writes), the spider (looks up what it already has, records
failures) and the ``scrapy archive`` command (reads). It stores records; it never parses
pages. See docs/archive.md for the tables and example queries.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp, Archive.open(pathlib.Path(tmp) / "a.sqlite") as a:
...     record = {"url": "https://deu.belta.by/economics/view/x-1-2024/", "key": "1-2024",
...               "article_id": 1, "article_year": 2024, "title": "T", "body": "B",
...               "content_hash": "h1"}
...     a.upsert_many([record, {**record, "content_hash": "h2", "body": "B2"}])
...     a.lookup(["1-2024", "2-2024"])["1-2024"].key, a.count()
[<Outcome.NEW: 'new'>, <Outcome.UPDATED: 'updated'>]
('1-2024', 1)
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import fcntl
import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from types import TracebackType

#: Article fields in item order, each one a column of ``articles`` (see beltacrawl/items.py).
ARTICLE_FIELDS: tuple[str, ...] = (
    "url",
    "fetched_url",
    "key",
    "article_id",
    "article_year",
    "rubric",
    "rubric_label",
    "title",
    "lead",
    "published_at",
    "published_raw",
    "dateline_place",
    "dateline_date",
    "dateline_raw",
    "body",
    "body_html",
    "tags",
    "image_url",
    "image_caption",
    "language",
    "is_incomplete",
    "content_hash",
    "fetched_at",
)
#: Fields that identify an article; they never change, everything else may.
IDENTITY_FIELDS: tuple[str, ...] = ("key", "article_id", "article_year")
#: Fields copied to ``article_versions`` when a new version replaces the current one.
VERSION_FIELDS: tuple[str, ...] = tuple(f for f in ARTICLE_FIELDS if f not in IDENTITY_FIELDS)
#: Details that a re-fetch with the same text may still correct (taken over in place);
#: ``body_html`` too: the same text cleaned by a newer beltacrawl.
DETAIL_FIELDS: tuple[str, ...] = (
    "rubric_label", "lead", "published_at", "published_raw", "dateline_place",
    "dateline_date", "dateline_raw", "tags", "image_url", "image_caption", "body_html",
)  # fmt: skip
#: Fields a fetch may lack although the article has them: ``lead`` comes only from a
#: listing (not when an article is refreshed from the archive), and a date that did not
#: parse this time is no reason to forget the stored one. A missing value keeps the old.
KEPT_IF_MISSING = frozenset(
    {"lead", "rubric_label", "published_at", "published_raw", "image_url", "image_caption"}
)
#: Fields stored as JSON arrays (TEXT) and as 0/1 (INTEGER).
LIST_FIELDS = frozenset({"tags"})
BOOL_FIELDS = frozenset({"is_incomplete"})
#: Where the archive lives unless ``BELTA_ARCHIVE`` says otherwise (relative to the
#: directory scrapy runs in).
DEFAULT_PATH = "data/belta.sqlite"
#: Milliseconds a connection waits for another writer before giving up with "database is locked".
BUSY_TIMEOUT_MS = 30_000


class ArchiveError(Exception):
    """The archive cannot be used as asked (missing, newer schema, bad query)."""


class ArchiveNotFound(ArchiveError, FileNotFoundError):
    """A read-only open of an archive file that does not exist."""


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


class Outcome(enum.Enum):
    """What ``upsert_many`` did with one record."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class ArchivedState:
    """What the spider needs to know about an archived article to decide whether to fetch."""

    key: str
    published_at: str | None
    is_incomplete: bool | None
    fetched_at: str | None
    """Time of the most recent fetch (also advanced when the content was unchanged)."""
    url: str | None = None


@dataclass(frozen=True, slots=True)
class FailureRecord:
    url: str
    key: str | None
    reason: str
    failed_at: str
    attempts: int


@dataclass(frozen=True, slots=True)
class CrawlRun:
    id: int
    spider: str
    started_at: str
    finished_at: str | None
    arguments: dict[str, Any]
    stats: dict[str, Any] | None
    finish_reason: str | None
    new: int | None
    updated: int | None
    unchanged: int | None
    failed: int | None
    verdict: str | None = None
    """Health verdict: ``ok``, ``problems`` (listed in ``problems``), or ``None`` when the
    run was not closed (killed) or predates schema version 2."""
    problems: list[str] = dataclasses.field(default_factory=list)
    summary: str | None = None
    """The end-of-run summary block, as logged."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    key: str
    title: str | None
    published_at: str | None
    rubric: str | None
    url: str
    snippet: str
    score: float
    """bm25 score: lower is better (SQLite's convention)."""


@dataclass(frozen=True, slots=True)
class ArticleHistory:
    """One article as ``show`` returns it: the current record and its previous versions."""

    article: dict[str, Any]
    """The current record, with the same fields as the ``Article`` item."""
    first_seen_at: str
    last_seen_at: str
    updated_at: str
    version_count: int
    versions: list[dict[str, Any]]
    """Previous versions, oldest first; each has ``version`` and ``archived_at``."""


@dataclass(frozen=True, slots=True)
class ArchiveStats:
    total: int
    per_rubric: list[tuple[str | None, int]]
    per_month: list[tuple[str | None, int]]
    """``("YYYY-MM", count)`` by publication month (Minsk time), oldest first."""
    newest: dict[str, Any] | None
    """``key``, ``title``, ``published_at``, ``url`` of the most recently published article."""
    versions: int
    failures: int
    last_runs: list[CrawlRun]


# --- schema ---------------------------------------------------------------------------

_V1: tuple[str, ...] = (
    """
    CREATE TABLE articles (
        id              INTEGER PRIMARY KEY,  -- stable rowid for the full-text index
        article_id      INTEGER NOT NULL,
        article_year    INTEGER NOT NULL,
        key             TEXT    NOT NULL,
        url             TEXT    NOT NULL,
        fetched_url     TEXT,
        rubric          TEXT,
        rubric_label    TEXT,
        title           TEXT,
        lead            TEXT,
        published_at    TEXT,
        published_raw   TEXT,
        dateline_place  TEXT,
        dateline_date   TEXT,
        dateline_raw    TEXT,
        body            TEXT,
        body_html       TEXT,
        tags            TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
        image_url       TEXT,
        image_caption   TEXT,
        language        TEXT,
        is_incomplete   INTEGER CHECK (is_incomplete IN (0, 1)),
        content_hash    TEXT,
        fetched_at      TEXT,
        first_seen_at   TEXT    NOT NULL,
        last_seen_at    TEXT    NOT NULL,
        updated_at      TEXT    NOT NULL,
        version_count   INTEGER NOT NULL DEFAULT 1,
        UNIQUE (article_id, article_year),
        CHECK (key = article_id || '-' || article_year)
    )
    """,
    "CREATE UNIQUE INDEX articles_key ON articles (key)",
    "CREATE INDEX articles_published_at ON articles (published_at)",
    "CREATE INDEX articles_rubric ON articles (rubric, published_at)",
    """
    CREATE TABLE article_versions (
        id              INTEGER PRIMARY KEY,
        article_id      INTEGER NOT NULL,
        article_year    INTEGER NOT NULL,
        key             TEXT    NOT NULL,
        version         INTEGER NOT NULL,
        url             TEXT,
        fetched_url     TEXT,
        rubric          TEXT,
        rubric_label    TEXT,
        title           TEXT,
        lead            TEXT,
        published_at    TEXT,
        published_raw   TEXT,
        dateline_place  TEXT,
        dateline_date   TEXT,
        dateline_raw    TEXT,
        body            TEXT,
        body_html       TEXT,
        tags            TEXT    NOT NULL DEFAULT '[]',
        image_url       TEXT,
        image_caption   TEXT,
        language        TEXT,
        is_incomplete   INTEGER,
        content_hash    TEXT,
        fetched_at      TEXT,
        archived_at     TEXT    NOT NULL,
        UNIQUE (article_id, article_year, version),
        FOREIGN KEY (article_id, article_year)
            REFERENCES articles (article_id, article_year) ON DELETE CASCADE
    )
    """,
    "CREATE INDEX article_versions_key ON article_versions (key, version)",
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, body,
        content = 'articles', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
    END
    """,
    """
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END
    """,
    """
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO articles_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
    END
    """,
    """
    CREATE TABLE failures (
        url         TEXT    PRIMARY KEY,
        key         TEXT,
        reason      TEXT    NOT NULL,
        failed_at   TEXT    NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 1
    )
    """,
    "CREATE INDEX failures_key ON failures (key)",
    """
    CREATE TABLE listing_coverage (
        listing     TEXT    PRIMARY KEY,  -- all_news or a rubric slug
        oldest      TEXT    NOT NULL,     -- listed time of the oldest entry of the stretch
        newest      TEXT    NOT NULL,     -- listed time of the newest entry of the stretch
        updated_at  TEXT    NOT NULL
    )
    """,
    """
    CREATE TABLE crawl_runs (
        id              INTEGER PRIMARY KEY,
        spider          TEXT    NOT NULL,
        started_at      TEXT    NOT NULL,
        finished_at     TEXT,
        arguments       TEXT    NOT NULL DEFAULT '{}',
        stats           TEXT,
        finish_reason   TEXT,
        new_count       INTEGER,
        updated_count   INTEGER,
        unchanged_count INTEGER,
        failed_count    INTEGER
    )
    """,
)


def _migrate_to_1(conn: sqlite3.Connection) -> None:
    for statement in _V1:
        conn.execute(statement)


def _migrate_to_2(conn: sqlite3.Connection) -> None:
    """``crawl_runs`` keeps the end-of-run summary and its health verdict."""
    conn.execute("ALTER TABLE crawl_runs ADD COLUMN verdict TEXT")  # 'ok' | 'problems'
    conn.execute("ALTER TABLE crawl_runs ADD COLUMN problems TEXT")  # JSON array of strings
    conn.execute("ALTER TABLE crawl_runs ADD COLUMN summary TEXT")  # the logged block


def _migrate_to_3(conn: sqlite3.Connection) -> None:
    """The full-text index merges its segments when 8 of a size exist, not 4: every
    batch of articles writes a segment, and merging took a fifth of storing an article
    (docs/performance.md); a search reads at most twice as many segments."""
    conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 8)")


#: Schema migrations: ``MIGRATIONS[n]`` takes an archive from version ``n`` to ``n + 1``.
#: A schema change appends one function; released functions are never edited.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _migrate_to_1,
    _migrate_to_2,
    _migrate_to_3,
]


def schema_version() -> int:
    """The schema version this code writes (``PRAGMA user_version`` of a current archive)."""
    return len(MIGRATIONS)


# --- helpers --------------------------------------------------------------------------


def utc_now() -> str:
    """Current UTC time, ISO 8601 with offset, e.g. ``2026-11-28T10:00:00+00:00``."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default, sort_keys=True)


def _encode(field: str, value: Any) -> Any:
    if field in LIST_FIELDS:
        return json.dumps(list(value or []), ensure_ascii=False)
    if field in BOOL_FIELDS:
        return None if value is None else int(bool(value))
    return value


def _decode(field: str, value: Any) -> Any:
    if field in LIST_FIELDS:
        return json.loads(value) if value else []
    if field in BOOL_FIELDS:
        return None if value is None else bool(value)
    return value


def _record_from_row(row: sqlite3.Row, fields: Sequence[str] = ARTICLE_FIELDS) -> dict[str, Any]:
    return {field: _decode(field, row[field]) for field in fields}


def _date_bound(value: date | str) -> str:
    """A lower bound for ``published_at`` comparisons from a date or ISO string."""
    return value.isoformat() if isinstance(value, date) else value


def _upper_bound(value: date | str) -> str:
    """An exclusive upper bound: a whole day is included when given a date."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return (value + timedelta(days=1)).isoformat()
    return value


def fts_query(text: str) -> str:
    """Turn plain search words into a safe FTS5 query: every word must occur.

    A trailing ``*`` keeps its prefix meaning; FTS5 operators are taken literally.

    >>> fts_query('Kasachstan Lukaschenko-Besuch')
    '"Kasachstan" "Lukaschenko-Besuch"'
    >>> fts_query('Wirtsch* AND')
    '"Wirtsch"* "AND"'
    """
    terms = []
    for word in text.split():
        prefix = word.endswith("*") and len(word) > 1
        word = word[:-1] if prefix else word
        terms.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(terms)


# --- the run lock ---------------------------------------------------------------------


class ArchiveLock:
    """An exclusive, non-blocking ``flock`` on ``<archive>.lock`` held for one crawl.

    The lock file keeps the holder's pid so that a refused crawl can name it. The kernel
    releases the lock when the holder exits, so a crashed crawl never leaves it stuck.
    """

    def __init__(self, lock_path: Path) -> None:
        self.path = lock_path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> ArchiveLock:
        if self._fd is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise ArchiveLocked(self.path, pid) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.fsync(fd)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None


# --- the archive ----------------------------------------------------------------------


class Archive:
    """A connection to one archive file. Open with :meth:`open`; close or use ``with``."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, readonly: bool) -> None:
        self._conn = conn
        self.path = path
        self.readonly = readonly

    # - opening --------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, readonly: bool = False) -> Archive:
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
            archive = cls(conn, path, readonly=readonly)
            archive._migrate()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ArchiveError(f"cannot open archive {path}: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        return archive

    def _migrate(self) -> None:
        target = schema_version()
        version = self.user_version()
        if version > target:
            raise ArchiveError(
                f"archive {self.path} has schema version {version}; this beltacrawl "
                f"knows versions up to {target} — upgrade beltacrawl"
            )
        if version == target:
            return
        if self.readonly:
            raise ArchiveError(
                f"archive {self.path} has schema version {version}, expected {target}; "
                "open it once read-write (e.g. run a crawl) to migrate it"
            )
        while True:
            with self._transaction():
                # Re-read inside the write lock: another process may have migrated meanwhile.
                version = self.user_version()
                if version >= target:
                    return
                MIGRATIONS[version](self._conn)
                self._conn.execute(f"PRAGMA user_version = {version + 1}")

    def user_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def lock(self) -> ArchiveLock:
        """Take the run lock now; raises :class:`ArchiveLocked` when another crawl holds it.

        Use as a context manager or call ``release()`` on the returned handle.
        """
        return ArchiveLock(self.lock_path).acquire()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so a concurrent writer waits (busy
        # timeout) instead of failing half-way with SQLITE_BUSY on lock upgrade.
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")

    # - writing articles -----------------------------------------------------------------

    def upsert_many(self, records: Sequence[Mapping[str, Any]]) -> list[Outcome]:
        """Store a batch of article records in one transaction; one outcome per record.

        A record whose ``content_hash`` differs from the stored one becomes the current
        version and the previous one is kept in ``article_versions``. An identical hash
        only advances ``last_seen_at`` and ``fetched_at``: the stored text stays. A
        success clears the article's entry in ``failures``.
        """
        rows = [_article_row(record) for record in records]
        now = utc_now()
        with self._transaction():
            return [self._upsert_one(row, now) for row in rows]

    def _upsert_one(self, row: dict[str, Any], now: str) -> Outcome:
        conn = self._conn
        stored = conn.execute(
            "SELECT id, content_hash, title, body FROM articles"
            " WHERE article_id = ? AND article_year = ?",
            (row["article_id"], row["article_year"]),
        ).fetchone()
        if stored is None:
            columns = (*ARTICLE_FIELDS, "first_seen_at", "last_seen_at", "updated_at")
            conn.execute(
                f"INSERT INTO articles ({', '.join(columns)})"
                f" VALUES ({', '.join('?' * len(columns))})",
                (*(row[f] for f in ARTICLE_FIELDS), now, now, now),
            )
            outcome = Outcome.NEW
        elif _same_content(stored, row):
            # The text is the same; details around it (date, dateline, tags, image) may
            # have been corrected, and are taken over in place, without a new version.
            details = {f: row[f] for f in DETAIL_FIELDS}
            conn.execute(
                "UPDATE articles SET last_seen_at = :now, fetched_at = CASE"
                " WHEN :fetched_at IS NOT NULL AND (fetched_at IS NULL OR :fetched_at > fetched_at)"
                " THEN :fetched_at ELSE fetched_at END, "
                + ", ".join(f"{f} = {_kept_if_missing(f, ':' + f)}" for f in DETAIL_FIELDS)
                + " WHERE id = :id",
                {"now": now, "fetched_at": row["fetched_at"], "id": stored["id"], **details},
            )
            outcome = Outcome.UNCHANGED
        else:
            fields = ", ".join(VERSION_FIELDS)
            conn.execute(
                "INSERT INTO article_versions"
                f" (article_id, article_year, key, version, {fields}, archived_at)"
                f" SELECT article_id, article_year, key, version_count, {fields}, ?"
                " FROM articles WHERE id = ?",
                (now, stored["id"]),
            )
            assignments = ", ".join(f"{f} = {_kept_if_missing(f, '?')}" for f in VERSION_FIELDS)
            conn.execute(
                f"UPDATE articles SET {assignments}, last_seen_at = ?, updated_at = ?,"
                " version_count = version_count + 1 WHERE id = ?",
                (*(row[f] for f in VERSION_FIELDS), now, now, stored["id"]),
            )
            outcome = Outcome.UPDATED
        conn.execute(
            "DELETE FROM failures WHERE key = ? OR url IN (?, ?)",
            (row["key"], row["url"], row["fetched_url"]),
        )
        return outcome

    # - what the spider asks -------------------------------------------------------------

    def lookup(self, keys: Iterable[str]) -> dict[str, ArchivedState]:
        """The archived state of those ``keys`` that are in the archive (one query)."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        rows = self._conn.execute(
            "SELECT key, published_at, is_incomplete, fetched_at FROM articles"
            " WHERE key IN (SELECT value FROM json_each(?))",
            (json.dumps(wanted),),
        )
        return {
            row["key"]: ArchivedState(
                key=row["key"],
                published_at=row["published_at"],
                is_incomplete=_decode("is_incomplete", row["is_incomplete"]),
                fetched_at=row["fetched_at"],
            )
            for row in rows
        }

    def refresh_candidates(
        self, published_since: str, young_hours: float, undated_since: str
    ) -> list[ArchivedState]:
        """Articles published since ``published_since`` whose stored copy may be stale:
        marked ``/Wird ergänzt/``, or taken less than ``young_hours`` after publication;
        and, when ``young_hours`` is positive, copies without a publication time (the
        page's date was not understood) first archived since ``undated_since`` (this
        machine's clock, as ``first_seen_at``: each refresh moves ``fetched_at``)."""
        rows = self._conn.execute(
            "SELECT key, url, published_at, is_incomplete, fetched_at FROM articles"
            " WHERE (published_at >= ? AND (is_incomplete = 1"
            " OR (julianday(fetched_at) - julianday(published_at)) * 24 < ?))"
            " OR (published_at IS NULL AND ? > 0 AND julianday(first_seen_at) >= julianday(?))"
            " ORDER BY published_at IS NULL, published_at DESC",
            (published_since, young_hours, young_hours, undated_since),
        )
        return [
            ArchivedState(
                key=row["key"],
                published_at=row["published_at"],
                is_incomplete=_decode("is_incomplete", row["is_incomplete"]),
                fetched_at=row["fetched_at"],
                url=row["url"],
            )
            for row in rows
        ]

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    # - failures -------------------------------------------------------------------------

    def record_failure(self, url: str, key: str | None, reason: str) -> None:
        """Remember that fetching ``url`` failed; a later success of ``key`` clears it."""
        with self._transaction():
            self._conn.execute(
                "INSERT INTO failures (url, key, reason, failed_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET key = coalesce(excluded.key, key),"
                " reason = excluded.reason, failed_at = excluded.failed_at,"
                " attempts = attempts + 1",
                (url, key, reason, utc_now()),
            )

    def failures(self) -> list[FailureRecord]:
        rows = self._conn.execute(
            "SELECT url, key, reason, failed_at, attempts FROM failures ORDER BY failed_at, url"
        )
        return [FailureRecord(**dict(row)) for row in rows]

    # - listing coverage -----------------------------------------------------------------

    def coverage(self, listing: str) -> tuple[str, str] | None:
        """``(oldest, newest)`` listed times between which a finished walk of ``listing``
        archived every entry (or recorded it as failed), or ``None``.

        Incremental runs stop early only inside this stretch: a run killed half-way never
        extends it, so the next run walks on until it has caught up.
        """
        row = self._conn.execute(
            "SELECT oldest, newest FROM listing_coverage WHERE listing = ?", (listing,)
        ).fetchone()
        return (row["oldest"], row["newest"]) if row else None

    def extend_coverage(self, listing: str, oldest: str, newest: str) -> None:
        """Add a walked stretch; it joins the stored one when the two overlap. A stretch
        apart from the stored one is not recorded: the unwalked gap between them must keep
        later runs walking until they have reached the stored stretch."""
        with self._transaction():
            row = self._conn.execute(
                "SELECT oldest, newest FROM listing_coverage WHERE listing = ?", (listing,)
            ).fetchone()
            if row is not None:
                if oldest > row["newest"] or newest < row["oldest"]:
                    return
                oldest, newest = min(oldest, row["oldest"]), max(newest, row["newest"])
            self._conn.execute(
                "INSERT INTO listing_coverage (listing, oldest, newest, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (listing) DO UPDATE SET"
                " oldest = excluded.oldest, newest = excluded.newest,"
                " updated_at = excluded.updated_at",
                (listing, oldest, newest, utc_now()),
            )

    # - crawl runs -----------------------------------------------------------------------

    def start_run(self, spider: str, arguments: Mapping[str, Any] | Any) -> int:
        """Record the start of a crawl run with its arguments (a mapping or a dataclass)."""
        if dataclasses.is_dataclass(arguments) and not isinstance(arguments, type):
            arguments = dataclasses.asdict(arguments)
        with self._transaction():
            cursor = self._conn.execute(
                "INSERT INTO crawl_runs (spider, started_at, arguments) VALUES (?, ?, ?)",
                (spider, utc_now(), _dumps(dict(arguments or {}))),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_run(
        self,
        run_id: int,
        finish_reason: str,
        stats: Mapping[str, Any],
        *,
        problems: Sequence[str] | None = None,
        summary: str | None = None,
    ) -> None:
        """Close a run: its reason, its stats, and counts from the ``archive/*`` stats.

        ``failed`` counts the failures recorded during the run and still open at its end.
        ``problems`` (the health check's findings, see :mod:`beltacrawl.health`) sets the
        verdict: ``ok`` when empty, ``problems`` otherwise; ``summary`` is the logged block.
        """
        now = utc_now()
        verdict = None if problems is None else ("problems" if problems else "ok")
        with self._transaction():
            self._conn.execute(
                "UPDATE crawl_runs SET finished_at = :now, finish_reason = :reason,"
                " stats = :stats, new_count = :new, updated_count = :updated,"
                " unchanged_count = :unchanged, verdict = :verdict, problems = :problems,"
                " summary = :summary,"
                " failed_count = (SELECT count(*) FROM failures"
                "   WHERE failed_at >= crawl_runs.started_at AND failed_at <= :now)"
                " WHERE id = :id",
                {
                    "now": now,
                    "reason": finish_reason,
                    "stats": _dumps(dict(stats)),
                    "new": int(stats.get("archive/new", 0)),
                    "updated": int(stats.get("archive/updated", 0)),
                    "unchanged": int(stats.get("archive/unchanged", 0)),
                    "verdict": verdict,
                    "problems": None if problems is None else _dumps(list(problems)),
                    "summary": summary,
                    "id": run_id,
                },
            )

    def recent_runs(self, limit: int = 10) -> list[CrawlRun]:
        rows = self._conn.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT ?", (limit,))
        return [
            CrawlRun(
                id=row["id"],
                spider=row["spider"],
                started_at=row["started_at"],
                finished_at=row["finished_at"],
                arguments=json.loads(row["arguments"] or "{}"),
                stats=json.loads(row["stats"]) if row["stats"] else None,
                finish_reason=row["finish_reason"],
                new=row["new_count"],
                updated=row["updated_count"],
                unchanged=row["unchanged_count"],
                failed=row["failed_count"],
                verdict=row["verdict"],
                problems=json.loads(row["problems"]) if row["problems"] else [],
                summary=row["summary"],
            )
            for row in rows
        ]

    # - analyst queries ------------------------------------------------------------------

    def stats(self, runs: int = 5) -> ArchiveStats:
        conn = self._conn
        newest = conn.execute(
            "SELECT key, title, published_at, url FROM articles"
            " WHERE published_at IS NOT NULL ORDER BY published_at DESC LIMIT 1"
        ).fetchone()
        return ArchiveStats(
            total=self.count(),
            per_rubric=[
                (row[0], row[1])
                for row in conn.execute(
                    "SELECT rubric, count(*) AS n FROM articles GROUP BY rubric"
                    " ORDER BY n DESC, rubric"
                )
            ],
            per_month=[
                (row[0], row[1])
                for row in conn.execute(
                    "SELECT substr(published_at, 1, 7) AS month, count(*) FROM articles"
                    " GROUP BY month ORDER BY month"
                )
            ],
            newest=dict(newest) if newest else None,
            versions=int(conn.execute("SELECT count(*) FROM article_versions").fetchone()[0]),
            failures=int(conn.execute("SELECT count(*) FROM failures").fetchone()[0]),
            last_runs=self.recent_runs(runs),
        )

    def iter_articles(
        self,
        since: date | str | None = None,
        until: date | str | None = None,
        rubrics: Iterable[str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Current records, oldest publication first, streamed row by row.

        ``since`` and ``until`` bound ``published_at`` (a date includes its whole day;
        articles without a publication time are left out when either is given).
        """
        clauses: list[str] = []
        params: list[Any] = []
        if since is not None:
            clauses.append("published_at >= ?")
            params.append(_date_bound(since))
        if until is not None:
            clauses.append("published_at < ?")
            params.append(_upper_bound(until))
        wanted = sorted(set(rubrics or ()))
        if wanted:
            clauses.append("rubric IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(wanted))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        cursor = self._conn.execute(
            f"SELECT {', '.join(ARTICLE_FIELDS)} FROM articles{where}"
            " ORDER BY published_at, article_year, article_id",
            params,
        )
        try:
            for row in cursor:
                yield _record_from_row(row)
        finally:
            with contextlib.suppress(sqlite3.ProgrammingError):  # archive already closed
                cursor.close()

    def search(self, query: str, limit: int = 20, *, raw: bool = False) -> list[SearchHit]:
        """Full-text search of titles and bodies, best match first (bm25, title weighs 5×).

        Plain words must all occur (``*`` suffix for a prefix); ``raw=True`` passes FTS5
        query syntax (``OR``, ``NEAR``, ``"phrases"``, ``title:``) through unchanged.
        """
        match = query if raw else fts_query(query)
        if not match.strip():
            return []
        try:
            rows = self._conn.execute(
                "SELECT a.key, a.title, a.published_at, a.rubric, a.url,"
                " snippet(articles_fts, 1, '[', ']', ' … ', 16) AS snippet,"
                " bm25(articles_fts, 5.0, 1.0) AS score"
                " FROM articles_fts JOIN articles AS a ON a.id = articles_fts.rowid"
                " WHERE articles_fts MATCH ? ORDER BY score LIMIT ?",
                (match, limit),
            ).fetchall()
        except sqlite3.OperationalError as exc:
            raise ArchiveError(f"invalid search query {query!r}: {exc}") from exc
        return [SearchHit(**dict(row)) for row in rows]

    def show(self, key: str) -> ArticleHistory | None:
        """An article with its previous versions, or ``None`` for an unknown key."""
        row = self._conn.execute(
            f"SELECT {', '.join(ARTICLE_FIELDS)}, first_seen_at, last_seen_at, updated_at,"
            " version_count FROM articles WHERE key = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        versions = [
            {
                "version": v["version"],
                "archived_at": v["archived_at"],
                **_record_from_row(v, VERSION_FIELDS),
            }
            for v in self._conn.execute(
                f"SELECT version, archived_at, {', '.join(VERSION_FIELDS)}"
                " FROM article_versions WHERE key = ? ORDER BY version",
                (key,),
            )
        ]
        return ArticleHistory(
            article=_record_from_row(row),
            first_seen_at=row["first_seen_at"],
            last_seen_at=row["last_seen_at"],
            updated_at=row["updated_at"],
            version_count=row["version_count"],
            versions=versions,
        )

    def backup(self, target: str | os.PathLike[str]) -> Path:
        """Copy the archive to ``target`` with SQLite's online backup API.

        Safe while a crawl writes (the copy is one consistent snapshot) and from a
        read-only connection. The copy is a single self-contained file; an existing
        ``target`` is refused.
        """
        target = Path(target).expanduser()
        if target.exists():
            raise ArchiveError(f"{target} already exists; choose a new file name")
        if target.resolve() == self.path.resolve():
            raise ArchiveError("the backup target is the archive itself")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        copy = sqlite3.connect(partial)
        try:
            self._conn.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
        partial.rename(target)
        return target

    def integrity_check(self) -> list[str]:
        """Problems found by SQLite's and FTS5's integrity checks; empty when all is well."""
        problems = [
            row[0] for row in self._conn.execute("PRAGMA integrity_check") if row[0] != "ok"
        ]
        problems += [
            f"foreign key: {tuple(row)}" for row in self._conn.execute("PRAGMA foreign_key_check")
        ]
        if not self.readonly:
            try:
                self._conn.execute(
                    "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)"
                )
            except sqlite3.DatabaseError as exc:
                problems.append(f"full-text index: {exc}")
        return problems


def _article_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """Column values for one record; refuses records without a usable identity."""
    row = {field: _encode(field, record.get(field)) for field in ARTICLE_FIELDS}
    article_id, article_year, key = row["article_id"], row["article_year"], row["key"]
    if not isinstance(article_id, int) or not isinstance(article_year, int):
        raise ValueError(f"record without article_id/article_year: {record.get('url')!r}")
    if key != f"{article_id}-{article_year}":
        raise ValueError(f"record key {key!r} does not match {article_id}-{article_year}")
    if not row["url"]:
        raise ValueError(f"record {key} has no url")
    return row


def _kept_if_missing(field: str, placeholder: str) -> str:
    """SQL for the new value of ``field``, keeping the stored one when the new is NULL."""
    return f"coalesce({placeholder}, {field})" if field in KEPT_IF_MISSING else placeholder


def _same_content(stored: sqlite3.Row, row: Mapping[str, Any]) -> bool:
    if row["content_hash"] is not None:
        return bool(stored["content_hash"] == row["content_hash"])
    return bool(stored["title"] == row["title"] and stored["body"] == row["body"])
