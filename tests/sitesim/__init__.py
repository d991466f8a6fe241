"""A local replica of deu.belta.by for end-to-end tests (stdlib only).

>>> from tests.sitesim import ReplicaServer, SiteModel
>>> with ReplicaServer(SiteModel(articles=50)) as server:
...     server.base_url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

from tests.sitesim.article import VARIANTS, Article
from tests.sitesim.faults import FaultPlan, FaultResponse, Faults, Request, for_keys
from tests.sitesim.model import SiteModel
from tests.sitesim.routes import Response
from tests.sitesim.server import ReplicaServer, RequestRecord

__all__ = [
    "VARIANTS",
    "Article",
    "FaultPlan",
    "FaultResponse",
    "Faults",
    "ReplicaServer",
    "Request",
    "RequestRecord",
    "Response",
    "SiteModel",
    "for_keys",
]
