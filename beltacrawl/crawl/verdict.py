"""Did a run do its job? One verdict, computed once when the run ends, and used by the
run summary, the exit status of ``scrapy crawl`` and the archive's run record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from beltacrawl.crawl.reach import since_not_reached
from beltacrawl.crawl.walk import StopReason

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from beltacrawl.crawl.walk import WalkOutcome

#: Finish reasons of a run that did what it was asked (``closespider_*`` are limits the
#: user set, such as ``CLOSESPIDER_ITEMCOUNT``).
GOOD_FINISH_REASONS = ("finished",)
#: Why a run ended early, in words (finish reasons set by Scrapy and by beltacrawl).
EARLY_ENDS = {
    "shutdown": "stopped before its end (Ctrl-C or a signal); the next run catches up",
    "archive_locked": "another crawl holds the archive's lock; nothing was fetched",
    "archive_unavailable": "the archive could not be opened (see the log)",
    "archive_unwritable": "the archive could not be written (see the log)",
    "site_unreachable": "the site could not be reached; nothing was fetched",
    "site_unavailable": "too many article requests failed: the site seems down",
    "layout_changed": "the pages no longer look as the parsers expect",
    "browser_missing": "browser rendering was asked for, but there is no browser",
    "browser_failed": "the browser failed",
}
#: Stats that count lost work, and what they count.
DATA_LOSS_STATS = {
    "archive/lost": "article(s) could not be written to the archive",
    "archive/errors": "article(s) refused by the archive",
    "spider_exceptions/count": "error(s) in the spider's callbacks",
    "belta/listing/entries_over_cap": "listing entries beyond BELTA_MAX_LISTING_ENTRIES not read",
}
#: Articles asked for by URL (``urls=``) that could not be fetched: each one matters.
REQUESTED_URLS_FAILED = "belta/urls/failed"
#: A run that failed at least this share of the article requests answered (earlier
#: failures fetched again aside) did not do its job, however few there were (the
#: availability monitor waits for a minimum number).
FAILED_ARTICLES_SHARE = 0.5
#: Set by the rendering middleware when the browser is missing or cannot start.
BROWSER_FAILED_STAT = "belta/render/browser_failed"
#: Articles stored with text that still looks wrongly decoded (``site.text.garbled``).
GARBLED_TEXT_STAT = "belta/article/garbled_text"
BROWSER_INSTALL_HINT = (
    "install Chromium with `apt-get install chromium` (Debian/Ubuntu), or set "
    "BELTA_CHROMIUM to the path of a Chromium executable (-s BELTA_CHROMIUM=/path/to/chromium)"
)


@dataclass(frozen=True, slots=True)
class Verdict:
    problems: tuple[str, ...]
    """What went wrong, in words; empty when the run did its job."""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def label(self) -> str:
        """``ok`` or ``problems``, as stored in ``crawl_runs.verdict``."""
        return "ok" if self.ok else "problems"

    def __str__(self) -> str:
        """The summary's verdict line.

        >>> str(Verdict(())), str(Verdict(("a", "b")))
        ('ok', 'PROBLEMS — a; b')
        """
        return "ok" if self.ok else "PROBLEMS — " + "; ".join(self.problems)


def fresh_failures(stats: Mapping[str, Any]) -> tuple[int, int]:
    """``(failed, answered)`` article requests, leaving out earlier failures fetched
    again: those failing once more say little about the site today, and a quiet
    incremental run may ask for little else.

    >>> fresh_failures({"belta/articles/failed": 7, "belta/articles/failed_again": 6,
    ...                 "belta/articles/answered": 12, "belta/articles/answered_again": 6})
    (1, 6)
    """
    failed = stats.get("belta/articles/failed", 0) - stats.get("belta/articles/failed_again", 0)
    answered = stats.get("belta/articles/answered", 0) - stats.get(
        "belta/articles/answered_again", 0
    )
    return failed, answered


def judge(
    stats: Mapping[str, Any], finish_reason: str, walks: Iterable[WalkOutcome] = ()
) -> Verdict:
    """The verdict of a run that ended with ``finish_reason``.

    >>> from beltacrawl.crawl.walk import WalkOutcome
    >>> judge({"monitors/failed": ["Layout/first listing pages have entries: 1 …"]}, "finished")
    Verdict(problems=('monitor Layout/first listing pages have entries: 1 …',))
    >>> judge({}, "finished", [WalkOutcome("economics", StopReason.LISTING_FAILED, 2, None)])
    Verdict(problems=('listing economics: a listing page could not be fetched; the walk stopped there',))
    >>> judge({}, "finished", [WalkOutcome("all_news", None, 3, None)])
    Verdict(problems=('listing all_news: the walk broke off (an error: see the log)',))
    >>> judge({"archive/lost": 3}, "finished").problems
    ('3 article(s) could not be written to the archive',)
    >>> judge({"belta/urls/failed": 2, "belta/articles/requested": 3}, "finished").problems
    ('2 of 3 article(s) asked for by URL could not be fetched',)
    >>> judge({GARBLED_TEXT_STAT: 2}, "finished").problems[0][:41]
    '2 article(s) stored with garbled text (re'
    >>> judge({}, "finished").ok, judge({}, "closespider_itemcount").ok
    (True, True)
    >>> answered = {"belta/articles/answered": 4}
    >>> judge({**answered, "belta/articles/failed": 2}, "finished").problems
    ('2 of 4 article requests failed',)
    >>> judge({**answered, "belta/articles/failed": 1}, "finished").ok
    True
    """  # noqa: E501
    walks = list(walks)
    found = []
    finished = finish_reason in GOOD_FINISH_REASONS
    if not finished and not finish_reason.startswith("closespider_"):
        why = EARLY_ENDS.get(finish_reason)
        found.append(f"the run ended early ({finish_reason})" + (f": {why}" if why else ""))
    found += [f"monitor {failure}" for failure in stats.get("monitors/failed") or []]
    for walk in walks:
        if walk.stop_reason is StopReason.LISTING_FAILED:
            found.append(
                f"listing {walk.listing}: a listing page could not be fetched; "
                "the walk stopped there"
            )
        elif walk.stop_reason is None and finished:
            found.append(f"listing {walk.name}: the walk broke off (an error: see the log)")
    found += since_not_reached(walks)
    for stat, what in DATA_LOSS_STATS.items():
        if count := stats.get(stat):
            found.append(f"{count} {what}")
    failed, answered = fresh_failures(stats)
    if failed and answered and failed >= FAILED_ARTICLES_SHARE * answered:
        found.append(f"{failed} of {answered} article requests failed")
    elif url_failures := stats.get(REQUESTED_URLS_FAILED):  # asked for by URL: each counts
        asked = stats.get("belta/articles/requested", url_failures)
        found.append(f"{url_failures} of {asked} article(s) asked for by URL could not be fetched")
    if garbled := stats.get(GARBLED_TEXT_STAT):
        found.append(
            f"{garbled} article(s) stored with garbled text (replacement characters or "
            "mojibake: see the log's warnings)"
        )
    if browser := stats.get(BROWSER_FAILED_STAT):
        found.append(f"browser rendering: {browser}; {BROWSER_INSTALL_HINT}")
    return Verdict(tuple(found))
