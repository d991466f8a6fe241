"""The archive's tables: DDL derived from the record, and the migrations of older archives.

``articles`` and ``article_versions`` have one column per field of
:class:`beltacrawl.items.Article`, derived from the fields' specs; the other tables are
written out here. ``PRAGMA user_version`` holds the number of migrations an archive has
passed (:func:`schema_version`). On top of the numbered migrations,
:func:`add_missing_columns` gives an archive a column for every record field it lacks,
so that a field added to ``Article`` reaches existing archives with no migration written
by hand (docs/archive.md, "Adding a field").

>>> print(column_definition("tags", field_spec("tags"), current=True))
tags            TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(tags))
>>> print(column_definition("tags", field_spec("tags"), current=False))
tags            TEXT    NOT NULL DEFAULT '[]'
"""

from __future__ import annotations

import logging
import sqlite3
from typing import TYPE_CHECKING, Any

from beltacrawl.items import Article, FieldSpec, Kind, Storage, field_specs

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)


def field_spec(name: str, record_class: type[Any] = Article) -> FieldSpec:
    """The spec of one field of ``record_class``."""
    return dict(field_specs(record_class))[name]


def admits_null(spec: FieldSpec) -> bool:
    """Does the field's JSON Schema allow ``null``?

    >>> admits_null(field_spec("article_year")), admits_null(field_spec("article_id"))
    (True, False)
    """
    kinds = spec.json_schema.get("type", [])
    return "null" in (kinds if isinstance(kinds, list) else [kinds])


def column_definition(name: str, spec: FieldSpec, *, current: bool) -> str:
    """The column of one record field in ``articles`` (``current``) or ``article_versions``.

    The identity is NOT NULL in both tables (unless its schema admits null:
    ``article_year`` of the kinds without a year); required fields and value checks (a
    JSON array, 0/1) hold for the current record only: versions keep what was stored.
    """
    sql_type = "INTEGER" if spec.storage in (Storage.INTEGER, Storage.BOOLEAN) else "TEXT"
    parts = [f"{name:<15} {sql_type:<7}"]
    if (spec.identity and not admits_null(spec)) or (current and spec.required):
        parts.append("NOT NULL")
    if spec.storage is Storage.JSON_LIST:
        parts.append("NOT NULL DEFAULT '[]'")
        if current:
            parts.append(f"CHECK (json_valid({name}))")
    if spec.storage is Storage.BOOLEAN and current:
        parts.append(f"CHECK ({name} IN (0, 1))")
    return " ".join(parts).rstrip()


def _ordered(record_class: type[Any]) -> list[tuple[str, FieldSpec]]:
    """Fields in column order: the unique identity, the rest of the identity, the others."""
    specs = field_specs(record_class)
    return sorted(specs, key=lambda item: (not item[1].unique, not item[1].identity))


def _unique(record_class: type[Any]) -> str:
    return ", ".join(name for name, spec in field_specs(record_class) if spec.unique)


def _table(name: str, lines: list[str]) -> str:
    body = ",\n".join(f"    {line}" for line in lines)
    return f"CREATE TABLE {name} (\n{body}\n)"


def articles_ddl(record_class: type[Any] = Article) -> str:
    """``CREATE TABLE articles``: the current record of each article, and its history."""
    fields = [column_definition(n, s, current=True) for n, s in _ordered(record_class)]
    return _table(
        "articles",
        [
            "id              INTEGER PRIMARY KEY",  # stable rowid for the full-text index
            *fields,
            "first_seen_at   TEXT    NOT NULL",
            "last_seen_at    TEXT    NOT NULL",
            "updated_at      TEXT    NOT NULL",
            "version_count   INTEGER NOT NULL DEFAULT 1",
            f"UNIQUE ({_unique(record_class)})",
            # An article's key is its id and year; another kind's, its section and id.
            "CHECK (key = CASE WHEN article_year IS NULL THEN rubric || '-' || article_id"
            " ELSE article_id || '-' || article_year END)",
            f"CHECK ((kind = '{Kind.ARTICLE.value}') = (article_year IS NOT NULL))",
        ],
    )


def versions_ddl(record_class: type[Any] = Article) -> str:
    """``CREATE TABLE article_versions``: earlier records, one row per replaced version."""
    ordered = _ordered(record_class)
    identity = [column_definition(n, s, current=False) for n, s in ordered if s.identity]
    others = [column_definition(n, s, current=False) for n, s in ordered if not s.identity]
    unique = _unique(record_class)
    return _table(
        "article_versions",
        [
            "id              INTEGER PRIMARY KEY",
            *identity,
            "version         INTEGER NOT NULL",
            *others,
            "archived_at     TEXT    NOT NULL",
            f"UNIQUE ({unique}, version)",
            f"FOREIGN KEY ({unique})\n        REFERENCES articles ({unique}) ON DELETE CASCADE",
        ],
    )


#: The article tables as schema version 1 made them, written out: a migration keeps its
#: effect when the record changes (later fields come with migration 4, or with
#: :func:`add_missing_columns`).
_V1_ARTICLE_TABLES: tuple[str, ...] = (
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
_V1_ARTICLE_INDEXES: tuple[str, ...] = (
    "CREATE UNIQUE INDEX articles_key ON articles (key)",
    "CREATE INDEX articles_published_at ON articles (published_at)",
    "CREATE INDEX articles_rubric ON articles (rubric, published_at)",
)
#: The full-text index and the tables around the articles, as schema version 1 made them.
_V1_OTHERS: tuple[str, ...] = (
    "CREATE INDEX article_versions_key ON article_versions (key, version)",
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, body,
        content = 'articles', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
)
#: The triggers that keep the full-text index in step with ``articles``.
_FTS_TRIGGERS: tuple[str, ...] = (
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
_V1_LEDGER: tuple[str, ...] = (
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
    """The article tables with a column per record field of the time, the full-text
    index, failures, listing coverage and crawl runs."""
    articles, versions = _V1_ARTICLE_TABLES
    conn.execute(articles)
    for statement in _V1_ARTICLE_INDEXES:
        conn.execute(statement)
    conn.execute(versions)
    for statement in (*_V1_OTHERS, *_FTS_TRIGGERS, *_V1_LEDGER):
        conn.execute(statement)


def _migrate_to_2(conn: sqlite3.Connection) -> None:
    """``crawl_runs`` keeps the end-of-run summary and its health verdict."""
    conn.execute("ALTER TABLE crawl_runs ADD COLUMN verdict TEXT")  # 'ok' | 'problems'
    conn.execute("ALTER TABLE crawl_runs ADD COLUMN problems TEXT")  # JSON array of strings
    conn.execute("ALTER TABLE crawl_runs ADD COLUMN summary TEXT")  # the logged block


def _migrate_to_3(conn: sqlite3.Connection) -> None:
    """The full-text index merges its segments when 8 of a size exist, not 4: every batch
    of articles writes a segment, and merging often made storing slow
    (docs/performance.md); a search reads at most twice as many segments."""
    conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 8)")


def _migrate_to_4(conn: sqlite3.Connection) -> None:
    """Records of other kinds beside articles (photo reports, infographics): a ``kind``
    column (``article`` for every existing row), ``article_year`` NULL for the kinds
    without a year, and ``key`` the identity both article tables are keyed by.

    SQLite changes constraints only by rebuilding a table: the old tables are renamed
    (which carries the versions' foreign key along), the new ones made from the record's
    DDL and filled with every row, ``id`` included (the full-text index refers to it),
    and the old ones dropped, the versions first, so that no row is cascaded away. A
    column the record has no field for (a field since removed, an analyst's own) is
    carried over as it is, without its constraints: nothing stored is lost.
    """
    for trigger in ("articles_fts_insert", "articles_fts_delete", "articles_fts_update"):
        conn.execute(f"DROP TRIGGER {trigger}")
    for index in (
        "articles_key",
        "articles_published_at",
        "articles_rubric",
        "article_versions_key",
    ):
        conn.execute(f"DROP INDEX IF EXISTS {index}")
    for table, ddl in (("articles", articles_ddl()), ("article_versions", versions_ddl())):
        old = f"{table}_v3"
        conn.execute(f"ALTER TABLE {table} RENAME TO {old}")
        conn.execute(ddl)
        present = _columns(conn, old)
        derived = _columns(conn, table)
        for name, sql_type in conn.execute(f"SELECT name, type FROM pragma_table_info('{old}')"):
            if name not in derived:
                logger.warning("archive: column %s.%s is no record field: kept", table, name)
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {_quoted(name)} {sql_type}")
        names = [_quoted(name) for name in _column_names(conn, table) if name in present]
        values = [*names, f"'{Kind.ARTICLE.value}'"] if "kind" not in present else names
        columns = [*names, "kind"] if "kind" not in present else names
        conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {old}"
        )
    conn.execute("DROP TABLE article_versions_v3")
    conn.execute("DROP TABLE articles_v3")
    for statement in (*_V4_INDEXES, *_FTS_TRIGGERS):
        conn.execute(statement)
    if problems := conn.execute("PRAGMA foreign_key_check").fetchall():
        raise sqlite3.IntegrityError(f"article versions without their article: {problems[:5]}")


#: Indexes of the article tables from schema version 4 (``key`` has its ``UNIQUE``).
_V4_INDEXES: tuple[str, ...] = (
    "CREATE INDEX articles_published_at ON articles (published_at)",
    "CREATE INDEX articles_rubric ON articles (rubric, published_at)",
)


#: Schema migrations: ``MIGRATIONS[n]`` takes an archive from version ``n`` to ``n + 1``.
#: A change to the tables appends one function; released functions keep their effect.
#: A new record field needs none (see :func:`add_missing_columns`).
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _migrate_to_1,
    _migrate_to_2,
    _migrate_to_3,
    _migrate_to_4,
]


def schema_version() -> int:
    """The schema version this code writes (``PRAGMA user_version`` of a current archive)."""
    return len(MIGRATIONS)


def _quoted(name: str) -> str:
    """A column name as an SQL identifier, whatever it holds."""
    return '"' + name.replace('"', '""') + '"'


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return set(_column_names(conn, table))


def _column_names(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def missing_columns(
    conn: sqlite3.Connection, record_class: type[Any] = Article
) -> list[tuple[str, str]]:
    """``(table, column definition)`` of each record field an archive has no column for."""
    missing = []
    for table, current in (("articles", True), ("article_versions", False)):
        present = _columns(conn, table)
        missing += [
            (table, column_definition(name, spec, current=current))
            for name, spec in field_specs(record_class)
            if name not in present
        ]
    return missing


def add_missing_columns(conn: sqlite3.Connection, record_class: type[Any] = Article) -> None:
    """Add a column for each record field the archive lacks (a field added to the record
    after the archive was created). Existing rows get NULL (``[]`` for a list)."""
    for table, definition in missing_columns(conn, record_class):
        conn.execute(f"ALTER TABLE {table} ADD COLUMN {definition}")
