"""Article pages: the raw values of one article, each found by a small attribute function.

This module only finds values on the page; normalising them into a record is the
loader's job (:mod:`beltacrawl.loaders`). Each attribute function takes an
:class:`ArticlePage` and returns its value. Where a selector is only known from a sister
edition, a fallback (meta tags, text patterns) stands behind it, and the page records the
primary selectors that found nothing, so a crawl can say what stopped matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from beltacrawl.items import Kind
from beltacrawl.parsing.body import clean_blocks, clean_html, text_blocks
from beltacrawl.site.datelines import Dateline, find_dateline
from beltacrawl.site.deu import DEU_BELTA
from beltacrawl.site.text import normalise_space, text_of

if TYPE_CHECKING:
    from parsel import Selector, SelectorList

    from beltacrawl.site.profile import SiteProfile

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
    images: list[tuple[str, str | None]] = field(default_factory=list)
    """``(src, caption)`` of the main image and of every image in the body, in page order."""
    missing: list[str] = field(default_factory=list)
    """Primary selectors that matched nothing on this page (a fallback may have served)."""


class ArticlePage:
    """An article page as the attribute functions read it.

    Parts are looked for in the article's column first (``ArticleSelectors.column``),
    which holds a few dozen of the page's elements, rather than in the whole page; and
    every primary selector that finds nothing is recorded in ``missing``.
    """

    def __init__(self, selector: Selector, profile: SiteProfile) -> None:
        self.selector = selector
        self.profile = profile
        self.selectors = profile.article
        columns = selector.css(self.selectors.column)
        self.column: Selector | None = columns[0] if columns else None
        self.missing: list[str] = []

    def find(self, css: str, in_column_xpath: str | None = None) -> SelectorList[Selector]:
        """Matches of a part every article has (title, rubric, date, body, tags block): in
        the column (by ``in_column_xpath`` when given: the same part seen from the column),
        else in the whole page, so that a moved part is still found."""
        if self.column is None:
            return self.selector.css(css)
        in_column = self.column.xpath(in_column_xpath) if in_column_xpath else self.column.css(css)
        return in_column or self.selector.css(css)

    def find_optional(self, css: str) -> SelectorList[Selector]:
        """Matches of a part many articles lack (image, caption): in the column only,
        when there is one (outside it is the sidebar's other articles)."""
        return (self.selector if self.column is None else self.column).css(css)

    def missed(self, query: str) -> None:
        """Record a primary selector that found nothing."""
        self.missing.append(query)


class Published(NamedTuple):
    raw: str | None
    """The visible publication date (``div.date_full``, or the old template's)."""
    meta: str | None
    """``article:published_time``."""


class MainImage(NamedTuple):
    src: str | None
    caption: str | None
    captions: frozenset[str]
    """Every form of the caption (visible, ``title``, ``alt``), to drop from the body."""


class Body(NamedTuple):
    dateline: Dateline | None
    paragraphs: list[str]
    html: str
    images: list[tuple[str, str | None]]
    """``(src, caption)`` of the images inside the body (a photo report's photos)."""


def title(page: ArticlePage) -> str | None:
    """The headline (``h1``), else ``og:title``."""
    found = text_of(page.find(page.selectors.title, page.selectors.title_in_column_xpath)[:1])
    if found:
        return found
    page.missed(page.selectors.title)
    return page.selector.css(page.selectors.title_meta).get()


def rubric_label(page: ArticlePage) -> str | None:
    """The rubric link above the date (not the breadcrumb's "all news" or an article)."""
    links = page.find(page.selectors.rubric_link, page.selectors.rubric_link_in_column_xpath)
    for link in links:
        href = link.attrib.get("href", "")
        if "/view/" not in href and page.profile.all_news not in href:
            return text_of(link)
    page.missed(page.selectors.rubric_link)
    return None


def published(page: ArticlePage) -> Published:
    """The visible publication date, else the old template's date text; and the meta tag."""
    meta = page.selector.css(page.selectors.date_meta).get()
    raw = text_of(page.find(page.selectors.date)[:1])
    if raw:
        return Published(raw, meta)
    page.missed(page.selectors.date)
    if page.column is not None:
        # The content column above the article only: never the header's "today" date,
        # never a date in the article's text.
        texts = page.column.xpath(page.selectors.old_date_text_xpath).getall()
        if match := _DATE_TEXT.search(normalise_space(" ".join(texts))):
            return Published(match.group(0), meta)
    return Published(None, meta)


def main_image(page: ArticlePage) -> MainImage:
    """The main image's address (else ``og:image``) and its caption."""
    images = page.find_optional(page.selectors.main_image)[:1]
    image = images.attrib if images else {}
    src = image.get("src") if images else page.selector.css(page.selectors.image_meta).get()
    candidates = [
        text_of(page.find_optional(page.selectors.main_image_caption)[:1]),
        image.get("title"),
        image.get("alt"),
    ]
    captions = [normalise_space(value) for value in candidates if value and value.strip()]
    return MainImage(src, captions[0] if captions else None, frozenset(captions))


def tags(page: ArticlePage) -> list[str]:
    """The tag links of the tags block: the column's (empty on articles without tags), or
    the page's when the column has no tags block at all (the block's place is [sister])."""
    links = page.find(page.selectors.tags_block).css(page.selectors.tag_link)
    found = (normalise_space(link.attrib.get("title") or text_of(link) or "") for link in links)
    return [tag for tag in found if tag]


def body_container(page: ArticlePage) -> Selector | None:
    """The first body container of the candidates that is on the page."""
    for css in page.selectors.body_candidates:
        found = page.find(css)
        if found:
            return found[0]
        page.missed(css)
    return None


def body(page: ArticlePage, captions: frozenset[str]) -> Body | None:
    """Paragraphs (the dateline taken off the first), dateline and clean HTML of the body."""
    container = body_container(page)
    if container is None:
        return None
    profile = page.profile
    # Photo reports show each image's caption as text next to it: equal to its alt/title.
    images = [
        (src, normalise_space(image.attrib.get("alt") or image.attrib.get("title") or "") or None)
        for image in container.css("img")
        if (src := image.attrib.get("src", "").strip())
    ]
    image_texts = container.xpath(".//img/@alt | .//img/@title").getall()
    main_captions = captions
    captions = captions | {normalise_space(value) for value in image_texts if value.strip()}
    blocks = clean_blocks(text_blocks(container.root, profile), captions, profile)
    dateline = None
    for index, block in enumerate(blocks[:_DATELINE_SEARCH_BLOCKS]):
        dateline = find_dateline(block, profile)
        if dateline is not None:
            # Blocks before the dateline, and text before it in its block, are captions.
            blocks = ([dateline.rest] if dateline.rest else []) + blocks[index + 1 :]
            break
    # The main image's caption is ``image_caption``; a photo report's own captions stay.
    return Body(dateline, blocks, clean_html(container.root, profile, main_captions), images)


def parse_article(
    selector: Selector, profile: SiteProfile = DEU_BELTA, kind: Kind = Kind.ARTICLE
) -> RawArticle:
    """The raw values of a page of the ``kind`` its URL says."""
    page = ArticlePage(selector, profile)
    raw = RawArticle(title=title(page), rubric_label=rubric_label(page))
    raw.published_raw, raw.published_meta = published(page)
    image = main_image(page)
    raw.image_src, raw.image_caption = image.src, image.caption
    raw.images = [(image.src, image.caption)] if image.src else []
    raw.tags = tags(page)
    # An infographic prints its title a second time above the image: that is no text. In
    # any other kind a block equal to the headline is text (it may be all the text).
    repeated_title = {raw.title} if raw.title and kind is Kind.INFOGRAPHIC else set()
    not_text = image.captions | repeated_title
    if (found := body(page, not_text)) is not None:
        raw.dateline, raw.paragraphs, raw.body_html, body_images = found
        raw.images += body_images
    raw.missing = page.missing
    return raw
