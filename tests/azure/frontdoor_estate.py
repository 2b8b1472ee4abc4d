"""Front Door estates for the tests: profiles in the emulator's `front_door`
fixture shape (providers/azure/emulator/frontdoor.py)."""

from __future__ import annotations

from typing import Any

from tests.azure.conftest import SUB

GROUP = "net-rg"


def fd_profile(name: str = "shop-fd", **fields: Any) -> dict[str, Any]:
    return {"subscription": SUB, "resource_group": GROUP, "name": name, **fields}


def og_id(profile: str, group: str, sub: str = SUB) -> str:
    """An origin group's id as a person writes it (ARM returns it lower-cased in parts)."""
    return (
        f"/subscriptions/{sub}/resourceGroups/{GROUP}/providers/Microsoft.Cdn/profiles/{profile}"
        f"/originGroups/{group}"
    )


def served_id(profile: str, group: str, sub: str = SUB) -> str:
    """The id ARM gives the origin group itself (resourcegroups, origingroups)."""
    return (
        f"/subscriptions/{sub}/resourcegroups/{GROUP}/providers/Microsoft.Cdn/profiles/{profile}"
        f"/origingroups/{group}"
    )


def split(name: str = "web", **fields: Any) -> dict[str, Any]:
    """An origin group with blue at 900 and green at 100 in one tier, 50 ms sensitivity."""
    return {
        "name": name,
        "latency": 50,
        "origins": [{"name": "blue", "weight": 900}, {"name": "green", "weight": 100}],
        **fields,
    }


def routed(*groups: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A profile whose one endpoint routes to each of `groups`."""
    routes = [{"name": f"r-{g['name']}", "origin_group": g["name"]} for g in groups]
    return fd_profile(
        origin_groups=list(groups), endpoints=[{"name": "www", "routes": routes}], **fields
    )
