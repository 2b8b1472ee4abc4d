"""Serving an estate file from the emulators, and pointing the SDKs at them.

An estate file has one top-level key per provider that brings an emulator
(`ProviderPlugin.emulator`: aws, azure, gcp and oci today). Each emulator
module offers `start(part, stack) -> env`: it serves its
part on loopback until the stack closes and returns the environment variables
(None meaning "unset") that send that cloud's SDK calls there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from importlib import resources
from typing import Any

import yaml

from scanner import textfile
from scanner.errors import UsageError
from scanner.plugin import ProviderPlugin, installed_plugins


def emulators() -> dict[str, ProviderPlugin]:
    """The installed providers that bring an emulator, by name."""
    return {name: p for name, p in installed_plugins().items() if p.emulator}


def load_estate(path: str | None = None) -> dict[str, Any]:
    if path:
        text = textfile.read(path, f"estate file {path}", hint="")
    else:
        text = resources.files("scanner.demo").joinpath("estate.yaml").read_text("utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(f"estate file {path}: {exc}") from None
    known = emulators()
    if not isinstance(data, dict) or not set(data) <= set(known) | {"waivers"}:
        raise UsageError(
            f"estate file {path}: top-level keys must be among {', '.join(known)}, waivers"
        )
    for key, part in data.items():
        expected, kind = (list, "a list") if key == "waivers" else (dict, "a mapping")
        if not isinstance(part, expected):
            raise UsageError(
                f"estate file {path}: {key}: expected {kind} (as in the built-in estate), "
                f"not {type(part).__name__} {part!r:.40}"
            )
    return data


@contextmanager
def serve(estate: dict[str, Any]) -> Iterator[dict[str, str | None]]:
    env: dict[str, str | None] = {}
    with ExitStack() as stack:
        known = emulators()
        for cloud, part in estate.items():
            if cloud not in known:
                continue
            module = known[cloud].emulator_module()
            try:
                env.update(module.start(part, stack))
            except (AttributeError, KeyError, TypeError, ValueError) as exc:
                raise UsageError(
                    f"estate: the {cloud} part cannot be served ({type(exc).__name__}: {exc})"
                ) from None
        yield env


@contextmanager
def patched_environ(env: dict[str, str | None]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in env}
    for key, value in env.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
