"""Browser rendering through scrapy-playwright, only when asked for (docs/rendering.md).

The spider argument ``render=``, or else the setting ``BELTA_RENDER``, chooses:

- ``never``: plain HTTP. Nothing of this module is active, Playwright is not even imported
  and no browser is needed.
- ``always``: every listing and article request goes through Chromium.
- ``fallback``: plain HTTP; the spider sends a page whose expected content is missing
  through the browser once more.

Two components do the work:

- :class:`Rendering`, an add-on (``ADDONS``): when the mode is not ``never`` it installs
  scrapy-playwright's download handler for http/https, the launch options of the local
  Chromium (``BELTA_CHROMIUM``) and scrapy-playwright's memory-usage extension
  (:mod:`beltacrawl.browser_memory`).
- :class:`RenderMiddleware`, a downloader middleware: in ``always`` it marks requests
  ``meta["playwright"] = True``; in both browser modes it makes sure the browser exists
  before anything is fetched and ends the run clearly when it cannot start.

The other ``PLAYWRIGHT_*`` settings (pages, contexts, timeout, aborted requests) live in
``settings.py`` with the rest.
"""

from __future__ import annotations

import logging
import os
import shutil
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import deferred_from_coro

from beltacrawl.config import Config
from beltacrawl.crawl.verdict import BROWSER_FAILED_STAT, BROWSER_INSTALL_HINT

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

#: Command-line switches of the browser: no sandbox (containers, root), nothing phoning
#: home or updating itself, no GPU.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
)
#: Sub-resources the browser does not load: the text does not need them.
ABORTED_RESOURCE_TYPES = frozenset({"image", "font", "media"})
#: ``page.goto`` returns after the ``load`` event: scripts that fill the page on
#: ``DOMContentLoaded`` or ``load`` have run by then.
GOTO_KWARGS = {"wait_until": "load"}
PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
#: Scrapy's memory-usage extension with the browser's processes (beltacrawl/browser_memory.py).
PLAYWRIGHT_MEMUSAGE = "beltacrawl.browser_memory.BrowserMemoryUsage"
SCRAPY_MEMUSAGE = "scrapy.extensions.memusage.MemoryUsage"


def render_mode(crawler: Crawler) -> str:
    """The run's render mode, as the ``belta`` spider chose it (its ``render`` argument,
    else ``BELTA_RENDER``); ``BELTA_RENDER`` for any other spider."""
    chosen = getattr(crawler.spider, "render_mode", None)
    return chosen or Config.from_settings(crawler.settings).render


def launch_options(settings: BaseSettings) -> dict[str, Any]:
    """Playwright's launch options for the local Chromium named by ``BELTA_CHROMIUM``.

    A bare name is looked up on ``PATH``. Playwright launches a non-persistent browser with
    a fresh temporary profile and deletes it on exit.

    >>> from scrapy.settings import Settings
    >>> options = launch_options(Settings({"BELTA_CHROMIUM": "/opt/chromium/chrome"}))
    >>> options["executable_path"], options["headless"], options["args"][0]
    ('/opt/chromium/chrome', True, '--no-sandbox')
    """
    chromium = Config.from_settings(settings).chromium
    return {
        "executable_path": shutil.which(chromium) or chromium,
        "headless": True,
        "args": list(CHROMIUM_ARGS),
    }


def abort_request(request: Any) -> bool:
    """``PLAYWRIGHT_ABORT_REQUEST``: skip images, fonts and media inside rendered pages.

    >>> from types import SimpleNamespace
    >>> abort_request(SimpleNamespace(resource_type="image"))
    True
    >>> abort_request(SimpleNamespace(resource_type="script"))
    False
    """
    return request.resource_type in ABORTED_RESOURCE_TYPES


class Rendering:
    """Add-on: installs scrapy-playwright when the render mode is not ``never``.

    Built after the spider, so the spider's ``render`` argument is known. Plain runs keep
    Scrapy's own download handlers.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Rendering:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        if render_mode(self.crawler) == "never":
            return
        # meta["playwright"] is honoured only by this handler; unmarked requests go
        # through its plain HTTP/1.1 parent.
        settings["DOWNLOAD_HANDLERS"]["http"] = PLAYWRIGHT_HANDLER
        settings["DOWNLOAD_HANDLERS"]["https"] = PLAYWRIGHT_HANDLER
        # Counts the browser's processes in memusage/max and MEMUSAGE_LIMIT_MB.
        settings["EXTENSIONS"][SCRAPY_MEMUSAGE] = None
        settings["EXTENSIONS"][PLAYWRIGHT_MEMUSAGE] = 0
        # Addon priority: PLAYWRIGHT_LAUNCH_OPTIONS given in settings or -s wins.
        settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(settings), priority="addon")


class RenderMiddleware:
    """Sends requests through the browser (``always``) and checks that the browser works.

    Raises :class:`NotConfigured` in ``never`` mode, so plain runs do not carry it.
    """

    def __init__(self, crawler: Crawler, mode: str) -> None:
        self.crawler = crawler
        self.mode = mode
        options = crawler.settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
        self.executable: str | None = options.get("executable_path")
        self._failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderMiddleware:
        mode = render_mode(crawler)
        if mode == "never":
            raise NotConfigured
        middleware = cls(crawler, mode)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        """Ends the run before the first request when the browser is not there."""
        path = self.executable
        if path is None:  # PLAYWRIGHT_LAUNCH_OPTIONS without executable_path: Playwright's
            return  # own browser, which the user installed on purpose
        if os.path.isfile(path) and os.access(path, os.X_OK):
            logger.info("browser rendering (render=%s) with Chromium at %s", self.mode, path)
            return
        what = "is not executable" if os.path.exists(path) else "does not exist"
        self._fail(f"Chromium at {path} {what}")
        raise CloseSpider("browser_missing")

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        meta = request.meta
        # robots.txt and other internal requests (NO_CALLBACK) stay plain HTTP.
        internal = request.callback is NO_CALLBACK
        if self.mode == "always" and "playwright" not in meta and not internal:
            meta["playwright"] = True
        if meta.get("playwright"):
            meta.setdefault("playwright_page_goto_kwargs", dict(GOTO_KWARGS))
        return None

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        """A browser that cannot start ends the run: every rendered page would fail."""
        launch_failed = "BrowserType.launch" in str(exception)
        if request.meta.get("playwright") and launch_failed and not self._failed:
            first_line = str(exception).strip().splitlines()[0]
            self._fail(f"Chromium at {self.executable} could not be started ({first_line})")
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="browser_failed"))
        return None

    def _fail(self, what: str) -> None:
        self._failed = True
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(BROWSER_FAILED_STAT, what)
        logger.error("browser rendering (render=%s): %s; %s", self.mode, what, BROWSER_INSTALL_HINT)


def browser_fallback(response: Response, mode: str, kind: str, spider: Spider) -> Request | None:
    """With ``render=fallback``, the request once more through the browser, for a ``kind``
    page (``listing``, ``article``) whose expected content is missing; ``None`` when the
    page was rendered already or the mode is another."""
    if mode != "fallback" or response.meta.get("playwright"):
        return None
    assert spider.crawler.stats is not None
    spider.crawler.stats.inc_value(f"belta/render/fallback/{kind}")
    spider.logger.info(
        "%s page %s: expected content missing; fetching it again through the browser",
        kind,
        response.url,
    )
    meta = {**response.meta, "playwright": True}
    return response.request.replace(meta=meta, dont_filter=True)
