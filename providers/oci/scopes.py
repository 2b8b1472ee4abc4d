"""Which compartments to scan: the given ones with their sub-compartments, or
the tenancy's whole tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from providers.oci.faults import OCI_ERRORS, describe, is_credentials_error
from providers.oci.pages import all_items
from scanner.errors import CloudError, CredentialsError
from scanner.network import unanswered


@dataclass
class CompartmentTree:
    ids: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(
        default_factory=dict
    )  # compartment -> why its children are unknown


def _list(identity: Any, compartment: str, subtree: bool) -> list[Any]:
    kwargs: dict[str, Any] = {"access_level": "ACCESSIBLE", "lifecycle_state": "ACTIVE"}
    if subtree:
        kwargs["compartment_id_in_subtree"] = True
    return all_items(identity.list_compartments, compartment, **kwargs)


def _fail(tree: CompartmentTree, compartment: str, exc: BaseException) -> None:
    if is_credentials_error(exc):
        raise CredentialsError(f"OCI credentials: {describe(exc)}") from None
    if unanswered(exc):
        # No answer at all (refused, timed out): the other OCI endpoints are
        # almost always behind the same network path, and scanning each
        # compartment's services blind would cost two timeouts per call.
        raise CloudError(f"cannot reach OCI identity: {describe(exc)}") from None
    tree.errors[compartment] = f"cannot list its sub-compartments: {describe(exc)}"


def discover(identity: Any, tenancy: str | None, roots: list[str]) -> CompartmentTree:
    """Roots given: each root and its descendants, walked level by level (the
    subtree flag only works on the tenancy). No roots: the tenancy and its whole
    tree in one paged call."""
    tree = CompartmentTree()
    if not roots:
        assert tenancy is not None
        tree.ids.append(tenancy)
        try:
            for c in _list(identity, tenancy, subtree=True):
                if _usable(tree, tenancy, c):
                    tree.ids.append(c.id)
                    tree.names[c.id] = c.name
        except OCI_ERRORS as exc:
            _fail(tree, tenancy, exc)
        return _dedupe(tree)
    for root in roots:
        todo = [root]
        while todo:
            current = todo.pop(0)
            if current in tree.ids:
                continue
            tree.ids.append(current)
            try:
                children = _list(identity, current, subtree=False)
            except OCI_ERRORS as exc:
                _fail(tree, current, exc)
                continue
            for c in children:
                if _usable(tree, current, c):
                    tree.names[c.id] = c.name
                    todo.append(c.id)
    return _dedupe(tree)


def _usable(tree: CompartmentTree, parent: str, child: Any) -> bool:
    """A child compartment without a readable id cannot be scanned: say so."""
    if isinstance(child.id, str) and child.id.startswith("ocid1."):
        return True
    why = getattr(child, "malformed", None) or f"unusable compartment id {child.id!r:.80}"
    known = tree.errors.get(parent)
    tree.errors[parent] = f"{known}; " if known else ""
    tree.errors[parent] += f"a sub-compartment cannot be read: {why}"
    return False


def _dedupe(tree: CompartmentTree) -> CompartmentTree:
    tree.ids = list(dict.fromkeys(tree.ids))
    return tree
