"""Crawl throughput: ``scrapy crawl belta`` against a no-op spider fetching the same pages.

``python -m bench.throughput [--quick] [--articles N] [--rounds R]``

The replica runs in its own process (``bench.replica --prerender``: pages rendered
beforehand, so the server is never the limit). Politeness is off for the benchmark only
(``DOWNLOAD_DELAY=0``, ``AUTOTHROTTLE_ENABLED=0``, 16 concurrent requests). Per round:

1. ``scrapy crawl belta`` with the JSON Lines feed and a fresh SQLite archive;
2. ``scrapy runspider bench/noop_spider.py`` on exactly the URLs the belta run requested
   (from the replica's request log), same settings, no feed, no archive, no parsing.

Wall time is the process's; the page rate counts from the first to the last request the
replica served (start-up and shutdown excluded); CPU is user + system of the crawl
process alone (``os.wait4``). "Own CPU" is belta's CPU above the no-op spider's, per page.
Target: belta's page rate at least 80% of the no-op spider's.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench.common import (
    Replica,
    RunFigures,
    belta_command,
    header,
    noop_command,
    parse_settings,
    run_measured,
    served_span,
    table,
)

TARGET_SHARE = 0.8


class Run:
    """One crawl: its process figures and the requests the replica served it."""

    def __init__(self, name: str, figures: RunFigures, requests: list[dict]) -> None:
        self.name = name
        self.figures = figures
        self.pages = len(requests)
        self.span = served_span(requests)
        self.items = 0
        self.archive_mb = 0.0

    @property
    def rate(self) -> float:
        return self.pages / self.span if self.span else 0.0


def summary_row(runs: list[Run]) -> tuple[list[object], float, float]:
    """A table row from all rounds of one crawler: the fastest round's times, the least
    CPU of any round (CPU is the figure least disturbed by other load on the machine).

    Returns the row, the best page rate and the CPU-bound page rate (pages per CPU s).
    """
    fastest = max(runs, key=lambda run: run.rate)
    cpu = min(run.figures.cpu for run in runs)
    cpu_rate = fastest.pages / cpu if cpu else 0.0
    row: list[object] = [
        fastest.name,
        fastest.pages,
        f"{fastest.figures.wall:.2f}",
        f"{fastest.span:.2f}",
        f"{fastest.rate:.0f}",
        f"{cpu:.2f}",
        f"{1000 * cpu / max(fastest.pages, 1):.2f}",
        f"{cpu_rate:.0f}",
        f"{max(run.figures.maxrss_mb for run in runs):.0f}",
    ]
    return row, fastest.rate, cpu_rate


def crawl_pair(
    replica: Replica, workdir: Path, url_file: Path, extra: dict[str, str]
) -> tuple[Run, Run]:
    replica.clear()
    belta_dir = Path(tempfile.mkdtemp(dir=workdir))
    command = belta_command(replica.base_url, belta_dir, extra=extra)
    figures = run_measured(command, belta_dir / "log.txt")
    if figures.returncode != 0:
        raise RuntimeError(f"scrapy crawl belta failed:\n{figures.log[-3000:]}")
    requests = replica.requests()
    belta = Run("belta (feed + archive)", figures, requests)
    belta.items = figures.stat("item_scraped_count") or 0
    belta.archive_mb = (belta_dir / "belta.sqlite").stat().st_size / 2**20
    if not url_file.exists():
        urls = [replica.base_url + r["path"] for r in requests if r["path"] != "/robots.txt"]
        url_file.write_text("\n".join(urls) + "\n")
    replica.clear()
    figures = run_measured(noop_command(url_file), workdir / "noop-log.txt")
    if figures.returncode != 0:
        raise RuntimeError(f"the no-op spider failed:\n{figures.log[-3000:]}")
    return belta, Run("no-op spider", figures, replica.requests())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="150 articles, one round")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting for the belta run (e.g. to measure a setting's effect)",
    )
    args = parser.parse_args(argv)
    articles, rounds = (150, 1) if args.quick else (args.articles, args.rounds)

    header(f"Crawl throughput: belta against a no-op spider ({articles} replica articles)")
    with tempfile.TemporaryDirectory() as tmp, Replica(articles, prerender=True) as replica:
        workdir = Path(tmp)
        url_file = workdir / "urls.txt"
        extra = parse_settings(args.set)
        pairs = [crawl_pair(replica, workdir, url_file, extra) for _ in range(rounds)]
    belta_row, belta_rate, belta_cpu_rate = summary_row([pair[0] for pair in pairs])
    noop_row, noop_rate, noop_cpu_rate = summary_row([pair[1] for pair in pairs])
    print(
        table(
            [
                "crawler",
                "pages",
                "wall s",
                "crawl s",
                "pages/s",
                "CPU s",
                "CPU ms/page",
                "pages/CPU s",
                "peak MB",
            ],
            [belta_row, noop_row],
        )
    )
    share = belta_rate / noop_rate if noop_rate else 0.0
    cpu_share = belta_cpu_rate / noop_cpu_rate if noop_cpu_rate else 0.0
    pages = max(pair[0].pages for pair in pairs)
    own = 1000 * (1 / belta_cpu_rate - 1 / noop_cpu_rate) if noop_cpu_rate else 0.0
    verdict = "met" if share >= TARGET_SHARE else "MISSED"
    print(
        f"\n{rounds} round(s): times of the fastest, CPU of the least busy. belta stored "
        f"{pairs[0][0].items} articles (archive {pairs[0][0].archive_mb:.1f} MB) "
        f"from {pages} pages.\n"
        f"belta's page rate is {100 * share:.0f}% of the no-op spider's "
        f"(target ≥ {100 * TARGET_SHARE:.0f}%: {verdict}); "
        f"CPU-bound (pages per CPU second) {100 * cpu_share:.0f}%.\n"
        f"Own CPU above the no-op spider: {own:.2f} ms per page."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
