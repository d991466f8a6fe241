"""``scrapy parse`` on one article page prints its complete record."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tests.crawling import REPO

#: Each test runs real crawls (subprocesses): the quick subset leaves them out.
pytestmark = pytest.mark.slow


def test_scrapy_parse_prints_a_complete_record(replica):
    key = "66060-2024"  # a real sample, served with its real text
    url = replica.url(replica.model.expected_record(key)["url"])
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "parse", "--spider=belta", "-c", "parse_article",
         "-s", f"BELTA_BASE_URL={replica.base_url}", "-s", "BELTA_ARCHIVE=", url],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    printed = done.stdout.split("# Scraped Items", 1)[1].split("\n", 1)[1]
    items = ast.literal_eval(printed.split("# Requests", 1)[0])
    assert len(items) == 1
    record, truth = items[0], replica.model.expected_record(key)
    for field, value in truth.items():
        if field != "lead":  # known from a listing only
            assert record[field] == value, field
    assert record["lead"] is None
