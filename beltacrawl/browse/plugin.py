"""Datasette hooks for the archive: the search function, cells worth reading, the style.

Registered once per process by :func:`beltacrawl.browse.app.make_datasette`; every hook
that shapes a page acts on the archive's database only.

>>> str(marked("der \u27e6Handel\u27e7 mit <b>"))
'der <mark>Handel</mark> mit &lt;b&gt;'
>>> str(word_diff("a b c", "a x c"))
'a <del>b</del> <ins>x</ins> c'
"""

from __future__ import annotations

import difflib
import json
from typing import TYPE_CHECKING, Any

from datasette import hookimpl
from markupsafe import Markup, escape

from beltacrawl.archive.queries import fts_query
from beltacrawl.browse.metadata import DATABASE
from beltacrawl.browse.queries import MARK_END, MARK_START

if TYPE_CHECKING:
    import sqlite3

    from datasette.app import Datasette

#: Folder of this plugin's static files, mounted at /browse-static/.
STATIC_MOUNT = "browse-static"


def marked(snippet: str) -> Markup:
    """A snippet with its search matches as ``<mark>``, everything else escaped."""
    text = str(escape(snippet))
    return Markup(text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def word_diff(before: str, after: str) -> Markup:
    """``after`` with the words ``before`` lacked as ``<ins>`` and those it lost as ``<del>``."""
    old, new = before.split(" "), after.split(" ")
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(str(escape(" ".join(new[j1:j2]))))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(' '.join(old[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(' '.join(new[j1:j2]))}</ins>")
    return Markup(" ".join(parts))


def _tag_list(value: str) -> Markup | None:
    try:
        tags = json.loads(value)
    except (TypeError, ValueError):
        return None
    if not isinstance(tags, list):
        return None
    chips = "".join(f'<span class="tag">{escape(str(tag))}</span>' for tag in tags)
    return Markup(f'<span class="tags">{chips}</span>')


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    # Plain words to a safe FTS5 query, as `scrapy archive search` reads them.
    conn.create_function("fts_words", 1, lambda text: fts_query(text or "") or '""')


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Datasette
) -> Markup | None:
    if database != DATABASE or not isinstance(value, str):
        return None
    if column == "snippet":
        return marked(value)
    if column == "tags":
        return _tag_list(value)
    if column == "problems" and value.startswith("["):
        items = "".join(f"<li>{escape(problem)}</li>" for problem in json.loads(value))
        return Markup(f'<ul class="problems">{items}</ul>')
    keys = row.keys()
    if column in ("title_after", "body_after") and column.replace("after", "before") in keys:
        return word_diff(row[column.replace("after", "before")] or "", value)
    if table is None and column == "title" and "id" in keys:
        href = datasette.urls.row(DATABASE, "articles", str(row["id"]))
        return Markup(f'<a href="{escape(href)}">{marked(value)}</a>')
    return None


@hookimpl
def extra_css_urls(datasette: Datasette) -> list[str]:
    return [datasette.urls.path(f"/{STATIC_MOUNT}/archive.css")]
