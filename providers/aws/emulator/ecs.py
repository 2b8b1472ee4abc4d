"""ECS operations the emulator answers (ListClusters, ListServices,
DescribeServices), from the estate's `ecs` entries: `{region, cluster,
service: <Service as DescribeServices sends it>, tags?: {key: value}}`.
Mixed into AwsEmulator; the wire format is rendered from botocore's model."""

from __future__ import annotations

from typing import Any

from providers.aws.emulator.services import AwsFault

DESCRIBE_LIMIT = 10  # DescribeServices: "up to 10 services"
# Page sizes when maxResults is absent (ECS API reference): ListClusters "returns
# up to 100 results", ListServices "returns up to 10 results".
DEFAULT_RESULTS = {"ListClusters": 100, "ListServices": 10}


class EcsServices:
    """ECS handlers; `self` is the AwsEmulator."""

    account: str
    page_size: int
    ecs: list[dict[str, Any]]

    def _ecs_tagged(self, region: str) -> list[tuple[str, dict[str, str]]]:
        return [
            (
                f"arn:aws:ecs:{region}:{self.account}:service/{e['cluster']}"
                f"/{e['service']['serviceName']}",
                e.get("tags", {}),
            )
            for e in self.ecs
            if e["region"] == region
        ]

    def _ecs_cluster_arn(self, region: str, cluster: str) -> str:
        return f"arn:aws:ecs:{region}:{self.account}:cluster/{cluster}"

    def _ecs_service_arn(self, region: str, cluster: str, service: str) -> str:
        return f"arn:aws:ecs:{region}:{self.account}:service/{cluster}/{service}"

    def _ecs_clusters(self, region: str) -> list[str]:
        return list(dict.fromkeys(e["cluster"] for e in self.ecs if e["region"] == region))

    def _ecs_cluster_of(self, region: str, ref: str | None) -> str:
        """The cluster a name or ARN names (absent: "default"), or the ECS error."""
        name = (ref or "default").rsplit("/", 1)[-1]
        if name not in self._ecs_clusters(region):
            raise AwsFault(400, "ClusterNotFoundException", "Cluster not found.")
        return name

    @staticmethod
    def _ecs_max(p: dict[str, Any]) -> None:
        size = p.get("maxResults")
        if size is not None and not 1 <= int(size) <= 100:
            raise AwsFault(
                400, "InvalidParameterException", "maxResults must be between 1 and 100."
            )

    def _ecs_list_page(
        self, op: str, items: list[Any], p: dict[str, Any]
    ) -> tuple[list[Any], str | None]:
        """A page as ECS answers it: maxResults items, or the operation's default
        without it; never more than the emulator's page size, so tests with
        small pages still page."""
        size = p.get("maxResults")
        wanted = int(size) if size is not None else DEFAULT_RESULTS[op]
        start = int(p.get("nextToken") or 0)
        end = start + min(wanted, self.page_size)
        return items[start:end], (str(end) if end < len(items) else None)

    def ecs_ListClusters(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        self._ecs_max(p)
        arns = [self._ecs_cluster_arn(region, c) for c in self._ecs_clusters(region)]
        page, token = self._ecs_list_page("ListClusters", arns, p)
        return {"clusterArns": page, **({"nextToken": token} if token else {})}

    def ecs_ListServices(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        self._ecs_max(p)
        cluster = self._ecs_cluster_of(region, p.get("cluster"))
        arns = [
            self._ecs_service_arn(region, cluster, e["service"]["serviceName"])
            for e in self.ecs
            if e["region"] == region
            and e["cluster"] == cluster
            and e["service"].get("status", "ACTIVE") != "INACTIVE"
        ]
        page, token = self._ecs_list_page("ListServices", arns, p)
        return {"serviceArns": page, **({"nextToken": token} if token else {})}

    def ecs_DescribeServices(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        cluster = self._ecs_cluster_of(region, p.get("cluster"))
        names = list(p.get("services") or [])
        if not names or len(names) > DESCRIBE_LIMIT:
            raise AwsFault(
                400,
                "InvalidParameterException",
                "services can have at most 10 items." if names else "services must not be empty.",
            )
        by_name = {
            e["service"]["serviceName"]: e
            for e in self.ecs
            if e["region"] == region and e["cluster"] == cluster
        }
        services, failures = [], []
        for ref in names:
            arn = ref if ref.startswith("arn:") else self._ecs_service_arn(region, cluster, ref)
            entry = by_name.get(ref.rsplit("/", 1)[-1])
            if entry is None:
                failures.append({"arn": arn, "reason": "MISSING"})
                continue
            service = {
                "serviceArn": self._ecs_service_arn(
                    region, cluster, entry["service"]["serviceName"]
                ),
                "clusterArn": self._ecs_cluster_arn(region, cluster),
                "status": "ACTIVE",
                "desiredCount": 1,
                "runningCount": 1,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "schedulingStrategy": "REPLICA",
            }
            service.update(entry["service"])
            if "TAGS" in (p.get("include") or []) and entry.get("tags"):
                service["tags"] = [{"key": k, "value": str(v)} for k, v in entry["tags"].items()]
            services.append(service)
        return {"services": services, "failures": failures}
