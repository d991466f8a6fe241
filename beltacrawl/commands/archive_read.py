"""``scrapy archive stats | search | show | backup``: read the archive, print for people."""

from __future__ import annotations

from typing import TYPE_CHECKING

from beltacrawl.commands.archive_output import (
    format_history,
    format_hits,
    format_json,
    format_stats,
)
from beltacrawl.commands.subcommand import CommandFailed, Subcommand, positive_int
from beltacrawl.config import Config
from beltacrawl.site.urls import host_of, parse_article_url

if TYPE_CHECKING:
    import argparse

    from beltacrawl.commands.subcommand import ArchiveContext


def _stats_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--runs", type=positive_int, default=5, help="crawl runs to list (default: 5)"
    )


def _stats(args: argparse.Namespace, context: ArchiveContext) -> None:
    with context.open() as archive:
        attempts = Config.from_settings(context.settings).failure_attempts
        stats = archive.queries.stats(runs=args.runs, failure_attempts=attempts)
        print(format_stats(archive.path, stats))


def _search_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", help="words that must all occur; word* for a prefix")
    parser.add_argument("--limit", type=positive_int, default=20, help="default: 20")
    parser.add_argument(
        "--raw", action="store_true", help="the query is FTS5 syntax (OR, NEAR, title:)"
    )


def _search(args: argparse.Namespace, context: ArchiveContext) -> None:
    with context.open() as archive:
        print(format_hits(archive.queries.search(args.query, args.limit, raw=args.raw)))


def _show_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "article",
        metavar="KEY_OR_URL",
        help="article key <id>-<year> (66060-2024) or the article's URL",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def article_key(text: str) -> str:
    """The key of an article given by key or by URL (any host: site, mirror, replica).

    >>> article_key("https://deu.belta.by/economics/view/zoelle-66060-2024/")
    '66060-2024'
    >>> article_key("66060-2024")
    '66060-2024'
    """
    if "/" not in text:
        return text.strip()
    ref = parse_article_url(text, base_host=host_of(text))
    if ref is None:
        expected = "…/<rubric>/view/…-<id>-<year>/"
        raise CommandFailed(f"not an article URL: {text!r} (expected {expected})")
    return ref.key


def _show(args: argparse.Namespace, context: ArchiveContext) -> None:
    key = article_key(args.article)
    with context.open() as archive:
        history = archive.queries.show(key)
        if history is None:
            raise CommandFailed(f"no article with key {key!r} in {archive.path}")
        pages = archive.captures.pages(key)
    if args.json:
        document = {
            "article": history.article,
            "first_seen_at": history.first_seen_at,
            "last_seen_at": history.last_seen_at,
            "updated_at": history.updated_at,
            "version_count": history.version_count,
            "versions": history.versions,
            "pages": pages,
        }
        print(format_json(document))
    else:
        print(format_history(history))
        if pages:  # where each version's page is kept (docs/archive.md, "Pages")
            print("\nPages (WARC)")
            for page in pages:
                print(
                    f"  version {page['version']} ({page['reason']}): {page['warc_file']}"
                    f" @ {page['warc_offset']}  {page['record_id']}"
                )


def _backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", help="the new file, e.g. backups/belta-2026-11-28.sqlite")


def _backup(args: argparse.Namespace, context: ArchiveContext) -> None:
    with context.open() as archive:
        target = archive.queries.backup(args.target)
        print(f"backed up {archive.store.count()} articles from {archive.path} to {target}")


SUBCOMMANDS = (
    Subcommand("stats", "articles per rubric and month, last runs", _stats_arguments, _stats),
    Subcommand("search", "full-text search, best match first", _search_arguments, _search),
    Subcommand("show", "one article and its previous versions", _show_arguments, _show),
    Subcommand(
        "backup",
        "copy the archive with SQLite's online backup (safe mid-crawl)",
        _backup_arguments,
        _backup,
    ),
)
