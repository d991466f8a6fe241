"""The SQLite archive: schema, upserts and versions, lookups, failures, runs, search, lock."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from beltacrawl.archive import (
    ARTICLE_FIELDS,
    Archive,
    ArchivedState,
    ArchiveError,
    ArchiveLock,
    ArchiveLocked,
    ArchiveNotFound,
    Outcome,
    RecordRefused,
    schema,
    schema_version,
)
from beltacrawl.archive.columns import encode_row
from beltacrawl.crawl.walk import StopReason, WalkOutcome
from beltacrawl.items import Article
from beltacrawl.site.dates import MINSK

ROOT = Path(__file__).resolve().parents[1]


def record(article_id: int, year: int = 2024, **overrides: Any) -> dict[str, Any]:
    """An archived-ready record as the pipeline passes it (``ItemAdapter(...).asdict()``)."""
    rubric = overrides.pop("rubric", "economics")
    values = {
        "url": f"https://deu.belta.by/{rubric}/view/artikel-{article_id}-{year}/",
        "fetched_url": f"https://deu.belta.by/{rubric}/view/artikel-{article_id}-{year}/",
        "key": f"{article_id}-{year}",
        "article_id": article_id,
        "article_year": year,
        "kind": "article",
        "rubric": rubric,
        "rubric_label": "Wirtschaft",
        "title": f"Titel {article_id}",
        "lead": None,
        "published_at": f"{year}-03-01T10:00:00+03:00",
        "published_raw": f"1 März {year}, 10:00",
        "dateline_place": "MINSK",
        "dateline_date": f"{year}-03-01",
        "dateline_raw": "MINSK, 1. März (BelTA) -",
        "body": f"Text des Artikels {article_id}.",
        "body_html": f"<p>Text des Artikels {article_id}.</p>",
        "tags": ["Belarus", "Wirtschaft"],
        "image_url": None,
        "image_caption": None,
        "language": "de",
        "is_incomplete": False,
        "content_hash": f"hash-{article_id}",
        "fetched_at": "2026-11-28T10:00:00+00:00",
    }
    values.update(overrides)
    return dataclasses.asdict(Article(**values))


@pytest.fixture
def archive(tmp_path: Path) -> Any:
    with Archive.open(tmp_path / "sub" / "belta.sqlite") as opened:
        yield opened


def insert(conn: sqlite3.Connection, values: dict[str, Any]) -> None:
    """Write an article row inside a transaction the test holds open."""
    row = {**encode_row(values), "first_seen_at": "now", "last_seen_at": "now", "updated_at": "now"}
    conn.execute(
        f"INSERT INTO articles ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        tuple(row.values()),
    )


def columns(path: Path, table: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


# --- schema -----------------------------------------------------------------------------


def test_open_creates_schema_with_wal(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "belta.sqlite"
    with Archive.open(path) as archive:
        assert path.is_file()
        assert archive.user_version() == schema_version() == 7
        conn = archive.db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        fts_config = dict(conn.execute("SELECT k, v FROM articles_fts_config").fetchall())
    assert {"articles", "article_versions", "articles_fts", "failures", "crawl_runs"} <= tables
    assert fts_config["automerge"] == 8
    assert {"articles_published_at", "articles_rubric"} <= tables


@contextlib.contextmanager
def archive_at_version(path: Path, version: int) -> Iterator[Archive]:
    """The archive at ``path`` as the beltacrawl of schema ``version`` opens it."""
    with (
        mock.patch.object(schema, "MIGRATIONS", schema.MIGRATIONS[:version]),
        Archive.open(path) as archive,
    ):
        assert archive.user_version() == version
        yield archive


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
        assert archive.user_version() == schema_version() == 7
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


# --- upserts and versions -----------------------------------------------------------------


def test_upsert_new_updated_unchanged(archive: Archive) -> None:
    assert archive.store.upsert_many([record(1), record(2)]) == [Outcome.NEW, Outcome.NEW]
    first = archive.queries.show("1-2024")
    assert first is not None
    assert first.article == record(1)
    assert first.version_count == 1
    assert first.versions == []

    changed = record(1, title="Neuer Titel", body="Neuer Text.", content_hash="hash-1b")
    same = record(2, fetched_at="2026-11-29T10:00:00+00:00", is_incomplete=True)
    assert archive.store.upsert_many([changed, same]) == [Outcome.UPDATED, Outcome.UNCHANGED]

    updated = archive.queries.show("1-2024")
    assert updated is not None
    assert updated.article["title"] == "Neuer Titel"
    assert updated.version_count == 2
    assert [v["version"] for v in updated.versions] == [1]
    old = updated.versions[0]
    assert old["title"] == "Titel 1"
    assert old["body"] == "Text des Artikels 1."
    assert old["content_hash"] == "hash-1"
    assert old["tags"] == ["Belarus", "Wirtschaft"]
    assert old["is_incomplete"] is False
    assert old["archived_at"]

    unchanged = archive.queries.show("2-2024")
    assert unchanged is not None
    assert unchanged.versions == []
    # Same hash: text and flags stay, the fetch time advances.
    assert unchanged.article["is_incomplete"] is False
    assert unchanged.article["fetched_at"] == "2026-11-29T10:00:00+00:00"
    assert unchanged.last_seen_at >= unchanged.first_seen_at


def test_unchanged_never_moves_fetched_at_back(archive: Archive) -> None:
    archive.store.upsert_many([record(1, fetched_at="2026-11-29T10:00:00+00:00")])
    archive.store.upsert_many([record(1, fetched_at="2026-11-28T10:00:00+00:00")])
    fetched_at = archive.store.lookup(["1-2024"])["1-2024"].fetched_at
    assert fetched_at == datetime.fromisoformat("2026-11-29T10:00:00+00:00")


def test_versions_accumulate(archive: Archive) -> None:
    for n in range(4):
        archive.store.upsert_many([record(1, body=f"Fassung {n}", content_hash=f"h{n}")])
    history = archive.queries.show("1-2024")
    assert history is not None
    assert history.version_count == 4
    assert [v["body"] for v in history.versions] == ["Fassung 0", "Fassung 1", "Fassung 2"]
    assert history.article["body"] == "Fassung 3"


def test_same_key_twice_in_one_batch(archive: Archive) -> None:
    outcomes = archive.store.upsert_many([record(1), record(1, content_hash="x", body="anders")])
    assert outcomes == [Outcome.NEW, Outcome.UPDATED]


def test_record_without_hash_compares_text(archive: Archive) -> None:
    archive.store.upsert_many([record(1, content_hash=None)])
    assert archive.store.upsert_many([record(1, content_hash=None)]) == [Outcome.UNCHANGED]
    assert archive.store.upsert_many([record(1, content_hash=None, body="x")]) == [Outcome.UPDATED]


def test_bad_record_fails_the_whole_batch(archive: Archive) -> None:
    with pytest.raises(RecordRefused, match="CHECK constraint failed"):
        archive.store.upsert_many([record(1), record(2, key="3-2024")])
    with pytest.raises(RecordRefused, match=r"NOT NULL constraint failed: articles\.article_id"):
        archive.store.upsert_many([record(1), {**record(2), "article_id": None}])
    with pytest.raises(RecordRefused, match=r"NOT NULL constraint failed: articles\.url"):
        archive.store.upsert_many([record(1), record(2, url=None)])
    assert archive.store.count() == 0


@pytest.mark.parametrize("content_hash", ["hash-1", "changed"])
def test_a_key_that_does_not_match_a_stored_article_is_refused(
    archive: Archive, content_hash: str
) -> None:
    """Found by key or not, the table's CHECK still tests the key against id and year."""
    archive.store.upsert_many([record(1)])
    with pytest.raises(RecordRefused, match="CHECK constraint failed"):
        archive.store.upsert_many([record(1, key="9-2024", content_hash=content_hash)])
    history = archive.queries.show("1-2024")
    assert history is not None and history.article == record(1)


def test_a_refused_record_is_a_value_error(archive: Archive) -> None:
    """The archive pipeline stores the rest of a batch one by one on a ValueError."""
    assert issubclass(RecordRefused, ValueError)
    assert issubclass(RecordRefused, ArchiveError)


def test_ids_repeat_across_years(archive: Archive) -> None:
    assert archive.store.upsert_many([record(7, 2023), record(7, 2024)]) == [
        Outcome.NEW,
        Outcome.NEW,
    ]
    assert archive.store.count() == 2


def item(section: str, number: int, kind: str, **overrides: Any) -> dict[str, Any]:
    """A photo report or infographic: no year, keyed by section and id."""
    kind = overrides.pop("record_kind", kind)
    url = f"https://deu.belta.by/{section}/view/bilder-{number}/"
    values = {
        "url": url,
        "fetched_url": url,
        "key": f"{section}-{number}",
        "article_year": None,
        "kind": kind,
        "rubric": section,
        "body": None,
        "images": [{"url": "https://deu.belta.by/images/a.jpg", "caption": "Minsk"}],
        **overrides,
    }
    return record(number, **values)


def test_items_of_other_kinds_live_beside_articles(archive: Archive) -> None:
    """Article 3192 of 2024, photo report 3192 and infographic 3192: three records."""
    photos = item("photonews", 3192, "photo_report")
    graphic = item("infographica", 3192, "infographic")
    assert archive.store.upsert_many([record(3192), photos, graphic]) == [Outcome.NEW] * 3
    assert set(archive.store.lookup(["3192-2024", "photonews-3192", "infographica-3192"])) == {
        "3192-2024",
        "photonews-3192",
        "infographica-3192",
    }
    changed = {**photos, "title": "Neu", "content_hash": "changed"}
    assert archive.store.upsert_many([changed]) == [Outcome.UPDATED]
    history = archive.queries.show("photonews-3192")
    assert history is not None and history.article["kind"] == "photo_report"
    assert history.article["images"] == photos["images"]
    assert [version["title"] for version in history.versions] == [photos["title"]]
    kept = archive.db.conn.execute("SELECT key, kind, article_year FROM article_versions")
    assert [tuple(row) for row in kept] == [("photonews-3192", "photo_report", None)]
    assert archive.queries.integrity_check() == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"key": "photonews-3193"},  # another id
        {"key": "infographica-3192"},  # another section
        {"article_year": 2024},  # a kind without a year, with one
        {"record_kind": "article"},  # an article without a year
    ],
)
def test_an_item_whose_identity_does_not_agree_is_refused(
    archive: Archive, overrides: dict[str, Any]
) -> None:
    with pytest.raises(RecordRefused, match="CHECK constraint failed"):
        archive.store.upsert_many([item("photonews", 3192, "photo_report", **overrides)])
    assert archive.store.count() == 0


def test_an_article_without_kind_is_refused(archive: Archive) -> None:
    with pytest.raises(RecordRefused, match=r"NOT NULL constraint failed: articles\.kind"):
        archive.store.upsert_many([record(1, kind=None)])


# --- lookup -------------------------------------------------------------------------------


def test_lookup(archive: Archive) -> None:
    archive.store.upsert_many([record(1), record(2, is_incomplete=True, published_at=None)])
    found = archive.store.lookup(["1-2024", "2-2024", "3-2024", "1-2024"])
    assert set(found) == {"1-2024", "2-2024"}
    assert found["1-2024"] == ArchivedState(
        key="1-2024",
        published_at=datetime.fromisoformat("2024-03-01T10:00:00+03:00"),
        is_incomplete=False,
        fetched_at=datetime.fromisoformat("2026-11-28T10:00:00+00:00"),
    )
    assert found["2-2024"].is_incomplete is True
    assert found["2-2024"].published_at is None
    assert archive.store.lookup([]) == {}


def test_lookup_many_keys_in_one_query(archive: Archive) -> None:
    archive.store.upsert_many([record(n) for n in range(1, 301)])
    statements: list[str] = []
    archive.db.conn.set_trace_callback(statements.append)
    keys = [f"{n}-2024" for n in range(1, 40_001)]
    assert len(archive.store.lookup(keys)) == 300
    archive.db.conn.set_trace_callback(None)
    assert len(statements) == 1


# --- failures -----------------------------------------------------------------------------


def test_failures_are_counted_and_cleared_by_success(archive: Archive) -> None:
    url = record(1)["url"]
    archive.ledger.record_failure(url, "1-2024", "HTTP 503")
    archive.ledger.record_failure(url, "1-2024", "timeout")
    archive.ledger.record_failure("https://deu.belta.by/x/view/y-2-2024/", "2-2024", "HTTP 404")
    failures = {f.key: f for f in archive.ledger.failures()}
    assert failures["1-2024"].attempts == 2
    assert failures["1-2024"].reason == "timeout"
    assert failures["2-2024"].attempts == 1

    archive.store.upsert_many([record(1)])
    assert [f.key for f in archive.ledger.failures()] == ["2-2024"]


def test_failure_recorded_from_another_connection_during_a_write(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    with Archive.open(path) as writer, Archive.open(path) as spider_handle:
        started = threading.Event()

        def hold_write_lock() -> None:
            with writer.db.transaction() as conn:
                insert(conn, record(1))
                started.set()
                time.sleep(0.3)

        thread = threading.Thread(target=hold_write_lock)
        # sqlite3 connections are bound to their thread unless told otherwise.
        writer.db.conn.close()
        writer.db.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        writer.db.conn.row_factory = sqlite3.Row
        thread.start()
        assert started.wait(5)
        spider_handle.ledger.record_failure(
            "https://deu.belta.by/a/view/b-9-2024/", "9-2024", "503"
        )
        thread.join()
        assert [f.key for f in spider_handle.ledger.failures()] == ["9-2024"]
        assert spider_handle.store.count() == 1


# --- concurrency --------------------------------------------------------------------------


def test_reader_is_not_blocked_by_an_open_write_batch(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    with Archive.open(path) as writer:
        writer.store.upsert_many([record(1)])
        with Archive.open(path, readonly=True) as reader:
            with writer.db.transaction() as conn:
                for n in range(2, 50):
                    insert(conn, record(n))
                # The reader sees the last committed state, at once, without waiting.
                begun = time.monotonic()
                assert reader.store.count() == 1
                assert list(reader.store.lookup(["1-2024", "2-2024"])) == ["1-2024"]
                assert [h.key for h in reader.queries.search("Titel")] == ["1-2024"]
                assert time.monotonic() - begun < 1
            assert reader.store.count() == 49


def test_integrity_check(archive: Archive) -> None:
    archive.store.upsert_many([record(n) for n in range(1, 20)])
    archive.store.upsert_many([record(3, body="geändert", content_hash="x")])
    archive.ledger.record_failure("https://deu.belta.by/a/view/b-99-2024/", "99-2024", "503")
    assert archive.queries.integrity_check() == []


# --- runs ---------------------------------------------------------------------------------


def test_runs(archive: Archive) -> None:
    first = archive.ledger.start_run("belta", {"mode": "full", "rubrics": ("economics", "sport")})
    archive.ledger.record_failure("https://deu.belta.by/a/view/b-9-2024/", "9-2024", "HTTP 500")
    stats = {
        "archive/new": 3,
        "archive/updated": 1,
        "archive/unchanged": 2,
        "start_time": date(2026, 11, 28),
    }
    archive.ledger.finish_run(first, "finished", stats)
    second = archive.ledger.start_run("belta", {})
    runs = archive.ledger.recent_runs(5)
    assert [r.id for r in runs] == [second, first]
    done = runs[1]
    assert done.arguments == {"mode": "full", "rubrics": ["economics", "sport"]}
    assert done.finish_reason == "finished"
    assert (done.new, done.updated, done.unchanged, done.failed) == (3, 1, 2, 1)
    assert done.stats is not None
    assert done.stats["start_time"] == "2026-11-28"
    assert done.finished_at is not None
    assert runs[0].finished_at is None


def test_run_arguments_may_be_a_dataclass(archive: Archive) -> None:
    @dataclasses.dataclass
    class Arguments:
        mode: str = "incremental"
        since: date | None = date(2024, 1, 1)

    archive.ledger.start_run("belta", Arguments())
    assert archive.ledger.recent_runs(1)[0].arguments == {
        "mode": "incremental",
        "since": "2024-01-01",
    }


# --- analyst queries ----------------------------------------------------------------------


def test_search_ranks_and_snippets(archive: Archive) -> None:
    archive.store.upsert_many(
        [
            record(1, title="Handel mit Kasachstan wächst", body="Kasachstan und Belarus. " * 3),
            record(2, body="Ein Satz über vieles, nebenbei auch Kasachstan, und mehr."),
            record(3, body="Nichts davon."),
        ]
    )
    hits = archive.queries.search("Kasachstan")
    assert [h.key for h in hits] == ["1-2024", "2-2024"]
    assert hits[0].score < hits[1].score
    assert "[Kasachstan]" in hits[1].snippet
    assert hits[0].url == record(1)["url"]
    assert archive.queries.search("Kasachstan", limit=1)[0].key == "1-2024"
    # German words: diacritics folded, prefixes, hyphens taken literally.
    assert [h.key for h in archive.queries.search("wachst")] == ["1-2024"]
    assert [h.key for h in archive.queries.search("Kasach*")] == ["1-2024", "2-2024"]
    assert archive.queries.search("Handel-Kasachstan") == []
    assert archive.queries.search("   ") == []
    raw_hits = archive.queries.search("title:Handel OR davon", raw=True)
    assert {h.key for h in raw_hits} == {"1-2024", "3-2024"}
    with pytest.raises(ArchiveError, match="invalid search query"):
        archive.queries.search('"unbalanced', raw=True)


def test_search_follows_updates(archive: Archive) -> None:
    archive.store.upsert_many([record(1, body="Minsk und Moskau")])
    archive.store.upsert_many([record(1, body="Minsk und Peking", content_hash="new")])
    assert archive.queries.search("Moskau") == []
    assert [h.key for h in archive.queries.search("Peking")] == ["1-2024"]
    assert archive.queries.integrity_check() == []


def test_stats(archive: Archive) -> None:
    archive.store.upsert_many(
        [
            record(1, published_at="2024-01-05T08:00:00+03:00"),
            record(2, published_at="2024-01-20T08:00:00+03:00", rubric="sport"),
            record(3, published_at="2024-02-02T08:00:00+03:00", title="Jüngster"),
        ]
    )
    archive.store.upsert_many(
        [record(1, published_at="2024-01-05T08:00:00+03:00", content_hash="x")]
    )
    archive.ledger.start_run("belta", {})
    stats = archive.queries.stats()
    assert stats.total == 3
    assert stats.per_rubric == [("economics", 2), ("sport", 1)]
    assert stats.per_month == [("2024-01", 2), ("2024-02", 1)]
    assert stats.newest is not None
    assert stats.newest["key"] == "3-2024"
    assert stats.newest["title"] == "Jüngster"
    assert stats.versions == 1
    assert stats.failures == 0
    assert len(stats.last_runs) == 1


def test_iter_articles_filters_and_order(archive: Archive) -> None:
    archive.store.upsert_many(
        [
            record(1, published_at="2024-03-02T23:59:00+03:00"),
            record(2, published_at="2024-03-01T00:00:00+03:00", rubric="sport"),
            record(3, published_at="2024-03-03T00:00:00+03:00", rubric="politics"),
            record(4, published_at=None),
        ]
    )
    every = list(archive.queries.iter_articles())
    assert [r["key"] for r in every] == ["4-2024", "2-2024", "1-2024", "3-2024"]
    assert every[1] == record(2, published_at="2024-03-01T00:00:00+03:00", rubric="sport")

    def keys(**kwargs: Any) -> list[str]:
        return [r["key"] for r in archive.queries.iter_articles(**kwargs)]

    assert keys(since=date(2024, 3, 2)) == ["1-2024", "3-2024"]
    assert keys(until=date(2024, 3, 2)) == ["2-2024", "1-2024"]
    assert keys(since=date(2024, 3, 2), until=date(2024, 3, 2)) == ["1-2024"]
    assert keys(rubrics=["sport", "politics"]) == ["2-2024", "3-2024"]
    assert keys(rubrics=["culture"]) == []


def test_show_unknown_key(archive: Archive) -> None:
    assert archive.queries.show("1-1999") is None


# --- the run lock -------------------------------------------------------------------------


def test_lock_refuses_a_second_holder(archive: Archive) -> None:
    with archive.lock() as held:
        assert held.held
        with pytest.raises(ArchiveLocked) as refused:
            archive.lock()
        assert refused.value.pid is not None
        assert str(archive.lock_path) in str(refused.value)
        assert f"process {refused.value.pid}" in str(refused.value)
    # Released: the next crawl may take it.
    archive.lock().release()


def test_lock_held_by_another_process(archive: Archive) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from beltacrawl.archive import ArchiveLock\n"
            "from pathlib import Path\n"
            "ArchiveLock(Path(sys.argv[1])).acquire()\n"
            "print('held', flush=True)\n"
            "time.sleep(30)\n",
            str(archive.lock_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ArchiveLocked, match=f"process {holder.pid}"):
            archive.lock()
    finally:
        holder.kill()
        holder.wait()
    # The kernel releases the lock of a process that died.
    archive.lock().release()


def test_lock_release_is_idempotent(tmp_path: Path) -> None:
    lock = ArchiveLock(tmp_path / "x.lock")
    with lock:
        lock.acquire()  # already held: no-op
    lock.release()
    assert not lock.held


def test_a_refetch_without_listing_data_keeps_the_lead(archive: Archive) -> None:
    """Refreshes and failure retries come from the archive, not a listing: no lead."""
    archive.store.upsert_many([record(1, lead="Aus der Liste", content_hash="a" * 64)])
    outcomes = archive.store.upsert_many(
        [record(1, lead=None, body="Neuer Text", content_hash="b" * 64)]
    )
    assert outcomes == [Outcome.UPDATED]
    history = archive.queries.show("1-2024")
    assert history is not None
    assert history.article["lead"] == "Aus der Liste"
    assert history.article["body"] == "Neuer Text"


def test_corrected_details_of_the_same_text_are_taken_over_in_place(archive: Archive) -> None:
    archive.store.upsert_many([record(1, tags=["Alt"], content_hash="a" * 64)])
    corrected = record(
        1, tags=["Handel"], published_at="2024-03-02T11:00:00+03:00", content_hash="a" * 64
    )
    assert archive.store.upsert_many([corrected]) == [Outcome.UNCHANGED]
    history = archive.queries.show("1-2024")
    assert history is not None and history.versions == []
    assert history.article["tags"] == ["Handel"]
    assert history.article["published_at"] == "2024-03-02T11:00:00+03:00"


def test_a_refetch_replaces_body_html_cleaned_by_an_older_version(archive: Archive) -> None:
    """Before a fix, clean_html let escaped markup of the body's own text through."""
    unsafe = "A <script>alert(1)</script><p>B</p>"
    archive.store.upsert_many([record(1, body_html=unsafe, content_hash="a" * 64)])
    safe = "A &lt;script&gt;alert(1)&lt;/script&gt;<p>B</p>"
    assert archive.store.upsert_many([record(1, body_html=safe, content_hash="a" * 64)]) == [
        Outcome.UNCHANGED
    ]
    history = archive.queries.show("1-2024")
    assert history is not None and history.versions == []
    assert history.article["body_html"] == safe
