"""Datasette metadata of the archive, derived from the record's declarations.

Column descriptions come from the docstrings of :class:`beltacrawl.items.Article`'s fields,
each followed by the value's format as its field spec declares it; what the archive adds
around the record (first seen, versions, …) is described here once. Datasette's ``units``
are physical units (Pint) and the archive has none, so formats and time zones go into the
descriptions.

>>> docs = field_docs()
>>> docs["title"]
'Headline, whitespace-normalised, without a site suffix.'
>>> column_description("tags")
'Tag labels shown under the article. [JSON array]'
>>> column_description("published_at")  # doctest: +ELLIPSIS
'Publication time, ISO 8601 with the Minsk offset, ... [ISO 8601 date and time with offset]'
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import textwrap
from typing import Any

from beltacrawl.browse.charts import dashboards
from beltacrawl.browse.queries import canned_queries
from beltacrawl.items import Article, FieldSpec, Storage, field_specs

#: The name the archive has in Datasette's URLs (``/archive/articles``).
DATABASE = "archive"

#: The columns ``articles`` has beside the record's fields (beltacrawl/archive/schema.py).
ARCHIVE_COLUMNS: dict[str, str] = {
    "id": "Internal row number, used by the full-text index; not an article id.",
    "first_seen_at": "When the archive first stored the article. [UTC, ISO 8601]",
    "last_seen_at": "When a crawl last stored or confirmed the article. [UTC, ISO 8601]",
    "updated_at": (
        "When the current version replaced the previous one (first_seen_at if never). "
        "[UTC, ISO 8601]"
    ),
    "version_count": "Versions seen so far, the current one included (1: never changed).",
    "published_month": "Month of publication in Minsk time, computed from published_at. [YYYY-MM]",
}

#: The facets shown above the article list; tags are a JSON array (beltacrawl/browse/facets.py).
ARTICLE_FACETS: list[str | dict[str, str]] = [
    "rubric",
    "kind",
    "article_year",
    "published_month",
    {"list": "tags"},
    "dateline_place",
]


def field_docs(record_class: type[Any] = Article) -> dict[str, str]:
    """The docstring under each field of a record dataclass, reST markup removed.

    Attribute docstrings are not kept at run time, so they are read from the source.
    """
    tree = ast.parse(textwrap.dedent(inspect.getsource(record_class)))
    names = {f.name for f in dataclasses.fields(record_class)}
    docs: dict[str, str] = {}
    previous: str | None = None
    for node in tree.body[0].body:  # type: ignore[attr-defined]
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            previous = node.target.id
            continue
        if (
            previous in names
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            docs[previous] = " ".join(inspect.cleandoc(node.value.value).split()).replace("``", "")
        previous = None
    return docs


def value_format(spec: FieldSpec) -> str | None:
    """The format of a field's column, from its storage and JSON Schema, in words."""
    schema = spec.json_schema
    pattern = str(schema.get("pattern", ""))
    if spec.storage is Storage.JSON_LIST:
        return "JSON array"
    if spec.storage is Storage.BOOLEAN:
        return "1 yes, 0 no"
    if schema.get("format") == "date-time" or pattern.startswith("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"):
        return "ISO 8601 date and time with offset"
    if pattern == "^[0-9]{4}-[0-9]{2}-[0-9]{2}$":
        return "ISO 8601 date"
    if "const" in schema:
        return f"always {schema['const']}"
    return None


def column_description(name: str, record_class: type[Any] = Article) -> str:
    """One column's description: the field's docstring, then its format in brackets."""
    spec = dict(field_specs(record_class))[name]
    doc = field_docs(record_class)[name]
    fmt = value_format(spec)
    return f"{doc} [{fmt}]" if fmt else doc


def article_columns(record_class: type[Any] = Article) -> dict[str, str]:
    """Descriptions of every column of ``articles``."""
    columns = {name: column_description(name, record_class) for name, _ in field_specs()}
    return {**columns, **ARCHIVE_COLUMNS}


def _record_summary(record_class: type[Any] = Article) -> str:
    return inspect.cleandoc(record_class.__doc__ or "").split("\n\n")[0]


def metadata() -> dict[str, Any]:
    """Datasette's metadata for the archive: titles, descriptions, sorting, facets,
    full-text search, canned queries and the dashboards' charts."""
    versions = {name: doc for name, doc in article_columns().items() if name not in ARCHIVE_COLUMNS}
    return {
        "title": "BelTA archive",
        "description": (
            "German BelTA articles as beltacrawl archived them. Browse the articles, "
            "search them, count them by facet; the queries below answer the usual "
            "questions; Dashboards (menu) draw the charts."
        ),
        "databases": {
            DATABASE: {
                "tables": {
                    "articles": {
                        "title": "Articles",
                        "description": _record_summary()
                        + " The current version of each article, newest first.",
                        "columns": article_columns(),
                        "sort_desc": "published_at",
                        "facets": ARTICLE_FACETS,
                        "label_column": "title",
                        "fts_table": "articles_fts",
                        "fts_pk": "id",
                        "size": 25,
                    },
                    "article_versions": {
                        "title": "Earlier versions",
                        "description": "Each text an article had before the site replaced it.",
                        "columns": {
                            **versions,
                            "version": "Number of this version; 1 is the first text stored.",
                            "archived_at": "When this version was replaced. [UTC, ISO 8601]",
                        },
                        "sort_desc": "archived_at",
                        "facets": ["rubric"],
                        "label_column": "title",
                    },
                    "failures": {
                        "title": "Failed fetches",
                        "description": "Pages that could not be fetched or parsed and are "
                        "still missing (a later success removes the row).",
                        "sort_desc": "failed_at",
                        "facets": ["reason"],
                    },
                    "crawl_runs": {
                        "title": "Crawl runs",
                        "description": "One row per crawl with its counts and verdict.",
                        "sort_desc": "id",
                        "facets": ["verdict", "finish_reason"],
                    },
                    "listing_coverage": {
                        "title": "Listing coverage",
                        "description": "How far each listing is known to be archived "
                        "without a gap (docs/archive.md).",
                    },
                },
                "queries": canned_queries(),
            }
        },
        "plugins": {"datasette-dashboards": dashboards(DATABASE)},
    }
