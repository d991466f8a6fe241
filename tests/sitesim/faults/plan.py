"""The fault plan: its rules (:class:`RuleBook`), the hook the server calls, and the record
of what it served."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Callable
from urllib.parse import urlsplit

from tests.sitesim import hostile
from tests.sitesim.faults.answers import BUILDERS, redirect
from tests.sitesim.faults.kinds import (
    LOOP_PARAM,
    FaultEvent,
    FaultResponse,
    FaultRule,
    Faults,
    Request,
    article_key,
)
from tests.sitesim.faults.rules import RuleBook
from tests.sitesim.routes import Response

_PLACEHOLDER = Response(200, b"<!DOCTYPE html>\n<html><body><p>sitesim</p></body></html>\n")


def _roll(token: str) -> float:
    digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
    return int.from_bytes(digest) / 2**64


class FaultPlan(RuleBook, Faults):
    """Scripted faults (see the docstring of :mod:`tests.sitesim.faults`); thread-safe,
    deterministic by ``seed``."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__(seed)
        self._seen: Counter[str] = Counter()
        #: Faults served, by kind.
        self.fired: Counter[str] = Counter()
        self._events: list[FaultEvent] = []
        self._faulted: dict[str, Counter[str]] = {}
        self._served_ok: set[str] = set()

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
            return redirect("redirect_loop", 302, back)
        if hostile.is_filler(parts.path):
            return FaultResponse(404, b"<html><body>404</body></html>", fault="huge_listing")
        for index, rule in enumerate(self._rules):
            if rule.remaining == 0 or not rule.matches(request):
                continue
            token = f"{self.seed}:{index}:{request.target}:{occurrence}"
            if rule.probability is not None and _roll(token) >= rule.probability:
                continue
            response = BUILDERS[rule.kind](rule.params, request, page, random.Random(token))
            if response is not None:
                response.fault = rule.kind
                rule.fired += 1
                return response
        return None
