"""Dates of a BelTA edition (month names from its profile) into timezone-aware Minsk datetimes.

The formats the site uses are parsed by a fast path of regular expressions; dateparser
(in the profile's language) is the fallback for anything else. ISO dates never reach dateparser,
which swaps day and month of ISO dates when told the language is German, for one.

>>> parse_datetime("28 Oktober 2022, 09:38").isoformat()
'2022-10-28T09:38:00+03:00'
>>> parse_datetime("02\\xa0Juli 2024, 09:15").isoformat()
'2024-07-02T09:15:00+03:00'
>>> parse_datetime("Wirtschaft 25.09.2017 | 14:27").isoformat()
'2017-09-25T14:27:00+03:00'
>>> parse_datetime("2022-10-28 09:38:00").isoformat()
'2022-10-28T09:38:00+03:00'
>>> parse_datetime("flag Freitag, 5 Juli 2024") is None  # the header date has no time
True
>>> listing_datetime("28", ".09.25", "22:00").isoformat()
'2025-09-28T22:00:00+03:00'
>>> infer_dateline_date(31, 12, date(2024, 1, 1)).isoformat()
'2023-12-31'
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from beltacrawl.site.deu import DEU_BELTA
from beltacrawl.site.text import normalise_space

if TYPE_CHECKING:
    from beltacrawl.site.profile import SiteProfile

MINSK = ZoneInfo("Europe/Minsk")

_MONTH_NAME = r"(?P<month>[A-Za-zÄäÖöÜü]{3,9})\.?"
_TIME = r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
#: ``28 Oktober 2022, 09:38`` (date_full) and ``28. Okt. 2022 um 09:38``.
_LONG_DATE = re.compile(
    rf"(?<!\d)(?P<day>\d{{1,2}})\.?\s*{_MONTH_NAME}\s*(?P<year>\d{{4}})\s*,?\s*(?:um\s*)?{_TIME}"
)
#: ``25.09.2017 | 14:27`` (old template) and ``25.09.2017 14:27``.
_NUMERIC_DATE = re.compile(
    rf"(?<!\d)(?P<day>\d{{1,2}})\.(?P<month>\d{{1,2}})\.(?P<year>\d{{4}})\s*[|,]?\s*{_TIME}"
)
#: ``2022-10-28 09:38:00`` (article:published_time, Minsk local time without offset).
_ISO_DATE = re.compile(rf"(?P<year>\d{{4}})-(?P<month>\d\d)-(?P<day>\d\d)[T ]{_TIME}")
_HAS_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_HAS_TIME = re.compile(r"(?<!\d)\d{1,2}[:.]\d{2}(?!\d)")
#: Longest text handed to dateparser (``Montag, 28. Oktober 2022 um 09:38 Uhr`` is 36).
MAX_SLOW_CHARS = 120
_DATEPARSER_SETTINGS = {
    "TIMEZONE": "Europe/Minsk",
    "TO_TIMEZONE": "Europe/Minsk",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "REQUIRE_PARTS": ["day", "month", "year"],
    "DATE_ORDER": "DMY",
    "PREFER_DAY_OF_MONTH": "first",
}


def month_number(name: str, profile: SiteProfile = DEU_BELTA) -> int | None:
    """The month of a month name or abbreviation of the edition, ``None`` if it is not one.

    >>> month_number("Mär."), month_number("Mars")
    (3, None)
    """
    return profile.months.get(name.lower().rstrip("."))


def _build(year: int, month: int, day: int, hour: int, minute: int, second: int = 0):
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=MINSK)
    except ValueError:
        return None


def _from_match(match: re.Match[str], month: int | None) -> datetime | None:
    if month is None:
        return None
    return _build(
        int(match["year"]),
        month,
        int(match["day"]),
        int(match["hour"]),
        int(match["minute"]),
        int(match["second"] or 0),
    )


def parse_datetime_fast(text: str, profile: SiteProfile = DEU_BELTA) -> datetime | None:
    """The documented formats of the site only; ``None`` when none matches."""
    text = normalise_space(text)
    if match := _ISO_DATE.search(text):
        return _from_match(match, int(match["month"]))
    if match := _LONG_DATE.search(text):
        return _from_match(match, month_number(match["month"], profile))
    if match := _NUMERIC_DATE.search(text):
        return _from_match(match, int(match["month"]))
    return None


def parse_datetime_slow(text: str, profile: SiteProfile = DEU_BELTA) -> datetime | None:
    """dateparser for formats the site has not been seen to use.

    A year and a time of day must be written out: a date without a time (such as the
    header's ``Freitag, 5 Juli 2024``) would become a made-up midnight, and relative
    dates (``gestern, 10:00``) would be read against this machine's clock. Text longer
    than any date (``MAX_SLOW_CHARS``) is not a date: dateparser needs seconds for 10 kB.
    """
    if len(text) > MAX_SLOW_CHARS or not (_HAS_TIME.search(text) and _HAS_YEAR.search(text)):
        return None
    import dateparser  # imported on first use: loading its language data is slow

    parsed = dateparser.parse(
        normalise_space(text), languages=[profile.language], settings=_DATEPARSER_SETTINGS
    )
    return parsed.astimezone(MINSK) if parsed else None


def parse_datetime(text: str | None, profile: SiteProfile = DEU_BELTA) -> datetime | None:
    """A publication time as a Minsk datetime, or ``None`` — never a guess."""
    if not text or not text.strip():
        return None
    return parse_datetime_fast(text, profile) or parse_datetime_slow(text, profile)


def listing_datetime(day: str, month_year: str, time: str) -> datetime | None:
    """A listing entry's time from its day group (``28`` + ``.09.25``) and ``HH:MM``."""
    day_match = re.search(r"\d{1,2}", day or "")
    month_match = re.search(r"(\d{1,2})\.(\d{2}|\d{4})(?!\d)", month_year or "")
    time_match = re.search(r"(\d{1,2}):(\d{2})", time or "")
    if not (day_match and month_match and time_match):
        return None
    year = int(month_match[2])
    return _build(
        year + 2000 if year < 100 else year,
        int(month_match[1]),
        int(day_match[0]),
        int(time_match[1]),
        int(time_match[2]),
    )


def infer_dateline_date(day: int, month: int, published: date) -> date | None:
    """The dateline's full date: the year that puts it nearest to the publication date.

    Datelines carry no year; one published on 1 January about 31 December belongs to the
    year before.
    """
    candidates = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    return min(candidates, key=lambda candidate: abs(candidate - published))


def to_iso(value: datetime | None) -> str | None:
    """ISO 8601 with offset and seconds, e.g. ``2022-10-28T09:38:00+03:00``."""
    return value.isoformat(timespec="seconds") if value else None
