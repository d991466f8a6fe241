"""Scrapy's other commands on the ``belta`` spider: ``check`` runs its contracts against
the replica, ``parse`` routes a bare URL, and neither they nor ``shell`` touch the archive."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from beltacrawl.archive import Archive
from tests.crawling import REPO

#: Each test runs real crawls (subprocesses): the quick subset leaves them out.
pytestmark = pytest.mark.slow

SAMPLE = "66060-2024"


def scrapy(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_check_runs_the_contracts_against_the_replica(replica, tmp_path: Path) -> None:
    archive = tmp_path / "belta.sqlite"
    done = scrapy("check", "belta", "-s", f"BELTA_BASE_URL={replica.base_url}",
                  "-s", f"BELTA_ARCHIVE={archive}")  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Ran 3 contracts" in done.stderr
    assert done.stderr.rstrip().endswith("OK")
    assert not archive.exists()  # only `scrapy crawl` opens the archive


def test_parse_without_a_callback_routes_by_url(replica, tmp_path: Path) -> None:
    archive = tmp_path / "belta.sqlite"
    live = replica.model.expected_record(SAMPLE)["url"]  # https://deu.belta.by/…
    done = scrapy("parse", "--spider", "belta", "-s", f"BELTA_BASE_URL={replica.base_url}",
                  "-s", f"BELTA_ARCHIVE={archive}", live)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"fetching {live} from BELTA_BASE_URL: {replica.base_url}/" in done.stderr
    assert "NotImplementedError" not in done.stderr
    items = done.stdout.split("# Scraped Items", 1)[1].split("# Requests", 1)[0]
    assert f"'key': '{SAMPLE}'" in items
    listing = scrapy("parse", "--spider", "belta", "-s", f"BELTA_BASE_URL={replica.base_url}",
                     "-s", f"BELTA_ARCHIVE={archive}", f"{replica.base_url}/all_news/")  # fmt: skip
    assert listing.returncode == 0, listing.stderr[-3000:]
    requests = listing.stdout.split("# Requests", 1)[1]
    assert "/view/" in requests and "/all_news/page/2/" in requests
    assert not archive.exists()


def test_shell_neither_locks_nor_records(replica, tmp_path: Path) -> None:
    archive = tmp_path / "belta.sqlite"
    Archive.open(archive).close()
    done = scrapy("shell", "--spider", "belta", f"{replica.base_url}/all_news/",
                  "-c", "response.status", "-s", f"BELTA_BASE_URL={replica.base_url}",
                  "-s", f"BELTA_ARCHIVE={archive}")  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "200"
    with Archive.open(archive) as opened:
        assert opened.ledger.recent_runs() == []
        opened.lock().release()  # nobody holds it
