"""The record's fields are declared once, in ``Article``: the archive's columns and the
JSON Schema follow from them, and a field added later reaches existing archives."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import sqlite3
from pathlib import Path

from beltacrawl.archive import Archive, schema
from beltacrawl.archive.columns import (
    ARTICLE_FIELDS,
    DETAIL_FIELDS,
    IDENTITY_FIELDS,
    KEPT_IF_MISSING,
    VERSION_FIELDS,
)
from beltacrawl.items import Article, Storage, spec
from beltacrawl.schemas import ARTICLE, article_schema

REPO = Path(__file__).resolve().parents[1]
#: An archive written by beltacrawl before the record's columns were derived (schema 3):
#: 13 articles, 2 earlier versions, one failure, two runs, coverage of all_news.
WRITTEN_BY_SCHEMA_3 = REPO / "tests" / "fixtures" / "archive-schema-3.sqlite"


@dataclasses.dataclass
class ArticleWithWordCount(Article):
    """``Article`` with one more field, as a later beltacrawl might declare it."""

    word_count: int | None = dataclasses.field(
        default=None,
        metadata=spec({"type": ["integer", "null"], "minimum": 0}, storage=Storage.INTEGER),
    )


def table_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def test_the_derived_columns() -> None:
    assert tuple(f.name for f in dataclasses.fields(Article)) == ARTICLE_FIELDS
    assert IDENTITY_FIELDS == ("key", "article_id", "article_year", "kind")
    assert ARTICLE_FIELDS[:2] + ARTICLE_FIELDS[6:] == VERSION_FIELDS
    assert set(DETAIL_FIELDS) == {
        "rubric_label", "lead", "published_at", "published_raw", "dateline_place",
        "dateline_date", "dateline_raw", "tags", "image_url", "image_caption", "images",
        "body_html",
    }  # fmt: skip
    assert {
        "lead", "rubric_label", "published_at", "published_raw", "image_url", "image_caption"
    } == KEPT_IF_MISSING  # fmt: skip


def test_a_new_archive_has_a_column_per_field(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.sqlite") as archive:
        conn = archive.db.conn
        assert table_columns(conn, "articles") == [
            "id", "key", "article_id", "article_year", "kind", "url", "fetched_url", "rubric",
            "rubric_label", "title", "lead", "published_at", "published_raw",
            "dateline_place", "dateline_date", "dateline_raw", "body", "body_html", "tags",
            "image_url", "image_caption", "images", "language", "is_incomplete",
            "content_hash", "fetched_at", "first_seen_at", "last_seen_at", "updated_at",
            "version_count",
        ]  # fmt: skip
        assert table_columns(conn, "article_versions") == [
            "id", "key", "article_id", "article_year", "kind", "version", *VERSION_FIELDS,
            "archived_at",
        ]  # fmt: skip


def test_a_field_added_to_the_record_appears_in_the_ddl_and_the_schema() -> None:
    ddl = schema.articles_ddl(ArticleWithWordCount)
    assert "    word_count      INTEGER," in ddl
    assert "    word_count      INTEGER," in schema.versions_ddl(ArticleWithWordCount)
    assert "word_count" not in schema.articles_ddl()
    json_schema = article_schema(ArticleWithWordCount)
    assert json_schema["required"][-1] == "word_count"
    assert json_schema["properties"]["word_count"] == {"type": ["integer", "null"], "minimum": 0}


def test_a_field_added_later_gets_a_column_in_an_existing_archive(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    shutil.copy(WRITTEN_BY_SCHEMA_3, path)
    with Archive.open(path) as archive:
        conn = archive.db.conn
        assert schema.missing_columns(conn) == []
        assert schema.missing_columns(conn, ArticleWithWordCount) == [
            ("articles", "word_count      INTEGER"),
            ("article_versions", "word_count      INTEGER"),
        ]
        with archive.db.transaction():
            schema.add_missing_columns(conn, ArticleWithWordCount)
        assert table_columns(conn, "articles")[-1] == "word_count"
        assert archive.store.count() == 13
        assert conn.execute("SELECT count(*) FROM articles WHERE word_count IS NULL").fetchone()
        assert archive.queries.integrity_check() == []


def normalised_schema(path: Path) -> dict[str, object]:
    """Every table's columns and every object's SQL, whitespace and comments aside."""
    with sqlite3.connect(path) as conn:
        objects = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
        ).fetchall()
        columns = {
            name: conn.execute(f"PRAGMA table_xinfo({name})").fetchall()
            for kind, name, _ in objects
            if kind == "table"
        }
        fts_config = conn.execute("SELECT k, v FROM articles_fts_config").fetchall()
        version = conn.execute("PRAGMA user_version").fetchone()[0]

    def normal(sql: str) -> str:
        sql = re.sub(r"--[^\n]*", "", sql)
        return re.sub(r"\s+", " ", re.sub(r"\s*([(),])\s*", r"\1", sql)).strip()

    return {
        "objects": [(kind, name, normal(sql)) for kind, name, sql in objects],
        "columns": columns,
        "fts_config": fts_config,
        "version": version,
    }


def test_an_archive_written_before_the_derivation_is_kept_whole(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    shutil.copy(WRITTEN_BY_SCHEMA_3, old)
    new = tmp_path / "new.sqlite"
    Archive.open(new).close()
    tables = ("articles", "article_versions", "failures", "listing_coverage", "crawl_runs")
    with sqlite3.connect(WRITTEN_BY_SCHEMA_3) as conn:
        # Every column schema 3 had, by name: schema 4 rebuilt the article tables.
        was = {table: ", ".join(table_columns(conn, table)) for table in tables}
        before = {
            table: conn.execute(f"SELECT {was[table]} FROM {table} ORDER BY 1").fetchall()
            for table in tables
        }
    with Archive.open(old) as archive:
        assert archive.store.count() == 13
        assert archive.queries.integrity_check() == []
    assert normalised_schema(old) == normalised_schema(new)
    with sqlite3.connect(old) as conn:
        for table, rows in before.items():
            now = conn.execute(f"SELECT {was[table]} FROM {table} ORDER BY 1").fetchall()
            assert now == rows, table
        for table in ("articles", "article_versions"):
            kinds = conn.execute(f"SELECT kind, count(*) FROM {table} GROUP BY kind").fetchall()
            assert kinds == [("article", len(before[table]))], table
        assert conn.execute("SELECT count(*) FROM articles WHERE images = '[]'").fetchone() == (13,)
    assert sum(len(rows) for rows in before.values()) == 13 + 2 + 1 + 1 + 2
    with Archive.open(old) as archive:
        history = archive.queries.show("3-2024")
        assert history is not None and history.version_count == 3
        assert [hit.key for hit in archive.queries.search("Dritte")] == ["3-2024"]


def test_docs_ship_the_generated_schema() -> None:
    """Regenerate with ``python -m beltacrawl.schemas``."""
    assert (REPO / "docs" / "article.schema.json").read_text(encoding="utf-8") == ARTICLE
    assert list(json.loads(ARTICLE)["properties"]) == list(ARTICLE_FIELDS)


def test_version_1_makes_the_tables_version_1_made(monkeypatch) -> None:
    """A migration keeps its effect when the record changes: migration 1 makes the
    article tables of the archives it once made (those of the schema-3 fixture)."""

    def no_record_ddl(*_: object) -> str:
        raise AssertionError("migration 1 reads the record's DDL")

    monkeypatch.setattr(schema, "articles_ddl", no_record_ddl)
    monkeypatch.setattr(schema, "versions_ddl", no_record_ddl)
    conn = sqlite3.connect(":memory:")
    schema.MIGRATIONS[0](conn)
    with sqlite3.connect(WRITTEN_BY_SCHEMA_3) as written:
        for table in ("articles", "article_versions"):
            query = f"PRAGMA table_info({table})"
            assert conn.execute(query).fetchall() == written.execute(query).fetchall(), table


def test_columns_the_record_lacks_are_carried_over(tmp_path: Path, caplog) -> None:
    path = tmp_path / "a.sqlite"
    shutil.copy(WRITTEN_BY_SCHEMA_3, path)
    with sqlite3.connect(path) as conn:
        for table in ("articles", "article_versions"):
            conn.execute(f'ALTER TABLE {table} ADD COLUMN "analyst note" TEXT')
            conn.execute(f"UPDATE {table} SET \"analyst note\" = 'geprüft ' || key")
    with Archive.open(path) as archive:
        conn = archive.db.conn
        assert archive.user_version() == schema.schema_version()
        for table in ("articles", "article_versions"):
            rows = conn.execute(f'SELECT key, "analyst note" FROM {table}').fetchall()
            assert rows and all(note == f"geprüft {key}" for key, note in rows), table
        assert archive.queries.integrity_check() == []
    assert "column articles.analyst note is no record field: kept" in caplog.text
