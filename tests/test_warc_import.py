"""``import-warc`` of other archives' captures: WARC and ARC, gzipped or not, any of the
site's hosts and URL spellings; older captures become earlier versions, the same text is
stored once, unreadable pages are listed, never stored."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from io import BytesIO
from typing import TYPE_CHECKING

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from beltacrawl.archive import Archive
from beltacrawl.archive.captures import IMPORT
from beltacrawl.warc.backfill import WarcImport
from beltacrawl.warc.extract import PageExtractor
from tests.sitesim import SiteModel
from tests.sitesim.routes import route

if TYPE_CHECKING:
    from pathlib import Path

MODEL = SiteModel(seed=3, articles=12, samples=False)
#: A page of a template the parser does not know: no title, date or text where it looks.
OLD_TEMPLATE = b"<html><head><title>BelTA</title></head><body><table><tr><td>Alt</td></tr>" + (
    b"</table></body></html>"
)


def page(key: str) -> bytes:
    return route(MODEL, MODEL.article(key).path).body


def url(key: str, host: str = "deu.belta.by", scheme: str = "https", slash: bool = True) -> str:
    path = MODEL.article(key).path
    return f"{scheme}://{host}{path if slash else path.rstrip('/')}"


def http_block(body: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


def warc_file(path: Path, captures: list[tuple[str, datetime, bytes]], *, gz: bool) -> Path:
    """Captures as another crawler writes them: no HTTP ``Date``, only ``WARC-Date``."""
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=gz)
        for target, moment, body in captures:
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(
                    target,
                    "response",
                    payload=BytesIO(body),
                    http_headers=headers,
                    warc_headers_dict={"WARC-Date": datetime_to_iso_date(moment)},
                )
            )
    return path


def arc_file(path: Path, captures: list[tuple[str, datetime, bytes]], *, gz: bool) -> Path:
    """An ARC (version 1) file as the Internet Archive wrote them."""
    version = b"1 0 InternetArchive\nURL IP-address Archive-date Content-type Archive-length\n"
    records = [
        f"filedesc://{path.name} 0.0.0.0 20190101000000 text/plain {len(version)}\n".encode()
        + version
    ]
    for target, moment, body in captures:
        block = http_block(body)
        line = f"{target} 1.2.3.4 {moment:%Y%m%d%H%M%S} text/html {len(block)}\n"
        records.append(line.encode() + block)
    with path.open("wb") as stream:
        for record in records:
            data = record + b"\n"
            stream.write(gzip.compress(data) if gz else data)
    return path


def test_foreign_captures_fill_the_history_without_touching_the_current_text(tmp_path):
    first, second, third, fourth = MODEL.keys()[:4]
    archive_path = tmp_path / "belta.sqlite"
    now = datetime(2026, 11, 1, tzinfo=UTC)
    old, older = datetime(2019, 3, 4, 5, 6, 7, tzinfo=UTC), datetime(2018, 1, 1, tzinfo=UTC)
    html = page(first)
    at = html.index(b"</p>", html.index(b"js-mediator-article"))  # after the dateline's
    changed = html[:at] + " Früher.".encode() + html[at:]  # an earlier text of the article

    # The archive's copy of ``first``: a newer capture, imported first.
    newest = warc_file(tmp_path / "newest.warc.gz", [(url(first), now, page(first))], gz=True)
    foreign = [
        warc_file(
            tmp_path / "cc.warc",  # uncompressed
            [
                (url(first, scheme="http", slash=False), old, changed),
                (url(first, host="m.deu.belta.by"), older, changed),  # the same text, older
                (url(second, host="m.deu.belta.by"), old, page(second)),
                ("https://deu.belta.by/all_news/", old, b"<html></html>"),
            ],
            gz=False,
        ),
        arc_file(
            tmp_path / "ia.arc", [(url(third, host="www.deu.belta.by"), old, page(third))], gz=False
        ),
        arc_file(
            tmp_path / "ia.arc.gz",
            [(url(fourth, scheme="http"), old, OLD_TEMPLATE), (url(first), now, page(first))],
            gz=True,
        ),
    ]
    with Archive.open(archive_path) as archive, archive.lock():
        WarcImport(archive, PageExtractor()).run([newest])
        current = archive.queries.show(first).article
        report = WarcImport(archive, PageExtractor()).run(foreign)

        assert report.files == 3 and report.captures == 6
        assert report.skipped == {"not an article URL": 1}
        assert report.outcomes == {"new": 2, "earlier": 1, "unchanged": 2}
        assert [p.key for p in report.unreadable] == [fourth]
        assert archive.queries.show(fourth) is None  # never stored half-empty

        history = archive.queries.show(first)
        assert history.article == current  # the newest capture stays the current text
        (earlier,) = history.versions
        assert "Früher." in earlier["body"] and "Früher." not in current["body"]
        assert earlier["fetched_at"] == "2018-01-01T00:00:00+00:00"  # the oldest of the two
        assert archive.captures.reasons(first) == {1: IMPORT, 2: IMPORT}

        for key, host in ((second, "m.deu.belta.by"), (third, "www.deu.belta.by")):
            record = archive.queries.show(key).article
            truth = MODEL.expected_record(key)
            assert (record["url"], record["title"], record["body"]) == (
                truth["url"],
                truth["title"],
                truth["body"],
            )
            assert host in record["fetched_url"]
            assert record["fetched_at"] == "2019-03-04T05:06:07+00:00"  # the capture's time
        assert archive.queries.integrity_check() == []


def test_a_file_cut_off_mid_record_is_named_and_what_came_before_is_kept(tmp_path):
    first, second = MODEL.keys()[:2]
    moment = datetime(2020, 5, 6, tzinfo=UTC)
    path = warc_file(
        tmp_path / "cut.warc.gz",
        [(url(first), moment, page(first)), (url(second), moment, page(second))],
        gz=True,
    )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 200])  # the second record breaks off
    with Archive.open(tmp_path / "belta.sqlite") as archive, archive.lock():
        report = WarcImport(archive, PageExtractor()).run([path])
        assert archive.store.count() == 1
    assert [problem.url for problem in report.broken_files] == [str(path)]


def test_an_arc_file_imported_twice_is_kept_once(tmp_path):
    first, second = MODEL.keys()[:2]
    moment = datetime(2019, 5, 6, tzinfo=UTC)
    captures = [(url(first), moment, page(first)), (url(second), moment, page(second))]
    path = arc_file(tmp_path / "ia.arc.gz", captures, gz=True)
    with Archive.open(tmp_path / "belta.sqlite") as archive, archive.lock():
        for _ in range(2):
            WarcImport(archive, PageExtractor()).run([path])
        kept = archive.db.conn.execute("SELECT count(*) FROM page_captures").fetchone()[0]
    assert kept == 2
