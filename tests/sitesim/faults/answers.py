"""The builders of faulted answers: one per fault kind, each given the rule's params, the
request, the normal page (rendered on demand) and a seeded random; None lets the request
through (the fault does not apply to this page)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from tests.sitesim import hostile
from tests.sitesim.faults import markup
from tests.sitesim.faults.kinds import LOOP_PARAM, FaultResponse, Request
from tests.sitesim.routes import HTML, Response

Builder = Callable[
    [dict[str, Any], Request, Callable[[], Response], random.Random], FaultResponse | None
]


def _status(params: dict[str, Any], *_: Any) -> FaultResponse:
    status = params["status"]
    retry_after = params.get("retry_after")
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    body = f"<html><body><h1>{status}</h1></body></html>".encode()
    return FaultResponse(status, body, headers=headers, stall=params.get("delay", 0.0))


def redirect(kind: str, status: int, location: str) -> FaultResponse:
    body = f'<html><body><a href="{location}">moved</a></body></html>'.encode()
    return FaultResponse(status, body, headers={"Location": location}, fault=kind)


def _copy(response: Response, **changes: Any) -> FaultResponse:
    values = {
        "status": response.status,
        "body": response.body,
        "content_type": response.content_type,
        "headers": dict(response.headers),
        **changes,
    }
    return FaultResponse(**values)


def _is_html_200(response: Response) -> bool:
    return response.status == 200 and response.content_type.startswith("text/html")


def _reset(params, request, page, rng) -> FaultResponse:
    normal = page()
    return _copy(normal, reset_at=int(len(normal.body) * params["keep"]))


def _slow(params, request, page, rng) -> FaultResponse:
    delay = params["delay"]
    return _copy(page(), **({"trickle": delay} if params["trickle"] else {"stall": delay}))


def _truncated(params, request, page, rng) -> FaultResponse | None:
    normal = page()
    if not _is_html_200(normal):
        return None
    return _copy(normal, body=normal.body[: int(len(normal.body) * params["keep"])])


def _empty(params, request, page, rng) -> FaultResponse:
    return FaultResponse(200, b"", HTML)


_MAGIC = {
    "application/pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01",
    "image/png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "application/zip": b"PK\x03\x04",
}


def _binary(params, request, page, rng) -> FaultResponse:
    content_type = params["content_type"]
    magic = _MAGIC.get(content_type.split(";")[0].strip(), b"")
    body = magic + rng.randbytes(max(0, params["size"] - len(magic)))
    return FaultResponse(200, body, content_type)


_META_CHARSET = re.compile(rb'<meta charset="[^"]*">\n?', re.IGNORECASE)


def _wrong_charset(params, request, page, rng) -> FaultResponse | None:
    normal = page()
    if not _is_html_200(normal):
        return None
    body = normal.body.decode("utf-8").encode(params["encoding"], errors="xmlcharrefreplace")
    return _copy(
        normal,
        body=body,
        content_type=f"text/html; charset={params['declared']}",
        intact=True,
    )


def _no_charset(params, request, page, rng) -> FaultResponse | None:
    normal = page()
    if not _is_html_200(normal):
        return None
    body = _META_CHARSET.sub(b"", normal.body)
    return _copy(normal, body=body, content_type="text/html", intact=True)


def _charset(params, request, page, rng) -> FaultResponse | None:
    normal = page()
    if not _is_html_200(normal):
        return None
    encoding = params["encoding"]
    html = normal.body.decode("utf-8").replace(
        '<meta charset="utf-8">', f'<meta charset="{encoding}">'
    )
    content_type = f"text/html; charset={encoding}"
    return _copy(normal, body=html.encode(encoding), content_type=content_type, intact=True)


def _stray_bytes(params, request, page, rng) -> FaultResponse | None:
    normal = page()
    if not _is_html_200(normal):
        return None
    data = params["data"]
    if params["where"] == "title":
        body = normal.body.replace(b"<h1>", b"<h1>" + data, 1)
    else:
        body = normal.body.replace(b"</body>", b"<!-- " + data + b" -->\n</body>", 1)
    return _copy(normal, body=body, intact=params["where"] == "markup")


@lru_cache(maxsize=4)
def _filler(size: int) -> bytes:
    head = b'<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body><p>'
    tail = b"</p></body></html>\n"
    words = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit. "
    room = max(0, size - len(head) - len(tail))
    return head + (words * (room // len(words) + 1))[:room] + tail


def _oversized(params, request, page, rng) -> FaultResponse:
    return FaultResponse(200, _filler(params["size"]), HTML, send_length=params["send_length"])


def _redirect_loop(params, request, page, rng) -> FaultResponse:
    separator = "&" if "?" in request.target else "?"
    return redirect("redirect_loop", 302, f"{request.target}{separator}{LOOP_PARAM}=1")


def _offsite_redirect(params, request, page, rng) -> FaultResponse:
    location = f"{params['scheme']}://{params['host']}{request.target}"
    if params["meta"]:
        refresh = f'<meta http-equiv="refresh" content="0; url={location}">'
        body = f"<html><head>{refresh}</head><body>moved</body></html>".encode()
        return FaultResponse(200, body, HTML, fault="offsite_redirect")
    return redirect("offsite_redirect", params["status"], location)


def _article_redirect(params, request, page, rng) -> FaultResponse | None:
    if urlsplit(request.target).path == params["target"]:
        return None  # the target itself is served
    return redirect("article_redirect", params["status"], params["target"])


def _long_link(params, request, page, rng) -> FaultResponse | None:
    normal = page()
    if not _is_html_200(normal):
        return None
    html, key = hostile.long_link(normal.body.decode("utf-8"), rng, params["length"])
    return _copy(normal, body=html.encode("utf-8"), damaged=(key,) if key else ())


def _rewriting(
    change: Callable[[str, dict[str, Any], random.Random], str], *, intact: bool = False
) -> Builder:
    """A builder that alters the HTML of a normal 200 page (``intact``: the article's
    text can still be read exactly)."""

    def build(params, request, page, rng) -> FaultResponse | None:
        normal = page()
        if not _is_html_200(normal):
            return None
        html = change(normal.body.decode("utf-8"), params, rng)
        return _copy(normal, body=html.encode("utf-8"), intact=intact)

    return build


BUILDERS: dict[str, Builder] = {
    "server_error": _status,
    "rate_limit": _status,
    "not_found": _status,
    "status": _status,
    "reset": _reset,
    "slow": _slow,
    "truncated": _truncated,
    "empty": _empty,
    "binary": _binary,
    "wrong_charset": _wrong_charset,
    "no_charset": _no_charset,
    "charset": _charset,
    "stray_bytes": _stray_bytes,
    "oversized": _oversized,
    "redirect_loop": _redirect_loop,
    "offsite_redirect": _offsite_redirect,
    "no_day_groups": _rewriting(markup.no_day_groups),
    "shuffled_entries": _rewriting(markup.shuffled_entries),
    "no_lead": _rewriting(markup.no_lead),
    "no_load_more": _rewriting(markup.no_load_more),
    "layout_changed": _rewriting(markup.layout_changed),
    "date_changed": _rewriting(markup.date_changed),
    "no_body_container": _rewriting(markup.no_body_container),
    "body_by_script": _rewriting(markup.body_by_script),
    "article_redirect": _article_redirect,
    "whitespace_links": _rewriting(markup.whitespace_links),
    "long_link": _long_link,
    "huge_listing": _rewriting(markup.huge_listing),
    "javascript_refresh": _rewriting(markup.javascript_refresh, intact=True),
    "control_chars": _rewriting(markup.control_chars, intact=True),
    "hostile_markup": _rewriting(markup.hostile_markup, intact=True),
}
