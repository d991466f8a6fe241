"""Is a response a whole HTML page of the site? Checked before any parsing. Also what a
response or a failed request tells: the site's clock, the reason of a failure.

A 200 answer can still be useless: an empty body, a PDF or image where a page should be,
a page cut off mid-way (connection dropped behind a proxy, a crashed upstream), or bytes
in another encoding than the one declared. Parsing such a page would write a half-empty
or garbled record, so it is retried instead and, if it stays broken, recorded as failed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import DownloadCancelledError
from scrapy.http import Response, TextResponse

from beltacrawl.http_dates import http_date
from beltacrawl.site.dates import MINSK

if TYPE_CHECKING:
    from logging import Logger, LoggerAdapter

    from scrapy import Request, Spider
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector
    from twisted.python.failure import Failure

#: Set in an article request's meta once it was answered, so its retries count no more.
ANSWERED = "belta_answered"
#: Marks the request of an article that failed in an earlier run (``failures``).
RETRIED_FAILURE = "belta_retried_failure"

#: Pages of the site end with ``</html>``; a page without it near its end was cut off.
_END_OF_PAGE = b"</html"
_TAIL_BYTES = 4096
#: Encodings tried when a page is not in the encoding it declares: the site's CMS is
#: shared with Russian editions, whose legacy encoding is windows-1251.
FALLBACK_ENCODINGS = ("cp1251",)


def unusable(response: Response) -> str | None:
    """Why the response cannot be parsed as a page (``empty``, ``not_html``,
    ``truncated``), or ``None`` when it can."""
    if not response.body.strip():
        return "empty"
    content_type = response.headers.get(b"Content-Type", b"").lower()
    if not isinstance(response, TextResponse) or (
        content_type and b"html" not in content_type and b"xml" not in content_type
    ):
        return "not_html"
    if _END_OF_PAGE not in response.body[-_TAIL_BYTES:].lower():
        return "truncated"
    return None


def _is_valid(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def with_repaired_encoding(response: TextResponse) -> tuple[TextResponse, bool]:
    """The response decoded correctly, and whether that needed a repair.

    Only a body that is not valid in its declared encoding is re-decoded, with the
    first fallback encoding in which it is valid. The text Scrapy decoded anyway tells
    first: without a replacement character, the body was valid.
    """
    if "\ufffd" not in response.text or _is_valid(response.body, response.encoding):
        return response, False
    for encoding in FALLBACK_ENCODINGS:
        if _is_valid(response.body, encoding):
            return response.replace(encoding=encoding), True
    return response, False


def retry_unusable(response: Response, problem: str, spider: Spider) -> Request | None:
    """A broken answer is retried like a failed download; ``None`` once retries are spent."""
    assert spider.crawler.stats is not None
    spider.crawler.stats.inc_value(f"belta/response/{problem}")
    return get_retry_request(
        response.request, spider=spider, reason=f"unusable response: {problem}"
    )


def decoded(
    response: TextResponse, stats: StatsCollector, logger: Logger | LoggerAdapter
) -> TextResponse:
    """The response in the encoding its bytes are really in; a repair is logged and counted."""
    repaired, changed = with_repaired_encoding(response)
    if changed:
        stats.inc_value("belta/response/charset_repaired")
        logger.warning(
            "%s is not in the encoding it declares (%s); read as %s",
            response.url,
            response.encoding,
            repaired.encoding,
        )
    return repaired


def site_now(response: Response) -> datetime:
    """The site's clock (the HTTP ``Date`` header), falling back to this machine's: ages
    are measured on one clock, so a mirror or replica with its own time behaves like the
    site."""
    moment = http_date(response.headers.get(b"Date"))
    return (moment or datetime.now(UTC)).astimezone(MINSK)


def failure_reason(failure: Failure, settings: BaseSettings) -> str:
    """A failed request's reason in a few words: its HTTP status, or the error.

    Scrapy cancels a body that grows beyond ``DOWNLOAD_MAXSIZE`` without announcing its
    size (no ``Content-Length``) with no message at all: that one is said in words.
    """
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    message = failure.getErrorMessage()
    if not message and failure.check(DownloadCancelledError):
        request = getattr(failure, "request", None)
        meta = request.meta if request is not None else {}
        limit = meta.get("download_maxsize", settings.getint("DOWNLOAD_MAXSIZE"))
        message = f"exceeded DOWNLOAD_MAXSIZE ({limit} bytes)"
    return f"{failure.type.__name__}: {message}"


def retried(request: Request) -> Request:
    """``request``, marked as fetching an article that failed in an earlier run."""
    request.meta[RETRIED_FAILURE] = True
    return request


def count_answer(request: Request, stats: StatsCollector) -> None:
    """Count an article request's answer (a page, or a failure after retries) once: its
    retries and second looks carry the mark. The outage monitor's share of failures is
    over these (``belta/articles/answered``), not over requests still queued; answers to
    earlier failures fetched again are counted apart as well (``…/answered_again``)."""
    if not request.meta.get(ANSWERED):
        request.meta[ANSWERED] = True
        stats.inc_value("belta/articles/answered")
        if request.meta.get(RETRIED_FAILURE):
            stats.inc_value("belta/articles/answered_again")


def count_failure(request: Request, stats: StatsCollector) -> None:
    """Count a failed article (``belta/articles/failed``), an answer too; one that had
    failed in an earlier run as well also as ``belta/articles/failed_again``."""
    count_answer(request, stats)
    stats.inc_value("belta/articles/failed")
    if request.meta.get(RETRIED_FAILURE):
        stats.inc_value("belta/articles/failed_again")
