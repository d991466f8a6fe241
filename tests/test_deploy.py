"""deploy/: the wrapper script against the replica, and the cron, systemd and logrotate
files that call it (docs/operations.md)."""

from __future__ import annotations

import configparser
import fcntl
import gzip
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from beltacrawl.archive import ArchiveLock
from tests.crawling import FAST, REPO

DEPLOY = REPO / "deploy"
SCRIPT = DEPLOY / "run-crawl.sh"
#: Where the example files expect the checkout.
INSTALL_DIR = "/opt/beltacrawl"


def wrapper_env(tmp_path: Path, base_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "BELTACRAWL_HOME": str(REPO),
        "BELTACRAWL_VENV": str(REPO / ".venv"),
        "BELTACRAWL_ARCHIVE": str(tmp_path / "data" / "belta.sqlite"),
        "BELTACRAWL_LOG_DIR": str(tmp_path / "logs"),
        "BELTACRAWL_FEED_DIR": str(tmp_path / "feeds"),
        # Shell-like quoting works here; the crawl would go to the live site without it.
        "BELTACRAWL_SCRAPY_ARGS": f"-s 'BELTA_BASE_URL={base_url}' -s LOG_LEVEL=INFO",
        **extra,
    }


#: The tests' politeness-off settings, as arguments appended by the script.
FAST_ARGS = tuple(arg for name, value in FAST.items() for arg in ("-s", f"{name}={value}"))


def run_script(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *FAST_ARGS, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def feed_records(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


pytestmark = pytest.mark.skipif(
    not (REPO / ".venv" / "bin" / "python").exists() or shutil.which("flock") is None,
    reason="needs the project's .venv and flock(1)",
)


# --- run-crawl.sh -----------------------------------------------------------------------


def test_script_is_executable_bash_with_strict_mode() -> None:
    text = SCRIPT.read_text(encoding="utf-8")
    assert os.access(SCRIPT, os.X_OK)
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert subprocess.run(["bash", "-n", str(SCRIPT)], check=False).returncode == 0


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed")
def test_script_passes_shellcheck() -> None:
    done = subprocess.run(["shellcheck", str(SCRIPT)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout


@pytest.mark.slow
def test_two_runs_write_feeds_archive_and_one_log(make_replica, tmp_path: Path) -> None:
    server = make_replica(articles=40)
    env = wrapper_env(tmp_path, server.base_url)

    first = run_script(env)
    assert first.returncode == 0, first.stderr + (tmp_path / "logs" / "beltacrawl.log").read_text()
    assert first.stderr == ""  # quiet on success: cron mails nothing
    feeds = sorted((tmp_path / "feeds").iterdir())
    assert [f.name for f in feeds] == [feeds[0].name]
    assert re.fullmatch(r"belta-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d.*\.jsonl", feeds[0].name)
    keys = sorted(r["key"] for r in feed_records(feeds[0]))
    assert keys == sorted(server.model.keys())
    with sqlite3.connect(tmp_path / "data" / "belta.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == len(keys)

    # The next hour: incremental, a second gzipped feed file, the same log appended.
    time.sleep(1.1)  # %(time)s has one-second resolution
    second = run_script({**env, "BELTACRAWL_FEED_GZIP": "1"}, "-a", "max_pages=2")
    assert second.returncode == 0, second.stderr
    gzipped = sorted((tmp_path / "feeds").glob("*.jsonl.gz"))
    assert len(gzipped) == 1
    assert feed_records(gzipped[0]) == []  # nothing new on the site
    log = (tmp_path / "logs" / "beltacrawl.log").read_text(encoding="utf-8")
    assert log.count("beltacrawl run summary (finish reason: finished)") == 2
    assert log.count("verdict: ok") == 2
    assert log.count("run-crawl.sh: finished: the run did its job (exit status 0)") == 2
    with sqlite3.connect(tmp_path / "data" / "belta.sqlite") as conn:
        runs = conn.execute("SELECT arguments, verdict FROM crawl_runs ORDER BY id").fetchall()
    assert [(json.loads(a), v) for a, v in runs] == [({}, "ok"), ({"max_pages": "2"}, "ok")]


@pytest.mark.slow
def test_second_invocation_while_first_runs_is_refused(make_replica, tmp_path: Path) -> None:
    server = make_replica(articles=40)
    env = wrapper_env(tmp_path, server.base_url)
    log = tmp_path / "logs" / "beltacrawl.log"
    first = subprocess.Popen(
        [str(SCRIPT), *FAST_ARGS],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not (log.exists() and "run-crawl.sh: starting" in log.read_text()):
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first run did not start"
            time.sleep(0.02)
        # Python has only just been started: the first run holds the lock for a while yet.
        second = run_script(env)
    finally:
        _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert second.returncode == 75
    assert "another run against" in second.stderr
    assert f"(process {first.pid}," in second.stderr
    assert "not starting" in second.stderr
    assert log.read_text().count("Scrapy 2.") == 1  # the second never started a crawl


@pytest.mark.slow
def test_crawl_holding_the_archive_lock_refuses_a_scheduled_run(
    make_replica, tmp_path: Path
) -> None:
    """A manual ``scrapy crawl`` (or a Scrapyd job) holds the archive's own lock."""
    server = make_replica(articles=20)
    env = wrapper_env(tmp_path, server.base_url)
    archive = Path(env["BELTACRAWL_ARCHIVE"])
    archive.parent.mkdir(parents=True)
    with ArchiveLock(archive.with_name(archive.name + ".lock")):
        refused = run_script(env)
    assert refused.returncode == 1
    assert "the run did not do its job (exit status 1)" in refused.stderr
    log = (tmp_path / "logs" / "beltacrawl.log").read_text()
    assert "Not crawling: archive is locked by process" in log
    assert (
        "    - the run ended early (archive_locked): another crawl holds the archive's lock" in log
    )
    assert "Finish Reason Monitor" not in log  # no raw monitor text
    assert not server.requests or all("/view/" not in r.path for r in server.requests)


@pytest.mark.slow
def test_bad_arguments_exit_2_with_the_reason(tmp_path: Path) -> None:
    env = wrapper_env(tmp_path, "http://127.0.0.1:9", BELTACRAWL_LOG_DIR="")
    done = run_script(env, "-a", "max_pages=0")
    assert done.returncode == 2
    assert "max_pages must be a whole number" in done.stderr
    assert "bad arguments (exit status 2)" in done.stderr
    unbalanced = run_script({**env, "BELTACRAWL_SCRAPY_ARGS": "-s 'X=1"})
    assert unbalanced.returncode == 2
    assert "BELTACRAWL_SCRAPY_ARGS has unbalanced quotes" in unbalanced.stderr


def test_lock_file_is_compatible_with_flock(tmp_path: Path) -> None:
    """``flock -n`` (the script) and Python's ``fcntl.flock`` exclude each other."""
    lock = tmp_path / "x.lock"
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        busy = subprocess.run(["flock", "-n", str(lock), "true"], check=False)
    assert busy.returncode == 1


# --- cron -------------------------------------------------------------------------------

CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")
CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


def cron_jobs(text: str) -> list[tuple[list[str], str]]:
    jobs = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or re.match(r"^[A-Z_]+=", line):
            continue
        parts = line.split(None, 5)
        jobs.append((parts[:5], parts[5] if len(parts) > 5 else ""))
    return jobs


def test_cron_line_runs_the_script_hourly() -> None:
    jobs = cron_jobs((DEPLOY / "cron" / "beltacrawl.cron").read_text(encoding="utf-8"))
    assert len(jobs) == 1
    fields, command = jobs[0]
    assert len(fields) == 5 and command
    for field, (low, high) in zip(fields, CRON_RANGES, strict=True):
        assert CRON_FIELD.match(field), field
        numbers = [int(n) for n in re.findall(r"\d+", field.split("/")[0])]
        assert all(low <= n <= high for n in numbers), field
    assert fields[1:] == ["*", "*", "*", "*"] and fields[0].isdigit()  # hourly
    assert command.split()[0] == f"{INSTALL_DIR}/deploy/run-crawl.sh"


# --- systemd ----------------------------------------------------------------------------


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / name, encoding="utf-8")
    return parser


def test_units_call_the_script_hourly() -> None:
    service, timer = unit("beltacrawl.service"), unit("beltacrawl.timer")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"] == f"{INSTALL_DIR}/deploy/run-crawl.sh"
    assert service["Service"]["WorkingDirectory"] == INSTALL_DIR
    # The same moment as the cron line (docs/operations.md calls them the same).
    cron_minute = cron_jobs((DEPLOY / "cron" / "beltacrawl.cron").read_text(encoding="utf-8"))
    assert timer["Timer"]["OnCalendar"] == f"*-*-* *:{int(cron_minute[0][0][0]):02d}:00"
    assert "RandomizedDelaySec" not in timer["Timer"]
    assert timer["Timer"]["Unit"] == "beltacrawl.service"
    assert timer["Install"]["WantedBy"] == "timers.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    # verify checks that ExecStart exists and is executable: point the units at this checkout.
    for path in (DEPLOY / "systemd").iterdir():
        text = path.read_text(encoding="utf-8").replace(INSTALL_DIR, str(REPO))
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", "beltacrawl.service", "beltacrawl.timer"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "beltacrawl" not in done.stderr, done.stderr  # no warning about our units


# --- logrotate --------------------------------------------------------------------------


def test_what_the_wrapper_writes_is_git_ignored() -> None:
    """Logs and feeds (plain or gzipped) of the wrapper never show up in ``git status``."""
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "logs/beltacrawl.log", "feeds/a.jsonl.gz",
         "feeds/a.jsonl", "data/belta.sqlite", "articles.csv.gz"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ignored.stdout.split() == [
        "logs/beltacrawl.log", "feeds/a.jsonl.gz", "feeds/a.jsonl", "data/belta.sqlite",
        "articles.csv.gz",
    ]  # fmt: skip


def test_logrotate_snippet_rotates_the_scripts_log() -> None:
    lines = (DEPLOY / "logrotate" / "beltacrawl").read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    assert f"{INSTALL_DIR}/logs/beltacrawl.log {{" in text
    assert "copytruncate" not in text  # each run reopens the log; renaming is enough
    assert text.count("{") == text.count("}") == 1


@pytest.mark.skipif(shutil.which("logrotate") is None, reason="logrotate not installed")
def test_logrotate_accepts_the_snippet(tmp_path: Path) -> None:
    text = (DEPLOY / "logrotate" / "beltacrawl").read_text(encoding="utf-8")
    text = text.replace(INSTALL_DIR, str(tmp_path)).replace("su beltacrawl beltacrawl", "")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "beltacrawl.log").write_text("x\n")
    (tmp_path / "conf").write_text(text)
    done = subprocess.run(
        ["logrotate", "--debug", "--state", str(tmp_path / "state"), str(tmp_path / "conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr.lower(), done.stderr
