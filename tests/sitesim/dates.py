"""Minsk time and the German date formats the site prints."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

#: Minsk is UTC+3 all year (no DST since 2011).
MINSK = timezone(timedelta(hours=3), "Minsk")

MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")


def date_full(moment: datetime, *, nbsp: bool = False) -> str:
    """The article page's ``div.date_full`` markup, e.g. ``02&nbsp;Januar 2024, 09:15``."""
    space = "&nbsp;" if nbsp else " "
    return f"{moment.day:02d}{space}{MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"


def header_date(moment: datetime) -> str:
    """The header's fetch date after the flag image, e.g. ``Montag, 8 Januar 2024``."""
    return f"{WEEKDAYS[moment.weekday()]}, {moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def iso_minute(moment: datetime) -> str:
    """``2024-01-02T09:15:00+03:00``: the truth format of ``published_at``."""
    return moment.replace(second=0, microsecond=0).isoformat()


def dateline_day(day: date, *, zero_pad: bool = False) -> str:
    """The date part of a dateline, ``2. Juli`` or zero-padded ``05. Januar``."""
    number = f"{day.day:02d}" if zero_pad else str(day.day)
    return f"{number}. {MONTHS[day.month - 1]}"
