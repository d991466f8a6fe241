"""The JSON Lines exporter writes exactly what Scrapy's own writes, faster."""

from __future__ import annotations

import dataclasses
import io
import json

from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.misc import load_object
from scrapy.utils.project import get_project_settings

from beltacrawl.exporters import JsonLinesExporter
from beltacrawl.items import Article


def _lines(exporter_class: type, items: list, **options) -> bytes:
    buffer = io.BytesIO()
    exporter = exporter_class(buffer, encoding="utf-8", **options)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    exporter.finish_exporting()
    return buffer.getvalue()


ARTICLES = [
    Article(
        url="https://deu.belta.by/economics/view/krutoi-66060-2024/",
        key="66060-2024",
        article_id=66060,
        article_year=2024,
        title="Krutoi: Handelsumsatz um 7 % gesteigert – „Belarus“",
        body="MOSKAU …\n\nZweiter Absatz",
        tags=["Russland", "Handel"],
        is_incomplete=False,
    ),
    Article(),
]


def test_same_lines_as_scrapy_for_articles():
    ours = _lines(JsonLinesExporter, ARTICLES)
    assert ours == _lines(JsonLinesItemExporter, ARTICLES)
    first = json.loads(ours.splitlines()[0])
    assert list(first) == [field.name for field in dataclasses.fields(Article)]
    assert first["title"].endswith("„Belarus“")  # utf-8, not \u escapes


@dataclasses.dataclass
class Priced:
    name: str
    price: float = dataclasses.field(metadata={"serializer": lambda value: f"{value:.2f} BYN"})


def test_field_serializers_are_applied():
    items = [Priced("Milch", 2.5)]
    ours = _lines(JsonLinesExporter, items)
    assert json.loads(ours) == {"name": "Milch", "price": "2.50 BYN"}
    assert ours == _lines(JsonLinesItemExporter, items)


def test_fields_to_export_and_other_items_take_scrapys_way():
    options = {"fields_to_export": ["key", "title"]}
    ours = _lines(JsonLinesExporter, ARTICLES, **options)
    assert ours == _lines(JsonLinesItemExporter, ARTICLES, **options)
    assert json.loads(ours.splitlines()[0]) == {"key": "66060-2024", "title": ARTICLES[0].title}
    plain = [{"b": 1, "a": [2]}]
    assert _lines(JsonLinesExporter, plain) == _lines(JsonLinesItemExporter, plain)


def test_enabled_for_json_lines_feeds():
    exporters = get_project_settings().getwithbase("FEED_EXPORTERS")
    for name in ("jsonlines", "jsonl", "jl"):  # jl: Scrapyd's feeds
        assert load_object(exporters[name]) is JsonLinesExporter, name
