"""``scrapy crawl`` with beltacrawl's checks: spider arguments and ``BELTA_*`` settings are
validated before anything starts, before Scrapy logs its settings (a clean message and
exit status 2), and the exit status tells whether the run did its job: 1 when the run
keeper's verdict is not ok (:mod:`beltacrawl.crawl.verdict`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from beltacrawl.config import Config, ConfigError
from beltacrawl.crawl.arguments import ArgumentError, CrawlArguments
from beltacrawl.keeper import RunKeeper
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
                Config.from_settings(self.settings)
            except (ArgumentError, ConfigError) as error:
                raise UsageError(f"belta: {error}", print_help=False) from None
        super().run(args, opts)
        keeper = self.crawler.get_extension(RunKeeper) if self.crawler else None
        if self.exitcode == 0 and keeper is not None:
            self.exitcode = keeper.exit_status()

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler
