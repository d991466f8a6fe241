"""One walk through a listing (``all_news`` or a rubric), page by page, and when it stops.

A walk reads the pages of one listing in order. For each page the spider hands over the
entries and what the archive knows of them; :meth:`WalkPolicy.read_page` says which
entries to fetch and whether the walk goes on. The rules, in the order they apply:

1. An entry seen earlier in this walk is passed over: items shift down while a crawl runs.
2. An entry listed outside the date window is skipped.
3. An archived entry is passed over (stale copies are refreshed from the archive's side,
   see :mod:`beltacrawl.crawl.freshness`), and lengthens the streak of archived entries.
4. The walk stops at a page repeating an earlier one in order (``page_repeated``), after a
   page with nothing new (``no_new_entries``), after the page where a date window's start
   is passed (``since_reached``), where an incremental run has caught up with what an
   earlier finished walk archived completely (``archive_reached``), at ``max_pages``, at
   a page without entries (``empty_page``) or next page (``last_page``), or at a 404
   past the first page (``page_not_found``).
5. A walk that took longer than ``BELTA_RECHECK_SECONDS`` reads its first page once more at
   the end (``rechecking``), for articles published meanwhile; the re-check ends at the
   first page with an entry seen before (``caught_up``).

A walk that ends normally covers the stretch of listed times between its oldest and its
newest entry: the archive remembers it (``listing_coverage``), and later incremental runs
stop early only inside it, so a run killed half-way is caught up by the next.

How far back a walk reached, and rubric walks cut short and completed from ``all_news``:
:mod:`beltacrawl.crawl.reach`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from beltacrawl.crawl.arguments import CrawlArguments


class StopReason(enum.StrEnum):
    """Why a walk ended; stored in the run's stats and record."""

    NO_NEW_ENTRIES = "no_new_entries"
    SINCE_REACHED = "since_reached"
    ARCHIVE_REACHED = "archive_reached"
    MAX_PAGES = "max_pages"
    EMPTY_PAGE = "empty_page"
    LAST_PAGE = "last_page"
    CAUGHT_UP = "caught_up"
    """A re-check of the first page reached entries read before."""
    LAYOUT_CHANGED = "layout_changed"
    """The first page had no entries: the selectors no longer match."""
    LISTING_FAILED = "listing_failed"
    """A listing page could not be fetched (after retries)."""
    PAGE_REPEATED = "page_repeated"
    """A page showed an earlier page's entries in order: the listing cannot be paginated."""
    PAGE_NOT_FOUND = "page_not_found"
    """A page past the first answered 404: the listing reaches no further back."""

    @property
    def broken(self) -> bool:
        """The walk broke off: what lies beyond was not walked."""
        return self in (StopReason.LAYOUT_CHANGED, StopReason.LISTING_FAILED)


#: Walks that stop at one of these never re-check their first page: the user bounded them.
_BOUNDED = (StopReason.MAX_PAGES, StopReason.SINCE_REACHED)


class Entry(Protocol):
    """What the walk needs of a listing entry (``rubric``: the one its URL names)."""

    @property
    def key(self) -> str: ...

    @property
    def listed_at(self) -> datetime | None: ...

    @property
    def rubric(self) -> str: ...


class Archived(Protocol):
    """What the walk needs of an archived article."""

    @property
    def published_at(self) -> datetime | None: ...


Stretch = tuple[datetime, datetime]
"""``(oldest, newest)`` listed times."""


@dataclass(frozen=True, slots=True)
class WalkOutcome:
    """How a walk ended, handed to the run's record (never parsed back from stats)."""

    listing: str
    stop_reason: StopReason | None
    """``None``: the walk was still running when the crawl ended (it broke off)."""
    pages: int
    covered: Stretch | None
    """The stretch this walk archived completely, if it ended normally."""
    deepest_page: int = 0
    """The deepest page of the listing read."""
    oldest: datetime | None = None
    """The oldest listed time on any page read: how far back the listing reached."""
    keep: tuple[str, ...] = ()
    """The rubrics whose entries this walk of ``all_news`` kept (empty: all entries)."""
    since: datetime | None = None
    """The run's ``since``."""
    since_reached: bool | None = None
    """Whether the walk reached ``since``; ``None`` when there is none, or the walk
    stopped at ``max_pages``, broke off, or is still running."""

    @property
    def serves(self) -> tuple[str, ...]:
        """The listings (rubrics, or ``all_news``) whose entries this walk collected."""
        return self.keep or (self.listing,)

    @property
    def name(self) -> str:
        """``all_news`` or a rubric; ``all_news for economics`` when it kept a rubric's."""
        return f"{self.listing} for {', '.join(self.keep)}" if self.keep else self.listing


@dataclass
class ListingWalk:
    """Progress through one listing; kept in the spider's ``state`` (``JOBDIR``), so a
    paused crawl resumes where it stopped."""

    listing: str
    started: float
    """When the walk began, in seconds of the monotonic clock the spider uses."""
    coverage: Stretch | None = None
    """What an earlier finished walk of this listing archived completely."""
    keep: tuple[str, ...] = ()
    """Rubrics whose entries this walk keeps (completing rubric walks); empty: all."""
    taken: set[str] = field(default_factory=set)
    """Entries other walks of this run have handled already."""
    seen: set[str] = field(default_factory=set)
    known_streak: int = 0
    page: int = 0
    """Number of the page being read in the current pass over the listing."""
    pages: int = 0
    """Listing pages read in all passes."""
    full_page_entries: int = 0
    """The most entries a page of this walk had: a page with fewer is the last one."""
    deepest_page: int = 0
    """The deepest page read (not counting a re-check)."""
    page_orders: set[tuple[str, ...]] = field(default_factory=set)
    """Each page's entries in order, to recognise a page that repeats an earlier one."""
    oldest_seen: datetime | None = None
    """The oldest listed time on any page read."""
    rechecking: bool = False
    rendered: bool = False
    """A page of this walk showed its entries only in the browser (``render=fallback``)."""
    next_guessed: bool = False
    """The page requested next was guessed by the URL grammar, not linked by the site."""
    stop_reason: StopReason | None = None
    entries_cut: int = 0
    """Entries beyond ``BELTA_MAX_LISTING_ENTRIES`` on this walk's pages, not read: the
    walk then covers nothing, so a later run does not stop early over what they hid."""
    day_group: tuple[str, str] = ("", "")
    """The last day group of the page read before: it dates the next page's first entries."""
    newest_handled: datetime | None = None
    oldest_listed: datetime | None = None
    last_handled: datetime | None = None
    """Time of the last entry handled, listed or archived: where the walk ended. An
    undated entry's archived time marks the oldest end only when it is the last one: an
    old article listed again higher up must not stretch the coverage."""

    def handled(self, listed_at: datetime | None, archived_at: datetime | None = None) -> None:
        """Count an entry fetched or found archived towards the walk's stretch."""
        when = listed_at or archived_at
        if when is None:
            return
        self.newest_handled = max(self.newest_handled or when, when)
        if listed_at is not None:
            self.oldest_listed = min(self.oldest_listed or listed_at, listed_at)
        self.last_handled = when

    def covered(self) -> Stretch | None:
        """The stretch of listed times this walk handled completely, once it ended
        normally; ``None`` while running, when broken off, or when nothing was dated."""
        if self.stop_reason is None or self.stop_reason.broken or self.entries_cut:
            return None
        if self.newest_handled is None or self.last_handled is None:
            return None
        oldest = min(self.oldest_listed or self.last_handled, self.last_handled)
        return oldest, self.newest_handled

    @property
    def name(self) -> str:
        """The walk's name in the spider's requests, the stats and the summary."""
        return f"{self.listing} for {', '.join(self.keep)}" if self.keep else self.listing


@dataclass(frozen=True, slots=True)
class PageDecision:
    """What to do after reading one listing page."""

    fetch: list[Entry]
    """New entries to fetch, in listing order."""
    outside_window: int
    already_archived: int
    stop: StopReason | None
    """``None``: go on to the next page."""
    other_rubric: int = 0
    """Entries of rubrics this walk does not keep."""
    taken: int = 0
    """Entries another walk of this run handled already."""
    seen_before: int = 0
    """Entries this walk read on an earlier page (items shift down while it runs): with
    the others, every entry of the page is accounted for."""


@dataclass(frozen=True, slots=True)
class NextPage:
    number: int
    link: str | None
    """The site's own link to it; ``None`` when guessed from the URL grammar."""


@dataclass(frozen=True)
class WalkPolicy:
    """The stop rules of listing walks for one run."""

    arguments: CrawlArguments
    incremental: bool
    """An archive with articles, and ``mode=full`` not asked for."""
    known_streak: int
    """Archived entries in a row before an incremental walk may stop (``BELTA_KNOWN_STREAK``)."""
    recheck_seconds: float
    """``BELTA_RECHECK_SECONDS``; negative: never re-check."""

    def start_page(self, walk: ListingWalk) -> int:
        """Count a page read; returns its number in the current pass."""
        walk.page += 1
        walk.pages += 1
        if not walk.rechecking:
            walk.deepest_page = max(walk.deepest_page, walk.page)
        return walk.page

    def read_page(
        self,
        walk: ListingWalk,
        entries: Sequence[Entry],
        archived: Mapping[str, Archived],
        cut: int = 0,
    ) -> PageDecision:
        """Decide about a page with entries (an empty page ends the walk: :meth:`end`).

        ``archived`` holds what the archive knows of the page's entries (empty in a run
        that is not incremental); ``cut`` counts the entries beyond the page's limit.
        """
        walk.entries_cut += cut
        if repeated := self._repeats(walk, entries):
            return PageDecision([], 0, 0, repeated, seen_before=len(entries))
        listed = [entry.listed_at for entry in entries if entry.listed_at is not None]
        if listed:
            walk.oldest_seen = min(walk.oldest_seen or min(listed), min(listed))
        fresh = [entry for entry in entries if entry.key not in walk.seen]
        walk.seen.update(entry.key for entry in entries)
        kept = [entry for entry in fresh if not walk.keep or entry.rubric in walk.keep]
        fetch: list[Entry] = []
        outside_window = already_archived = taken = 0
        for entry in kept:
            if entry.listed_at is not None and not self.arguments.in_window(entry.listed_at):
                outside_window += 1
                continue
            state = archived.get(entry.key)
            walk.handled(entry.listed_at, state.published_at if state else None)
            if state is not None:
                walk.known_streak += 1
                already_archived += 1
                continue
            if entry.key in walk.taken:  # another walk of this run requested it
                taken += 1
                continue
            walk.known_streak = 0
            fetch.append(entry)
        stop = self._stop_reason(walk, entries, fresh, kept, archived)
        walk.full_page_entries = max(walk.full_page_entries, len(entries))
        other, seen_before = len(fresh) - len(kept), len(entries) - len(fresh)
        return PageDecision(
            fetch, outside_window, already_archived, stop, other, taken, seen_before
        )

    def _repeats(self, walk: ListingWalk, entries: Sequence[Entry]) -> StopReason | None:
        """``page_repeated`` when this page lists an earlier page's entries in the same
        order. A re-check reads the first page again by design: not a repeat."""
        if walk.rechecking:
            return None
        order = tuple(entry.key for entry in entries)
        if order in walk.page_orders:
            return StopReason.PAGE_REPEATED
        walk.page_orders.add(order)
        return None

    def _stop_reason(
        self,
        walk: ListingWalk,
        entries: Sequence[Entry],
        fresh: list[Entry],
        kept: list[Entry],
        archived: Mapping[str, Archived],
    ) -> StopReason | None:
        if not fresh:
            return StopReason.NO_NEW_ENTRIES
        if walk.rechecking and len(fresh) < len(entries):
            return StopReason.CAUGHT_UP
        since = self.arguments.since
        listed = [entry.listed_at for entry in entries if entry.listed_at is not None]
        if since and len(listed) == len(entries) and max(listed) < since:
            return StopReason.SINCE_REACHED
        if since is None and self.incremental and self._caught_up(walk, kept, archived):
            return StopReason.ARCHIVE_REACHED
        max_pages = self.arguments.max_pages
        if max_pages and walk.page >= max_pages and not walk.rechecking:
            return StopReason.MAX_PAGES
        return None

    def _caught_up(
        self, walk: ListingWalk, kept: list[Entry], archived: Mapping[str, Archived]
    ) -> bool:
        """Nothing new lies beyond the page's last entry the walk keeps: it ends a streak
        of archived entries inside the stretch an earlier finished walk archived
        completely."""
        if not kept:
            return False
        last = kept[-1]
        state = archived.get(last.key)
        if state is None or walk.coverage is None or walk.known_streak < self.known_streak:
            return False
        when = last.listed_at or state.published_at  # an undated entry: the archive knows
        return when is not None and walk.coverage[0] <= when <= walk.coverage[1]

    def next_page(self, walk: ListingWalk, link: str | None, entries: int) -> NextPage | None:
        """The page after the one just read, or ``None`` when it was the last one.

        The site's "load more" markup is [sister] evidence: when a full page has no next
        link, the URL grammar (``/<listing>/page/<N+1>/``) takes over, and a page that
        brings nothing new ends the walk.
        """
        number = walk.page + 1
        walk.next_guessed = link is None
        if link is not None:
            return NextPage(number, link)
        if entries < walk.full_page_entries:
            return None
        return NextPage(number, None)

    def after_page(
        self, walk: ListingWalk, stop: StopReason | None, link: str | None, entries: int
    ) -> NextPage | StopReason:
        """After a page with entries: the page to read next, or why the walk stops here
        (the page's own ``stop``, or ``last_page`` when no page follows)."""
        if stop is not None:
            return stop
        return self.next_page(walk, link, entries) or StopReason.LAST_PAGE

    def at_empty_page(self, walk: ListingWalk) -> StopReason:
        """Why a page without entries ends the walk: past the first page it is the
        listing's end; a first page without entries means the selectors no longer match."""
        if walk.page > 1 or walk.rechecking:
            return StopReason.EMPTY_PAGE
        return StopReason.LAYOUT_CHANGED

    def at_failed_page(self, walk: ListingWalk, status: int | None) -> StopReason:
        """Why a listing page that could not be fetched ends the walk. Past the first
        page, one the site does not have (HTTP 404) is how far the listing reaches;
        anything else breaks the walk off."""
        if status == 404 and walk.page >= 1 and not walk.rechecking:
            return StopReason.PAGE_NOT_FOUND
        return StopReason.LISTING_FAILED

    def may_be_scripted(self, walk: ListingWalk) -> bool:
        """May an empty page of this walk hold entries that only a browser shows? Not
        a page the URL grammar guessed after plain pages: that is the listing's end."""
        return walk.page <= 1 or walk.rendered or not walk.next_guessed

    def end(self, walk: ListingWalk, reason: StopReason, now: float) -> bool:
        """End a pass over the listing; ``True`` when the first page is to be read again.

        A re-check that ends changes nothing: the walk's own end stays its outcome.
        """
        if walk.rechecking:
            return False
        walk.stop_reason = reason
        if reason.broken or reason in _BOUNDED or self.recheck_seconds < 0:
            return False
        if now - walk.started < self.recheck_seconds:
            return False
        walk.rechecking = True
        walk.page = 0
        return True
