"""Records as files for other tools: one CSV dialect (the crawl's feed and ``scrapy archive
export`` alike), JSON Lines, gzip of either, and Parquet with real types.

The CSV dialect (docs/schema.md): a header of the record's fields in record order; lists
(``tags``) joined with `` | `` (tags may hold commas), lists of objects (``images``) as
JSON; booleans ``true``/``false``; a
missing value an empty cell; a text cell that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) prefixed with ``'``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from scrapy.exporters import CsvItemExporter as ScrapyCsvItemExporter

from beltacrawl.items import Article, field_specs

if TYPE_CHECKING:
    import pyarrow

#: Separator of list values (tags) in CSV cells.
CSV_LIST_SEPARATOR = " | "
#: What a spreadsheet takes for the start of a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Export formats of ``scrapy archive export`` and the file names that select them.
FORMATS = ("jsonl", "jsonl.gz", "csv", "csv.gz", "parquet")
#: Rows per Parquet row group while streaming.
PARQUET_BATCH = 2000

_SPECS = field_specs(Article)
FIELDS: tuple[str, ...] = tuple(name for name, _ in _SPECS)


def csv_cell(field: str, value: Any) -> Any:
    """A record value as its CSV cell.

    >>> csv_cell("tags", ["Handel, Export", "Belarus"]), csv_cell("is_incomplete", False)
    ('Handel, Export | Belarus', 'false')
    >>> csv_cell("title", '=HYPERLINK("http://x.example")'), csv_cell("lead", None)
    ('\\'=HYPERLINK("http://x.example")', '')
    >>> csv_cell("article_id", 66060), csv_cell("body", "-5 Grad in Minsk")
    (66060, "'-5 Grad in Minsk")
    """
    if isinstance(value, list | tuple):
        if all(isinstance(item, str) for item in value):
            value = CSV_LIST_SEPARATOR.join(value)
        else:  # lists of objects (``images``) as JSON
            value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvItemExporter(ScrapyCsvItemExporter):
    """Scrapy's CSV feed exporter (``-O feed.csv``), writing beltacrawl's CSV dialect."""

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        return csv_cell(name, value)


def export_format(output: str, given: str | None) -> str | None:
    """The format asked for (``--format``), else the one the file name says; ``None`` when
    the name says none of them. Standard output (``-``) is JSON Lines unless asked.

    >>> export_format("econ.CSV.gz", None), export_format("-", None), export_format("x", "csv")
    ('csv.gz', 'jsonl', 'csv')
    >>> export_format("x.xlsx", None) is None, export_format("x.json.gz", None) is None
    (True, True)
    """
    if given:
        return given
    if output == "-":
        return "jsonl"
    name = output.lower()
    return next((fmt for fmt in sorted(FORMATS, key=len, reverse=True)
                 if name.endswith("." + fmt)), None)  # fmt: skip


def write(records: Iterable[dict[str, Any]], fmt: str, out: BinaryIO) -> int:
    """Write ``records`` to ``out`` in format ``fmt`` (one of :data:`FORMATS`); the count."""
    if fmt == "parquet":
        return write_parquet(records, out)
    with _text(out, gzipped=fmt.endswith(".gz")) as text:
        return (write_csv if fmt.startswith("csv") else write_jsonl)(records, text)


@contextmanager
def _text(out: BinaryIO, *, gzipped: bool) -> Iterator[TextIO]:
    raw: BinaryIO = gzip.GzipFile(fileobj=out, mode="wb") if gzipped else out  # type: ignore[assignment]
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=True)
    try:
        yield text
    finally:
        text.flush()
        text.detach()
        if gzipped:
            raw.close()  # writes gzip's trailer; ``out`` stays open


def write_jsonl(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    count = 0
    for record in records:
        writer.writerow([csv_cell(field, record.get(field)) for field in FIELDS])
        count += 1
    return count


# --- Parquet ---------------------------------------------------------------------------


def _is_time(schema: dict[str, Any]) -> bool:
    return str(schema.get("pattern", "")).startswith("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")


def _is_date(schema: dict[str, Any]) -> bool:
    return schema.get("pattern") == "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def arrow_type(schema: dict[str, Any]) -> pyarrow.DataType:
    """The Arrow type of a field, from its JSON Schema: times as timestamps with time zone
    (UTC), dates as dates, arrays as lists, objects as structs, integers and booleans typed.
    """
    import pyarrow as pa  # an optional dependency: only Parquet exports need it

    kinds = schema.get("type", "string")
    kinds = {kinds} if isinstance(kinds, str) else set(kinds)
    if "integer" in kinds:
        return pa.int64()
    if "boolean" in kinds:
        return pa.bool_()
    if "array" in kinds:
        return pa.list_(arrow_type(schema.get("items", {})))
    if "object" in kinds:
        properties = schema.get("properties", {})
        return pa.struct([(name, arrow_type(sub)) for name, sub in properties.items()])
    if _is_time(schema):
        return pa.timestamp("ms", tz="UTC")
    if _is_date(schema):
        return pa.date32()
    return pa.string()


def parquet_schema() -> pyarrow.Schema:
    """The record as Parquet columns, derived from the fields' JSON Schemas."""
    import pyarrow as pa

    return pa.schema([(name, arrow_type(spec.json_schema)) for name, spec in _SPECS])


def _parquet_value(kind: pyarrow.DataType, value: Any) -> Any:
    import pyarrow as pa

    if value is None:
        return None
    if pa.types.is_timestamp(kind):
        return datetime.fromisoformat(value)
    if pa.types.is_date32(kind):
        return datetime.fromisoformat(value).date()
    return value


def write_parquet(records: Iterable[dict[str, Any]], out: BinaryIO) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError(
            "Parquet needs pyarrow: pip install 'beltacrawl[analysis]' (or pyarrow)"
        ) from None
    schema = parquet_schema()
    count = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for record in records:
            batch.append({f.name: _parquet_value(f.type, record.get(f.name)) for f in schema})
            if len(batch) == PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        if batch or not count:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


class ExportError(Exception):
    """An export that cannot be written (a missing optional library)."""
