"""Field coverage: spidermon's own extension counts it, and the coverage rules can fail."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING

import pytest
from scrapy import Spider, signals
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from beltacrawl.config import Config
from beltacrawl.items import Article
from tests.test_schema_validation import fixture_articles

if TYPE_CHECKING:
    from collections.abc import Callable

SPIDERMON = "spidermon.contrib.scrapy.extensions.Spidermon"


def test_spidermons_extension_runs_before_the_run_keeper():
    """The keeper's verdict includes the closing monitors' findings."""
    extensions = get_project_settings().getdict("EXTENSIONS")
    assert 0 < extensions[SPIDERMON] < extensions["beltacrawl.keeper.RunKeeper"]


def closed_run_stats(articles: list[Article], closing: Callable[[], None] = lambda: None) -> dict:
    """The stats after spidermon saw ``articles`` scraped and ran the closing monitors, with
    the project's settings (the periodic drift monitors left out: no reactor runs here)."""
    project = get_project_settings()
    settings = {
        name: project[name]
        for name in project
        if name.startswith(("SPIDERMON_", "BELTA_")) or name == "EXTENSIONS"
    }
    crawler = get_crawler(Spider, {**settings, "SPIDERMON_PERIODIC_MONITORS": {}})
    spider = crawler.spider = Spider.from_crawler(crawler, name="coverage")
    crawler.stats.open_spider()
    crawler.stats.set_value("finish_reason", "finished")
    crawler.signals.send_catch_log(signals.spider_opened, spider=spider)
    for article in articles:
        crawler.signals.send_catch_log(
            signals.item_scraped, item=article, response=None, spider=spider
        )
    closing()
    closed = crawler.signals.send_catch_log_async(
        signals.spider_closed, spider=spider, reason="finished"
    )
    asyncio.run(closed)
    return crawler.stats.get_stats()


def test_counts_only_fields_with_a_value():
    """A field that is ``None`` was not found, so it is not covered."""
    assert get_project_settings().getbool("SPIDERMON_FIELD_COVERAGE_SKIP_NONE")
    articles = fixture_articles()
    without_image = sum(article.image_url is None for article in articles)
    assert 1 <= without_image < len(articles)
    stats = closed_run_stats(articles)
    assert stats["spidermon_item_scraped_count/Article"] == len(articles)
    assert stats["spidermon_item_scraped_count/Article/title"] == len(articles)
    assert stats["spidermon_item_scraped_count/Article/image_url"] == len(articles) - without_image
    assert stats["spidermon_field_coverage/Article/image_url"] == pytest.approx(
        (len(articles) - without_image) / len(articles)
    )
    assert "monitors/failed" not in stats


def test_a_missing_field_fails_the_coverage_rule():
    articles = fixture_articles()
    articles[0] = dataclasses.replace(articles[0], title=None)
    stats = closed_run_stats(articles)
    assert stats["spidermon_item_scraped_count/Article/title"] == len(articles) - 1
    failed = stats["monitors/failed"]
    assert len(failed) == 1
    assert failed[0].startswith("Field Coverage Monitor/test_check_if_field_coverage_rules_are_met")
    assert "Article/title" in failed[0]


def test_an_infographic_without_text_fails_no_coverage_rule():
    articles = fixture_articles()
    assert sum(article.body is None for article in articles) == 1  # the infographic
    assert "monitors/failed" not in closed_run_stats(articles)


def test_the_monitors_take_the_settings_read_when_the_crawl_started(monkeypatch):
    """Spidermon builds its monitors anew for every check: they must not parse the
    settings each time."""
    parsed: list[object] = []
    closing: list[bool] = []
    from_settings = Config.from_settings

    def counted(settings):
        if closing:  # the crawler's components read theirs when it was built
            parsed.append(settings)
        return from_settings(settings)

    monkeypatch.setattr(Config, "from_settings", counted)
    stats = closed_run_stats(fixture_articles(), closing=lambda: closing.append(True))
    assert "monitors/failed" not in stats
    assert parsed == []
