"""Article pages: select the raw values of one article from its markup.

This module only finds values on the page; normalising them into a record is the
loader's job (:mod:`beltacrawl.loaders`). Where a selector is only known from a sister
edition, a fallback (meta tags, text patterns) stands behind it, and ``missing`` names
the selectors that found nothing so a crawl can say what stopped matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from beltacrawl import site
from beltacrawl.body import clean_blocks, clean_html, text_blocks
from beltacrawl.datelines import Dateline, find_dateline
from beltacrawl.dates import normalise_space
from beltacrawl.selectors import first, select, text

if TYPE_CHECKING:
    from parsel import Selector

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
    published_raw: str | None = None
    published_meta: str | None = None
    dateline: Dateline | None = None
    paragraphs: list[str] = field(default_factory=list)
    body_html: str | None = None
    tags: list[str] = field(default_factory=list)
    image_src: str | None = None
    image_caption: str | None = None
    missing: list[str] = field(default_factory=list)
    """Primary selectors that matched nothing on this page (a fallback may have served)."""


@dataclass
class _Page:
    """Where to look: the article's column first (``site.ARTICLE_COLUMN``), which holds a
    few dozen of a page's elements, instead of the whole page for every selector."""

    root: Any
    column: Any

    def find(self, css: str, in_column: str | None = None) -> list[Any]:
        """Matches in the column (of ``in_column`` when given: the same selector as
        seen from the column); for a page part every article has (title, rubric, date,
        body, the tags block), the whole page when the column has none, so that a moved
        part is still found."""
        if self.column is None:
            return select(self.root, css)
        return select(self.column, in_column or css) or select(self.root, css)

    def find_optional(self, css: str) -> list[Any]:
        """Matches of a part many articles lack (image, caption): in the column only,
        when there is one (outside it is the sidebar's other articles)."""
        return select(self.root if self.column is None else self.column, css)


def _first_text(found: list[Any]) -> str | None:
    return text(found[0]) if found else None


def _body_container(page: _Page, raw: RawArticle) -> Any:
    for css in site.ARTICLE_BODY_CANDIDATES:
        found = page.find(css)
        if found:
            return found[0]
        raw.missing.append(css)
    return None


def _published(page: _Page, raw: RawArticle) -> None:
    raw.published_meta = first(page.root, site.ARTICLE_DATE_META)
    raw.published_raw = _first_text(page.find(site.ARTICLE_DATE))
    if raw.published_raw:
        return
    raw.missing.append(site.ARTICLE_DATE)
    if page.column is not None:
        # The content column above the article only: never the header's "today" date,
        # never a date in the article's text.
        texts = select(page.column, site.ARTICLE_OLD_DATE_TEXT)
        if match := _DATE_TEXT.search(normalise_space(" ".join(texts))):
            raw.published_raw = match.group(0)


def _rubric(page: _Page, raw: RawArticle) -> None:
    for link in page.find(site.ARTICLE_RUBRIC_LINK, site.ARTICLE_RUBRIC_LINK_IN_COLUMN):
        href = link.get("href", "")
        if "/view/" not in href and "all_news" not in href:
            raw.rubric_label = text(link)
            return
    raw.missing.append(site.ARTICLE_RUBRIC_LINK)


def _image(page: _Page, raw: RawArticle) -> set[str]:
    """Main image and caption; returns every form of the caption, to drop from the body."""
    images = page.find_optional(site.ARTICLE_MAIN_IMAGE)
    image = images[0] if images else None
    if image is not None:
        raw.image_src = image.get("src")
    else:
        raw.image_src = first(page.root, site.ARTICLE_IMAGE_META)
    candidates = [
        _first_text(page.find_optional(site.ARTICLE_MAIN_IMAGE_CAPTION)),
        image.get("title") if image is not None else None,
        image.get("alt") if image is not None else None,
    ]
    captions = [normalise_space(value) for value in candidates if value and value.strip()]
    raw.image_caption = captions[0] if captions else None
    return set(captions)


def _tags(page: _Page) -> list[str]:
    """The tag links of the tags block: the column's (empty on articles without tags), or
    the page's when the column has no tags block at all (the block's place is [sister])."""
    links = [
        link
        for block in page.find(site.ARTICLE_TAGS_BLOCK)
        for link in select(block, site.ARTICLE_TAG_LINK)
    ]
    tags = (normalise_space(link.get("title") or text(link) or "") for link in links)
    return [tag for tag in tags if tag]


def _body(container: Any, captions: set[str], raw: RawArticle) -> None:
    # Photo reports show each image's caption as text next to it: equal to its alt/title.
    captions = captions | {
        normalise_space(value)
        for value in select(container, ".//img/@alt | .//img/@title")
        if value.strip()
    }
    blocks = clean_blocks(text_blocks(container), captions)
    for index, block in enumerate(blocks[:_DATELINE_SEARCH_BLOCKS]):
        dateline = find_dateline(block)
        if dateline is None:
            continue
        # Blocks before the dateline, and text before it in its block, are captions.
        raw.dateline = dateline
        blocks = ([dateline.rest] if dateline.rest else []) + blocks[index + 1 :]
        break
    raw.paragraphs = blocks
    raw.body_html = clean_html(container)


def parse_article(selector: Selector) -> RawArticle:
    """The raw values of an article page.

    Selectors are applied to the page's lxml tree through :mod:`beltacrawl.selectors`
    (compiled once), not through parsel, which compiles every query again; and within
    the article's column where there is one (see :class:`_Page`).
    """
    root = selector.root
    page = _Page(root, first(root, site.ARTICLE_COLUMN))
    raw = RawArticle()
    raw.title = _first_text(page.find(site.ARTICLE_TITLE, site.ARTICLE_TITLE_IN_COLUMN))
    if not raw.title:
        raw.missing.append(site.ARTICLE_TITLE)
        raw.title = first(root, site.ARTICLE_TITLE_META)
    _rubric(page, raw)
    _published(page, raw)
    captions = _image(page, raw)
    raw.tags = _tags(page)
    container = _body_container(page, raw)
    if container is not None:
        _body(container, captions, raw)
    return raw
