"""Text helpers shared by the site's readers and the parsers.

>>> normalise_space("  28\\xa0Oktober\\n 2022, 09:38 ")
'28 Oktober 2022, 09:38'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from parsel import Selector, SelectorList


def normalise_space(text: str) -> str:
    """Collapse every run of whitespace (``&nbsp;`` included) into one space, trimmed.

    ``str.split()`` splits on exactly the characters of ``re``'s ``\\s``.
    """
    return " ".join(text.split())


class _Selectable(Protocol):
    def xpath(self, query: str) -> SelectorList[Selector]: ...


#: Text nodes that a reader sees: not the source of scripts or styles (also under a
#: namespace prefix, ``<html:script>``).
_VISIBLE_TEXT = (
    ".//text()[not(ancestor::*[local-name() = 'script' or local-name() = 'style'"
    " or substring-after(name(), ':') = 'script' or substring-after(name(), ':') = 'style'])]"
)


def text_of(selected: _Selectable) -> str | None:
    """Visible text of a parsel ``Selector`` or of every element of a ``SelectorList``:
    text nodes (not scripts or styles) joined by a space, without control characters,
    whitespace-normalised; ``None`` when there is none.

    >>> from parsel import Selector
    >>> page = Selector(text="<p>Eins <b>zwei</b><script>drei()</script></p>")
    >>> text_of(page.css("p")), text_of(page.css("i"))
    ('Eins zwei', None)
    """
    text = " ".join(selected.xpath(_VISIBLE_TEXT).getall())
    return normalise_space(without_controls(text)) or None


#: C0 and C1 control characters and DEL (Unicode category Cc) but tab, newline and
#: carriage return, as the inside of a regular expression's character class: a terminal
#: acts on them (ESC starts a command sequence), and no article text needs them. The one
#: set of controls: the loader removes them, ``scrapy archive`` escapes them, the body's
#: parser drops them before lxml sees the text.
CONTROL_CHARACTERS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_CONTROLS = re.compile(f"[{CONTROL_CHARACTERS}]")


def without_controls(text: str) -> str:
    r"""The text without control characters; tabs and line breaks are kept.

    >>> without_controls("Titel\x1b]0;pwned\x07 mit\x9b Steuerzeichen\nZeile 2")
    'Titel]0;pwned mit Steuerzeichen\nZeile 2'
    """
    return _CONTROLS.sub("", text)


def _misread_forms() -> list[str]:
    """German letters and typography encoded as UTF-8, then read as windows-1252 or
    windows-1251: ``ä`` → ``Ã¤``, ``ß`` → ``Гџ``, ``„`` → ``â€ž``."""
    forms = set()
    for char in "äöüÄÖÜß„“”‚‘’–—…€éèàç«»":
        for encoding in ("cp1252", "cp1251"):
            try:
                forms.add(char.encode("utf-8").decode(encoding))
            except UnicodeDecodeError:
                continue
    return sorted(forms, key=len, reverse=True)


#: Signs of text decoded in the wrong encoding: replacement characters, UTF-8 read as
#: windows-1252/1251, and windows-1252 read as windows-1251 (a Latin letter next to a
#: Cyrillic one inside a word, ``Prдsident``).
_GARBLED = re.compile(
    "\ufffd|"
    + "|".join(map(re.escape, _misread_forms()))
    + r"|[A-Za-zäöüß][\u0400-\u04ff]|[\u0400-\u04ff][a-zäöüß]"
)


def garbled(text: str | None) -> str | None:
    r"""The first sign that ``text`` was decoded wrongly, with a little context, or ``None``.

    >>> garbled("Präsident in Größe"), garbled("PrÃ¤sident"), garbled("GrГ¶Гџe")
    (None, 'PrÃ¤sident', 'GrГ¶Гџe')
    >>> garbled("Prдsident in GrцЯe"), garbled("ein \ufffd Zeichen")
    ('Prдsident in ', 'ein \ufffd Zeichen')
    """
    found = _GARBLED.search(text or "")
    if found is None:
        return None
    assert text is not None
    return text[max(0, found.start() - 10) : found.end() + 10]
