"""Scrapy's memory-usage extension, counting the browser's processes too.

Scrapy's :class:`~scrapy.extensions.memusage.MemoryUsage` sees the crawler's own memory
only; in a rendered run Chromium and Playwright's driver use more. They are child
processes of the crawler, so this extension adds the resident set size of every
descendant process (psutil) to Scrapy's figure: ``memusage/max``, ``MEMUSAGE_LIMIT_MB``
and ``MEMUSAGE_WARNING_MB`` then cover the whole run. Memory shared between Chromium's
processes counts several times, so the figure is an upper bound.

scrapy-playwright ships such an extension, but it finds the driver through Playwright
internals that moved in Playwright 1.65 and then counts nothing; this one uses only the
public ``get_virtual_size`` of Scrapy's extension and psutil's public API. Installed by
:class:`beltacrawl.rendering.Rendering` when the render mode is not ``never``.
"""

from __future__ import annotations

import psutil
from scrapy.extensions.memusage import MemoryUsage


class BrowserMemoryUsage(MemoryUsage):
    def get_virtual_size(self) -> int:
        return super().get_virtual_size() + descendants_memory()


def descendants_memory() -> int:
    """Bytes resident in this process's descendants (0 when there are none)."""
    total = 0
    for child in psutil.Process().children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:  # it exited meanwhile
            continue
    return total
