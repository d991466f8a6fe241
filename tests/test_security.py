"""Security: requests go only to the configured site, and no cookie or credential
reaches the site, the log, the feed or the archive."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from tests.crawling import run_crawl
from tests.sitesim.faults import Faults, Request
from tests.sitesim.routes import Response, route

#: Each test runs real crawls (subprocesses): the quick subset leaves them out.
pytestmark = pytest.mark.slow

SECRET = "s3cr3t-session-4711"


class CookieSite(Faults):
    """The site sets a session cookie on every answer and notes any cookie sent back."""

    def __init__(self, model) -> None:
        self.model = model
        self.cookies_received: list[str] = []

    def intercept(self, request: Request) -> Response | None:
        if "Cookie" in request.headers or "cookie" in request.headers:
            self.cookies_received.append(request.target)
        page = route(self.model, request.target)
        headers = {**page.headers, "Set-Cookie": f"session={SECRET}; Path=/"}
        return dataclasses.replace(page, headers=headers)


def test_cookies_are_neither_sent_back_nor_stored(make_replica, tmp_path):
    server = make_replica(articles=30, samples=False)
    server.faults = site = CookieSite(server.model)
    archive = tmp_path / "archive.sqlite"
    result = run_crawl(server.base_url, tmp_path, archive=archive, settings={"LOG_LEVEL": "DEBUG"})
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.records) == 30
    assert site.cookies_received == []
    assert SECRET not in result.log
    assert SECRET not in (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    connection = sqlite3.connect(archive)
    dump = "\n".join(connection.iterdump())
    connection.close()
    assert SECRET not in dump


def test_credentials_in_the_base_url_are_refused_without_being_logged(make_replica, tmp_path):
    server = make_replica(articles=10, samples=False)
    base = server.base_url.replace("http://", f"http://crawler:{SECRET}@")
    result = run_crawl(base, tmp_path, "max_pages=1")
    assert result.returncode == 2
    assert "must not contain credentials" in result.log
    assert SECRET not in result.log
    assert server.requests == []
