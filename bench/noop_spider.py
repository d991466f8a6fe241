"""A no-op Scrapy spider: fetches the URLs listed in ``BENCH_URL_FILE`` and extracts nothing.

The baseline of the throughput benchmark: what any Scrapy crawl of the same pages costs
before it does any work of its own.
``scrapy runspider bench/noop_spider.py -s BENCH_URL_FILE=urls.txt``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import scrapy


class NoopSpider(scrapy.Spider):
    name = "noop"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        path = Path(self.settings.get("BENCH_URL_FILE"))
        for url in path.read_text().split():
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response):
        return None
