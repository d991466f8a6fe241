"""The replica's archive: which articles exist, when they were published, and time moving.

The model holds only a light, time-ordered list of :class:`Entry` tuples; an article's
content is rebuilt from ``(seed, index)`` whenever a page or a test asks for it, so a model
of 100 000 articles builds in well under a second. All public methods are thread-safe: the
server reads while a test publishes or updates.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import random
import threading
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from tests.sitesim.article import RUBRICS, Article, from_sample, generate, revise, sample_time
from tests.sitesim.dates import MINSK
from tests.sitesim.items import ITEM_SECTIONS, generate_item, item_id, item_key, section_of
from tests.sitesim.samples import SAMPLES

#: The default stream starts shortly before New Year, so that it crosses into 2024, where
#: the site's article counter restarted lower (64356-2023 is older than 64024-2024).
DEFAULT_START = date(2023, 12, 22)
#: Share of each rubric among generated articles, in percent.
RUBRIC_WEIGHTS = {
    "president": 15,
    "politics": 18,
    "economics": 25,
    "society": 25,
    "sport": 10,
    "fotoreportage": 7,
}
_RUBRIC_BOUNDS = list(itertools.accumulate(RUBRIC_WEIGHTS.values()))
#: How far the fetch date shown in page headers lies after the newest article.
NOW_LAG = timedelta(minutes=12)
NEXT_LINK_STYLES = ("load_more", "p_next")
#: ``Entry.index`` of the first item that is not an article (``tests/sitesim/items.py``).
ITEM_INDEX = 10**9


class Entry(NamedTuple):
    """One article in the archive; ``index`` < 0 stands for ``SAMPLES[-1 - index]``."""

    published_at: datetime
    key: str
    rubric: str
    index: int


class SiteModel:
    """A deterministic deu.belta.by archive.

    ``articles`` generated articles, 20–25 a day from ``start`` (Minsk time), with ids from
    ``first_id`` that restart at ``restart_id`` on entering ``restart_year``, plus the real
    samples at their real dates (``samples=False`` leaves them out). The newest
    ``recent`` generated articles, and all published later, may end in ``/Wird ergänzt/.``.

    Page options: ``page_size`` entries per listing page; ``next_link`` is ``"load_more"``
    (``div.load_more`` with ``onclick``) or ``"p_next"`` (``a.p_next``);
    ``rubric_pagination_repeats`` makes every rubric page N show page 1 (a sister
    edition's quirk); ``listing_depth`` makes every listing end after that many pages:
    the last one still links the next, which answers 404 (how deep the site's listings
    go is unknown); ``items`` entries that are not ``…-<id>-<year>`` articles (photo
    reports, infographics and video records in turn) spread over ``all_news``;
    ``sidebar_size`` articles in the article pages' sidebar;
    ``scripted`` serves listing entries and article bodies empty and fills them by an
    inline script after load, so only a browser sees them (docs/rendering.md).
    """

    def __init__(
        self,
        seed: int = 1,
        articles: int = 300,
        page_size: int = 10,
        *,
        start: date = DEFAULT_START,
        first_id: int = 64300,
        restart_year: int = 2024,
        restart_id: int = 63900,
        samples: bool = True,
        recent: int = 40,
        next_link: str = "load_more",
        rubric_pagination_repeats: bool = False,
        listing_depth: int | None = None,
        items: int = 0,
        sidebar_size: int = 5,
        scripted: bool = False,
    ) -> None:
        if next_link not in NEXT_LINK_STYLES:
            raise ValueError(f"next_link must be one of {NEXT_LINK_STYLES}, not {next_link!r}")
        self.seed = seed
        self.page_size = page_size
        self.next_link = next_link
        self.rubric_pagination_repeats = rubric_pagination_repeats
        self.listing_depth = listing_depth
        self.sidebar_size = sidebar_size
        self.scripted = scripted
        self._first_id = first_id
        self._restart_year = restart_year
        self._restart_id = restart_id
        self._recent_from = articles - recent
        self._lock = threading.RLock()
        self._entries: list[Entry] = []
        self._by_rubric: dict[str, list[Entry]] = {rubric: [] for rubric in RUBRICS}
        self._by_key: dict[str, Entry] = {}
        self._max_id: dict[int, int] = {}
        self._last_id: int | None = None
        self._next_index = 0
        self._revisions: dict[str, int] = {}
        self._schedule: list[tuple[int, int]] = []
        self._latest: tuple[tuple[int, int, int], list[Article]] | None = None
        self.requests_seen = 0
        sample_entries = self._sample_entries() if samples else []
        self._by_key.update((entry.key, entry) for entry in sample_entries)
        self._generate(articles, start)
        for entry in sample_entries:
            self._add(entry, sort=True)
        self._add_items(items)
        self.now: datetime = self._entries[-1].published_at + NOW_LAG

    # --- building -------------------------------------------------------------------------

    def _sample_entries(self) -> list[Entry]:
        entries = []
        for position, sample in enumerate(SAMPLES):
            article = from_sample(sample, self.seed)
            moment = sample_time(sample, self.seed)
            entries.append(Entry(moment, article.key, article.rubric, -1 - position))
        return entries

    def _generate(self, count: int, start: date) -> None:
        day = start
        while self._next_index < count:
            rng = random.Random(f"{self.seed}:day:{day.isoformat()}")
            minutes = sorted(rng.sample(range(6 * 60 + 30, 23 * 60 + 58), rng.randint(20, 25)))
            if (day.month, day.day) == (1, 1):
                # The New Year case: published at 00:xx, dateline 31 December.
                minutes[:2] = sorted(rng.sample(range(2, 59), 2))
            for minute in minutes[: count - self._next_index]:
                self._create(datetime.combine(day, time(minute // 60, minute % 60), MINSK))
            day += timedelta(days=1)

    def _create(self, moment: datetime) -> Entry:
        index = self._next_index
        self._next_index += 1
        article_id = self._allocate_id(moment.year)
        entry = Entry(moment, f"{article_id}-{moment.year}", self._rubric(index, moment), index)
        self._add(entry, sort=False)
        return entry

    def _allocate_id(self, year: int) -> int:
        """The next free id in ``year``; keys of samples are skipped, never reused."""
        if year in self._max_id:
            candidate = self._max_id[year] + 1
        elif year == self._restart_year:
            candidate = self._restart_id
        elif self._last_id is not None:
            candidate = self._last_id + 1
        else:
            candidate = self._first_id
        while f"{candidate}-{year}" in self._by_key:
            candidate += 1
        self._last_id = candidate
        return candidate

    def _rubric(self, index: int, moment: datetime) -> str:
        digest = hashlib.blake2b(f"{self.seed}:rubric:{index}".encode(), digest_size=4).digest()
        roll = int.from_bytes(digest) % _RUBRIC_BOUNDS[-1]
        rubric = tuple(RUBRIC_WEIGHTS)[bisect.bisect_right(_RUBRIC_BOUNDS, roll)]
        if rubric == "fotoreportage" and (moment.month, moment.day, moment.hour) == (1, 1, 0):
            return "society"  # the New Year case needs a dateline; photo reports have none
        return rubric

    def _add_items(self, count: int) -> None:
        """``count`` items that are not articles, each a minute after an article spread
        evenly over the stream."""
        articles = list(self._entries)
        for number in range(count):
            anchor = articles[(number + 1) * len(articles) // (count + 1)]
            section = section_of(number)
            entry = Entry(
                anchor.published_at + timedelta(minutes=1),
                item_key(section, item_id(number)),
                section,
                ITEM_INDEX + number,
            )
            self._add(entry, sort=True)

    def item_keys(self, kind: str | None = None) -> list[str]:
        """Keys of the items that are not articles (of one kind if given), newest first."""
        sections = [section for section, spec in ITEM_SECTIONS.items() if kind in (None, spec[0])]
        return [key for key in self.keys() if key.split("-")[0] in sections]

    def _add(self, entry: Entry, *, sort: bool) -> None:
        for sequence in (self._entries, self._by_rubric.setdefault(entry.rubric, [])):
            if sort:
                bisect.insort(sequence, entry)
            else:
                sequence.append(entry)
        self._by_key[entry.key] = entry
        if entry.rubric in ITEM_SECTIONS:
            return  # each section counts its own ids
        article_id = int(entry.key.split("-")[0])
        year = entry.published_at.year
        self._max_id[year] = max(self._max_id.get(year, 0), article_id)

    def _build(self, entry: Entry) -> Article:
        if entry.index >= ITEM_INDEX:
            return generate_item(self.seed, entry.index - ITEM_INDEX, entry.published_at)
        if entry.index < 0:
            return from_sample(SAMPLES[-1 - entry.index], self.seed)
        return generate(
            self.seed,
            entry.index,
            article_id=int(entry.key.split("-")[0]),
            published_at=entry.published_at,
            rubric=entry.rubric,
            recent=entry.index >= self._recent_from,
        )

    # --- reading --------------------------------------------------------------------------

    def article(self, key: str) -> Article:
        """The article as currently published (after any :meth:`update_text`)."""
        with self._lock:
            entry = self._by_key[key]
            revisions = self._revisions.get(key, 0)
        article = self._build(entry)
        for revision in range(1, revisions + 1):
            article = revise(article, revision, self.seed)
        return article

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[str]:
        """Keys, newest first: a snapshot, as :meth:`keys`."""
        return iter(self.keys())

    def keys(self, rubric: str | None = None) -> list[str]:
        """All keys, newest first (of one rubric if given)."""
        with self._lock:
            entries = self._entries if rubric is None else self._by_rubric.get(rubric, [])
            return [entry.key for entry in reversed(entries)]

    def keys_with(self, variant: str) -> list[str]:
        """Keys of the articles showing ``variant`` (see ``article.VARIANTS``), newest first."""
        return [key for key in self.keys() if variant in self.article(key).variants]

    def expected_record(self, key: str) -> dict[str, Any]:
        return self.article(key).expected_record()

    def expected_records(self) -> list[dict[str, Any]]:
        """Truth records of all articles, newest first."""
        return [self.expected_record(key) for key in self.keys()]

    def listing(self, rubric: str | None, page: int) -> tuple[list[Article], bool]:
        """Articles on listing page ``page`` (1-based, newest first) and whether more follow.

        Pages count back from the newest article at the time of the call, as on the site.
        """
        with self._lock:
            entries = self._entries if rubric is None else self._by_rubric.get(rubric, [])
            if rubric is not None and self.rubric_pagination_repeats:
                page = 1
            top = len(entries) - (page - 1) * self.page_size
            bottom = max(0, top - self.page_size)
            chosen = entries[bottom:top] if top > 0 else []
        return [self.article(entry.key) for entry in reversed(chosen)], bottom > 0

    def latest(self, count: int) -> list[Article]:
        """The ``count`` newest articles (the article pages' sidebar).

        Kept until an article is published or revised: rebuilding 120 of them for every
        page made serving pages of the live site's size (``sidebar_size=120``) slow.
        """
        with self._lock:
            chosen = self._entries[-count:] if count > 0 else []
            state = (count, len(self._entries), sum(self._revisions.values()))
            if self._latest is not None and self._latest[0] == state:
                return list(self._latest[1])
        articles = [self.article(entry.key) for entry in reversed(chosen)]
        with self._lock:
            self._latest = (state, articles)
        return list(articles)

    # --- time moving ----------------------------------------------------------------------

    def publish(self, count: int) -> list[str]:
        """Publish ``count`` new articles after the newest one; returns their keys, newest first.

        They push older articles down the listings, as on the site.
        """
        with self._lock:
            rng = random.Random(f"{self.seed}:publish:{self._next_index}")
            moment = self._entries[-1].published_at
            keys = []
            for _ in range(count):
                moment += timedelta(minutes=rng.randint(3, 40))
                keys.append(self._create(moment).key)
            self.now = max(self.now, moment + NOW_LAG)
        return keys[::-1]

    def update_text(self, key: str) -> None:
        """Change the article's text: drop ``/Wird ergänzt/.`` and append a paragraph."""
        with self._lock:
            if key not in self._by_key:
                raise KeyError(key)
            self._revisions[key] = self._revisions.get(key, 0) + 1

    def schedule_publish(self, after_requests: int, count: int) -> None:
        """Publish ``count`` articles once the server has served ``after_requests`` in total.

        The total counts every request since the model was built (``requests_seen``); to
        count from now, pass ``model.requests_seen + n``.
        """
        with self._lock:
            self._schedule.append((after_requests, count))

    def note_request(self) -> int:
        """Called by the server before serving each request: fires due publications.

        Returns the request's number, counting from 1.
        """
        with self._lock:
            due = [item for item in self._schedule if item[0] <= self.requests_seen]
            for item in due:
                self._schedule.remove(item)
                self.publish(item[1])
            self.requests_seen += 1
            return self.requests_seen
