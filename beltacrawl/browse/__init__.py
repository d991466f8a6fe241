"""The archive in the browser (``scrapy archive serve``): Datasette with metadata derived
from the record, canned queries, charts and a few templates (docs/archive.md).

- :mod:`.app`: the Datasette instance over one archive, read-only, and the server;
- :mod:`.metadata`: titles, column descriptions from ``Article``, sorting, facets, search;
- :mod:`.queries`: the canned queries; :mod:`.charts`: the Vega-Lite charts;
- :mod:`.plugin`: Datasette hooks (search words, snippets, diffs of versions, tags);
- ``templates/``, ``static/``: the article list and page, the style.

Needs the ``browse`` extra (``pip install 'beltacrawl[browse]'``).
"""
