"""Listing entries of the replica that are not ``…-<id>-<year>`` articles.

Photo reports (``/photonews/view/<slug>-<id>/``) and infographics
(``/infographica/view/<slug>-<id>/``) have URLs without a year [seen]; an infographic's
page shows the rubric label ``INFOGRAFIK``, its title twice and no subscribe block
[seen]; the rest of their pages is the article template [guess]. Video records
(``/video/getRecord/<n>/``) are listed too and are no article at all.
"""

from __future__ import annotations

import random
from datetime import datetime

from tests.sitesim.article import Article, Image, Photo, finish
from tests.sitesim.text import TextGen, slugify

#: Section → (kind, rubric label as the page shows it, first id).
ITEM_SECTIONS = {
    "photonews": ("photo_report", "Fotoreportage", 3190),
    "infographica": ("infographic", "INFOGRAFIK", 2190),
    "video": ("video", "Video", 4700),
}
#: The order in which :func:`section_of` hands sections out.
_CYCLE = ("photonews", "infographica", "video")


def section_of(number: int) -> str:
    """The section of the ``number``-th item of the stream (0-based)."""
    return _CYCLE[number % len(_CYCLE)]


def item_id(number: int) -> int:
    """The id of the ``number``-th item: each section counts its own."""
    return ITEM_SECTIONS[section_of(number)][2] + number // len(_CYCLE)


def item_key(section: str, number_id: int) -> str:
    return f"{section}-{number_id}"


def generate_item(seed: int, number: int, published_at: datetime) -> Article:
    """The ``number``-th item of the stream: a photo report, infographic or video record."""
    section = section_of(number)
    kind = ITEM_SECTIONS[section][0]
    rng = random.Random(f"{seed}:item:{number}")
    gen = TextGen(rng)
    title = gen.title("fotoreportage")
    identifier = item_id(number)
    folder = f"/images/storage/{section}/{published_at.year}"
    variants = {"body_p", "footer_x", "item", kind}
    photos: tuple[Photo, ...] = ()
    paragraphs: tuple[str, ...] = ()
    image = None
    if kind == "photo_report":
        photos = tuple(
            Photo(f"{folder}/{identifier}_{position}.jpg", *captions)
            for position, captions in enumerate(gen.gallery_captions(rng.randint(2, 4)), 1)
        )
        paragraphs = (gen.paragraph(),)
        image = Image(f"{folder}/{identifier}_main.jpg", gen.caption())
    elif kind == "infographic":
        variants |= {"title_twice", "no_subscribe"}
        photos = (Photo(f"{folder}/{identifier}.jpg", title, ""),)
    article = Article(
        key=item_key(section, identifier),
        article_id=identifier,
        year=published_at.year,
        rubric=section,
        slug=slugify(title),
        title=title,
        published_at=published_at,
        dateline=None,
        paragraphs=paragraphs,
        lead=gen.lead(),
        tags=tuple(gen.tags()) if kind == "photo_report" else (),
        image=image,
        gallery=photos,
        kind=kind,
    )
    return finish(article, variants)
