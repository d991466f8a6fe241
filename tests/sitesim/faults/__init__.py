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

The package: :mod:`.kinds` (the vocabulary: kinds, request, response, rule, ``match``
helpers), :mod:`.rules` (a constructor per kind), :mod:`.plan` (:class:`FaultPlan`: the
hook and its record), :mod:`.answers` (the faulted answers) and :mod:`.markup` (the page
rewrites of the layout faults).
"""

from __future__ import annotations

from tests.sitesim.faults.answers import Builder
from tests.sitesim.faults.kinds import (
    KINDS,
    LOOP_PARAM,
    MB,
    TRANSIENT_KINDS,
    FaultEvent,
    FaultResponse,
    FaultRule,
    Faults,
    Match,
    Request,
    article_key,
    for_keys,
    is_listing,
)
from tests.sitesim.faults.markup import CONTROL_CHARS, HOSTILE_BODY, HOSTILE_TITLE
from tests.sitesim.faults.plan import FaultPlan

__all__ = [
    "CONTROL_CHARS",
    "HOSTILE_BODY",
    "HOSTILE_TITLE",
    "KINDS",
    "LOOP_PARAM",
    "MB",
    "TRANSIENT_KINDS",
    "Builder",
    "FaultEvent",
    "FaultPlan",
    "FaultResponse",
    "FaultRule",
    "Faults",
    "Match",
    "Request",
    "article_key",
    "for_keys",
    "is_listing",
]
