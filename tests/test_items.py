"""End to end: photo reports and infographics on the replica's listings become records of
their own kind; entries that are no item (video records) are counted, never fetched."""

from __future__ import annotations

import pytest

from beltacrawl.archive import Archive
from tests.crawling import run_crawl
from tests.test_crawl import assert_matches_truth


def item_requests(server) -> list[str]:
    return [r.path for r in server.requests if r.path.startswith(("/photonews/", "/infographica/"))]


def article_requests(server) -> list[str]:
    return [r.path for r in server.requests if "/view/" in r.path]


@pytest.mark.slow
def test_items_are_archived_by_kind_and_not_fetched_again(make_replica, tmp_path):
    server = make_replica(articles=60, items=9, samples=False, recent=0)
    model = server.model
    photos, graphics = model.item_keys("photo_report"), model.item_keys("infographic")
    videos = model.item_keys("video")
    assert (len(photos), len(graphics), len(videos)) == (3, 3, 3)
    archive_path = tmp_path / "archive.sqlite"

    first = run_crawl(server.base_url, tmp_path, archive=archive_path)
    assert first.returncode == 0, first.log[-3000:]
    by_key = first.by_key()
    assert set(by_key) == set(model.keys()) - set(videos)
    assert_matches_truth(first.records, model)
    assert {by_key[key]["kind"] for key in photos} == {"photo_report"}
    assert {by_key[key]["kind"] for key in graphics} == {"infographic"}
    assert all(by_key[key]["body"] is None for key in graphics)
    assert all(len(by_key[key]["images"]) >= 3 for key in photos)  # the main image, photos
    assert sorted(item_requests(server)) == sorted(model.article(k).path for k in photos + graphics)
    # The video records were offered by the listing and passed over, loudly.
    assert first.stat("belta/listing/not_taken/forbidden") == 3
    assert "listing entries not taken              3 (forbidden 3)" in first.log
    assert "entry not taken (forbidden): /video/getRecord/" in first.log
    assert not [r.path for r in server.requests if r.path.startswith("/video/")]
    with Archive.open(archive_path) as archive:
        stored = archive.store.lookup(photos + graphics)
        assert set(stored) == set(photos + graphics)
        for key in photos + graphics:
            history = archive.queries.show(key)
            assert history is not None
            assert history.article["kind"] == by_key[key]["kind"]
            assert history.article["article_year"] is None

    # The site moves on: two new articles; the items are archived and not fetched again
    # (no copy is young enough to be refreshed: the refresh rules are tested elsewhere).
    new_keys = model.publish(2)
    server.clear_requests()
    settled = {"BELTA_REFRESH_HOURS": "0"}
    second = run_crawl(server.base_url, tmp_path, archive=archive_path, settings=settled)
    assert second.returncode == 0, second.log[-3000:]
    assert sorted(second.keys()) == sorted(new_keys)
    assert item_requests(server) == []
    assert len(article_requests(server)) == 2

    # A full run fetches them again, and they stay one record each, unchanged.
    server.clear_requests()
    third = run_crawl(server.base_url, tmp_path, "mode=full", archive=archive_path)
    assert third.returncode == 0, third.log[-3000:]
    assert len(item_requests(server)) == len(photos + graphics)
    with Archive.open(archive_path) as archive:
        assert archive.store.count() == len(model.keys()) - len(videos)
        runs = archive.ledger.recent_runs(1)
        assert (runs[0].new, runs[0].updated) == (0, 0)


@pytest.mark.slow
def test_urls_argument_takes_a_photo_report_and_an_infographic(make_replica, tmp_path):
    server = make_replica(articles=30, items=2, samples=False)
    keys = server.model.item_keys()
    urls = ",".join(server.model.expected_record(key)["url"].rstrip("/") for key in keys)
    result = run_crawl(server.base_url, tmp_path, f"urls={urls}")
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(result.keys()) == sorted(keys)
    for record in result.records:  # no listing, so no lead
        truth = {**server.model.expected_record(record["key"]), "lead": None}
        assert {name: record[name] for name in truth} == truth
