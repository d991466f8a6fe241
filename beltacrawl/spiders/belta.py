"""The ``belta`` spider: walks listings, fetches each article once, yields records.

Listing page → entries → (window, archive and run checks) → article request → article
parser → item loader → record. Walk state lives in one :class:`ListingWalk` per listing;
listing pages of a walk are fetched one after the other, so the stop decisions below
always see the pages in order.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response, TextResponse

from beltacrawl.archive import Archive
from beltacrawl.arguments import ArgumentError, CrawlArguments
from beltacrawl.article import parse_article
from beltacrawl.dates import MINSK, parse_datetime, to_iso
from beltacrawl.health import WALK_RUNNING
from beltacrawl.listing import ListingEntry, parse_listing
from beltacrawl.loaders import load_article
from beltacrawl.rendering import render_mode
from beltacrawl.responses import unusable, with_repaired_encoding
from beltacrawl.site import ALL_NEWS
from beltacrawl.urls import ArticleRef, is_forbidden, listing_path, on_base, parse_article_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

    from beltacrawl.archive import ArchivedState

#: Article requests go before the next listing page, so a deep walk never piles up
#: thousands of queued articles.
ARTICLE_PRIORITY = 10
LISTING_PRIORITY = 0
#: An archived copy is never fetched again sooner than this after it was taken.
MIN_REFRESH_INTERVAL = timedelta(minutes=30)


@dataclass
class ListingWalk:
    """Progress through one listing (``all_news`` or a rubric)."""

    listing: str
    seen: set[str] = field(default_factory=set)
    known_streak: int = 0
    page: int = 0
    """Number of the page being read in the current pass over the listing."""
    pages: int = 0
    """Listing pages read in all passes."""
    largest_page: int = 0
    started: float = field(default_factory=time.monotonic)
    rechecking: bool = False
    rendered: bool = False
    """A page of this walk needed the browser (``render=fallback``)."""
    next_guessed: bool = False
    """The page requested next was guessed by the URL grammar, not linked by the site."""
    stop_reason: str | None = None
    coverage: tuple[str, str] | None = None
    """Listed-time stretch a finished earlier walk archived completely (incremental runs)."""
    newest_handled: str | None = None
    oldest_listed: str | None = None
    """Listed times of the newest and oldest entries this walk fetched or found archived;
    for an undated entry the archive's publication time counts towards the newest."""
    last_handled: str | None = None
    """The time of the last entry handled, listed or archived: where the walk ended.
    Undated new entries above it lie in the walked stretch all the same (the listing is
    in time order). An undated entry's archive time marks the oldest end only when it is
    the last one: an old article listed again higher up must not stretch the coverage."""
    day_group: tuple[str, str] = ("", "")
    """The last day group of the page read before, dating the next page's first entries."""

    def handled(self, listed_at: str | None, archived_at: str | None = None) -> None:
        when = listed_at or archived_at
        if when is None:
            return
        self.newest_handled = max(self.newest_handled or when, when)
        if listed_at is not None:
            self.oldest_listed = min(self.oldest_listed or listed_at, listed_at)
        self.last_handled = when

    @property
    def oldest_handled(self) -> str | None:
        if self.last_handled is None:
            return None
        return min(self.oldest_listed or self.last_handled, self.last_handled)


class BeltaSpider(scrapy.Spider):
    name = "belta"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        given = {key: value for key, value in kwargs.items() if key != "_job"}
        super().__init__(*args, **{k: v for k, v in kwargs.items() if k == "_job"})
        try:
            self.args = CrawlArguments.parse(given)
        except ArgumentError as error:
            raise ArgumentError(f"belta spider: {error}") from None
        self.arguments: dict[str, str] = self.args.raw
        self._walks: dict[str, ListingWalk] = {}
        self._requested: set[str] = set()
        self._archive: Archive | None = None
        self.archive_path = ""
        self.incremental = False
        self._refresh_checked = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BeltaSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.base_url = settings.get("BELTA_BASE_URL").rstrip("/")
        spider.base_host = urlsplit(spider.base_url).hostname or ""
        spider.allowed_domains = [spider.base_host]
        spider.known_streak = settings.getint("BELTA_KNOWN_STREAK")
        spider.refresh_window = timedelta(hours=settings.getfloat("BELTA_REFRESH_HOURS"))
        spider.incomplete_window = timedelta(days=settings.getfloat("BELTA_INCOMPLETE_DAYS"))
        spider.recheck_seconds = settings.getfloat("BELTA_RECHECK_SECONDS")
        spider.failure_attempts = settings.getint("BELTA_FAILURE_ATTEMPTS")
        spider.archive_path = settings.get("BELTA_ARCHIVE") or ""
        # The render argument overrides BELTA_RENDER, which beltacrawl.rendering reads.
        if spider.args.render:
            settings.set("BELTA_RENDER", spider.args.render, priority="cmdline")
        spider.render_mode = render_mode(settings)
        return spider

    @property
    def stats(self):
        return self.crawler.stats

    # --- start ---------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self._open_archive()
        if self._resumed():
            return  # the pending requests come back from JOBDIR's queue
        if self.args.urls:
            for ref in self.args.urls:
                if request := self._article_request(ref, entry=None):
                    yield request
            return
        if self.incremental and self._archive is not None:
            for failure in self._archive.ledger.failures():
                if failure.attempts >= self.failure_attempts:
                    self.stats.inc_value("belta/articles/failures_given_up")
                    continue
                ref = parse_article_url(failure.url)
                if (
                    ref
                    and self._within_bounds(ref, None)
                    and (request := self._article_request(ref, entry=None))
                ):
                    self.stats.inc_value("belta/articles/retried_failures")
                    yield request
        for listing in self.args.listings:
            walk = self._walks[listing] = ListingWalk(listing)
            self.stats.set_value(f"belta/walk/{listing}/stop_reason", WALK_RUNNING)
            if self.incremental and self._archive is not None:
                walk.coverage = self._archive.ledger.coverage(listing)
            yield self._listing_request(listing, on_base(listing_path(listing), self.base_url))

    def _open_archive(self) -> None:
        """The archive, opened once the archive pipeline holds its run lock (it opens the
        spider before the first start request is read), so a refused run never touches
        it. Incremental when it holds articles and ``mode=full`` was not asked for."""
        if self._archive is None and self.archive_path and Path(self.archive_path).exists():
            self._archive = Archive.open(self.archive_path)
        self.incremental = (
            self.args.mode == "incremental"
            and self._archive is not None
            and self._archive.store.count() > 0
        )

    def _resumed(self) -> bool:
        """With ``JOBDIR``, walk progress and requested keys live in the job's persisted
        ``state``, so a paused crawl resumes where it stopped."""
        state = getattr(self, "state", None)
        if state is None:
            return False
        resumed = bool(state.get("walks"))
        self._walks = state.setdefault("walks", self._walks)
        self._requested = state.setdefault("requested", self._requested)
        if resumed:
            self.logger.info("resuming the paused crawl of %s", ", ".join(self._walks))
        return resumed

    def _listing_request(self, listing: str, url: str, *, again: bool = False) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.listing_failed,
            cb_kwargs={"listing": listing},
            priority=LISTING_PRIORITY,
            dont_filter=again,
        )

    def _article_request(self, ref: ArticleRef, entry: ListingEntry | None):
        if ref.key in self._requested:
            self.stats.inc_value("belta/skipped/duplicate")
            return None
        self._requested.add(ref.key)
        self.stats.inc_value("belta/articles/requested")
        return scrapy.Request(
            on_base(ref.path, self.base_url),
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"entry": entry},
            meta={"article_ref": ref},
            priority=ARTICLE_PRIORITY,
            # The spider requests each article once (its set of requested keys, kept in
            # JOBDIR with the rest of its state); Scrapy's duplicate filter would only
            # fingerprint every article request and keep a second set of them.
            dont_filter=True,
        )

    # --- listings ------------------------------------------------------------------------

    def parse_listing(self, response: Response, listing: str = "all_news"):
        """Read one listing page; request its new articles and, if needed, the next page."""
        walk = self._walks.setdefault(listing, ListingWalk(listing))
        if problem := unusable(response):
            self.stats.inc_value(f"belta/response/{problem}")
            reason = f"unusable response: {problem}"
            if retry := get_retry_request(response.request, spider=self, reason=reason):
                yield retry
                return
            self._listing_lost(walk, response.url, reason)
            return
        walk.page += 1
        walk.pages += 1
        page_number = walk.page
        response = self._decoded(response)
        carried = walk.day_group if page_number > 1 else ("", "")
        page = parse_listing(response.selector, response.url, self.base_host, carried)
        walk.day_group = page.day_group
        # An empty page the URL grammar guessed is the end of the listing, unless the
        # walk's pages only show their entries in the browser.
        may_be_scripted = page_number == 1 or walk.rendered or not walk.next_guessed
        if (
            not page.entries
            and may_be_scripted
            and (again := self._rendered_again(response, "listing"))
        ):
            walk.page, walk.pages = walk.page - 1, walk.pages - 1  # the browser's copy counts
            yield again
            return
        walk.rendered = walk.rendered or bool(page.entries and response.meta.get("playwright"))
        self.stats.inc_value("belta/listing/pages")
        self.stats.inc_value("belta/listing/entries", len(page.entries))
        if not page.entries:
            if page_number == 1 and not walk.rechecking:
                self._layout_problem(walk, page.missing or ["div.lenta_item"])
                return
            self.logger.info(
                "listing %s page %d: 0 entries, end of listing", walk.listing, page_number
            )
            yield from self._end_walk(walk, "empty_page")
            return
        for selector in page.missing:
            self.stats.inc_value(f"belta/layout/listing_selector_missed/{selector}")
        fresh = [entry for entry in page.entries if entry.key not in walk.seen]
        walk.seen.update(entry.key for entry in page.entries)
        site_now = _site_now(response)
        if not self._refresh_checked:
            self._refresh_checked = True
            yield from self._refresh_requests(site_now)
        states = self._archived(fresh)
        for entry in fresh:
            yield from self._consider(walk, entry, states.get(entry.key))
        reason = self._stop_reason(walk, page.entries, fresh, states)
        walk.largest_page = max(walk.largest_page, len(page.entries))
        if reason is None:
            next_url = self._next_url(walk, page.next_url, len(page.entries))
            if next_url is not None:
                # A re-check reads pages this walk has read before: not duplicates.
                yield self._listing_request(listing, next_url, again=walk.rechecking)
                return
            reason = "last_page"
        yield from self._end_walk(walk, reason)

    def _archived(self, entries: list[ListingEntry]) -> dict[str, ArchivedState]:
        if not self.incremental or self._archive is None or not entries:
            return {}
        return self._archive.store.lookup(entry.key for entry in entries)

    def _consider(
        self,
        walk: ListingWalk,
        entry: ListingEntry,
        state: ArchivedState | None,
    ) -> Iterable[scrapy.Request]:
        listed_at = datetime.fromisoformat(entry.listed_at) if entry.listed_at else None
        if listed_at is not None and not self.args.in_window(listed_at):
            self.stats.inc_value("belta/skipped/window")
            return
        walk.handled(entry.listed_at, state.published_at if state else None)
        if state is not None:
            # Archived copies that may be stale were requested from the archive's side
            # (see _refresh_requests); here an archived entry is simply passed.
            walk.known_streak += 1
            if entry.key not in self._requested:
                self.stats.inc_value("belta/skipped/known")
            return
        walk.known_streak = 0
        if request := self._article_request(entry.ref, entry):
            yield request

    def _refresh_requests(self, site_now: datetime) -> Iterable[scrapy.Request]:
        """Archived articles whose copy may be stale, fetched again to pick up updates.

        Decided from the archive once the first listing page has told the site's time,
        so it does not matter how deep in the listings they have sunk by now.
        """
        if not self.incremental or self._archive is None:
            return
        since = site_now - self.incomplete_window
        hours = self.refresh_window.total_seconds() / 3600
        undated_since = datetime.now(UTC) - self.incomplete_window  # first_seen_at's clock
        candidates = self._archive.store.refresh_candidates(
            to_iso(since), hours, to_iso(undated_since)
        )
        for state in candidates:
            ref = parse_article_url(state.url or "")
            if ref is None or not self._within_bounds(ref, state.published_at):
                continue
            if not self._needs_refresh(state, site_now):
                continue
            if request := self._article_request(ref, entry=None):
                self.stats.inc_value("belta/articles/refreshed")
                yield request

    def _within_bounds(self, ref: ArticleRef, published_at: str | None) -> bool:
        """Is an article from the archive's side (a refresh, a failure to retry) inside
        this run's rubrics and date window? Without a known date, only in a run without
        a window."""
        only_rubrics = self.args.rubrics and ALL_NEWS not in self.args.listings
        if only_rubrics and ref.rubric not in self.args.rubrics:
            return False
        if self.args.since is None and self.args.until is None:
            return True
        return published_at is not None and self.args.in_window(
            datetime.fromisoformat(published_at)
        )

    def _needs_refresh(self, state: ArchivedState, site_now: datetime) -> bool:
        """Fetch an archived article again to pick up the site's updates?

        Only copies taken while the article was young (within ``BELTA_REFRESH_HOURS`` of
        publication) or marked ``/Wird ergänzt/`` can be stale, and each is fetched again
        once it has aged as long again as it was young when taken: about three fetches for
        a fresh article, never a refetch on every hourly run. A copy without a publication
        time is fetched again every ``BELTA_REFRESH_HOURS`` for a while.
        """
        if not state.fetched_at:
            return True
        fetched = datetime.fromisoformat(state.fetched_at)
        if not state.published_at:
            # Undated (the page's date was not understood): again every refresh window,
            # until BELTA_INCOMPLETE_DAYS after it was first archived (refresh_candidates).
            return site_now - fetched >= max(self.refresh_window, MIN_REFRESH_INTERVAL)
        young_when_taken = fetched - datetime.fromisoformat(state.published_at)
        if not state.is_incomplete and young_when_taken >= self.refresh_window:
            return False
        return site_now - fetched >= max(young_when_taken, MIN_REFRESH_INTERVAL)

    def _stop_reason(
        self,
        walk: ListingWalk,
        entries: list[ListingEntry],
        fresh: list[ListingEntry],
        states: dict[str, ArchivedState],
    ) -> str | None:
        """Why this walk ends after this page, or ``None`` to go on."""
        if not fresh:
            return "no_new_entries"  # e.g. rubric pagination that repeats page 1
        if walk.rechecking and len(fresh) < len(entries):
            return "caught_up"
        listed = [datetime.fromisoformat(e.listed_at) for e in entries if e.listed_at]
        since = self.args.since
        if since and len(listed) == len(entries) and max(listed) < since:
            return "since_reached"
        caught_up = self.incremental and self._caught_up(walk, fresh[-1], states)
        if caught_up and since is None:
            return "archive_reached"
        if self.args.max_pages and walk.page >= self.args.max_pages and not walk.rechecking:
            return "max_pages"
        return None

    def _caught_up(
        self,
        walk: ListingWalk,
        last: ListingEntry,
        states: dict[str, ArchivedState],
    ) -> bool:
        """Nothing new lies beyond ``last``: it ends a streak of archived entries and lies
        in a stretch an earlier finished walk archived completely (so a run killed
        half-way is caught up, not stopped early)."""
        state = states.get(last.key)
        if state is None or walk.coverage is None or walk.known_streak < self.known_streak:
            return False
        listed_at = last.listed_at or state.published_at  # undated entry: the archive knows
        return listed_at is not None and walk.coverage[0] <= listed_at <= walk.coverage[1]

    def _next_url(self, walk: ListingWalk, link: str | None, entries: int) -> str | None:
        """The next listing page, or ``None`` when this page was the last one.

        The "load more" markup is only known from a sister edition; when a full page has
        no next link, the URL grammar (``/<listing>/page/<N+1>/``) takes over, and a page
        that brings nothing new ends the walk.
        """
        walk.next_guessed = False
        if link and not is_forbidden(link):
            return on_base(link, self.base_url)
        if entries < walk.largest_page:
            return None
        walk.next_guessed = True
        self.stats.inc_value("belta/listing/next_from_grammar")
        self.logger.info(
            "listing %s page %d: full page without a next-page link (div.load_more, "
            "a.p_next); trying page %d by the URL grammar",
            walk.listing,
            walk.page,
            walk.page + 1,
        )
        return on_base(listing_path(walk.listing, walk.page + 1), self.base_url)

    def _end_walk(self, walk: ListingWalk, reason: str) -> Iterable[scrapy.Request]:
        if walk.rechecking:
            self.logger.info("listing %s: re-check done (%s)", walk.listing, reason)
            return
        self._record_stop(walk, reason)
        self.logger.info(
            "listing %s: walk stopped after %d page(s): %s", walk.listing, walk.pages, reason
        )
        took = time.monotonic() - walk.started
        if reason in ("max_pages", "since_reached") or self.recheck_seconds < 0:
            return
        if took >= self.recheck_seconds:
            # Articles published while the walk ran sit on top of the first page now.
            walk.rechecking = True
            walk.page = 0
            self.stats.inc_value("belta/listing/rechecks")
            yield self._listing_request(
                walk.listing, on_base(listing_path(walk.listing), self.base_url), again=True
            )

    def _layout_problem(self, walk: ListingWalk, missing: list[str]) -> None:
        """The first page of a listing without entries: the site's layout changed."""
        self.stats.inc_value("belta/layout/empty_first_listing_page")
        for selector in missing:
            self.stats.inc_value(f"belta/layout/listing_selector_missed/{selector}")
        self.logger.error(
            "listing %s page 1: 0 entries — %s matched nothing; the site's layout may have changed",
            walk.listing,
            ", ".join(f"`{selector}`" for selector in missing),
        )
        self._record_stop(walk, "layout_changed")

    def _record_stop(self, walk: ListingWalk, reason: str) -> None:
        walk.stop_reason = reason
        prefix = f"belta/walk/{walk.listing}"
        self.stats.set_value(f"{prefix}/stop_reason", reason)
        self.stats.set_value(f"{prefix}/pages", walk.pages)
        # A walk broken off (a lost listing page, a changed layout) covers nothing: the
        # next run must walk on past where it stopped.
        broken = reason in ("layout_changed", "listing_failed")
        if not broken and walk.newest_handled:
            # The archive extends its coverage with this stretch if the run finishes.
            self.stats.set_value(f"{prefix}/covered_newest", walk.newest_handled)
            self.stats.set_value(f"{prefix}/covered_oldest", walk.oldest_handled)

    # --- articles ------------------------------------------------------------------------

    def parse_article(self, response: Response, entry: ListingEntry | None = None):
        """Turn one article page into a record.

        @url https://deu.belta.by/economics/view/krutoi-belarus-und-russland-haben-ihren-handelsumsatz-um-7-prozent-gesteigert-66060-2024/
        @returns items 1 1
        @scrapes url key title published_at body
        """
        ref = response.meta.get("article_ref") or parse_article_url(response.url, self.base_host)
        if ref is None:
            self.stats.inc_value("belta/article/not_an_article_url")
            self.logger.error("%s is not an article URL of the German edition", response.url)
            return
        if problem := unusable(response):
            yield from self._retry_or_fail(response, ref, problem)
            return
        response = self._decoded(response)
        raw = parse_article(response.selector)
        if not raw.paragraphs and (again := self._rendered_again(response, "article")):
            yield again
            return
        for selector in raw.missing:
            self.stats.inc_value(f"belta/layout/article_selector_missed/{selector}")
        if not raw.paragraphs:
            self._article_problem(
                response,
                ref,
                "no_body",
                "no article text — selector(s) "
                + ", ".join(f"`{s}`" for s in raw.missing or ["div.js-mediator-article"])
                + " matched nothing or held no text",
            )
        article = load_article(raw, ref, response.url, _site_now(response), entry)
        self._check_dates(article, entry)
        published = datetime.fromisoformat(article.published_at) if article.published_at else None
        if published is not None and not self.args.in_window(published):
            self.stats.inc_value("belta/skipped/window_after_fetch")
            return
        yield article

    def _decoded(self, response: TextResponse) -> TextResponse:
        decoded, repaired = with_repaired_encoding(response)
        if repaired:
            self.stats.inc_value("belta/response/charset_repaired")
            self.logger.warning(
                "%s is not in the encoding it declares (%s); read as %s",
                response.url,
                response.encoding,
                decoded.encoding,
            )
        return decoded

    def _retry_or_fail(self, response: Response, ref: ArticleRef, problem: str):
        """A broken answer (empty, not HTML, cut off) is retried like a failed download,
        then recorded as failed for the next run."""
        self.stats.inc_value(f"belta/response/{problem}")
        retry = get_retry_request(
            response.request, spider=self, reason=f"unusable response: {problem}"
        )
        if retry is not None:
            yield retry
            return
        self._article_problem(response, ref, problem, f"unusable response ({problem})")
        self.stats.inc_value("belta/articles/failed")
        self._record_failure(ref, f"unusable response: {problem}")

    def _check_dates(self, article, entry: ListingEntry | None) -> None:
        if article.published_raw and parse_datetime(article.published_raw) is None:
            # Counted also when the listing entry dated the article: the page's own date
            # no longer being understood is layout drift all the same.
            self.stats.inc_value("belta/article/date_unparsed")
            self.logger.warning(
                "%s: publication date %r could not be parsed; %s",
                article.url,
                article.published_raw,
                "dated by its meta tag or listing entry" if article.published_at else "left empty",
            )
        if entry and entry.listed_at and article.published_at:
            gap = datetime.fromisoformat(article.published_at) - datetime.fromisoformat(
                entry.listed_at
            )
            if abs(gap) > timedelta(minutes=1):
                self.stats.inc_value("belta/article/date_differs_from_listing")
                self.logger.info(
                    "%s: page date %s differs from listing date %s",
                    article.url,
                    article.published_at,
                    entry.listed_at,
                )

    # --- browser rendering (beltacrawl/rendering.py) --------------------------------------

    def _rendered_again(self, response: Response, kind: str) -> scrapy.Request | None:
        """With ``render=fallback``, the request once more through the browser, for a
        ``kind`` page (``listing``, ``article``) whose expected content is missing; ``None``
        when the page was rendered already or the mode is another."""
        if self.render_mode != "fallback" or response.meta.get("playwright"):
            return None
        self.stats.inc_value(f"belta/render/fallback/{kind}")
        self.logger.info(
            "%s page %s: expected content missing; fetching it again through the browser",
            kind,
            response.url,
        )
        meta = {**response.meta, "playwright": True}
        return response.request.replace(meta=meta, dont_filter=True)

    def _article_problem(self, response: Response, ref: ArticleRef, reason: str, text: str):
        self.stats.inc_value(f"belta/article/problem/{reason}")
        self.logger.warning("article %s (%s): %s", ref.key, response.url, text)

    def listing_failed(self, failure: Failure) -> None:
        """A listing page that still fails after retries ends its walk, loudly."""
        request = failure.request
        listing = request.cb_kwargs.get("listing", "all_news")
        walk = self._walks.setdefault(listing, ListingWalk(listing))
        self._listing_lost(walk, request.url, _failure_reason(failure))

    def _listing_lost(self, walk: ListingWalk, url: str, reason: str) -> None:
        self.stats.inc_value("belta/listing/failed")
        self.logger.error(
            "listing %s: page %s could not be fetched (%s); the walk stops here",
            walk.listing,
            url,
            reason,
        )
        if not walk.rechecking:
            self._record_stop(walk, "listing_failed")

    def article_failed(self, failure: Failure) -> None:
        request = failure.request
        ref: ArticleRef = request.meta["article_ref"]
        reason = _failure_reason(failure)
        self.stats.inc_value("belta/articles/failed")
        self.logger.error("article %s could not be fetched (%s): %s", ref.key, request.url, reason)
        self._record_failure(ref, reason)

    def _record_failure(self, ref: ArticleRef, reason: str) -> None:
        """Remember a failed article in the archive, for the next run to retry.

        On a first run the archive did not exist when the spider was built: the archive
        pipeline has created it since, so it is opened here.
        """
        if self._archive is None and self.archive_path and Path(self.archive_path).exists():
            self._archive = Archive.open(self.archive_path)
        if self._archive is not None:
            self._archive.ledger.record_failure(ref.url, ref.key, reason)

    def log(self, message: Any, level: int = logging.DEBUG, **kw: Any) -> None:
        """Spidermon reports through ``Spider.log``; its report goes to DEBUG, since
        failed monitors are logged once, plainly, and the run summary gives the verdict."""
        self.logger.log(logging.DEBUG, message, **kw)

    def closed(self, reason: str) -> None:
        if self._archive is not None:
            self._archive.close()


def _failure_reason(failure: Failure) -> str:
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"


def _site_now(response: Response) -> datetime:
    """The site's clock (the HTTP ``Date`` header), falling back to this machine's.

    Ages (is an article young? when was a copy taken?) are measured on one clock, the
    site's, so that a mirror or replica with its own time behaves like the site.
    """
    header = response.headers.get(b"Date")
    if header:
        try:
            moment = parsedate_to_datetime(header.decode("latin-1"))
            if moment.tzinfo is None:  # "-0000" or no zone: HTTP dates are GMT
                moment = moment.replace(tzinfo=UTC)
            return moment.astimezone(MINSK)
        except (TypeError, ValueError, OverflowError):
            pass
    return datetime.now(tz=MINSK)
