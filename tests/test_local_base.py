"""A base URL on this machine is crawled without politeness delays (the offline demo)."""

from __future__ import annotations

from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

import beltacrawl.settings
from beltacrawl.local_base import LocalBase


def settings_after(**cmdline: object) -> Settings:
    settings = Settings()
    settings.setmodule(beltacrawl.settings, priority="project")
    settings.setdict(cmdline, priority="cmdline")
    LocalBase(get_crawler()).update_settings(settings)
    return settings


def test_the_replica_is_crawled_at_full_speed() -> None:
    settings = settings_after(BELTA_BASE_URL="http://127.0.0.1:8000")
    assert settings.getfloat("DOWNLOAD_DELAY") == 0
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is False
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 16


def test_the_site_and_command_line_values_keep_their_politeness() -> None:
    site = settings_after()
    assert site.getfloat("DOWNLOAD_DELAY") == beltacrawl.settings.DOWNLOAD_DELAY > 0
    assert site.getbool("AUTOTHROTTLE_ENABLED") is True
    mirror = settings_after(BELTA_BASE_URL="http://mirror.example")
    assert mirror.getfloat("DOWNLOAD_DELAY") == beltacrawl.settings.DOWNLOAD_DELAY
    asked = settings_after(BELTA_BASE_URL="http://localhost:8000", DOWNLOAD_DELAY="0.5")
    assert asked.getfloat("DOWNLOAD_DELAY") == 0.5
    assert asked.getbool("AUTOTHROTTLE_ENABLED") is False
