"""The German edition, deu.belta.by, as a profile of BelTA's CMS (``DEU_BELTA``).

A layout change on the site should be one edit here. Tags repeat how sure the evidence
is (docs/site.md): [seen] on the German site, [sister] on a sister edition, [guess]
plausible and unverified. Where a fact is [sister] or [guess], the parsers have a fallback
behind it and report the selector that found nothing.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from beltacrawl.items import Kind
from beltacrawl.site.profile import ArticleSelectors, ListingSelectors, SiteProfile

#: Any of a class list's classes, as XPath (CSS ``.name`` from a node).
_HAS_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"

# Listing pages [sister markup, German text order seen].
DEU_LISTING = ListingSelectors(
    container="div#inner",
    nodes_xpath=(f".//div[{_HAS_CLASS.format('new_date')} or {_HAS_CLASS.format('lenta_item')}]"),
    day_group_class="new_date",
    entry_class="lenta_item",
    day="div.day::text",
    month_year="div.month_year",
    time="div.date::text",
    rubric_link="a.date_rubric",
    article_link='a[href*="/view/"]',
    title="span.lenta_item_title",
    lead="span.lenta_textsmall",
    load_more="div.load_more::attr(onclick)",  # [sister, 2026]
    next_link="a.p_next::attr(href)",  # [sister, older]
    fallback_containers=("div.content_margin", "body"),
)

# Article pages [sister markup, German text order seen].
DEU_ARTICLE = ArticleSelectors(
    column="div.content_margin",
    title=".content_margin > h1",
    title_in_column_xpath="./h1",
    title_meta='meta[property="og:title"]::attr(content)',
    rubric_link=".content_margin > a",
    rubric_link_in_column_xpath="./a",
    date="div.date_full",  # text [seen]
    date_meta='meta[property="article:published_time"]::attr(content)',
    image_meta='meta[property="og:image"]::attr(content)',
    body_candidates=(
        "div.js-mediator-article",
        '[itemprop="articleBody"]',
        "div.inner_content",
    ),
    main_image="div.main_img img",
    main_image_caption="div.main_img_desc",
    tags_block="div.news_tags_block",
    tag_link="a",
    # Old template (before ~2019): ``Wirtschaft 25.09.2017 | 14:27`` [seen].
    old_date_text_xpath=(
        ".//text()[not(ancestor::div[contains(@class, 'inner_content')])"
        " and not(ancestor::h1) and not(ancestor::div[contains(@class, 'right_col')])]"
    ),
)

#: Month names and the variants the site (or its editors) use, lower-cased, without dots
#: [seen: full names; variants guess].
_MONTHS: dict[str, int] = {
    "januar": 1, "jänner": 1, "jaenner": 1, "jan": 1, "jän": 1,
    "februar": 2, "feber": 2, "feb": 2, "febr": 2,
    "märz": 3, "maerz": 3, "marz": 3, "mär": 3, "mrz": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mai": 5,
    "juni": 6, "jun": 6,
    "juli": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10,
    "november": 11, "nov": 11,
    "dezember": 12, "dez": 12,
}  # fmt: skip

DEU_BELTA = SiteProfile(
    canonical_host="deu.belta.by",  # [seen]
    hosts=frozenset({"deu.belta.by", "m.deu.belta.by", "www.deu.belta.by"}),  # [seen]
    language="de",
    # Rubric slugs seen on the German edition with their labels [seen]; the site may add
    # rubrics, which are then read from the page.
    rubric_labels=MappingProxyType(
        {
            "president": "Präsident",
            "politics": "Politik",
            "economics": "Wirtschaft",
            "society": "Gesellschaft",
            "sport": "Sport",
            "fotoreportage": "Fotoreportage",
        }
    ),
    all_news="all_news",  # [seen]
    # robots.txt of sister editions, and video records that are not articles [sister].
    forbidden_path_prefixes=("/printv", "/search", "/video/"),
    forbidden_url_parts=("getresults", "extendedsearch"),
    listing=DEU_LISTING,
    article=DEU_ARTICLE,
    body_drop_classes=frozenset(
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
    ),
    body_end_classes=frozenset({"invite_in_messagers", "news_tags_block", "clear"}),  # [sister]
    # ``/Wird ergänzt/.`` ending the text: the article will be completed later [seen].
    incomplete_marker=re.compile(r"/\s*Wird\s+ergänzt\s*/?\W*$", re.IGNORECASE),
    wire_end_marker="-0-",  # [seen]
    # ``Foto: BelTA``, ``Fotos: Pressedienst``, ``Foto von Alexej Iwanow`` [seen]: a short
    # credit line, not a sentence that happens to start with "Fotos von".
    photo_credit=re.compile(
        r"^(?:Fotos?\s*[:–—-]\s*.{0,120}|Fotos?\s+(?:von|aus)\s+\S+(?:\s+\S+){0,4}\.?)$"
    ),
    months=MappingProxyType(_MONTHS),
    dateline_agency="BelTA",  # [seen]
    # Photo reports and infographics under URLs without a year [seen, captures]; their
    # pages are the article template [guess] (docs/site.md).
    item_sections=MappingProxyType(
        {"photonews": Kind.PHOTO_REPORT, "infographica": Kind.INFOGRAPHIC}
    ),
)
