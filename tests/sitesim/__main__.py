"""Serve a replica by hand: ``python -m tests.sitesim --port 8000 --articles 500``."""

from __future__ import annotations

import argparse
import threading

from tests.sitesim.model import SiteModel
from tests.sitesim.server import ReplicaServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.sitesim", description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--page-size", type=int, default=10)
    parser.add_argument("--next-link", choices=("load_more", "p_next"), default="load_more")
    parser.add_argument("--no-samples", action="store_true", help="leave out the real samples")
    parser.add_argument(
        "--scripted", action="store_true", help="listings and bodies filled by JavaScript"
    )
    parser.add_argument(
        "--rubric-pages-repeat", action="store_true", help="rubric pages N >= 2 show page 1"
    )
    parser.add_argument(
        "--listing-depth", type=int, default=None, help="pages past this answer 404"
    )
    args = parser.parse_args(argv)
    model = SiteModel(
        seed=args.seed,
        articles=args.articles,
        page_size=args.page_size,
        samples=not args.no_samples,
        next_link=args.next_link,
        scripted=args.scripted,
        rubric_pagination_repeats=args.rubric_pages_repeat,
        listing_depth=args.listing_depth,
    )
    server = ReplicaServer(model, host=args.host, port=args.port).start()
    print(server.base_url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
