"""Loopback sockets that misbehave as networks do: one accepts connections and
never answers (a hung endpoint, a black-holing proxy), one refuses them.
Each cloud's CLI tests point its endpoint setting at them."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

TENANCY = "ocid1.tenancy.oc1..aaaaaaaahangingtenancy"


@contextmanager
def silent_socket() -> Iterator[int]:
    """A port that accepts every connection and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)  # kept open, never answered

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        server.close()


@contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port that nothing listens on: connections are refused at once."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # bound then closed: nothing listens there now
    yield port


def cloud_env(cloud: str, port: int) -> dict[str, str]:
    """The environment a user's shell would have with `cloud`'s endpoint at `port`."""
    url = f"http://127.0.0.1:{port}"
    keep = ("AWS_", "RELSCAN_", "GOOGLE_", "OCI_", "AZURE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(keep)}
    env["RELSCAN_STORE"] = os.environ["RELSCAN_STORE"]
    if cloud == "aws":
        env.update(AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing",
                   AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="eu-west-2",
                   AWS_EC2_METADATA_DISABLED="true")  # fmt: skip
    elif cloud == "azure":
        env["RELSCAN_AZURE_ENDPOINT"] = url
    elif cloud == "gcp":
        env["RELSCAN_GCP_ENDPOINT"] = url
    elif cloud == "oci":
        env.update(RELSCAN_OCI_ENDPOINT=url, RELSCAN_OCI_TENANCY=TENANCY,
                   OCI_REGION="uk-london-1")  # fmt: skip
    return env
