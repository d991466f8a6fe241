"""The rules of a fault plan: one constructor per fault kind, and :meth:`RuleBook.mix`."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, Self

from tests.sitesim.faults.kinds import KINDS, MB, TRANSIENT_KINDS, FaultRule, Match


class RuleBook:
    """The rule-making half of :class:`~tests.sitesim.faults.FaultPlan`: every method adds a
    rule and returns the plan, so that calls chain."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def rule(
        self,
        kind: str,
        *,
        match: Match = "",
        times: int | None = None,
        probability: float | None = None,
        default_times: int | None = None,
        **params: Any,
    ) -> Self:
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
    ) -> Self:
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
    ) -> Self:
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
    ) -> Self:
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
    ) -> Self:
        return self._transient("reset", match, times, probability, keep=keep)

    def slow(
        self,
        delay: float = 3.0,
        *,
        trickle: bool = False,
        match: Match = "",
        times: int | None = None,
        probability: float | None = None,
    ) -> Self:
        return self._transient("slow", match, times, probability, delay=delay, trickle=trickle)

    def truncated(
        self,
        keep: float = 0.5,
        *,
        match: Match = "",
        times: int | None = None,
        probability: float | None = None,
    ) -> Self:
        return self._transient("truncated", match, times, probability, keep=keep)

    def empty(
        self, *, match: Match = "", times: int | None = None, probability: float | None = None
    ) -> Self:
        return self._transient("empty", match, times, probability)

    def binary(
        self,
        content_type: str = "application/pdf",
        size: int = 4096,
        *,
        match: Match = "",
        times: int | None = None,
        probability: float | None = None,
    ) -> Self:
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
    ) -> Self:
        return self._transient(
            "wrong_charset", match, times, probability, encoding=encoding, declared=declared
        )

    def no_charset(
        self, *, match: Match = "", times: int | None = None, probability: float | None = None
    ) -> Self:
        return self._transient("no_charset", match, times, probability)

    def charset(
        self,
        encoding: str = "utf-16",
        *,
        match: Match = "",
        times: int | None = None,
        probability: float | None = None,
    ) -> Self:
        return self._transient("charset", match, times, probability, encoding=encoding)

    def stray_bytes(
        self,
        where: str = "markup",
        data: bytes = b"\xff\xed\xa0\x80",
        *,
        match: Match = "article",
        times: int | None = None,
        probability: float | None = None,
    ) -> Self:
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
    ) -> Self:
        return self._transient(
            "oversized", match, times, probability, size=size, send_length=send_length
        )

    def redirect_loop(
        self,
        *,
        match: Match = "article",
        times: int | None = None,
        probability: float | None = None,
    ) -> Self:
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
    ) -> Self:
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
    ) -> Self:
        return self._structural(
            "article_redirect", match, times, None, target=target, status=status
        )

    def whitespace_links(self, *, match: Match = "listing", times: int | None = None) -> Self:
        return self._structural("whitespace_links", match, times, None)

    def long_link(
        self, length: int = 100_000, *, match: Match = "listing", times: int | None = None
    ) -> Self:
        return self._structural("long_link", match, times, None, length=length)

    def huge_listing(
        self, links: int = 100_000, *, match: Match = "listing", times: int | None = None
    ) -> Self:
        return self._structural("huge_listing", match, times, None, links=links)

    def javascript_refresh(
        self,
        *,
        match: Match = "article",
        times: int | None = None,
        probability: float | None = None,
    ) -> Self:
        return self._structural("javascript_refresh", match, times, probability)

    def not_found(
        self,
        *,
        match: Match = "article",
        times: int | None = None,
        probability: float | None = None,
    ) -> Self:
        return self._structural("not_found", match, times, probability, status=404)

    def no_day_groups(self, *, match: Match = "listing", times: int | None = None) -> Self:
        return self._structural("no_day_groups", match, times, None)

    def shuffled_entries(self, *, match: Match = "listing", times: int | None = None) -> Self:
        return self._structural("shuffled_entries", match, times, None)

    def no_lead(self, *, match: Match = "listing", times: int | None = None) -> Self:
        return self._structural("no_lead", match, times, None)

    def no_load_more(self, *, match: Match = "listing", times: int | None = None) -> Self:
        return self._structural("no_load_more", match, times, None)

    def layout_changed(
        self, *, keep_links: bool = False, match: Match = "listing", times: int | None = None
    ) -> Self:
        return self._structural("layout_changed", match, times, None, keep_links=keep_links)

    def no_body_container(
        self, *, keep_text: bool = False, match: Match = "article", times: int | None = None
    ) -> Self:
        return self._structural("no_body_container", match, times, None, keep_text=keep_text)

    def body_by_script(self, *, match: Match = "article", times: int | None = None) -> Self:
        return self._structural("body_by_script", match, times, None)

    def date_changed(
        self, *, shown: str = "vor 3 Stunden", match: Match = "article", times: int | None = None
    ) -> Self:
        return self._structural("date_changed", match, times, None, shown=shown)

    def control_chars(
        self,
        *,
        match: Match = "article",
        times: int | None = None,
        probability: float | None = None,
    ) -> Self:
        return self._structural("control_chars", match, times, probability)

    def hostile_markup(
        self,
        *,
        match: Match = "article",
        times: int | None = None,
        probability: float | None = None,
    ) -> Self:
        return self._structural("hostile_markup", match, times, probability)

    def _transient(self, kind: str, match: Match, times, probability, **params) -> Self:
        return self.rule(
            kind, match=match, times=times, probability=probability, default_times=1, **params
        )

    def _structural(self, kind: str, match: Match, times, probability, **params) -> Self:
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
    ) -> Self:
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
