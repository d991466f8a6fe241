"""Dates: the fast path against dateparser on the site's formats, and who reaches dateparser.

``python -m bench.dates [--quick]``

1. Microseconds per call (best of several ``timeit`` repeats) of
   ``beltacrawl.site.dates.parse_datetime_fast``, ``parse_datetime`` (fast path, then
   dateparser only when it fails) and ``dateparser.parse`` (``languages=["de"]``, the
   settings beltacrawl gives it) on each documented format of docs/site.md; listing dates go
   through ``listing_datetime`` (dateparser gets them joined, ``28.09.25 22:00``).
2. The share of real-format inputs that reach dateparser at all: every article and
   listing page of a replica archive is parsed while ``parse_datetime_slow`` is counted.
   Target: none of the documented formats.
"""

from __future__ import annotations

import argparse
import json
import sys
import timeit
from functools import partial
from typing import Any

from parsel import Selector

import beltacrawl.site.dates as dates
from beltacrawl.loaders import load_article
from beltacrawl.parsing.article import parse_article
from beltacrawl.parsing.listing import parse_listing
from beltacrawl.site.urls import parse_article_url
from bench.common import REPO, header, table
from bench.extraction import FETCHED_AT
from tests.sitesim import SiteModel
from tests.sitesim.routes import route

#: (label, text) of the formats of docs/site.md.
FORMATS = [
    ("date_full", "28 Oktober 2022, 09:38"),
    ("date_full with &nbsp;", "02\xa0Juli 2024, 09:15"),
    ("old template", "25.09.2017 | 14:27"),
    ("article:published_time", "2022-10-28 09:38:00"),
]
LISTING = ("28", ".09.25", "22:00")


def per_call_us(function, number: int) -> float:
    return min(timeit.repeat(function, number=number, repeat=5)) / number * 1e6


def speed_rows(number: int) -> list[list[object]]:
    import dateparser

    settings = dates._DATEPARSER_SETTINGS

    def slow(text: str):
        return dateparser.parse(text, languages=["de"], settings=settings)

    slow("28 Oktober 2022, 09:38")  # load dateparser's language data outside the timing
    rows = []
    for label, text in FORMATS:
        fast = per_call_us(partial(dates.parse_datetime_fast, text), number)
        full = per_call_us(partial(dates.parse_datetime, text), number)
        reference = per_call_us(partial(slow, text), max(number // 20, 5))
        same = _same(dates.parse_datetime(text), slow(text))
        rows.append([label, repr(text), f"{fast:.1f}", f"{full:.1f}", f"{reference:.0f}", same])
    joined = f"{LISTING[0]}{LISTING[1]} {LISTING[2]}"
    fast = per_call_us(lambda: dates.listing_datetime(*LISTING), number)
    reference = per_call_us(lambda: slow(joined), max(number // 20, 5))
    same = _same(dates.listing_datetime(*LISTING), slow(joined))
    listing = " + ".join(map(repr, LISTING))
    rows.append(["listing", listing, f"{fast:.1f}", "–", f"{reference:.0f}", same])
    return rows


def _same(ours, theirs) -> str:
    if theirs is None:
        return "dateparser: None"
    return "yes" if ours == theirs else f"no (dateparser: {theirs.isoformat()})"


def _fixture_pages() -> list[tuple[str, str]]:
    """(url, html) of the stored real pages of tests/fixtures/articles."""
    pages = []
    for expected in sorted((REPO / "tests" / "fixtures" / "articles").glob("*.expected.json")):
        url = json.loads(expected.read_text(encoding="utf-8"))["url"]
        html = expected.with_name(expected.name.replace(".expected.json", ".html"))
        pages.append((url, html.read_text(encoding="utf-8")))
    return pages


def reach_rows(articles: int) -> list[list[object]]:
    """Calls of ``parse_datetime`` and of dateparser while pages are parsed: the real pages
    of tests/fixtures, then a replica archive's article and listing pages."""
    counts = {"parse_datetime": 0, "parse_datetime_slow": 0}
    original_fast, original_slow = dates.parse_datetime_fast, dates.parse_datetime_slow

    def fast(text: str, *profile: Any):
        counts["parse_datetime"] += 1
        return original_fast(text, *profile)

    def slow(text: str, *profile: Any):
        counts["parse_datetime_slow"] += 1
        return original_slow(text, *profile)

    def counted() -> tuple[int, int]:
        return counts["parse_datetime"], counts["parse_datetime_slow"]

    rows: list[list[object]] = []
    model = SiteModel(articles=articles)
    dates.parse_datetime_fast, dates.parse_datetime_slow = fast, slow
    try:
        fixtures = _fixture_pages()
        for url, html in fixtures:
            ref = parse_article_url(url)
            load_article(parse_article(Selector(text=html)), ref, url, FETCHED_AT)
        rows.append(["real pages (tests/fixtures)", len(fixtures), *counted()])
        for key in model:
            article = model.article(key)
            ref = parse_article_url(article.url)
            page = Selector(text=route(model, article.path).body.decode())
            load_article(parse_article(page), ref, article.url, FETCHED_AT)
        pages = -(-len(model) // model.page_size)
        for number in range(1, pages + 1):
            path = "/all_news/" if number == 1 else f"/all_news/page/{number}/"
            parse_listing(Selector(text=route(model, path).body.decode()), path)
    finally:
        dates.parse_datetime_fast, dates.parse_datetime_slow = original_fast, original_slow
    total, slow_calls = counted()
    rows.append(
        [
            f"+ replica: {len(model)} articles, {pages} listing pages",
            len(fixtures) + len(model) + pages,
            total,
            slow_calls,
        ]
    )
    for row in rows:
        row.append(f"{100 * row[3] / row[2]:.2f}%" if row[2] else "–")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dates", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer calls, 50 articles")
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args(argv)
    number, articles = (200, 50) if args.quick else (20000, args.articles)

    header("Dates: µs per call, fast path against dateparser")
    print(
        table(
            ["format", "input", "fast path µs", "parse_datetime µs", "dateparser µs", "same"],
            speed_rows(number),
        )
    )
    print("\nInputs that reach dateparser (counted cumulatively) while pages are parsed:\n")
    rows = reach_rows(articles)
    print(
        table(
            ["pages parsed", "pages", "parse_datetime calls", "reach dateparser", "share"],
            rows,
        )
    )
    verdict = "met" if rows[-1][3] == 0 else "MISSED"
    print(f"\nTarget: no documented format reaches dateparser: {verdict}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
