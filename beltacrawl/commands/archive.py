"""``scrapy archive``: read the article archive (stats, export, search, show, backup),
browse it (serve) and mend it from kept pages (reextract, import-warc).

    scrapy archive stats
    scrapy archive export --since 2024-01-01 --rubric economics -o econ.csv
    scrapy archive search "Kasachstan" --limit 5
    scrapy archive show 66060-2024
    scrapy archive backup backups/belta-2026-11-28.sqlite
    scrapy archive serve --port 8001

Outside the checkout the same command is ``belta-archive`` (a console script, :func:`main`).
Each subcommand lives in its own module and is registered in ``SUBCOMMANDS`` below
(``commands/subcommand.py`` says what one is). ``--archive PATH`` overrides the
``BELTA_ARCHIVE`` setting; ``-s``/``--set`` and ``--archive`` are taken before or after the
subcommand. Exit codes: 0 ok, 1 the archive or the article is missing (or another data
error), 2 a usage error such as a bad date.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path

from scrapy.cmdline import execute
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from beltacrawl.archive import ArchiveError, ArchiveNotFound
from beltacrawl.commands import archive_export, archive_read, archive_serve, archive_warc
from beltacrawl.commands.subcommand import ArchiveContext, CommandFailed, Subcommand
from beltacrawl.config import Config

#: Said when reading meets a damaged page.
DAMAGED_HINT = "it may be damaged; see 'A damaged archive' in docs/operations.md"

#: Every ``scrapy archive`` subcommand, in the order ``-h`` lists them.
SUBCOMMANDS: tuple[Subcommand, ...] = (
    *archive_read.SUBCOMMANDS,
    *archive_export.SUBCOMMANDS,
    *archive_warc.SUBCOMMANDS,
    *archive_serve.SUBCOMMANDS,
)


def _late_options() -> argparse.ArgumentParser:
    """Options every subcommand also takes after its name, as Scrapy commands take them
    anywhere. SUPPRESS: absent after the name, the value given before it stays."""
    late = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    late.add_argument(
        "--archive", metavar="PATH", help="archive file (default: the BELTA_ARCHIVE setting)"
    )
    late.add_argument(
        "-s",
        "--set",
        dest="set_late",
        action="append",
        metavar="NAME=VALUE",
        help="set/override setting (may be repeated)",
    )
    late.add_argument("-L", "--loglevel", metavar="LEVEL", help="log level")
    late.add_argument("--logfile", metavar="FILE", help="log file")
    late.add_argument("--nolog", action="store_true", help="disable logging completely")
    return late


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012 (ScrapyCommand's ClassVar)

    def syntax(self) -> str:
        return "{" + ",".join(s.name for s in SUBCOMMANDS) + "} [options]"

    def short_desc(self) -> str:
        return "Query the article archive: " + ", ".join(s.name for s in SUBCOMMANDS)

    def long_desc(self) -> str:
        return (
            "Read the SQLite archive written by the crawl (read-only, safe during a crawl; "
            "reextract and import-warc write it and take its run lock). "
            "See 'scrapy archive SUBCOMMAND -h'. "
            "The archive is the BELTA_ARCHIVE setting unless --archive is given."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--archive", metavar="PATH", help="archive file (default: the BELTA_ARCHIVE setting)"
        )
        late = _late_options()
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
        sub.required = True
        for subcommand in SUBCOMMANDS:
            subparser = sub.add_parser(
                subcommand.name,
                prog=f"scrapy archive {subcommand.name}",
                parents=[late],
                help=subcommand.help,
            )
            subcommand.add_arguments(subparser)
            subparser.set_defaults(subcommand_run=subcommand.run)

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        opts.set = [*opts.set, *getattr(opts, "set_late", [])]
        super().process_options(args, opts)

    def archive_path(self, opts: argparse.Namespace) -> Path:
        if opts.archive:
            return Path(opts.archive)
        assert self.settings is not None
        configured = Config.from_settings(self.settings).archive_path
        if configured is None:
            raise UsageError(
                "BELTA_ARCHIVE is empty (archiving is switched off); pass --archive PATH",
                print_help=False,
            )
        return configured

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unrecognized arguments: {' '.join(args)}", print_help=False)
        assert self.settings is not None
        context = ArchiveContext(path=self.archive_path(opts), settings=self.settings)
        try:
            opts.subcommand_run(opts, context)
        except ArchiveNotFound:
            self._fail(f"no archive at {context.path} (run a crawl first, or pass --archive PATH)")
        except CommandFailed as exc:
            self._fail(str(exc), exc.exit_code)
        except ArchiveError as exc:
            self._fail(str(exc))
        except sqlite3.DatabaseError as exc:  # a damaged page met while reading
            self._fail(f"cannot read the archive {context.path} ({exc}): {DAMAGED_HINT}")
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())

    def _fail(self, message: str, exit_code: int = 1) -> None:
        print(f"scrapy archive: error: {message}", file=sys.stderr)
        self.exitcode = exit_code


def main() -> None:
    """``belta-archive``: ``scrapy archive`` from any directory, with beltacrawl's settings."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "beltacrawl.settings")
    execute(["scrapy", "archive", *sys.argv[1:]])
