"""The run keeper: the one component that owns a crawl's archive and its run record.

A Scrapy extension (``EXTENSIONS``), built ``from_crawler``. When the spider opens it
opens the archive (``BELTA_ARCHIVE``), takes its run lock and records the run's start;
the spider asks it what is archived and tells it about failures and finished walks; the
archive pipeline stores records through it. When the spider closes it judges the run
once (:func:`beltacrawl.crawl.verdict.judge`), extends the listings' coverage, records
the run's end, releases the lock and logs the summary with the final verdict. The crawl
command reads the same verdict for the exit status.

Without an archive (``BELTA_ARCHIVE=``) it still keeps the walks and the verdict.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import CloseSpider
from scrapy.utils.asyncio import sleep

from beltacrawl.archive import Archive, ArchiveError, ArchiveLocked, Source
from beltacrawl.archive.captures import CRAWL
from beltacrawl.config import Config
from beltacrawl.crawl.verdict import Verdict, judge
from beltacrawl.crawl.walk import WalkOutcome
from beltacrawl.reachability import SITE_UNREACHABLE
from beltacrawl.summary import render_summary

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from pathlib import Path

    from scrapy import Spider
    from scrapy.crawler import Crawler

    from beltacrawl.archive import ArchivedState, ArchiveLock, Capture, FailureRecord, Outcome
    from beltacrawl.crawl.freshness import RefreshWindow
    from beltacrawl.crawl.walk import Stretch

logger = logging.getLogger(__name__)

#: Finish reason of a crawl refused because another crawl holds the archive's lock.
ARCHIVE_LOCKED = "archive_locked"
#: Finish reason of a crawl whose archive could not be opened.
ARCHIVE_UNAVAILABLE = "archive_unavailable"
#: Attempts to record a run's end while another process holds the archive's write lock
#: (each waits the connection's busy timeout), and the pause before the second one
#: (doubled before the third).
CLOSE_ATTEMPTS = 3
CLOSE_RETRY_SECONDS = 2.0
#: The spider whose runs are recorded, when ``scrapy crawl`` runs it (``BELTA_RECORD_RUN``):
#: other spiders, and ``scrapy shell``, ``parse`` or ``check``, never lock or record.
RECORDED_SPIDER = "belta"


class RunKeeper:
    def __init__(self, crawler: Crawler, config: Config) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = config
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.verdict: Verdict | None = None
        self._lock: ArchiveLock | None = None
        self._created = self._new_folder = False
        self._walks: dict[str, WalkOutcome] = {}
        self._captured: dict[str, int] = {}  # article key -> capture id, until stored

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunKeeper:
        keeper = cls(crawler, Config.from_settings(crawler.settings))
        crawler.signals.connect(keeper.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(keeper.spider_closed, signal=signals.spider_closed)
        return keeper

    # --- opening -----------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        """Open and lock the archive before the first request; a refused run fetches
        nothing (``CloseSpider`` from ``spider_opened`` is honoured once it is open)."""
        path = self.config.archive_path
        if path is None or spider.name != RECORDED_SPIDER or not self.config.record_run:
            return
        # A run that cannot reach the site leaves no archive behind (_forget_empty_archive).
        self._created = not path.exists()
        self._new_folder = not path.parent.exists()
        try:
            archive = Archive.open(path)
        except ArchiveError as exc:  # its message names the archive and the cause
            logger.error("Not crawling: %s", exc)
            raise CloseSpider(ARCHIVE_UNAVAILABLE) from exc
        except (OSError, sqlite3.Error) as exc:
            logger.error("Not crawling: cannot open the archive %s: %s", path, exc)
            raise CloseSpider(ARCHIVE_UNAVAILABLE) from exc
        try:
            self._lock = archive.lock()
        except ArchiveLocked as exc:
            archive.close()
            logger.error("Not crawling: %s", exc)
            self.stats.set_value("archive/locked_by_pid", exc.pid)
            raise CloseSpider(ARCHIVE_LOCKED) from exc
        except OSError as exc:
            archive.close()
            logger.error("Not crawling: cannot take the run lock %s: %s", archive.lock_path, exc)
            raise CloseSpider(ARCHIVE_UNAVAILABLE) from exc
        arguments = getattr(getattr(spider, "arguments", None), "raw", {})
        try:
            self.run_id = archive.ledger.start_run(spider.name, arguments)
        except sqlite3.Error as exc:
            self._release(archive)
            logger.error("Not crawling: cannot write the archive %s: %s", path, exc)
            raise CloseSpider(ARCHIVE_UNAVAILABLE) from exc
        self.archive = archive
        self.stats.set_value("archive/run_id", self.run_id)
        logger.info(
            "Archive %s opened (%d articles), crawl run %d",
            path,
            archive.store.count(),
            self.run_id,
        )

    # --- what the spider asks and tells --------------------------------------------------

    @property
    def has_articles(self) -> bool:
        return self.archive is not None and self.archive.store.count() > 0

    def archived(self, keys: Iterable[str]) -> dict[str, ArchivedState]:
        return self.archive.store.lookup(keys) if self.archive is not None else {}

    def refresh_candidates(self, window: RefreshWindow) -> list[ArchivedState]:
        if self.archive is None:
            return []
        return self.archive.store.refresh_candidates(
            window.published_since, window.young, window.undated_since
        )

    def failures(self) -> list[FailureRecord]:
        return self.archive.ledger.failures() if self.archive is not None else []

    def coverage(self, listing: str) -> Stretch | None:
        return self.archive.ledger.coverage(listing) if self.archive is not None else None

    def record_failure(self, url: str, key: str | None, reason: str) -> None:
        """Remember a failed article for the next run to retry; say so once it has failed
        too often to be fetched again."""
        if self.archive is None:
            return
        attempts = self.archive.ledger.record_failure(url, key, reason)
        if attempts >= self.config.failure_attempts:
            logger.warning(
                "article %s (%s) failed %d times, last: %s; given up, not fetched again "
                "(BELTA_FAILURE_ATTEMPTS)",
                key,
                url,
                attempts,
                reason,
            )

    def page_captured(self, capture: Capture) -> None:
        """An article's page kept in a WARC file (:mod:`beltacrawl.warc`): remembered in
        the archive, and the source of the version its record is stored as."""
        if self.archive is not None:
            self._captured[capture.key] = self.archive.captures.add(capture)

    def store(self, records: Sequence[Mapping[str, Any]]) -> list[Outcome]:
        """Store records (:meth:`Store.upsert_many`), each linked to its page's capture."""
        assert self.archive is not None
        sources = [
            Source(self._captured[key], CRAWL)
            if (key := record.get("key")) in self._captured
            else None
            for record in records
        ]
        outcomes = self.archive.store.upsert_many(records, sources=sources)
        for record in records:
            self._captured.pop(record.get("key"), None)
        return outcomes

    def forget_failure(self, url: str, key: str | None) -> None:
        """An article the site answered for without failing (it redirects to another):
        no earlier failure of it is retried again."""
        if self.archive is not None:
            self.archive.ledger.forget_failure(url, key)

    def walk_started(self, listing: str, keep: tuple[str, ...] = ()) -> None:
        started = WalkOutcome(listing, None, 0, None, keep=keep)
        self._walks.setdefault(started.name, started)

    def walk_ended(self, outcome: WalkOutcome) -> None:
        self._walks[outcome.name] = outcome
        reason = outcome.stop_reason.value if outcome.stop_reason else None
        self.stats.set_value(f"belta/walk/{outcome.listing}/stop_reason", reason)
        self.stats.set_value(f"belta/walk/{outcome.listing}/pages", outcome.pages)

    @property
    def walks(self) -> list[WalkOutcome]:
        return list(self._walks.values())

    # --- closing -----------------------------------------------------------------------

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        """Judge the run once, record it, release the archive and log its summary, with
        the verdict as it stands after recording (which may add a problem)."""
        stats = self.stats.get_stats()
        self.verdict = judge(stats, reason, self.walks)
        summary = render_summary(stats, reason, self.walks, self.verdict)
        if self.archive is not None:
            recorded = self.verdict
            try:
                await self._record_end(reason, stats, summary)
            finally:
                archive, self.archive = self.archive, None
                forget = self._created and reason == SITE_UNREACHABLE and archive.store.count() == 0
                self._release(archive)
                if forget:
                    _forget_empty_archive(archive, self._new_folder)
            if self.verdict != recorded:
                summary = render_summary(stats, reason, self.walks, self.verdict)
        spider.logger.info(summary)

    async def _record_end(self, reason: str, stats: Mapping[str, Any], summary: str) -> None:
        """Extend coverage and close the run row; another process holding the archive's
        write lock (a backup, an analyst's session) gets a few more chances to let go,
        waited for without holding up the reactor."""
        assert self.archive is not None and self.verdict is not None
        for attempt in range(1, CLOSE_ATTEMPTS + 1):
            try:
                if reason == "finished" and not stats.get("archive/lost"):
                    self._extend_coverage()
                if self.run_id is not None:
                    self.archive.ledger.finish_run(
                        self.run_id, reason, stats, problems=self.verdict.problems, summary=summary
                    )
                    self.archive.ledger.record_walks(self.run_id, self.walks)
                return
            except sqlite3.OperationalError as exc:  # "database is locked" after the wait
                if attempt < CLOSE_ATTEMPTS:
                    logger.warning(
                        "Archive %s: cannot record the run's end yet (%s); retrying in %g s",
                        self.archive.path,
                        exc,
                        CLOSE_RETRY_SECONDS * attempt,
                    )
                    await sleep(CLOSE_RETRY_SECONDS * attempt)
                    continue
                cause = exc
            except sqlite3.Error as exc:
                cause = exc
            problem = (
                f"the run's end could not be recorded in the archive {self.archive.path} "
                f"({cause}): crawl run {self.run_id} stays without finish reason and verdict"
            )
            logger.error(problem)
            self.verdict = Verdict((*self.verdict.problems, problem))
            return

    def _release(self, archive: Archive) -> None:
        archive.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _extend_coverage(self) -> None:
        """Remember the stretch of each listing this finished run walked completely."""
        assert self.archive is not None
        for walk in self._walks.values():
            if walk.covered is not None:
                for listing in walk.serves:  # an all_news walk completing rubrics: theirs
                    self.archive.ledger.extend_coverage(listing, *walk.covered)

    def exit_status(self) -> int:
        """0 when the run did its job, 1 when it did not (or was never judged)."""
        return 0 if self.verdict is not None and self.verdict.ok else 1


def _forget_empty_archive(archive: Archive, new_folder: bool) -> None:
    """Remove an archive this run created, when the site could not be reached at all (no
    network, a wrong base URL): it holds only the failed run, listed from then on."""
    for path in (archive.path, *_sqlite_companions(archive.path), archive.lock_path):
        path.unlink(missing_ok=True)
    if new_folder:
        with contextlib.suppress(OSError):  # something else was put there meanwhile
            archive.path.parent.rmdir()
    logger.info("Nothing was fetched: the new archive %s was not kept", archive.path)


def _sqlite_companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def keeper_of(crawler: Crawler) -> RunKeeper:
    """The crawl's keeper (enabled in ``EXTENSIONS``)."""
    keeper = crawler.get_extension(RunKeeper)
    if keeper is None:
        raise RuntimeError("beltacrawl.keeper.RunKeeper is not enabled in EXTENSIONS")
    return keeper
