"""How far back the listings reach, and rubrics completed from ``all_news``.

The site keeps no date archive: a listing reaches back only so many pages (``all_news``
about 130, six to eight weeks, docs/site.md), and on a sister edition a rubric's pages
past the first repeat it. So:

- A rubric walk that ends before it has listed its rubric's articles of the date window
  (:func:`cut_short`) is completed by one more walk, of ``all_news``, which keeps only the
  entries of such rubrics (every ``all_news`` entry names its rubric): no article is
  requested twice, and the other rubrics' entries are passed over
  (:func:`completing_walk`).
- A walk says how far back it reached and whether that was ``since``
  (:func:`outcome_of`); when no walk serving a listing reached ``since``, the run's
  verdict says so, and where older articles come from (:func:`since_not_reached`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from beltacrawl.crawl.walk import ListingWalk, StopReason, WalkOutcome
from beltacrawl.site.deu import DEU_BELTA

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import datetime

    from beltacrawl.crawl.walk import Stretch

#: Where older articles come from when the listings reach no further back.
OLDER_ARTICLES_HINT = (
    "the site lists no older articles; get them from web-archive captures "
    "(`scrapy archive import-warc`) or by their URLs (the `urls=` argument)"
)
#: A rubric walk that stops at one of these left older entries of its rubric unlisted:
#: ``all_news`` completes it.
_CUT_SHORT = (StopReason.PAGE_REPEATED, StopReason.PAGE_NOT_FOUND)
#: ... and at one of these too, when it had not reached ``since``.
_ENDED = (StopReason.EMPTY_PAGE, StopReason.LAST_PAGE, StopReason.NO_NEW_ENTRIES)


def outcome_of(walk: ListingWalk, since: datetime | None) -> WalkOutcome:
    """How the walk ended, for the run's record and verdict. It reached ``since`` when it
    stopped there, or saw an entry listed before it; a walk bounded by ``max_pages``, or
    broken off, or still running, is not judged (``since_reached`` ``None``)."""
    reached = None
    reason = walk.stop_reason
    if since is not None and reason is not None:
        if reason is StopReason.SINCE_REACHED:
            reached = True
        elif reason is not StopReason.MAX_PAGES and not reason.broken:
            reached = walk.oldest_seen is not None and walk.oldest_seen < since
    return WalkOutcome(
        walk.listing,
        reason,
        walk.pages,
        walk.covered(),
        walk.deepest_page,
        walk.oldest_seen,
        walk.keep,
        since,
        reached,
    )


def cut_short(walk: ListingWalk, since: datetime | None) -> bool:
    """Did this rubric walk end before its rubric's entries in the date window were all
    listed? Its pages repeat, or the site refused a page it had linked or that followed
    a full page (404); with ``since``, also any other end of the listing (an empty or
    last page, a page with nothing new) before the window's start."""
    reason = walk.stop_reason
    if walk.listing == DEU_BELTA.all_news or walk.keep or reason is None:
        return False
    if since is not None and walk.oldest_seen is not None and walk.oldest_seen < since:
        return False
    return reason in _CUT_SHORT or (since is not None and reason in _ENDED)


def completing_walk(
    walks: Mapping[str, ListingWalk], since: datetime | None, now: float
) -> ListingWalk | None:
    """Once every rubric walk has ended: the one ``all_news`` walk that keeps the entries
    of the rubrics whose own walks were cut short (:func:`cut_short`), or ``None``
    (nothing cut short, or that walk exists already). It starts at ``now`` (the spider's
    monotonic clock), knows the entries the rubric walks handled, and may stop early in
    an incremental run only where every one of its rubrics was archived completely."""
    if any(walk.keep or walk.listing == DEU_BELTA.all_news for walk in walks.values()):
        return None  # done already, or all_news is walked whole anyway
    if any(walk.stop_reason is None for walk in walks.values()):
        return None
    short = [walk for walk in walks.values() if cut_short(walk, since)]
    if not short:
        return None
    taken = set().union(*(walk.seen for walk in walks.values()))
    keep = tuple(sorted(walk.listing for walk in short))
    coverage = common_stretch([walk.coverage for walk in short])
    return ListingWalk(DEU_BELTA.all_news, now, coverage, keep=keep, taken=taken)


def common_stretch(stretches: Sequence[Stretch | None]) -> Stretch | None:
    """The stretch inside all of ``stretches`` (``None`` when one is unknown, or they do
    not overlap): where every one of several listings was archived completely.

    >>> common_stretch([(1, 5), (3, 8)]), common_stretch([(1, 2), (3, 4)])
    ((3, 5), None)
    """
    if not stretches or any(stretch is None for stretch in stretches):
        return None
    oldest = max(stretch[0] for stretch in stretches if stretch)
    newest = min(stretch[1] for stretch in stretches if stretch)
    return (oldest, newest) if oldest <= newest else None


def since_not_reached(walks: Iterable[WalkOutcome]) -> list[str]:
    """A problem for each listing asked for whose walks all ended before ``since``
    (the listing, or ``all_news`` completing a rubric, reached no further back).

    >>> from datetime import datetime
    >>> since = datetime(2024, 1, 1)
    >>> short = WalkOutcome("economics", StopReason.PAGE_NOT_FOUND, 10, None, 10,
    ...                     datetime(2024, 3, 5, 9, 30), since=since, since_reached=False)
    >>> since_not_reached([short])  # doctest: +NORMALIZE_WHITESPACE
    ['listing economics: reached back to 2024-03-05 09:30 only (page 10, page_not_found),
      not to since 2024-01-01; the site lists no older articles; get them from web-archive
      captures (`scrapy archive import-warc`) or by their URLs (the `urls=` argument)']
    >>> completed = WalkOutcome("all_news", StopReason.SINCE_REACHED, 40, None, 40,
    ...                         datetime(2023, 12, 31), ("economics",), since, True)
    >>> since_not_reached([short, completed])
    []
    """
    reached: set[str] = set()
    furthest: dict[str, WalkOutcome] = {}
    for walk in walks:
        if walk.since_reached is None or walk.since is None:
            continue
        if walk.since_reached and walk.serves == (DEU_BELTA.all_news,):
            return []  # every article of the window was listed there
        for listing in walk.serves:
            if walk.since_reached:
                reached.add(listing)
                continue
            known = furthest.get(listing)
            if known is None or (walk.oldest or walk.since) < (known.oldest or known.since):
                furthest[listing] = walk
    problems = []
    for listing, walk in sorted(furthest.items()):
        if listing in reached or walk.since is None:
            continue
        reach = (
            f"reached back to {walk.oldest:%Y-%m-%d %H:%M} only"
            if walk.oldest
            else "found no dated entry"
        )
        problems.append(
            f"listing {listing}: {reach} (page {walk.deepest_page}, {walk.stop_reason}), "
            f"not to since {walk.since:%Y-%m-%d}; {OLDER_ARTICLES_HINT}"
        )
    return problems
