"""Text helpers shared by the site's readers and the parsers.

>>> normalise_space("  28\\xa0Oktober\\n 2022, 09:38 ")
'28 Oktober 2022, 09:38'
"""

from __future__ import annotations

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


def text_of(selected: _Selectable) -> str | None:
    """Text of a parsel ``Selector`` or of every element of a ``SelectorList``: text nodes
    joined by a space, whitespace-normalised; ``None`` when there is none.

    >>> from parsel import Selector
    >>> page = Selector(text="<p>Eins <b>zwei</b></p>")
    >>> text_of(page.css("p")), text_of(page.css("i"))
    ('Eins zwei', None)
    """
    return normalise_space(" ".join(selected.xpath(".//text()").getall())) or None
