"""What the fault hook sees and answers: the kinds, the request, the faulted response, a
rule, and the ``match`` helpers (which pages are listings, which article a path is)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.sitesim.article import RUBRICS, url_key
from tests.sitesim.routes import Response

#: Every fault kind, with what it does (details in the docstring of tests.sitesim.faults).
KINDS: dict[str, str] = {
    "server_error": "HTTP 500/502/503 (a burst with times=N)",
    "rate_limit": "HTTP 429 with Retry-After",
    "reset": "headers and part of the body, then a TCP reset",
    "slow": "the page only after `delay` seconds (stalled or trickled)",
    "truncated": "HTTP 200 whose HTML stops mid-way, Content-Length matching",
    "empty": "HTTP 200 with an empty body",
    "binary": "HTTP 200 with a non-HTML content type and binary bytes",
    "wrong_charset": "body in cp1251 while header and meta say utf-8",
    "no_charset": "no charset in header or meta, body in utf-8",
    "charset": "body in `encoding` (utf-16), header and meta saying so",
    "stray_bytes": "utf-8 page with a few bytes that are not utf-8",
    "oversized": "HTTP 200 of `size` bytes (12 MB by default)",
    "redirect_loop": "302 A -> B -> A -> ...",
    "offsite_redirect": "302 to another host, port or scheme",
    "article_redirect": "307 from one article to another",
    "not_found": "HTTP 404",
    "status": "any other HTTP status (FaultPlan.add)",
    "no_day_groups": "listing without div.new_date",
    "shuffled_entries": "listing entries reordered",
    "no_lead": "listing entries without span.lenta_textsmall",
    "no_load_more": "listing without its next-page link",
    "layout_changed": "listing classes renamed, no entries to find",
    "no_body_container": "article without div.js-mediator-article",
    "body_by_script": "article body served empty, its markup in a script",
    "date_changed": "article date in an undocumented format, no date meta tags",
    "whitespace_links": "listing links with a tab and a newline inside",
    "long_link": "one listing link with a 100 kB slug",
    "huge_listing": "listing with 100 000 more links, to articles that do not exist",
    "javascript_refresh": "article with a meta refresh to javascript:, otherwise intact",
    "control_chars": "control characters inside headline and body text",
    "hostile_markup": "html:script, applet, frameset in the body, a script in the headline",
}
#: Faults a retry gets past: what :meth:`FaultPlan.mix` applies.
TRANSIENT_KINDS = ("server_error", "rate_limit", "reset", "slow")
LOOP_PARAM = "sitesim_loop"
MB = 1024 * 1024

Match = str | re.Pattern[str] | Callable[[str], bool]


@dataclass(frozen=True)
class Request:
    method: str
    #: Path and query, as routed.
    target: str
    headers: dict[str, str]
    #: 1-based number of this request among all the server has received.
    number: int
    #: The normal answer, rendered on demand (None: the server routes it).
    page: Callable[[], Response] | None = field(default=None, compare=False, repr=False)

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


@dataclass
class FaultResponse(Response):
    """A response with socket-level behaviour, carried out by the server's handler."""

    #: The fault kind, for the request log.
    fault: str = ""
    #: Seconds to wait before the status line.
    stall: float = 0.0
    #: Seconds over which the body is sent, in small pieces.
    trickle: float = 0.0
    #: Body bytes sent before the connection is reset (None: no reset).
    reset_at: int | None = None
    #: False: no ``Content-Length``; the connection closes after the body.
    send_length: bool = True
    #: The page still holds the article's exact text, recoverable by a careful reader
    #: (another encoding, stray bytes, control characters, hostile markup, a harmless
    #: oddity): its article counts as served correctly.
    intact: bool = False
    #: Keys of articles whose links this answer broke: they count as faulted.
    damaged: tuple[str, ...] = ()


@dataclass(frozen=True)
class FaultEvent:
    number: int
    target: str
    kind: str
    #: The article key of the target, if it is an article page.
    key: str | None


class Faults:
    """No faults: every request is served normally."""

    def intercept(self, request: Request) -> Response | None:
        return None


@dataclass
class FaultRule:
    kind: str
    match: Match
    #: At most this many firings (None: no limit).
    times: int | None
    #: Chance of firing on a matching request (None: always, within ``times``).
    probability: float | None
    params: dict[str, Any]
    fired: int = 0

    @property
    def remaining(self) -> int | None:
        return None if self.times is None else max(0, self.times - self.fired)

    def matches(self, request: Request) -> bool:
        match = self.match
        if callable(match):
            return bool(match(request.path))
        if isinstance(match, re.Pattern):
            return match.search(request.target) is not None
        if match == "article":
            return url_key(request.path) is not None
        if match == "listing":
            return is_listing(request.path)
        return match in request.target


_LISTING = re.compile(r"/(?P<section>[a-z_]+)(?:/page/\d+)?/?")


def is_listing(path: str) -> bool:
    """``/all_news/``, a rubric page, or one of their ``/page/N/``."""
    match = _LISTING.fullmatch(path)
    return bool(match) and (match["section"] == "all_news" or match["section"] in RUBRICS)


def article_key(path: str) -> str | None:
    parsed = url_key(path)
    return parsed[2] if parsed else None


def for_keys(*keys: str) -> Callable[[str], bool]:
    """A ``match`` for the article pages of these keys only."""
    wanted = frozenset(keys)
    return lambda path: article_key(path) in wanted
