"""WARC files as the crawl writes them: replayable records, rollover, kill -9 and disk full,
and the archive's record of where each article version's page is."""

from __future__ import annotations

import gzip
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator
from warcio.checker import Checker

from beltacrawl.archive import Archive, Capture, Source
from beltacrawl.archive.captures import CRAWL, IMPORT, REEXTRACT
from beltacrawl.archive.history import replace_current, store_earlier
from beltacrawl.config import Config, warc_dir
from beltacrawl.parsing.listing import ListingEntry
from beltacrawl.site.urls import parse_article_url
from beltacrawl.warc import files as warc_files
from beltacrawl.warc.files import WarcFiles, repair_all, whole_length
from beltacrawl.warc.records import exchange_records, read_page, scan
from tests.diskfull import on_full_disk

URL = "https://deu.belta.by/economics/view/krutoi-belarus-und-russland-66060-2024/"
PAGE = "<html><head><title>T</title></head><body>" + "<p>Text äöü</p>" * 200 + "</body></html>"


def warcinfo(writer, name):
    return writer.create_warcinfo_record(name, {"software": "test"})


def check(path: Path) -> bool:
    """``warcio check`` of one file (exit status 0, every digest passing)."""
    checker = Checker(type("Args", (), {"inputs": [str(path)], "verbose": False})())
    return checker.process_all() == 0


def fetched_page(body: bytes, headers: dict[str, str] | None = None) -> Response:
    return HtmlResponse(
        URL,
        body=body,
        headers={"Content-Type": "text/html; charset=utf-8", **(headers or {})},
        request=Request(URL, headers={"User-Agent": "beltacrawl-test"}),
    )


def write_pages(directory: Path, count: int, max_size: int = 10**9) -> WarcFiles:
    files = WarcFiles(directory, "belta-test", max_size, warcinfo)
    for number in range(count):
        response = fetched_page(PAGE.replace("T", f"T{number}").encode())
        files.write(exchange_records(files.writer, response, datetime.now(UTC)))
    return files


# --- records ------------------------------------------------------------------------------


def test_a_decompressed_response_is_stored_with_headers_that_match_its_body(tmp_path):
    """Scrapy decompressed the body: the stored record says so, and replays as stored."""
    compressed = gzip.compress(PAGE.encode())
    crawler = get_crawler()
    middleware = HttpCompressionMiddleware.from_crawler(crawler)
    raw = Response(
        URL,
        body=compressed,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Content-Encoding": "gzip",
            "Content-Length": str(len(compressed)),
            "Transfer-Encoding": "chunked",
            "Date": "Mon, 10 Nov 2025 15:50:00 GMT",
        },
        request=Request(URL),
    )
    response = middleware.process_response(raw.request, raw)
    assert response.body == PAGE.encode()  # what the spider and the WARC writer see
    ref = parse_article_url(URL)
    entry = ListingEntry(
        ref, "Titel", "Lead", "Wirtschaft", datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    )
    files = WarcFiles(tmp_path, "belta-test", 10**9, warcinfo)
    records = exchange_records(files.writer, response, datetime.now(UTC), entry)
    (offset, _), *_ = files.write(records)
    files.close()
    (path,) = files.written
    assert check(path)

    with path.open("rb") as stream:
        stored = next(r for r in ArchiveIterator(stream) if r.rec_type == "response")
        headers = stored.http_headers
        assert headers.get_header("Content-Length") == str(len(PAGE.encode()))
        assert headers.get_header("Content-Encoding") is None
        assert headers.get_header("Transfer-Encoding") is None
        assert headers.get_header("X-Archive-Orig-Content-Length") == str(len(compressed))
        assert headers.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"
        assert stored.content_stream().read() == PAGE.encode()
    page = read_page(path, offset)
    assert page.response.body == PAGE.encode() and page.response.url == URL
    assert page.entry == {
        "title": "Titel",
        "lead": "Lead",
        "rubric_label": "Wirtschaft",
        "listed_at": "2024-05-01T10:00:00+00:00",
    }
    kinds = [found.rec_type for found in scan(path)]
    assert kinds == ["warcinfo", "response", "metadata", "request"]


def test_a_page_without_date_header_takes_the_capture_time(tmp_path):
    files = WarcFiles(tmp_path, "belta-test", 10**9, warcinfo)
    moment = datetime(2019, 3, 4, 5, 6, 7, tzinfo=UTC)
    (offset, _), *_ = files.write(exchange_records(files.writer, fetched_page(b"<html/>"), moment))
    files.close()
    page = read_page(files.written[0], offset)
    assert page.response.headers[b"Date"] == b"Mon, 04 Mar 2019 05:06:07 GMT"


# --- files ------------------------------------------------------------------------------


def test_files_roll_over_at_their_size_cap_and_each_opens_with_warcinfo(tmp_path):
    files = write_pages(tmp_path / "many", 12, max_size=4_000)
    files.close()
    assert 2 < len(files.written) < 12
    assert [p.name for p in files.written] == sorted(p.name for p in (tmp_path / "many").iterdir())
    for path in files.written:
        assert check(path)
        assert next(iter(scan(path))).rec_type == "warcinfo"
    responses = sum(f.rec_type == "response" for path in files.written for f in scan(path))
    assert responses == 12


def test_a_killed_writer_leaves_whole_records_and_the_next_run_repairs_it(tmp_path):
    write_pages(tmp_path, 3)  # never closed
    (unfinished,) = tmp_path.glob("*.warc.gz.open")  # as kill -9 leaves it
    whole = unfinished.stat().st_size
    with unfinished.open("ab") as stream:  # a record cut off mid-write
        stream.write(gzip.compress(b"WARC/1.0\r\n" + os.urandom(5000))[:700])
    assert whole_length(unfinished) == whole
    (repaired,) = repair_all(tmp_path)
    assert repaired.name.endswith(".warc.gz") and repaired.stat().st_size == whole
    assert check(repaired)
    assert sum(f.rec_type == "response" for f in scan(repaired)) == 3


def test_a_file_another_crawl_is_still_writing_is_left_alone(tmp_path):
    """Archives may share a WARC folder: one crawl's repair never touches another's file."""
    live = write_pages(tmp_path, 2)
    assert repair_all(tmp_path) == []
    live.write(exchange_records(live.writer, fetched_page(PAGE.encode()), datetime.now(UTC)))
    live.close()
    (finished,) = live.written
    assert check(finished)
    assert sum(f.rec_type == "response" for f in scan(finished)) == 3


def test_disk_full_mid_record_cuts_the_file_back_to_its_last_whole_record(tmp_path, monkeypatch):
    monkeypatch.setattr(warc_files, "WARCWriter", on_full_disk(9000))
    files = WarcFiles(tmp_path, "belta-test", 10**9, warcinfo)
    written = 0
    with pytest.raises(OSError, match="No space left"):
        for number in range(100):
            response = fetched_page(PAGE.replace("T", f"T{number}").encode())
            files.write(exchange_records(files.writer, response, datetime.now(UTC)))
            written += 1
    files.close()
    (path,) = files.written
    assert 0 < written < 100
    assert whole_length(path) == path.stat().st_size
    assert check(path)
    assert sum(f.rec_type == "response" for f in scan(path)) == written


# --- settings ---------------------------------------------------------------------------


def test_warc_dir_lies_next_to_the_archive_unless_absolute_or_off(tmp_path):
    archive = tmp_path / "data" / "belta.sqlite"
    config = Config.from_settings(
        get_crawler(settings_dict={"BELTA_ARCHIVE": str(archive)}).settings
    )
    assert config.warc_dir == tmp_path / "data" / "warc"
    assert warc_dir("", archive) is None
    assert warc_dir(str(tmp_path / "w"), None) == tmp_path / "w"


# --- where the pages are ----------------------------------------------------------------


def record(body: str, fetched: str, **fields) -> dict:
    return {
        "url": URL,
        "key": "66060-2024",
        "article_id": 66060,
        "article_year": 2024,
        "kind": "article",
        "title": "T",
        "body": body,
        "content_hash": body,
        "fetched_at": fetched,
        **fields,
    }


def capture(number: int, fetched: str) -> Capture:
    return Capture(
        "66060-2024", URL, fetched, "warc/a.warc.gz", number * 1000, 900, f"<urn:{number}>"
    )


def test_every_version_knows_its_page_and_why_it_was_stored(tmp_path):
    with Archive.open(tmp_path / "a.sqlite") as archive:
        first, second, old, again = archive.captures.add_many(
            [
                capture(1, "2024-05-02T00:00:00+00:00"),
                capture(2, "2024-05-03T00:00:00+00:00"),
                capture(3, "2024-05-01T00:00:00+00:00"),
                capture(1, "2024-05-02T00:00:00+00:00"),  # the same record id: kept once
            ]
        )
        assert again == first and archive.captures.count() == 3
        store = archive.store
        store.upsert_many([record("B1", "2024-05-02T00:00:00+00:00")], [Source(first, CRAWL)])
        store.upsert_many([record("B2", "2024-05-03T00:00:00+00:00")], [Source(second, CRAWL)])
        replace_current(
            archive.db, record("B3", "2024-05-03T00:00:00+00:00"), Source(second, REEXTRACT)
        )
        assert (
            store_earlier(
                archive.db, record("B0", "2024-05-01T00:00:00+00:00"), Source(old, IMPORT)
            )
            == "earlier"
        )
        # B1 again, seen earlier than known: the same text is not stored twice.
        assert (
            store_earlier(archive.db, record("B1", "2024-05-01T12:00:00+00:00"), None)
            == "unchanged"
        )
        history = archive.queries.show("66060-2024")
        assert [v["body"] for v in history.versions] + [history.article["body"]] == [
            "B0",
            "B1",
            "B2",
            "B3",
        ]
        assert archive.captures.reasons("66060-2024") == {
            1: IMPORT,
            2: CRAWL,
            3: CRAWL,
            4: REEXTRACT,
        }
        assert archive.captures.source_of("66060-2024", 1).record_id == "<urn:3>"
        assert archive.captures.source_of("66060-2024", 4).record_id == "<urn:2>"
        latest = list(archive.captures.latest())
        assert [c.capture.record_id for c in latest] == ["<urn:2>"]
        assert archive.queries.integrity_check() == []
