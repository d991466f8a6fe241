"""beltacrawl's own settings (``BELTA_*``), read and checked in one place.

Every component takes what it needs from one frozen :class:`Config` built from the
crawler's settings, as scrapy-playwright does with its ``Config``. A setting missing from
them (a crawler built without the project's settings) takes its default from settings.py,
where each is documented (and in docs/usage.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from beltacrawl import settings as defaults
from beltacrawl.site.urls import base_url_problem

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

RENDER_MODES = ("never", "always", "fallback")


class ConfigError(ValueError):
    """A ``BELTA_*`` setting with a value beltacrawl cannot work with."""


@dataclass(frozen=True)
class Config:
    base_url: str
    """Where pages are fetched from (``BELTA_BASE_URL``), without a trailing slash."""
    archive_path: Path | None
    """``BELTA_ARCHIVE``; ``None`` when storage is switched off."""
    archive_batch_size: int
    record_run: bool
    """``BELTA_RECORD_RUN``: set by ``scrapy crawl``; other commands never lock or record."""
    known_streak: int
    recheck_seconds: float
    refresh_window: timedelta
    incomplete_window: timedelta
    failure_attempts: int
    render: str
    """``BELTA_RENDER``; the spider argument ``render=`` overrides it for one run."""

    @property
    def base_host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Config:
        """
        >>> from scrapy.settings import Settings
        >>> config = Config.from_settings(Settings({"BELTA_BASE_URL": "http://127.0.0.1:8000/"}))
        >>> config.base_url, config.base_host, config.archive_path, config.render
        ('http://127.0.0.1:8000', '127.0.0.1', None, 'never')
        >>> Config.from_settings(Settings({"BELTA_RENDER": "sometimes"}))
        Traceback (most recent call last):
        ...
        beltacrawl.config.ConfigError: BELTA_RENDER must be one of never, always, fallback, got 'sometimes'
        """  # noqa: E501
        base_url = str(settings.get("BELTA_BASE_URL") or defaults.BELTA_BASE_URL).strip()
        if problem := base_url_problem(base_url):
            raise ConfigError(f"BELTA_BASE_URL {problem}")
        batch_size = settings.getint("BELTA_ARCHIVE_BATCH_SIZE", defaults.BELTA_ARCHIVE_BATCH_SIZE)
        if batch_size < 1:
            raise ConfigError(f"BELTA_ARCHIVE_BATCH_SIZE must be at least 1, not {batch_size}")
        archive = str(settings.get("BELTA_ARCHIVE") or "").strip()
        return cls(
            base_url=base_url.rstrip("/"),
            archive_path=Path(archive).expanduser() if archive else None,
            archive_batch_size=batch_size,
            record_run=settings.getbool("BELTA_RECORD_RUN", defaults.BELTA_RECORD_RUN),
            known_streak=settings.getint("BELTA_KNOWN_STREAK", defaults.BELTA_KNOWN_STREAK),
            recheck_seconds=settings.getfloat(
                "BELTA_RECHECK_SECONDS", defaults.BELTA_RECHECK_SECONDS
            ),
            refresh_window=timedelta(
                hours=settings.getfloat("BELTA_REFRESH_HOURS", defaults.BELTA_REFRESH_HOURS)
            ),
            incomplete_window=timedelta(
                days=settings.getfloat("BELTA_INCOMPLETE_DAYS", defaults.BELTA_INCOMPLETE_DAYS)
            ),
            failure_attempts=settings.getint(
                "BELTA_FAILURE_ATTEMPTS", defaults.BELTA_FAILURE_ATTEMPTS
            ),
            render=render_mode(settings.get("BELTA_RENDER")),
        )


def render_mode(value: object) -> str:
    """A validated render mode (``never`` when unset)."""
    mode = str(value or "never").strip().lower()
    if mode not in RENDER_MODES:
        raise ConfigError(f"BELTA_RENDER must be one of {', '.join(RENDER_MODES)}, got {value!r}")
    return mode
