"""Article pages: select the raw values of one article from its markup.

This module only finds values on the page; normalising them into a record is the
loader's job (:mod:`beltacrawl.loaders`). Where a selector is only known from a sister
edition, a fallback (meta tags, text patterns) stands behind it, and ``missing`` names
the selectors that found nothing so a crawl can say what stopped matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsel import Selector

from beltacrawl import site
from beltacrawl.body import clean_blocks, clean_html, text_blocks
from beltacrawl.datelines import find_dateline
from beltacrawl.dates import normalise_space

#: ``25.09.2017 | 14:27`` (old template) or ``28 Oktober 2022, 09:38`` anywhere in the
#: content column, for pages where ``div.date_full`` is gone.
_DATE_TEXT = re.compile(
    r"\d{1,2}\.\d{1,2}\.\d{4}\s*\|\s*\d{1,2}:\d{2}"
    r"|\d{1,2}\.?\s+[A-Za-zÄäÖöÜü]{3,9}\.?\s+\d{4}\s*,\s*\d{1,2}:\d{2}"
)
#: How far into the body a dateline may sit (after caption blocks such as ``Archivfoto``).
_DATELINE_SEARCH_BLOCKS = 3


@dataclass
class RawArticle:
    """Values as found on an article page, before normalisation."""

    title: str | None = None
    rubric_label: str | None = None
    rubric_href: str | None = None
    published_raw: str | None = None
    published_meta: str | None = None
    dateline_raw: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    body_html: str | None = None
    tags: list[str] = field(default_factory=list)
    image_src: str | None = None
    image_caption: str | None = None
    canonical_url: str | None = None
    missing: list[str] = field(default_factory=list)
    """Primary selectors that matched nothing on this page (a fallback may have served)."""


def _text(selection) -> str | None:
    text = normalise_space(" ".join(selection.xpath(".//text()").getall()))
    return text or None


def _first_text(page: Selector, css: str) -> str | None:
    selection = page.css(css)
    return _text(selection[0]) if selection else None


def _body_container(page: Selector, raw: RawArticle):
    for css in site.ARTICLE_BODY_CANDIDATES:
        selection = page.css(css)
        if selection:
            return selection[0]
        raw.missing.append(css)
    return None


def _published(page: Selector, raw: RawArticle) -> None:
    raw.published_meta = page.css(site.ARTICLE_DATE_META).get()
    raw.published_raw = _first_text(page, site.ARTICLE_DATE)
    if raw.published_raw:
        return
    raw.missing.append(site.ARTICLE_DATE)
    column = page.css(site.ARTICLE_OLD_DATE_AREA)
    if column:
        # The content column above the article only: never the header's "today" date,
        # never a date in the article's text.
        texts = column[0].xpath(site.ARTICLE_OLD_DATE_TEXT).getall()
        if match := _DATE_TEXT.search(normalise_space(" ".join(texts))):
            raw.published_raw = match.group(0)


def _rubric(page: Selector, raw: RawArticle) -> None:
    for link in page.css(site.ARTICLE_RUBRIC_LINK):
        href = link.attrib.get("href", "")
        if "/view/" not in href and "all_news" not in href:
            raw.rubric_label = _text(link)
            raw.rubric_href = href
            return
    raw.missing.append(site.ARTICLE_RUBRIC_LINK)


def _image(page: Selector, raw: RawArticle) -> set[str]:
    """Main image and caption; returns every form of the caption, to drop from the body."""
    image = page.css(site.ARTICLE_MAIN_IMAGE)
    raw.image_src = image.attrib.get("src") if image else page.css(site.ARTICLE_IMAGE_META).get()
    candidates = [
        _first_text(page, site.ARTICLE_MAIN_IMAGE_CAPTION),
        image.attrib.get("title") if image else None,
        image.attrib.get("alt") if image else None,
    ]
    captions = [normalise_space(value) for value in candidates if value and value.strip()]
    raw.image_caption = captions[0] if captions else None
    return set(captions)


def _body(container, captions: set[str], raw: RawArticle) -> None:
    # Photo reports show each image's caption as text next to it: equal to its alt/title.
    captions = captions | {
        normalise_space(value)
        for value in container.xpath(".//img/@alt | .//img/@title").getall()
        if value.strip()
    }
    blocks = clean_blocks(text_blocks(container.root), captions)
    for index, block in enumerate(blocks[:_DATELINE_SEARCH_BLOCKS]):
        dateline = find_dateline(block)
        if dateline is None:
            continue
        # Blocks before the dateline, and text before it in its block, are captions.
        raw.dateline_raw = dateline.raw
        blocks = ([dateline.rest] if dateline.rest else []) + blocks[index + 1 :]
        break
    raw.paragraphs = blocks
    raw.body_html = clean_html(container.root)


def parse_article(page: Selector) -> RawArticle:
    """The raw values of an article page."""
    raw = RawArticle()
    raw.title = _first_text(page, site.ARTICLE_TITLE)
    if not raw.title:
        raw.missing.append(site.ARTICLE_TITLE)
        raw.title = page.css(site.ARTICLE_TITLE_META).get()
    _rubric(page, raw)
    _published(page, raw)
    captions = _image(page, raw)
    raw.tags = [
        tag
        for tag in (
            normalise_space(link.attrib.get("title") or _text(link) or "")
            for link in page.css(site.ARTICLE_TAGS)
        )
        if tag
    ]
    raw.canonical_url = page.css(site.ARTICLE_CANONICAL_META).get()
    container = _body_container(page, raw)
    if container is not None:
        _body(container, captions, raw)
    return raw
