"""Spider contracts of beltacrawl (``scrapy check belta``), enabled in ``SPIDER_CONTRACTS``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.contracts import Contract

from beltacrawl.site.urls import on_base

if TYPE_CHECKING:
    from collections.abc import Callable


class BaseUrlContract(Contract):
    """``@base_url``: fetch the sample ``@url`` (written on the real site) from
    ``BELTA_BASE_URL`` instead: a mirror, or the replica, which serves the same paths,
    so that ``scrapy check belta -s BELTA_BASE_URL=http://127.0.0.1:8000`` runs offline.
    Put it after ``@url``."""

    name = "base_url"

    def __init__(self, method: Callable[..., Any], *args: Any) -> None:
        super().__init__(method, *args)
        self.base_url: str = method.__self__.config.base_url  # the spider's Config

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        args["url"] = on_base(args["url"], self.base_url)
        return args
