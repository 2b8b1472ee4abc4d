"""Elastic Load Balancing v2: listener rules whose forward action weighs two or
more target groups, as facts.

Reads (the largest pages the API allows, 400 items):
- DescribeLoadBalancers, once per 400 load balancers;
- DescribeListeners, per load balancer;
- DescribeRules, per listener of an Application Load Balancer. A Network or
  Gateway Load Balancer's listener has only its default rule, which forwards to
  one target group ("For Network Load Balancers, you can specify a single
  target group"), so its rules are read only if its DefaultActions (answered by
  DescribeListeners) forward to two or more.
Load balancers, and each one's listeners, are read side by side (fan_out).

A listener's default action is its default rule (IsDefault true), with a rule
ARN of its own. Only rules that forward to two or more target groups are
units; `check` of any rule ARN reads it (one target group: not assessed).
The ARN's service is `elasticloadbalancing` (IAM's too); the botocore client
is `elbv2` (AwsKind.client).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.aws.kind import aws_kind
from scanner.errors import NotFoundError
from scanner.facts import plain
from scanner.fanout import fan_out
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.aws.clients import AwsClients
    from providers.aws.context import AwsContext

PAGE = 400  # PageSize of all three operations: 1-400 (elbv2 API reference)
CLIENT = "elbv2"

FORWARD = "Actions[Type=forward]"
TUPLES = f"{FORWARD}.ForwardConfig.TargetGroups"
STICKY = f"{FORWARD}.ForwardConfig.TargetGroupStickinessConfig"

# --history (providers/aws/history.py): this kind's cloud keeps no deployment records.
HISTORY_SOURCE = "listener rule changes"
NO_HISTORY = (
    "Elastic Load Balancing keeps no record of when a rule's weights changed; the changes "
    "are in CloudTrail (ModifyRule), which relscan does not read yet"
)

KIND = aws_kind(
    name="aws.elbv2.listener_rule",
    title="load balancer listener rule",
    service="elasticloadbalancing",
    client=CLIENT,
    resource_prefix="listener-rule/",
    names="app|net/LB/LBID/LISTENERID/RULEID",
    resource_regex=(
        r"listener-rule/(?P<type>app|net)/(?P<app>[A-Za-z0-9-]{1,32})/(?P<lbid>[A-Za-z0-9]+)"
        r"/(?P<listener>[A-Za-z0-9]+)/(?P<name>[A-Za-z0-9]+)"
    ),
    tagging_type="elasticloadbalancing:listener-rule",
    facts=facts(
        ("load_balancer_type", "LoadBalancer.Type"),
        ("listener_protocol", "Listener.Protocol"),
        ("listener_port", "Listener.Port"),
        ("is_default_rule", "IsDefault"),
        ("priority", "Priority"),
        ("conditions", "Conditions"),
        ("target_groups", f"{TUPLES}.TargetGroupArn | {FORWARD}.TargetGroupArn"),
        ("target_group_count", f"{FORWARD}.TargetGroupArn | {TUPLES} (how many)"),
        ("target_group_weights", f"{TUPLES}.Weight (target group name: weight)"),
        ("groups_with_traffic", f"{TUPLES}.Weight (how many above 0)"),
        ("distinct_traffic_weights", f"{TUPLES}.Weight (distinct values above 0)"),
        ("stickiness_enabled", f"{STICKY}.Enabled"),
        ("stickiness_duration_seconds", f"{STICKY}.DurationSeconds"),
    ),
    reads=("elbv2:DescribeLoadBalancers", "elbv2:DescribeListeners", "elbv2:DescribeRules"),
)

_LB_TYPES = {"app": "application", "net": "network"}


def collect(ctx: AwsContext) -> Iterator[Observation | ScopeError]:
    """Every weighted listener rule of every load balancer in the scope."""

    def read() -> Iterator[Observation | ScopeError]:
        return ListenerRuleReader(ctx.clients, ctx.account, ctx.region, ctx.label).collect()

    return ctx.guarded(KIND, read)


def get(ctx: AwsContext, resource_id: str) -> Observation:
    """The rule an ARN names (NotFoundError when there is none)."""
    reader = ListenerRuleReader(ctx.clients, ctx.account, ctx.region, ctx.label)
    return reader.get(resource_id, ctx.tags.get(resource_id))


def target_group_name(arn: str) -> str:
    """NAME of arn:...:targetgroup/NAME/ID (the ARN itself when it has no such part)."""
    parts = arn.split(":", 5)[-1].split("/")
    return parts[1] if len(parts) == 3 and parts[0] == "targetgroup" else arn


def forward_groups(actions: Any) -> list[dict[str, Any]]:
    """The target groups an action list forwards to: ForwardConfig.TargetGroups,
    or the one TargetGroupArn of a plain forward action."""
    for action in actions if isinstance(actions, list) else []:
        if not isinstance(action, dict) or action.get("Type") != "forward":
            continue
        tuples = [
            t
            for t in (action.get("ForwardConfig") or {}).get("TargetGroups") or []
            if isinstance(t, dict) and isinstance(t.get("TargetGroupArn"), str)
        ]
        if tuples:
            return tuples
        if isinstance(action.get("TargetGroupArn"), str):
            return [{"TargetGroupArn": action["TargetGroupArn"]}]
    return []


class ListenerRuleReader:
    """Reads one account and region."""

    def __init__(self, clients: AwsClients, account: str, region: str, scope: str) -> None:
        self.client = clients.get(CLIENT, region)
        self.account = account
        self.region = region
        self.scope = scope

    def get(self, arn: str, tags: dict[str, str] | None) -> Observation:
        from providers.aws.faults import AWS_ERRORS, error_code

        listener_arn = arn.replace(":listener-rule/", ":listener/", 1).rsplit("/", 1)[0]
        try:
            rules = self.client.describe_rules(RuleArns=[arn]).get("Rules") or []
            listeners = self.client.describe_listeners(ListenerArns=[listener_arn])
            lb_arn = (listeners.get("Listeners") or [{}])[0].get("LoadBalancerArn")
            lbs = self.client.describe_load_balancers(LoadBalancerArns=[lb_arn]) if lb_arn else {}
        except AWS_ERRORS as exc:
            if error_code(exc) in ("RuleNotFound", "ListenerNotFound", "LoadBalancerNotFound"):
                raise NotFoundError(f"no such resource: {arn} ({error_code(exc)})") from None
            raise
        found = [r for r in rules if isinstance(r, dict) and r.get("RuleArn") == arn]
        if not found:
            raise NotFoundError(f"no such resource: {arn}")
        listener = (listeners.get("Listeners") or [{}])[0]
        lb = (lbs.get("LoadBalancers") or [{}])[0]
        return self.observe(lb, listener, found[0], tags)

    def collect(self) -> Iterator[Observation | ScopeError]:
        balancers = (
            lb
            for page in self.client.get_paginator("describe_load_balancers").paginate(
                PaginationConfig={"PageSize": PAGE}
            )
            for lb in page.get("LoadBalancers") or []
            if isinstance(lb, dict) and isinstance(lb.get("LoadBalancerArn"), str)
        )
        for found in fan_out(balancers, self._balancer):  # load balancers side by side
            yield from found

    def _balancer(self, lb: dict[str, Any]) -> list[Observation | ScopeError]:
        from providers.aws.faults import AWS_ERRORS, describe

        name = str(lb.get("LoadBalancerName") or lb["LoadBalancerArn"])
        found: list[Observation | ScopeError] = []
        try:
            listeners = [
                listener
                for page in self.client.get_paginator("describe_listeners").paginate(
                    LoadBalancerArn=lb["LoadBalancerArn"], PaginationConfig={"PageSize": PAGE}
                )
                for listener in page.get("Listeners") or []
                if isinstance(listener, dict) and isinstance(listener.get("ListenerArn"), str)
            ]
        except AWS_ERRORS as exc:
            return [ScopeError("aws", self.scope, f"load balancer {name}", describe(exc))]
        wanted = [
            listener
            for listener in listeners
            if lb.get("Type") == "application"
            or len(forward_groups(listener.get("DefaultActions"))) >= 2
        ]
        for part in fan_out(wanted, lambda listener: self._listener(lb, listener)):
            found.extend(part)
        return found

    def _listener(
        self, lb: dict[str, Any], listener: dict[str, Any]
    ) -> list[Observation | ScopeError]:
        from providers.aws.faults import AWS_ERRORS, describe

        found: list[Observation | ScopeError] = []
        try:
            for page in self.client.get_paginator("describe_rules").paginate(
                ListenerArn=listener["ListenerArn"], PaginationConfig={"PageSize": PAGE}
            ):
                for rule in page.get("Rules") or []:
                    if not isinstance(rule, dict) or not isinstance(rule.get("RuleArn"), str):
                        continue
                    if len(forward_groups(rule.get("Actions"))) >= 2:  # a unit
                        found.append(self.observe(lb, listener, rule, None))
        except AWS_ERRORS as exc:
            where = f"load balancer {lb.get('LoadBalancerName')} listener {listener.get('Port')}"
            found.append(ScopeError("aws", self.scope, where, describe(exc)))
        return found

    def observe(
        self,
        lb: dict[str, Any],
        listener: dict[str, Any],
        rule: dict[str, Any],
        tags: dict[str, str] | None,
    ) -> Observation:
        arn = rule["RuleArn"]
        resource = arn.split(":", 5)[-1].split("/")  # listener-rule/TYPE/LB/LBID/LID/RID
        lb_name = str(lb.get("LoadBalancerName") or (resource[2] if len(resource) > 2 else ""))
        default = rule.get("IsDefault") is True
        where = "default rule" if default else f"rule {rule.get('Priority')}"
        obs = Observation(
            id=arn,
            provider="aws",
            kind=KIND.name,
            name=f"{lb_name}:{listener.get('Port')} {where}",
            account=self.account,
            location=self.region,
            tags=tags or {},
        )
        lb_type = lb.get("Type") or _LB_TYPES.get(resource[1] if len(resource) > 1 else "")
        obs.add("load_balancer_type", "LoadBalancer.Type", plain(lb_type))
        obs.add("listener_protocol", "Listener.Protocol", plain(listener.get("Protocol")))
        obs.add("listener_port", "Listener.Port", plain(listener.get("Port")))
        obs.add("is_default_rule", "IsDefault", plain(rule.get("IsDefault")))
        obs.add("priority", "Priority", plain(rule.get("Priority")))
        obs.add("conditions", "Conditions", plain(rule.get("Conditions") or []))
        self._forward(obs, rule.get("Actions"))
        return obs

    @staticmethod
    def _forward(obs: Observation, actions: Any) -> None:
        groups = forward_groups(actions)
        weighted = any("Weight" in g for g in groups) or len(groups) > 1
        arns = [str(g["TargetGroupArn"]) for g in groups]
        field = f"{TUPLES}[]" if weighted else f"{FORWARD}.TargetGroupArn"
        obs.add("target_groups", f"{field}.TargetGroupArn" if weighted else field, arns)
        obs.add("target_group_count", f"{TUPLES if weighted else field} (how many)", len(arns))
        weights = [g.get("Weight") for g in groups]
        obs.add(
            "target_group_weights",
            f"{TUPLES}[].Weight (target group name: weight)",
            [f"{target_group_name(a)}: {w}" for a, w in zip(arns, weights, strict=True)],
        )
        for fact, note in (
            ("groups_with_traffic", "how many above 0"),
            ("distinct_traffic_weights", "distinct values above 0"),
        ):
            path = f"{TUPLES}[].Weight ({note})"
            if len(groups) < 2:
                obs.add(fact, path, None)  # one target group: nothing is weighed
            elif not all(isinstance(w, int) and not isinstance(w, bool) for w in weights):
                obs.unknown(fact, path, "a target group in the forward action has no Weight")
            else:
                live = [w for w in weights if isinstance(w, int) and w > 0]
                obs.add(fact, path, len(live) if fact == "groups_with_traffic" else len(set(live)))
        sticky = next(
            (
                (a.get("ForwardConfig") or {}).get("TargetGroupStickinessConfig")
                for a in (actions if isinstance(actions, list) else [])
                if isinstance(a, dict) and a.get("Type") == "forward"
            ),
            None,
        )
        sticky = sticky if isinstance(sticky, dict) else {}
        obs.add("stickiness_enabled", f"{STICKY}.Enabled", plain(sticky.get("Enabled")))
        obs.add(
            "stickiness_duration_seconds",
            f"{STICKY}.DurationSeconds",
            plain(sticky.get("DurationSeconds")),
        )
