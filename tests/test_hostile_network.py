"""Hostile network answers and URLs: crawls of a replica that redirects, links and waits in
hostile ways (tests/sitesim/faults/, tests/sitesim/hostile.py).

Each test stands against one way to lose or corrupt a crawl: a redirect to another port
followed, an article lost for a tab in its link, thousands of requests queued from one
listing page, one article's text stored under another's key, a good page failed for a
``javascript:`` refresh, a long link neither archived nor recorded, minutes of waiting
for one request, and a run that failed half its articles judged ok.

Run alone: ``pytest -m reliability tests/test_hostile_network.py``.
"""

from __future__ import annotations

import pytest

from beltacrawl.archive import Archive
from tests.crawling import run_crawl
from tests.sitesim import FaultPlan, for_keys
from tests.sitesim.hostile import is_filler
from tests.test_reliability import (
    PACED,
    archive_state,
    article_requests,
    assert_faults_handled,
    assert_ran_fine,
    crawl,
    mismatches,
)

pytestmark = pytest.mark.reliability


def test_redirects_to_another_port_or_scheme_of_the_host_are_refused(make_replica, tmp_path):
    server = make_replica(articles=40, samples=False)
    other = make_replica(articles=5, samples=False)  # another service on 127.0.0.1
    to_port, to_scheme, refresh = (
        server.model.keys()[3],
        server.model.keys()[12],
        server.model.keys()[24],
    )
    plan = server.faults = (
        FaultPlan(seed=31)
        .offsite_redirect(f"127.0.0.1:{other.port}", match=for_keys(to_port))
        .offsite_redirect(f"127.0.0.1:{server.port}", scheme="https", match=for_keys(to_scheme))
        .offsite_redirect(f"127.0.0.1:{other.port}", meta=True, match=for_keys(refresh))
    )
    result = crawl(server, tmp_path)
    assert_ran_fine(result)
    assert other.requests == []  # not even its robots.txt
    stored, failures = assert_faults_handled(server, plan, tmp_path)
    assert set(failures) == {to_port, to_scheme, refresh}
    assert set(stored) == set(server.model.keys()) - set(failures)
    for key, failure in failures.items():
        assert failure.reason.startswith("IgnoreRequest: offsite redirect refused: "), key
    assert (
        f"offsite redirect refused: https://127.0.0.1:{server.port}/" in failures[to_scheme].reason
    )
    assert result.stat("redirect/refused/offsite") == 3
    assert "redirects off the site" in result.log


def test_tabs_and_newlines_in_listing_links_lose_nothing(make_replica, tmp_path):
    server = make_replica(articles=30, samples=False)
    plan = server.faults = FaultPlan(seed=32).whitespace_links()
    result = crawl(server, tmp_path)
    assert_ran_fine(result)
    assert plan.fired["whitespace_links"] >= 3
    stored, failures = assert_faults_handled(server, plan, tmp_path)
    assert set(stored) == set(server.model.keys())
    assert failures == {}
    assert not mismatches(stored, server.model)  # the url field included
    assert {record["url"] for record in result.records} == {
        server.model.expected_record(key)["url"] for key in server.model.keys()
    }


def test_a_failure_recorded_under_a_url_with_a_tab_is_retried_and_cleared(make_replica, tmp_path):
    """Earlier runs recorded such links as failed (``not a canonical article URL``): the
    next incremental run fetches the article under its clean URL and clears the entry."""
    server = make_replica(articles=30, samples=False)
    assert_ran_fine(crawl(server, tmp_path, "max_pages=1"))
    key = server.model.keys()[25]  # on page 3: not archived by the first run
    truth = server.model.expected_record(key)
    head, _, tail = truth["url"].partition("/view/")
    spaced = f"{head}/view/\t{tail[:-12]}\n{tail[-12:]}"
    with Archive.open(tmp_path / "archive.sqlite") as archive:
        assert key not in {record["key"] for record in archive.queries.iter_articles()}
        archive.ledger.record_failure(spaced, key, "invalid: url")

    result = crawl(server, tmp_path, "max_pages=1")
    assert_ran_fine(result)
    assert result.stat("belta/articles/retried_failures") == 1
    stored, failures = archive_state(tmp_path)
    assert failures == {}
    assert stored[key]["url"] == truth["url"]
    assert not mismatches({key: stored[key]}, server.model, skip=("lead",))  # not listed


def test_a_failure_under_another_spelling_of_the_url_is_one_entry(tmp_path):
    with Archive.open(tmp_path / "archive.sqlite") as archive:
        clean = "https://deu.belta.by/economics/view/krutoi-66060-2024/"
        archive.ledger.record_failure(clean.replace("view/", "view/\t"), "66060-2024", "x")
        archive.ledger.record_failure(clean.replace("view/", "view/\t"), "66060-2024", "x")
        archive.ledger.record_failure(clean, "66060-2024", "HTTP 503")
        failures = archive.ledger.failures()
    assert [(f.url, f.key, f.reason, f.attempts) for f in failures] == [
        (clean, "66060-2024", "HTTP 503", 3)
    ]


def test_a_listing_page_of_thousands_of_links_is_cut_at_the_limit(make_replica, tmp_path):
    server = make_replica(articles=30, samples=False)
    plan = server.faults = FaultPlan(seed=33).huge_listing(3000, match="/all_news/", times=1)
    settings = {"BELTA_MAX_LISTING_ENTRIES": "50", "BELTA_DRIFT_MIN_ARTICLES": "1000"}
    result = crawl(server, tmp_path, settings=settings)
    assert plan.fired["huge_listing"] >= 1
    filler = [r for r in server.requests if is_filler(r.path)]
    assert len(filler) == 40  # 50 entries: the page's own 10, then 40 links of the filler
    assert result.stat("belta/listing/entries_over_cap") == 2960
    assert "page 1: 2960 more entries than BELTA_MAX_LISTING_ENTRIES, not read" in result.log
    # Nothing the replica served is lost; the filler's articles are recorded as failed;
    # and the run says it did not read the whole page.
    stored, failures = assert_faults_handled(server, plan, tmp_path)
    assert set(stored) == set(server.model.keys())
    assert len(failures) == 40
    assert result.returncode == 1
    assert "listing entries beyond BELTA_MAX_LISTING_ENTRIES not read" in result.log
    with Archive.open(tmp_path / "archive.sqlite") as archive:
        assert archive.ledger.coverage("all_news") is None  # what the cut hid stays unwalked


def test_the_outage_monitor_counts_answered_requests_not_queued_ones(make_replica, tmp_path):
    """A listing queues 200 article requests at once and every one fails: the crawl stops
    (``site_unavailable``) once more than half of the first answers failed, not after
    half of all queued requests did."""
    server = make_replica(articles=30, samples=False)
    server.faults = (
        FaultPlan(seed=34)
        .huge_listing(1000, match="/all_news/", times=1)
        .server_error(503, probability=1, match="article")
    )
    result = crawl(server, tmp_path, settings=PACED)
    assert result.returncode == 1, result.log[-4000:]
    assert result.stat("finish_reason") == "site_unavailable"
    assert result.stat("belta/articles/requested") == 200
    asked = {r.path.partition("?")[0] for r in server.requests if "/view/" in r.path}
    assert len(asked) < 60, len(asked)
    assert "answered article requests failed" in result.log


def test_an_article_redirected_to_another_is_not_stored_under_its_key(make_replica, tmp_path):
    """The redirect is the site's answer, not a failure: the run is ok, and an earlier
    failure of the first article is not retried for ever."""
    server = make_replica(articles=30, samples=False)
    moved, target = server.model.keys()[4], server.model.keys()[20]
    moved_url, target_path = server.model.article(moved).url, server.model.article(target).path
    server.faults = FaultPlan(seed=35).article_redirect(target_path, match=for_keys(moved))
    with Archive.open(tmp_path / "archive.sqlite") as archive:
        archive.ledger.record_failure(moved_url, moved, "HTTP 503")
    result = run_crawl(
        server.base_url, tmp_path, f"urls={moved_url}", archive=tmp_path / "archive.sqlite"
    )
    assert result.returncode == 0, result.log[-3000:]
    assert "verdict: ok" in result.log
    stored, failures = archive_state(tmp_path)
    assert set(stored) == {target}  # fetched under its own key, never under the first's
    assert not mismatches(stored, server.model, skip=("lead",))  # the lead is the listing's
    assert failures == {}
    assert result.stat("redirect/refused/other_article") == 1
    assert result.stat("belta/articles/redirected") == 1
    assert result.stat("belta/articles/answered") == 2
    assert result.stat("belta/articles/failed") is None
    assert f"article {moved} (" in result.log and "redirects to another article" in result.log


def test_a_meta_refresh_to_javascript_is_ignored(make_replica, tmp_path):
    server = make_replica(articles=30, samples=False)
    keys = server.model.keys()
    plan = server.faults = FaultPlan(seed=36).javascript_refresh(match=for_keys(*keys[::3]))
    result = crawl(server, tmp_path)
    assert_ran_fine(result)
    assert plan.fired["javascript_refresh"] == 10
    stored, failures = assert_faults_handled(server, plan, tmp_path)
    assert set(stored) == set(keys)
    assert failures == {}
    assert result.stat("redirect/ignored/meta_refresh_not_http") == 10
    assert "Missing scheme" not in result.log


def test_an_article_link_too_long_to_request_is_recorded_as_failed(make_replica, tmp_path):
    server = make_replica(articles=30, samples=False)
    plan = server.faults = FaultPlan(seed=37).long_link(100_000, match="/all_news/", times=1)
    result = crawl(server, tmp_path)
    assert_ran_fine(result)
    (damaged,) = plan.never_served_correctly()
    stored, failures = assert_faults_handled(server, plan, tmp_path)
    assert set(failures) == {damaged}
    assert failures[damaged].reason.startswith("URL longer than URLLENGTH_LIMIT (100")
    assert set(stored) == set(server.model.keys()) - {damaged}
    assert result.stat("belta/articles/failed") == 1
    assert "x" * 1000 not in result.log  # the link is named, not printed whole


def test_the_total_wait_for_one_requests_retries_is_bounded(make_replica, tmp_path):
    """Retry-After at the bound on every answer (scaled down: 2 s, the bound 2 s, in all
    3 s): each page waits once, not once per retry, then is recorded as failed."""
    server = make_replica(articles=30, samples=False)
    limited = server.model.keys()[2:5]
    server.faults = FaultPlan(seed=38).rate_limit(2, probability=1, match=for_keys(*limited))
    settings = {
        "RETRY_TIMES": "4",
        "BELTA_RETRY_AFTER_MAX": "2",
        "BELTA_RETRY_WAIT_TOTAL": "3",
    }
    result = crawl(server, tmp_path, settings=settings)
    assert_ran_fine(result)
    for key in limited:
        assert len(article_requests(server, key)) == 2  # asked, retried once after 2 s
    assert result.stat("retry/wait_total_exceeded") == 3
    assert "more than BELTA_RETRY_WAIT_TOTAL (3 s)" in result.log
    _, failures = archive_state(tmp_path)
    assert {key: f.reason for key, f in failures.items()} == dict.fromkeys(limited, "HTTP 429")


def test_a_run_that_failed_half_its_articles_is_not_ok(make_replica, tmp_path):
    server = make_replica(articles=30, samples=False)
    keys = server.model.keys()[:4]
    server.faults = FaultPlan(seed=39).not_found(match=for_keys(*keys[:2]))
    urls = ",".join(server.model.article(key).url for key in keys)
    result = run_crawl(server.base_url, tmp_path, f"urls={urls}", archive=tmp_path / "a.sqlite")
    assert result.returncode == 1, result.log[-3000:]
    assert "2 of 4 article requests failed" in result.log
    assert sorted(result.keys()) == sorted(keys[2:])


def test_earlier_failures_failing_again_do_not_fail_a_quiet_run(make_replica, tmp_path):
    """An hourly run retries the articles that failed before; when they fail once more and
    they are most of what the run asked for, the site is not judged down for that."""
    server = make_replica(articles=40, samples=False)
    gone = server.model.keys()[::7]  # 6 of 40: the first run is ok
    server.faults = FaultPlan(seed=40).not_found(match=for_keys(*gone))
    assert_ran_fine(crawl(server, tmp_path))
    fresh = server.model.publish(2)
    result = crawl(server, tmp_path, settings={"BELTA_DRIFT_MIN_ARTICLES": "4"})
    assert_ran_fine(result)
    assert result.stat("belta/articles/retried_failures") == 6
    assert result.stat("belta/articles/failed_again") == 6
    stored, failures = archive_state(tmp_path)
    assert set(fresh) <= set(stored)
    assert set(failures) == set(gone)
    assert {failure.attempts for failure in failures.values()} == {2}
