"""URL grammar of a BelTA edition: article references and keys, listing pages, canonical form.

>>> ref = parse_article_url("http://m.deu.belta.by/economics/view/krutoi-66060-2024")
>>> ref.key, ref.url
('66060-2024', 'https://deu.belta.by/economics/view/krutoi-66060-2024/')
>>> parse_article_url("https://eng.belta.by/economics/view/krutoi-66060-2024/") is None
True
>>> item = parse_article_url("https://deu.belta.by/photonews/view/81-jahrestag-der-chatyn-tragodie-3192")
>>> item.kind.value, item.key, item.url
('photo_report', 'photonews-3192', 'https://deu.belta.by/photonews/view/81-jahrestag-der-chatyn-tragodie-3192/')
>>> listing_path("economics", 3)
'/economics/page/3/'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urljoin, urlsplit

from w3lib.url import safe_url_string

from beltacrawl.items import Kind
from beltacrawl.site.deu import DEU_BELTA

if TYPE_CHECKING:
    from beltacrawl.site.profile import SiteProfile

#: ASCII digits only (``\d`` would take ``٢`` for 2 and make up another article's URL), and
#: at most 12 of them (``int()`` refuses numbers of over 4300 digits).
_ARTICLE_PATH = re.compile(
    r"^/(?P<rubric>[a-z0-9_-]+)/view/(?:(?P<slug>[^/]*?)-)?(?P<id>\d{1,12})-(?P<year>(?:19|20)\d\d)/?$",
    re.ASCII,
)
#: Items without a year (photo reports, infographics): their section says which kind.
_ITEM_PATH = re.compile(
    r"^/(?P<section>[a-z0-9_-]+)/view/(?:(?P<slug>[^/]*?)-)?(?P<id>\d{1,12})/?$", re.ASCII
)
_LISTING_PATH = re.compile(r"^/(?P<listing>[a-z0-9_-]+)/(?:page/(?P<page>\d+)/?)?$")
#: A URL of these characters only is already clean: nothing to strip or percent-encode.
_CLEAN = re.compile(r"[A-Za-z0-9\-._~:/?#@!$&()*+,;=]*")
#: ``%`` not followed by two hex digits: w3lib leaves it, a valid URL has ``%25``.
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """An item's identity and canonical address, derived from any of its URLs: an article
    (``kind`` article) or an item of another kind without a year (photo report,
    infographic), whose ``rubric`` is its section (``photonews``)."""

    rubric: str
    slug: str
    """As the URL spells it; never part of the identity (slugs are cut, misspelt, or not
    the title at all, and the same slug recurs across years)."""
    article_id: int
    article_year: int | None
    origin: str
    """The edition's canonical origin (``SiteProfile.origin``)."""
    kind: Kind = Kind.ARTICLE

    @property
    def key(self) -> str:
        """``"<id>-<year>"`` for an article: ids restart across years, so the year is part
        of the key. ``"<section>-<id>"`` for the other kinds: no digit starts it, so it
        never equals an article's key.

        >>> ArticleRef("photonews", "", 3192, None, "", Kind.PHOTO_REPORT).key
        'photonews-3192'
        """
        if self.article_year is None:
            return f"{self.rubric}-{self.article_id}"
        return f"{self.article_id}-{self.article_year}"

    @property
    def path(self) -> str:
        slug = f"{self.slug}-" if self.slug else ""
        year = "" if self.article_year is None else f"-{self.article_year}"
        return f"/{self.rubric}/view/{slug}{self.article_id}{year}/"

    @property
    def url(self) -> str:
        """Canonical URL on the real site, whatever host the page came from."""
        return self.origin + self.path


def split(url: str) -> SplitResult | None:
    """``urlsplit``, or ``None`` for what it cannot split (``http://[::1/``: bad IPv6 host).

    >>> split("http://[::1/view/") is None
    True
    """
    try:
        parts = urlsplit(url)
        parts.hostname  # noqa: B018 -- raises ValueError for a bad host, too
    except ValueError:
        return None
    return parts


def clean_url(url: str) -> str | None:
    """``url`` as a browser reads it, percent-encoded; ``None`` for what is not a URL.

    ASCII tabs and newlines go wherever they are, C0 controls and spaces at both ends,
    and what may not stand in a URL is percent-encoded (w3lib's ``safe_url_string``,
    after the URL living standard; a lone ``%`` becomes ``%25``). A link with a stray tab
    is the same link as without it, and a stored URL is always a valid one.

    >>> clean_url(" /economics/view/krutoi-\\t66060-20\\n24/\\r\\n")
    '/economics/view/krutoi-66060-2024/'
    >>> clean_url("/society/view/größe 50%-1-2024/")
    '/society/view/gr%C3%B6%C3%9Fe%2050%25-1-2024/'
    >>> clean_url(" http://[::1/view/") is None
    True
    """
    if _CLEAN.fullmatch(url):
        return url
    try:
        safe = safe_url_string(url)
    except ValueError:  # a bad port or IPv6 host
        return None
    return _LONE_PERCENT.sub("%25", safe)


def join(base: str, href: str) -> str | None:
    """``urljoin`` of the cleaned ``href`` (:func:`clean_url`), or ``None`` when it is not
    a URL at all."""
    clean = clean_url(href)
    return urljoin(base, clean) if clean is not None and split(clean) is not None else None


def host_of(url: str) -> str:
    parts = split(url)
    return (parts.hostname or "").lower() if parts else ""


def is_site_url(url: str, base_host: str = "", profile: SiteProfile = DEU_BELTA) -> bool:
    """True for URLs of the edition (any of its hosts) or of the configured base."""
    return is_site_host(host_of(url), base_host, profile)


def is_site_host(host: str, base_host: str, profile: SiteProfile) -> bool:
    """True for the edition's hosts and the configured base host (a mirror, the replica).

    Exact hostnames, ports aside: Scrapy's ``url_is_from_any_domain`` compares the whole
    netloc (``127.0.0.1:8000`` is not ``127.0.0.1``) and takes any subdomain too.
    """
    return host in profile.hosts or (bool(base_host) and host == base_host)


def parse_article_url(
    url: str, base_host: str = "", profile: SiteProfile = DEU_BELTA
) -> ArticleRef | None:
    """The article (or item of another kind) a URL points to, or ``None`` for other or
    foreign URLs. The URL is read as a browser reads it (:func:`clean_url`)."""
    clean = clean_url(url)
    parts = split(clean) if clean is not None else None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not is_site_host((parts.hostname or "").lower(), base_host, profile)
    ):
        return None
    return _article_of_path(parts.path, profile)


def _article_of_path(path: str, profile: SiteProfile) -> ArticleRef | None:
    # An item section's URLs never end in a year: ``…-2021`` there is an id, not a year.
    item = _ITEM_PATH.match(path)
    if item is not None and (kind := profile.item_sections.get(item["section"])) is not None:
        return ArticleRef(
            rubric=item["section"],
            slug=item["slug"] or "",
            article_id=int(item["id"]),
            article_year=None,
            origin=profile.origin,
            kind=kind,
        )
    match = _ARTICLE_PATH.match(path)
    if match is None or match["rubric"] in profile.item_sections:
        return None
    return ArticleRef(
        rubric=match["rubric"],
        slug=match["slug"] or "",
        article_id=int(match["id"]),
        article_year=int(match["year"]),
        origin=profile.origin,
    )


def parse_article_link(
    href: str, page_url: str, base_host: str, profile: SiteProfile
) -> ArticleRef | None:
    """The article a link on the page ``page_url`` points to, as
    ``parse_article_url(join(page_url, href), base_host, profile)``.

    A path relative to the host (``/economics/view/…-66060-2024/``, the usual link of a
    listing) of a page on the site is read directly, without joining and splitting URLs,
    the costliest part of a listing entry (docs/performance.md).

    >>> page = "https://deu.belta.by/all_news/"
    >>> parse_article_link("/economics/view/krutoi-66060-2024/?x=1#top", page, "", DEU_BELTA).key
    '66060-2024'
    >>> parse_article_link("/economics/view/k-66060-2024/", "https://example.com/", "", DEU_BELTA)
    """
    clean = clean_url(href)
    if clean is None:
        return None
    href = clean
    if (
        href.startswith("/")
        and not href.startswith("//")
        and is_site_url(page_url, base_host, profile)
    ):
        ref = _article_of_path(href.partition("#")[0].partition("?")[0], profile)
        if ref is not None:
            return ref
    url = join(page_url, href)
    return parse_article_url(url, base_host, profile) if url else None


def refusal(href: str, page_url: str, base_host: str, profile: SiteProfile = DEU_BELTA) -> str:
    """Why a listing's link is no item the crawler takes (for the count and the log line;
    asked only of links :func:`parse_article_link` refused).

    >>> page = "https://deu.belta.by/all_news/"
    >>> refusal("https://eng.belta.by/economics/view/x-1-2024/", page, "", DEU_BELTA)
    'other_site'
    >>> refusal("/video/getRecord/123/", page, "", DEU_BELTA)
    'forbidden'
    >>> refusal("/economics/view/ohne-nummer/", page, "", DEU_BELTA)
    'unknown_url'
    """
    url = join(page_url, href.strip())
    parts = split(url) if url else None
    if not href.strip() or parts is None or parts.scheme not in ("http", "https"):
        return "not_a_url"
    if not is_site_host((parts.hostname or "").lower(), base_host, profile):
        return "other_site"
    if is_forbidden(url or "", profile):
        return "forbidden"
    return "unknown_url"


def is_forbidden(url: str, profile: SiteProfile = DEU_BELTA) -> bool:
    """Paths the crawler never requests: print views, searches, video records, and
    whatever is not a URL at all."""
    lowered = url.lower()
    parts = split(lowered)
    return (
        parts is None
        or parts.path.startswith(profile.forbidden_path_prefixes)
        or any(part in lowered for part in profile.forbidden_url_parts)
    )


def listing_path(listing: str, page: int = 1) -> str:
    """Path of page ``page`` of a listing (``all_news`` or a rubric slug)."""
    return f"/{listing}/" if page <= 1 else f"/{listing}/page/{page}/"


def rubric_of_listing_link(url: str, profile: SiteProfile = DEU_BELTA) -> str | None:
    """Rubric slug of a rubric listing link such as ``https://deu.belta.by/economics/``."""
    parts = split(url)
    if parts is None or (parts.hostname and parts.hostname.lower() not in profile.hosts):
        return None
    match = _LISTING_PATH.match(parts.path)
    if match is None or match["listing"] == profile.all_news:
        return None
    return match["listing"]


def listing_of(url: str) -> str | None:
    """The listing (``all_news`` or a rubric slug) a listing page's URL belongs to, any host.

    >>> listing_of("http://127.0.0.1:8000/economics/page/3/"), listing_of("/all_news/")
    ('economics', 'all_news')
    >>> listing_of("https://deu.belta.by/economics/view/a-1-2024/") is None
    True
    """
    parts = split(url)
    match = _LISTING_PATH.match(parts.path) if parts else None
    return match["listing"] if match else None


def on_base(path_or_url: str, base_url: str) -> str:
    """The same path on the configured base (the live site, a mirror or the replica)."""
    parts = urlsplit(path_or_url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return urljoin(base_url.rstrip("/") + "/", path.lstrip("/"))


def absolute_site_url(
    src: str, base_host: str = "", profile: SiteProfile = DEU_BELTA
) -> str | None:
    """An absolute URL on the real site for a page's resource such as an image.

    Cleaned as a browser reads it (:func:`clean_url`); relative paths and the configured
    base (a mirror, the replica) map to the real site; other hosts (a CDN, also as
    ``//host/…``) stay as they are. ``None`` for what is not an http(s) or relative URL
    (``data:``, ``javascript:``: an inline image or a script is no address to keep) or no
    URL at all (``http://[::1/a.jpg``).

    >>> absolute_site_url("/images/a.jpg"), absolute_site_url("//cdn.example/a.jpg")
    ('https://deu.belta.by/images/a.jpg', 'https://cdn.example/a.jpg')
    >>> absolute_site_url("http://127.0.0.1:8000/images/a.jpg", "127.0.0.1")
    'https://deu.belta.by/images/a.jpg'
    >>> absolute_site_url("data:image/gif;base64,R0lGOD"), absolute_site_url("/b c\\t.jpg")
    (None, 'https://deu.belta.by/b%20c.jpg')
    """
    clean = clean_url(src)
    parts = split(clean) if clean is not None else None
    if clean is None or parts is None or parts.scheme not in ("", "http", "https"):
        return None
    host = (parts.hostname or "").lower()
    if host and not is_site_host(host, base_host, profile):
        return clean if parts.scheme else f"https:{clean}"
    return on_base(clean, profile.origin)


Origin = tuple[str, str, int]
"""``(scheme, host, port)``: what a browser compares to tell one site from another."""
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> Origin | None:
    """The URL's origin, its default port filled in; ``None`` for what is not http(s).

    >>> origin_of("https://DEU.belta.by/all_news/"), origin_of("http://127.0.0.1:8000/")
    (('https', 'deu.belta.by', 443), ('http', '127.0.0.1', 8000))
    >>> origin_of("javascript:alert(1)") is None, origin_of("http://127.0.0.1:99999/") is None
    (True, True)
    """
    parts = split(url)
    if parts is None or parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:  # out of range
        return None
    return parts.scheme, parts.hostname.lower(), port


def site_origins(base_url: str, profile: SiteProfile = DEU_BELTA) -> frozenset[Origin]:
    """Where a crawl of ``base_url`` may be redirected: the base's own origin (scheme, host
    and port alike: another port of the same host is another service), and, when the base
    is the edition itself, https on any of the edition's hosts. A mirror or the replica
    never hands the crawl over to the live site.

    >>> sorted(site_origins("http://127.0.0.1:8000"))
    [('http', '127.0.0.1', 8000)]
    >>> ("https", "m.deu.belta.by", 443) in site_origins("http://deu.belta.by")
    True
    """
    base = origin_of(base_url)
    origins = {base} if base else set()
    if base and base[1] in profile.hosts:
        origins.update(("https", host, 443) for host in profile.hosts)
    return frozenset(origins)


def base_url_problem(base_url: str) -> str | None:
    """What is wrong with a ``BELTA_BASE_URL``, or ``None``; never repeats a password.

    >>> base_url_problem("http://127.0.0.1:8000") is None
    True
    >>> base_url_problem("https://user:secret@mirror.example")
    'must not contain credentials (user:password@): Scrapy would log them'
    >>> base_url_problem("deu.belta.by")
    'must be an http(s) URL such as https://deu.belta.by'
    """
    parts = split(base_url.strip())
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http(s) URL such as https://deu.belta.by"
    if parts.username or parts.password:
        return "must not contain credentials (user:password@): Scrapy would log them"
    if parts.query or parts.fragment:
        return "must not have a query or fragment"
    return None
