"""JSON Schema validation of every record, spidermon's pipeline with a compiled validator.

spidermon's ``ItemValidationPipeline`` builds a new jsonschema validator for every item
and copies the item with ``ItemAdapter.asdict()``: 0.32 ms a record, the costliest stage
after extraction (docs/performance.md). Here the schema is compiled once to Python code
(fastjsonschema, ~10 µs a record) and decides whether a record is valid; only an invalid
record goes through spidermon's own validator, so errors, their messages and the
``spidermon/validation/...`` stats that ``ItemValidationMonitor`` reads stay spidermon's.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import fastjsonschema
from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured
from spidermon.contrib.scrapy.pipelines import ItemValidationPipeline
from spidermon.contrib.scrapy.stats import NAMES
from spidermon.contrib.validation import JSONSchemaValidator
from spidermon.contrib.validation.jsonschema.tools import get_schema_from

from beltacrawl.items import record_fields


class CompiledJSONSchemaValidator(JSONSchemaValidator):
    """spidermon's validator, asked only about records the compiled schema rejects."""

    def __init__(self, schema: dict[str, Any]) -> None:
        super().__init__(schema)
        self._check = fastjsonschema.compile(schema)

    def validate(self, data: dict[str, Any], strict: bool = True) -> tuple[bool, dict]:
        try:
            self._check(data)
        except fastjsonschema.JsonSchemaException:
            return super().validate(data, strict=strict)
        if any(type(value) is tuple for value in data.values()):
            # fastjsonschema takes a tuple for an array; jsonschema (and JSON) does not.
            return super().validate(data, strict=strict)
        self._reset()
        return True, {}


class SchemaValidationPipeline(ItemValidationPipeline):
    """``ItemValidationPipeline`` with :class:`CompiledJSONSchemaValidator`; the same
    settings (``SPIDERMON_VALIDATION_SCHEMAS``, ``SPIDERMON_VALIDATION_DROP_ITEMS_WITH_ERRORS``
    ...) and stats."""

    @classmethod
    def _load_jsonschema_validator(cls, schema: str | dict) -> CompiledJSONSchemaValidator:
        if isinstance(schema, str):
            schema = get_schema_from(schema)
        if not isinstance(schema, dict):
            raise NotConfigured(f"SPIDERMON_VALIDATION_SCHEMAS: not a JSON Schema: {schema!r}")
        return CompiledJSONSchemaValidator(schema)

    @cached_property
    def _count_names(self) -> tuple[str, str]:
        """The names of spidermon's item and field counts: its stats manager slugifies
        them again for every record (10 µs a record)."""
        return (
            self.stats._get_stats_name(NAMES.ITEMS),
            self.stats._get_stats_name(NAMES.FIELDS),
        )

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """spidermon's, on a shallow copy of the record: ``ItemAdapter.asdict()`` walks
        every value looking for nested items (66 µs a record, more than the validation);
        beltacrawl's records are flat."""
        validators = self.find_validators(item)
        if not validators:
            return item
        record = record_fields(item)
        items_stat, fields_stat = self._count_names
        self.stats.stats.inc_value(items_stat)
        self.stats.stats.inc_value(fields_stat, count=len(record))
        for validator in validators:
            ok, errors = validator.validate(record)
            if not ok:
                self._add_error_stats(errors)
                if self.add_errors_to_items:
                    self._add_errors_to_item(ItemAdapter(item), errors)
                if self.drop_items_with_errors:
                    self._drop_item(item, errors)
        return item
