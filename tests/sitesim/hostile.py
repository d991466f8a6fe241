"""Hostile pages for the replica's fault plan (tests/sitesim/faults/): what a page does
to its links and its head, as plain functions of the page's HTML.

Kept apart from faults/, which wires them into fault kinds: ``whitespace_links``,
``long_link``, ``huge_listing`` and ``javascript_refresh``.

>>> spaced_hrefs('<a href="/economics/view/krutoi-66060-2024/">')
'<a href="/economics/view/\\tkrutoi\\n-66060-2024/">'
>>> is_filler("/society/view/sitesim-filler-17-2099/"), is_filler("/society/view/a-1-2024/")
(True, False)
"""

from __future__ import annotations

import random
import re

#: Listing links to articles, as tests/sitesim/render.py writes them (absolute or not).
_VIEW_HREF = re.compile(r'\bhref="(?P<href>[^"]*/view/[^"]*)"')
#: The parts of an article link around its slug.
_ARTICLE_LINK = re.compile(r"(?P<head>.*/view/)(?P<slug>.*)(?P<key>-\d+-\d{4}/?)$")
#: Filler links of a huge listing point to articles that do not exist, in a year the site
#: has not reached: the plan answers them with a 404 of its own (a fault, so they count).
FILLER_SLUG = "sitesim-filler"
_FILLER = re.compile(rf"/view/{FILLER_SLUG}-\d+-2099/?$")
_LAST_ENTRY_END = re.compile(r'<div class="news_item lenta_item">\n.*?\n      </div>\n', re.DOTALL)


def spaced_hrefs(html: str) -> str:
    """Every article link with a tab after ``/view/`` and a newline before its key, as
    a CMS editor's paste can leave them: browsers drop both (the URL living standard)."""

    def space(match: re.Match[str]) -> str:
        link = _ARTICLE_LINK.match(match["href"])
        if link is None:
            return match[0]
        return f'href="{link["head"]}\t{link["slug"]}\n{link["key"]}"'

    return _VIEW_HREF.sub(space, html)


def long_link(html: str, rng: random.Random, length: int) -> tuple[str, str | None]:
    """One article link (chosen by ``rng``) with a slug of ``length`` characters, and the
    key of that article (``None`` when the page links none)."""
    links = [m for m in _VIEW_HREF.finditer(html) if _ARTICLE_LINK.match(m["href"])]
    if not links:
        return html, None
    chosen = rng.choice(links)
    parts = _ARTICLE_LINK.match(chosen["href"])
    assert parts is not None
    href = parts["head"] + "x" * length + parts["key"]
    return html[: chosen.start()] + f'href="{href}"' + html[chosen.end() :], parts["key"].strip(
        "-/"
    )


def with_filler(html: str, links: int) -> str:
    """The listing with ``links`` more entries after its own, each linking to an article
    that does not exist (:func:`is_filler`)."""
    ends = [match.end() for match in _LAST_ENTRY_END.finditer(html)]
    if not ends:
        return html
    filler = "".join(
        f'<div class="news_item lenta_item"><a href="/society/view/{FILLER_SLUG}-{n}-2099/">'
        f"x</a></div>\n"
        for n in range(1, links + 1)
    )
    return html[: ends[-1]] + filler + html[ends[-1] :]


def is_filler(path: str) -> bool:
    """A link of :func:`with_filler`."""
    return _FILLER.search(path) is not None


def with_refresh(html: str, url: str) -> str:
    """The page with a ``<meta http-equiv="refresh">`` to ``url`` at the top of its head."""
    return html.replace("<head>", f'<head>\n<meta http-equiv="refresh" content="0; url={url}">', 1)
