"""The end-of-run summary: one readable block in the log, in the site's terms."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import signals

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

#: (label, stats key) in the order they are printed.
SUMMARY_LINES = (
    ("listing pages read", "belta/listing/pages"),
    ("listing entries found", "belta/listing/entries"),
    ("articles requested", "belta/articles/requested"),
    ("  of which refreshed", "belta/articles/refreshed"),
    ("articles failed", "belta/articles/failed"),
    ("skipped: already archived", "belta/skipped/known"),
    ("skipped: outside date window", "belta/skipped/window"),
    ("skipped: outside window after fetch", "belta/skipped/window_after_fetch"),
    ("records: new", "archive/new"),
    ("records: updated", "archive/updated"),
    ("records: unchanged", "archive/unchanged"),
    ("records dropped as invalid", "validation/dropped"),
    ("records dropped as duplicates", "dedup/dropped"),
    ("items scraped", "item_scraped_count"),
    ("HTTP responses", "downloader/response_count"),
)


class RunSummary:
    """Logs what the run did when the spider closes."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunSummary:
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def render(self, reason: str) -> str:
        values = self.stats.get_stats()
        lines = [f"beltacrawl run summary (finish reason: {reason})"]
        lines += [f"  {label:<38} {values.get(key, 0)}" for label, key in SUMMARY_LINES]
        walks = sorted(
            key.split("/")[2]
            for key in values
            if key.startswith("belta/walk/") and key.endswith("/stop_reason")
        )
        for listing in walks:
            lines.append(
                f"  walk {listing:<33} {values.get(f'belta/walk/{listing}/pages', 0)} page(s), "
                f"stopped: {values[f'belta/walk/{listing}/stop_reason']}"
            )
        return "\n".join(lines)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        spider.logger.info(self.render(reason))
