"""Listing pages (``/all_news/``, ``/<rubric>/``): entries, their day groups, next page."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from beltacrawl.site.dates import listing_datetime
from beltacrawl.site.deu import DEU_BELTA
from beltacrawl.site.text import text_of
from beltacrawl.site.urls import ArticleRef, join, parse_article_link, rubric_of_listing_link

if TYPE_CHECKING:
    from parsel import Selector, SelectorList

    from beltacrawl.site.profile import SiteProfile

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
    listed_at: datetime | None
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
    cut: int = 0
    """Article links beyond the page's ``limit``, not read."""


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


def next_page_url(page: Selector, page_url: str, profile: SiteProfile = DEU_BELTA) -> str | None:
    """The "load more" target (``get_page('…')``, or the older ``a.p_next`` link).

    >>> from parsel import Selector
    >>> sel = Selector(text='''<div class="load_more" onclick="return get_page('/all_news/page/7/?day=08&amp;month=01&amp;year=26/','inner','1');">''')
    >>> next_page_url(sel, "https://deu.belta.by/all_news/page/6/")
    'https://deu.belta.by/all_news/page/7/?day=08&month=01&year=26'
    """  # noqa: E501
    onclick = page.css(profile.listing.load_more).get()
    target = None
    if onclick and (match := _GET_PAGE.search(html.unescape(onclick))):
        target = _STRAY_SLASH.sub(r"\1", match[1])
    target = target or page.css(profile.listing.next_link).get()
    return join(page_url, html.unescape(target.strip())) if target else None


def _entry(
    node: Selector, day_group: tuple[str, str], page_url: str, base_host: str, profile: SiteProfile
) -> ListingEntry | None:
    selectors = profile.listing
    link = node.css(selectors.article_link)
    if not link:
        return None
    ref = parse_article_link(link[0].attrib.get("href", ""), page_url, base_host, profile)
    if ref is None:
        return None
    title = node.css(selectors.title)[:1]
    lead = node.css(selectors.lead)[:1]
    rubric_link = node.css(selectors.rubric_link)[:1]
    day, month_year = day_group
    listed_at = listing_datetime(day, month_year, " ".join(node.css(selectors.time).getall()))
    rubric_label = None
    if rubric_link and rubric_of_listing_link(rubric_link.attrib.get("href", ""), profile):
        rubric_label = text_of(rubric_link)
    return ListingEntry(
        ref=ref,
        title=text_of(title) if title else text_of(link[:1]),
        lead=dedupe_lead(text_of(lead)) if lead else None,
        rubric_label=rubric_label,
        listed_at=listed_at,
    )


def parse_listing(
    page: Selector,
    page_url: str,
    base_host: str = "",
    day_group: tuple[str, str] = ("", ""),
    profile: SiteProfile = DEU_BELTA,
    limit: int | None = None,
) -> ListingPage:
    """Entries of a listing page in order, each dated by the day group above it.

    ``day_group`` is the last day group of the page before: entries at the top of a page
    that continues that day belong to it (``ListingPage.day_group`` hands it on). At most
    ``limit`` entries are read; the entry nodes (or links) beyond are only counted
    (``ListingPage.cut``): a page of thousands of links is no page of the site.
    """
    selectors = profile.listing
    result = ListingPage(next_url=next_page_url(page, page_url, profile))
    container = page.css(selectors.container)
    if not container:
        result.missing.append(selectors.container)
        for fallback in selectors.fallback_containers:
            if container := page.css(fallback):
                break
    nodes = container[0].xpath(selectors.nodes_xpath) if container else []
    for position, node in enumerate(nodes):
        is_day_group = selectors.day_group_class in node.attrib.get("class", "").split()
        if limit is not None and len(result.entries) >= limit and not is_day_group:
            result.cut = sum(
                selectors.day_group_class not in rest.attrib.get("class", "").split()
                for rest in nodes[position:]
            )
            break
        if is_day_group:
            day_group = (
                " ".join(node.css(selectors.day).getall()),
                text_of(node.css(selectors.month_year)) or "",
            )
            continue
        entry = _entry(node, day_group, page_url, base_host, profile)
        if entry is not None:
            result.entries.append(entry)
    result.day_group = day_group
    if not nodes:
        result.missing.append(f"div.{selectors.entry_class}")
        result.entries, result.cut = _fallback_entries(
            container, page_url, base_host, profile, limit
        )
    return result


def _fallback_entries(
    container: SelectorList[Selector],
    page_url: str,
    base_host: str,
    profile: SiteProfile,
    limit: int | None,
) -> tuple[list[ListingEntry], int]:
    """When the entry markup is gone: every article link in the content column, once (at
    most ``limit``), and how many links were left unread."""
    entries: dict[str, ListingEntry] = {}
    links = container.css(profile.listing.article_link)
    for position, link in enumerate(links):
        if limit is not None and len(entries) >= limit:
            return list(entries.values()), len(links) - position
        ref = parse_article_link(link.attrib.get("href", ""), page_url, base_host, profile)
        if ref is not None and ref.key not in entries:
            entries[ref.key] = ListingEntry(ref, text_of(link), None, None, None)
    return list(entries.values()), 0
