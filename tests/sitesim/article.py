"""One article of the replica: its content, its markup variants and its truth record.

An :class:`Article` is rebuilt on demand from ``(seed, index)`` (or from a real sample),
so the model never holds rendered pages. ``variants`` names every quirk the article's
pages show; tests pick articles by variant (see :data:`VARIANTS`).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from tests.sitesim.dates import MINSK, MONTHS, date_full, dateline_day, iso_minute
from tests.sitesim.samples import Sample
from tests.sitesim.text import TextGen, slugify

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
PLACES = ("MINSK", "MOSKAU", "ST. PETERSBURG", "BREST", "SOLIGORSK", "GOMEL")

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
_EXCLUSIVE_GROUPS = (
    ("body_p", "body_div", "body_br"),
    ("footer_twitter", "footer_x"),
    ("link_http", "link_mobile", "link_no_slash"),
)
_DASHES = {"–": "dash_en", "-": "dash_hyphen", "—": "dash_em"}
_DATELINE_RE = re.compile(
    r"^(?P<space>\s*)(?P<place>[A-ZÄÖÜ][A-ZÄÖÜ. ]*?)(?P<sep>[,;]) (?P<day>\d{1,2})\. "
    r"(?P<month>\w+) \(BelTA\) (?P<dash>[-–—])(?P<gap> ?)"
)
_URL_RE = re.compile(r"/(?P<rubric>\w+)/view/(?P<slug>.+)-(?P<id>\d+)-(?P<year>\d{4})/?$")
_ITEM_URL_RE = re.compile(r"/(?P<section>photonews|infographica)/view/(?P<slug>.+)-(?P<id>\d+)/?$")


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


def _markup_variants(rng: random.Random) -> set[str]:
    """Quirks of the page markup that do not change the article's content."""
    found = {rng.choices(("body_p", "body_div", "body_br"), (5, 3, 2))[0]}
    found.add(rng.choice(("footer_twitter", "footer_x")))
    chances = {
        "itemprop": 0.6,
        "date_nbsp": 0.5,
        "video_embed": 0.1,
        "duplicated_paragraphs": 0.06,
        "h1_leading_space": 0.1,
        "lead_nested": 0.2,
        "lead_repeated": 0.08,
    }
    found.update(name for name, chance in chances.items() if rng.random() < chance)
    link = rng.random()
    if link < 0.12:
        found.add(("link_http", "link_mobile", "link_no_slash")[int(link / 0.04)])
    return found


def _image_src(rng: random.Random, article_id: int, published_at: datetime) -> str:
    stamp = int(published_at.timestamp())
    number = rng.randint(1, 999)
    folder = f"/images/storage/news/with_archive/{published_at.year}"
    return f"{folder}/{number:06d}_{stamp}_{article_id}_big.jpg"


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


def generate(
    seed: int,
    index: int,
    *,
    article_id: int,
    published_at: datetime,
    rubric: str,
    recent: bool,
) -> Article:
    """The generated article number ``index``; ``recent`` ones may be incomplete."""
    rng = random.Random(f"{seed}:article:{index}")
    gen = TextGen(rng)
    title = gen.title(rubric)
    variants = _markup_variants(rng)
    image = None
    if rng.random() < 0.75:
        caption = gen.caption() if rng.random() < 0.85 else None
        image = Image(_image_src(rng, article_id, published_at), caption)
    dateline = None
    if rubric != "fotoreportage":
        day = published_at.date()
        if published_at.month == 1 and published_at.day == 1 and published_at.hour == 0:
            day -= timedelta(days=1)
            variants.add("new_year")
        elif rng.random() < 0.03:
            day -= timedelta(days=10)
            variants.add("dateline_offset")
        dateline = Dateline(
            place=rng.choices(PLACES, (60, 8, 8, 8, 8, 8))[0],
            day=day,
            sep=";" if rng.random() < 0.06 else ",",
            dash=rng.choices(("–", "-", "—"), (5, 3, 2))[0],
            zero_pad=day.day < 10 and rng.random() < 0.3,
            leading_space=rng.random() < 0.06,
            gap="" if rng.random() < 0.07 else " ",
        )
        if image and image.caption and rng.random() < 0.3:
            variants.add("caption_in_body")
    photo_report = rubric == "fotoreportage"
    count = rng.randint(2, 4) if photo_report else rng.randint(2, 7)
    paragraphs = [gen.paragraph() for _ in range(count)]
    gallery: tuple[Photo, ...] = ()
    if photo_report:
        gallery = tuple(
            Photo(_image_src(rng, article_id, published_at), *captions)
            for captions in gen.gallery_captions(rng.randint(2, 5))
        )
        variants.add("end_marker")
        if rng.random() < 0.5:
            variants.add("ru_captions")
    elif rng.random() < 0.1:
        variants.add("end_marker")
    credit = gen.credit() if rng.random() < (0.6 if photo_report else 0.08) else None
    if recent and rng.random() < 0.3:
        paragraphs.append(INCOMPLETE)
    article = Article(
        key=f"{article_id}-{published_at.year}",
        article_id=article_id,
        year=published_at.year,
        rubric=rubric,
        slug=slugify(title),
        title=title,
        published_at=published_at,
        dateline=dateline,
        paragraphs=tuple(paragraphs),
        lead=gen.lead(),
        tags=tuple(gen.tags()) if rng.random() < 0.7 else (),
        image=image,
        gallery=gallery,
        credit=credit,
    )
    return finish(article, variants)


def sample_time(sample: Sample, seed: int) -> datetime:
    """Publication time of a sample: its ``date_full``, else a fixed time on its day."""
    if sample.date_full:
        day, month, year, clock = sample.date_full.replace(",", "").split()
        hour, minute = clock.split(":")
        return datetime(
            int(year), MONTHS.index(month) + 1, int(day), int(hour), int(minute), tzinfo=MINSK
        )
    year = int(_URL_RE.search(sample.url)["year"])
    dateline, _ = parse_dateline(sample.first_paragraph, year)
    day = dateline.day if dateline else date.fromisoformat(sample.day or "")
    rng = random.Random(f"{seed}:sample-time:{sample.url}")
    return datetime(
        day.year, day.month, day.day, rng.randint(8, 20), rng.randint(0, 59), tzinfo=MINSK
    )


def from_sample(sample: Sample, seed: int) -> Article:
    """A real article: real URL, title, date and first paragraph, generated rest."""
    match = _URL_RE.search(sample.url)
    assert match, sample.url
    article_id, year = int(match["id"]), int(match["year"])
    published_at = sample_time(sample, seed)
    rng = random.Random(f"{seed}:sample:{sample.url}")
    gen = TextGen(rng)
    variants = _markup_variants(rng)
    for group in _EXCLUSIVE_GROUPS:
        if sample.force & set(group):
            variants -= set(group)
    variants |= sample.force | {"sample"}
    dateline, first = parse_dateline(sample.first_paragraph, year)
    photo_report = match["rubric"] == "fotoreportage"
    gallery: tuple[Photo, ...] = ()
    if photo_report:
        gallery = tuple(
            Photo(_image_src(rng, article_id, published_at), *captions)
            for captions in gen.gallery_captions(3)
        )
        variants |= {"end_marker", "ru_captions"}
    image = Image(_image_src(rng, article_id, published_at), sample.caption)
    article = Article(
        key=f"{article_id}-{year}",
        article_id=article_id,
        year=year,
        rubric=match["rubric"],
        slug=match["slug"],
        title=sample.title,
        published_at=published_at,
        dateline=dateline,
        paragraphs=(first, *(gen.paragraph() for _ in range(rng.randint(2, 4)))),
        lead=gen.lead(),
        tags=tuple(gen.tags()),
        image=image if sample.caption or photo_report else None,
        gallery=gallery,
        credit=gen.credit() if photo_report else None,
    )
    return finish(article, variants)


def revise(article: Article, revision: int, seed: int) -> Article:
    """The article after its ``revision``-th text update: ``/Wird ergänzt/.`` gone, text added."""
    rng = random.Random(f"{seed}:update:{article.key}:{revision}")
    paragraphs = [p for p in article.paragraphs if p != INCOMPLETE]
    paragraphs.append(TextGen(rng).update())
    return replace(
        article, paragraphs=tuple(paragraphs), variants=article.variants - {"incomplete"}
    )


def url_key(path: str) -> tuple[str, str, str] | None:
    """``(rubric, slug, key)`` of an article path (``(section, slug, key)`` of a photo
    report's or infographic's), or None if it is not one."""
    if item := _ITEM_URL_RE.fullmatch(path):
        return item["section"], item["slug"], f"{item['section']}-{item['id']}"
    match = _URL_RE.fullmatch(path)
    if not match:
        return None
    return match["rubric"], match["slug"], f"{match['id']}-{match['year']}"
