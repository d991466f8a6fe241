"""``scrapy archive reextract``: the current parser over the pages the archive has kept.

For each article, its most recent page (``page_captures``) is read back from its WARC file
and extracted as the crawl extracts a fetched page (:mod:`beltacrawl.warc.extract`). A
record that comes out different from the current one, in any field but the fetch's own
(``fetched_at``, ``fetched_url``), becomes a new version with the reason ``reextract``; a
page without a record (a run stopped by layout drift) becomes one. A parser fix or a new
field reaches the whole archive without one request to the site.
"""

from __future__ import annotations

import logging
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from warcio.exceptions import ArchiveLoadFailed

from beltacrawl.archive.captures import REEXTRACT, Source
from beltacrawl.archive.columns import ARTICLE_FIELDS, KEPT_IF_MISSING
from beltacrawl.archive.history import current_record, replace_current
from beltacrawl.warc.files import stored_path
from beltacrawl.warc.records import StoredPage, read_page

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from beltacrawl.archive import Archive
    from beltacrawl.archive.captures import Capture, StoredCapture
    from beltacrawl.warc.extract import PageExtractor

logger = logging.getLogger(__name__)

#: Fields about the fetch, not the page: a difference there is no new reading of it.
FETCH_FIELDS = frozenset({"fetched_at", "fetched_url"})
COMPARED_FIELDS = tuple(f for f in ARTICLE_FIELDS if f not in FETCH_FIELDS)
#: What reading a stored record can raise on a damaged or missing file.
READ_ERRORS = (OSError, ValueError, EOFError, StopIteration, zlib.error, ArchiveLoadFailed)


@dataclass
class Problem:
    key: str
    url: str
    reason: str


@dataclass
class ReextractReport:
    pages: int = 0
    new: int = 0
    """Articles that had no record (their run stopped on layout drift, for one)."""
    updated: int = 0
    """New versions, with the reason ``reextract``."""
    unchanged: int = 0
    stale: int = 0
    """The archive holds a newer copy than the most recent page kept."""
    fields: Counter[str] = field(default_factory=Counter)
    """How many records changed in each field."""
    unreadable: list[Problem] = field(default_factory=list)
    """Pages the parser gives no valid record for (nothing stored)."""
    missing: list[Problem] = field(default_factory=list)
    """Pages whose WARC file or record could not be read."""


def changed_fields(stored: Mapping[str, Any], record: Mapping[str, Any]) -> list[str]:
    """The fields in which ``record`` differs from ``stored`` (a field that may be missing
    from a page keeps its stored value, as the store does).

    >>> changed_fields({"title": "A", "tags": ["x"], "lead": "L"},
    ...                {"title": "A", "tags": ["x", "y"], "lead": None})
    ['tags']
    """
    return [
        name
        for name in COMPARED_FIELDS
        if name in record
        and record[name] != stored.get(name)
        and not (record[name] is None and name in KEPT_IF_MISSING)
    ]


def read_capture(archive: Archive, capture: Capture) -> StoredPage:
    return read_page(stored_path(capture.warc_file, archive.path), capture.warc_offset)


class Reextraction:
    """One ``reextract`` over ``archive`` (opened for writing, its lock held)."""

    def __init__(self, archive: Archive, extractor: PageExtractor, *, dry_run: bool = False):
        self.archive = archive
        self.extractor = extractor
        self.dry_run = dry_run
        self.report = ReextractReport()

    def run(self, captures: Iterable[StoredCapture]) -> ReextractReport:
        for stored in captures:
            self.report.pages += 1
            self._one(stored)
        return self.report

    def _one(self, stored: StoredCapture) -> None:
        capture, report = stored.capture, self.report
        try:
            page = read_capture(self.archive, capture)
        except READ_ERRORS as exc:
            logger.error(
                "%s: page %s unreadable in %s: %r", capture.key, capture.url, capture.warc_file, exc
            )
            report.missing.append(Problem(capture.key, capture.url, f"{type(exc).__name__}: {exc}"))
            return
        extraction = self.extractor.extract(page.response, page.entry, any_host=True)
        record = extraction.record
        if record is None:
            logger.info("%s: %s — %s", capture.key, capture.url, extraction.problem)
            report.unreadable.append(Problem(capture.key, capture.url, str(extraction.problem)))
            return
        source = Source(stored.id, REEXTRACT)
        current = current_record(self.archive.db, capture.key)
        if current is None:
            report.new += 1
            if not self.dry_run:
                self.archive.store.upsert_many([record], sources=[source])
            return
        if (current.get("fetched_at") or "") > (record.get("fetched_at") or ""):
            report.stale += 1
            return
        changed = changed_fields(current, record)
        if not changed:
            report.unchanged += 1
            return
        report.updated += 1
        report.fields.update(changed)
        if not self.dry_run:
            replace_current(self.archive.db, record, source)
