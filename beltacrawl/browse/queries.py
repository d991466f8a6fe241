"""Canned queries: the questions analysts ask the archive first, as Datasette pages.

Each one is read-only SQL with named parameters (an empty parameter means its default).
Times of articles are compared as text (every ``published_at`` has the Minsk offset);
days and weeks are Minsk days. ``fts_words`` is the SQL function the plugin registers
(:func:`beltacrawl.archive.queries.fts_query`): plain words, all of which must occur.

>>> sorted(canned_queries())  # doctest: +NORMALIZE_WHITESPACE
['articles_per_day', 'changed_articles', 'failed_fetches', 'incomplete_articles',
 'last_runs', 'search', 'this_week']
"""

from __future__ import annotations

from typing import Any

from beltacrawl.site.deu import DEU_BELTA

#: Snippet markers: characters news text does not use; the plugin turns them into <mark>.
MARK_START, MARK_END = "\u27e6", "\u27e7"

#: A window of days: the given dates, or the 30 days up to the newest article.
_WINDOW = """
WITH bounds AS (
  SELECT coalesce(nullif(:since, ''), date(substr(newest, 1, 10), '-29 days')) AS since,
         date(coalesce(nullif(:until, ''), substr(newest, 1, 10)), '+1 day') AS before
  FROM (SELECT max(published_at) AS newest FROM articles)
)"""


def _per_rubric_columns() -> str:
    """One count column per known rubric (the site profile's), then the others."""
    known = tuple(DEU_BELTA.rubric_labels)
    columns = [f"count(*) FILTER (WHERE rubric = '{slug}') AS {slug}" for slug in known]
    listed = ", ".join(f"'{slug}'" for slug in known)
    columns.append(f"count(*) FILTER (WHERE rubric NOT IN ({listed})) AS other")
    return ",\n       ".join(columns)


def _search() -> str:
    return f"""
SELECT a.id, highlight(articles_fts, 0, '{MARK_START}', '{MARK_END}') AS title,
       replace(substr(a.published_at, 1, 16), 'T', ' ') AS published, a.rubric,
       snippet(articles_fts, 1, '{MARK_START}', '{MARK_END}', ' … ', 24) AS snippet
FROM articles_fts JOIN articles AS a ON a.id = articles_fts.rowid
WHERE articles_fts MATCH fts_words(:words)
ORDER BY bm25(articles_fts, 5.0, 1.0)
LIMIT 100"""


def _articles_per_day() -> str:
    return f"""{_WINDOW}
SELECT substr(published_at, 1, 10) AS day, count(*) AS articles,
       {_per_rubric_columns()}
FROM articles, bounds
WHERE published_at >= bounds.since AND published_at < bounds.before
GROUP BY day ORDER BY day DESC"""


_THIS_WEEK = """
WITH week AS (
  SELECT date(day, '+1 day', 'weekday 1', '-7 days') AS monday
  FROM (SELECT coalesce(nullif(:day, ''), date('now', '+3 hours')) AS day)
)
SELECT a.id, a.title, replace(substr(a.published_at, 1, 16), 'T', ' ') AS published, a.rubric,
       a.dateline_place, a.tags
FROM articles AS a, week
WHERE a.published_at >= week.monday AND a.published_at < date(week.monday, '+7 days')
ORDER BY a.published_at DESC"""

_CHANGED = """
SELECT a.id, a.key, v.version || ' → ' || (v.version + 1) AS versions,
       replace(substr(v.archived_at, 1, 16), 'T', ' ') AS replaced_utc,
       v.title AS title_before, coalesce(n.title, a.title) AS title_after,
       v.body AS body_before, coalesce(n.body, a.body) AS body_after
FROM article_versions AS v
JOIN articles AS a ON a.key = v.key
LEFT JOIN article_versions AS n ON n.key = v.key AND n.version = v.version + 1
WHERE :key = '' OR v.key = :key
ORDER BY v.archived_at DESC, v.key
LIMIT 200"""

_INCOMPLETE = """
SELECT id, title, replace(substr(published_at, 1, 16), 'T', ' ') AS published, rubric, fetched_at,
       round((julianday(fetched_at) - julianday(published_at)) * 24, 1)
         AS hours_after_publication
FROM articles
WHERE is_incomplete = 1
ORDER BY published_at DESC"""

_FAILED = """
SELECT url, key, reason, attempts, failed_at
FROM failures
ORDER BY failed_at DESC, url"""

_RUNS = """
SELECT id, started_at, finished_at,
       cast(round((julianday(finished_at) - julianday(started_at)) * 86400) AS integer)
         AS seconds,
       finish_reason, verdict, new_count AS new, updated_count AS updated,
       unchanged_count AS unchanged, failed_count AS failed, problems
FROM crawl_runs
ORDER BY id DESC
LIMIT 50"""


def canned_queries() -> dict[str, dict[str, Any]]:
    """Datasette's ``queries`` for the archive database, in the order they are listed."""
    queries = {
        "search": {
            "title": "Search with snippets",
            "description": "Articles whose title or text holds every word, best match "
            "first (title weighs five times the text). word* finds a prefix.",
            "sql": _search(),
        },
        "this_week": {
            "title": "This week's articles",
            "description": "Articles published Monday to Sunday of the week of day "
            "(YYYY-MM-DD, Minsk time; empty: today).",
            "sql": _THIS_WEEK,
        },
        "articles_per_day": {
            "title": "Articles per day and rubric",
            "description": "Articles per Minsk day, in total and per rubric, from since "
            "to until (YYYY-MM-DD; empty: the 30 days up to the newest article).",
            "sql": _articles_per_day(),
        },
        "changed_articles": {
            "title": "Changed articles, versions side by side",
            "description": "Each replaced text beside the text that replaced it, most "
            "recent change first; key (e.g. 66060-2024) narrows to one article.",
            "sql": _CHANGED,
        },
        "incomplete_articles": {
            "title": "Articles still marked /Wird ergänzt/",
            "description": "The site said it would extend these; a later crawl fetches "
            "them again (BELTA_REFRESH_* settings).",
            "sql": _INCOMPLETE,
        },
        "failed_fetches": {
            "title": "Failed fetches",
            "description": "Pages still missing, most recent failure first.",
            "sql": _FAILED,
        },
        "last_runs": {
            "title": "Last crawl runs and their verdicts",
            "description": "The 50 most recent runs: counts, duration, verdict, problems.",
            "sql": _RUNS,
        },
    }
    # The SQL stays one click away ("Edit SQL"); the page opens on the answer.
    return {name: {**query, "hide_sql": True} for name, query in queries.items()}
