"""End to end: ``scrapy crawl belta`` against the replica of the site, JSON Lines out."""

from __future__ import annotations

import re
import socket
from datetime import datetime

import pytest

from beltacrawl.archive import Archive
from tests.crawling import run_crawl

#: Each test runs real crawls (subprocesses): the quick subset leaves them out.
pytestmark = pytest.mark.slow

ARTICLE_FIELDS_FROM_TRUTH = (
    "url", "key", "article_id", "article_year", "kind", "rubric", "rubric_label", "title",
    "lead", "published_at", "published_raw", "dateline_place", "dateline_date",
    "dateline_raw", "body", "tags", "image_url", "image_caption", "images", "language",
    "is_incomplete",
)  # fmt: skip


def article_paths(server) -> list[str]:
    return [r.path for r in server.requests if "/view/" in r.path]


def listing_paths(server) -> list[str]:
    return [r.path for r in server.requests if "/view/" not in r.path and "robots" not in r.path]


def assert_matches_truth(records: list[dict], model) -> None:
    mismatches = [
        (record["key"], name, model.expected_record(record["key"])[name], record[name])
        for record in records
        for name in ARTICLE_FIELDS_FROM_TRUTH
        if record[name] != model.expected_record(record["key"])[name]
    ]
    assert not mismatches, mismatches[:5]


def test_full_crawl_archives_every_article_once_and_correctly(make_replica, tmp_path):
    server = make_replica(articles=300)
    result = run_crawl(server.base_url, tmp_path)
    assert result.returncode == 0, result.log[-3000:]
    keys = result.keys()
    assert len(keys) == len(set(keys))
    assert set(keys) == set(server.model.keys())
    assert_matches_truth(result.records, server.model)
    for record in result.records:
        assert record["fetched_url"].startswith(server.base_url)
        assert len(record["content_hash"]) == 64
    # Every article page was requested once, and nothing but the replica was asked:
    assert len(article_paths(server)) == len(keys)
    assert result.stat("downloader/request_count") == len(server.requests)
    assert not [p for p in (r.path for r in server.requests) if "printv" in p or "search" in p]
    assert result.stat("belta/walk/all_news/stop_reason") == "last_page"
    assert "beltacrawl run summary" in result.log
    # A clean run of a healthy site logs no warning (run_crawl switches the archive off).
    warnings = [line for line in result.log.splitlines() if "WARNING" in line]
    assert all("BELTA_ARCHIVE is empty" in line for line in warnings), warnings


def test_date_window_yields_exactly_the_articles_inside_it(make_replica, tmp_path):
    server = make_replica(articles=300)
    model = server.model
    since, until = "2023-12-26", "2023-12-28"
    inside = {
        key for key in model if since <= model.expected_record(key)["published_at"][:10] <= until
    }
    assert 40 < len(inside) < 100
    result = run_crawl(server.base_url, tmp_path, f"since={since}", f"until={until}")
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(result.keys()) == sorted(inside)
    # Articles outside the window were decided from the listing, never fetched ...
    assert len(article_paths(server)) == len(inside)
    # ... and the walk stopped at the first page wholly older than `since`.
    assert result.stat("belta/walk/all_news/stop_reason") == "since_reached"
    oldest_inside = min(model.expected_record(k)["published_at"] for k in inside)
    keys = model.keys()
    last_needed_page = (
        keys.index(
            next(k for k in keys if model.expected_record(k)["published_at"] == oldest_inside)
        )
        // 10
        + 1
    )
    assert len(listing_paths(server)) <= last_needed_page + 1


def test_max_pages_bounds_the_walk(make_replica, tmp_path):
    server = make_replica(articles=120)
    result = run_crawl(server.base_url, tmp_path, "max_pages=2")
    assert result.returncode == 0, result.log[-3000:]
    assert len(listing_paths(server)) == 2
    assert result.keys() and set(result.keys()) == set(server.model.keys()[:20])
    assert result.stat("belta/walk/all_news/stop_reason") == "max_pages"


def test_rubrics_by_label_walk_only_those_listings(make_replica, tmp_path):
    server = make_replica(articles=200)
    result = run_crawl(server.base_url, tmp_path, "rubrics=Wirtschaft,sport")
    assert result.returncode == 0, result.log[-3000:]
    expected = set(server.model.keys("economics")) | set(server.model.keys("sport"))
    assert sorted(result.keys()) == sorted(expected)
    assert all(path.startswith(("/economics/", "/sport/")) for path in listing_paths(server))
    assert_matches_truth(result.records, server.model)


def test_a_rubric_that_cannot_be_paginated_is_crawled_whole_from_all_news(make_replica, tmp_path):
    server = make_replica(articles=200, rubric_pagination_repeats=True)
    result = run_crawl(server.base_url, tmp_path, "rubrics=economics")
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(result.keys()) == sorted(server.model.keys("economics"))
    assert_matches_truth(result.records, server.model)
    assert result.stat("belta/walk/economics/stop_reason") == "page_repeated"
    assert result.stat("belta/walk/all_news/stop_reason") == "last_page"
    # One more listing walk, and no article requested twice or of another rubric.
    all_news_pages = -(-len(server.model) // server.model.page_size)
    paths = listing_paths(server)
    economics = [path.split("?")[0] for path in paths if path.startswith("/economics/")]
    assert economics == ["/economics/", "/economics/page/2/"]
    assert sum(path.startswith("/all_news/") for path in paths) == all_news_pages
    assert sorted(article_paths(server)) == sorted(set(article_paths(server)))
    assert len(article_paths(server)) == len(result.keys())
    assert result.stat("belta/skipped/other_rubric") == len(server.model) - len(result.keys())
    said = "rubric listing(s) cut short: economics (page_repeated); their entries are taken"
    assert result.log.count(said) == 1
    assert re.search(
        r"^  walk all_news for economics +\d+ page\(s\), stopped: last_page\n"
        r"    reached page \d+, back to .*\n"
        r"    kept the entries of economics: the rubric pages could not list them all$",
        result.log,
        re.M,
    )


def test_an_incremental_run_of_an_unpaginated_rubric_fetches_only_the_new(make_replica, tmp_path):
    """The walk of all_news that completes the rubric stops, like any incremental walk,
    where the rubric's archived stretch begins; the rubric's coverage grows from it."""
    server = make_replica(articles=200, rubric_pagination_repeats=True)
    archive = tmp_path / "a.sqlite"
    first = run_crawl(server.base_url, tmp_path, "rubrics=economics", archive=archive)
    assert first.returncode == 0, first.log[-3000:]
    with Archive.open(archive) as opened:
        assert opened.ledger.coverage("economics") is not None
        assert opened.ledger.coverage("all_news") is None  # it kept economics' entries only
    server.model.publish(30)
    server.clear_requests()
    second = run_crawl(server.base_url, tmp_path, "rubrics=economics", archive=archive)
    assert second.returncode == 0, second.log[-3000:]
    new = set(server.model.keys("economics")) - set(first.keys())
    assert new and set(second.keys()) == new
    assert second.stat("belta/walk/all_news/stop_reason") == "archive_reached"
    assert sum(path.startswith("/all_news/") for path in listing_paths(server)) < 10


def test_a_since_beyond_the_listings_depth_is_reported(make_replica, tmp_path):
    server = make_replica(articles=200, listing_depth=3)
    archive = tmp_path / "a.sqlite"
    result = run_crawl(server.base_url, tmp_path, "since=2023-12-01", archive=archive)
    assert result.returncode == 1, result.log[-3000:]
    reachable = [article for page in (1, 2, 3) for article in server.model.listing(None, page)[0]]
    assert sorted(result.keys()) == sorted(article.key for article in reachable)
    assert listing_paths(server)[-1].startswith("/all_news/page/4/")
    assert result.stat("belta/walk/all_news/stop_reason") == "page_not_found"
    oldest = min(article.published_at for article in reachable)
    problem = (
        f"listing all_news: reached back to {oldest:%Y-%m-%d %H:%M} only "
        "(page 3, page_not_found), not to since 2023-12-01; the site lists no older "
        "articles; get them from web-archive captures (`scrapy archive import-warc`) or "
        "by their URLs (the `urls=` argument)"
    )
    assert f"  verdict: PROBLEMS\n    - {problem}\n" in result.log
    assert f"    reached page 3, back to {oldest:%Y-%m-%d %H:%M}; since 2023-12-01 not reached" in (
        result.log
    )
    with Archive.open(archive) as opened:
        (run,) = opened.ledger.recent_runs(1)
        (reach,) = opened.queries.stats().reach
    assert run.verdict == "problems" and run.problems == [problem]
    assert (reach.listing, reach.deepest_page, reach.last_stop_reason) == (
        "all_news",
        3,
        "page_not_found",
    )
    assert reach.oldest_listed == oldest.isoformat(timespec="seconds")
    assert (reach.last_since, reach.last_since_reached) == ("2023-12-01T00:00:00+03:00", False)


def test_a_rubric_ending_before_since_is_completed_from_all_news(make_replica, tmp_path):
    """Both listings reach only so deep; all_news, completing economics, still ends
    before ``since``: the verdict names the economics listing."""
    server = make_replica(articles=200, listing_depth=2)
    result = run_crawl(server.base_url, tmp_path, "rubrics=economics", "since=2023-12-01")
    assert result.returncode == 1, result.log[-3000:]
    assert result.stat("belta/walk/economics/stop_reason") == "page_not_found"
    assert result.stat("belta/walk/all_news/stop_reason") == "page_not_found"
    listed = [a for page in (1, 2) for a in server.model.listing("economics", page)[0]]
    listed += [
        a for page in (1, 2) for a in server.model.listing(None, page)[0] if a.rubric == "economics"
    ]
    assert sorted(result.keys()) == sorted({article.key for article in listed})
    assert "\n    - listing economics: reached back to " in result.log


def test_items_shifting_mid_crawl_lose_nothing_and_duplicate_nothing(make_replica, tmp_path):
    server = make_replica(articles=200)
    before = set(server.model.keys())
    server.model.schedule_publish(after_requests=30, count=7)
    server.model.schedule_publish(after_requests=120, count=5)
    result = run_crawl(server.base_url, tmp_path, settings={"BELTA_RECHECK_SECONDS": "0"})
    assert result.returncode == 0, result.log[-3000:]
    keys = result.keys()
    assert len(keys) == len(set(keys))
    assert before <= set(keys)
    # Published while the walk ran: picked up by the re-check of the first page.
    assert set(keys) == set(server.model.keys())
    assert len(article_paths(server)) == len(keys)
    assert_matches_truth(result.records, server.model)


def test_urls_argument_fetches_just_those_articles(make_replica, tmp_path):
    server = make_replica(articles=60)
    keys = server.model.keys()[3:6]
    urls = [server.model.expected_record(key)["url"] for key in keys]
    listed = tmp_path / "urls.txt"
    listed.write_text(
        "# three articles\n"
        + urls[0].replace("https://", "http://")
        + "\n"
        + urls[1].replace("deu.belta.by", "m.deu.belta.by").rstrip("/")
        + "\n"
        + urls[2]
        + "\n",
        encoding="utf-8",
    )
    result = run_crawl(server.base_url, tmp_path, f"urls={listed}")
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(result.keys()) == sorted(keys)
    assert listing_paths(server) == []
    assert all(record["lead"] is None for record in result.records)


def test_p_next_links_are_followed(make_replica, tmp_path):
    server = make_replica(articles=80, next_link="p_next", samples=False)
    result = run_crawl(server.base_url, tmp_path)
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(result.keys()) == sorted(server.model.keys())


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("since=yesterday", "since must be a date"),
        ("max_pages=-3", "max_pages must be a whole number"),
        ("rubrics=Wirtschaft,Kultur!", "neither a rubric slug nor a label"),
        ("rubrics=economy", "not a known rubric; did you mean economics (Wirtschaft)?"),
        ("mode=fast", "mode must be one of"),
        ("colour=red", "unknown spider argument"),
    ],
)
def test_bad_arguments_stop_before_anything_is_fetched(make_replica, tmp_path, argument, message):
    server = make_replica(articles=20)
    result = run_crawl(server.base_url, tmp_path, argument)
    assert result.returncode == 2
    assert message in result.log
    assert "Traceback" not in result.log
    assert server.requests == []


def test_a_rubric_the_site_does_not_have_is_one_clear_line(make_replica, tmp_path):
    """An unknown slug passes the check (the site may add rubrics); the site's 404 says."""
    server = make_replica(articles=20)
    result = run_crawl(server.base_url, tmp_path, "rubrics=kultur")
    assert result.returncode == 1
    errors = [line for line in result.log.splitlines() if " ERROR: " in line]
    assert len(errors) == 1, errors
    assert "rubrics: 'kultur' is not a rubric of the site (HTTP 404 for" in errors[0]
    assert "known rubrics: president (Präsident)" in errors[0]
    assert "Traceback" not in result.log
    assert listing_paths(server) == ["/kultur/"]


def test_article_records_have_minsk_times(replica, tmp_path):
    result = run_crawl(replica.base_url, tmp_path, "max_pages=1")
    assert result.records
    for record in result.records:
        offset = datetime.fromisoformat(record["published_at"]).utcoffset()
        assert offset is not None and offset.total_seconds() == 3 * 3600


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("base_url", "cause"),
    [
        ("http://beltacrawl-test.invalid", "DNS lookup failed"),  # .invalid never resolves
        (f"http://127.0.0.1:{_closed_port()}", "connection refused"),
    ],
)
def test_an_unreachable_site_ends_the_run_at_once_with_one_line(tmp_path, base_url, cause):
    """Offline (or a wrong base URL): no retries, one ERROR line with the cause and the
    pointer to the offline demo, no traceback, and no archive left behind."""
    archive = tmp_path / "data" / "belta.sqlite"
    result = run_crawl(base_url, tmp_path, archive=archive)
    assert result.returncode == 1
    errors = [line for line in result.log.splitlines() if " ERROR: " in line]
    assert len(errors) == 1, errors
    assert f"Cannot reach {base_url} ({cause}" in errors[0]
    assert "README.md, 'Try it without internet'" in errors[0]
    assert "Traceback" not in result.log
    assert "Gave up retrying" not in result.log  # given up at once, not after retries
    assert "- the run ended early (site_unreachable)" in result.log
    assert not archive.parent.exists()
