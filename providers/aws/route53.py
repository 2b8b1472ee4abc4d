"""Route 53: record names and types with weighted (or failover) routing.

A record set group, the records of one hosted zone that share a name and a
type, is the unit when its records carry a `SetIdentifier` and a `Weight`
(weighted routing) or a `Failover` (failover routing, which the rules leave
unassessed). Simple, latency, geolocation, geoproximity, IP-based and
multivalue records are not units. Route 53 gives record sets no ARN: a unit
is named by its hosted zone's ARN extended by `/recordset/NAME/TYPE`
(relscan's own form, docs/aws.md), and carries its hosted zone's tags.

Route 53 is a global service: the kind is read once per account, in the
account's "global" scope (providers/aws/run.py). Private hosted zones are
read as public ones are (weighted routing works in both).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.aws.kind import aws_kind
from scanner.errors import NotFoundError, UsageError
from scanner.fanout import fan_out
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.aws.clients import AwsClients
    from providers.aws.context import AwsContext

# ListHostedZones answers at most 100 zones a page, ListResourceRecordSets at
# most 300 record sets (API_ListHostedZones, API_ListResourceRecordSets); both
# take MaxItems as a string.
ZONES_PAGE = "100"
RECORDS_PAGE = "300"
# The location of the units: the account's global scope (run.GLOBAL).
GLOBAL = "global"

RRS = "ResourceRecordSet"
RECORDS = "ListResourceRecordSets.ResourceRecordSets"
WEIGHT = f"{RECORDS}.Weight"
HEALTH = f"{RECORDS}.HealthCheckId | {RECORDS}.AliasTarget.EvaluateTargetHealth"

# The hosted zone's ARN, then relscan's extension naming one record set group.
# Names come back from the API with every character other than a-z, 0-9, "-",
# "_" and "." written as a \\NNN octal escape (a "/" as \\057), so a name never
# holds "/".
_RESOURCE = (
    r"(?P<owner>hostedzone/(?P<zone>[A-Z0-9]+))"
    r"/recordset/(?P<record>[^/\x00-\x1f\x7f]+)/(?P<type>[A-Z0-9]+)"
)

# --history (providers/aws/history.py): this kind's cloud keeps no deployment records.
HISTORY_SOURCE = "Route 53 record changes"
NO_HISTORY = (
    "Route 53 keeps no history of a record set's weights; the changes are in CloudTrail "
    "(ChangeResourceRecordSets), which relscan does not read yet"
)

KIND = aws_kind(
    name="aws.route53.weighted_record",
    title="Route 53 weighted record",
    plural="Route 53 weighted records",
    service="route53",
    resource_prefix="hostedzone/",
    names="ZONE/recordset/NAME/TYPE",
    tagging_type="route53:hostedzone",
    resource_regex=_RESOURCE,
    global_service=True,
    id_form="arn:aws:route53:::hostedzone/ZONE/recordset/NAME/TYPE",
    facts=facts(
        ("zone_id", "HostedZone.Id"),
        ("zone_name", "HostedZone.Name"),
        ("private_zone", "HostedZone.Config.PrivateZone"),
        ("record_name", f"{RRS}.Name"),
        ("record_type", f"{RRS}.Type"),
        ("routing_policy", f"{RECORDS}.Weight | {RECORDS}.Failover"),
        ("records", RECORDS),
        ("weighted_records", WEIGHT),
        ("records_above_zero", WEIGHT),
        ("records_at_zero", WEIGHT),
        ("distinct_weights", WEIGHT),
        ("distinct_live_weights", WEIGHT),
        ("health_checks", HEALTH),
        ("health_checked_records", HEALTH),
    ),
    reads=(
        "route53:ListHostedZones",
        "route53:ListResourceRecordSets",
        "route53:GetHostedZone",
    ),
)


def collect(ctx: AwsContext) -> Iterator[Observation | ScopeError]:
    """Every weighted or failover record set group of every hosted zone."""

    def read() -> Iterator[Observation | ScopeError]:
        return Route53Reader(ctx.clients, ctx.account, ctx.region, ctx.label).collect()

    return ctx.guarded(KIND, read)


def get(ctx: AwsContext, resource_id: str) -> Observation:
    """The record set group an id names (NotFoundError when the zone or the
    name and type are absent; a UsageError when its routing is not weighted
    or failover, which makes no unit)."""
    from providers.aws.arn import parse_arn

    arn = parse_arn(resource_id)
    reader = Route53Reader(ctx.clients, ctx.account, ctx.region, ctx.label)
    unit = reader.get(arn.part("zone"), arn.part("record"), arn.part("type"), resource_id)
    unit.tags = ctx.tags.get(resource_id, {})
    return unit


def zone_id(value: str) -> str:
    """The bare id of "/hostedzone/Z1D633PJN98FT9" (as ListHostedZones answers it)."""
    return value.rsplit("/", 1)[-1]


def canonical_name(name: str) -> str:
    """A record name as ListResourceRecordSets answers it: lower case, the
    trailing dot, a leading "*" label as \\052."""
    name = name.lower()
    if name.startswith("*"):
        name = "\\052" + name[1:]
    return name if name.endswith(".") else f"{name}."


def unit_arn(partition: str, zone: str, name: str, rtype: str) -> str:
    return f"arn:{partition}:route53:::hostedzone/{zone}/recordset/{name}/{rtype}"


def routing_of(record: dict[str, Any]) -> str:
    """The routing a record uses: weighted, failover, or another."""
    if "Weight" in record:
        return "weighted"
    if record.get("Failover"):
        return "failover"
    for key, policy in (
        ("Region", "latency"),
        ("GeoLocation", "geolocation"),
        ("GeoProximityLocation", "geoproximity"),
        ("CidrRoutingConfig", "ip-based"),
        ("MultiValueAnswer", "multivalue"),
    ):
        if key in record:
            return policy
    return "simple"


def _valid(record: Any) -> bool:
    return (
        isinstance(record, dict)
        and isinstance(record.get("Name"), str)
        and isinstance(record.get("Type"), str)
    )


class Route53Reader:
    def __init__(self, clients: AwsClients, account: str, region: str, scope: str) -> None:
        self.client = clients.get("route53", region)
        self.partition = clients.session.get_partition_for_region(region) or "aws"
        self.account = account
        self.scope = scope

    # -- reads -------------------------------------------------------------
    def _zones(self) -> Iterator[dict[str, Any]]:
        pages = self.client.get_paginator("list_hosted_zones").paginate(
            PaginationConfig={"PageSize": ZONES_PAGE}
        )
        for page in pages:
            yield from page.get("HostedZones") or []

    def _records(self, zone: str) -> list[Any]:
        pages = self.client.get_paginator("list_resource_record_sets").paginate(
            HostedZoneId=zone, PaginationConfig={"PageSize": RECORDS_PAGE}
        )
        return [r for page in pages for r in page.get("ResourceRecordSets") or []]

    def _group(self, zone: str, name: str, rtype: str) -> list[dict[str, Any]]:
        """The records of one name and type, read from where they start."""
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {
            "HostedZoneId": zone,
            "StartRecordName": name,
            "StartRecordType": rtype,
            "MaxItems": RECORDS_PAGE,
        }
        while True:
            page = self.client.list_resource_record_sets(**params)
            records = [r for r in page.get("ResourceRecordSets") or [] if _valid(r)]
            mine = [r for r in records if (r["Name"].lower(), r["Type"]) == (name, rtype)]
            found += mine
            if len(mine) < len(records) or not page.get("IsTruncated"):
                return found
            if (str(page.get("NextRecordName")).lower(), page.get("NextRecordType")) != (
                name,
                rtype,
            ):
                return found
            params["StartRecordName"] = page.get("NextRecordName")
            params["StartRecordType"] = page.get("NextRecordType")
            params.pop("StartRecordIdentifier", None)
            if page.get("NextRecordIdentifier"):
                params["StartRecordIdentifier"] = page["NextRecordIdentifier"]

    # -- units -------------------------------------------------------------
    def collect(self) -> Iterator[Observation | ScopeError]:
        for units in fan_out(self._zones(), self._zone_units):
            yield from units

    def _zone_units(self, zone: Any) -> list[Observation | ScopeError]:
        if not isinstance(zone, dict) or not all(
            isinstance(zone.get(k), str) and zone.get(k) for k in ("Id", "Name")
        ):
            return [self._error("ListHostedZones answered a hosted zone without Id or Name")]
        from providers.aws.faults import AWS_ERRORS, describe

        found: list[Observation | ScopeError] = []
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        try:
            records = self._records(zone_id(zone["Id"]))
        except AWS_ERRORS as exc:  # one zone's failure keeps the other zones' units
            return [self._error(f"hosted zone {zone_id(zone['Id'])}: {describe(exc)}")]
        for record in records:
            if not _valid(record):
                found.append(
                    self._error(
                        f"ListResourceRecordSets answered a record without Name or Type in "
                        f"hosted zone {zone_id(zone['Id'])}; it was skipped"
                    )
                )
                continue
            groups.setdefault((record["Name"], record["Type"]), []).append(record)
        for records in groups.values():
            if any(routing_of(r) in ("weighted", "failover") for r in records):
                found.append(self.observe(zone, records))
        return found

    def _error(self, message: str) -> ScopeError:
        return ScopeError("aws", self.scope, "route53", message)

    def get(self, zone: str, record: str, rtype: str, arn: str) -> Observation:
        from providers.aws.faults import AWS_ERRORS, error_code

        try:
            hosted = self.client.get_hosted_zone(Id=zone)["HostedZone"]
        except AWS_ERRORS as exc:
            if error_code(exc) == "NoSuchHostedZone":
                raise NotFoundError(f"no such Route 53 hosted zone: {zone}") from None
            raise
        name = canonical_name(record)
        records = self._group(zone, name, rtype)
        if not records:
            raise NotFoundError(f"no {rtype} record named {name} in Route 53 hosted zone {zone}")
        policies = {routing_of(r) for r in records}
        if not policies & {"weighted", "failover"}:
            raise UsageError(
                f"the {rtype} record {name} in hosted zone {zone} uses "
                f"{' and '.join(sorted(policies))} routing; relscan assesses weighted "
                f"(and failover) record sets only"
            )
        return self.observe(hosted, records)

    def observe(self, zone: dict[str, Any], records: list[dict[str, Any]]) -> Observation:
        first = records[0]
        zid, name, rtype = zone_id(zone["Id"]), first["Name"], first["Type"]
        obs = Observation(
            id=unit_arn(self.partition, zid, name, rtype),
            provider="aws",
            kind=KIND.name,
            name=f"{name} {rtype}",
            account=self.account,
            location=GLOBAL,
        )
        config = zone.get("Config") if isinstance(zone.get("Config"), dict) else {}
        obs.add("zone_id", "HostedZone.Id", zid)
        obs.add("zone_name", "HostedZone.Name", zone.get("Name"))
        obs.add("private_zone", "HostedZone.Config.PrivateZone", bool(config.get("PrivateZone")))
        obs.add("record_name", f"{RRS}.Name", name)
        obs.add("record_type", f"{RRS}.Type", rtype)
        obs.add("records", RECORDS, [_summary(r) for r in records])
        weighted = [r for r in records if routing_of(r) == "weighted"]
        if any(routing_of(r) == "failover" for r in records) and not weighted:
            obs.add("routing_policy", f"{RECORDS}.Failover (set: failover routing)", "failover")
        else:
            obs.add("routing_policy", f"{RECORDS}.Weight (set: weighted routing)", "weighted")
        self._weights(obs, weighted)
        checks = [c for c in (_health_check(r) for r in records) if c]
        obs.add("health_checks", f"{RECORDS}.HealthCheckId", checks)
        obs.add("health_checked_records", f"{RECORDS}.HealthCheckId (count)", len(checks))
        return obs

    @staticmethod
    def _weights(obs: Observation, weighted: list[dict[str, Any]]) -> None:
        derived = (
            ("weighted_records", "count"),
            ("records_above_zero", "count above 0"),
            ("records_at_zero", "count at 0"),
            ("distinct_weights", "distinct values"),
            ("distinct_live_weights", "distinct values above 0"),
        )
        weights = [r.get("Weight") for r in weighted]
        if not all(isinstance(w, int) and not isinstance(w, bool) and w >= 0 for w in weights):
            for fact, how in derived:
                obs.unknown(fact, f"{WEIGHT} ({how})", "a weight is not a whole number from 0")
            return
        live = [w for w in weights if w > 0]
        values = (
            len(weights),
            len(live),
            len(weights) - len(live),
            len(set(weights)),
            len(set(live)),
        )
        for (fact, how), value in zip(derived, values, strict=True):
            obs.add(fact, f"{WEIGHT} ({how})", value)


def _summary(record: dict[str, Any]) -> str:
    """One record as the evidence shows it: its identifier, weight or failover
    role, where it sends queries, and its health checking."""
    role = (
        f"weight {record['Weight']}"
        if "Weight" in record
        else f"failover {record.get('Failover')}"
        if record.get("Failover")
        else routing_of(record)
    )
    alias = record.get("AliasTarget")
    if isinstance(alias, dict):
        target = f"alias {alias.get('DNSName')}"
        if alias.get("EvaluateTargetHealth") is True:
            target += " (EvaluateTargetHealth)"
    else:
        values = [
            v.get("Value") for v in record.get("ResourceRecords") or [] if isinstance(v, dict)
        ]
        target = ", ".join(str(v) for v in values) or "no values"
    check = f", health check {record['HealthCheckId']}" if record.get("HealthCheckId") else ""
    return f"{record.get('SetIdentifier')}: {role} -> {target}{check}"


def _health_check(record: dict[str, Any]) -> str:
    """What checks a record's health: "SET: health check ID", "SET: alias
    target health", or "" for nothing."""
    label = str(record.get("SetIdentifier") or "")
    parts = []
    if record.get("HealthCheckId"):
        parts.append(f"health check {record['HealthCheckId']}")
    alias = record.get("AliasTarget")
    if isinstance(alias, dict) and alias.get("EvaluateTargetHealth") is True:
        parts.append("alias target health (EvaluateTargetHealth)")
    return f"{label}: {' and '.join(parts)}" if parts else ""
