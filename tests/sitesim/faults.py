"""The replica's fault injection: what the site does on a bad day, switchable per test.

The server consults ``server.faults.intercept(request)`` before routing each request
(:class:`Faults` is the no-fault hook; subclass it for anything unusual). A
:class:`FaultPlan` holds rules, set with ``server.faults = FaultPlan(seed=1).reset()...``,
also while the server runs::

    plan = FaultPlan(seed=7).server_error(503, times=3).not_found(match="64310-2023")
    plan = FaultPlan.mix(seed=7, rate=0.1)  # every transient kind, ~10 % of requests

A rule is ``(kind, match, times | probability, params)``:

``match``
    ``""`` every request · ``"article"`` article pages · ``"listing"`` listing pages
    (``/all_news/``, rubric pages, their ``/page/N/``) · any other string: a substring of
    the request target (path and query), e.g. a key ``"64310-2023"`` · a compiled regex:
    searched in the target · a callable: ``predicate(path) -> bool`` (see
    :func:`for_keys`).
``times=N``
    the next N matching requests (in arrival order).
``probability=p``
    each matching request with chance ``p``, decided by a hash of ``(seed, rule, target,
    how many times this target was requested before)`` — the same faults hit the same
    requests whatever order a concurrent crawler sends them in. ``probability=1``: always.
    With ``times`` as well, at most N times.
neither
    the kind's default: ``times=1`` for the transient kinds, every matching request for
    the others.

Rules are tried in the order added; the first that fires answers, a request hit by none
is served normally. Afterwards, ``plan.fired[kind]`` counts the faults served,
``plan.events`` lists them, and ``plan.never_served_correctly()`` names the article keys
that were requested and faulted every time (a reliability test expects each of them in
the crawler's failure list).

Kinds (``KINDS``; the constructor of each has the same name):

Transient (``TRANSIENT_KINDS``, what :meth:`FaultPlan.mix` applies):

- ``server_error`` — HTTP 500/502/503 (``status``), optionally with ``Retry-After``;
  a burst is ``times=N``.
- ``rate_limit`` — HTTP 429 with ``Retry-After: <retry_after>`` (seconds, or an
  HTTP-date string given verbatim).
- ``reset`` — the normal status line, headers and full ``Content-Length``, then the first
  ``keep`` fraction of the body, then the socket is closed with ``SO_LINGER`` 0: the
  client sees a TCP RST mid-body.
- ``slow`` — the normal page after ``delay`` seconds: stalled before the status line,
  or (``trickle=True``) headers at once and the body dribbled out over ``delay``. Choose
  ``delay`` above the crawler's ``DOWNLOAD_TIMEOUT``: a slow answer counts as a fault.

Broken but well-formed HTTP:

- ``truncated`` — HTTP 200 with the first ``keep`` fraction of the page, and a
  ``Content-Length`` that matches the cut body: the HTML simply stops.
- ``empty`` — HTTP 200, ``text/html``, no body at all.
- ``binary`` — HTTP 200 with ``content_type`` (``application/pdf``, ``image/jpeg``,
  ``image/png``, …) and ``size`` bytes of seeded binary data behind the format's magic.
- ``wrong_charset`` — the page encoded in ``encoding`` (cp1251: „ “ – — become single
  bytes that are invalid UTF-8; characters cp1251 lacks, such as umlauts, become
  ``&#228;`` references) while header and ``<meta>`` still say ``declared`` (utf-8).
- ``no_charset`` — ``Content-Type: text/html`` without charset, the ``<meta charset>``
  removed, the body still UTF-8.
- ``charset`` — the page correctly in ``encoding`` (e.g. ``utf-16``), header and
  ``<meta charset>`` saying so.
- ``stray_bytes`` — a UTF-8 page with a few bytes that are not UTF-8 (``data``: 0xFF and
  an encoded surrogate): in a comment before ``</body>`` (``where="markup"``: the text
  is intact) or at the start of the headline (``where="title"``).
- ``oversized`` — HTTP 200 ``text/html`` of ``size`` bytes (default 12 MB, above the
  crawler's 10 MB ``DOWNLOAD_MAXSIZE``); ``send_length=False`` leaves out
  ``Content-Length`` (the body ends when the connection closes), so only counting the
  bytes received can stop it.
- ``redirect_loop`` — 302 from A to ``A?sitesim_loop=1`` (B), and B always 302s back
  to A; both hops count as fired. ``times`` limits the A→B hop only.
- ``offsite_redirect`` — 302 to ``<scheme>://<host><target>`` (``evil.example``, or e.g.
  ``127.0.0.2:<port>``, or ``127.0.0.1:<another port>`` so that nothing leaves the
  machine): the crawler must refuse it. ``meta=True``: a 200 page whose
  ``<meta http-equiv="refresh">`` points there instead.
- ``article_redirect`` — 307 (``status``) from an article to ``target``, another
  article's path on the same host: the crawler must not store the target's text under
  the first article's key.
- ``not_found`` — HTTP 404 (the page a listing links to is gone); give ``match`` a key.

Layout (HTTP 200, the page altered; they fire only where the normal answer is a 200):

- ``no_day_groups`` — listing pages without ``div.new_date`` day groups.
- ``shuffled_entries`` — listing entries reordered (seeded); the day groups stay where
  they were, so entries may sit under another day's group.
- ``no_lead`` — listing entries without ``span.lenta_textsmall``.
- ``no_load_more`` — listing pages without their next-page link (``div.load_more``, or
  ``a.p_next`` in the older style).
- ``layout_changed`` — listing pages with every class name renamed (``div#inner`` is
  ``div#feed``, entries are ``div.feed-card`` …) and the article links turned into
  ``data-href`` (loaded by script): 200, and nothing a parser can find.
  ``keep_links=True`` keeps the ``href``s, so only a link fallback finds the entries.
- ``no_body_container`` — article pages without ``div.js-mediator-article``: gone with
  its text, or (``keep_text=True``) renamed, its text left in ``div.inner_content``.
- ``body_by_script`` — article pages whose ``div.js-mediator-article`` is served empty
  and filled by a ``<head>`` script holding its markup: 200, the text is in the page, and
  a parser of the old layout finds none of it (a layout drift stored pages recover from).
- ``whitespace_links`` — listing pages whose article links hold a tab after ``/view/``
  and a newline before the key (browsers drop both).
- ``long_link`` — listing pages with one article link (seeded) whose slug is ``length``
  characters long (100 000): that article counts as faulted (``FaultResponse.damaged``).
- ``huge_listing`` — listing pages with ``links`` more entries after their own, linking
  to articles that do not exist (``/society/view/sitesim-filler-<n>-2099/``); the plan
  answers those with a 404 of this kind, so they count as faulted articles.
- ``javascript_refresh`` — article pages with a ``<meta http-equiv="refresh">`` to
  ``javascript:void(0)``; the page is otherwise intact and counts as served correctly
  (``FaultResponse.intact``).
- ``control_chars`` — article pages with control characters (ESC, BEL, NUL, DEL, the C1
  CSI) after the headline's first letter and at the end of the first body block:
  removed, the text is the truth.
- ``hostile_markup`` — article pages with ``<html:script>``, ``<applet>`` and
  ``<frameset>``/``<frame>`` at the start of the body and a ``<script>`` in the headline.
- ``date_changed`` — article pages whose ``div.date_full`` shows the time in a format of
  no documented kind (``shown``, default ``vor 3 Stunden``) and without the
  ``article:published_time`` / ``mediator_published_time`` meta tags.
"""

from __future__ import annotations

import hashlib
import random
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from tests.sitesim import hostile
from tests.sitesim.article import RUBRICS, url_key
from tests.sitesim.render import filled_by_script
from tests.sitesim.routes import HTML, Response

#: Every fault kind, with what it does (details in the module docstring).
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


class FaultPlan(Faults):
    """Scripted faults (see the module docstring); thread-safe, deterministic by ``seed``."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._seen: Counter[str] = Counter()
        #: Faults served, by kind.
        self.fired: Counter[str] = Counter()
        self._events: list[FaultEvent] = []
        self._faulted: dict[str, Counter[str]] = {}
        self._served_ok: set[str] = set()

    # --- rules ----------------------------------------------------------------------------

    def rule(
        self,
        kind: str,
        *,
        match: Match = "",
        times: int | None = None,
        probability: float | None = None,
        default_times: int | None = None,
        **params: Any,
    ) -> FaultPlan:
        """Add a rule; ``times``/``probability`` both None means ``default_times``."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(KINDS)}")
        if times is None and probability is None:
            times = default_times
        with self._lock:
            self._rules.append(FaultRule(kind, match, times, probability, params))
        return self

    def add(
        self,
        status: int | None = 503,
        *,
        times: int = 1,
        match: Match = "",
        retry_after: int | None = None,
        delay: float = 0.0,
    ) -> FaultPlan:
        """Answer ``status`` (None: the normal page) after ``delay`` seconds."""
        if status is None:
            return self.slow(delay, times=times, match=match)
        kind = {429: "rate_limit", 404: "not_found"}.get(status)
        kind = kind or ("server_error" if status >= 500 else "status")
        return self.rule(
            kind, match=match, times=times, status=status, retry_after=retry_after, delay=delay
        )

    def server_error(
        self,
        status: int = 503,
        *,
        match: Match = "",
        times: int | None = None,
        probability: float | None = None,
        retry_after: int | str | None = None,
    ) -> FaultPlan:
        return self.rule(
            "server_error",
            match=match,
            times=times,
            probability=probability,
            default_times=1,
            status=status,
            retry_after=retry_after,
        )

    def rate_limit(
        self,
        retry_after: int | str = 5,
        *,
        match: Match = "",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultPlan:
        return self.rule(
            "rate_limit",
            match=match,
            times=times,
            probability=probability,
            default_times=1,
            status=429,
            retry_after=retry_after,
        )

    def reset(
        self,
        keep: float = 0.5,
        *,
        match: Match = "",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultPlan:
        return self._transient("reset", match, times, probability, keep=keep)

    def slow(
        self,
        delay: float = 3.0,
        *,
        trickle: bool = False,
        match: Match = "",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultPlan:
        return self._transient("slow", match, times, probability, delay=delay, trickle=trickle)

    def truncated(
        self,
        keep: float = 0.5,
        *,
        match: Match = "",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultPlan:
        return self._transient("truncated", match, times, probability, keep=keep)

    def empty(
        self, *, match: Match = "", times: int | None = None, probability: float | None = None
    ) -> FaultPlan:
        return self._transient("empty", match, times, probability)

    def binary(
        self,
        content_type: str = "application/pdf",
        size: int = 4096,
        *,
        match: Match = "",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultPlan:
        return self._transient(
            "binary", match, times, probability, content_type=content_type, size=size
        )

    def wrong_charset(
        self,
        encoding: str = "cp1251",
        declared: str = "utf-8",
        *,
        match: Match = "",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultPlan:
        return self._transient(
            "wrong_charset", match, times, probability, encoding=encoding, declared=declared
        )

    def no_charset(
        self, *, match: Match = "", times: int | None = None, probability: float | None = None
    ) -> FaultPlan:
        return self._transient("no_charset", match, times, probability)

    def charset(
        self,
        encoding: str = "utf-16",
        *,
        match: Match = "",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultPlan:
        return self._transient("charset", match, times, probability, encoding=encoding)

    def stray_bytes(
        self,
        where: str = "markup",
        data: bytes = b"\xff\xed\xa0\x80",
        *,
        match: Match = "article",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultPlan:
        if where not in ("markup", "title"):
            raise ValueError(f"where: 'markup' or 'title', not {where!r}")
        return self._transient("stray_bytes", match, times, probability, where=where, data=data)

    def oversized(
        self,
        size: int = 12 * MB,
        *,
        send_length: bool = True,
        match: Match = "",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultPlan:
        return self._transient(
            "oversized", match, times, probability, size=size, send_length=send_length
        )

    def redirect_loop(
        self,
        *,
        match: Match = "article",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultPlan:
        return self._structural("redirect_loop", match, times, probability)

    def offsite_redirect(
        self,
        host: str = "evil.example",
        *,
        scheme: str = "http",
        status: int = 302,
        meta: bool = False,
        match: Match = "article",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultPlan:
        return self._structural(
            "offsite_redirect",
            match,
            times,
            probability,
            host=host,
            scheme=scheme,
            status=status,
            meta=meta,
        )

    def article_redirect(
        self, target: str, *, status: int = 307, match: Match = "article", times: int | None = None
    ) -> FaultPlan:
        return self._structural(
            "article_redirect", match, times, None, target=target, status=status
        )

    def whitespace_links(self, *, match: Match = "listing", times: int | None = None) -> FaultPlan:
        return self._structural("whitespace_links", match, times, None)

    def long_link(
        self, length: int = 100_000, *, match: Match = "listing", times: int | None = None
    ) -> FaultPlan:
        return self._structural("long_link", match, times, None, length=length)

    def huge_listing(
        self, links: int = 100_000, *, match: Match = "listing", times: int | None = None
    ) -> FaultPlan:
        return self._structural("huge_listing", match, times, None, links=links)

    def javascript_refresh(
        self,
        *,
        match: Match = "article",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultPlan:
        return self._structural("javascript_refresh", match, times, probability)

    def not_found(
        self,
        *,
        match: Match = "article",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultPlan:
        return self._structural("not_found", match, times, probability, status=404)

    def no_day_groups(self, *, match: Match = "listing", times: int | None = None) -> FaultPlan:
        return self._structural("no_day_groups", match, times, None)

    def shuffled_entries(self, *, match: Match = "listing", times: int | None = None) -> FaultPlan:
        return self._structural("shuffled_entries", match, times, None)

    def no_lead(self, *, match: Match = "listing", times: int | None = None) -> FaultPlan:
        return self._structural("no_lead", match, times, None)

    def no_load_more(self, *, match: Match = "listing", times: int | None = None) -> FaultPlan:
        return self._structural("no_load_more", match, times, None)

    def layout_changed(
        self, *, keep_links: bool = False, match: Match = "listing", times: int | None = None
    ) -> FaultPlan:
        return self._structural("layout_changed", match, times, None, keep_links=keep_links)

    def no_body_container(
        self, *, keep_text: bool = False, match: Match = "article", times: int | None = None
    ) -> FaultPlan:
        return self._structural("no_body_container", match, times, None, keep_text=keep_text)

    def body_by_script(self, *, match: Match = "article", times: int | None = None) -> FaultPlan:
        return self._structural("body_by_script", match, times, None)

    def date_changed(
        self, *, shown: str = "vor 3 Stunden", match: Match = "article", times: int | None = None
    ) -> FaultPlan:
        return self._structural("date_changed", match, times, None, shown=shown)

    def control_chars(
        self,
        *,
        match: Match = "article",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultPlan:
        return self._structural("control_chars", match, times, probability)

    def hostile_markup(
        self,
        *,
        match: Match = "article",
        times: int | None = None,
        probability: float | None = None,
    ) -> FaultPlan:
        return self._structural("hostile_markup", match, times, probability)

    def _transient(self, kind: str, match: Match, times, probability, **params) -> FaultPlan:
        return self.rule(
            kind, match=match, times=times, probability=probability, default_times=1, **params
        )

    def _structural(self, kind: str, match: Match, times, probability, **params) -> FaultPlan:
        return self.rule(kind, match=match, times=times, probability=probability, **params)

    @classmethod
    def mix(
        cls,
        seed: int,
        rate: float = 0.1,
        *,
        kinds: Iterable[str] = TRANSIENT_KINDS,
        match: Match = "",
        slow_delay: float = 2.0,
        retry_after: int = 1,
    ) -> FaultPlan:
        """Every kind in ``kinds`` at once, together hitting about ``rate`` of requests.

        ``server_error`` stands for 500, 502 and 503 alike. ``slow`` stalls ``slow_delay``
        seconds: run the crawler with a ``DOWNLOAD_TIMEOUT`` below it. Add ``"truncated"``
        or ``"empty"`` to ``kinds`` for cut pages as well.
        """
        plan = cls(seed=seed)
        parts: list[tuple[str, dict[str, Any]]] = []
        for kind in kinds:
            if kind == "server_error":
                parts += [(kind, {"status": status}) for status in (500, 502, 503)]
            elif kind == "rate_limit":
                parts.append((kind, {"status": 429, "retry_after": retry_after}))
            elif kind == "slow":
                parts.append((kind, {"delay": slow_delay, "trickle": False}))
            elif kind in ("reset", "truncated"):
                parts.append((kind, {"keep": 0.5}))
            else:
                parts.append((kind, {}))
        for kind, params in parts:
            plan.rule(kind, match=match, probability=rate / len(parts), **params)
        return plan

    # --- what happened --------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """How many faults limited by ``times`` are still to be served."""
        with self._lock:
            return sum(rule.remaining or 0 for rule in self._rules)

    @property
    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    @property
    def events(self) -> list[FaultEvent]:
        """Every fault served, in order (a copy)."""
        with self._lock:
            return list(self._events)

    def faults_for(self, key: str) -> Counter[str]:
        """The faults served for an article key, by kind."""
        with self._lock:
            return Counter(self._faulted.get(key, {}))

    @property
    def served_correctly(self) -> set[str]:
        """Article keys served at least once normally, with status 200, or with a fault
        that leaves the article's text recoverable (``FaultResponse.intact``)."""
        with self._lock:
            return set(self._served_ok)

    def never_served_correctly(self) -> set[str]:
        """Article keys requested and faulted every time: never a normal 200."""
        with self._lock:
            return set(self._faulted) - self._served_ok

    # --- the hook -------------------------------------------------------------------------

    def intercept(self, request: Request) -> Response | None:
        key = article_key(request.path)
        normal: list[Response] = []

        def page() -> Response:
            if not normal:
                normal.append(request.page() if request.page else _PLACEHOLDER)
            return normal[0]

        with self._lock:
            occurrence = self._seen[request.target]
            self._seen[request.target] += 1
            response = self._fault(request, occurrence, page)
            if response is None:
                if request.page is None:
                    if key:
                        self._served_ok.add(key)
                    return None
                if key and page().status == 200:
                    self._served_ok.add(key)
                return page()
            self.fired[response.fault] += 1
            self._events.append(FaultEvent(request.number, request.target, response.fault, key))
            if key and response.intact:
                self._served_ok.add(key)
            elif key:
                self._faulted.setdefault(key, Counter())[response.fault] += 1
            for damaged in response.damaged:
                self._faulted.setdefault(damaged, Counter())[response.fault] += 1
            return response

    def _fault(
        self, request: Request, occurrence: int, page: Callable[[], Response]
    ) -> FaultResponse | None:
        parts = urlsplit(request.target)
        if f"{LOOP_PARAM}=" in parts.query:
            query = "&".join(p for p in parts.query.split("&") if not p.startswith(LOOP_PARAM))
            back = parts.path + (f"?{query}" if query else "")
            return _redirect("redirect_loop", 302, back)
        if hostile.is_filler(parts.path):
            return FaultResponse(404, b"<html><body>404</body></html>", fault="huge_listing")
        for index, rule in enumerate(self._rules):
            if rule.remaining == 0 or not rule.matches(request):
                continue
            token = f"{self.seed}:{index}:{request.target}:{occurrence}"
            if rule.probability is not None and _roll(token) >= rule.probability:
                continue
            response = _BUILDERS[rule.kind](rule.params, request, page, random.Random(token))
            if response is not None:
                response.fault = rule.kind
                rule.fired += 1
                return response
        return None


# --- building the faulty answers --------------------------------------------------------

_PLACEHOLDER = Response(200, b"<!DOCTYPE html>\n<html><body><p>sitesim</p></body></html>\n")
Builder = Callable[
    [dict[str, Any], Request, Callable[[], Response], random.Random], FaultResponse | None
]


def _roll(token: str) -> float:
    digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
    return int.from_bytes(digest) / 2**64


def _status(params: dict[str, Any], *_: Any) -> FaultResponse:
    status = params["status"]
    retry_after = params.get("retry_after")
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    body = f"<html><body><h1>{status}</h1></body></html>".encode()
    return FaultResponse(status, body, headers=headers, stall=params.get("delay", 0.0))


def _redirect(kind: str, status: int, location: str) -> FaultResponse:
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


#: Control characters, none of them whitespace: removed, they leave the text as it was.
CONTROL_CHARS = "\x1b\x07\x00\x7f\x9b"
_FIRST_WORD = re.compile(r"(<h1>\s*\w)")
#: The end of the first text block of the body (past the dateline).
_FIRST_BLOCK_END = re.compile(
    r'(<div class="js-mediator-article"[^>]*>.*?)(</p>|<br>|\n\s*</div>)', re.DOTALL
)


def _control_chars(html: str, params: dict[str, Any], rng: random.Random) -> str:
    html = _FIRST_WORD.sub(lambda m: m[1] + CONTROL_CHARS, html, count=1)
    return _FIRST_BLOCK_END.sub(lambda m: m[1] + CONTROL_CHARS + m[2], html, count=1)


#: Markup that must leave no trace in the record (tests/test_reliability.py looks for it).
HOSTILE_BODY = (
    '<html:script>alert("html:script")</html:script>'
    '<applet code="Evil.class"><param name="x" value="y">applet fallback</applet>'
    '<frameset><frame src="javascript:alert(1)"></frameset>'
)
HOSTILE_TITLE = '<script>document.title = "script in h1"</script>'


def _hostile_markup(html: str, params: dict[str, Any], rng: random.Random) -> str:
    html = html.replace("<h1>", "<h1>" + HOSTILE_TITLE, 1)
    return _BODY_CONTAINER_OPEN.sub(lambda m: m[0] + HOSTILE_BODY, html, count=1)


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
    return _redirect("redirect_loop", 302, f"{request.target}{separator}{LOOP_PARAM}=1")


def _offsite_redirect(params, request, page, rng) -> FaultResponse:
    location = f"{params['scheme']}://{params['host']}{request.target}"
    if params["meta"]:
        refresh = f'<meta http-equiv="refresh" content="0; url={location}">'
        body = f"<html><head>{refresh}</head><body>moved</body></html>".encode()
        return FaultResponse(200, body, HTML, fault="offsite_redirect")
    return _redirect("offsite_redirect", params["status"], location)


def _article_redirect(params, request, page, rng) -> FaultResponse | None:
    if urlsplit(request.target).path == params["target"]:
        return None  # the target itself is served
    return _redirect("article_redirect", params["status"], params["target"])


def _long_link(params, request, page, rng) -> FaultResponse | None:
    normal = page()
    if not _is_html_200(normal):
        return None
    html, key = hostile.long_link(normal.body.decode("utf-8"), rng, params["length"])
    return _copy(normal, body=html.encode("utf-8"), damaged=(key,) if key else ())


# Listing and article markup, as tests/sitesim/render.py writes it.
_DAY_GROUP = re.compile(r'^[ \t]*<div class="new_date">.*\n', re.MULTILINE)
_ENTRY = re.compile(
    r'^(?P<indent>[ \t]*)<div class="news_item lenta_item">\n.*?^(?P=indent)</div>\n',
    re.MULTILINE | re.DOTALL,
)
_LEAD = re.compile(r'\s*<span class="lenta_textsmall">.*?</span>', re.DOTALL)
_NEXT_LINK = re.compile(
    r'^[ \t]*<div class="(?:load_more|pages)"[^>]*>.*?</div>\n', re.MULTILINE | re.DOTALL
)
_BODY_CONTAINER = re.compile(
    r'^(?P<indent>[ \t]*)<div class="js-mediator-article"[^>]*>\n.*?^(?P=indent)</div>\n',
    re.MULTILINE | re.DOTALL,
)
_DATE_FULL = re.compile(r'(<div class="date_full">).*?(</div>)')
_DATE_META = re.compile(r'^<meta [^>]*published_time"[^>]*>\n', re.MULTILINE)
_BODY_CONTAINER_OPEN = re.compile(r'<div class="js-mediator-article"[^>]*>')
_VIEW_HREF = re.compile(r'\bhref="([^"]*/view/[^"]*)"')
_RENAMES = (
    ('id="inner"', 'id="feed"'),
    ('class="news_item lenta_item"', 'class="feed-card"'),
    ('class="new_date"', 'class="feed-day"'),
    ('class="day"', 'class="feed-day__d"'),
    ('class="month_year"', 'class="feed-day__my"'),
    ('class="date"', 'class="feed-card__time"'),
    ('class="date_rubric"', 'class="feed-card__rubric"'),
    ('class="lenta_item_title"', 'class="feed-card__title"'),
    ('class="lenta_textsmall"', 'class="feed-card__lead"'),
    ('class="load_more"', 'class="feed-more"'),
    ('class="p_next"', 'class="feed-next"'),
)


def _markup(
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


def _shuffle(html: str, params: dict[str, Any], rng: random.Random) -> str:
    entries = [match.group(0) for match in _ENTRY.finditer(html)]
    order = entries[:]
    rng.shuffle(order)
    if len(order) > 1 and order == entries:
        order = order[1:] + order[:1]
    placed = iter(order)
    return _ENTRY.sub(lambda _: next(placed), html)


def _layout_changed(html: str, params: dict[str, Any], rng: random.Random) -> str:
    for old, new in _RENAMES:
        html = html.replace(old, new)
    return html if params["keep_links"] else _VIEW_HREF.sub(r'data-href="\1"', html)


def _no_body_container(html: str, params: dict[str, Any], rng: random.Random) -> str:
    if params["keep_text"]:
        return _BODY_CONTAINER_OPEN.sub('<div class="article-text">', html)
    return _BODY_CONTAINER.sub("", html)


def _body_by_script(html: str, params: dict[str, Any], rng: random.Random) -> str:
    match = _BODY_CONTAINER.search(html)
    if match is None:
        return html
    block = match.group(0)
    opening = _BODY_CONTAINER_OPEN.search(block)
    assert opening is not None
    inner = block[opening.end() : block.rindex("</div>")]
    emptied = block[: opening.end()] + block[block.rindex("</div>") :]
    html = html[: match.start()] + emptied + html[match.end() :]
    script = filled_by_script({"div.js-mediator-article": inner})
    return html.replace("</head>", script + "</head>", 1)


def _date_changed(html: str, params: dict[str, Any], rng: random.Random) -> str:
    html = _DATE_META.sub("", html)
    return _DATE_FULL.sub(lambda m: m[1] + params["shown"] + m[2], html)


_BUILDERS: dict[str, Builder] = {
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
    "no_day_groups": _markup(lambda html, params, rng: _DAY_GROUP.sub("", html)),
    "shuffled_entries": _markup(_shuffle),
    "no_lead": _markup(lambda html, params, rng: _LEAD.sub("", html)),
    "no_load_more": _markup(lambda html, params, rng: _NEXT_LINK.sub("", html)),
    "layout_changed": _markup(_layout_changed),
    "date_changed": _markup(_date_changed),
    "no_body_container": _markup(_no_body_container),
    "body_by_script": _markup(_body_by_script),
    "article_redirect": _article_redirect,
    "whitespace_links": _markup(lambda html, params, rng: hostile.spaced_hrefs(html)),
    "long_link": _long_link,
    "huge_listing": _markup(lambda html, params, rng: hostile.with_filler(html, params["links"])),
    "javascript_refresh": _markup(
        lambda html, params, rng: hostile.with_refresh(html, "javascript:void(0)"), intact=True
    ),
    "control_chars": _markup(_control_chars, intact=True),
    "hostile_markup": _markup(_hostile_markup, intact=True),
}
