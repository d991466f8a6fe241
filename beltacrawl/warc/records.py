"""Scrapy responses as WARC records, and stored records back as Scrapy responses.

A response reaches Scrapy's signals de-chunked and decompressed (Scrapy drops the
``Content-Encoding`` it decoded), with the server's ``Content-Length`` of the compressed
body still in its headers. The stored record must be one a replay tool can serve, so its
headers describe the body as stored: the body's length, no ``Transfer-Encoding``; what
the server sent is kept beside them as ``X-Archive-Orig-*`` headers (pywb's convention
for rewritten headers).

The listing entry an article was requested from goes into a ``metadata`` record
concurrent to the response (JSON): re-extraction gets the same lead, rubric label and
listing time as the crawl did.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http import HTTPStatus
from io import BytesIO
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime

from beltacrawl.parsing.listing import ListingEntry
from beltacrawl.warc.files import whole_length

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from scrapy.http import Response
    from warcio.recordloader import ArcWarcRecord
    from warcio.warcwriter import WARCWriter

    from beltacrawl.site.urls import ArticleRef

#: Headers Scrapy leaves behind after de-chunking and decompressing (it drops a
#: ``Content-Encoding`` it decoded): kept as X-Archive-Orig-*, replaced where needed.
_REPLACED_HEADERS = ("transfer-encoding", "content-length")
#: Headers about a transfer that warcio undoes when it reads a record's content.
_TRANSFER_HEADERS = ("content-encoding", "transfer-encoding", "content-length")
ORIGINAL_PREFIX = "X-Archive-Orig-"
ENTRY_CONTENT_TYPE = "application/vnd.beltacrawl.listing-entry+json"


def _text(value: bytes) -> str:
    return value.decode("latin-1")


def http_headers(response: Response) -> StatusAndHeaders:
    """The response's status line and headers, agreeing with ``response.body``."""
    length = str(len(response.body))
    headers: list[tuple[str, str]] = []
    for name, values in response.headers.items():
        text = _text(name)
        for value in map(_text, values):
            lowered = text.lower()
            if lowered == "content-length" and value == length:
                continue
            if lowered in _REPLACED_HEADERS:
                headers.append((ORIGINAL_PREFIX + text, value))
            else:
                headers.append((text, value))
    headers.append(("Content-Length", length))
    try:
        phrase = HTTPStatus(response.status).phrase
    except ValueError:
        phrase = "Unknown"
    protocol = response.protocol or "HTTP/1.1"
    return StatusAndHeaders(f"{response.status} {phrase}", headers, protocol=protocol)


def request_headers(request: Request) -> StatusAndHeaders:
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)]
    headers += [(_text(k), _text(v)) for k, values in request.headers.items() for v in values]
    return StatusAndHeaders(
        f"{request.method} {target} HTTP/1.1", headers, protocol="HTTP/1.1", is_http_request=True
    )


def exchange_records(
    writer: WARCWriter,
    response: Response,
    fetched: datetime,
    entry: ListingEntry | None = None,
    notes: dict[str, str] | None = None,
) -> list[ArcWarcRecord]:
    """The ``response`` record of a fetch, then its listing entry's ``metadata`` record
    (when there is one) and its ``request`` record, both concurrent to the response."""
    date = datetime_to_iso_date(fetched)
    common = {"WARC-Date": date}
    if response.ip_address is not None:
        common["WARC-IP-Address"] = str(response.ip_address)
    answer = writer.create_warc_record(
        response.url,
        "response",
        payload=BytesIO(response.body),
        http_headers=http_headers(response),
        warc_headers_dict={**common, **(notes or {})},
    )
    concurrent = {"WARC-Date": date, "WARC-Concurrent-To": answer.rec_headers["WARC-Record-ID"]}
    records = [answer]
    if entry is not None:
        records.append(
            writer.create_warc_record(
                response.url,
                "metadata",
                payload=BytesIO(json.dumps(entry_document(entry), ensure_ascii=False).encode()),
                warc_content_type=ENTRY_CONTENT_TYPE,
                warc_headers_dict=concurrent,
            )
        )
    request = response.request
    if request is not None:
        records.append(
            writer.create_warc_record(
                request.url,
                "request",
                payload=BytesIO(request.body),
                http_headers=request_headers(request),
                warc_headers_dict=concurrent,
            )
        )
    return records


def entry_document(entry: ListingEntry) -> dict[str, Any]:
    return {
        "title": entry.title,
        "lead": entry.lead,
        "rubric_label": entry.rubric_label,
        "listed_at": entry.listed_at.isoformat() if entry.listed_at else None,
    }


def entry_of(document: dict[str, Any], ref: ArticleRef) -> ListingEntry:
    listed = document.get("listed_at")
    return ListingEntry(
        ref=ref,
        title=document.get("title"),
        lead=document.get("lead"),
        rubric_label=document.get("rubric_label"),
        listed_at=datetime.fromisoformat(listed) if listed else None,
    )


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FoundRecord:
    """A record of a WARC or ARC file, as :func:`scan` lists it."""

    rec_type: str
    uri: str
    offset: int
    length: int
    record_id: str
    date: datetime | None
    status: int | None
    concurrent_to: str | None
    http_date: str | None = None
    """The response's HTTP ``Date`` header."""


def scan(path: Path) -> Iterator[FoundRecord]:
    """Every record of a WARC or ARC file (gzipped or not), without keeping bodies."""
    arc = _is_arc(path)
    with path.open("rb") as stream:
        records = ArchiveIterator(stream, arc2warc=True)
        for record in records:
            headers = record.rec_headers
            offset = records.get_record_offset()
            http = record.http_headers
            status = http.get_statuscode() if http else None
            yield FoundRecord(
                rec_type=record.rec_type,
                uri=headers["WARC-Target-URI"] or "",
                offset=offset,
                length=records.get_record_length(),
                record_id=_arc_record_id(path, offset) if arc else str(headers["WARC-Record-ID"]),
                date=_date(headers["WARC-Date"]),
                status=int(status) if status and status.isdigit() else None,
                concurrent_to=headers["WARC-Concurrent-To"],
                http_date=http.get_header("Date") if http else None,
            )
    _check_whole(path)


def _check_whole(path: Path) -> None:
    """warcio stops quietly where gzipped data breaks off: say so, as for any damage."""
    with path.open("rb") as stream:
        gzipped = stream.read(2) == b"\x1f\x8b"
    if gzipped and (whole := whole_length(path)) < path.stat().st_size:
        raise EOFError(f"the gzip data breaks off after byte {whole}")


def _is_arc(path: Path) -> bool:
    """An ARC file begins with its ``filedesc://`` record (gzipped or not)."""
    with path.open("rb") as stream:
        start = stream.read(512)
    if start[:2] == b"\x1f\x8b":
        start = zlib.decompressobj(wbits=31).decompress(start)
    return start.startswith(b"filedesc://")


def _arc_record_id(path: Path, offset: int) -> str:
    # ARC records have no id (warcio makes up a new one on every read): the file and the
    # record's place in it name the record, the same on every import.
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()
    return f"<urn:arc:{digest}:{offset}>"


def _date(value: str | None) -> datetime | None:
    """A ``WARC-Date`` (UTC; warcio reads it without a zone)."""
    try:
        moment = iso_date_to_datetime(value) if value else None
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment is not None else None


@dataclass(frozen=True, slots=True)
class StoredPage:
    response: Response
    entry: dict[str, Any] | None
    date: datetime | None


def read_page(path: Path, offset: int) -> StoredPage:
    """The response record at ``offset`` of ``path`` as a Scrapy response (with the
    listing entry of the metadata record that follows it, if any)."""
    with path.open("rb") as stream:
        stream.seek(offset)
        records = ArchiveIterator(stream, arc2warc=True)
        record = next(records)
        page = as_response(record)
        record_id = record.rec_headers["WARC-Record-ID"]
        entry = None
        following = next(records, None)
        if (
            following is not None
            and following.rec_type == "metadata"
            and following.rec_headers["WARC-Concurrent-To"] == record_id
            and following.rec_headers["Content-Type"] == ENTRY_CONTENT_TYPE
        ):
            entry = json.loads(following.content_stream().read())
        return StoredPage(page, entry, _date(record.rec_headers["WARC-Date"]))


def as_response(record: ArcWarcRecord) -> Response:
    """A ``response`` record as the Scrapy response the crawl's callback would get."""
    url = record.rec_headers["WARC-Target-URI"]
    body = record.content_stream().read()  # de-chunked and decompressed by warcio
    status_headers = record.http_headers
    headers = [
        (name, value)
        for name, value in status_headers.headers
        if name.lower() not in _TRANSFER_HEADERS and not name.startswith(ORIGINAL_PREFIX)
    ]
    captured = _date(record.rec_headers["WARC-Date"])
    if captured is not None and not any(name.lower() == "date" for name, _ in headers):
        # The fetch time a record takes when the server sent none: the capture's.
        headers.append(("Date", format_datetime(captured, usegmt=True)))
    status = status_headers.get_statuscode()
    scrapy_headers = Headers(headers)
    cls = responsetypes.from_args(headers=scrapy_headers, url=url, body=body)
    return cls(
        url=url,
        status=int(status) if status.isdigit() else 200,
        headers=scrapy_headers,
        body=body,
        request=Request(url),
    )
