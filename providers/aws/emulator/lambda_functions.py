"""Lambda as the emulator answers it (REST JSON, routed from botocore's model
by app.py): ListFunctions, GetFunctionConfiguration, ListAliases,
ListEventSourceMappings and ListFunctionUrlConfigs, from the estate's `lambda`
list. Mixed into AwsEmulator.

An estate function: {region, name, tags?, config? (more FunctionConfiguration
fields), aliases? [AliasConfiguration without AliasArn], mappings?
[{EventSourceArn, qualifier?}] (no qualifier: the mapping calls the function
unqualified), urls? [{qualifier?, AuthType?, InvokeMode?}] (function URLs; a
qualifier is an alias name)}.
"""

from __future__ import annotations

import uuid
from typing import Any

from providers.aws.emulator.services import AwsFault

LIST_FUNCTIONS_CAP = 50
LIST_MAPPINGS_CAP = 100


class LambdaServices:
    """Lambda handlers; `self` is the AwsEmulator."""

    account: str
    page_size: int
    functions: list[dict[str, Any]]

    def _lambda_tagged(self, region: str) -> list[tuple[str, dict[str, str]]]:
        return [
            (self._arn_function(region, f["name"]), f.get("tags", {}))
            for f in self.functions
            if f["region"] == region
        ]

    def _arn_function(self, region: str, name: str) -> str:
        return f"arn:aws:lambda:{region}:{self.account}:function:{name}"

    def _function(self, region: str, name: str) -> dict[str, Any]:
        # FunctionName may be a name, or an unqualified ARN (the API takes both)
        short = name.rsplit(":", 1)[-1] if name.startswith("arn:") else name
        for f in self.functions:
            if f["region"] == region and f["name"] == short:
                return f
        raise AwsFault(
            404,
            "ResourceNotFoundException",
            f"Function not found: {self._arn_function(region, short)}",
        )

    def _configuration(self, region: str, f: dict[str, Any]) -> dict[str, Any]:
        config = {
            "FunctionName": f["name"],
            "FunctionArn": self._arn_function(region, f["name"]),
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{self.account}:role/{f['name']}-role",
            "Handler": "app.handler",
            "CodeSize": 1024,
            "Timeout": 30,
            "MemorySize": 256,
            "LastModified": "2026-11-01T09:00:00.000+0000",
            "Version": "$LATEST",
            "PackageType": "Zip",
            "State": "Active",
        }
        config.update(f.get("config", {}))
        return config

    def _lambda_page(
        self, items: list[Any], p: dict[str, Any], cap: int | None = None
    ) -> tuple[list[Any], str | None]:
        """MaxItems items a page, at most `cap` where the API caps a response
        (ListFunctions 50, ListEventSourceMappings 100, "even if you set the
        number higher"), and never more than the emulator's page size."""
        size = min(self.page_size, int(p.get("MaxItems") or self.page_size))
        if cap is not None:
            size = min(size, cap)
        start = int(p.get("Marker") or 0)
        end = start + size
        return items[start:end], (str(end) if end < len(items) else None)

    def lambda_ListFunctions(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        functions = [
            self._configuration(region, f) for f in self.functions if f["region"] == region
        ]
        page, marker = self._lambda_page(functions, p, cap=LIST_FUNCTIONS_CAP)
        return {"Functions": page, **({"NextMarker": marker} if marker else {})}

    def lambda_GetFunctionConfiguration(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        return self._configuration(region, self._function(region, p["FunctionName"]))

    def lambda_ListAliases(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        f = self._function(region, p["FunctionName"])
        arn = self._arn_function(region, f["name"])
        aliases = [
            {
                "AliasArn": f"{arn}:{a['Name']}",
                "RevisionId": str(uuid.uuid5(uuid.NAMESPACE_URL, a["Name"])),
                **a,
            }
            for a in f.get("aliases", [])
        ]
        page, marker = self._lambda_page(aliases, p)
        return {"Aliases": page, **({"NextMarker": marker} if marker else {})}

    def lambda_ListEventSourceMappings(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        wanted = self._function(region, p["FunctionName"]) if p.get("FunctionName") else None
        mappings = []
        for f in self.functions:
            if f["region"] != region or (wanted is not None and f is not wanted):
                continue
            arn = self._arn_function(region, f["name"])
            for m in f.get("mappings", []):
                qualifier = m.get("qualifier")
                mappings.append(
                    {
                        "UUID": str(uuid.uuid5(uuid.NAMESPACE_URL, m["EventSourceArn"] + arn)),
                        "EventSourceArn": m["EventSourceArn"],
                        "FunctionArn": f"{arn}:{qualifier}" if qualifier else arn,
                        "State": m.get("State", "Enabled"),
                        "BatchSize": 10,
                        "LastModified": "2026-11-01T09:00:00Z",
                    }
                )
        page, marker = self._lambda_page(mappings, p, cap=LIST_MAPPINGS_CAP)
        return {"EventSourceMappings": page, **({"NextMarker": marker} if marker else {})}

    def lambda_ListFunctionUrlConfigs(self, region: str, p: dict[str, Any]) -> dict[str, Any]:
        f = self._function(region, p["FunctionName"])
        arn = self._arn_function(region, f["name"])
        configs = []
        for u in f.get("urls", []):
            qualifier = u.get("qualifier")
            url_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}:{qualifier or ''}").hex
            configs.append(
                {
                    "FunctionUrl": f"https://{url_id}.lambda-url.{region}.on.aws/",
                    "FunctionArn": f"{arn}:{qualifier}" if qualifier else arn,
                    "CreationTime": "2026-11-01T09:00:00.000Z",
                    "LastModifiedTime": "2026-11-01T09:00:00.000Z",
                    "AuthType": u.get("AuthType", "AWS_IAM"),
                    "InvokeMode": u.get("InvokeMode", "BUFFERED"),
                }
            )
        page, marker = self._lambda_page(configs, p)
        return {"FunctionUrlConfigs": page, **({"NextMarker": marker} if marker else {})}
