"""An archive of the replica and ``scrapy archive serve`` over it, for the browse tests."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from typing import TYPE_CHECKING

from tests.crawling import REPO, run_crawl
from tests.sitesim import ReplicaServer, SiteModel

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def replica_archive(workdir: Path, articles: int = 300) -> tuple[Path, SiteModel, str]:
    """An archive of two crawls of the replica: the second finds one changed text (its
    key is returned) and five new articles, so the archive has versions and two runs."""
    archive = workdir / "belta.sqlite"
    model = SiteModel(articles=articles)
    with ReplicaServer(model) as server:
        first = run_crawl(server.base_url, workdir, archive=archive)
        assert first.returncode == 0, first.log[-3000:]
        changed = model.keys()[2]
        model.update_text(changed)
        model.publish(5)
        second = run_crawl(server.base_url, workdir, "mode=full", archive=archive)
        assert second.returncode == 0, second.log[-3000:]
    return archive, model, changed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def article_count(base_url: str) -> int:
    status, text = get(f"{base_url}/archive/articles.json?_size=0&_shape=objects")
    assert status == 200, text
    return json.loads(text)["filtered_table_rows_count"]


@contextlib.contextmanager
def serving(archive: Path, workdir: Path) -> Iterator[str]:
    """``scrapy archive serve`` over ``archive`` as users start it; yields its base URL."""
    port = free_port()
    log = (workdir / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "archive", "serve", "--archive", str(archive),
         "--port", str(port)],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                if get(f"{base_url}/-/versions.json")[0] == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"serve did not start: {(workdir / 'serve.log').read_text()}")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
