"""Shared helpers of the benchmarks: the machine, tables, the replica process, crawl runs."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

REPO = Path(__file__).resolve().parent.parent

#: Politeness off, for the benchmarks only (never the project's defaults).
NO_POLITENESS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "INFO",
}


def machine() -> str:
    """``nproc``, CPU model and Python version: where the figures come from."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        load = "?"
    return (
        f"{os.cpu_count()} CPU(s), {model}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; load average at start {load}"
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (readable in a terminal, pasteable into docs/performance.md)."""
    cells = [[str(h) for h in headers]] + [[_cell(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 10 else f"{value:,.0f}"
    return str(value)


def header(title: str) -> None:
    print(f"## {title}\n\nmachine: {machine()}\n", flush=True)


# --- the replica in its own process ------------------------------------------------------


class Replica:
    """``python -m bench.replica`` as a child process, so its CPU never mixes with a crawl's."""

    def __init__(
        self, articles: int, *, prerender: bool = False, seed: int = 1, sidebar: int | None = None
    ) -> None:
        command = [sys.executable, "-m", "bench.replica", "--articles", str(articles)]
        command += ["--seed", str(seed)] + (["--prerender"] if prerender else [])
        command += ["--sidebar", str(sidebar)] if sidebar is not None else []
        self.process = subprocess.Popen(
            command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("http://"):
            self.stop()
            raise RuntimeError(f"the replica did not start: {line!r}")
        self.base_url = line

    def _ask(self, command: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def cpu_seconds(self) -> float:
        """User + system CPU the replica process has used so far (from /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def requests(self) -> list[dict]:
        """Requests served since the last :meth:`clear`: ``path``, ``status``, ``time``."""
        return json.loads(self._ask("requests"))

    def clear(self) -> None:
        self._ask("clear")

    def stop(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Replica:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- a crawl as a child process, measured --------------------------------------------------


@dataclass
class RunFigures:
    returncode: int
    wall: float
    """Seconds from start to exit of the process."""
    cpu: float
    """User + system CPU seconds of the crawl process."""
    maxrss_mb: float
    """Peak resident memory of the crawl process."""
    log: str

    def stat(self, name: str) -> int | None:
        match = re.search(rf"'{re.escape(name)}': (\d+)", self.log)
        return int(match[1]) if match else None


def run_measured(command: Sequence[str], log_path: Path, timeout: float = 7200) -> RunFigures:
    """Run ``command`` in the repo and measure exactly that process (``os.wait4``)."""
    started = time.perf_counter()
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    deadline = started + timeout
    peak_kb = 0
    while True:
        peak_kb = max(peak_kb, _high_water_kb(process.pid))
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
        time.sleep(0.02)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return RunFigures(
        returncode=process.returncode,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        # ru_maxrss also counts the parent's pages the child held before exec (a large
        # benchmark parent inflates it); /proc's VmHWM is the crawl's own peak.
        maxrss_mb=(peak_kb or usage.ru_maxrss) / 1024,
        log=log_path.read_text(errors="replace"),
    )


def _high_water_kb(pid: int) -> int:
    """Peak resident memory (VmHWM, kB) of a running process's current image, or 0."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def settings_args(settings: dict[str, str]) -> list[str]:
    return [part for name, value in settings.items() for part in ("-s", f"{name}={value}")]


def belta_command(
    base_url: str,
    workdir: Path,
    *,
    archive: bool = True,
    feed: bool = True,
    extra: dict[str, str] | None = None,
) -> list[str]:
    """``scrapy crawl belta`` against the replica, politeness off, feed and archive on
    (unless switched off)."""
    settings = {
        **NO_POLITENESS,
        "BELTA_BASE_URL": base_url,
        "BELTA_ARCHIVE": str(workdir / "belta.sqlite") if archive else "",
        **(extra or {}),
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "belta"]
    if feed:
        command += ["-O", f"{workdir / 'articles.jsonl'}:jsonlines"]
    return [*command, *settings_args(settings)]


def noop_command(url_file: Path) -> list[str]:
    """The no-op spider on the same URLs, with the same settings and nothing else."""
    settings = {**NO_POLITENESS, "BELTA_ARCHIVE": "", "BENCH_URL_FILE": str(url_file)}
    spider = str(REPO / "bench" / "noop_spider.py")
    return [sys.executable, "-m", "scrapy", "runspider", spider, *settings_args(settings)]


def parse_settings(pairs: Sequence[str]) -> dict[str, str]:
    """``["NAME=value", ...]`` from repeated ``--set`` options."""
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--set needs NAME=value, got {pair!r}")
        settings[name] = value
    return settings


def served_span(requests: list[dict]) -> float:
    """Seconds from the first to the last request the replica answered."""
    times = [r["time"] for r in requests]
    return max(times) - min(times) if len(times) > 1 else 0.0
