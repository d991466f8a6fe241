"""A site that cannot be reached at all ends the run at once, with one line that says why.

A DNS failure or a refused connection before the site has answered anything in this run
is no passing fault to retry for a minute: there is no network, or the base URL is wrong.
Once the site has answered, the same errors are ordinary faults, retried as usual
(``PoliteRetryMiddleware``). Enabled in ``DOWNLOADER_MIDDLEWARES``, after the retries, so
that it sees the error first.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    IgnoreRequest,
)
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import error as twisted_errors

from beltacrawl.config import Config

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: Finish reason of a run that could not reach the site at all.
SITE_UNREACHABLE = "site_unreachable"
OFFLINE_POINTER = (
    "Without internet, crawl the local replica instead: README.md, 'Try it without internet'"
)


#: Scrapy's own download errors, and Twisted's beneath them. A connection that timed out
#: or was reset is a passing fault, retried as any other.
NO_NAME = (CannotResolveHostError, twisted_errors.DNSLookupError)
UNREACHABLE = (
    *NO_NAME,
    DownloadConnectionRefusedError,
    twisted_errors.ConnectionRefusedError,
    twisted_errors.NoRouteError,
)


class SiteUnreachable(IgnoreRequest):
    """The request was not fetched because the site cannot be reached (already reported)."""


class UnreachableSiteMiddleware:
    def __init__(self, crawler: Crawler, base_url: str) -> None:
        self.crawler = crawler
        self.base_url = base_url
        self.reported = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UnreachableSiteMiddleware:
        return cls(crawler, Config.from_settings(crawler.settings).base_url)

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        if not isinstance(exception, UNREACHABLE):
            return
        assert self.crawler.stats is not None
        if self.crawler.stats.get_value("downloader/response_count"):
            return  # the site answered earlier in this run: a passing fault
        if not self.reported:
            self.reported = True
            cause = "DNS lookup failed" if isinstance(exception, NO_NAME) else "connection refused"
            self.crawler.stats.set_value(
                "belta/site_unreachable", f"{cause} ({type(exception).__name__})"
            )
            logger.error(
                "Cannot reach %s (%s: %s); nothing was fetched. Is there a network? "
                "Is BELTA_BASE_URL right? %s",
                self.base_url,
                cause,
                type(exception).__name__,
                OFFLINE_POINTER,
            )
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=SITE_UNREACHABLE))
        raise SiteUnreachable(f"{self.base_url} cannot be reached")
