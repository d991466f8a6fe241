"""URL grammar of deu.belta.by (``beltacrawl.site.urls``)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from beltacrawl.site.deu import DEU_BELTA
from beltacrawl.site.urls import (
    absolute_site_url,
    clean_url,
    is_forbidden,
    is_site_url,
    join,
    listing_path,
    on_base,
    parse_article_link,
    parse_article_url,
    refusal,
    rubric_of_listing_link,
)

KRUTOI = (
    "/economics/view/"
    "krutoi-belarus-und-russland-haben-ihren-handelsumsatz-um-7-prozent-gesteigert-66060-2024/"
)
CANONICAL = "https://deu.belta.by" + KRUTOI


@pytest.mark.parametrize(
    "url",
    [
        CANONICAL,
        "http://deu.belta.by" + KRUTOI,
        CANONICAL.rstrip("/"),
        "http://deu.belta.by" + KRUTOI.rstrip("/"),
        "https://m.deu.belta.by" + KRUTOI,
        "http://m.deu.belta.by" + KRUTOI.rstrip("/"),
        "https://DEU.BELTA.BY" + KRUTOI,
        "https://deu.belta.by:443" + KRUTOI,
        CANONICAL + "?utm_source=telegram",
        CANONICAL + "#comments",
        "  " + CANONICAL + "\n",
    ],
)
def test_canonical_url(url):
    ref = parse_article_url(url)
    assert ref is not None
    assert ref.url == CANONICAL
    assert ref.key == "66060-2024"
    assert (ref.rubric, ref.article_id, ref.article_year) == ("economics", 66060, 2024)
    assert ref.path == KRUTOI


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "http://deu.belta.by/politics/view/staatsminister-fur-europa-im-auswartigen-amt-besucht-belarus-29977-2017/",
            "https://deu.belta.by/politics/view/staatsminister-fur-europa-im-auswartigen-amt-besucht-belarus-29977-2017/",
        ),
        (
            "https://deu.belta.by/society/view/belta-ausstellung-parallelwelten-in-moskau-eroffnet-65343-2024",
            "https://deu.belta.by/society/view/belta-ausstellung-parallelwelten-in-moskau-eroffnet-65343-2024/",
        ),
        # Slugs may contain dots and digits.
        (
            "https://deu.belta.by/economics/view/export-stieg-auf-32.8-mrd-77383-2025",
            "https://deu.belta.by/economics/view/export-stieg-auf-32.8-mrd-77383-2025/",
        ),
        # A rubric the German edition has not used yet: read from the URL, not a list.
        (
            "https://deu.belta.by/culture/view/theater-in-minsk-12-2026",
            "https://deu.belta.by/culture/view/theater-in-minsk-12-2026/",
        ),
        # No slug at all.
        (
            "https://deu.belta.by/sport/view/66381-2024",
            "https://deu.belta.by/sport/view/66381-2024/",
        ),
    ],
)
def test_canonical_url_of_samples(url, canonical):
    ref = parse_article_url(url)
    assert ref is not None and ref.url == canonical


@pytest.mark.parametrize(
    "url",
    [
        "https://eng.belta.by" + KRUTOI,
        "https://www.belta.by" + KRUTOI,
        "https://belta.by" + KRUTOI,
        "https://chn.belta.by" + KRUTOI,
        "https://blr.belta.by" + KRUTOI,
        "https://pol.belta.by" + KRUTOI,
        "https://esp.belta.by" + KRUTOI,
        "https://de.belta.by" + KRUTOI,
        "https://deu.belta.by.example.com" + KRUTOI,
        "ftp://deu.belta.by" + KRUTOI,
        "mailto:info@belta.by",
        "",
    ],
)
def test_other_editions_and_schemes_are_not_articles(url):
    assert parse_article_url(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://deu.belta.by/all_news/",
        "https://deu.belta.by/all_news/page/3/",
        "https://deu.belta.by/economics/",
        "https://deu.belta.by/video/getRecord/1234",
        "https://deu.belta.by/economics/view/",
        "https://deu.belta.by/economics/view/krutoi/",
        "https://deu.belta.by/economics/view/krutoi-66060/",
        "https://deu.belta.by/economics/view/krutoi-66060-1824/",
        "https://deu.belta.by" + KRUTOI + "printv/",
        "https://deu.belta.by/images/storage/news/with_archive/2024/000029_1719900900_66060_big.jpg",
    ],
)
def test_non_article_paths(url):
    assert parse_article_url(url) is None


def test_key_includes_the_year():
    """Ids restarted lower around 2024: 64356-2023 is older than 64024-2024."""
    old = parse_article_url("https://deu.belta.by/economics/view/a-64356-2023/")
    new = parse_article_url("https://deu.belta.by/economics/view/b-64024-2024/")
    assert (old.key, new.key) == ("64356-2023", "64024-2024")


def test_same_id_in_two_years_are_two_articles():
    first = parse_article_url("https://deu.belta.by/politics/view/erster-text-64100-2023/")
    second = parse_article_url("https://deu.belta.by/politics/view/zweiter-text-64100-2024/")
    assert first.article_id == second.article_id == 64100
    assert first.key != second.key
    assert first.url != second.url


def test_same_article_by_any_url_has_one_key():
    urls = [
        "http://m.deu.belta.by/economics/view/krutoi-66060-2024",
        "https://deu.belta.by/economics/view/krutoi-66060-2024/",
        "http://deu.belta.by/economics/view/krutoi-66060-2024/?x=1",
    ]
    assert {parse_article_url(url).key for url in urls} == {"66060-2024"}
    assert len({parse_article_url(url).url for url in urls}) == 1


def test_base_host_for_mirrors():
    url = "http://127.0.0.1:8000" + KRUTOI
    assert parse_article_url(url) is None
    ref = parse_article_url(url, base_host="127.0.0.1")
    assert ref is not None and ref.url == CANONICAL
    assert is_site_url(url, "127.0.0.1")
    assert not is_site_url(url)
    assert is_site_url("https://m.deu.belta.by/")
    assert not is_site_url("https://eng.belta.by/")


@pytest.mark.parametrize(
    "url",
    [
        "https://deu.belta.by/printv/economics/view/krutoi-66060-2024/",
        "https://deu.belta.by/printv" + KRUTOI,
        "https://deu.belta.by/search/getResults/?query=Minsk",
        "https://deu.belta.by/search/getResults?query=Minsk&page=2",
        "https://deu.belta.by/search/extendedSearch/",
        "https://deu.belta.by/getResults/",
        "https://deu.belta.by/video/getRecord/1234/",
    ],
)
def test_forbidden_paths(url):
    assert is_forbidden(url)


@pytest.mark.parametrize(
    "url",
    [
        CANONICAL,
        "https://deu.belta.by/all_news/page/3/",
        "https://deu.belta.by/economics/",
        "https://deu.belta.by/fotoreportage/view/erinnerungsaktion-in-der-gedenkstatte-chatyn-56524-2021/",
    ],
)
def test_allowed_paths(url):
    assert not is_forbidden(url)


def test_article_slug_starting_with_search_is_allowed():
    assert not is_forbidden(
        "https://deu.belta.by/society/view/searchlight-festival-in-minsk-123-2025/"
    )


@pytest.mark.parametrize(
    ("listing", "page", "path"),
    [
        ("all_news", 1, "/all_news/"),
        ("all_news", 0, "/all_news/"),
        ("all_news", 2, "/all_news/page/2/"),
        ("all_news", 132, "/all_news/page/132/"),
        ("economics", 3, "/economics/page/3/"),
    ],
)
def test_listing_path(listing, page, path):
    assert listing_path(listing, page) == path


@pytest.mark.parametrize(
    ("url", "rubric"),
    [
        ("https://deu.belta.by/economics/", "economics"),
        ("https://deu.belta.by/president/", "president"),
        ("/society/", "society"),
        ("https://deu.belta.by/all_news/", None),
        (CANONICAL, None),
    ],
)
def test_rubric_of_listing_link(url, rubric):
    assert rubric_of_listing_link(url) == rubric


@pytest.mark.parametrize(
    ("src", "url"),
    [
        (
            "/images/storage/news/with_archive/2024/000029_1719900900_66060_big.jpg",
            "https://deu.belta.by/images/storage/news/with_archive/2024/000029_1719900900_66060_big.jpg",
        ),
        ("http://m.deu.belta.by/images/a_big.jpg", "https://deu.belta.by/images/a_big.jpg"),
        ("https://deu.belta.by/images/a_big.jpg", "https://deu.belta.by/images/a_big.jpg"),
        ("https://cdn.example.com/a.jpg", "https://cdn.example.com/a.jpg"),
        ("/images/b c\t.jpg", "https://deu.belta.by/images/b%20c.jpg"),
        ("//cdn.example.com/a b.jpg", "https://cdn.example.com/a%20b.jpg"),
        ("data:image/gif;base64,R0lGODlhAQABAAAAACw=", None),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("ftp://deu.belta.by/a.jpg", None),
    ],
)
def test_absolute_site_url(src, url):
    assert absolute_site_url(src) == url


def test_on_base():
    assert on_base(CANONICAL, "http://127.0.0.1:8000") == "http://127.0.0.1:8000" + KRUTOI
    assert on_base("/all_news/page/2/?day=1", "http://127.0.0.1:8000/") == (
        "http://127.0.0.1:8000/all_news/page/2/?day=1"
    )
    assert on_base("/all_news/", "https://mirror.example/belta/") == (
        "https://mirror.example/belta/all_news/"
    )


def _mostly(usual: str, *others: str) -> st.SearchStrategy[str]:
    """``usual`` half of the time, else one of ``others``."""
    return st.one_of(st.just(usual), st.sampled_from(others))


_NOISE = ("/", "//", "..", ".", "?x=1", "#top", " ", "%2F", "\\", "\x00")
#: Links as listings may hold them: article paths, whole or broken, relative or not.
_LINKS = st.builds(
    "{}{}/{}/{}{}-{}-{}/{}".format,
    _mostly("", "//deu.belta.by", "https://deu.belta.by", "http://example.com", " "),
    _mostly("", *_NOISE),
    _mostly("economics", "ECONOMICS", "all_news", "..", ""),
    _mostly("view", "view/..", "printv"),
    _mostly("krutoi", "", "a/b", "x-1"),
    _mostly("66060", "0", "1234567890123"),
    _mostly("2024", "1812", "24"),
    _mostly("", *_NOISE),
)
_PAGES = st.sampled_from(
    [
        "https://deu.belta.by/all_news/",
        "https://deu.belta.by/economics/page/3/?day=08&month=01&year=26",
        "http://127.0.0.1:8000/all_news/page/2/",
        "https://example.com/all_news/",
    ]
)


@given(_LINKS, _PAGES)
@example(KRUTOI, "https://example.com/all_news/")  # a relative link of a foreign page
@example("//example.com" + KRUTOI, "https://deu.belta.by/all_news/")  # another host
@example("/economics/view/../view/krutoi-66060-2024/", "https://deu.belta.by/all_news/")
def test_article_link_is_the_joined_url_read_as_an_article(href: str, page_url: str):
    """The fast path for host-relative links gives what joining and parsing gives."""
    joined = join(page_url, href)
    expected = parse_article_url(joined, "127.0.0.1") if joined else None
    assert parse_article_link(href, page_url, "127.0.0.1", DEU_BELTA) == expected


@pytest.mark.parametrize(
    "href", [KRUTOI, KRUTOI + "?utm=1", KRUTOI + "#kommentare", KRUTOI.rstrip("/")]
)
def test_host_relative_links_of_a_listing(href: str):
    ref = parse_article_link(href, "https://deu.belta.by/all_news/page/2/", "", DEU_BELTA)
    assert ref is not None and ref.url == CANONICAL


# --- items without a year: photo reports, infographics ----------------------------------

PHOTONEWS = "https://deu.belta.by/photonews/view/81-jahrestag-der-chatyn-tragodie-3192"
INFOGRAPHICA = (
    "https://deu.belta.by/infographica/view/tag-der-unabhangigkeitstag-der-republik-belarus-2195/"
)


@pytest.mark.parametrize(
    ("url", "kind", "key", "canonical"),
    [
        (PHOTONEWS, "photo_report", "photonews-3192", PHOTONEWS + "/"),
        ("http://m.deu.belta.by" + PHOTONEWS[20:] + "/", "photo_report", "photonews-3192", None),
        (INFOGRAPHICA, "infographic", "infographica-2195", INFOGRAPHICA),
        (INFOGRAPHICA.rstrip("/") + "?x=1", "infographic", "infographica-2195", None),
        # In an item section a trailing number that looks like a year is the id.
        (
            "https://deu.belta.by/photonews/view/parade-2021/",
            "photo_report",
            "photonews-2021",
            None,
        ),
    ],
)
def test_items_without_a_year(url, kind, key, canonical):
    ref = parse_article_url(url)
    assert ref is not None
    assert (ref.kind.value, ref.key, ref.article_year) == (kind, key, None)
    assert ref.url == (canonical or ref.url)
    assert parse_article_url(ref.url) == ref  # the canonical URL is a fixed point
    assert ref.url.startswith("https://deu.belta.by/") and ref.url.endswith("/")


def test_a_slug_starting_with_a_digit_is_the_slug():
    ref = parse_article_url(PHOTONEWS)
    assert (ref.slug, ref.article_id) == ("81-jahrestag-der-chatyn-tragodie", 3192)


def test_item_keys_never_collide_with_article_keys():
    """Article 3192 of 2021 and photo report 3192 are different records."""
    article = parse_article_url("https://deu.belta.by/fotoreportage/view/chatyn-3192-2021/")
    photos = parse_article_url(PHOTONEWS)
    assert article.kind.value == "article" and photos.kind.value == "photo_report"
    assert article.key == "3192-2021" != photos.key == "photonews-3192"
    graphic = parse_article_url("https://deu.belta.by/infographica/view/x-3192/")
    assert len({article.key, photos.key, graphic.key}) == 3


def test_an_article_titled_fotobericht_stays_an_article():
    """The kind comes from the URL grammar, never from a title or a rubric."""
    ref = parse_article_url(
        "https://deu.belta.by/society/view/fotobericht-parade-in-minsk-66500-2024/"
    )
    assert (ref.kind.value, ref.key) == ("article", "66500-2024")


def test_identity_is_id_and_year_never_the_slug():
    """``63275-2023`` and ``63236-2024`` are both New Year speeches with the same slug [seen];
    the same id recurs in another year under the same slug, too."""
    slug = "neujahrsansprache-des-prasidenten-der-republik-belarus-alexander-lukaschenko"
    speeches = [
        parse_article_url(f"https://deu.belta.by/president/view/{slug}-{number}/")
        for number in ("63275-2023", "63236-2024", "63275-2024")
    ]
    assert [ref.key for ref in speeches] == ["63275-2023", "63236-2024", "63275-2024"]
    assert len({ref.slug for ref in speeches}) == 1
    # A slug that is no title (cut, or another word altogether) changes nothing either.
    short = parse_article_url("https://deu.belta.by/president/view/vns-79035-2025/")
    other = parse_article_url(
        "https://deu.belta.by/president/view/a-completely-different-79035-2025"
    )
    assert short.key == other.key == "79035-2025"


@pytest.mark.parametrize(
    ("href", "reason"),
    [
        ("https://eng.belta.by/economics/view/x-1-2024/", "other_site"),
        ("/video/getRecord/123/", "forbidden"),
        ("/printv/economics/view/x-1-2024/", "forbidden"),
        ("/economics/view/ohne-nummer/", "unknown_url"),
        ("/newsletters/view/x-12/", "unknown_url"),
        ("mailto:redaktion@belta.by", "not_a_url"),
        ("", "not_a_url"),
    ],
)
def test_why_a_link_is_not_taken(href, reason):
    page = "https://deu.belta.by/all_news/"
    assert parse_article_link(href, page, "", DEU_BELTA) is None
    assert refusal(href, page, "", DEU_BELTA) == reason


# --- links as browsers read them -----------------------------------------------------------


@pytest.mark.parametrize(
    "href",
    [
        KRUTOI.replace("/view/", "/view/\t"),
        KRUTOI.replace("-66060", "\n-66060"),
        KRUTOI.replace("krutoi-", "kru\r\ntoi-"),
        KRUTOI.replace("66060", "66\t060"),
        " \n" + KRUTOI + "\t ",
        "\x01" + KRUTOI + "\x1f",
    ],
)
def test_tabs_newlines_and_edge_controls_in_a_link_are_dropped(href: str):
    """As in browsers (the URL living standard): such a link is the same article."""
    for page in ("https://deu.belta.by/all_news/", "http://127.0.0.1:8000/all_news/"):
        ref = parse_article_link(href, page, "127.0.0.1", DEU_BELTA)
        assert ref is not None and ref.url == CANONICAL and ref.path == KRUTOI
    inner = href.strip(" \t\n\r\x01\x1f")  # what is left inside the URL
    assert parse_article_url(" https://deu.belta.by" + inner + "\n") == parse_article_url(CANONICAL)


@pytest.mark.parametrize(
    ("slug", "encoded"),
    [
        ("größe", "gr%C3%B6%C3%9Fe"),
        ("a b", "a%20b"),
        ("50%", "50%25"),
        ("a%2Fb", "a%2Fb"),
        ("a\x00b", "a%00b"),
        ("[x]", "%5Bx%5D"),
    ],
)
def test_the_url_of_an_article_is_always_percent_encoded(slug: str, encoded: str):
    ref = parse_article_link(
        f"/society/view/{slug}-5-2024/", "https://deu.belta.by/", "", DEU_BELTA
    )
    assert ref is not None
    assert ref.url == f"https://deu.belta.by/society/view/{encoded}-5-2024/"
    assert parse_article_url(ref.url) == ref  # stable: the stored URL reads back the same


_VALID_URL_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#@!$&'()*+,;=%"
)


@given(st.text(max_size=30))
@example("\t\n\r %zz\x7f\u00e4")
def test_any_slug_gives_a_valid_url(slug: str):
    ref = parse_article_link(
        f"/society/view/{slug}-5-2024/", "https://deu.belta.by/", "", DEU_BELTA
    )
    if ref is None:
        return
    assert set(ref.url) <= _VALID_URL_CHARS
    assert clean_url(ref.url) == ref.url
    assert all(
        ref.url[i + 1 : i + 3].isalnum() and len(ref.url[i + 1 : i + 3]) == 2
        for i, char in enumerate(ref.url)
        if char == "%"
    )
