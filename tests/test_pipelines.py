"""Item pipelines: validation, deduplication, archiving (batches, runs, the run lock)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import sqlite3
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import CloseSpider, DropItem, NotConfigured, ScrapyDeprecationWarning
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.test import get_crawler

from beltacrawl.archive import Archive, ArchiveLock
from beltacrawl.archive import database as archive_database
from beltacrawl.crawl.arguments import CrawlArguments
from beltacrawl.items import Article
from beltacrawl.keeper import ARCHIVE_LOCKED, keeper_of
from beltacrawl.pipelines import (
    ARCHIVE_UNWRITABLE,
    ArchivePipeline,
    DeduplicationPipeline,
    InvalidArticle,
    ValidationPipeline,
    cross_field_problem,
)

ROOT = Path(__file__).resolve().parents[1]
PIPELINES = {
    "beltacrawl.pipelines.ValidationPipeline": 100,
    "beltacrawl.pipelines.DeduplicationPipeline": 200,
    "beltacrawl.pipelines.ArchivePipeline": 800,
}


def article(number: int, year: int = 2024, **overrides: Any) -> Article:
    url = f"https://deu.belta.by/economics/view/artikel-{number}-{year}/"
    values: dict[str, Any] = {
        "url": url,
        "fetched_url": url,
        "key": f"{number}-{year}",
        "article_id": number,
        "article_year": year,
        "kind": "article",
        "rubric": "economics",
        "title": f"Titel {number}",
        "published_at": f"{year}-03-01T10:00:00+03:00",
        "published_raw": f"1 März {year}, 10:00",
        "body": f"Text {number}.",
        "tags": ["Belarus"],
        "is_incomplete": False,
        "language": "de",
        "content_hash": f"{number:064x}",
        "fetched_at": "2026-11-28T10:00:00+00:00",
    }
    values.update(overrides)
    return Article(**values)


class BeltaSpider(Spider):
    name = "belta"
    arguments = CrawlArguments.parse({"mode": "incremental", "rubrics": "economics"})


def make_crawler(settings: dict[str, Any] | None = None) -> Any:
    crawler = get_crawler(BeltaSpider, settings or {})
    crawler.spider = crawler.spidercls.from_crawler(crawler)
    return crawler


#: The project's validation settings (``get_crawler`` starts from Scrapy's defaults).
VALIDATION = {
    "SPIDERMON_ENABLED": True,
    "SPIDERMON_VALIDATION_SCHEMAS": ["beltacrawl.schemas.ARTICLE"],
    "SPIDERMON_VALIDATION_ADD_ERRORS_TO_ITEMS": True,
}


def stats_of(crawler: Any) -> dict[str, Any]:
    return crawler.stats.get_stats()


# --- validation ---------------------------------------------------------------------------


def test_validation_passes_good_articles() -> None:
    crawler = make_crawler(VALIDATION)
    pipeline = ValidationPipeline.from_crawler(crawler)
    item = article(1)
    assert pipeline.process_item(item) is item
    assert pipeline.process_item(article(2, published_at=None)) is not None  # raw is enough
    stats = stats_of(crawler)
    assert stats["validation/ok"] == 2
    assert stats["spidermon/validation/items"] == 2  # spidermon's stats are kept
    assert "spidermon/validation/items/errors" not in stats


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        # the JSON Schema
        ({"url": None}, "url"),
        ({"url": "https://deu.belta.by/economics/view/artikel-1-2024"}, "url"),  # no slash
        ({"url": "http://deu.belta.by/economics/view/artikel-1-2024/"}, "url"),
        ({"url": "https://m.deu.belta.by/economics/view/artikel-1-2024/"}, "url"),
        ({"url": "https://eng.belta.by/economics/view/artikel-1-2024/"}, "url"),
        ({"url": "https://deu.belta.by/economics/"}, "url"),
        ({"key": None}, "key"),
        ({"article_id": None}, "article_id"),
        ({"article_year": "2024"}, "article_year"),
        ({"title": None}, "title"),
        ({"title": "   "}, "title"),
        ({"published_at": "2024-03-01"}, "published_at"),
        ({"published_at": "2024-03-01T10:00:00"}, "published_at"),  # no offset
        ({"published_at": "2024-02-30T10:00:00+03:00"}, "published_at"),  # no such day
        ({"published_at": "1. März 2024"}, "published_at"),
        ({"published_at": None, "published_raw": None}, "published_raw"),
        ({"published_at": None, "published_raw": " "}, "published_raw"),
        ({"body": None}, "body"),
        ({"body": "\n\n"}, "body"),
        ({"tags": ("Belarus",)}, "tags"),  # JSON has arrays, not tuples
        ({"title": "", "body": ""}, "title"),  # the first field with an error
        # across fields
        ({"url": "https://deu.belta.by/economics/view/artikel-01-2024/"}, "url"),  # not canonical
        ({"key": "1-2023"}, "key"),
        ({"article_id": 2, "key": "2-2024"}, "key"),  # disagrees with the URL
        # kinds: an article has a year and a text; the URL says which kind a record is
        ({"kind": None}, "kind"),
        ({"kind": "photo_report"}, "key"),  # a kind without a year, with one
        ({"kind": "infographic"}, "key"),
    ],
)
def test_validation_drops_invalid_articles(
    overrides: dict[str, Any], reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    crawler = make_crawler(VALIDATION)
    pipeline = ValidationPipeline.from_crawler(crawler)
    item = article(1, **overrides)
    with caplog.at_level(logging.WARNING), pytest.raises(InvalidArticle) as dropped:
        pipeline.process_item(item)
    assert dropped.value.log_level == "DEBUG"
    assert dropped.value.reason == reason
    assert f"({reason})" in str(dropped.value)
    assert stats_of(crawler)[f"validation/dropped/{reason}"] == 1
    assert stats_of(crawler)["validation/dropped"] == 1
    assert "validation/ok" not in stats_of(crawler)
    assert str(item.url) in caplog.text
    assert len(caplog.records) == 1


PHOTONEWS = "https://deu.belta.by/photonews/view/81-jahrestag-der-chatyn-tragodie-3192/"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({}, None),
        ({"body": None}, None),  # photos and captions only
        ({"kind": "article"}, "key"),  # an article's key is <id>-<year>
        ({"kind": "infographic"}, "kind"),  # the URL says photo report
        ({"key": "3192-2024", "article_year": 2024}, "key"),
        ({"key": "infographica-3192"}, "key"),
        ({"article_id": 3193}, "key"),
        ({"url": PHOTONEWS.replace("3192", "3192-2024")}, "key"),  # photo report 2024
        ({"url": PHOTONEWS.rstrip("/")}, "url"),
    ],
)
def test_validation_of_a_photo_report(overrides: dict[str, Any], reason: str | None) -> None:
    crawler = make_crawler(VALIDATION)
    pipeline = ValidationPipeline.from_crawler(crawler)
    values = {
        "url": PHOTONEWS,
        "fetched_url": PHOTONEWS,
        "key": "photonews-3192",
        "article_year": None,
        "kind": "photo_report",
        "rubric": "photonews",
    }
    photos = article(3192, **{**values, **overrides})
    if reason is None:
        assert pipeline.process_item(photos) is photos
        return
    with pytest.raises(InvalidArticle) as dropped:
        pipeline.process_item(photos)
    assert dropped.value.reason == reason


def test_cross_field_checks_hold_for_records_the_schema_cannot_judge() -> None:
    """Without a schema (spidermon off), the checks only code can do still drop."""
    pipeline = ValidationPipeline.from_crawler(make_crawler())
    assert pipeline.schema is None
    assert pipeline.process_item(article(1, title=None)) is not None
    with pytest.raises(InvalidArticle, match=r"\(key\)"):
        pipeline.process_item(article(1, key="1-2023"))
    assert cross_field_problem(dataclasses.asdict(article(1))) is None


def test_validation_needs_spidermons_errors_in_the_record() -> None:
    with pytest.raises(ValueError, match="SPIDERMON_VALIDATION_ADD_ERRORS_TO_ITEMS"):
        ValidationPipeline.from_crawler(
            make_crawler({**VALIDATION, "SPIDERMON_VALIDATION_ADD_ERRORS_TO_ITEMS": False})
        )


def test_validation_can_be_switched_off() -> None:
    with pytest.raises(NotConfigured):
        ValidationPipeline.from_crawler(make_crawler({"BELTA_VALIDATE": False}))


# --- deduplication ------------------------------------------------------------------------


def test_deduplication_drops_repeats_within_a_run() -> None:
    crawler = make_crawler()
    pipeline = DeduplicationPipeline.from_crawler(crawler)
    pipeline.process_item(article(1))
    pipeline.process_item(article(1, 2023))
    with pytest.raises(DropItem, match="1-2024"):
        pipeline.process_item(article(1, title="again"))
    assert stats_of(crawler)["dedup/dropped"] == 1
    # A new run (a new pipeline) starts afresh.
    DeduplicationPipeline.from_crawler(make_crawler()).process_item(article(1))


def test_deduplication_can_be_switched_off() -> None:
    with pytest.raises(NotConfigured):
        DeduplicationPipeline.from_crawler(make_crawler({"BELTA_DEDUPLICATE": "False"}))


# --- archive ------------------------------------------------------------------------------


#: The run keeper owns the archive; the pipeline stores through it.
KEEPER = {"EXTENSIONS": {"beltacrawl.keeper.RunKeeper": 600}, "BELTA_RECORD_RUN": True}


def archive_crawler(path: Path, **settings: Any) -> Any:
    """A crawler whose run keeper has opened (and locked) the archive at ``path``."""
    crawler = make_crawler({**KEEPER, "BELTA_ARCHIVE": str(path), **settings})
    keeper_of(crawler).spider_opened(crawler.spider)
    return crawler


def open_archive_pipeline(path: Path, **settings: Any) -> tuple[Any, ArchivePipeline]:
    crawler = archive_crawler(path, **settings)
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    return crawler, pipeline


def close(crawler: Any, pipeline: ArchivePipeline, reason: str = "finished") -> None:
    pipeline.close_spider()
    results = asyncio.run(
        crawler.signals.send_catch_log_async(
            signals.spider_closed, spider=crawler.spider, reason=reason
        )
    )
    # Only the keeper's handler matters here (CoreStats never saw spider_opened).
    keeper = keeper_of(crawler)
    ours = [result for receiver, result in results if receiver == keeper.spider_closed]
    assert ours == [None]


def test_archive_pipeline_writes_in_batches_and_records_the_run(tmp_path: Path) -> None:
    path = tmp_path / "data" / "belta.sqlite"
    with Archive.open(path) as archive:
        archive.store.upsert_many([dataclasses.asdict(article(1)), dataclasses.asdict(article(2))])

    crawler, pipeline = open_archive_pipeline(path, BELTA_ARCHIVE_BATCH_SIZE=3)
    items = [
        article(1),  # unchanged
        article(2, body="Neu.", content_hash="new"),  # updated
        article(3),
        article(4),
        article(5),
    ]
    with Archive.open(path, readonly=True) as reader:
        for n, item in enumerate(items, 1):
            assert pipeline.process_item(item) is item
            assert reader.store.count() == (2 if n < 3 else 3)  # first batch of 3 written
        close(crawler, pipeline)
        assert reader.store.count() == 5
        stats = stats_of(crawler)
        assert (stats["archive/new"], stats["archive/updated"], stats["archive/unchanged"]) == (
            3,
            1,
            1,
        )
        run = reader.ledger.recent_runs(1)[0]
        assert run.id == stats["archive/run_id"]
        assert run.spider == "belta"
        assert run.arguments == {"mode": "incremental", "rubrics": "economics"}
        assert run.finish_reason == "finished"
        assert (run.new, run.updated, run.unchanged, run.failed) == (3, 1, 1, 0)
        assert run.stats is not None
        assert run.stats["archive/new"] == 3
    # The run lock was released with the spider.
    ArchiveLock(path.with_name("belta.sqlite.lock")).acquire().release()


def test_archive_pipeline_holds_the_lock_while_open(tmp_path: Path) -> None:
    path = tmp_path / "belta.sqlite"
    crawler, pipeline = open_archive_pipeline(path)
    second_crawler = make_crawler({**KEEPER, "BELTA_ARCHIVE": str(path)})
    with pytest.raises(CloseSpider) as refused:
        keeper_of(second_crawler).spider_opened(second_crawler.spider)
    assert refused.value.reason == ARCHIVE_LOCKED
    second = ArchivePipeline.from_crawler(second_crawler)
    second.open_spider()
    assert stats_of(second_crawler)["archive/locked_by_pid"] == os.getpid()
    # The refused crawl closes without touching the archive or the other crawl's lock.
    second.process_item(article(9))
    close(second_crawler, second, reason=ARCHIVE_LOCKED)
    pipeline.process_item(article(1))
    close(crawler, pipeline)
    with Archive.open(path, readonly=True) as reader:
        assert [r.finish_reason for r in reader.ledger.recent_runs()] == ["finished"]
        assert reader.store.lookup(["1-2024", "9-2024"]).keys() == {"1-2024"}


def test_archive_pipeline_keeps_good_records_of_a_bad_batch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "belta.sqlite"
    crawler, pipeline = open_archive_pipeline(path, BELTA_ARCHIVE_BATCH_SIZE=10)
    pipeline.process_item(article(1))
    pipeline.process_item(article(2, key="3-2024"))  # not validated: the archive refuses it
    pipeline.process_item(article(4))
    close(crawler, pipeline)
    assert stats_of(crawler)["archive/new"] == 2
    assert stats_of(crawler)["archive/errors"] == 1
    assert "Cannot archive https://deu.belta.by/economics/view/artikel-2-2024/" in caplog.text
    with Archive.open(path, readonly=True) as reader:
        assert reader.store.count() == 2


def test_archive_pipeline_survives_a_busy_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive_database, "BUSY_TIMEOUT_MS", 20)
    path = tmp_path / "belta.sqlite"
    crawler, pipeline = open_archive_pipeline(path, BELTA_ARCHIVE_BATCH_SIZE=2)
    close_requests: list[str] = []
    monkeypatch.setattr(pipeline, "stop_crawl", close_requests.append)
    blocker = sqlite3.connect(path, isolation_level=None)

    blocker.execute("BEGIN IMMEDIATE")  # e.g. an analyst's tool holding a write transaction
    pipeline.process_item(article(1))
    pipeline.process_item(article(2))  # this batch cannot be written: kept for later
    assert stats_of(crawler)["archive/write_failures"] == 1
    blocker.execute("COMMIT")
    pipeline.process_item(article(3))  # the next flush writes the kept batch too
    assert stats_of(crawler)["archive/new"] == 3
    pipeline.process_item(article(4))  # buffered

    blocker.execute("BEGIN IMMEDIATE")  # now for good: three failures in a row stop the crawl
    pipeline.process_item(article(5))
    pipeline.process_item(article(6))
    assert close_requests == []
    pipeline.process_item(article(7))
    assert close_requests == [ARCHIVE_UNWRITABLE]
    assert stats_of(crawler)["archive/write_failures"] == 4
    assert stats_of(crawler)["archive/lost"] == 4
    pipeline.process_item(article(8))  # arrives while the spider closes: not archived
    assert stats_of(crawler)["archive/lost"] == 5
    blocker.execute("COMMIT")
    blocker.close()
    close(crawler, pipeline, reason=ARCHIVE_UNWRITABLE)
    with Archive.open(path, readonly=True) as reader:
        assert reader.store.count() == 3
        assert reader.ledger.recent_runs(1)[0].finish_reason == ARCHIVE_UNWRITABLE


def test_archive_pipeline_settings() -> None:
    with pytest.raises(NotConfigured):
        ArchivePipeline.from_crawler(make_crawler({"BELTA_ARCHIVE": ""}))
    with pytest.raises(ValueError, match="BELTA_ARCHIVE_BATCH_SIZE"):
        ArchivePipeline.from_crawler(make_crawler({"BELTA_ARCHIVE_BATCH_SIZE": 0}))
    pipeline = ArchivePipeline.from_crawler(make_crawler({"BELTA_ARCHIVE": "data/belta.sqlite"}))
    assert pipeline.batch_size == 100


def test_pipelines_use_the_current_signatures() -> None:
    """No spider arguments: Scrapy 2.19 deprecates them."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScrapyDeprecationWarning)
        manager = ItemPipelineManager.from_crawler(
            make_crawler({"ITEM_PIPELINES": PIPELINES, "BELTA_ARCHIVE": ""})
        )
    assert len(manager.middlewares) == 2


# --- a real crawl -------------------------------------------------------------------------

SPIDER = """
from pathlib import Path
from types import SimpleNamespace

import scrapy

from beltacrawl.items import Article


class ItemsSpider(scrapy.Spider):
    name = "belta"  # the run keeper records runs of this spider only
    arguments = SimpleNamespace(raw={"mode": "test"})

    async def start(self):
        Path("started").write_text("yes")
        for n in range(1, 6):
            yield Article(
                url=f"https://deu.belta.by/economics/view/a-{n}-2024/", key=f"{n}-2024",
                article_id=n, article_year=2024, kind="article", title="T", body="B",
                published_at="2024-03-01T10:00:00+03:00", content_hash="h",
            )
        yield Article(url="https://deu.belta.by/economics/view/a-1-2024/")  # invalid
"""


def run_crawl(project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(ROOT)])}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "belta"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_a_crawl_stores_items_and_a_locked_archive_stops_the_next(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "tproj" / "spiders").mkdir(parents=True)
    (project / "scrapy.cfg").write_text("[settings]\ndefault = tproj.settings\n")
    (project / "tproj" / "__init__.py").write_text("")
    (project / "tproj" / "spiders" / "__init__.py").write_text("")
    (project / "tproj" / "spiders" / "items.py").write_text(textwrap.dedent(SPIDER))
    (project / "tproj" / "settings.py").write_text(
        f"SPIDER_MODULES = ['tproj.spiders']\nITEM_PIPELINES = {PIPELINES!r}\n"
        f"EXTENSIONS = {KEEPER['EXTENSIONS']!r}\n"
        # beltacrawl's `scrapy crawl`: the one command that records runs.
        "COMMANDS_MODULE = 'beltacrawl.commands'\n"
        "BELTA_ARCHIVE = 'data/belta.sqlite'\nTELNETCONSOLE_ENABLED = False\n"
        "LOG_LEVEL = 'INFO'\n"
    )
    archive_path = project / "data" / "belta.sqlite"

    done = run_crawl(project)
    assert done.returncode == 0, done.stderr
    assert "Closing spider (finished)" in done.stderr
    with Archive.open(archive_path, readonly=True) as reader:
        assert reader.store.count() == 5
        runs = reader.ledger.recent_runs()
        assert [(r.finish_reason, r.new, r.arguments) for r in runs] == [
            ("finished", 5, {"mode": "test"})
        ]

    (project / "started").unlink()
    with ArchiveLock(project / "data" / "belta.sqlite.lock"):
        refused = run_crawl(project)
    assert f"archive is locked by process {os.getpid()}" in refused.stderr
    assert f"Closing spider ({ARCHIVE_LOCKED})" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (project / "started").exists()  # the spider never started
    with Archive.open(archive_path, readonly=True) as reader:
        assert len(reader.ledger.recent_runs()) == 1
