"""What the crawls did: their runs, the fetches that failed, the listing stretches covered."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from beltacrawl.archive.database import utc_now

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from beltacrawl.archive.database import Database


@dataclass(frozen=True, slots=True)
class FailureRecord:
    """A URL whose last fetch failed; the next run fetches it again."""

    url: str
    key: str | None
    reason: str
    failed_at: str
    attempts: int


class WalkRecord(Protocol):
    """What the ledger records of a listing walk (``beltacrawl.crawl.walk.WalkOutcome``)."""

    listing: str
    keep: tuple[str, ...]
    stop_reason: Any
    pages: int
    deepest_page: int
    oldest: datetime | None
    since: datetime | None
    since_reached: bool | None


@dataclass(frozen=True, slots=True)
class ListingReach:
    """How far back one listing's walks reached (``crawl_run_listings``)."""

    listing: str
    """``all_news`` or a rubric; ``all_news for economics`` when it kept a rubric's entries."""
    deepest_page: int
    oldest_listed: str | None
    """The oldest listed time any walk saw, ISO 8601 (Minsk)."""
    runs: int
    last_run: int
    last_deepest_page: int
    last_oldest_listed: str | None
    last_stop_reason: str | None
    last_since: str | None
    last_since_reached: bool | None


@dataclass(frozen=True, slots=True)
class CrawlRun:
    """One crawl run as recorded in ``crawl_runs``."""

    id: int
    spider: str
    started_at: str
    finished_at: str | None
    arguments: dict[str, Any]
    stats: dict[str, Any] | None
    finish_reason: str | None
    new: int | None
    updated: int | None
    unchanged: int | None
    failed: int | None
    verdict: str | None = None
    """Health verdict: ``ok``, ``problems`` (listed in ``problems``), or ``None`` when the
    run was not closed (killed) or predates schema version 2."""
    problems: list[str] = dataclasses.field(default_factory=list)
    summary: str | None = None
    """The end-of-run summary block, as logged."""


class Ledger:
    """Crawl runs, failures and listing coverage of one archive."""

    def __init__(self, database: Database) -> None:
        self._db = database

    # - failures -------------------------------------------------------------------------

    def record_failure(self, url: str, key: str | None, reason: str) -> int:
        """Remember that fetching ``url`` failed; a later success of ``key`` clears it.
        Returns how often it has failed now.

        One entry per article: an entry of the same key under another spelling of its URL
        (a link read with stray whitespace, or under another slug) is taken over with its
        attempts, so that it is given up in time instead of being retried for ever.
        """
        with self._db.transaction() as conn:
            earlier = 0
            if key is not None:
                earlier = conn.execute(
                    "SELECT coalesce(sum(attempts), 0) FROM failures WHERE key = ? AND url <> ?",
                    (key, url),
                ).fetchone()[0]
                conn.execute("DELETE FROM failures WHERE key = ? AND url <> ?", (key, url))
            (attempts,) = conn.execute(
                "INSERT INTO failures (url, key, reason, failed_at, attempts)"
                " VALUES (?, ?, ?, ?, 1 + ?)"
                " ON CONFLICT (url) DO UPDATE SET key = coalesce(excluded.key, key),"
                " reason = excluded.reason, failed_at = excluded.failed_at,"
                " attempts = attempts + excluded.attempts RETURNING attempts",
                (url, key, reason, utc_now(), earlier),
            ).fetchone()
        return int(attempts)

    def forget_failure(self, url: str, key: str | None) -> None:
        """Drop the entries of ``key`` (under any URL) and of ``url``."""
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM failures WHERE key = ? OR url = ?", (key, url))

    def failures(self) -> list[FailureRecord]:
        """Open failures, oldest first."""
        rows = self._db.conn.execute(
            "SELECT url, key, reason, failed_at, attempts FROM failures ORDER BY failed_at, url"
        )
        return [FailureRecord(**dict(row)) for row in rows]

    # - listing coverage -----------------------------------------------------------------

    def coverage(self, listing: str) -> tuple[datetime, datetime] | None:
        """``(oldest, newest)`` listed times between which a finished walk of ``listing``
        archived every entry (or recorded it as failed), or ``None``.

        Incremental runs stop early only inside this stretch: a run killed half-way never
        extends it, so the next run walks on until it has caught up.
        """
        row = self._db.conn.execute(
            "SELECT oldest, newest FROM listing_coverage WHERE listing = ?", (listing,)
        ).fetchone()
        if row is None:
            return None
        return datetime.fromisoformat(row["oldest"]), datetime.fromisoformat(row["newest"])

    def extend_coverage(self, listing: str, oldest: datetime, newest: datetime) -> None:
        """Add a walked stretch; it joins the stored one when the two overlap. A stretch
        apart from the stored one is not recorded: the unwalked gap between them must keep
        later runs walking until they have reached the stored stretch."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT oldest, newest FROM listing_coverage WHERE listing = ?", (listing,)
            ).fetchone()
            if row is not None:
                stored_oldest = datetime.fromisoformat(row["oldest"])
                stored_newest = datetime.fromisoformat(row["newest"])
                if oldest > stored_newest or newest < stored_oldest:
                    return
                oldest, newest = min(oldest, stored_oldest), max(newest, stored_newest)
            conn.execute(
                "INSERT INTO listing_coverage (listing, oldest, newest, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (listing) DO UPDATE SET"
                " oldest = excluded.oldest, newest = excluded.newest,"
                " updated_at = excluded.updated_at",
                (
                    listing,
                    oldest.isoformat(timespec="seconds"),
                    newest.isoformat(timespec="seconds"),
                    utc_now(),
                ),
            )

    # - crawl runs -----------------------------------------------------------------------

    def start_run(self, spider: str, arguments: Mapping[str, Any] | Any) -> int:
        """Record the start of a crawl run with its arguments (a mapping or a dataclass)."""
        if dataclasses.is_dataclass(arguments) and not isinstance(arguments, type):
            arguments = dataclasses.asdict(arguments)
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO crawl_runs (spider, started_at, arguments) VALUES (?, ?, ?)",
                (spider, utc_now(), _dumps(dict(arguments or {}))),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_run(
        self,
        run_id: int,
        finish_reason: str,
        stats: Mapping[str, Any],
        *,
        problems: Sequence[str] | None = None,
        summary: str | None = None,
    ) -> None:
        """Close a run: its reason, its stats, and counts from the ``archive/*`` stats.

        ``failed`` counts the failures recorded during the run and still open at its end.
        ``problems`` (the run's verdict, see :mod:`beltacrawl.crawl.verdict`) sets the
        verdict: ``ok`` when empty, ``problems`` otherwise; ``summary`` is the logged block.
        """
        now = utc_now()
        verdict = None if problems is None else ("problems" if problems else "ok")
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE crawl_runs SET finished_at = :now, finish_reason = :reason,"
                " stats = :stats, new_count = :new, updated_count = :updated,"
                " unchanged_count = :unchanged, verdict = :verdict, problems = :problems,"
                " summary = :summary,"
                " failed_count = (SELECT count(*) FROM failures"
                "   WHERE failed_at >= crawl_runs.started_at AND failed_at <= :now)"
                " WHERE id = :id",
                {
                    "now": now,
                    "reason": finish_reason,
                    "stats": _dumps(dict(stats)),
                    "new": int(stats.get("archive/new", 0)),
                    "updated": int(stats.get("archive/updated", 0)),
                    "unchanged": int(stats.get("archive/unchanged", 0)),
                    "verdict": verdict,
                    "problems": None if problems is None else _dumps(list(problems)),
                    "summary": summary,
                    "id": run_id,
                },
            )

    def record_walks(self, run_id: int, walks: Iterable[WalkRecord]) -> None:
        """Record how far back each listing walk of a run reached."""
        rows = [
            (
                run_id,
                walk.listing,
                ",".join(walk.keep),
                str(walk.stop_reason) if walk.stop_reason is not None else None,
                walk.pages,
                walk.deepest_page,
                walk.oldest.isoformat(timespec="seconds") if walk.oldest else None,
                walk.since.isoformat(timespec="seconds") if walk.since else None,
                None if walk.since_reached is None else int(walk.since_reached),
            )
            for walk in walks
        ]
        with self._db.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO crawl_run_listings (run_id, listing, kept, stop_reason,"
                " pages, deepest_page, oldest_listed, since, since_reached)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def listing_reach(self) -> list[ListingReach]:
        """Per listing walked: the deepest page and oldest listed time any run reached,
        and what the last run that walked it reached."""
        rows = self._db.conn.execute(
            "SELECT listing, kept, max(deepest_page) AS deepest, min(oldest_listed) AS oldest,"
            " count(*) AS runs, max(run_id) AS last_run FROM crawl_run_listings"
            " GROUP BY listing, kept ORDER BY listing, kept"
        ).fetchall()
        reach = []
        for row in rows:
            last = self._db.conn.execute(
                "SELECT * FROM crawl_run_listings WHERE run_id = ? AND listing = ? AND kept = ?",
                (row["last_run"], row["listing"], row["kept"]),
            ).fetchone()
            name = f"{row['listing']} for {row['kept']}" if row["kept"] else row["listing"]
            reached = last["since_reached"]
            reach.append(
                ListingReach(
                    listing=name.replace(",", ", "),
                    deepest_page=row["deepest"],
                    oldest_listed=row["oldest"],
                    runs=row["runs"],
                    last_run=row["last_run"],
                    last_deepest_page=last["deepest_page"],
                    last_oldest_listed=last["oldest_listed"],
                    last_stop_reason=last["stop_reason"],
                    last_since=last["since"],
                    last_since_reached=None if reached is None else bool(reached),
                )
            )
        return reach

    def recent_runs(self, limit: int = 10) -> list[CrawlRun]:
        """The last ``limit`` runs, newest first."""
        rows = self._db.conn.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT ?", (limit,))
        return [
            CrawlRun(
                id=row["id"],
                spider=row["spider"],
                started_at=row["started_at"],
                finished_at=row["finished_at"],
                arguments=json.loads(row["arguments"] or "{}"),
                stats=json.loads(row["stats"]) if row["stats"] else None,
                finish_reason=row["finish_reason"],
                new=row["new_count"],
                updated=row["updated_count"],
                unchanged=row["unchanged_count"],
                failed=row["failed_count"],
                verdict=row["verdict"],
                problems=json.loads(row["problems"]) if row["problems"] else [],
                summary=row["summary"],
            )
            for row in rows
        ]


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default, sort_keys=True)
