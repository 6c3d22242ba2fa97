"""Scenarios: networks written as YAML (or the same structure as a dict).

Format (every key but ``vnets`` is optional)::

    name: hub-and-spoke
    description: One hub, two spokes, each spoke peered with the hub.
    vnets:
      - name: hub
        address_space: [10.0.0.0/16]
        region: westeurope            # Azure's programmatic region name
        subscription: contoso-prod    # default "default"
        tenant: contoso               # default "default"
        cloud: AzureCloud             # default; AzureChinaCloud, AzureUSGovernment
        subnets:
          - name: shared
            prefix: 10.0.1.0/24
            nics:
              - {name: vm-hub, ip: 10.0.1.4}   # ip optional: next free usable address
    peerings:                          # one entry per *link*; a peering needs both links
      - {vnet: hub, remote: spoke1}    # settings default to Azure's defaults
      - {vnet: spoke1, remote: hub, allow_forwarded_traffic: true}
    # optional per link: name, allow_virtual_network_access, allow_forwarded_traffic,
    # allow_gateway_transit, use_remote_gateways, remote_address_space (a stale copy, i.e. not yet synced),
    # peering_state: Disconnected (the other link was deleted)

A shorthand ``peer: [a, b]`` entry in ``peerings`` creates both links with default settings.
``Network.to_yaml`` writes this format and ``Network.from_yaml`` reads it back to an equal network.
Every rule is checked while building: a scenario that breaks one raises the same error the API would.
"""
from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from . import addressing
from .errors import ScenarioError, VnetlabError

VNET_KEYS = {"name", "address_space", "region", "subscription", "tenant", "cloud", "subnets"}
SUBNET_KEYS = {"name", "prefix", "nics"}
NIC_KEYS = {"name", "ip"}
LINK_KEYS = {"vnet", "remote", "name", "allow_virtual_network_access", "allow_forwarded_traffic",
             "allow_gateway_transit", "use_remote_gateways", "remote_address_space", "peering_state"}


def _mapping(value: Any, where: str, allowed: set[str], required: set[str]) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: expected a mapping (key: value), got {type(value).__name__}.", value=value,
                            rule="scenario format")
    unknown = set(value) - allowed
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {sorted(map(str, unknown))}; allowed: {sorted(allowed)}.",
                            value=sorted(map(str, unknown)), rule="scenario format")
    missing = required - set(value)
    if missing:
        raise ScenarioError(f"{where}: missing key(s) {sorted(missing)}.", value=sorted(missing), rule="scenario format")
    return value


def _list(value: Any, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ScenarioError(f"{where}: expected a list, got {type(value).__name__}.", value=value, rule="scenario format")
    return value


def build(data: Any):
    """Build a :class:`~vnetlab.network.Network` from scenario data, checking every rule on the way."""
    from .network import Network

    doc = _mapping(data, "scenario", {"name", "description", "vnets", "peerings"}, {"vnets"})
    net = Network(name=str(doc.get("name") or "network"), description=str(doc.get("description") or ""))
    where = "scenario"
    try:
        for i, v in enumerate(_list(doc["vnets"], "vnets")):
            where = f"vnets[{i}]"
            v = _mapping(v, where, VNET_KEYS, {"name", "address_space", "region"})
            vnet = net.add_vnet(v["name"], v["address_space"], v["region"], **{
                k: v[k] for k in ("subscription", "tenant", "cloud") if k in v})
            for j, s in enumerate(_list(v.get("subnets"), f"{where}.subnets")):
                where = f"vnets[{i}].subnets[{j}]"
                s = _mapping(s, where, SUBNET_KEYS, {"name", "prefix"})
                subnet = vnet.add_subnet(s["name"], s["prefix"])
                for k, n in enumerate(_list(s.get("nics"), f"{where}.nics")):
                    where = f"vnets[{i}].subnets[{j}].nics[{k}]"
                    n = _mapping(n, where, NIC_KEYS, {"name"})
                    subnet.add_nic(n["name"], n.get("ip"))
        stale: list[tuple[Any, list]] = []
        disconnected = []
        for i, p in enumerate(_list(doc.get("peerings"), "peerings")):
            where = f"peerings[{i}]"
            if isinstance(p, dict) and set(p) == {"peer"}:
                pair = _list(p["peer"], f"{where}.peer")
                if len(pair) != 2:
                    raise ScenarioError(f"{where}: 'peer' takes two VNet names.", value=pair, rule="scenario format")
                net.peer(pair[0], pair[1])
                continue
            p = _mapping(p, where, LINK_KEYS, {"vnet", "remote"})
            settings = {k: p[k] for k in p if k not in ("vnet", "remote", "name", "remote_address_space", "peering_state")}
            link = net.add_peering_link(p["vnet"], p["remote"], p.get("name"), **settings)
            if "remote_address_space" in p:
                stale.append((link, _list(p["remote_address_space"], f"{where}.remote_address_space")))
            if p.get("peering_state") not in (None, "Disconnected"):
                raise ScenarioError(f"{where}: peering_state is derived; only 'Disconnected' may be written.",
                                    value=p.get("peering_state"), rule="scenario format")
            if p.get("peering_state") == "Disconnected":
                disconnected.append(link)
        for link, copy_ in stale:
            link.remote_address_space = tuple(addressing.parse_prefix(x) for x in copy_)
        for link in disconnected:
            link.was_connected = True
    except ScenarioError:
        raise
    except VnetlabError as exc:
        exc.args = (f"{where}: {exc.args[0]}",)
        raise
    except (TypeError, AttributeError) as exc:  # e.g. a list where text was expected
        raise ScenarioError(f"{where}: {exc}", value=where, rule="scenario format") from None
    return net


def _scenario_dir():
    return resources.files("vnetlab").joinpath("data", "scenarios")


def list_scenarios() -> list[str]:
    """Names of the packaged scenarios used by the lessons."""
    return sorted(p.name[:-5] for p in _scenario_dir().iterdir() if p.name.endswith(".yaml"))


def load_scenario(name: str):
    """A packaged scenario as a fresh :class:`~vnetlab.network.Network` (e.g. ``"hub-and-spoke"``)."""
    from .network import Network

    names = list_scenarios()
    if name not in names:
        raise ScenarioError(f"No packaged scenario {name!r}; available: {', '.join(names)}.", value=name,
                            rule="scenario must exist")
    return Network.from_yaml(_scenario_dir().joinpath(f"{name}.yaml").read_text(encoding="utf-8"))


def dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False)
