"""The benchmarks of bench/ run (``--quick``) and print their tables.

No timing is asserted here: performance targets live in the benchmarks themselves
(docs/performance.md), a test only makes sure each one still runs.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from tests.crawling import REPO

#: Each test runs real crawls (subprocesses): the quick subset leaves them out.
pytestmark = pytest.mark.slow

BENCHMARKS = [
    pytest.param("bench.extraction", id="extraction"),
    pytest.param("bench.dates", id="dates"),
    pytest.param("bench.throughput", id="throughput"),
    pytest.param("bench.scale", id="scale"),
    pytest.param("bench.warc", id="warc"),
    pytest.param("bench.browse", id="browse"),
    pytest.param("bench.reliability", id="reliability", marks=pytest.mark.reliability),
]


@pytest.mark.parametrize("module", BENCHMARKS)
def test_benchmark_runs_quick(module: str) -> None:
    if module == "bench.extraction" and importlib.util.find_spec("trafilatura") is None:
        pytest.skip("trafilatura is not installed (pip install -e '.[bench]')")
    done = subprocess.run(
        [sys.executable, "-m", module, "--quick"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    header = next((i for i, line in enumerate(lines) if line.startswith("| ")), None)
    assert header is not None, f"no table in the output:\n{done.stdout}"
    assert lines[header + 1].startswith("|--"), f"no table in the output:\n{done.stdout}"
    assert lines[header + 2].startswith("| "), f"a table without rows:\n{done.stdout}"
