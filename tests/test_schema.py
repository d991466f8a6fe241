"""The record's JSON Schema: in step with the item class and the fixtures' records (that
docs/ ships it: tests/test_record_fields.py)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
from parsel import Selector

from beltacrawl.items import Article
from beltacrawl.loaders import load_article
from beltacrawl.parsing.article import parse_article
from beltacrawl.schemas import ARTICLE
from beltacrawl.site.urls import parse_article_url
from tests.test_article_fixtures import FETCHED_AT

REPO = Path(__file__).resolve().parent.parent
SCHEMA = json.loads(ARTICLE)


def test_schema_id_names_no_invented_address():
    """The schema is not published anywhere: its ``$id`` is a name, not a URL on the site."""
    assert SCHEMA["$id"] == "urn:beltacrawl:article-schema"


def test_no_reference_to_a_site_file_outside_the_repository():
    """The account of the site is docs/site.md, in the repository; nothing points elsewhere."""
    assert (REPO / "docs" / "site.md").is_file()
    texts = [*REPO.glob("beltacrawl/**/*.py"), *REPO.glob("docs/*.md"), REPO / "README.md"]
    for path in texts:
        assert "SITE.md" not in path.read_text(encoding="utf-8"), path


def test_schema_is_valid_and_requires_every_item_field():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert sorted(SCHEMA["required"]) == sorted(field.name for field in dataclasses.fields(Article))


def test_every_fixture_record_validates():
    validator = jsonschema.Draft7Validator(SCHEMA)
    pages = sorted((REPO / "tests" / "fixtures" / "articles").glob("*.html"))
    assert pages
    for page in pages:
        expected = json.loads(page.with_name(page.stem + ".expected.json").read_text())
        url = expected["fetched_url"]
        raw = parse_article(Selector(text=page.read_text(encoding="utf-8")))
        record = dataclasses.asdict(load_article(raw, parse_article_url(url), url, FETCHED_AT))
        errors = [error.message for error in validator.iter_errors(record)]
        assert not errors, (page.name, errors)
