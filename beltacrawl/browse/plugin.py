"""Datasette hooks for the archive: the search function, cells worth reading, the style.

Registered once per process by :func:`beltacrawl.browse.app.make_datasette`; every hook
that shapes a page acts on the archive's database only.

>>> str(marked("der \u27e6Handel\u27e7 mit <b>"))
'der <mark>Handel</mark> mit &lt;b&gt;'
>>> str(word_diff("a b c", "a x c"))
'a <ins>x</ins> c'
"""

from __future__ import annotations

import difflib
import json
import re
from typing import TYPE_CHECKING, Any

from datasette import hookimpl
from markupsafe import Markup, escape

from beltacrawl.archive.queries import fts_query
from beltacrawl.browse.facets import ListFacet
from beltacrawl.browse.metadata import DATABASE
from beltacrawl.browse.queries import MARK_END, MARK_START

if TYPE_CHECKING:
    import sqlite3

    from datasette.app import Datasette

_WORDS = re.compile(r"\S+|\s+")
#: Folder of this plugin's static files, mounted at /browse-static/.
STATIC_MOUNT = "browse-static"


def marked(snippet: str) -> Markup:
    """A snippet with its search matches as ``<mark>``, everything else escaped."""
    text = str(escape(snippet))
    return Markup(text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def word_diff(before: str, after: str, *, side: str = "after", context: int = 0) -> Markup:
    """One side of a word diff: ``after`` with the words ``before`` lacked as ``<ins>``, or
    ``before`` with the words it lost as ``<del>``. ``context`` > 0 keeps only that many
    unchanged words around each change.

    >>> str(word_diff("a b c d e f g", "a b c x e f g", side="before", context=1))
    '… c <del>d</del> e …'
    """
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    words = old if side == "before" else new
    parts: list[str] = []
    opcodes = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        start, end = (i1, i2) if side == "before" else (j1, j2)
        if tag == "equal":
            kept = words[start:end]
            # Words and the spaces between them alternate: 2 * context tokens a side.
            if context and len(kept) > 4 * context + 1:
                head = kept[: 2 * context] if index > 0 else []
                tail = kept[-2 * context :] if index < len(opcodes) - 1 else []
                marker = "…" if not tail or tail[0].isspace() else "… "
                kept = [*head, marker if not head or head[-1].isspace() else " " + marker, *tail]
            parts.append(str(escape("".join(kept))))
        elif side == "before" and i2 > i1:
            parts.append(f"<del>{escape(''.join(old[i1:i2]))}</del>")
        elif side == "after" and j2 > j1:
            parts.append(f"<ins>{escape(''.join(new[j1:j2]))}</ins>")
    return Markup("".join(parts))


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
def prepare_jinja2_environment(env: Any, datasette: Datasette) -> None:
    # The article page's tags as the list's chips (templates/row-archive-articles.html).
    env.filters["tag_chips"] = _tag_list


@hookimpl
def register_facet_classes() -> list[type]:
    return [ListFacet]


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
    field, _, side = column.rpartition("_")
    if (
        field in ("title", "body")
        and side in ("before", "after")
        and {
            f"{field}_before",
            f"{field}_after",
        }
        <= set(keys)
    ):
        before, after = row[f"{field}_before"] or "", row[f"{field}_after"] or ""
        return word_diff(before, after, side=side, context=12 if field == "body" else 0)
    if table is None and column == "title" and "id" in keys:
        href = datasette.urls.row(DATABASE, "articles", str(row["id"]))
        return Markup(f'<a href="{escape(href)}">{marked(value)}</a>')
    return None


@hookimpl
def extra_css_urls(datasette: Datasette) -> list[str]:
    return [datasette.urls.path(f"/{STATIC_MOUNT}/archive.css")]
