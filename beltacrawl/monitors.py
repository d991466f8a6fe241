"""Run health monitors, with spidermon: is the site still what the parsers expect?

Two suites. ``DriftMonitors`` runs every few seconds while the crawl runs
(``SPIDERMON_PERIODIC_MONITORS``): when the first listing page has no entries, or more
than ``BELTA_MAX_INVALID_SHARE`` of the article pages (after ``BELTA_DRIFT_MIN_ARTICLES``)
fail validation, or more than ``BELTA_MAX_FAILED_SHARE`` of the article requests answered
so far fail (answered: queued requests say nothing about the site yet), it
stops the crawl (finish reason ``layout_changed``) instead of hammering a site whose layout changed,
and names the selectors that stopped matching. ``RunMonitors`` runs when the spider
closes: the same checks plus spidermon's finish reason and field coverage. (A record
that fails its JSON Schema is dropped by the validation pipeline: the layout check judges
the share of such pages.) Every failed monitor lands in the stat ``monitors/failed``,
which the run's health verdict (and the exit status of ``scrapy crawl``) reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.utils.defer import deferred_from_coro
from spidermon import Monitor, MonitorSuite, monitors
from spidermon.contrib.scrapy.monitors import FieldCoverageMonitor
from spidermon.core.actions import Action

from beltacrawl.crawl.verdict import fresh_failures
from beltacrawl.keeper import keeper_of

if TYPE_CHECKING:
    from beltacrawl.config import Config

ARTICLE_MISSED = "belta/layout/article_selector_missed/"
LISTING_MISSED = "belta/layout/listing_selector_missed/"
LAYOUT_CHANGED = "layout_changed"
SITE_UNAVAILABLE = "site_unavailable"


def missed_selectors(stats: dict, prefix: str) -> str:
    """``div.js-mediator-article (12), div.date_full (3)`` from the selector-miss stats."""
    missed = sorted(
        ((name[len(prefix) :], count) for name, count in stats.items() if name.startswith(prefix)),
        key=lambda pair: -pair[1],
    )
    return ", ".join(f"`{selector}` ({count})" for selector, count in missed) or "none recorded"


def config_of(monitor: Monitor) -> Config:
    """The crawl's settings, read once when the crawl started (the run keeper's):
    spidermon builds its suites and monitors anew for every periodic check."""
    return keeper_of(monitor.data.crawler).config


def _assert_share_within(
    monitor: Monitor, part: int, whole: int, limit: float, what: str, detail: str = ""
) -> None:
    """Fails ``monitor`` when ``part`` of ``whole`` is more than the share ``limit``
    allows, once ``whole`` reaches ``BELTA_DRIFT_MIN_ARTICLES``."""
    if whole < config_of(monitor).drift_min_articles:
        return
    share = part / whole
    monitor.assertLessEqual(
        share, limit, msg=f"{part} of {whole} {what} ({share:.0%} > {limit:.0%}){detail}"
    )


@monitors.name("Layout")
class LayoutMonitor(Monitor):
    """Listing and article pages still match the selectors in beltacrawl/site.py."""

    longMessage = False

    @monitors.name("first listing pages have entries")
    def test_listings_have_entries(self):
        empty = self.data.stats.get("belta/layout/empty_first_listing_page", 0)
        self.assertEqual(
            empty,
            0,
            msg=f"{empty} listing walk(s) found no entries on their first page; selectors "
            f"that matched nothing: {missed_selectors(self.data.stats, LISTING_MISSED)}",
        )

    @monitors.name("article pages pass validation")
    def test_articles_pass_validation(self):
        stats = self.data.stats
        invalid = stats.get("validation/dropped", 0)
        _assert_share_within(
            self,
            invalid,
            invalid + stats.get("validation/ok", 0),
            config_of(self).max_invalid_share,
            "article pages failed validation",
            f"; selectors that matched nothing: {missed_selectors(stats, ARTICLE_MISSED)}",
        )


@monitors.name("Availability")
class AvailabilityMonitor(Monitor):
    """The site answers: article requests do not fail (after retries) en masse. The share
    is of the requests answered (``belta/articles/answered``), not of those requested: a
    listing may queue many at once, and queued ones would hide an outage. Earlier
    failures fetched again are left out (:func:`~beltacrawl.crawl.verdict.fresh_failures`)."""

    longMessage = False

    @monitors.name("article requests succeed")
    def test_articles_can_be_fetched(self):
        failed, answered = fresh_failures(self.data.stats)
        _assert_share_within(
            self,
            failed,
            answered,
            config_of(self).max_failed_share,
            "answered article requests failed",
        )


def _message(error: str | None) -> str:
    """The assertion's message from a failed monitor's traceback text."""
    lines = [line for line in (error or "").strip().splitlines() if line.strip()]
    return lines[-1].removeprefix("AssertionError: ") if lines else "failed"


class RecordFailures(Action):
    """Puts each failed monitor with its message into the stat ``monitors/failed``."""

    def run_action(self):
        stats = self.data.crawler.stats
        if stats.get_value("belta/stopped_by_monitor"):
            return  # the crawl is already being stopped: its failures are recorded
        recorded = dict(line.split(": ", 1) for line in stats.get_value("monitors/failed") or [])
        for result in self.result.monitors_failed_results:
            message = _message(result.error)
            if recorded.get(result.monitor.name) != message:
                self.data.spider.logger.error(
                    "monitor failed: %s: %s", result.monitor.name, message
                )
            recorded[result.monitor.name] = message
        stats.set_value("monitors/failed", [f"{name}: {text}" for name, text in recorded.items()])


class StopOnDrift(Action):
    """Stops the crawl: the site no longer looks as the parsers expect, or is down."""

    def run_action(self):
        engine = self.data.crawler.engine
        stats = self.data.crawler.stats
        if engine is None or not engine.running or stats.get_value("belta/stopped_by_monitor"):
            return
        failed = " ".join(result.monitor.name for result in self.result.monitors_failed_results)
        reason = LAYOUT_CHANGED if "Layout" in failed else SITE_UNAVAILABLE
        self.data.spider.logger.error("stopping the crawl early: %s", reason)
        stats.set_value("belta/stopped_by_monitor", reason)
        deferred_from_coro(engine.close_spider_async(reason=reason))


class DriftMonitors(MonitorSuite):
    monitors = [LayoutMonitor, AvailabilityMonitor]  # noqa: RUF012
    monitors_failed_actions = [RecordFailures, StopOnDrift]  # this order  # noqa: RUF012


class RunMonitors(MonitorSuite):
    # No FinishReasonMonitor: the verdict judges the finish reason itself, in words
    # (crawl/verdict.py), where spidermon's would paste its raw assertion text.
    monitors = [  # noqa: RUF012
        LayoutMonitor,
        AvailabilityMonitor,
        FieldCoverageMonitor,
    ]
    monitors_failed_actions = [RecordFailures]  # noqa: RUF012
