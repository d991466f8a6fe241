"""Browsing a large archive: how fast ``scrapy archive serve`` answers the pages analysts use.

``python -m bench.browse [--quick] [--articles 100000] [--archive PATH] [--rounds 5]``

Builds an archive of ``--articles`` replica articles (the records the replica's pages
carry, stored through the archive's own upsert in batches, as ``bench.incremental`` does:
seconds, where a crawl of 100 000 pages takes minutes; ``bench.scale`` measures that
crawl), one article in a hundred with an earlier version, and a few runs and failures.
``--archive PATH`` measures an existing archive instead (read-only). Each page is asked
of Datasette's app in process (as the server would answer it, without the network): the
first answer (after the templates are compiled), then the best and the median of
``--rounds`` and the least CPU (the robust figure on a shared machine). Target: every page
under 300 ms (best of the rounds). Then the query plans of the facets, naming the indexes
that make them quick (schema versions 6 and 8).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from beltacrawl.archive import Archive
from beltacrawl.browse.app import make_datasette
from beltacrawl.browse.charts import dashboards
from bench.common import header, table
from bench.incremental import _records
from tests.sitesim import SiteModel

TARGET_MS = 300


def build(path: Path, articles: int) -> float:
    """An archive of ``articles`` replica records with versions, runs and failures."""
    started = time.perf_counter()
    model = SiteModel(articles=articles)
    records = _records(model, len(model))
    with Archive.open(path) as archive:
        for start in range(0, len(records), 500):
            archive.store.upsert_many(records[start : start + 500])
        changed = [
            {**record, "body": record["body"] + " /Wird ergänzt/", "content_hash": "f" * 64}
            for record in records[::100]
        ]
        archive.store.upsert_many(changed)
        for run in range(20):
            run_id = archive.ledger.start_run("belta", {"mode": "incremental"})
            if run % 7 == 3:
                url = f"https://deu.belta.by/politics/view/x-{run}-2024/"
                archive.ledger.record_failure(url, f"{run}-2024", "HTTP 503")
            stats = {"archive/new": 20 + run % 5, "archive/updated": run % 3}
            archive.ledger.finish_run(run_id, "finished", stats, problems=[])
    return time.perf_counter() - started


def pages() -> dict[str, str]:
    per_day = dashboards("archive")["articles"]["charts"]["per_day"]["query"]
    # What the dashboard asks with no rubric chosen: its optional [[ … ]] parts dropped.
    per_day = re.sub(r"\[\[.*?\]\]", "", per_day, flags=re.DOTALL)
    chart_data = urllib.parse.urlencode({"sql": per_day, "_shape": "objects"})
    return {
        "article list (newest first, 6 facets)": "/archive/articles",
        "facet page (rubric=economics, 6 facets)": "/archive/articles?rubric=economics",
        "facet page (tag and month chosen)": "/archive/articles?tags__arraycontains=Handel"
        "&published_month=2024-01",
        "search (article list, facets)": "/archive/articles?_search=Kasachstan",
        "search with snippets (canned query)": "/archive/search?words=Kasachstan",
        "chart data (articles per day, 30 days)": f"/archive.json?{chart_data}",
        "chart page (dashboard, 3 charts)": "/-/dashboards/articles",
    }


def measure(path: Path, rounds: int) -> list[list[object]]:
    datasette = make_datasette(path)

    async def timed(url: str) -> tuple[float, float]:
        """Wall and CPU milliseconds of one answer (CPU: every thread of this process)."""
        wall, cpu = time.perf_counter(), time.process_time()
        response = await datasette.client.get(url)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}\n{response.text[:2000]}")
        return wall * 1000, cpu * 1000

    async def run() -> list[list[object]]:
        await datasette.invoke_startup()
        # Compile the table, query and dashboard templates once, as any first visitor does.
        for url in ("/archive/failures", "/archive/last_runs", "/-/dashboards"):
            await timed(url)
        rows: list[list[object]] = []
        for name, url in pages().items():
            first, _ = await timed(url)
            again = [await timed(url) for _ in range(rounds)]
            best = min(wall for wall, _ in again)
            median = statistics.median(wall for wall, _ in again)
            cpu = min(cpu for _, cpu in again)
            verdict = "met" if best < TARGET_MS else "MISSED"
            rows.append(
                [name, f"{first:.0f}", f"{best:.0f}", f"{median:.0f}", f"{cpu:.0f}", verdict]
            )
        return rows

    return asyncio.run(run())


FACET_PLANS = {
    "rubric": "SELECT rubric, count(*) FROM articles GROUP BY rubric",
    "kind": "SELECT kind, count(*) FROM articles GROUP BY kind",
    "kind within a rubric": "SELECT kind, count(*) FROM articles WHERE rubric = 'sport'"
    " GROUP BY kind",
    "article_year": "SELECT article_year, count(*) FROM articles GROUP BY article_year",
    "published_month": "SELECT published_month, count(*) FROM articles GROUP BY published_month",
    "dateline_place": "SELECT dateline_place, count(*) FROM articles GROUP BY dateline_place",
    "tags": "SELECT j.value, count(*) FROM articles, json_each(articles.tags) AS j"
    " GROUP BY j.value",
    "list, newest first": "SELECT * FROM articles ORDER BY published_at DESC, id DESC LIMIT 26",
}


def plans(path: Path) -> list[list[object]]:
    with Archive.open(path, readonly=True) as archive:
        conn = archive.db.conn
        return [
            [name, "; ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))]
            for name, sql in FACET_PLANS.items()
        ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.browse", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 000 articles, 2 rounds")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--archive", type=Path, help="measure this archive instead")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    articles, rounds = (2000, 2) if args.quick else (args.articles, args.rounds)

    header("Browse: Datasette pages over a large archive")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.archive or Path(tmp) / "belta.sqlite"
        if args.archive is None:
            seconds = build(path, articles)
            print(f"built an archive of {articles} articles in {seconds:.0f} s\n")
        with Archive.open(path, readonly=True) as archive:
            count = archive.store.count()
        size_mb = sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20
        print(f"archive: {count} articles, {size_mb:.0f} MB\n", flush=True)
        rows = measure(path, rounds)
        headers = ["page", "first ms", f"best of {rounds} ms", "median ms", "CPU ms", "target"]
        print(table(headers, rows))
        print("\nQuery plans (SQLite's EXPLAIN QUERY PLAN):\n")
        print(table(["facet", "plan"], plans(path)))
    missed = [str(row[0]) for row in rows if row[-1] != "met"]
    verdict = f"MISSED: {', '.join(missed)}" if missed else "met"
    print(f"\nEvery page under {TARGET_MS} ms: {verdict}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
