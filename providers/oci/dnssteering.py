"""DNS traffic management steering policies: one paged ListSteeringPolicies
per compartment (its summaries carry no rules or answers), one
GetSteeringPolicy per policy side by side (scanner.fanout.fan_out), and one
paged ListSteeringPolicyAttachments per compartment for the domains each
policy answers. How the rules chain is in providers/oci/steering.py.

Steering policies are global (their OCIDs name no region): the scan reads
them once, through its first region's endpoint (`regional=False`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.oci.kind import oci_kind
from providers.oci.operation import Operation
from providers.oci.steering import Unreadable, chain, even, shown, standby, uneven, weight_sets
from providers.oci.units import identity_problem, unit
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.oci.context import OciContext

GONE = ("DELETING", "DELETED")
P = "steeringPolicy"
W = f"{P}.rules[WEIGHTED].defaultAnswerData|cases[].answerData[].value"
BASE_FACTS = (
    ("attached_domains", "steeringPolicyAttachments[].domainName"),
    ("template", f"{P}.template"),
    ("rule_types", f"{P}.rules[].ruleType"),
    ("health_check_monitor", f"{P}.healthCheckMonitorId"),
    ("disabled_answers", f"{P}.answers[].isDisabled"),
)
CHAIN_FACTS = (
    ("health_filtered", f"{P}.healthCheckMonitorId + rules[HEALTH]"),
    ("order_rule", f"{P}.rules[WEIGHTED|PRIORITY] (last before LIMIT)"),
    ("answers_in_play", f"{P}.answers (kept by FILTER rules)"),
    ("answer_limit", f"{P}.rules[LIMIT].defaultCount|cases[].count"),
    ("weighted_choice", f"{P}.rules[WEIGHTED] then rules[LIMIT] below the answers"),
)
WEIGHT_FACTS = (
    ("weights", W),
    ("uneven_weight_sets", W + " (2+ above 0, unequal)"),
    ("standby_weight_sets", W + " (one above 0, the rest 0)"),
    ("even_weight_sets", W + " (2+ above 0, equal)"),
)
KIND = oci_kind(
    name="oci.dns.steering_policy",
    title="OCI DNS steering policy",
    ocid_type="dnspolicy",
    service="dns",
    client="oci.dns.DnsClient",
    facts=facts(*BASE_FACTS, *CHAIN_FACTS, *WEIGHT_FACTS),
    plural="OCI DNS steering policies",
    regional=False,
    operations=(
        Operation(
            "dns",
            "ListSteeringPolicies",
            "GET",
            "/20180115/steeringPolicies",
            "inspect",
            "dns-steering-policies",
            "DNS_STEERING_POLICY_INSPECT",
        ),
        Operation(
            "dns",
            "GetSteeringPolicy",
            "GET",
            "/20180115/steeringPolicies/{steeringPolicyId}",
            "read",
            "dns-steering-policies",
            "DNS_STEERING_POLICY_READ",
        ),
        Operation(
            "dns",
            "ListSteeringPolicyAttachments",
            "GET",
            "/20180115/steeringPolicyAttachments",
            "inspect",
            "dns-steering-policy-attachments",
            "DNS_STEERING_ATTACHMENT_INSPECT",
        ),
    ),
)


def _domains(attachments: list[Any]) -> dict[str, list[str]]:
    """Each policy's attached domains (attachments being deleted left out)."""
    out: dict[str, list[str]] = {}
    for a in attachments:
        if getattr(a, "lifecycle_state", None) == "DELETING" or getattr(a, "malformed", None):
            continue
        rtypes = "/".join(a.rtypes or [])
        out.setdefault(str(a.steering_policy_id), []).append(
            f"{a.domain_name}" + (f" ({rtypes})" if rtypes else "")
        )
    return out


def collect(ctx: OciContext) -> Iterator[Observation | ScopeError]:
    from providers.oci.faults import OCI_ERRORS, describe
    from providers.oci.pages import all_items
    from scanner.fanout import fan_out

    client = ctx.client(KIND.service)
    found = all_items(client.list_steering_policies, compartment_id=ctx.compartment)
    live: list[Any] = []
    for summary in found:
        if summary.lifecycle_state in GONE:
            continue
        problem = identity_problem(summary, "steering policy")
        if problem:
            yield ScopeError("oci", ctx.label, KIND.part, problem)
        else:
            live.append(summary)
    if not live:
        return
    domains: dict[str, list[str]] | str
    try:
        domains = _domains(
            all_items(client.list_steering_policy_attachments, compartment_id=ctx.compartment)
        )
    except OCI_ERRORS as exc:  # the policies are still read; only their domains are unknown
        domains = f"cannot list the steering policy attachments: {describe(exc)}"

    def read(summary: Any) -> Any:
        if getattr(summary, "malformed", None):
            return summary  # the stand-in: every fact unknown with the SDK's error
        try:
            return client.get_steering_policy(summary.id).data
        except OCI_ERRORS as exc:
            summary.malformed = f"cannot read the steering policy: {describe(exc)}"
            return summary

    for policy in fan_out(live, read):
        attached = domains if isinstance(domains, str) else domains.get(str(policy.id), [])
        yield observe(policy, ctx.region, attached)


def get(ctx: OciContext, resource_id: str) -> Observation:
    from providers.oci.pages import all_items

    client = ctx.client(KIND.service)
    policy = client.get_steering_policy(resource_id).data
    if not isinstance(policy.id, str):
        policy.id = resource_id
    attachments = all_items(
        client.list_steering_policy_attachments,
        compartment_id=policy.compartment_id,
        steering_policy_id=resource_id,
    )
    return observe(policy, ctx.region, _domains(attachments).get(resource_id, []))


def observe(policy: Any, region: str, domains: list[str] | str) -> Observation:
    """The unit; `domains` is the attached domains, or why they are unknown."""
    obs = unit(KIND.name, policy, region)
    why = getattr(policy, "malformed", None)
    values: dict[str, Any] = {}
    if why is None:
        try:
            values = _base(policy, domains)
        except (AttributeError, TypeError, ValueError, KeyError) as exc:
            why = f"malformed steering policy: {type(exc).__name__}: {exc}"
    chain_why = why
    if why is None:
        try:
            values.update(_chain(policy))
        except Unreadable as exc:
            chain_why = f"the rules cannot be followed: {exc}"
        except (AttributeError, TypeError, ValueError, KeyError) as exc:
            chain_why = f"malformed steering policy rules: {type(exc).__name__}: {exc}"
    if isinstance(domains, str) and why is None:
        values.pop("attached_domains", None)
        values["_attached_domains"] = domains
    for spec in KIND.facts:
        if spec.name in values:
            obs.add(spec.name, spec.field, values[spec.name])
        else:
            obs.unknown(spec.name, spec.field, values.get(f"_{spec.name}") or chain_why or "")
    return obs


def _base(policy: Any, domains: list[str] | str) -> dict[str, Any]:
    return {
        "attached_domains": domains,
        "template": policy.template,
        "rule_types": [str(r.rule_type) for r in policy.rules or []],
        "health_check_monitor": policy.health_check_monitor_id,
        "disabled_answers": [str(a.name) for a in policy.answers or [] if a.is_disabled],
    }


def _chain(policy: Any) -> dict[str, Any]:
    found = chain(policy)
    in_play = [str(a.name) for a in found.in_play]
    choice = (
        found.order_rule == "WEIGHTED"
        and found.early_limit is None
        and found.limit is not None
        and found.limit < len(in_play)
    )
    out: dict[str, Any] = {
        "health_filtered": bool(policy.health_check_monitor_id) and found.health_rule,
        "order_rule": found.order_rule,
        "answers_in_play": in_play,
        "answer_limit": found.limit,
        "weighted_choice": choice,
    }
    if found.weighted is None:
        out.update(weights=[], uneven_weight_sets=[], standby_weight_sets=[], even_weight_sets=[])
        return out
    try:
        sets = weight_sets(found.weighted, found.in_play)
    except Unreadable as exc:
        why = f"the weights cannot be read: {exc}"
        out.update({f"_{name}": why for name, _ in WEIGHT_FACTS})
        return out
    out["weights"] = [shown(label, w) for label, w in sets]
    out["uneven_weight_sets"] = [shown(label, w) for label, w in sets if uneven(w)]
    out["standby_weight_sets"] = [shown(label, w) for label, w in sets if standby(w)]
    out["even_weight_sets"] = [shown(label, w) for label, w in sets if even(w)]
    return out


NO_HISTORY = (
    "a DNS steering policy keeps no record of its answer and weight changes (only "
    "the current rules); its changes are in the Audit service, which relscan does "
    "not read yet"
)
