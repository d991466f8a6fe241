"""The archive's listing coverage: where an incremental walk may stop early."""

from __future__ import annotations

from beltacrawl.archive import Archive

DAY = "2024-01-0{}T12:00:00+03:00"


def test_overlapping_stretches_join(tmp_path):
    with Archive.open(tmp_path / "a.sqlite") as archive:
        assert archive.coverage("all_news") is None
        archive.extend_coverage("all_news", DAY.format(1), DAY.format(3))
        archive.extend_coverage("all_news", DAY.format(3), DAY.format(5))
        assert archive.coverage("all_news") == (DAY.format(1), DAY.format(5))
        archive.extend_coverage("all_news", DAY.format(2), DAY.format(4))
        assert archive.coverage("all_news") == (DAY.format(1), DAY.format(5))


def test_a_stretch_apart_is_not_recorded(tmp_path):
    """A newer stretch with an unwalked gap below it must not become the coverage: the
    next run would stop inside it and never walk the gap."""
    with Archive.open(tmp_path / "a.sqlite") as archive:
        archive.extend_coverage("all_news", DAY.format(1), DAY.format(2))
        archive.extend_coverage("all_news", DAY.format(5), DAY.format(7))
        assert archive.coverage("all_news") == (DAY.format(1), DAY.format(2))


def test_listings_are_covered_separately(tmp_path):
    with Archive.open(tmp_path / "a.sqlite") as archive:
        archive.extend_coverage("economics", DAY.format(1), DAY.format(2))
        assert archive.coverage("all_news") is None
        assert archive.coverage("economics") == (DAY.format(1), DAY.format(2))
