"""Scale: a full backfill of a large replica archive, politeness off.

``python -m bench.scale [--quick] [--sizes 5000,10000,20000,100000] [--budget-minutes 20]``

For each archive size (articles in the replica, real samples added), one
``scrapy crawl belta`` with the JSON Lines feed and a fresh SQLite archive walks the whole
``all_news`` listing. Reported: wall time, pages per second, peak resident memory of the
crawl process (``ru_maxrss`` from ``os.wait4``) and the archive's size on disk. The
replica runs in its own process and renders each page on request (1–2 ms a page on its
own core).

Sizes run smallest first; before each, its wall time is extrapolated linearly from the
previous run, and a size whose estimate exceeds ``--budget-minutes`` is reported as an
estimate only. Target: peak memory flat — under 300 MB and not growing with the archive.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench.common import Replica, belta_command, header, run_measured, served_span, table

TARGET_MB = 300


def crawl(articles: int) -> list[object]:
    with tempfile.TemporaryDirectory() as tmp, Replica(articles) as replica:
        workdir = Path(tmp)
        replica_cpu = replica.cpu_seconds()
        figures = run_measured(belta_command(replica.base_url, workdir), workdir / "log.txt")
        replica_cpu = replica.cpu_seconds() - replica_cpu
        if figures.returncode != 0:
            raise RuntimeError(f"scrapy crawl belta failed:\n{figures.log[-3000:]}")
        requests = replica.requests()
        archive_mb = sum(p.stat().st_size for p in workdir.glob("belta.sqlite*")) / 2**20
    items = figures.stat("item_scraped_count") or 0
    span = served_span(requests)
    return [
        articles,
        items,
        len(requests),
        f"{figures.wall:.1f}",
        f"{len(requests) / span:.0f}" if span else "–",
        f"{figures.cpu:.1f}",
        f"{replica_cpu:.1f}",
        f"{figures.maxrss_mb:.0f}",
        f"{archive_mb:.1f}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one backfill of 1 000 articles")
    parser.add_argument("--sizes", default="5000,10000,20000,100000")
    parser.add_argument("--budget-minutes", type=float, default=20.0)
    args = parser.parse_args(argv)
    sizes = [1000] if args.quick else sorted(int(size) for size in args.sizes.split(","))

    header("Scale: full backfill of a large archive (politeness off)")
    rows: list[list[object]] = []
    notes: list[str] = []
    seconds_per_article: float | None = None
    for size in sizes:
        if seconds_per_article is not None:
            estimate = seconds_per_article * size
            if estimate > 60 * args.budget_minutes:
                notes.append(
                    f"{size} articles not run: estimated {estimate / 60:.0f} min "
                    f"(linear from the largest run), over the budget of "
                    f"{args.budget_minutes:g} min."
                )
                continue
        row = crawl(size)
        rows.append(row)
        print(f"  {size} articles: {row[3]} s, peak {row[7]} MB", file=sys.stderr, flush=True)
        seconds_per_article = float(str(row[3])) / size
    print(
        table(
            [
                "articles (+ samples)",
                "records",
                "requests",
                "wall s",
                "pages/s",
                "CPU s",
                "replica CPU s",
                "peak MB",
                "archive MB",
            ],
            rows,
        )
    )
    for note in notes:
        print(f"\n{note}")
    peaks = [float(str(row[7])) for row in rows]
    verdict = "met" if max(peaks) < TARGET_MB else "MISSED"
    print(
        f"\nPeak memory {min(peaks):.0f}–{max(peaks):.0f} MB over "
        f"{rows[0][0]}–{rows[-1][0]} articles (target: under {TARGET_MB} MB and flat: {verdict})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
