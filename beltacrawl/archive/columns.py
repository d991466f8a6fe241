"""What the record's fields become in the archive: column lists and the row codec.

Everything here is derived from the field specs of :class:`beltacrawl.items.Article`; the
tables' DDL is derived in :mod:`beltacrawl.archive.schema`.

>>> encode_row({"key": "1-2024", "tags": ["A"], "is_incomplete": True})["tags"]
'["A"]'
>>> decode_row({"tags": '["A"]', "is_incomplete": 0}, ("tags", "is_incomplete"))
{'tags': ['A'], 'is_incomplete': False}
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from beltacrawl.items import Article, Storage, field_specs

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Mapping, Sequence

_SPECS = field_specs(Article)
_STORAGE: dict[str, Storage] = {name: spec.storage for name, spec in _SPECS}

#: Article fields in record order, each one a column of ``articles``.
ARTICLE_FIELDS: tuple[str, ...] = tuple(name for name, _ in _SPECS)
#: Fields that identify an article; they never change, everything else may.
IDENTITY_FIELDS: tuple[str, ...] = tuple(name for name, spec in _SPECS if spec.identity)
#: The identity ``articles`` is keyed by (``UNIQUE``), and that versions refer to.
UNIQUE_FIELDS: tuple[str, ...] = tuple(name for name, spec in _SPECS if spec.unique)
#: Fields copied to ``article_versions`` when a new version replaces the current one.
VERSION_FIELDS: tuple[str, ...] = tuple(f for f in ARTICLE_FIELDS if f not in IDENTITY_FIELDS)
#: Details that a re-fetch with the same text may still correct (taken over in place).
DETAIL_FIELDS: tuple[str, ...] = tuple(name for name, spec in _SPECS if spec.detail)
#: Fields a fetch may lack although the article has them: a missing value keeps the old.
KEPT_IF_MISSING: frozenset[str] = frozenset(name for name, spec in _SPECS if spec.kept_if_missing)
#: Fields stored as JSON arrays (TEXT) and as 0/1 (INTEGER).
LIST_FIELDS: frozenset[str] = frozenset(n for n, s in _STORAGE.items() if s is Storage.JSON_LIST)
BOOL_FIELDS: frozenset[str] = frozenset(n for n, s in _STORAGE.items() if s is Storage.BOOLEAN)


def encode(field: str, value: Any) -> Any:
    """A record value as its column stores it."""
    storage = _STORAGE.get(field)
    if storage is Storage.JSON_LIST:
        return json.dumps(list(value or []), ensure_ascii=False)
    if storage is Storage.BOOLEAN:
        return None if value is None else int(bool(value))
    return value


def decode(field: str, value: Any) -> Any:
    """A column value as the record holds it."""
    storage = _STORAGE.get(field)
    if storage is Storage.JSON_LIST:
        return json.loads(value) if value else []
    if storage is Storage.BOOLEAN:
        return None if value is None else bool(value)
    return value


def encode_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """Column values of ``articles`` for one record (missing fields are NULL)."""
    return {field: encode(field, record.get(field)) for field in ARTICLE_FIELDS}


def decode_row(
    row: sqlite3.Row | Mapping[str, Any], fields: Sequence[str] = ARTICLE_FIELDS
) -> dict[str, Any]:
    """The record's ``fields`` from a row of ``articles`` or ``article_versions``."""
    return {field: decode(field, row[field]) for field in fields}
