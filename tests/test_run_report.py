"""The end-of-run report: the summary block, its health verdict, where both are stored
(``crawl_runs``), how ``scrapy archive stats`` shows them, and ``scrapy archive backup``."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from scrapy.cmdline import execute
from scrapy.settings import Settings

from beltacrawl.archive import Archive, schema_version
from beltacrawl.crawl.verdict import judge
from beltacrawl.crawl.walk import StopReason, WalkOutcome
from beltacrawl.summary import render_summary
from tests.crawling import run_crawl
from tests.test_archive import archive_at_version


def record(number: int) -> dict[str, Any]:
    return {
        "url": f"https://deu.belta.by/economics/view/x-{number}-2024/",
        "key": f"{number}-2024",
        "article_id": number,
        "article_year": 2024,
        "kind": "article",
        "title": f"T{number}",
        "body": f"B{number}",
        "content_hash": f"h{number}",
    }


def scrapy_archive(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    settings = Settings({"COMMANDS_MODULE": "beltacrawl.commands"})
    with pytest.raises(SystemExit) as exited:
        execute(["scrapy", "archive", *argv], settings=settings)
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "project"
    directory.mkdir()
    (directory / "scrapy.cfg").write_text("[settings]\ndefault = beltacrawl.settings\n")
    monkeypatch.chdir(directory)
    monkeypatch.delenv("SCRAPY_SETTINGS_MODULE", raising=False)
    return directory


# --- the summary block ------------------------------------------------------------------


def test_summary_has_duration_counts_stop_reasons_and_verdict() -> None:
    stats = {
        "elapsed_time_seconds": 4000.2,
        "belta/articles/failed": 2,
        "belta/article/problem/no_body": 1,
        "validation/dropped/url": 2,
        "validation/dropped/body": 1,
        "downloader/response_count": 57,
        "monitors/failed": ["Layout/first listing pages have entries: economics"],
    }
    walks = [
        WalkOutcome("all_news", StopReason.ARCHIVE_REACHED, 3, None),
        WalkOutcome("economics", StopReason.LISTING_FAILED, 1, None),
    ]
    lines = render_summary(stats, "finished", walks).splitlines()
    assert lines[0] == "beltacrawl run summary (finish reason: finished)"
    text = "\n".join(lines)
    assert re.search(r"^  duration +1:06:40$", text, re.MULTILINE)
    assert re.search(r"^  articles failed +2$", text, re.MULTILINE)
    assert re.search(r"^  article pages unusable +no_body 1$", text, re.MULTILINE)
    assert re.search(r"^  records dropped as invalid +3$", text, re.MULTILINE)
    assert re.search(r"^  pages fetched \(HTTP responses\) +57$", text, re.MULTILINE)
    assert re.search(r"^  walk all_news +3 page\(s\), stopped: archive_reached$", text, re.M)
    found = judge(stats, "finished", walks).problems
    assert len(found) == 2  # the failed monitor and the failed walk
    assert lines[-3:] == ["  verdict: PROBLEMS", *(f"    - {problem}" for problem in found)]
    # Every value starts in one column, however long its label.
    values = [line for line in lines[1:-3] if not line.startswith("  verdict")]
    assert all(line[40] == " " and line[41] != " " for line in values), values
    assert render_summary({}, "finished").splitlines()[-1] == "  verdict: ok"
    ctrl_c = render_summary({}, "shutdown").splitlines()[-1]
    assert ctrl_c == (
        "    - the run ended early (shutdown): stopped before its end (Ctrl-C or a signal); "
        "the next run catches up"
    )


def test_summary_says_why_listing_entries_were_not_taken() -> None:
    stats = {
        "belta/listing/entries": 40,
        "belta/listing/not_taken/forbidden": 2,
        "belta/listing/not_taken/unknown_url": 1,
        "belta/skipped/seen_in_walk": 4,
    }
    text = render_summary(stats, "finished")
    assert re.search(r"^  listing entries found +40$", text, re.MULTILINE)
    line = r"^  listing entries not taken +3 \(forbidden 2, unknown_url 1\)$"
    assert re.search(line, text, re.MULTILINE)
    assert re.search(r"^  skipped: listed again in the same walk +4$", text, re.MULTILINE)
    assert re.search(r"^  listing entries not taken +0$", render_summary({}, "x"), re.MULTILINE)
    assert text.splitlines()[-1] == "  verdict: ok"  # counted, not a problem


# --- crawl_runs -------------------------------------------------------------------------


@pytest.mark.slow
def test_a_crawl_stores_its_logged_summary_and_verdict(make_replica, tmp_path: Path) -> None:
    server = make_replica(articles=20)
    archive = tmp_path / "a.sqlite"
    result = run_crawl(server.base_url, tmp_path, archive=archive)
    assert result.returncode == 0, result.log[-3000:]
    with Archive.open(archive, readonly=True) as opened:
        (run,) = opened.ledger.recent_runs()
    assert (run.verdict, run.problems) == ("ok", [])
    assert run.summary is not None
    assert run.summary.startswith("beltacrawl run summary (finish reason: finished)")
    assert run.summary in result.log  # the very block that was logged
    assert f"records: new                           {len(result.records)}" in run.summary


def test_stats_lists_the_verdict_and_the_problems(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    path = project / "a.sqlite"
    with Archive.open(path) as archive:
        archive.store.upsert_many([record(1)])
        good = archive.ledger.start_run("belta", {})
        archive.ledger.finish_run(good, "finished", {"archive/new": 1}, problems=[], summary="S1")
        bad = archive.ledger.start_run("belta", {})
        problem = "listing economics: a listing page could not be fetched; the walk stopped there"
        archive.ledger.finish_run(bad, "finished", {}, problems=[problem], summary="S2")
        archive.ledger.start_run("belta", {})  # killed: never finished
    code, out, _ = scrapy_archive(capsys, "stats", "--archive", str(path))
    assert code == 0
    assert re.search(r"^ +1 +belta .* finished +1 +0 +0 +0 +ok$", out, re.MULTILINE)
    assert re.search(r"^ +2 +belta .* finished +0 +0 +0 +0 +problems$", out, re.MULTILINE)
    assert re.search(r"^ +3 +belta .* +-$", out, re.MULTILINE)
    assert f"  run 2: {problem}" in out
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT summary FROM crawl_runs WHERE id = 2").fetchone() == ("S2",)


def test_version_1_archive_gains_the_report_columns(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    with archive_at_version(path, 1) as old:
        old.db.conn.execute(  # a run recorded by beltacrawl with schema version 1
            "INSERT INTO crawl_runs (spider, started_at, finished_at, finish_reason)"
            " VALUES ('belta', '2026-11-01T10:00:00+00:00', '2026-11-01T10:05:00+00:00',"
            " 'finished')"
        )
    with Archive.open(path) as archive:
        assert archive.user_version() == schema_version()
        (old_run,) = archive.ledger.recent_runs()
        assert (old_run.finish_reason, old_run.verdict, old_run.summary) == ("finished", None, None)


# --- scrapy archive backup --------------------------------------------------------------


def test_backup_is_a_consistent_single_file_copy(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    path = project / "data" / "belta.sqlite"
    with Archive.open(path) as writer:
        writer.store.upsert_many([record(1), record(2)])
        # A crawl in the middle of a batch: the backup sees only committed articles.
        writer.db.conn.execute("BEGIN IMMEDIATE")
        writer.db.conn.execute("UPDATE articles SET title = 'uncommitted' WHERE key = '1-2024'")
        code, out, err = scrapy_archive(
            capsys, "backup", "backups/b.sqlite", "--archive", str(path)
        )
        writer.db.conn.execute("ROLLBACK")
    assert code == 0, err
    target = project / "backups" / "b.sqlite"
    assert out.strip() == f"backed up 2 articles from {path} to backups/b.sqlite"
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.sqlite"]  # no -wal, -shm
    with Archive.open(target, readonly=True) as copy:
        assert copy.store.count() == 2
        assert copy.queries.integrity_check() == []
        assert copy.queries.show("1-2024").article["title"] == "T1"

    code, _, err = scrapy_archive(capsys, "backup", str(target), "--archive", str(path))
    assert code == 1
    assert "already exists" in err
