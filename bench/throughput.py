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
    def __init__(self, name: str, figures: RunFigures, requests: list[dict]) -> None:
        self.name = name
        self.figures = figures
        self.pages = len(requests)
        self.span = served_span(requests)

    @property
    def rate(self) -> float:
        return self.pages / self.span if self.span else 0.0

    def row(self) -> list[object]:
        f = self.figures
        return [
            self.name,
            self.pages,
            f"{f.wall:.2f}",
            f"{self.span:.2f}",
            f"{self.rate:.0f}",
            f"{f.cpu:.2f}",
            f"{1000 * f.cpu / max(self.pages, 1):.2f}",
            f"{f.maxrss_mb:.0f}",
        ]


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
    belta.items = figures.stat("item_scraped_count") or 0  # type: ignore[attr-defined]
    belta.archive_mb = (belta_dir / "belta.sqlite").stat().st_size / 2**20  # type: ignore[attr-defined]
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
    # The fastest round of each (least disturbed by anything else on the machine).
    belta = max((pair[0] for pair in pairs), key=lambda run: run.rate)
    noop = max((pair[1] for pair in pairs), key=lambda run: run.rate)
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
                "peak MB",
            ],
            [belta.row(), noop.row()],
        )
    )
    share = belta.rate / noop.rate if noop.rate else 0.0
    own = 1000 * (belta.figures.cpu - noop.figures.cpu) / max(belta.pages, 1)
    verdict = "met" if share >= TARGET_SHARE else "MISSED"
    print(
        f"\nbest of {rounds} round(s); belta stored {belta.items} articles "  # type: ignore[attr-defined]
        f"(archive {belta.archive_mb:.1f} MB).\n"  # type: ignore[attr-defined]
        f"belta's page rate is {100 * share:.0f}% of the no-op spider's "
        f"(target ≥ {100 * TARGET_SHARE:.0f}%: {verdict}); "
        f"own CPU above the no-op spider: {own:.2f} ms per page."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
