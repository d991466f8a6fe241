"""Where the pages are: article responses kept in WARC files, and the source of each version.

``page_captures`` has one row per article response written to (or imported from) a WARC
file: the file, the offset and length of the response record, and its ``WARC-Record-ID``.
``article_sources`` names, for an article version, the capture it was extracted from and
why (``crawl``, ``reextract`` or ``import``). The record itself carries none of this: a
page is evidence about a record, not a part of it (docs/archive.md, "Pages").

>>> import tempfile, pathlib
>>> from beltacrawl.archive import Archive
>>> with tempfile.TemporaryDirectory() as tmp, Archive.open(pathlib.Path(tmp) / "a.sqlite") as a:
...     capture = Capture("1-2024", "https://deu.belta.by/economics/view/x-1-2024/",
...                       "2024-05-01T10:00:00+00:00", "warc/a.warc.gz", 0, 900, "<urn:uuid:1>")
...     source = Source(a.captures.add(capture), CRAWL)
...     record = {"url": capture.url, "key": "1-2024", "article_id": 1, "article_year": 2024,
...               "kind": "article",
...               "title": "T", "body": "B", "content_hash": "h1"}
...     _ = a.store.upsert_many([record], sources=[source])
...     a.captures.source_of("1-2024", 1).record_id
'<urn:uuid:1>'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable, Iterator

    from beltacrawl.archive.database import Database

#: Why an article version was stored (``article_sources.reason``).
CRAWL, REEXTRACT, IMPORT = "crawl", "reextract", "import"


@dataclass(frozen=True, slots=True)
class Capture:
    """One article response in a WARC file."""

    key: str
    url: str
    """The URL fetched (``WARC-Target-URI``), not necessarily the canonical one."""
    fetched_at: str | None
    """The site's time of the fetch, as the record's ``fetched_at`` (ISO 8601, UTC)."""
    warc_file: str
    """Relative to the archive's folder (files the crawl wrote), or absolute (imports)."""
    warc_offset: int
    warc_length: int
    record_id: str
    origin: str = CRAWL
    """``crawl`` (written by a crawl) or ``import`` (read by ``import-warc``)."""


@dataclass(frozen=True, slots=True)
class Source:
    """The capture an article version was extracted from, and why it was stored."""

    capture_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class StoredCapture:
    """A capture as the archive holds it."""

    id: int
    capture: Capture

    @property
    def key(self) -> str:
        return self.capture.key


def link_current_version(conn: sqlite3.Connection, key: str, source: Source, now: str) -> None:
    """Make ``source`` the source of the article's current version, unless it has one."""
    conn.execute(
        "INSERT OR IGNORE INTO article_sources (key, version, capture_id, reason, recorded_at)"
        " SELECT key, version_count, ?, ?, ? FROM articles WHERE key = ?",
        (source.capture_id, source.reason, now, key),
    )


class Captures:
    """The ``page_captures`` and ``article_sources`` tables."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, capture: Capture) -> int:
        """Remember a capture (once per ``record_id``); its id."""
        return self.add_many([capture])[0]

    def add_many(self, captures: Iterable[Capture]) -> list[int]:
        """Remember captures in one transaction; their ids, in order."""
        ids = []
        with self._db.transaction() as conn:
            for capture in captures:
                conn.execute(
                    "INSERT INTO page_captures (key, url, fetched_at, warc_file, warc_offset,"
                    " warc_length, record_id, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (record_id) DO NOTHING",
                    (
                        capture.key,
                        capture.url,
                        capture.fetched_at,
                        capture.warc_file,
                        capture.warc_offset,
                        capture.warc_length,
                        capture.record_id,
                        capture.origin,
                    ),
                )
                row = conn.execute(
                    "SELECT id FROM page_captures WHERE record_id = ?", (capture.record_id,)
                ).fetchone()
                ids.append(int(row[0]))
        return ids

    def latest(
        self,
        keys: Iterable[str] | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> Iterator[StoredCapture]:
        """The most recent capture of each article (of ``keys``, when given), fetched on
        or after ``since`` and on or before ``until``; in file order, for reading."""
        where, params = [], []
        if keys is not None:
            where.append("key IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(set(keys))))
        if since is not None:
            where.append("fetched_at >= ?")
            params.append(datetime.combine(since, time()).isoformat())
        if until is not None:
            where.append("fetched_at < ?")
            params.append(datetime.combine(until + timedelta(days=1), time()).isoformat())
        rows = self._db.conn.execute(
            "SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY key"
            " ORDER BY fetched_at DESC, id DESC) AS n FROM page_captures)"
            f" WHERE n = 1 {''.join(' AND ' + w for w in where)}"
            " ORDER BY warc_file, warc_offset",
            params,
        )
        for row in rows:
            yield _stored(row)

    def source_of(self, key: str, version: int) -> Capture | None:
        """The capture an article version was extracted from, when known."""
        row = self._db.conn.execute(
            "SELECT c.* FROM article_sources s JOIN page_captures c ON c.id = s.capture_id"
            " WHERE s.key = ? AND s.version = ?",
            (key, version),
        ).fetchone()
        return None if row is None else _stored(row).capture

    def pages(self, key: str) -> list[dict[str, object]]:
        """Each version of an article with a known page: version, reason, and where the
        page is (``warc_file``, ``warc_offset``, ``record_id``, ``url``, ``fetched_at``)."""
        rows = self._db.conn.execute(
            "SELECT s.version, s.reason, c.warc_file, c.warc_offset, c.record_id, c.url,"
            " c.fetched_at FROM article_sources s JOIN page_captures c ON c.id = s.capture_id"
            " WHERE s.key = ? ORDER BY s.version",
            (key,),
        )
        return [dict(row) for row in rows]

    def reasons(self, key: str) -> dict[int, str]:
        """Why each version of an article with a known source was stored."""
        rows = self._db.conn.execute(
            "SELECT version, reason FROM article_sources WHERE key = ? ORDER BY version", (key,)
        )
        return {int(row[0]): row[1] for row in rows}

    def count(self) -> int:
        return int(self._db.conn.execute("SELECT count(*) FROM page_captures").fetchone()[0])


def _stored(row: sqlite3.Row) -> StoredCapture:
    return StoredCapture(
        row["id"],
        Capture(
            key=row["key"],
            url=row["url"],
            fetched_at=row["fetched_at"],
            warc_file=row["warc_file"],
            warc_offset=row["warc_offset"],
            warc_length=row["warc_length"],
            record_id=row["record_id"],
            origin=row["origin"],
        ),
    )
