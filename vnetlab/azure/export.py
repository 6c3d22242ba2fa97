"""Export a design: a :class:`~vnetlab.network.Network` as an ARM template, Bicep, or ``az`` CLI commands.

One function, :func:`arm_resources`, turns the model into Azure resources (the shape ``az group export`` and
the REST API use); the three outputs render that list, so they describe the same deployment, and importing
the ARM template (:func:`vnetlab.azure.import_azure`) gives back the same network (the round-trip test).

Order (each resource after what it refers to): NSGs and route tables, VNets with their subnets, NICs, public
IPs, VPN gateways (one public IP per instance, Standard and static), local network gateways, peering links (one
resource per side, after the gateways that gateway transit needs) and connections. Shared keys are never
written: the script reads ``$SHARED_KEY`` and the templates take a secure ``sharedKey`` parameter.

What a sandbox deployment differs in: everything goes to one resource group and one subscription (the design's
subscriptions and tenants are listed as comments); Azure picks real public IPs for gateways; a peering link's
stale copy of its remote's address space (``LocalNotInSync``) cannot be deployed, only the current one.
Comments state the gateway's creation time and the costs, from ``vnetlab/data`` with their sources.
"""
from __future__ import annotations

import json
import re
from typing import Any

from ..facts import fact, raw

API_VERSION = "2024-07-01"
NET = "Microsoft.Network"
SHARED_KEY = "[parameters('sharedKey')]"


def _rid(kind: str, *names: str) -> str:
    """A ``resourceId()`` expression, as ARM templates (and ``az group export``) refer to resources."""
    return "[resourceId(" + ", ".join(f"'{x}'" for x in (f"{NET}/{kind}", *names)) + ")]"


def _ref(kind: str, *names: str) -> dict:
    return {"id": _rid(kind, *names)}


def _resource(kind: str, name: str, location: str | None, properties: dict, depends: list[str] = (), **extra: Any) -> dict:
    res = {"type": f"{NET}/{kind}", "apiVersion": API_VERSION, "name": name}
    if location is not None:
        res["location"] = location
    res.update(extra)
    res["properties"] = properties
    if depends:
        res["dependsOn"] = list(dict.fromkeys(depends))
    return res


def _location(network) -> str:
    return next(iter(network.vnets.values())).region if network.vnets else "westeurope"


def _gateway_region(gateway) -> str:
    return gateway.vnet.region


def arm_resources(network) -> list[dict]:
    """The network as Azure resources in deployment order (ARM shape, references as ``resourceId()``)."""
    out: list[dict] = []
    where = _location(network)
    for group in network.network_security_groups.values():
        rules = []
        for r in group.custom.values():
            d = r.to_dict()
            props = {"priority": d["priority"], "direction": d["direction"], "access": d["access"],
                     "protocol": d["protocol"]}
            for ours, one, many in (("source", "sourceAddressPrefix", "sourceAddressPrefixes"),
                                    ("source_ports", "sourcePortRange", "sourcePortRanges"),
                                    ("destination", "destinationAddressPrefix", "destinationAddressPrefixes"),
                                    ("destination_ports", "destinationPortRange", "destinationPortRanges")):
                props[many if isinstance(d[ours], list) else one] = d[ours]
            rules.append({"name": r.name, "properties": props})
        out.append(_resource("networkSecurityGroups", group.name, where, {"securityRules": rules}))
    for table in network.route_tables.values():
        routes = [{"name": r.name, "properties": {"addressPrefix": str(r.prefix), "nextHopType": r.next_hop_type,
                                                   **({"nextHopIpAddress": str(r.next_hop_ip)} if r.next_hop_ip
                                                      is not None else {})}} for r in table.routes.values()]
        out.append(_resource("routeTables", table.name, where, {
            "disableBgpRoutePropagation": table.disable_bgp_route_propagation, "routes": routes}))
    for v in network.vnets.values():
        subnets, depends = [], []
        for s in v.subnets.values():
            props: dict[str, Any] = {"addressPrefix": str(s.prefix)}
            if s.route_table is not None:
                props["routeTable"] = _ref("routeTables", s.route_table.name)
                depends.append(_rid("routeTables", s.route_table.name))
            if s.network_security_group is not None:
                props["networkSecurityGroup"] = _ref("networkSecurityGroups", s.network_security_group.name)
                depends.append(_rid("networkSecurityGroups", s.network_security_group.name))
            subnets.append({"name": s.name, "properties": props})
        props = {"addressSpace": {"addressPrefixes": [str(r) for r in v.address_space]}, "subnets": subnets}
        if v.encryption:
            props["encryption"] = {"enabled": True}
        out.append(_resource("virtualNetworks", v.name, v.region, props, depends))
    for n in network.nics:
        props = {"ipConfigurations": [{"name": "ipconfig1", "properties": {
            "privateIPAllocationMethod": "Static", "privateIPAddress": str(n.ip),
            "subnet": _ref("virtualNetworks/subnets", n.vnet.name, n.subnet.name)}}]}
        depends = [_rid("virtualNetworks", n.vnet.name)]
        if n.ip_forwarding:
            props["enableIPForwarding"] = True
        if n.accelerated_networking:
            props["enableAcceleratedNetworking"] = True
        if n.network_security_group is not None:
            props["networkSecurityGroup"] = _ref("networkSecurityGroups", n.network_security_group.name)
            depends.append(_rid("networkSecurityGroups", n.network_security_group.name))
        out.append(_resource("networkInterfaces", n.name, n.vnet.region, props, depends))
    for g in network.gateways:
        for pip in _public_ips(g):
            out.append(_resource("publicIPAddresses", pip, g.vnet.region, {"publicIPAllocationMethod": "Static"},
                                 sku={"name": "Standard"}))
    for g in network.gateways:
        out.append(_gateway(g))
    for lng in network.local_gateways.values():
        props = {"gatewayIpAddress": str(lng.gateway_ip),
                 "localNetworkAddressSpace": {"addressPrefixes": [str(p) for p in lng.prefixes]}}
        if lng.bgp_asn is not None:
            props["bgpSettings"] = {"asn": lng.bgp_asn, "bgpPeeringAddress": str(lng.bgp_peer_ip)}
        out.append(_resource("localNetworkGateways", lng.name, where, props))
    for link in network.peering_links:
        s = link.settings
        depends = [_rid("virtualNetworks", link.local.name), _rid("virtualNetworks", link.remote.name)]
        depends += [_rid("virtualNetworkGateways", v.gateway.name) for v in (link.local, link.remote) if v.gateway]
        out.append(_resource("virtualNetworks/virtualNetworkPeerings", f"{link.local.name}/{link.name}", None, {
            "remoteVirtualNetwork": _ref("virtualNetworks", link.remote.name),
            "allowVirtualNetworkAccess": s.allow_virtual_network_access,
            "allowForwardedTraffic": s.allow_forwarded_traffic, "allowGatewayTransit": s.allow_gateway_transit,
            "useRemoteGateways": s.use_remote_gateways}, depends))
    for c in network.connections:
        props: dict[str, Any] = {"connectionType": c.kind,
                                 "virtualNetworkGateway1": _ref("virtualNetworkGateways", c.gateway.name)}
        depends = [_rid("virtualNetworkGateways", c.gateway.name)]
        if c.kind == "Vnet2Vnet":
            props["virtualNetworkGateway2"] = _ref("virtualNetworkGateways", c.remote.name)
            depends.append(_rid("virtualNetworkGateways", c.remote.name))
        else:
            props["localNetworkGateway2"] = _ref("localNetworkGateways", c.remote.name)
            depends.append(_rid("localNetworkGateways", c.remote.name))
        props["sharedKey"] = SHARED_KEY
        props["enableBgp"] = c.enable_bgp
        props["connectionProtocol"] = c.connection_protocol
        if c.use_policy_based_traffic_selectors:
            props["usePolicyBasedTrafficSelectors"] = True
        for key, names in (("ingressNatRules", c.ingress_nat_rules), ("egressNatRules", c.egress_nat_rules)):
            if names:
                props[key] = [_ref("virtualNetworkGateways/natRules", c.gateway.name, n) for n in names]
        if c.ipsec_policy is not None:
            p = c.ipsec_policy
            props["ipsecPolicies"] = [{"saLifeTimeSeconds": p.sa_lifetime_seconds,
                                       "saDataSizeKilobytes": p.sa_data_size_kb, "ipsecEncryption": p.ipsec_encryption,
                                       "ipsecIntegrity": p.ipsec_integrity, "ikeEncryption": p.ike_encryption,
                                       "ikeIntegrity": p.ike_integrity, "dhGroup": p.dh_group, "pfsGroup": p.pfs_group}]
        out.append(_resource("connections", c.name, c.gateway.vnet.region, props, depends))
    return out


def _public_ips(gateway) -> list[str]:
    return [f"{gateway.name}-pip{i + 1}" for i in range(2 if gateway.active_active else 1)]


def _gateway(g) -> dict:
    configs = [{"name": f"ipconfig{i + 1}", "properties": {
        "privateIPAllocationMethod": "Dynamic",
        "subnet": _ref("virtualNetworks/subnets", g.vnet.name, "GatewaySubnet"),
        "publicIPAddress": _ref("publicIPAddresses", pip)}} for i, pip in enumerate(_public_ips(g))]
    props: dict[str, Any] = {"gatewayType": "Vpn", "vpnType": g.vpn_type, "sku": {"name": g.sku.name, "tier": g.sku.name},
                             "activeActive": g.active_active, "enableBgp": g.bgp, "ipConfigurations": configs}
    if g.sku.generation is not None:
        props["vpnGatewayGeneration"] = f"Generation{g.sku.generation}"
    if g.bgp:
        props["bgpSettings"] = {"asn": g.bgp_asn}
    if g.p2s is not None:
        props["vpnClientConfiguration"] = {"vpnClientAddressPool": {"addressPrefixes": [str(p) for p in g.p2s.address_pool]},
                                           "vpnClientProtocols": list(g.p2s.protocols)}
    if g.nat_rules:
        props["natRules"] = [{"name": r.name, "properties": {"type": r.type, "mode": r.mode,
                                                             "internalMappings": [{"addressSpace": str(r.internal)}],
                                                             "externalMappings": [{"addressSpace": str(r.external)}]}}
                             for r in g.nat_rules.values()]
    depends = [_rid("virtualNetworks", g.vnet.name)] + [_rid("publicIPAddresses", p) for p in _public_ips(g)]
    return _resource("virtualNetworkGateways", g.name, g.vnet.region, props, depends)


def arm_template(network) -> dict:
    """An ARM template of the network (what ``az deployment group create --template-file`` takes)."""
    params: dict[str, Any] = {}
    if network.connections:
        params["sharedKey"] = {"type": "securestring", "metadata": {
            "description": "The IPsec pre-shared key of every connection (never stored by vnetlab)."}}
    return {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0", "metadata": {"generator": "vnetlab", "network": network.name},
            "parameters": params, "resources": arm_resources(network)}


# --- comments: time and money ------------------------------------------------------------------------------------
def cost_notes(network) -> list[str]:
    """Comment lines on creation time and cost, each figure with its source and date (``vnetlab/data``)."""
    from ..compare import gateway_hours

    notes = []
    if network.gateways:
        minutes = fact("vpn_gateway_skus", "provisioning")
        notes.append(f"Each VPN gateway {minutes.value['wording']} ({minutes.cite()}).")
        for g in network.gateways:
            figure = gateway_hours(g.sku, count=1)
            shown = f"about {figure} ({figure.origin})" if figure.known else figure.origin
            notes.append(f"Gateway {g.name} ({g.sku.key}): {shown}; {'; '.join(figure.sources)}.")
        notes.append("Gateways bill by the hour from creation until deletion: delete the resource group when done.")
    if network.connections:
        meter = fact("pricing", "s2s_connection_monthly_usd")
        notes.append(f"S2S connection meter: {meter.value} USD/month per connection, {raw('pricing', 's2s_connection_monthly_usd')['region']} "
                     f"({meter.note}; {meter.cite()}).")
    if network.peering_links:
        peering = fact("pricing", "peering_per_gb_usd")
        rate = peering.value["regional"]
        notes.append(f"Peering data: {rate['out']} USD/GB out and {rate['in']} USD/GB in within a region; global "
                     f"peering costs more ({peering.cite()}).")
    return notes


def _design_notes(network) -> list[str]:
    subs = sorted({(v.subscription, v.tenant) for v in network.vnets.values()})
    notes = [f"Design: {network.name}"]
    if len(subs) > 1 or subs and subs[0] != ("default", "default"):
        notes.append("The design spans subscriptions/tenants " + ", ".join(f"{s}/{t}" for s, t in subs)
                     + "; this sandbox deployment puts every resource in one subscription and resource group.")
    stale = [l for l in network.peering_links if not l.local_in_sync]
    if stale:
        notes.append("Not deployable as modelled: " + ", ".join(l.name for l in stale) + " hold a stale copy of "
                     "their remote's address space (LocalNotInSync); Azure creates links in sync.")
    return notes


# --- az CLI -------------------------------------------------------------------------------------------------------
def _name(ref: dict) -> str:
    """The last name in a ``resourceId()`` expression."""
    return re.findall(r"'([^']*)'", ref["id"])[-1]


def _flag(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return f"--{name} {str(value).lower()}"
    if isinstance(value, list):
        return f"--{name} " + " ".join(_q(v) for v in value)
    return f"--{name} {_q(value)}"


def _q(value: Any) -> str:
    text = str(value)
    return text if re.fullmatch(r"[A-Za-z0-9_./:@,=+-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def _az_lines(res: dict) -> list[str]:
    kind = res["type"].split("/", 1)[1]
    p = res["properties"]
    name, loc = res["name"], res.get("location")
    g = "-g \"$RG\""
    if kind == "networkSecurityGroups":
        lines = [f"az network nsg create {g} -n {_q(name)} -l {loc}"]
        for r in p["securityRules"]:
            rp = r["properties"]
            args = [f"--priority {rp['priority']}", f"--direction {rp['direction']}", f"--access {rp['access']}",
                    f"--protocol {_q(rp['protocol'])}"]
            for flag, one, many in (("source-address-prefixes", "sourceAddressPrefix", "sourceAddressPrefixes"),
                                    ("source-port-ranges", "sourcePortRange", "sourcePortRanges"),
                                    ("destination-address-prefixes", "destinationAddressPrefix", "destinationAddressPrefixes"),
                                    ("destination-port-ranges", "destinationPortRange", "destinationPortRanges")):
                value = rp.get(many, rp.get(one))
                args.append(_flag(flag, value if isinstance(value, list) else [value]))
            lines.append(f"az network nsg rule create {g} --nsg-name {_q(name)} -n {_q(r['name'])} " + " ".join(args))
        return lines
    if kind == "routeTables":
        lines = [f"az network route-table create {g} -n {_q(name)} -l {loc}"
                 + (" --disable-bgp-route-propagation true" if p["disableBgpRoutePropagation"] else "")]
        for r in p["routes"]:
            rp = r["properties"]
            lines.append(f"az network route-table route create {g} --route-table-name {_q(name)} -n {_q(r['name'])} "
                         f"--address-prefix {rp['addressPrefix']} --next-hop-type {rp['nextHopType']}"
                         + (f" --next-hop-ip-address {rp['nextHopIpAddress']}" if "nextHopIpAddress" in rp else ""))
        return lines
    if kind == "virtualNetworks":
        lines = [f"az network vnet create {g} -n {_q(name)} -l {loc} "
                 + _flag("address-prefixes", p["addressSpace"]["addressPrefixes"])
                 + (" --enable-encryption true" if p.get("encryption") else "")]
        for s in p["subnets"]:
            sp = s["properties"]
            extra = "".join(f" --{flag} {_q(_name(sp[key]))}" for flag, key in
                            (("route-table", "routeTable"), ("network-security-group", "networkSecurityGroup")) if key in sp)
            lines.append(f"az network vnet subnet create {g} --vnet-name {_q(name)} -n {_q(s['name'])} "
                         f"--address-prefixes {sp['addressPrefix']}{extra}")
        return lines
    if kind == "networkInterfaces":
        ip = p["ipConfigurations"][0]["properties"]
        subnet = re.findall(r"'([^']*)'", ip["subnet"]["id"])
        return [f"az network nic create {g} -n {_q(name)} -l {loc} --vnet-name {_q(subnet[1])} --subnet {_q(subnet[2])} "
                f"--private-ip-address {ip['privateIPAddress']}"
                + (" --ip-forwarding true" if p.get("enableIPForwarding") else "")
                + (" --accelerated-networking true" if p.get("enableAcceleratedNetworking") else "")
                + (f" --network-security-group {_q(_name(p['networkSecurityGroup']))}" if "networkSecurityGroup" in p else "")]
    if kind == "publicIPAddresses":
        return [f"az network public-ip create {g} -n {_q(name)} -l {loc} --sku Standard --allocation-method Static"]
    if kind == "virtualNetworkGateways":
        vnet = re.findall(r"'([^']*)'", p["ipConfigurations"][0]["properties"]["subnet"]["id"])[1]
        pips = [_name(c["properties"]["publicIPAddress"]) for c in p["ipConfigurations"]]
        line = (f"az network vnet-gateway create {g} -n {_q(name)} -l {loc} --vnet {_q(vnet)} "
                f"{_flag('public-ip-addresses', pips)} --gateway-type Vpn --vpn-type {p['vpnType']} --sku {p['sku']['name']}"
                + (f" --vpn-gateway-generation {p['vpnGatewayGeneration']}" if "vpnGatewayGeneration" in p else "")
                + (f" --asn {p['bgpSettings']['asn']}" if p.get("enableBgp") else "")
                + (" " + _flag("address-prefixes", p["vpnClientConfiguration"]["vpnClientAddressPool"]["addressPrefixes"])
                   + " " + _flag("client-protocol", p["vpnClientConfiguration"]["vpnClientProtocols"])
                   if "vpnClientConfiguration" in p else "")
                + " --no-wait")
        lines = [line, f"az network vnet-gateway wait {g} -n {_q(name)} --created --timeout 7200"]
        for r in p.get("natRules", []):
            rp = r["properties"]
            lines.append(f"az network vnet-gateway nat-rule add {g} --gateway-name {_q(name)} -n {_q(r['name'])} "
                         f"--type {rp['type']} --mode {rp['mode']} --internal-mappings "
                         f"{rp['internalMappings'][0]['addressSpace']} --external-mappings "
                         f"{rp['externalMappings'][0]['addressSpace']}")
        return lines
    if kind == "localNetworkGateways":
        bgp = p.get("bgpSettings")
        return [f"az network local-gateway create {g} -n {_q(name)} -l {loc} --gateway-ip-address {p['gatewayIpAddress']} "
                + _flag("local-address-prefixes", p["localNetworkAddressSpace"]["addressPrefixes"])
                + (f" --asn {bgp['asn']} --bgp-peering-address {bgp['bgpPeeringAddress']}" if bgp else "")]
    if kind == "virtualNetworks/virtualNetworkPeerings":
        vnet, link = name.split("/")
        return [f"az network vnet peering create {g} -n {_q(link)} --vnet-name {_q(vnet)} "
                f"--remote-vnet {_q(_name(p['remoteVirtualNetwork']))} "
                f"{_flag('allow-vnet-access', p['allowVirtualNetworkAccess'])} "
                f"{_flag('allow-forwarded-traffic', p['allowForwardedTraffic'])} "
                f"{_flag('allow-gateway-transit', p['allowGatewayTransit'])} "
                f"{_flag('use-remote-gateways', p['useRemoteGateways'])}"]
    if kind == "connections":
        remote = ("--vnet-gateway2 " + _q(_name(p["virtualNetworkGateway2"])) if "virtualNetworkGateway2" in p
                  else "--local-gateway2 " + _q(_name(p["localNetworkGateway2"])))
        lines = [f"az network vpn-connection create {g} -n {_q(name)} -l {loc} --vnet-gateway1 "
                 f"{_q(_name(p['virtualNetworkGateway1']))} {remote} --shared-key \"$SHARED_KEY\""
                 + (" --enable-bgp" if p["enableBgp"] else "")
                 + (" --use-policy-based-traffic-selectors true" if p.get("usePolicyBasedTrafficSelectors") else "")]
        for policy in p.get("ipsecPolicies", []):
            lines.append(f"az network vpn-connection ipsec-policy add {g} --connection-name {_q(name)} "
                         f"--ike-encryption {policy['ikeEncryption']} --ike-integrity {policy['ikeIntegrity']} "
                         f"--dh-group {policy['dhGroup']} --ipsec-encryption {policy['ipsecEncryption']} "
                         f"--ipsec-integrity {policy['ipsecIntegrity']} --pfs-group {policy['pfsGroup']} "
                         f"--sa-lifetime {policy['saLifeTimeSeconds']} --sa-max-size {policy['saDataSizeKilobytes']}")
        for flag, key in (("ingress-nat-rule", "ingressNatRules"), ("egress-nat-rule", "egressNatRules")):
            if p.get(key):  # az takes the NAT rules' resource IDs here
                gw = _name(p["virtualNetworkGateway1"])
                lines[0] += f" --{flag} " + " ".join(
                    f'"/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.Network/virtualNetworkGateways/{gw}'
                    f'/natRules/{_name(r)}"' for r in p[key])
        return lines
    raise ValueError(f"no az rendering for {kind}")  # every kind arm_resources makes is handled above


def az_script(network, resource_group: str = "vnetlab-sandbox") -> str:
    """A bash script of ``az`` commands that deploys the network into one resource group, in dependency order."""
    resources = arm_resources(network)
    lines = ["#!/usr/bin/env bash", "# Generated by vnetlab: deploy into a sandbox subscription, then delete the group.",
             *(f"# {n}" for n in _design_notes(network)), *(f"# {n}" for n in cost_notes(network)),
             "set -euo pipefail", f"RG=\"${{RG:-{resource_group}}}\"", f"LOCATION=\"${{LOCATION:-{_location(network)}}}\""]
    if network.connections:
        lines += [": \"${SHARED_KEY:?set SHARED_KEY to the IPsec pre-shared key (it is not stored here)}\""]
    if any(c.ingress_nat_rules or c.egress_nat_rules for c in network.connections):
        lines += ["SUB=\"$(az account show --query id -o tsv)\"   # NAT rules are linked to connections by resource ID"]
    lines += ["", "az group create -n \"$RG\" -l \"$LOCATION\""]
    for res in resources:
        kind = res["type"].split("/", 1)[1]
        if kind == "virtualNetworkGateways":
            minutes = fact("vpn_gateway_skus", "provisioning").value
            lines += ["", f"# {res['name']}: creating a VPN gateway {minutes['wording']}; the next command waits."]
        lines += _az_lines(res)
    return "\n".join(lines) + "\n"


# --- Bicep ---------------------------------------------------------------------------------------------------------
def _symbol(res: dict, taken: dict) -> str:
    kind = res["type"].split("/")[-1]
    singular = kind[:-2] if kind.endswith("sses") else kind[:-1]  # publicIPAddresses → publicIPAddress
    base = re.sub(r"[^A-Za-z0-9]", "_", singular + "_" + res["name"].split("/")[-1])
    sym, n = base, 1
    while sym in taken.values():
        n += 1
        sym = f"{base}{n}"
    return sym


def _bicep_value(value: Any, indent: int) -> str:
    pad = "  " * indent
    if isinstance(value, str):
        if value.startswith("[") and value.endswith("]"):
            return value[1:-1].replace("parameters('sharedKey')", "sharedKey")
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + "".join(f"{pad}  {_bicep_value(v, indent + 1)}\n" for v in value) + f"{pad}]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{\n" + "".join(f"{pad}  {_key(k)}: {_bicep_value(v, indent + 1)}\n" for k, v in value.items()) + f"{pad}}}"
    return json.dumps(value)


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) else f"'{k}'"


def bicep(network) -> str:
    """The network as a Bicep file (``az deployment group create -g RG --template-file main.bicep``)."""
    lines = ["// Generated by vnetlab.", *(f"// {n}" for n in _design_notes(network)),
             *(f"// {n}" for n in cost_notes(network))]
    if network.connections:
        lines += ["", "@secure()", "@description('The IPsec pre-shared key of every connection (never stored by vnetlab).')",
                  "param sharedKey string"]
    symbols: dict[str, str] = {}
    for res in arm_resources(network):
        sym = _symbol(res, symbols)
        symbols[_rid(res["type"].split("/", 1)[1], *res["name"].split("/"))] = sym
        body = {k: v for k, v in res.items() if k not in ("type", "apiVersion", "dependsOn")}
        lines += ["", f"resource {sym} '{res['type']}@{res['apiVersion']}' = {{"]
        for k, v in body.items():
            lines.append(f"  {_key(k)}: {_bicep_value(v, 1)}")
        if res.get("dependsOn"):
            lines.append("  dependsOn: [")
            lines += [f"    {symbols[d]}" for d in res["dependsOn"]]
            lines.append("  ]")
        lines.append("}")
    return "\n".join(lines) + "\n"
