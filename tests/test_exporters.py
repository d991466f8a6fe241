"""The JSON Lines feed is Scrapy's own exporter, and its lines stay what they were."""

from __future__ import annotations

import csv
import dataclasses
import io

from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.misc import load_object
from scrapy.utils.project import get_project_settings

from beltacrawl.exports import write_csv
from beltacrawl.items import Article

ARTICLE = Article(
    url="https://deu.belta.by/economics/view/krutoi-66060-2024/",
    key="66060-2024",
    article_id=66060,
    article_year=2024,
    title="Krutoi: Handelsumsatz um 7 % gesteigert – „Belarus“",
    body="MOSKAU …\n\nZweiter Absatz",
    tags=["Russland", "Handel"],
    is_incomplete=False,
)

#: The line written for ``ARTICLE``: fields in declaration order, ``None`` as ``null``,
#: text in UTF-8 (not ``\\u`` escapes), one line ending in a newline.
EXPECTED = (
    '{"url": "https://deu.belta.by/economics/view/krutoi-66060-2024/", "fetched_url": null, '
    '"key": "66060-2024", "article_id": 66060, "article_year": 2024, "kind": null, "rubric": null, '
    '"rubric_label": null, "title": "Krutoi: Handelsumsatz um 7 % gesteigert – „Belarus“", '
    '"lead": null, "published_at": null, "published_raw": null, "dateline_place": null, '
    '"dateline_date": null, "dateline_raw": null, "body": "MOSKAU …\\n\\nZweiter Absatz", '
    '"body_html": null, "tags": ["Russland", "Handel"], "image_url": null, '
    '"image_caption": null, "images": [], "language": null, "is_incomplete": false, '
    '"content_hash": null, '
    '"fetched_at": null}\n'
).encode()


def project_exporter(feed_format: str) -> type:
    return load_object(get_project_settings().getwithbase("FEED_EXPORTERS")[feed_format])


def test_json_lines_feeds_use_scrapys_exporter():
    for feed_format in ("jsonlines", "jsonl", "jl"):  # jl: Scrapyd's feeds
        assert project_exporter(feed_format) is JsonLinesItemExporter, feed_format


def test_lines_are_what_they_were():
    settings = get_project_settings()
    assert settings["FEED_EXPORT_ENCODING"] == "utf-8"
    buffer = io.BytesIO()
    exporter = project_exporter("jsonlines")(buffer, encoding=settings["FEED_EXPORT_ENCODING"])
    exporter.start_exporting()
    exporter.export_item(ARTICLE)
    exporter.export_item(Article())
    exporter.finish_exporting()
    first, second = buffer.getvalue().splitlines(keepends=True)
    assert first == EXPECTED
    assert second.startswith(b'{"url": null, "fetched_url": null, "key": null,')
    assert b'"tags": [],' in second


def test_csv_feeds_write_the_archive_exports_dialect():
    """``scrapy crawl -O feed.csv`` and ``scrapy archive export -o x.csv``: one CSV dialect."""
    hostile = dataclasses.replace(ARTICLE, title="=HYPERLINK(1)", tags=["Handel, Export", "@x"])
    buffer = io.BytesIO()
    exporter = project_exporter("csv")(buffer, encoding="utf-8")
    exporter.start_exporting()
    exporter.export_item(hostile)
    exporter.finish_exporting()
    feed = buffer.getvalue().decode("utf-8")
    exported = io.StringIO()
    write_csv([dataclasses.asdict(hostile)], exported)
    assert feed == exported.getvalue()
    (row,) = csv.DictReader(io.StringIO(feed, newline=""))
    assert row["title"] == "'=HYPERLINK(1)"
    assert row["tags"] == "Handel, Export | @x"
    assert row["is_incomplete"] == "false"
    assert row["lead"] == ""
