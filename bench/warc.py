"""Keeping pages as WARC: disk and CPU of writing, speed of reading them back.

``python -m bench.warc [--quick] [--pages N] [--sidebar N]``

``N`` article pages of the replica at the live site's size (``--sidebar 120``: ~50 kB,
most of it sidebar and menus) are rendered into memory with their listing entries. Then,
timed in CPU time of this process:

- **write**: each page as the crawl keeps it (:func:`beltacrawl.warc.records.exchange_records`
  — response, listing entry, request — into :class:`beltacrawl.warc.files.WarcFiles`,
  gzip per record): WARC bytes per article and CPU per page;
- **import**: ``import-warc`` of those files into an empty archive (scan, extraction,
  storage of N new articles);
- **reextract**: ``reextract --all`` over the N stored pages (read back, the crawl's
  extraction and validation, compared with the archived record; nothing changed).

Target: re-extracting 100 000 articles in under 10 minutes on this machine, i.e. at least
167 pages per second (the projection, from the CPU time per page, is printed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from scrapy import Request
from scrapy.http import HtmlResponse

from beltacrawl.archive import Archive
from beltacrawl.parsing.listing import ListingEntry
from beltacrawl.site.urls import parse_article_url
from beltacrawl.warc.backfill import WarcImport
from beltacrawl.warc.extract import PageExtractor
from beltacrawl.warc.files import WarcFiles
from beltacrawl.warc.records import exchange_records
from beltacrawl.warc.reextract import Reextraction
from bench.common import header, table
from bench.extraction import Page, build_pages

TARGET_PAGES = 100_000
TARGET_SECONDS = 600
FETCHED = datetime(2026, 1, 1, tzinfo=UTC)


def responses(pages: list[Page]) -> list[tuple[HtmlResponse, ListingEntry]]:
    """Each page as the spider receives it, with the listing entry it was found in."""
    date = format_datetime(FETCHED, usegmt=True)
    result = []
    for page in pages:
        ref = parse_article_url(page.url)
        assert ref is not None
        truth = page.truth
        entry = ListingEntry(ref, truth["title"], truth["lead"], truth["rubric_label"], None)
        response = HtmlResponse(
            page.url,
            body=page.html,
            headers={"Content-Type": "text/html; charset=utf-8", "Date": date},
            request=Request(page.url, headers={"User-Agent": "beltacrawl-bench"}),
        )
        result.append((response, entry))
    return result


def warcinfo(writer, name):
    return writer.create_warcinfo_record(name, {"software": "bench.warc"})


def write(directory: Path, fetched: list[tuple[HtmlResponse, ListingEntry]]) -> WarcFiles:
    files = WarcFiles(directory, "bench", 1024**3, warcinfo)
    for response, entry in fetched:
        files.write(exchange_records(files.writer, response, FETCHED, entry))
    files.close()
    return files


def timed(action):
    cpu, wall = time.process_time(), time.perf_counter()
    result = action()
    return result, time.process_time() - cpu, time.perf_counter() - wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 pages, to see that it runs")
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--sidebar", type=int, default=120, help="articles in each sidebar")
    args = parser.parse_args(argv)
    count = 200 if args.quick else args.pages

    header(f"WARC: {count} article pages of {args.sidebar} sidebar articles each")
    fetched = responses(build_pages(count, sidebar=args.sidebar))
    page_bytes = sum(len(response.body) for response, _ in fetched) / count
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files, write_cpu, _ = timed(lambda: write(folder / "warc", fetched))
        warc_bytes = sum(path.stat().st_size for path in files.written)
        with Archive.open(folder / "belta.sqlite") as archive, archive.lock():
            imported, import_cpu, import_wall = timed(
                lambda: WarcImport(archive, PageExtractor()).run(files.written)
            )
            assert imported.outcomes["new"] == count, imported
            report, cpu, wall = timed(
                lambda: Reextraction(archive, PageExtractor()).run(archive.captures.latest())
            )
            assert report.unchanged == count, report
    per_second = count / wall
    # CPU time, not wall: on a machine shared with other work the wall clock measures the
    # others too; alone, one process re-extracting runs at its CPU time.
    projected = TARGET_PAGES * cpu / count
    rows = [
        ["page (HTML, as fetched)", f"{page_bytes / 1024:.1f} kB", "", ""],
        [
            "write WARC (response + entry + request, gzip)",
            f"{warc_bytes / count / 1024:.1f} kB per article",
            f"{1000 * write_cpu / count:.2f} ms/page",
            "",
        ],
        [
            "import-warc into an empty archive",
            "",
            f"{1000 * import_cpu / count:.2f} ms/page",
            f"{count / import_wall:.0f} pages/s",
        ],
        [
            "reextract --all (nothing changes)",
            "",
            f"{1000 * cpu / count:.2f} ms/page",
            f"{per_second:.0f} pages/s",
        ],
    ]
    print(table(["step", "size", "CPU", "rate (wall)"], rows))
    print(
        f"\nWARC disk per 1 000 articles: {warc_bytes / count * 1000 / 1024**2:.1f} MB "
        "(article pages only; listing pages add about one page per 20 articles)"
    )
    verdict = "met" if projected < TARGET_SECONDS else "MISSED"
    print(
        f"reextract of {TARGET_PAGES:,} articles: {projected / 60:.1f} min of CPU projected "
        f"(target < {TARGET_SECONDS // 60} min): {verdict}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
