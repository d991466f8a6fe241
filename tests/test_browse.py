"""``scrapy archive serve``: metadata from the record, canned queries, indexes, read-only."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from markupsafe import escape

from beltacrawl.archive import Archive
from beltacrawl.items import Article, spec
from tests.browsing import article_count, get, replica_archive, serving
from tests.crawling import REPO, crawl_command
from tests.sitesim import ReplicaServer

pytest.importorskip("datasette_dashboards", reason="needs the browse extra")

from beltacrawl.browse.app import make_datasette
from beltacrawl.browse.metadata import (
    ARTICLE_FACETS,
    article_columns,
    field_docs,
    metadata,
)
from beltacrawl.browse.queries import canned_queries


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory):
    return replica_archive(tmp_path_factory.mktemp("replica-archive"))


def fetch(archive: Path, *paths: str) -> list[tuple[int, str]]:
    """Pages of Datasette over ``archive``, through its in-process client."""
    datasette = make_datasette(archive)

    async def pages() -> list[tuple[int, str]]:
        await datasette.invoke_startup()
        return [((r := await datasette.client.get(p)).status_code, r.text) for p in paths]

    return asyncio.run(pages())


# --- metadata derived from the code ---------------------------------------------------


@dataclasses.dataclass
class ArticleWithWordCount(Article):
    word_count: int | None = dataclasses.field(
        default=None, metadata=spec({"type": ["integer", "null"]})
    )
    """Words in ``body``, counted by a later beltacrawl."""


def test_every_article_column_is_described_from_the_record() -> None:
    columns = article_columns()
    assert [name for name in columns][: len(dataclasses.fields(Article))] == [
        f.name for f in dataclasses.fields(Article)
    ]
    assert all(description.strip() for description in columns.values())
    assert columns["is_incomplete"].startswith("True when the text ends with the site's")
    assert columns["is_incomplete"].endswith("[1 yes, 0 no]")
    assert columns["fetched_at"].endswith("[ISO 8601 date and time with offset]")
    assert columns["dateline_date"].endswith("[ISO 8601 date]")
    assert columns["language"] == "Language code, always de. [always de]"


def test_a_field_added_to_the_record_is_described_without_more_code() -> None:
    assert field_docs(ArticleWithWordCount)["word_count"] == (
        "Words in body, counted by a later beltacrawl."
    )


def test_articles_are_sorted_newest_first_faceted_and_searchable() -> None:
    articles = metadata()["databases"]["archive"]["tables"]["articles"]
    assert articles["sort_desc"] == "published_at"
    assert articles["label_column"] == "title"
    assert (articles["fts_table"], articles["fts_pk"]) == ("articles_fts", "id")
    assert ARTICLE_FACETS == [
        "rubric", "kind", "article_year", "published_month", {"list": "tags"}, "dateline_place"
    ]  # fmt: skip
    assert metadata()["plugins"]["datasette-dashboards"]["articles"]["charts"]


# --- pages on an archive of the replica -------------------------------------------------


def test_every_page_and_canned_query_answers(replica) -> None:
    archive, model, changed = replica
    pages = fetch(
        archive,
        "/archive/articles",
        "/archive/articles?_search=Kasachstan&_facet=rubric",
        "/archive/articles.json?_facet=published_month&_size=0",
        *(f"/archive/{name}.json?_shape=objects" for name in canned_queries()),
        "/archive/search.json?words=Kasachstan&_shape=objects",
        f"/archive/changed_articles.json?key={changed}&_shape=objects",
        "/archive/articles_per_day.json?since=2023-12-20&until=2024-01-10&_shape=objects",
        "/archive/this_week.json?day=2024-01-03&_shape=objects",
        "/-/dashboards/articles",
        "/browse-static/archive.css",
    )
    assert [status for status, _ in pages] == [200] * len(pages)
    by_name = dict(zip(canned_queries(), pages[3:], strict=False))
    rows = {name: json.loads(text)["rows"] for name, (_, text) in by_name.items()}
    assert rows["search"] == []  # no words: nothing, and no error
    assert len(rows["last_runs"]) == 2
    assert rows["last_runs"][0]["verdict"] == "ok"
    assert rows["incomplete_articles"]

    def rows_of(index: int) -> list[dict]:
        return json.loads(pages[index][1])["rows"]

    after = 3 + len(canned_queries())
    hits = rows_of(after)
    assert hits and all("\u27e6" in hit["snippet"] + hit["title"] for hit in hits)
    versions = rows_of(after + 1)
    assert [row["key"] for row in versions] == [changed]
    assert versions[0]["body_before"] != versions[0]["body_after"]
    days = rows_of(after + 2)
    assert [row["day"] for row in days] == sorted({row["day"] for row in days}, reverse=True)
    assert all(
        row["articles"] == sum(v for k, v in row.items() if k not in ("day", "articles"))
        for row in days
    )
    week = rows_of(after + 3)
    assert week and all("2024-01-01" <= row["published"] < "2024-01-08" for row in week)
    months = json.loads(pages[2][1])["facet_results"]["published_month"]["results"]
    assert sum(month["count"] for month in months) == len(model)
    assert "where search matches" in pages[1][1] and 'id="facet-rubric"' in pages[1][1]
    [(status, html)] = fetch(archive, "/archive/search?words=Kasachstan")
    assert status == 200 and "<mark>Kasachstan</mark>" in html


def test_the_articles_are_faceted_by_kind(replica) -> None:
    archive, model, _ = replica
    [(status, html), (_, text)] = fetch(
        archive, "/archive/articles", "/archive/articles.json?_size=0"
    )
    assert status == 200 and 'id="facet-kind"' in html
    kinds = json.loads(text)["facet_results"]["kind"]["results"]
    with Archive.open(archive, readonly=True) as opened:
        stored = dict(
            opened.db.conn.execute("SELECT kind, count(*) FROM articles GROUP BY kind").fetchall()
        )
    assert {kind["value"]: kind["count"] for kind in kinds} == stored
    assert sum(stored.values()) >= len(model)


def test_the_article_page_reads_like_the_article(replica) -> None:
    archive, _, key = replica
    with Archive.open(archive, readonly=True) as opened:
        (row_id,) = opened.db.conn.execute(
            "SELECT id FROM articles WHERE key = ?", (key,)
        ).fetchone()
        article = opened.queries.show(key).article  # type: ignore[union-attr]
    [(status, html)] = fetch(archive, f"/archive/articles/{row_id}")
    assert status == 200
    assert f"<h1>{article['title']}</h1>" in html
    assert article["tags"]
    chips = "".join(f'<span class="tag">{escape(tag)}</span>' for tag in article["tags"])
    assert f'<p class="article-tags"><span class="tags">{chips}</span></p>' in html
    assert f"changed_articles?key={key}" in html  # its earlier version, side by side


def test_nothing_can_be_written_through_the_pages(replica) -> None:
    archive, *_ = replica
    pages = fetch(
        archive,
        "/archive.json?sql=DELETE+FROM+articles",
        "/archive.json?sql=SELECT+1;+DELETE+FROM+articles",
    )
    assert [status for status, _ in pages] == [400, 400]
    with Archive.open(archive, readonly=True) as opened:
        assert opened.store.count() > 0


# --- the indexes that keep facets quick ----------------------------------------------


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("SELECT article_year, count(*) FROM articles GROUP BY article_year", "articles_year"),
        ("SELECT kind, count(*) FROM articles GROUP BY kind", "articles_kind"),
        (
            "SELECT kind, count(*) FROM articles WHERE rubric = 'sport' GROUP BY kind",
            "articles_rubric_kind",
        ),
        (
            "SELECT published_month, count(*) FROM articles GROUP BY published_month",
            "articles_published_month",
        ),
        (
            "SELECT dateline_place, count(*) FROM articles GROUP BY dateline_place",
            "articles_dateline_place",
        ),
        (
            "SELECT j.value, count(*) FROM articles, json_each(articles.tags) AS j"
            " GROUP BY j.value",
            "articles_tags",
        ),
    ],
)
def test_facets_count_from_an_index(tmp_path: Path, query: str, index: str) -> None:
    with Archive.open(tmp_path / "a.sqlite") as archive:
        plan = " ".join(row[3] for row in archive.db.conn.execute(f"EXPLAIN QUERY PLAN {query}"))
    assert f"USING INDEX {index}" in plan or f"COVERING INDEX {index}" in plan


# --- the command -----------------------------------------------------------------------


def test_serve_refuses_a_missing_archive(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "archive", "serve", "--archive",
         str(tmp_path / "none.sqlite")],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "no archive at" in done.stderr


@pytest.mark.slow
def test_a_reload_shows_what_a_running_crawl_wrote(replica, tmp_path: Path) -> None:
    """The page is read again and again while a crawl writes the same archive."""
    archive, model, _ = replica

    with serving(archive, tmp_path) as base_url:
        before = article_count(base_url)
        published = model.publish(30)
        with ReplicaServer(model) as server:
            crawl = subprocess.Popen(
                crawl_command(server.base_url, tmp_path / "out.jsonl", archive=archive),
                cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            reads = 0
            while crawl.poll() is None:
                assert get(f"{base_url}/archive/articles")[0] == 200
                reads += 1
            assert crawl.wait() == 0, crawl.stderr.read()[-3000:]  # type: ignore[union-attr]
        assert reads > 0
        assert article_count(base_url) == before + 30
        status, html = get(f"{base_url}/archive/articles")
        assert status == 200
        assert model.expected_record(published[0])["title"] in html
