"""What browser rendering costs per page, measured against the replica (docs/rendering.md).

``python -m tests.bench_rendering [--articles 100]`` crawls a replica with each
``render`` mode, once one request at a time (the cost of one page) and once four at a
time, and prints a Markdown table. Peak memory is scrapy-playwright's measure: the
crawler plus the browser's processes (Scrapy's own MemoryUsage in plain runs). The
replica answers in about a millisecond, so the figures are the crawler's own cost per
page, not the network's.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
from pathlib import Path

from tests.crawling import run_crawl
from tests.sitesim import ReplicaServer, SiteModel

#: (label, scripted replica, render mode)
RUNS = (
    ("plain HTTP", False, "never"),
    ("browser, every page", True, "always"),
    ("fallback, site in HTML", False, "fallback"),
    ("fallback, site scripted", True, "fallback"),
)


def measure(articles: int, concurrency: int, workdir: Path) -> list[tuple[str, int, float, float]]:
    rows = []
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
            raise SystemExit(f"{label}: run failed\n{result.log[-3000:]}")
        pages = int(result.stat("downloader/response_count") or 0)
        seconds = float(_float_stat(result.log, "elapsed_time_seconds"))
        memory = int(result.stat("memusage/max") or 0) / 2**20
        rows.append((label, pages, seconds, memory))
    return rows


def _float_stat(log: str, name: str) -> str:
    line = next(line for line in log.splitlines() if f"'{name}'" in line)
    return line.split(":", 1)[1].strip().rstrip(",")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench_rendering")
    parser.add_argument("--articles", type=int, default=100)
    args = parser.parse_args(argv)
    print(f"machine: {platform.machine()}, {_cpu()}, Python {platform.python_version()}")
    print(f"replica: {args.articles} articles, samples=False; LOG_LEVEL=INFO\n")
    print("| run | concurrency | responses | seconds | ms per page | peak memory MiB |")
    print("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for concurrency in (1, 4):
            for label, pages, seconds, memory in measure(args.articles, concurrency, Path(tmp)):
                per_page = 1000 * seconds / pages
                print(
                    f"| {label} | {concurrency} | {pages} | {seconds:.1f} | {per_page:.0f} "
                    f"| {memory:.0f} |"
                )


def _cpu() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or "?"
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return f"{len(names)} × {names[0]}" if names else "?"


if __name__ == "__main__":
    main()
