"""The SQLite archive: upserts and versions, items of other kinds, lookups, refetches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from beltacrawl.archive import (
    Archive,
    ArchivedState,
    ArchiveError,
    Outcome,
    RecordRefused,
)
from tests.archiving import record

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


# --- refetches ----------------------------------------------------------------------------


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
