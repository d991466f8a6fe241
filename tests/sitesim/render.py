"""HTML of the replica's pages, after ``/work/shared/site/reference/*.html``.

Class names and nesting follow the reference markup; each article's ``variants`` choose
the documented quirks. Absolute links use the real origin (``https://deu.belta.by``), as
on the site: a crawler under test maps that host to the replica.
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape

from tests.sitesim.article import INCOMPLETE, ORIGIN, Article, Photo
from tests.sitesim.dates import date_full, header_date
from tests.sitesim.text import slugify

ROBOTS_TXT = (
    "User-agent: *\nDisallow: /printv\nDisallow: /*getResults*\nDisallow: /*extendedSearch*\n"
)


def _text(content: str) -> str:
    """Text content as the site writes it: ``<&>`` escaped, quotes left as they are."""
    return escape(content, quote=False)


def _header(today: datetime) -> str:
    """Top line with links a German crawl must not follow (other editions, search)."""
    return (
        '<div class="top_line">\n'
        '  <div class="top_menu"><a href="/projects/">Projekte</a>'
        '<a href="/gosorgany/">Staatsorgane</a>'
        '<a href="https://www.belta.by/">Русский</a>'
        '<a href="https://eng.belta.by/">English</a>'
        '<a href="/search/getResults/?q=x">Suche</a></div>\n'
        f'  <div class="date_today"><img src="/desimages/flag.png" alt="flag"> '
        f"{header_date(today)}</div>\n"
        "</div>\n"
    )


def _footer(path: str) -> str:
    return (
        '<div class="footer">'
        f'<a href="/printv{escape(path)}">Druckversion</a>'
        '<a href="https://eng.belta.by/">BelTA English</a>'
        '<a href="https://www.belta.by/">БелТА</a>'
        "</div>\n"
    )


def _document(title: str, head: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n{head}</head>\n<body>\n{body}</body>\n</html>\n"
    )


def filled_by_script(fills: dict[str, str]) -> str:
    """A ``<head>`` script that puts each markup into its (served empty) element once the
    document is parsed, as sites do that move content into JavaScript: the rendered DOM
    holds the plain page's markup, the served HTML does not.
    """
    lines = "".join(
        f"  document.querySelector({json.dumps(selector)})"
        f".insertAdjacentHTML('afterbegin', {json.dumps(markup, ensure_ascii=False)});\n"
        for selector, markup in fills.items()
    ).replace("</", "<\\/")  # no "</script>" inside the script
    return (
        "<script>\ndocument.addEventListener('DOMContentLoaded', function () {\n"
        f"{lines}}});\n</script>\n"
    )


def _article_href(article: Article) -> str:
    if "link_http" in article.variants:
        return f"http://deu.belta.by{article.path}"
    if "link_mobile" in article.variants:
        return f"https://m.deu.belta.by{article.path}"
    if "link_no_slash" in article.variants:
        return article.path.rstrip("/")
    return article.path


def _lead(article: Article) -> str:
    lead = _text(article.lead)
    if "lead_repeated" in article.variants:
        lead = f"<div>{lead}</div><div>{lead}</div>"
    if "lead_nested" in article.variants:
        lead = f"<div></div><div>{lead}</div>" if lead[0] != "<" else f"<div></div>{lead}"
    return lead


def _date_line(article: Article) -> str:
    return (
        f'<div class="date">{article.published_at:%H:%M} <a class="date_rubric" '
        f'href="{ORIGIN}/{article.rubric}/">{escape(article.rubric_label)}</a></div>'
    )


def _listing_item(article: Article) -> str:
    return (
        '      <div class="news_item lenta_item">\n'
        f"        {_date_line(article)}\n"
        f'        <a href="{escape(_article_href(article))}">\n'
        f'          <span class="lenta_item_title">{_text(article.title)}</span>\n'
        f'          <span class="lenta_textsmall">{_lead(article)}</span>\n'
        "        </a>\n"
        "      </div>\n"
    )


def _day_group(moment: datetime) -> str:
    return (
        f'      <div class="new_date"><div class="day">{moment:%d}</div>'
        f'<div class="month_year"><span>.</span>{moment:%m.%y}</div></div>\n'
    )


def listing_page(
    *,
    path: str,
    heading: str,
    articles: list[Article],
    today: datetime,
    next_href: str | None,
    next_style: str,
    scripted: bool = False,
) -> str:
    """A listing page; ``next_href`` is the next page's path without query, or None.

    ``scripted``: ``div#inner`` is served empty and filled by a script (see
    :func:`filled_by_script`).
    """
    items = []
    day = None
    for article in articles:
        if article.published_at.date() != day:
            day = article.published_at.date()
            items.append(_day_group(article.published_at))
        items.append(_listing_item(article))
    after = ""
    if next_href:
        query = f"?day={today:%d}&amp;month={today:%m}&amp;year={today:%y}"
        if next_style == "p_next":
            link = f'<a class="p_next" href="{next_href}{query}">Weiter</a>'
            after = f'    <div class="pages">{link}</div>\n'
        else:
            items.append(
                f'      <div class="load_more" onclick="return get_page('
                f"'{next_href}{query}/','inner','1');\">Mehr laden</div>\n"
            )
    inner = "\n" + "".join(items) + "    "
    body = (
        _header(today)
        + '<div class="main">\n  <div class="content_margin">\n'
        + f"    <h1>{escape(heading)}</h1>\n"
        + '    <div id="inner">'
        + ("" if scripted else inner)
        + "</div>\n"
        + after
        + "  </div>\n</div>\n"
        + _footer(path)
    )
    head = filled_by_script({"div#inner": inner}) if scripted else ""
    return _document(heading, head, body)


def _body_blocks(article: Article) -> list[tuple[bool, str]]:
    """The body's blocks in order as ``(is_text, content)``: text, or ready HTML."""
    variants = article.variants
    blocks: list[tuple[bool, str]] = []
    if "title_twice" in variants:
        # An infographic: its title again, then its image; no text, no caption shown.
        blocks.append((True, article.title))
        for photo in article.gallery:
            caption = escape(photo.caption)
            blocks.append((False, f'<img src="{photo.src}" alt="{caption}" title="{caption}">'))
        return blocks
    if "caption_in_body" in variants and article.image and article.image.caption:
        blocks.append((True, article.image.caption))
    paragraphs = [p for p in article.paragraphs if p != INCOMPLETE]
    texts = list(paragraphs)
    if article.dateline:
        texts[0] = article.dateline.text + article.dateline.gap + texts[0]
    photos_after: dict[int, list[Photo]] = {}
    for number, photo in enumerate(article.gallery):
        photos_after.setdefault(min(number, len(texts) - 1), []).append(photo)
    copies = 2 if "duplicated_paragraphs" in variants else 1
    for position, text in enumerate(texts):
        blocks.extend((True, text) for _ in range(copies))
        if position == 0 and "video_embed" in variants:
            embed = f"https://www.youtube.com/embed/{article.article_id}"
            blocks.append((False, f'<div class="video_add"><iframe src="{embed}"></iframe></div>'))
        for photo in photos_after.get(position, []):
            caption = escape(photo.caption)
            blocks.append((False, f'<img src="{photo.src}" alt="{caption}" title="{caption}">'))
            blocks.append((True, photo.caption))
            if "ru_captions" in variants:
                blocks.append((True, photo.russian))
    if article.credit:
        blocks.append((True, article.credit))
    if article.is_incomplete:
        blocks.append((True, INCOMPLETE))
    elif "end_marker" in variants:
        blocks.append((True, "-0-"))
    return blocks


def _body_html(article: Article) -> str:
    """The blocks as ``<p>``s, bare ``<div>``s or ``<br>``-separated text nodes."""
    parts = []
    for is_text, content in _body_blocks(article):
        if not is_text:
            wrapper = "div" if "body_div" in article.variants else "p"
            html = content if content.startswith("<div") else f"<{wrapper}>{content}</{wrapper}>"
            parts.append(f"        {html}\n")
        elif "body_p" in article.variants:
            parts.append(f"        <p>{_text(content)}</p>\n")
        elif "body_div" in article.variants:
            parts.append(f"        <div>\n          {_text(content)}\n        </div>\n")
        else:
            parts.append(f"        {_text(content)}<br>\n        <br>\n")
    return "".join(parts)


def _main_image(article: Article) -> str:
    if not article.image:
        return ""
    caption = escape(article.image.caption or "")
    desc = (
        f'\n        <div class="main_img_desc">{_text(article.image.caption)}</div>'
        if article.image.caption
        else ""
    )
    return (
        '      <div class="main_img">\n'
        f'        <img src="{article.image.src}" alt="{caption}" title="{caption}">{desc}\n'
        "      </div>\n"
    )


def _tags(article: Article) -> str:
    if not article.tags:
        return ""
    links = "".join(
        f'\n        <a class="tag_item" href="/tags/{slugify(tag)}/" title="{escape(tag)}">'
        f"{escape(tag)}</a>"
        for tag in article.tags
    )
    return f'      <div class="news_tags_block">{links}\n      </div>\n'


def _invite(article: Article) -> str:
    if "no_subscribe" in article.variants:
        return ""
    if "footer_x" in article.variants:
        link = '<a href="https://x.com/BeltaDeutsch">X</a>'
    else:
        link = '<a href="https://twitter.com/BeltaDeutsch">Twitter</a>'
    return f'      <div class="invite_in_messagers"><div>Abonnieren Sie uns auf</div>{link}</div>\n'


def _sidebar(latest: list[Article]) -> str:
    items = "".join(
        '    <div class="news_item lenta_item">\n'
        f"      {_date_line(article)}\n"
        f'      <a href="{article.path}"><span class="lenta_item_title">'
        f"{_text(article.title)}</span></a>\n"
        "    </div>\n"
        for article in latest
    )
    return (
        '  <div class="right_col">\n'
        '    <div class="lenta_title">Letzte Nachrichten aus Belarus</div>\n'
        f"{items}  </div>\n"
    )


def _meta(article: Article) -> str:
    image = (
        f'<meta property="og:image" content="{ORIGIN}{article.image.src}">\n'
        if article.image
        else ""
    )
    local = article.published_at.replace(tzinfo=None)
    return (
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{escape(article.title)}">\n'
        f'<meta property="og:url" content="{article.url}">\n'
        f"{image}"
        f'<meta property="article:published_time" content="{local:%Y-%m-%d %H:%M:%S}">\n'
        # Minsk local time mislabelled as UTC, as on the site.
        f'<meta name="mediator_published_time" content="{local:%Y-%m-%dT%H:%M:%S}+00:00">\n'
    )


def article_page(
    article: Article, *, today: datetime, latest: list[Article], scripted: bool = False
) -> str:
    """An article page; ``scripted``: its body (``div.js-mediator-article``) is served empty
    and filled by a script (see :func:`filled_by_script`)."""
    variants = article.variants
    text = "\n" + _body_html(article) + "      "
    itemprop = ' itemprop="articleBody"' if "itemprop" in variants else ""
    h1_space = "  " if "h1_leading_space" in variants else ""
    nbsp = "date_nbsp" in variants
    body = (
        _header(today)
        + '<div class="main">\n  <div class="content_margin">\n'
        + f'    <div class="breadcrumbs"><a href="{ORIGIN}/all_news/">Alle Nachrichten</a></div>\n'
        + f'    <a href="{ORIGIN}/{article.rubric}/">{escape(article.rubric_label)}</a>\n'
        + f'    <div class="date_full">{date_full(article.published_at, nbsp=nbsp)}</div>\n'
        + f"    <h1>{h1_space}{_text(article.title)}</h1>\n"
        + '    <div class="inner_content">\n'
        + _main_image(article)
        + f'      <div class="js-mediator-article"{itemprop}>'
        + ("" if scripted else text)
        + "</div>\n"
        + _tags(article)
        + _invite(article)
        + '      <div class="clear"></div>\n'
        + "    </div>\n  </div>\n"
        + _sidebar(latest)
        + "</div>\n"
        + _footer(article.path)
    )
    script = filled_by_script({"div.js-mediator-article": text}) if scripted else ""
    return _document(article.title, _meta(article) + script, body)


def not_found_page(today: datetime) -> str:
    body = _header(today) + '<div class="main"><h1>Seite nicht gefunden</h1></div>\n'
    return _document("404", "", body)
