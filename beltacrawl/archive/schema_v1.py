"""The archive's tables as schema version 1 made them, written out.

A migration keeps its effect when the record changes: version 1 made the article tables
with the record's fields of its time, and a field added since comes with migration 4
(which rebuilds the article tables from the record) or with
:func:`beltacrawl.archive.schema.add_missing_columns`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

#: ``articles`` and ``article_versions``.
_ARTICLE_TABLES: tuple[str, ...] = (
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
)
_ARTICLE_INDEXES: tuple[str, ...] = (
    "CREATE UNIQUE INDEX articles_key ON articles (key)",
    "CREATE INDEX articles_published_at ON articles (published_at)",
    "CREATE INDEX articles_rubric ON articles (rubric, published_at)",
)
#: The full-text index and the tables around the articles, as schema version 1 made them.
_OTHERS: tuple[str, ...] = (
    "CREATE INDEX article_versions_key ON article_versions (key, version)",
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, body,
        content = 'articles', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
)
#: The triggers that keep the full-text index in step with ``articles`` (version 4, which
#: rebuilds ``articles``, makes them again).
FTS_TRIGGERS: tuple[str, ...] = (
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
)
#: The tables around the articles, as schema version 1 made them.
_LEDGER: tuple[str, ...] = (
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


def create(conn: sqlite3.Connection) -> None:
    """The article tables with a column per record field of the time, the full-text
    index, failures, listing coverage and crawl runs."""
    articles, versions = _ARTICLE_TABLES
    conn.execute(articles)
    for statement in _ARTICLE_INDEXES:
        conn.execute(statement)
    conn.execute(versions)
    for statement in (*_OTHERS, *FTS_TRIGGERS, *_LEDGER):
        conn.execute(statement)
