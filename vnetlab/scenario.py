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

    route_tables:                      # user-defined routes; a subnet names its table with `route_table: rt-app`
      - name: rt-app
        disable_bgp_route_propagation: false
        routes:
          - {name: via-nva, prefix: 10.2.0.0/16, next_hop_type: VirtualAppliance, next_hop_ip: 10.0.2.4}
    network_security_groups:           # default rules are implied; associate with subnets and/or NICs
      - name: app-nsg
        rules:
          - {name: allow-https, priority: 100, direction: Inbound, access: Allow, protocol: Tcp,
             source: Internet, source_ports: "*", destination: "*", destination_ports: "443"}
        associations: [{vnet: spoke, subnet: app}, {nic: vm-spoke}]
    vpn_gateways:                      # needs a subnet named GatewaySubnet in the VNet
      - {vnet: hub, sku: VpnGw2AZ, generation: 2, vpn_type: RouteBased, bgp_asn: 65010,
         point_to_site: {address_pool: [172.16.201.0/24], protocols: [OpenVPN, IkeV2]}}
    local_network_gateways:            # on-premises sites, prefixes typed by hand
      - {name: branch, gateway_ip: 203.0.113.10, prefixes: [192.168.1.0/24]}
      # with BGP: bgp_asn, bgp_peer_ip, advertised (what the site announces)
    connections:                       # one entry per connection resource
      - {vnet: hub, remote: branch, kind: IPsec, name: hub-to-branch}
      - {vnet: vnet1, remote: vnet2, kind: Vnet2Vnet, enable_bgp: false}   # and its reverse from vnet2
    # NICs may set ip_forwarding: true (network virtual appliances) and accelerated_networking: true;
    # a VNet may set encryption: true (Azure Virtual Network encryption).
    # vpn_gateways entries may give created_on (a date: an existing gateway of a SKU no longer creatable today);
    # vpn_gateways entries may list nat_rules: [{name, type: Static|Dynamic, mode: IngressSnat|EgressSnat,
    #   internal: 10.0.1.0/24, external: 192.168.2.0/24}] (optional internal_port/external_port, ip_configuration_id);
    # IPsec connections link them: ingress_nat_rules: [..], egress_nat_rules: [..]. Connections may also set
    #   ipsec_policy: {ike_encryption, ike_integrity, dh_group, ipsec_encryption, ipsec_integrity, pfs_group, ...},
    #   connection_protocol: IKEv1|IKEv2, use_policy_based_traffic_selectors: true.
    # A local network gateway may describe its site's VPN device, whose proposals are negotiated with Azure's:
    #   device: {ike_versions: [IKEv2], phase1: [AES256/SHA256/DHGroup14], phase2: [AES256/SHA256/PFS2048]}

Keys may also be written as Azure writes its properties (``allowGatewayTransit: true``, ``addressSpace``,
``nextHopType``; in an ``ipsec_policy``: ``saLifeTimeSeconds``, ``saDataSizeKilobytes``, ``dpdTimeoutSeconds``,
``ikeEncryption``, ...), so a snippet can be pasted from the docs; case is ignored.

A shorthand ``peer: [a, b]`` entry in ``peerings`` creates both links with default settings.
``Network.to_yaml`` writes this format and ``Network.from_yaml`` reads it back to an equal network.
Every rule is checked while building: a scenario that breaks one raises the same error the API would.

YAML anchors and aliases (``&rules`` ... ``*rules``) may repeat a part of a scenario, within bounds: the copies
aliases make may add at most :data:`MAX_ALIAS_NODES` values, and nothing may nest deeper than :data:`MAX_DEPTH`
levels (written or through aliases). A few hundred bytes of nested aliases would otherwise expand to billions of
values (the "billion laughs" document); such a scenario is refused with a :class:`ScenarioError` while it is read.
"""
from __future__ import annotations

from importlib import resources
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from . import addressing
from .errors import ScenarioError, VnetlabError
from .vnet import python_names

VNET_KEYS = {"name", "address_space", "region", "subscription", "tenant", "cloud", "subnets", "encryption"}
SUBNET_KEYS = {"name", "prefix", "nics", "route_table"}
NIC_KEYS = {"name", "ip", "ip_forwarding", "accelerated_networking"}
TABLE_KEYS = {"name", "disable_bgp_route_propagation", "routes"}
ROUTE_KEYS = {"name", "prefix", "next_hop_type", "next_hop_ip"}
GATEWAY_KEYS = {"vnet", "name", "sku", "generation", "vpn_type", "active_active", "bgp_asn", "point_to_site", "nat_rules",
                "created_on"}
LNG_KEYS = {"name", "gateway_ip", "prefixes", "bgp_asn", "bgp_peer_ip", "advertised", "device"}
CONNECTION_KEYS = {"vnet", "remote", "kind", "name", "enable_bgp", "ingress_nat_rules", "egress_nat_rules", "ipsec_policy",
                   "connection_protocol", "use_policy_based_traffic_selectors"}
NAT_KEYS = {"name", "type", "mode", "internal", "external", "internal_port", "external_port", "ip_configuration_id"}
NSG_KEYS = {"name", "rules", "associations"}
NSG_RULE_KEYS = {"name", "priority", "direction", "access", "protocol", "source", "source_ports", "destination",
                 "destination_ports"}
NSG_ASSOCIATION_KEYS = {"vnet", "subnet", "nic"}
TOP_KEYS = {"network_security_groups", "name", "description", "vnets", "route_tables", "vpn_gateways", "local_network_gateways", "peerings",
            "connections"}
LINK_KEYS = {"vnet", "remote", "name", "allow_virtual_network_access", "allow_forwarded_traffic",
             "allow_gateway_transit", "use_remote_gateways", "remote_address_space", "peering_state"}


MAX_ALIAS_NODES = 10_000  # values that aliases may add; the largest packaged scenario has about 200 in all
MAX_DEPTH = 32  # nesting levels; the packaged scenarios use 8


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, counting what aliases expand to while the document is composed.

    PyYAML shares one node between an anchor and its aliases, so loading stays cheap; it is everything that walks
    the result afterwards (building, comparing, printing) that sees every copy. So each alias adds the full size
    of the node it names, and the count is refused past :data:`MAX_ALIAS_NODES`.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._added = 0  # values the aliases so far add
        self._depth = 0  # nesting level of the node being composed
        self._open: list[str] = []  # anchors whose value is still being composed (an alias to one contains itself)
        self._sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values, levels) with its aliases expanded

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open:
                raise ScenarioError(f"Alias *{event.anchor} at line {event.start_mark.line + 1} is used inside the "
                                    "value it names, so it would expand forever: an alias must name a value written "
                                    "before it.", value=f"*{event.anchor}", rule="a YAML alias may not contain itself")
            node = super().compose_node(parent, index)  # PyYAML's own checks (an undefined alias)
            self._count_alias(event, node)
            return node
        if self._depth >= MAX_DEPTH:
            raise ScenarioError(f"Scenario nested more than {MAX_DEPTH} levels deep at line "
                                f"{event.start_mark.line + 1}: scenarios nest at most {MAX_DEPTH} levels.",
                                value=self._depth + 1, rule=f"scenario nesting depth at most {MAX_DEPTH}")
        self._depth += 1
        if event.anchor is not None:
            self._open.append(event.anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if event.anchor is not None:
                self._open.pop()

    def _count_alias(self, event: yaml.AliasEvent, node: Node) -> None:
        line = event.start_mark.line + 1
        size, levels = self._expanded(node, self._depth + 1)
        if self._depth + levels > MAX_DEPTH:
            raise ScenarioError(f"Alias *{event.anchor} at line {line} nests the scenario more than {MAX_DEPTH} "
                                f"levels deep: scenarios nest at most {MAX_DEPTH} levels.", value=f"*{event.anchor}",
                                rule=f"scenario nesting depth at most {MAX_DEPTH}")
        self._added += size
        if self._added > MAX_ALIAS_NODES:
            raise ScenarioError(f"Alias *{event.anchor} at line {line} brings the copies made by aliases to "
                                f"{self._added:,} values; a scenario's aliases may add at most {MAX_ALIAS_NODES:,} "
                                f"(nested aliases grow exponentially: the 'billion laughs' document).",
                                value=f"*{event.anchor}", rule=f"YAML aliases add at most {MAX_ALIAS_NODES:,} values")

    def _expanded(self, node: Node, depth: int) -> tuple[int, int]:
        """(values, levels) of ``node`` with every alias inside it copied out; stops past :data:`MAX_DEPTH`."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        if depth > MAX_DEPTH:
            return 1, MAX_DEPTH + 1  # deep enough to refuse; no need to look further
        if isinstance(node, SequenceNode):
            children = node.value
        elif isinstance(node, MappingNode):
            children = [child for pair in node.value for child in pair]
        else:
            children = []
        size, levels = 1, 1
        for child in children:
            child_size, child_levels = self._expanded(child, depth + 1)
            size, levels = size + child_size, max(levels, child_levels + 1)
        self._sizes[id(node)] = (size, levels)
        return size, levels


def parse_yaml(text: str) -> Any:
    """Scenario YAML as plain data (PyYAML's safe loader), refusing alias expansion and nesting past the bounds."""
    try:
        loader = _BoundedLoader(text)  # PyYAML's reader checks the characters here
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise ScenarioError(f"Not valid YAML: {exc}", value=str(text)[:80], rule="scenarios are YAML") from None


def _mapping(value: Any, where: str, allowed: set[str], required: set[str]) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: expected a mapping (key: value), got {type(value).__name__}.", value=value,
                            rule="scenario format")
    value = python_names(value, allowed, where)
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

    doc = _mapping(data, "scenario", TOP_KEYS, {"vnets"})
    net = Network(name=str(doc.get("name") or "network"), description=str(doc.get("description") or ""))
    where = "scenario"
    associations = []
    try:
        for i, rt in enumerate(_list(doc.get("route_tables"), "route_tables")):
            where = f"route_tables[{i}]"
            rt = _mapping(rt, where, TABLE_KEYS, {"name"})
            net.add_route_table(rt["name"], disable_bgp_route_propagation=rt.get("disable_bgp_route_propagation", False))
            for j, r in enumerate(_list(rt.get("routes"), f"{where}.routes")):
                where = f"route_tables[{i}].routes[{j}]"
                r = _mapping(r, where, ROUTE_KEYS, {"name", "prefix", "next_hop_type"})
                net.add_route(rt["name"], r["name"], r["prefix"], r["next_hop_type"], r.get("next_hop_ip"))
        for i, v in enumerate(_list(doc["vnets"], "vnets")):
            where = f"vnets[{i}]"
            v = _mapping(v, where, VNET_KEYS, {"name", "address_space", "region"})
            vnet = net.add_vnet(v["name"], v["address_space"], v["region"], **{
                k: v[k] for k in ("subscription", "tenant", "cloud") if k in v})
            if "encryption" in v:
                net.set_vnet_encryption(vnet.name, v["encryption"])
            for j, s in enumerate(_list(v.get("subnets"), f"{where}.subnets")):
                where = f"vnets[{i}].subnets[{j}]"
                s = _mapping(s, where, SUBNET_KEYS, {"name", "prefix"})
                subnet = vnet.add_subnet(s["name"], s["prefix"])
                if "route_table" in s:
                    associations.append((where, vnet.name, subnet.name, s["route_table"]))
                for k, n in enumerate(_list(s.get("nics"), f"{where}.nics")):
                    where = f"vnets[{i}].subnets[{j}].nics[{k}]"
                    n = _mapping(n, where, NIC_KEYS, {"name"})
                    subnet.add_nic(n["name"], n.get("ip"), ip_forwarding=n.get("ip_forwarding", False),
                                   accelerated_networking=n.get("accelerated_networking", False))
        for where, vnet_name, subnet_name, table in associations:
            net.associate_route_table(vnet_name, subnet_name, table)
        for i, g in enumerate(_list(doc.get("network_security_groups"), "network_security_groups")):
            where = f"network_security_groups[{i}]"
            g = _mapping(g, where, NSG_KEYS, {"name"})
            net.add_network_security_group(g["name"])
            for j, r in enumerate(_list(g.get("rules"), f"{where}.rules")):
                where = f"network_security_groups[{i}].rules[{j}]"
                r = _mapping(r, where, NSG_RULE_KEYS, {"name", "priority", "direction", "access"})
                net.add_security_rule(g["name"], **r)
            for j, a in enumerate(_list(g.get("associations"), f"network_security_groups[{i}].associations")):
                where = f"network_security_groups[{i}].associations[{j}]"
                a = _mapping(a, where, NSG_ASSOCIATION_KEYS, set())
                net.associate_network_security_group(a.get("vnet"), a.get("subnet"), nic=a.get("nic"), nsg=g["name"])
        for i, g in enumerate(_list(doc.get("vpn_gateways"), "vpn_gateways")):
            where = f"vpn_gateways[{i}]"
            g = _mapping(g, where, GATEWAY_KEYS, {"vnet", "sku"})
            net.add_vpn_gateway(g["vnet"], g["sku"], generation=g.get("generation"), name=g.get("name"),
                                vpn_type=g.get("vpn_type", "RouteBased"), active_active=g.get("active_active", False),
                                bgp_asn=g.get("bgp_asn"), created_on=g.get("created_on"))
            if "point_to_site" in g:
                p2s = _mapping(g["point_to_site"], f"{where}.point_to_site", {"address_pool", "protocols"},
                               {"address_pool"})
                net.add_point_to_site(g["vnet"], p2s["address_pool"], tuple(p2s.get("protocols", ("OpenVPN", "IkeV2"))))
            for j, rule in enumerate(_list(g.get("nat_rules"), f"{where}.nat_rules")):
                rule = _mapping(rule, f"{where}.nat_rules[{j}]", NAT_KEYS, {"name", "mode", "internal", "external"})
                net.add_nat_rule(g["vnet"], **rule)
        for i, lng in enumerate(_list(doc.get("local_network_gateways"), "local_network_gateways")):
            where = f"local_network_gateways[{i}]"
            lng = _mapping(lng, where, LNG_KEYS, {"name", "gateway_ip"})
            net.add_local_network_gateway(lng["name"], lng["gateway_ip"], lng.get("prefixes"), bgp_asn=lng.get("bgp_asn"),
                                          bgp_peer_ip=lng.get("bgp_peer_ip"), advertised=lng.get("advertised"))
            if "device" in lng:
                device = _mapping(lng["device"], f"{where}.device", {"ike_versions", "phase1", "phase2"}, {"phase1", "phase2"})
                net.set_vpn_device(lng["name"], **device)
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
        for i, c in enumerate(_list(doc.get("connections"), "connections")):
            where = f"connections[{i}]"
            c = _mapping(c, where, CONNECTION_KEYS, {"vnet", "remote", "kind"})
            net.connect(c["vnet"], c["remote"], c["kind"], name=c.get("name"), enable_bgp=c.get("enable_bgp", False),
                        bidirectional=False, **{k: c[k] for k in CONNECTION_KEYS - {"vnet", "remote", "kind", "name",
                                                                                     "enable_bgp"} if k in c})
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

