"""Route 53 operations the emulator answers (ListHostedZones,
ListResourceRecordSets, GetHostedZone, and the hosted zones' tags for the
tagging API), from the estate's `route53` entries:
`{id, name, private?, tags?: {key: value}, records: [<ResourceRecordSet>]}`.

Names are kept as Route 53 returns them (lower case, a trailing dot, a leading
"*" as \\052) and record sets are listed in its order: by name with the labels
reversed, then type, then set identifier. Paging is Route 53's own: the next
page starts at the NextRecordName/Type/Identifier (NextMarker for zones).
Mixed into AwsEmulator; the rest-xml wire format is emulator/restxml.py's."""

from __future__ import annotations

from typing import Any

from providers.aws.emulator.services import AwsFault

ZONES_MAX = 100  # ListHostedZones: "a maximum of 100 items in each response"
RECORDS_MAX = 300  # ListResourceRecordSets: "up to 300 resource record sets at a time"
TAGGING_REGION = "us-east-1"  # where the tagging API answers for global resources


def dns_name(name: str) -> str:
    name = name.lower()
    if name.startswith("*"):
        name = "\\052" + name[1:]
    return name if name.endswith(".") else f"{name}."


def _reversed(name: str) -> str:
    return ".".join(reversed(dns_name(name).rstrip(".").split("."))) + "."


class Route53Services:
    """Route 53 handlers; `self` is the AwsEmulator."""

    page_size: int
    route53: list[dict[str, Any]]

    def _r53_zone(self, ref: str | None) -> dict[str, Any]:
        zid = str(ref or "").rsplit("/", 1)[-1]
        for zone in self.route53:
            if zone["id"] == zid:
                return zone
        raise AwsFault(404, "NoSuchHostedZone", f"No hosted zone found with ID: {zid}")

    def _r53_max(self, p: dict[str, Any], limit: int) -> tuple[int, str]:
        text = str(p.get("MaxItems") or limit)
        if not text.isdigit() or int(text) < 1:
            raise AwsFault(400, "InvalidInput", f"1 validation error detected: maxitems {text}")
        return min(int(text), limit, self.page_size), text

    def _r53_hosted_zone(self, zone: dict[str, Any]) -> dict[str, Any]:
        config: dict[str, Any] = {"PrivateZone": bool(zone.get("private"))}
        if zone.get("comment"):
            config["Comment"] = zone["comment"]
        return {
            "Id": f"/hostedzone/{zone['id']}",
            "Name": dns_name(zone["name"]),
            "CallerReference": f"relscan-emulator-{zone['id']}",
            "Config": config,
            "ResourceRecordSetCount": len(zone.get("records") or []),
        }

    def _r53_records(self, zone: dict[str, Any]) -> list[dict[str, Any]]:
        records = [{**r, "Name": dns_name(r["Name"])} for r in zone.get("records") or []]
        return sorted(records, key=self._r53_key)

    @staticmethod
    def _r53_key(record: dict[str, Any]) -> tuple[str, str, str]:
        return (_reversed(record["Name"]), record["Type"], str(record.get("SetIdentifier", "")))

    def route53_ListHostedZones(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        size, asked = self._r53_max(p, ZONES_MAX)
        zones = list(self.route53)
        start = 0
        if p.get("Marker"):
            ids = [z["id"] for z in zones]
            if p["Marker"] not in ids:
                raise AwsFault(400, "InvalidInput", f"Invalid marker: {p['Marker']}")
            start = ids.index(p["Marker"])
        page = zones[start : start + size]
        result: dict[str, Any] = {
            "HostedZones": [self._r53_hosted_zone(z) for z in page],
            "Marker": p.get("Marker") or "",
            "IsTruncated": start + size < len(zones),
            "MaxItems": asked,
        }
        if result["IsTruncated"]:
            result["NextMarker"] = zones[start + size]["id"]
        return result

    def route53_GetHostedZone(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        zone = self._r53_zone(p.get("Id"))
        result: dict[str, Any] = {"HostedZone": self._r53_hosted_zone(zone)}
        if zone.get("private"):
            result["VPCs"] = [{"VPCRegion": "eu-west-2", "VPCId": "vpc-0a1b2c3d"}]
        else:
            result["DelegationSet"] = {
                "NameServers": ["ns-2048.awsdns-64.com", "ns-2049.awsdns-65.net"]
            }
        return result

    def route53_ListResourceRecordSets(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        zone = self._r53_zone(p.get("HostedZoneId"))
        size, asked = self._r53_max(p, RECORDS_MAX)
        if p.get("StartRecordType") and not p.get("StartRecordName"):
            raise AwsFault(400, "InvalidInput", "Type was specified without name")
        records = self._r53_records(zone)
        if p.get("StartRecordName"):
            start = (
                _reversed(p["StartRecordName"]),
                str(p.get("StartRecordType") or ""),
                str(p.get("StartRecordIdentifier") or ""),
            )
            records = [r for r in records if self._r53_key(r) >= start]
        page, rest = records[:size], records[size:]
        result: dict[str, Any] = {
            "ResourceRecordSets": page,
            "IsTruncated": bool(rest),
            "MaxItems": asked,
        }
        if rest:
            result["NextRecordName"] = rest[0]["Name"]
            result["NextRecordType"] = rest[0]["Type"]
            if rest[0].get("SetIdentifier"):
                result["NextRecordIdentifier"] = rest[0]["SetIdentifier"]
        return result

    def route53_tagged(self, region: str) -> list[tuple[str, dict[str, str]]]:
        """The hosted zones' ARNs and tags, as the tagging API lists them (in
        the partition's home region for global services)."""
        if region != TAGGING_REGION:
            return []
        return [
            (f"arn:aws:route53:::hostedzone/{z['id']}", dict(z.get("tags") or {}))
            for z in self.route53
        ]
