"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.sitesim import ReplicaServer, SiteModel

# --- replica of deu.belta.by (tests/sitesim) ------------------------------------------------


@pytest.fixture
def make_replica() -> Iterator[Callable[..., ReplicaServer]]:
    """Factory: ``make_replica(articles=300, seed=1, **model_options)`` → started server.

    Every server it made is stopped at teardown; ``server.model`` is its :class:`SiteModel`.
    """
    servers: list[ReplicaServer] = []

    def make(articles: int = 300, seed: int = 1, **options: Any) -> ReplicaServer:
        server = ReplicaServer(SiteModel(seed=seed, articles=articles, **options)).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def replica(make_replica: Callable[..., ReplicaServer]) -> ReplicaServer:
    """A started replica with the default model (300 articles, seed 1, samples included)."""
    return make_replica()
