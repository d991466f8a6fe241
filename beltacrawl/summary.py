"""The end-of-run summary: one readable block in the log, in the site's terms.

The same text, with its health verdict, is stored in the archive's ``crawl_runs`` table
(``summary``, ``verdict``, ``problems``), so ``scrapy archive stats`` can show it later.

>>> print(render_summary({"elapsed_time_seconds": 83.4, "belta/listing/pages": 3},
...                      "finished").splitlines()[1])
  duration                               0:01:23
>>> print(render_summary({}, "site_unreachable").split("verdict: ")[1])
PROBLEMS
    - the run ended early (site_unreachable): the site could not be reached; nothing was fetched
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from beltacrawl.crawl.verdict import Verdict, judge

if TYPE_CHECKING:
    from collections.abc import Iterable

    from beltacrawl.crawl.walk import WalkOutcome

#: (label, stats key) in the order they are printed.
SUMMARY_LINES = (
    ("listing pages read", "belta/listing/pages"),
    ("listing entries found", "belta/listing/entries"),
    ("listing entries not taken", "belta/listing/not_taken"),
    ("articles requested", "belta/articles/requested"),
    ("  of which refreshed", "belta/articles/refreshed"),
    ("  of which earlier failures retried", "belta/articles/retried_failures"),
    ("  of which redirected to another", "belta/articles/redirected"),
    ("articles failed", "belta/articles/failed"),
    ("skipped: already archived", "belta/skipped/known"),
    ("skipped: outside date window", "belta/skipped/window"),
    ("skipped: listed again in the same walk", "belta/skipped/seen_in_walk"),
    ("skipped: requested by another walk", "belta/skipped/duplicate"),
    ("skipped: of a rubric not asked for", "belta/skipped/other_rubric"),
    ("skipped: outside window after fetch", "belta/skipped/window_after_fetch"),
    ("records: new", "archive/new"),
    ("records: updated", "archive/updated"),
    ("records: unchanged", "archive/unchanged"),
    ("article dates not understood", "belta/article/date_unparsed"),
    ("records dropped as invalid", "validation/dropped"),
    ("records dropped as duplicates", "dedup/dropped"),
    ("items scraped", "item_scraped_count"),
    ("pages fetched (HTTP responses)", "downloader/response_count"),
    ("listing pages re-read in the browser", "belta/render/fallback/listing"),
    ("article pages re-read in the browser", "belta/render/fallback/article"),
)
#: Labels are padded to this width, so that every value starts in one column.
LABEL_WIDTH = 38
#: Lines that show their sub-stats: why listing entries were not taken.
BROKEN_DOWN = frozenset({"belta/listing/not_taken"})
#: Stats key prefix of article pages that were fetched but could not be used.
ARTICLE_PROBLEM_PREFIX = "belta/article/problem/"


def duration(stats: Mapping[str, Any]) -> str:
    """The run's wall-clock time as ``h:mm:ss`` (``?`` when unknown).

    >>> duration({"elapsed_time_seconds": 3725.9})
    '1:02:05'
    >>> duration({})
    '?'
    """
    seconds = stats.get("elapsed_time_seconds")
    if seconds is None:
        start, finish = stats.get("start_time"), stats.get("finish_time")
        if not isinstance(start, datetime) or not isinstance(finish, datetime):
            return "?"
        seconds = (finish - start).total_seconds()
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def count(stats: Mapping[str, Any], key: str) -> Any:
    """A stat, or the sum of its sub-stats (``validation/dropped/<reason>``), or 0.

    >>> count({"validation/dropped/url": 2, "validation/dropped/body": 1}, "validation/dropped")
    3
    """
    if key in stats:
        return stats[key]
    return sum(v for k, v in stats.items() if k.startswith(key + "/") and isinstance(v, int))


def breakdown(stats: Mapping[str, Any], prefix: str) -> str:
    """The sub-stats under ``prefix`` as ``name count, …`` (empty when there are none).

    >>> breakdown({"a/x/no_link": 1, "a/x/forbidden": 2, "a/y": 5}, "a/x/")
    'forbidden 2, no_link 1'
    """
    return ", ".join(
        f"{key.removeprefix(prefix)} {value}"
        for key, value in sorted(stats.items())
        if key.startswith(prefix)
    )


def summed(stats: Mapping[str, Any], key: str) -> str:
    """:func:`count`, with its sub-stats for the lines that list them (``BROKEN_DOWN``).

    >>> summed({"belta/listing/not_taken/no_link": 1,
    ...         "belta/listing/not_taken/unknown_url": 2}, "belta/listing/not_taken")
    '3 (no_link 1, unknown_url 2)'
    """
    total = count(stats, key)
    if key not in BROKEN_DOWN or not total:
        return str(total)
    return f"{total} ({breakdown(stats, key + '/')})"


def render_summary(
    stats: Mapping[str, Any],
    reason: str,
    walks: Iterable[WalkOutcome] = (),
    verdict: Verdict | None = None,
) -> str:
    """The summary block for a run that ended with ``reason`` and these stats."""
    verdict = verdict or judge(stats, reason, walks)
    lines = [f"beltacrawl run summary (finish reason: {reason})"]
    lines.append(f"  {'duration':<{LABEL_WIDTH}} {duration(stats)}")
    lines += [f"  {label:<{LABEL_WIDTH}} {summed(stats, key)}" for label, key in SUMMARY_LINES]
    if text := breakdown(stats, ARTICLE_PROBLEM_PREFIX):
        lines.append(f"  {'article pages unusable':<{LABEL_WIDTH}} {text}")
    for walk in sorted(walks, key=lambda walk: walk.name):
        stopped = walk.stop_reason or "broke off"
        label = f"walk {walk.name}"
        lines.append(f"  {label:<{LABEL_WIDTH}} {walk.pages} page(s), stopped: {stopped}")
        lines += reach_lines(walk)
    if verdict.ok:
        lines.append("  verdict: ok")
    else:  # one line per problem
        lines.append("  verdict: PROBLEMS")
        lines += [f"    - {problem}" for problem in verdict.problems]
    return "\n".join(lines)


def reach_lines(walk: WalkOutcome) -> list[str]:
    """How far back a walk reached, whether that covered ``since``, and what an
    ``all_news`` walk completing rubrics was for.

    >>> from beltacrawl.crawl.walk import StopReason, WalkOutcome
    >>> walk = WalkOutcome("all_news", StopReason.PAGE_NOT_FOUND, 9, None, 9,
    ...                    datetime(2024, 3, 5, 9, 30), ("economics",), datetime(2024, 1, 1), False)
    >>> print("\\n".join(reach_lines(walk)))
        reached page 9, back to 2024-03-05 09:30; since 2024-01-01 not reached
        kept the entries of economics: the rubric pages could not list them all
    """
    if walk.oldest is None:
        return []
    text = f"    reached page {walk.deepest_page}, back to {walk.oldest:%Y-%m-%d %H:%M}"
    if walk.since is not None and walk.since_reached is False:
        text += f"; since {walk.since:%Y-%m-%d} not reached"
    lines = [text]
    if walk.keep:
        lines.append(
            f"    kept the entries of {', '.join(walk.keep)}: the rubric pages could not "
            "list them all"
        )
    return lines
