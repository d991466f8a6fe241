"""Pages whose bytes or markup are hostile to the text that is stored.

Crawls of the replica (tests/sitesim/faults/) whose article pages come in a wrong or
unusual encoding, with stray bytes, control characters or markup a sanitiser must
catch. Each record must still equal the replica's truth, and what could not be repaired
is flagged in the run's verdict.

Run alone: ``pytest -m reliability``.
"""

from __future__ import annotations

import pytest

from tests.sitesim import FaultPlan, for_keys
from tests.sitesim.faults import HOSTILE_BODY
from tests.test_reliability import (
    archive_state,
    assert_faults_handled,
    assert_ran_fine,
    crawl,
    mismatches,
)
from tests.test_text_safety import controls

pytestmark = pytest.mark.reliability


def test_windows_1252_page_labelled_utf8_is_read_as_windows_1252(make_replica, tmp_path):
    server = make_replica(articles=20, samples=False)
    keys = server.model.keys()
    plan = server.faults = FaultPlan(seed=21).wrong_charset(
        "cp1252", probability=1, match=for_keys(*keys[::2])
    )
    result = crawl(server, tmp_path)
    assert_ran_fine(result)
    assert plan.fired["wrong_charset"] == len(keys[::2])
    stored, failures = assert_faults_handled(server, plan, tmp_path)  # text exactly right
    assert set(stored) == set(keys) and failures == {}
    # Each page with a non-ASCII letter was detected and re-read (not as cp1251).
    assert result.stat("belta/response/charset_repaired") == len(keys[::2])
    assert "is not in the encoding it declares (utf-8); read as cp1252 (detected)" in result.log
    assert result.stat("belta/article/garbled_text") is None
    assert "verdict: ok" in result.log


def test_a_few_bad_bytes_keep_a_utf8_page_utf8(make_replica, tmp_path):
    server = make_replica(articles=20, samples=False)
    keys = server.model.keys()
    in_title = keys[3]
    plan = server.faults = (
        FaultPlan(seed=22)
        .stray_bytes("title", probability=1, match=for_keys(in_title))
        .stray_bytes("markup", probability=1)
    )
    result = crawl(server, tmp_path)
    assert plan.fired["stray_bytes"] == len(keys)
    # The page whose headline holds the bad bytes is stored, flagged, and fails the verdict.
    assert result.returncode == 1
    assert result.stat("finish_reason") == "finished"
    stored, failures = archive_state(tmp_path)
    assert set(stored) == set(keys) and failures == {}
    truth = server.model.expected_record(in_title)
    # Only the 4 bad bytes (0xFF and an encoded surrogate) became replacement characters.
    assert stored[in_title]["title"] == "\ufffd" * 4 + truth["title"]
    assert not mismatches({k: v for k, v in stored.items() if k != in_title}, server.model)
    assert not mismatches({in_title: stored[in_title]}, server.model, skip=("title",))
    assert result.stat("belta/response/charset_bad_bytes") == len(keys)
    assert result.stat("belta/response/charset_repaired") is None
    assert result.stat("belta/article/garbled_text") == 1
    assert f"article {in_title} (" in result.log and "text still garbled" in result.log
    assert "1 article(s) stored with garbled text" in result.log


def test_a_correctly_labelled_utf16_page_is_whole(make_replica, tmp_path):
    server = make_replica(articles=15, samples=False)
    plan = server.faults = FaultPlan(seed=23).charset("utf-16", probability=1, match="article")
    result = crawl(server, tmp_path)
    assert_ran_fine(result)
    assert plan.fired["charset"] == len(server.model.keys())
    stored, failures = assert_faults_handled(server, plan, tmp_path)  # text exactly right
    assert set(stored) == set(server.model.keys()) and failures == {}
    assert result.stat("belta/response/truncated") is None


def test_control_characters_never_reach_the_record(make_replica, tmp_path):
    server = make_replica(articles=15, samples=False)
    plan = server.faults = FaultPlan(seed=24).control_chars()
    result = crawl(server, tmp_path)
    assert_ran_fine(result)
    assert plan.fired["control_chars"] == len(server.model.keys())
    stored, failures = assert_faults_handled(server, plan, tmp_path)  # text exactly right
    assert set(stored) == set(server.model.keys()) and failures == {}
    for key, record in stored.items():
        found = {name: controls(value) for name, value in record.items() if controls(value)}
        assert not found, (key, found)


def test_hostile_markup_leaves_no_trace(make_replica, tmp_path):
    server = make_replica(articles=15, samples=False)
    plan = server.faults = FaultPlan(seed=25).hostile_markup()
    result = crawl(server, tmp_path)
    assert_ran_fine(result)
    assert plan.fired["hostile_markup"] == len(server.model.keys())
    stored, failures = assert_faults_handled(server, plan, tmp_path)  # text exactly right
    assert set(stored) == set(server.model.keys()) and failures == {}
    assert "html:script" in HOSTILE_BODY
    for key, record in stored.items():
        html = record["body_html"].lower()
        for trace in ("script", "applet", "frame", "javascript", "evil.class", "fallback"):
            assert trace not in html, (key, trace)
