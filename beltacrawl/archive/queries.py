"""What analysts read: stats, export, full-text search, an article's history, backup and
integrity check (``scrapy archive``)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beltacrawl.archive.columns import ARTICLE_FIELDS, VERSION_FIELDS, decode_row
from beltacrawl.archive.errors import ArchiveError

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Iterator

    from beltacrawl.archive.database import Database
    from beltacrawl.archive.ledger import CrawlRun, Ledger, ListingReach


#: Bounds of one search, so that no query (``--raw`` FTS5 syntax especially) can hold the
#: archive and the analyst's terminal for minutes: hits returned, characters in the
#: query, and seconds it may run before SQLite interrupts it.
MAX_SEARCH_LIMIT = 10_000
MAX_QUERY_LENGTH = 2_000
SEARCH_SECONDS = 10.0
#: SQLite virtual-machine instructions between two looks at the clock.
_PROGRESS_STEPS = 10_000


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One article found by :meth:`Queries.search`."""

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
    """What ``scrapy archive stats`` prints."""

    total: int
    per_rubric: list[tuple[str | None, int]]
    per_month: list[tuple[str | None, int]]
    """``("YYYY-MM", count)`` by publication month (Minsk time), oldest first."""
    newest: dict[str, Any] | None
    """``key``, ``title``, ``published_at``, ``url`` of the most recently published article."""
    versions: int
    failures: int
    """Failed articles still fetched again by later runs."""
    given_up: int
    """Failed articles no longer fetched (``BELTA_FAILURE_ATTEMPTS`` reached)."""
    last_runs: list[CrawlRun]
    reach: list[ListingReach] = field(default_factory=list)
    """How far back each listing's walks reached."""


class Queries:
    """Read-only questions about one archive (safe on a read-only connection)."""

    def __init__(self, database: Database, ledger: Ledger) -> None:
        self._db = database
        self._ledger = ledger

    def stats(self, runs: int = 5, failure_attempts: int | None = None) -> ArchiveStats:
        """Counts per rubric and month, the newest article, and the last ``runs`` runs.

        A failure with ``failure_attempts`` or more attempts (``BELTA_FAILURE_ATTEMPTS``)
        counts as given up; without a limit none does.
        """
        conn = self._db.conn
        limit = failure_attempts if failure_attempts is not None else sys.maxsize
        open_failures, given_up = conn.execute(
            "SELECT count(*) FILTER (WHERE attempts < ?), count(*) FILTER (WHERE attempts >= ?)"
            " FROM failures",
            (limit, limit),
        ).fetchone()
        newest = conn.execute(
            "SELECT key, title, published_at, url FROM articles"
            " WHERE published_at IS NOT NULL ORDER BY published_at DESC LIMIT 1"
        ).fetchone()
        return ArchiveStats(
            total=_count(conn, "articles"),
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
            versions=_count(conn, "article_versions"),
            failures=open_failures,
            given_up=given_up,
            last_runs=self._ledger.recent_runs(runs),
            reach=self._ledger.listing_reach(),
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
            params.append(_lower_bound(since))
        if until is not None:
            clauses.append("published_at < ?")
            params.append(_upper_bound(until))
        wanted = sorted(set(rubrics or ()))
        if wanted:
            clauses.append("rubric IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(wanted))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        cursor = self._db.conn.execute(
            f"SELECT {', '.join(ARTICLE_FIELDS)} FROM articles{where}"
            " ORDER BY published_at, article_year, article_id",
            params,
        )
        try:
            for row in cursor:
                yield decode_row(row)
        finally:
            with contextlib.suppress(sqlite3.ProgrammingError):  # archive already closed
                cursor.close()

    def search(
        self, query: str, limit: int = 20, *, raw: bool = False, seconds: float = SEARCH_SECONDS
    ) -> list[SearchHit]:
        """Full-text search of titles and bodies, best match first (bm25, title weighs 5×).

        Plain words must all occur (``*`` suffix for a prefix); ``raw=True`` passes FTS5
        query syntax (``OR``, ``NEAR``, ``"phrases"``, ``title:``) through unchanged. A
        query longer than ``MAX_QUERY_LENGTH``, a ``limit`` above ``MAX_SEARCH_LIMIT`` and a
        search running longer than ``seconds`` are refused with an :class:`ArchiveError`.
        """
        if not 1 <= limit <= MAX_SEARCH_LIMIT:
            raise ArchiveError(f"search limit {limit} out of range (1 to {MAX_SEARCH_LIMIT})")
        if len(query) > MAX_QUERY_LENGTH:
            raise ArchiveError(
                f"search query too long ({len(query)} characters, at most {MAX_QUERY_LENGTH})"
            )
        match = query if raw else fts_query(query)
        if not match.strip():
            return []
        conn = self._db.conn
        deadline = time.monotonic() + seconds
        conn.set_progress_handler(lambda: time.monotonic() > deadline, _PROGRESS_STEPS)
        try:
            rows = conn.execute(
                "SELECT a.key, a.title, a.published_at, a.rubric, a.url,"
                " snippet(articles_fts, 1, '[', ']', ' … ', 16) AS snippet,"
                " bm25(articles_fts, 5.0, 1.0) AS score"
                " FROM articles_fts JOIN articles AS a ON a.id = articles_fts.rowid"
                " WHERE articles_fts MATCH ? ORDER BY score LIMIT ?",
                (match, limit),
            ).fetchall()
        except sqlite3.OperationalError as exc:
            if time.monotonic() > deadline:
                raise ArchiveError(
                    f"search stopped after {seconds:g} s; use fewer or longer terms"
                ) from exc
            raise ArchiveError(f"invalid search query {query!r}: {exc}") from exc
        finally:
            conn.set_progress_handler(None, 0)
        return [SearchHit(**dict(row)) for row in rows]

    def show(self, key: str) -> ArticleHistory | None:
        """An article with its previous versions, or ``None`` for an unknown key."""
        conn = self._db.conn
        row = conn.execute(
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
                **decode_row(v, VERSION_FIELDS),
            }
            for v in conn.execute(
                f"SELECT version, archived_at, {', '.join(VERSION_FIELDS)}"
                " FROM article_versions WHERE key = ? ORDER BY version",
                (key,),
            )
        ]
        return ArticleHistory(
            article=decode_row(row),
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
        if target.resolve() == self._db.path.resolve():
            raise ArchiveError("the backup target is the archive itself")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        copy = sqlite3.connect(partial)
        try:
            self._db.conn.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
        partial.rename(target)
        return target

    def integrity_check(self) -> list[str]:
        """Problems found by SQLite's and FTS5's integrity checks; empty when all is well."""
        conn = self._db.conn
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        problems += [
            f"foreign key: {tuple(row)}" for row in conn.execute("PRAGMA foreign_key_check")
        ]
        if not self._db.readonly:
            try:
                conn.execute(
                    "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)"
                )
            except sqlite3.DatabaseError as exc:
                problems.append(f"full-text index: {exc}")
        return problems


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


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _lower_bound(value: date | str) -> str:
    """A lower bound for ``published_at`` comparisons from a date or ISO string."""
    return value.isoformat() if isinstance(value, date) else value


def _upper_bound(value: date | str) -> str:
    """An exclusive upper bound: a whole day is included when given a date."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return (value + timedelta(days=1)).isoformat()
    return value
