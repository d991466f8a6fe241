"""Item pipelines: validate each article, drop repeats within a run, store in the archive.

Each pipeline is switched by its own setting (``BELTA_VALIDATE``, ``BELTA_DEDUPLICATE``,
``BELTA_ARCHIVE``) and raises ``NotConfigured`` when switched off. What counts as invalid
is listed in docs/archive.md.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from spidermon.contrib.scrapy.pipelines import ItemValidationPipeline

from beltacrawl.archive import RecordRefused
from beltacrawl.config import Config
from beltacrawl.keeper import keeper_of
from beltacrawl.site.urls import parse_article_url

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from beltacrawl.archive import Archive, Outcome
    from beltacrawl.keeper import RunKeeper

logger = logging.getLogger(__name__)

#: Finish reason of a crawl stopped because its archive could no longer be written.
ARCHIVE_UNWRITABLE = "archive_unwritable"
#: Failed writes in a row (each after the busy timeout) before the crawl is stopped.
MAX_WRITE_FAILURES = 3


def cross_field_problem(record: Mapping[str, Any]) -> tuple[str, str] | None:
    """What the JSON Schema cannot say, as ``(reason, explanation)``, or ``None``: the URL
    is the canonical form of an article URL (or of another kind's), and the key and kind
    agree with ``article_id``, ``article_year`` and the URL.

    >>> good = {"url": "https://deu.belta.by/economics/view/krutoi-66060-2024/",
    ...         "key": "66060-2024", "article_id": 66060, "article_year": 2024}
    >>> cross_field_problem(good) is None
    True
    >>> cross_field_problem({**good, "key": "66060-2023"})[0]
    'key'
    >>> cross_field_problem({**good, "url": "https://deu.belta.by/economics/view/x-1-2024/"})[0]
    'key'
    >>> cross_field_problem({**good, "kind": "infographic"})[0]
    'kind'
    """
    url = record.get("url")
    ref = parse_article_url(url) if isinstance(url, str) else None
    if ref is None or ref.url != url:
        return (
            "url",
            f"not a canonical article URL (https://deu.belta.by/...-<id>-<year>/): {url!r}",
        )
    key = record.get("key")
    identity = (record.get("article_id"), record.get("article_year"))
    if key != ref.key or identity != (ref.article_id, ref.article_year):
        return "key", (
            f"key {key!r}, article_id and article_year {identity!r} do not match the URL's"
            f" {ref.key!r}"
        )
    kind = record.get("kind", ref.kind.value)
    if kind != ref.kind.value:
        return "kind", f"kind {kind!r} does not match the URL's {ref.kind.value!r}"
    return None


def schema_problem(
    record: Mapping[str, Any], errors: Mapping[str, list[str]] | None
) -> tuple[str, str] | None:
    """spidermon's schema errors (``{"tags.1": ["should be non-empty"]}``) as
    ``(reason, explanation)``: the reason is the first field with an error, in the record's
    order (``record`` when the error is not about one field).

    >>> schema_problem({"title": "", "body": "", "tags": [""]},
    ...                {"tags.0": ["should be non-empty"], "title": ["Regex not matched"]})
    ('title', 'title: Regex not matched; tags.0: should be non-empty')
    >>> schema_problem({"title": "T"}, None) is None
    True
    """
    if not errors:
        return None
    order = {name: index for index, name in enumerate(record)}
    paths = sorted(errors, key=lambda path: order.get(path.split(".")[0], len(order)))
    reason = paths[0].split(".")[0] or "record"
    explanation = "; ".join(f"{path or 'record'}: {', '.join(errors[path])}" for path in paths)
    return reason, explanation


class InvalidArticle(DropItem):
    """An article dropped by validation: the archive records it as failed, for a retry."""

    def __init__(self, reason: str, explanation: str) -> None:
        super().__init__(f"invalid article ({reason}): {explanation}", log_level="DEBUG")
        self.reason = reason


class ValidationPipeline:
    """Drop records that would damage the archive (setting ``BELTA_VALIDATE``, default on).

    A record is checked against its JSON Schema (``SPIDERMON_VALIDATION_SCHEMAS``) by
    spidermon's ``ItemValidationPipeline``, which also keeps spidermon's validation stats;
    then the checks across fields that only code can do (:func:`cross_field_problem`).
    spidermon's pipeline gets a copy of the record and writes its errors into it
    (``SPIDERMON_VALIDATION_ADD_ERRORS_TO_ITEMS``): they name the reason of the drop.
    """

    def __init__(self, stats: StatsCollector, schema: ItemValidationPipeline | None) -> None:
        self.stats = stats
        self.schema = schema

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        if not Config.from_settings(crawler.settings).validate:
            raise NotConfigured("BELTA_VALIDATE is off")
        try:
            schema = ItemValidationPipeline.from_crawler(crawler)
        except NotConfigured as exc:  # no SPIDERMON_VALIDATION_SCHEMAS
            logger.warning("Records are not checked against a JSON Schema: %s", exc)
            schema = None
        if not isinstance(schema, ItemValidationPipeline):  # SPIDERMON_ENABLED is off
            schema = None
        elif not schema.add_errors_to_items:
            raise ValueError(
                "SPIDERMON_VALIDATION_ADD_ERRORS_TO_ITEMS must be True: "
                "the validation pipeline reads the schema's errors from it"
            )
        return cls(crawler.stats, schema)

    def schema_errors(self, record: dict[str, Any]) -> dict[str, list[str]] | None:
        """spidermon's errors for the record (``None`` when the schema accepts it)."""
        if self.schema is None:
            return None
        checked = dict(record)
        with suppress(DropItem):  # when SPIDERMON_VALIDATION_DROP_ITEMS_WITH_ERRORS is on
            self.schema.process_item(checked)
        return checked.get(self.schema.errors_field)

    def process_item(self, item: Any) -> Any:
        record = ItemAdapter(item).asdict()
        problem = schema_problem(record, self.schema_errors(record)) or cross_field_problem(record)
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
        if not Config.from_settings(crawler.settings).deduplicate:
            raise NotConfigured("BELTA_DEDUPLICATE is off")
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        key = ItemAdapter(item).get("key")
        if key is None:
            return item
        if key in self.seen:
            self.stats.inc_value("dedup/dropped")
            raise DropItem(f"article {key} already scraped in this run", log_level="DEBUG")
        self.seen.add(key)
        return item


class ArchivePipeline:
    """Store records in the archive, through the run keeper, in batches.

    Settings: ``BELTA_ARCHIVE`` (empty switches storage off) and
    ``BELTA_ARCHIVE_BATCH_SIZE`` (records per transaction). A record the archive refuses
    is logged, counted (``archive/errors``) and recorded as failed; the rest of its batch
    is stored. When the archive cannot be written at all (locked beyond the busy timeout,
    disk full) the batch stays buffered and is tried again with the next; after
    ``MAX_WRITE_FAILURES`` failures in a row, or at the end of the crawl, the buffered
    records are given up (``archive/lost``) and the crawl stops (``archive_unwritable``).
    """

    def __init__(self, crawler: Crawler, batch_size: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.batch_size = batch_size
        self.keeper: RunKeeper | None = None
        self._buffer: list[dict[str, Any]] = []
        self._write_failures = 0
        self._gave_up = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        config = Config.from_settings(crawler.settings)
        if config.archive_path is None:
            raise NotConfigured("BELTA_ARCHIVE is empty")
        pipeline = cls(crawler, config.archive_batch_size)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def open_spider(self) -> None:
        self.keeper = keeper_of(self.crawler)

    @property
    def _archive(self) -> Archive | None:
        return self.keeper.archive if self.keeper is not None else None

    def process_item(self, item: Any) -> Any:
        if self._archive is None:
            return item
        if self._gave_up:
            self.stats.inc_value("archive/lost")
            return item
        self._buffer.append(ItemAdapter(item).asdict())
        if len(self._buffer) >= self.batch_size:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush(final=True)

    def flush(self, *, final: bool = False) -> None:
        """Write the buffered records in one transaction."""
        archive = self._archive
        if archive is None or not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        try:
            outcomes = self.keeper.store(batch)
        except RecordRefused as exc:
            logger.warning("Archive batch of %d refused (%s); storing one by one", len(batch), exc)
            self._store_one_by_one(batch, final=final)
        except (sqlite3.Error, OSError) as exc:
            self._write_failed(batch, exc, final=final)
        else:
            self._write_failures = 0
            self._count(outcomes)

    def _store_one_by_one(self, batch: list[dict[str, Any]], *, final: bool):
        for index, record in enumerate(batch):
            try:
                self._count(self.keeper.store([record]))
            except RecordRefused as exc:
                self.stats.inc_value("archive/errors")
                logger.error("Cannot archive %s: %s", record.get("url"), exc)
                self._record_failure(record, f"refused: {exc}")
            except (sqlite3.Error, OSError) as exc:
                self._write_failed(batch[index:], exc, final=final)
                return
        self._write_failures = 0

    def _write_failed(self, batch: list[dict[str, Any]], exc: Exception, *, final: bool) -> None:
        self._buffer = batch + self._buffer
        self._write_failures += 1
        self.stats.inc_value("archive/write_failures")
        path = self.keeper.config.archive_path if self.keeper else None
        if not final and self._write_failures < MAX_WRITE_FAILURES:
            logger.warning(
                "Cannot write to the archive %s (%s); %d articles kept for the next attempt",
                path,
                exc,
                len(self._buffer),
            )
            return
        lost, self._buffer = len(self._buffer), []
        self.stats.inc_value("archive/lost", lost)
        logger.error("Cannot write to the archive %s (%s): %d articles not stored", path, exc, lost)
        if not final and not self._gave_up:
            self._gave_up = True
            self.stop_crawl(ARCHIVE_UNWRITABLE)

    def stop_crawl(self, reason: str) -> None:
        """Ask the engine to stop the crawl (the archive cannot be written)."""
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason=reason))

    def _count(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            self.stats.inc_value(f"archive/{outcome.value}")

    def _record_failure(self, record: dict[str, Any], reason: str) -> None:
        """Recorded as failed, so that the next run fetches the article again."""
        url = record.get("url") or record.get("fetched_url")
        if self.keeper is not None and isinstance(url, str) and url:
            self.keeper.record_failure(url, record.get("key"), reason)

    def item_dropped(self, item: Any, exception: BaseException, **_: Any) -> None:
        """An invalid article is recorded as failed, so the next run fetches it again."""
        if isinstance(exception, InvalidArticle):
            self._record_failure(ItemAdapter(item).asdict(), f"invalid: {exception.reason}")
