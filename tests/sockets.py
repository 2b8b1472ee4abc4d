"""Loopback endpoints that misbehave as networks do: a socket that accepts
connections and never answers (a hung endpoint, a black-holing proxy), a port
that refuses them, and a real emulator that stops answering some requests.
The CLI tests point each cloud's endpoint setting at them."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from scanner.emulators.server import Request, Response

TENANCY = "ocid1.tenancy.oc1..aaaaaaaahangingtenancy"


class Silent:
    """A loopback port that accepts every connection and never sends a byte."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        self.accepted = threading.Event()  # set at the first connection
        self.connections = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        self.server.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self._held.append(conn)  # kept open, never answered
            self.connections += 1
            self.accepted.set()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for conn in self._held:
            conn.close()
        self.server.close()


@contextmanager
def silent_socket() -> Iterator[Silent]:
    silent = Silent()
    silent._thread.start()
    try:
        yield silent
    finally:
        silent.close()


@contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port that nothing listens on: connections are refused at once."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # bound, then closed: nothing listens there now
    yield port


class Hanging:
    """A real emulator app that never answers the requests `when` picks: the
    handler thread waits until the test ends, as a hung cloud API would."""

    def __init__(self, app: Callable[[Request], Response], when: Callable[[Request], bool]):
        self.app = app
        self.when = when
        self.hung = threading.Event()  # set when a request was left unanswered
        self.release = threading.Event()

    def __call__(self, req: Request) -> Response:
        if self.when(req):
            self.hung.set()
            self.release.wait(120)
        return self.app(req)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)


def cloud_env(cloud: str, port: int) -> dict[str, str]:
    """The environment a user's shell would have with `cloud`'s endpoint at `port`."""
    url = f"http://127.0.0.1:{port}"
    keep = ("AWS_", "RELSCAN_", "GOOGLE_", "OCI_", "AZURE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(keep)}
    env["RELSCAN_STORE"] = os.environ["RELSCAN_STORE"]
    if cloud == "aws":
        env.update(AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing",
                   AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="eu-west-2",
                   AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull,
                   AWS_SHARED_CREDENTIALS_FILE=os.devnull)  # fmt: skip
    elif cloud == "azure":
        env["RELSCAN_AZURE_ENDPOINT"] = url
    elif cloud == "gcp":
        env["RELSCAN_GCP_ENDPOINT"] = url
    elif cloud == "oci":
        env.update(RELSCAN_OCI_ENDPOINT=url, RELSCAN_OCI_TENANCY=TENANCY,
                   OCI_REGION="uk-london-1", OCI_CONFIG_FILE="/nonexistent/oci-config")  # fmt: skip
    return env
