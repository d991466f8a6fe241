"""``scrapy archive reextract`` and ``scrapy archive import-warc``: records from kept pages.

    scrapy archive reextract --all
    scrapy archive reextract --since 2026-11-01 --until 2026-11-30
    scrapy archive reextract --key 66060-2024 --dry-run
    scrapy archive import-warc CC-MAIN-2024-10-*.warc.gz ia-*.arc.gz

Both write the archive, so they take its run lock (refused while a crawl runs) and
request nothing from the site. docs/archive.md ("Pages") explains them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.exceptions import UsageError

from beltacrawl.archive import ArchiveNotFound
from beltacrawl.commands.subcommand import ArchiveContext, CommandFailed, Subcommand, iso_date
from beltacrawl.config import Config
from beltacrawl.warc.backfill import WarcImport
from beltacrawl.warc.extract import PageExtractor
from beltacrawl.warc.reextract import Reextraction

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable

    from beltacrawl.warc.reextract import Problem

#: Unreadable pages listed in full up to this many; the rest are counted.
LISTED_PROBLEMS = 50


def reextract_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--key", action="append", metavar="KEY", help="this article only (repeatable)"
    )
    parser.add_argument("--all", action="store_true", help="every article with a kept page")
    parser.add_argument("--since", type=iso_date, metavar="DATE", help="pages fetched on/after")
    parser.add_argument("--until", type=iso_date, metavar="DATE", help="pages fetched on/before")
    parser.add_argument(
        "--dry-run", action="store_true", help="report what would change, store nothing"
    )


def import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="WARC or ARC files (.gz or not)")


def run_reextract(args: argparse.Namespace, context: ArchiveContext) -> None:
    if not (args.key or args.all or args.since or args.until):
        raise UsageError(
            "say which pages: --key KEY, --since/--until DATE or --all", print_help=False
        )
    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}", print_help=False)
    if not context.path.is_file():
        raise ArchiveNotFound(f"no archive at {context.path}")
    extractor = PageExtractor(Config.from_settings(context.settings).base_host)
    with context.open(readonly=False) as archive, archive.lock():
        captures = list(archive.captures.latest(args.key, args.since, args.until))
        report = Reextraction(archive, extractor, dry_run=args.dry_run).run(captures)
    if without := sorted(set(args.key or ()) - {capture.key for capture in captures}):
        print(f"no kept page for {', '.join(without)}")
    stored = "would be stored" if args.dry_run else "stored"
    print(f"re-extracted {report.pages} kept pages from {context.path}:")
    print(f"  {report.updated:>7} changed: new versions (reason reextract) {stored}")
    print(f"  {report.new:>7} had no record: {stored} (reason reextract)")
    print(f"  {report.unchanged:>7} unchanged")
    if report.stale:
        print(f"  {report.stale:>7} skipped: the archive holds a newer copy than the kept page")
    if report.fields:
        print("changed fields (records):")
        for name, count in report.fields.most_common():
            print(f"  {count:>7} {name}")
    _problems("pages without a valid record (nothing stored)", report.unreadable)
    _problems("pages that could not be read from their WARC file", report.missing)
    if report.missing:
        raise CommandFailed(
            f"{len(report.missing)} kept page(s) could not be read: are the WARC files where "
            "the archive says (BELTA_WARC_DIR)?"
        )


def run_import(args: argparse.Namespace, context: ArchiveContext) -> None:
    paths = [Path(name) for name in args.files]
    if absent := [str(path) for path in paths if not path.is_file()]:
        raise CommandFailed(f"no such file: {', '.join(absent)}")
    extractor = PageExtractor(Config.from_settings(context.settings).base_host)
    with context.open(readonly=False) as archive, archive.lock():
        report = WarcImport(archive, extractor).run(paths)
    outcomes = report.outcomes
    print(
        f"read {report.records} records in {report.files} file(s): "
        f"{report.captures} article pages of the site"
    )
    print(f"  {outcomes['new']:>7} new articles")
    print(f"  {outcomes['updated']:>7} new current versions (captures newer than the archive's)")
    print(f"  {outcomes['earlier']:>7} earlier versions (captures older than the archive's)")
    print(f"  {outcomes['unchanged']:>7} unchanged (the same text is stored once)")
    for reason, count in sorted(report.skipped.items()):
        print(f"  {count:>7} responses skipped: {reason}")
    _problems("pages the parser cannot read (not stored)", report.unreadable)
    _problems("files unreadable from some point on", report.broken_files)
    if report.broken_files:
        raise CommandFailed(
            f"{len(report.broken_files)} file(s) could not be read to the end: "
            "what they held before the damage was imported"
        )


def _problems(title: str, problems: Iterable[Problem]) -> None:
    problems = list(problems)
    if not problems:
        return
    print(f"{len(problems)} {title}:")
    for problem in problems[:LISTED_PROBLEMS]:
        print(f"  {problem.key or '-'}  {problem.url}  {problem.reason}")
    if len(problems) > LISTED_PROBLEMS:
        print(f"  … and {len(problems) - LISTED_PROBLEMS} more")


SUBCOMMANDS = (
    Subcommand(
        "reextract",
        "run the current parser over kept pages; changed records become new versions",
        reextract_arguments,
        run_reextract,
    ),
    Subcommand(
        "import-warc",
        "records from WARC/ARC files (older captures become earlier versions)",
        import_arguments,
        run_import,
    ),
)
