"""Pages kept by real crawls of the replica: round trip through WARC, re-extraction after
a parser change, recovery from layout drift, and a disk that fills up mid-run."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest
from scrapy import Selector

from beltacrawl import settings as project_settings
from beltacrawl.archive import Archive
from beltacrawl.archive.captures import CRAWL, REEXTRACT
from beltacrawl.parsing.article import parse_article
from beltacrawl.warc import extract
from beltacrawl.warc.extract import PageExtractor
from beltacrawl.warc.files import stored_path, whole_length
from beltacrawl.warc.records import read_page, scan
from beltacrawl.warc.reextract import Reextraction
from tests.crawling import REPO, crawl_command, run_crawl
from tests.sitesim import FaultPlan
from tests.test_crawl import ARTICLE_FIELDS_FROM_TRUTH

if TYPE_CHECKING:
    from pathlib import Path


def warcio(*arguments: str) -> subprocess.CompletedProcess[str]:
    """warcio's command line (``warcio check``, ``warcio index``)."""
    command = [sys.executable, "-c", "import sys; from warcio.cli import main; main()"]
    return subprocess.run(
        [*command, *arguments], capture_output=True, text=True, check=False, timeout=120
    )


def archive_command(*arguments: str, base_url: str = "") -> subprocess.CompletedProcess[str]:
    settings = ["-s", f"BELTA_BASE_URL={base_url}"] if base_url else []
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "archive", *settings, *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def warc_files(archive: Path) -> list[Path]:
    directory = archive.parent / "warc"
    assert not list(directory.glob("*.open")), "a WARC file was left unfinished"
    return sorted(directory.glob("*.warc.gz"))


def assert_tools_read(files: list[Path]) -> None:
    """warcio's ``check`` and ``index`` pass on every file."""
    assert files
    checked = warcio("check", *map(str, files))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for path in files:
        index = warcio("index", str(path))
        assert index.returncode == 0, index.stderr
        lines = [json.loads(line) for line in index.stdout.splitlines()]
        assert len(lines) == sum(1 for _ in scan(path))


def records(path: Path) -> dict[str, dict]:
    with Archive.open(path) as archive:
        return {record["key"]: record for record in archive.queries.iter_articles()}


def assert_every_version_has_its_page(path: Path) -> None:
    """Each current version names the response it came from, and that response is there."""
    with Archive.open(path) as archive:
        for key, record in records(path).items():
            count = archive.queries.show(key).version_count
            capture = archive.captures.source_of(key, count)
            assert capture is not None, key
            page = read_page(stored_path(capture.warc_file, archive.path), capture.warc_offset)
            assert page.response.url == record["fetched_url"]
            assert capture.fetched_at == record["fetched_at"]


def reextract(path: Path, base_url: str = ""):
    with Archive.open(path) as archive, archive.lock():
        extractor = PageExtractor(base_url)
        return Reextraction(archive, extractor).run(archive.captures.latest())


@pytest.mark.slow
def test_crawl_to_warc_to_a_fresh_archive_by_import_alone_gives_the_same_archive(
    make_replica, tmp_path
):
    server = make_replica(articles=40)
    crawled = tmp_path / "crawled" / "belta.sqlite"
    result = run_crawl(server.base_url, tmp_path, archive=crawled)
    assert result.returncode == 0, result.log[-3000:]
    files = warc_files(crawled)
    assert_tools_read(files)
    assert_every_version_has_its_page(crawled)
    assert result.stat("warc/pages") > len(result.records)  # listings are kept too

    fresh = tmp_path / "fresh" / "belta.sqlite"
    imported = archive_command(
        "import-warc", "--archive", str(fresh), *map(str, files), base_url=server.base_url
    )
    assert imported.returncode == 0, imported.stderr
    original = records(crawled)
    assert original and records(fresh) == original
    assert f"{len(original):>7} new articles" in imported.stdout
    # Imported again: nothing new, nothing stored twice.
    again = archive_command(
        "import-warc", "--archive", str(fresh), *map(str, files), base_url=server.base_url
    )
    assert f"{len(original):>7} unchanged" in again.stdout
    with Archive.open(fresh) as archive:
        assert all(archive.queries.show(key).version_count == 1 for key in original)


@pytest.mark.slow
def test_every_page_is_placed_when_each_write_fills_its_file(make_replica, tmp_path):
    """A write that reaches the size cap closes the file: the page still names it."""
    server = make_replica(articles=8)
    crawled = tmp_path / "belta.sqlite"
    result = run_crawl(
        server.base_url, tmp_path, archive=crawled, settings={"BELTA_WARC_MAX_SIZE": "1"}
    )
    assert result.returncode == 0, result.log[-3000:]
    assert result.stat("warc/unrecorded") is None
    assert len(warc_files(crawled)) == result.stat("warc/pages")
    assert_every_version_has_its_page(crawled)


@pytest.mark.slow
def test_reextract_after_a_parser_change_versions_exactly_the_records_it_changes(
    make_replica, tmp_path, monkeypatch
):
    server = make_replica(articles=40, samples=False)
    path = tmp_path / "belta.sqlite"
    assert run_crawl(server.base_url, tmp_path, archive=path).returncode == 0
    before = records(path)
    unchanged = archive_command("reextract", "--all", "--archive", str(path))
    assert unchanged.returncode == 0, unchanged.stderr
    assert f"{len(before):>7} unchanged" in unchanged.stdout
    shown = json.loads(
        archive_command("show", sorted(before)[0], "--json", "--archive", str(path)).stdout
    )
    (page,) = shown["pages"]
    assert (page["version"], page["reason"]) == (1, CRAWL)
    assert page["warc_file"].startswith("warc/belta-") and page["record_id"].startswith("<urn:")
    key = sorted(before)[0]
    one = archive_command("reextract", "--key", key, "--key", "1-1999", "--archive", str(path))
    assert "no kept page for 1-1999" in one.stdout
    assert "re-extracted 1 kept pages" in one.stdout
    assert archive_command("reextract", "--archive", str(path)).returncode == 2

    # The new parser also tags each economics article with its rubric's label.
    def tagging(selector, *args, **kwargs):
        raw = parse_article(selector, *args, **kwargs)
        if raw.rubric_label == "Wirtschaft":
            raw.tags = [*raw.tags, "Wirtschaft"]
        return raw

    monkeypatch.setattr(extract, "parse_article", tagging)
    affected = {key for key, record in before.items() if record["rubric_label"] == "Wirtschaft"}
    assert 0 < len(affected) < len(before)
    report = reextract(path)
    assert (report.updated, report.unchanged, report.new) == (
        len(affected),
        len(before) - len(affected),
        0,
    )
    assert report.fields == {"tags": len(affected)}
    after = records(path)
    with Archive.open(path) as archive:
        for key, record in after.items():
            history = archive.queries.show(key)
            if key in affected:
                assert record["tags"] == [*before[key]["tags"], "Wirtschaft"]
                assert history.versions[0]["tags"] == before[key]["tags"]
                assert archive.captures.reasons(key) == {1: CRAWL, 2: REEXTRACT}
            else:
                assert record == before[key] and history.version_count == 1
    assert reextract(path).updated == 0  # the same parser again changes nothing


_FILLED = re.compile(r"insertAdjacentHTML\('afterbegin', (\".*?\")\);", re.DOTALL)
_EMPTY_BODY = re.compile(r'(<div class="js-mediator-article"[^>]*>)(</div>)')


def body_from_script(selector, *args, **kwargs):
    """The parser adapted to the drift: an empty body container is filled from the
    script that carries its markup."""
    raw = parse_article(selector, *args, **kwargs)
    if raw.paragraphs:
        return raw
    for script in selector.css("script::text").getall():
        if match := _FILLED.search(script):
            html = selector.get()
            if empty := _EMPTY_BODY.search(html):
                html = html[: empty.end(1)] + json.loads(match[1]) + html[empty.start(2) :]
                return parse_article(Selector(text=html), *args, **kwargs)
    return raw


@pytest.mark.slow
def test_a_run_stopped_by_layout_drift_is_recovered_from_its_kept_pages(
    make_replica, tmp_path, monkeypatch
):
    server = make_replica(articles=60, samples=False)
    server.faults = FaultPlan(seed=4).body_by_script()
    path = tmp_path / "belta.sqlite"
    paced = {"DOWNLOAD_DELAY": "0.03", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}
    result = run_crawl(server.base_url, tmp_path, archive=path, settings=paced)
    assert result.returncode == 1
    assert result.stat("finish_reason") == "layout_changed"
    assert result.records == [] and records(path) == {}
    with Archive.open(path) as archive:
        kept = {capture.key for capture in archive.captures.latest()}
    assert len(kept) >= 10
    assert_tools_read(warc_files(path))

    report = reextract(path)  # the parser of the crawl: still nothing
    assert report.new == 0 and len(report.unreadable) == len(kept)
    monkeypatch.setattr(extract, "parse_article", body_from_script)
    report = reextract(path)
    assert (report.new, report.unreadable, report.missing) == (len(kept), [], [])
    recovered = records(path)
    assert set(recovered) == kept
    wrong = [
        (key, name)
        for key, record in recovered.items()
        for name in ARTICLE_FIELDS_FROM_TRUTH
        if record[name] != server.model.expected_record(key)[name]
    ]
    assert wrong == []
    with Archive.open(path) as archive:
        assert archive.ledger.failures() == []  # the recovered articles are no longer failed
        assert all(archive.captures.reasons(key) == {1: REEXTRACT} for key in kept)


@pytest.mark.slow
def test_a_full_disk_stops_the_run_cleanly_and_the_next_run_goes_on(make_replica, tmp_path):
    server = make_replica(articles=60, samples=False)
    path = tmp_path / "belta.sqlite"
    extensions = {**project_settings.EXTENSIONS, "tests.diskfull.FullDiskExtension": 0}
    full = {
        "EXTENSIONS": json.dumps(extensions),
        "TEST_WARC_DISK_FREE": "60000",
        "CONCURRENT_REQUESTS": "2",
    }
    stopped = run_crawl(server.base_url, tmp_path, archive=path, settings=full)
    assert stopped.returncode == 1
    assert stopped.stat("finish_reason") == "warc_unwritable"
    assert stopped.stat("warc/write_errors") == 1
    assert "No space left on device" in stopped.log
    assert_tools_read(warc_files(path))
    with Archive.open(path) as archive:
        assert archive.queries.integrity_check() == []
        assert 0 < archive.store.count() < 60

    after = run_crawl(server.base_url, tmp_path, archive=path)
    assert after.returncode == 0, after.log[-3000:]
    assert set(records(path)) == set(server.model.keys())
    assert_tools_read(warc_files(path))


@pytest.mark.reliability
@pytest.mark.parametrize("seed", [1, 2])
def test_kill_9_leaves_whole_records_and_the_next_run_finishes_the_files(
    make_replica, tmp_path, seed
):
    server = make_replica(articles=120, samples=False, seed=seed)
    path = tmp_path / "belta.sqlite"
    slow = {"DOWNLOAD_DELAY": "0.01", "CONCURRENT_REQUESTS": "4", "BELTA_ARCHIVE_BATCH_SIZE": "7"}
    command = crawl_command(server.base_url, tmp_path / "killed.jsonl", archive=path, settings=slow)
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while len(server.requests) < 20 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(random.Random(seed).uniform(0.0, 0.5))
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    (unfinished,) = (tmp_path / "warc").glob("*.warc.gz.open")
    whole = whole_length(unfinished)
    assert whole > 0
    readable = tmp_path / "readable.warc.gz"
    readable.write_bytes(unfinished.read_bytes()[:whole])  # everything up to the last whole record
    assert_tools_read([readable])
    readable.unlink()
    with Archive.open(path) as archive:
        assert archive.queries.integrity_check() == []
        assert archive.store.count() < 120, "the kill came after the crawl had finished"

    after = run_crawl(server.base_url, tmp_path, archive=path)
    assert after.returncode == 0, after.log[-3000:]
    assert "of an interrupted crawl finished" in after.log
    assert set(records(path)) == set(server.model.keys())
    assert_tools_read(warc_files(path))
    assert_every_version_has_its_page(path)
