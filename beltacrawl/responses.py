"""Is a response a whole HTML page of the site? Checked before any parsing. Also what a
response or a failed request tells: the site's clock, the reason of a failure.

A 200 answer can still be useless: an empty body, a PDF or image where a page should be,
a page cut off mid-way (connection dropped behind a proxy, a crashed upstream), or bytes
in another encoding than the one declared. Parsing such a page would write a half-empty
or garbled record, so it is retried instead and, if it stays broken, recorded as failed.
"""

from __future__ import annotations

import codecs
import re
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING

import charset_normalizer
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
_END_OF_PAGE = "</html"
_TAIL_CHARACTERS = 4096
#: The encodings a page of this CMS can be in (docs/site.md, *Encodings*): UTF-8 (declared),
#: UTF-16, the windows-1252 family (German text saved by a Western editor; ISO-8859-15 as
#: well, ``latin-1`` is read as windows-1252 by browsers) and windows-1251 (the Russian
#: editions'). Other 8-bit encodings stay out: German text is byte for byte the same in
#: windows-1250 as in windows-1252 for ä, ö, ü and ß, so a detector choosing among all of
#: the web's encodings may pick it and turn every à into ŕ and è into č.
SITE_ENCODINGS = ("utf_8", "utf_16_le", "utf_16_be", "cp1252", "iso8859_15", "cp1251")
#: Markup, scripts and styles: ASCII that says nothing about a page's encoding and would
#: drown the few letters that do.
_MARKUP = re.compile(rb"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<[^>]*>", re.S | re.I)


class Decoding(Enum):
    """How a response's bytes were read."""

    AS_DECLARED = "as_declared"
    """Valid in the encoding the page declares (or Scrapy inferred)."""
    BAD_BYTES = "bad_bytes"
    """A UTF-8 page with a few bytes that are not UTF-8: read as UTF-8, those replaced."""
    DETECTED = "detected"
    """Not in the encoding it declares: read in the one charset-normalizer detected."""
    UNKNOWN = "unknown"
    """Not in the encoding it declares, and no other one found: read with replacements."""


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
    # The decoded text: in UTF-16 the end tag is not the ASCII bytes ``</html``.
    if _END_OF_PAGE not in response.text[-_TAIL_CHARACTERS:].lower():
        return "truncated"
    return None


def _is_valid(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def mostly_utf8(body: bytes) -> bool:
    """Whether a body that is not valid UTF-8 still has more valid multi-byte characters
    than invalid bytes: UTF-8 with a few stray bytes, not a page in another encoding.

    >>> page = "<p>Präsident in Größe – „Minsk“</p>".encode()
    >>> mostly_utf8(page + b"\\xff"), mostly_utf8(page.decode().encode("cp1252"))
    (True, False)
    """
    text = body.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - body.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    return non_ascii - text.count("\ufffd") >= invalid


def detect_encoding(body: bytes) -> str | None:
    """The encoding charset-normalizer finds for the page's text (markup left out), among
    the encodings a page of the site can be in; ``None`` when it finds none."""
    text = b" ".join(_MARKUP.sub(b" ", body).split())
    best = charset_normalizer.from_bytes(text, cp_isolation=list(SITE_ENCODINGS)).best()
    return best.encoding if best is not None else None


def with_repaired_encoding(response: TextResponse) -> tuple[TextResponse, Decoding]:
    """The response decoded as well as its bytes allow, and how.

    The text Scrapy decoded tells first: without a replacement character, the body was
    valid. A UTF-8 page with a few bad bytes stays UTF-8 (Scrapy replaced just those);
    a body that is really in another encoding is read in the one detected.
    """
    if "\ufffd" not in response.text or _is_valid(response.body, response.encoding):
        return response, Decoding.AS_DECLARED
    declared = codecs.lookup(response.encoding).name
    if declared == "utf-8" and mostly_utf8(response.body):
        return response, Decoding.BAD_BYTES
    detected = detect_encoding(response.body)
    if detected is None or codecs.lookup(detected).name == declared:
        return response, Decoding.UNKNOWN
    if not _is_valid(response.body, detected):  # the bytes in the markup do not fit it
        return response, Decoding.UNKNOWN
    return response.replace(encoding=detected), Decoding.DETECTED


def retry_unusable(response: Response, problem: str, spider: Spider) -> Request | None:
    """A broken answer is retried like a failed download; ``None`` once retries are spent."""
    assert spider.crawler.stats is not None
    spider.crawler.stats.inc_value(f"belta/response/{problem}")
    return get_retry_request(
        response.request, spider=spider, reason=f"unusable response: {problem}"
    )


_CHARSET_STATS = {
    Decoding.BAD_BYTES: "belta/response/charset_bad_bytes",
    Decoding.DETECTED: "belta/response/charset_repaired",
    Decoding.UNKNOWN: "belta/response/charset_unknown",
}


def decoded(
    response: TextResponse, stats: StatsCollector, logger: Logger | LoggerAdapter
) -> TextResponse:
    """The response in the encoding its bytes are really in; a repair is logged and counted."""
    repaired, how = with_repaired_encoding(response)
    if how is Decoding.AS_DECLARED:
        return repaired
    stats.inc_value(_CHARSET_STATS[how])
    if how is Decoding.BAD_BYTES:
        logger.warning(
            "%s has bytes that are not valid %s; read as %s, only those replaced",
            response.url,
            response.encoding,
            response.encoding,
        )
    elif how is Decoding.DETECTED:
        logger.warning(
            "%s is not in the encoding it declares (%s); read as %s (detected)",
            response.url,
            response.encoding,
            repaired.encoding,
        )
    else:
        logger.warning(
            "%s is not in the encoding it declares (%s) and no other encoding fits; "
            "read with replacement characters",
            response.url,
            response.encoding,
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


def marked_as_earlier_failure(request: Request) -> Request:
    """``request``, marked as fetching an article that failed in an earlier run (its
    answer is counted apart: ``…/answered_again``, ``…/failed_again``)."""
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


def count_redirect(request: Request, stats: StatsCollector) -> None:
    """Count an article request answered by a redirect to another article: an answer,
    not a failure (the site knows the article, under another key), and as
    ``belta/articles/redirected``."""
    count_answer(request, stats)
    stats.inc_value("belta/articles/redirected")


def count_failure(request: Request, stats: StatsCollector) -> None:
    """Count a failed article (``belta/articles/failed``), an answer too; one that had
    failed in an earlier run as well also as ``belta/articles/failed_again``."""
    count_answer(request, stats)
    stats.inc_value("belta/articles/failed")
    if request.meta.get(RETRIED_FAILURE):
        stats.inc_value("belta/articles/failed_again")
