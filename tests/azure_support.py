"""Shared test data for the vnetlab.azure tests: Microsoft's REST API examples and the packaged sample export."""
from __future__ import annotations

import copy
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REST = ROOT / "tests" / "data" / "azure" / "rest"
SAMPLE = ROOT / "vnetlab" / "data" / "azure-sample"
SAMPLE_RESOURCES = sorted(p for p in SAMPLE.glob("*.json") if "effective" not in p.name)


def body(name: str) -> dict:
    """The resource an example returns (``responses.200.body``), as ``az ... show -o json`` would print it."""
    return copy.deepcopy(json.loads((REST / name).read_text(encoding="utf-8"))["responses"]["200"]["body"])


def vnet(rid: str, location: str, prefixes: list[str], subnets: dict[str, str], **subnet_props) -> dict:
    """A VNet resource written here, for an example that references a VNet it does not include."""
    name = rid.rsplit("/", 1)[-1]
    return {"id": rid, "name": name, "type": "Microsoft.Network/virtualNetworks", "location": location,
            "properties": {"addressSpace": {"addressPrefixes": prefixes},
                           "subnets": [{"name": s, "id": f"{rid}/subnets/{s}",
                                        "properties": {"addressPrefix": p, **subnet_props.get(s, {})}}
                                       for s, p in subnets.items()]}}


SUB_RG1 = "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network"
# The gateway, connection and NAT examples reference vnet1 (GatewaySubnet) without including it; the NAT rules'
# internal ranges (10.10.0.0/24) lie in it, so its space holds them; the BGP address 10.0.1.30 is in GatewaySubnet.
VNET1 = vnet(f"{SUB_RG1}/virtualNetworks/vnet1", "centralus", ["10.0.0.0/16", "10.10.0.0/24"],
             {"GatewaySubnet": "10.0.1.0/27"})
# The NIC example's subnet rg1-vnet/default; the effective-route example lists 172.20.2.0/24 as the VNet's range.
RG1_VNET = vnet(f"{SUB_RG1}/virtualNetworks/rg1-vnet", "eastus", ["172.20.2.0/24"], {"default": "172.20.2.0/24"})


def comparable(network) -> dict:
    """``to_dict`` without what a sandbox deployment changes (name, description, subscriptions, tenants)."""
    data = network.to_dict()
    data.pop("name"), data.pop("description")
    for v in data["vnets"]:
        v.pop("subscription", None), v.pop("tenant", None)
    return data
