"""The charts: Vega-Lite specs drawn by the datasette-dashboards plugin.

datasette-dashboards ships Vega, Vega-Lite and vega-embed in its own static files, so a
page loads nothing from the internet; each chart is a read-only SQL query plus a
Vega-Lite spec (docs/archive.md says why this plugin). Charts draw as SVG, so a test (and
a screen reader) can find their marks.

>>> sorted(dashboards("archive")["articles"]["charts"])
['per_day', 'per_rubric', 'runs']
"""

from __future__ import annotations

from typing import Any

#: vega-embed reads its options from the spec's ``usermeta``.
_SVG = {"embedOptions": {"renderer": "svg", "actions": {"export": True, "source": False}}}

#: The chosen window: the filters' dates, or the 30 days up to the newest article.
_WINDOW_WHERE = """
published_at >= coalesce(nullif(:since, ''),
                         (SELECT date(substr(max(published_at), 1, 10), '-29 days') FROM articles))
AND published_at < date(coalesce(nullif(:until, ''),
                                 (SELECT substr(max(published_at), 1, 10) FROM articles)),
                        '+1 day')
[[ AND rubric = :rubric ]]"""

_PER_DAY = f"""
SELECT substr(published_at, 1, 10) AS day, rubric, count(*) AS articles
FROM articles
WHERE {_WINDOW_WHERE}
GROUP BY day, rubric
ORDER BY day, rubric"""

_PER_RUBRIC = f"""
SELECT rubric, count(*) AS articles
FROM articles
WHERE {_WINDOW_WHERE}
GROUP BY rubric
ORDER BY articles DESC"""

#: Runs are counted back from the last one: the window is one of publication times.
_RUNS = """
SELECT * FROM (
  SELECT id, started_at, coalesce(new_count, 0) AS new,
         coalesce(updated_count, 0) AS updated, coalesce(failed_count, 0) AS failed,
         coalesce(verdict, 'not finished') AS verdict
  FROM crawl_runs ORDER BY id DESC LIMIT 100
) ORDER BY id"""

_RUBRIC_COLOR = {
    "field": "rubric",
    "type": "nominal",
    "title": "Rubric",
    "scale": {"scheme": "tableau10"},
}


def _per_day_spec() -> dict[str, Any]:
    return {
        "usermeta": _SVG,
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "day", "type": "ordinal", "timeUnit": "yearmonthdate",
                  "title": "Day (Minsk)", "axis": {"format": "%d.%m.", "labelAngle": -45}},
            "y": {"aggregate": "sum", "field": "articles", "type": "quantitative",
                  "title": "Articles", "stack": "zero"},
            "color": _RUBRIC_COLOR,
            "tooltip": [
                {"field": "day", "type": "temporal", "title": "Day", "format": "%a %d.%m.%Y"},
                {"field": "rubric", "type": "nominal", "title": "Rubric"},
                {"field": "articles", "type": "quantitative", "title": "Articles"},
            ],
        },
    }  # fmt: skip


def _per_rubric_spec() -> dict[str, Any]:
    return {
        "usermeta": _SVG,
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "rubric", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "articles", "type": "quantitative", "title": "Articles"},
            "color": {**_RUBRIC_COLOR, "legend": None},
        },
    }


def _runs_spec() -> dict[str, Any]:
    return {
        "usermeta": _SVG,
        "transform": [{"fold": ["new", "updated", "failed"], "as": ["outcome", "articles"]}],
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "id", "type": "ordinal", "title": "Run (number; time in the tooltip)",
                  "axis": {"labelAngle": 0}},
            "y": {"field": "articles", "type": "quantitative", "title": "Articles",
                  "stack": "zero"},
            "color": {"field": "outcome", "type": "nominal", "title": "Outcome",
                      "scale": {"domain": ["new", "updated", "failed"],
                                "range": ["#4c78a8", "#72b7b2", "#e45756"]}},
            "tooltip": [
                {"field": "id", "title": "Run"},
                {"field": "started_at", "type": "temporal", "title": "Started",
                 "format": "%d.%m.%Y %H:%M"},
                {"field": "outcome", "title": "Outcome"},
                {"field": "articles", "type": "quantitative", "title": "Articles"},
                {"field": "verdict", "title": "Verdict"},
            ],
        },
    }  # fmt: skip


def dashboards(database: str) -> dict[str, Any]:
    """The datasette-dashboards configuration: one dashboard of articles and runs."""
    return {
        "articles": {
            "title": "Articles and runs",
            "description": "Articles per day, stacked by rubric, over the chosen window "
            "(empty: the 30 days up to the newest article); the last crawl runs.",
            "layout": [["per_day", "per_day"], ["per_rubric", "runs"]],
            "filters": {
                "since": {"name": "From (YYYY-MM-DD)", "type": "date"},
                "until": {"name": "Until (YYYY-MM-DD)", "type": "date"},
                "rubric": {
                    "name": "Rubric",
                    "type": "select",
                    "db": database,
                    "query": "SELECT DISTINCT rubric FROM articles ORDER BY rubric",
                },
            },
            "charts": {
                "per_day": {
                    "title": "Articles per day, by rubric",
                    "db": database,
                    "query": _PER_DAY,
                    "library": "vega-lite",
                    "display": _per_day_spec(),
                },
                "per_rubric": {
                    "title": "Articles per rubric in the window",
                    "db": database,
                    "query": _PER_RUBRIC,
                    "library": "vega-lite",
                    "display": _per_rubric_spec(),
                },
                "runs": {
                    "title": "The last 100 crawl runs: articles new, updated, failed",
                    "db": database,
                    "query": _RUNS,
                    "library": "vega-lite",
                    "display": _runs_spec(),
                },
            },
        }
    }
