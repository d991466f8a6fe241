"""What does not count as a site that cannot be reached at all
(``beltacrawl.reachability``); the crawls that meet an unreachable one (DNS failure, refused
connection) are in tests/test_crawl.py."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionLost, TCPTimedOutError

from beltacrawl.reachability import UnreachableSiteMiddleware

BASE = "http://127.0.0.1:9"


@pytest.fixture
def middleware() -> UnreachableSiteMiddleware:
    crawler = get_crawler(settings_dict={"BELTA_BASE_URL": BASE})
    return UnreachableSiteMiddleware.from_crawler(crawler)


@pytest.mark.parametrize("error", [TCPTimedOutError(), ConnectionLost()])
def test_a_connection_that_timed_out_or_broke_is_a_passing_fault(middleware, error) -> None:
    request = Request(f"{BASE}/all_news/")
    assert middleware.process_exception(request, error) is None
    assert not middleware.reported
