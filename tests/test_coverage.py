"""The archive's listing coverage: where an incremental walk may stop early."""

from __future__ import annotations

from beltacrawl.archive import Archive
from beltacrawl.spiders.belta import ListingWalk

DAY = "2024-01-0{}T12:00:00+03:00"


def test_overlapping_stretches_join(tmp_path):
    with Archive.open(tmp_path / "a.sqlite") as archive:
        assert archive.ledger.coverage("all_news") is None
        archive.ledger.extend_coverage("all_news", DAY.format(1), DAY.format(3))
        archive.ledger.extend_coverage("all_news", DAY.format(3), DAY.format(5))
        assert archive.ledger.coverage("all_news") == (DAY.format(1), DAY.format(5))
        archive.ledger.extend_coverage("all_news", DAY.format(2), DAY.format(4))
        assert archive.ledger.coverage("all_news") == (DAY.format(1), DAY.format(5))


def test_a_stretch_apart_is_not_recorded(tmp_path):
    """A newer stretch with an unwalked gap below it must not become the coverage: the
    next run would stop inside it and never walk the gap."""
    with Archive.open(tmp_path / "a.sqlite") as archive:
        archive.ledger.extend_coverage("all_news", DAY.format(1), DAY.format(2))
        archive.ledger.extend_coverage("all_news", DAY.format(5), DAY.format(7))
        assert archive.ledger.coverage("all_news") == (DAY.format(1), DAY.format(2))


def test_listings_are_covered_separately(tmp_path):
    with Archive.open(tmp_path / "a.sqlite") as archive:
        archive.ledger.extend_coverage("economics", DAY.format(1), DAY.format(2))
        assert archive.ledger.coverage("all_news") is None
        assert archive.ledger.coverage("economics") == (DAY.format(1), DAY.format(2))


def test_a_walk_covers_from_its_last_entry_to_its_newest():
    """Undated entries count with the archive's publication time; an old article listed
    again higher up does not stretch the walk's coverage back to its date."""
    walk = ListingWalk("all_news")
    walk.handled(None, None)  # a new undated entry: no time known
    walk.handled(None, DAY.format(9))
    walk.handled(None, DAY.format(1))  # an old article listed again
    walk.handled(None, DAY.format(8))
    walk.handled(None, DAY.format(7))
    assert (walk.oldest_handled, walk.newest_handled) == (DAY.format(7), DAY.format(9))
    walk.handled(DAY.format(6), None)
    walk.handled(DAY.format(5), DAY.format(4))  # listed time wins over the archive's
    assert (walk.oldest_handled, walk.newest_handled) == (DAY.format(5), DAY.format(9))
    dated = ListingWalk("economics")
    for day in (5, 3, 4):  # listed times, slightly out of order
        dated.handled(DAY.format(day))
    assert (dated.oldest_handled, dated.newest_handled) == (DAY.format(3), DAY.format(5))
