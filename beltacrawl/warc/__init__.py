"""Pages kept as WARC (ISO 28500): written during a crawl, read back to re-extract or import.

- :mod:`.files`: one crawl's files (rollover, ``.open`` while written, repair after a kill);
- :mod:`.records`: Scrapy responses as WARC records and back, scanning WARC/ARC files;
- :mod:`.recorder`: the ``WarcRecorder`` extension that writes them during a crawl;
- :mod:`.extract`: the crawl's own extraction run over stored pages
  (``scrapy archive reextract`` and ``import-warc``).
"""
