"""The documentation keeps up with the code: every setting and spider argument is in
docs/usage.md, every linked document exists, and the README's commands are true: its
offline demo and the docs/archive.md walkthrough run as written."""

from __future__ import annotations

import importlib
import inspect
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import beltacrawl.settings
from beltacrawl.crawl.arguments import KNOWN_ARGUMENTS
from beltacrawl.crawl.walk import StopReason
from tests.crawling import REPO

PACKAGE = REPO / "beltacrawl"
USAGE = REPO / "docs" / "usage.md"
README = REPO / "README.md"
ARCHIVE_DOC = REPO / "docs" / "archive.md"
#: A fenced code block: its language and text.
CODE_BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.DOTALL)
#: ``settings.get("BELTA_X")``, ``settings.getint('BELTA_X', 5)``, ``settings["BELTA_X"]``
SETTING_READ = re.compile(r"""(?:\.get\w*\(\s*|\[\s*)["'](BELTA_[A-Z0-9_]+)["']""")
#: Markdown links to local files: ``[text](docs/usage.md)``, ``[text](usage.md#anchor)``
LOCAL_LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)\s#]+)(?:#[^)]*)?\)")


def settings_defined() -> set[str]:
    return {name for name in vars(beltacrawl.settings) if name.startswith("BELTA_")}


def settings_read() -> set[str]:
    return {
        name
        for path in PACKAGE.rglob("*.py")
        for name in SETTING_READ.findall(path.read_text(encoding="utf-8"))
    }


def test_every_setting_is_in_usage() -> None:
    names = settings_defined() | settings_read()
    assert {"BELTA_BASE_URL", "BELTA_ARCHIVE"} <= names  # the scan finds them at all
    usage = USAGE.read_text(encoding="utf-8")
    missing = sorted(name for name in names if f"`{name}`" not in usage)
    assert not missing, f"settings not documented in docs/usage.md: {missing}"


def test_every_setting_read_has_a_default_in_settings() -> None:
    undefined = sorted(settings_read() - settings_defined())
    assert not undefined, f"read but not defined in beltacrawl/settings.py: {undefined}"


def test_every_stop_reason_is_in_usage() -> None:
    usage = USAGE.read_text(encoding="utf-8")
    missing = [reason.value for reason in StopReason if f"| `{reason.value}` |" not in usage]
    assert not missing, f"stop reasons without a row in docs/usage.md: {missing}"


def test_every_spider_argument_is_in_usage() -> None:
    usage = USAGE.read_text(encoding="utf-8")
    missing = [name for name in KNOWN_ARGUMENTS if f"| `{name}` |" not in usage]
    assert not missing, f"spider arguments without a row in docs/usage.md: {missing}"


@pytest.mark.parametrize("document", [README, *sorted((REPO / "docs").glob("*.md"))], ids=str)
def test_local_links_exist(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    broken = [
        target for target in LOCAL_LINK.findall(text) if not (document.parent / target).exists()
    ]
    assert not broken, f"{document.name} links to missing files: {broken}"


def test_readme_links_the_docs() -> None:
    linked = set(re.findall(r"\]\((docs/[^)#]+\.md)", README.read_text(encoding="utf-8")))
    assert {"docs/usage.md", "docs/archive.md", "docs/operations.md"} <= linked
    assert all((REPO / path).is_file() for path in linked)


def test_readme_commands_match_the_project() -> None:
    readme = README.read_text(encoding="utf-8")
    setup_and_test = (
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && "
        ".venv/bin/python -m pytest"
    )
    assert setup_and_test in readme
    setup_and_crawl = (
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/scrapy crawl belta"
    )
    assert setup_and_crawl in readme
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    test_extra = " ".join(project["optional-dependencies"]["test"])
    # What the suite imports beyond the runtime dependencies (tests/test_scrapyd.py):
    for requirement in ("pytest", "scrapyd", "scrapyd-client"):
        assert re.search(rf"(^| ){re.escape(requirement)}\b(?!-)", test_extra), requirement
    assert project["entry-points"]["scrapy"]["settings"] == "beltacrawl.settings"


def blocks_after(text: str, anchor: str, language: str) -> list[str]:
    """The ``language`` code blocks that follow each occurrence of ``anchor``."""
    found = []
    for part in text.split(anchor)[1:]:
        match = CODE_BLOCK.search(part)
        assert match is not None and match[1] == language, anchor
        found.append(match[2])
    return found


def run_documented(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{command}\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done


def scrapy_command(line: str) -> list[str]:
    """A documented ``scrapy …`` or ``.venv/bin/scrapy …`` line, run with this Python."""
    words = shlex.split(line)
    assert words[0] in ("scrapy", ".venv/bin/scrapy"), line
    return [sys.executable, "-m", "scrapy", *words[1:]]


@pytest.mark.slow
def test_offline_demo_then_the_archive_walkthrough(make_replica, tmp_path: Path) -> None:
    """The README's offline demo as written (the replica started by the fixture), then
    every command and Python block of docs/archive.md's walkthrough, in order."""
    pytest.importorskip("pandas")
    server = make_replica(articles=300)
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    shutil.copy(REPO / "scrapy.cfg", checkout)
    readme = README.read_text(encoding="utf-8")
    (demo,) = blocks_after(readme, "## Try it without internet", "bash")[:1]
    start, crawl = demo.strip().splitlines()
    assert start == ".venv/bin/python -m tests.sitesim --port 8000 --articles 500 &"
    run_documented(
        scrapy_command(crawl.replace("http://127.0.0.1:8000", server.base_url)), checkout
    )
    assert (checkout / "data" / "demo.sqlite").is_file()
    assert (checkout / "demo.jsonl").stat().st_size > 0

    text = ARCHIVE_DOC.read_text(encoding="utf-8")
    (commands,) = blocks_after(text, "<!-- walkthrough:", "bash")
    outputs = [run_documented(scrapy_command(line), checkout).stdout
               for line in commands.strip().splitlines()]  # fmt: skip
    assert "articles: 3" in outputs[0]  # stats: 300 and some articles
    assert "Kasachstan" in outputs[1]
    assert outputs[2].startswith("66060-2024  Krutoi") and outputs[3] == outputs[2]
    assert (checkout / "demo.parquet").is_file() and (checkout / "demo.csv").is_file()
    for block in blocks_after(text, "<!-- walkthrough-python", "python"):
        printed = run_documented([sys.executable, "-c", block], checkout).stdout
        # Times are real timestamps, with their zone: Minsk time or UTC.
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+0[03]:00", printed), printed


#: Calls that start a crawl (or a whole run) in a subprocess.
CRAWLING_CALLS = ("run_crawl(", "crawl_command(", "run_script(", "run_documented(", "scrapy(")


def test_tests_that_crawl_are_marked_slow_or_reliability() -> None:
    """The quick subset (``-m "not slow and not reliability"``) runs no crawl."""
    unmarked, checked = [], 0
    for path in sorted((REPO / "tests").glob("test_*.py")):
        module = importlib.import_module(f"tests.{path.stem}")
        module_marks = getattr(module, "pytestmark", [])
        module_marks = module_marks if isinstance(module_marks, list) else [module_marks]
        for name, function in vars(module).items():
            if not name.startswith("test_") or not inspect.isfunction(function):
                continue
            if not any(call in inspect.getsource(function) for call in CRAWLING_CALLS):
                continue
            checked += 1
            marks = {mark.name for mark in [*module_marks, *getattr(function, "pytestmark", [])]}
            if not marks & {"slow", "reliability"}:
                unmarked.append(f"{path.stem}::{name}")
    assert checked > 40  # the scan finds the crawling tests at all
    assert not unmarked, f"crawling tests without a slow/reliability mark: {unmarked}"
    architecture = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert 'python -m pytest -m "not slow and not reliability"' in architecture
