"""Article pages against their expected records, field by field (Fundus-style fixtures).

Each fixture is a stored page ``tests/fixtures/articles/<name>.html`` and the record it
must produce, ``<name>.expected.json``, both written by ``python -m tests.fixtures.build`` from
the truth (never from the parser). One test per (fixture, field): when a field changes,
the failing test's id names both.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, fields
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import lxml.html
import pytest
from parsel import Selector

from beltacrawl.archive import Archive
from beltacrawl.items import Article, Kind
from beltacrawl.loaders import load_article
from beltacrawl.parsing.article import parse_article
from beltacrawl.site.deu import DEU_BELTA
from beltacrawl.site.text import normalise_space
from beltacrawl.site.urls import parse_article_url

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
NAMES = sorted(path.name.removesuffix(".expected.json") for path in FIXTURES.glob("*.json"))
#: Fields checked by shape rather than value (they depend on the fetch, or on body_html).
#: The fetch time as the site's clock tells it (a Minsk time: stored in UTC).
FETCHED_AT = datetime(2024, 7, 5, 12, 30, tzinfo=timezone(timedelta(hours=3)))
SHAPE_FIELDS = {"fetched_at", "content_hash", "body_html"}
VALUE_FIELDS = [f.name for f in fields(Article) if f.name not in SHAPE_FIELDS]
#: Text of the page chrome that must never reach the body.
CHROME = (
    "Abonnieren",
    "Letzte Nachrichten",
    "Alle Nachrichten",
    "Staatsorgane",
    "Projekte",
    "Lukaschenko legt Blumenkranz",
)
#: Known parser bugs: (fixture, field) -> reason. Each becomes a strict xfail.
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def page_html(name: str) -> str:
    return (FIXTURES / f"{name}.html").read_text(encoding="utf-8")


@cache
def expected(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))


@cache
def record(name: str) -> Article:
    fetched_url = expected(name)["fetched_url"]
    ref = parse_article_url(fetched_url)
    assert ref is not None, f"{name}: fixture URL is not an article URL: {fetched_url}"
    page = parse_article(Selector(text=page_html(name)), kind=ref.kind)
    return load_article(page, ref, fetched_url, FETCHED_AT)


def _params():
    for name in NAMES:
        for field_name in VALUE_FIELDS:
            reason = KNOWN_BUGS.get((name, field_name))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(name, field_name, id=f"{name}-{field_name}", marks=marks)


def test_fixture_set_is_complete():
    assert len(NAMES) == 15
    for name in NAMES:
        assert (FIXTURES / f"{name}.html").exists(), name
        assert set(expected(name)) == set(VALUE_FIELDS), f"{name}: expected JSON out of date"


@pytest.mark.parametrize(("name", "field_name"), list(_params()))
def test_field(name: str, field_name: str):
    want = expected(name)[field_name]
    got = getattr(record(name), field_name)
    assert got == want, (
        f"{name}: field {field_name!r} differs\n  expected {want!r}\n  actual   {got!r}"
    )


@pytest.mark.parametrize("name", NAMES)
def test_fetched_at_is_utc_iso(name: str):
    fetched_at = record(name).fetched_at
    parsed = datetime.fromisoformat(fetched_at)
    assert parsed.utcoffset() == timedelta(0), fetched_at
    assert parsed == FETCHED_AT


@pytest.mark.parametrize("name", NAMES)
def test_content_hash(name: str):
    want = expected(name)
    got = record(name).content_hash
    assert re.fullmatch(r"[0-9a-f]{64}", got or ""), got
    text = f"{want['title']}\n\n{want['body'] or ''}"
    if want["kind"] != "article":  # the image is the content
        text += "\n\n" + "\n".join(image["url"] for image in want["images"])
    assert got == hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize("name", NAMES)
def test_body_html_is_clean(name: str):
    body_html = record(name).body_html or ""
    for forbidden in ("<script", "<iframe", "video_add", "onclick", "Abonnieren"):
        assert forbidden not in body_html, f"{name}: body_html contains {forbidden!r}"
    if expected(name)["body"] is None:  # an infographic: no text, its image in ``images``
        assert record(name).images, name
        return
    opening = " ".join(expected(name)["body"].split("\n\n")[0].split()[:3])
    assert opening in body_html, f"{name}: body_html lacks {opening!r}"
    # The main image's caption is image_caption, as body leaves it out (before: the html
    # of export_archivfoto_before_dateline began with <p>Archivfoto</p>).
    caption = expected(name)["image_caption"]
    if caption:
        blocks = lxml.html.fragment_fromstring(body_html or "<p></p>", create_parent="div")
        texts = [normalise_space(block.text_content()) for block in blocks]
        assert caption not in texts, f"{name}: body_html holds the caption {caption!r}"


@pytest.mark.parametrize("name", NAMES)
def test_body_has_no_chrome(name: str):
    body = record(name).body or ""
    html = page_html(name)
    subscribe = "invite_in_messagers" in html  # infographics have none [seen]
    for chrome in CHROME:
        if chrome == "Abonnieren" and not subscribe:
            continue
        assert chrome in html, f"{name}: the fixture page should show {chrome!r}"
        assert chrome not in body, f"{name}: body contains page chrome {chrome!r}"
    footer = "Twitter" if "twitter.com/BeltaDeutsch" in html else "X"
    assert f">{footer}</a></div>" in html or not subscribe
    assert footer not in body.split("\n\n"), f"{name}: body contains the footer {footer!r}"
    assert "Twitter" not in body


def test_golowtschenko_page():
    """The real page reproduced in content: header, breadcrumb, footer, sidebar."""
    name = "golowtschenko_kasachstan"
    html = page_html(name)
    for text in (
        "Freitag, 5 Juli 2024",
        "Alle Nachrichten",
        "Wirtschaft",
        "28 Oktober 2022, 09:38",
    ):
        assert text in html
    article = record(name)
    assert article.published_at == "2022-10-28T09:38:00+03:00"
    assert article.dateline_place == "MINSK"
    assert article.dateline_date == "2022-10-28"
    assert article.body.startswith("Belarus und Kasachstan sollten")
    for chrome in ("Abonnieren", "Letzte Nachrichten", "Freitag", "Alle Nachrichten", "Twitter"):
        assert chrome not in article.body


def test_new_year_dateline_belongs_to_previous_year():
    article = record("neujahr_dateline_previous_year")
    assert article.published_at == "2024-01-01T00:15:00+03:00"
    assert article.dateline_date == "2023-12-31"


def test_photo_report_and_infographic_are_records_of_their_own_kind():
    photos = record("photonews_chatyn_photo_report")
    assert (photos.kind, photos.key) == ("photo_report", "photonews-3192")
    assert photos.article_year is None
    assert [image["caption"] for image in photos.images] == [
        "Gedenkstätte Chatyn",
        "Trauerkundgebung in Chatyn",
        "Blumen am Ewigen Feuer",
        "Schüler aus Minsk",
    ]
    assert photos.body == (
        "In der Gedenkstätte Chatyn wurde der Opfer der Tragödie vor 81 Jahren gedacht."
    )
    graphic = record("infographica_title_twice_no_subscribe")
    assert (graphic.kind, graphic.key, graphic.rubric_label) == (
        "infographic",
        "infographica-2195",
        "INFOGRAFIK",
    )
    assert graphic.body is None  # the title printed again above the image is no text
    # An article that is a photo report by its title or rubric stays an article.
    assert record("chatyn_fotoreportage_no_dateline").kind == "article"


def test_stored_fixtures_match_build_script():
    """The committed files are what build.py writes (rebuild after editing the truth)."""
    from tests.fixtures import build

    assert sorted(truth.name for truth in build.TRUTHS) == NAMES
    for truth in build.TRUTHS:
        assert page_html(truth.name) == build.render(truth), f"{truth.name}: rerun build.py"
        assert expected(truth.name) == truth.expected(), f"{truth.name}: rerun build.py"


# --- pages derived from the fixtures: one change each ----------------------------------


def load_variant(name: str, html: str, entry=None) -> Article:
    fetched_url = expected(name)["fetched_url"]
    ref = parse_article_url(fetched_url)
    raw = parse_article(Selector(text=html), kind=ref.kind)
    return load_article(raw, ref, fetched_url, FETCHED_AT, entry)


def test_header_date_is_never_the_publication_date():
    """Without div.date_full and the meta tag, only the header shows a date: not taken."""
    name = "golowtschenko_kasachstan"
    html = re.sub(r'<div class="date_full">.*?</div>', "", page_html(name))
    html = re.sub(r'<meta (property|name)="[a-z_:]*published_time"[^>]*>', "", html)
    assert "Freitag, 5 Juli 2024" in html
    article = load_variant(name, html)
    assert article.published_at is None
    assert article.published_raw is None
    assert article.dateline_date is None
    assert article.dateline_raw == "MINSK, 28. Oktober (BelTA) -"


def test_listing_entry_fills_lead_and_date():
    from beltacrawl.parsing.listing import ListingEntry

    name = "golowtschenko_kasachstan"
    html = re.sub(r'<div class="date_full">.*?</div>', "", page_html(name))
    html = re.sub(r'<meta (property|name)="[a-z_:]*published_time"[^>]*>', "", html)
    ref = parse_article_url(expected(name)["fetched_url"])
    entry = ListingEntry(
        ref, "Golowtschenko", "Ein Lead.", "Wirtschaft", "2022-10-28T09:38:00+03:00"
    )
    article = load_variant(name, html, entry)
    assert article.lead == "Ein Lead."
    assert article.published_at == "2022-10-28T09:38:00+03:00"
    assert article.dateline_date == "2022-10-28"
    assert article.title == expected(name)["title"]  # the page's title wins


def test_meta_date_wins_over_a_date_in_the_body_text():
    name = "lukaschenko_semicolon_meta_only_date"
    html = page_html(name).replace(
        "in einem Wahllokal in Minsk ab.",
        "in einem Wahllokal in Minsk ab. Die Wahllokale sind bis 26. Januar 2025, 20:00 Uhr "
        "geöffnet.",
    )
    article = load_variant(name, html)
    assert article.published_at == "2025-01-26T11:42:00+03:00"
    assert article.published_raw == "2025-01-26 11:42:00"


def test_title_mentioning_belta_after_a_dash_is_kept():
    name = "ausstellung_parallelwelten_p_twitter"
    title = "Parallelwelten – BelTA-Ausstellung in Moskau eröffnet"
    html = page_html(name).replace(expected(name)["title"].replace('"', "&quot;"), title)
    html = html.replace(expected(name)["title"], title)
    assert f"<h1>{title}</h1>" in html
    assert load_variant(name, html).title == title


def test_site_suffix_is_stripped_from_a_meta_title():
    """When the h1 is gone the og:title serves, without a ``| BelTA`` suffix."""
    name = "golowtschenko_kasachstan"
    title = expected(name)["title"]
    html = re.sub(r"<h1>.*?</h1>", "", page_html(name))
    html = html.replace(f'og:title" content="{title}"', f'og:title" content="{title} | BelTA"')
    assert load_variant(name, html).title == title


def test_sentence_starting_with_fotos_von_is_article_text():
    name = "golowtschenko_kasachstan"
    sentence = "Fotos von Kindern aus ganz Belarus wurden für die Ausstellung ausgewählt."
    html = page_html(name).replace("in Astana.</p>", f"in Astana.</p>\n<p>{sentence}</p>")
    assert load_variant(name, html).body.endswith("\n\n" + sentence)


def test_without_the_content_column_parts_are_found_on_the_whole_page():
    """``div.content_margin`` is [sister] markup: without it, the page is searched."""
    name = "golowtschenko_kasachstan"
    html = page_html(name).replace('<div class="content_margin">', '<div class="spalte">')
    assert "content_margin" not in html
    page = parse_article(Selector(text=html))
    # The two selectors defined by the column miss (and say so); the rest is found.
    assert DEU_BELTA.article.title in page.missing and DEU_BELTA.article.rubric_link in page.missing
    article = load_variant(name, html)
    for field_name in ("title", "published_at", "body", "dateline_raw"):
        assert getattr(article, field_name) == expected(name)[field_name], field_name


def test_a_part_moved_out_of_the_column_is_still_found():
    name = "golowtschenko_kasachstan"
    date = '<div class="date_full">28 Oktober 2022, 09:38</div>'
    main = '<div class="main">'
    html = page_html(name).replace(date, "").replace(main, date + main)
    assert html.index(date) < html.index("content_margin")
    page = parse_article(Selector(text=html))
    assert page.published_raw == "28 Oktober 2022, 09:38"
    assert DEU_BELTA.article.date not in page.missing


def test_image_and_tags_of_the_sidebar_are_not_the_articles():
    """Where the column exists, optional parts outside it belong to other articles."""
    name = "golowtschenko_kasachstan"
    sidebar = (
        '<div class="right_col"><div class="main_img"><img src="/images/other.jpg" alt="Andere">'
        '</div><div class="news_tags_block"><a title="Sport" href="/tags/sport/">Sport</a></div>'
    )
    html = page_html(name).replace('<div class="right_col">', sidebar)
    article = load_variant(name, html)
    assert article.tags == expected(name)["tags"] == []
    assert article.image_url == expected(name)["image_url"]
    assert article.image_caption == expected(name)["image_caption"]


def test_a_tags_block_outside_the_column_is_still_read():
    """Where the tags block sits is [sister]: when the column has none, the page's serves."""
    name = "ausstellung_parallelwelten_p_twitter"
    html = page_html(name)
    block = re.search(r'<div class="news_tags_block">.*?</div>', html, re.DOTALL)[0]
    moved = html.replace(block, "").replace(
        '<div class="right_col">', block + '<div class="right_col">'
    )
    assert moved.index(block) > moved.index("invite_in_messagers")
    assert load_variant(name, moved).tags == expected(name)["tags"] == ["Ausstellung", "Russland"]


def test_a_block_equal_to_the_headline_is_text_except_above_an_infographic():
    """An article may say no more than its headline; an infographic repeats its title
    above the image, and that repeat is no text."""
    html = (
        '<html><body><div class="content_margin"><h1>Minsk baut ein Stadion</h1>'
        '<div class="date_full">28 Oktober 2024, 09:38</div><div class="js-mediator-article">'
        '<p>Minsk baut ein Stadion</p><img src="/images/grafik.jpg" alt="Grafik"></div>'
        "</div></body></html>"
    )
    article = parse_article(Selector(text=html))
    assert article.paragraphs == ["Minsk baut ein Stadion"]
    assert parse_article(Selector(text=html), kind=Kind.PHOTO_REPORT).paragraphs == [
        "Minsk baut ein Stadion"
    ]
    assert parse_article(Selector(text=html), kind=Kind.INFOGRAPHIC).paragraphs == []


def test_a_replaced_image_is_a_new_version_where_the_image_is_the_content(tmp_path):
    """An infographic is its image: another image is another version, the old one kept.
    An article's new image with the same text is a detail taken over in place."""
    infographic, article = "infographica_title_twice_no_subscribe", "krutoi_nbsp_h1_space_video"
    with Archive.open(tmp_path / "a.sqlite") as archive:
        for name, versions in ((infographic, 2), (article, 1)):
            html = page_html(name)
            first = load_variant(name, html.replace(".jpg", "_a.jpg"))
            second = load_variant(name, html.replace(".jpg", "_b.jpg"))
            assert first.images != second.images and first.body == second.body
            archive.store.upsert_many([asdict(first), asdict(second)])
            history = archive.queries.show(first.key)
            assert history is not None and history.version_count == versions, name
            assert history.article["images"] == second.images
            if versions == 2:
                assert history.versions[0]["images"] == first.images
