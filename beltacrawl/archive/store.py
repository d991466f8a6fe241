"""The articles: the versioned upsert, and the lookups a crawl decides with."""

from __future__ import annotations

import enum
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from beltacrawl.archive.captures import link_current_version
from beltacrawl.archive.columns import (
    ARTICLE_FIELDS,
    DETAIL_FIELDS,
    IDENTITY_FIELDS,
    KEPT_IF_MISSING,
    VERSION_FIELDS,
    decode,
    encode_row,
)
from beltacrawl.archive.database import utc_now
from beltacrawl.archive.errors import RecordRefused

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from beltacrawl.archive.captures import Source
    from beltacrawl.archive.database import Database


class Outcome(enum.Enum):
    """What :meth:`Store.upsert_many` did with one record."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class ArchivedState:
    """What a crawl needs to know about an archived article to decide whether to fetch."""

    key: str
    published_at: datetime | None
    is_incomplete: bool | None
    fetched_at: datetime | None
    """Time of the most recent fetch (also advanced when the content was unchanged)."""
    url: str | None = None


class Store:
    """The current record of each article and its earlier versions."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def upsert_many(
        self,
        records: Sequence[Mapping[str, Any]],
        sources: Sequence[Source | None] | None = None,
    ) -> list[Outcome]:
        """Store a batch of article records in one transaction; one outcome per record.

        A record whose ``content_hash`` differs from the stored one becomes the current
        version and the previous one is kept in ``article_versions``. An identical hash
        only advances ``last_seen_at`` and ``fetched_at`` and takes over corrected details
        (see :data:`~beltacrawl.archive.columns.DETAIL_FIELDS`): the stored text stays. A
        success clears the article's entry in ``failures``.

        ``sources`` (one per record, or ``None``) names the WARC capture each record was
        extracted from: it becomes the source of the version the record is stored as,
        unless that version has one already (:mod:`beltacrawl.archive.captures`).

        Raises :class:`RecordRefused` when the tables' constraints refuse a record (no
        identity, a key that does not match its id and year, no URL); then nothing of the
        batch is stored.
        """
        rows = [encode_row(record) for record in records]
        now = utc_now()
        outcomes = []
        with self._db.transaction():
            for row, source in zip(rows, sources or [None] * len(rows), strict=True):
                outcomes.append(self._upsert_one(row, now))
                if source is not None:
                    link_current_version(self._db.conn, row["key"], source, now)
            return outcomes

    def _upsert_one(self, row: dict[str, Any], now: str) -> Outcome:
        try:
            return self._write(row, now)
        except sqlite3.IntegrityError as exc:
            raise RecordRefused(f"record {row['key']!r} ({row['url']!r}) refused: {exc}") from exc

    def _write(self, row: dict[str, Any], now: str) -> Outcome:
        conn = self._db.conn
        stored = conn.execute(
            "SELECT id, content_hash, title, body FROM articles WHERE key = ?", (row["key"],)
        ).fetchone()
        # Found by key: writing the identity back lets the table's CHECKs test it.
        identity = ", ".join(f"{name} = :{name}" for name in IDENTITY_FIELDS)
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
            details = ", ".join(f"{f} = {_kept_if_missing(f, ':' + f)}" for f in DETAIL_FIELDS)
            conn.execute(
                f"UPDATE articles SET {identity}, last_seen_at = :now, fetched_at = CASE"
                " WHEN :fetched_at IS NOT NULL AND (fetched_at IS NULL OR :fetched_at > fetched_at)"
                f" THEN :fetched_at ELSE fetched_at END, {details} WHERE id = :id",
                {**row, "now": now, "id": stored["id"]},
            )
            outcome = Outcome.UNCHANGED
        else:
            write_new_version(conn, stored["id"], row, now)
            outcome = Outcome.UPDATED
        conn.execute(
            "DELETE FROM failures WHERE key = ? OR url IN (?, ?)",
            (row["key"], row["url"], row["fetched_url"]),
        )
        return outcome

    def lookup(self, keys: Iterable[str]) -> dict[str, ArchivedState]:
        """The archived state of those ``keys`` that are in the archive (one query)."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        rows = self._db.conn.execute(
            "SELECT key, published_at, is_incomplete, fetched_at FROM articles"
            " WHERE key IN (SELECT value FROM json_each(?))",
            (json.dumps(wanted),),
        )
        return {row["key"]: _archived_state(row) for row in rows}

    def refresh_candidates(
        self, published_since: datetime, young: timedelta, undated_since: datetime
    ) -> list[ArchivedState]:
        """Articles published since ``published_since`` (in the site's time zone, as
        ``published_at`` is stored) whose stored copy may be stale: marked ``/Wird
        ergänzt/``, or taken less than ``young`` after publication; and, when ``young`` is
        positive, copies without a publication time (the page's date was not understood)
        first archived since ``undated_since`` (this machine's clock, as ``first_seen_at``:
        each refresh moves ``fetched_at``)."""
        young_hours = young.total_seconds() / 3600
        rows = self._db.conn.execute(
            "SELECT key, url, published_at, is_incomplete, fetched_at FROM articles"
            " WHERE (published_at >= ? AND (is_incomplete = 1"
            " OR (julianday(fetched_at) - julianday(published_at)) * 24 < ?))"
            " OR (published_at IS NULL AND ? > 0 AND julianday(first_seen_at) >= julianday(?))"
            " ORDER BY published_at IS NULL, published_at DESC",
            (
                published_since.isoformat(timespec="seconds"),
                young_hours,
                young_hours,
                undated_since.isoformat(timespec="seconds"),
            ),
        )
        return [_archived_state(row, url=row["url"]) for row in rows]

    def count(self) -> int:
        """Number of articles (current records)."""
        return int(self._db.conn.execute("SELECT count(*) FROM articles").fetchone()[0])


def write_new_version(conn: sqlite3.Connection, article: int, row: dict[str, Any], now: str):
    """Keep the current record of the article with rowid ``article`` in
    ``article_versions`` and make ``row`` (encoded) its current version."""
    fields = ", ".join(VERSION_FIELDS)
    identity_fields = ", ".join(IDENTITY_FIELDS)
    conn.execute(
        "INSERT INTO article_versions"
        f" ({identity_fields}, version, {fields}, archived_at)"
        f" SELECT {identity_fields}, version_count, {fields}, ?"
        " FROM articles WHERE id = ?",
        (now, article),
    )
    # Found by key: writing the identity back lets the table's CHECKs test it.
    identity = ", ".join(f"{name} = :{name}" for name in IDENTITY_FIELDS)
    assignments = ", ".join(f"{f} = {_kept_if_missing(f, ':' + f)}" for f in VERSION_FIELDS)
    conn.execute(
        f"UPDATE articles SET {identity}, {assignments}, last_seen_at = :now,"
        " updated_at = :now, version_count = version_count + 1 WHERE id = :id",
        {**row, "now": now, "id": article},
    )


def _kept_if_missing(field: str, placeholder: str) -> str:
    """SQL for the new value of ``field``, keeping the stored one when the new is NULL."""
    return f"coalesce({placeholder}, {field})" if field in KEPT_IF_MISSING else placeholder


def _same_content(stored: sqlite3.Row, row: Mapping[str, Any]) -> bool:
    if row["content_hash"] is not None:
        return bool(stored["content_hash"] == row["content_hash"])
    return bool(stored["title"] == row["title"] and stored["body"] == row["body"])


def _archived_state(row: sqlite3.Row, url: str | None = None) -> ArchivedState:
    return ArchivedState(
        key=row["key"],
        published_at=_moment(row["published_at"]),
        is_incomplete=decode("is_incomplete", row["is_incomplete"]),
        fetched_at=_moment(row["fetched_at"]),
        url=url,
    )


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
