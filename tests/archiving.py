"""Helpers of the archive tests (tests/test_archive*.py): records as the pipeline passes
them, rows written behind the archive's back, an archive at an older schema version."""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

from beltacrawl.archive import (
    Archive,
    schema,
)
from beltacrawl.archive.columns import encode_row
from beltacrawl.items import Article


def record(article_id: int, year: int = 2024, **overrides: Any) -> dict[str, Any]:
    """An archived-ready record as the pipeline passes it (``ItemAdapter(...).asdict()``)."""
    rubric = overrides.pop("rubric", "economics")
    values = {
        "url": f"https://deu.belta.by/{rubric}/view/artikel-{article_id}-{year}/",
        "fetched_url": f"https://deu.belta.by/{rubric}/view/artikel-{article_id}-{year}/",
        "key": f"{article_id}-{year}",
        "article_id": article_id,
        "article_year": year,
        "kind": "article",
        "rubric": rubric,
        "rubric_label": "Wirtschaft",
        "title": f"Titel {article_id}",
        "lead": None,
        "published_at": f"{year}-03-01T10:00:00+03:00",
        "published_raw": f"1 März {year}, 10:00",
        "dateline_place": "MINSK",
        "dateline_date": f"{year}-03-01",
        "dateline_raw": "MINSK, 1. März (BelTA) -",
        "body": f"Text des Artikels {article_id}.",
        "body_html": f"<p>Text des Artikels {article_id}.</p>",
        "tags": ["Belarus", "Wirtschaft"],
        "image_url": None,
        "image_caption": None,
        "language": "de",
        "is_incomplete": False,
        "content_hash": f"hash-{article_id}",
        "fetched_at": "2026-11-28T10:00:00+00:00",
    }
    values.update(overrides)
    return dataclasses.asdict(Article(**values))


def insert(conn: sqlite3.Connection, values: dict[str, Any]) -> None:
    """Write an article row inside a transaction the test holds open."""
    row = {**encode_row(values), "first_seen_at": "now", "last_seen_at": "now", "updated_at": "now"}
    conn.execute(
        f"INSERT INTO articles ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        tuple(row.values()),
    )


def columns(path: Path, table: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


@contextlib.contextmanager
def archive_at_version(path: Path, version: int) -> Iterator[Archive]:
    """The archive at ``path`` as the beltacrawl of schema ``version`` opens it."""
    with (
        mock.patch.object(schema, "MIGRATIONS", schema.MIGRATIONS[:version]),
        Archive.open(path) as archive,
    ):
        assert archive.user_version() == version
        yield archive
