"""Shared pytest fixtures."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from beltacrawl.archive import Archive
from tests.sitesim import ReplicaServer, SiteModel

# --- hypothesis (tests/test_properties.py) ---------------------------------------------------
# "ci" (the default) is deterministic: derandomized, no example database, no deadline (a
# loaded CI machine must not turn a slow example into a failure). "fuzz" searches at random
# and much longer: HYPOTHESIS_PROFILE=fuzz pytest tests/test_properties.py
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, suppress_health_check=_QUIET
)
settings.register_profile(
    "fuzz", max_examples=5000, database=None, deadline=None, suppress_health_check=_QUIET
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

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


# --- the archive (tests/test_archive*.py) ------------------------------------------------------


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    """A new archive in a directory that does not exist yet."""
    with Archive.open(tmp_path / "sub" / "belta.sqlite") as opened:
        yield opened
