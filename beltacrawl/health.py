"""Did a run do its job? One verdict from the run's stats, for the log, the archive and
the process exit status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from beltacrawl.rendering import BROWSER_FAILED_STAT, INSTALL_HINT

#: Finish reasons of a run that did what it was asked (``closespider_*`` are limits the
#: user set, such as ``CLOSESPIDER_ITEMCOUNT``).
GOOD_FINISH_REASONS = ("finished",)
#: A walk's stop reason until it stops: still there at the end, the walk broke off.
WALK_RUNNING = "running"
#: Stats that count lost work, and what they count.
DATA_LOSS_STATS = {
    "archive/lost": "article(s) could not be written to the archive",
    "archive/errors": "article(s) refused by the archive",
    "spider_exceptions/count": "error(s) in the spider's callbacks",
}


def problems(stats: Mapping[str, Any], finish_reason: str) -> list[str]:
    """What went wrong, in words; empty when the run did its job.

    >>> problems({"monitors/failed": ["Layout/first listing pages have entries: 1 …"]}, "finished")
    ['monitor Layout/first listing pages have entries: 1 …']
    >>> problems({"belta/walk/economics/stop_reason": "listing_failed"}, "finished")
    ['listing economics: a listing page could not be fetched; the walk stopped there']
    >>> problems({"belta/walk/all_news/stop_reason": "running"}, "finished")
    ['listing all_news: the walk broke off (an error: see the log)']
    >>> problems({"archive/lost": 3}, "finished")
    ['3 article(s) could not be written to the archive']
    >>> problems({}, "finished")
    []
    """
    found = []
    if finish_reason not in GOOD_FINISH_REASONS and not finish_reason.startswith("closespider_"):
        found.append(f"the run ended early: {finish_reason}")
    found += [f"monitor {failure}" for failure in stats.get("monitors/failed") or []]
    for key, value in stats.items():
        if not (key.startswith("belta/walk/") and key.endswith("/stop_reason")):
            continue
        listing = key.split("/")[2]
        if value == "listing_failed":
            found.append(
                f"listing {listing}: a listing page could not be fetched; the walk stopped there"
            )
        elif value == WALK_RUNNING and finish_reason in GOOD_FINISH_REASONS:
            found.append(f"listing {listing}: the walk broke off (an error: see the log)")
    for stat, what in DATA_LOSS_STATS.items():
        if count := stats.get(stat):
            found.append(f"{count} {what}")
    if browser := stats.get(BROWSER_FAILED_STAT):
        found.append(f"browser rendering: {browser}; {INSTALL_HINT}")
    return found
