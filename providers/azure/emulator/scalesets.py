"""Virtual Machine Scale Sets in the ARM emulator: routes, handlers and the
wire shape.

The JSON follows the Microsoft.Compute REST API (virtualMachineScaleSets GET
and list-all, api-version 2024-11-01 and later). A fixture in the estate's
`scale_sets` list holds `subscription`, `resource_group`, `name`, `location`,
`tags`, `orchestration` (Uniform or Flexible), `capacity`, `upgrade` (the
upgradePolicy in ARM field names; null leaves it out), `health_extension`
(the application health extension's type, ApplicationHealthLinux or
ApplicationHealthWindows; null for none), `health_probe` (the load balancer
probe's name; null for none), and `wire` (JSON laid over what is served).
"""

from __future__ import annotations

from typing import Any

from providers.azure.emulator.faults import overlay

COMPUTE = "Microsoft.Compute"
_RG = r"/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)"
ROUTES = [
    (
        "scalesets.list",
        r"/subscriptions/(?P<sub>[^/]+)/providers/microsoft\.compute/virtualmachinescalesets",
        "Microsoft.Compute/virtualMachineScaleSets/read",
    ),
    (
        "scalesets.get",
        _RG + r"/providers/microsoft\.compute/virtualmachinescalesets/(?P<name>[^/]+)",
        "Microsoft.Compute/virtualMachineScaleSets/read",
    ),
]


def _group(item: dict[str, Any]) -> str:
    return f"/subscriptions/{item['subscription']}/resourceGroups/{item['resource_group']}"


def scale_set_id(item: dict[str, Any]) -> str:
    return f"{_group(item)}/providers/{COMPUTE}/virtualMachineScaleSets/{item['name']}"


def _network(item: dict[str, Any]) -> dict[str, Any]:
    net = f"{_group(item)}/providers/Microsoft.Network"
    lb = f"{net}/loadBalancers/{item['name']}-lb"
    profile: dict[str, Any] = {
        "networkInterfaceConfigurations": [
            {
                "name": f"{item['name']}-nic",
                "properties": {
                    "primary": True,
                    "enableAcceleratedNetworking": False,
                    "enableIPForwarding": False,
                    "ipConfigurations": [
                        {
                            "name": f"{item['name']}-ipconfig",
                            "properties": {
                                "subnet": {"id": f"{net}/virtualNetworks/dds-vnet/subnets/app"},
                                "privateIPAddressVersion": "IPv4",
                                "loadBalancerBackendAddressPools": [
                                    {"id": f"{lb}/backendAddressPools/app"}
                                ],
                            },
                        }
                    ],
                },
            }
        ]
    }
    if item.get("health_probe"):
        profile["healthProbe"] = {"id": f"{lb}/probes/{item['health_probe']}"}
    if item.get("orchestration") == "Flexible":
        profile["networkApiVersion"] = "2020-11-01"
    return profile


def _extensions(item: dict[str, Any]) -> list[dict[str, Any]]:
    kind = item.get("health_extension")
    if not kind:
        return []
    return [
        {
            "name": "HealthExtension",
            "properties": {
                "provisionAfterExtensions": [],
                "publisher": "Microsoft.ManagedServices",
                "type": kind,
                "typeHandlerVersion": "2.0",
                "autoUpgradeMinorVersion": True,
                "settings": {"protocol": "http", "port": 80, "requestPath": "/health"},
            },
        }
    ]


def scale_set(item: dict[str, Any]) -> dict[str, Any]:
    name = item["name"]
    properties: dict[str, Any] = {
        "singlePlacementGroup": False,
        "orchestrationMode": item.get("orchestration", "Uniform"),
        "virtualMachineProfile": {
            "osProfile": {
                "computerNamePrefix": name[:9],
                "adminUsername": "ddsadmin",
                "linuxConfiguration": {
                    "disablePasswordAuthentication": True,
                    "provisionVMAgent": True,
                },
                "secrets": [],
            },
            "storageProfile": {
                "imageReference": {
                    "publisher": "Canonical",
                    "offer": "ubuntu-24_04-lts",
                    "sku": "server",
                    "version": "latest",
                },
                "osDisk": {
                    "createOption": "FromImage",
                    "caching": "ReadWrite",
                    "managedDisk": {"storageAccountType": "Premium_LRS"},
                    "diskSizeGB": 30,
                },
            },
            "networkProfile": _network(item),
            "extensionProfile": {"extensions": _extensions(item)},
        },
        "provisioningState": "Succeeded",
        "overprovision": False,
        "doNotRunExtensionsOnOverprovisionedVMs": False,
        "uniqueId": "b1a7d0c2-6e3f-4a59-8c1d-2f0e9a8b7c6d",
        "platformFaultDomainCount": 1,
        "timeCreated": "2026-02-10T08:30:00.0000000+00:00",
    }
    if item.get("upgrade") is not None:
        properties["upgradePolicy"] = item["upgrade"]
    return {
        "id": scale_set_id(item),
        "name": name,
        "type": f"{COMPUTE}/virtualMachineScaleSets",
        "location": item.get("location", "uksouth"),
        "tags": item.get("tags", {}),
        "sku": {"name": "Standard_D2s_v5", "tier": "Standard", "capacity": item.get("capacity", 4)},
        "zones": item.get("zones", ["1", "2", "3"]),
        "properties": properties,
    }


class ScaleSetsMixin:
    """The emulator's scale set handlers (AzureEmulator mixes them in)."""

    scale_sets: list[dict[str, Any]]
    _find: Any  # AzureEmulator's lookup

    def scalesets_list(self, sub: str) -> list[Any]:
        return [_served(s) for s in self.scale_sets if s["subscription"] == sub.lower()]

    def scalesets_get(self, sub: str, rg: str, name: str) -> dict[str, Any]:
        kind = f"{COMPUTE}/virtualMachineScaleSets"
        return _served(self._find(self.scale_sets, sub.lower(), rg, name, kind))


def _served(item: dict[str, Any]) -> Any:
    return overlay(scale_set(item), item.get("wire", {}))
