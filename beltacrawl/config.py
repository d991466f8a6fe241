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
    chromium: str
    """``BELTA_CHROMIUM``: the browser's executable, a path or a name on ``PATH``."""
    validate: bool
    """``BELTA_VALIDATE``: the validation pipeline is on."""
    deduplicate: bool
    """``BELTA_DEDUPLICATE``: the deduplication pipeline is on."""
    retry_after_max: float
    """``BELTA_RETRY_AFTER_MAX``: longest ``Retry-After`` pause honoured, in seconds."""
    retry_backoff: float
    """``BELTA_RETRY_BACKOFF``: first back-off before a retry, in seconds (then doubled)."""
    retry_backoff_max: float
    """``BELTA_RETRY_BACKOFF_MAX``: longest back-off, in seconds."""
    retry_wait_total: float
    """``BELTA_RETRY_WAIT_TOTAL``: longest time one request waits for its retries in all."""
    max_listing_entries: int
    """``BELTA_MAX_LISTING_ENTRIES``: entries taken from one listing page."""
    max_invalid_share: float
    """``BELTA_MAX_INVALID_SHARE``: share of invalid article pages that stops a crawl."""
    max_failed_share: float
    """``BELTA_MAX_FAILED_SHARE``: share of failed article requests that stops a crawl."""
    drift_min_articles: int
    """``BELTA_DRIFT_MIN_ARTICLES``: articles seen before those shares are judged."""
    warc_dir: Path | None = None
    """``BELTA_WARC_DIR`` resolved (a relative path lies in the archive's folder);
    ``None`` when pages are not kept."""
    warc_max_size: int = defaults.BELTA_WARC_MAX_SIZE
    warc_listings: bool = defaults.BELTA_WARC_LISTINGS

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
        >>> config.retry_after_max, config.validate, config.drift_min_articles  # settings.py's
        (120.0, True, 10)
        >>> Config.from_settings(Settings({"BELTA_DEDUPLICATE": "0"})).deduplicate
        False
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
        archive_path = Path(archive).expanduser() if archive else None

        def number(name: str) -> float:
            return settings.getfloat(name, getattr(defaults, name))

        def switch(name: str) -> bool:
            return settings.getbool(name, getattr(defaults, name))

        return cls(
            base_url=base_url.rstrip("/"),
            archive_path=archive_path,
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
            chromium=str(settings.get("BELTA_CHROMIUM") or defaults.BELTA_CHROMIUM),
            validate=switch("BELTA_VALIDATE"),
            deduplicate=switch("BELTA_DEDUPLICATE"),
            retry_after_max=number("BELTA_RETRY_AFTER_MAX"),
            retry_backoff=number("BELTA_RETRY_BACKOFF"),
            retry_backoff_max=number("BELTA_RETRY_BACKOFF_MAX"),
            retry_wait_total=number("BELTA_RETRY_WAIT_TOTAL"),
            max_listing_entries=_at_least_one(
                "BELTA_MAX_LISTING_ENTRIES",
                settings.getint("BELTA_MAX_LISTING_ENTRIES", defaults.BELTA_MAX_LISTING_ENTRIES),
            ),
            max_invalid_share=number("BELTA_MAX_INVALID_SHARE"),
            max_failed_share=number("BELTA_MAX_FAILED_SHARE"),
            drift_min_articles=settings.getint(
                "BELTA_DRIFT_MIN_ARTICLES", defaults.BELTA_DRIFT_MIN_ARTICLES
            ),
            warc_dir=warc_dir(
                settings.get("BELTA_WARC_DIR", defaults.BELTA_WARC_DIR), archive_path
            ),
            warc_max_size=settings.getint("BELTA_WARC_MAX_SIZE", defaults.BELTA_WARC_MAX_SIZE),
            warc_listings=switch("BELTA_WARC_LISTINGS"),
        )


def warc_dir(value: object, archive_path: Path | None) -> Path | None:
    """Where WARC files go: ``BELTA_WARC_DIR``, a relative one in the archive's folder
    (without an archive, only an absolute one is used); ``None`` when switched off.

    >>> warc_dir("warc", Path("data/belta.sqlite")), warc_dir("", Path("data/belta.sqlite"))
    (PosixPath('data/warc'), None)
    >>> warc_dir("warc", None), warc_dir("/srv/warc", None)
    (None, PosixPath('/srv/warc'))
    """
    text = str(value or "").strip()
    if not text:
        return None
    path = Path(text).expanduser()
    if path.is_absolute():
        return path
    return archive_path.parent / path if archive_path is not None else None


def render_mode(value: object) -> str:
    """A validated render mode (``never`` when unset)."""
    mode = str(value or "never").strip().lower()
    if mode not in RENDER_MODES:
        raise ConfigError(f"BELTA_RENDER must be one of {', '.join(RENDER_MODES)}, got {value!r}")
    return mode


def _at_least_one(name: str, value: int) -> int:
    if value < 1:
        raise ConfigError(f"{name} must be at least 1, not {value}")
    return value
