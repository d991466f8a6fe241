"""The article record: one class, one documented field each (see docs/schema.md).

Each field also carries a :class:`FieldSpec` in its metadata: how the field is checked
(its JSON Schema) and how the archive stores it. The record's JSON Schema
(:mod:`beltacrawl.schemas`) and the archive's columns (:mod:`beltacrawl.archive.columns`)
are derived from these declarations, so a new field is declared here once.

>>> [spec.storage.value for name, spec in field_specs() if name in ("tags", "is_incomplete")]
['json_list', 'boolean']
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar

#: The key under which a field's :class:`FieldSpec` sits in its dataclass metadata.
SPEC_KEY = "beltacrawl"

_ISO_OFFSET_TIME = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
_HTTP_URL = "^https?://"


class Storage(enum.Enum):
    """How a field's values are kept in an archive column."""

    TEXT = "text"
    """A string, or NULL."""
    INTEGER = "integer"
    """An integer, or NULL."""
    JSON_LIST = "json_list"
    """A list, as a JSON array in a TEXT column (``[]`` when missing)."""
    BOOLEAN = "boolean"
    """``True``/``False`` as 1/0 in an INTEGER column, or NULL."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """What the JSON Schema and the archive need to know about one record field."""

    json_schema: dict[str, Any]
    """The JSON Schema of the field's value (one entry of the record's ``properties``)."""
    storage: Storage = Storage.TEXT
    identity: bool = False
    """Part of the article's identity: never changes once stored; NOT NULL in every table
    unless its JSON Schema admits ``null`` (``article_year`` of the kinds without a year)."""
    unique: bool = False
    """The identity the archive keys records by (``UNIQUE`` in ``articles``)."""
    required: bool = False
    """The archive refuses a current record without it (NOT NULL in ``articles``)."""
    detail: bool = False
    """A detail around the text that a re-fetch of the same text may correct in place."""
    kept_if_missing: bool = False
    """A fetch may lack it although the article has it: a missing value keeps the stored one."""


class Kind(enum.StrEnum):
    """What sort of item a record is. The URL grammar tells (``site/urls.py``), never the
    title: a ``/society/`` article titled ``FOTOBERICHT: …`` is an article."""

    ARTICLE = "article"
    """A news article, ``/<rubric>/view/<slug>-<id>-<year>/``, keyed ``<id>-<year>``."""
    PHOTO_REPORT = "photo_report"
    """An archive photo report, ``/photonews/view/<slug>-<id>/``, keyed ``photonews-<id>``."""
    INFOGRAPHIC = "infographic"
    """An infographic, ``/infographica/view/<slug>-<id>/``, keyed ``infographica-<id>``."""

    @property
    def has_year(self) -> bool:
        """Articles carry their year in the URL and key; the other kinds do not."""
        return self is Kind.ARTICLE

    @property
    def text_expected(self) -> bool:
        """A page of this kind without text is a problem (a photo report may be only
        photos and captions, an infographic only its image)."""
        return self is Kind.ARTICLE


def spec(json_schema: dict[str, Any], **details: Any) -> dict[str, FieldSpec]:
    """Field metadata holding a :class:`FieldSpec`."""
    return {SPEC_KEY: FieldSpec(json_schema, **details)}


@dataclass
class Article:
    """One German BelTA article as archived.

    Every field defaults to ``None`` (or an empty list) so that an item loader never
    mistakes a default for a collected value; a field that stays ``None`` was not found.
    """

    RECORD_RULES: ClassVar[dict[str, Any]] = {
        "allOf": [
            {
                "if": {"properties": {"published_at": {"type": "null"}}},
                "then": {"properties": {"published_raw": {"type": "string", "pattern": r"\S"}}},
            },
            {
                "if": {"properties": {"kind": {"const": Kind.ARTICLE.value}}},
                "then": {
                    "properties": {
                        "article_year": {"type": "integer"},
                        "body": {"type": "string"},
                        "key": {"pattern": "^[0-9]+-"},
                    }
                },
            },
            {
                "if": {
                    "properties": {
                        "kind": {"enum": [kind.value for kind in Kind if not kind.has_year]}
                    }
                },
                "then": {
                    "properties": {
                        "article_year": {"type": "null"},
                        "key": {"pattern": "^[a-z]+-"},
                    }
                },
            },
        ]
    }
    """JSON Schema rules across fields: an undated record keeps the date as printed; an
    article has a year and a text, the other kinds have no year."""

    url: str | None = field(
        default=None,
        metadata=spec(
            {
                "type": "string",
                "pattern": (
                    "^https://deu\\.belta\\.by/[a-z0-9_-]+/view/([^/]*-)?[0-9]+(-(19|20)[0-9]{2})?/$"
                ),
            },
            required=True,
        ),
    )
    """Canonical URL on the real site: https, host ``deu.belta.by``, trailing slash."""
    fetched_url: str | None = field(
        default=None, metadata=spec({"type": "string", "pattern": _HTTP_URL})
    )
    """The URL actually fetched (may be a mirror or replica set by ``BELTA_BASE_URL``)."""
    key: str | None = field(
        default=None,
        metadata=spec(
            {"type": "string", "pattern": "^([0-9]+-(19|20)[0-9]{2}|[a-z]+-[0-9]+)$"},
            identity=True,
            unique=True,
        ),
    )
    """Identity: ``"<article_id>-<article_year>"`` for an article (ids repeat across
    years), ``"<section>-<article_id>"`` for the kinds without a year
    (``photonews-3192``); never the slug."""
    article_id: int | None = field(
        default=None,
        metadata=spec({"type": "integer", "minimum": 1}, storage=Storage.INTEGER, identity=True),
    )
    """Numeric id from the URL (each kind counts its own)."""
    article_year: int | None = field(
        default=None,
        metadata=spec(
            {"type": ["integer", "null"], "minimum": 1990, "maximum": 2100},
            storage=Storage.INTEGER,
            identity=True,
        ),
    )
    """Year from the URL (the publication year); ``None`` for the kinds without one."""
    kind: str | None = field(
        default=None,
        metadata=spec({"enum": [kind.value for kind in Kind]}, identity=True),
    )
    """What the record is (:class:`Kind`): ``article``, ``photo_report`` or ``infographic``."""
    rubric: str | None = field(
        default=None, metadata=spec({"type": "string", "pattern": "^[a-z0-9_-]+$"})
    )
    """Rubric slug from the URL, e.g. ``economics`` (the section: ``photonews``,
    ``infographica``, for the other kinds)."""
    rubric_label: str | None = field(
        default=None,
        metadata=spec(
            {"type": ["string", "null"], "minLength": 1}, detail=True, kept_if_missing=True
        ),
    )
    """Rubric as shown on the page, e.g. ``Wirtschaft``."""
    title: str | None = field(default=None, metadata=spec({"type": "string", "pattern": r"\S"}))
    """Headline, whitespace-normalised, without a site suffix."""
    lead: str | None = field(
        default=None, metadata=spec({"type": ["string", "null"]}, detail=True, kept_if_missing=True)
    )
    """Teaser text from the listing, when the article was found on one."""
    published_at: str | None = field(
        default=None,
        metadata=spec(
            {
                "type": ["string", "null"],
                "pattern": _ISO_OFFSET_TIME + "[+-][0-9]{2}:[0-9]{2}$",
                "format": "date-time",
            },
            detail=True,
            kept_if_missing=True,
        ),
    )
    """Publication time, ISO 8601 with the Minsk offset, e.g. ``2022-10-28T09:38:00+03:00``."""
    published_raw: str | None = field(
        default=None, metadata=spec({"type": ["string", "null"]}, detail=True, kept_if_missing=True)
    )
    """Publication time exactly as shown on the page, e.g. ``28 Oktober 2022, 09:38``."""
    dateline_place: str | None = field(
        default=None, metadata=spec({"type": ["string", "null"], "minLength": 1}, detail=True)
    )
    """Dateline city, e.g. ``MINSK``; ``None`` when the article has no dateline."""
    dateline_date: str | None = field(
        default=None,
        metadata=spec(
            {"type": ["string", "null"], "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}, detail=True
        ),
    )
    """Dateline date as an ISO date, its year inferred from ``published_at``."""
    dateline_raw: str | None = field(
        default=None, metadata=spec({"type": ["string", "null"], "minLength": 1}, detail=True)
    )
    """Dateline as published, e.g. ``MINSK, 28. Oktober (BelTA) -``."""
    body: str | None = field(
        default=None, metadata=spec({"type": ["string", "null"], "pattern": r"\S"})
    )
    """Article text, paragraphs separated by one blank line, dateline removed; ``None`` for
    a photo report or infographic without text (an article always has one)."""
    body_html: str | None = field(
        default=None, metadata=spec({"type": ["string", "null"]}, detail=True)
    )
    """Cleaned inner HTML of the article body container (a newer beltacrawl may clean the
    same text differently, hence a detail)."""
    tags: list[str] = field(
        default_factory=list,
        metadata=spec(
            {"type": "array", "items": {"type": "string", "minLength": 1}},
            storage=Storage.JSON_LIST,
            detail=True,
        ),
    )
    """Tag labels shown under the article."""
    image_url: str | None = field(
        default=None,
        metadata=spec(
            {"type": ["string", "null"], "pattern": _HTTP_URL}, detail=True, kept_if_missing=True
        ),
    )
    """Absolute URL of the main image on the real site."""
    image_caption: str | None = field(
        default=None, metadata=spec({"type": ["string", "null"]}, detail=True, kept_if_missing=True)
    )
    """Caption of the main image."""
    images: list[dict[str, str | None]] = field(
        default_factory=list,
        metadata=spec(
            {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["url", "caption"],
                    "properties": {
                        "url": {"type": "string", "pattern": _HTTP_URL},
                        "caption": {"type": ["string", "null"], "minLength": 1},
                    },
                },
            },
            storage=Storage.JSON_LIST,
            detail=True,
        ),
    )
    """Every image of the page's text, in page order, the main image first, each once:
    ``{"url": …, "caption": …}`` (absolute URLs on the real site; ``caption`` may be null).
    A photo report's photos and their captions are here."""
    language: str | None = field(default=None, metadata=spec({"const": "de"}))
    """Language code, always ``de``."""
    is_incomplete: bool | None = field(
        default=None, metadata=spec({"type": "boolean"}, storage=Storage.BOOLEAN)
    )
    """True when the text ends with the site's ``/Wird ergänzt/`` marker (to be updated)."""
    content_hash: str | None = field(
        default=None, metadata=spec({"type": "string", "pattern": "^[0-9a-f]{64}$"})
    )
    """SHA-256 (hex) of title and body (and, for the kinds whose content is the image,
    the image URLs), for change detection."""
    fetched_at: str | None = field(
        default=None, metadata=spec({"type": "string", "pattern": _ISO_OFFSET_TIME + "\\+00:00$"})
    )
    """UTC time of the fetch, ISO 8601, e.g. ``2026-11-28T10:00:00+00:00``."""


def field_specs(record_class: type[Any] = Article) -> list[tuple[str, FieldSpec]]:
    """``(name, spec)`` of each field of ``record_class``, in record order."""
    return [(f.name, f.metadata[SPEC_KEY]) for f in dataclasses.fields(record_class)]
