"""The JSON Schema, through spidermon's pipeline, is what the validation pipeline checks."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from parsel import Selector
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from beltacrawl.items import Article
from beltacrawl.loaders import load_article
from beltacrawl.parsing.article import parse_article
from beltacrawl.pipelines import InvalidArticle, ValidationPipeline
from beltacrawl.site.urls import parse_article_url
from tests.test_article_fixtures import FETCHED_AT

PAGES = Path(__file__).resolve().parent / "fixtures" / "articles"


def fixture_articles() -> list[Article]:
    articles = []
    for page in sorted(PAGES.glob("*.html")):
        url = json.loads(page.with_name(page.stem + ".expected.json").read_text())["fetched_url"]
        raw = parse_article(Selector(text=page.read_text(encoding="utf-8")))
        articles.append(load_article(raw, parse_article_url(url), url, FETCHED_AT))
    assert articles
    return articles


#: Each breaks the record in one way the schema must catch, and the reason it is dropped.
BREAKAGES: dict[str, tuple[dict[str, Any], str]] = {
    "empty title": ({"title": ""}, "title"),
    "id as text": ({"article_id": "123"}, "article_id"),
    "year out of range": ({"article_year": 1812}, "article_year"),
    "foreign host": ({"url": "https://example.com/economics/view/x-1-2024/"}, "url"),
    "naive time": ({"published_at": "2024-07-02T09:15:00"}, "published_at"),
    "bad hash": ({"content_hash": "XYZ"}, "content_hash"),
    "empty tag": ({"tags": ["Minsk", ""]}, "tags"),
    "tags as a tuple": ({"tags": ("Minsk",)}, "tags"),  # JSON has arrays, not tuples
    "wrong language": ({"language": "ru"}, "language"),
    "fetched in the future's format": ({"fetched_at": "2024-07-02T09:15:00+03:00"}, "fetched_at"),
    "two faults": ({"body": "", "is_incomplete": "no"}, "body"),
}


@pytest.fixture
def crawler() -> Any:
    """A crawler with the project's spidermon and validation settings."""
    project = get_project_settings()
    settings = {name: project[name] for name in project if name.startswith("SPIDERMON_")}
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()
    return crawler


def test_fixture_articles_are_valid(crawler):
    pipeline = ValidationPipeline.from_crawler(crawler)
    articles = fixture_articles()
    for article in articles:
        assert pipeline.process_item(article) is article
    stats = crawler.stats.get_stats()
    assert stats["validation/ok"] == stats["spidermon/validation/items"] == len(articles)


@pytest.mark.parametrize(("changes", "reason"), BREAKAGES.values(), ids=list(BREAKAGES))
def test_the_schema_drops_a_broken_record(crawler, changes, reason):
    pipeline = ValidationPipeline.from_crawler(crawler)
    article = dataclasses.replace(fixture_articles()[0], **changes)
    with pytest.raises(InvalidArticle) as dropped:
        pipeline.process_item(article)
    assert dropped.value.reason == reason
    stats = crawler.stats.get_stats()
    assert stats[f"validation/dropped/{reason}"] == 1
    assert stats["spidermon/validation/items/errors"] == 1  # spidermon's own count
    assert stats["spidermon/validation/fields/errors"] >= len(changes)  # messages, by field
    assert any(f"/{reason}" in name for name in stats if "/fields/errors/" in name)
    # The record itself is left as it was: spidermon wrote its errors into a copy.
    assert dataclasses.asdict(article) == {**dataclasses.asdict(fixture_articles()[0]), **changes}
