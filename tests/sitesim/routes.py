"""Which page answers which path: listings, articles, robots.txt, else 404."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.sitesim import render
from tests.sitesim.article import RUBRICS, url_key
from tests.sitesim.model import SiteModel

HTML = "text/html; charset=utf-8"
_LISTING_RE = re.compile(r"/(?P<section>[a-z_]+)(?:/page/(?P<page>\d+))?/?")


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)


def origin_form(target: str) -> str:
    """The request target as path and query, also when sent in absolute form.

    Lets a crawler use the replica as a plain HTTP proxy for ``http://deu.belta.by/...``.
    """
    if target.startswith(("http://", "https://")):
        parts = urlsplit(target)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return target


def route(model: SiteModel, target: str) -> Response:
    """The response to a GET of ``target`` (path and query; the query is ignored)."""
    path = urlsplit(target).path
    if path == "/robots.txt":
        return Response(200, render.ROBOTS_TXT.encode(), "text/plain; charset=utf-8")
    listing = _LISTING_RE.fullmatch(path)
    if listing and (listing["section"] == "all_news" or listing["section"] in RUBRICS):
        return _listing(model, path, listing["section"], int(listing["page"] or 1))
    parsed = url_key(path)
    if parsed and parsed[2] in model:
        rubric, slug, key = parsed
        article = model.article(key)
        if (article.rubric, article.slug) == (rubric, slug):
            latest = model.latest(model.sidebar_size)
            page = render.article_page(
                article, today=model.now, latest=latest, scripted=model.scripted
            )
            return Response(200, page.encode())
    return Response(404, render.not_found_page(model.now).encode())


def _listing(model: SiteModel, path: str, section: str, page: int) -> Response:
    if page < 1 or (model.listing_depth is not None and page > model.listing_depth):
        return Response(404, render.not_found_page(model.now).encode())
    rubric = None if section == "all_news" else section
    articles, more = model.listing(rubric, page)
    html = render.listing_page(
        path=path,
        heading=RUBRICS[rubric] if rubric else "Nachrichten",
        articles=articles,
        today=model.now,
        next_href=f"/{section}/page/{page + 1}/" if more else None,
        next_style=model.next_link,
        scripted=model.scripted,
    )
    return Response(200, html.encode())
