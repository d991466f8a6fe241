"""``scrapy archive import-warc``: article records from existing web archives.

Reads WARC and ARC files, gzipped or not (warcio reads them all): this crawler's own, or
captures of deu.belta.by by Common Crawl or the Internet Archive. The responses of the
site's article URLs (``http`` or ``https``, with or without the trailing slash,
``deu.``, ``www.deu.`` and ``m.deu.belta.by``) are remembered as captures, then extracted
in the order they were fetched, as the crawl extracts a page
(:mod:`beltacrawl.warc.extract`), and stored with their capture time: a capture newer than
the archived copy is stored as a crawl would store it, an older one takes its place among
the earlier versions (never the current text), and the same text is not stored twice. A
page the parser cannot read (an old template) is counted and listed, not stored.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING

from beltacrawl.archive import Capture, Source
from beltacrawl.archive.captures import IMPORT
from beltacrawl.archive.history import current_record, store_earlier
from beltacrawl.http_dates import http_date
from beltacrawl.site.dates import to_iso
from beltacrawl.site.urls import parse_article_url
from beltacrawl.warc.files import file_path_in_archive
from beltacrawl.warc.records import scan
from beltacrawl.warc.reextract import READ_ERRORS, Problem, read_capture

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from beltacrawl.archive import Archive
    from beltacrawl.warc.extract import PageExtractor
    from beltacrawl.warc.records import FoundRecord

logger = logging.getLogger(__name__)


@dataclass
class ImportReport:
    files: int = 0
    records: int = 0
    """Records of every kind in the files."""
    captures: int = 0
    """Responses of article URLs of the site."""
    outcomes: Counter[str] = field(default_factory=Counter)
    """``new``, ``updated``, ``unchanged``, ``earlier`` (an older capture, stored as an
    earlier version)."""
    skipped: Counter[str] = field(default_factory=Counter)
    """Responses not taken, by reason (other URLs, HTTP status)."""
    unreadable: list[Problem] = field(default_factory=list)
    broken_files: list[Problem] = field(default_factory=list)


class WarcImport:
    """One ``import-warc`` into ``archive`` (opened for writing, its lock held)."""

    def __init__(self, archive: Archive, extractor: PageExtractor) -> None:
        self.archive = archive
        self.extractor = extractor
        self.report = ImportReport()

    def run(self, paths: Iterable[Path]) -> ImportReport:
        found: list[Capture] = []
        for path in paths:
            found += self._captures_in(path)
        ids = self.archive.captures.add_many(found)
        ordered = sorted(
            zip(ids, found, strict=True), key=lambda item: (item[1].fetched_at or "", item[0])
        )
        for capture_id, capture in ordered:
            self._store(capture_id, capture)
        return self.report

    def _captures_in(self, path: Path) -> list[Capture]:
        report = self.report
        report.files += 1
        captures = []
        try:
            for record in scan(path):
                report.records += 1
                capture = self._capture(record, path)
                if capture is not None:
                    captures.append(capture)
        except READ_ERRORS as exc:
            logger.error("%s: unreadable after %d records: %r", path, len(captures), exc)
            report.broken_files.append(Problem("", str(path), f"{type(exc).__name__}: {exc}"))
        return captures

    def _capture(self, record: FoundRecord, path: Path) -> Capture | None:
        if record.rec_type != "response":
            return None
        ref = parse_article_url(record.uri, self.extractor.base_host)
        if ref is None:
            self.report.skipped["not an article URL"] += 1
            return None
        if record.status != 200:
            self.report.skipped[f"HTTP {record.status}"] += 1
            return None
        self.report.captures += 1
        # The record's fetched_at: the server's Date, else the capture's time, as the
        # extraction reads it (beltacrawl.warc.records.as_response).
        fetched = http_date(record.http_date) or record.date
        return Capture(
            key=ref.key,
            url=record.uri,
            fetched_at=to_iso(fetched.astimezone(UTC)) if fetched else None,
            warc_file=file_path_in_archive(path, self.archive.path),
            warc_offset=record.offset,
            warc_length=record.length,
            record_id=record.record_id,
            origin=IMPORT,
        )

    def _store(self, capture_id: int, capture: Capture) -> None:
        report = self.report
        try:
            page = read_capture(self.archive, capture)
        except READ_ERRORS as exc:
            report.unreadable.append(Problem(capture.key, capture.url, f"unreadable: {exc!r}"))
            return
        extraction = self.extractor.extract(page.response, page.entry)
        record = extraction.record
        if record is None:
            logger.info("%s: %s — %s", capture.key, capture.url, extraction.problem)
            report.unreadable.append(Problem(capture.key, capture.url, str(extraction.problem)))
            return
        source = Source(capture_id, IMPORT)
        current = current_record(self.archive.db, capture.key)
        if current is not None and (current.get("fetched_at") or "") > (
            record.get("fetched_at") or ""
        ):
            report.outcomes[store_earlier(self.archive.db, record, source)] += 1
            return
        (outcome,) = self.archive.store.upsert_many([record], sources=[source])
        report.outcomes[outcome.value] += 1
