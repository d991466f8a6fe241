"""``scrapy archive serve``: the archive in the browser (Datasette), read-only.

    scrapy archive serve                       # http://127.0.0.1:8001/archive/articles
    scrapy archive serve --port 8080 --host 0.0.0.0

Safe while a crawl writes the same archive: every page shows the last committed batch.
Needs the ``browse`` extra; without it the command says how to install it.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from beltacrawl.commands.subcommand import CommandFailed, Subcommand

if TYPE_CHECKING:
    from beltacrawl.commands.subcommand import ArchiveContext


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}")
    return value


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=_port, default=8001, help="default: 8001")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only; "
        "0.0.0.0 shows the archive to the whole network)",
    )


def _serve(args: argparse.Namespace, context: ArchiveContext) -> None:
    """Serve until interrupted; a missing or unmigrated archive fails before listening."""
    try:
        from beltacrawl.browse.app import serve
    except ImportError as exc:
        raise CommandFailed(
            f"scrapy archive serve needs the browse extra ({exc.name} is missing): "
            "pip install 'beltacrawl[browse]'"
        ) from exc
    serve(context.path, args.host, args.port)


SUBCOMMANDS = (
    Subcommand(
        "serve", "look at the archive in the browser (Datasette), read-only", _arguments, _serve
    ),
)
