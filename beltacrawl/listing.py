"""Listing pages (``/all_news/``, ``/<rubric>/``): entries, their day groups, next page."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from parsel import Selector

from beltacrawl import site
from beltacrawl.dates import listing_datetime, normalise_space, to_iso
from beltacrawl.selectors import first, select, text
from beltacrawl.urls import ArticleRef, join, parse_article_link, rubric_of_listing_link

_GET_PAGE = re.compile(r"get_page\(\s*['\"]([^'\"]+)['\"]")
#: The "load more" URL ends ``…&year=26/``: a stray slash after the last parameter.
_STRAY_SLASH = re.compile(r"(\?[^#]*?)/+$")


@dataclass(frozen=True, slots=True)
class ListingEntry:
    """One article as a listing shows it."""

    ref: ArticleRef
    title: str | None
    lead: str | None
    rubric_label: str | None
    listed_at: str | None
    """Listing date and time (ISO 8601, Minsk), from the entry's day group and ``HH:MM``."""

    @property
    def key(self) -> str:
        return self.ref.key


@dataclass
class ListingPage:
    entries: list[ListingEntry] = field(default_factory=list)
    next_url: str | None = None
    missing: list[str] = field(default_factory=list)
    """Selectors that matched nothing, for a loud report when a layout changes."""
    day_group: tuple[str, str] = ("", "")
    """The page's last day group (day, month.year), for the next page's first entries."""


def _text(elements: list[Any]) -> str | None:
    """Text of all the elements, whitespace-normalised."""
    return normalise_space(" ".join(text(element) or "" for element in elements)) or None


def dedupe_lead(lead: str | None) -> str | None:
    """Some captures repeat the lead twice in a row: keep it once.

    >>> dedupe_lead("Die Mannschaft siegte. Die Mannschaft siegte.")
    'Die Mannschaft siegte.'
    """
    if not lead:
        return lead
    half, remainder = divmod(len(lead), 2)
    if remainder == 1 and lead[:half] == lead[half + 1 :]:
        return lead[:half]
    return lead


def next_page_url(page: Selector, page_url: str) -> str | None:
    """The "load more" target (``get_page('…')``, or the older ``a.p_next`` link).

    >>> sel = Selector(text='''<div class="load_more" onclick="return get_page('/all_news/page/7/?day=08&amp;month=01&amp;year=26/','inner','1');">''')
    >>> next_page_url(sel, "https://deu.belta.by/all_news/page/6/")
    'https://deu.belta.by/all_news/page/7/?day=08&month=01&year=26'
    """  # noqa: E501
    onclick = first(page.root, site.LISTING_LOAD_MORE)
    target = None
    if onclick and (match := _GET_PAGE.search(html.unescape(onclick))):
        target = _STRAY_SLASH.sub(r"\1", match[1])
    target = target or first(page.root, site.LISTING_NEXT_LINK)
    return join(page_url, html.unescape(target.strip())) if target else None


def _entry(node: Any, day: str, month_year: str, base_host: str, page_url: str):
    link = first(node, site.LISTING_ARTICLE_LINK)
    if link is None:
        return None
    ref = parse_article_link(link.get("href", ""), page_url, base_host)
    if ref is None:
        return None
    title = first(node, site.LISTING_TITLE)
    lead = first(node, site.LISTING_LEAD)
    rubric_link = first(node, site.LISTING_RUBRIC_LINK)
    time_text = " ".join(select(node, site.LISTING_TIME))
    listed_at = listing_datetime(day, month_year, time_text)
    rubric_label = text(rubric_link) if rubric_link is not None else None
    if rubric_link is not None and rubric_of_listing_link(rubric_link.get("href", "")) is None:
        rubric_label = None
    return ListingEntry(
        ref=ref,
        title=text(title) if title is not None else text(link),
        lead=dedupe_lead(text(lead)) if lead is not None else None,
        rubric_label=rubric_label,
        listed_at=to_iso(listed_at),
    )


def parse_listing(
    page: Selector, page_url: str, base_host: str = "", day_group: tuple[str, str] = ("", "")
) -> ListingPage:
    """Entries of a listing page in order, each dated by the day group above it.

    ``day_group`` is the last day group of the page before: entries at the top of a page
    that continues that day belong to it (``ListingPage.day_group`` hands it on).

    Selectors are applied to the page's lxml tree through :mod:`beltacrawl.selectors`
    (compiled once), not through parsel, which compiles every query again.
    """
    result = ListingPage(next_url=next_page_url(page, page_url))
    root = page.root
    container = select(root, site.LISTING_CONTAINER)
    if not container:
        result.missing.append(site.LISTING_CONTAINER)
        container = select(root, "div.content_margin") or select(root, "body")
    day, month_year = day_group
    nodes = select(container[0], site.LISTING_NODES_XPATH) if container else []
    for node in nodes:
        classes = node.get("class", "").split()
        if "new_date" in classes:
            day = " ".join(select(node, site.LISTING_DAY))
            month_year = _text(select(node, site.LISTING_MONTH_YEAR)) or ""
            continue
        entry = _entry(node, day, month_year, base_host, page_url)
        if entry is not None:
            result.entries.append(entry)
    result.day_group = (day, month_year)
    if not nodes:
        result.missing.append("div.lenta_item")
        result.entries = _fallback_entries(container, base_host, page_url)
    return result


def _fallback_entries(container: list[Any], base_host: str, page_url: str) -> list[ListingEntry]:
    """When the entry markup is gone: every article link in the content column, once."""
    entries: dict[str, ListingEntry] = {}
    links = [link for element in container for link in select(element, site.LISTING_ARTICLE_LINK)]
    for link in links:
        ref = parse_article_link(link.get("href", ""), page_url, base_host)
        if ref is not None and ref.key not in entries:
            entries[ref.key] = ListingEntry(ref, text(link), None, None, None)
    return list(entries.values())
