"""Properties of the parsers: bad input never crashes one, nor yields a wrongly typed field.

Inputs are random strings, near-miss dates (``31 Februar 2024, 10:00``, ``99 Oktober
2022, 25:61``, other scripts' digits), near-miss datelines and URLs, and real pages — the
stored fixtures and pages rendered by the replica — mutated: elements deleted, unwrapped,
retagged or shuffled, deep nesting, huge attribute values, text, control characters and
hostile markup injected, cut at random points. Every page goes to both the article and
the listing parser.

The hypothesis profile (tests/conftest.py) keeps CI deterministic; run
``HYPOTHESIS_PROFILE=fuzz pytest tests/test_properties.py`` to search longer at random.
"""

from __future__ import annotations

import json
import re
import time
import typing
from dataclasses import fields
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree
from parsel import Selector

from beltacrawl.items import Article
from beltacrawl.loaders import load_article
from beltacrawl.parsing.article import RawArticle, parse_article
from beltacrawl.parsing.body import clean_html, text_blocks
from beltacrawl.parsing.listing import ListingEntry, ListingPage, parse_listing
from beltacrawl.site.datelines import find_dateline
from beltacrawl.site.dates import infer_dateline_date, listing_datetime, parse_datetime, to_iso
from beltacrawl.site.deu import DEU_BELTA
from beltacrawl.site.text import normalise_space
from beltacrawl.site.urls import ArticleRef, parse_article_url
from tests.sitesim import SiteModel
from tests.sitesim.routes import route

MINSK = ZoneInfo("Europe/Minsk")
#: Minsk has kept UTC+3 all year since this moment (before: EET/EEST, MSK/MSD, …).
FIXED_OFFSET_SINCE = datetime(2011, 3, 27, 3, 0, tzinfo=MINSK)
CANONICAL_URL = re.compile(
    r"https://deu\.belta\.by/[a-z0-9_-]+/view/(?:[^/?#]*-)?[0-9]+(?:-(?:19|20)[0-9]{2})?/\Z"
)
HINTS = typing.get_type_hints(Article)
#: Tags that must never survive body cleaning.
UNSAFE_TAGS = {"script", "iframe", "object", "embed", "style", "meta", "base", "link"}
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")
PARSER = lxml.html.HTMLParser(huge_tree=True)
FEW = settings(max_examples=100)
MANY = settings(max_examples=200)

# --- input pages ----------------------------------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures"


def _pages() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``(url, html)`` of article pages and of listing pages."""
    articles = []
    for expected in sorted((FIXTURES / "articles").glob("*.expected.json")):
        url = json.loads(expected.read_text(encoding="utf-8"))["url"]
        page = expected.with_name(expected.name.replace(".expected.json", ".html"))
        articles.append((url, page.read_text(encoding="utf-8")))
    model = SiteModel(seed=4, articles=50)
    for key in model.keys()[::6]:
        article = model.article(key)
        articles.append((article.url, route(model, article.path).body.decode("utf-8")))
    listings = [
        ("https://deu.belta.by/all_news/", (FIXTURES / "listing" / "reference.html").read_text())
    ]
    for path in ("/all_news/", "/all_news/page/3/", "/economics/", "/sport/"):
        listings.append((f"https://deu.belta.by{path}", route(model, path).body.decode("utf-8")))
    return articles, listings


ARTICLE_PAGES, LISTING_PAGES = _pages()

#: Markup a page may hold by accident or malice: hostile code, broken structure, markers.
SNIPPETS = [
    "<script>alert(1)</script>",
    '<iframe src="https://evil.example/"></iframe>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#x01;javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<math><a xlink:href="java&#x09;script:alert(1)">m</a></math>',
    '<span title="x" data-x="java&#x0a;script:alert(1)">t</span>',
    '<div onclick="alert(1)" ONMOUSEOVER="x">d</div>',
    "<div/onclick='alert(1)'>d</div>",
    '<img src="x" onerror="alert(1)">',
    '<p style="background:url(javascript:x)">s</p>',
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:/">',
    '<link rel="stylesheet" href="javascript:x">',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:1"><button formaction="javascript:1">b</button></form>',
    '<input type="image" formaction="javascript:1" src="x">',
    '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">d</a>',
    '<a href="vbscript:msgbox(1)">v</a>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    # Text that reads as markup once unescaped: it must stay text in body_html.
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&lt;img src=x onerror=alert(1)&gt;",
    '<style>@import "javascript:x";</style>',
    "<template><script>alert(1)</script></template>",
    '<details open ontoggle="alert(1)">t</details>',
    '<video poster="javascript:1"><source onerror="x"></video>',
    '<div class="clear">',
    '<div class="invite_in_messagers">Abonnieren Sie uns auf</div>',
    '<div class="news_tags_block"><a class="tag_item" title=" ">x</a><a></a></div>',
    "</div>",
    "<div>",
    "</p><p>",
    "<br><br>",
    '<div class="js-mediator-article">',
    '<div class="inner_content">',
    '<div class="date_full">31 Februar 2024, 10:00</div>',
    '<div class="date_full">99 Oktober 2022, 25:61</div>',
    '<div class="date_full">28 Oktober 0001, 09:38</div>',
    '<div class="new_date"><div class="day">99</div>'
    '<div class="month_year"><span>.</span>13.99</div></div>',
    '<div class="new_date"><div class="day">٢٨</div>'
    '<div class="month_year"><span>.</span>٠٩.٢٥</div></div>',
    '<div class="news_item lenta_item"><div class="date">25:61 <a class="date_rubric" '
    'href="http://[::1/">R</a></div><a href="/x/view/a-1-2024/">'
    '<span class="lenta_item_title"> </span></a></div>',
    '<a href="http://[::1/view/a-1-2024/">broken host</a>',
    '<a href="https://deu.belta.by/economics/view/x-٢-2024/">other digits</a>',
    '<a href="https://deu.belta.by/economics/view/x-' + "9" * 5000 + '-2024/">huge id</a>',
    "<div class=\"load_more\" onclick=\"return get_page('http://[x','inner','1');\">m</div>",
    '<div class="load_more" onclick="return get_page(\'javascript:alert(1)\');">m</div>',
    '<a class="p_next" href="http://[::1">n</a>',
    '<div class="main_img"><img src="http://[::1/a.jpg" alt=" "></div>',
    '<meta property="og:image" content="http://[::1/a.jpg">',
    '<meta property="og:title" content=" ">',
    '<meta property="article:published_time" content="0000-00-00 00:00:00">',
    "<h1>",
    "</h1>",
    "MINSK, 31. Februar (BelTA) - ",
    "MINSK, ٢٨. Oktober (BelTA) –",
    " /Wird ergänzt/.",
    "-0-",
    "Foto: BelTA",
    "\x00",
    "\x0b\x0c\x1b",
    "&nbsp;",
    "&#0;",
    "&#x110000;",
    "&bogus;",
    "\u202e\u200b\ufeff\u2028",
]
CLASS_NAMES = [
    "js-mediator-article",
    "inner_content",
    "content_margin",
    "date_full",
    "main_img",
    "main_img_desc",
    "news_tags_block",
    "clear",
    "invite_in_messagers",
    "video_add",
    "news_item lenta_item",
    "new_date",
    "day",
    "month_year",
    "date",
    "date_rubric",
    "lenta_item_title",
    "lenta_textsmall",
    "load_more",
    "p_next",
]
TAGS = ["div", "p", "span", "a", "h1", "br", "li", "table", "script", "img", "section", "b"]
#: Text as a page may hold it: any characters but surrogates (never decoded from bytes).
TEXT = st.text(max_size=40)
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
ATTRIBUTE_VALUES = st.one_of(
    XML_TEXT,
    st.sampled_from(CLASS_NAMES),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "a-", "ü ", "/"]), st.integers(1, 200_000)),
    st.sampled_from(["javascript:alert(1)", " java\tscript:1", "data:,x", "http://[::1/", ""]),
)

# --- mutations ------------------------------------------------------------------------------


def _string_mutation(draw: st.DrawFn, html: str) -> str:
    kind = draw(st.sampled_from(["truncate", "delete", "insert_text", "insert_markup"]))
    start = draw(st.integers(0, len(html)))
    if kind == "truncate":
        return html[:start]
    if kind == "delete":
        return html[:start] + html[draw(st.integers(start, min(len(html), start + 2000))) :]
    insert = draw(TEXT if kind == "insert_text" else st.sampled_from(SNIPPETS))
    return html[:start] + insert + html[start:]


def _tree_mutation(draw: st.DrawFn, html: str) -> str:
    try:
        root = lxml.html.document_fromstring(html, parser=PARSER)
    except (etree.ParserError, ValueError):
        return html
    try:
        _change_tree(draw, root)
    except ValueError:  # lxml refuses to set text with control characters: no change
        return html
    return lxml.html.tostring(root, encoding="unicode")


def _change_tree(draw: st.DrawFn, root: lxml.html.HtmlElement) -> None:
    elements = [element for element in root.iter() if isinstance(element.tag, str)]
    # Half of the time one the parsers look for: a classed element or a paragraph.
    marked = [e for e in elements if e.get("class") or e.tag == "p"] or elements
    element = draw(st.sampled_from(elements) | st.sampled_from(marked))
    kind = draw(st.sampled_from(["delete", "unwrap", "shuffle", "nest", "attribute", "retag"]))
    has_parent = element.getparent() is not None
    if kind == "delete" and has_parent:
        element.drop_tree()
    elif kind == "unwrap" and has_parent:
        element.drop_tag()
    elif kind == "shuffle" and len(element):
        children = list(element)
        order = draw(st.permutations(range(len(children))))
        for child in children:
            element.remove(child)
        element.extend(children[index] for index in order)
    elif kind == "nest":
        _nest(element, draw(st.sampled_from([2, 300, 1100, 2500]) | st.integers(1, 2500)))
    elif kind == "attribute":
        name = draw(st.sampled_from(["class", "href", "src", "title", "alt", "onclick", "style"]))
        element.set(name, draw(ATTRIBUTE_VALUES))
    elif kind == "retag" and has_parent:
        element.tag = draw(st.sampled_from(TAGS))


def _nest(element: lxml.html.HtmlElement, depth: int) -> None:
    """Move the element's content into ``depth`` nested ``div``s."""
    outer = current = lxml.html.Element("div")
    for _ in range(depth - 1):
        current = etree.SubElement(current, "div")
    current.text, element.text = element.text, None
    current.extend(list(element))
    element.append(outer)


@st.composite
def mutated(draw: st.DrawFn, pages: list[tuple[str, str]]) -> tuple[str, str]:
    """``(url, html)``: a real page after one to four random mutations."""
    url, html = draw(st.sampled_from(pages))
    for _ in range(draw(st.integers(1, 4))):
        mutation = draw(st.sampled_from([_string_mutation, _tree_mutation]))
        html = mutation(draw, html)
    return url, html


ANY_PAGE = mutated(ARTICLE_PAGES + LISTING_PAGES)

# --- near-miss values -----------------------------------------------------------------------

OTHER_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९０１２３４５６７８９𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗"


def numbers(low: int, high: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(low, high).map(str),
        st.integers(low, high).map(lambda n: f"{n:02d}"),
        st.text(st.sampled_from(OTHER_DIGITS), min_size=1, max_size=4),
        st.sampled_from(["", "0", "00", "-1", "1e3", "9" * 30]),
    )


MONTH_WORDS = st.one_of(
    st.sampled_from(sorted(DEU_BELTA.months)),
    st.sampled_from(sorted(DEU_BELTA.months)).map(str.capitalize),
    st.sampled_from(["Okt.", "MAI", "Mäz", "Oktoberfest", "Foo", "Jänner", "", "13"]),
)
SEPARATORS = st.sampled_from([" ", "  ", "\xa0", ". ", ".", ", ", " | ", "-", "", "\t\n"])
NEAR_MISS_DATES = st.one_of(
    st.tuples(numbers(0, 99), SEPARATORS, MONTH_WORDS, SEPARATORS, numbers(0, 99999))
    .map("".join)
    .flatmap(
        lambda day: st.tuples(st.just(day), SEPARATORS, numbers(0, 99), numbers(0, 99)).map(
            lambda parts: f"{parts[0]},{parts[1]}{parts[2]}:{parts[3]}"
        )
    ),
    st.tuples(numbers(0, 99), numbers(0, 99), numbers(0, 9999), numbers(0, 99), numbers(0, 99)).map(
        lambda p: f"{p[0]}.{p[1]}.{p[2]} | {p[3]}:{p[4]}"
    ),
    st.tuples(numbers(0, 9999), numbers(0, 99), numbers(0, 99), numbers(0, 99), numbers(0, 99)).map(
        lambda p: f"{p[0]}-{p[1]}-{p[2]} {p[3]}:{p[4]}:00"
    ),
    st.sampled_from(
        [
            "31 Februar 2024, 10:00",
            "29 Februar 2023, 10:00",
            "29 Februar 2024, 10:00",
            "99 Oktober 2022, 25:61",
            "28 Oktober 2022, 24:00",
            "00 Januar 2024, 00:00",
            "28 Oktober 0001, 09:38",
            "31 Dezember 9999, 23:59",
            "flag Freitag, 5 Juli 2024",
            "gestern, 10:00",
            "Wirtschaft 25.09.2017 | 14:27",
            "2022-10-28T09:38:00+00:00",
        ]
    ),
)
DATE_TEXTS = st.one_of(NEAR_MISS_DATES, TEXT, st.text(max_size=300))

PLACES = st.one_of(
    st.sampled_from(["MINSK", "MOSKAU", "ST. PETERSBURG", "NUR-SULTAN", "BREST", "A", "Minsk"]),
    st.text(st.sampled_from("ABCÄÖÜ .-'’"), max_size=30),
)
DATELINES = st.one_of(
    st.tuples(
        st.sampled_from(["", " ", "Archivfoto ", "x" * 200 + " "]),
        PLACES,
        st.sampled_from([", ", "; ", ",", " , "]),
        numbers(0, 99),
        st.sampled_from([". ", ".", " "]),
        MONTH_WORDS,
        st.sampled_from([" (BelTA) ", "(BelTA)", " ( BelTA ) ", " (BELTA) ", " "]),
        st.sampled_from(["-", "–", "—", "--", "", "- "]),
        TEXT,
    ).map("".join),
    TEXT,
    st.text(max_size=1000),
)

SCHEMES = st.sampled_from(["https://", "http://", "HTTPS://", "ftp://", "//", "", "javascript:"])
HOSTS = st.sampled_from(
    [
        "deu.belta.by",
        "m.deu.belta.by",
        "www.deu.belta.by",
        "DEU.BELTA.BY",
        "deu.belta.by:443",
        "deu.belta.by:99999",
        "eng.belta.by",
        "deu.belta.by.evil.example",
        "127.0.0.1:8000",
        "[::1",
        "[::1]",
        "user@deu.belta.by",
        "",
    ]
)
URL_PATHS = st.tuples(
    st.sampled_from(["/", "//", ""]),
    st.one_of(
        st.sampled_from(["economics", "all_news", "Eco", "x_y-1", "photonews", "infographica"]),
        TEXT,
    ),
    st.sampled_from(["/view/", "/View/", "/view", "/"]),
    st.one_of(st.sampled_from(["", "krutoi-", "a.b-", "-", "2024-"]), TEXT),
    numbers(0, 10**12),
    st.sampled_from(["-", "--", "_"]),
    numbers(1800, 2200),
    st.sampled_from(["/", "", "//", "/?x=1", "#f", "/\n", " "]),
).map("".join)
#: Article URLs of the site with one near miss in the id or year.
NEAR_ARTICLE_URLS = st.tuples(
    st.sampled_from(["https://deu.belta.by", "http://m.deu.belta.by"]),
    st.sampled_from(["/economics/view/krutoi-", "/politics/view/", "/sport/view/a-1-"]),
    numbers(0, 10**12),
    st.just("-"),
    numbers(1800, 2200),
    st.sampled_from(["/", ""]),
).map("".join)
URLS = st.one_of(st.tuples(SCHEMES, HOSTS, URL_PATHS).map("".join), NEAR_ARTICLE_URLS, TEXT)
BASE_HOSTS = st.sampled_from(["", "127.0.0.1", "localhost"])
REFS = st.builds(
    ArticleRef,
    rubric=st.sampled_from(["economics", "politics", "x_y-1"]),
    slug=st.sampled_from(["", "krutoi", "a.b-c"]),
    article_id=st.integers(0, 10**9),
    article_year=st.integers(1900, 2099),
    origin=st.just(DEU_BELTA.origin),
) | st.sampled_from(list(DEU_BELTA.item_sections.items())).flatmap(
    lambda section: st.builds(
        ArticleRef,
        rubric=st.just(section[0]),
        slug=st.sampled_from(["", "81-jahrestag", "a.b-2024"]),
        article_id=st.integers(0, 10**9),
        article_year=st.none(),
        origin=st.just(DEU_BELTA.origin),
        kind=st.just(section[1]),
    )
)
OPTIONAL_TEXT = st.none() | TEXT
FETCHED_AT = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, MINSK]),
)
ENTRIES = st.none() | st.builds(
    ListingEntry,
    ref=REFS,
    title=OPTIONAL_TEXT,
    lead=OPTIONAL_TEXT,
    rubric_label=OPTIONAL_TEXT,
    listed_at=st.none()
    | st.datetimes(datetime(2000, 1, 1), datetime(2030, 12, 31), timezones=st.just(MINSK)),
)

# --- checks ---------------------------------------------------------------------------------


def assert_minsk_iso(value: object) -> None:
    """ISO 8601 with seconds and Minsk's offset: +03:00 since 2011, history before."""
    assert isinstance(value, str) and "T" in value
    parsed = datetime.fromisoformat(value)
    assert parsed.isoformat(timespec="seconds") == value
    assert parsed.utcoffset() == MINSK.utcoffset(parsed.replace(tzinfo=None))
    if parsed >= FIXED_OFFSET_SINCE:
        assert value.endswith("+03:00"), value


def assert_ref(ref: ArticleRef) -> None:
    assert type(ref.article_id) is int
    assert isinstance(ref.rubric, str) and isinstance(ref.slug, str)
    if ref.kind.has_year:
        assert type(ref.article_year) is int
        assert ref.key == f"{ref.article_id}-{ref.article_year}"
    else:  # never an article's key: no digit starts it
        assert ref.article_year is None and not ref.key[0].isdigit()
        assert ref.key == f"{ref.rubric}-{ref.article_id}"
    assert CANONICAL_URL.match(ref.url), ref.url
    assert parse_article_url(ref.url) == ref  # the canonical URL is a fixed point


def assert_typed(article: Article) -> None:
    """Every field has the type items.py documents (no bool for an int, no int for a str)."""
    for item_field in fields(Article):
        value, hint = getattr(article, item_field.name), HINTS[item_field.name]
        if hint == list[str]:
            assert type(value) is list and all(type(v) is str for v in value), item_field.name
        elif item_field.name == "images":
            assert type(value) is list, value
            for image in value:
                assert set(image) == {"url", "caption"} and type(image["url"]) is str, image
                assert image["caption"] is None or type(image["caption"]) is str, image
        else:
            assert type(value) in typing.get_args(hint), (item_field.name, value)


def assert_safe_html(markup: str) -> None:
    """Nothing executable: no script/iframe/…, no ``on*``/``style``, no javascript: URLs."""
    lowered = markup.lower()
    assert "<script" not in lowered and "<iframe" not in lowered
    if not markup.strip():
        return
    root = lxml.html.document_fromstring(f"<html><body>{markup}</body></html>", parser=PARSER)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag.lower() not in UNSAFE_TAGS, element.tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            assert name.lower() not in {"style", "srcdoc", "formaction"}, name
            # Browsers ignore control characters and spaces in a URL's scheme.
            scheme = re.sub(r"[\x00-\x20]", "", value).lower()
            assert not scheme.startswith(UNSAFE_SCHEMES), (name, value)


def assert_raw(raw: RawArticle) -> None:
    for name in ("title", "rubric_label", "published_raw", "published_meta"):
        assert isinstance(getattr(raw, name), str | None), name
    assert all(type(p) is str and p.strip() == p and p for p in raw.paragraphs)
    assert all(type(tag) is str and tag for tag in raw.tags)
    assert all(type(name) is str for name in raw.missing)
    if raw.body_html is not None:
        assert_safe_html(raw.body_html)


def assert_article(article: Article, ref: ArticleRef) -> None:
    assert_typed(article)
    assert article.url == ref.url and CANONICAL_URL.match(article.url)
    assert article.key == ref.key and article.kind == ref.kind.value
    assert (article.article_id, article.article_year) == (ref.article_id, ref.article_year)
    assert (article.rubric, article.language) == (ref.rubric, "de")
    if article.published_at is not None:
        assert_minsk_iso(article.published_at)
    if article.dateline_date is not None:
        date.fromisoformat(article.dateline_date)
        assert article.dateline_raw and article.published_at
    if article.body_html is not None:
        assert_safe_html(article.body_html)
    assert re.fullmatch(r"[0-9a-f]{64}", article.content_hash or "")
    assert article.tags == list(dict.fromkeys(article.tags)) and all(article.tags)
    if article.image_url is not None:
        assert article.image_url.startswith(("http://", "https://", "//")), article.image_url


def assert_listing(page: ListingPage) -> None:
    assert isinstance(page, ListingPage)
    assert isinstance(page.next_url, str | None)
    assert all(type(name) is str for name in page.missing)
    for entry in page.entries:
        assert_ref(entry.ref)
        assert entry.key == entry.ref.key
        for value in (entry.title, entry.lead, entry.rubric_label):
            assert value is None or (type(value) is str and value and value.strip() == value)
        if entry.listed_at is not None:
            assert_minsk_iso(to_iso(entry.listed_at))


# --- dates, datelines, URLs -----------------------------------------------------------------


@MANY
@given(DATE_TEXTS)
def test_parse_datetime(text: str) -> None:
    parsed = parse_datetime(text)
    if parsed is not None:
        assert type(parsed) is datetime and parsed.tzinfo is not None
        assert_minsk_iso(parsed.isoformat(timespec="seconds"))


@FEW
@given(
    st.tuples(st.text(min_size=1, max_size=30), st.integers(100, 2000)).map(lambda p: p[0] * p[1]),
    st.sampled_from(["", " 2024 10:00", "2024, 9:38", "28 Oktober 2022, 09:38"]),
)
def test_parse_datetime_on_long_text_is_quick(text: str, date_text: str) -> None:
    started = time.perf_counter()
    parsed = parse_datetime(text + date_text)
    assert time.perf_counter() - started < 0.5
    if parsed is not None:
        assert_minsk_iso(parsed.isoformat(timespec="seconds"))


@MANY
@given(
    st.one_of(numbers(0, 99), TEXT),
    st.one_of(st.tuples(numbers(0, 99), numbers(0, 9999)).map(lambda p: f".{p[0]}.{p[1]}"), TEXT),
    st.one_of(st.tuples(numbers(0, 99), numbers(0, 99)).map(":".join), TEXT),
)
def test_listing_datetime(day: str, month_year: str, time: str) -> None:
    parsed = listing_datetime(day, month_year, time)
    if parsed is not None:
        assert type(parsed) is datetime
        assert_minsk_iso(parsed.isoformat(timespec="seconds"))
        assert parsed.year >= 2000


@MANY
@given(st.integers(-5, 40), st.integers(-1, 14), st.dates())
def test_infer_dateline_date(day: int, month: int, published: date) -> None:
    found = infer_dateline_date(day, month, published)
    if found is not None:
        assert type(found) is date
        assert (found.month, found.day) == (month, day)
        assert abs(found.year - published.year) <= 1
        # Never farther than the same day in the publication's own year.
        if 1 < published.year < 9999:
            try:
                same_year = date(published.year, month, day)
            except ValueError:
                return
            assert abs(found - published) <= abs(same_year - published)


@MANY
@given(DATELINES)
def test_find_dateline(text: str) -> None:
    dateline = find_dateline(text)
    if dateline is None:
        return
    assert 1 <= dateline.day <= 31 and 1 <= dateline.month <= 12
    assert type(dateline.day) is int and type(dateline.month) is int
    assert dateline.place and dateline.place == dateline.place.strip()
    assert dateline.raw.startswith(dateline.place)
    assert all(type(v) is str for v in (dateline.raw, dateline.prefix, dateline.rest))
    assert dateline.rest == dateline.rest.strip() and dateline.rest in text


@MANY
@given(URLS, BASE_HOSTS)
@example("https://deu.belta.by/economics/view/x-٢-2024/", "")  # other digits: another key
@example("https://deu.belta.by/economics/view/x-" + "9" * 5000 + "-2024/", "")  # int() limit
@example("http://[::1/economics/view/x-1-2024/", "")  # urlsplit: "Invalid IPv6 URL"
@example("https://[::1]/economics/view/x-1-2024/", "")
def test_parse_article_url(url: str, base_host: str) -> None:
    ref = parse_article_url(url, base_host)
    if ref is not None:
        assert_ref(ref)
        assert ref.article_year is None or 1900 <= ref.article_year <= 2099
        # The same digits: never another article's key.
        assert (ref.key if ref.kind.has_year else f"-{ref.article_id}") in url


# --- pages ----------------------------------------------------------------------------------


@MANY
@given(ANY_PAGE, REFS, FETCHED_AT, ENTRIES)
def test_article_pages(
    page: tuple[str, str], other: ArticleRef, fetched_at: datetime, entry: ListingEntry | None
) -> None:
    url, html = page
    ref = parse_article_url(url) or other  # a listing page, fetched as an article
    raw = parse_article(Selector(text=html))
    assert_raw(raw)
    article = load_article(raw, ref, "http://127.0.0.1:8000/x/", fetched_at, entry)
    assert_article(article, ref)
    assert article.fetched_at == fetched_at.astimezone(UTC).isoformat(timespec="seconds")


@MANY
@given(ANY_PAGE, BASE_HOSTS)
def test_listing_pages(page: tuple[str, str], base_host: str) -> None:
    url, html = page
    assert_listing(parse_listing(Selector(text=html), url, base_host))


@settings(max_examples=30)
@given(
    st.sampled_from(ARTICLE_PAGES + LISTING_PAGES),
    st.sampled_from(["js-mediator-article", "inner_content", "lenta_item", "new_date"]),
    st.sampled_from([1100, 2000, 3000]) | st.integers(1, 3000),
)
def test_deeply_nested_pages(page: tuple[str, str], name: str, depth: int) -> None:
    """Nesting beyond Python's recursion limit (the HTML parser allows ~2000 levels)."""
    url, html = page
    root = lxml.html.document_fromstring(html, parser=PARSER)
    for element in root.find_class(name)[:3]:
        _nest(element, depth)
    html = lxml.html.tostring(root, encoding="unicode")
    ref = parse_article_url(url) or ArticleRef("economics", "", 1, 2024, DEU_BELTA.origin)
    raw = parse_article(Selector(text=html))
    assert_raw(raw)
    assert_article(load_article(raw, ref, url, datetime.now(UTC)), ref)
    assert_listing(parse_listing(Selector(text=html), url))


@MANY
@given(st.lists(st.one_of(st.sampled_from(SNIPPETS), TEXT), max_size=12).map("".join))
@example("a<script></script>\x0b b")  # lxml refused the joined text in drop_tree()
@example("<scr<script>ipt>alert(1)</script>")  # a tag named "scr<script"
@example('<math><a xlink:href="java&#x09;script:alert(1)">m</a></math>')
@example('<meta http-equiv="refresh" content="0;url=javascript:alert(1)">')
@example("&lt;script&gt;alert(1)&lt;/script&gt;<p>x</p>")  # the container's own text
def test_clean_html_and_text_blocks_of_a_fragment(markup: str) -> None:
    container = lxml.html.document_fromstring(
        f'<html><body><div class="js-mediator-article">{markup}</div></body></html>',
        parser=PARSER,
    ).find(".//div")
    if container is None:  # the fragment closed the container before it opened
        return
    cleaned = clean_html(container, DEU_BELTA)
    assert type(cleaned) is str
    assert_safe_html(cleaned)
    blocks = text_blocks(container, DEU_BELTA)
    assert all(type(b) is str and b and b.strip() == b for b in blocks)


def test_replica_pages_parse_cleanly_before_mutation() -> None:
    """The baseline of the mutations above: every unmutated page yields a full record."""
    for url, html in ARTICLE_PAGES:
        ref = parse_article_url(url)
        assert ref is not None
        article = load_article(parse_article(Selector(text=html)), ref, url, datetime.now(UTC))
        assert_article(article, ref)
        assert article.title and article.published_at
        assert article.body or not ref.kind.text_expected, url
    for url, html in LISTING_PAGES:
        page = parse_listing(Selector(text=html), url)
        assert_listing(page)
        assert page.entries and not page.missing


_SPACY = st.sampled_from("ab \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2000\u200b\u2028\u3000\ufeffß")


@given(st.one_of(st.text(), st.text(alphabet=_SPACY)))
def test_normalise_space_collapses_exactly_regex_whitespace(text: str):
    assert normalise_space(text) == re.sub(r"\s+", " ", text).strip()
