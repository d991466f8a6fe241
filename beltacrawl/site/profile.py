"""The shape of a BelTA edition: what differs between editions of the same CMS.

Every edition (German, English, Russian, …) runs the same templates, so the code reads
one kind of page; a profile holds what an edition changes: its hosts, rubrics, language,
the markup's selectors, the text markers and month names. docs/site.md has the evidence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from beltacrawl.items import Kind


@dataclass(frozen=True, slots=True)
class ListingSelectors:
    """Where a listing page (``/all_news/``, ``/<rubric>/``) keeps its entries."""

    container: str
    """CSS: the column that holds the day groups and entries."""
    nodes_xpath: str
    """XPath from the container: day groups and entries, in document order."""
    day_group_class: str
    """Class of a node that starts a day group (the others are entries)."""
    entry_class: str
    """Class of an entry node; named when no entry is found."""
    day: str
    month_year: str
    time: str
    rubric_link: str
    article_link: str
    title: str
    lead: str
    load_more: str
    next_link: str
    fallback_containers: tuple[str, ...]
    """CSS: where to look for article links when the container is gone."""


@dataclass(frozen=True, slots=True)
class ArticleSelectors:
    """Where an article page keeps its parts; CSS unless the name ends in ``_xpath``."""

    column: str
    """The content column (breadcrumb, rubric, date, title, image, body, tags)."""
    title: str
    title_in_column_xpath: str
    title_meta: str
    rubric_link: str
    rubric_link_in_column_xpath: str
    date: str
    date_meta: str
    image_meta: str
    body_candidates: tuple[str, ...]
    main_image: str
    main_image_caption: str
    tags_block: str
    tag_link: str
    old_date_text_xpath: str
    """Text of the column outside body, title and sidebar (the old template's date)."""


@dataclass(frozen=True, slots=True)
class SiteProfile:
    """One edition of BelTA's CMS: every fact the crawler's parsers and URL grammar use."""

    canonical_host: str
    """The host records are canonicalised to (``ArticleRef.url``)."""
    hosts: frozenset[str]
    """Every host that serves the edition's paths (mobile, ``www.``)."""
    language: str
    """ISO 639-1 code of the edition's text (the record's ``language``, dateparser's)."""
    rubric_labels: Mapping[str, str]
    """Known rubric slugs and their labels; not a closed list."""
    all_news: str
    """Slug of the listing of all articles."""
    forbidden_path_prefixes: tuple[str, ...]
    forbidden_url_parts: tuple[str, ...]
    listing: ListingSelectors
    article: ArticleSelectors
    body_drop_classes: frozenset[str]
    """Classes of elements inside the body that are not article text."""
    body_end_classes: frozenset[str]
    """Classes of elements where the article text ends."""
    incomplete_marker: re.Pattern[str]
    """Ends the text of an article that will be completed later."""
    wire_end_marker: str
    photo_credit: re.Pattern[str]
    months: Mapping[str, int]
    """Month names and their variants, lower-cased, without dots."""
    dateline_agency: str
    """The agency token of a dateline (``MINSK, 28. Oktober (BelTA) -``)."""
    item_sections: Mapping[str, Kind] = field(default_factory=lambda: MappingProxyType({}))
    """Sections whose items have URLs without a year (``/photonews/view/<slug>-<id>/``),
    and the kind of record each holds."""

    @property
    def origin(self) -> str:
        """``https://<canonical host>``, the origin of canonical URLs."""
        return f"https://{self.canonical_host}"
