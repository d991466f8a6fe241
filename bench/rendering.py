"""What browser rendering costs per page, against the replica (docs/rendering.md).

``python -m bench.rendering [--articles 100] [--quick]`` crawls a replica with each
``render`` mode, once one page at a time (the cost of one page) and once four at a time,
and prints a Markdown table. The replica serves its pages as HTML, or with listings and
article bodies filled by a script (``scripted``); it answers in about a millisecond, so
the figures are the crawler's own cost per page, not the network's. Peak memory is
``memusage/max``: the crawler plus, in browser modes, Playwright's driver and Chromium
(a sum of resident set sizes, so an upper bound).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.common import header, table
from tests.crawling import run_crawl
from tests.sitesim import ReplicaServer, SiteModel

#: (label, scripted replica, render mode)
RUNS = (
    ("plain HTTP (never)", False, "never"),
    ("browser, every page (always)", True, "always"),
    ("fallback, site in HTML", False, "fallback"),
    ("fallback, site scripted", True, "fallback"),
)


def measure(articles: int, concurrency: int, workdir: Path) -> list[list[object]]:
    rows: list[list[object]] = []
    for label, scripted, mode in RUNS:
        model = SiteModel(articles=articles, samples=False, scripted=scripted)
        with ReplicaServer(model) as server:
            result = run_crawl(
                server.base_url,
                workdir,
                f"render={mode}",
                settings={
                    "CONCURRENT_REQUESTS": str(concurrency),
                    "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
                    "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": str(concurrency),
                    "MEMUSAGE_CHECK_INTERVAL_SECONDS": "0.5",
                },
            )
        if result.returncode != 0 or len(result.records) != articles:
            raise SystemExit(f"{label}: the run failed\n{result.log[-3000:]}")
        responses = int(result.stat("downloader/response_count") or 0)
        seconds = _float_stat(result.log, "elapsed_time_seconds")
        memory = int(result.stat("memusage/max") or 0) / 2**20
        rows.append(
            [label, concurrency, responses, f"{seconds:.1f}", round(1000 * seconds / responses),
             round(memory)]
        )  # fmt: skip
    return rows


def _float_stat(log: str, name: str) -> float:
    line = next(line for line in log.splitlines() if f"'{name}'" in line)
    return float(line.split(":", 1)[1].strip().rstrip(","))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.rendering", description=__doc__)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="20 articles, four at a time")
    args = parser.parse_args(argv)
    articles, concurrencies = (20, (4,)) if args.quick else (args.articles, (1, 4))
    header(f"browser rendering: {articles} articles, samples=False")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for concurrency in concurrencies:
            rows += measure(articles, concurrency, Path(tmp))
    headers = ("run", "pages at a time", "responses", "seconds", "ms per page", "peak MiB")
    print(table(headers, rows))


if __name__ == "__main__":
    main()
