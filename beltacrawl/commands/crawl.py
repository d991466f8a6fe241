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


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        # Only a crawl locks the archive and records its run (shell, parse, check do not).
        self.settings.set("BELTA_RECORD_RUN", True, priority="cmdline")
        super().process_options(args, opts)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one spider: scrapy crawl belta")
        if args[0] == BeltaSpider.name:
            try:
                # Scrapyd adds its job id as the spider argument ``_job``.
                CrawlArguments.parse({k: v for k, v in opts.spargs.items() if k != "_job"})
                Config.from_settings(self.settings)
            except (ArgumentError, ConfigError) as error:
                raise UsageError(f"belta: {error}", print_help=False) from None
        assert self.crawler_process is not None
        crawler = self.crawler_process.create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        try:
            keeper = crawler.get_extension(RunKeeper)
        except RuntimeError:  # the crawl never started: Scrapy has said why
            self.exitcode = 1
            return
        if keeper is not None:
            self.exitcode = keeper.exit_status()
