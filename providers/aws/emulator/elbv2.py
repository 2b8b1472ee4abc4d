"""Elastic Load Balancing v2 as the emulator answers it (AWS Query protocol,
XML): DescribeLoadBalancers, DescribeListeners and DescribeRules, from the
estate's `elbv2` list. Mixed into AwsEmulator.

An estate load balancer is `{region, name, type?: application|network,
listeners: [{port, protocol?, default?: ACTIONS, default_tags?, rules?: [RULE]}]}`.
ACTIONS is `{forward: {TARGET_GROUP: WEIGHT, ...}, stickiness?:
TargetGroupStickinessConfig}` (a target group by name, or by ARN) or
`{Actions: [Action, ...]}` as the API has them; absent, the listener forwards
to one target group, `NAME-tg`. A RULE is ACTIONS with `tags?` and any Rule
members (Priority, Conditions); RuleArn, Priority and Conditions are filled in
where left out. The listener's default rule is answered first, as AWS does,
with the listener's default actions and IsDefault true. A forward to one
target group is answered as AWS does, with TargetGroupArn and a ForwardConfig
of weight 1. Ids are stable hex digests of the names, so ARNs are the same on
every run.
"""

from __future__ import annotations

import hashlib
from typing import Any

from providers.aws.emulator.services import AwsFault

MAX_PAGE = 400  # PageSize: 1-400 for all three operations


def _hex(*parts: Any) -> str:
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()[:16]


def _members(params: dict[str, Any], name: str) -> list[str]:
    """A query-protocol list (`Name.member.1`, ...), in order."""
    prefix = f"{name}.member."
    found = [(int(k[len(prefix) :]), v) for k, v in params.items() if k.startswith(prefix)]
    return [v for _, v in sorted(found)]


def load_balancer_arn(account: str, region: str, lb: dict[str, Any]) -> str:
    short = "net" if lb.get("type") == "network" else "app"
    return (
        f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/"
        f"{short}/{lb['name']}/{_hex(region, lb['name'])}"
    )


def listener_arn(account: str, region: str, lb: dict[str, Any], port: int) -> str:
    lb_part = load_balancer_arn(account, region, lb).split(":loadbalancer/", 1)[1]
    return (
        f"arn:aws:elasticloadbalancing:{region}:{account}:listener/{lb_part}/"
        f"{_hex(region, lb['name'], port)}"
    )


def listener_rule_arn(account: str, region: str, lb: dict[str, Any], port: int, index: int) -> str:
    """The ARN the emulator gives a listener's rule: `index` 0 is the default
    rule, 1 the listener's first estate rule, and so on."""
    listener_part = listener_arn(account, region, lb, port).split(":listener/", 1)[1]
    return (
        f"arn:aws:elasticloadbalancing:{region}:{account}:listener-rule/{listener_part}/"
        f"{_hex(region, lb['name'], port, index)}"
    )


def target_group_arn(account: str, region: str, name: str) -> str:
    return (
        f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{name}/"
        f"{_hex(region, 'tg', name)}"
    )


class ElbV2Services:
    """elbv2 handlers; `self` is the AwsEmulator."""

    account: str
    page_size: int
    load_balancers: list[dict[str, Any]]

    # -- the estate as AWS names it ----------------------------------------
    def _elb_arn(self, region: str, lb: dict[str, Any]) -> str:
        return load_balancer_arn(self.account, region, lb)

    def _elb_listener_arn(self, region: str, lb: dict[str, Any], listener: dict[str, Any]) -> str:
        return listener_arn(self.account, region, lb, listener["port"])

    def _elb_rule_arn(
        self, region: str, lb: dict[str, Any], listener: dict[str, Any], index: int
    ) -> str:
        return listener_rule_arn(self.account, region, lb, listener["port"], index)

    def _elb_target_group_arn(self, region: str, name: str) -> str:
        return target_group_arn(self.account, region, name)

    def _elb_balancers(self, region: str) -> list[dict[str, Any]]:
        return [lb for lb in self.load_balancers if lb.get("region") == region]

    def _elb_actions(self, region: str, spec: dict[str, Any], fallback: str) -> list[Any]:
        if "Actions" in spec:
            return list(spec["Actions"])
        weights = dict(spec.get("forward") or {fallback: 1})
        groups = [
            {
                "TargetGroupArn": name
                if name.startswith("arn:")
                else self._elb_target_group_arn(region, name),
                "Weight": weight,
            }
            for name, weight in weights.items()
        ]
        action: dict[str, Any] = {
            "Type": "forward",
            "Order": 1,
            "ForwardConfig": {
                "TargetGroups": groups,
                "TargetGroupStickinessConfig": spec.get("stickiness", {"Enabled": False}),
            },
        }
        if len(groups) == 1:
            action["TargetGroupArn"] = groups[0]["TargetGroupArn"]
        return [action]

    def _elb_default_actions(
        self, region: str, lb: dict[str, Any], listener: dict[str, Any]
    ) -> list[Any]:
        return self._elb_actions(region, listener.get("default") or {}, f"{lb['name']}-tg")

    def _elb_rules(
        self, region: str, lb: dict[str, Any], listener: dict[str, Any]
    ) -> list[tuple[dict[str, Any], dict[str, str]]]:
        """(Rule, tags) of a listener: its default rule first, then its rules."""
        default = {
            "RuleArn": self._elb_rule_arn(region, lb, listener, 0),
            "Priority": "default",
            "Conditions": [],
            "Actions": self._elb_default_actions(region, lb, listener),
            "IsDefault": True,
        }
        found = [(default, dict(listener.get("default_tags") or {}))]
        for n, raw in enumerate(listener.get("rules") or [], start=1):
            rule = {k: v for k, v in raw.items() if k not in ("tags", "forward", "stickiness")}
            rule["Actions"] = self._elb_actions(region, raw, f"{lb['name']}-{n}-tg")
            rule.setdefault("RuleArn", self._elb_rule_arn(region, lb, listener, n))
            rule.setdefault("Priority", str(n * 10))
            rule.setdefault("Conditions", [{"Field": "path-pattern", "Values": [f"/{n}/*"]}])
            rule.setdefault("IsDefault", False)
            found.append((rule, dict(raw.get("tags") or {})))
        return found

    def _elb_tagged(self, region: str) -> list[tuple[str, dict[str, str]]]:
        """Every listener rule's ARN and tags (the tagging API's answer)."""
        return [
            (rule["RuleArn"], tags)
            for lb in self._elb_balancers(region)
            for listener in lb.get("listeners") or []
            for rule, tags in self._elb_rules(region, lb, listener)
        ]

    # -- paging, as the API does it ----------------------------------------
    def _elb_page(self, items: list[Any], p: dict[str, Any]) -> tuple[list[Any], str | None]:
        size = p.get("PageSize")
        if size is not None and not 1 <= int(size) <= MAX_PAGE:
            raise AwsFault(
                400,
                "ValidationError",
                f"1 validation error detected: Value '{size}' at 'pageSize' failed to satisfy "
                f"constraint: Member must have value less than or equal to {MAX_PAGE}",
            )
        wanted = min(int(size) if size is not None else MAX_PAGE, self.page_size)
        start = int(p.get("Marker") or 0)
        end = start + wanted
        return items[start:end], (str(end) if end < len(items) else None)

    # -- operations ---------------------------------------------------------
    def elbv2_DescribeLoadBalancers(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        arns = _members(p, "LoadBalancerArns")
        names = _members(p, "Names")
        balancers = self._elb_balancers(region)
        if arns:
            balancers = [lb for lb in balancers if self._elb_arn(region, lb) in arns]
            if len(balancers) < len(arns):
                raise AwsFault(400, "LoadBalancerNotFound", "One or more load balancers not found")
        if names:
            balancers = [lb for lb in balancers if lb["name"] in names]
        page, marker = self._elb_page(balancers, p)
        return {
            "LoadBalancers": [
                {
                    "LoadBalancerArn": self._elb_arn(region, lb),
                    "DNSName": f"{lb['name']}-1.{region}.elb.amazonaws.com",
                    "CanonicalHostedZoneId": "Z2P70J7EXAMPLE",
                    "CreatedTime": "2025-01-06T09:00:00Z",
                    "LoadBalancerName": lb["name"],
                    "Scheme": "internet-facing",
                    "VpcId": "vpc-3ac0fb5f",
                    "State": {"Code": "active"},
                    "Type": lb.get("type", "application"),
                }
                for lb in page
            ],
            **({"NextMarker": marker} if marker else {}),
        }

    def elbv2_DescribeListeners(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        lb_arn = p.get("LoadBalancerArn")
        arns = _members(p, "ListenerArns")
        if not lb_arn and not arns:
            raise AwsFault(
                400,
                "ValidationError",
                "You must specify either listener ARNs or a load balancer ARN",
            )
        found = []
        for lb in self._elb_balancers(region):
            if lb_arn and self._elb_arn(region, lb) != lb_arn:
                continue
            for listener in lb.get("listeners") or []:
                arn = self._elb_listener_arn(region, lb, listener)
                if arns and arn not in arns:
                    continue
                found.append(
                    {
                        "ListenerArn": arn,
                        "LoadBalancerArn": self._elb_arn(region, lb),
                        "Port": int(listener["port"]),
                        "Protocol": listener.get(
                            "protocol", "TCP" if lb.get("type") == "network" else "HTTP"
                        ),
                        "DefaultActions": self._elb_default_actions(region, lb, listener),
                    }
                )
        known = {self._elb_arn(region, lb) for lb in self._elb_balancers(region)}
        if lb_arn and lb_arn not in known:
            raise AwsFault(400, "LoadBalancerNotFound", "One or more load balancers not found")
        if arns and len(found) < len(arns):
            raise AwsFault(400, "ListenerNotFound", "One or more listeners not found")
        page, marker = self._elb_page(found, p)
        return {"Listeners": page, **({"NextMarker": marker} if marker else {})}

    def elbv2_DescribeRules(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        listener_arn = p.get("ListenerArn")
        arns = _members(p, "RuleArns")
        if not listener_arn and not arns:
            raise AwsFault(
                400,
                "ValidationError",
                "You must specify either listener rule ARNs or a listener ARN",
            )
        found = []
        listener_seen = False
        for lb in self._elb_balancers(region):
            for listener in lb.get("listeners") or []:
                if listener_arn:
                    if self._elb_listener_arn(region, lb, listener) != listener_arn:
                        continue
                    listener_seen = True
                for rule, _ in self._elb_rules(region, lb, listener):
                    if not arns or rule["RuleArn"] in arns:
                        found.append(rule)
        if listener_arn and not listener_seen:
            raise AwsFault(400, "ListenerNotFound", "One or more listeners not found")
        if arns and len(found) < len(arns):
            raise AwsFault(400, "RuleNotFound", "One or more rules not found")
        page, marker = self._elb_page(found, p)
        return {"Rules": page, **({"NextMarker": marker} if marker else {})}
