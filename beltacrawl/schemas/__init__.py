"""JSON Schemas of beltacrawl's records, read as package resources so that they load from
an installed package and from a zipped egg under Scrapyd alike (a file path into an egg
cannot be opened).

>>> import json
>>> json.loads(ARTICLE)["type"]
'object'
"""

from importlib.resources import files

#: The ``Article`` record's schema (``article.schema.json``), as JSON text; spidermon's
#: ``SPIDERMON_VALIDATION_SCHEMAS`` takes it by its dotted path.
ARTICLE = files(__name__).joinpath("article.schema.json").read_text(encoding="utf-8")
