"""Item loader: raw values of an article page into a normalised :class:`Article`."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from itemloaders import ItemLoader
from itemloaders.processors import Join, MapCompose, TakeFirst

from beltacrawl.items import Article
from beltacrawl.responses import site_now
from beltacrawl.site.dates import infer_dateline_date, parse_datetime, to_iso
from beltacrawl.site.deu import DEU_BELTA
from beltacrawl.site.text import garbled, normalise_space, without_controls
from beltacrawl.site.urls import absolute_site_url, host_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    from scrapy.http import Response

    from beltacrawl.parsing.article import RawArticle
    from beltacrawl.parsing.listing import ListingEntry
    from beltacrawl.site.urls import ArticleRef

#: A page date further than this from its listing entry's is worth a log line.
MAX_LISTING_DATE_GAP = timedelta(minutes=1)

_SITE_SUFFIX = re.compile(
    r"\s+[|–—-]\s+(?:BelTA|Belarussische Telegra(?:ph|f)enagentur(?: BelTA)?)\s*$"
)


def strip_site_suffix(title: str) -> str:
    """``Titel | BelTA`` → ``Titel``.

    >>> strip_site_suffix("Lukaschenko besucht Brest - BelTA")
    'Lukaschenko besucht Brest'
    >>> strip_site_suffix("Parallelwelten – BelTA-Ausstellung in Moskau eröffnet")
    'Parallelwelten – BelTA-Ausstellung in Moskau eröffnet'
    """
    return _SITE_SUFFIX.sub("", title)


def iso_datetime(value: str | datetime) -> str | None:
    """A page's date text, or a listing's time, as ISO 8601 with the Minsk offset."""
    return to_iso(value if isinstance(value, datetime) else parse_datetime(value))


def present(*values: Any) -> list[Any]:
    """The values that are not ``None`` (input processors are not called with ``None``).

    >>> present("Wirtschaft", None, "Economics")
    ['Wirtschaft', 'Economics']
    """
    return [value for value in values if value is not None]


def unique(values: list[str]) -> list[str]:
    """Values in order, each once.

    >>> unique(["Handel", "Russland", "Handel"])
    ['Handel', 'Russland']
    """
    return list(dict.fromkeys(values))


def content_hash(title: str | None, body: str | None, image_urls: Sequence[str] = ()) -> str:
    """Stable SHA-256 of title and body, for change detection between fetches; and of the
    image URLs, one a line, for the kinds whose content is the image (an infographic
    replaced by another is a new version, not a detail taken over in place).

    >>> content_hash("T", "B") == content_hash("T", "B", ())
    True
    >>> content_hash("T", None) == content_hash("T", None, ["https://deu.belta.by/a.jpg"])
    False
    """
    text = f"{title or ''}\n\n{body or ''}"
    if image_urls:
        text += "\n\n" + "\n".join(image_urls)
    return hashlib.sha256(text.encode()).hexdigest()


def image_list(found: list[tuple[str, str | None]], base_host: str) -> list[dict[str, str | None]]:
    """Images as the record lists them: absolute, clean URLs on the real site, each once,
    with the first caption found for it, cleaned as every other text field is (control
    characters out, whitespace normalised). Sources that are no http(s) or relative URL
    (``data:``, ``javascript:``) are left out.

    >>> image_list([("/a.jpg", None), ("/b.jpg", "Minsk"), ("/a.jpg", " Brest ")], "")
    [{'url': 'https://deu.belta.by/a.jpg', 'caption': 'Brest'}, {'url': 'https://deu.belta.by/b.jpg', 'caption': 'Minsk'}]
    """  # noqa: E501
    images: dict[str, dict[str, str | None]] = {}
    for src, caption in found:
        url = absolute_site_url(src, base_host)
        if url is None:
            continue
        image = images.setdefault(url, {"url": url, "caption": None})
        text = normalise_space(without_controls(caption or ""))
        image["caption"] = image["caption"] or text or None
    return list(images.values())


def site_url(src: str, loader_context: dict) -> str | None:
    """A page resource's URL on the real site (see :func:`absolute_site_url`)."""
    return absolute_site_url(src, loader_context.get("base_host", ""))


class ArticleLoader(ItemLoader):
    default_item_class = Article
    # Control characters go before anything is stored: printed, they drive a terminal.
    default_input_processor = MapCompose(without_controls, normalise_space)
    default_output_processor = TakeFirst()

    title_in = MapCompose(without_controls, normalise_space, strip_site_suffix)
    published_at_in = MapCompose(iso_datetime)
    body_out = Join("\n\n")
    body_html_in = MapCompose(without_controls, str.strip)
    tags_out = unique
    image_url_in = MapCompose(str.strip, site_url)

    def load_item(self) -> Article:
        article: Article = super().load_item()
        dateline = self.context.get("dateline")
        if article.published_at and dateline is not None:
            published = date.fromisoformat(article.published_at[:10])
            found = infer_dateline_date(dateline.day, dateline.month, published)
            article.dateline_date = found.isoformat() if found else None
        article.is_incomplete = bool(
            article.body and DEU_BELTA.incomplete_marker.search(article.body)
        )
        return article


def load_article(
    raw: RawArticle,
    ref: ArticleRef,
    fetched_url: str,
    fetched_at: datetime,
    entry: ListingEntry | None = None,
) -> Article:
    """The record of one article page; ``entry`` is its listing entry when known.

    What the page and the listing say goes through the loader's processors; the values
    that are exact already (from the URL grammar and the fetch) are set on the record
    directly, which saves a fifth of the loader's time (docs/performance.md).
    """
    loader = ArticleLoader(base_host=host_of(fetched_url), dateline=raw.dateline)
    # A field's candidates in order of preference, added in one call (the first wins).
    listed_label, listed_title, listed_at = (
        (entry.rubric_label, entry.title, entry.listed_at) if entry else (None, None, None)
    )
    rubric_label = DEU_BELTA.rubric_labels.get(ref.rubric)
    loader.add_value("rubric_label", present(raw.rubric_label, listed_label, rubric_label))
    loader.add_value("title", present(raw.title, listed_title))
    loader.add_value("lead", entry.lead if entry else None)
    loader.add_value("published_raw", raw.published_raw or raw.published_meta)
    loader.add_value("published_at", present(raw.published_raw, raw.published_meta, listed_at))
    if raw.dateline is not None:
        loader.add_value("dateline_raw", raw.dateline.raw)
        loader.add_value("dateline_place", raw.dateline.place)
    loader.add_value("body", raw.paragraphs)
    loader.add_value("body_html", raw.body_html)
    loader.add_value("tags", raw.tags)
    loader.add_value("image_url", raw.image_src)
    loader.add_value("image_caption", raw.image_caption)
    article = loader.load_item()
    article.body = article.body or None
    article.images = image_list(raw.images, host_of(fetched_url))
    article.kind = ref.kind.value
    images = [] if ref.kind.text_expected else [image["url"] or "" for image in article.images]
    article.content_hash = content_hash(article.title, article.body, images)
    article.url = ref.url
    article.fetched_url = fetched_url
    article.key = ref.key
    article.article_id = ref.article_id
    article.article_year = ref.article_year
    article.rubric = ref.rubric
    article.language = "de"
    article.fetched_at = to_iso(fetched_at.astimezone(UTC))
    return article


@dataclass(frozen=True, slots=True)
class Finding:
    """Something worth counting about a loaded article (stat ``belta/article/<name>``)."""

    name: str
    level: int
    message: str


def date_findings(article: Article, entry: ListingEntry | None = None) -> list[Finding]:
    """What is wrong with a loaded article's dates: a page date that could not be parsed
    (layout drift, counted even when the listing dated the article), or one far from its
    listing entry's."""
    published = datetime.fromisoformat(article.published_at) if article.published_at else None
    findings = []
    if article.published_raw and parse_datetime(article.published_raw) is None:
        fallback = "dated by its meta tag or listing entry" if published else "left empty"
        findings.append(
            Finding(
                "date_unparsed",
                logging.WARNING,
                f"{article.url}: publication date {article.published_raw!r} could not be "
                f"parsed; {fallback}",
            )
        )
    listed = entry.listed_at if entry else None
    if published and listed and abs(published - listed) > MAX_LISTING_DATE_GAP:
        findings.append(
            Finding(
                "date_differs_from_listing",
                logging.INFO,
                f"{article.url}: page date {published} differs from listing date {listed}",
            )
        )
    return findings


def load_page(
    raw: RawArticle, ref: ArticleRef, response: Response, entry: ListingEntry | None = None
) -> Article:
    """The record of an article page as fetched: one path for the crawl, ``scrapy archive
    reextract`` and ``import-warc``, so a stored page gives the record a fetch gives."""
    return load_article(raw, ref, response.url, site_now(response), entry)


def text_findings(article: Article) -> list[Finding]:
    """Text of a loaded article that still looks wrongly decoded (``garbled_text``), in
    its title, lead, body or captions: stored as it is, the best copy there is, but
    counted, named, and judged by the run's verdict."""
    captions = (image["caption"] for image in article.images or ())
    texts = (article.title, article.lead, article.body, article.image_caption, *captions)
    if (sign := next(filter(None, map(garbled, texts)), None)) is None:
        return []
    message = (
        f"article {article.key} ({article.fetched_url}): text still garbled after decoding "
        f"({sign!r}); stored as it is"
    )
    return [Finding("garbled_text", logging.WARNING, message)]
