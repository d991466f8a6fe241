"""Run ``scrapy crawl belta`` as a subprocess, the way users run it, and read its output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: Politeness off: the replica is local and the tests must be quick.
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "RETRY_TIMES": "1",
    "BELTA_RETRY_BACKOFF": "0.05",
    "BELTA_RETRY_BACKOFF_MAX": "0.2",
    "SPIDERMON_PERIODIC_MONITORS": '{"beltacrawl.monitors.DriftMonitors": 0.5}',
    "LOG_LEVEL": "INFO",
}


@dataclass
class CrawlResult:
    returncode: int
    records: list[dict]
    log: str

    def by_key(self) -> dict[str, dict]:
        return {record["key"]: record for record in self.records}

    def keys(self) -> list[str]:
        return [record["key"] for record in self.records]

    def stat(self, name: str) -> int | str | None:
        """A value from the stats dump at the end of the log."""
        match = re.search(rf"'{re.escape(name)}': ('[^']*'|\d+)", self.log)
        if match is None:
            return None
        value = match[1]
        return value.strip("'") if value.startswith("'") else int(value)


def run_crawl(
    base_url: str,
    workdir: Path,
    *arguments: str,
    archive: Path | None = None,
    settings: dict[str, str] | None = None,
    timeout: float = 300,
) -> CrawlResult:
    """Crawl ``base_url`` with ``-a`` arguments (``"since=2024-01-01"``) into a JSON Lines feed."""
    feed = workdir / "out.jsonl"
    feed.unlink(missing_ok=True)
    command = crawl_command(base_url, feed, *arguments, archive=archive, settings=settings)
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
    )
    return CrawlResult(done.returncode, read_feed(feed), done.stderr)


def crawl_command(
    base_url: str,
    feed: Path,
    *arguments: str,
    archive: Path | None = None,
    settings: dict[str, str] | None = None,
) -> list[str]:
    """The ``scrapy crawl belta`` command line (run it with ``cwd=REPO``)."""
    merged = {
        **FAST,
        "BELTA_BASE_URL": base_url,
        "BELTA_ARCHIVE": str(archive) if archive else "",
        **(settings or {}),
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "belta", "-O", f"{feed}:jsonlines"]
    for argument in arguments:
        command += ["-a", argument]
    for name, value in merged.items():
        command += ["-s", f"{name}={value}"]
    return command


def read_feed(feed: Path) -> list[dict]:
    if not feed.exists():
        return []
    return [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines() if line]
