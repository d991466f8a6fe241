"""Everything that describes deu.belta.by: hosts, rubrics, selectors, markers.

A layout change on the site should be one edit here. Tags in comments repeat how sure
the evidence is (see SITE.md): [seen] on the German site, [sister] on a sister edition.
"""

from __future__ import annotations

import re

CANONICAL_HOST = "deu.belta.by"
CANONICAL_ORIGIN = f"https://{CANONICAL_HOST}"
#: Hosts that serve the German edition's paths [seen].
GERMAN_HOSTS = frozenset({CANONICAL_HOST, f"m.{CANONICAL_HOST}", f"www.{CANONICAL_HOST}"})

#: Rubric slugs seen on the German edition with their labels [seen]. Not a closed list:
#: the site may add rubrics, which are then read from the page.
RUBRIC_LABELS: dict[str, str] = {
    "president": "Präsident",
    "politics": "Politik",
    "economics": "Wirtschaft",
    "society": "Gesellschaft",
    "sport": "Sport",
    "fotoreportage": "Fotoreportage",
}
ALL_NEWS = "all_news"

#: Path prefixes that must never be requested (robots.txt of sister editions, video
#: records that are not articles) [sister].
FORBIDDEN_PATH_PREFIXES = ("/printv", "/search", "/video/")
FORBIDDEN_URL_PARTS = ("getresults", "extendedsearch")

# --- listing pages [sister markup, German text order seen] -----------------------------
LISTING_CONTAINER = "div#inner"
LISTING_NODES_XPATH = (
    ".//div[contains(concat(' ', normalize-space(@class), ' '), ' new_date ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' lenta_item ')]"
)
LISTING_DAY = "div.day::text"
LISTING_MONTH_YEAR = "div.month_year"
LISTING_TIME = "div.date::text"
LISTING_RUBRIC_LINK = "a.date_rubric"
LISTING_ARTICLE_LINK = 'a[href*="/view/"]'
LISTING_TITLE = "span.lenta_item_title"
LISTING_LEAD = "span.lenta_textsmall"
LISTING_LOAD_MORE = "div.load_more::attr(onclick)"
LISTING_NEXT_LINK = "a.p_next::attr(href)"

# --- article pages [sister markup, German text order seen] -----------------------------
#: The content column: breadcrumb, rubric, date, title, image, body and tags; the header
#: and the sidebar of other articles lie outside it.
ARTICLE_COLUMN = "div.content_margin"
ARTICLE_TITLE = ".content_margin > h1"
ARTICLE_TITLE_META = 'meta[property="og:title"]::attr(content)'
ARTICLE_RUBRIC_LINK = ".content_margin > a"
#: The two above as seen from the column (ARTICLE_COLUMN) itself: its children.
ARTICLE_TITLE_IN_COLUMN = "./h1"
ARTICLE_RUBRIC_LINK_IN_COLUMN = "./a"
ARTICLE_DATE = "div.date_full"
ARTICLE_DATE_META = 'meta[property="article:published_time"]::attr(content)'
ARTICLE_IMAGE_META = 'meta[property="og:image"]::attr(content)'
ARTICLE_BODY_CANDIDATES = (
    "div.js-mediator-article",
    '[itemprop="articleBody"]',
    "div.inner_content",
)
ARTICLE_MAIN_IMAGE = "div.main_img img"
ARTICLE_MAIN_IMAGE_CAPTION = "div.main_img_desc"
#: The block of tag links (empty on articles without tags) and its links.
ARTICLE_TAGS_BLOCK = "div.news_tags_block"
ARTICLE_TAG_LINK = "a"
#: Old template (before ~2019), e.g. ``Wirtschaft 25.09.2017 | 14:27`` [seen]: text of
#: the column (ARTICLE_COLUMN) outside the body, the title and the sidebar.
ARTICLE_OLD_DATE_TEXT = (
    ".//text()[not(ancestor::div[contains(@class, 'inner_content')])"
    " and not(ancestor::h1) and not(ancestor::div[contains(@class, 'right_col')])]"
)

#: Classes of elements inside the body container that are not article text.
BODY_DROP_CLASSES = frozenset(
    {
        "video_add",
        "main_img",
        "main_img_desc",
        "twitter-tweet",
        "instagram-media",
        "telegram-post",
        "gallery",
        "photo_gallery",
        "news_photo",
    }
)
#: Classes where the article text ends [sister].
BODY_END_CLASSES = frozenset({"invite_in_messagers", "news_tags_block", "clear"})
BODY_DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "img",
        "figure",
        "figcaption",
        "form",
        "button",
        "svg",
        "picture",
        "source",
        "template",
        # Never text; in a body they could only redirect (meta refresh) or rebase links.
        "meta",
        "link",
        "base",
    }
)

#: Body markers [seen].
#: ``/Wird ergänzt/.`` ending the text: the article will be completed later.
INCOMPLETE_MARKER = re.compile(r"/\s*Wird\s+ergänzt\s*/?\W*$", re.IGNORECASE)
WIRE_END_MARKER = "-0-"
#: ``Foto: BelTA``, ``Fotos: Pressedienst``, ``Foto von Alexej Iwanow``: a short credit line,
#: not a sentence that happens to start with "Fotos von".
PHOTO_CREDIT = re.compile(
    r"^(?:Fotos?\s*[:–—-]\s*.{0,120}|Fotos?\s+(?:von|aus)\s+\S+(?:\s+\S+){0,4}\.?)$"
)
