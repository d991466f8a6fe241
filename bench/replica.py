"""The replica for benchmarks, in its own process, with its request log on demand.

``python -m bench.replica --articles 2000 [--prerender]`` prints the base URL, then reads
commands on stdin, one a line, and answers each with one line on stdout:

- ``requests`` → JSON list of ``{"path", "status", "time"}`` served since the last ``clear``
- ``clear`` → ``ok``

End of input stops the server. ``--prerender`` renders every article page and every
``all_news`` listing page once at start and serves those bytes, so that the server's own
rendering (1–2 ms a page) never limits a throughput comparison; leave it off for large
archives (the pages would not fit in memory).
"""

from __future__ import annotations

import argparse
import json
import sys

import tests.sitesim.server as server_module
from tests.sitesim import ReplicaServer, SiteModel
from tests.sitesim.routes import Response, route
from tests.sitesim.server import ReplicaHandler


def prerendered(model: SiteModel) -> dict[str, Response]:
    pages = {"/robots.txt": route(model, "/robots.txt")}
    for key in model:
        path = model.article(key).path
        pages[path] = route(model, path)
    page_count = -(-len(model) // model.page_size)
    for page in range(1, page_count + 2):
        path = "/all_news/" if page == 1 else f"/all_news/page/{page}/"
        pages[path] = route(model, path)
    return pages


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.replica", description=__doc__)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--prerender", action="store_true")
    parser.add_argument(
        "--sidebar",
        type=int,
        default=SiteModel().sidebar_size,
        help="articles in an article page's sidebar (120: pages of the live site's ~50 kB)",
    )
    args = parser.parse_args(argv)
    model = SiteModel(seed=args.seed, articles=args.articles, sidebar_size=args.sidebar)
    # The handler writes headers and body separately: with Nagle's algorithm on, the
    # client's delayed ACK holds every response back ~40 ms, which would cap any crawl
    # at (connections / 40 ms) and hide the crawler's own cost.
    ReplicaHandler.disable_nagle_algorithm = True
    if args.prerender:
        pages = prerendered(model)

        def cached_route(model: SiteModel, target: str) -> Response:
            return pages.get(target) or route(model, target)

        server_module.route = cached_route  # type: ignore[assignment]
    server = ReplicaServer(model).start()
    print(server.base_url, flush=True)
    try:
        for line in sys.stdin:
            command = line.strip()
            if command == "requests":
                answer = json.dumps(
                    [{"path": r.path, "status": r.status, "time": r.time} for r in server.requests]
                )
            elif command == "clear":
                server.clear_requests()
                answer = "ok"
            else:
                answer = json.dumps({"error": f"unknown command {command!r}"})
            print(answer, flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
