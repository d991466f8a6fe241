"""scrapy-playwright's memory-usage extension, counting the browser with any Playwright.

:class:`~scrapy_playwright.memusage.ScrapyPlaywrightMemoryUsageExtension` adds the memory
of Playwright's driver and its descendants (Chromium) to Scrapy's ``MemoryUsage``
(``memusage/max``, ``MEMUSAGE_LIMIT_MB``, ``MEMUSAGE_WARNING_MB``). It finds the driver
through Playwright internals that moved in newer releases (with Playwright 1.65 it finds
nothing and counts 0 bytes for the browser). The driver is a child process of the
crawler, so the crawler's children are the fallback; and a Chromium process that exits
while it is being counted no longer breaks the count. The figure is a sum of resident
set sizes, so memory shared between Chromium's processes counts several times: an upper
bound. Only imported when rendering is on (:class:`beltacrawl.rendering.Rendering`).
"""

from __future__ import annotations

from scrapy_playwright.memusage import ScrapyPlaywrightMemoryUsageExtension


class BrowserMemoryUsage(ScrapyPlaywrightMemoryUsageExtension):
    def _get_main_process_ids(self) -> list[int]:
        found = super()._get_main_process_ids()
        if found:
            return found
        try:
            return [child.pid for child in self.psutil.Process().children()]
        except self.psutil.Error:
            return []

    def _get_descendant_processes(self, process) -> list:
        try:
            return process.children(recursive=True)
        except self.psutil.Error:  # it exited meanwhile
            return []
