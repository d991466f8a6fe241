"""``scrapy archive export``: the current records as a file for other tools.

The format follows ``--format`` or the file's name: JSON Lines (``.jsonl``), CSV (``.csv``,
the dialect of :mod:`beltacrawl.exports`), either gzipped (``.jsonl.gz``, ``.csv.gz``), or
Parquet (``.parquet``, with pyarrow). Any other name is refused.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING

from beltacrawl.commands.subcommand import (
    BadUsage,
    CommandFailed,
    Subcommand,
    binary_output,
    iso_date,
)
from beltacrawl.exports import FORMATS, ExportError, export_format, write

if TYPE_CHECKING:
    import argparse

    from beltacrawl.commands.subcommand import ArchiveContext


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="default: from the file name (.jsonl, .csv, .jsonl.gz, .csv.gz, .parquet); "
        "jsonl for standard output",
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
        raise BadUsage(f"--since {args.since} is after --until {args.until}")
    fmt = export_format(args.output, args.format)
    if fmt is None:
        raise BadUsage(
            f"cannot tell the format of {args.output!r} from its name: use .jsonl, .csv, "
            ".jsonl.gz, .csv.gz or .parquet, or --format"
        )
    with context.open() as archive:
        records = archive.queries.iter_articles(
            since=args.since, until=args.until, rubrics=args.rubric
        )
        try:
            with contextlib.closing(records), binary_output(args.output) as out:
                count = write(records, fmt, out)
        except ExportError as exc:
            raise CommandFailed(str(exc)) from None
    where = "standard output" if args.output == "-" else args.output
    print(f"exported {count} articles ({fmt}) to {where}", file=sys.stderr)


SUBCOMMANDS = (
    Subcommand(
        "export",
        "write articles as JSON Lines, CSV (either gzipped) or Parquet",
        _arguments,
        _export,
    ),
)
