"""Spider arguments (``-a name=value``): parsed and validated once, with clear errors.

>>> args = CrawlArguments.parse({"rubrics": "Wirtschaft,politics", "since": "2024-01-01"})
>>> args.rubrics, args.since.isoformat()
(('economics', 'politics'), '2024-01-01T00:00:00+03:00')
>>> CrawlArguments.parse({"max_pages": "0"})
Traceback (most recent call last):
...
beltacrawl.crawl.arguments.ArgumentError: max_pages must be a whole number of at least 1, got '0'
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any

from beltacrawl.config import RENDER_MODES
from beltacrawl.site.dates import MINSK
from beltacrawl.site.deu import DEU_BELTA
from beltacrawl.site.urls import ArticleRef, parse_article_url

MODES = ("incremental", "full")
_RUBRIC_SLUG = re.compile(r"^[a-z][a-z0-9_-]*$")
KNOWN_ARGUMENTS = ("rubrics", "since", "until", "max_pages", "urls", "mode", "render")


class ArgumentError(ValueError):
    """A spider argument with a bad value; the message says which and why."""


def known_rubrics() -> str:
    return ", ".join(f"{slug} ({label})" for slug, label in DEU_BELTA.rubric_labels.items())


def unknown_rubric(slug: str, url: str) -> str:
    """What to say when the site answers a rubric's first listing page with 404 (unknown
    slugs pass the argument check: the site may add rubrics)."""
    return (
        f"rubrics: {slug!r} is not a rubric of the site (HTTP 404 for {url}); "
        f"known rubrics: {known_rubrics()}"
    )


def _rubric_slug(value: str) -> str:
    """A known slug or label; a close misspelling of one is refused with "did you mean".

    Other slugs pass, since the site may add rubrics: its 404 tells (the spider says so).

    >>> _rubric_slug("Wirtschaft"), _rubric_slug("economics"), _rubric_slug("kultur")
    ('economics', 'economics', 'kultur')
    >>> _rubric_slug("economy")
    Traceback (most recent call last):
    ...
    beltacrawl.crawl.arguments.ArgumentError: rubrics: 'economy' is not a known rubric; did you mean economics (Wirtschaft)?
    """  # noqa: E501
    value = value.strip()
    labels = DEU_BELTA.rubric_labels
    by_name = {label.lower(): slug for slug, label in labels.items()}
    by_name.update({slug: slug for slug in labels})
    if value.lower() in by_name:
        return by_name[value.lower()]
    if close := difflib.get_close_matches(value.lower(), by_name, n=1, cutoff=0.7):
        slug = by_name[close[0]]
        raise ArgumentError(
            f"rubrics: {value!r} is not a known rubric; did you mean {slug} ({labels[slug]})?"
        )
    if value == DEU_BELTA.all_news or _RUBRIC_SLUG.match(value):
        return value
    raise ArgumentError(
        f"rubrics: {value!r} is neither a rubric slug nor a label; known rubrics: "
        + known_rubrics()
    )


def _day(name: str, value: str, end_of_day: bool) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ArgumentError(
            f"{name} must be a date like 2024-01-31 (or 2024-01-31T12:00), got {value!r}"
        ) from None
    if parsed.tzinfo is None:
        if end_of_day and len(value.strip()) == 10:
            parsed = datetime.combine(parsed.date(), time.max)
        parsed = parsed.replace(tzinfo=MINSK)
    return parsed


def _urls(value: str) -> tuple[ArticleRef, ...]:
    path = Path(value)
    if "/view/" not in value and path.is_file():
        items = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    elif "/view/" not in value and not value.startswith("http"):
        raise ArgumentError(f"urls: {value!r} is neither a file nor a list of article URLs")
    else:
        items = [item.strip() for item in value.split(",")]
    refs: dict[str, ArticleRef] = {}
    for item in items:
        if not item or item.startswith("#"):
            continue
        ref = parse_article_url(item)
        if ref is None:
            raise ArgumentError(
                f"urls: {item!r} is not a deu.belta.by article URL "
                "(…/<rubric>/view/<slug>-<id>-<year>/), photo report "
                "(…/photonews/view/<slug>-<id>/) or infographic (…/infographica/view/<slug>-<id>/)"
            )
        refs.setdefault(ref.key, ref)
    if not refs:
        raise ArgumentError(f"urls: no article URL in {value!r}")
    return tuple(refs.values())


@dataclass(frozen=True)
class CrawlArguments:
    listings: tuple[str, ...] = (DEU_BELTA.all_news,)
    """Listings to walk: ``all_news`` and/or rubric slugs."""
    rubrics: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    max_pages: int | None = None
    urls: tuple[ArticleRef, ...] = ()
    mode: str = "incremental"
    render: str | None = None
    raw: dict[str, str] = field(default_factory=dict)
    """The arguments as given, for the run record."""

    @classmethod
    def parse(cls, given: dict[str, Any]) -> CrawlArguments:
        unknown = sorted(set(given) - set(KNOWN_ARGUMENTS))
        if unknown:
            raise ArgumentError(
                f"unknown spider argument(s) {', '.join(unknown)}; "
                f"known: {', '.join(KNOWN_ARGUMENTS)}"
            )
        values = {name: str(value) for name, value in given.items()}
        rubrics = tuple(
            dict.fromkeys(
                _rubric_slug(item) for item in values.get("rubrics", "").split(",") if item.strip()
            )
        )
        since = _day("since", values["since"], end_of_day=False) if "since" in values else None
        until = _day("until", values["until"], end_of_day=True) if "until" in values else None
        if since and until and since > until:
            raise ArgumentError(f"since ({since.date()}) is after until ({until.date()})")
        max_pages = None
        if "max_pages" in values:
            text = values["max_pages"].strip()
            if not text.isdigit() or int(text) < 1:
                raise ArgumentError(
                    f"max_pages must be a whole number of at least 1, got {values['max_pages']!r}"
                )
            max_pages = int(text)
        mode = values.get("mode", "incremental").strip().lower()
        if mode not in MODES:
            raise ArgumentError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        render = values.get("render")
        if render is not None:
            render = render.strip().lower()
            if render not in RENDER_MODES:
                raise ArgumentError(
                    f"render must be one of {', '.join(RENDER_MODES)}, got {values['render']!r}"
                )
        return cls(
            listings=rubrics or (DEU_BELTA.all_news,),
            rubrics=rubrics,
            since=since,
            until=until,
            max_pages=max_pages,
            urls=_urls(values["urls"]) if values.get("urls") else (),
            mode=mode,
            render=render,
            raw=values,
        )

    def in_window(self, moment: datetime) -> bool:
        return (self.since is None or moment >= self.since) and (
            self.until is None or moment <= self.until
        )

    def admits(self, rubric: str, published_at: datetime | None) -> bool:
        """Is an article known from the archive's side (a refresh, a failure to retry)
        inside this run's rubrics and date window? Without a known date, only in a run
        without a window.

        >>> args = CrawlArguments.parse({"rubrics": "economics", "since": "2024-01-01"})
        >>> args.admits("economics", None), args.admits("sport", None)
        (False, False)
        >>> args.admits("economics", datetime(2024, 2, 1, tzinfo=MINSK))
        True
        """
        if DEU_BELTA.all_news not in self.listings and rubric not in self.rubrics:
            return False
        if self.since is None and self.until is None:
            return True
        return published_at is not None and self.in_window(published_at)
