"""One article of the replica: its content, its markup variants and its truth record.

An :class:`Article` is rebuilt on demand from ``(seed, index)`` (or from a real sample,
see :mod:`tests.sitesim.authoring`), so the model never holds rendered pages.
``variants`` names every quirk the article's pages show; tests pick articles by variant
(see :data:`VARIANTS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from tests.sitesim.dates import MONTHS, date_full, dateline_day, iso_minute

ORIGIN = "https://deu.belta.by"
RUBRICS = {
    "president": "Präsident",
    "politics": "Politik",
    "economics": "Wirtschaft",
    "society": "Gesellschaft",
    "sport": "Sport",
    "fotoreportage": "Fotoreportage",
}
#: Sections of listed items that are not ``…-<id>-<year>`` articles, with their labels
#: (``tests/sitesim/items.py``).
ITEM_LABELS = {"photonews": "Fotoreportage", "infographica": "INFOGRAFIK", "video": "Video"}
INCOMPLETE = "/Wird ergänzt/."

#: Every variant name, with what it means on the article's pages.
VARIANTS = {
    "body_p": "body paragraphs are <p>",
    "body_div": "body paragraphs are bare <div>s",
    "body_br": "body paragraphs are text nodes separated by <br>",
    "itemprop": 'div.js-mediator-article carries itemprop="articleBody"',
    "image": "div.main_img with an image",
    "caption_twice": "image caption in img alt/title and in div.main_img_desc",
    "caption_in_body": "the image caption again as the body's first block, before the dateline",
    "date_nbsp": "&nbsp; between day and month in div.date_full",
    "video_embed": "div.video_add with an iframe inside the body",
    "footer_twitter": "'Abonnieren Sie uns auf' + Twitter (older template)",
    "footer_x": "'Abonnieren Sie uns auf' + X (newer template)",
    "duplicated_paragraphs": "every body block is published twice in a row",
    "no_dateline": "no dateline (all photo reports)",
    "gallery": "photos inside the body; each caption as img alt/title and as a text block",
    "ru_captions": "Russian (Cyrillic) caption blocks after gallery photos",
    "photo_credit": "a 'Foto: …' / 'Foto von …' block",
    "end_marker": "the wire end marker -0- as the last block",
    "incomplete": "last paragraph /Wird ergänzt/. (kept in the body truth)",
    "dash_en": "dateline dash is – (en dash)",
    "dash_hyphen": "dateline dash is -",
    "dash_em": "dateline dash is — (em dash)",
    "dash_nospace": "no space after the dateline dash: (BelTA) -Am …",
    "semicolon": "semicolon after the dateline city: MINSK; 26. Januar",
    "zero_padded_day": "zero-padded dateline day: 05. Januar",
    "leading_space": "the first paragraph starts with a space",
    "new_year": "published 1 January 00:xx with a 31. Dezember dateline",
    "dateline_offset": "dateline day ten days before the publication date",
    "h1_leading_space": "h1 text starts with spaces",
    "tags": "div.news_tags_block has tags",
    "lead_nested": "listing lead wrapped in nested divs",
    "lead_repeated": "listing lead published twice",
    "link_http": "listing links to the article as http://deu.belta.by/…",
    "link_mobile": "listing links to the article as https://m.deu.belta.by/…",
    "link_no_slash": "listing links to the article without the trailing slash",
    "sample": "a real article from samples.jsonl",
    "item": "not an <id>-<year> article: a photo report, infographic or video record",
    "photo_report": "a photo report under /photonews/view/<slug>-<id>/",
    "infographic": "an infographic under /infographica/view/<slug>-<id>/",
    "video": "a video record /video/getRecord/<n>/ (never fetched)",
    "title_twice": "the title printed again above the image (infographics)",
    "no_subscribe": "no 'Abonnieren Sie uns auf' block (infographics)",
}
_DASHES = {"–": "dash_en", "-": "dash_hyphen", "—": "dash_em"}
_DATELINE_RE = re.compile(
    r"^(?P<space>\s*)(?P<place>[A-ZÄÖÜ][A-ZÄÖÜ. ]*?)(?P<sep>[,;]) (?P<day>\d{1,2})\. "
    r"(?P<month>\w+) \(BelTA\) (?P<dash>[-–—])(?P<gap> ?)"
)
ARTICLE_URL = re.compile(r"/(?P<rubric>\w+)/view/(?P<slug>.+)-(?P<id>\d+)-(?P<year>\d{4})/?$")
_ITEM_URL = re.compile(r"/(?P<section>photonews|infographica)/view/(?P<slug>.+)-(?P<id>\d+)/?$")


def normalise(text: str) -> str:
    """Whitespace as the truth records have it: nbsp read as space, runs collapsed."""
    return " ".join(text.replace("\xa0", " ").split())


@dataclass(frozen=True)
class Dateline:
    """``MINSK, 28. Oktober (BelTA) -`` and how it is spelled on this article."""

    place: str
    day: date
    sep: str = ","
    dash: str = "–"
    zero_pad: bool = False
    leading_space: bool = False
    gap: str = " "

    @property
    def text(self) -> str:
        """As published, up to and including the dash (leading space included)."""
        space = " " if self.leading_space else ""
        when = dateline_day(self.day, zero_pad=self.zero_pad)
        return f"{space}{self.place}{self.sep} {when} (BelTA) {self.dash}"

    @property
    def raw(self) -> str:
        return normalise(self.text)

    def variants(self) -> set[str]:
        found = {_DASHES[self.dash]}
        if self.sep == ";":
            found.add("semicolon")
        if self.zero_pad:
            found.add("zero_padded_day")
        if self.leading_space:
            found.add("leading_space")
        if not self.gap:
            found.add("dash_nospace")
        return found


def parse_dateline(paragraph: str, year: int) -> tuple[Dateline | None, str]:
    """Split a published first paragraph into its dateline and the body text."""
    match = _DATELINE_RE.match(paragraph)
    if not match:
        return None, paragraph
    day = date(year, MONTHS.index(match["month"]) + 1, int(match["day"]))
    dateline = Dateline(
        place=match["place"],
        day=day,
        sep=match["sep"],
        dash=match["dash"],
        zero_pad=match["day"].startswith("0"),
        leading_space=bool(match["space"]),
        gap=match["gap"],
    )
    return dateline, paragraph[match.end() :]


@dataclass(frozen=True)
class Image:
    src: str
    caption: str | None


@dataclass(frozen=True)
class Photo:
    """A photo inside a photo report's body."""

    src: str
    caption: str
    russian: str


@dataclass(frozen=True)
class Article:
    key: str
    article_id: int
    year: int
    rubric: str
    slug: str
    title: str
    published_at: datetime
    dateline: Dateline | None
    #: The body truth: normalised paragraphs, the first without its dateline.
    paragraphs: tuple[str, ...]
    lead: str
    tags: tuple[str, ...] = ()
    image: Image | None = None
    gallery: tuple[Photo, ...] = ()
    credit: str | None = None
    variants: frozenset[str] = field(default_factory=frozenset)
    kind: str = "article"
    """``article``, or ``photo_report``, ``infographic``, ``video`` (``items.py``)."""

    @property
    def path(self) -> str:
        if self.kind == "video":
            return f"/video/getRecord/{self.article_id}/"
        if self.kind != "article":
            return f"/{self.rubric}/view/{self.slug}-{self.article_id}/"
        return f"/{self.rubric}/view/{self.slug}-{self.article_id}-{self.year}/"

    @property
    def url(self) -> str:
        return ORIGIN + self.path

    @property
    def rubric_label(self) -> str:
        return RUBRICS.get(self.rubric) or ITEM_LABELS[self.rubric]

    @property
    def is_incomplete(self) -> bool:
        return bool(self.paragraphs) and self.paragraphs[-1] == INCOMPLETE

    @property
    def images(self) -> list[dict[str, Any]]:
        """The main image, then the photos of the body, each URL once."""
        found: dict[str, dict[str, Any]] = {}
        for src, caption in [
            *([(self.image.src, self.image.caption)] if self.image else []),
            *((photo.src, photo.caption) for photo in self.gallery),
        ]:
            image = found.setdefault(ORIGIN + src, {"url": ORIGIN + src, "caption": None})
            image["caption"] = image["caption"] or caption
        return list(found.values())

    def expected_record(self) -> dict[str, Any]:
        """What a correct crawler stores for this article, field by field."""
        dateline = self.dateline
        return {
            "url": self.url,
            "key": self.key,
            "article_id": self.article_id,
            "article_year": self.year if self.kind == "article" else None,
            "kind": self.kind,
            "rubric": self.rubric,
            "rubric_label": self.rubric_label,
            "title": normalise(self.title),
            "published_at": iso_minute(self.published_at),
            "published_raw": date_full(self.published_at),
            "dateline_place": dateline.place if dateline else None,
            "dateline_date": dateline.day.isoformat() if dateline else None,
            "dateline_raw": dateline.raw if dateline else None,
            "body": "\n\n".join(normalise(p) for p in self.paragraphs) or None,
            "lead": normalise(self.lead),
            "tags": list(self.tags),
            "image_url": ORIGIN + self.image.src if self.image else None,
            "image_caption": self.image.caption if self.image else None,
            "images": self.images,
            "language": "de",
            "is_incomplete": self.is_incomplete,
        }


def finish(article: Article, variants: set[str]) -> Article:
    """Add the variants that follow from the content itself."""
    if article.dateline:
        variants |= article.dateline.variants()
    else:
        variants.add("no_dateline")
    if article.image:
        variants.add("image")
        if article.image.caption:
            variants.add("caption_twice")
    if article.gallery:
        variants.add("gallery")
    if article.credit:
        variants.add("photo_credit")
    if article.tags:
        variants.add("tags")
    if article.is_incomplete:
        variants.add("incomplete")
    return replace(article, variants=frozenset(variants))


def url_key(path: str) -> tuple[str, str, str] | None:
    """``(rubric, slug, key)`` of an article path (``(section, slug, key)`` of a photo
    report's or infographic's), or None if it is not one."""
    if item := _ITEM_URL.fullmatch(path):
        return item["section"], item["slug"], f"{item['section']}-{item['id']}"
    match = ARTICLE_URL.fullmatch(path)
    if not match:
        return None
    return match["rubric"], match["slug"], f"{match['id']}-{match['year']}"
