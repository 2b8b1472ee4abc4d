"""Serving a bundle's recorded responses on loopback, so `relscan assess`
re-runs the same provider code with no network beyond this machine."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from scanner.emulators.server import LoopbackServer, Request, Response

KeyFunction = Callable[[Request], dict[str, Any]]


def http_key(req: Request) -> dict[str, Any]:
    """The key REST providers record: method, path and sorted query."""
    query = sorted((k, v) for k, vs in req.query.items() for v in vs)
    return {"method": req.method.upper(), "path": req.path, "query": [list(q) for q in query]}


def canonical(key: dict[str, Any]) -> str:
    return json.dumps(key, sort_keys=True, separators=(",", ":"), default=str)


def load_exchanges(folder: Path, provider: str) -> list[dict[str, Any]]:
    out = []
    for path in sorted((folder / "responses").glob(f"*-{provider}-*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("provider") == provider:
            out.append(data)
    return out


class ReplayApp:
    """Answers each request with the recorded response whose key matches, in
    recorded order for repeated keys; an unrecorded request gets a 404."""

    def __init__(self, exchanges: list[dict[str, Any]], key_of: KeyFunction) -> None:
        self.key_of = key_of
        self.queues: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for ex in exchanges:
            key = ex["key"]
            if "query" in key:
                key = {**key, "query": [list(q) for q in key["query"]]}
            self.queues[canonical(key)].append(ex)
        self.misses: list[str] = []

    def __call__(self, req: Request) -> Response:
        key = canonical(self.key_of(req))
        queue = self.queues.get(key)
        if not queue:
            self.misses.append(key)
            return Response(
                404,
                b'{"error": "not in the evidence bundle"}',
                {"Content-Type": "application/json"},
            )
        ex = queue.pop(0) if len(queue) > 1 else queue[0]
        body = ex["body"]
        raw = body if isinstance(body, str) else json.dumps(body)
        return Response(int(ex["status"]), raw.encode("utf-8"), dict(ex["headers"]))


def form_params(body: bytes) -> dict[str, str]:
    return {
        k: v
        for k, v in parse_qsl(body.decode(), keep_blank_values=True)
        if k not in ("Action", "Version")
    }


def emulator_module(provider: str) -> Any:
    from scanner.plugin import installed_plugins

    return installed_plugins()[provider].emulator_module()


@contextmanager
def replaying(folder: Path, providers: list[str]) -> Iterator[dict[str, str | None]]:
    """Serve each provider's recorded answers from `folder` on loopback until
    the block ends; yield the environment that points the SDKs there."""
    env: dict[str, str | None] = {}
    with ExitStack() as stack:
        for name in providers:
            module = emulator_module(name)
            app = ReplayApp(load_exchanges(folder, name), getattr(module, "replay_key", http_key))
            server = LoopbackServer(app).start()
            stack.callback(server.stop)
            env.update(module.endpoint_env(server.url))
        yield env
