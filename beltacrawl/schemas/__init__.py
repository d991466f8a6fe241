"""JSON Schemas of beltacrawl's records, generated from the record classes' field specs
(:mod:`beltacrawl.items`). ``docs/article.schema.json`` is a copy for downstream users;
``python -m beltacrawl.schemas`` regenerates it.

>>> import json
>>> schema = json.loads(ARTICLE)
>>> schema["type"], schema["properties"]["language"]
('object', {'const': 'de'})
"""

from __future__ import annotations

import json
from typing import Any

from beltacrawl.items import Article, field_specs


def article_schema(record_class: type[Any] = Article) -> dict[str, Any]:
    """The JSON Schema (draft 7) of a record: every field required, no others allowed."""
    specs = field_specs(record_class)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "urn:beltacrawl:article-schema",  # a name, not an address: nothing is served
        "title": "beltacrawl Article",
        "description": (
            "One German BelTA article as beltacrawl writes it (JSON Lines feed, archive "
            "export). Field meanings: docs/schema.md."
        ),
        "type": "object",
        "additionalProperties": False,
        "required": [name for name, _ in specs],
        **getattr(record_class, "RECORD_RULES", {}),
        "properties": {name: spec.json_schema for name, spec in specs},
    }


def to_json(schema: dict[str, Any]) -> str:
    """A schema as the JSON text shipped in docs/ (two-space indent, final newline)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


#: The ``Article`` record's schema as JSON text; spidermon's ``SPIDERMON_VALIDATION_SCHEMAS``
#: takes it by its dotted path ``beltacrawl.schemas.ARTICLE``.
ARTICLE = to_json(article_schema())
