"""Import a real network: Azure's JSON → the scenario format → a checked :class:`~vnetlab.network.Network`.

Reads what ``az network vnet list``, ``vnet peering list``, ``vnet-gateway list``, ``local-gateway list``,
``vpn-connection list``, ``route-table list``, ``nsg list`` and ``nic list`` print with ``-o json`` (one file
each, or any mix), a Resource Graph result or an ``az group export`` template (:mod:`vnetlab.azure.arm`).
Resource IDs tie the resources together. The result is the course's scenario format, built with
:func:`vnetlab.scenario.build`, so an imported network obeys every rule a hand-built one does; an Azure
resource the model refuses raises that rule's error, prefixed with the resource's ID.

What the model does not cover goes to the :class:`~vnetlab.azure.report.ImportReport`; shared keys are never
stored. Where the export is partial the importer says what it assumed:

* a peering whose remote VNet is not in the export: the remote becomes a *stub* VNet with the address space
  the link records (``remoteVirtualNetworkAddressSpace``), in the local VNet's region (the link does not say
  where the remote is, so a global peering would show ``VNetPeering`` instead of ``VNetGlobalPeering``);
* a link Azure reports ``Connected`` whose other side is not in the export: the other side is added with
  Azure's default settings (``allowGatewayTransit`` on when this side uses remote gateways, since Azure
  requires it);
* a gateway whose SKU can no longer be created: imported as the existing gateway it is.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any

from ..errors import VnetlabError
from ..nsg import service_tag_names
from ..vnet import azure_spelling
from .arm import CHILDREN, TYPES, AzureImportError, Resource, lookup, of_type, parse_id, read, ref_id
from .report import SECRET, ImportReport

# Read-only state and back-references: facts about the deployment, not configuration the model could hold.
IGNORED = {
    "provisioningstate", "resourceguid", "etag", "resourcenavigationlinks", "serviceassociationlinks", "purpose",
    "ipconfigurationprofiles", "networkinterfaces", "ingressbytestransferred", "egressbytestransferred",
    "tunnelconnectionstatus", "remotebgpcommunities", "macaddress", "virtualmachine", "primary", "hostedworkloads",
    "tapconfigurations", "vnetencryptionsupported", "nictype", "defaultsecurityrules", "description",
    "privateipaddressversion", "privateipallocationmethod", "connectionstatus", "peeringstate", "peeringsynclevel",
    "remotevirtualnetworkaddressspace", "subnets_backref", "routingweight",
}
# Why a property is not modelled, where there is more to say than "not modelled by vnetlab".
REASONS = {
    "dhcpoptions": "custom DNS servers are not modelled (name resolution is outside the simulator)",
    "dnssettings": "custom DNS is not modelled (name resolution is outside the simulator)",
    "enableddosprotection": "DDoS Protection is not modelled",
    "ddosprotectionplan": "DDoS Protection is not modelled",
    "flowlogs": "flow logs are not modelled",
    "flowtimeoutinminutes": "flow timeouts are not modelled",
    "serviceendpoints": "service endpoints are not modelled: Azure's VirtualNetworkServiceEndpoint routes will be "
                        "missing from simulated effective routes",
    "serviceendpointpolicies": "service endpoint policies are not modelled",
    "delegations": "subnet delegation is not modelled",
    "natgateway": "NAT gateway (outbound SNAT to the internet) is not modelled",
    "privateendpoints": "private endpoints are not modelled",
    "privateendpointnetworkpolicies": "private endpoint network policies are not modelled",
    "privatelinkservicenetworkpolicies": "private link service network policies are not modelled",
    "defaultoutboundaccess": "default outbound access is not modelled",
    "bgpcommunities": "BGP communities are not modelled",
    "customroutes": "gateway custom routes are not modelled",
    "vpnclientconfiguration": "Point-to-Site authentication (certificates, RADIUS, Entra ID) is not modelled",
    "ipconfigurations": "public IP addresses are not imported: vnetlab gives gateways documentation addresses "
                        "(203.0.113.0/24)",
    "dpdtimeoutseconds": "dead peer detection timeout is modelled only inside a custom IPsec policy",
    "connectionmode": "connection mode (initiator/responder) is not modelled",
    "trafficselectorpolicies": "custom traffic selector policies are not modelled",
    "gatewaycustombgpipaddresses": "custom APIPA BGP addresses are not modelled",
    "uselocalazureipaddress": "private-IP (local Azure IP) connections are not modelled",
    "enableprivateipaddress": "private-IP gateways are not modelled",
    "disableipsecreplayprotection": "IPsec replay protection switches are not modelled",
    "enablebgproutetranslationfornat": "BGP route translation for NAT is always on in the model",
    "disabletcpstatetracking": "TCP state tracking switches are not modelled",
    "ipv6": "IPv6 is not modelled (the course is IPv4 only)",
    "applicationsecuritygroups": "application security groups are not modelled: the rule is skipped",
    "encryption": "the encryption enforcement policy is not modelled (only whether encryption is on)",
    "expressroutegatewaybypass": "ExpressRoute is not modelled",
    "virtualnetworkgatewaypolicygroups": "gateway policy groups are not modelled",
    "natrules": "NAT rule property not modelled",
}
GENERIC = "not modelled by vnetlab"


@dataclass
class ImportResult:
    """The imported network and the report of what was skipped, assumed or found different."""

    network: Any
    report: ImportReport
    scenario: dict

    def _repr_html_(self) -> str:
        return self.network._repr_html_() + self.report._repr_html_()


def import_azure(*sources: Any, name: str = "imported") -> ImportResult:
    """Read Azure exports (files, JSON text or parsed JSON) into a :class:`~vnetlab.network.Network`."""
    if not sources:
        raise AzureImportError("Give at least one export (a file of `az ... -o json` output, a Resource Graph "
                               "result or an ARM template).", value=sources, rule="something to import")
    reader = _Reader(read(*sources), name)
    try:
        scenario = reader.scenario()
    except VnetlabError:
        raise
    except (TypeError, AttributeError, ValueError, KeyError) as exc:  # a field of the wrong JSON type
        raise AzureImportError(f"{reader.current}: a field does not have the type Azure gives it ({exc}); re-export "
                               "the resource with `-o json`.", value=reader.current, rule="Azure resource format") from None
    network = reader.build(scenario)
    reader.compare_states(network)
    network.import_report = reader.report
    return ImportResult(network=network, report=reader.report, scenario=scenario)


def from_azure(*sources: Any, name: str = "imported"):
    return import_azure(*sources, name=name).network


def _empty(value: Any) -> bool:
    """Nothing configured: null, false, empty, Azure's ``"None"``/``"Disabled"``, or an object of such values."""
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    if isinstance(value, list):
        return all(_empty(v) for v in value)
    return value is None or value is False or value in ("", "None", "Disabled")


def _prefixes(value: Any, where: str, field_: str) -> list[str]:
    prefixes = lookup(value, "addressPrefixes") if isinstance(value, dict) else value
    if prefixes is None:
        return []
    if isinstance(prefixes, str):
        return [prefixes]
    if not isinstance(prefixes, list) or not all(isinstance(p, str) for p in prefixes):
        raise AzureImportError(f"{where}: {field_} should be a list of CIDR prefixes, got {prefixes!r}.",
                               value=prefixes, rule="address prefixes are CIDR text")
    return prefixes


def _is_v6(prefix: str) -> bool:
    return ":" in prefix


class _Reader:
    def __init__(self, resources: list[Resource], name: str) -> None:
        self.resources = resources
        self.name = name
        self.report = ImportReport()
        self.origins: dict[str, str] = {}  # scenario path (vnets[0].subnets[1]) → Azure resource label
        self.vnet_names: dict[str, str] = {}   # lower-case VNet ID → model name
        self.gateway_vnets: dict[str, str] = {}  # lower-case gateway ID → model VNet name
        self.lng_names: dict[str, str] = {}
        self.tables: dict[str, str] = {}
        self.nsgs: dict[str, str] = {}
        self.azure_states: list[tuple[str, str, str, str]] = []  # (label, vnet, remote, Azure peeringState)
        self.azure_status: list[tuple[str, str, str, str]] = []  # (label, vnet, connection, connectionStatus)
        self.current = "(export)"  # the resource being read, for errors

    # --- helpers ---------------------------------------------------------------------------------------------
    def leftovers(self, r: Resource, handled: set[str]) -> None:
        """Report every non-empty property that is neither handled nor read-only state."""
        for key, value in r.properties.items():
            low = key.lower()
            if low in handled or low in IGNORED or _empty(value):
                continue
            if low == "sharedkey":
                self.report.add(r.label, key, SECRET + " (give it as a parameter when you deploy)", "secret")
                continue
            self.report.add(r.label, key, REASONS.get(low, GENERIC))

    def _require(self, r: Resource, prop: str) -> Any:
        value = r.get(prop)
        if _empty(value):
            raise AzureImportError(f"{r.label}: the field {prop} is missing or empty; re-export the resource with "
                                   "`-o json` (a partial export cannot be imported).", value=prop,
                                   rule=f"{prop} is required")
        return value

    def _unique(self, name: str, taken: set[str], r: Resource) -> str:
        if name not in taken:
            return name
        group = parse_id(r.id).resource_group if r.id else "dup"
        renamed = f"{name}-{group}"
        self.report.add(r.label, "name", f"another resource is also named {name}: imported as {renamed}", "inferred")
        return renamed

    # --- the scenario -------------------------------------------------------------------------------------------
    def scenario(self) -> dict:
        for r in self.resources:
            if r.type in CHILDREN and r.type != "microsoft.network/virtualnetworks/virtualnetworkpeerings":
                parent = parse_id(r.id).parent if r.id else "?"
                self.report.add(r.label, "(resource)", f"its parent {parent} is not in the export: skipped")
            elif r.type not in TYPES and r.type not in CHILDREN:
                self.report.add(r.label, "(resource)", "this resource type is not modelled by vnetlab")
        self.tables = {r.id.lower(): r.name for r in of_type(self.resources, "routeTables")}
        self.nsgs = {r.id.lower(): r.name for r in of_type(self.resources, "networkSecurityGroups")}
        doc: dict[str, Any] = {"name": self.name, "description": "Imported from Azure exports", "vnets": []}
        nsg_assoc: dict[str, list[dict]] = {}
        vnets = list(of_type(self.resources, "virtualNetworks"))
        for r in vnets:
            doc["vnets"].append(self._vnet(r, len(doc["vnets"]), nsg_assoc))
        doc["route_tables"] = [self._route_table(r, i) for i, r in enumerate(of_type(self.resources, "routeTables"))]
        self._nics(doc, nsg_assoc)
        doc["network_security_groups"] = [self._nsg(r, i, nsg_assoc) for i, r in
                                          enumerate(of_type(self.resources, "networkSecurityGroups"))]
        doc["vpn_gateways"] = [g for g in (self._gateway(r) for r in of_type(self.resources, "virtualNetworkGateways"))
                               if g is not None]
        for i, _ in enumerate(doc["vpn_gateways"]):
            self.origins[f"vpn_gateways[{i}]"] = doc["vpn_gateways"][i].pop("_origin")
        doc["local_network_gateways"] = [g for g in (self._lng(r) for r in of_type(self.resources, "localNetworkGateways"))
                                         if g is not None]
        for i, g in enumerate(doc["local_network_gateways"]):
            self.origins[f"local_network_gateways[{i}]"] = g.pop("_origin")
        doc["peerings"] = self._peerings(vnets, doc)
        doc["connections"] = [c for c in (self._connection(r) for r in of_type(self.resources, "connections"))
                              if c is not None]
        for i, c in enumerate(doc["connections"]):
            self.origins[f"connections[{i}]"] = c.pop("_origin")
        return {k: v for k, v in doc.items() if v != [] or k == "vnets"}

    def _vnet(self, r: Resource, index: int, nsg_assoc: dict) -> dict:
        self.current = r.label
        name = self._unique(r.name, set(self.vnet_names.values()), r)
        self.vnet_names[r.id.lower()] = name
        self.origins[f"vnets[{index}]"] = r.label
        space = _prefixes(self._require(r, "addressSpace"), r.label, "addressSpace.addressPrefixes")
        if not space:
            raise AzureImportError(f"{r.label}: addressSpace.addressPrefixes is empty.", value="addressSpace",
                                   rule="a VNet has one or more address ranges")
        for p in (p for p in space if _is_v6(p)):
            self.report.add(r.label, "addressSpace", f"{p}: " + REASONS["ipv6"])
        location = r.raw.get("location")
        if not isinstance(location, str) or not location:
            raise AzureImportError(f"{r.label}: the field location is missing.", value="location",
                                   rule="a VNet is in one region")
        vnet: dict[str, Any] = {"name": name, "address_space": [p for p in space if not _is_v6(p)],
                                "region": location}
        if r.id:
            vnet["subscription"] = parse_id(r.id).subscription
        if isinstance(r.raw.get("tenantId"), str):
            vnet["tenant"] = r.raw["tenantId"]
        encryption = r.get("encryption")
        if isinstance(encryption, dict) and lookup(encryption, "enabled"):
            vnet["encryption"] = True
            if lookup(encryption, "enforcement"):
                self.report.add(r.label, "encryption.enforcement", REASONS["encryption"])
        vnet["subnets"] = []
        for j, s in enumerate(r.children("subnets")):
            vnet["subnets"].append(self._subnet(s, name, f"vnets[{index}].subnets[{j}]", nsg_assoc))
        self.leftovers(r, {"addressspace", "subnets", "virtualnetworkpeerings", "encryption"})
        return vnet

    def _subnet(self, s: Resource, vnet: str, path: str, nsg_assoc: dict) -> dict:
        self.current = s.label
        self.origins[path] = s.label
        prefixes = _prefixes(s.get("addressPrefix"), s.label, "addressPrefix") or \
            _prefixes(s.get("addressPrefixes"), s.label, "addressPrefixes")
        v4 = [p for p in prefixes if not _is_v6(p)]
        if not v4:
            raise AzureImportError(f"{s.label}: the field addressPrefix (or addressPrefixes) holds no IPv4 prefix.",
                                   value=prefixes, rule="a subnet has an IPv4 prefix")
        for p in prefixes:
            if p != v4[0]:
                self.report.add(s.label, "addressPrefixes", f"{p}: " + (REASONS["ipv6"] if _is_v6(p) else
                                                                       "vnetlab models one prefix per subnet"))
        subnet: dict[str, Any] = {"name": s.name, "prefix": v4[0]}
        table = ref_id(s.get("routeTable"))
        if table:
            if table.lower() in self.tables:
                subnet["route_table"] = self.tables[table.lower()]
            else:
                self.report.add(s.label, "routeTable", f"route table {parse_id(table).name} is not in the export "
                                "(add `az network route-table list -o json`)")
        nsg = ref_id(s.get("networkSecurityGroup"))
        if nsg:
            if nsg.lower() in self.nsgs:
                nsg_assoc.setdefault(nsg.lower(), []).append({"vnet": vnet, "subnet": s.name})
            else:
                self.report.add(s.label, "networkSecurityGroup", f"NSG {parse_id(nsg).name} is not in the export "
                                "(add `az network nsg list -o json`)")
        for ref in s.get("ipConfigurations") or []:
            target = ref_id(ref)
            if target and parse_id(target).type != "microsoft.network/networkinterfaces/ipconfigurations" and \
                    parse_id(target).type != "microsoft.network/virtualnetworkgateways/ipconfigurations":
                self.report.add(s.label, "ipConfigurations", f"{parse_id(target).type.split('/')[1]} "
                                f"{parse_id(target).parent}: this resource type is not modelled")
        self.leftovers(s, {"addressprefix", "addressprefixes", "routetable", "networksecuritygroup", "ipconfigurations"})
        return subnet

    def _subnet_path(self, doc: dict, subnet_id: str) -> tuple[int, int] | None:
        rid = parse_id(subnet_id)
        vnet_id = subnet_id.lower().split("/subnets/")[0]
        name = self.vnet_names.get(vnet_id)
        for i, v in enumerate(doc["vnets"]):
            if v["name"] == name:
                for j, s in enumerate(v["subnets"]):
                    if s["name"].lower() == rid.name.lower():
                        return i, j
        return None

    def _route_table(self, r: Resource, index: int) -> dict:
        self.current = r.label
        self.origins[f"route_tables[{index}]"] = r.label
        table: dict[str, Any] = {"name": r.name, "routes": []}
        if r.get("disableBgpRoutePropagation"):
            table["disable_bgp_route_propagation"] = True
        for route in r.children("routes"):
            prefix = route.get("addressPrefix")
            hop = route.get("nextHopType")
            if not isinstance(prefix, str) or not isinstance(hop, str):
                raise AzureImportError(f"{route.label}: a route needs addressPrefix and nextHopType (got "
                                       f"{prefix!r}, {hop!r}).", value=route.name, rule="route fields")
            if not prefix[:1].isdigit():
                self.report.add(route.label, "addressPrefix", f"{prefix}: service-tag route prefixes are not "
                                "modelled; the route is skipped")
                continue
            self.origins[f"route_tables[{index}].routes[{len(table['routes'])}]"] = route.label
            entry = {"name": route.name, "prefix": prefix, "next_hop_type": hop}
            ip = route.get("nextHopIpAddress")
            if ip:
                entry["next_hop_ip"] = ip
            table["routes"].append(entry)
            self.leftovers(route, {"addressprefix", "nexthoptype", "nexthopipaddress", "hasbgpoverride"})
        self.leftovers(r, {"routes", "disablebgproutepropagation", "subnets"})
        return table

    def _nics(self, doc: dict, nsg_assoc: dict) -> None:
        for r in of_type(self.resources, "networkInterfaces"):
            self.current = r.label
            configs = r.children("ipConfigurations")
            if not configs:
                raise AzureImportError(f"{r.label}: the field ipConfigurations is missing or empty.",
                                       value="ipConfigurations", rule="a NIC has an IP configuration")
            main = next((c for c in configs if c.get("primary")), configs[0])
            for c in configs:
                if c is not main:
                    self.report.add(r.label, "ipConfigurations", f"{c.name}: vnetlab models one address per NIC")
            subnet_id = ref_id(main.get("subnet"))
            if not subnet_id:
                raise AzureImportError(f"{main.label}: the field subnet.id is missing.", value="subnet",
                                       rule="a NIC's IP configuration names its subnet")
            place = self._subnet_path(doc, subnet_id)
            if place is None:
                self.report.add(r.label, "ipConfigurations.subnet", f"subnet {parse_id(subnet_id).parent}/"
                                f"{parse_id(subnet_id).name} is not in the export (add `az network vnet list -o "
                                "json`): NIC skipped")
                continue
            i, j = place
            nic: dict[str, Any] = {"name": r.name}
            ip = main.get("privateIPAddress")
            if isinstance(ip, str) and "/" not in ip and ip:
                nic["ip"] = ip
            if r.get("enableIPForwarding"):
                nic["ip_forwarding"] = True
            if r.get("enableAcceleratedNetworking"):
                nic["accelerated_networking"] = True
            nics = doc["vnets"][i]["subnets"][j].setdefault("nics", [])
            self.origins[f"vnets[{i}].subnets[{j}].nics[{len(nics)}]"] = r.label
            nics.append(nic)
            nsg = ref_id(r.get("networkSecurityGroup"))
            if nsg and nsg.lower() in self.nsgs:
                nsg_assoc.setdefault(nsg.lower(), []).append({"nic": r.name})
            elif nsg:
                self.report.add(r.label, "networkSecurityGroup", f"NSG {parse_id(nsg).name} is not in the export "
                                "(add `az network nsg list -o json`)")
            if main.get("publicIPAddress"):
                self.report.add(r.label, "ipConfigurations.publicIPAddress", "public IP addresses on NICs are not "
                                "modelled")
            self.leftovers(r, {"ipconfigurations", "enableipforwarding", "enableacceleratednetworking",
                               "networksecuritygroup"})

    def _nsg(self, r: Resource, index: int, nsg_assoc: dict) -> dict:
        self.current = r.label
        self.origins[f"network_security_groups[{index}]"] = r.label
        rules = []
        for rule in r.children("securityRules"):
            if any(rule.get(k) for k in ("sourceApplicationSecurityGroups", "destinationApplicationSecurityGroups")):
                self.report.add(rule.label, "applicationSecurityGroups", REASONS["applicationsecuritygroups"])
                continue
            entry = {"name": rule.name}
            for key in ("priority", "direction", "access", "protocol"):
                entry[key] = self._require(rule, key)
            for ours, one, many in (("source", "sourceAddressPrefix", "sourceAddressPrefixes"),
                                    ("source_ports", "sourcePortRange", "sourcePortRanges"),
                                    ("destination", "destinationAddressPrefix", "destinationAddressPrefixes"),
                                    ("destination_ports", "destinationPortRange", "destinationPortRanges")):
                entry[ours] = rule.get(many) or rule.get(one) or "*"
            unknown = self._unknown_tag(rule, entry)
            if unknown:
                self.report.add(rule.label, "sourceAddressPrefix" if unknown[0] == "source" else
                                "destinationAddressPrefix", f"{unknown[1]}: vnetlab models the service tags "
                                f"{', '.join(service_tag_names())} only; the rule is skipped")
                continue
            self.origins[f"network_security_groups[{index}].rules[{len(rules)}]"] = rule.label
            rules.append(entry)
            self.leftovers(rule, {"priority", "direction", "access", "protocol", "sourceaddressprefix",
                                  "sourceaddressprefixes", "sourceportrange", "sourceportranges",
                                  "destinationaddressprefix", "destinationaddressprefixes", "destinationportrange",
                                  "destinationportranges"})
        associations = nsg_assoc.get(r.id.lower(), [])
        for j, _ in enumerate(associations):
            self.origins[f"network_security_groups[{index}].associations[{j}]"] = r.label
        self.leftovers(r, {"securityrules", "subnets"})
        return {"name": r.name, "rules": rules, "associations": associations}

    @staticmethod
    def _unknown_tag(rule: Resource, entry: dict) -> tuple[str, str] | None:
        """(field, text) of a service tag the model does not know (Storage, AzureCloud, ...), else None."""
        for field_ in ("source", "destination"):
            values = entry[field_] if isinstance(entry[field_], list) else [entry[field_]]
            for text in values:
                if isinstance(text, str) and text.strip()[:1].isalpha() and text.strip().lower() not in ("any", "*") \
                        and azure_spelling(text, service_tag_names()) is None:
                    return field_, text
        return None

    def _gateway(self, r: Resource) -> dict | None:
        self.current = r.label
        from .. import gateway as gw_mod

        kind = r.get("gatewayType") or "Vpn"
        if str(kind).lower() != "vpn":
            self.report.add(r.label, "gatewayType", f"{kind} gateways are not modelled (VPN gateways only); "
                            "gateway skipped")
            return None
        subnet_id = next((ref_id(c.get("subnet")) for c in r.children("ipConfigurations")
                          if ref_id(c.get("subnet"))), "")
        if not subnet_id:
            raise AzureImportError(f"{r.label}: the field ipConfigurations[].subnet.id is missing; it says which "
                                   "VNet holds the gateway.", value="ipConfigurations", rule="a gateway is in a VNet")
        vnet_id = subnet_id.lower().split("/subnets/")[0]
        vnet = self.vnet_names.get(vnet_id)
        if vnet is None:
            self.report.add(r.label, "ipConfigurations.subnet", f"VNet {parse_id(subnet_id).parent} is not in the "
                            "export (add `az network vnet list -o json`): gateway skipped")
            return None
        self.gateway_vnets[r.id.lower()] = vnet
        sku = r.sku()
        sku_name = lookup(sku, "name") if isinstance(sku, dict) else sku
        if not isinstance(sku_name, str) or not sku_name:
            raise AzureImportError(f"{r.label}: the field sku.name is missing.", value="sku", rule="a gateway has a SKU")
        gen = {"generation1": 1, "generation2": 2}.get(str(r.get("vpnGatewayGeneration") or "").lower())
        gateway: dict[str, Any] = {"vnet": vnet, "name": r.name, "sku": sku_name, "_origin": r.label,
                                   "vpn_type": r.get("vpnType") or "RouteBased"}
        if gen is not None:
            gateway["generation"] = gen
        if r.get("activeActive"):
            gateway["active_active"] = True
        bgp = r.get("bgpSettings")
        if r.get("enableBgp"):
            gateway["bgp_asn"] = lookup(bgp, "asn", gw_mod.DEFAULT_ASN)
        elif isinstance(bgp, dict) and bgp:
            self.report.add(r.label, "bgpSettings", "enableBgp is false: the BGP settings are not in use")
        try:
            spec = gw_mod.sku(sku_name, gen)
        except VnetlabError as exc:
            exc.args = (f"Azure resource {r.label} (sku.name): {exc.args[0]}",)
            raise
        if spec.not_creatable_from and _dt.date.today() >= _dt.date.fromisoformat(spec.not_creatable_from):
            gateway["created_on"] = _dt.date.fromisoformat(spec.not_creatable_from) - _dt.timedelta(days=1)
            self.report.add(r.label, "sku", f"{sku_name} gateways cannot be created since {spec.not_creatable_from}; "
                            "imported as the existing gateway it is", "inferred")
        client = r.get("vpnClientConfiguration")
        pool = _prefixes(lookup(lookup(client, "vpnClientAddressPool", {}), "addressPrefixes"), r.label,
                         "vpnClientConfiguration.vpnClientAddressPool")
        if pool:
            gateway["point_to_site"] = {"address_pool": pool}
            protocols = lookup(client, "vpnClientProtocols")
            if protocols:
                gateway["point_to_site"]["protocols"] = list(protocols)
            rest = {k for k, v in client.items() if not _empty(v) and k.lower() not in
                    ("vpnclientaddresspool", "vpnclientprotocols")}
            if rest:
                self.report.add(r.label, "vpnClientConfiguration", f"{', '.join(sorted(rest))}: "
                                + REASONS["vpnclientconfiguration"])
        elif isinstance(client, dict) and any(not _empty(v) for v in client.values()):
            self.report.add(r.label, "vpnClientConfiguration", "no vpnClientAddressPool: Point-to-Site is not "
                            "configured without a client address pool; skipped")
        rules = []
        for rule in r.children("natRules"):
            inside = [lookup(m, "addressSpace") for m in rule.get("internalMappings") or []]
            outside = [lookup(m, "addressSpace") for m in rule.get("externalMappings") or []]
            if not inside or not outside:
                raise AzureImportError(f"{rule.label}: the fields internalMappings and externalMappings need an "
                                       "addressSpace each.", value=rule.name, rule="a NAT rule maps one range")
            if len(inside) > 1 or len(outside) > 1:
                self.report.add(rule.label, "internalMappings", "vnetlab models one mapping per NAT rule; the "
                                "first is imported")
            entry = {"name": rule.name, "type": rule.get("type") or "Static", "mode": self._require(rule, "mode"),
                     "internal": inside[0], "external": outside[0]}
            rules.append(entry)
            self.leftovers(rule, {"type", "mode", "internalmappings", "externalmappings"})
        if rules:
            gateway["nat_rules"] = rules
        self.leftovers(r, {"gatewaytype", "vpntype", "vpngatewaygeneration", "activeactive", "enablebgp",
                           "bgpsettings", "vpnclientconfiguration", "natrules", "sku", "ipconfigurations"})
        if any(c.get("publicIPAddress") for c in r.children("ipConfigurations")):
            self.report.add(r.label, "ipConfigurations.publicIPAddress", REASONS["ipconfigurations"])
        return gateway

    def _lng(self, r: Resource) -> dict | None:
        self.current = r.label
        ip = r.get("gatewayIpAddress")
        if not ip:
            fqdn = r.get("fqdn")
            self.report.add(r.label, "fqdn" if fqdn else "gatewayIpAddress",
                            "an LNG given by FQDN is not modelled (vnetlab needs the device's IP): skipped" if fqdn
                            else "no gatewayIpAddress: LNG skipped")
            return None
        lng: dict[str, Any] = {"name": r.name, "gateway_ip": ip, "_origin": r.label,
                               "prefixes": _prefixes(r.get("localNetworkAddressSpace"), r.label,
                                                     "localNetworkAddressSpace.addressPrefixes")}
        bgp = r.get("bgpSettings")
        if isinstance(bgp, dict) and lookup(bgp, "asn"):
            lng["bgp_asn"] = lookup(bgp, "asn")
            lng["bgp_peer_ip"] = lookup(bgp, "bgpPeeringAddress")
        self.lng_names[r.id.lower()] = r.name
        self.leftovers(r, {"gatewayipaddress", "localnetworkaddressspace", "bgpsettings"})
        return lng

    def _peerings(self, vnets: list[Resource], doc: dict) -> list[dict]:
        links: list[tuple[Resource, str, str]] = []  # (link, local model name, remote VNet ID)
        for v in vnets:
            for link in v.children("virtualNetworkPeerings"):
                self.current = link.label
                remote = ref_id(link.get("remoteVirtualNetwork"))
                if not remote:
                    raise AzureImportError(f"{link.label}: the field remoteVirtualNetwork.id is missing.",
                                           value="remoteVirtualNetwork", rule="a peering link names its remote VNet")
                links.append((link, self.vnet_names[v.id.lower()], remote))
        for r in self.resources:  # peerings whose VNet is not in the export (az network vnet peering list alone)
            if r.type == "microsoft.network/virtualnetworks/virtualnetworkpeerings":
                self.report.add(r.label, "(resource)", f"its VNet {parse_id(r.id).parent if r.id else '?'} is not in "
                                "the export (add `az network vnet list -o json`): link skipped")
        out: list[dict] = []
        for link, local, remote_id in links:
            remote = self._remote_vnet(link, remote_id, local, doc)
            entry: dict[str, Any] = {"vnet": local, "remote": remote, "name": link.name}
            for ours, theirs in (("allow_virtual_network_access", "allowVirtualNetworkAccess"),
                                 ("allow_forwarded_traffic", "allowForwardedTraffic"),
                                 ("allow_gateway_transit", "allowGatewayTransit"),
                                 ("use_remote_gateways", "useRemoteGateways")):
                value = link.get(theirs)
                if value is not None:
                    entry[ours] = bool(value)
            state = str(link.get("peeringState") or "")
            if state.lower() == "disconnected":
                entry["peering_state"] = "Disconnected"
            copy_ = _prefixes(link.get("remoteAddressSpace"), link.label, "remoteAddressSpace")
            current = next((v["address_space"] for v in doc["vnets"] if v["name"] == remote), [])
            if copy_ and sorted(p for p in copy_ if not _is_v6(p)) != sorted(current):
                entry["remote_address_space"] = [p for p in copy_ if not _is_v6(p)]
            self.origins[f"peerings[{len(out)}]"] = link.label
            out.append(entry)
            if state:
                self.azure_states.append((link.label, local, remote, state))
        return self._infer_reverse(out, doc)

    def _infer_reverse(self, out: list[dict], doc: dict) -> list[dict]:
        """Add the other side of links Azure reports Connected when that side is not in the export; gateway transit
        through a gateway that is not in the export cannot be modelled, and is reported."""
        with_gateway = {g["vnet"] for g in doc["vpn_gateways"]}
        for i, e in enumerate(out):
            if e.get("use_remote_gateways") and e["remote"] not in with_gateway:
                e["use_remote_gateways"] = False
                self.report.add(self.origins[f"peerings[{i}]"], "useRemoteGateways", f"{e['remote']}'s VPN gateway is "
                                "not in the export (add `az network vnet-gateway list -o json`): gateway transit and "
                                "the routes it brings are not modelled")
        have = {(e["vnet"], e["remote"]) for e in out}
        for label, local, remote, state in list(self.azure_states):
            if state.lower() != "connected" or (remote, local) in have:
                continue
            forward = next(e for e in out if e["vnet"] == local and e["remote"] == remote)
            entry = {"vnet": remote, "remote": local, "name": f"{remote}-to-{local}"}
            if forward.get("use_remote_gateways") and remote in with_gateway:
                entry["allow_gateway_transit"] = True
            self.report.add(label, "peeringState", f"Connected, but {remote}'s link back to {local} is not in the "
                            f"export: added with Azure's default settings" + (" and allowGatewayTransit (this side "
                            "uses remote gateways)" if "allow_gateway_transit" in entry else ""), "inferred")
            self.origins[f"peerings[{len(out)}]"] = label
            out.append(entry)
            have.add((remote, local))
        # links that set allowGatewayTransit first: a useRemoteGateways link checks its peer's setting
        order = sorted(range(len(out)), key=lambda i: not out[i].get("allow_gateway_transit"))
        origins = {f"peerings[{n}]": self.origins[f"peerings[{i}]"] for n, i in enumerate(order)}
        self.origins.update(origins)
        return [out[i] for i in order]

    def _remote_vnet(self, link: Resource, remote_id: str, local: str, doc: dict) -> str:
        known = self.vnet_names.get(remote_id.lower())
        if known is not None:
            return known
        rid = parse_id(remote_id)
        space = [p for p in _prefixes(link.get("remoteVirtualNetworkAddressSpace") or link.get("remoteAddressSpace"),
                                      link.label, "remoteAddressSpace") if not _is_v6(p)]
        if not space:
            raise AzureImportError(f"{link.label}: remote VNet {rid.name} is not in the export and the link records "
                                   "no remoteAddressSpace; export that VNet too.", value="remoteAddressSpace",
                                   rule="a peering's remote VNet must be known")
        local_vnet = next(v for v in doc["vnets"] if v["name"] == local)
        name = self._unique(rid.name, set(self.vnet_names.values()), link)
        self.vnet_names[remote_id.lower()] = name
        self.origins[f"vnets[{len(doc['vnets'])}]"] = link.label
        doc["vnets"].append({"name": name, "address_space": space, "region": local_vnet["region"],
                             "subscription": rid.subscription, "subnets": []})
        self.report.add(link.label, "remoteVirtualNetwork", f"VNet {rid.name} is not in the export: added as a stub "
                        f"with the address space the link records ({', '.join(space)}), no subnets, in "
                        f"{local_vnet['region']} (its region is not in the link; if it is elsewhere Azure shows "
                        "VNetGlobalPeering where the simulator shows VNetPeering)", "inferred")
        return name

    def _connection(self, r: Resource) -> dict | None:
        self.current = r.label
        kind = str(r.get("connectionType") or "")
        if kind not in ("IPsec", "Vnet2Vnet"):
            self.report.add(r.label, "connectionType", f"{kind or 'missing'}: vnetlab models IPsec and Vnet2Vnet "
                            "connections; skipped")
            return None
        gw1 = ref_id(r.get("virtualNetworkGateway1"))
        if not gw1:
            raise AzureImportError(f"{r.label}: the field virtualNetworkGateway1.id is missing.",
                                   value="virtualNetworkGateway1", rule="a connection starts at a gateway")
        vnet = self.gateway_vnets.get(gw1.lower())
        other = ref_id(r.get("virtualNetworkGateway2" if kind == "Vnet2Vnet" else "localNetworkGateway2"))
        remote = (self.gateway_vnets if kind == "Vnet2Vnet" else self.lng_names).get(other.lower())
        field_ = "virtualNetworkGateway2" if kind == "Vnet2Vnet" else "localNetworkGateway2"
        if vnet is None or remote is None:
            missing = ("virtualNetworkGateway1", gw1) if vnet is None else (field_, other)
            self.report.add(r.label, missing[0], f"{parse_id(missing[1]).name if missing[1] else '(none)'} is not in "
                            "the export (or was skipped): connection skipped")
            return None
        entry: dict[str, Any] = {"vnet": vnet, "remote": remote, "kind": kind, "name": r.name, "_origin": r.label}
        if r.get("enableBgp"):
            entry["enable_bgp"] = True
        for ours, theirs in (("ingress_nat_rules", "ingressNatRules"), ("egress_nat_rules", "egressNatRules")):
            names = [parse_id(ref_id(x)).name for x in r.get(theirs) or [] if ref_id(x)]
            if names:
                entry[ours] = names
        policies = r.get("ipsecPolicies") or []
        if policies:
            p = policies[0]
            entry["ipsec_policy"] = {k: lookup(p, a) for k, a in (
                ("ike_encryption", "ikeEncryption"), ("ike_integrity", "ikeIntegrity"), ("dh_group", "dhGroup"),
                ("ipsec_encryption", "ipsecEncryption"), ("ipsec_integrity", "ipsecIntegrity"),
                ("pfs_group", "pfsGroup"), ("sa_lifetime_seconds", "saLifeTimeSeconds"),
                ("sa_data_size_kb", "saDataSizeKilobytes")) if lookup(p, a) is not None}
        protocol = r.get("connectionProtocol")
        if protocol:
            entry["connection_protocol"] = protocol
        if r.get("usePolicyBasedTrafficSelectors"):
            entry["use_policy_based_traffic_selectors"] = True
        status = r.get("connectionStatus")
        if status:
            self.azure_status.append((r.label, vnet, r.name, str(status)))
        self.leftovers(r, {"connectiontype", "virtualnetworkgateway1", "virtualnetworkgateway2", "localnetworkgateway2",
                           "enablebgp", "ingressnatrules", "egressnatrules", "ipsecpolicies", "connectionprotocol",
                           "usepolicybasedtrafficselectors"})
        return entry

    # --- building and checking ------------------------------------------------------------------------------
    def build(self, scenario: dict):
        from ..scenario import build

        try:
            network = build(scenario)
        except VnetlabError as exc:
            message = str(exc.args[0]) if exc.args else ""
            match = re.match(r"^((?:[a-z_]+\[\d+\]\.?)+)(?:\.[a-z_]+)?: ", message)
            if match:
                path = match.group(1).rstrip(".")
                origin = self._origin(path)
                exc.args = (f"Azure resource {origin} ({path}): {message[match.end():]}",)
            raise
        self.report.imported.update({
            "VNets": len(network.vnets), "subnets": sum(len(v.subnets) for v in network.vnets.values()),
            "peering links": len(network.peering_links), "NICs": len(network.nics), "VPN gateways": len(network.gateways),
            "local network gateways": len(network.local_gateways), "connections": len(network.connections),
            "route tables": len(network.route_tables), "NSGs": len(network.network_security_groups)})
        return network

    def _origin(self, path: str) -> str:
        while path:
            if path in self.origins:
                return self.origins[path]
            path = path.rsplit(".", 1)[0] if "." in path else ""
        return "(unknown)"

    def compare_states(self, network) -> None:
        """Azure's observed peering states and connection statuses against the model's."""
        for label, vnet, remote, state in self.azure_states:
            link = network.vnets[vnet].peerings.get(remote)
            if link is not None and link.peering_state.lower() != state.lower():
                self.report.add(label, "peeringState", f"Azure says {state}; the simulator derives "
                                f"{link.peering_state} from the links in the export", "differs")
        for label, vnet, name, status in self.azure_status:
            c = network.connection(vnet, name)
            if c.status.lower() != status.lower():
                self.report.add(label, "connectionStatus", f"Azure says {status} (an observation at export time); "
                                f"the simulator says {c.status}: {c.status_reason}", "differs")


__all__ = ["ImportResult", "import_azure", "from_azure"]
