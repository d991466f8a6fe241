"""Progress of a run: INFO lines in the log; a live line only on a terminal."""

from __future__ import annotations

import os
import pty
import subprocess

import pytest

from tests.crawling import REPO, crawl_command, run_crawl

#: Each test runs real crawls (subprocesses): the quick subset leaves them out.
pytestmark = pytest.mark.slow


def test_a_logged_run_gets_info_lines_and_no_live_line(make_replica, tmp_path):
    server = make_replica(articles=120)
    result = run_crawl(server.base_url, tmp_path, "since=2020-01-01",
                       settings={"BELTA_PROGRESS_INTERVAL": "0.2"})  # fmt: skip
    assert result.returncode == 0, result.log[-3000:]
    lines = [line for line in result.log.splitlines() if "[beltacrawl.progress] INFO: " in line]
    assert lines, result.log[-3000:]
    assert "articles (new " in lines[-1] and "all_news page " in lines[-1]
    assert "\r" not in result.log and "\x1b[K" not in result.log


def test_a_terminal_gets_a_live_line(make_replica, tmp_path):
    server = make_replica(articles=60)
    primary, secondary = pty.openpty()
    command = crawl_command(server.base_url, tmp_path / "out.jsonl")
    with subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=secondary) as run:
        os.close(secondary)
        seen = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
        assert run.wait(timeout=120) == 0
    os.close(primary)
    text = seen.decode("utf-8", "replace")
    assert "\r\x1b[Kprogress: " in text
    assert text.count("Closing spider") == 1
