"""What every OCI client built for a scan does around each HTTP exchange:
refuse, before sending, anything that is not a declared read operation; and
record every response into the run's evidence bundle.

Installed by providers/oci/clients.py, the one place clients are built.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import oci
import requests

from providers.oci.faults import MalformedAnswer
from providers.oci.malformed import last_raw, looks_like_json, remember, salvage
from providers.oci.permissions import Operation, match
from scanner.evidence.recorder import Recorder
from scanner.readonly import ReadOnlyViolation

SDK_ERRORS = (
    ReadOnlyViolation,
    oci.exceptions.ServiceError,
    oci.exceptions.RequestException,
    oci.exceptions.ClientError,
    requests.exceptions.RequestException,
)
CONTEXT_PATH = "/relscan/context"  # the scan's tenancy and home region, in a bundle


def install(client: Any, service: str, region: str, recorder: Recorder | None = None) -> None:
    base = client.base_client
    _refuse_undeclared(base, service)
    base.session.hooks.setdefault("response", []).append(_recorder_hook(service, region, recorder))


def _refuse_undeclared(base: Any, service: str) -> None:
    """Every SDK operation goes through `BaseClient.request` (after the path
    and its parameters are filled in, before the session sends anything)."""
    send = base.request

    def request(req: Any, *args: Any, **kwargs: Any) -> Any:
        name = kwargs.get("operation_name") or (args[1] if len(args) > 1 else None)
        path = urlsplit(req.url).path
        if match(service, req.method, path) is None:
            raise ReadOnlyViolation(
                f"refused {name or 'an undeclared call'} ({req.method} {path}): not a read "
                f"operation relscan declares for OCI {service}; nothing was sent"
            )
        remember(None)  # nothing received yet for this request
        try:
            response = send(req, *args, **kwargs)
        except SDK_ERRORS:
            raise
        except Exception as exc:
            if last_raw() is None:
                raise  # it failed before any answer came: not the answer's fault
            salvaged = salvage(base, req, name, exc)  # the SDK could not read the answer
            if salvaged is None:
                raise MalformedAnswer(
                    f"{name or req.method}: {type(exc).__name__}: {exc}"
                ) from None
            return salvaged
        if not looks_like_json(req):
            raise MalformedAnswer(f"{name or req.method}: the answer is not JSON")
        return response

    base.request = request


def key(region: str, method: str, path: str, query: list[tuple[str, str]]) -> dict[str, Any]:
    """What a replay matches a request on: the method, the client's region, the
    API path without any endpoint prefix or host, and the sorted query."""
    return {
        "method": method.upper(),
        "region": region,
        "path": path,
        "query": [list(q) for q in sorted(query)],
    }


def api_path(op: Operation, path: str) -> str:
    found = op.pattern.search(path)
    return "/" + (found[0] if found else path).lstrip("/")


def _recorder_hook(service: str, region: str, given: Recorder | None) -> Any:
    def hook(response: Any, *args: Any, **kwargs: Any) -> Any:
        remember(response)
        recorder = given
        if recorder is None:
            return response
        req = response.request
        parts = urlsplit(req.url)
        op = match(service, req.method, parts.path)
        query = parse_qsl(parts.query, keep_blank_values=True)
        path = api_path(op, parts.path) if op else parts.path
        recorder.record(
            "oci",
            service,
            op.name if op else "Undeclared",
            req.method,
            req.url,
            req.body,
            response.status_code,
            dict(response.headers),
            response.content,
            key=key(region, req.method, path, query),
        )
        return response

    return hook


def record_context(
    tenancy: str | None, home_region: str | None, given: Recorder | None = None
) -> None:
    """Put the scan's tenancy and home region in the bundle: they come from the
    config file or the environment, not from an API answer, and a replay needs
    them to ask the same questions."""
    recorder = given
    if recorder is None:
        return
    body = {"tenancy": tenancy, "home_region": home_region}
    recorder.record(
        "oci",
        "relscan",
        "ScanContext",
        "GET",
        f"relscan:{CONTEXT_PATH}",
        None,
        200,
        {"content-type": "application/json"},
        json.dumps(body),
        key=key("", "GET", CONTEXT_PATH, []),
    )
