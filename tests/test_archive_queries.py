"""The SQLite archive for analysts: full-text search, stats, filtered iteration, show."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from beltacrawl.archive import (
    Archive,
    ArchiveError,
)
from tests.archiving import record


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
    assert stats.failures == stats.given_up == 0
    assert len(stats.last_runs) == 1


def test_stats_count_given_up_failures_apart(archive: Archive) -> None:
    url = "https://deu.belta.by/economics/view/artikel-{}-2024/"
    for _ in range(3):
        archive.ledger.record_failure(url.format(8), "8-2024", "HTTP 503")
    archive.ledger.record_failure(url.format(9), "9-2024", "timeout")
    given_up = archive.queries.stats(failure_attempts=3)
    assert (given_up.failures, given_up.given_up) == (1, 1)
    retried = archive.queries.stats(failure_attempts=4)
    assert (retried.failures, retried.given_up) == (2, 0)
    unlimited = archive.queries.stats()
    assert (unlimited.failures, unlimited.given_up) == (2, 0)


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
