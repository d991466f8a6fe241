"""``scrapy archive``: stats, export, search, show, and clean errors."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import io
import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.cmdline import execute
from scrapy.settings import Settings

from beltacrawl.archive import ARTICLE_FIELDS, Archive
from beltacrawl.commands.archive_output import table
from beltacrawl.crawl.walk import StopReason, WalkOutcome
from beltacrawl.exports import csv_cell
from beltacrawl.items import Article
from beltacrawl.site.dates import MINSK

ROOT = Path(__file__).resolve().parents[1]


def article(number: int, **overrides: Any) -> dict[str, Any]:
    rubric = overrides.pop("rubric", "economics")
    values: dict[str, Any] = {
        "url": f"https://deu.belta.by/{rubric}/view/artikel-{number}-2024/",
        "key": f"{number}-2024",
        "article_id": number,
        "article_year": 2024,
        "kind": "article",
        "rubric": rubric,
        "title": f"Titel {number}",
        "published_at": "2024-03-01T10:00:00+03:00",
        "published_raw": "1 März 2024, 10:00",
        "body": f"Absatz eins von {number}.\n\nAbsatz zwei.",
        "tags": ["Belarus", "Handel, Export"],
        "language": "de",
        "is_incomplete": False,
        "content_hash": f"hash-{number}",
        "fetched_at": "2026-11-28T10:00:00+00:00",
    }
    values.update(overrides)
    return dataclasses.asdict(Article(**values))


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    path = tmp_path / "belta.sqlite"
    with Archive.open(path) as archive:
        archive.store.upsert_many(
            [
                article(1, published_at="2024-01-10T09:00:00+03:00", title="Zölle gesenkt"),
                article(
                    2,
                    published_at="2024-02-11T09:00:00+03:00",
                    rubric="politics",
                    title="Treffen mit Kasachstan",
                    body="Minsk und Kasachstan vereinbaren Zusammenarbeit.",
                ),
                article(3, published_at="2024-02-20T09:00:00+03:00", rubric="sport"),
            ]
        )
        archive.store.upsert_many(
            [
                article(
                    2,
                    published_at="2024-02-11T09:00:00+03:00",
                    rubric="politics",
                    title="Treffen mit Kasachstan in Minsk",
                    body="Minsk und Kasachstan vereinbaren enge Zusammenarbeit.",
                    content_hash="hash-2b",
                    is_incomplete=True,
                )
            ]
        )
        run = archive.ledger.start_run("belta", {"mode": "full"})
        archive.ledger.finish_run(run, "finished", {"archive/new": 3, "archive/updated": 1})
        since = datetime(2024, 1, 1, tzinfo=MINSK)
        archive.ledger.record_walks(
            run,
            [
                WalkOutcome("economics", StopReason.PAGE_REPEATED, 2, None, 2,
                            datetime(2024, 2, 10, 9, 0, tzinfo=MINSK), (), since, False),
                WalkOutcome("all_news", StopReason.PAGE_NOT_FOUND, 132, None, 132,
                            datetime(2024, 1, 20, 8, 5, tzinfo=MINSK), ("economics",), since,
                            False),
            ],
        )  # fmt: skip
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory that scrapy recognises as a project (it has a scrapy.cfg)."""
    directory = tmp_path / "project"
    directory.mkdir()
    (directory / "scrapy.cfg").write_text("[settings]\ndefault = beltacrawl.settings\n")
    monkeypatch.chdir(directory)
    monkeypatch.delenv("SCRAPY_SETTINGS_MODULE", raising=False)
    return directory


def scrapy_archive(
    capsys: pytest.CaptureFixture[str], *argv: str, archive: Path | str | None = None
) -> tuple[int, str, str]:
    """Run ``scrapy archive ARGV`` in this process; returns exit code, stdout, stderr."""
    settings = Settings({"COMMANDS_MODULE": "beltacrawl.commands"})
    if archive is not None:
        settings.set("BELTA_ARCHIVE", str(archive))
    with pytest.raises(SystemExit) as exited:
        execute(["scrapy", "archive", *argv], settings=settings)
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), out, err


pytestmark = pytest.mark.usefixtures("project")


def test_stats(capsys: pytest.CaptureFixture[str], archive_path: Path) -> None:
    code, out, _ = scrapy_archive(capsys, "stats", archive=archive_path)
    assert code == 0
    assert f"Archive {archive_path}" in out
    assert "articles: 3   previous versions: 1   open failures: 0   given up: 0" in out
    assert "newest: 2024-02-20T09:00:00+03:00  3-2024" in out
    assert re.search(r"^economics +1$", out, re.MULTILINE)
    assert re.search(r"^2024-02 +2$", out, re.MULTILINE)
    # The verdict column: "-" for a run closed without a health check.
    assert re.search(r"^ +1 +belta .* finished +3 +1 +0 +0 +-$", out, re.MULTILINE)
    reach = out.split("How far back the listings reached\n", 1)[1]
    assert re.search(
        r"^all_news for economics +132 +2024-01-20T08:05:00\+03:00 +1 +132 +"
        r"2024-01-20T08:05:00\+03:00 +page_not_found +2024-01-01 NOT reached$",
        reach,
        re.MULTILINE,
    ), reach
    assert re.search(r"^economics +2 +2024-02-10T09:00:00\+03:00 +1 +2 ", reach, re.MULTILINE)


def test_stats_show_given_up_failures_apart(
    capsys: pytest.CaptureFixture[str], archive_path: Path
) -> None:
    with Archive.open(archive_path) as archive:
        for number, failures in ((7, 2), (8, 1), (9, 1)):
            for _ in range(failures):
                archive.ledger.record_failure(article(number)["url"], f"{number}-2024", "timeout")
    code, out, _ = scrapy_archive(capsys, "stats", archive=archive_path)
    assert code == 0
    assert "open failures: 3   given up: 0" in out  # BELTA_FAILURE_ATTEMPTS: 5
    code, out, _ = scrapy_archive(
        capsys, "stats", "-s", "BELTA_FAILURE_ATTEMPTS=2", archive=archive_path
    )
    assert code == 0
    assert "open failures: 2   given up: 1" in out


def test_archive_option_overrides_the_setting(
    capsys: pytest.CaptureFixture[str], archive_path: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.sqlite"
    code, out, _ = scrapy_archive(capsys, "stats", "--archive", str(archive_path), archive=missing)
    assert code == 0
    assert "articles: 3" in out
    code, out, _ = scrapy_archive(capsys, "--archive", str(archive_path), "stats", archive=missing)
    assert code == 0


def test_the_setting_is_read_as_a_crawl_reads_it(
    capsys: pytest.CaptureFixture[str],
    archive_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The archive a crawl with this BELTA_ARCHIVE writes (``~`` expanded), or a clear
    error when archiving is switched off."""
    monkeypatch.setenv("HOME", str(archive_path.parent))
    code, out, _ = scrapy_archive(capsys, "stats", archive=f"~/{archive_path.name}")
    assert code == 0
    assert "articles: 3" in out
    code, _, err = scrapy_archive(capsys, "stats", archive="")
    assert code == 2
    assert "BELTA_ARCHIVE is empty (archiving is switched off); pass --archive PATH" in err


def test_missing_archive_is_a_clean_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.sqlite"
    code, out, err = scrapy_archive(capsys, "stats", archive=missing)
    assert code == 1
    assert out == ""
    assert f"no archive at {missing}" in err
    assert "Traceback" not in err
    assert not missing.exists()


def test_export_jsonl_to_stdout(capsys: pytest.CaptureFixture[str], archive_path: Path) -> None:
    code, out, err = scrapy_archive(capsys, "export", archive=archive_path)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["key"] for r in records] == ["1-2024", "2-2024", "3-2024"]
    assert list(records[0]) == list(ARTICLE_FIELDS)
    assert records[0]["tags"] == ["Belarus", "Handel, Export"]
    assert records[0]["title"] == "Zölle gesenkt"
    assert records[1]["is_incomplete"] is True
    assert "exported 3 articles (jsonl)" in err


def test_export_filters(capsys: pytest.CaptureFixture[str], archive_path: Path) -> None:
    def keys(*argv: str) -> list[str]:
        code, out, _ = scrapy_archive(capsys, "export", *argv, archive=archive_path)
        assert code == 0
        return [json.loads(line)["key"] for line in out.splitlines()]

    assert keys("--since", "2024-02-11") == ["2-2024", "3-2024"]
    assert keys("--until", "2024-02-11") == ["1-2024", "2-2024"]
    assert keys("--rubric", "sport", "--rubric", "economics") == ["1-2024", "3-2024"]
    assert keys("--since", "2024-02-01", "--rubric", "economics") == []


def test_export_csv_file(
    capsys: pytest.CaptureFixture[str], archive_path: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "articles.csv"
    code, out, err = scrapy_archive(capsys, "export", "-o", str(target), archive=archive_path)
    assert code == 0
    assert out == ""
    assert f"exported 3 articles (csv) to {target}" in err
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert [r["key"] for r in rows] == ["1-2024", "2-2024", "3-2024"]
    assert list(rows[0]) == list(ARTICLE_FIELDS)
    assert rows[0]["tags"] == "Belarus | Handel, Export"
    assert rows[0]["body"] == "Absatz eins von 1.\n\nAbsatz zwei."
    assert rows[1]["is_incomplete"] == "true"
    assert rows[0]["lead"] == ""


def test_export_format_option(
    capsys: pytest.CaptureFixture[str], archive_path: Path, tmp_path: Path
) -> None:
    target = tmp_path / "articles.txt"
    code, _, _ = scrapy_archive(
        capsys, "export", "--format", "csv", "-o", str(target), archive=archive_path
    )
    assert code == 0
    assert target.read_text(encoding="utf-8").startswith("url,fetched_url,key,")
    code, out, _ = scrapy_archive(
        capsys, "export", "--format", "csv", "-o", "-", archive=archive_path
    )
    assert out.startswith("url,fetched_url,key,")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "--since", "2024-13-01"], "not a date"),
        (["export", "--since", "2024-03-01", "--until", "2024-02-01"], "is after"),
        (["export", "--format", "xml"], "invalid choice"),
        (["export", "-o", "x.xlsx"], "cannot tell the format of 'x.xlsx'"),
        (["export", "-o", "x.json.gz"], "cannot tell the format of 'x.json.gz'"),
        (["export", "-o", "x.parquet.zip"], "use .jsonl, .csv, .jsonl.gz, .csv.gz or .parquet"),
        (["search", "x", "--limit", "0"], "not a positive number"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
        (["stats", "extra"], "unrecognized arguments"),
    ],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], archive_path: Path, argv: list[str], message: str
) -> None:
    code, _, err = scrapy_archive(capsys, *argv, archive=archive_path)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    if "cannot tell the format" in message or "is after" in message:
        assert err.count("\n") == 1  # one line


def test_search(capsys: pytest.CaptureFixture[str], archive_path: Path) -> None:
    code, out, _ = scrapy_archive(capsys, "search", "Kasachstan", archive=archive_path)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "  1. 2-2024  2024-02-11  politics  Treffen mit Kasachstan in Minsk"
    assert lines[1] == "     https://deu.belta.by/politics/view/artikel-2-2024/"
    assert "[Kasachstan]" in lines[2]
    code, out, _ = scrapy_archive(capsys, "search", "Absatz", "--limit", "1", archive=archive_path)
    assert len([line for line in out.splitlines() if line[:4].strip().endswith(".")]) == 1
    code, out, _ = scrapy_archive(capsys, "search", "Atlantis", archive=archive_path)
    assert out.strip() == "no matches"


def test_bad_raw_search_is_a_clean_error(
    capsys: pytest.CaptureFixture[str], archive_path: Path
) -> None:
    code, _, err = scrapy_archive(capsys, "search", "--raw", '"open', archive=archive_path)
    assert code == 1
    assert "invalid search query" in err


def test_show(capsys: pytest.CaptureFixture[str], archive_path: Path) -> None:
    code, out, _ = scrapy_archive(capsys, "show", "2-2024", archive=archive_path)
    assert code == 0
    assert out.startswith("2-2024  Treffen mit Kasachstan in Minsk\n")
    assert "is_incomplete:  yes" in out
    assert "tags:           Belarus | Handel, Export" in out
    assert "versions:       2" in out
    assert "Previous versions (1), oldest first" in out
    assert "changed title, body, is_incomplete, content_hash" in out
    assert "  - title: Treffen mit Kasachstan" in out
    assert "  +Minsk und Kasachstan vereinbaren enge Zusammenarbeit." in out


def test_show_json(capsys: pytest.CaptureFixture[str], archive_path: Path) -> None:
    code, out, _ = scrapy_archive(capsys, "show", "2-2024", "--json", archive=archive_path)
    assert code == 0
    document = json.loads(out)
    assert document["article"]["title"] == "Treffen mit Kasachstan in Minsk"
    assert document["version_count"] == 2
    assert [v["title"] for v in document["versions"]] == ["Treffen mit Kasachstan"]


def test_show_unknown_key(capsys: pytest.CaptureFixture[str], archive_path: Path) -> None:
    code, out, err = scrapy_archive(capsys, "show", "9-1999", archive=archive_path)
    assert code == 1
    assert out == ""
    assert "no article with key '9-1999'" in err


def test_table_and_csv_helpers() -> None:
    assert table(["a", "n"], [("x", None)]).splitlines()[-1] == "x  -"
    assert csv_cell("tags", ["a", "b"]) == "a | b"
    assert csv_cell("tags", []) == ""
    assert csv_cell("is_incomplete", None) == ""
    assert csv_cell("is_incomplete", False) == "false"
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert csv_cell("title", f"{start}1+1") == f"'{start}1+1"
    assert csv_cell("tags", ["=cmd", "x"]) == "'=cmd | x"


@pytest.mark.slow
def test_real_scrapy_process(archive_path: Path, tmp_path: Path) -> None:
    """The installed ``scrapy`` entry point finds the command through COMMANDS_MODULE."""
    project = tmp_path / "real"
    project.mkdir()
    (project / "scrapy.cfg").write_text("[settings]\ndefault = tproj_settings\n")
    (project / "tproj_settings.py").write_text(
        f"COMMANDS_MODULE = 'beltacrawl.commands'\nBELTA_ARCHIVE = {str(archive_path)!r}\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(ROOT)])}
    env.pop("SCRAPY_SETTINGS_MODULE", None)

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "scrapy", "archive", *argv],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    done = run("export", "--rubric", "sport")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["key"] for line in done.stdout.splitlines()] == ["3-2024"]
    assert run("show", "1-2024").stdout.startswith("1-2024  Zölle gesenkt")
    failed = run("stats", "--archive", str(tmp_path / "missing.sqlite"))
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    assert run("export", "--until", "gestern").returncode == 2


def test_set_option_before_or_after_the_subcommand(
    capsys: pytest.CaptureFixture[str], archive_path: Path, tmp_path: Path
) -> None:
    """Like every Scrapy command, ``-s``/``--set`` is taken anywhere on the line."""
    missing = tmp_path / "nowhere.sqlite"
    setting = f"BELTA_ARCHIVE={archive_path}"
    for argv in (("stats", "-s", setting), ("-s", setting, "stats"), ("stats", "--set", setting)):
        code, out, err = scrapy_archive(capsys, *argv, archive=missing)
        assert (code, err) == (0, ""), argv
        assert "articles: 3" in out
    # Given both before and after, both count (the later one wins for the same name).
    code, out, _ = scrapy_archive(
        capsys, "-s", f"BELTA_ARCHIVE={missing}", "stats", "-s", setting, archive=missing
    )
    assert code == 0
    assert "articles: 3" in out


def test_show_by_url(capsys: pytest.CaptureFixture[str], archive_path: Path) -> None:
    for url in (
        "https://deu.belta.by/politics/view/artikel-2-2024/",
        "http://127.0.0.1:8765/politics/view/artikel-2-2024/",
    ):
        code, out, _ = scrapy_archive(capsys, "show", url, archive=archive_path)
        assert code == 0
        assert out.startswith("2-2024  Treffen mit Kasachstan in Minsk\n")
    code, out, err = scrapy_archive(
        capsys, "show", "https://deu.belta.by/all_news/", archive=archive_path
    )
    assert (code, out) == (1, "")
    assert "not an article URL" in err


@pytest.mark.slow
def test_console_script_from_any_directory(archive_path: Path, tmp_path: Path) -> None:
    """``belta-archive`` (pyproject's console script) works outside the checkout."""
    elsewhere = tmp_path / "analyst"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'belta-archive = "beltacrawl.commands.archive:main"' in pyproject
    script = "from beltacrawl.commands.archive import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", script, "show", "1-2024", "--archive", str(archive_path)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("1-2024  Zölle gesenkt")


def test_export_gzip_by_name(
    capsys: pytest.CaptureFixture[str], archive_path: Path, tmp_path: Path
) -> None:
    lines = tmp_path / "articles.jsonl.gz"
    table_gz = tmp_path / "articles.csv.gz"
    for target in (lines, table_gz):
        code, _, err = scrapy_archive(capsys, "export", "-o", str(target), archive=archive_path)
        assert code == 0, err
    with gzip.open(lines, "rt", encoding="utf-8") as opened:
        assert [json.loads(line)["key"] for line in opened] == ["1-2024", "2-2024", "3-2024"]
    with gzip.open(table_gz, "rt", encoding="utf-8", newline="") as opened:
        rows = list(csv.DictReader(opened))
    assert rows[0]["tags"] == "Belarus | Handel, Export"


def test_export_parquet_has_real_types(
    capsys: pytest.CaptureFixture[str], archive_path: Path, tmp_path: Path
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "articles.parquet"
    code, _, err = scrapy_archive(capsys, "export", "-o", str(target), archive=archive_path)
    assert code == 0, err
    assert "exported 3 articles (parquet)" in err
    table = pq.read_table(target)
    assert table.column_names == list(ARTICLE_FIELDS)
    assert str(table.schema.field("published_at").type) == "timestamp[ms, tz=UTC]"
    assert str(table.schema.field("tags").type.value_type) == "string"
    assert str(table.schema.field("is_incomplete").type) == "bool"
    assert str(table.schema.field("article_id").type) == "int64"
    rows = table.to_pylist()
    assert rows[0]["tags"] == ["Belarus", "Handel, Export"]
    assert rows[0]["published_at"].isoformat() == "2024-01-10T06:00:00+00:00"
    assert rows[1]["is_incomplete"] is True


def test_export_neutralises_formulas(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "hostile.sqlite"
    with Archive.open(path) as archive:
        archive.store.upsert_many([article(7, title='=HYPERLINK("http://x.example","Klick")')])
    target = tmp_path / "hostile.csv"
    code, _, _ = scrapy_archive(capsys, "export", "-o", str(target), archive=path)
    assert code == 0
    (row,) = csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline=""))
    assert row["title"] == '\'=HYPERLINK("http://x.example","Klick")'
