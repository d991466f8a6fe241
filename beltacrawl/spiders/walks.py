"""The ``belta`` spider's listing walks: listing pages in, the walk policy's decisions out
as requests (the articles to fetch, the next page, the walk that completes rubrics), and
every end of a walk said once, in the site's terms.

:class:`ListingWalks` is a part of :class:`~beltacrawl.spiders.belta.BeltaSpider`; what to
do is decided in :mod:`beltacrawl.crawl.walk` and :mod:`beltacrawl.crawl.reach`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import scrapy

from beltacrawl.crawl.arguments import unknown_rubric
from beltacrawl.crawl.reach import completing_walk, cut_short, outcome_of
from beltacrawl.crawl.walk import ListingWalk, StopReason
from beltacrawl.parsing.listing import parse_listing, report_not_taken
from beltacrawl.reachability import SiteUnreachable
from beltacrawl.rendering import browser_fallback
from beltacrawl.responses import decoded, failure_reason, retry_unusable, site_now, unusable
from beltacrawl.site.urls import is_forbidden, listing_path, on_base

if TYPE_CHECKING:
    import logging
    from collections.abc import Iterable
    from datetime import datetime

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

    from beltacrawl.config import Config
    from beltacrawl.crawl.arguments import CrawlArguments
    from beltacrawl.crawl.walk import WalkPolicy
    from beltacrawl.keeper import RunKeeper
    from beltacrawl.parsing.listing import ListingEntry
    from beltacrawl.site.urls import ArticleRef

#: Article requests (priority 10) go before the next listing page, so a deep walk never
#: piles up thousands of queued articles.
LISTING_PRIORITY = 0


class ListingWalks:
    """The listing side of the spider (a mixin of ``BeltaSpider``, which provides what is
    declared here)."""

    arguments: CrawlArguments
    config: Config
    policy: WalkPolicy
    walks: dict[str, ListingWalk]
    incremental: bool
    render_mode: str
    _refresh_checked: bool

    if TYPE_CHECKING:
        crawler: Crawler
        logger: logging.LoggerAdapter
        settings: BaseSettings
        keeper: RunKeeper

        def _article_request(
            self, ref: ArticleRef, entry: ListingEntry | None = None
        ) -> scrapy.Request: ...

        def _refresh_requests(self, now: datetime) -> Iterable[scrapy.Request]: ...

        def _count(self, stat: str, count: int) -> None: ...

    def _start_walk(self, walk: ListingWalk) -> scrapy.Request:
        self.walks[walk.name] = walk
        self.keeper.walk_started(walk.listing, walk.keep)
        return self._listing_request(walk, listing_path(walk.listing))

    def _listing_request(self, walk: ListingWalk, path: str, *, again: bool = False):
        return scrapy.Request(
            on_base(path, self.config.base_url),
            callback=self.parse_listing,
            errback=self.listing_failed,
            cb_kwargs={"listing": walk.name},
            priority=LISTING_PRIORITY,
            dont_filter=again,  # a re-check reads a page read before
        )

    def parse_listing(self, response: Response, listing: str = "all_news"):
        """Read one listing page; request its new articles and, if needed, the next page."""
        walk = self.walks.setdefault(listing, ListingWalk(listing, time.monotonic()))
        if problem := unusable(response):
            if retry := retry_unusable(response, problem, self):
                yield retry
            else:
                yield from self._listing_lost(walk, response.url, f"unusable response: {problem}")
            return
        response = decoded(response, self.crawler.stats, self.logger)
        carried = walk.day_group if walk.page > 0 else ("", "")
        page = parse_listing(
            response.selector,
            response.url,
            self.config.base_host,
            carried,
            limit=self.config.max_listing_entries,
        )
        scripted = not page.entries and self.policy.may_be_scripted(walk)
        if scripted and (again := browser_fallback(response, self.render_mode, "listing", self)):
            yield again
            return
        walk.day_group = page.day_group
        walk.rendered = walk.rendered or bool(page.entries and response.meta.get("playwright"))
        number = self.policy.start_page(walk)
        stats = self.crawler.stats
        stats.inc_value("belta/listing/pages")
        stats.inc_value("belta/listing/entries", len(page.entries))
        report_not_taken(page.not_taken, f"listing {listing} page {number}", stats, self.logger)
        for selector in page.missing:
            stats.inc_value(f"belta/layout/listing_selector_missed/{selector}")
        if not page.entries:
            yield from self._end_of_entries(walk, number, page.missing)
            return
        if not self._refresh_checked and self.incremental:
            self._refresh_checked = True
            yield from self._refresh_requests(site_now(response))
        archived = self.keeper.archived(e.key for e in page.entries) if self.incremental else {}
        if page.cut:
            stats.inc_value("belta/listing/entries_over_cap", page.cut)
            self.logger.error(
                "listing %s page %d: %d more entries than BELTA_MAX_LISTING_ENTRIES, not read",
                listing,
                number,
                page.cut,
            )
        decision = self.policy.read_page(walk, page.entries, archived, page.cut)
        stats.inc_value("belta/skipped/window", decision.outside_window)
        stats.inc_value("belta/skipped/known", decision.already_archived)
        stats.inc_value("belta/skipped/seen_in_walk", decision.seen_before)
        self._count("belta/skipped/other_rubric", decision.other_rubric)
        self._count("belta/skipped/duplicate", decision.taken)
        for entry in decision.fetch:
            yield self._article_request(entry.ref, entry)
        link = page.next_url if page.next_url and not is_forbidden(page.next_url) else None
        after = self.policy.after_page(walk, decision.stop, link, len(page.entries))
        if isinstance(after, StopReason):
            yield from self._end_walk(walk, after)
            return
        if after.link is None:
            stats.inc_value("belta/listing/next_from_grammar")
            self.logger.info(
                "listing %s page %d: full page without a next-page link "
                "(div.load_more, a.p_next); trying page %d by the URL grammar",
                listing,
                number,
                after.number,
            )
        path = after.link or listing_path(walk.listing, after.number)
        yield self._listing_request(walk, path, again=walk.rechecking)

    def _end_of_entries(
        self, walk: ListingWalk, number: int, missing: list[str]
    ) -> Iterable[scrapy.Request]:
        reason = self.policy.at_empty_page(walk)
        if reason is StopReason.LAYOUT_CHANGED:
            self.crawler.stats.inc_value("belta/layout/empty_first_listing_page")
            self.logger.error(
                "listing %s page 1: 0 entries — %s matched nothing; "
                "the site's layout may have changed",
                walk.listing,
                ", ".join(f"`{selector}`" for selector in missing or ["div.lenta_item"]),
            )
        else:
            self.logger.info("listing %s page %d: 0 entries, end of listing", walk.listing, number)
        yield from self._end_walk(walk, reason)

    def _end_walk(self, walk: ListingWalk, reason: StopReason) -> Iterable[scrapy.Request]:
        if walk.rechecking:
            self.logger.info("listing %s: re-check done (%s)", walk.listing, reason)
            return
        again = self.policy.end(walk, reason, time.monotonic())
        self.keeper.walk_ended(outcome_of(walk, self.arguments.since))
        self.logger.info(
            "listing %s: walk stopped after %d page(s): %s", walk.name, walk.pages, reason
        )
        if again:
            # Articles published while the walk ran sit on top of the first page now.
            self.crawler.stats.inc_value("belta/listing/rechecks")
            yield self._listing_request(walk, listing_path(walk.listing), again=True)
        since = self.arguments.since
        if completing := completing_walk(self.walks, since, time.monotonic()):
            short = [
                f"{w.listing} ({w.stop_reason})" for w in self.walks.values() if cut_short(w, since)
            ]
            self.logger.info(
                "rubric listing(s) cut short: %s; their entries are taken from all_news "
                "(one more listing walk, no more article requests)",
                ", ".join(short),
            )
            yield self._start_walk(completing)

    def listing_failed(self, failure: Failure):
        """A listing page that still fails after retries ends its walk, loudly; past the
        first page, a page the site does not have (404) is how far the listing reaches."""
        if failure.check(SiteUnreachable):  # reported once; the run is closing
            return
        listing = failure.request.cb_kwargs.get("listing", "all_news")
        walk = self.walks.setdefault(listing, ListingWalk(listing, time.monotonic()))
        status = getattr(getattr(failure.value, "response", None), "status", None)
        if status == 404 and walk.pages == 0 and listing in self.arguments.rubrics:
            self.crawler.stats.inc_value("belta/listing/failed")
            self.logger.error(unknown_rubric(listing, failure.request.url))
            yield from self._end_walk(walk, StopReason.LISTING_FAILED)
            return
        if self.policy.at_failed_page(walk, status) is StopReason.PAGE_NOT_FOUND:
            self.logger.info(
                "listing %s page %d: HTTP 404, the listing reaches no further back",
                walk.name,
                walk.page + 1,
            )
            yield from self._end_walk(walk, StopReason.PAGE_NOT_FOUND)
            return
        reason = failure_reason(failure, self.settings)
        yield from self._listing_lost(walk, failure.request.url, reason)

    def _listing_lost(self, walk: ListingWalk, url: str, reason: str):
        self.crawler.stats.inc_value("belta/listing/failed")
        self.logger.error(
            "listing %s: page %s could not be fetched (%s); the walk stops here",
            walk.listing,
            url,
            reason,
        )
        yield from self._end_walk(walk, StopReason.LISTING_FAILED)
