"""A crawl killed with SIGKILL at any moment: the archive stays consistent, and the next
run completes it with nothing lost and nothing duplicated."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time

import pytest

from beltacrawl.archive import Archive
from tests.crawling import REPO, crawl_command, run_crawl

pytestmark = pytest.mark.reliability


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_kill_9_at_a_random_moment_loses_nothing(make_replica, tmp_path, seed):
    server = make_replica(articles=120, samples=False, seed=seed)
    archive_path = tmp_path / "archive.sqlite"
    # Slow enough that the kill lands mid-crawl: listing walk, article writes, batches.
    slow = {"DOWNLOAD_DELAY": "0.01", "CONCURRENT_REQUESTS": "4", "BELTA_ARCHIVE_BATCH_SIZE": "7"}
    command = crawl_command(
        server.base_url, tmp_path / "killed.jsonl", archive=archive_path, settings=slow
    )
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    # Wait for the crawl to be under way, then kill it at a seeded moment.
    deadline = time.monotonic() + 60
    while len(server.requests) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(random.Random(seed).uniform(0.0, 1.0))
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    stored_before = 0
    if archive_path.exists():
        connection = sqlite3.connect(archive_path)
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored_before = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
        connection.close()
    assert stored_before < 120, "the kill came after the crawl had finished"

    after = run_crawl(server.base_url, tmp_path, archive=archive_path)
    assert after.returncode == 0, after.log[-3000:]
    with Archive.open(archive_path) as archive:
        assert archive.queries.integrity_check() == []
        assert archive.store.count() == 120
        stored = {record["key"]: record for record in archive.queries.iter_articles()}
    assert set(stored) == set(server.model.keys())
    for key, record in stored.items():
        truth = server.model.expected_record(key)
        assert (record["title"], record["body"], record["published_at"]) == (
            truth["title"],
            truth["body"],
            truth["published_at"],
        )


def test_a_paused_backfill_resumes_with_jobdir(make_replica, tmp_path):
    server = make_replica(articles=100, samples=False)
    job = {"JOBDIR": str(tmp_path / "job"), "CONCURRENT_REQUESTS": "2"}
    # CLOSESPIDER_PAGECOUNT pauses the crawl the way Ctrl-C does: a clean shutdown.
    first = run_crawl(server.base_url, tmp_path, settings={**job, "CLOSESPIDER_PAGECOUNT": "40"})
    assert 0 < len(first.records) < 100
    second = run_crawl(server.base_url, tmp_path, settings=job)
    assert second.returncode == 0, second.log[-3000:]
    keys = first.keys() + second.keys()
    assert sorted(keys) == sorted(server.model.keys())
    assert "resuming the paused crawl" in second.log
