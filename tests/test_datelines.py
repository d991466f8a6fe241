"""Datelines at the start of an article's first paragraph (``beltacrawl.site.datelines``)."""

from __future__ import annotations

import pytest

from beltacrawl.site.datelines import find_dateline

# (text, place, day, month, raw, prefix, rest): every variant docs/site.md lists.
CASES = [
    pytest.param(
        "MINSK, 28. Oktober (BelTA) - Belarus und Kasachstan sollten",
        "MINSK", 28, 10, "MINSK, 28. Oktober (BelTA) -", "", "Belarus und Kasachstan sollten",
        id="hyphen",
    ),
    pytest.param(
        "MINSK, 23. Juli (BelTA) – Die Gehörlosen Leichtathletik Weltmeisterschaften",
        "MINSK", 23, 7, "MINSK, 23. Juli (BelTA) –", "",
        "Die Gehörlosen Leichtathletik Weltmeisterschaften",
        id="en-dash",
    ),
    pytest.param(
        "MINSK, 6. Dezember (BelTA) — Der Vizeaußenminister",
        "MINSK", 6, 12, "MINSK, 6. Dezember (BelTA) —", "", "Der Vizeaußenminister",
        id="em-dash",
    ),
    pytest.param(
        "MINSK, 19. April (BelTA) -Am 19. April findet",
        "MINSK", 19, 4, "MINSK, 19. April (BelTA) -", "", "Am 19. April findet",
        id="no-space-after-dash",
    ),
    pytest.param(
        "MINSK; 26. Januar (BelTA) - Die Belarussen haben",
        "MINSK", 26, 1, "MINSK; 26. Januar (BelTA) -", "", "Die Belarussen haben",
        id="semicolon",
    ),
    pytest.param(
        "MINSK, 05. Januar (BelTA) - Am Montag",
        "MINSK", 5, 1, "MINSK, 05. Januar (BelTA) -", "", "Am Montag",
        id="zero-padded-day",
    ),
    pytest.param(
        " MINSK, 5. Januar (BelTA) - Am Montag",
        "MINSK", 5, 1, "MINSK, 5. Januar (BelTA) -", "", "Am Montag",
        id="leading-space",
    ),
    pytest.param(
        "\xa0MINSK,\xa028.\xa0Oktober (BelTA)\xa0– Am Montag",
        "MINSK", 28, 10, "MINSK, 28. Oktober (BelTA) –", "", "Am Montag",
        id="nbsp",
    ),
    pytest.param(
        "ST. PETERSBURG, 17. Juli (BelTA) - Der Präsident",
        "ST. PETERSBURG", 17, 7, "ST. PETERSBURG, 17. Juli (BelTA) -", "", "Der Präsident",
        id="multi-word-city",
    ),
    pytest.param(
        "MOSKAU, 2. Juli (BelTA) - Belarus und Russland",
        "MOSKAU", 2, 7, "MOSKAU, 2. Juli (BelTA) -", "", "Belarus und Russland",
        id="moskau",
    ),
    pytest.param(
        "BREST, 22. Juni (BelTA) – Am Tag der Erinnerung",
        "BREST", 22, 6, "BREST, 22. Juni (BelTA) –", "", "Am Tag der Erinnerung",
        id="brest",
    ),
    pytest.param(
        "SOLIGORSK, 1. Mai (BelTA) - Die Bergleute",
        "SOLIGORSK", 1, 5, "SOLIGORSK, 1. Mai (BelTA) -", "", "Die Bergleute",
        id="soligorsk",
    ),
    pytest.param(
        "NUR-SULTAN, 3. März (BelTA) - Die Seiten",
        "NUR-SULTAN", 3, 3, "NUR-SULTAN, 3. März (BelTA) -", "", "Die Seiten",
        id="hyphenated-city",
    ),
    pytest.param(
        "Archivfoto MINSK, 14. Oktober (BelTA) – Der Export",
        "MINSK", 14, 10, "MINSK, 14. Oktober (BelTA) –", "Archivfoto", "Der Export",
        id="caption-before",
    ),
    pytest.param(
        "Dmitri Krutoi. Archivfoto MOSKAU, 2. Juli (BelTA) - Belarus",
        "MOSKAU", 2, 7, "MOSKAU, 2. Juli (BelTA) -", "Dmitri Krutoi. Archivfoto", "Belarus",
        id="long-caption-before",
    ),
    pytest.param(
        "MINSK, 3. Maerz (BelTA) - Die Seiten",
        "MINSK", 3, 3, "MINSK, 3. Maerz (BelTA) -", "", "Die Seiten",
        id="maerz",
    ),
    pytest.param(
        "MINSK, 3. Okt. (BelTA) - Die Seiten",
        "MINSK", 3, 10, "MINSK, 3. Okt. (BelTA) -", "", "Die Seiten",
        id="abbreviated-month",
    ),
    pytest.param(
        "MINSK, 28 Oktober (BelTA) - Die Seiten",
        "MINSK", 28, 10, "MINSK, 28 Oktober (BelTA) -", "", "Die Seiten",
        id="day-without-dot",
    ),
    pytest.param(
        "MINSK, 28. Oktober (BelTA) -",
        "MINSK", 28, 10, "MINSK, 28. Oktober (BelTA) -", "", "",
        id="dateline-only",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "place", "day", "month", "raw", "prefix", "rest"), CASES)
def test_find_dateline(text, place, day, month, raw, prefix, rest):
    dateline = find_dateline(text)
    assert dateline is not None
    assert dateline.place == place
    assert dateline.day == day
    assert dateline.month == month
    assert dateline.raw == raw
    assert dateline.prefix == prefix
    assert dateline.rest == rest


@pytest.mark.parametrize(
    "text",
    [
        "In Belarus wird heute an die Opfer des NS-Massakers von Chatyn erinnert.",
        "Premierminister Roman Golowtschenko",
        "",
        "Minsk, 28. Oktober (BelTA) - lower-case city",
        "MINSK, 28. Oktober - without the agency",
        "MINSK, 32. Oktober (BelTA) - impossible day",
        "MINSK, 3. Foobar (BelTA) - not a month",
        # A dateline far into a paragraph is text, not a dateline.
        "Der Präsident sagte am Montag vor Journalisten in der Hauptstadt, dass die "
        "Zusammenarbeit mit den Nachbarländern in allen Bereichen weiter ausgebaut werde, "
        "und erinnerte an die Meldung MINSK, 28. Oktober (BelTA) - aus dem Vorjahr.",
    ],
)
def test_no_dateline(text):
    assert find_dateline(text) is None


def test_caption_ending_in_capitals_is_not_part_of_the_place():
    dateline = find_dateline("Foto: BelTA MINSK, 14. Oktober (BelTA) – Der Export")
    assert dateline is not None
    assert dateline.place == "MINSK"
    assert dateline.prefix == "Foto: BelTA"
