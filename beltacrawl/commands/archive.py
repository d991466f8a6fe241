"""``scrapy archive``: read the article archive — stats, export, search, show, backup.

    scrapy archive stats
    scrapy archive export --format csv --since 2024-01-01 --rubric economics -o econ.csv
    scrapy archive search "Kasachstan" --limit 5
    scrapy archive show 66060-2024
    scrapy archive backup backups/belta-2026-11-28.sqlite
    scrapy archive serve --port 8001

The archive is opened read-only, so these commands are safe while a crawl writes.
``--archive PATH`` overrides the ``BELTA_ARCHIVE`` setting. Exit codes: 0 ok, 1 the archive
or the article is missing (or another data error), 2 a usage error such as a bad date.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from beltacrawl.archive import DEFAULT_PATH, Archive, ArchiveError, ArchiveNotFound
from beltacrawl.commands import archive_serve
from beltacrawl.commands.archive_output import (
    format_history,
    format_hits,
    format_stats,
    write_csv,
    write_jsonl,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

FORMATS = ("jsonl", "csv")


class CommandFailed(Exception):
    """A clean failure: message to stderr, exit code 1, no traceback."""


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive number: {text!r}")
    return value


@contextlib.contextmanager
def _output(target: str) -> Iterator[TextIO]:
    """``-`` is standard output (UTF-8); anything else a file, created with its folder."""
    if target == "-":
        if hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(encoding="utf-8")
        yield sys.stdout
        sys.stdout.flush()
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        yield out


# --- the command ----------------------------------------------------------------------


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012 (ScrapyCommand's ClassVar)

    def syntax(self) -> str:
        return "{stats,export,search,show,backup,serve} [options]"

    def short_desc(self) -> str:
        return "Query the article archive: stats, export, search, show, backup, serve"

    def long_desc(self) -> str:
        return (
            "Read the SQLite archive written by the crawl (read-only, safe during a crawl). "
            "Subcommands: stats, export, search, show, backup, serve; "
            "see 'scrapy archive SUBCOMMAND -h'. "
            "The archive is the BELTA_ARCHIVE setting unless --archive is given."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        archive_help = "archive file (default: the BELTA_ARCHIVE setting)"
        parser.add_argument("--archive", metavar="PATH", help=archive_help)
        common = argparse.ArgumentParser(add_help=False)
        # SUPPRESS: given after the subcommand it wins, absent it keeps the one given before.
        common.add_argument(
            "--archive", metavar="PATH", default=argparse.SUPPRESS, help=archive_help
        )
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
        sub.required = True

        def add(name: str, summary: str) -> argparse.ArgumentParser:
            return sub.add_parser(
                name, prog=f"scrapy archive {name}", parents=[common], help=summary
            )

        stats = add("stats", "articles per rubric and month, last runs")
        stats.add_argument(
            "--runs", type=_positive_int, default=5, help="crawl runs to list (default: 5)"
        )

        export = add("export", "stream articles as JSON Lines or CSV")
        export.add_argument(
            "--format", choices=FORMATS, help="jsonl (default) or csv (default for -o *.csv)"
        )
        export.add_argument("--since", type=_iso_date, metavar="DATE", help="published on/after")
        export.add_argument("--until", type=_iso_date, metavar="DATE", help="published on/before")
        export.add_argument(
            "--rubric", action="append", metavar="R", help="only this rubric (repeatable)"
        )
        export.add_argument(
            "-o", "--output", default="-", metavar="FILE", help="output file, - for stdout"
        )

        search = add("search", "full-text search, best match first")
        search.add_argument("query", help="words that must all occur; word* for a prefix")
        search.add_argument("--limit", type=_positive_int, default=20, help="default: 20")
        search.add_argument(
            "--raw", action="store_true", help="the query is FTS5 syntax (OR, NEAR, title:)"
        )

        show = add("show", "one article and its previous versions")
        show.add_argument("key", help="article key <id>-<year>, e.g. 66060-2024")
        show.add_argument("--json", action="store_true", help="print JSON instead of text")

        backup = add("backup", "copy the archive with SQLite's online backup (safe mid-crawl)")
        backup.add_argument("target", help="the new file, e.g. backups/belta-2026-11-28.sqlite")

        archive_serve.add_arguments(add("serve", archive_serve.HELP))

    def archive_path(self, opts: argparse.Namespace) -> Path:
        if opts.archive:
            return Path(opts.archive)
        assert self.settings is not None
        configured = self.settings.get("BELTA_ARCHIVE", DEFAULT_PATH)
        if not configured:
            raise UsageError(
                "BELTA_ARCHIVE is empty (archiving is switched off); pass --archive PATH",
                print_help=False,
            )
        return Path(str(configured))

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unrecognized arguments: {' '.join(args)}", print_help=False)
        since, until = getattr(opts, "since", None), getattr(opts, "until", None)
        if since and until and since > until:
            raise UsageError(f"--since {since} is after --until {until}", print_help=False)
        path = self.archive_path(opts)
        try:
            with Archive.open(path, readonly=True) as archive:
                getattr(self, f"run_{opts.subcommand}")(archive, opts)
        except ArchiveNotFound:
            self._fail(f"no archive at {path} (run a crawl first, or pass --archive PATH)")
        except (ArchiveError, CommandFailed) as exc:
            self._fail(str(exc))
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())

    def _fail(self, message: str) -> None:
        print(f"scrapy archive: error: {message}", file=sys.stderr)
        self.exitcode = 1

    def run_stats(self, archive: Archive, opts: argparse.Namespace) -> None:
        print(format_stats(archive.path, archive.queries.stats(runs=opts.runs)))

    def run_export(self, archive: Archive, opts: argparse.Namespace) -> None:
        fmt = opts.format or ("csv" if opts.output.lower().endswith(".csv") else "jsonl")
        records = archive.queries.iter_articles(
            since=opts.since, until=opts.until, rubrics=opts.rubric
        )
        with contextlib.closing(records), _output(opts.output) as out:
            count = (write_csv if fmt == "csv" else write_jsonl)(records, out)
        where = "standard output" if opts.output == "-" else opts.output
        print(f"exported {count} articles ({fmt}) to {where}", file=sys.stderr)

    def run_search(self, archive: Archive, opts: argparse.Namespace) -> None:
        print(format_hits(archive.queries.search(opts.query, opts.limit, raw=opts.raw)))

    def run_show(self, archive: Archive, opts: argparse.Namespace) -> None:
        history = archive.queries.show(opts.key)
        if history is None:
            raise CommandFailed(f"no article with key {opts.key!r} in {archive.path}")
        if opts.json:
            document = {
                "article": history.article,
                "first_seen_at": history.first_seen_at,
                "last_seen_at": history.last_seen_at,
                "updated_at": history.updated_at,
                "version_count": history.version_count,
                "versions": history.versions,
            }
            print(json.dumps(document, ensure_ascii=False, indent=2))
        else:
            print(format_history(history))

    def run_backup(self, archive: Archive, opts: argparse.Namespace) -> None:
        target = archive.queries.backup(opts.target)
        print(f"backed up {archive.store.count()} articles from {archive.path} to {target}")

    def run_serve(self, archive: Archive, opts: argparse.Namespace) -> None:
        try:
            archive_serve.run(archive.path, opts)
        except ImportError as exc:
            raise CommandFailed(str(exc)) from exc
