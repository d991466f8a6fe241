"""The documentation keeps up with the code: every setting and spider argument is in
docs/usage.md, every linked document exists, and the README's commands are true."""

from __future__ import annotations

import re
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
