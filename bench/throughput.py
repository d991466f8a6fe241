"""Crawl throughput: ``scrapy crawl belta`` against a no-op spider fetching the same pages.

``python -m bench.throughput [--quick] [--articles N] [--rounds R] [--sidebar N]``

The replica runs in its own process (``bench.replica --prerender``: pages rendered
beforehand, so the server is never the limit). Politeness is off for the benchmark only
(``DOWNLOAD_DELAY=0``, ``AUTOTHROTTLE_ENABLED=0``, 16 concurrent requests). Per round:

1. ``scrapy crawl belta`` with the JSON Lines feed and a fresh SQLite archive;
2. ``scrapy runspider bench/noop_spider.py`` on exactly the URLs the belta run requested
   (from the replica's request log), same settings, no feed, no archive, no parsing.

Wall time is the process's; the page rate counts from the first to the last request the
replica served (start-up and shutdown excluded); CPU is user + system of the crawl
process alone (``os.wait4``). "Own CPU" is belta's CPU above the no-op spider's, per page.
Target: belta's page rate at least 80% of the no-op spider's. ``--sidebar 120`` serves
article pages of the live site's size (~50 kB, bench/extraction.py).
"""

from __future__ import annotations

import argparse
import os
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

    def __init__(
        self, name: str, figures: RunFigures, requests: list[dict], replica_cpu: float
    ) -> None:
        self.name = name
        self.figures = figures
        self.replica_cpu = replica_cpu
        """CPU seconds the replica spent serving this crawl."""
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
        f"{1000 * min(run.replica_cpu for run in runs) / max(fastest.pages, 1):.2f}",
        f"{max(run.figures.maxrss_mb for run in runs):.0f}",
    ]
    return row, fastest.rate, cpu_rate


def crawl_pair(
    replica: Replica, workdir: Path, url_file: Path, extra: dict[str, str]
) -> tuple[Run, Run]:
    replica.clear()
    belta_dir = Path(tempfile.mkdtemp(dir=workdir))
    command = belta_command(replica.base_url, belta_dir, extra=extra)
    replica_cpu = replica.cpu_seconds()
    figures = run_measured(command, belta_dir / "log.txt")
    replica_cpu = replica.cpu_seconds() - replica_cpu
    if figures.returncode != 0:
        raise RuntimeError(f"scrapy crawl belta failed:\n{figures.log[-3000:]}")
    requests = replica.requests()
    belta = Run("belta (feed + archive)", figures, requests, replica_cpu)
    belta.items = figures.stat("item_scraped_count") or 0
    belta.archive_mb = (belta_dir / "belta.sqlite").stat().st_size / 2**20
    if not url_file.exists():
        urls = [replica.base_url + r["path"] for r in requests if r["path"] != "/robots.txt"]
        url_file.write_text("\n".join(urls) + "\n")
    replica.clear()
    replica_cpu = replica.cpu_seconds()
    figures = run_measured(noop_command(url_file), workdir / "noop-log.txt")
    replica_cpu = replica.cpu_seconds() - replica_cpu
    if figures.returncode != 0:
        raise RuntimeError(f"the no-op spider failed:\n{figures.log[-3000:]}")
    return belta, Run("no-op spider", figures, replica.requests(), replica_cpu)


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
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also crawl with parts of beltacrawl switched off, to show what each costs",
    )
    parser.add_argument(
        "--sidebar",
        type=int,
        default=None,
        help="articles in each article page's sidebar (120: pages of the live site's ~50 kB)",
    )
    args = parser.parse_args(argv)
    articles, rounds = (150, 1) if args.quick else (args.articles, args.rounds)

    header(f"Crawl throughput: belta against a no-op spider ({articles} replica articles)")
    with (
        tempfile.TemporaryDirectory() as tmp,
        Replica(articles, prerender=True, sidebar=args.sidebar) as replica,
    ):
        workdir = Path(tmp)
        url_file = workdir / "urls.txt"
        extra = parse_settings(args.set)
        pairs = [crawl_pair(replica, workdir, url_file, extra) for _ in range(rounds)]
        startup = startup_cpu(workdir)
        breakdown = cost_breakdown(replica, workdir, rounds) if args.breakdown else []
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
                "replica CPU ms/page",
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
    print(cpu_budget(pairs, noop_rate, startup))
    if breakdown:
        noop = min(pair[1].figures.cpu for pair in pairs)
        items = pairs[0][0].items
        rows = [
            [name, f"{cpu:.2f}", f"{1000 * (cpu - noop) / items:.2f}"] for name, cpu in breakdown
        ]
        print(
            "\nWhat the parts cost: belta with parts switched off (least CPU of "
            f"{rounds} round(s)), above the no-op spider per article:\n"
        )
        print(table(["belta crawl", "CPU s", "above no-op ms/article"], rows))
    return 0


#: Crawls of the breakdown: what is switched off (settings, and whether the feed is on).
BREAKDOWN = {
    "complete (feed + archive)": ({}, True),
    "without the feed": ({}, False),
    "without item pipelines": ({"ITEM_PIPELINES": "{}"}, True),
    "without spidermon": ({"SPIDERMON_ENABLED": "False"}, True),
    "spider alone (none of these)": ({"ITEM_PIPELINES": "{}", "SPIDERMON_ENABLED": "False"}, False),
}


def cost_breakdown(replica: Replica, workdir: Path, rounds: int) -> list[tuple[str, float]]:
    """Least CPU seconds of each :data:`BREAKDOWN` crawl, rounds interleaved."""
    cpu: dict[str, list[float]] = {name: [] for name in BREAKDOWN}
    for _ in range(rounds):
        for name, (settings, feed) in BREAKDOWN.items():
            replica.clear()
            run_dir = Path(tempfile.mkdtemp(dir=workdir))
            command = belta_command(replica.base_url, run_dir, feed=feed, extra=settings)
            figures = run_measured(command, run_dir / "log.txt")
            if figures.returncode != 0:
                raise RuntimeError(f"belta ({name}) failed:\n{figures.log[-3000:]}")
            cpu[name].append(figures.cpu)
    return [(name, min(values)) for name, values in cpu.items()]


def startup_cpu(workdir: Path) -> float:
    """CPU seconds of a crawl process that fetches nothing: start-up and shutdown."""
    empty = workdir / "no-urls.txt"
    empty.write_text("")
    figures = run_measured(noop_command(empty), workdir / "startup-log.txt")
    if figures.returncode != 0:
        raise RuntimeError(f"the no-op spider failed:\n{figures.log[-3000:]}")
    return figures.cpu


def cpu_budget(pairs: list[tuple[Run, Run]], noop_rate: float, startup: float) -> str:
    """Whether the target fits this machine at all: the CPU per page that all its cores
    give at the target rate, against what the no-op crawl and the replica take of it."""
    pages = pairs[0][1].pages
    if not (pages and noop_rate):
        return ""

    def per_page(seconds: float) -> float:
        return 1000 * max(seconds, 0.0) / pages

    cores = os.cpu_count() or 1
    target_rate = TARGET_SHARE * noop_rate
    one_core = 1000 / target_rate
    noop = per_page(min(noop.figures.cpu for _, noop in pairs) - startup)
    belta = per_page(min(belta.figures.cpu for belta, _ in pairs) - startup)
    replica = per_page(min(run.replica_cpu for pair in pairs for run in pair))
    left = cores * one_core - noop - replica
    return (
        f"CPU budget at the target ({target_rate:.0f} pages/s), start-up "
        f"({startup:.2f} CPU s) left out: one core gives {one_core:.2f} ms per page, all "
        f"{cores} give {cores * one_core:.2f}. The no-op crawl takes {noop:.2f} and the "
        f"replica {replica:.2f}, which leaves {min(one_core - noop, left):.2f} ms per page "
        f"for beltacrawl's own work in the crawl process, {left:.2f} even if that work were "
        f"spread over every core. It takes {belta - noop:.2f}."
    )


if __name__ == "__main__":
    sys.exit(main())
