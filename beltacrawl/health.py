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

    >>> problems({"belta/walk/all_news/stop_reason": "layout_changed"}, "finished")
    ['listing all_news: no entries on its first page (layout changed?)']
    >>> problems({}, "finished")
    []
    """
    found = []
    if finish_reason not in GOOD_FINISH_REASONS and not finish_reason.startswith("closespider_"):
        found.append(f"the run ended early: {finish_reason}")
    for key, value in stats.items():
        if key.startswith("belta/walk/") and value == "layout_changed":
            listing = key.split("/")[2]
            found.append(f"listing {listing}: no entries on its first page (layout changed?)")
    if browser := stats.get(BROWSER_FAILED_STAT):
        found.append(f"browser rendering: {browser}; {INSTALL_HINT}")
    return found
