"""Listing pages: entries, day groups, next page (``beltacrawl.parsing.listing``)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from parsel import Selector

from beltacrawl.parsing.listing import dedupe_lead, next_page_url, parse_listing
from beltacrawl.site.dates import to_iso

#: A copy of /work/shared/site/reference/listing.html.
REFERENCE = Path(__file__).parent / "fixtures" / "listing" / "reference.html"
PAGE_URL = "https://deu.belta.by/all_news/page/58/"


def listing(inner: str, after: str = "") -> str:
    """A listing page in the reference markup with ``inner`` inside ``div#inner``."""
    return f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"></head><body>
<div class="top_line"><div class="date_today"><img src="/desimages/flag.png" alt="flag">
 Montag, 29 September 2025</div></div>
<div class="main"><div class="content_margin"><h1>Nachrichten</h1>
<div id="inner">{inner}</div>{after}</div></div></body></html>"""


def day_group(day: str, month_year: str) -> str:
    return (
        f'<div class="new_date"><div class="day">{day}</div>'
        f'<div class="month_year"><span>.</span>{month_year}</div></div>'
    )


def item(href: str, title: str, lead: str = "", time: str = "12:00", rubric="society") -> str:
    rubric_link = (
        f'<a class="date_rubric" href="https://deu.belta.by/{rubric}/">Gesellschaft</a>'
        if rubric
        else ""
    )
    lead_span = f'<span class="lenta_textsmall">{lead}</span>' if lead else ""
    return (
        f'<div class="news_item lenta_item"><div class="date">{time} {rubric_link}</div>'
        f'<a href="{href}"><span class="lenta_item_title">{title}</span>{lead_span}</a></div>'
    )


def parse(html: str, page_url: str = PAGE_URL):
    return parse_listing(Selector(text=html), page_url)


# --- the reference page ----------------------------------------------------------------


@pytest.fixture(scope="module")
def reference():
    return parse(REFERENCE.read_text(encoding="utf-8"))


def test_reference_entries(reference):
    assert [entry.key for entry in reference.entries] == ["77001-2025", "77000-2025", "76990-2025"]
    assert [entry.ref.url for entry in reference.entries] == [
        "https://deu.belta.by/society/view/krutoi-nachste-sitzung-der-allbelarussischen-volksversammlung-fur-ende-des-jahres-geplant-77001-2025/",
        "https://deu.belta.by/economics/view/turtschin-uber-die-bewaltigung-wirtschaftlicher-herausforderungen-77000-2025/",
        "https://deu.belta.by/sport/view/mannschaft-des-prasidenten-gewann-das-vierte-spiel-76990-2025/",
    ]
    assert reference.missing == []


def test_reference_titles(reference):
    assert [entry.title for entry in reference.entries] == [
        "Krutoi: Nächste Sitzung der Allbelarussischen Volksversammlung für Ende des Jahres "
        "geplant",
        "Turtschin über die Bewältigung wirtschaftlicher Herausforderungen",
        "Mannschaft des Präsidenten gewann das vierte Spiel",
    ]


def test_reference_leads(reference):
    """The first lead sits in nested divs (an empty one first)."""
    assert [entry.lead for entry in reference.entries] == [
        "Präsident Alexander Lukaschenko kündigte kürzlich ein bedeutendes Treffen mit der "
        "Regierung an, um die wirtschaftliche Entwicklung im vergangenen Zeitraum zu evaluieren.",
        "Laut dem Premierminister steht die belarussische Wirtschaft vor zahlreichen "
        "Herausforderungen.",
        "Die Mannschaft des Präsidenten von Belarus errang den vierten Sieg.",
    ]


def test_reference_rubric_labels(reference):
    assert [entry.rubric_label for entry in reference.entries] == [
        "Gesellschaft",
        "Wirtschaft",
        "Sport",
    ]
    assert [entry.ref.rubric for entry in reference.entries] == ["society", "economics", "sport"]


def test_reference_listed_at_from_two_day_groups(reference):
    """An item belongs to the last day group above it: 28.09.25 twice, then 27.09.25."""
    assert [to_iso(entry.listed_at) for entry in reference.entries] == [
        "2025-09-28T22:00:00+03:00",
        "2025-09-28T21:53:00+03:00",
        "2025-09-27T19:14:00+03:00",
    ]


def test_reference_next_url(reference):
    """From get_page('…&amp;…/'): & unescaped, the stray slash after the year dropped."""
    assert reference.next_url == "https://deu.belta.by/all_news/page/59/?day=29&month=09&year=25"


# --- variants --------------------------------------------------------------------------


def test_next_url_from_get_page_on_a_mirror():
    html = listing(
        "",
        '<div class="load_more" onclick="return get_page(\'/all_news/page/7/?day=08&amp;'
        "month=01&amp;year=26/','inner','1');\">Mehr laden</div>",
    )
    page = parse_listing(Selector(text=html), "http://127.0.0.1:8000/all_news/page/6/")
    assert page.next_url == "http://127.0.0.1:8000/all_news/page/7/?day=08&month=01&year=26"


def test_next_url_from_a_p_next_link():
    html = listing(
        day_group("27", "09.25") + item("/sport/view/spiel-76990-2025/", "Spiel"),
        '<a class="p_next" href="/all_news/page/59/?day=29&amp;month=09&amp;year=25">weiter</a>',
    )
    page = parse(html)
    assert page.next_url == "https://deu.belta.by/all_news/page/59/?day=29&month=09&year=25"
    assert [entry.key for entry in page.entries] == ["76990-2025"]


def test_no_next_url_on_the_last_page():
    page = parse(listing(day_group("27", "09.25") + item("/sport/view/spiel-76990-2025/", "S")))
    assert page.next_url is None


def test_next_url_helper_prefers_load_more():
    html = (
        "<div class=\"load_more\" onclick=\"return get_page('/all_news/page/3/','inner','1');\">"
        '</div><a class="p_next" href="/all_news/page/9/">weiter</a>'
    )
    assert next_page_url(Selector(text=html), PAGE_URL) == "https://deu.belta.by/all_news/page/3/"


@pytest.mark.parametrize(
    "lead_markup",
    [
        "Die Mannschaft siegte erneut. Die Mannschaft siegte erneut.",
        "<div>Die Mannschaft siegte erneut.</div><div>Die Mannschaft siegte erneut.</div>",
        "<div></div><div>Die Mannschaft siegte erneut.</div><br><div>Die Mannschaft siegte "
        "erneut.</div>",
        "Die Mannschaft siegte erneut.",
    ],
)
def test_repeated_lead_is_kept_once(lead_markup):
    page = parse(
        listing(day_group("27", "09.25") + item("/sport/view/spiel-76990-2025/", "S", lead_markup))
    )
    assert page.entries[0].lead == "Die Mannschaft siegte erneut."


def test_dedupe_lead_keeps_distinct_text():
    assert dedupe_lead("Erster Satz. Zweiter Satz.") == "Erster Satz. Zweiter Satz."
    assert dedupe_lead(None) is None
    assert dedupe_lead("") == ""


def test_absolute_mobile_and_http_links_are_canonicalised():
    inner = day_group("01", "01.26") + "".join(
        [
            item(
                "http://m.deu.belta.by/president/view/neujahrsansprache-1-2026", "A", time="00:05"
            ),
            item("http://deu.belta.by/society/view/feuerwerk-in-minsk-2-2026/", "B", time="00:03"),
            item("https://deu.belta.by/sport/view/spiel-3-2026", "C", time="00:01"),
        ]
    )
    page = parse(listing(inner))
    assert [entry.ref.url for entry in page.entries] == [
        "https://deu.belta.by/president/view/neujahrsansprache-1-2026/",
        "https://deu.belta.by/society/view/feuerwerk-in-minsk-2-2026/",
        "https://deu.belta.by/sport/view/spiel-3-2026/",
    ]
    assert [to_iso(entry.listed_at) for entry in page.entries] == [
        "2026-01-01T00:05:00+03:00",
        "2026-01-01T00:03:00+03:00",
        "2026-01-01T00:01:00+03:00",
    ]


def test_links_to_other_editions_are_ignored():
    inner = day_group("28", "09.25") + "".join(
        [
            item("https://eng.belta.by/president/view/new-year-address-1-2025/", "English"),
            item("https://www.belta.by/president/view/novogodnee-1-2025/", "Russisch"),
            item("https://chn.belta.by/president/view/x-1-2025/", "Chinesisch"),
            item("/economics/view/turtschin-77000-2025/", "Deutsch"),
        ]
    )
    page = parse(listing(inner))
    assert [entry.title for entry in page.entries] == ["Deutsch"]
    assert [(passed.reason, passed.title) for passed in page.not_taken] == [
        ("other_site", "English"),
        ("other_site", "Russisch"),
        ("other_site", "Chinesisch"),
    ]


def test_entry_without_rubric_link():
    page = parse(
        listing(day_group("28", "09.25") + item("/economics/view/x-1-2025/", "X", rubric=""))
    )
    assert page.entries[0].rubric_label is None
    assert page.entries[0].ref.rubric == "economics"


def test_entry_before_any_day_group_has_no_date():
    page = parse(listing(item("/economics/view/x-1-2025/", "X")))
    assert page.entries[0].listed_at is None


def test_page_without_entries_names_the_selector():
    page = parse(listing(""))
    assert page.entries == []
    assert page.next_url is None
    assert "div.lenta_item" in page.missing


def test_page_without_container_names_both_selectors():
    page = parse("<html><body><p>Wartungsarbeiten</p></body></html>")
    assert page.entries == []
    assert "div#inner" in page.missing
    assert "div.lenta_item" in page.missing


def test_changed_markup_falls_back_to_article_links_once():
    inner = (
        '<ul><li><a href="/economics/view/turtschin-77000-2025/">Turtschin</a></li>'
        '<li><a href="/economics/view/turtschin-77000-2025/">Turtschin</a></li>'
        '<li><a href="https://eng.belta.by/economics/view/x-1-2025/">English</a></li></ul>'
    )
    page = parse(listing(inner))
    assert [entry.key for entry in page.entries] == ["77000-2025"]
    assert "div.lenta_item" in page.missing
    assert [(passed.reason, passed.title) for passed in page.not_taken] == [
        ("other_site", "English")
    ]


def test_a_page_that_continues_the_day_of_the_page_before():
    """Entries above the first day group belong to the last group of the page before."""
    html = REFERENCE.read_text(encoding="utf-8")
    first_group = html.index('<div class="new_date">')
    continued = html[:first_group] + html[html.index("</div></div>", first_group) + 12 :]
    page = Selector(text=continued)
    alone = parse_listing(page, "https://deu.belta.by/all_news/page/2/")
    assert alone.entries[0].listed_at is None
    carried = parse_listing(
        page, "https://deu.belta.by/all_news/page/2/", day_group=("29", ".09.25")
    )
    assert to_iso(carried.entries[0].listed_at) == "2025-09-29T22:00:00+03:00"
    assert carried.day_group == ("27", ". 09.25")


# --- items of other kinds, and entries not taken ----------------------------------------


def test_photo_reports_and_infographics_are_entries_of_their_kind():
    inner = day_group("02", "07.20") + "".join(
        [
            item("/photonews/view/81-jahrestag-der-chatyn-tragodie-3192", "Chatyn", time="16:00"),
            item(
                "/infographica/view/tag-der-unabhangigkeitstag-der-republik-belarus-2195/",
                "Tag der Unabhängigkeit",
                time="15:35",
                rubric="infographica",
            ),
            item("/society/view/fotobericht-parade-in-minsk-49999-2020/", "FOTOBERICHT: Parade"),
        ]
    )
    page = parse(listing(inner))
    assert [(entry.key, entry.ref.kind.value) for entry in page.entries] == [
        ("photonews-3192", "photo_report"),
        ("infographica-2195", "infographic"),
        ("49999-2020", "article"),
    ]
    assert to_iso(page.entries[1].listed_at) == "2020-07-02T15:35:00+03:00"
    assert page.not_taken == []


def test_every_entry_not_taken_is_kept_with_its_reason():
    """Nothing a listing offers disappears without a reason."""
    video = (
        '<div class="news_item lenta_item"><div class="date">11:00</div>'
        '<a href="/video/getRecord/4711/"><span class="lenta_item_title">Video</span></a></div>'
    )
    bare = (
        '<div class="news_item lenta_item"><div class="date">10:00 <a class="date_rubric"'
        ' href="https://deu.belta.by/society/">Gesellschaft</a></div>'
        '<span class="lenta_item_title">Ohne Link</span></div>'
    )
    inner = day_group("28", "09.25") + "".join(
        [
            item("/economics/view/turtschin-77000-2025/", "Turtschin"),
            video,
            bare,
            item("/economics/view/ohne-nummer/", "Ohne Nummer"),
            item("https://eng.belta.by/economics/view/x-1-2025/", "English"),
        ]
    )
    page = parse(listing(inner))
    assert [entry.key for entry in page.entries] == ["77000-2025"]
    assert [(p.reason, p.href, p.title) for p in page.not_taken] == [
        ("forbidden", "/video/getRecord/4711/", "Video"),
        ("no_link", "", "Ohne Link"),
        ("unknown_url", "/economics/view/ohne-nummer/", "Ohne Nummer"),
        ("other_site", "https://eng.belta.by/economics/view/x-1-2025/", "English"),
    ]


def test_entries_not_taken_are_counted_and_logged(caplog):
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from beltacrawl.parsing.listing import NotTaken, report_not_taken

    stats = MemoryStatsCollector(get_crawler())
    logger = logging.getLogger("test-listing")
    passed = [
        NotTaken("unknown_url", "/economics/view/ohne-nummer/", "Ohne Nummer"),
        NotTaken("unknown_url", "/sport/view/x/", None),
        NotTaken("no_link", "", "Ohne Link"),
    ]
    with caplog.at_level(logging.INFO, logger="test-listing"):
        report_not_taken(passed, "listing all_news page 3", stats, logger)
    assert stats.get_value("belta/listing/not_taken/unknown_url") == 2
    assert stats.get_value("belta/listing/not_taken/no_link") == 1
    assert [record.levelname for record in caplog.records] == ["WARNING"] * 3
    assert "listing all_news page 3: entry not taken (no_link)" in caplog.records[2].getMessage()
    assert "/economics/view/ohne-nummer/" in caplog.records[0].getMessage()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="test-listing"):
        report_not_taken([NotTaken("forbidden", "/video/getRecord/1/", "V")], "x", stats, logger)
    assert [record.levelname for record in caplog.records] == ["INFO"]


def test_day_groups_beyond_the_entry_limit_still_date_the_next_page():
    """The entries beyond the limit are not read, but the next page continues the day
    of the page's last day group, read or not."""
    inner = (
        day_group("28", "09.2025")
        + item("/society/view/eins-1-2025/", "Eins")
        + item("/society/view/zwei-2-2025/", "Zwei")
        + day_group("27", "09.2025")
        + item("/society/view/drei-3-2025/", "Drei")
    )
    page = parse_listing(Selector(text=listing(inner)), PAGE_URL, limit=1)
    assert [entry.key for entry in page.entries] == ["1-2025"]
    assert page.cut == 2
    whole = parse(listing(inner))
    assert page.day_group == whole.day_group and whole.day_group[0] == "27"


def test_the_fallback_counts_each_link_beyond_the_limit_once():
    links = "".join(
        f'<a href="/economics/view/a-{n}-2025/">A{n}</a><a href="/economics/view/a-{n}-2025/">'
        f"Bild {n}</a>"
        for n in range(1, 6)
    )
    page = parse_listing(Selector(text=listing(f"<ul>{links}</ul>")), PAGE_URL, limit=2)
    assert [entry.key for entry in page.entries] == ["1-2025", "2-2025"]
    assert page.cut == 3
