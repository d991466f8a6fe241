"""``scrapy archive export``: the current records as a file for other tools."""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING

from scrapy.exceptions import UsageError

from beltacrawl.commands.archive_output import write_csv, write_jsonl
from beltacrawl.commands.subcommand import Subcommand, iso_date, text_output

if TYPE_CHECKING:
    import argparse

    from beltacrawl.commands.subcommand import ArchiveContext

FORMATS = ("jsonl", "csv")


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=FORMATS, help="jsonl (default) or csv (default for -o *.csv)"
    )
    parser.add_argument("--since", type=iso_date, metavar="DATE", help="published on/after")
    parser.add_argument("--until", type=iso_date, metavar="DATE", help="published on/before")
    parser.add_argument(
        "--rubric", action="append", metavar="R", help="only this rubric (repeatable)"
    )
    parser.add_argument(
        "-o", "--output", default="-", metavar="FILE", help="output file, - for stdout"
    )


def _export(args: argparse.Namespace, context: ArchiveContext) -> None:
    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}", print_help=False)
    fmt = args.format or ("csv" if args.output.lower().endswith(".csv") else "jsonl")
    with context.open() as archive:
        records = archive.queries.iter_articles(
            since=args.since, until=args.until, rubrics=args.rubric
        )
        with contextlib.closing(records), text_output(args.output) as out:
            count = (write_csv if fmt == "csv" else write_jsonl)(records, out)
    where = "standard output" if args.output == "-" else args.output
    print(f"exported {count} articles ({fmt}) to {where}", file=sys.stderr)


SUBCOMMANDS = (Subcommand("export", "stream articles as JSON Lines or CSV", _arguments, _export),)
