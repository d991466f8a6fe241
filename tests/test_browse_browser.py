"""``scrapy archive serve`` in a real browser: headless Debian Chromium through Playwright.

An analyst's first minute on an archive of the replica: search "Kasachstan", open an
article, narrow by a facet, read snippets and a changed text, see the charts drawn. The
browser starts with a fresh profile and without its background traffic; every request the
pages make is checked to stay on 127.0.0.1. Screenshots go to a temporary folder, or to
``$BROWSE_SCREENSHOTS`` (``BROWSE_SCREENSHOTS=docs/img`` refreshes the documentation's).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browsing import replica_archive, serving

pytest.importorskip("datasette_dashboards", reason="needs the browse extra")
playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)",
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp("browse")
    archive, *_ = replica_archive(workdir)
    with serving(archive, workdir) as base_url:
        yield base_url, busiest_weeks(archive)


def busiest_weeks(archive: Path) -> str:
    """``since=…&until=…``: the replica's generated articles (its samples lie years apart)."""
    with contextlib.closing(sqlite3.connect(f"file:{archive}?mode=ro", uri=True)) as conn:
        (day,) = conn.execute(
            "SELECT substr(published_at, 1, 10) AS day FROM articles"
            " GROUP BY day ORDER BY count(*) DESC, day LIMIT 1"
        ).fetchone()
    middle = date.fromisoformat(day)
    return f"since={middle - timedelta(days=10)}&until={middle + timedelta(days=10)}"


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = os.environ.get("BROWSE_SCREENSHOTS")
    folder = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_an_analyst_searches_opens_narrows_and_sees_the_charts(
    served: tuple[str, str], shots: Path
) -> None:
    served, window = served
    outside: list[str] = []

    def only_local(route, request) -> None:
        if urlsplit(request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(request.url)
            route.abort()

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", only_local)
            page.set_default_timeout(20_000)

            page.goto(f"{served}/archive/articles")
            assert page.locator("li.article-card").count() == 25
            page.fill("input#_search", "Kasachstan")
            page.press("input#_search", "Enter")
            page.wait_for_url(re.compile(r"_search=Kasachstan"))
            found = page.locator("li.article-card")
            assert found.count() > 0
            assert "where search matches" in page.inner_text("h3")
            page.screenshot(path=shots / "archive-search.png")

            title = found.first.locator("h3 a").inner_text()
            tags = found.first.locator(".tag").all_inner_texts()
            found.first.locator("h3 a").click()
            page.wait_for_selector("article.article-page")
            assert page.inner_text("article.article-page h1") == title
            assert tags and page.locator("article.article-page .tag").all_inner_texts() == tags
            assert "Kasachstan" in page.inner_text("article.article-page")
            page.screenshot(path=shots / "archive-article.png", full_page=True)

            page.go_back()
            facet = page.locator("#facet-rubric li a").first
            rubric = facet.inner_text()
            facet.click()
            page.wait_for_url(re.compile(rf"rubric={rubric}"))
            assert "_search=Kasachstan" in page.url
            narrowed = page.locator("li.article-card").count()
            assert 0 < narrowed <= found.count()
            page.screenshot(
                path=shots / "archive-facet.png",
                full_page=True,
                clip={"x": 0, "y": 0, "width": 1280, "height": 1400},
            )

            page.goto(f"{served}/archive/search?words=Kasachstan")
            assert page.locator("td.col-snippet mark").count() > 0
            assert page.locator("td.col-title a").count() > 0
            page.screenshot(path=shots / "archive-snippets.png")

            page.goto(f"{served}/archive/changed_articles")
            assert page.locator("td.col-body_after ins").count() > 0
            page.screenshot(path=shots / "archive-versions.png")

            page.goto(f"{served}/-/dashboards/articles?{window}")
            for chart in ("per_day", "per_rubric", "runs"):
                page.locator(f"#chart-{chart} svg .mark-rect path").first.wait_for()
            page.screenshot(path=shots / "archive-charts.png", full_page=True)
            # 21 days of up to 6 rubrics; 6 rubrics; two runs with new and updated articles.
            assert page.locator("#chart-per_day svg .mark-rect path").count() > 21
            assert page.locator("#chart-per_rubric svg .mark-rect path").count() >= 5
            assert page.locator("#chart-runs svg .mark-rect path").count() >= 2
        finally:
            browser.close()
    assert outside == []
