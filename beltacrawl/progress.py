"""Progress of a long run, for people: an INFO line every ``BELTA_PROGRESS_INTERVAL``
seconds and, when standard error is a terminal, a live line redrawn every second.

A scheduled run logs to a file or a pipe, so it gets only the INFO lines (none at all for
a run shorter than the interval); the live line, with its carriage returns, never reaches
a log file. Enabled in ``EXTENSIONS``; ``BELTA_PROGRESS_INTERVAL = 0`` switches it off.
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from scrapy import Spider
    from scrapy.crawler import Crawler

    from beltacrawl.crawl.arguments import CrawlArguments
    from beltacrawl.crawl.walk import ListingWalk

logger = logging.getLogger(__name__)

#: Erase the terminal's current line (carriage return, then "erase to end of line").
CLEAR_LINE = "\r\x1b[K"


def progress_line(
    stats: Mapping[str, Any],
    walks: Iterable[ListingWalk],
    arguments: CrawlArguments | None,
    elapsed: float,
) -> str:
    """What the run has done so far, in one line.

    >>> from beltacrawl.crawl.arguments import CrawlArguments
    >>> from beltacrawl.crawl.walk import ListingWalk
    >>> from beltacrawl.site.dates import MINSK
    >>> from datetime import datetime
    >>> walk = ListingWalk("all_news", 0.0, page=40, newest_handled=datetime(2024, 3, 31, tzinfo=MINSK),
    ...                    oldest_listed=datetime(2024, 3, 1, 12, tzinfo=MINSK))
    >>> stats = {"archive/new": 280, "archive/updated": 5, "archive/unchanged": 15,
    ...          "belta/articles/failed": 2, "item_scraped_count": 300}
    >>> args = CrawlArguments.parse({"since": "2024-01-01"})
    >>> progress_line(stats, [walk], args, 600.0)
    'progress: 300 articles (new 280, updated 5, unchanged 15, failed 2) · all_news page 40, back to 2024-03-01 · since 2024-01-01: 33% · 30 articles/min · about 0:20:31 left'
    """  # noqa: E501
    done = stats.get("item_scraped_count", 0)
    parts = [
        f"progress: {done} articles (new {stats.get('archive/new', 0)}, "
        f"updated {stats.get('archive/updated', 0)}, "
        f"unchanged {stats.get('archive/unchanged', 0)}, "
        f"failed {stats.get('belta/articles/failed', 0)})"
    ]
    share = None
    for walk in walks:
        reached = f", back to {walk.oldest_listed.date()}" if walk.oldest_listed else ""
        parts.append(f"{walk.listing} page {walk.page}{reached}")
        since = arguments.since if arguments else None
        if since and walk.newest_handled and walk.oldest_listed and walk.stop_reason is None:
            span = (walk.newest_handled - since).total_seconds()
            covered = (walk.newest_handled - walk.oldest_listed).total_seconds()
            if span > 0:
                walk_share = min(1.0, max(0.0, covered / span))
                share = walk_share if share is None else min(share, walk_share)
    if share is not None and arguments and arguments.since:
        parts.append(f"since {arguments.since.date()}: {share:.0%}")
    if arguments and arguments.urls:
        share = done / len(arguments.urls)
        parts.append(f"{done} of {len(arguments.urls)} asked for")
    if elapsed > 0:
        parts.append(f"{done / elapsed * 60:.0f} articles/min")
    if share and 0 < share < 1:
        left = timedelta(seconds=round(elapsed * (1 - share) / share))
        parts.append(f"about {left} left")
    return " · ".join(parts)


class _ClearLiveLine(logging.Filter):
    """Erases the live line before a log record is written below it on the terminal."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream

    def filter(self, record: logging.LogRecord) -> bool:
        self.stream.write(CLEAR_LINE)
        return True


class Progress:
    def __init__(self, crawler: Crawler, interval: float, live: bool) -> None:
        self.crawler = crawler
        self.interval = interval
        self.live = live
        self.started = time.monotonic()
        self._loops: list[LoopingCall] = []
        self._clear = _ClearLiveLine(sys.stderr)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = crawler.settings.getfloat("BELTA_PROGRESS_INTERVAL", 60.0)
        if interval <= 0:
            raise NotConfigured("BELTA_PROGRESS_INTERVAL is 0")
        live = sys.stderr.isatty() and not crawler.settings.get("LOG_FILE")
        progress = cls(crawler, interval, live)
        crawler.signals.connect(progress.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        return progress

    def line(self) -> str:
        spider = self.crawler.spider
        assert self.crawler.stats is not None
        walks = getattr(spider, "walks", {})
        return progress_line(
            self.crawler.stats.get_stats(),
            walks.values() if isinstance(walks, dict) else (),
            getattr(spider, "arguments", None),
            time.monotonic() - self.started,
        )

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        self._start(self.log, self.interval, now=False)
        if self.live:
            for handler in logging.getLogger().handlers:
                handler.addFilter(self._clear)
            self._start(self.draw, 1.0, now=True)

    def _start(self, function: Any, interval: float, *, now: bool) -> None:
        loop = LoopingCall(function)
        loop.start(interval, now=now)
        self._loops.append(loop)

    def log(self) -> None:
        logger.info(self.line())

    def draw(self) -> None:
        sys.stderr.write(CLEAR_LINE + self.line()[: _width()])
        sys.stderr.flush()

    def spider_closed(self, spider: Spider) -> None:
        for loop in self._loops:
            if loop.running:
                loop.stop()
        if self.live:
            sys.stderr.write(CLEAR_LINE)
            for handler in logging.getLogger().handlers:
                handler.removeFilter(self._clear)


def _width() -> int:
    return shutil.get_terminal_size().columns - 1
