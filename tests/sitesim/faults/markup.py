"""The markup rewrites of the layout faults: each takes the HTML of a normal 200 page (as
tests/sitesim/render.py writes it), the rule's params and a seeded random, and returns the
altered HTML."""

from __future__ import annotations

import random
import re
from typing import Any

from tests.sitesim import hostile
from tests.sitesim.render import filled_by_script

_DAY_GROUP = re.compile(r'^[ \t]*<div class="new_date">.*\n', re.MULTILINE)
_ENTRY = re.compile(
    r'^(?P<indent>[ \t]*)<div class="news_item lenta_item">\n.*?^(?P=indent)</div>\n',
    re.MULTILINE | re.DOTALL,
)
_LEAD = re.compile(r'\s*<span class="lenta_textsmall">.*?</span>', re.DOTALL)
_NEXT_LINK = re.compile(
    r'^[ \t]*<div class="(?:load_more|pages)"[^>]*>.*?</div>\n', re.MULTILINE | re.DOTALL
)
_BODY_CONTAINER = re.compile(
    r'^(?P<indent>[ \t]*)<div class="js-mediator-article"[^>]*>\n.*?^(?P=indent)</div>\n',
    re.MULTILINE | re.DOTALL,
)
_DATE_FULL = re.compile(r'(<div class="date_full">).*?(</div>)')
_DATE_META = re.compile(r'^<meta [^>]*published_time"[^>]*>\n', re.MULTILINE)
_BODY_CONTAINER_OPEN = re.compile(r'<div class="js-mediator-article"[^>]*>')
_VIEW_HREF = re.compile(r'\bhref="([^"]*/view/[^"]*)"')
_RENAMES = (
    ('id="inner"', 'id="feed"'),
    ('class="news_item lenta_item"', 'class="feed-card"'),
    ('class="new_date"', 'class="feed-day"'),
    ('class="day"', 'class="feed-day__d"'),
    ('class="month_year"', 'class="feed-day__my"'),
    ('class="date"', 'class="feed-card__time"'),
    ('class="date_rubric"', 'class="feed-card__rubric"'),
    ('class="lenta_item_title"', 'class="feed-card__title"'),
    ('class="lenta_textsmall"', 'class="feed-card__lead"'),
    ('class="load_more"', 'class="feed-more"'),
    ('class="p_next"', 'class="feed-next"'),
)

#: Control characters, none of them whitespace: removed, they leave the text as it was.
CONTROL_CHARS = "\x1b\x07\x00\x7f\x9b"
_FIRST_WORD = re.compile(r"(<h1>\s*\w)")
#: The end of the first text block of the body (past the dateline).
_FIRST_BLOCK_END = re.compile(
    r'(<div class="js-mediator-article"[^>]*>.*?)(</p>|<br>|\n\s*</div>)', re.DOTALL
)

#: Markup that must leave no trace in the record (tests/test_reliability.py looks for it).
HOSTILE_BODY = (
    '<html:script>alert("html:script")</html:script>'
    '<applet code="Evil.class"><param name="x" value="y">applet fallback</applet>'
    '<frameset><frame src="javascript:alert(1)"></frameset>'
)
HOSTILE_TITLE = '<script>document.title = "script in h1"</script>'


# --- listing pages ----------------------------------------------------------------------


def no_day_groups(html: str, params: dict[str, Any], rng: random.Random) -> str:
    return _DAY_GROUP.sub("", html)


def shuffled_entries(html: str, params: dict[str, Any], rng: random.Random) -> str:
    entries = [match.group(0) for match in _ENTRY.finditer(html)]
    order = entries[:]
    rng.shuffle(order)
    if len(order) > 1 and order == entries:
        order = order[1:] + order[:1]
    placed = iter(order)
    return _ENTRY.sub(lambda _: next(placed), html)


def no_lead(html: str, params: dict[str, Any], rng: random.Random) -> str:
    return _LEAD.sub("", html)


def no_load_more(html: str, params: dict[str, Any], rng: random.Random) -> str:
    return _NEXT_LINK.sub("", html)


def layout_changed(html: str, params: dict[str, Any], rng: random.Random) -> str:
    for old, new in _RENAMES:
        html = html.replace(old, new)
    return html if params["keep_links"] else _VIEW_HREF.sub(r'data-href="\1"', html)


def whitespace_links(html: str, params: dict[str, Any], rng: random.Random) -> str:
    return hostile.spaced_hrefs(html)


def huge_listing(html: str, params: dict[str, Any], rng: random.Random) -> str:
    return hostile.with_filler(html, params["links"])


# --- article pages ----------------------------------------------------------------------


def no_body_container(html: str, params: dict[str, Any], rng: random.Random) -> str:
    if params["keep_text"]:
        return _BODY_CONTAINER_OPEN.sub('<div class="article-text">', html)
    return _BODY_CONTAINER.sub("", html)


def body_by_script(html: str, params: dict[str, Any], rng: random.Random) -> str:
    match = _BODY_CONTAINER.search(html)
    if match is None:
        return html
    block = match.group(0)
    opening = _BODY_CONTAINER_OPEN.search(block)
    assert opening is not None
    inner = block[opening.end() : block.rindex("</div>")]
    emptied = block[: opening.end()] + block[block.rindex("</div>") :]
    html = html[: match.start()] + emptied + html[match.end() :]
    script = filled_by_script({"div.js-mediator-article": inner})
    return html.replace("</head>", script + "</head>", 1)


def date_changed(html: str, params: dict[str, Any], rng: random.Random) -> str:
    html = _DATE_META.sub("", html)
    return _DATE_FULL.sub(lambda m: m[1] + params["shown"] + m[2], html)


def javascript_refresh(html: str, params: dict[str, Any], rng: random.Random) -> str:
    return hostile.with_refresh(html, "javascript:void(0)")


def control_chars(html: str, params: dict[str, Any], rng: random.Random) -> str:
    html = _FIRST_WORD.sub(lambda m: m[1] + CONTROL_CHARS, html, count=1)
    return _FIRST_BLOCK_END.sub(lambda m: m[1] + CONTROL_CHARS + m[2], html, count=1)


def hostile_markup(html: str, params: dict[str, Any], rng: random.Random) -> str:
    html = html.replace("<h1>", "<h1>" + HOSTILE_TITLE, 1)
    return _BODY_CONTAINER_OPEN.sub(lambda m: m[0] + HOSTILE_BODY, html, count=1)
