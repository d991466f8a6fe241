"""Archived copies that may be stale, and failed articles worth another try.

Decided from the archive's side once per incremental run, when the first listing page has
told the site's time: it does not matter how deep in the listings an article has sunk.

- A copy taken while the article was young (within ``BELTA_REFRESH_HOURS`` of publication)
  or marked ``/Wird ergänzt/`` may miss the site's corrections. It is fetched again once it
  has aged as long again as it was young when taken: about three fetches for a fresh
  article, never a refetch on every hourly run. Marked copies are followed for
  ``BELTA_INCOMPLETE_DAYS``.
- A copy without a publication time (the page's date was not understood) is fetched again
  every ``BELTA_REFRESH_HOURS``, for ``BELTA_INCOMPLETE_DAYS`` after it was first archived.
- An article that failed is retried by later runs until it has failed
  ``BELTA_FAILURE_ATTEMPTS`` times.

Ages are measured on the site's clock (its HTTP ``Date``), so that a mirror or replica
with its own time behaves like the site.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from beltacrawl.site.urls import parse_article_url

if TYPE_CHECKING:
    from collections.abc import Iterable

    from beltacrawl.crawl.arguments import CrawlArguments
    from beltacrawl.site.urls import ArticleRef

#: An archived copy is never fetched again sooner than this after it was taken.
MIN_REFRESH_INTERVAL = timedelta(minutes=30)


class CopyState(Protocol):
    """What freshness needs to know of an archived copy."""

    @property
    def url(self) -> str | None: ...

    @property
    def published_at(self) -> datetime | None: ...

    @property
    def fetched_at(self) -> datetime | None: ...

    @property
    def is_incomplete(self) -> bool | None: ...


class FailedArticle(Protocol):
    """What freshness needs to know of an article that failed in an earlier run."""

    @property
    def url(self) -> str: ...

    @property
    def attempts(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Retries:
    """Failed articles to fetch once more, and how many were given up."""

    refs: list[ArticleRef]
    given_up: int


@dataclass(frozen=True, slots=True)
class RefreshWindow:
    """Which archived copies the archive is asked about (see ``refresh_candidates``)."""

    published_since: datetime
    """Only articles published since then (site time) may still change."""
    young: timedelta
    undated_since: datetime
    """Undated copies first archived since then (this machine's clock: ``first_seen_at``)."""


@dataclass(frozen=True)
class FreshnessPolicy:
    refresh_window: timedelta
    """``BELTA_REFRESH_HOURS``: how young a copy may be taken and still be final."""
    incomplete_window: timedelta
    """``BELTA_INCOMPLETE_DAYS``: how long marked or undated copies are followed."""
    failure_attempts: int
    """``BELTA_FAILURE_ATTEMPTS``: failures after which an article is given up."""

    def window(self, site_now: datetime, machine_now: datetime) -> RefreshWindow:
        return RefreshWindow(
            published_since=site_now - self.incomplete_window,
            young=self.refresh_window,
            undated_since=machine_now - self.incomplete_window,
        )

    def needs_refresh(self, copy: CopyState, site_now: datetime) -> bool:
        """Fetch an archived copy again to pick up the site's updates?

        >>> from types import SimpleNamespace as Copy
        >>> policy = FreshnessPolicy(timedelta(hours=6), timedelta(days=7), 5)
        >>> now = datetime(2026, 1, 2, 12, 0)
        >>> young = Copy(published_at=datetime(2026, 1, 2, 9, 0),
        ...              fetched_at=datetime(2026, 1, 2, 10, 0), is_incomplete=False)
        >>> policy.needs_refresh(young, now)  # taken 1 h after publication, 2 h ago
        True
        >>> policy.needs_refresh(young, datetime(2026, 1, 2, 10, 40))  # only 40 min ago
        False
        >>> final = Copy(published_at=datetime(2026, 1, 1, 9, 0),
        ...              fetched_at=datetime(2026, 1, 2, 10, 0), is_incomplete=False)
        >>> policy.needs_refresh(final, now)  # taken 25 h after publication
        False
        """
        if copy.fetched_at is None:
            return True
        since_taken = site_now - copy.fetched_at
        if copy.published_at is None:
            return since_taken >= max(self.refresh_window, MIN_REFRESH_INTERVAL)
        young_when_taken = copy.fetched_at - copy.published_at
        if not copy.is_incomplete and young_when_taken >= self.refresh_window:
            return False
        return since_taken >= max(young_when_taken, MIN_REFRESH_INTERVAL)

    def retry_failure(self, attempts: int) -> bool:
        """Try a failed article once more, or has it failed too often?"""
        return attempts < self.failure_attempts

    def failures_to_retry(
        self, failures: Iterable[FailedArticle], arguments: CrawlArguments
    ) -> Retries:
        """The failed articles of earlier runs this run fetches again: those not given up
        and inside the run's rubrics (and only without a date window: a failure's date is
        unknown).

        >>> from types import SimpleNamespace as Failed
        >>> from beltacrawl.crawl.arguments import CrawlArguments
        >>> url = "https://deu.belta.by/economics/view/handel-66060-2024/"
        >>> policy = FreshnessPolicy(timedelta(hours=6), timedelta(days=7), 5)
        >>> retries = policy.failures_to_retry(
        ...     [Failed(url=url, attempts=1), Failed(url=url, attempts=5)], CrawlArguments())
        >>> [ref.key for ref in retries.refs], retries.given_up
        (['66060-2024'], 1)
        """
        refs: list[ArticleRef] = []
        given_up = 0
        for failure in failures:
            if not self.retry_failure(failure.attempts):
                given_up += 1
                continue
            ref = parse_article_url(failure.url)
            if ref and arguments.admits(ref.rubric, None):
                refs.append(ref)
        return Retries(refs, given_up)

    def copies_to_refresh(
        self, copies: Iterable[CopyState], arguments: CrawlArguments, site_now: datetime
    ) -> list[ArticleRef]:
        """The archived copies (the archive's candidates for the :meth:`window`) that this
        run fetches again: inside its rubrics and date window, and possibly stale."""
        refs = []
        for copy in copies:
            ref = parse_article_url(copy.url or "")
            if ref is None or not arguments.admits(ref.rubric, copy.published_at):
                continue
            if self.needs_refresh(copy, site_now):
                refs.append(ref)
        return refs
