"""Extraction cost and accuracy: beltacrawl against trafilatura on the same replica pages.

``python -m bench.extraction [--quick] [--pages N] [--rounds R] [--sidebar N]``

Every article page of a replica archive is rendered once into memory. Each extractor
then works through all pages ``R`` times (rounds interleaved; the fastest round counts),
timed in CPU time of this process:

- beltacrawl: ``parsel.Selector`` → ``beltacrawl.parsing.article.parse_article`` →
  ``beltacrawl.loaders.load_article`` (the spider's complete per-page work);
- trafilatura: ``bare_extraction(html, url, with_metadata=True)`` (needs the ``bench``
  extra: ``pip install -e '.[bench]'``).

Both get the decoded page text. Accuracy is measured against the replica's truth
(``SiteModel.expected_record``): title, publication date and time, and the body (exact
after whitespace normalisation, and a word-level difflib similarity ratio).
Then beltacrawl's own work in a real crawl is measured as the issue defines it: the CPU
of ``scrapy crawl belta`` (feed and archive on) above that of a no-op Scrapy spider
fetching the same pages, per article page, marginal between two replica sizes (``--pages``
and 2 000 more) so that start-up is left out.
Target: that own work at most a third of trafilatura's time per page, with better
accuracy; on pages of the live site's size at most a tenth (the redesign's condition).

The replica's article pages are ~5 kB with its default sidebar of 5 articles; the live
site's are ~50 kB, most of it the sidebar and menus around the article:
``--sidebar 120`` makes replica pages of that size.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from parsel import Selector

from beltacrawl.items import Article
from beltacrawl.loaders import load_article
from beltacrawl.parsing.article import parse_article
from beltacrawl.site.dates import MINSK
from beltacrawl.site.urls import parse_article_url
from bench.common import Replica, header, table
from tests.sitesim import SiteModel
from tests.sitesim.routes import route

TARGET_RATIO = 1 / 3
#: The share of the peer's time our extraction may take on pages of the live site's size
#: (``--sidebar 120``), where the sidebar dominates.
REDESIGN_RATIO = 1 / 10
#: The second, larger replica of the own-work measurement has this many more articles.
CRAWL_EXTRA_ARTICLES = 2000
FETCHED_AT = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Page:
    url: str
    html: bytes
    truth: dict[str, Any]


@dataclass
class Scores:
    pages: int = 0
    title: int = 0
    day: int = 0
    published_at: int = 0
    body_exact: int = 0
    body_ratio: list[float] = field(default_factory=list)

    def row(self, name: str, ms: float) -> list[object]:
        def share(count: int) -> str:
            return f"{100 * count / self.pages:.1f}%"

        mean_ratio = sum(self.body_ratio) / len(self.body_ratio) if self.body_ratio else 0.0
        return [
            name,
            f"{ms:.2f}",
            share(self.title),
            share(self.day),
            share(self.published_at),
            share(self.body_exact),
            f"{mean_ratio:.3f}",
        ]


def build_pages(count: int, seed: int = 1, sidebar: int | None = None) -> list[Page]:
    """``count`` article pages of a replica archive (real samples included), newest first;
    ``sidebar`` articles in each page's sidebar (the replica's default when ``None``)."""
    model = SiteModel(seed=seed, articles=count, **({"sidebar_size": sidebar} if sidebar else {}))
    pages = []
    for key in model.keys()[:count]:
        article = model.article(key)
        response = route(model, article.path)
        pages.append(Page(article.url, response.body, model.expected_record(key)))
    return pages


def words(text: str | None) -> list[str]:
    return (text or "").split()


def normal(text: str | None) -> str:
    return " ".join(words(text))


# --- the extractors ------------------------------------------------------------------------


def beltacrawl_article(page: Page) -> Article:
    ref = parse_article_url(page.url)
    assert ref is not None
    raw = parse_article(Selector(text=page.html.decode("utf-8")))
    return load_article(raw, ref, page.url, fetched_at=FETCHED_AT)


def beltacrawl_extract(page: Page) -> dict[str, Any]:
    article = beltacrawl_article(page)
    return {"title": article.title, "published_at": article.published_at, "body": article.body}


def trafilatura_extract(page: Page) -> dict[str, Any]:
    from trafilatura import bare_extraction

    document = bare_extraction(
        page.html.decode("utf-8"),
        url=page.url,
        with_metadata=True,
        include_comments=False,
        date_extraction_params={
            "extensive_search": True,
            "original_date": True,
            "outputformat": "%Y-%m-%d %H:%M",
        },
    )
    if document is None:
        return {}
    published = None
    if document.date:
        try:
            parsed = datetime.strptime(document.date, "%Y-%m-%d %H:%M")
        except ValueError:
            parsed = datetime.strptime(document.date[:10], "%Y-%m-%d")
        published = parsed.replace(tzinfo=MINSK).isoformat(timespec="seconds")
    return {"title": document.title, "published_at": published, "body": document.text}


EXTRACTORS = {"beltacrawl": beltacrawl_extract, "trafilatura": trafilatura_extract}


# --- after extraction: what happens to each record ------------------------------------------


def pipeline_stages(workdir: Path) -> tuple[list[tuple[str, Any]], Any, Any]:
    """The project's item pipelines (in order, as configured), its JSON Lines exporter,
    and the run keeper, which has opened a fresh archive in ``workdir`` as in a crawl."""
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.misc import build_from_crawler, load_object
    from scrapy.utils.project import get_project_settings
    from scrapy.utils.reactor import install_reactor, is_reactor_installed
    from scrapy.utils.test import get_crawler

    from beltacrawl.keeper import keeper_of
    from beltacrawl.spiders.belta import BeltaSpider

    settings = get_project_settings()
    if not is_reactor_installed():
        install_reactor(settings["TWISTED_REACTOR"])
    settings.set("BELTA_ARCHIVE", str(workdir / "belta.sqlite"))
    settings.set("BELTA_RECORD_RUN", True)  # as `scrapy crawl` sets it
    crawler = get_crawler(BeltaSpider, settings.copy_to_dict())
    crawler.spider = crawler.spidercls.from_crawler(crawler)
    keeper = keeper_of(crawler)
    keeper.spider_opened(crawler.spider)
    stages = []
    for path, _ in sorted(crawler.settings.getdict("ITEM_PIPELINES").items(), key=lambda i: i[1]):
        try:
            pipeline = build_from_crawler(load_object(path), crawler)
        except NotConfigured:
            continue
        if hasattr(pipeline, "open_spider"):
            pipeline.open_spider()
        stages.append((path, pipeline))
    feed = (workdir / "articles.jsonl").open("wb")
    exporter = load_object(crawler.settings.getwithbase("FEED_EXPORTERS")["jsonlines"])
    return stages, exporter(feed, encoding="utf-8"), keeper


def item_stages(items: list[Any], rounds: int) -> list[list[object]]:
    """CPU ms per record of each item pipeline and of the feed export (best round)."""
    best: dict[str, float] = {}
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            stages, exporter, keeper = pipeline_stages(Path(tmp))
            assert keeper.archive is not None, "the run keeper opened no archive"
            spent = dict.fromkeys([name for name, _ in stages] + ["JSON Lines feed"], 0.0)
            for item in items:
                for name, pipeline in stages:
                    started = time.process_time()
                    pipeline.process_item(item)
                    spent[name] += time.process_time() - started
                started = time.process_time()
                exporter.export_item(item)
                spent["JSON Lines feed"] += time.process_time() - started
            for name, pipeline in stages:  # the archive writes its last batch here
                if hasattr(pipeline, "close_spider"):
                    started = time.process_time()
                    pipeline.close_spider()
                    spent[name] += time.process_time() - started
            stored = keeper.archive.store.count()
            keeper.spider_closed(keeper.crawler.spider, "finished")
            exporter.file.close()
            assert stored == len(items), f"{stored} of {len(items)} records archived"
        for name, seconds in spent.items():
            best[name] = min(best.get(name, seconds), seconds)
    rows: list[list[object]] = [
        [name, f"{1000 * seconds / len(items):.3f}"] for name, seconds in best.items()
    ]
    rows.append(["total", f"{1000 * sum(best.values()) / len(items):.3f}"])
    return rows


def score(results: list[dict[str, Any]], pages: list[Page]) -> Scores:
    scores = Scores(pages=len(pages))
    for result, page in zip(results, pages, strict=True):
        truth = page.truth
        scores.title += normal(result.get("title")) == normal(truth["title"])
        published = result.get("published_at") or ""
        scores.day += published[:10] == truth["published_at"][:10]
        scores.published_at += published == truth["published_at"]
        scores.body_exact += normal(result.get("body")) == normal(truth["body"])
        matcher = difflib.SequenceMatcher(
            None, words(result.get("body")), words(truth["body"]), autojunk=False
        )
        scores.body_ratio.append(matcher.ratio())
    return scores


def timed(extract, pages: list[Page]) -> tuple[float, list[dict[str, Any]]]:
    """CPU seconds for all pages, and the results."""
    started = time.process_time()
    results = [extract(page) for page in pages]
    return time.process_time() - started, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extraction", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="40 pages, one round")
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--crawl-rounds",
        type=int,
        default=5,
        help="rounds of the four crawls that measure own work in a crawl",
    )
    parser.add_argument(
        "--sidebar",
        type=int,
        default=None,
        help="articles in each article page's sidebar (120: pages of the live site's ~50 kB)",
    )
    args = parser.parse_args(argv)
    count, rounds = (40, 1) if args.quick else (args.pages, args.rounds)
    crawl_rounds = 1 if args.quick else args.crawl_rounds
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        print("trafilatura is missing: pip install -e '.[bench]'", file=sys.stderr)
        return 2

    header("Extraction: CPU per article page and accuracy against the replica's truth")
    pages = build_pages(count, sidebar=args.sidebar)
    page_kb = sum(len(page.html) for page in pages) / len(pages) / 1024
    print(f"{len(pages)} article pages, {page_kb:.1f} kB each on average\n")
    for extract in EXTRACTORS.values():  # warm-up: imports, dateparser, compiled queries
        timed(extract, pages[:5])
    best: dict[str, float] = {}
    results: dict[str, list[dict[str, Any]]] = {}
    for _ in range(rounds):
        for name, extract in EXTRACTORS.items():
            seconds, results[name] = timed(extract, pages)
            best[name] = min(best.get(name, seconds), seconds)
    rows = []
    for name in EXTRACTORS:
        ms = 1000 * best[name] / len(pages)
        rows.append(score(results[name], pages).row(name, ms))
    print(
        table(
            [
                "extractor",
                "CPU ms/page",
                "title",
                "date",
                "date+time",
                "body exact",
                "body similarity",
            ],
            rows,
        )
    )
    print(
        "\nAfter extraction, each record goes through the project's item pipelines and the "
        "feed\n(in process, CPU per record, best round):\n"
    )
    articles = [beltacrawl_article(page) for page in pages]
    print(table(["stage", "CPU ms/record"], item_stages(articles, rounds)))
    sizes = (40, 140) if args.quick else (args.pages, args.pages + CRAWL_EXTRA_ARTICLES)
    own, crawl_rows = own_work_in_crawl(sizes, crawl_rounds, args.sidebar)
    print(
        "\nbeltacrawl's own work in a real crawl: `scrapy crawl belta` (feed + archive) "
        "against\na no-op spider fetching the same pages, on replicas of two sizes (least "
        f"CPU of each\ncrawler over {crawl_rounds} rounds); the difference of the differences, per "
        "article, leaves\nstart-up out and carries the listing pages' share:\n"
    )
    print(table(["articles", "pages", "belta CPU s", "no-op CPU s", "above no-op s"], crawl_rows))
    in_process = best["beltacrawl"] / best["trafilatura"]
    traf_ms = 1000 * best["trafilatura"] / len(pages)
    ratio = own / traf_ms
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    if args.sidebar:
        verdict += f"; ≤ {REDESIGN_RATIO:.2f}× on these pages: "
        verdict += "met" if ratio <= REDESIGN_RATIO else "MISSED"
    print(
        f"\n{len(pages)} pages, best of {rounds} round(s). beltacrawl's extraction alone "
        f"takes {in_process:.2f}× trafilatura's time per page; its own work in a crawl "
        f"(extraction, pipelines, storage, feed, listing pages, Scrapy's handling of every "
        f"item) {own:.2f} ms per article, {ratio:.2f}× trafilatura's {traf_ms:.2f} ms "
        f"(target ≤ {TARGET_RATIO:.2f}×: {verdict})."
    )
    return 0


def own_work_in_crawl(
    sizes: tuple[int, int], rounds: int, sidebar: int | None = None
) -> tuple[float, list[list[object]]]:
    """CPU ms per article of ``scrapy crawl belta`` above the no-op spider, marginal
    between two replica sizes, and a table row per size.

    The four crawls of a round run back to back and the rounds follow each other, so a
    slow spell of the machine touches every figure alike; each figure is its least CPU
    over the rounds.
    """
    from bench.throughput import crawl_pair

    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        replicas = [
            stack.enter_context(Replica(articles, prerender=True, sidebar=sidebar))
            for articles in sizes
        ]
        pairs: list[list[Any]] = [[] for _ in sizes]
        for _ in range(rounds):
            for index, replica in enumerate(replicas):
                workdir = tmp / str(index)
                workdir.mkdir(exist_ok=True)
                pairs[index].append(crawl_pair(replica, workdir, workdir / "urls.txt", {}))
    cpu: list[tuple[int, float, float]] = []
    rows: list[list[object]] = []
    for size_pairs in pairs:
        belta = min(pair[0].figures.cpu for pair in size_pairs)
        noop = min(pair[1].figures.cpu for pair in size_pairs)
        items, pages = size_pairs[0][0].items, size_pairs[0][0].pages
        cpu.append((items, belta, noop))
        rows.append([items, pages, f"{belta:.2f}", f"{noop:.2f}", f"{belta - noop:.2f}"])
    (items1, belta1, noop1), (items2, belta2, noop2) = cpu
    own = 1000 * ((belta2 - belta1) - (noop2 - noop1)) / max(items2 - items1, 1)
    return own, rows


if __name__ == "__main__":
    sys.exit(main())
