"""An archive that cannot be written, a damaged one, a write lock held at the
end of a run, hostile stored text and hostile searches (tests/archive_faults.py)."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from pathlib import Path

import pytest

from beltacrawl import keeper as keeper_module
from beltacrawl.archive import Archive, ArchiveError
from beltacrawl.archive import database as archive_database
from beltacrawl.archive.errors import ArchiveDamaged
from beltacrawl.archive.queries import MAX_QUERY_LENGTH
from beltacrawl.keeper import keeper_of
from tests.archive_faults import CannotMakeReadOnly, damage, read_only
from tests.crawling import run_crawl
from tests.test_archive_command import article, project, scrapy_archive  # noqa: F401
from tests.test_pipelines import KEEPER, make_crawler
from tests.test_text_safety import controls

# --- helpers ------------------------------------------------------------------------------


def crawled_archive(server, tmp_path: Path) -> Path:
    """An archive a finished crawl of ``server`` wrote, at ``tmp_path/store/archive.sqlite``."""
    path = tmp_path / "store" / "archive.sqlite"
    result = run_crawl(server.base_url, tmp_path, archive=path)
    assert result.returncode == 0, result.log[-3000:]
    return path


def assert_refused(result, server, requests_before: int, *phrases: str) -> None:
    """Exit 1, finish reason ``archive_unavailable``, nothing fetched, one clear line."""
    assert result.returncode == 1
    assert result.stat("finish_reason") == "archive_unavailable"
    assert len(server.requests) == requests_before  # not even robots.txt
    assert "Traceback" not in result.log
    errors = [line for line in result.log.splitlines() if "[beltacrawl.keeper] ERROR" in line]
    assert len(errors) == 1, errors
    for phrase in phrases:
        assert phrase in errors[0], errors[0]


# --- an archive that cannot be written ------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("what", ["file", "directory"])
def test_an_unwritable_archive_stops_the_crawl_before_any_request(
    make_replica, tmp_path: Path, what: str
) -> None:
    server = make_replica(articles=5, samples=False)
    path = crawled_archive(server, tmp_path)
    before = len(server.requests)
    try:
        with read_only(path if what == "file" else path.parent):
            result = run_crawl(server.base_url, tmp_path, archive=path)
    except CannotMakeReadOnly as exc:
        pytest.skip(str(exc))
    cause = "the file is read-only" if what == "file" else f"the directory {path.parent} is not"
    assert_refused(result, server, before, f"cannot write the archive {path}", cause)
    with Archive.open(path, readonly=True) as archive:  # nothing was written
        assert [run.finish_reason for run in archive.ledger.recent_runs()] == ["finished"]


# --- a damaged archive ----------------------------------------------------------------------


@pytest.mark.slow
def test_a_damaged_archive_is_refused_before_any_request(make_replica, tmp_path: Path) -> None:
    server = make_replica(articles=5, samples=False)
    path = crawled_archive(server, tmp_path)
    damage(path)
    with pytest.raises(ArchiveDamaged, match=r"is damaged \(.+\); not writing to it"):
        Archive.open(path)
    before = len(server.requests)
    result = run_crawl(server.base_url, tmp_path, archive=path)
    assert_refused(result, server, before, f"archive {path} is damaged", "scrapy archive backup")


@pytest.mark.usefixtures("project")
def test_archive_commands_on_a_damaged_archive_print_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "belta.sqlite"
    with Archive.open(path) as archive:
        archive.store.upsert_many([article(n, content_hash=f"h{n}") for n in range(1, 40)])
    damage(path)
    for argv in (["stats"], ["export"], ["search", "Absatz"], ["show", "3-2024"]):
        code, _, err = scrapy_archive(capsys, *argv, archive=path)
        assert code == 1, argv
        assert "Traceback" not in err
        assert err.count("\n") == 1, err
        assert err.startswith(f"scrapy archive: error: cannot read the archive {path} (")
        assert "docs/operations.md" in err
    # A backup, the first step of a recovery, still works.
    code, _, _ = scrapy_archive(capsys, "backup", str(tmp_path / "copy.sqlite"), archive=path)
    assert code == 0 and (tmp_path / "copy.sqlite").exists()


# --- another process holds the write lock when the run ends ---------------------------------


@pytest.fixture
def impatient(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive_database, "BUSY_TIMEOUT_MS", 20)
    monkeypatch.setattr(keeper_module, "CLOSE_RETRY_SECONDS", 0.01)


@pytest.mark.usefixtures("impatient")
def test_a_write_lock_held_at_close_is_waited_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "belta.sqlite"
    crawler = make_crawler({**KEEPER, "BELTA_ARCHIVE": str(path)})
    keeper = keeper_of(crawler)
    keeper.spider_opened(crawler.spider)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    pauses: list[float] = []

    async def let_go(seconds: float) -> None:  # the other process ends its transaction
        pauses.append(seconds)
        blocker.execute("COMMIT")

    monkeypatch.setattr(keeper_module, "sleep", let_go)
    asyncio.run(keeper.spider_closed(crawler.spider, "finished"))  # no exception
    assert pauses == [0.01]
    assert keeper.exit_status() == 0
    with Archive.open(path, readonly=True) as archive:
        (run,) = archive.ledger.recent_runs()
        assert (run.finish_reason, run.verdict) == ("finished", "ok")
    blocker.close()


@pytest.mark.usefixtures("impatient")
def test_a_write_lock_held_for_good_at_close_is_a_clear_problem(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "belta.sqlite"
    crawler = make_crawler({**KEEPER, "BELTA_ARCHIVE": str(path)})
    keeper = keeper_of(crawler)
    keeper.spider_opened(crawler.spider)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    with caplog.at_level(logging.INFO):
        asyncio.run(keeper.spider_closed(crawler.spider, "finished"))  # no exception
    blocker.execute("ROLLBACK")
    assert keeper.exit_status() == 1
    assert keeper.verdict is not None
    assert "the run's end could not be recorded in the archive" in keeper.verdict.problems[-1]
    assert "database is locked" in caplog.text
    # The summary, logged last, gives the verdict the exit status follows.
    summary = caplog.records[-1].getMessage()
    assert "verdict: PROBLEMS" in summary
    assert "the run's end could not be recorded in the archive" in summary
    # The lock is released: the next crawl can open the archive.
    blocker.close()
    following = keeper_of(make_crawler({**KEEPER, "BELTA_ARCHIVE": str(path)}))
    following.spider_opened(crawler.spider)
    asyncio.run(following.spider_closed(crawler.spider, "finished"))
    assert following.exit_status() == 0


# --- what the archive commands print ----------------------------------------------------------


HOSTILE = "Zölle\x1b]0;pwned\x07 gesenkt\x1b[2J\x9b31m\x00\x7f"


@pytest.mark.usefixtures("project")
def test_archive_commands_never_print_a_control_character(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "belta.sqlite"
    with Archive.open(path) as archive:  # written past the loader, as an old version might
        archive.store.upsert_many(
            [article(1, title=HOSTILE, body=f"Absatz {HOSTILE}.\n\nZweiter Absatz.")]
        )
    for argv in (["stats"], ["search", "gesenkt"], ["show", "1-2024"]):
        code, out, _ = scrapy_archive(capsys, *argv, archive=path)
        assert code == 0, argv
        assert not controls(out), (argv, out)
        assert "\\x1b]0;pwned\\x07" in out  # shown, not obeyed
    code, out, _ = scrapy_archive(capsys, "show", "1-2024", "--json", archive=path)
    assert code == 0 and not controls(out)
    assert json.loads(out)["article"]["title"] == HOSTILE  # still valid JSON, same text


# --- searches that would never end ------------------------------------------------------------


@pytest.mark.usefixtures("project")
def test_search_bounds_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "belta.sqlite"
    with Archive.open(path) as archive:
        archive.store.upsert_many([article(n, content_hash=f"h{n}") for n in range(1, 12)])
    huge = ["search", "Absatz", "--limit", "99999999999999999999"]
    endless = ["search", "--raw", " OR ".join(["a*"] * 20_000)]
    for argv, message in ((huge, "search limit"), (endless, "search query too long")):
        code, out, err = scrapy_archive(capsys, *argv, archive=path)
        assert code == 1 and out == ""
        assert "Traceback" not in err and err.count("\n") == 1
        assert err.startswith(f"scrapy archive: error: {message}")
    assert len(" OR ".join(["a*"] * 20_000)) > MAX_QUERY_LENGTH


def test_a_search_over_its_time_is_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "belta.sqlite"
    with Archive.open(path) as archive:
        archive.store.upsert_many([article(n, content_hash=f"h{n}") for n in range(1, 12)])
    query = " OR ".join(["a*"] * 300)
    with Archive.open(path, readonly=True) as archive:
        assert archive.queries.search(query, 5, raw=True)  # in time: answered
        with pytest.raises(ArchiveError, match="search stopped after 0 s"):
            archive.queries.search(query, 5, raw=True, seconds=0)
        assert archive.queries.search("Absatz", 5)  # the next search runs normally
