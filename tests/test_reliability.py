"""Issue 5: crawls against the replica on a bad day (tests/sitesim/faults/).

For each kind of fault, and for a realistic mix of them, a crawl must end with:

- every article the replica served correctly in the archive, exactly once, field by field
  equal to the replica's truth;
- every article it never served correctly listed in the archive's failures (for the
  next run), never stored half-empty;
- an archive that passes its integrity check;
- the exit status telling what happened: 0 when the run did its job despite transient
  faults (failed article pages alone do not fail a run), 1 when the layout changed, the
  site is unavailable or a listing page could not be fetched.

Run alone: ``pytest -m reliability``.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from urllib.parse import urlsplit

import pytest

from beltacrawl.archive import Archive
from tests.crawling import run_crawl
from tests.sitesim import FaultPlan, for_keys
from tests.sitesim.faults import MB, article_key, is_listing
from tests.test_crawl import ARTICLE_FIELDS_FROM_TRUTH

pytestmark = pytest.mark.reliability

#: More retries than FAST's single one where a test sends bursts of faults.
PATIENT = {"RETRY_TIMES": "3"}


# --- helpers -----------------------------------------------------------------------------


def crawl(server, tmp_path, *arguments, settings=None):
    """A crawl of the replica into ``tmp_path/archive.sqlite`` (kept between calls)."""
    return run_crawl(
        server.base_url,
        tmp_path,
        *arguments,
        archive=tmp_path / "archive.sqlite",
        settings=settings,
    )


def archive_state(tmp_path) -> tuple[dict[str, dict], dict[str, object]]:
    """The archive's records and failures by key, after checking it is sound."""
    path = tmp_path / "archive.sqlite"
    connection = sqlite3.connect(path)
    try:
        duplicates = connection.execute(
            "SELECT key, count(*) FROM articles GROUP BY key HAVING count(*) > 1"
        ).fetchall()
    finally:
        connection.close()
    assert duplicates == []
    with Archive.open(path) as archive:
        assert archive.queries.integrity_check() == []
        stored = {record["key"]: record for record in archive.queries.iter_articles()}
        assert archive.store.count() == len(stored)
        failures = {failure.key: failure for failure in archive.ledger.failures()}
    return stored, failures


def mismatches(stored: dict[str, dict], model, *, skip: tuple[str, ...] = ()) -> list:
    """Fields of stored records that differ from the replica's truth."""
    return [
        (key, name, truth[name], record[name])
        for key, record in stored.items()
        for truth in [model.expected_record(key)]
        for name in ARTICLE_FIELDS_FROM_TRUTH
        if name not in skip and record[name] != truth[name]
    ]


def article_requests(server, key: str) -> list:
    """The replica's log of requests for the article page of ``key`` (any query)."""
    return [r for r in server.requests if article_key(urlsplit(r.path).path) == key]


def assert_ran_fine(result) -> None:
    assert result.returncode == 0, result.log[-4000:]
    assert result.stat("finish_reason") == "finished"


def assert_faults_handled(server, plan, tmp_path) -> tuple[dict, dict]:
    """The outcome every crawl under faults must have (see the module docstring)."""
    stored, failures = archive_state(tmp_path)
    served = plan.served_correctly
    never = plan.never_served_correctly()
    assert served <= set(stored), f"served correctly, not archived: {served - set(stored)}"
    assert set(stored) <= served, f"archived, never served correctly: {set(stored) - served}"
    assert never <= set(failures), f"not recorded as failed: {never - set(failures)}"
    assert set(failures) <= never, f"failed, though served: {set(failures) & served}"
    assert not mismatches(stored, server.model)
    return stored, failures


# --- transient faults: retried, everything archived, exit 0 ------------------------------


def test_server_error_bursts_are_retried(make_replica, tmp_path):
    server = make_replica(articles=50, samples=False)
    plan = server.faults = (
        FaultPlan(seed=1)
        .server_error(503, times=3, match="listing")
        .server_error(500, times=4, match="article")
        .server_error(502, times=4, match="article")
    )
    result = crawl(server, tmp_path, settings=PATIENT)
    assert_ran_fine(result)
    assert plan.fired["server_error"] == 11
    stored, failures = assert_faults_handled(server, plan, tmp_path)
    assert set(stored) == set(server.model.keys())
    assert failures == {}
    assert result.stat("retry/count") == 11
    assert result.stat("retry/reason_count/500 Internal Server Error") == 4
    assert result.stat("retry/reason_count/502 Bad Gateway") == 4
    assert result.stat("retry/reason_count/503 Service Unavailable") == 3


def test_429_retry_after_is_honoured(make_replica, tmp_path):
    server = make_replica(articles=30, samples=False)
    plan = server.faults = (
        FaultPlan(seed=2)
        .rate_limit(1, times=1, match="listing")
        .rate_limit(1, times=2, match="article")
    )
    result = crawl(server, tmp_path)
    assert_ran_fine(result)
    assert plan.fired["rate_limit"] == 3
    assert result.stat("retry/retry_after_honoured") == 3
    stored, _ = assert_faults_handled(server, plan, tmp_path)
    assert set(stored) == set(server.model.keys())
    # Each retry came at least the asked second after its 429.
    by_path = defaultdict(list)
    for request in server.requests:
        by_path[request.path].append(request)
    limited = [request for request in server.requests if request.status == 429]
    assert len(limited) == 3
    for answer in limited:
        later = [r for r in by_path[answer.path] if r.time > answer.time]
        assert later, f"{answer.path} was never retried"
        assert later[0].status == 200
        assert later[0].time - answer.time >= 0.95, (answer.path, later[0].time - answer.time)


def test_retry_after_beyond_the_bound_is_not_waited_for(make_replica, tmp_path):
    server = make_replica(articles=30, samples=False)
    key = server.model.keys()[3]
    plan = server.faults = FaultPlan(seed=3).rate_limit(30, times=1, match=for_keys(key))
    result = crawl(server, tmp_path, settings={"BELTA_RETRY_AFTER_MAX": "1"})
    assert_ran_fine(result)
    assert result.stat("retry/retry_after_too_long") == 1
    assert "more than BELTA_RETRY_AFTER_MAX" in result.log
    assert len(article_requests(server, key)) == 1  # not retried in this run
    _, failures = assert_faults_handled(server, plan, tmp_path)
    assert set(failures) == {key}
    assert failures[key].reason == "HTTP 429"


def test_resets_and_slow_answers_are_retried(make_replica, tmp_path):
    server = make_replica(articles=40, samples=False)
    plan = server.faults = (
        FaultPlan(seed=4)
        .slow(2.0, times=1, match="listing")
        .reset(0.5, times=3, match="article")
        .slow(2.0, times=1, match="article")
        .slow(2.0, trickle=True, times=1, match="article")
    )
    result = crawl(server, tmp_path, settings={**PATIENT, "DOWNLOAD_TIMEOUT": "1"})
    assert_ran_fine(result)
    assert plan.fired == {"reset": 3, "slow": 3}
    stored, failures = assert_faults_handled(server, plan, tmp_path)
    assert set(stored) == set(server.model.keys())
    assert failures == {}
    # At least: on a busy machine a page served in time may also miss a 1 s timeout.
    assert result.stat("retry/count") >= 6
    assert result.stat("retry/reason_count/scrapy.exceptions.DownloadTimeoutError") >= 3


def test_broken_200_answers_are_retried(make_replica, tmp_path):
    server = make_replica(articles=40, samples=False)
    plan = server.faults = (
        FaultPlan(seed=5)
        .truncated(0.5, times=1, match="listing")
        .truncated(0.6, times=2, match="article")
        .empty(times=2, match="article")
        .binary("application/pdf", times=1, match="article")
        .binary("image/jpeg", times=1, match="article")
    )
    result = crawl(server, tmp_path, settings=PATIENT)
    assert_ran_fine(result)
    assert plan.fired == {"truncated": 3, "empty": 2, "binary": 2}
    stored, failures = assert_faults_handled(server, plan, tmp_path)
    assert set(stored) == set(server.model.keys())
    assert failures == {}
    assert result.stat("belta/response/truncated") == 3
    assert result.stat("belta/response/empty") == 2
    assert result.stat("belta/response/not_html") == 2


def test_persistently_broken_pages_are_recorded_not_stored(make_replica, tmp_path):
    server = make_replica(articles=40, samples=False)
    cut, empty, pdf, png = server.model.keys()[5:9]
    plan = server.faults = (
        FaultPlan(seed=6)
        .truncated(0.9, probability=1, match=for_keys(cut))
        .empty(probability=1, match=for_keys(empty))
        .binary("application/pdf", probability=1, match=for_keys(pdf))
        .binary("image/png", size=300, probability=1, match=for_keys(png))
    )
    result = crawl(server, tmp_path)
    assert_ran_fine(result)
    stored, failures = assert_faults_handled(server, plan, tmp_path)
    assert set(stored) == set(server.model.keys()) - {cut, empty, pdf, png}
    assert {key: failures[key].reason for key in failures} == {
        cut: "unusable response: truncated",
        empty: "unusable response: empty",
        pdf: "unusable response: not_html",
        png: "unusable response: not_html",
    }
    assert {key for key in result.keys()} == set(stored)  # the feed holds no half record
    assert result.stat("belta/articles/failed") == 4
    for key in (cut, empty, pdf, png):
        assert len(article_requests(server, key)) == 2  # fetched, retried once, given up


# --- encodings ----------------------------------------------------------------------------


def test_wrong_and_missing_charsets_give_the_right_text(make_replica, tmp_path):
    server = make_replica(articles=40, samples=False)
    keys = server.model.keys()
    plan = server.faults = (
        FaultPlan(seed=7)
        .wrong_charset(probability=1, match="listing")
        .wrong_charset(probability=1, match=for_keys(*keys[::2]))
        .no_charset(probability=1, match=for_keys(*keys[1::2]))
    )
    result = crawl(server, tmp_path)
    assert_ran_fine(result)
    assert plan.fired["wrong_charset"] >= 20 and plan.fired["no_charset"] == 20
    stored, failures = archive_state(tmp_path)
    assert set(stored) == set(keys)
    assert failures == {}
    assert not mismatches(stored, server.model)
    # cp1251 turned the typographic quotes and dashes into bytes that are not UTF-8:
    # such pages were read as cp1251 (the rest, pure ASCII by now, needed no repair).
    repaired = result.stat("belta/response/charset_repaired")
    assert repaired and repaired >= 1
    assert "is not in the encoding it declares (utf-8); read as cp1251" in result.log


# --- pages that cannot be fetched: recorded, exit 0 ----------------------------------------


def test_unfetchable_articles_are_recorded_as_failed(make_replica, tmp_path):
    server = make_replica(articles=40, samples=False)
    huge, huge_unannounced, loop, offsite, gone = server.model.keys()[2:7]
    refresh = server.model.keys()[20]  # apart: 6 failures in 10 requests read as a site down
    offsite_host = f"127.0.0.2:{server.port}"
    plan = server.faults = (
        FaultPlan(seed=8)
        .oversized(2 * MB, probability=1, match=for_keys(huge))
        .oversized(2 * MB, send_length=False, probability=1, match=for_keys(huge_unannounced))
        .redirect_loop(match=for_keys(loop))
        .offsite_redirect(offsite_host, match=for_keys(offsite))
        .offsite_redirect(offsite_host, meta=True, match=for_keys(refresh))
        .not_found(match=for_keys(gone))
    )
    result = crawl(server, tmp_path, settings={"DOWNLOAD_MAXSIZE": "1000000"})
    assert_ran_fine(result)
    stored, failures = assert_faults_handled(server, plan, tmp_path)
    assert set(failures) == {huge, huge_unannounced, loop, offsite, gone, refresh}
    assert set(stored) == set(server.model.keys()) - set(failures)
    reasons = {key: failure.reason for key, failure in failures.items()}
    assert reasons[gone] == "HTTP 404"
    assert reasons[loop].startswith("IgnoreRequest: redirect loop: ")
    assert reasons[huge].startswith("DownloadCancelledError: ")
    # Scrapy cancels an unannounced body without a message: the reason says why.
    assert reasons[huge_unannounced] == (
        "DownloadCancelledError: exceeded DOWNLOAD_MAXSIZE (1000000 bytes)"
    )
    assert result.stat("redirect/refused/loop") == 1
    assert len(article_requests(server, loop)) == 2  # A -> B, and B -> A was refused
    # Oversized answers were cut off by DOWNLOAD_MAXSIZE, not read to the end.
    assert "Expected to receive 2097152 bytes which is larger than download max size" in result.log
    assert re.search(r"Received \d+ bytes which is larger than download max size", result.log)
    # The offsite redirects (HTTP and meta refresh) were refused before any request to
    # 127.0.0.2 was made.
    assert result.stat("redirect/refused/offsite") == 2
    for key in (offsite, refresh):
        assert reasons[key] == (
            f"IgnoreRequest: offsite redirect refused: http://{offsite_host}"
            + article_requests(server, key)[0].path
        )
        assert len(article_requests(server, key)) == 1
    assert "redirects off the site" in result.log
    assert len(article_requests(server, gone)) == 1  # a 404 is not retried


# --- listing layout quirks: all still archived ---------------------------------------------


@pytest.mark.parametrize("kind", ["no_day_groups", "shuffled_entries", "no_lead", "no_load_more"])
def test_listing_markup_changes_lose_nothing(make_replica, tmp_path, kind):
    server = make_replica(articles=50, samples=False)
    plan = server.faults = getattr(FaultPlan(seed=9), kind)()
    result = crawl(server, tmp_path)
    assert_ran_fine(result)
    assert plan.fired[kind] >= 5
    stored, failures = archive_state(tmp_path)
    assert set(stored) == set(server.model.keys())
    assert failures == {}
    # Dates come from the article page, so they are right whatever the listing shows.
    assert not mismatches(stored, server.model, skip=("lead",) if kind == "no_lead" else ())
    if kind == "no_lead":
        assert {record["lead"] for record in stored.values()} == {None}
    if kind == "no_load_more":
        assert result.stat("belta/listing/next_from_grammar") >= 4


# --- the site changed or is down: stop early, exit 1 ---------------------------------------

#: Slow enough that the drift monitor (every 0.5 s with FAST) looks in before the end.
PACED = {"DOWNLOAD_DELAY": "0.03", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}


def test_article_body_container_gone_stops_the_crawl(make_replica, tmp_path):
    server = make_replica(articles=80, samples=False)
    server.faults = FaultPlan(seed=10).no_body_container()
    result = crawl(server, tmp_path, settings=PACED)
    assert result.returncode == 1, result.log[-4000:]
    assert result.stat("finish_reason") == "layout_changed"
    fetched = {article_key(r.path) for r in server.requests if article_key(r.path)}
    assert 10 <= len(fetched) < 40, len(fetched)
    assert "`div.js-mediator-article`" in result.log
    stored, failures = archive_state(tmp_path)
    assert stored == {}  # nothing half-empty
    assert result.records == []
    assert set(failures) <= fetched
    assert {failure.reason for failure in failures.values()} <= {"invalid: body"}


def test_article_dates_that_stop_parsing_are_loud(make_replica, tmp_path):
    """Article pages show their date in an unknown format, without meta tags: a listing
    walk still dates every article by its listing entry, and says the pages' dates were not
    understood; articles fetched by URL alone keep the date as shown, and field coverage
    fails the run."""
    server = make_replica(articles=30, samples=False)
    server.faults = FaultPlan(seed=13).date_changed()
    result = crawl(server, tmp_path)
    assert_ran_fine(result)
    stored, _ = archive_state(tmp_path)
    assert set(stored) == set(server.model.keys())
    assert not mismatches(stored, server.model, skip=("published_raw",))
    assert {record["published_raw"] for record in stored.values()} == {"vor 3 Stunden"}
    assert result.stat("belta/article/date_unparsed") == 30
    assert "article dates not understood" in result.log

    urls = ",".join(server.model.article(key).url for key in server.model.keys()[:12])
    alone = run_crawl(server.base_url, tmp_path / "alone", f"urls={urls}")
    assert alone.returncode == 1, alone.log[-4000:]
    assert [record["published_at"] for record in alone.records] == [None] * 12
    assert re.search(r"monitor failed: .*Article/published_at", alone.log), alone.log[-3000:]


def test_listings_without_entries_stop_before_any_article(make_replica, tmp_path):
    server = make_replica(articles=30, samples=False)
    server.faults = FaultPlan(seed=11).layout_changed()
    result = crawl(server, tmp_path)
    assert result.returncode == 1, result.log[-4000:]
    assert result.stat("belta/walk/all_news/stop_reason") == "layout_changed"
    assert not [r for r in server.requests if article_key(r.path)]
    assert "`div.lenta_item`" in result.log
    assert "the site's layout may have changed" in result.log
    stored, failures = archive_state(tmp_path)
    assert stored == {} and failures == {}


def test_an_unavailable_site_stops_the_crawl(make_replica, tmp_path):
    server = make_replica(articles=80, samples=False)
    plan = server.faults = FaultPlan(seed=12).server_error(503, probability=1, match="article")
    result = crawl(server, tmp_path, settings=PACED)
    assert result.returncode == 1, result.log[-4000:]
    assert result.stat("finish_reason") == "site_unavailable"
    assert "article requests failed" in result.log
    fetched = {article_key(r.path) for r in server.requests if article_key(r.path)}
    assert len(fetched) < 60
    stored, failures = archive_state(tmp_path)
    assert stored == {}
    # Every article whose retries ran out is recorded; those still in flight when the
    # crawl stopped were faulted too, and are simply requested again by the next run.
    assert plan.never_served_correctly() == fetched
    assert set(failures) <= fetched
    assert len(failures) >= 10


def test_a_lost_listing_page_fails_the_run_and_the_next_run_completes(make_replica, tmp_path):
    """Listing page 3 never loads: the articles it (and the pages after it) list are unknown
    to the crawler — not failed articles, but a broken walk. The run says so (exit 1) and
    does not extend the archive's listing coverage, so the next run walks on past page 3
    and archives them."""
    server = make_replica(articles=50, samples=False)
    plan = server.faults = FaultPlan(seed=13).server_error(
        503, probability=1, match="/all_news/page/3/"
    )
    first = crawl(server, tmp_path)
    assert first.returncode == 1, first.log[-4000:]
    assert first.stat("belta/walk/all_news/stop_reason") == "listing_failed"
    assert "could not be fetched" in first.log
    stored, failures = archive_state(tmp_path)
    on_first_two_pages = set(server.model.keys()[:20])
    assert set(stored) == on_first_two_pages == plan.served_correctly
    assert failures == {}  # no article failed; the listing did
    with Archive.open(tmp_path / "archive.sqlite") as archive:
        assert archive.ledger.coverage("all_news") is None

    server.faults = FaultPlan()
    second = crawl(server, tmp_path)
    assert_ran_fine(second)
    stored, failures = archive_state(tmp_path)
    assert set(stored) == set(server.model.keys())
    assert failures == {}
    assert not mismatches(stored, server.model)


# --- a realistic mix, twice -----------------------------------------------------------------


@pytest.mark.parametrize(("seed", "faults_in_second_run"), [(21, True), (22, False)])
def test_a_realistic_mix_of_faults_over_two_runs(
    make_replica, tmp_path, seed, faults_in_second_run
):
    server = make_replica(articles=80, samples=False)
    # Stalls well beyond the timeout, and a timeout well beyond a page's time on a busy
    # machine: a page the replica served correctly never times out.
    plan = server.faults = FaultPlan.mix(seed, rate=0.1, slow_delay=3)
    settings = {"DOWNLOAD_TIMEOUT": "2"}
    first = crawl(server, tmp_path, settings=settings)
    assert first.returncode == expected_exit(server.requests), first.log[-4000:]
    after_first = len(server.requests)
    # The second run is incremental: it retries the recorded failures first.
    second_plan = plan if faults_in_second_run else FaultPlan()
    server.faults = second_plan
    second = crawl(server, tmp_path, settings=settings)
    assert second.returncode == expected_exit(server.requests[after_first:]), second.log[-4000:]
    assert sum(plan.fired.values()) >= 5

    stored, failures = archive_state(tmp_path)
    served = plan.served_correctly | second_plan.served_correctly
    faulted = plan.never_served_correctly() | second_plan.never_served_correctly()
    assert served <= set(stored), served - set(stored)
    assert set(stored) <= served
    assert not mismatches(stored, server.model)
    assert set(failures) == faulted - served
    if not faults_in_second_run:
        assert set(stored) == set(server.model.keys())
        assert failures == {}


def expected_exit(requests) -> int:
    """1 when a listing page was faulted every time it was asked for, else 0."""
    last = {}
    for request in requests:
        if is_listing(urlsplit(request.path).path):
            last[request.path] = request
    return 1 if any(request.fault for request in last.values()) else 0
