"""The replica's articles written: generated from ``(seed, index)``, built around a real
sample, and revised by a later text update."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta

from tests.sitesim.article import (
    ARTICLE_URL,
    INCOMPLETE,
    Article,
    Dateline,
    Image,
    Photo,
    finish,
    parse_dateline,
)
from tests.sitesim.dates import MINSK, MONTHS
from tests.sitesim.samples import Sample
from tests.sitesim.text import TextGen, slugify

PLACES = ("MINSK", "MOSKAU", "ST. PETERSBURG", "BREST", "SOLIGORSK", "GOMEL")
_EXCLUSIVE_GROUPS = (
    ("body_p", "body_div", "body_br"),
    ("footer_twitter", "footer_x"),
    ("link_http", "link_mobile", "link_no_slash"),
)


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
    year = int(ARTICLE_URL.search(sample.url)["year"])
    dateline, _ = parse_dateline(sample.first_paragraph, year)
    day = dateline.day if dateline else date.fromisoformat(sample.day or "")
    rng = random.Random(f"{seed}:sample-time:{sample.url}")
    return datetime(
        day.year, day.month, day.day, rng.randint(8, 20), rng.randint(0, 59), tzinfo=MINSK
    )


def from_sample(sample: Sample, seed: int) -> Article:
    """A real article: real URL, title, date and first paragraph, generated rest."""
    match = ARTICLE_URL.search(sample.url)
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
