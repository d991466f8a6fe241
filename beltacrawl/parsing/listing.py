"""Listing pages (``/all_news/``, ``/<rubric>/``): entries, their day groups, next page."""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from beltacrawl.site.dates import listing_datetime
from beltacrawl.site.deu import DEU_BELTA
from beltacrawl.site.text import text_of
from beltacrawl.site.urls import (
    ArticleRef,
    join,
    parse_article_link,
    refusal,
    rubric_of_listing_link,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from parsel import Selector, SelectorList
    from scrapy.statscollectors import StatsCollector

    from beltacrawl.site.profile import SiteProfile

#: Stats key of listing entries not taken, one sub-key per reason (``…/unknown_url``).
NOT_TAKEN_STAT = "belta/listing/not_taken"
#: Reasons of links passed over on purpose: other editions, paths never requested.
PASSED_OVER_ON_PURPOSE = frozenset({"other_site", "forbidden"})
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

    @property
    def rubric(self) -> str:
        return self.ref.rubric


@dataclass(frozen=True, slots=True)
class NotTaken:
    """A listing entry the crawler does not take, and why: nothing a listing offers is
    passed over without a count and a log line."""

    reason: str
    """``no_link`` (the entry links to no ``/view/`` page), or the URL grammar's reason
    (:func:`~beltacrawl.site.urls.refusal`): ``other_site``, ``forbidden``,
    ``unknown_url``, ``not_a_url``."""
    href: str
    title: str | None


@dataclass
class ListingPage:
    entries: list[ListingEntry] = field(default_factory=list)
    not_taken: list[NotTaken] = field(default_factory=list)
    """Entries (or, without the entry markup, ``/view/`` links) that are no item."""
    next_url: str | None = None
    missing: list[str] = field(default_factory=list)
    """Selectors that matched nothing, for a loud report when a layout changes."""
    day_group: tuple[str, str] = ("", "")
    """The page's last day group (day, month.year), for the next page's first entries."""
    cut: int = 0
    """Article links beyond the page's ``limit``, not read."""


def report_not_taken(
    not_taken: Iterable[NotTaken], where: str, stats: StatsCollector, logger: logging.Logger
) -> None:
    """Count each entry not taken by its reason, and say which it was: a new kind of item
    on the site shows up in the run's summary instead of vanishing. Links the crawler
    leaves alone on purpose (other editions, video records) are logged at INFO; an entry
    on the site that fits no known URL, or has no link, at WARNING."""
    for entry in not_taken:
        stats.inc_value(f"{NOT_TAKEN_STAT}/{entry.reason}")
        logger.log(
            logging.INFO if entry.reason in PASSED_OVER_ON_PURPOSE else logging.WARNING,
            "%s: entry not taken (%s): %s %r",
            where,
            entry.reason,
            entry.href or "(no link)",
            entry.title or "",
        )


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
) -> ListingEntry | NotTaken:
    selectors = profile.listing
    title = node.css(selectors.title)[:1]
    link = node.css(selectors.article_link)
    if not link:
        # A link to something else (a video record), else none at all: not the rubric's.
        rubric_links = {anchor.root for anchor in node.css(selectors.rubric_link)}
        link = [anchor for anchor in node.css("a[href]") if anchor.root not in rubric_links]
        if not link:
            return NotTaken("no_link", "", text_of(title) if title else None)
    href = link[0].attrib.get("href", "")
    ref = parse_article_link(href, page_url, base_host, profile)
    if ref is None:
        reason = refusal(href, page_url, base_host, profile)
        return NotTaken(reason, href, text_of(title) if title else text_of(link[0]))
    lead = node.css(selectors.lead)[:1]
    rubric_link = node.css(selectors.rubric_link)[:1]
    day, month_year = day_group
    listed_at = listing_datetime(day, month_year, " ".join(node.css(selectors.time).getall()))
    rubric_label = None
    if rubric_link and rubric_of_listing_link(rubric_link.attrib.get("href", ""), profile):
        rubric_label = text_of(rubric_link)
    return ListingEntry(
        ref=ref,
        title=text_of(title) if title else text_of(link[0]),
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
    ``limit`` entries (taken or not) are read; the entry nodes (or links) beyond are only
    counted (``ListingPage.cut``): a page of thousands of links is no page of the site.
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
    for node in nodes:
        if selectors.day_group_class in node.attrib.get("class", "").split():
            # Read beyond the limit too: the next page continues the page's last day.
            day_group = (
                " ".join(node.css(selectors.day).getall()),
                text_of(node.css(selectors.month_year)) or "",
            )
            continue
        if limit is not None and len(result.entries) + len(result.not_taken) >= limit:
            result.cut += 1
            continue
        entry = _entry(node, day_group, page_url, base_host, profile)
        if isinstance(entry, NotTaken):
            result.not_taken.append(entry)
        else:
            result.entries.append(entry)
    result.day_group = day_group
    if not nodes:
        result.missing.append(f"div.{selectors.entry_class}")
        _fallback_entries(result, container, page_url, base_host, profile, limit)
    return result


def _fallback_entries(
    result: ListingPage,
    container: SelectorList[Selector],
    page_url: str,
    base_host: str,
    profile: SiteProfile,
    limit: int | None,
) -> None:
    """When the entry markup is gone: every ``/view/`` link in the content column, once
    (the first ``limit`` links; the other links, each counted once, in ``result.cut``)."""
    entries: dict[str, ListingEntry] = {}
    refused: dict[str, NotTaken] = {}
    read: set[str] = set()
    unread: set[str] = set()
    for link in container.css(profile.listing.article_link):
        href = link.attrib.get("href", "")
        if href in read:
            continue
        if limit is not None and len(entries) + len(refused) >= limit:
            unread.add(href)
            continue
        read.add(href)
        ref = parse_article_link(href, page_url, base_host, profile)
        if ref is None:
            reason = refusal(href, page_url, base_host, profile)
            refused.setdefault(href, NotTaken(reason, href, text_of(link)))
        elif ref.key not in entries:
            entries[ref.key] = ListingEntry(ref, text_of(link), None, None, None)
    result.entries = list(entries.values())
    result.not_taken = list(refused.values())
    result.cut = len(unread)
