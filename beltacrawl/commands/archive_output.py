"""What ``scrapy archive`` prints: plain-text tables, search hits, an article's history.
(Exports: :mod:`beltacrawl.exports`.)"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from typing import TYPE_CHECKING, Any

from beltacrawl.archive import ARTICLE_FIELDS
from beltacrawl.exports import CSV_LIST_SEPARATOR
from beltacrawl.site.text import CONTROL_CHARACTERS

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from beltacrawl.archive import ArchiveStats, ArticleHistory, SearchHit
    from beltacrawl.archive.ledger import ListingReach

#: Control characters but newline: printed raw they drive the terminal. Tab and carriage
#: return too, which text may keep: in a table a tab shifts the columns, and a carriage
#: return moves the cursor back over what was printed.
_CONTROLS = re.compile(f"[{CONTROL_CHARACTERS}\t\r]")
#: The controls JSON does not escape by itself.
_JSON_UNESCAPED_CONTROLS = re.compile("[\x7f-\x9f]")


def printable(text: str) -> str:
    r"""The text with every control character but newline shown as an escape, never
    sent to the terminal: what the archive holds is data, not commands.

    >>> printable("Titel\x1b]0;pwned\x07\nZeile\x9b2")
    'Titel\\x1b]0;pwned\\x07\nZeile\\x9b2'
    """
    return _CONTROLS.sub(lambda match: f"\\x{ord(match[0]):02x}", text)


def format_json(document: Any) -> str:
    r"""``document`` as indented JSON without a raw control character (JSON escapes C0
    itself; DEL and C1 are escaped here).

    >>> format_json({"title": "a\x1bb\x9bc"})
    '{\n  "title": "a\\u001bb\\u009bc"\n}'
    """
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return _JSON_UNESCAPED_CONTROLS.sub(lambda match: f"\\u{ord(match[0]):04x}", text)


# --- formatting -----------------------------------------------------------------------


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain text table, numbers right-aligned.

    >>> print(table(["rubric", "articles"], [("economics", 12), ("sport", 3)]))
    rubric     articles
    ---------  --------
    economics        12
    sport             3
    """
    rows = [tuple(row) for row in rows]
    cells = [[_cell(value) for value in row] for row in rows]
    numeric = [
        all(isinstance(row[i], int | float) for row in rows if row[i] is not None)
        for i in range(len(headers))
    ]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for row in cells:
        lines.append(
            "  ".join(
                (c.rjust(w) if num else c.ljust(w))
                for c, w, num in zip(row, widths, numeric, strict=True)
            ).rstrip()
        )
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list):
        return CSV_LIST_SEPARATOR.join(map(str, value)) or "-"
    return str(value)


def _short(text: str | None, width: int = 70) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_stats(path: Path, stats: ArchiveStats) -> str:
    parts = [
        f"Archive {path}",
        f"  articles: {stats.total}   previous versions: {stats.versions}"
        f"   open failures: {stats.failures}   given up: {stats.given_up}",
    ]
    if stats.newest:
        newest = stats.newest
        parts.append(
            f"  newest: {newest['published_at']}  {newest['key']}  {_short(newest['title'], 60)}"
        )
    parts += ["", "Articles per rubric", table(["rubric", "articles"], stats.per_rubric)]
    parts += ["", "Articles per month", table(["month", "articles"], stats.per_month)]
    runs = [
        (
            run.id,
            run.spider,
            run.started_at,
            run.finished_at,
            run.finish_reason,
            run.new,
            run.updated,
            run.unchanged,
            run.failed,
            run.verdict,
        )
        for run in stats.last_runs
    ]
    parts += [
        "",
        "Last crawl runs",
        table(
            [
                "run",
                "spider",
                "started",
                "finished",
                "reason",
                "new",
                "upd",
                "same",
                "fail",
                "verdict",
            ],
            runs,
        )
        if runs
        else "  (none)",
    ]
    parts += [f"  run {run.id}: {problem}" for run in stats.last_runs for problem in run.problems]
    parts += ["", "How far back the listings reached", format_reach(stats.reach)]
    return printable("\n".join(parts))


def format_reach(reach: Sequence[ListingReach]) -> str:
    """Per listing: the deepest page and oldest listed time of all runs, and the last
    run's. The site keeps no date archive: older articles come from web-archive captures
    (``scrapy archive import-warc``) or the ``urls=`` argument."""
    if not reach:
        return "  (no run recorded its listings yet)"
    rows = [
        (
            item.listing,
            item.deepest_page,
            item.oldest_listed,
            item.last_run,
            item.last_deepest_page,
            item.last_oldest_listed,
            item.last_stop_reason,
            _since_cell(item.last_since, item.last_since_reached),
        )
        for item in reach
    ]
    headers = ["listing", "deepest page", "oldest listed", "last run", "page", "oldest",
               "stopped", "since"]  # fmt: skip
    return table(headers, rows)


def _since_cell(since: str | None, reached: bool | None) -> str:
    if since is None:
        return ""
    return f"{since[:10]} {'reached' if reached else 'NOT reached' if reached is False else '?'}"


def format_hits(hits: Sequence[SearchHit]) -> str:
    if not hits:
        return "no matches"
    lines = []
    for rank, hit in enumerate(hits, 1):
        day = (hit.published_at or "")[:10] or "?"
        lines.append(f"{rank:>3}. {hit.key}  {day}  {hit.rubric or '-'}  {_short(hit.title)}")
        lines.append(f"     {hit.url}")
        lines.append(f"     {' '.join(hit.snippet.split())}")
    return printable("\n".join(lines))


def format_history(history: ArticleHistory) -> str:
    article = history.article
    lines = [f"{article['key']}  {article['title']}", ""]
    for field in ARTICLE_FIELDS:
        if field in ("title", "body", "body_html"):
            continue
        lines.append(f"  {field + ':':<16}{_cell(article[field])}")
    lines += [
        f"  {'first_seen_at:':<16}{history.first_seen_at}",
        f"  {'last_seen_at:':<16}{history.last_seen_at}",
        f"  {'updated_at:':<16}{history.updated_at}",
        f"  {'versions:':<16}{history.version_count}",
        "",
        article["body"] or "",
    ]
    chain = [*history.versions, {"version": history.version_count, **article}]
    if history.versions:
        lines += ["", f"Previous versions ({len(history.versions)}), oldest first"]
    for old, new in itertools.pairwise(chain):
        changed = [f for f in ARTICLE_FIELDS if f in old and old[f] != new.get(f)]
        lines += [
            "",
            f"version {old['version']} (fetched {old.get('fetched_at') or '?'},"
            f" replaced {old['archived_at']}): changed {', '.join(changed) or 'nothing'}",
        ]
        if old.get("title") != new.get("title"):
            lines += [f"  - title: {old.get('title')}", f"  + title: {new.get('title')}"]
        if old.get("body") != new.get("body"):
            diff = difflib.unified_diff(
                (old.get("body") or "").splitlines(),
                (new.get("body") or "").splitlines(),
                f"body v{old['version']}",
                f"body v{new['version']}",
                lineterm="",
            )
            lines += [f"  {line}" for line in diff]
    return printable("\n".join(lines))
