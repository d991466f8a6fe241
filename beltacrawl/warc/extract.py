"""The crawl's extraction of an article page, run over a stored page instead of a fetch.

The same steps as the spider's ``parse_article`` (usable response, charset repair,
:func:`~beltacrawl.parsing.article.parse_article`,
:func:`~beltacrawl.loaders.load_page`) and as the validation pipeline (the record's JSON
Schema through spidermon's validator, then :func:`~beltacrawl.pipelines.cross_field_problem`):
a stored page gives the record its fetch gave, and a page the crawl would not have
stored is refused with the reason, never stored half-empty.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy.http import TextResponse
from spidermon.contrib.validation import JSONSchemaValidator

from beltacrawl.loaders import load_page
from beltacrawl.parsing.article import parse_article
from beltacrawl.pipelines import cross_field_problem, schema_problem
from beltacrawl.responses import decoded, unusable
from beltacrawl.schemas import ARTICLE
from beltacrawl.site.urls import parse_article_url
from beltacrawl.warc.records import entry_of

if TYPE_CHECKING:
    from scrapy.http import Response

logger = logging.getLogger(__name__)


class Counts(Counter):
    """What a run over stored pages counted, with the stats collector's ``inc_value``."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] += count


@dataclass(frozen=True, slots=True)
class Extraction:
    record: dict[str, Any] | None
    problem: str | None
    """Why no record came out (``None`` when one did)."""


class PageExtractor:
    """Records from stored article pages of the site (``base_host``: the configured
    ``BELTA_BASE_URL``'s host, accepted besides the edition's own hosts)."""

    def __init__(self, base_host: str = "") -> None:
        self.base_host = base_host
        self.counts = Counts()
        self._schema = JSONSchemaValidator(json.loads(ARTICLE))

    def extract(
        self, response: Response, entry: dict[str, Any] | None = None, *, any_host: bool = False
    ) -> Extraction:
        """The record of a stored page; ``any_host``: the page was fetched from the site
        (a crawl's own capture, whatever ``BELTA_BASE_URL`` was then)."""
        host = (urlsplit(response.url).hostname or "") if any_host else self.base_host
        ref = parse_article_url(response.url, host)
        if ref is None:
            return Extraction(None, "not an article URL of the German edition")
        if response.status != 200:
            return Extraction(None, f"HTTP {response.status}")
        if problem := unusable(response):
            return Extraction(None, f"unusable response: {problem}")
        assert isinstance(response, TextResponse)
        response = decoded(response, self.counts, logger)
        raw = parse_article(response.selector, kind=ref.kind)
        for selector in raw.missing:
            self.counts.inc_value(f"layout/article_selector_missed/{selector}")
        if not raw.paragraphs and ref.kind.text_expected:
            missed = ", ".join(f"`{s}`" for s in raw.missing or ["div.js-mediator-article"])
            return Extraction(None, f"no article text — selector(s) {missed} matched nothing")
        listed = entry_of(entry, ref) if entry is not None else None
        record = ItemAdapter(load_page(raw, ref, response, listed)).asdict()
        _, errors = self._schema.validate(record)
        if problem := schema_problem(record, errors) or cross_field_problem(record):
            return Extraction(None, f"invalid record ({problem[0]}): {problem[1]}")
        return Extraction(record, None)
