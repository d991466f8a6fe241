"""German dates of the site into Minsk datetimes (``beltacrawl.site.dates``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from beltacrawl.site import dates
from beltacrawl.site.dates import (
    infer_dateline_date,
    listing_datetime,
    month_number,
    parse_datetime,
    parse_datetime_fast,
    to_iso,
)

MONTHS = [
    ("Januar", 1),
    ("Februar", 2),
    ("März", 3),
    ("April", 4),
    ("Mai", 5),
    ("Juni", 6),
    ("Juli", 7),
    ("August", 8),
    ("September", 9),
    ("Oktober", 10),
    ("November", 11),
    ("Dezember", 12),
]
VARIANTS = [
    ("Maerz", 3),
    ("Marz", 3),
    ("Jänner", 1),
    ("Jan.", 1),
    ("Feb.", 2),
    ("Mär.", 3),
    ("Apr.", 4),
    ("Jun", 6),
    ("Jul.", 7),
    ("Aug.", 8),
    ("Sept.", 9),
    ("Sep", 9),
    ("Okt.", 10),
    ("Okt", 10),
    ("Nov.", 11),
    ("Dez", 12),
    ("Dez.", 12),
    ("OKTOBER", 10),
    ("oktober", 10),
]
#: Every documented publication-date format, with the instant it means.
DOCUMENTED = [
    ("28 Oktober 2022, 09:38", "2022-10-28T09:38:00+03:00"),  # div.date_full
    ("16 Mai 2024, 19:01", "2024-05-16T19:01:00+03:00"),
    ("02\xa0Juli 2024, 09:15", "2024-07-02T09:15:00+03:00"),  # &nbsp;
    ("02\xa0Juli\xa02024,\xa009:15", "2024-07-02T09:15:00+03:00"),
    ("  28 Oktober 2022,\n  09:38 ", "2022-10-28T09:38:00+03:00"),
    ("25.09.2017 | 14:27", "2017-09-25T14:27:00+03:00"),  # old template
    ("Wirtschaft 25.09.2017 | 14:27", "2017-09-25T14:27:00+03:00"),
    ("Politik 22.05.2018 | 14:39", "2018-05-22T14:39:00+03:00"),
    ("2022-10-28 09:38:00", "2022-10-28T09:38:00+03:00"),  # article:published_time
    # mediator_published_time: Minsk local time mislabelled +00:00, never trusted.
    ("2022-10-28T09:38:00+00:00", "2022-10-28T09:38:00+03:00"),
]


@pytest.mark.parametrize(("name", "number"), MONTHS + VARIANTS)
def test_month_number(name, number):
    assert month_number(name) == number


@pytest.mark.parametrize("name", ["Foobar", "Montag", "", "Ma"])
def test_month_number_rejects_non_months(name):
    assert month_number(name) is None


@pytest.mark.parametrize(("name", "number"), MONTHS + VARIANTS)
def test_every_month_name_in_a_date(name, number):
    parsed = parse_datetime(f"7 {name} 2024, 10:05")
    assert parsed is not None and to_iso(parsed) == f"2024-{number:02d}-07T10:05:00+03:00"


@pytest.mark.parametrize("day", ["5", "05"])
def test_padded_and_unpadded_days(day):
    assert to_iso(parse_datetime(f"{day} Juli 2024, 09:07")) == "2024-07-05T09:07:00+03:00"


def test_unpadded_hour():
    assert to_iso(parse_datetime("5 Juli 2024, 9:07")) == "2024-07-05T09:07:00+03:00"


@pytest.mark.parametrize(("text", "iso"), DOCUMENTED)
def test_documented_formats(text, iso):
    assert to_iso(parse_datetime(text)) == iso


@pytest.mark.parametrize(("text", "iso"), DOCUMENTED)
def test_documented_formats_never_reach_dateparser(monkeypatch, text, iso):
    def refuse(text):
        raise AssertionError(f"dateparser called for {text!r}")

    monkeypatch.setattr(dates, "parse_datetime_slow", refuse)
    assert to_iso(dates.parse_datetime(text)) == iso
    assert to_iso(parse_datetime_fast(text)) == iso


@pytest.mark.parametrize(("name", "number"), MONTHS + VARIANTS)
def test_month_names_never_reach_dateparser(monkeypatch, name, number):
    monkeypatch.setattr(dates, "parse_datetime_slow", lambda text: 1 / 0)
    assert dates.parse_datetime(f"7 {name} 2024, 10:05").month == number


def test_timezone_is_minsk_plus_three():
    parsed = parse_datetime("28 Oktober 2022, 09:38")
    assert parsed.utcoffset() == timedelta(hours=3)
    # No daylight saving time since 2011: a summer and a winter date, both +03:00.
    assert parse_datetime("15 Januar 2024, 12:00").utcoffset() == timedelta(hours=3)
    assert parse_datetime("15 Juli 2024, 12:00").utcoffset() == timedelta(hours=3)


def test_header_date_has_no_time():
    """The header's ``flag Freitag, 5 Juli 2024`` is the fetch date: never a publication."""
    assert parse_datetime("flag Freitag, 5 Juli 2024") is None
    assert parse_datetime("Freitag, 5 Juli 2024") is None


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "\xa0",
        "31 Februar 2024, 10:00",
        "30.02.2018 | 14:39",
        "2024-02-30 10:00:00",
        "2022-13-28 09:38:00",
        "28 Oktober 2022, 25:38",
        "28 Oktober 2022, 09:61",
        "28 Foobar 2022, 09:38",
        "garbage",
        "Lorem ipsum dolor sit amet",
        "10:00",
        "13:45 Uhr",
        "5 Juli 2024",
    ],
)
def test_bad_input_is_none(text):
    assert parse_datetime(text) is None


@pytest.mark.parametrize("text", ["heute, 10:00", "gestern, 10:00"])
def test_relative_dates_are_not_guessed(text):
    assert parse_datetime(text) is None


def test_iso_output_has_seconds_and_offset():
    assert to_iso(parse_datetime("2022-10-28 09:38:00")) == "2022-10-28T09:38:00+03:00"
    assert to_iso(None) is None


# --- listing dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "month_year", "time", "iso"),
    [
        ("28", ".09.25", "22:00", "2025-09-28T22:00:00+03:00"),
        ("28", ". 09.25", "22:00", "2025-09-28T22:00:00+03:00"),  # span text joined by " "
        ("1", ".01.26", "00:05", "2026-01-01T00:05:00+03:00"),
        ("01", ".01.26", "0:05", "2026-01-01T00:05:00+03:00"),
        ("28", ".09.2025", "22:00 Wirtschaft", "2025-09-28T22:00:00+03:00"),
        (" 7 ", " . 3.24 ", " 09:15 ", "2024-03-07T09:15:00+03:00"),
    ],
)
def test_listing_datetime(day, month_year, time, iso):
    assert to_iso(listing_datetime(day, month_year, time)) == iso


@pytest.mark.parametrize(
    ("day", "month_year", "time"),
    [
        ("", ".09.25", "22:00"),  # entry above any day group
        ("28", "", "22:00"),
        ("28", ".09.25", ""),
        ("31", ".02.25", "22:00"),
        ("28", ".13.25", "22:00"),
    ],
)
def test_listing_datetime_incomplete_is_none(day, month_year, time):
    assert listing_datetime(day, month_year, time) is None


# --- dateline dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "month", "published", "expected"),
    [
        (28, 10, date(2022, 10, 28), date(2022, 10, 28)),  # same day
        (27, 10, date(2022, 10, 28), date(2022, 10, 27)),  # day before
        (31, 12, date(2024, 1, 1), date(2023, 12, 31)),  # New Year: previous year
        (30, 12, date(2024, 1, 2), date(2023, 12, 30)),
        (1, 1, date(2023, 12, 31), date(2024, 1, 1)),  # New Year the other way
        (4, 10, date(2024, 10, 14), date(2024, 10, 4)),  # ten days apart: kept as is
        (24, 10, date(2024, 10, 14), date(2024, 10, 24)),
        (29, 2, date(2024, 3, 1), date(2024, 2, 29)),  # leap day
    ],
)
def test_infer_dateline_date(day, month, published, expected):
    assert infer_dateline_date(day, month, published) == expected


def test_infer_dateline_date_impossible_day():
    assert infer_dateline_date(31, 4, date(2024, 5, 1)) is None
    assert infer_dateline_date(30, 2, date(2024, 3, 1)) is None


def test_loaded_dates_that_are_not_understood_or_far_from_the_listing_are_found():
    import logging
    from datetime import datetime

    from beltacrawl.items import Article
    from beltacrawl.loaders import date_findings
    from beltacrawl.parsing.listing import ListingEntry
    from beltacrawl.site.dates import MINSK
    from beltacrawl.site.urls import parse_article_url

    url = "https://deu.belta.by/economics/view/handel-66060-2024/"
    ref = parse_article_url(url)
    assert ref is not None
    listed = datetime(2024, 9, 5, 10, 0, tzinfo=MINSK)
    entry = ListingEntry(ref, "Handel", None, None, listed)
    good = Article(
        url=url, published_at="2024-09-05T10:00:00+03:00", published_raw="05 September 2024, 10:00"
    )
    assert date_findings(good, entry) == []
    late = Article(url=url, published_at="2024-09-05T10:02:00+03:00", published_raw=None)
    (differs,) = date_findings(late, entry)
    assert (differs.name, differs.level) == ("date_differs_from_listing", logging.INFO)
    assert differs.message == (
        f"{url}: page date 2024-09-05 10:02:00+03:00 differs from listing date {listed}"
    )
    garbled = Article(url=url, published_at=None, published_raw="am Donnerstag")
    (unparsed,) = date_findings(garbled, entry)
    assert (unparsed.name, unparsed.level) == ("date_unparsed", logging.WARNING)
    assert unparsed.message.endswith("'am Donnerstag' could not be parsed; left empty")
    assert date_findings(garbled) == date_findings(garbled, entry)
