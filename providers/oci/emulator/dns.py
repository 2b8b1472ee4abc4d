"""The OCI emulator's DNS traffic management answers: steering policies and
their domain attachments, in the DNS API's wire shape (version 20180115).

Steering policies are global: every region's endpoint serves the same ones.
Lists are bare JSON arrays paged with `opc-next-page`, as on OCI; a
ListSteeringPolicies summary leaves out `answers` and `rules`, which only
GetSteeringPolicy returns.

The part's `steering_policies` entries: {compartment, policy: SteeringPolicy
JSON (displayName, template, answers, rules, healthCheckMonitorId...),
attachments: [{domainName, rtypes?, compartment? (the zone's; default the
policy's), zone?}], wire?, drop?}.
"""

from __future__ import annotations

from typing import Any

from providers.oci.emulator.wire import CREATED, make_ocid, raw_overrides

ROUTES = {
    ("20180115", "steeringPolicies", False): "ListSteeringPolicies",
    ("20180115", "steeringPolicies", True): "GetSteeringPolicy",
    ("20180115", "steeringPolicyAttachments", False): "ListSteeringPolicyAttachments",
}
BARE_LISTS = ("20180115",)  # DNS lists, like load balancer lists, are bare arrays
SUMMARY_ABSENT = ("answers", "rules")
GLOBAL = ""  # a global OCID's region segment is empty: ocid1.dnspolicy.oc1..UNIQUE


def _self(kind: str, ident: str) -> str:
    return f"https://dns.us-ashburn-1.oci.oraclecloud.com/20180115/{kind}/{ident}"


def policy(entry: dict[str, Any], summary: bool) -> dict[str, Any]:
    raw = dict(entry["policy"])
    name = raw.get("displayName", "policy")
    ident = make_ocid("dnspolicy", GLOBAL, f"{entry['compartment']}/{name}")
    out: dict[str, Any] = {
        "id": ident,
        "compartmentId": entry["compartment"],
        "displayName": name,
        "ttl": 30,
        "healthCheckMonitorId": None,
        "template": "CUSTOM",
        "answers": [],
        "rules": [],
        "freeformTags": {},
        "definedTags": {},
        "self": _self("steeringPolicies", ident),
        "timeCreated": CREATED,
        "lifecycleState": "ACTIVE",
    }
    out.update(raw)
    out["answers"] = [{"rtype": "A", "isDisabled": False, **a} for a in out["answers"] or []]
    if summary:
        for key in SUMMARY_ABSENT:
            out.pop(key, None)
    return raw_overrides(out, entry)


def attachments(entry: dict[str, Any]) -> list[dict[str, Any]]:
    pol = policy(entry, summary=True)
    out = []
    for raw in entry.get("attachments", []):
        raw = dict(raw)
        domain = raw.pop("domainName")
        compartment = raw.pop("compartment", pol["compartmentId"])
        zone = raw.pop("zone", domain.split(".", 1)[-1])
        ident = make_ocid("dnspolicyattachment", GLOBAL, f"{pol['id']}/{domain}")
        item = {
            "id": ident,
            "steeringPolicyId": pol["id"],
            "zoneId": make_ocid("dns-zone", GLOBAL, zone),
            "domainName": domain,
            "displayName": raw.pop("displayName", domain),
            "rtypes": raw.pop("rtypes", ["A"]),
            "compartmentId": compartment,
            "self": _self("steeringPolicyAttachments", ident),
            "timeCreated": CREATED,
            "lifecycleState": "ACTIVE",
        }
        item.update(raw)
        out.append(item)
    return out


class DnsHandlers:
    """Mixed into OciEmulator: `self.steering` holds the part's entries."""

    steering: list[dict[str, Any]]

    def _fault(self, status: int, code: str, message: str) -> Exception:
        from providers.oci.emulator.app import OciFault

        return OciFault(status, code, message)

    def _compartment(self, req: Any) -> str:
        compartment = req.arg("compartmentId")
        if not compartment:
            raise self._fault(400, "MissingParameter", "compartmentId is required")
        return str(compartment)

    def ListSteeringPolicies(self, region: str, req: Any) -> list[dict[str, Any]]:
        compartment = self._compartment(req)
        return [policy(e, summary=True) for e in self.steering if e["compartment"] == compartment]

    def GetSteeringPolicy(self, region: str, policy_id: str) -> dict[str, Any]:
        from providers.oci.emulator.app import NOT_FOUND

        for e in self.steering:
            found = policy(e, summary=False)
            if found.get("id") == policy_id:
                return found
        raise self._fault(404, "NotAuthorizedOrNotFound", NOT_FOUND)

    def ListSteeringPolicyAttachments(self, region: str, req: Any) -> list[dict[str, Any]]:
        compartment = self._compartment(req)
        wanted = req.arg("steeringPolicyId")
        return [
            a
            for e in self.steering
            for a in attachments(e)
            if a["compartmentId"] == compartment and (not wanted or a["steeringPolicyId"] == wanted)
        ]

    def dns_wire_objects(self) -> list[tuple[str, str, dict[str, Any]]]:
        out: list[tuple[str, str, dict[str, Any]]] = []
        for e in self.steering:
            out.append(("dns", "SteeringPolicy", policy(e, summary=False)))
            out.append(("dns", "SteeringPolicySummary", policy(e, summary=True)))
            out += [("dns", "SteeringPolicyAttachmentSummary", a) for a in attachments(e)]
        return out
