"""``scrapy crawl`` with beltacrawl's checks: spider arguments and ``BELTA_BASE_URL`` are
validated before anything starts, before Scrapy logs its settings (a clean message and
exit status 2), and the exit status tells whether
the run did its job (1 when it did not: see :mod:`beltacrawl.health`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from beltacrawl.arguments import ArgumentError, CrawlArguments
from beltacrawl.health import problems
from beltacrawl.site.urls import base_url_problem
from beltacrawl.spiders.belta import BeltaSpider

if TYPE_CHECKING:
    import argparse

    from scrapy import Spider
    from scrapy.crawler import Crawler


class Command(ScrapyCrawlCommand):
    crawler: Crawler | None = None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args and args[0] == BeltaSpider.name:
            try:
                # Scrapyd adds its job id as the spider argument ``_job``.
                CrawlArguments.parse({k: v for k, v in opts.spargs.items() if k != "_job"})
            except ArgumentError as error:
                raise UsageError(f"belta: {error}", print_help=False) from None
            if problem := base_url_problem(self.settings.get("BELTA_BASE_URL", "")):
                raise UsageError(f"belta: BELTA_BASE_URL {problem}", print_help=False)
        super().run(args, opts)
        if self.exitcode == 0 and self.crawler is not None and self.crawler.stats:
            stats = self.crawler.stats.get_stats()
            if problems(stats, str(stats.get("finish_reason", "unknown"))):
                self.exitcode = 1

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler
