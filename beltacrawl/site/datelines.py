"""Datelines: ``MINSK, 28. Oktober (BelTA) -`` at the start of an article's first paragraph.

>>> d = find_dateline("MINSK, 28. Oktober (BelTA) - Belarus und Kasachstan ...")
>>> d.place, d.day, d.month, d.raw, d.rest
('MINSK', 28, 10, 'MINSK, 28. Oktober (BelTA) -', 'Belarus und Kasachstan ...')
>>> find_dateline(" ST. PETERSBURG; 05. Januar (BelTA) –Am Montag").place
'ST. PETERSBURG'
>>> find_dateline("Archivfoto MINSK, 14. Oktober (BelTA) — Der Export").prefix
'Archivfoto'
>>> find_dateline("In Belarus wird heute an die Opfer erinnert.") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from beltacrawl.site.dates import month_number
from beltacrawl.site.deu import DEU_BELTA
from beltacrawl.site.text import normalise_space

if TYPE_CHECKING:
    from beltacrawl.site.profile import SiteProfile


@cache
def dateline_pattern(agency: str) -> re.Pattern[str]:
    """Upper-case city, one or more words (``ST. PETERSBURG``, ``NUR-SULTAN``), then ``,``
    or ``;``, the day with or without its dot, the month name, the agency in brackets
    (``(BelTA)``) and a dash of any kind, with or without spaces around it."""
    return re.compile(
        r"(?<![\w’'.-])(?P<place>[A-ZÄÖÜ][A-ZÄÖÜ'’.\-]*(?:\s+[A-ZÄÖÜ][A-ZÄÖÜ'’.\-]*)*)"
        r"\s*[,;]\s*(?P<day>\d{1,2})\.?\s*(?P<month>[A-Za-zÄäÖöÜü]{3,9})\.?"
        rf"\s*\(\s*{re.escape(agency)}\s*\)\s*(?:[-–—]+\s*)?"
    )


#: A dateline may follow a short caption (``Archivfoto``) in the same text block.
MAX_PREFIX_CHARS = 160


@dataclass(frozen=True, slots=True)
class Dateline:
    place: str
    day: int
    month: int
    raw: str
    """The dateline as published, whitespace-normalised."""
    prefix: str
    """Text before the dateline in the same block (a caption), usually empty."""
    rest: str
    """The paragraph's text after the dateline."""


def find_dateline(text: str, profile: SiteProfile = DEU_BELTA) -> Dateline | None:
    """The dateline at (or near) the start of ``text``, or ``None``."""
    match = dateline_pattern(profile.dateline_agency).search(text, 0, MAX_PREFIX_CHARS + 60)
    if match is None or match.start() > MAX_PREFIX_CHARS:
        return None
    month = month_number(match["month"], profile)
    day = int(match["day"])
    if month is None or not 1 <= day <= 31:
        return None
    return Dateline(
        place=normalise_space(match["place"]),
        day=day,
        month=month,
        raw=normalise_space(match.group(0)),
        prefix=normalise_space(text[: match.start()]),
        rest=text[match.end() :].strip(),
    )
