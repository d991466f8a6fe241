"""The replica of deu.belta.by (tests/sitesim): pages, truth records and time moving."""

from __future__ import annotations

import html
import http.client
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime
from html.parser import HTMLParser

import pytest

from tests.sitesim import VARIANTS, FaultPlan, ReplicaServer, SiteModel
from tests.sitesim.article import RUBRICS
from tests.sitesim.samples import SAMPLES

MakeReplica = Callable[..., ReplicaServer]

_KEY = re.compile(r"-(\d+)-(\d{4})/?$")
_LISTING_TOKEN = re.compile(
    r'class="day">(?P<day>\d\d)</div><div class="month_year"><span>\.</span>'
    r"(?P<month>\d\d)\.(?P<year>\d\d)<"
    r'|class="date">(?P<time>\d\d:\d\d) '
    r'|<a href="(?P<href>[^"]*/view/[^"]*)"'
)
_LOAD_MORE = re.compile(r"get_page\('([^']+)','inner','1'\)")
_P_NEXT = re.compile(r'<a class="p_next" href="([^"]+)"')
_DATELINE = re.compile(r"^[A-ZÄÖÜ][A-ZÄÖÜ. ]*[,;] \d{1,2}\. \w+ \(BelTA\) [-–—]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def fetch(server: ReplicaServer, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(server.url(path)) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def key_of(href: str) -> str:
    match = _KEY.search(href)
    assert match, href
    return f"{match[1]}-{match[2]}"


def parse_listing(page: str) -> list[tuple[str, datetime]]:
    """``(key, published_at)`` of each entry, the day from the day group above it."""
    entries, day, clock = [], None, None
    for token in _LISTING_TOKEN.finditer(page):
        if token["day"]:
            day = (2000 + int(token["year"]), int(token["month"]), int(token["day"]))
        elif token["time"]:
            clock = token["time"]
        else:
            assert day and clock, "an entry before its day group or time"
            hour, minute = map(int, clock.split(":"))
            entries.append((key_of(token["href"]), datetime(*day, hour, minute)))
    return entries


def next_page(page: str) -> str | None:
    link = _LOAD_MORE.search(page) or _P_NEXT.search(page)
    return html.unescape(link[1]) if link else None


def crawl_listing(server: ReplicaServer, start: str) -> tuple[list[str], int]:
    """Follow the next-page links from ``start``: all keys in order, and the page count."""
    keys, pages, path = [], 0, start
    while path:
        status, page = fetch(server, path)
        assert status == 200, path
        keys += [key for key, _ in parse_listing(page)]
        pages += 1
        path = next_page(page)
    return keys, pages


class _BodyReader(HTMLParser):
    """Text blocks of ``div.js-mediator-article`` and every image's alt on the page."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self.alts: set[str] = set()
        self._parts: list[str] = []
        self._depth = 0  # open divs/ps inside the body, the body's own div included
        self._skip = 0  # open divs inside div.video_add

    def _flush(self) -> None:
        if self._depth and not self._skip:
            self.blocks.append("".join(self._parts))
        self._parts = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "img":
            self.alts.add(attributes.get("alt") or "")
        elif tag == "br":
            self._flush()
        elif tag in ("div", "p") and (self._depth or "js-mediator-article" in str(attrs)):
            self._flush()
            self._depth += 1
            if self._skip or attributes.get("class") == "video_add":
                self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("div", "p") and self._depth:
            self._flush()
            self._depth -= 1
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if self._depth and not self._skip:
            self._parts.append(data)


def body_from_page(page: str) -> tuple[str, str | None]:
    """The body and dateline as the truth defines them, read naively from the markup."""
    reader = _BodyReader()
    reader.feed(page)
    blocks = []
    for block in (" ".join(b.replace("\xa0", " ").split()) for b in reader.blocks):
        if (
            not block
            or block in reader.alts
            or block.startswith(("Foto:", "Foto von"))
            or _CYRILLIC.search(block)
            or block == "-0-"
        ):
            continue
        if not blocks or blocks[-1] != block:
            blocks.append(block)
    dateline = _DATELINE.match(blocks[0])
    if dateline:
        blocks[0] = blocks[0][dateline.end() :].strip()
    return "\n\n".join(blocks), dateline[0] if dateline else None


# --- listings -----------------------------------------------------------------------------


def test_all_news_paginates_through_every_article_exactly_once(replica: ReplicaServer) -> None:
    model = replica.model
    keys, pages = crawl_listing(replica, "/all_news/")
    assert keys == model.keys()
    assert len(set(keys)) == len(model) == 300 + len(SAMPLES)
    assert pages == -(-len(model) // model.page_size)


def test_listing_times_and_day_groups_match_the_truth(replica: ReplicaServer) -> None:
    for page in (1, 7, 20):
        status, text = fetch(replica, f"/all_news/page/{page}/")
        assert status == 200
        for key, moment in parse_listing(text):
            expected = replica.model.expected_record(key)["published_at"]
            assert moment.isoformat() + "+03:00" == expected


def test_next_page_link_is_the_sites_load_more_call(replica: ReplicaServer) -> None:
    _, page = fetch(replica, "/all_news/page/4/")
    assert re.search(
        r"""onclick="return get_page\('/all_news/page/5/\?day=\d\d&amp;month=\d\d&amp;"""
        r"""year=\d\d/','inner','1'\);\"""",
        page,
    )


def test_next_link_can_be_a_p_next_anchor(make_replica: MakeReplica) -> None:
    server = make_replica(articles=60, next_link="p_next", samples=False)
    _, page = fetch(server, "/all_news/")
    assert "load_more" not in page
    assert next_page(page).startswith("/all_news/page/2/?day=")
    assert crawl_listing(server, "/all_news/")[0] == server.model.keys()


def test_rubric_listings_split_the_archive(replica: ReplicaServer) -> None:
    seen: list[str] = []
    for rubric in RUBRICS:
        keys, _ = crawl_listing(replica, f"/{rubric}/")
        assert keys == replica.model.keys(rubric)
        assert {replica.model.article(key).rubric for key in keys} == {rubric}
        seen += keys
    assert sorted(seen) == sorted(replica.model.keys())


def test_rubric_pagination_can_repeat_page_one(make_replica: MakeReplica) -> None:
    server = make_replica(rubric_pagination_repeats=True)
    first = parse_listing(fetch(server, "/economics/")[1])
    assert parse_listing(fetch(server, "/economics/page/5/")[1]) == first
    assert next_page(fetch(server, "/economics/page/5/")[1]).startswith("/economics/page/6/")


def test_page_beyond_the_end_is_empty(replica: ReplicaServer) -> None:
    status, page = fetch(replica, "/all_news/page/999/")
    assert status == 200
    assert re.search(r'<div id="inner">\s*</div>', page)
    assert next_page(page) is None


def test_last_page_has_no_next_link(replica: ReplicaServer) -> None:
    last = -(-len(replica.model) // replica.model.page_size)
    _, page = fetch(replica, f"/all_news/page/{last}/")
    assert parse_listing(page) and next_page(page) is None


def test_query_parameters_are_ignored(replica: ReplicaServer) -> None:
    plain = fetch(replica, "/all_news/page/3/")
    assert fetch(replica, "/all_news/page/3/?day=01&month=01&year=20/") == plain
    assert fetch(replica, "/all_news/") == fetch(replica, "/all_news/?day=05&month=12&year=23")


def test_ids_restart_lower_in_the_new_year(replica: ReplicaServer) -> None:
    keys, _ = crawl_listing(replica, "/all_news/")
    generated = [k for k in keys if "sample" not in replica.model.article(k).variants]
    ids = {
        year: [int(k.split("-")[0]) for k in generated if k.endswith(year)]
        for year in ("2023", "2024")
    }
    assert min(ids["2024"]) < max(ids["2023"])
    newest_2023 = next(k for k in generated if k.endswith("-2023"))
    assert keys.index(f"{max(ids['2023'])}-2023") > keys.index(f"{min(ids['2024'])}-2024")
    assert int(newest_2023.split("-")[0]) > min(ids["2024"])
    assert len(set(keys)) == len(keys)


def test_listing_links_vary_in_form(replica: ReplicaServer) -> None:
    hrefs = []
    path: str | None = "/all_news/"
    while path:
        page = fetch(replica, path)[1]
        hrefs += [m["href"] for m in _LISTING_TOKEN.finditer(page) if m["href"]]
        path = next_page(page)
    assert any(h.startswith("http://deu.belta.by/") for h in hrefs)
    assert any(h.startswith("https://m.deu.belta.by/") for h in hrefs)
    assert any(h.startswith("/") and not h.endswith("/") for h in hrefs)
    assert sum(h.startswith("/") and h.endswith("/") for h in hrefs) > len(hrefs) // 2


# --- articles -----------------------------------------------------------------------------


def test_every_variant_occurs_several_times() -> None:
    model = SiteModel(items=9)
    articles = [model.article(key) for key in model]
    counts = {name: sum(name in a.variants for a in articles) for name in VARIANTS}
    assert counts["sample"] == len(SAMPLES)
    assert counts["new_year"] >= 1
    assert {name for name, count in counts.items() if count < 3} <= {"new_year"}


def test_truth_body_and_dateline_follow_from_the_markup(replica: ReplicaServer) -> None:
    model = replica.model
    for key in model:
        record = model.expected_record(key)
        status, page = fetch(replica, record["url"])
        assert status == 200
        body, dateline = body_from_page(page)
        assert body == record["body"], key
        assert (dateline and " ".join(dateline.split())) == record["dateline_raw"], key
        assert record["is_incomplete"] == body.endswith("/Wird ergänzt/.")


def test_expected_record_has_exactly_the_agreed_fields(replica: ReplicaServer) -> None:
    record = replica.model.expected_record(replica.model.keys_with("dash_nospace")[0])
    assert list(record) == [
        "url", "key", "article_id", "article_year", "kind", "rubric", "rubric_label",
        "title", "published_at", "published_raw", "dateline_place", "dateline_date",
        "dateline_raw", "body", "lead", "tags", "image_url", "image_caption", "images",
        "language", "is_incomplete",
    ]  # fmt: skip
    assert re.fullmatch(r"https://deu\.belta\.by/\w+/view/[a-z0-9.-]+-\d+-\d{4}/", record["url"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00\+03:00", record["published_at"])
    assert re.fullmatch(r"\d\d \w+ \d{4}, \d\d:\d\d", record["published_raw"])
    assert record["dateline_raw"].endswith(("-", "–", "—"))
    assert record["language"] == "de"


def test_markup_variants_show_in_the_pages(replica: ReplicaServer) -> None:
    model = replica.model

    def page_of(variant: str) -> str:
        return fetch(replica, model.article(model.keys_with(variant)[0]).path)[1]

    assert re.search(r'<div class="date_full">\d\d&nbsp;', page_of("date_nbsp"))
    assert 'itemprop="articleBody"' in page_of("itemprop")
    assert "<h1>  " in page_of("h1_leading_space")
    assert '<div class="video_add"><iframe' in page_of("video_embed")
    assert ">X</a></div>" in page_of("footer_x")
    assert ">Twitter</a></div>" in page_of("footer_twitter")
    assert '<div class="main_img_desc">' in page_of("caption_twice")
    assert "<br>" in page_of("body_br").split("js-mediator-article")[1].split("</div>")[0]
    assert "(BelTA) -" not in page_of("no_dateline")
    plain = model.article(model.keys_with("body_p")[0])
    assert (
        'itemprop="articleBody"'
        not in fetch(
            replica,
            model.article(
                next(k for k in model if "itemprop" not in model.article(k).variants)
            ).path,
        )[1]
    )
    assert "<p>" in fetch(replica, plain.path)[1]


def test_new_year_dateline_belongs_to_the_previous_year(replica: ReplicaServer) -> None:
    record = replica.model.expected_record(replica.model.keys_with("new_year")[0])
    assert record["published_at"].startswith("2024-01-01T00:")
    assert record["dateline_date"] == "2023-12-31"
    assert "31. Dezember (BelTA)" in record["dateline_raw"]


def test_header_shows_the_fetch_date_not_the_publication_date(replica: ReplicaServer) -> None:
    record = replica.model.expected_record(replica.model.keys()[-20])
    page = fetch(replica, record["url"])[1]
    assert 'flag"> Montag, 10 November 2025</div>' in page
    assert record["published_raw"] in page.replace("&nbsp;", " ")


def test_articles_are_served_without_trailing_slash_and_in_absolute_form(
    replica: ReplicaServer,
) -> None:
    article = replica.model.article(replica.model.keys()[30])
    assert fetch(replica, article.path.rstrip("/"))[0] == 200
    connection = http.client.HTTPConnection("127.0.0.1", replica.port)
    connection.request("GET", "http://m.deu.belta.by" + article.path)
    response = connection.getresponse()
    assert response.status == 200
    assert article.url in response.read().decode()
    connection.close()


def test_samples_are_present_with_their_real_first_paragraph(replica: ReplicaServer) -> None:
    model = replica.model
    for sample in SAMPLES:
        key = key_of(sample.url)
        record = model.expected_record(key)
        assert (
            record["url"]
            == "https://deu.belta.by" + sample.url.split("belta.by")[1].rstrip("/") + "/"
        )
        assert record["title"] == sample.title and record["rubric_label"] == sample.rubric_label
        if sample.date_full:
            assert record["published_raw"] == sample.date_full
        status, page = fetch(replica, sample.url)
        assert status == 200
        assert html.escape(sample.first_paragraph.strip(), quote=False) in page
        body = record["body"].split("\n\n")
        assert body[0] in sample.first_paragraph and len(body) >= 3
    samples = model.keys_with("sample")
    times = [model.article(k).published_at for k in model]
    assert times == sorted(times, reverse=True)
    assert len(samples) == len(SAMPLES)


def test_robots_txt(replica: ReplicaServer) -> None:
    status, text = fetch(replica, "/robots.txt")
    assert status == 200
    assert text.splitlines() == [
        "User-agent: *",
        "Disallow: /printv",
        "Disallow: /*getResults*",
        "Disallow: /*extendedSearch*",
    ]


@pytest.mark.parametrize(
    "path",
    ["/", "/nope/", "/all_news/page/0/", "/culture/", "/printv/all_news/",
     "/search/getResults/?q=x", "/economics/view/wrong-slug-64301-2023/",
     "/economics/view/nothing-1-1999/"],
)  # fmt: skip
def test_unknown_paths_are_404(replica: ReplicaServer, path: str) -> None:
    assert fetch(replica, path)[0] == 404


def test_responses_are_utf8_html(replica: ReplicaServer) -> None:
    with urllib.request.urlopen(replica.url("/all_news/")) as response:
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"


# --- time moving --------------------------------------------------------------------------


def test_publish_pushes_items_down(replica: ReplicaServer) -> None:
    model = replica.model
    page1_before = [k for k, _ in parse_listing(fetch(replica, "/all_news/")[1])]
    new = model.publish(3)
    assert len(new) == 3 and model.keys()[:3] == new
    page1 = [k for k, _ in parse_listing(fetch(replica, "/all_news/")[1])]
    page2 = [k for k, _ in parse_listing(fetch(replica, "/all_news/page/2/")[1])]
    assert page1 == new + page1_before[:7]
    assert page2[:3] == page1_before[7:]
    assert fetch(replica, model.article(new[0]).path)[0] == 200
    assert datetime.fromisoformat(
        model.expected_record(new[-1])["published_at"]
    ) > datetime.fromisoformat(model.expected_record(page1_before[0])["published_at"])
    assert model.now > model.article(new[0]).published_at


def test_scheduled_publication_shifts_a_crawl_in_progress(replica: ReplicaServer) -> None:
    model = replica.model
    model.schedule_publish(model.requests_seen + 2, 5)
    keys, _ = crawl_listing(replica, "/all_news/")
    assert len(model) == 300 + len(SAMPLES) + 5
    assert len(keys) == len(set(keys)) + 5  # five items seen twice after the shift
    assert not set(model.keys()[:5]) & set(keys)


def test_update_text_changes_the_expected_body(replica: ReplicaServer) -> None:
    model = replica.model
    key = model.keys_with("incomplete")[0]
    before = model.expected_record(key)
    assert before["is_incomplete"] and before["body"].endswith("/Wird ergänzt/.")
    model.update_text(key)
    after = model.expected_record(key)
    assert not after["is_incomplete"]
    assert after["body"].startswith(before["body"].removesuffix("/Wird ergänzt/.").rstrip())
    assert len(after["body"]) > len(before["body"]) - len("/Wird ergänzt/.")
    page = fetch(replica, after["url"])[1]
    assert "Wird ergänzt" not in page
    assert body_from_page(page)[0] == after["body"]


def test_request_log(replica: ReplicaServer) -> None:
    fetch(replica, "/all_news/?day=1")
    fetch(replica, "/nope/")
    records = replica.requests
    assert [(r.method, r.path, r.status) for r in records] == [
        ("GET", "/all_news/?day=1", 200),
        ("GET", "/nope/", 404),
    ]
    assert records[0].user_agent.startswith("Python-urllib")
    replica.clear_requests()
    assert replica.requests == []


def test_fault_plan_answers_scripted_errors_then_recovers(replica: ReplicaServer) -> None:
    replica.faults = FaultPlan().add(503, times=2, match="/all_news/").add(429, retry_after=7)
    assert fetch(replica, "/robots.txt")[0] == 429
    assert fetch(replica, "/all_news/")[0] == 503
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(replica.url("/all_news/page/2/"))
    assert error.value.code == 503
    assert fetch(replica, "/all_news/")[0] == 200
    assert replica.faults.pending == 0
    assert [r.status for r in replica.requests] == [429, 503, 503, 200]
    replica.faults = FaultPlan().add(None, delay=0.3)
    started = time.perf_counter()
    assert fetch(replica, "/robots.txt")[0] == 200
    assert time.perf_counter() - started >= 0.3


def test_retry_after_header(replica: ReplicaServer) -> None:
    replica.faults = FaultPlan().add(429, retry_after=7)
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(replica.url("/all_news/"))
    assert error.value.code == 429
    assert error.value.headers["Retry-After"] == "7"


# --- scale and determinism ----------------------------------------------------------------


def test_a_100k_article_model_builds_quickly_and_serves_a_deep_page(
    make_replica: MakeReplica,
) -> None:
    started = time.perf_counter()
    server = make_replica(articles=100_000)
    assert time.perf_counter() - started < 5
    assert len(server.model) == 100_000 + len(SAMPLES)
    status, page = fetch(server, "/all_news/page/9000/")
    entries = parse_listing(page)
    assert status == 200 and len(entries) == 10
    assert fetch(server, server.model.article(entries[0][0]).path)[0] == 200
    assert len(set(server.model.keys())) == len(server.model)


def test_same_seed_same_pages(make_replica: MakeReplica) -> None:
    one, two, other = make_replica(), make_replica(), make_replica(seed=2)
    for path in ("/all_news/page/5/", "/economics/page/2/"):
        assert fetch(one, path) == fetch(two, path)
        assert fetch(one, path) != fetch(other, path)
    key = one.model.keys()[40]
    assert fetch(one, one.model.article(key).path) == fetch(two, two.model.article(key).path)
    assert one.model.expected_records() == two.model.expected_records()


def test_items_that_are_not_articles_show_their_quirks(make_replica) -> None:
    """Photo reports and infographics under URLs without a year, video records: all listed
    on all_news; an infographic shows INFOGRAFIK, its title twice, no subscribe block."""
    replica = make_replica(articles=40, items=3, samples=False)
    model = replica.model
    graphic = model.article(model.item_keys("infographic")[0])
    photos = model.article(model.item_keys("photo_report")[0])
    video = model.article(model.item_keys("video")[0])
    assert re.fullmatch(r"/infographica/view/[a-z0-9.-]+-219\d/", graphic.path)
    assert re.fullmatch(r"/photonews/view/[a-z0-9.-]+-319\d/", photos.path)
    status, page = fetch(replica, graphic.path)
    assert status == 200
    assert ">INFOGRAFIK</a>" in page and "Abonnieren" not in page
    column = page.split('class="content_margin"')[1].split('class="right_col"')[0]
    assert column.count(f">{graphic.title}<") == 2  # the h1 and again above the image
    status, page = fetch(replica, photos.path)
    assert status == 200 and "Abonnieren" in page
    assert all(photo.src in page for photo in photos.gallery)
    assert fetch(replica, video.path)[0] == 404  # never requested: not an article
    listed = "".join(fetch(replica, f"/all_news/page/{n}/")[1] for n in range(1, 6))
    for item in (graphic, photos, video):
        assert f'href="{item.path}"' in listed, item.path
