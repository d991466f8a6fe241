"""Scrapy settings of beltacrawl: a polite production crawler of one site.

Every ``BELTA_*`` setting is documented in docs/usage.md; override any of them with
``-s NAME=value`` on the command line.
"""

BOT_NAME = "beltacrawl"
SPIDER_MODULES = ["beltacrawl.spiders"]
NEWSPIDER_MODULE = "beltacrawl.spiders"
COMMANDS_MODULE = "beltacrawl.commands"

# --- the site -------------------------------------------------------------------------
#: Where pages are fetched from: the live site, a mirror, or the local replica. Records
#: always carry the real site's canonical URL.
BELTA_BASE_URL = "https://deu.belta.by"

# --- politeness -----------------------------------------------------------------------
USER_AGENT = "beltacrawl/0.1 (news archive crawler; +https://pypi.org/project/beltacrawl/)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- faults ---------------------------------------------------------------------------
RETRY_ENABLED = True
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "beltacrawl.middlewares.PoliteRetryMiddleware": 550,
    # No answer at all at the start of a run (no network, wrong host): stop at once.
    "beltacrawl.reachability.UnreachableSiteMiddleware": 560,
    # Redirects (HTTP or <meta> refresh) to another host or in a loop fail the request
    # (recorded as failed).
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "beltacrawl.middlewares.SafeRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "beltacrawl.middlewares.SafeMetaRefreshMiddleware": 580,
    # Marks requests for the browser (render=always), checks the browser at start
    # (docs/rendering.md). One dict: a second assignment would drop the retries above.
    "beltacrawl.rendering.RenderMiddleware": 650,
}
#: Longest pause a ``Retry-After`` header may ask for; a longer one fails the request
#: (it is recorded and retried by the next run).
BELTA_RETRY_AFTER_MAX = 120.0
#: Longest time one request may wait for its retries in all (``Retry-After`` and back-off
#: together); a retry that would wait longer is not made: the request fails and is
#: recorded, for the next run.
BELTA_RETRY_WAIT_TOTAL = 180.0
#: Back-off before a retry without ``Retry-After``: doubled each attempt, bounded.
BELTA_RETRY_BACKOFF = 2.0
BELTA_RETRY_BACKOFF_MAX = 60.0
RETRY_TIMES = 4
#: The site has no redirect chains; a loop is given up quickly.
REDIRECT_MAX_TIMES = 5
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
DOWNLOAD_TIMEOUT = 30
#: Article pages are ~50 kB; anything near these sizes is not a page of this site.
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
SPIDER_MIDDLEWARES = {
    # An article URL over URLLENGTH_LIMIT is recorded as failed, not dropped at INFO.
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "beltacrawl.middlewares.RecordedUrlLengthMiddleware": 800,
    # Counts answered article pages for the outage monitor (beltacrawl/monitors.py).
    "beltacrawl.middlewares.AnsweredArticles": 900,
}

#: ``@base_url`` (beltacrawl/contracts.py): ``scrapy check belta`` fetches its sample pages
#: from ``BELTA_BASE_URL``, so that it runs against the replica offline.
SPIDER_CONTRACTS = {"beltacrawl.contracts.BaseUrlContract": 10}

# --- output ---------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
#: CSV feeds (``-O feed.csv``) in the one CSV dialect of beltacrawl, the same as
#: ``scrapy archive export`` (beltacrawl/exports.py, docs/schema.md).
FEED_EXPORTERS = {"csv": "beltacrawl.exports.CsvItemExporter"}
#: Items of one response processed at a time. The pipelines are synchronous, so more
#: brings nothing, and Scrapy starts one asyncio task per unit for every callback
#: result: its default of 100 cost 0.6–0.9 ms of CPU per page (docs/performance.md).
CONCURRENT_ITEMS = 1

ITEM_PIPELINES = {
    "beltacrawl.pipelines.ValidationPipeline": 100,
    "beltacrawl.pipelines.DeduplicationPipeline": 200,
    "beltacrawl.pipelines.ArchivePipeline": 800,
}
#: Drop records that fail the JSON Schema (``SPIDERMON_VALIDATION_SCHEMAS``), or whose URL
#: is not canonical or whose key disagrees with it (docs/archive.md).
BELTA_VALIDATE = True
#: Drop a second record with the same key within one run.
BELTA_DEDUPLICATE = True
#: The SQLite archive (relative to the directory scrapy runs in); empty switches it off.
BELTA_ARCHIVE = "data/belta.sqlite"
#: Whether this process locks the archive and records its run in ``crawl_runs``. Only
#: ``scrapy crawl`` (also under Scrapyd) switches it on, for the ``belta`` spider:
#: ``scrapy shell``, ``parse`` and ``check`` read pages without touching the archive.
BELTA_RECORD_RUN = False
#: Articles written per archive transaction.
BELTA_ARCHIVE_BATCH_SIZE = 100
#: Every fetched page is kept in WARC files here (a relative path lies in the archive's
#: folder: data/warc/); empty switches it off. Without an archive only an absolute path
#: is used. docs/archive.md ("Pages") has their size and use.
BELTA_WARC_DIR = "warc"
#: A WARC file is closed, and the next begun, once it holds this many bytes.
BELTA_WARC_MAX_SIZE = 1024 * 1024 * 1024
#: Listing pages are kept too (they show when an article was first listed).
BELTA_WARC_LISTINGS = True

# --- crawl behaviour (docs/usage.md) ---------------------------------------------------
#: Entries taken from one listing page (the site shows about ten): the rest of a page with
#: more is counted (``belta/listing/entries_over_cap``), logged, and makes the run's
#: verdict say so, instead of queueing a request for each of thousands of links.
BELTA_MAX_LISTING_ENTRIES = 200
#: Incremental runs stop a listing walk after this many consecutive already-archived
#: entries (older than the refresh window): items shift between runs, so a margin of
#: about one listing page makes sure nothing new lies beyond.
BELTA_KNOWN_STREAK = 10
#: Archived copies taken less than this after publication may miss the site's
#: corrections: they are fetched again (see docs/usage.md for when).
BELTA_REFRESH_HOURS = 6.0
#: Articles marked ``/Wird ergänzt/`` are fetched again until completed, for this long
#: after publication.
BELTA_INCOMPLETE_DAYS = 7.0
#: A walk that took longer than this re-reads its first listing page at the end, to pick
#: up articles published while it ran (0 = always, -1 = never).
BELTA_RECHECK_SECONDS = 300.0
#: Articles that failed (HTTP errors, invalid pages) are retried at the start of later
#: incremental runs, until they have failed this many times.
BELTA_FAILURE_ATTEMPTS = 5

# --- browser rendering (docs/rendering.md) ---------------------------------------------
#: ``never``: plain HTTP. ``always``: every listing and article page through Chromium.
#: ``fallback``: plain HTTP, and a page missing its content (a listing without entries,
#: an article without text) once more through Chromium. The spider argument ``render=``
#: overrides it. Only when it is not ``never`` does the add-on below install
#: scrapy-playwright's download handlers (plain runs need no browser).
BELTA_RENDER = "never"
#: The Chromium executable (Debian's ``chromium`` package); a bare name is looked up on
#: PATH. Playwright's own downloaded browsers are never used.
BELTA_CHROMIUM = "/usr/bin/chromium"
ADDONS = {
    "beltacrawl.rendering.Rendering": 0,
    # A BELTA_BASE_URL on this machine (the replica) is crawled without politeness delays.
    "beltacrawl.local_base.LocalBase": 10,
}
# beltacrawl.rendering.RenderMiddleware is in DOWNLOADER_MIDDLEWARES above (# --- faults).
#: scrapy-playwright needs the asyncio reactor; it is Scrapy's default since 2.13, pinned
#: here so that a plain and a rendered run use the same one.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
#: One browser context (fresh, temporary profile) with at most this many open pages.
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
#: Milliseconds for a page to load in the browser (the browser's DOWNLOAD_TIMEOUT).
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
#: Images, fonts and media are not loaded inside rendered pages.
PLAYWRIGHT_ABORT_REQUEST = "beltacrawl.rendering.abort_request"
# PLAYWRIGHT_LAUNCH_OPTIONS is derived from BELTA_CHROMIUM (beltacrawl.rendering); set it
# here only to launch the browser differently.

LOG_LEVEL = "INFO"

EXTENSIONS = {
    # Spidermon's closing monitors run first, so that the run keeper's verdict has them.
    "spidermon.contrib.scrapy.extensions.Spidermon": 500,
    # Owns the archive during the crawl, records the run and judges it (beltacrawl/keeper.py).
    "beltacrawl.keeper.RunKeeper": 600,
    # Keeps every fetched page in WARC files (BELTA_WARC_DIR); after the keeper, whose
    # archive records where each article's page is.
    "beltacrawl.warc.recorder.WarcRecorder": 650,
    # Progress for people: INFO lines, and a live line on a terminal (beltacrawl/progress.py).
    "beltacrawl.progress.Progress": 700,
}
#: Seconds between the progress lines in the log (articles new/updated/unchanged, listing
#: page and day reached, share of the ``since`` window, rate, time left); 0 switches off.
BELTA_PROGRESS_INTERVAL = 60.0

# --- run health (beltacrawl/monitors.py, spidermon) -------------------------------------
SPIDERMON_ENABLED = True
#: The drift monitors look at the running crawl every 5 seconds.
SPIDERMON_PERIODIC_MONITORS = {"beltacrawl.monitors.DriftMonitors": 5}
SPIDERMON_SPIDER_CLOSE_MONITORS = ["beltacrawl.monitors.RunMonitors"]
# A dotted path, not a file path: the schema must also load from a zipped egg (Scrapyd).
SPIDERMON_VALIDATION_SCHEMAS = ["beltacrawl.schemas.ARTICLE"]
#: The validation pipeline hands spidermon's a copy of each record and reads its errors
#: from it, to name the reason of a drop.
SPIDERMON_VALIDATION_ADD_ERRORS_TO_ITEMS = True
SPIDERMON_ADD_FIELD_COVERAGE = True
#: A field that is ``None`` was not found: it must not count as covered (spidermon counts
#: it by default, and every ``Article`` field always exists, so no rule could ever fail).
SPIDERMON_FIELD_COVERAGE_SKIP_NONE = True
SPIDERMON_FIELD_COVERAGE_SKIP_IF_NO_ITEM = True
#: No rule for ``body``: an infographic has no text; an article without one fails
#: validation (its JSON Schema asks a text of kind ``article``) and counts towards
#: ``BELTA_MAX_INVALID_SHARE``.
SPIDERMON_FIELD_COVERAGE_RULES = {
    "Article/url": 1.0,
    "Article/key": 1.0,
    "Article/title": 1.0,
    "Article/published_at": 0.9,
    "Article/rubric_label": 0.9,
}
#: A crawl stops (``layout_changed``) when more than this share of article pages fails
#: validation, once ``BELTA_DRIFT_MIN_ARTICLES`` pages have been seen.
BELTA_MAX_INVALID_SHARE = 0.5
#: ... and (``site_unavailable``) when more than this share of article requests fails.
BELTA_MAX_FAILED_SHARE = 0.5
BELTA_DRIFT_MIN_ARTICLES = 10
