"""A second, fictitious BelTA edition: the URL grammar and the parsers follow its profile
(``beltacrawl.site.profile``), and the German profile is neither needed nor touched."""

from __future__ import annotations

import dataclasses
import re
from types import MappingProxyType

import pytest
from parsel import Selector

from beltacrawl.parsing.article import parse_article
from beltacrawl.parsing.listing import parse_listing
from beltacrawl.site.datelines import find_dateline
from beltacrawl.site.dates import parse_datetime, to_iso
from beltacrawl.site.deu import DEU_ARTICLE, DEU_BELTA, DEU_LISTING
from beltacrawl.site.profile import SiteProfile
from beltacrawl.site.urls import (
    absolute_site_url,
    is_forbidden,
    is_site_url,
    parse_article_url,
    rubric_of_listing_link,
)

XX_BELTA = SiteProfile(
    canonical_host="xx.belta.by",
    hosts=frozenset({"xx.belta.by", "m.xx.belta.by"}),
    language="eo",
    rubric_labels=MappingProxyType({"ekonomio": "Ekonomio", "sporto": "Sporto"}),
    all_news="ciuj_novajhoj",
    forbidden_path_prefixes=("/presi",),
    forbidden_url_parts=("sercxo",),
    listing=dataclasses.replace(DEU_LISTING, container="div#lenta"),
    article=dataclasses.replace(
        DEU_ARTICLE, date="span.dato", body_candidates=("div.teksto",), tags_block="div.etikedoj"
    ),
    body_drop_classes=frozenset({"reklamo"}),
    body_end_classes=frozenset({"fino"}),
    incomplete_marker=re.compile(r"/daŭrigota/$"),
    wire_end_marker="-X-",
    photo_credit=re.compile(r"^Foto: .{0,80}$"),
    months=MappingProxyType({"januaro": 1, "februaro": 2, "marto": 3, "oktobro": 10}),
    dateline_agency="BelTA-XX",
)
ARTICLE = "/ekonomio/view/nova-komerco-1234-2025/"


def test_urls_of_the_second_edition():
    ref = parse_article_url("http://m.xx.belta.by" + ARTICLE, profile=XX_BELTA)
    assert ref is not None
    assert (ref.key, ref.rubric, ref.url) == (
        "1234-2025",
        "ekonomio",
        "https://xx.belta.by" + ARTICLE,
    )
    # Each edition takes its own hosts only.
    assert parse_article_url("https://deu.belta.by" + ARTICLE, profile=XX_BELTA) is None
    assert parse_article_url("https://xx.belta.by" + ARTICLE) is None
    assert (
        parse_article_url("https://deu.belta.by" + ARTICLE).url == "https://deu.belta.by" + ARTICLE
    )
    assert is_site_url("https://m.xx.belta.by/", profile=XX_BELTA)
    assert not is_site_url("https://m.xx.belta.by/")
    assert rubric_of_listing_link("https://xx.belta.by/sporto/", XX_BELTA) == "sporto"
    assert rubric_of_listing_link("https://xx.belta.by/ciuj_novajhoj/", XX_BELTA) is None
    assert rubric_of_listing_link("https://xx.belta.by/sporto/") is None
    assert is_forbidden("https://xx.belta.by/presi/1/", XX_BELTA)
    assert not is_forbidden("https://xx.belta.by/presi/1/")
    assert (
        absolute_site_url("/images/a.jpg", profile=XX_BELTA) == "https://xx.belta.by/images/a.jpg"
    )


def test_listing_of_the_second_edition():
    html = """<html><body><div class="content_margin"><div id="lenta">
    <div class="new_date"><div class="day">7</div><div class="month_year">.10.25</div></div>
    <div class="news_item lenta_item"><div class="date">09:15
      <a class="date_rubric" href="https://xx.belta.by/ekonomio/">Ekonomio</a></div>
      <a href="/ekonomio/view/nova-komerco-1234-2025/"><span class="lenta_item_title">Nova
      komerco</span><span class="lenta_textsmall">La unua.</span></a></div>
    </div></div></body></html>"""
    page = parse_listing(
        Selector(text=html), "https://xx.belta.by/ciuj_novajhoj/", profile=XX_BELTA
    )
    assert page.missing == []
    [entry] = page.entries
    assert (
        entry.ref.url,
        entry.title,
        entry.lead,
        entry.rubric_label,
        to_iso(entry.listed_at),
    ) == (
        "https://xx.belta.by" + ARTICLE,
        "Nova komerco",
        "La unua.",
        "Ekonomio",
        "2025-10-07T09:15:00+03:00",
    )
    # The German profile finds neither its container nor the article's host here.
    german = parse_listing(Selector(text=html), "https://xx.belta.by/ciuj_novajhoj/")
    assert "div#inner" in german.missing and german.entries == []


def test_article_of_the_second_edition():
    html = """<html><body><div class="content_margin">
    <a href="https://xx.belta.by/ciuj_novajhoj/">Ĉiuj novaĵoj</a>
    <a href="https://xx.belta.by/ekonomio/">Ekonomio</a>
    <span class="dato">7 oktobro 2025, 09:15</span><h1>Nova komerco</h1>
    <div class="teksto"><p>MINSK, 7. oktobro (BelTA-XX) - La unua alineo.</p>
    <div class="reklamo">Aĉetu!</div><p>Dua alineo. -X-</p><p>Foto: BelTA</p>
    <div class="fino">Abonu nin</div><p>Post la fino.</p></div>
    <div class="etikedoj"><a href="/tag/1">komerco</a></div></div></body></html>"""
    raw = parse_article(Selector(text=html), XX_BELTA)
    assert raw.missing == []
    assert (raw.title, raw.rubric_label, raw.published_raw, raw.tags) == (
        "Nova komerco",
        "Ekonomio",
        "7 oktobro 2025, 09:15",
        ["komerco"],
    )
    assert raw.paragraphs == ["La unua alineo.", "Dua alineo."]
    assert raw.dateline is not None and (raw.dateline.place, raw.dateline.month) == ("MINSK", 10)
    assert "Aĉetu" not in raw.body_html and "Post la fino" not in raw.body_html
    assert to_iso(parse_datetime(raw.published_raw, XX_BELTA)) == "2025-10-07T09:15:00+03:00"


@pytest.mark.parametrize("profile", [DEU_BELTA, XX_BELTA])
def test_dates_and_datelines_take_the_profiles_month_names(profile):
    german = "MINSK, 7. Oktober (BelTA) - Text"
    other = "MINSK, 7. oktobro (BelTA-XX) - Text"
    found = [find_dateline(text, profile) is not None for text in (german, other)]
    assert found == ([True, False] if profile is DEU_BELTA else [False, True])
    assert (parse_datetime("7 Oktober 2025, 09:15", profile) is not None) == (profile is DEU_BELTA)


def test_the_german_profile_is_untouched():
    assert DEU_BELTA.origin == "https://deu.belta.by"
    assert DEU_BELTA.listing.container == "div#inner"
    assert DEU_BELTA.article.body_candidates[0] == "div.js-mediator-article"
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEU_BELTA.canonical_host = "xx.belta.by"  # type: ignore[misc]
