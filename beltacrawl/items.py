"""The article record: one class, one documented field each (see docs/schema.md)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Article:
    """One German BelTA article as archived.

    Every field defaults to ``None`` (or an empty list) so that an item loader never
    mistakes a default for a collected value; a field that stays ``None`` was not found.
    """

    url: str | None = None
    """Canonical article URL on the real site: https, host ``deu.belta.by``, trailing slash."""
    fetched_url: str | None = None
    """The URL actually fetched (may be a mirror or replica set by ``BELTA_BASE_URL``)."""
    key: str | None = None
    """Article identity ``"<article_id>-<article_year>"``; ids repeat across years."""
    article_id: int | None = None
    """Numeric id from the URL."""
    article_year: int | None = None
    """Year from the URL (the publication year)."""
    rubric: str | None = None
    """Rubric slug from the URL, e.g. ``economics``."""
    rubric_label: str | None = None
    """Rubric as shown on the page, e.g. ``Wirtschaft``."""
    title: str | None = None
    """Headline, whitespace-normalised, without a site suffix."""
    lead: str | None = None
    """Teaser text from the listing, when the article was found on one."""
    published_at: str | None = None
    """Publication time, ISO 8601 with the Minsk offset, e.g. ``2022-10-28T09:38:00+03:00``."""
    published_raw: str | None = None
    """Publication time exactly as shown on the page, e.g. ``28 Oktober 2022, 09:38``."""
    dateline_place: str | None = None
    """Dateline city, e.g. ``MINSK``; ``None`` when the article has no dateline."""
    dateline_date: str | None = None
    """Dateline date as an ISO date, its year inferred from ``published_at``."""
    dateline_raw: str | None = None
    """Dateline as published, e.g. ``MINSK, 28. Oktober (BelTA) -``."""
    body: str | None = None
    """Article text, paragraphs separated by one blank line, dateline removed."""
    body_html: str | None = None
    """Cleaned inner HTML of the article body container."""
    tags: list[str] = field(default_factory=list)
    """Tag labels shown under the article."""
    image_url: str | None = None
    """Absolute URL of the main image on the real site."""
    image_caption: str | None = None
    """Caption of the main image."""
    language: str | None = None
    """Language code, always ``de``."""
    is_incomplete: bool | None = None
    """True when the text ends with the site's ``/Wird ergänzt/`` marker (to be updated)."""
    content_hash: str | None = None
    """SHA-256 (hex) of title and body, for change detection."""
    fetched_at: str | None = None
    """UTC time of the fetch, ISO 8601, e.g. ``2026-11-28T10:00:00+00:00``."""
