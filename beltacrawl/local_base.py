"""Add-on: a base URL on this machine (the replica, a local mirror) is crawled at full speed.

Politeness (``DOWNLOAD_DELAY``, AutoThrottle, two requests per host) protects the real
site; against a server on the loopback interface it only makes the offline demo take
minutes instead of seconds. So when ``BELTA_BASE_URL`` is ``127.0.0.0/8``, ``::1`` or
``localhost``, those settings' values from settings.py give way to the ones below; a value
given with ``-s`` still wins.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING

from scrapy.settings import SETTINGS_PRIORITIES

from beltacrawl.config import Config, ConfigError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

LOCAL_SPEED = {
    "DOWNLOAD_DELAY": 0.0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
}


def is_local_host(host: str) -> bool:
    """
    >>> is_local_host("127.0.0.1"), is_local_host("localhost"), is_local_host("::1")
    (True, True, True)
    >>> is_local_host("deu.belta.by"), is_local_host("10.0.0.5")
    (False, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LocalBase:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LocalBase:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        try:
            config = Config.from_settings(settings)
        except ConfigError:
            return  # the crawl command reports it
        if not is_local_host(config.base_host):
            return
        project = SETTINGS_PRIORITIES["project"]
        relaxed = []
        for name, value in LOCAL_SPEED.items():
            if (settings.getpriority(name) or 0) <= project:
                settings.set(name, value, priority="project")
                relaxed.append(f"{name}={value}")
        if relaxed:
            logger.info(
                "BELTA_BASE_URL %s is on this machine: politeness off (%s; -s overrides)",
                config.base_url,
                ", ".join(relaxed),
            )
