"""The crawl policy: which page to read next, which article to fetch, when a walk stops.

Pure code, no Scrapy: the spider (:mod:`beltacrawl.spiders.belta`) turns these decisions
into requests, and each rule can be unit-tested with plain values. Read top to bottom:

- :mod:`~beltacrawl.crawl.arguments`: what the user asked for (listings, date window, ...).
- :mod:`~beltacrawl.crawl.walk`: one walk through a listing, page by page, and its stop rules.
- :mod:`~beltacrawl.crawl.reach`: how far back a walk reached, and rubric walks cut short
  that one walk of ``all_news`` completes.
- :mod:`~beltacrawl.crawl.freshness`: which archived copies to fetch again, which failures
  to retry.
- :mod:`~beltacrawl.crawl.verdict`: did the run do its job? One verdict, used by the
  summary, the exit status and the archive's run record.

docs/architecture.md describes the incremental algorithm these modules implement.
"""
