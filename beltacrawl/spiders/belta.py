"""The ``belta`` spider: turns the crawl policy's decisions into requests, and pages into
records.

Listing page → entries → :class:`~beltacrawl.crawl.walk.WalkPolicy` (fetch, skip, stop)
→ article request → article parser → item loader → record. What to do is decided in
:mod:`beltacrawl.crawl`; what is archived is asked of the run keeper
(:mod:`beltacrawl.keeper`). The listing side (pages in, walk decisions out) is
:mod:`beltacrawl.spiders.walks`; listing pages of a walk are fetched one after the
other, so the policy always sees them in order. docs/architecture.md has the whole
picture.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals

from beltacrawl.config import Config
from beltacrawl.crawl.arguments import ArgumentError, CrawlArguments
from beltacrawl.crawl.freshness import FreshnessPolicy
from beltacrawl.crawl.verdict import REQUESTED_URLS_FAILED
from beltacrawl.crawl.walk import ListingWalk, WalkPolicy
from beltacrawl.keeper import keeper_of
from beltacrawl.loaders import date_findings, load_page, text_findings
from beltacrawl.middlewares import ArticleRedirected
from beltacrawl.parsing.article import parse_article
from beltacrawl.reachability import SiteUnreachable
from beltacrawl.rendering import browser_fallback
from beltacrawl.responses import (
    count_failure,
    count_redirect,
    decoded,
    failure_reason,
    marked_as_earlier_failure,
    retry_unusable,
    unusable,
)
from beltacrawl.site.urls import listing_of, on_base, parse_article_url
from beltacrawl.spiders.walks import ListingWalks

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from beltacrawl.keeper import RunKeeper
    from beltacrawl.parsing.listing import ListingEntry
    from beltacrawl.site.urls import ArticleRef

#: Article requests go before the next listing page (``walks.LISTING_PRIORITY``), so a
#: deep walk never piles up thousands of queued articles.
ARTICLE_PRIORITY = 10


class BeltaSpider(ListingWalks, scrapy.Spider):
    name = "belta"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Scrapyd adds its job id as the spider argument ``_job``.
        job = {key: value for key, value in kwargs.items() if key == "_job"}
        super().__init__(*args, **job)
        try:
            self.arguments = CrawlArguments.parse(
                {key: value for key, value in kwargs.items() if key != "_job"}
            )
        except ArgumentError as error:
            raise ArgumentError(f"belta spider: {error}") from None
        self.walks: dict[str, ListingWalk] = {}
        self.incremental = False
        self._refresh_checked = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BeltaSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.config = Config.from_settings(crawler.settings)
        spider.allowed_domains = [spider.config.base_host]
        spider.render_mode = spider.arguments.render or spider.config.render
        # For pages read outside a crawl (parse, check); start() sets the crawl's own.
        spider.policy = WalkPolicy(
            spider.arguments, False, spider.config.known_streak, spider.config.recheck_seconds
        )
        spider.freshness = FreshnessPolicy(
            spider.config.refresh_window,
            spider.config.incomplete_window,
            spider.config.failure_attempts,
        )
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        return spider

    @property
    def keeper(self) -> RunKeeper:
        return keeper_of(self.crawler)

    # --- start ---------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        keeper = self.keeper
        self.incremental = self.arguments.mode == "incremental" and keeper.has_articles
        self.policy = WalkPolicy(
            self.arguments,
            self.incremental,
            self.config.known_streak,
            self.config.recheck_seconds,
        )
        if self._resumed():
            return  # the pending requests come back from JOBDIR's queue
        if self.arguments.urls:
            for ref in self.arguments.urls:
                yield self._article_request(ref)
            return
        if self.incremental:
            retries = self.freshness.failures_to_retry(keeper.failures(), self.arguments)
            self._count("belta/articles/failures_given_up", retries.given_up)
            self._count("belta/articles/retried_failures", len(retries.refs))
            for ref in retries.refs:
                yield marked_as_earlier_failure(self._article_request(ref))
        for listing in self.arguments.listings:
            walk = ListingWalk(listing, time.monotonic(), coverage=keeper.coverage(listing))
            yield self._start_walk(walk)

    def _resumed(self) -> bool:
        """With ``JOBDIR``, the walks live in the job's persisted ``state``, so a paused
        crawl resumes where it stopped (Scrapy's duplicate filter keeps what was requested)."""
        state = getattr(self, "state", None)
        if state is None:
            return False
        resumed = bool(state.get("walks"))
        self.walks = state.setdefault("walks", self.walks)
        if resumed:
            self.logger.info("resuming the paused crawl of %s", ", ".join(self.walks))
            for walk in self.walks.values():
                self.keeper.walk_started(walk.listing, walk.keep)
        return resumed

    def _refresh_requests(self, now: datetime) -> Iterable[scrapy.Request]:
        """Archived copies that may be stale (:mod:`beltacrawl.crawl.freshness`)."""
        copies = self.keeper.refresh_candidates(self.freshness.window(now, datetime.now(UTC)))
        refs = self.freshness.copies_to_refresh(copies, self.arguments, now)
        self._count("belta/articles/refreshed", len(refs))
        for ref in refs:
            yield self._article_request(ref)

    def _count(self, stat: str, count: int) -> None:
        if count:
            self.crawler.stats.inc_value(stat, count)

    def _article_request(self, ref: ArticleRef, entry: ListingEntry | None = None):
        self.crawler.stats.inc_value("belta/articles/requested")
        return scrapy.Request(
            on_base(ref.path, self.config.base_url),
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"entry": entry},
            meta={"article_ref": ref},
            priority=ARTICLE_PRIORITY,
        )

    def request_dropped(self, request: scrapy.Request, **_: Any) -> None:
        """An article requested twice in a run (Scrapy's duplicate filter) is fetched once."""
        if "article_ref" in request.meta:
            self.crawler.stats.inc_value("belta/articles/requested", -1)
            self.crawler.stats.inc_value("belta/skipped/duplicate")

    def parse(self, response: Response, **kwargs: Any):
        """A page given by URL alone (``scrapy parse`` without ``-c``), routed by its URL.

        @url https://deu.belta.by/all_news/
        @base_url
        @returns requests 1
        """
        if parse_article_url(response.url, self.config.base_host):
            return self.parse_article(response)
        return self.parse_listing(response, listing_of(response.url) or "all_news")

    # --- articles ------------------------------------------------------------------------

    def parse_article(self, response: Response, entry: ListingEntry | None = None):
        """Turn one article page into a record.

        @url https://deu.belta.by/economics/view/krutoi-belarus-und-russland-haben-ihren-handelsumsatz-um-7-prozent-gesteigert-66060-2024/
        @base_url
        @returns items 1 1
        @scrapes url key title published_at body
        """
        ref = response.meta.get("article_ref") or parse_article_url(
            response.url, self.config.base_host
        )
        if ref is None:
            self.crawler.stats.inc_value("belta/article/not_an_article_url")
            self.logger.error("%s is not an article URL of the German edition", response.url)
            return
        if problem := unusable(response):
            if retry := retry_unusable(response, problem, self):
                yield retry
                return
            self._article_problem(response, ref, problem, f"unusable response ({problem})")
            self._article_lost(response.request, ref, f"unusable response: {problem}")
            return
        response = decoded(response, self.crawler.stats, self.logger)
        raw = parse_article(response.selector, kind=ref.kind)
        textless = not raw.paragraphs and ref.kind.text_expected
        if textless and (again := browser_fallback(response, self.render_mode, "article", self)):
            yield again
            return
        for selector in raw.missing:
            self.crawler.stats.inc_value(f"belta/layout/article_selector_missed/{selector}")
        if textless:
            missed = ", ".join(f"`{s}`" for s in raw.missing or ["div.js-mediator-article"])
            text = f"no article text — selector(s) {missed} matched nothing or held no text"
            self._article_problem(response, ref, "no_body", text)
        article = load_page(raw, ref, response, entry)
        for finding in (*date_findings(article, entry), *text_findings(article)):
            self.crawler.stats.inc_value(f"belta/article/{finding.name}")
            self.logger.log(finding.level, finding.message)
        published = datetime.fromisoformat(article.published_at) if article.published_at else None
        if published is not None and not self.arguments.in_window(published):
            self.crawler.stats.inc_value("belta/skipped/window_after_fetch")
            return
        yield article

    def _article_problem(self, response: Response, ref: ArticleRef, reason: str, text: str):
        self.crawler.stats.inc_value(f"belta/article/problem/{reason}")
        self.logger.warning("article %s (%s): %s", ref.key, response.url, text)

    def article_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        if failure.check(SiteUnreachable):
            return
        ref: ArticleRef = failure.request.meta["article_ref"]
        if isinstance(failure.value, ArticleRedirected):
            # Answered: the article lives under another key now, and is fetched as that.
            count_redirect(failure.request, self.crawler.stats)
            self.keeper.forget_failure(ref.url, ref.key)
            yield self._article_request(failure.value.target)
            return
        reason = failure_reason(failure, self.settings)
        self.logger.error(
            "article %s could not be fetched (%s): %s", ref.key, failure.request.url, reason
        )
        self._article_lost(failure.request, ref, reason)

    def _article_lost(self, request: scrapy.Request, ref: ArticleRef, reason: str) -> None:
        """Counted, and remembered in the archive for the next run to retry."""
        count_failure(request, self.crawler.stats)
        self._count(REQUESTED_URLS_FAILED, int(bool(self.arguments.urls)))  # urls=: the verdict
        self.keeper.record_failure(ref.url, ref.key, reason)

    def log(self, message: Any, level: int = logging.DEBUG, **kw: Any) -> None:
        """Spidermon reports through ``Spider.log``; its report goes to DEBUG, since
        failed monitors are logged once, plainly, and the run summary gives the verdict."""
        self.logger.log(logging.DEBUG, message, **kw)
