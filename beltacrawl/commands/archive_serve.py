"""``scrapy archive serve``: the archive in the browser (Datasette), read-only.

    scrapy archive serve                       # http://127.0.0.1:8001/archive/articles
    scrapy archive serve --port 8080 --host 0.0.0.0

Safe while a crawl writes the same archive: every page shows the last committed batch.
Needs the ``browse`` extra; without it the command says how to install it.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

HELP = "look at the archive in the browser (Datasette), read-only"


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=_port, default=8001, help="default: 8001")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only; "
        "0.0.0.0 shows the archive to the whole network)",
    )


def run(path: Path, opts: argparse.Namespace) -> None:
    """Serve until interrupted; raises ``ArchiveError`` for a missing or old archive."""
    try:
        from beltacrawl.browse.app import serve
    except ImportError as exc:
        raise ImportError(
            f"scrapy archive serve needs the browse extra ({exc.name} is missing): "
            "pip install 'beltacrawl[browse]'"
        ) from exc
    serve(path, opts.host, opts.port)
