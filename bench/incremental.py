"""Incremental runs and the archive: requests per new article, write throughput, memory.

``python -m bench.incremental [--quick] [--big 100000]``

1. Steady state: a replica of 300 articles is archived once; then, round after round, the
   site publishes a few articles and an incremental ``scrapy crawl belta`` runs. Reported
   per round: new articles, listing pages, article pages requested for new articles and
   for refreshes (copies taken young, fetched again by design: ``BELTA_REFRESH_HOURS``),
   requests per new article. Target: one article request per new article, and no more
   listing pages than hold the new articles plus the stop margin (``BELTA_KNOWN_STREAK``
   entries): two pages for an hourly run's few articles. Refreshes are reported beside.
2. Archive write throughput: ``Archive.upsert_many`` in batches of 100 (the pipeline's
   default), new records and unchanged re-fetches. Target: at least 5 000 records/s.
3. Memory: the same incremental run (5 new articles) over an archive of ``--big`` articles
   and over one of 300; peak resident memory of the crawl process. Target: less than
   50 MB apart — the spider asks the archive per listing page, it never loads all keys.

The replica runs in a thread here (only its request log matters); each crawl is a child
process measured with ``os.wait4``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from beltacrawl.archive import Archive
from bench.common import belta_command, header, run_measured, table
from tests.sitesim import ReplicaServer, SiteModel

ROUNDS = (5, 1, 12, 22, 0)
#: The default margin of archived entries after which a walk stops (BELTA_KNOWN_STREAK).
KNOWN_STREAK = 10


def _requests(server: ReplicaServer) -> tuple[int, int]:
    paths = [r.path for r in server.requests if "robots" not in r.path]
    articles = sum("/view/" in path for path in paths)
    return len(paths) - articles, articles


def _crawl(server: ReplicaServer, workdir: Path, archive: Path):
    command = belta_command(
        server.base_url, workdir, extra={"BELTA_ARCHIVE": str(archive), "LOG_LEVEL": "INFO"}
    )
    figures = run_measured(command, workdir / "log.txt")
    if figures.returncode != 0:
        raise RuntimeError(f"scrapy crawl belta failed:\n{figures.log[-3000:]}")
    return figures


def steady_state(workdir: Path, rounds: tuple[int, ...]) -> list[list[object]]:
    model = SiteModel(articles=300, samples=False, recent=0)
    archive = workdir / "steady.sqlite"
    rows: list[list[object]] = []
    with ReplicaServer(model) as server:
        _crawl(server, workdir, archive)
        for new in rounds:
            model.publish(new)
            server.clear_requests()
            figures = _crawl(server, workdir, archive)
            listings, articles = _requests(server)
            refreshed = figures.stat("belta/articles/refreshed") or 0
            fetched_new = articles - refreshed
            per_new = f"{(listings + fetched_new) / new:.2f}" if new else "–"
            needed = -(-(new + KNOWN_STREAK) // model.page_size)
            verdict = "met" if fetched_new <= new and listings <= needed else "MISSED"
            rows.append([new, listings, needed, fetched_new, refreshed, per_new, verdict])
    return rows


def _records(model: SiteModel, count: int) -> list[dict]:
    fetched = model.now.isoformat(timespec="seconds")
    records = []
    for key in model.keys()[:count]:
        record = model.expected_record(key)
        record.update(
            fetched_url=record["url"],
            body_html=f"<p>{record['body']}</p>",
            content_hash=str(hash(record["body"]) & 0xFFFFFFFF).rjust(64, "0"),
            fetched_at=fetched,
        )
        records.append(record)
    return records


def write_throughput(workdir: Path, count: int) -> list[list[object]]:
    model = SiteModel(articles=count, samples=False)
    records = _records(model, count)
    rows = []
    with Archive.open(workdir / "throughput.sqlite") as archive:
        for label in ("new", "unchanged re-fetch"):
            started = time.perf_counter()
            for start in range(0, len(records), 100):
                archive.store.upsert_many(records[start : start + 100])
            seconds = time.perf_counter() - started
            rate = len(records) / seconds
            rows.append([label, len(records), f"{seconds:.2f}", f"{rate:,.0f}",
                         "met" if rate >= 5000 else "MISSED"])  # fmt: skip
    return rows


def _archive_of(model: SiteModel, path: Path, count: int) -> None:
    """An archive holding the ``count`` newest articles, their stretch marked covered."""
    records = _records(model, count)
    with Archive.open(path) as archive:
        for start in range(0, len(records), 500):
            archive.store.upsert_many(records[start : start + 500])
        newest, oldest = records[0]["published_at"], records[-1]["published_at"]
        archive.ledger.extend_coverage(
            "all_news", datetime.fromisoformat(oldest), datetime.fromisoformat(newest)
        )


def memory(workdir: Path, big: int) -> list[list[object]]:
    rows = []
    for size in (300, big):
        model = SiteModel(articles=size, samples=False, recent=0)
        archive = workdir / f"memory-{size}.sqlite"
        started = time.perf_counter()
        _archive_of(model, archive, size)
        built = time.perf_counter() - started
        model.publish(5)
        with ReplicaServer(model) as server:
            figures = _crawl(server, workdir, archive)
            listings, articles = _requests(server)
        size_mb = archive.stat().st_size / 2**20
        rows.append([size, f"{size_mb:.0f}", f"{built:.0f}", listings, articles,
                     f"{figures.wall:.1f}", f"{figures.maxrss_mb:.0f}"])  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.incremental", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="two rounds, small archives")
    parser.add_argument("--big", type=int, default=100_000)
    args = parser.parse_args(argv)
    rounds = ROUNDS[:2] if args.quick else ROUNDS
    records = 2_000 if args.quick else 20_000
    big = 2_000 if args.quick else args.big
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        header("Incremental runs: requests per new article (steady state)")
        print(table(["new articles", "listing pages", "pages holding new + margin",
                     "new-article requests", "refresh requests",
                     "requests per new article", "target"],
                    steady_state(workdir, rounds)))  # fmt: skip
        header("Archive write throughput (batches of 100)")
        print(table(["records", "count", "seconds", "records/s", "≥ 5 000/s"],
                    write_throughput(workdir, records)))  # fmt: skip
        header("Peak memory of an incremental run (5 new articles)")
        rows = memory(workdir, big)
        print(table(["archived articles", "archive MB", "built in s", "listing pages",
                     "article requests", "wall s", "peak RSS MB"], rows))  # fmt: skip
        apart = abs(float(rows[1][-1]) - float(rows[0][-1]))
        print(f"\nPeak memory {apart:.0f} MB apart (target < 50 MB): "
              f"{'met' if apart < 50 else 'MISSED'}.")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
