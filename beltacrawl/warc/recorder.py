"""``WarcRecorder``: every page the crawl fetches, kept in WARC files.

A Scrapy extension (``EXTENSIONS``), switched by ``BELTA_WARC_DIR`` (empty: off). On
``response_received`` it writes the response, the listing entry an article was found in
(``metadata``) and the request, gzipped per record, into this run's WARC files
(:mod:`beltacrawl.warc.files`), and tells the run keeper where an article's response
is, so that the archive knows the page of every version it stores. A write that fails
(disk full) is undone, logged, counted, and stops the crawl (``warc_unwritable``): no
further pages are fetched that could not be kept. docs/archive.md ("Pages") describes the
files.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime
from importlib import metadata
from typing import TYPE_CHECKING

import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from beltacrawl.archive import Capture
from beltacrawl.config import Config
from beltacrawl.keeper import keeper_of
from beltacrawl.responses import site_now
from beltacrawl.site.dates import to_iso
from beltacrawl.site.urls import parse_article_url
from beltacrawl.warc.files import WarcFiles, file_path_in_archive, repair_all
from beltacrawl.warc.records import exchange_records

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from warcio.recordloader import ArcWarcRecord
    from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

#: Finish reason of a crawl stopped because its pages could no longer be kept.
WARC_UNWRITABLE = "warc_unwritable"
#: Settings a reader of the files should know the pages were fetched with.
POLITENESS = (
    "ROBOTSTXT_OBEY",
    "DOWNLOAD_DELAY",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "AUTOTHROTTLE_ENABLED",
    "AUTOTHROTTLE_TARGET_CONCURRENCY",
)


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


class WarcRecorder:
    def __init__(self, crawler: Crawler, config: Config) -> None:
        assert config.warc_dir is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = config
        self.directory: Path = config.warc_dir
        self.files: WarcFiles | None = None
        self._stopped = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcRecorder:
        config = Config.from_settings(crawler.settings)
        if config.warc_dir is None:
            if config.archive_path is None:
                raise NotConfigured("BELTA_ARCHIVE is empty, and BELTA_WARC_DIR is not absolute")
            raise NotConfigured("BELTA_WARC_DIR is empty")
        recorder = cls(crawler, config)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.response_received, signal=signals.response_received)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        keeper = keeper_of(self.crawler)
        if keeper.archive is None and self.config.archive_path is not None:
            return  # the archive was refused (locked by another crawl): nothing is fetched
        if keeper.archive is not None:
            # Only the holder of the archive's lock may finish what a killed crawl left.
            for path in repair_all(self.directory):
                logger.warning("WARC file %s of an interrupted crawl finished", path)
        started = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        run = f"run{keeper.run_id}" if keeper.run_id is not None else f"pid{os.getpid()}"
        self.files = WarcFiles(
            self.directory, f"belta-{started}-{run}", self.config.warc_max_size, self._warcinfo
        )

    def _warcinfo(self, writer: WARCWriter, name: str) -> ArcWarcRecord:
        settings = self.crawler.settings
        info = {
            "software": (
                f"beltacrawl/{_version('beltacrawl')} (Scrapy {scrapy.__version__}, "
                f"warcio {_version('warcio')})"
            ),
            "format": "WARC File Format 1.0",
            "hostname": socket.gethostname(),
            "http-header-user-agent": str(settings.get("USER_AGENT")),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "politeness": "; ".join(f"{name}={settings.get(name)}" for name in POLITENESS),
            "isPartOf": f"beltacrawl {self.config.base_url}",
        }
        return writer.create_warcinfo_record(name, info)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        if self.files is None or self._stopped:
            return
        listing = request.cb_kwargs.get("listing")
        if listing is not None and not self.config.warc_listings:
            return
        ref = request.meta.get("article_ref") or parse_article_url(
            response.url, self.config.base_host
        )
        entry = request.cb_kwargs.get("entry") if ref is not None else None
        notes = (
            {"WARC-Resource-Note": "rendered by Chromium"}
            if request.meta.get("playwright")
            else None
        )
        files = self.files
        try:
            records = exchange_records(files.writer, response, datetime.now(UTC), entry, notes)
            # Named before writing: a write that fills the file closes it.
            warc_name = files.name
            places = files.write(records)
        except OSError as exc:
            self._unwritable(exc)
            return
        self.stats.inc_value("warc/records", len(records))
        self.stats.inc_value("warc/bytes", sum(length for _, length in places))
        self.stats.inc_value("warc/pages")
        if ref is None or response.status != 200:
            return
        offset, length = places[0]
        capture = Capture(
            key=ref.key,
            url=response.url,
            fetched_at=to_iso(site_now(response).astimezone(UTC)),
            warc_file=file_path_in_archive(files.directory / warc_name, self.config.archive_path),
            warc_offset=offset,
            warc_length=length,
            record_id=records[0].rec_headers["WARC-Record-ID"],
        )
        try:
            keeper_of(self.crawler).page_captured(capture)
        except Exception as exc:
            # The page is kept; the archive's write failures stop the crawl on their own.
            self.stats.inc_value("warc/unrecorded")
            logger.error("Cannot record where the page of %s is kept: %s", ref.key, exc)

    def _unwritable(self, exc: OSError) -> None:
        self._stopped = True
        self.stats.inc_value("warc/write_errors")
        logger.error(
            "Cannot write the WARC file in %s (%s): pages can no longer be kept, the crawl stops",
            self.directory,
            exc,
        )
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason=WARC_UNWRITABLE))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.files is None:
            return
        self.files.close()
        self.stats.set_value("warc/files", len(self.files.written))
        if self.files.written:
            logger.info(
                "Pages kept in %d WARC file(s) in %s: %s",
                len(self.files.written),
                self.directory,
                ", ".join(path.name for path in self.files.written),
            )
