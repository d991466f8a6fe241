"""The replica's HTTP server: a ThreadingHTTPServer in a background thread, with a log.

Every request goes the same way: count it in the model (which may fire a scheduled
publication), ask the :class:`~tests.sitesim.faults.Faults` hook, else route it; then
log and answer. A :class:`~tests.sitesim.faults.FaultResponse` also says how to misbehave
on the socket: stall before the status line, trickle the body, or reset the connection
mid-body.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass
from datetime import UTC
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from tests.sitesim.faults import FaultResponse, Faults, Request
from tests.sitesim.model import SiteModel
from tests.sitesim.routes import Response, origin_form, route


@dataclass(frozen=True)
class RequestRecord:
    method: str
    #: Path with query, as requested (absolute-form targets reduced to it).
    path: str
    status: int
    #: ``time.time()`` when the answer was ready.
    time: float
    user_agent: str | None
    #: The fault kind served instead of the normal answer, if any.
    fault: str | None = None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    #: Do not wait for handlers on stop: a slow fault may still be sleeping.
    block_on_close = False

    def __init__(self, address: tuple[str, int], replica: ReplicaServer) -> None:
        self.replica = replica
        super().__init__(address, ReplicaHandler)


class ReplicaHandler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header tells the model's time: the site's clock, not this machine's."""
        return format_datetime(self.server.replica.model.now.astimezone(UTC), usegmt=True)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is ``ReplicaServer.requests``."""

    def _serve(self, *, send_body: bool) -> None:
        replica = self.server.replica
        target = origin_form(self.path)
        number = replica.model.note_request()
        request = Request(
            self.command,
            target,
            dict(self.headers.items()),
            number,
            page=lambda: route(replica.model, target),
        )
        response = replica.faults.intercept(request) or route(replica.model, target)
        fault = response if isinstance(response, FaultResponse) else None
        replica._log(
            RequestRecord(
                self.command,
                target,
                response.status,
                time.time(),
                self.headers["User-Agent"],
                fault.fault if fault else None,
            )
        )
        try:
            self._answer(response, fault, send_body=send_body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a timeout, a size limit)

    def _answer(self, response: Response, fault: FaultResponse | None, *, send_body: bool) -> None:
        if fault and fault.stall:
            time.sleep(fault.stall)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        if fault and not fault.send_length:
            self.send_header("Connection", "close")
        else:
            self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        body = response.body if send_body else b""
        if fault and fault.reset_at is not None:
            self.wfile.write(body[: fault.reset_at])
            self._reset()
        elif fault and fault.trickle:
            pieces = [body[start : start + 4096] for start in range(0, len(body), 4096)]
            pause = fault.trickle / max(1, len(pieces))
            for piece in pieces or [b""]:
                time.sleep(pause)
                self.wfile.write(piece)
        else:
            self.wfile.write(body)

    def _reset(self) -> None:
        """Close the connection with a TCP RST (``SO_LINGER`` 0), not an orderly FIN."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # the socket closes for real only once its files are closed
        self.connection.close()


class ReplicaServer:
    """Serves a :class:`SiteModel` on ``127.0.0.1`` (a free port unless ``port`` is given)."""

    def __init__(
        self,
        model: SiteModel,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Faults | None = None,
    ) -> None:
        self.model = model
        self.faults = faults or Faults()
        self._address = (host, port)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._log_lock = threading.Lock()
        self._requests: list[RequestRecord] = []

    def start(self) -> ReplicaServer:
        self._httpd = _HTTPServer(self._address, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sitesim-replica",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the replica server is not running")
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self._address[0]}:{self.port}"

    def url(self, path: str) -> str:
        """The replica's URL for a site path (``/all_news/``) or a deu.belta.by URL."""
        return self.base_url + origin_form(path)

    def _log(self, record: RequestRecord) -> None:
        with self._log_lock:
            self._requests.append(record)

    @property
    def requests(self) -> list[RequestRecord]:
        """The requests served so far, oldest first (a copy)."""
        with self._log_lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._log_lock:
            self._requests.clear()
