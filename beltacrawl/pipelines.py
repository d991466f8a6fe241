"""Item pipelines: validate each article, drop repeats within a run, store in the archive.

Each pipeline is switched by its own setting (``BELTA_VALIDATE``, ``BELTA_DEDUPLICATE``,
``BELTA_ARCHIVE``) and raises ``NotConfigured`` when switched off. What counts as invalid
is listed in docs/archive.md.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import CloseSpider, DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from beltacrawl.archive import (
    DEFAULT_PATH,
    Archive,
    ArchiveError,
    ArchiveLock,
    ArchiveLocked,
    Outcome,
)
from beltacrawl.health import problems
from beltacrawl.items import record_fields
from beltacrawl.summary import render as render_summary
from beltacrawl.urls import parse_article_url

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 100
#: Finish reason of a crawl refused because another crawl holds the archive's lock.
ARCHIVE_LOCKED = "archive_locked"
#: Finish reason of a crawl whose archive could not be opened.
ARCHIVE_UNAVAILABLE = "archive_unavailable"
#: Finish reason of a crawl stopped because its archive could no longer be written.
ARCHIVE_UNWRITABLE = "archive_unwritable"
#: Failed writes in a row (each after the busy timeout) before the crawl is stopped.
MAX_WRITE_FAILURES = 3


def _blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


def _is_iso_with_offset(value: Any) -> bool:
    """``2022-10-28T09:38:00+03:00`` yes; ``2022-10-28``, ``2022-10-28T09:38`` no."""
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def invalid_reason(record: Mapping[str, Any]) -> tuple[str, str] | None:
    """Why an article record must not be stored — ``(reason, explanation)`` — or ``None``.

    The reason is the stat suffix (``validation/dropped/<reason>``); the first failing
    check wins.

    >>> good = {"url": "https://deu.belta.by/economics/view/krutoi-66060-2024/",
    ...         "key": "66060-2024", "article_id": 66060, "article_year": 2024,
    ...         "title": "T", "published_at": "2024-03-01T10:00:00+03:00", "body": "B"}
    >>> invalid_reason(good) is None
    True
    >>> invalid_reason({**good, "key": "66060-2023"})[0]
    'key'
    >>> invalid_reason({**good, "published_at": "2024-03-01", "published_raw": None})[0]
    'published_at'
    """
    url = record.get("url")
    ref = parse_article_url(url) if isinstance(url, str) else None
    if ref is None or ref.url != url:
        return (
            "url",
            f"not a canonical article URL (https://deu.belta.by/...-<id>-<year>/): {url!r}",
        )
    key = record.get("key")
    expected = f"{record.get('article_id')}-{record.get('article_year')}"
    if not isinstance(record.get("article_id"), int) or not isinstance(
        record.get("article_year"), int
    ):
        return "key", f"article_id/article_year missing or not integers (key {key!r})"
    if key != expected or key != ref.key:
        return "key", f"key {key!r} does not match article_id-article_year {expected!r} and the URL"
    if _blank(record.get("title")):
        return "title", "title missing or empty"
    published_at = record.get("published_at")
    if published_at is not None and not _is_iso_with_offset(published_at):
        return "published_at", f"published_at {published_at!r} is not ISO 8601 with an offset"
    if published_at is None and _blank(record.get("published_raw")):
        return "published", "neither published_at nor published_raw"
    if _blank(record.get("body")):
        return "body", "body missing or empty"
    return None


class InvalidArticle(DropItem):
    """An article dropped by validation: the archive records it as failed, for a retry."""

    def __init__(self, reason: str, explanation: str) -> None:
        super().__init__(f"invalid article ({reason}): {explanation}", log_level="DEBUG")
        self.reason = reason


class ValidationPipeline:
    """Drop records that would damage the archive (setting ``BELTA_VALIDATE``, default on)."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        if not crawler.settings.getbool("BELTA_VALIDATE", True):
            raise NotConfigured("BELTA_VALIDATE is off")
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        record = record_fields(item)
        problem = invalid_reason(record)
        if problem is None:
            self.stats.inc_value("validation/ok")
            return item
        reason, explanation = problem
        self.stats.inc_value("validation/dropped")
        self.stats.inc_value(f"validation/dropped/{reason}")
        logger.warning("Invalid article %s dropped: %s", record.get("url"), explanation)
        # Already logged in one line above; Scrapy's own "Dropped" line (with the whole
        # item) only at DEBUG.
        raise InvalidArticle(reason, explanation)


class DeduplicationPipeline:
    """Drop a second record with the same ``key`` in one run (setting ``BELTA_DEDUPLICATE``)."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DeduplicationPipeline:
        if not crawler.settings.getbool("BELTA_DEDUPLICATE", True):
            raise NotConfigured("BELTA_DEDUPLICATE is off")
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        key = record_fields(item).get("key")
        if key is None:
            return item
        if key in self.seen:
            self.stats.inc_value("dedup/dropped")
            raise DropItem(f"article {key} already scraped in this run", log_level="DEBUG")
        self.seen.add(key)
        return item


class ArchivePipeline:
    """Store articles in the SQLite archive in batches and record the crawl run.

    Settings: ``BELTA_ARCHIVE`` (path; empty switches storage off) and
    ``BELTA_ARCHIVE_BATCH_SIZE`` (records per transaction). The run lock is taken when the
    spider opens: if another crawl holds it, the spider is closed at once with the finish
    reason ``archive_locked`` and nothing is crawled.
    """

    def __init__(self, crawler: Crawler, path: Path, batch_size: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.batch_size = batch_size
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self._lock: ArchiveLock | None = None
        self._buffer: list[dict[str, Any]] = []
        self._write_failures = 0
        self._gave_up = False
        self._closing: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        settings = crawler.settings
        path = settings.get("BELTA_ARCHIVE", DEFAULT_PATH)
        if not path:
            raise NotConfigured("BELTA_ARCHIVE is empty")
        batch_size = settings.getint("BELTA_ARCHIVE_BATCH_SIZE", DEFAULT_BATCH_SIZE)
        if batch_size < 1:
            raise ValueError(f"BELTA_ARCHIVE_BATCH_SIZE must be at least 1, not {batch_size}")
        pipeline = cls(crawler, Path(str(path)), batch_size)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def open_spider(self) -> None:
        try:
            archive = Archive.open(self.path)
        except (ArchiveError, OSError) as exc:
            logger.error("Cannot open the archive %s: %s", self.path, exc)
            raise CloseSpider(ARCHIVE_UNAVAILABLE) from exc
        try:
            self._lock = archive.lock()
        except ArchiveLocked as exc:
            archive.close()
            logger.error("Not crawling: %s", exc)
            self.stats.set_value("archive/locked_by_pid", exc.pid)
            raise CloseSpider(ARCHIVE_LOCKED) from exc
        self.archive = archive
        spider = self.crawler.spider
        assert spider is not None
        self.run_id = archive.ledger.start_run(spider.name, getattr(spider, "arguments", {}) or {})
        self.stats.set_value("archive/run_id", self.run_id)
        logger.info(
            "Archive %s opened (%d articles), crawl run %d",
            self.path,
            archive.store.count(),
            self.run_id,
        )

    def process_item(self, item: Any) -> Any:
        if self.archive is None:
            return item
        if self._gave_up:
            self.stats.inc_value("archive/lost")
            return item
        # A shallow copy: asdict() walks every value in search of nested items, which
        # cost more than the archive's SQL (docs/performance.md).
        self._buffer.append(record_fields(item))
        if len(self._buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self, *, final: bool = False) -> None:
        """Write the buffered records in one transaction.

        A record the archive refuses (bad identity) is logged and skipped; the rest of its
        batch is stored. When the database cannot be written at all (locked beyond the busy
        timeout, disk full), the batch stays buffered and is retried with the next one;
        after ``MAX_WRITE_FAILURES`` failures in a row, or at the end of the crawl, the
        buffered articles are given up (stat ``archive/lost``) and the spider is closed
        with the reason ``archive_unwritable``.
        """
        if self.archive is None or not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        try:
            outcomes = self.archive.store.upsert_many(batch)
        except (ValueError, sqlite3.IntegrityError) as exc:
            logger.warning("Archive batch of %d refused (%s); storing one by one", len(batch), exc)
            self._store_one_by_one(batch, final=final)
        except (sqlite3.Error, OSError) as exc:
            self._write_failed(batch, exc, final=final)
        else:
            self._write_failures = 0
            self._count(outcomes)

    def _store_one_by_one(self, batch: list[dict[str, Any]], *, final: bool) -> None:
        assert self.archive is not None
        for index, record in enumerate(batch):
            try:
                self._count(self.archive.store.upsert_many([record]))
            except (ValueError, sqlite3.IntegrityError) as exc:
                self.stats.inc_value("archive/errors")
                logger.error("Cannot archive %s: %s", record.get("url"), exc)
                url = record.get("url") or record.get("fetched_url")
                if isinstance(url, str) and url:
                    # Recorded, so that the next run fetches it again.
                    self.archive.ledger.record_failure(url, record.get("key"), f"refused: {exc}")
            except (sqlite3.Error, OSError) as exc:
                self._write_failed(batch[index:], exc, final=final)
                return
        self._write_failures = 0

    def _write_failed(self, batch: list[dict[str, Any]], exc: Exception, *, final: bool) -> None:
        self._buffer = batch + self._buffer
        self._write_failures += 1
        self.stats.inc_value("archive/write_failures")
        if not final and self._write_failures < MAX_WRITE_FAILURES:
            logger.warning(
                "Cannot write to the archive %s (%s); %d articles kept for the next attempt",
                self.path,
                exc,
                len(self._buffer),
            )
            return
        lost, self._buffer = len(self._buffer), []
        self.stats.inc_value("archive/lost", lost)
        logger.error(
            "Cannot write to the archive %s (%s): %d articles not stored", self.path, exc, lost
        )
        if not final and not self._gave_up:
            self._gave_up = True
            self.close_spider_now(ARCHIVE_UNWRITABLE)

    def close_spider_now(self, reason: str) -> None:
        """Ask the engine to stop the crawl (used when the archive cannot be written)."""
        engine = self.crawler.engine
        if engine is not None:
            self._closing = deferred_from_coro(engine.close_spider_async(reason=reason))

    def _count(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            self.stats.inc_value(f"archive/{outcome.value}")

    def close_spider(self) -> None:
        self.flush(final=True)

    def item_dropped(self, item: Any, exception: BaseException, **_: Any) -> None:
        """An invalid article is recorded as failed, so the next run fetches it again."""
        if self.archive is None or not isinstance(exception, InvalidArticle):
            return
        adapter = ItemAdapter(item)
        url = adapter.get("url") or adapter.get("fetched_url")
        if isinstance(url, str) and url:
            self.archive.ledger.record_failure(
                url, adapter.get("key"), f"invalid: {exception.reason}"
            )

    def _extend_coverage(self, reason: str) -> None:
        """After a finished run that stored everything, remember the stretch of each
        listing it walked completely (see ``Archive.coverage``)."""
        stats = self.stats.get_stats()
        if reason != "finished" or stats.get("archive/lost") or self.archive is None:
            return
        prefix, suffix = "belta/walk/", "/covered_newest"
        for name, newest in stats.items():
            if name.startswith(prefix) and name.endswith(suffix):
                listing = name[len(prefix) : -len(suffix)]
                oldest = stats.get(f"{prefix}{listing}/covered_oldest")
                if oldest:
                    self.archive.ledger.extend_coverage(listing, oldest, newest)

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Record the run's end (reason and stats) and release the archive and its lock."""
        if self.archive is None:
            return
        try:
            self.flush(final=True)
            self._extend_coverage(reason)
            if self.run_id is not None:
                stats = self.stats.get_stats()
                self.archive.ledger.finish_run(
                    self.run_id,
                    reason,
                    stats,
                    problems=problems(stats, reason),
                    summary=render_summary(stats, reason),
                )
        finally:
            self.archive.close()
            self.archive = None
            if self._lock is not None:
                self._lock.release()
                self._lock = None
