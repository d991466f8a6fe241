"""The SQLite archive's schema: creation, migrations, versions, read-only and bad files."""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from beltacrawl.archive import (
    ARTICLE_FIELDS,
    Archive,
    ArchiveError,
    ArchiveNotFound,
    schema,
    schema_version,
)
from beltacrawl.crawl.walk import StopReason, WalkOutcome
from beltacrawl.items import Article
from beltacrawl.site.dates import MINSK
from tests.archiving import archive_at_version, columns, record


def test_open_creates_schema_with_wal(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "belta.sqlite"
    with Archive.open(path) as archive:
        assert path.is_file()
        assert archive.user_version() == schema_version() == 8
        conn = archive.db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        fts_config = dict(conn.execute("SELECT k, v FROM articles_fts_config").fetchall())
    assert {"articles", "article_versions", "articles_fts", "failures", "crawl_runs"} <= tables
    assert fts_config["automerge"] == 8
    assert {"articles_published_at", "articles_rubric"} <= tables


def test_version_2_archive_gets_the_full_text_merge_setting(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    query = "SELECT v FROM articles_fts_config WHERE k = 'automerge'"
    with archive_at_version(path, 2) as old:
        old.store.upsert_many([record(7)])
        assert old.db.conn.execute(query).fetchone() is None  # FTS5's default, 4
    with Archive.open(path) as archive:
        assert archive.user_version() == schema_version()
        assert archive.db.conn.execute(query).fetchone()[0] == 8
        archive.store.upsert_many([record(8)])
        assert [hit.key for hit in archive.queries.search("Titel 7")] == ["7-2024"]


def test_an_archive_of_schema_3_records_how_far_listings_reached(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    shutil.copy(Path(__file__).parent / "fixtures" / "archive-schema-3.sqlite", path)
    with Archive.open(path) as archive:
        assert archive.user_version() == schema_version() == 8
        assert archive.queries.stats().reach == []  # its runs predate the record
        run = archive.ledger.start_run("belta", {"since": "2024-01-01"})
        since = datetime(2024, 1, 1, tzinfo=MINSK)
        archive.ledger.record_walks(
            run,
            [
                WalkOutcome("all_news", StopReason.PAGE_NOT_FOUND, 131, None, 130,
                            datetime(2024, 2, 3, 10, 15, tzinfo=MINSK), (), since, False),
                WalkOutcome("sport", None, 1, None, 1, None),
            ],
        )  # fmt: skip
        later = archive.ledger.start_run("belta", {})
        archive.ledger.record_walks(
            later,
            [WalkOutcome("all_news", StopReason.ARCHIVE_REACHED, 3, None, 3,
                         datetime(2024, 3, 1, 9, 0, tzinfo=MINSK))],
        )  # fmt: skip
        reach = {item.listing: item for item in archive.queries.stats().reach}
    all_news = reach["all_news"]
    assert (all_news.deepest_page, all_news.oldest_listed) == (130, "2024-02-03T10:15:00+03:00")
    assert (all_news.runs, all_news.last_run, all_news.last_deepest_page) == (2, later, 3)
    assert all_news.last_stop_reason == "archive_reached"
    assert (all_news.last_since, all_news.last_since_reached) == (None, None)
    sport = reach["sport"]
    assert (sport.last_stop_reason, sport.oldest_listed, sport.deepest_page) == (None, None, 1)


def test_every_article_field_has_a_column(tmp_path: Path) -> None:
    assert tuple(f.name for f in dataclasses.fields(Article)) == ARTICLE_FIELDS
    path = tmp_path / "a.sqlite"
    Archive.open(path).close()
    article_columns = set(columns(path, "articles"))
    assert set(ARTICLE_FIELDS) <= article_columns
    assert {"first_seen_at", "last_seen_at", "updated_at", "version_count"} <= article_columns
    version_columns = set(columns(path, "article_versions"))
    assert set(ARTICLE_FIELDS) <= version_columns
    assert {"version", "archived_at"} <= version_columns


def test_reopen_keeps_data_and_version(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    with Archive.open(path) as archive:
        archive.store.upsert_many([record(1)])
    with Archive.open(path) as archive:
        assert archive.user_version() == schema_version()
        assert archive.store.count() == 1


def test_migrations_run_once_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.sqlite"
    with Archive.open(path) as archive:
        archive.store.upsert_many([record(1)])
    calls = []

    def to_next(conn: sqlite3.Connection) -> None:
        calls.append(2)
        conn.execute("ALTER TABLE articles ADD COLUMN word_count INTEGER")

    current = schema_version()
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, to_next])
    with Archive.open(path) as archive:
        assert archive.user_version() == current + 1
        assert archive.store.count() == 1
    with Archive.open(path):
        pass
    assert calls == [2]
    assert "word_count" in columns(path, "articles")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    Archive.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(ArchiveError, match="schema version 99"):
        Archive.open(path)


def test_readonly_open(tmp_path: Path) -> None:
    with pytest.raises(ArchiveNotFound, match="no archive"):
        Archive.open(tmp_path / "missing.sqlite", readonly=True)
    assert not (tmp_path / "missing.sqlite").exists()
    path = tmp_path / "a.sqlite"
    with Archive.open(path) as archive:
        archive.store.upsert_many([record(1)])
    with Archive.open(path, readonly=True) as reader:
        assert reader.store.count() == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.store.upsert_many([record(2)])


def test_readonly_open_of_an_unmigrated_archive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    sqlite3.connect(path).close()
    path.write_bytes(b"")
    with pytest.raises(ArchiveError, match="open it once read-write"):
        Archive.open(path, readonly=True)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ArchiveError, match="cannot open archive"):
        Archive.open(path)
