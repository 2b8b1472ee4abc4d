"""A reader of a made-up OCI kind, for the test that adding a kind takes this
module and its name in a plugin's `readers`, nothing else in providers/oci.

It reads through the real SDK client its KIND names (the load balancer
client, against the emulator) and one operation the permissions table holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from providers.oci import loadbalancer
from providers.oci.kind import oci_kind
from scanner.kind import facts
from scanner.model import Observation, ScopeError

KIND = oci_kind(
    name="oci.toy.widget",
    title="OCI toy widget",
    ocid_type="toywidget",
    service="loadbalancer",
    client="oci.load_balancer.LoadBalancerClient",
    facts=facts(("load_balancers", "loadBalancers (count)")),
    # the same read the load balancer kind declares (so the guard allows it)
    operations=(loadbalancer.KIND.operations[0],),
)


def _observe(ctx: Any, ident: str) -> Observation:
    listed = ctx.client(KIND.service).list_load_balancers(compartment_id=ctx.compartment)
    obs = Observation(ident, "oci", KIND.name, ident, ctx.compartment, ctx.region)
    obs.add("load_balancers", KIND.field("load_balancers"), len(listed.data))
    return obs


def collect(ctx: Any) -> Iterator[Observation | ScopeError]:
    yield _observe(ctx, f"ocid1.toywidget.oc1.{ctx.region}.aaaaaaaa{len(ctx.compartment)}")


def get(ctx: Any, resource_id: str) -> Observation:
    return _observe(ctx, resource_id)
