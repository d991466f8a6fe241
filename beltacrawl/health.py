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


def problems(stats: Mapping[str, Any], finish_reason: str) -> list[str]:
    """What went wrong, in words; empty when the run did its job.

    >>> problems({"monitors/failed": ["Layout/first listing pages have entries: 1 …"]}, "finished")
    ['monitor Layout/first listing pages have entries: 1 …']
    >>> problems({"belta/walk/economics/stop_reason": "listing_failed"}, "finished")
    ['listing economics: a listing page could not be fetched; the walk stopped there']
    >>> problems({}, "finished")
    []
    """
    found = []
    if finish_reason not in GOOD_FINISH_REASONS and not finish_reason.startswith("closespider_"):
        found.append(f"the run ended early: {finish_reason}")
    found += [f"monitor {failure}" for failure in stats.get("monitors/failed") or []]
    for key, value in stats.items():
        if key.startswith("belta/walk/") and value == "listing_failed":
            listing = key.split("/")[2]
            found.append(
                f"listing {listing}: a listing page could not be fetched; the walk stopped there"
            )
    if browser := stats.get(BROWSER_FAILED_STAT):
        found.append(f"browser rendering: {browser}; {INSTALL_HINT}")
    return found
