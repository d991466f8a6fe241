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

from beltacrawl.archive import schema_v1
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


#: The publication month (Minsk time), computed by SQLite: what browsing counts by.
PUBLISHED_MONTH = "published_month TEXT    GENERATED ALWAYS AS (substr(published_at, 1, 7)) VIRTUAL"


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
            PUBLISHED_MONTH,
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


def _migrate_to_1(conn: sqlite3.Connection) -> None:
    """The article tables with a column per record field of the time, the full-text
    index, failures, listing coverage and crawl runs (:mod:`.schema_v1`)."""
    schema_v1.create(conn)


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
        # Generated columns too (``published_month``): a name the new table has in any form.
        derived = {row[1] for row in conn.execute(f"PRAGMA table_xinfo({table})")}
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
    for statement in (*_V4_INDEXES, *schema_v1.FTS_TRIGGERS):
        conn.execute(statement)
    if problems := conn.execute("PRAGMA foreign_key_check").fetchall():
        raise sqlite3.IntegrityError(f"article versions without their article: {problems[:5]}")


#: Indexes of the article tables from schema version 4 (``key`` has its ``UNIQUE``).
_V4_INDEXES: tuple[str, ...] = (
    "CREATE INDEX articles_published_at ON articles (published_at)",
    "CREATE INDEX articles_rubric ON articles (rubric, published_at)",
)


def _migrate_to_5(conn: sqlite3.Connection) -> None:
    """Where the pages are: every article response kept in a WARC file (``page_captures``)
    and, for each article version, the capture it was extracted from and why
    (``article_sources``; docs/archive.md, "Pages")."""
    conn.execute(
        """
        CREATE TABLE page_captures (
            id          INTEGER PRIMARY KEY,
            key         TEXT    NOT NULL,  -- the article's key <id>-<year>
            url         TEXT    NOT NULL,  -- the URL fetched (WARC-Target-URI)
            fetched_at  TEXT,              -- the site's time of the fetch (the record's fetched_at)
            warc_file   TEXT    NOT NULL,  -- relative to the archive's folder, or absolute
            warc_offset INTEGER NOT NULL,  -- of the response record
            warc_length INTEGER NOT NULL,
            record_id   TEXT    NOT NULL UNIQUE,  -- WARC-Record-ID of the response record
            origin      TEXT    NOT NULL CHECK (origin IN ('crawl', 'import'))
        )
        """
    )
    conn.execute("CREATE INDEX page_captures_key ON page_captures (key, fetched_at)")
    conn.execute(
        """
        CREATE TABLE article_sources (
            key         TEXT    NOT NULL,
            version     INTEGER NOT NULL,
            capture_id  INTEGER NOT NULL REFERENCES page_captures (id),
            reason      TEXT    NOT NULL CHECK (reason IN ('crawl', 'reextract', 'import')),
            recorded_at TEXT    NOT NULL,
            PRIMARY KEY (key, version)
        )
        """
    )


def _migrate_to_6(conn: sqlite3.Connection) -> None:
    """What browsing the archive (``scrapy archive serve``) counts by: the publication
    month as a column (an archive rebuilt by version 4 has it from the DDL already), and
    indexes that let each facet count from an index instead of reading every article with
    its text (docs/archive.md, *Look at it*; ``bench.browse``)."""
    if "published_month" not in {row[1] for row in conn.execute("PRAGMA table_xinfo(articles)")}:
        conn.execute(f"ALTER TABLE articles ADD COLUMN {PUBLISHED_MONTH}")
    for statement in _V6_INDEXES:
        conn.execute(statement)


#: Indexes of schema version 6; ``tags`` is indexed whole so that counting tags reads the
#: small index, not the rows with their bodies.
_V6_INDEXES: tuple[str, ...] = (
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


def _migrate_to_7(conn: sqlite3.Connection) -> None:
    """How far back each listing walk of a run reached (``crawl_run_listings``): the
    listings keep no date archive, so analysts learn here what the archive can hold."""
    conn.execute(
        """
        CREATE TABLE crawl_run_listings (
            run_id        INTEGER NOT NULL REFERENCES crawl_runs (id),
            listing       TEXT    NOT NULL,            -- all_news or a rubric slug, as walked
            kept          TEXT    NOT NULL DEFAULT '', -- rubrics an all_news walk kept (a,b)
            stop_reason   TEXT,                        -- NULL: the walk broke off
            pages         INTEGER NOT NULL,            -- listing pages read, re-checks included
            deepest_page  INTEGER NOT NULL,
            oldest_listed TEXT,                        -- oldest listed time seen (ISO 8601)
            since         TEXT,                        -- the run's since, if any
            since_reached INTEGER,                     -- 1/0; NULL: no since, or not judged
            PRIMARY KEY (run_id, listing, kept)
        )
        """
    )


def _migrate_to_8(conn: sqlite3.Connection) -> None:
    """The browser view's facet on ``kind`` (article, photo report, infographic) counts
    from an index instead of reading every article with its text, on the whole list and
    on one rubric's articles."""
    conn.execute("CREATE INDEX articles_kind ON articles (kind, published_at)")
    conn.execute("CREATE INDEX articles_rubric_kind ON articles (rubric, kind)")


#: Schema migrations: ``MIGRATIONS[n]`` takes an archive from version ``n`` to ``n + 1``.
#: A change to the tables appends one function; released functions keep their effect.
#: A new record field needs none (see :func:`add_missing_columns`).
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _migrate_to_1,
    _migrate_to_2,
    _migrate_to_3,
    _migrate_to_4,
    _migrate_to_5,
    _migrate_to_6,
    _migrate_to_7,
    _migrate_to_8,
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
