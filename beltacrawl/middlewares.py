"""Downloader middleware: Scrapy's retries, made polite.

Scrapy's ``RetryMiddleware`` retries at once. This one waits first: as long as the site
asks (``Retry-After`` on 429/503, seconds or an HTTP date, up to ``BELTA_RETRY_AFTER_MAX``)
or, without that header, with exponential back-off (``BELTA_RETRY_BACKOFF`` seconds,
doubled each attempt, at most ``BELTA_RETRY_BACKOFF_MAX``). A site asking for a longer
pause than the bound gets no retry: the request fails and is recorded, for the next run.

``SafeRedirectMiddleware`` follows redirects like Scrapy's, but refuses one to another
host or back to a URL already visited: the request fails (``IgnoreRequest``), so its
errback records the article as failed. (Scrapy itself would drop the redirected request
silently in the scheduler: offsite filter, duplicate filter.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message
from twisted.internet.task import deferLater

from beltacrawl.config import Config
from beltacrawl.http_dates import http_date

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings


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

    def _backoff(self, request: Request) -> float:
        attempt = request.meta.get("retry_times", 0)
        return min(self.backoff * 2**attempt, self.backoff_max)

    async def _wait(self, seconds: float) -> None:
        if seconds > 0:
            from twisted.internet import reactor  # the one Scrapy installed

            await maybe_deferred_to_future(deferLater(reactor, seconds))

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
        await self._wait(asked if asked is not None else self._backoff(request))
        return retry

    async def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        retry = super().process_exception(request, exception)
        if retry is not None:
            await self._wait(self._backoff(request))
        return retry


def on_site(host: str, domains: list[str]) -> bool:
    """Is ``host`` one of ``domains`` or below one? (Scrapy's offsite rule.)

    >>> on_site("deu.belta.by", ["deu.belta.by"]), on_site("evil.example", ["deu.belta.by"])
    (True, False)
    """
    return any(host == domain or host.endswith(f".{domain}") for domain in domains)


class _RedirectGuard:
    """Refuses a redirect to another host, or back to a URL of its own chain: the request
    fails with ``IgnoreRequest`` (recorded as failed) instead of leaving the site or
    being dropped without a trace by the offsite filter."""

    crawler: Crawler

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        redirected = super().process_response(request, response)  # type: ignore[misc]
        if not isinstance(redirected, Request):
            return redirected
        stats = self.crawler.stats
        domains = list(getattr(self.crawler.spider, "allowed_domains", None) or [])
        host = urlparse_cached(redirected).hostname or ""
        if domains and not on_site(host, domains):
            stats.inc_value("redirect/refused/offsite")
            self.crawler.spider.logger.warning(
                "%s redirects to another host (%s): refused", request.url, redirected.url
            )
            raise IgnoreRequest(f"offsite redirect refused: {redirected.url}")
        visited = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in visited:
            stats.inc_value("redirect/refused/loop")
            chain = " -> ".join([*visited, redirected.url])
            self.crawler.spider.logger.warning("redirect loop refused: %s", chain)
            raise IgnoreRequest(f"redirect loop: {chain}")
        return redirected


class SafeRedirectMiddleware(_RedirectGuard, RedirectMiddleware):
    """Scrapy's HTTP 3xx redirects, guarded."""


class SafeMetaRefreshMiddleware(_RedirectGuard, MetaRefreshMiddleware):
    """Scrapy's ``<meta http-equiv="refresh">`` redirects, guarded."""
