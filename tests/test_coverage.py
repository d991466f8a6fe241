"""The archive's listing coverage: where an incremental walk may stop early."""

from __future__ import annotations

from datetime import datetime

from beltacrawl.archive import Archive
from beltacrawl.site.dates import MINSK


def day(number: int) -> datetime:
    return datetime(2024, 1, number, 12, tzinfo=MINSK)


def test_overlapping_stretches_join(tmp_path):
    with Archive.open(tmp_path / "a.sqlite") as archive:
        assert archive.ledger.coverage("all_news") is None
        archive.ledger.extend_coverage("all_news", day(1), day(3))
        archive.ledger.extend_coverage("all_news", day(3), day(5))
        assert archive.ledger.coverage("all_news") == (day(1), day(5))
        archive.ledger.extend_coverage("all_news", day(2), day(4))
        assert archive.ledger.coverage("all_news") == (day(1), day(5))


def test_a_stretch_apart_is_not_recorded(tmp_path):
    """A newer stretch with an unwalked gap below it must not become the coverage: the
    next run would stop inside it and never walk the gap."""
    with Archive.open(tmp_path / "a.sqlite") as archive:
        archive.ledger.extend_coverage("all_news", day(1), day(2))
        archive.ledger.extend_coverage("all_news", day(5), day(7))
        assert archive.ledger.coverage("all_news") == (day(1), day(2))


def test_listings_are_covered_separately(tmp_path):
    with Archive.open(tmp_path / "a.sqlite") as archive:
        archive.ledger.extend_coverage("economics", day(1), day(2))
        assert archive.ledger.coverage("all_news") is None
        assert archive.ledger.coverage("economics") == (day(1), day(2))
