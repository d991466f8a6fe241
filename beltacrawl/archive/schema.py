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

from typing import TYPE_CHECKING, Any

from beltacrawl.items import Article, FieldSpec, Storage, field_specs

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable


def field_spec(name: str, record_class: type[Any] = Article) -> FieldSpec:
    """The spec of one field of ``record_class``."""
    return dict(field_specs(record_class))[name]


def column_definition(name: str, spec: FieldSpec, *, current: bool) -> str:
    """The column of one record field in ``articles`` (``current``) or ``article_versions``.

    The identity is NOT NULL in both tables; required fields and value checks (a JSON
    array, 0/1) hold for the current record only: versions keep what was stored.
    """
    sql_type = "INTEGER" if spec.storage in (Storage.INTEGER, Storage.BOOLEAN) else "TEXT"
    parts = [f"{name:<15} {sql_type:<7}"]
    if spec.identity or (current and spec.required):
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
            "CHECK (key = article_id || '-' || article_year)",
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
    """The article tables with a column per record field, the full-text index, failures,
    listing coverage and crawl runs."""
    conn.execute(articles_ddl())
    for statement in _V1_ARTICLE_INDEXES:
        conn.execute(statement)
    conn.execute(versions_ddl())
    for statement in _V1_OTHERS:
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
    """What browsing the archive (``scrapy archive serve``) counts and sorts by: the
    publication month (Minsk time) as a column, and indexes that let a facet count by
    reading an index instead of every row (docs/archive.md, *Looking at it*)."""
    conn.execute(
        "ALTER TABLE articles ADD COLUMN published_month TEXT"
        " GENERATED ALWAYS AS (substr(published_at, 1, 7)) VIRTUAL"
    )
    for statement in _V4_INDEXES:
        conn.execute(statement)


#: Indexes of schema version 4; ``tags`` is indexed whole so that counting tags reads the
#: small index, not the rows with their bodies.
_V4_INDEXES: tuple[str, ...] = (
    "CREATE INDEX articles_published_month ON articles (published_month)",
    "CREATE INDEX articles_year ON articles (article_year, published_at)",
    "CREATE INDEX articles_dateline_place ON articles (dateline_place)",
    "CREATE INDEX articles_tags ON articles (tags)",
    # The facets of one rubric's articles, the usual first narrowing, from one index.
    "CREATE INDEX articles_rubric_facets ON articles"
    " (rubric, article_year, published_month, dateline_place, tags)",
    "CREATE INDEX articles_changed ON articles (version_count, updated_at)",
    "CREATE INDEX articles_incomplete ON articles (is_incomplete, published_at)",
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


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


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
