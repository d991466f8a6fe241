"""The compiled schema validation gives exactly spidermon's verdicts, messages and stats."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from parsel import Selector
from scrapy.utils.test import get_crawler
from spidermon.contrib.scrapy.pipelines import ItemValidationPipeline
from spidermon.contrib.validation import JSONSchemaValidator

from beltacrawl.items import Article
from beltacrawl.loaders import load_article
from beltacrawl.parsing.article import parse_article
from beltacrawl.schema_validation import CompiledJSONSchemaValidator, SchemaValidationPipeline
from beltacrawl.schemas import ARTICLE
from beltacrawl.site.urls import parse_article_url
from tests.test_article_fixtures import FETCHED_AT

PAGES = Path(__file__).resolve().parent / "fixtures" / "articles"
SCHEMA = json.loads(ARTICLE)


def fixture_articles() -> list[Article]:
    articles = []
    for page in sorted(PAGES.glob("*.html")):
        url = json.loads(page.with_name(page.stem + ".expected.json").read_text())["fetched_url"]
        raw = parse_article(Selector(text=page.read_text(encoding="utf-8")))
        articles.append(load_article(raw, parse_article_url(url), url, FETCHED_AT))
    assert articles
    return articles


#: Each breaks the record in one way the schema must catch.
BREAKAGES = {
    "missing title": lambda r: r.pop("title"),
    "empty title": lambda r: r.update(title=""),
    "id as text": lambda r: r.update(article_id="123"),
    "year out of range": lambda r: r.update(article_year=1812),
    "foreign host": lambda r: r.update(url="https://example.com/economics/view/x-1-2024/"),
    "naive time": lambda r: r.update(published_at="2024-07-02T09:15:00"),
    "bad hash": lambda r: r.update(content_hash="XYZ"),
    "empty tag": lambda r: r.update(tags=["Minsk", ""]),
    "tags as a tuple": lambda r: r.update(tags=("Minsk",)),  # JSON has arrays, not tuples
    "wrong language": lambda r: r.update(language="ru"),
    "unknown field": lambda r: r.update(extra="?"),
    "two faults": lambda r: (r.update(body=""), r.update(is_incomplete="no")),
}


def records() -> list[tuple[str, dict]]:
    cases = []
    for article in fixture_articles():
        cases.append((f"valid {article.key}", dataclasses.asdict(article)))
    base = dataclasses.asdict(fixture_articles()[0])
    for name, breakage in BREAKAGES.items():
        record = dict(base)
        breakage(record)
        cases.append((name, record))
    return cases


@pytest.mark.parametrize(("name", "record"), records(), ids=lambda value: str(value)[:30])
def test_verdict_and_messages_are_spidermons(name, record):
    stock = JSONSchemaValidator(SCHEMA).validate(record)
    compiled = CompiledJSONSchemaValidator(SCHEMA).validate(record)
    assert compiled == stock
    assert compiled[0] is name.startswith("valid")


def test_a_validator_forgets_the_errors_of_the_record_before():
    validator = CompiledJSONSchemaValidator(SCHEMA)
    article = dataclasses.asdict(fixture_articles()[0])
    assert not validator.validate({**article, "title": ""})[0]
    assert validator.validate(article) == (True, {})
    assert not validator.has_errors


def pipeline_stats(pipeline_class: type, articles: list[Article]) -> dict:
    crawler = get_crawler(
        settings_dict={
            "SPIDERMON_ENABLED": True,
            "SPIDERMON_VALIDATION_SCHEMAS": ["beltacrawl.schemas.ARTICLE"],
        }
    )
    crawler.stats.open_spider()
    pipeline = pipeline_class.from_crawler(crawler)
    for article in articles:
        assert pipeline.process_item(article) is article
    return crawler.stats.get_stats()


def test_pipeline_counts_what_spidermons_counts():
    articles = fixture_articles()
    broken = [
        dataclasses.replace(articles[0], title=""),
        dataclasses.replace(articles[1], published_at="gestern", tags=[""]),
    ]
    stats = pipeline_stats(SchemaValidationPipeline, articles + broken)
    assert stats == pipeline_stats(ItemValidationPipeline, articles + broken)
    assert stats["spidermon/validation/items"] == len(articles) + 2
    assert stats["spidermon/validation/items/errors"] == 2
    assert stats["spidermon/validation/fields/errors"] == 3
