"""beltacrawl's Spidermon extension counts field coverage exactly as spidermon's does."""

from __future__ import annotations

import dataclasses

import pytest
from scrapy import Spider
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler
from spidermon.contrib.scrapy.extensions import Spidermon as StockSpidermon

from beltacrawl.field_coverage import Spidermon
from beltacrawl.items import Article
from tests.test_schema_validation import fixture_articles


def items() -> list[object]:
    article = fixture_articles()[0]
    return [
        *fixture_articles(),
        dataclasses.replace(article, lead="", tags=[], is_incomplete=False, image_url=None),
        dataclasses.replace(article, lead="N/A", rubric_label="-", article_id=0),
        dataclasses.replace(article, tags=["Minsk"], is_incomplete=True),
        {"url": "https://deu.belta.by/x/", "nested": {"a": 1, "b": None}, "n": 0},
    ]


def coverage_stats(extension_class: type, settings: dict) -> dict:
    """The stats after a run that scraped ``items()`` (counts and coverage ratios)."""
    crawler = get_crawler(
        Spider, {"SPIDERMON_ENABLED": True, "SPIDERMON_ADD_FIELD_COVERAGE": True, **settings}
    )
    spider = Spider.from_crawler(crawler, name="coverage")
    crawler.stats.open_spider()
    extension = extension_class.from_crawler(crawler)
    extension.spider_opened(spider)
    for item in items():
        extension.item_scraped(item, None, spider)
    extension.spider_closed(spider)
    return crawler.stats.get_stats()


def test_counts_reach_the_stats_before_a_periodic_monitor_runs():
    crawler = get_crawler(Spider, {"SPIDERMON_ENABLED": True, "SPIDERMON_ADD_FIELD_COVERAGE": True})
    spider = Spider.from_crawler(crawler, name="coverage")
    crawler.stats.open_spider()
    extension = Spidermon.from_crawler(crawler)
    for item in fixture_articles():
        extension.item_scraped(item, None, spider)
    extension._run_periodic_suites(spider, [])
    stats = crawler.stats.get_stats()
    assert stats["spidermon_item_scraped_count/Article/title"] == len(fixture_articles())
    extension.item_scraped(fixture_articles()[0], None, spider)
    extension._run_periodic_suites(spider, [])
    assert stats["spidermon_item_scraped_count"] == len(fixture_articles()) + 1


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"SPIDERMON_FIELD_COVERAGE_SKIP_NONE": True},
        {"SPIDERMON_FIELD_COVERAGE_SKIP_FALSY": False},
        {"SPIDERMON_FIELD_COVERAGE_SKIP_VALUES": [0, "Minsk"]},
        {"SPIDERMON_FIELD_COVERAGE_SKIP_FALSY": False, "SPIDERMON_FIELD_COVERAGE_SKIP_VALUES": []},
        {"SPIDERMON_LIST_FIELDS_COVERAGE_LEVELS": 1},
        {"SPIDERMON_DICT_FIELDS_COVERAGE_LEVELS": {"nested": 0}},
    ],
    ids=lambda settings: ",".join(f"{k[25:]}={v}" for k, v in settings.items()) or "defaults",
)
def test_same_stats_as_spidermon(settings):
    stats = coverage_stats(Spidermon, settings)
    assert stats == coverage_stats(StockSpidermon, settings)
    assert stats["spidermon_item_scraped_count/Article"] == len(items()) - 1


def test_project_counts_only_fields_with_a_value():
    """The project's settings: a field that is None was not found, so it is not covered."""
    project = get_project_settings()
    assert project.getdict("EXTENSIONS")["beltacrawl.field_coverage.Spidermon"] > 0
    assert project.getbool("SPIDERMON_FIELD_COVERAGE_SKIP_NONE")
    stats = coverage_stats(Spidermon, {"SPIDERMON_FIELD_COVERAGE_SKIP_NONE": True})
    articles = [item for item in items() if isinstance(item, Article)]
    without_image = sum(article.image_url is None for article in articles)
    assert without_image >= 1
    assert stats.get("spidermon_item_scraped_count/Article/image_url", 0) == (
        len(articles) - without_image
    )
