"""Incremental runs against the replica: each run fetches what is new or changed, once."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from beltacrawl.archive import Archive
from tests.crawling import run_crawl
from tests.sitesim import FaultPlan

#: Each test runs real crawls (subprocesses): the quick subset leaves them out.
pytestmark = pytest.mark.slow


def article_requests(server) -> list[str]:
    return [r.path for r in server.requests if "/view/" in r.path]


def listing_requests(server) -> list[str]:
    return [r.path for r in server.requests if "/view/" not in r.path and "robots" not in r.path]


def refresh_hours_covering(model, newest_archived: list[str], count: int, fetched) -> str:
    """A refresh window that holds exactly the ``count`` newest archived articles, which
    were ``fetched`` (the site's time then) that young."""
    now = fetched
    ages = [
        (now - datetime.fromisoformat(model.expected_record(key)["published_at"])).total_seconds()
        for key in newest_archived[: count + 1]
    ]
    return str((ages[count - 1] + ages[count]) / 2 / 3600)


def test_hourly_runs_fetch_only_what_is_new_or_changed(make_replica, tmp_path):
    server = make_replica(articles=150, samples=False, recent=0)
    model = server.model
    archive_path = tmp_path / "archive.sqlite"

    # Run 1: an empty archive: everything.
    first = run_crawl(server.base_url, tmp_path, archive=archive_path)
    assert first.returncode == 0, first.log[-3000:]
    assert len(first.records) == 150
    with Archive.open(archive_path) as archive:
        assert archive.store.count() == 150
        assert archive.ledger.coverage("all_news") is not None

    # The site moves on: 7 new articles, and 2 fresh ones get corrected.
    archived_newest_first = model.keys()
    fetched = model.now
    new_keys = model.publish(7)
    updated = archived_newest_first[:2]
    for key in updated:
        model.update_text(key)
    refresh = refresh_hours_covering(model, archived_newest_first, 2, fetched)
    server.clear_requests()

    second = run_crawl(
        server.base_url, tmp_path, archive=archive_path, settings={"BELTA_REFRESH_HOURS": refresh}
    )
    assert second.returncode == 0, second.log[-3000:]
    assert sorted(second.keys()) == sorted(new_keys + updated)
    assert len(article_requests(server)) == 9
    # 7 new + 3 older entries on page 1, then a page of archived ones: the margin.
    assert len(listing_requests(server)) == 2
    assert second.stat("belta/walk/all_news/stop_reason") == "archive_reached"
    with Archive.open(archive_path) as archive:
        assert archive.store.count() == 157
        for key in updated:
            history = archive.queries.show(key)
            assert history is not None and len(history.versions) == 1
            assert history.article["body"] == model.expected_record(key)["body"]
        runs = archive.ledger.recent_runs(1)
        assert (runs[0].new, runs[0].updated, runs[0].unchanged) == (7, 2, 0)
    connection = sqlite3.connect(archive_path)
    duplicates = connection.execute(
        "SELECT key, count(*) FROM articles GROUP BY key HAVING count(*) > 1"
    ).fetchall()
    assert duplicates == []
    connection.close()

    # Run 3: nothing changed: a listing page or two, no article.
    server.clear_requests()
    third = run_crawl(
        server.base_url, tmp_path, archive=archive_path, settings={"BELTA_REFRESH_HOURS": refresh}
    )
    assert third.returncode == 0, third.log[-3000:]
    assert third.records == []
    assert article_requests(server) == []
    assert 1 <= len(listing_requests(server)) <= 2
    assert third.stat("belta/skipped/known") >= 10


def test_a_run_killed_half_way_is_caught_up_by_the_next(make_replica, tmp_path):
    """Articles a killed run never stored lie below archived ones: the next run must not
    stop at the archived ones (no coverage was recorded for the broken run)."""
    server = make_replica(articles=120, samples=False, recent=0)
    archive_path = tmp_path / "archive.sqlite"
    # A run that stops after 4 listing pages stands in for a killed one: it never
    # finishes its walk, so its stretch is not recorded as covered.
    first = run_crawl(
        server.base_url,
        tmp_path,
        archive=archive_path,
        settings={
            "CLOSESPIDER_PAGECOUNT": "20",
            "CONCURRENT_REQUESTS": "1",
        },
    )
    assert 0 < len(first.records) < 120
    with Archive.open(archive_path) as archive:
        assert archive.ledger.coverage("all_news") is None
    second = run_crawl(server.base_url, tmp_path, archive=archive_path)
    assert second.returncode == 0, second.log[-3000:]
    assert not set(first.keys()) & set(second.keys())
    with Archive.open(archive_path) as archive:
        assert archive.store.count() == 120


def test_stale_copies_are_fetched_again_until_final(make_replica, tmp_path):
    """Copies taken while an article was young, or marked /Wird ergänzt/, are fetched
    again once they have aged as long again; then the final text becomes a version."""
    server = make_replica(articles=60, samples=False, recent=30)
    model = server.model
    archive_path = tmp_path / "archive.sqlite"
    first = run_crawl(server.base_url, tmp_path, archive=archive_path)
    first_fetch = model.now
    incomplete = {r["key"] for r in first.records if r["is_incomplete"]}
    assert incomplete, "the replica should mark some recent articles /Wird ergänzt/"

    def age_when_taken(key: str) -> timedelta:
        return first_fetch - datetime.fromisoformat(model.expected_record(key)["published_at"])

    # A day later on the site's clock.
    model.now = first_fetch + timedelta(days=1)
    stale = {
        key
        for key in model.keys()
        if (key in incomplete or age_when_taken(key) < timedelta(hours=6))
        and age_when_taken(key) <= timedelta(days=1)
    }
    assert stale and stale != set(model.keys())
    server.clear_requests()
    second = run_crawl(server.base_url, tmp_path, archive=archive_path)
    assert second.returncode == 0, second.log[-3000:]
    assert set(second.keys()) == stale
    assert len(article_requests(server)) == len(stale)
    assert second.stat("archive/unchanged") == len(stale)

    # Right after: nothing is stale.
    server.clear_requests()
    third = run_crawl(server.base_url, tmp_path, archive=archive_path)
    assert third.records == [] and article_requests(server) == []

    # The site completes its newest incomplete article; a later run stores the final text.
    completed = min(incomplete & stale, key=model.keys().index)
    model.update_text(completed)
    model.now += timedelta(days=2)
    fourth = run_crawl(server.base_url, tmp_path, archive=archive_path)
    assert fourth.returncode == 0
    assert completed in fourth.keys()
    with Archive.open(archive_path) as archive:
        stored = archive.queries.show(completed)
        assert stored is not None
        assert not stored.article["is_incomplete"]
        assert stored.article["body"] == model.expected_record(completed)["body"]
        assert len(stored.versions) == 1


def test_undated_copies_are_fetched_again_until_dated(make_replica, tmp_path):
    """Articles stored while their pages' dates were not understood (fetched by URL, so no
    listing entry dated them) are fetched again, once per refresh window, until dated."""
    server = make_replica(articles=30, samples=False)
    model = server.model
    archive_path = tmp_path / "archive.sqlite"
    undated = model.keys()[5:10]
    urls = ",".join(model.article(key).url for key in undated)
    server.faults = FaultPlan(seed=3).date_changed()
    first = run_crawl(server.base_url, tmp_path, f"urls={urls}", archive=archive_path)
    assert [record["published_at"] for record in first.records] == [None] * 5
    server.faults = FaultPlan()  # the site (or beltacrawl) is fixed

    # Within the refresh window the undated copies are left alone ...
    model.now += timedelta(hours=1)
    server.clear_requests()
    second = run_crawl(server.base_url, tmp_path, archive=archive_path)
    assert second.returncode == 0, second.log[-3000:]
    assert set(second.keys()) == set(model.keys()) - set(undated)
    assert second.stat("belta/articles/refreshed") is None

    # ... and fetched again after it, now dated.
    model.now += timedelta(hours=6)
    server.clear_requests()
    third = run_crawl(server.base_url, tmp_path, archive=archive_path)
    assert third.returncode == 0, third.log[-3000:]
    # (with the copies the second run took of articles still young then)
    assert set(undated) <= set(third.keys())
    with Archive.open(archive_path) as archive:
        for key in undated:
            stored = archive.queries.show(key)
            assert stored is not None
            assert stored.article["published_at"] == model.expected_record(key)["published_at"]

    # Dated now, they are not fetched again.
    model.now += timedelta(hours=7)
    server.clear_requests()
    fourth = run_crawl(server.base_url, tmp_path, archive=archive_path)
    assert fourth.returncode == 0, fourth.log[-3000:]
    assert not set(undated) & set(fourth.keys())

    # A copy that stays undated is given up BELTA_INCOMPLETE_DAYS after it was archived.
    connection = sqlite3.connect(archive_path)
    with connection:
        connection.execute(
            "UPDATE articles SET published_at = NULL WHERE key IN (?, ?)", undated[:2]
        )
        connection.execute(
            "UPDATE articles SET first_seen_at = ? WHERE key = ?",
            ((datetime.now(UTC) - timedelta(days=8)).isoformat(timespec="seconds"), undated[0]),
        )
    connection.close()
    model.now += timedelta(hours=7)
    fifth = run_crawl(server.base_url, tmp_path, archive=archive_path)
    assert fifth.returncode == 0, fifth.log[-3000:]
    assert undated[1] in fifth.keys() and undated[0] not in fifth.keys()


NO_REFRESH = {"BELTA_REFRESH_HOURS": "0"}


def test_undated_listings_still_let_incremental_runs_stop_early(make_replica, tmp_path):
    """Listing pages without day groups give their entries no date: the archive's dates of
    the entries it holds mark how far a walk covered, so hourly runs stay short."""
    server = make_replica(articles=80, samples=False, recent=0)
    model = server.model
    server.faults = FaultPlan(seed=5).no_day_groups()
    archive_path = tmp_path / "archive.sqlite"
    first = run_crawl(server.base_url, tmp_path, archive=archive_path, settings=NO_REFRESH)
    assert first.returncode == 0, first.log[-3000:]
    assert len(first.records) == 80
    pages = len(listing_requests(server))

    new_keys = model.publish(3)
    server.clear_requests()
    second = run_crawl(server.base_url, tmp_path, archive=archive_path, settings=NO_REFRESH)
    assert second.returncode == 0, second.log[-3000:]
    assert sorted(second.keys()) == sorted(new_keys)
    with Archive.open(archive_path) as archive:
        assert archive.ledger.coverage("all_news") is not None

    new_keys = model.publish(3)
    server.clear_requests()
    third = run_crawl(server.base_url, tmp_path, archive=archive_path, settings=NO_REFRESH)
    assert third.returncode == 0, third.log[-3000:]
    assert sorted(third.keys()) == sorted(new_keys)
    assert len(listing_requests(server)) <= 2 < pages
    assert third.stat("belta/walk/all_news/stop_reason") == "archive_reached"


def test_full_mode_refetches_everything_without_duplicates(make_replica, tmp_path):
    server = make_replica(articles=50, samples=False)
    archive_path = tmp_path / "archive.sqlite"
    run_crawl(server.base_url, tmp_path, archive=archive_path)
    server.clear_requests()
    again = run_crawl(server.base_url, tmp_path, "mode=full", archive=archive_path)
    assert again.returncode == 0
    assert len(article_requests(server)) == 50
    assert again.stat("archive/unchanged") == 50
    with Archive.open(archive_path) as archive:
        assert archive.store.count() == 50


def test_since_backfills_what_the_archive_lacks(make_replica, tmp_path):
    server = make_replica(articles=150, samples=False)
    model = server.model
    archive_path = tmp_path / "archive.sqlite"
    # The archive starts with the newest three pages only.
    run_crawl(server.base_url, tmp_path, "max_pages=3", archive=archive_path)
    have = set(model.keys()[:30])
    since = model.expected_record(model.keys()[100])["published_at"][:10]
    wanted = {k for k in model.keys() if model.expected_record(k)["published_at"][:10] >= since}
    server.clear_requests()
    backfill = run_crawl(server.base_url, tmp_path, f"since={since}", archive=archive_path)
    assert backfill.returncode == 0, backfill.log[-3000:]
    assert set(backfill.keys()) == wanted - have
    assert len(article_requests(server)) == len(wanted - have)


def test_urls_that_fail_fail_the_run_and_a_404_is_given_up(make_replica, tmp_path):
    """Articles asked for by URL count in the verdict; a 404 is retried by later runs
    only ``BELTA_FAILURE_ATTEMPTS`` times in all, and the last attempt says so."""
    server = make_replica(articles=20, samples=False)
    archive = tmp_path / "belta.sqlite"
    first = run_crawl(server.base_url, tmp_path, archive=archive)
    assert first.returncode == 0, first.log[-3000:]
    key = server.model.keys()[0]
    number, year = key.split("-")
    rubric = server.model.expected_record(key)["rubric"]
    shortened = f"https://deu.belta.by/{rubric}/view/{number}-{year}/"  # no slug: a 404
    limit = {"BELTA_FAILURE_ATTEMPTS": "2"}
    asked = run_crawl(server.base_url, tmp_path, f"urls={shortened}", archive=archive,
                      settings=limit)  # fmt: skip
    assert asked.returncode == 1
    assert "1 of 1 article requests failed" in asked.log
    retried = run_crawl(server.base_url, tmp_path, archive=archive, settings=limit)
    assert retried.returncode == 0, retried.log[-3000:]
    assert f"article {key} ({shortened}) failed 2 times, last: HTTP 404; given up" in retried.log
    after = run_crawl(server.base_url, tmp_path, archive=archive, settings=limit)
    assert after.returncode == 0
    assert after.stat("belta/articles/failures_given_up") == 1
    short_path = f"/{rubric}/view/{number}-{year}/"
    assert [r.path for r in server.requests].count(short_path) == 2
