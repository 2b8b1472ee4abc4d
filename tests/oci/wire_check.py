"""Walk emulator JSON against the OCI SDK's model classes: every key must be a
wire name in the class's attribute_map (resolving discriminator subclasses),
and every enum value one the SDK knows."""

from __future__ import annotations

import json
import re
from typing import Any

import oci

from providers.oci.auth import _PLACEHOLDER_KEYS as PLACEHOLDERS
from providers.oci.auth import Credentials, Unsigned
from providers.oci.clients import OciClients

MODULES = {
    "identity": oci.identity.models,
    "load_balancer": oci.load_balancer.models,
    "devops": oci.devops.models,
    "dns": oci.dns.models,
}
PRIMITIVES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "datetime": (str,),
    "date": (str,),
    "object": (object,),
}
_CLIENT: dict[str, Any] = {}


def problems(module: str, class_name: str, data: Any, path: str = "$") -> list[str]:
    return _value(MODULES[module], class_name, data, path)


def _value(models: Any, typ: str, value: Any, path: str) -> list[str]:
    if value is None:
        return []
    if m := re.fullmatch(r"list\[(.+)\]", typ):
        if not isinstance(value, list):
            return [f"{path}: expected a list for {typ}"]
        return [p for i, v in enumerate(value) for p in _value(models, m[1], v, f"{path}[{i}]")]
    if m := re.fullmatch(r"dict\(str, (.+)\)", typ):
        if not isinstance(value, dict):
            return [f"{path}: expected an object for {typ}"]
        return [p for k, v in value.items() for p in _value(models, m[1], v, f"{path}.{k}")]
    if typ in PRIMITIVES:
        ok = isinstance(value, PRIMITIVES[typ]) and not (typ == "int" and isinstance(value, bool))
        return [] if ok else [f"{path}: {value!r} is not {typ}"]
    return _model(models, typ, value, path)


def _model(models: Any, name: str, data: Any, path: str) -> list[str]:
    if not isinstance(data, dict):
        return [f"{path}: expected an object for {name}"]
    cls = getattr(models, name)
    if hasattr(cls, "get_subtype"):
        try:
            sub = cls.get_subtype(data)
        except KeyError as exc:
            return [f"{path}: discriminator {exc} missing for {name}"]
        if sub == name:
            return [f"{path}: no subtype of {name} for {data}"]
        cls = getattr(models, sub)
    instance = cls()
    by_wire = {wire: attr for attr, wire in instance.attribute_map.items()}
    out: list[str] = []
    for key, value in data.items():
        attr = by_wire.get(key)
        if attr is None:
            out.append(f"{path}.{key}: not a field of {cls.__name__}")
            continue
        out += _value(models, instance.swagger_types[attr], value, f"{path}.{key}")
    return out


def unknown_enums(module: str, class_name: str, data: dict[str, Any]) -> list[str]:
    """Deserialise with the SDK itself; list attributes it marked unknown."""
    client = _CLIENT.get(module)
    if client is None:
        creds = Credentials(
            {**PLACEHOLDERS, "tenancy": "ocid1.tenancy.oc1..aaaaaaaat"},
            Unsigned(),
            None,
            "uk-london-1",
            "test",
        )
        service = {"load_balancer": "loadbalancer"}.get(module, module)
        client = OciClients(creds).get(service, "uk-london-1").base_client
        _CLIENT[module] = client
    obj = client.deserialize_response_data(json.dumps(data).encode(), class_name)
    found: list[str] = []
    _scan(obj, "$", found)
    return found


def _scan(obj: Any, path: str, found: list[str]) -> None:
    if isinstance(obj, str) and obj == "UNKNOWN_ENUM_VALUE":
        found.append(path)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _scan(v, f"{path}[{i}]", found)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _scan(v, f"{path}.{k}", found)
    elif hasattr(obj, "attribute_map"):
        for attr in obj.attribute_map:
            _scan(getattr(obj, attr), f"{path}.{attr}", found)
