"""The site's selectors (:mod:`beltacrawl.site`), compiled once and applied to lxml elements.

parsel caches the CSS → XPath translation but lxml compiles the XPath again on every
call, which took about a third of an article page's parsing time; here each selector is
compiled on first use and kept. Queries are CSS, with parsel's ``::text`` and
``::attr(name)``, or XPath when they start with ``./``, ``/`` or ``(``.

>>> from lxml import html
>>> root = html.fromstring(
...     '<div class="a b"><p>Eins <b>zwei</b></p><meta property="x" content="c"></div>'
... )
>>> [element.tag for element in select(root, "div.b p")], select(root, ".b > p")[0].tag
(['p'], 'p')
>>> text(root), text(select(root, "meta")[0])
('Eins zwei', None)
>>> first(root, 'meta[property="x"]::attr(content)'), first(root, "span::text")
('c', None)
"""

from __future__ import annotations

from functools import cache
from typing import Any

from lxml import etree
from parsel.csstranslator import css2xpath

from beltacrawl.dates import normalise_space

_TEXT = etree.XPath(".//text()", smart_strings=False)


@cache
def compiled(query: str) -> etree.XPath:
    """The query compiled into an XPath object (results are plain ``str``, not smart)."""
    xpath = query if query.startswith(("./", "/", "(")) else css2xpath(query)
    return etree.XPath(xpath, smart_strings=False)


def select(element: Any, query: str) -> list[Any]:
    """Elements (or strings, for ``::text``, ``::attr()``, ``text()``) matching the query."""
    return compiled(query)(element)


def first(element: Any, query: str) -> Any:
    """The first match of the query, or ``None``."""
    found = compiled(query)(element)
    return found[0] if found else None


def text(element: Any) -> str | None:
    """The element's text content, text nodes joined by a space, whitespace-normalised."""
    return normalise_space(" ".join(_TEXT(element))) or None
