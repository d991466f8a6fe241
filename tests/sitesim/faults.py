"""The server's fault hook: consulted before each request is routed.

A fault injector subclasses :class:`Faults` and returns a :class:`Response` instead of
``None``; to answer slowly it sleeps in ``intercept``. :class:`FaultPlan` scripts the
common cases (5xx bursts, 429 with ``Retry-After``, slow answers); set it with
``server.faults = FaultPlan().add(...)``, also while the server runs.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from tests.sitesim.routes import Response


@dataclass(frozen=True)
class Request:
    method: str
    #: Path and query, as routed.
    target: str
    headers: dict[str, str]
    #: 1-based number of this request among all the server has received.
    number: int


class Faults:
    """No faults: every request is served normally."""

    def intercept(self, request: Request) -> Response | None:
        return None


@dataclass
class _Rule:
    status: int | None
    remaining: int
    match: str
    retry_after: int | None
    delay: float


class FaultPlan(Faults):
    """Scripted faults, each hitting the next ``times`` requests whose target has ``match``.

    Rules apply in the order added; a request hit by none is served normally.
    """

    def __init__(self) -> None:
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()

    def add(
        self,
        status: int | None = 503,
        *,
        times: int = 1,
        match: str = "",
        retry_after: int | None = None,
        delay: float = 0.0,
    ) -> FaultPlan:
        """Answer ``status`` (None: the normal page) after ``delay`` seconds."""
        with self._lock:
            self._rules.append(_Rule(status, times, match, retry_after, delay))
        return self

    @property
    def pending(self) -> int:
        """How many faults are still to be served."""
        with self._lock:
            return sum(rule.remaining for rule in self._rules)

    def intercept(self, request: Request) -> Response | None:
        with self._lock:
            rule = next(
                (r for r in self._rules if r.remaining > 0 and r.match in request.target), None
            )
            if rule:
                rule.remaining -= 1
        if rule is None:
            return None
        if rule.delay:
            time.sleep(rule.delay)
        if rule.status is None:
            return None
        headers = {} if rule.retry_after is None else {"Retry-After": str(rule.retry_after)}
        body = f"<html><body><h1>{rule.status}</h1></body></html>".encode()
        return Response(rule.status, body, headers=headers)
