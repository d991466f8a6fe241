"""Reliability: crawls under a realistic mix of transient faults, nothing lost.

``python -m bench.reliability [--quick] [--seeds 1,2,3,4,5] [--articles 300] [--rate 0.1]``

For each seed, a replica of ``--articles`` articles (no real samples) answers with
``FaultPlan.mix(seed, rate)`` (tests/sitesim/faults/): 500/502/503, 429 with
``Retry-After: 1``, connections reset mid-body and answers stalled beyond the crawler's
``DOWNLOAD_TIMEOUT``, together about ``--rate`` of all requests; plus the hostile answers
(:func:`add_hostile_network`): redirects to another port of the host and from one
article to another, tabs and newlines in listing links, a 100 kB link, a listing page
with thousands of links to articles that do not exist, harmless ``javascript:``
refreshes and bodies over ``DOWNLOAD_MAXSIZE`` without ``Content-Length``. Two ``scrapy crawl
belta`` runs share one archive: a backfill, then an incremental run (which retries the
failures the first recorded), the faults on for both. The crawler runs with the tests'
settings (tests/crawling.py ``FAST``: politeness off, one retry, short back-off) and
``DOWNLOAD_TIMEOUT=2`` (stalls last 3 s), so some pages do fail for good and the
failure path is exercised.

On top of the transient mix, about ``--hostile`` of the article pages (each kind alike) come
with a fault whose text a careful reader still recovers exactly: windows-1252 behind
``charset=utf-8``, stray invalid bytes in the markup, a correctly labelled UTF-16 page,
control characters in headline and text, hostile markup (``<html:script>``, ``<applet>``,
``<frameset>``, a script in the headline). After both runs, two runs against a broken
archive must be refused before any request: the archive read-only, and a damaged copy.

Reported per seed, after both runs: the faults injected by kind (``plan.fired``), the
articles the replica served correctly (or recoverably) at least once, those archived,
those **lost** (served correctly, not archived: must be 0), **duplicates** in the archive
(must be 0), records **stored with wrong text** (a field read from the article page
differs from the replica's truth: must be 0), requests that reached **the other port**
(must be 0), recorded failures against the articles never served correctly (must be
equal; the article redirected to another is answered, not failed), the archive's
integrity check, both runs' exit statuses (0; 1 when a listing page was faulted every
time it was asked for — the run says its walk broke off —, when the huge listing page
was cut at ``BELTA_MAX_LISTING_ENTRIES``, or when the outage monitor stopped the run on
the huge page's dead links, or judged the incremental run by them: retried, they fail
again, and may be most of what a quiet second run asks for), and the broken-archive runs
refused (exit 1, no request) out of those tried (as root without ``chattr`` the
read-only one cannot be tried).

Exits non-zero only when it could not run; the figures themselves are for reading.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from beltacrawl.archive import Archive
from bench.common import header, table
from tests.archive_faults import CannotMakeReadOnly, damage, read_only
from tests.crawling import run_crawl
from tests.sitesim import FaultPlan, ReplicaServer, SiteModel, for_keys
from tests.sitesim.faults import MB, TRANSIENT_KINDS, article_key, is_listing
from tests.test_crawl import ARTICLE_FIELDS_FROM_TRUTH

SLOW_DELAY = 3.0
SETTINGS = {
    "DOWNLOAD_TIMEOUT": "2",
    "DOWNLOAD_MAXSIZE": str(MB),
    # A low cap keeps the huge listing page's dead links few: the run goes on past them.
    "BELTA_MAX_LISTING_ENTRIES": "15",
}
#: The hostile network answers, added to the transient mix.
NETWORK_KINDS = (
    "offsite_redirect",
    "article_redirect",
    "whitespace_links",
    "long_link",
    "huge_listing",
    "javascript_refresh",
    "oversized",
)
#: Listing faults that still deliver the page's entries: not a lost page.
READABLE_LISTING_FAULTS = ("whitespace_links", "long_link", "huge_listing")


def add_hostile_network(plan: FaultPlan, model: SiteModel, other_port: int, seed: int) -> FaultPlan:
    """The hostile answers, a few of each, chosen by ``seed``: another port of 127.0.0.1
    (``other_port``, a server that must never be asked), one article redirected to
    another, and so on (tests/sitesim/faults/ has each kind)."""
    keys = model.keys()
    rng = random.Random(seed)
    moved, target = rng.sample(keys, 2)
    return (
        plan.offsite_redirect(f"127.0.0.1:{other_port}", probability=0.01)
        .article_redirect(model.article(target).path, match=for_keys(moved))
        .rule("whitespace_links", match="listing", probability=0.3)
        .long_link(match="listing", times=1)
        .huge_listing(5000, match=f"/all_news/page/{rng.randint(2, 5)}/", times=1)
        .javascript_refresh(probability=0.02)
        .oversized(2 * MB, send_length=False, probability=0.005, match="article")
    )


#: The recoverable faults of hostile pages, in the order of the report.
PAGE_KINDS = ("wrong_charset", "stray_bytes", "charset", "control_chars", "hostile_markup")


def with_hostile_pages(plan: FaultPlan, share: float) -> FaultPlan:
    """``plan`` plus the hostile-page faults, together on about ``share`` of article pages."""
    each = share / len(PAGE_KINDS)
    return (
        plan.wrong_charset("cp1252", probability=each, match="article")
        .stray_bytes("markup", probability=each)
        .charset("utf-16", probability=each, match="article")
        .control_chars(probability=each)
        .hostile_markup(probability=each)
    )


#: The fields an article page gives (``lead`` is the listing's: an article retried from
#: the failures of an earlier run is fetched without its listing entry, so without it).
PAGE_FIELDS = tuple(name for name in ARTICLE_FIELDS_FROM_TRUTH if name != "lead")


def wrong_text(archived: dict[str, dict], model: SiteModel) -> int:
    """Archived records with a field of the page that differs from the replica's truth."""
    return sum(
        any(record[name] != truth[name] for name in PAGE_FIELDS)
        for key, record in archived.items()
        for truth in [model.expected_record(key)]
    )


def broken_archive_runs(server: ReplicaServer, workdir: Path, archive: Path) -> tuple[int, int]:
    """Runs against the archive made read-only, and against a damaged copy of it:
    (refused before any request, tried)."""
    damaged = workdir / "damaged.sqlite"
    with Archive.open(archive, readonly=True) as source:
        source.queries.backup(damaged)
    damage(damaged)
    refused = tried = 0
    for path in (archive, damaged):
        before = len(server.requests)
        try:
            with read_only(path) if path == archive else contextlib.nullcontext(path):
                result = run_crawl(server.base_url, workdir, archive=path, settings=SETTINGS)
        except CannotMakeReadOnly:
            continue
        tried += 1
        untouched = len(server.requests) == before
        refused += result.returncode == 1 and untouched and "archive_unavailable" in result.log
    return refused, tried


def lost_listing_pages(requests) -> int:
    """Listing pages faulted every time they were asked for (the run then exits 1)."""
    last = {}
    for request in requests:
        if is_listing(urlsplit(request.path).path):
            last[request.path] = request
    return sum(
        1
        for request in last.values()
        if request.fault and request.fault not in READABLE_LISTING_FAULTS
    )


def scenario(seed: int, articles: int, rate: float, hostile: float) -> dict[str, object]:
    """Two runs on one archive under ``FaultPlan.mix(seed, rate)`` and hostile pages;
    then the broken-archive runs; the figures."""
    server = ReplicaServer(SiteModel(seed=seed, articles=articles, samples=False)).start()
    other = ReplicaServer(SiteModel(seed=seed, articles=5, samples=False)).start()
    plan = FaultPlan.mix(seed, rate=rate, slow_delay=SLOW_DELAY)
    plan = add_hostile_network(plan, server.model, other.port, seed)
    plan = server.faults = with_hostile_pages(plan, hostile)
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            archive_path = workdir / "archive.sqlite"
            exits, broken_walks = [], 0
            for _ in range(2):
                before = len(server.requests)
                result = run_crawl(
                    server.base_url, workdir, archive=archive_path, settings=SETTINGS
                )
                if result.stat("finish_reason") is None:
                    raise RuntimeError(f"the crawl did not run:\n{result.log[-3000:]}")
                exits.append(result.returncode)
                broken_walks += lost_listing_pages(server.requests[before:])
            connection = sqlite3.connect(archive_path)
            duplicates = connection.execute(
                "SELECT count(*) FROM (SELECT key FROM articles GROUP BY key HAVING count(*) > 1)"
            ).fetchone()[0]
            connection.close()
            with Archive.open(archive_path) as archive:
                integrity = archive.queries.integrity_check()
                records = {record["key"]: record for record in archive.queries.iter_articles()}
                failed = {failure.key for failure in archive.ledger.failures()}
            archived = set(records)
            requests = len(server.requests)
            redirected = {
                article_key(request.path)
                for request in server.requests
                if request.fault == "article_redirect"
            }
            elsewhere = len(other.requests)
            refused, tried = broken_archive_runs(server, workdir, archive_path)
    finally:
        server.stop()
        other.stop()
    served = plan.served_correctly
    # A redirect to another article is the site's answer for it: never a failure.
    never = plan.never_served_correctly() - redirected
    return {
        "seed": seed,
        "articles": articles,
        "requests": requests,
        "fired": Counter(plan.fired),
        "served": len(served),
        "archived": len(archived),
        "lost": len(served - archived),
        "wrongly archived": len(archived - served),
        "duplicates": duplicates,
        "wrong text": wrong_text(records, server.model),
        "other port": elsewhere,
        "refused": f"{refused} / {tried}",
        "failed": len(failed),
        "never served": len(never),
        "failures match": failed == never,
        "integrity": "ok" if not integrity else "; ".join(integrity),
        "broken walks": broken_walks,
        "exits": exits,
        "wall": time.perf_counter() - started,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one seed, 80 articles")
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--rate", type=float, default=0.1)
    parser.add_argument(
        "--hostile", type=float, default=0.1, help="share of article pages with hostile faults"
    )
    args = parser.parse_args(argv)
    seeds = [1] if args.quick else [int(seed) for seed in args.seeds.split(",")]
    articles = 80 if args.quick else args.articles

    header(
        f"Reliability: two runs per seed under a {args.rate:.0%} mix of transient faults, "
        f"{args.hostile:.0%} of article pages hostile"
    )
    rows: list[list[object]] = []
    results = []
    for seed in seeds:
        result = scenario(seed, articles, args.rate, args.hostile)
        results.append(result)
        print(f"  seed {seed}: {result['wall']:.1f} s", file=sys.stderr, flush=True)
        fired: Counter[str] = result["fired"]  # type: ignore[assignment]
        rows.append(
            [
                result["seed"],
                result["articles"],
                result["requests"],
                *(fired[kind] for kind in TRANSIENT_KINDS),
                sum(fired[kind] for kind in NETWORK_KINDS),
                sum(fired[kind] for kind in PAGE_KINDS),
                result["served"],
                result["archived"],
                result["lost"],
                result["duplicates"],
                result["wrong text"],
                result["other port"],
                f"{result['failed']} / {result['never served']}",
                result["integrity"],
                ", ".join(str(code) for code in result["exits"]),  # type: ignore[attr-defined]
                result["broken walks"],
                result["refused"],
            ]
        )
    print(
        table(
            [
                "seed",
                "articles",
                "requests",
                *TRANSIENT_KINDS,
                "hostile answers",
                "hostile pages",
                "served correctly",
                "archived",
                "lost",
                "duplicates",
                "wrong text",
                "requests to the other port",
                "failed / never served",
                "integrity",
                "exit statuses",
                "lost listing pages",
                "broken archive refused",
            ],
            rows,
        )
    )
    faults = sum(sum(r["fired"].values()) for r in results)  # type: ignore[attr-defined]
    requests = sum(r["requests"] for r in results)  # type: ignore[misc]
    lost = sum(r["lost"] + r["wrongly archived"] for r in results)  # type: ignore[misc]
    duplicates = sum(r["duplicates"] for r in results)  # type: ignore[misc]
    wrong = sum(r["wrong text"] + r["other port"] for r in results)  # type: ignore[misc]
    mismatched = sum(not r["failures match"] for r in results)
    print(
        f"\n{len(results)} seed(s), {2 * len(results)} runs, {requests} requests, {faults} faults "
        f"injected ({faults / max(1, requests):.1%}). Lost: {lost}, duplicates: {duplicates}, "
        f"stored with wrong text or fetched from the other port: {wrong} (all must be 0); "
        f"seeds whose failure list differed from the articles never served correctly: "
        f"{mismatched} (must be 0)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
