"""Downloader middleware: Scrapy's retries, made polite.

Scrapy's ``RetryMiddleware`` retries at once. This one waits first: as long as the site
asks (``Retry-After`` on 429/503, seconds or an HTTP date, up to ``BELTA_RETRY_AFTER_MAX``)
or, without that header, with exponential back-off (``BELTA_RETRY_BACKOFF`` seconds,
doubled each attempt, at most ``BELTA_RETRY_BACKOFF_MAX``). A site asking for a longer
pause than the bound gets no retry: the request fails and is recorded, for the next run.

The wait is bounded twice: each one by ``BELTA_RETRY_AFTER_MAX``, and all of one request's
waits together by ``BELTA_RETRY_WAIT_TOTAL``, so that a site asking for the longest pause
on every answer cannot hold a request for many minutes.

``SafeRedirectMiddleware`` follows redirects like Scrapy's, but refuses one off the site
(another scheme, host or port than ``BELTA_BASE_URL``), back to a URL already visited, or
from one article to another: the request fails (``IgnoreRequest``), so its errback records
the article as failed. (Scrapy itself would drop the redirected request silently in the
scheduler: offsite filter, duplicate filter; and its offsite filter ignores ports.)

``RecordedUrlLengthMiddleware`` is Scrapy's URL length limit, except that an article
request over it is recorded as failed instead of dropped with a line at INFO;
``AnsweredArticles`` counts the article pages answered, for the outage monitor.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.spidermiddlewares.urllength import UrlLengthMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import get_meta_refresh, response_status_message
from twisted.internet.task import deferLater

from beltacrawl.config import Config
from beltacrawl.http_dates import http_date
from beltacrawl.keeper import keeper_of
from beltacrawl.responses import count_answer, count_failure
from beltacrawl.site.urls import origin_of, parse_article_url, site_origins

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

    from beltacrawl.site.urls import ArticleRef, Origin

#: Seconds a request has waited for its retries so far (carried from retry to retry).
WAITED = "belta_retry_waited"


def retry_after_seconds(value: bytes | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for, or ``None`` when it says nothing usable.

    >>> retry_after_seconds(b"7")
    7.0
    >>> retry_after_seconds(b"Wed, 21 Oct 2026 07:28:10 GMT", datetime(2026, 10, 21, 7, 28, tzinfo=UTC))
    10.0
    >>> retry_after_seconds(b"Wed, 21 Oct 2026 07:28:10 -0000", datetime(2026, 10, 21, 7, 28, tzinfo=UTC))
    10.0
    >>> retry_after_seconds(b"soon") is None
    True
    """  # noqa: E501
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    moment = http_date(text)
    if moment is None:
        return None
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class PoliteRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        config = Config.from_settings(settings)
        self.retry_after_max = config.retry_after_max
        self.backoff = config.retry_backoff
        self.backoff_max = config.retry_backoff_max
        self.wait_total = config.retry_wait_total

    def _backoff(self, request: Request) -> float:
        attempt = request.meta.get("retry_times", 0)
        return min(self.backoff * 2**attempt, self.backoff_max)

    async def _wait(self, seconds: float) -> None:
        if seconds > 0:
            from twisted.internet import reactor  # the one Scrapy installed

            await maybe_deferred_to_future(deferLater(reactor, seconds))

    def _may_wait(self, request: Request, seconds: float) -> bool:
        """Would waiting ``seconds`` more keep the request within ``BELTA_RETRY_WAIT_TOTAL``?
        If not, it is not retried now (it fails, is recorded, and the next run tries again)."""
        spent = request.meta.get("retry_times", 0) >= request.meta.get(
            "max_retry_times", self.max_retry_times
        )
        waited = request.meta.get(WAITED, 0.0)
        if spent or waited + seconds <= self.wait_total:
            return True  # (with retries spent, Scrapy gives up and says so)
        self.crawler.stats.inc_value("retry/wait_total_exceeded")
        self.crawler.spider.logger.warning(
            "%s: another retry would make it wait %.0f s in all, more than "
            "BELTA_RETRY_WAIT_TOTAL (%.0f s): not retried now",
            request.url,
            waited + seconds,
            self.wait_total,
        )
        return False

    async def _retry_after(self, retry: Request, request: Request, seconds: float) -> Request:
        retry.meta[WAITED] = request.meta.get(WAITED, 0.0) + seconds
        await self._wait(seconds)
        return retry

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        stats = self.crawler.stats
        if asked is not None and asked > self.retry_after_max:
            stats.inc_value("retry/retry_after_too_long")
            self.crawler.spider.logger.warning(
                "%s asks to retry after %.0f s, more than BELTA_RETRY_AFTER_MAX (%.0f s): "
                "not retried now",
                request.url,
                asked,
                self.retry_after_max,
            )
            return response
        wait = asked if asked is not None else self._backoff(request)
        if not self._may_wait(request, wait):
            return response
        retry = get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=response_status_message(response.status),
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
        )
        if retry is None:
            return response
        if asked is not None:
            stats.inc_value("retry/retry_after_honoured")
        return await self._retry_after(retry, request, wait)

    async def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        wait = self._backoff(request)
        retryable = isinstance(exception, self.exceptions_to_retry)
        if retryable and not request.meta.get("dont_retry") and not self._may_wait(request, wait):
            return None
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            return await self._retry_after(retry, request, wait)
        return retry


class ArticleRedirected(IgnoreRequest):
    """An article's page redirects to another article: the request is not followed under
    the first article's key; the spider counts it as answered (not failed) and requests
    ``target`` by its own."""

    def __init__(self, url: str, target: ArticleRef) -> None:
        super().__init__(f"redirected to another article ({target.key}): {url}")
        self.target = target


class _RedirectGuard:
    """Refuses a redirect off the site, back to a URL of its own chain, or from one
    article to another: the request fails with ``IgnoreRequest`` (recorded as failed;
    for another article ``ArticleRedirected``, which the spider follows under that
    article's key) instead of leaving the site, being dropped without a trace by the
    offsite filter, or storing one article's text under another's key."""

    crawler: Crawler
    origins: frozenset[Origin]
    base_host: str

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = super().from_crawler(crawler)  # type: ignore[misc]
        config = Config.from_settings(crawler.settings)
        middleware.origins = site_origins(config.base_url)
        middleware.base_host = config.base_host
        return middleware

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        redirected = super().process_response(request, response)  # type: ignore[misc]
        if not isinstance(redirected, Request):
            return redirected
        stats = self.crawler.stats
        logger = self.crawler.spider.logger
        if origin_of(redirected.url) not in self.origins:
            stats.inc_value("redirect/refused/offsite")
            logger.warning(
                "%s redirects off the site (%s: another scheme, host or port than "
                "BELTA_BASE_URL): refused",
                request.url,
                redirected.url,
            )
            raise IgnoreRequest(f"offsite redirect refused: {redirected.url}")
        visited = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in visited:
            stats.inc_value("redirect/refused/loop")
            chain = " -> ".join([*visited, redirected.url])
            logger.warning("redirect loop refused: %s", chain)
            raise IgnoreRequest(f"redirect loop: {chain}")
        source: ArticleRef | None = request.meta.get("article_ref")
        target = parse_article_url(redirected.url, self.base_host)
        if source is not None and target is not None and target.key != source.key:
            stats.inc_value("redirect/refused/other_article")
            logger.info(
                "article %s (%s) redirects to another article, %s (%s): not followed "
                "under this key; %s is requested under its own",
                source.key,
                request.url,
                target.key,
                redirected.url,
                target.key,
            )
            raise ArticleRedirected(redirected.url, target)
        return redirected


class SafeRedirectMiddleware(_RedirectGuard, RedirectMiddleware):
    """Scrapy's HTTP 3xx redirects, guarded."""


class SafeMetaRefreshMiddleware(_RedirectGuard, MetaRefreshMiddleware):
    """Scrapy's ``<meta http-equiv="refresh">`` redirects, guarded; a refresh to anything
    but http(s) (``javascript:``, ``data:``) is no redirect and is ignored (Scrapy would
    fail the page with ``ValueError: Missing scheme``)."""

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if isinstance(response, HtmlResponse):
            ignore_tags = self.crawler.settings.getlist("METAREFRESH_IGNORE_TAGS")
            _, url = get_meta_refresh(response, ignore_tags=ignore_tags)
            if url and origin_of(url) is None:
                self.crawler.stats.inc_value("redirect/ignored/meta_refresh_not_http")
                self.crawler.spider.logger.info(
                    "%s: meta refresh to %.80r is not an http(s) URL: ignored", request.url, url
                )
                return response
        return super().process_response(request, response)


class RecordedUrlLengthMiddleware(UrlLengthMiddleware):
    """Scrapy's ``URLLENGTH_LIMIT``; an article request over it is recorded as failed
    (counted, logged, in ``failures``), so that every requested article ends archived or
    recorded. Other requests are dropped as Scrapy drops them."""

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        ref: ArticleRef | None = request.meta.get("article_ref")
        if ref is None or len(request.url) <= self.maxlength:
            return super().get_processed_request(request, response)
        reason = f"URL longer than URLLENGTH_LIMIT ({len(request.url)} > {self.maxlength})"
        stats = self.crawler.stats
        stats.inc_value("urllength/request_ignored_count")
        count_failure(request, stats)
        self.crawler.spider.logger.error(
            "article %s could not be fetched (%s…): %s", ref.key, request.url[:120], reason
        )
        keeper_of(self.crawler).record_failure(ref.url, ref.key, reason)
        return None


class AnsweredArticles:
    """Counts each article page that reaches the spider as answered, once
    (:func:`~beltacrawl.responses.count_answer`); failures are counted where they are
    recorded."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_spider_input(self, response: Response) -> None:
        if "article_ref" in response.meta:
            count_answer(response.request, self.stats)
