"""Bytes and markup hostile to the stored text, one unit at a time — decoding
(responses.py), the article parser's sanitising, and the loader (the crawls are in
tests/test_hostile_pages.py)."""

from __future__ import annotations

import logging
import unicodedata
from datetime import UTC, datetime

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from beltacrawl import responses
from beltacrawl.loaders import image_list, load_article
from beltacrawl.parsing.article import parse_article
from beltacrawl.responses import Decoding, decoded, unusable, with_repaired_encoding
from beltacrawl.site.text import garbled
from beltacrawl.site.urls import parse_article_url
from beltacrawl.spiders.belta import BeltaSpider

URL = "https://deu.belta.by/economics/view/praesident-in-groesse-66060-2024/"
TEXT = "Präsident in Größe – „Grüße“ aus Minsk"


def page(paragraph: str = TEXT, *, title: str = TEXT, body_extra: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8"><title>T</title></head>'
        f'<body><div class="content_margin"><h1>{title}</h1>'
        '<div class="date_full">28 Oktober 2024, 09:38</div>'
        f'<div class="js-mediator-article">{body_extra}<p>MINSK, 28. Oktober (BelTA) - '
        f"{paragraph}</p><p>Zweiter Absatz.</p></div></div>"
        '<a href="https://www.belta.by/">Русский</a></body></html>\n'
    )


def response(body: bytes, charset: str | None = "utf-8") -> HtmlResponse:
    content_type = "text/html" + (f"; charset={charset}" if charset else "")
    return HtmlResponse(URL, body=body, headers={"Content-Type": content_type})


def controls(value: object) -> list[str]:
    """The control characters (Unicode category Cc) but newline in a text, or in the texts
    of a list, whatever the code under test counts as one."""
    texts = value if isinstance(value, list) else [value]
    return [
        char
        for text in texts
        if isinstance(text, str)
        for char in text
        if unicodedata.category(char) == "Cc" and char != "\n"
    ]


class Counted:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def inc_value(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1


# --- decoding ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "iso8859_15"])
def test_a_page_in_another_encoding_is_detected(encoding: str) -> None:
    body = page().replace("„", "&bdquo;").replace("“", "&ldquo;").replace("–", "-")
    encoded = body.encode(encoding, errors="xmlcharrefreplace")
    repaired, how = with_repaired_encoding(response(encoded))
    assert how is Decoding.DETECTED
    assert "Präsident in Größe - &bdquo;Grüße&ldquo; aus Minsk" in repaired.text
    assert not garbled(repaired.text)


def test_a_windows_1252_page_is_not_read_as_windows_1251() -> None:
    """Almost any byte string decodes as windows-1251: validity alone does not choose."""
    body = page().encode("cp1252", errors="xmlcharrefreplace")
    repaired, _ = with_repaired_encoding(response(body))
    assert repaired.encoding != "cp1251"
    assert "Prдsident" not in repaired.text and TEXT in repaired.text


def test_accented_letters_of_a_windows_1252_page_survive_detection() -> None:
    """German umlauts are the same bytes in windows-1250: the French letters and the
    typography tell, and they must come out as written."""
    text = "Macron à Paris … Café Crème aus Genève, „Œuvre“ und cœur"
    body = page(text, title=text).encode("cp1252", errors="xmlcharrefreplace")
    repaired, how = with_repaired_encoding(response(body))
    assert how is Decoding.DETECTED
    assert repaired.encoding == "cp1252"
    assert f"(BelTA) - {text}</p>" in repaired.text
    assert not garbled(repaired.text)


@pytest.mark.parametrize("bad", [b"\xff", b"\xed\xa0\x80", b"\xc3"])
def test_a_few_bad_bytes_keep_a_utf8_page_utf8(bad: bytes) -> None:
    body = page().encode().replace(b"</body>", b"<!-- " + bad + b" --></body>")
    stats = Counted()
    repaired = decoded(response(body), stats, logging.getLogger("test"))  # type: ignore[arg-type]
    assert stats.counts == {"belta/response/charset_bad_bytes": 1}
    assert repaired.encoding == "utf-8"
    assert TEXT in repaired.text and "Русский" in repaired.text
    assert repaired.text.count("\ufffd") == len(bad)


def test_no_fitting_encoding_leaves_replacement_characters_and_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(responses, "detect_encoding", lambda body: None)
    body = page().encode("cp1252", errors="xmlcharrefreplace")
    stats = Counted()
    repaired = decoded(response(body), stats, logging.getLogger("test"))  # type: ignore[arg-type]
    assert stats.counts == {"belta/response/charset_unknown": 1}
    assert "no other encoding fits" in caplog.text
    assert garbled(repaired.text)  # the record will be flagged


def test_a_valid_page_is_left_alone() -> None:
    original = response(page().encode())
    assert with_repaired_encoding(original) == (original, Decoding.AS_DECLARED)


def test_a_utf16_page_is_whole() -> None:
    body = page().replace('charset="utf-8"', 'charset="utf-16"').encode("utf-16")
    assert b"</html" not in body
    assert unusable(response(body, "utf-16")) is None
    assert unusable(response(body[: len(body) // 2], "utf-16")) == "truncated"


# --- parsing and loading -------------------------------------------------------------------


def record(html: str):
    raw = parse_article(Selector(text=html))
    return load_article(raw, parse_article_url(URL), URL, datetime(2024, 10, 28, tzinfo=UTC))


HOSTILE = (
    '<html:script>alert("x")</html:script>'
    '<applet code="Evil.class"><param name="a" value="b">applet fallback</applet>'
    '<frameset><frame src="javascript:alert(1)"></frameset>'
    '<p onclick="steal()" style="color:red">Erster <a href="javascript:alert(1)">Link</a>'
    ' <a href="https://deu.belta.by/x/" onmouseover="x()">gut</a>'
    ' <svg onload="x()"></svg>'
    '<img src="x" onerror="x()"><iframe srcdoc="<script>x()</script>"></iframe>'
    '<math><mi xlink:href="javascript:alert(1)">m</mi></math>'
    "<noscript><p>kein Skript</p></noscript><strong>fett</strong></p>"
)


def test_body_html_keeps_only_allow_listed_markup() -> None:
    article = record(page(body_extra=HOSTILE))
    html = article.body_html or ""
    traces = "script applet frame param onclick onmouseover style svg img iframe srcdoc"
    for trace in [*traces.split(), "javascript", "noscript", "fallback"]:
        assert trace not in html.lower(), (trace, html)
    assert '<a href="https://deu.belta.by/x/">gut</a>' in html  # no rel added, link kept
    assert "<strong>fett</strong>" in html
    assert "alert" not in (article.body or "") and "applet fallback" not in (article.body or "")


def test_titles_never_carry_script_text() -> None:
    title = "Präsident <script>document.title='x'</script>in <html:script>y()</html:script>Minsk"
    assert record(page(title=title)).title == "Präsident in Minsk"


def test_the_loader_removes_control_characters_from_every_field() -> None:
    dirty = "Prä\x1b]0;x\x07sident\x9b in\x00 Größe\x7f"
    article = record(page(paragraph=dirty, title=dirty))
    assert article.title == "Prä]0;xsident in Größe"
    assert article.body is not None
    assert article.body.startswith("Prä]0;xsident in Größe")  # after the dateline
    assert "\n\n" in article.body  # paragraphs still apart
    for name in ("title", "body", "body_html"):
        assert not controls(getattr(article, name)), name


def test_images_are_cleaned_like_every_other_field() -> None:
    found = [
        ("data:image/gif;base64,R0lGODlhAQABAAAAACw=", "Pixel"),
        ("javascript:alert(1)", "Skript"),
        (" /images/b c\t.jpg ", "Prä\x1b]0;x\x07sident\x9b in\x00 Größe"),
        ("/images/b%20c.jpg", "zweite Beschriftung"),
    ]
    assert image_list(found, "") == [
        {"url": "https://deu.belta.by/images/b%20c.jpg", "caption": "Prä]0;xsident in Größe"}
    ]


def test_a_garbled_image_caption_flags_the_record() -> None:
    crawler = get_crawler(BeltaSpider, {"BELTA_ARCHIVE": ""})
    spider = BeltaSpider.from_crawler(crawler)
    misread = "Grüße aus Minsk".encode().decode("cp1252")
    html = page().replace("<p>Zweiter", f'<img src="/images/a.jpg" alt="{misread}"><p>Zweiter')
    answer = HtmlResponse(URL, body=html.encode(), encoding="utf-8", request=Request(URL))
    (article,) = spider.parse_article(answer)
    assert article.images == [{"url": "https://deu.belta.by/images/a.jpg", "caption": misread}]
    assert not any(map(garbled, (article.title, article.body, article.image_caption)))
    assert crawler.stats is not None
    assert crawler.stats.get_value("belta/article/garbled_text") == 1
