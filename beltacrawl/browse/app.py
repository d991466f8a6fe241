"""The archive in the browser: a Datasette instance over one archive file, read-only.

Datasette opens a file it may see change with ``mode=ro`` connections, so every page reads
the last committed state of a crawl writing the same file (WAL mode) and can never write;
nothing here asks it for its write connection, and no canned query writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from datasette.app import Datasette
from datasette.database import Database
from datasette.plugins import pm

from beltacrawl.archive import Archive
from beltacrawl.browse import plugin
from beltacrawl.browse.metadata import DATABASE, metadata

if TYPE_CHECKING:
    import os

HERE = Path(__file__).resolve().parent

#: Datasette settings for analysts: no facet suggestions (each costs a scan of the
#: articles), limits roomy enough for a year of daily counts, and a page cache per
#: connection large enough that the facets of a search, each a query reading the same
#: articles, find them in SQLite's cache (docs/performance.md, bench.browse).
SETTINGS: dict[str, Any] = {
    "suggest_facets": False,
    "cache_size_kb": 65536,
    "facet_time_limit_ms": 1000,
    "sql_time_limit_ms": 3000,
    "max_returned_rows": 5000,
    "truncate_cells_html": 300,
    "default_page_size": 25,
}

_PLUGIN_NAME = "beltacrawl-browse"


def make_datasette(path: str | os.PathLike[str]) -> Datasette:
    """Datasette over the archive at ``path`` (checked first: present, current schema).

    Raises :class:`beltacrawl.archive.ArchiveNotFound` or ``ArchiveError`` as the
    ``scrapy archive`` commands do.
    """
    path = Path(path).expanduser().resolve()
    Archive.open(path, readonly=True).close()
    if pm.get_plugin(_PLUGIN_NAME) is None:
        pm.register(plugin, name=_PLUGIN_NAME)
    datasette = Datasette(
        metadata=metadata(),
        settings=SETTINGS,
        template_dir=str(HERE / "templates"),
        static_mounts=[(plugin.STATIC_MOUNT, str(HERE / "static"))],
    )
    datasette.add_database(Database(datasette, path=str(path), is_mutable=True), name=DATABASE)
    return datasette


def start_url(host: str, port: int) -> str:
    """Where an analyst starts: the article list."""
    return f"http://{host}:{port}/{DATABASE}/articles"


def serve(path: str | os.PathLike[str], host: str, port: int) -> None:
    """Serve the archive until interrupted (uvicorn, as ``datasette serve`` does)."""
    import asyncio

    import uvicorn

    datasette = make_datasette(path)
    asyncio.run(datasette.invoke_startup())
    print(f"Serving {path} read-only at {start_url(host, port)} (Ctrl-C stops)", flush=True)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on")
