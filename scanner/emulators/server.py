"""A small threaded HTTP server on loopback that hands requests to an app."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from scanner.emulators.faults import FaultPlan


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


App = Callable[[Request], Response]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as two writes; without this, Nagle's algorithm
        # and the client's delayed ACK hold every answer back by ~40 ms.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        req = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        with self.server.lock:
            self.server.log.append(req)
        if self.server.latency:
            time.sleep(self.server.latency)
        fault = None
        if self.server.faults:
            key = f"{req.method} {self.path} {hashlib.sha256(body).hexdigest()}"
            fault = self.server.faults.pick(key)
        if fault == "drop":
            self.close_connection = True
            return  # no answer at all: the client sees the connection closed
        if fault == "slow":
            time.sleep(self.server.faults.slow_seconds)  # type: ignore[union-attr]
        try:
            if fault in ("throttle", "500", "503"):
                resp = _fault_response(self.server.app, fault, req, self.server.faults)
            else:
                resp = self.server.app(req)
        except Exception as exc:  # an emulator bug answers 500, like a cloud would
            resp = Response(500, f"emulator error: {type(exc).__name__}: {exc}".encode())
        self.send_response(resp.status)
        for key, value in resp.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        self.wfile.write(resp.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet: the request log is kept in memory instead


def _fault_response(app: App, kind: str, req: Request, plan: FaultPlan | None) -> Response:
    render = getattr(app, "fault_response", None)
    if render is not None:
        return render(kind, req)
    status = 429 if kind == "throttle" else int(kind)
    headers = {"Content-Type": "application/json"}
    if kind == "throttle":
        headers["Retry-After"] = str(plan.retry_after if plan else 0)
    return Response(status, b'{"error": "injected fault"}', headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many scopes at once must not be refused a connection

    def __init__(self, app: App, host: str, faults: FaultPlan | None, latency: float) -> None:
        super().__init__((host, 0), _Handler)
        self.app = app
        self.faults = faults
        self.latency = latency
        self.log: list[Request] = []
        self.lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return  # the client gave up (a timeout test, an interrupted scan): not our error
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class LoopbackServer:
    """Serve `app` on 127.0.0.1 at a free port for the life of a `with` block."""

    def __init__(
        self,
        app: App,
        host: str = "127.0.0.1",
        faults: FaultPlan | None = None,
        latency: float = 0.0,  # seconds added to every answer, as a distant cloud would
    ) -> None:
        self._server = _Server(app, host, faults, latency)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self) -> list[Request]:
        with self._server.lock:
            return list(self._server.log)

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
