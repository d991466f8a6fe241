"""Browser rendering (beltacrawl/rendering.py): settings logic, and end to end against a
replica that fills its listings and article bodies by JavaScript (``scripted=True``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http.request import NO_CALLBACK
from scrapy.settings import Settings

from beltacrawl.rendering import (
    CHROMIUM_ARGS,
    PLAYWRIGHT_HANDLER,
    PLAYWRIGHT_MEMUSAGE,
    Rendering,
    RenderMiddleware,
)
from beltacrawl.spiders.belta import BeltaSpider
from tests.crawling import CrawlResult, run_crawl
from tests.sitesim import SiteModel
from tests.sitesim.routes import route
from tests.test_crawl import assert_matches_truth

CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)",
)
#: Small, so that the browser runs stay short: 30 generated articles and the 11 samples.
MODEL = {"articles": 30, "samples": True}


# --- settings logic ---------------------------------------------------------------------------


def configured(arguments: dict[str, str] | None = None, **settings: object) -> Crawler:
    """A crawler as ``scrapy crawl belta`` sets it up: project settings, ``-s`` settings,
    the spider with its arguments, then the add-ons."""
    project = Settings()
    project.setmodule("beltacrawl.settings", priority="project")
    project.setdict({"BELTA_ARCHIVE": "", **settings}, priority="cmdline")
    crawler = Crawler(BeltaSpider, project)
    crawler.spider = BeltaSpider.from_crawler(crawler, **(arguments or {}))
    Rendering.from_crawler(crawler).update_settings(crawler.settings)
    return crawler


def test_never_installs_no_browser_machinery():
    crawler = configured()
    assert crawler.spider.render_mode == "never"
    assert PLAYWRIGHT_HANDLER not in crawler.settings.getdict("DOWNLOAD_HANDLERS").values()
    assert PLAYWRIGHT_MEMUSAGE not in crawler.settings.getdict("EXTENSIONS")
    assert not crawler.settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    with pytest.raises(NotConfigured):
        RenderMiddleware.from_crawler(crawler)


@pytest.mark.parametrize("mode", ["always", "fallback"])
def test_browser_modes_install_playwright_with_the_local_chromium(mode):
    crawler = configured({"render": mode}, BELTA_CHROMIUM="/opt/chromium/chrome")
    assert crawler.spider.render_mode == mode
    handlers = crawler.settings.getdict("DOWNLOAD_HANDLERS")
    assert handlers["http"] == handlers["https"] == PLAYWRIGHT_HANDLER
    extensions = crawler.settings.getdict("EXTENSIONS")
    assert extensions[PLAYWRIGHT_MEMUSAGE] == 0
    assert extensions["scrapy.extensions.memusage.MemoryUsage"] is None
    assert crawler.settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS") == {
        "executable_path": "/opt/chromium/chrome",
        "headless": True,
        "args": list(CHROMIUM_ARGS),
    }
    assert crawler.settings.getint("PLAYWRIGHT_MAX_CONTEXTS") >= 1
    assert crawler.settings.getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT") >= 1
    assert crawler.settings.getfloat("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT") > 0
    assert crawler.settings["PLAYWRIGHT_ABORT_REQUEST"] == "beltacrawl.rendering.abort_request"
    assert "asyncio" in crawler.settings["TWISTED_REACTOR"]


def test_the_argument_overrides_the_setting():
    assert configured({"render": "never"}, BELTA_RENDER="always").spider.render_mode == "never"
    crawler = configured(BELTA_RENDER="fallback")
    assert crawler.spider.render_mode == "fallback"
    assert crawler.settings.getdict("DOWNLOAD_HANDLERS")["https"] == PLAYWRIGHT_HANDLER


def test_launch_options_given_as_a_setting_win():
    crawler = configured({"render": "always"}, PLAYWRIGHT_LAUNCH_OPTIONS={"headless": False})
    assert crawler.settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS") == {"headless": False}


def test_bad_setting_is_refused():
    with pytest.raises(ValueError, match="BELTA_RENDER must be one of never, always, fallback"):
        configured(BELTA_RENDER="sometimes")


def test_always_marks_spider_requests_but_not_robots_txt():
    middleware = RenderMiddleware.from_crawler(configured({"render": "always"}))
    page = Request("https://deu.belta.by/all_news/", callback=lambda response: None)
    robots = Request("https://deu.belta.by/robots.txt", callback=NO_CALLBACK)
    plain_on_purpose = Request("https://deu.belta.by/x/", meta={"playwright": False})
    for request in (page, robots, plain_on_purpose):
        middleware.process_request(request)
    assert page.meta["playwright"] is True
    assert page.meta["playwright_page_goto_kwargs"] == {"wait_until": "load"}
    assert "playwright" not in robots.meta
    assert plain_on_purpose.meta["playwright"] is False


def test_fallback_leaves_requests_plain_until_the_spider_asks():
    middleware = RenderMiddleware.from_crawler(configured({"render": "fallback"}))
    plain = Request("https://deu.belta.by/all_news/", callback=lambda response: None)
    again = plain.replace(meta={"playwright": True}, dont_filter=True)
    middleware.process_request(plain)
    middleware.process_request(again)
    assert "playwright" not in plain.meta
    assert again.meta["playwright_page_goto_kwargs"] == {"wait_until": "load"}


# --- end to end: a site that moved its content into scripts -----------------------------------


def comparable(result: CrawlResult, base_url: str) -> dict[str, dict]:
    """Records by key, the fetched URL reduced to its path (the replicas' ports differ)."""
    return {
        record["key"]: {**record, "fetched_url": record["fetched_url"].removeprefix(base_url)}
        for record in result.records
    }


def test_scripted_replica_serves_empty_containers_and_the_markup_in_a_script():
    plain, scripted = SiteModel(**MODEL), SiteModel(**MODEL, scripted=True)
    article = plain.article(plain.keys()[0])
    for target, empty in (
        ("/all_news/", r'<div id="inner"></div>'),
        (article.path, r'<div class="js-mediator-article"[^>]*></div>'),
    ):
        served = route(scripted, target).body.decode()
        markup = route(plain, target).body.decode()
        head, body = served.split("<body>")
        assert re.search(empty, body) and not re.search(empty, markup)
        assert "insertAdjacentHTML" in head and "insertAdjacentHTML" not in markup
    listing_body = route(scripted, "/all_news/").body.decode().split("<body>")[1]
    assert "lenta_item" not in listing_body


@pytest.mark.slow
def test_scripted_site_without_a_browser_reports_missing_content(make_replica, tmp_path):
    server = make_replica(**MODEL, scripted=True)
    result = run_crawl(server.base_url, tmp_path, "render=never")
    assert result.returncode == 1, result.log[-3000:]
    assert result.records == []
    assert result.stat("belta/walk/all_news/stop_reason") == "layout_changed"
    assert "listing all_news page 1: 0 entries" in result.log
    assert "scrapy-playwright" not in result.log  # plain runs start no browser machinery


@pytest.mark.slow
@needs_chromium
@pytest.mark.parametrize("mode", ["always", "fallback"])
def test_rendered_records_equal_the_plain_ones(make_replica, tmp_path, mode):
    plain_server = make_replica(**MODEL)
    plain = run_crawl(plain_server.base_url, tmp_path)
    assert plain.returncode == 0, plain.log[-3000:]
    server = make_replica(**MODEL, scripted=True)
    result = run_crawl(
        server.base_url,
        tmp_path,
        f"render={mode}",
        settings={"MEMUSAGE_CHECK_INTERVAL_SECONDS": "0.5"},
    )
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(result.keys()) == sorted(server.model.keys())
    assert_matches_truth(result.records, server.model)
    assert comparable(result, server.base_url) == comparable(plain, plain_server.base_url)
    articles = len(server.model)
    listing_pages = result.stat("belta/listing/pages")
    rendered = result.stat("playwright/page_count")
    if mode == "always":
        assert rendered == articles + listing_pages
        assert result.stat("belta/render/fallback/article") is None
    else:  # every page came plain first, then once more through the browser
        assert result.stat("belta/render/fallback/article") == articles
        assert result.stat("belta/render/fallback/listing") == listing_pages
        assert rendered == articles + listing_pages
        assert "belta/article/problem/no_body" not in result.log
    assert result.stat("playwright/page_count/closed") == rendered
    # The memory figure counts the browser's processes too:
    assert result.stat("memusage/max") > 2 * plain.stat("memusage/max")


@pytest.mark.slow
@needs_chromium
def test_fallback_costs_nothing_when_the_content_is_in_the_html(make_replica, tmp_path):
    server = make_replica(**MODEL)
    result = run_crawl(server.base_url, tmp_path, "render=fallback")
    assert result.returncode == 0, result.log[-3000:]
    assert_matches_truth(result.records, server.model)
    assert len(result.records) == len(server.model)
    assert result.stat("playwright/page_count") is None
    assert result.stat("belta/render/fallback/listing") is None
    assert result.stat("belta/render/fallback/article") is None


@pytest.mark.slow
@needs_chromium
def test_fallback_takes_the_end_of_a_listing_for_its_end(make_replica, tmp_path):
    """Full pages only: the walk reads one page past the last by the URL grammar, which is
    empty because the listing ended, not because a script fills it."""
    server = make_replica(articles=40, samples=False)
    result = run_crawl(server.base_url, tmp_path, "render=fallback")
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.records) == 40
    assert result.stat("belta/listing/next_from_grammar") == 1
    assert result.stat("belta/walk/all_news/stop_reason") == "empty_page"
    assert result.stat("belta/render/fallback/listing") is None
    assert result.stat("playwright/page_count") is None


@pytest.mark.slow
def test_missing_browser_fails_the_run_and_says_what_to_install(make_replica, tmp_path):
    server = make_replica(**MODEL, scripted=True)
    result = run_crawl(
        server.base_url, tmp_path, "render=always", settings={"BELTA_CHROMIUM": "/nonexistent"}
    )
    assert result.returncode != 0
    assert result.records == []
    assert "Chromium at /nonexistent does not exist" in result.log
    assert "apt-get install chromium" in result.log
    assert result.stat("finish_reason") == "browser_missing"
    assert server.requests == []  # nothing fetched, not even robots.txt


@pytest.mark.slow
def test_browser_that_cannot_start_fails_the_run(make_replica, tmp_path: Path):
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'chromium: cannot open display' >&2\nexit 1\n")
    broken.chmod(0o755)
    server = make_replica(**MODEL, scripted=True)
    result = run_crawl(
        server.base_url, tmp_path, "render=fallback", settings={"BELTA_CHROMIUM": str(broken)}
    )
    assert result.returncode == 1, result.log[-3000:]
    assert result.records == []
    assert f"Chromium at {broken} could not be started" in result.log
    assert "apt-get install chromium" in result.log
    assert result.stat("finish_reason") == "browser_failed"
