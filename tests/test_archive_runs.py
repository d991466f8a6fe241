"""The SQLite archive during crawls: failures, concurrent readers, run rows, the run lock."""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from beltacrawl.archive import (
    Archive,
    ArchiveLock,
    ArchiveLocked,
)
from tests.archiving import insert, record

ROOT = Path(__file__).resolve().parents[1]


# --- failures -----------------------------------------------------------------------------


def test_failures_are_counted_and_cleared_by_success(archive: Archive) -> None:
    url = record(1)["url"]
    archive.ledger.record_failure(url, "1-2024", "HTTP 503")
    archive.ledger.record_failure(url, "1-2024", "timeout")
    archive.ledger.record_failure("https://deu.belta.by/x/view/y-2-2024/", "2-2024", "HTTP 404")
    failures = {f.key: f for f in archive.ledger.failures()}
    assert failures["1-2024"].attempts == 2
    assert failures["1-2024"].reason == "timeout"
    assert failures["2-2024"].attempts == 1

    archive.store.upsert_many([record(1)])
    assert [f.key for f in archive.ledger.failures()] == ["2-2024"]


def test_failure_recorded_from_another_connection_during_a_write(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    with Archive.open(path) as writer, Archive.open(path) as spider_handle:
        started = threading.Event()

        def hold_write_lock() -> None:
            with writer.db.transaction() as conn:
                insert(conn, record(1))
                started.set()
                time.sleep(0.3)

        thread = threading.Thread(target=hold_write_lock)
        # sqlite3 connections are bound to their thread unless told otherwise.
        writer.db.conn.close()
        writer.db.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        writer.db.conn.row_factory = sqlite3.Row
        thread.start()
        assert started.wait(5)
        spider_handle.ledger.record_failure(
            "https://deu.belta.by/a/view/b-9-2024/", "9-2024", "503"
        )
        thread.join()
        assert [f.key for f in spider_handle.ledger.failures()] == ["9-2024"]
        assert spider_handle.store.count() == 1


# --- concurrency --------------------------------------------------------------------------


def test_reader_is_not_blocked_by_an_open_write_batch(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    with Archive.open(path) as writer:
        writer.store.upsert_many([record(1)])
        with Archive.open(path, readonly=True) as reader:
            with writer.db.transaction() as conn:
                for n in range(2, 50):
                    insert(conn, record(n))
                # The reader sees the last committed state, at once, without waiting.
                begun = time.monotonic()
                assert reader.store.count() == 1
                assert list(reader.store.lookup(["1-2024", "2-2024"])) == ["1-2024"]
                assert [h.key for h in reader.queries.search("Titel")] == ["1-2024"]
                assert time.monotonic() - begun < 1
            assert reader.store.count() == 49


def test_integrity_check(archive: Archive) -> None:
    archive.store.upsert_many([record(n) for n in range(1, 20)])
    archive.store.upsert_many([record(3, body="geändert", content_hash="x")])
    archive.ledger.record_failure("https://deu.belta.by/a/view/b-99-2024/", "99-2024", "503")
    assert archive.queries.integrity_check() == []


# --- runs ---------------------------------------------------------------------------------


def test_runs(archive: Archive) -> None:
    first = archive.ledger.start_run("belta", {"mode": "full", "rubrics": ("economics", "sport")})
    archive.ledger.record_failure("https://deu.belta.by/a/view/b-9-2024/", "9-2024", "HTTP 500")
    stats = {
        "archive/new": 3,
        "archive/updated": 1,
        "archive/unchanged": 2,
        "start_time": date(2026, 11, 28),
    }
    archive.ledger.finish_run(first, "finished", stats)
    second = archive.ledger.start_run("belta", {})
    runs = archive.ledger.recent_runs(5)
    assert [r.id for r in runs] == [second, first]
    done = runs[1]
    assert done.arguments == {"mode": "full", "rubrics": ["economics", "sport"]}
    assert done.finish_reason == "finished"
    assert (done.new, done.updated, done.unchanged, done.failed) == (3, 1, 2, 1)
    assert done.stats is not None
    assert done.stats["start_time"] == "2026-11-28"
    assert done.finished_at is not None
    assert runs[0].finished_at is None


def test_run_arguments_may_be_a_dataclass(archive: Archive) -> None:
    @dataclasses.dataclass
    class Arguments:
        mode: str = "incremental"
        since: date | None = date(2024, 1, 1)

    archive.ledger.start_run("belta", Arguments())
    assert archive.ledger.recent_runs(1)[0].arguments == {
        "mode": "incremental",
        "since": "2024-01-01",
    }


# --- the run lock -------------------------------------------------------------------------


def test_lock_refuses_a_second_holder(archive: Archive) -> None:
    with archive.lock() as held:
        assert held.held
        with pytest.raises(ArchiveLocked) as refused:
            archive.lock()
        assert refused.value.pid is not None
        assert str(archive.lock_path) in str(refused.value)
        assert f"process {refused.value.pid}" in str(refused.value)
    # Released: the next crawl may take it.
    archive.lock().release()


def test_lock_held_by_another_process(archive: Archive) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from beltacrawl.archive import ArchiveLock\n"
            "from pathlib import Path\n"
            "ArchiveLock(Path(sys.argv[1])).acquire()\n"
            "print('held', flush=True)\n"
            "time.sleep(30)\n",
            str(archive.lock_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ArchiveLocked, match=f"process {holder.pid}"):
            archive.lock()
    finally:
        holder.kill()
        holder.wait()
    # The kernel releases the lock of a process that died.
    archive.lock().release()


def test_lock_release_is_idempotent(tmp_path: Path) -> None:
    lock = ArchiveLock(tmp_path / "x.lock")
    with lock:
        lock.acquire()  # already held: no-op
    lock.release()
    assert not lock.held
