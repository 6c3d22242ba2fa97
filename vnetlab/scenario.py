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

A shorthand ``peer: [a, b]`` entry in ``peerings`` creates both links with default settings.
``Network.to_yaml`` writes this format and ``Network.from_yaml`` reads it back to an equal network.
Every rule is checked while building: a scenario that breaks one raises the same error the API would.
"""
from __future__ import annotations

from importlib import resources
from typing import Any

from . import addressing
from .errors import ScenarioError, VnetlabError

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

