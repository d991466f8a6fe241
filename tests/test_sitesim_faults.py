"""The replica's fault injection (tests/sitesim/faults/), each kind seen from a client.

Plain ``http.client`` and raw sockets, no crawler: these tests pin what the replica does,
so that the crawler's reliability tests can rely on it.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import socket
import time
from collections.abc import Callable

import pytest
from parsel import Selector

from beltacrawl.parsing.article import parse_article
from beltacrawl.parsing.listing import parse_listing
from tests.sitesim import ReplicaServer
from tests.sitesim.faults import (
    CONTROL_CHARS,
    HOSTILE_BODY,
    HOSTILE_TITLE,
    KINDS,
    MB,
    TRANSIENT_KINDS,
    FaultPlan,
    Request,
    for_keys,
)
from tests.sitesim.routes import Response

MakeReplica = Callable[..., ReplicaServer]


@pytest.fixture
def server(make_replica: MakeReplica) -> ReplicaServer:
    return make_replica(articles=50)


def get(
    server: ReplicaServer, path: str, *, timeout: float = 5.0
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """Status, headers and body of one GET, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def article_path(server: ReplicaServer, index: int = 0) -> str:
    return server.model.article(server.model.keys()[index]).path


def normal_page(server: ReplicaServer, path: str) -> bytes:
    saved, server.faults = server.faults, FaultPlan()
    try:
        return get(server, path)[2]
    finally:
        server.faults = saved


def listing(body: bytes, path: str = "/all_news/"):
    return parse_listing(Selector(text=body.decode("utf-8")), f"https://deu.belta.by{path}")


def test_every_kind_has_a_constructor_and_a_docstring_entry() -> None:
    import tests.sitesim.faults as faults

    for kind in KINDS:
        assert f"``{kind}``" in faults.__doc__, kind
        if kind != "status":
            assert callable(getattr(FaultPlan, kind)), kind


# --- HTTP errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_error_burst_then_recovery(server: ReplicaServer, status: int) -> None:
    plan = server.faults = FaultPlan().server_error(status, times=2, match="listing")
    assert get(server, "/robots.txt")[0] == 200  # not a listing
    assert [get(server, "/all_news/")[0] for _ in range(3)] == [status, status, 200]
    assert plan.fired["server_error"] == 2 and plan.pending == 0
    assert [r.fault for r in server.requests] == [None, "server_error", "server_error", None]


def test_rate_limit_with_retry_after(server: ReplicaServer) -> None:
    plan = server.faults = FaultPlan().rate_limit(7).rate_limit("Wed, 21 Oct 2015 07:28:00 GMT")
    status, headers, _ = get(server, "/all_news/")
    assert (status, headers["Retry-After"]) == (429, "7")
    status, headers, _ = get(server, "/all_news/")
    assert (status, headers["Retry-After"]) == (429, "Wed, 21 Oct 2015 07:28:00 GMT")
    assert get(server, "/all_news/")[0] == 200
    assert plan.fired == {"rate_limit": 2}


def test_not_found_for_a_linked_article(server: ReplicaServer) -> None:
    key = server.model.keys()[0]
    plan = server.faults = FaultPlan().not_found(match=for_keys(key))
    assert key in {entry.key for entry in listing(get(server, "/all_news/")[2]).entries}
    assert get(server, article_path(server, 0))[0] == 404
    assert get(server, article_path(server, 0))[0] == 404
    assert get(server, article_path(server, 1))[0] == 200
    assert plan.fired["not_found"] == 2
    assert plan.never_served_correctly() == {key}


# --- the socket -----------------------------------------------------------------------------


def test_reset_mid_body(server: ReplicaServer) -> None:
    path = article_path(server)
    full = normal_page(server, path)
    plan = server.faults = FaultPlan().reset(keep=0.3)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        raw.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        received, error = b"", None
        try:
            while chunk := raw.recv(65536):
                received += chunk
        except ConnectionResetError as reset:
            error = reset
    head, _, body = received.partition(b"\r\n\r\n")
    if head:  # Linux may discard unread data on RST; the headers usually arrive first
        assert head.startswith(b"HTTP/1.1 200")
        assert f"Content-Length: {len(full)}".encode() in head
    assert len(body) < len(full)
    assert error is not None, "closed with FIN, not RST"
    assert plan.fired["reset"] == 1
    # http.client notices the short body, too.
    server.faults = FaultPlan().reset(keep=0.3)
    with pytest.raises((http.client.IncompleteRead, ConnectionResetError)):
        get(server, path)


def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Whether ``condition`` holds within ``timeout`` (the server thread may lag the client)."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_slow_stalls_beyond_the_client_timeout(server: ReplicaServer) -> None:
    plan = server.faults = FaultPlan().slow(2.0)
    started = time.perf_counter()
    with pytest.raises(TimeoutError):
        get(server, "/all_news/", timeout=0.3)
    assert time.perf_counter() - started < 1.5
    assert eventually(lambda: plan.fired["slow"] == 1)
    assert get(server, "/all_news/")[0] == 200  # only once


def test_slow_trickle_sends_headers_then_dribbles(server: ReplicaServer) -> None:
    server.faults = FaultPlan().slow(2.0, trickle=True)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", "/all_news/")
    started = time.perf_counter()
    response = connection.getresponse()
    assert response.status == 200  # the headers come at once ...
    assert time.perf_counter() - started < 1.5
    assert connection.sock is not None
    connection.sock.settimeout(0.1)
    with pytest.raises(TimeoutError):
        response.read()  # ... the body in pieces, 2 s in all
    connection.close()


# --- broken but well-formed HTTP --------------------------------------------------------


def test_truncated_html_with_matching_length(server: ReplicaServer) -> None:
    path = article_path(server)
    full = normal_page(server, path)
    server.faults = FaultPlan().truncated(keep=0.4)
    status, headers, body = get(server, path)
    assert status == 200
    assert int(headers["Content-Length"]) == len(body) == int(len(full) * 0.4)
    assert full.startswith(body) and b"</html>" not in body


def test_empty_200(server: ReplicaServer) -> None:
    server.faults = FaultPlan().empty(match="article")
    status, headers, body = get(server, article_path(server))
    assert (status, headers["Content-Length"], body) == (200, "0", b"")
    assert headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("content_type", "magic"),
    [("application/pdf", b"%PDF-"), ("image/jpeg", b"\xff\xd8\xff")],
)
def test_binary_content(server: ReplicaServer, content_type: str, magic: bytes) -> None:
    server.faults = FaultPlan(seed=3).binary(content_type, size=2000)
    status, headers, body = get(server, article_path(server))
    assert (status, headers["Content-Type"], len(body)) == (200, content_type, 2000)
    assert body.startswith(magic)
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_wrong_charset(server: ReplicaServer) -> None:
    path = article_path(server)
    full = normal_page(server, path).decode("utf-8")
    server.faults = FaultPlan().wrong_charset()
    _status, headers, body = get(server, path)
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'<meta charset="utf-8">' in body
    assert body == full.encode("cp1251", errors="xmlcharrefreplace")
    assert "Русский".encode("cp1251") in body  # the header's link to the Russian edition
    for char in {char for char in full if ord(char) > 127}:
        try:
            char.encode("cp1251")
        except UnicodeEncodeError:  # umlauts: not in cp1251, kept as references
            assert f"&#{ord(char)};".encode() in body


def test_wrong_charset_breaks_utf8_when_the_page_has_typographic_marks(
    server: ReplicaServer,
) -> None:
    for key in server.model:
        full = normal_page(server, server.model.article(key).path)
        if any(mark.encode() in full for mark in "„“–—"):
            break
    else:
        pytest.skip("no page with typographic marks")
    server.faults = FaultPlan().wrong_charset()
    body = get(server, server.model.article(key).path)[2]
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_no_charset(server: ReplicaServer) -> None:
    path = article_path(server)
    server.faults = FaultPlan().no_charset()
    status, headers, body = get(server, path)
    assert (status, headers["Content-Type"]) == (200, "text/html")
    assert b"charset" not in body.lower()
    assert any(ord(char) > 127 for char in body.decode("utf-8"))


def test_oversized_default_is_above_the_crawlers_maxsize(server: ReplicaServer) -> None:
    from beltacrawl.settings import DOWNLOAD_MAXSIZE

    plan = server.faults = FaultPlan().oversized()
    status, headers, body = get(server, "/all_news/", timeout=20)
    assert status == 200 and int(headers["Content-Length"]) == len(body) == 12 * MB
    assert len(body) > DOWNLOAD_MAXSIZE
    assert body.rstrip().endswith(b"</html>")
    assert plan.fired["oversized"] == 1


def test_oversized_without_content_length(server: ReplicaServer) -> None:
    server.faults = FaultPlan().oversized(size=MB, send_length=False)
    status, headers, body = get(server, "/all_news/")
    assert status == 200 and headers["Content-Length"] is None
    assert headers["Connection"] == "close" and len(body) == MB


# --- redirects --------------------------------------------------------------------------


def test_redirect_loop(server: ReplicaServer) -> None:
    path = article_path(server)
    plan = server.faults = FaultPlan().redirect_loop()
    status, headers, _ = get(server, path)
    loop = headers["Location"]
    assert status == 302 and loop == f"{path}?sitesim_loop=1"
    status, headers, _ = get(server, loop)
    assert (status, headers["Location"]) == (302, path)
    assert get(server, path)[0] == 302  # still looping: every request
    assert plan.fired["redirect_loop"] == 3
    assert plan.never_served_correctly() == {server.model.keys()[0]}


def test_redirect_loop_once(server: ReplicaServer) -> None:
    path = article_path(server)
    server.faults = FaultPlan().redirect_loop(times=1)
    assert get(server, path)[0] == 302
    assert get(server, f"{path}?sitesim_loop=1")[0] == 302
    assert get(server, path)[0] == 200


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.2:8080"])
def test_offsite_redirect(server: ReplicaServer, host: str) -> None:
    path = article_path(server)
    plan = server.faults = FaultPlan().offsite_redirect(host)
    status, headers, _ = get(server, path)
    assert (status, headers["Location"]) == (302, f"http://{host}{path}")
    assert get(server, "/all_news/")[0] == 200  # articles only, by default
    assert plan.fired["offsite_redirect"] == 1


def test_offsite_meta_refresh(server: ReplicaServer) -> None:
    path = article_path(server)
    server.faults = FaultPlan().offsite_redirect(meta=True)
    status, _, body = get(server, path)
    assert status == 200
    assert f'content="0; url=http://evil.example{path}"'.encode() in body


def test_offsite_redirect_to_another_scheme(server: ReplicaServer) -> None:
    path = article_path(server)
    server.faults = FaultPlan().offsite_redirect(f"127.0.0.1:{server.port}", scheme="https")
    status, headers, _ = get(server, path)
    assert (status, headers["Location"]) == (302, f"https://127.0.0.1:{server.port}{path}")


def test_article_redirect(server: ReplicaServer) -> None:
    moved, target = article_path(server, 0), article_path(server, 1)
    plan = server.faults = FaultPlan().article_redirect(
        target, match=for_keys(server.model.keys()[0])
    )
    status, headers, _ = get(server, moved)
    assert (status, headers["Location"]) == (307, target)
    assert get(server, target)[0] == 200
    assert plan.never_served_correctly() == {server.model.keys()[0]}


def test_javascript_refresh_is_intact(server: ReplicaServer) -> None:
    path = article_path(server)
    plan = server.faults = FaultPlan().javascript_refresh()
    status, _, body = get(server, path)
    assert status == 200
    assert b'<meta http-equiv="refresh" content="0; url=javascript:void(0)">' in body
    assert parse_article(Selector(text=body.decode())).paragraphs  # the article is all there
    assert plan.fired["javascript_refresh"] == 1
    assert plan.served_correctly == {server.model.keys()[0]}
    assert plan.never_served_correctly() == set()


# --- hostile links ----------------------------------------------------------------------


def test_whitespace_links(server: ReplicaServer) -> None:
    server.faults = FaultPlan().whitespace_links()
    _, _, body = get(server, "/all_news/")
    hrefs = (
        Selector(text=body.decode()).css("div.lenta_item a[href*='/view/']::attr(href)").getall()
    )
    assert len(hrefs) == 10
    assert all("/view/\t" in href and "\n-" in href for href in hrefs)


def test_long_link(server: ReplicaServer) -> None:
    plan = server.faults = FaultPlan(seed=3).long_link(5000)
    _, _, body = get(server, "/all_news/")
    hrefs = (
        Selector(text=body.decode()).css("div.lenta_item a[href*='/view/']::attr(href)").getall()
    )
    (long,) = [href for href in hrefs if len(href) > 5000]
    (damaged,) = plan.never_served_correctly()
    assert long.endswith(f"-{damaged}/")
    assert len(hrefs) == 10


def test_huge_listing_links_to_articles_that_answer_404(server: ReplicaServer) -> None:
    plan = server.faults = FaultPlan().huge_listing(2000, times=1)
    _, _, body = get(server, "/all_news/")
    page = listing(body)
    assert len(page.entries) == 2010
    assert [entry.key for entry in page.entries[:10]] == server.model.keys()[:10]
    assert get(server, "/society/view/sitesim-filler-7-2099/")[0] == 404
    assert plan.never_served_correctly() == {"7-2099"}
    assert plan.fired["huge_listing"] == 2
    assert len(get(server, "/all_news/")[2]) < 20_000  # times=1


# --- layout -----------------------------------------------------------------------------


def test_listing_without_day_groups(server: ReplicaServer) -> None:
    server.faults = FaultPlan().no_day_groups()
    page = listing(get(server, "/all_news/")[2])
    assert len(page.entries) == 10
    assert all(entry.listed_at is None for entry in page.entries)


def test_listing_entries_shuffled(server: ReplicaServer) -> None:
    normal = [entry.key for entry in listing(normal_page(server, "/all_news/")).entries]
    server.faults = FaultPlan(seed=5).shuffled_entries()
    shuffled = [entry.key for entry in listing(get(server, "/all_news/")[2]).entries]
    assert sorted(shuffled) == sorted(normal) and shuffled != normal
    server.faults = FaultPlan(seed=5).shuffled_entries()
    again = [entry.key for entry in listing(get(server, "/all_news/")[2]).entries]
    assert again == shuffled  # deterministic by seed


def test_listing_without_lead_and_next_link(server: ReplicaServer) -> None:
    assert listing(normal_page(server, "/all_news/")).next_url is not None
    plan = server.faults = FaultPlan().no_lead().no_load_more()
    page = listing(get(server, "/all_news/")[2])  # the first rule that fires answers
    assert len(page.entries) == 10 and all(entry.lead is None for entry in page.entries)
    assert page.next_url is not None
    page = listing(get(server, "/all_news/page/2/")[2], "/all_news/page/2/")
    assert plan.fired == {"no_lead": 2}
    server.faults = FaultPlan().no_load_more()
    page = listing(get(server, "/all_news/")[2])
    assert len(page.entries) == 10 and page.next_url is None


def test_listing_without_p_next(make_replica: MakeReplica) -> None:
    server = make_replica(articles=50, next_link="p_next")
    assert listing(normal_page(server, "/all_news/")).next_url is not None
    server.faults = FaultPlan().no_load_more()
    assert listing(get(server, "/all_news/")[2]).next_url is None


def test_layout_changed_listing_answers_200_with_no_entries(server: ReplicaServer) -> None:
    plan = server.faults = FaultPlan().layout_changed()
    for path in ("/all_news/", "/all_news/page/3/", "/economics/"):
        status, _, body = get(server, path)
        assert status == 200 and b"/view/" in body  # the links are there, for a browser
        page = listing(body, path)
        assert page.entries == [] and page.next_url is None
        assert "div#inner" in page.missing
    assert get(server, article_path(server))[0] == 200
    assert plan.fired["layout_changed"] == 3
    server.faults = FaultPlan().layout_changed(keep_links=True)
    page = listing(get(server, "/all_news/")[2])
    assert len(page.entries) == 10  # the crawler's link fallback still finds them
    assert all(entry.listed_at is None for entry in page.entries)


def test_article_without_body_container(server: ReplicaServer) -> None:
    path = article_path(server)
    plan = server.faults = FaultPlan().no_body_container()
    status, _, body = get(server, path)
    assert status == 200 and b"js-mediator-article" not in body
    raw = parse_article(Selector(text=body.decode("utf-8")))
    assert raw.paragraphs == [] and "div.js-mediator-article" in raw.missing
    assert raw.title  # the rest of the page is intact
    assert plan.never_served_correctly() == {server.model.keys()[0]}
    server.faults = FaultPlan().no_body_container(keep_text=True)
    raw = parse_article(Selector(text=get(server, path)[2].decode("utf-8")))
    assert raw.paragraphs and "div.js-mediator-article" in raw.missing


def test_article_date_in_an_undocumented_format(server: ReplicaServer) -> None:
    path = article_path(server)
    server.faults = FaultPlan().date_changed()
    status, _, body = get(server, path)
    assert status == 200 and b"published_time" not in body
    raw = parse_article(Selector(text=body.decode("utf-8")))
    assert raw.published_raw == "vor 3 Stunden" and raw.published_meta is None
    assert raw.title and raw.paragraphs  # the rest of the page is intact


def test_charset_labels_the_page_in_its_encoding(server: ReplicaServer) -> None:
    path = article_path(server)
    full = normal_page(server, path).decode("utf-8")
    server.faults = FaultPlan().charset("utf-16")
    _status, headers, body = get(server, path)
    assert headers["Content-Type"] == "text/html; charset=utf-16"
    assert body.decode("utf-16") == full.replace('charset="utf-8"', 'charset="utf-16"')
    assert b"</html" not in body  # not as ASCII bytes


@pytest.mark.parametrize("where", ["markup", "title"])
def test_stray_bytes_in_a_utf8_page(server: ReplicaServer, where: str) -> None:
    path = article_path(server)
    full = normal_page(server, path)
    plan = server.faults = FaultPlan().stray_bytes(where)
    body = get(server, path)[2]
    # Bytes in a comment leave the text intact: the article counts as served correctly.
    key = server.model.keys()[0]
    assert (key in plan.served_correctly) == (where == "markup")
    assert plan.never_served_correctly() == (set() if where == "markup" else {key})
    assert len(body) == len(full) + (4 if where == "title" else 14)
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    title = parse_article(Selector(text=body.decode("utf-8", errors="replace"))).title
    assert title.startswith("\ufffd" * 4) == (where == "title")


def test_control_chars_and_hostile_markup_in_an_article(server: ReplicaServer) -> None:
    path = article_path(server)
    server.faults = FaultPlan().control_chars()
    text = get(server, path)[2].decode("utf-8")
    assert text.count(CONTROL_CHARS) == 2
    server.faults = FaultPlan().hostile_markup()
    text = get(server, path)[2].decode("utf-8")
    assert HOSTILE_BODY in text and HOSTILE_TITLE in text


def test_layout_faults_fire_only_on_normal_pages(server: ReplicaServer) -> None:
    plan = server.faults = FaultPlan().truncated(match="").no_body_container(match="")
    assert get(server, "/nope/view/x-1-2024/")[0] == 404
    assert plan.fired == {}


# --- bookkeeping and determinism --------------------------------------------------------


def test_never_served_correctly(server: ReplicaServer) -> None:
    always, once, clean = server.model.keys()[:3]
    plan = server.faults = (
        FaultPlan()
        .server_error(503, match=for_keys(always), probability=1.0)
        .rate_limit(1, match=always)  # never reached: the first rule answers
        .reset(match=for_keys(once), times=1)
    )
    paths = {key: server.model.article(key).path for key in (always, once, clean)}
    for key in (always, once, always, once, clean):
        with contextlib.suppress(http.client.IncompleteRead, ConnectionResetError):
            get(server, paths[key])
    assert plan.never_served_correctly() == {always}
    assert plan.served_correctly == {once, clean}
    assert plan.faults_for(always) == {"server_error": 2}
    assert plan.faults_for(once) == {"reset": 1}
    assert plan.fired == {"server_error": 2, "reset": 1}
    assert [event.key for event in plan.events] == [always, once, always]


def _decisions(plan: FaultPlan, targets: list[str]) -> dict[tuple[str, int], str | None]:
    seen: dict[str, int] = {}
    decided = {}
    for number, target in enumerate(targets, 1):
        page = Response(200, b"<html><body>ok</body></html>")
        response = plan.intercept(Request("GET", target, {}, number, page=lambda p=page: p))
        occurrence = seen[target] = seen.get(target, -1) + 1
        decided[target, occurrence] = getattr(response, "fault", None)
    return decided


def test_probability_is_seeded_and_independent_of_request_order() -> None:
    targets = [f"/economics/view/x-{n}-2024/" for n in range(200)] * 2
    first = _decisions(FaultPlan.mix(seed=11, rate=0.3), targets)
    assert first == _decisions(FaultPlan.mix(seed=11, rate=0.3), targets[::-1])
    assert first != _decisions(FaultPlan.mix(seed=12, rate=0.3), targets)
    kinds = [kind for kind in first.values() if kind]
    assert set(kinds) == set(TRANSIENT_KINDS)
    assert 0.2 < len(kinds) / len(targets) < 0.4


def test_mix_options() -> None:
    plan = FaultPlan.mix(seed=1, rate=0.2, kinds=("server_error", "truncated", "empty"))
    assert sorted({rule.kind for rule in plan.rules}) == ["empty", "server_error", "truncated"]
    assert {rule.params.get("status") for rule in plan.rules if rule.kind == "server_error"} == {
        500,
        502,
        503,
    }
    assert sum(rule.probability or 0 for rule in plan.rules) == pytest.approx(0.2)


def test_mix_against_the_server(server: ReplicaServer) -> None:
    plan = server.faults = FaultPlan.mix(seed=2, rate=0.5, slow_delay=0.05)
    statuses = []
    for key in server.model.keys()[:40]:
        try:
            statuses.append(get(server, server.model.article(key).path)[0])
        except (http.client.IncompleteRead, ConnectionResetError):
            statuses.append("reset")
    assert sum(plan.fired.values()) == sum(1 for r in server.requests if r.fault)
    assert {200, 429, "reset"} <= set(statuses)
    # Each article was requested once: every faulted one was never served correctly.
    assert plan.never_served_correctly() == {event.key for event in plan.events}
    assert len(plan.served_correctly) + len(plan.never_served_correctly()) == 40


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        FaultPlan().rule("meteor")


def test_match_by_regex_and_substring(server: ReplicaServer) -> None:
    plan = server.faults = (
        FaultPlan().server_error(500, match=re.compile(r"/page/\d+/$"), probability=1).empty()
    )
    assert get(server, "/all_news/page/2/")[0] == 500
    assert get(server, "/economics/page/2/")[0] == 500
    assert get(server, "/all_news/")[2] == b""  # the catch-all empty(), once
    assert get(server, "/all_news/")[0] == 200
    assert plan.fired == {"server_error": 2, "empty": 1}
