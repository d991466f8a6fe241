"""The crawl policy (beltacrawl/crawl/) as plain code: walks, stop rules, freshness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from beltacrawl.crawl.arguments import CrawlArguments
from beltacrawl.crawl.freshness import FreshnessPolicy
from beltacrawl.crawl.reach import completing_walk, outcome_of
from beltacrawl.crawl.verdict import judge
from beltacrawl.crawl.walk import ListingWalk, StopReason, WalkOutcome, WalkPolicy
from beltacrawl.site.dates import MINSK


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2024, 1, day, hour, tzinfo=MINSK)


@dataclass(frozen=True)
class Entry:
    key: str
    listed_at: datetime | None
    rubric: str = "economics"


@dataclass(frozen=True)
class Archived:
    published_at: datetime | None


def page(*days: int, start: int = 0) -> list[Entry]:
    """Entries listed on those days, newest first, with keys numbered from ``start``."""
    return [Entry(f"{start + n}-2024", at(day)) for n, day in enumerate(days)]


def policy(incremental: bool = False, recheck: float = -1, **arguments: str) -> WalkPolicy:
    return WalkPolicy(CrawlArguments.parse(arguments), incremental, 3, recheck)


def walk(coverage=None) -> ListingWalk:
    return ListingWalk("all_news", started=0.0, coverage=coverage)


def test_new_entries_are_fetched_and_the_walk_goes_on():
    rules, state = policy(), walk()
    rules.start_page(state)
    decision = rules.read_page(state, page(9, 9, 8), {})
    assert [entry.key for entry in decision.fetch] == ["0-2024", "1-2024", "2-2024"]
    assert decision.stop is None


def test_a_page_with_nothing_new_ends_the_walk():
    rules, state = policy(), walk()
    rules.start_page(state)
    rules.read_page(state, page(9, 8, 7), {})
    rules.start_page(state)
    decision = rules.read_page(state, page(8, 7, start=1), {})  # shifted up by one
    assert decision.fetch == [] and decision.stop is StopReason.NO_NEW_ENTRIES


def test_every_entry_of_a_page_is_accounted_for():
    """Fetched, outside the window, archived or read before in this walk: nothing else."""
    rules, state = policy(True, since="2024-01-05"), walk()
    rules.start_page(state)
    rules.read_page(state, page(9, 9), {})
    rules.start_page(state)
    # Items shifted down: the two entries of page 1 appear again on page 2.
    entries = [*page(9, 9), *page(8, 7, 4, start=2)]
    decision = rules.read_page(state, entries, {"3-2024": Archived(at(7))})
    assert [entry.key for entry in decision.fetch] == ["2-2024"]
    assert (decision.seen_before, decision.already_archived, decision.outside_window) == (2, 1, 1)
    accounted = len(decision.fetch) + decision.seen_before
    assert accounted + decision.already_archived + decision.outside_window == len(entries)


def test_entries_outside_the_window_are_skipped_and_since_ends_the_walk():
    rules, state = policy(since="2024-01-05", until="2024-01-07"), walk()
    rules.start_page(state)
    decision = rules.read_page(state, page(9, 7, 6), {})
    assert [entry.key for entry in decision.fetch] == ["1-2024", "2-2024"]
    assert decision.outside_window == 1 and decision.stop is None
    rules.start_page(state)
    decision = rules.read_page(state, page(5, 4, start=3), {})
    assert [entry.key for entry in decision.fetch] == ["3-2024"]
    assert decision.stop is None  # a day 5 entry is still inside
    rules.start_page(state)
    assert rules.read_page(state, page(4, 3, start=5), {}).stop is StopReason.SINCE_REACHED


def test_max_pages_bounds_the_walk():
    rules, state = policy(max_pages="2"), walk()
    for number, stop in ((1, None), (2, StopReason.MAX_PAGES)):
        rules.start_page(state)
        assert rules.read_page(state, page(9, start=number * 10), {}).stop is stop


def test_an_incremental_walk_stops_inside_the_covered_stretch_after_a_streak():
    rules = policy(incremental=True)
    state = walk(coverage=(at(1), at(8)))
    archived = {f"{n}-2024": Archived(at(8)) for n in range(10)}
    rules.start_page(state)
    decision = rules.read_page(state, [Entry("new-2024", at(9)), *page(8, 8)], archived)
    assert [entry.key for entry in decision.fetch] == ["new-2024"]
    assert decision.stop is None  # a streak of 2 is short of 3
    rules.start_page(state)
    decision = rules.read_page(state, page(8, 7, start=2), archived)
    assert decision.already_archived == 2 and decision.stop is StopReason.ARCHIVE_REACHED


def test_an_incremental_walk_outside_the_covered_stretch_walks_on():
    """A run killed half-way left the stretch below unwalked: the next walks on."""
    rules = policy(incremental=True)
    state = walk(coverage=(at(8), at(9)))
    archived = {f"{n}-2024": Archived(at(5)) for n in range(10)}
    rules.start_page(state)
    assert rules.read_page(state, page(5, 5, 5, 5), archived).stop is None


def test_the_next_page_is_linked_or_guessed_for_a_full_page():
    rules, state = policy(), walk()
    rules.start_page(state)
    rules.read_page(state, page(9, 9, 9), {})
    assert rules.next_page(state, "/all_news/page/2/", 3).link == "/all_news/page/2/"
    guessed = rules.next_page(state, None, 3)
    assert guessed is not None and guessed.number == 2 and guessed.link is None
    assert state.next_guessed
    assert rules.next_page(state, None, 2) is None  # a short page without a link: the end


def test_a_long_walk_rechecks_its_first_page_until_caught_up():
    rules, state = policy(recheck=10), walk()
    rules.start_page(state)
    rules.read_page(state, page(9, 8), {})
    assert rules.end(state, StopReason.LAST_PAGE, now=11.0) is True
    assert state.rechecking and state.page == 0
    rules.start_page(state)
    decision = rules.read_page(state, [Entry("late-2024", at(10)), *page(9)], {})
    assert [entry.key for entry in decision.fetch] == ["late-2024"]
    assert decision.stop is StopReason.CAUGHT_UP
    assert rules.end(state, StopReason.CAUGHT_UP, now=12.0) is False
    assert state.stop_reason is StopReason.LAST_PAGE  # the walk's own end is kept


@pytest.mark.parametrize(
    "reason", [StopReason.MAX_PAGES, StopReason.SINCE_REACHED, StopReason.LISTING_FAILED]
)
def test_bounded_or_broken_walks_are_not_rechecked(reason):
    assert policy(recheck=0).end(walk(), reason, now=100.0) is False


def test_a_walk_covers_from_its_last_entry_to_its_newest():
    """Undated entries count with the archive's publication time; an old article listed
    again higher up does not stretch the walk's coverage back to its date."""
    state = walk()
    state.handled(None, None)  # a new undated entry: no time known
    state.handled(None, at(9))
    state.handled(None, at(1))  # an old article listed again
    state.handled(None, at(8))
    state.handled(None, at(7))
    state.stop_reason = StopReason.LAST_PAGE
    assert state.covered() == (at(7), at(9))
    state.handled(at(6), None)
    state.handled(at(5), at(4))  # the listed time wins over the archive's
    assert state.covered() == (at(5), at(9))
    dated = walk()
    for day in (5, 3, 4):  # listed times, slightly out of order
        dated.handled(at(day))
    assert dated.covered() is None  # still running
    dated.stop_reason = StopReason.EMPTY_PAGE
    assert dated.covered() == (at(3), at(5))
    dated.stop_reason = StopReason.LISTING_FAILED
    assert dated.covered() is None  # broken off: beyond it was not walked


def test_copies_taken_young_or_marked_are_refreshed_until_final():
    rules = FreshnessPolicy(timedelta(hours=6), timedelta(days=7), failure_attempts=2)

    @dataclass
    class Copy:
        published_at: datetime | None
        fetched_at: datetime | None
        is_incomplete: bool = False

    assert rules.needs_refresh(Copy(at(1), None), at(2))
    marked = Copy(at(1, 9), at(2, 9), is_incomplete=True)  # a day old when taken
    assert not rules.needs_refresh(marked, at(2, 20))
    assert rules.needs_refresh(marked, at(3, 10))
    undated = Copy(None, at(2, 9))
    assert not rules.needs_refresh(undated, at(2, 14))
    assert rules.needs_refresh(undated, at(2, 15))
    assert rules.retry_failure(1) and not rules.retry_failure(2)


def test_archive_side_articles_are_bounded_by_rubrics_and_window():
    only_economics = CrawlArguments.parse({"rubrics": "economics"})
    assert only_economics.admits("economics", None)
    assert not only_economics.admits("sport", at(1))
    windowed = CrawlArguments.parse({"since": "2024-01-02"})
    assert windowed.admits("sport", at(3)) and not windowed.admits("sport", at(1))
    assert not windowed.admits("sport", None)


def test_after_a_page_the_walk_goes_on_or_says_why_it_stops():
    rules, state = policy(), walk()
    rules.start_page(state)
    rules.read_page(state, page(9, 9, 9), {})
    assert rules.after_page(state, None, None, 3).number == 2
    assert rules.after_page(state, None, None, 2) is StopReason.LAST_PAGE
    assert rules.after_page(state, StopReason.MAX_PAGES, "/all_news/page/2/", 3) is (
        StopReason.MAX_PAGES
    )


def test_an_empty_first_page_is_a_layout_change_a_later_one_the_end():
    rules, state = policy(recheck=0), walk()
    rules.start_page(state)
    assert rules.at_empty_page(state) is StopReason.LAYOUT_CHANGED
    rules.start_page(state)
    assert rules.at_empty_page(state) is StopReason.EMPTY_PAGE
    rules.end(state, StopReason.EMPTY_PAGE, now=100.0)
    rules.start_page(state)  # the re-check's first page
    assert rules.at_empty_page(state) is StopReason.EMPTY_PAGE


@dataclass
class Stored:
    url: str | None
    published_at: datetime | None
    fetched_at: datetime | None
    is_incomplete: bool = False


def article_url(key: str, rubric: str = "economics") -> str:
    return f"https://deu.belta.by/{rubric}/view/titel-{key}/"


def test_failures_are_retried_within_the_rubrics_until_given_up():
    rules = FreshnessPolicy(timedelta(hours=6), timedelta(days=7), failure_attempts=3)

    @dataclass
    class Failed:
        url: str
        attempts: int

    failures = [
        Failed(article_url("1-2024"), 1),
        Failed(article_url("2-2024", "sport"), 1),
        Failed(article_url("3-2024"), 3),
        Failed("https://deu.belta.by/not-an-article/", 1),
    ]
    retries = rules.failures_to_retry(failures, CrawlArguments.parse({"rubrics": "economics"}))
    assert [ref.key for ref in retries.refs] == ["1-2024"] and retries.given_up == 1
    everything = rules.failures_to_retry(failures, CrawlArguments.parse({}))
    assert [ref.key for ref in everything.refs] == ["1-2024", "2-2024"]
    # A failure's date is unknown: a run with a date window retries none.
    windowed = rules.failures_to_retry(failures, CrawlArguments.parse({"since": "2024-01-01"}))
    assert windowed.refs == [] and windowed.given_up == 1


def test_stale_copies_within_the_rubrics_and_window_are_refreshed():
    rules = FreshnessPolicy(timedelta(hours=6), timedelta(days=7), failure_attempts=3)
    copies = [
        Stored(article_url("1-2024"), at(2, 9), at(2, 10)),  # taken young
        Stored(article_url("2-2024"), at(1, 9), at(2, 10)),  # taken a day old: final
        Stored(article_url("3-2024", "sport"), at(2, 9), at(2, 10)),
        Stored(None, at(2, 9), at(2, 10)),
    ]
    refs = rules.copies_to_refresh(copies, CrawlArguments.parse({"rubrics": "economics"}), at(3))
    assert [ref.key for ref in refs] == ["1-2024"]
    since = CrawlArguments.parse({"since": "2024-01-03"})
    assert rules.copies_to_refresh(copies, since, at(3)) == []


# --- listings that cannot be paginated, and how far back they reach (issue 18) ---------


def test_a_page_repeating_an_earlier_one_in_order_is_not_an_ordinary_end():
    rules, state = policy(), walk()
    rules.start_page(state)
    first = rules.read_page(state, page(9, 8, 7), {})
    rules.start_page(state)
    decision = rules.read_page(state, page(9, 8, 7), {})
    assert first.stop is None
    assert decision.fetch == [] and decision.stop is StopReason.PAGE_REPEATED
    # The same entries in another order: items shifted, nothing new; an ordinary end.
    shifted = walk()
    rules.start_page(shifted)
    rules.read_page(shifted, page(9, 8, 7), {})
    rules.start_page(shifted)
    assert rules.read_page(shifted, page(8, 7, 9)[::-1], {}).stop is StopReason.NO_NEW_ENTRIES


def test_a_recheck_of_the_first_page_is_not_a_repeat():
    rules, state = policy(recheck=0), walk()
    rules.start_page(state)
    rules.read_page(state, page(9, 8), {})
    assert rules.end(state, StopReason.LAST_PAGE, now=1.0)
    rules.start_page(state)
    assert rules.read_page(state, page(9, 8), {}).stop is StopReason.NO_NEW_ENTRIES


def test_a_missing_page_past_the_first_is_how_far_the_listing_reaches():
    rules, state = policy(), walk()
    assert rules.at_failed_page(state, 404) is StopReason.LISTING_FAILED  # the first page
    rules.start_page(state)
    assert rules.at_failed_page(state, 404) is StopReason.PAGE_NOT_FOUND
    assert rules.at_failed_page(state, 503) is StopReason.LISTING_FAILED
    assert not StopReason.PAGE_NOT_FOUND.broken and not StopReason.PAGE_REPEATED.broken


def ended(listing: str, reason: StopReason, *days: int, coverage=None) -> ListingWalk:
    state = ListingWalk(listing, started=0.0, coverage=coverage)
    state.seen = {f"{listing}-{day}" for day in days}
    state.oldest_seen = at(min(days)) if days else None
    state.stop_reason = reason
    return state


def test_rubrics_cut_short_are_completed_by_one_all_news_walk_once_all_ended():
    walks = {
        "economics": ended("economics", StopReason.PAGE_REPEATED, 9, 8, coverage=(at(1), at(9))),
        "sport": ended("sport", StopReason.LAST_PAGE, 9, 3),  # its whole listing
        "politics": ended("politics", StopReason.PAGE_NOT_FOUND, 9, 7, coverage=(at(2), at(8))),
    }
    walks["sport"].stop_reason = None  # still walking
    assert completing_walk(walks, None, now=5.0) is None
    walks["sport"].stop_reason = StopReason.LAST_PAGE
    completing = completing_walk(walks, None, now=5.0)
    assert completing is not None
    assert (completing.listing, completing.keep) == ("all_news", ("economics", "politics"))
    assert completing.name == "all_news for economics, politics"
    assert completing.taken == {"economics-9", "economics-8", "sport-9", "sport-3",
                                "politics-9", "politics-7"}  # fmt: skip
    assert completing.coverage == (at(2), at(8))  # where both rubrics are complete
    walks[completing.name] = completing
    assert completing_walk(walks, None, now=6.0) is None  # one such walk per run


def test_a_rubric_that_ended_before_since_is_completed_one_that_reached_it_is_not():
    since = datetime(2024, 1, 5, tzinfo=MINSK)
    short = {"economics": ended("economics", StopReason.LAST_PAGE, 9, 6)}
    assert completing_walk(short, since, now=1.0).keep == ("economics",)
    deep = {"economics": ended("economics", StopReason.LAST_PAGE, 9, 4)}
    assert completing_walk(deep, since, now=1.0) is None
    # Without since, a listing's own last or empty page is its end.
    assert completing_walk(short, None, now=1.0) is None
    empty = {"economics": ended("economics", StopReason.EMPTY_PAGE, 9, 6)}
    assert completing_walk(empty, None, now=1.0) is None
    assert completing_walk(empty, since, now=1.0) is not None
    all_news = {"all_news": ended("all_news", StopReason.PAGE_NOT_FOUND, 9)}
    assert completing_walk(all_news, since, now=1.0) is None  # nothing to complete it


@dataclass(frozen=True)
class RubricEntry:
    key: str
    listed_at: datetime | None
    rubric: str


def test_an_all_news_walk_keeps_only_its_rubrics_entries():
    rules = policy(incremental=True)
    state = ListingWalk("all_news", 0.0, (at(1), at(9)), keep=("economics",), taken={"1-2024"})
    entries = [
        RubricEntry("1-2024", at(9), "economics"),  # the rubric walk fetched it
        RubricEntry("2-2024", at(9), "sport"),
        RubricEntry("3-2024", at(8), "economics"),
        RubricEntry("4-2024", at(8), "economics"),
        RubricEntry("5-2024", at(7), "politics"),
    ]
    rules.start_page(state)
    decision = rules.read_page(state, entries, {"4-2024": Archived(at(8))})
    assert [entry.key for entry in decision.fetch] == ["3-2024"]
    assert (decision.other_rubric, decision.taken, decision.already_archived) == (2, 1, 1)
    assert decision.stop is None
    assert state.covered() is None and state.oldest_seen == at(7)
    # A page of other rubrics only is not "nothing new": the walk goes on.
    rules.start_page(state)
    others = [RubricEntry("6-2024", at(6), "sport"), RubricEntry("7-2024", at(6), "sport")]
    assert rules.read_page(state, others, {}).stop is None


def test_a_walk_says_whether_it_reached_since():
    since = datetime(2024, 1, 5, tzinfo=MINSK)
    short = ended("all_news", StopReason.PAGE_NOT_FOUND, 9, 6)
    short.deepest_page = 4
    outcome = outcome_of(short, since)
    assert (outcome.since_reached, outcome.oldest, outcome.deepest_page) == (False, at(6), 4)
    assert outcome.since == since
    assert outcome_of(ended("all_news", StopReason.SINCE_REACHED, 9, 5), since).since_reached
    assert outcome_of(ended("all_news", StopReason.LAST_PAGE, 9, 4), since).since_reached
    bounded = ended("all_news", StopReason.MAX_PAGES, 9, 6)
    assert outcome_of(bounded, since).since_reached is None
    broken = ended("all_news", StopReason.LISTING_FAILED, 9)
    assert outcome_of(broken, since).since_reached is None
    assert outcome_of(short, None).since_reached is None


def test_the_verdict_fails_a_since_no_walk_reached():
    since = datetime(2024, 1, 5, tzinfo=MINSK)
    rubric = WalkOutcome("economics", StopReason.PAGE_REPEATED, 2, None, 2, at(8), (), since,
                         False)  # fmt: skip
    all_news = WalkOutcome("all_news", StopReason.PAGE_NOT_FOUND, 10, None, 10, at(6),
                           ("economics",), since, False)  # fmt: skip
    (problem,) = judge({}, "finished", [rubric, all_news]).problems
    assert problem.startswith(
        "listing economics: reached back to 2024-01-06 12:00 only (page 10, page_not_found), "
        "not to since 2024-01-05;"
    )
    assert "scrapy archive import-warc" in problem and "urls=" in problem
    reached = WalkOutcome("all_news", StopReason.SINCE_REACHED, 12, None, 12, at(4),
                          ("economics",), since, True)  # fmt: skip
    assert judge({}, "finished", [rubric, reached]).ok


def test_a_run_walking_all_news_too_needs_no_completing_walk():
    since = datetime(2024, 1, 5, tzinfo=MINSK)
    walks = {
        "economics": ended("economics", StopReason.PAGE_REPEATED, 9, 8),
        "all_news": ended("all_news", StopReason.SINCE_REACHED, 9, 4),
    }
    assert completing_walk(walks, since, now=1.0) is None
    outcomes = [outcome_of(walk, since) for walk in walks.values()]
    assert judge({}, "finished", outcomes).ok  # all_news listed every rubric's articles


def test_any_end_of_a_rubric_listing_before_since_is_completed():
    since = datetime(2024, 1, 5, tzinfo=MINSK)
    for reason in (StopReason.NO_NEW_ENTRIES, StopReason.EMPTY_PAGE, StopReason.LAST_PAGE):
        walks = {"sport": ended("sport", reason, 9, 7)}
        assert completing_walk(walks, since, now=1.0).keep == ("sport",), reason
    for reason in (StopReason.MAX_PAGES, StopReason.LISTING_FAILED, StopReason.LAYOUT_CHANGED):
        walks = {"sport": ended("sport", reason, 9, 7)}
        assert completing_walk(walks, since, now=1.0) is None, reason  # bounded or broken
