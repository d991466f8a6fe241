"""``scrapy parse`` for the ``belta`` spider: a URL of the real site given while
``BELTA_BASE_URL`` points to a mirror or the replica is fetched from the base (Scrapy
would drop it as offsite without a word), and says so."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.commands.parse import Command as ScrapyParseCommand

from beltacrawl.config import Config
from beltacrawl.site.deu import DEU_BELTA
from beltacrawl.site.urls import host_of, on_base

if TYPE_CHECKING:
    import argparse

logger = logging.getLogger(__name__)


class Command(ScrapyParseCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and opts.spider in (None, "belta"):
            assert self.settings is not None
            base_url = Config.from_settings(self.settings).base_url
            host = host_of(args[0])
            if host in DEU_BELTA.hosts and host != host_of(base_url):
                mapped = on_base(args[0], base_url)
                logger.info("fetching %s from BELTA_BASE_URL: %s", args[0], mapped)
                args = [mapped]
        super().run(args, opts)
