"""Under Scrapyd: build the egg with ``scrapyd-deploy``, upload it, schedule ``belta``
against the replica through the JSON API, and check what the job wrote.

A real Scrapyd runs on 127.0.0.1 on a free port, in a temp dir with its own
``scrapyd.conf`` (docs/operations.md, *Scrapyd*).
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.crawling import FAST, REPO

requests = pytest.importorskip("requests")
pytest.importorskip("scrapyd")
pytest.importorskip("scrapyd_client")

#: What a copy of the project needs to build its egg (scrapyd-deploy writes build/ and
#: *.egg-info next to setup.py, so it works on a copy, not on the checkout).
#: Each test runs real crawls (subprocesses): the quick subset leaves them out.
pytestmark = pytest.mark.slow

PROJECT_FILES = ("beltacrawl", "setup.py", "pyproject.toml", "scrapy.cfg", "README.md")
PROJECT = "beltacrawl"
DEADLINE = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def build_egg(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, project / name)
    # Marks this copy, to tell that the job ran the egg's code (not the checkout's).
    with (project / "beltacrawl" / "settings.py").open("a", encoding="utf-8") as settings:
        settings.write('\nBOT_NAME = "beltacrawl-egg"\n')
    egg = tmp_path / "beltacrawl.egg"
    deploy = Path(sys.executable).with_name("scrapyd-deploy")
    done = subprocess.run(
        [str(deploy), "--build-egg", str(egg)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return egg


@pytest.fixture
def scrapyd(tmp_path: Path):
    """A Scrapyd server in ``tmp_path/scrapyd``; yields its base URL."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\n"
        # Empty: the job's feed comes from its FEEDS setting (a non-empty items_dir would
        # replace it with Scrapyd's own feed).
        "items_dir =\n"
        f"dbs_dir = {home / 'dbs'}\n"
        "jobs_to_keep = 5\n"
        "max_proc = 1\n"
        "poll_interval = 0.2\n",
        encoding="utf-8",
    )
    log = (home / "scrapyd.out").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"], cwd=home, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/"

    def up() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"scrapyd exited: {(home / 'scrapyd.out').read_text()}")
        try:
            return requests.get(url + "daemonstatus.json", timeout=1).json()["status"] == "ok"
        except requests.RequestException:
            return False

    try:
        wait_for(up, 20, "scrapyd to answer")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_egg_runs_under_scrapyd(make_replica, scrapyd, tmp_path: Path) -> None:
    started = time.monotonic()
    server = make_replica(articles=40)
    egg = build_egg(tmp_path)

    with egg.open("rb") as handle:
        added = requests.post(
            scrapyd + "addversion.json",
            data={"project": PROJECT, "version": "r1"},
            files={"egg": ("beltacrawl.egg", handle)},
            timeout=30,
        ).json()
    assert added["status"] == "ok", added
    assert added["spiders"] == 1
    listed = requests.get(scrapyd + "listspiders.json", params={"project": PROJECT}, timeout=10)
    assert listed.json()["spiders"] == ["belta"]

    archive, feed = tmp_path / "out" / "a.sqlite", tmp_path / "out" / "feed.jsonl"
    settings = {
        **FAST,
        "BELTA_BASE_URL": server.base_url,
        "BELTA_ARCHIVE": str(archive),
        "FEEDS": json.dumps({feed.as_uri(): {"format": "jsonlines"}}),
    }
    scheduled = requests.post(
        scrapyd + "schedule.json",
        data=[
            ("project", PROJECT),
            ("spider", "belta"),
            ("max_pages", "10"),  # a spider argument, validated like -a max_pages=10
            *(("setting", f"{name}={value}") for name, value in settings.items()),
        ],
        timeout=10,
    ).json()
    assert scheduled["status"] == "ok", scheduled
    job = scheduled["jobid"]

    def finished() -> dict | None:
        jobs = requests.get(scrapyd + "listjobs.json", params={"project": PROJECT}, timeout=5)
        return next((j for j in jobs.json()["finished"] if j["id"] == job), None)

    remaining = DEADLINE - (time.monotonic() - started)
    wait_for(finished, remaining, f"job {job} to finish", interval=0.3)

    daemon_log = (tmp_path / "scrapyd" / "scrapyd.out").read_text()
    assert "Process died" not in daemon_log, daemon_log  # a non-zero exit status
    job_log = (tmp_path / "scrapyd" / "logs" / PROJECT / "belta" / f"{job}.log").read_text()
    assert "(bot: beltacrawl-egg)" in job_log
    assert "beltacrawl run summary (finish reason: finished)" in job_log
    assert "verdict: ok" in job_log

    records = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["key"] for r in records) == sorted(server.model.keys())
    with sqlite3.connect(archive) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == len(records)
        arguments, verdict = conn.execute(
            "SELECT arguments, verdict FROM crawl_runs ORDER BY id DESC"
        ).fetchone()
    assert json.loads(arguments) == {"max_pages": "10"}  # Scrapyd's _job is not one
    assert verdict == "ok"
