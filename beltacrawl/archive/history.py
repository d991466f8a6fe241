"""Versions written from stored pages: re-extraction and imports of older captures.

A crawl only ever appends: its fetch is the newest. Pages read back from WARC files are
not: ``scrapy archive reextract`` replaces the current record when the current parser
reads its page differently (:func:`replace_current`), and ``import-warc`` may bring a
capture older than the archived copy, which takes its place among the earlier versions
by its fetch time and never becomes the current text (:func:`store_earlier`).

>>> import tempfile, pathlib
>>> from beltacrawl.archive import Archive
>>> def record(body, fetched):
...     return {"url": "https://deu.belta.by/economics/view/x-1-2024/", "key": "1-2024",
...             "article_id": 1, "article_year": 2024, "kind": "article", "title": "T",
...             "body": body, "content_hash": body, "fetched_at": fetched}
>>> with tempfile.TemporaryDirectory() as tmp, Archive.open(pathlib.Path(tmp) / "a.sqlite") as a:
...     _ = a.store.upsert_many([record("new", "2024-05-02T00:00:00+00:00")])
...     first = store_earlier(a.db, record("old", "2024-05-01T00:00:00+00:00"), None)
...     again = store_earlier(a.db, record("old", "2024-05-01T06:00:00+00:00"), None)
...     history = a.queries.show("1-2024")
...     first, again, history.article["body"], [v["body"] for v in history.versions]
('earlier', 'unchanged', 'new', ['old'])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from beltacrawl.archive.captures import link_current_version
from beltacrawl.archive.columns import (
    ARTICLE_FIELDS,
    IDENTITY_FIELDS,
    VERSION_FIELDS,
    decode_row,
    encode_row,
)
from beltacrawl.archive.database import utc_now
from beltacrawl.archive.store import write_new_version

if TYPE_CHECKING:
    from collections.abc import Mapping

    from beltacrawl.archive.captures import Source
    from beltacrawl.archive.database import Database

EARLIER, UNCHANGED = "earlier", "unchanged"


def current_record(database: Database, key: str) -> dict[str, Any] | None:
    """The current record of an article, as the crawl stored it."""
    row = database.conn.execute(
        f"SELECT {', '.join(ARTICLE_FIELDS)} FROM articles WHERE key = ?", (key,)
    ).fetchone()
    return None if row is None else decode_row(row)


def replace_current(database: Database, record: Mapping[str, Any], source: Source) -> None:
    """Make ``record`` the article's new current version, extracted from ``source``."""
    row = encode_row(record)
    now = utc_now()
    with database.transaction() as conn:
        (article,) = conn.execute("SELECT id FROM articles WHERE key = ?", (row["key"],)).fetchone()
        write_new_version(conn, article, row, now)
        link_current_version(conn, row["key"], source, now)


def store_earlier(database: Database, record: Mapping[str, Any], source: Source | None) -> str:
    """Put ``record``, fetched before the archived copy, among the article's earlier
    versions by its ``fetched_at``: ``earlier`` when stored, ``unchanged`` when the
    version before or after it has the same text (it is not stored twice)."""
    row = encode_row(record)
    now = utc_now()
    with database.transaction() as conn:
        key = row["key"]
        history = conn.execute(
            "SELECT version, fetched_at, content_hash FROM article_versions WHERE key = ?"
            " UNION ALL SELECT version_count, fetched_at, content_hash FROM articles"
            " WHERE key = ? ORDER BY version",
            (key, key),
        ).fetchall()
        fetched = row["fetched_at"]
        later = [v for v in history if v["fetched_at"] is None or v["fetched_at"] > fetched]
        if not later:
            raise ValueError(f"{key}: a capture of {fetched} is not older than the archived copy")
        position = later[0]["version"]
        neighbours = [v for v in history if v["version"] in (position - 1, position)]
        if any(v["content_hash"] == row["content_hash"] for v in neighbours):
            return UNCHANGED
        # Versions from ``position`` on move up by one; negated first, since SQLite checks
        # UNIQUE (…, version) row by row.
        for table in ("article_versions", "article_sources"):
            conn.execute(
                f"UPDATE {table} SET version = -(version + 1) WHERE key = ? AND version >= ?",
                (key, position),
            )
            conn.execute(
                f"UPDATE {table} SET version = -version WHERE key = ? AND version < 0", (key,)
            )
        conn.execute("UPDATE articles SET version_count = version_count + 1 WHERE key = ?", (key,))
        columns = (*IDENTITY_FIELDS, "version", *VERSION_FIELDS, "archived_at")
        conn.execute(
            f"INSERT INTO article_versions ({', '.join(columns)})"
            f" VALUES ({', '.join('?' * len(columns))})",
            (
                *(row[f] for f in IDENTITY_FIELDS),
                position,
                *(row[f] for f in VERSION_FIELDS),
                now,
            ),
        )
        if source is not None:
            conn.execute(
                "INSERT INTO article_sources (key, version, capture_id, reason, recorded_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (key, position, source.capture_id, source.reason, now),
            )
    return EARLIER
