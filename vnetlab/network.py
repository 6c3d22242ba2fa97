"""``Network``: the model a learner builds, and the one entry point to the engine.

Data flows one way: a scenario (YAML or dict) → :class:`Network` (VNets, subnets, NICs, peering links)
→ engine (:mod:`vnetlab.routes`, :mod:`vnetlab.trace`) → frozen results → plots, widgets, grading.
Every change is checked against Azure's rules *before* anything is modified, so a refused change leaves
the network as it was.
"""
from __future__ import annotations

import copy
from html import escape
from typing import Any

import yaml
from netaddr import IPAddress

from . import addressing, routes as routes_engine, trace as trace_engine
from .errors import (
    AddressSpaceError,
    GatewayTransitError,
    PeeringError,
    NotFoundError,
    PeeringOverlapError,
    ResourceNameError,
    SettingError,
    SubnetInUseError,
    TraceError,
)
from . import connection as conn_mod, gateway as gw_mod, nat as nat_mod, route_table as rt_mod
from . import nsg as nsg_mod
from .local_gateway import LocalNetworkGateway, build_lng
from .model_index import ModelIndex
from .peering import MANAGE_PEERING, PeeringLink, PeeringSettings, check_link, check_transit
from .vnet import DEFAULT_CLOUD, NetworkInterface, Subnet, VirtualNetwork, check_name, normalize_region, python_names

UPDATE_PEERED_SPACE = "https://learn.microsoft.com/azure/virtual-network/update-virtual-network-peering-address-space (2023-03-21)"


class Network:
    """A set of VNets and the connections between them.

    >>> net = Network()
    >>> hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    >>> _ = hub.add_subnet("app", "10.0.1.0/24")
    """

    def __init__(self, name: str = "network", description: str = "") -> None:
        self.name = name
        self.description = description
        self.vnets: dict[str, VirtualNetwork] = {}
        self.local_gateways: dict[str, LocalNetworkGateway] = {}
        self.route_tables: dict[str, rt_mod.RouteTable] = {}
        self.network_security_groups: dict[str, nsg_mod.NetworkSecurityGroup] = {}
        self._version = 0
        self._memos: dict[tuple, tuple[int, Any]] = {}

    # --- bookkeeping -----------------------------------------------------------------------------
    def _touch(self) -> None:
        self._version += 1

    def memo(self, key: tuple, compute):
        """``compute()`` once per network version: results derived from the model are reused until it changes."""
        hit = self._memos.get(key)
        if hit is not None and hit[0] == self._version:
            return hit[1]
        value = compute()
        self._memos[key] = (self._version, value)
        return value

    def _nic_names(self) -> set[str]:
        """The names of every NIC in the network (one set per network version)."""
        return self.memo(("nic-names",), lambda: {n for v in self.vnets.values() for s in v.subnets.values()
                                                  for n in s.nics})

    def _ensure_nic_name_free(self, name: str) -> None:
        if name in self._nic_names():
            raise ResourceNameError(f"A NIC named {name!r} already exists in this network.", value=name,
                                    rule="NIC names are unique")

    def _nic_names_carried(self, added: str | None = None) -> None:
        """Carry the NIC-name set over the one change just made, when that change was adding an empty VNet or
        subnet, or the NIC ``added``: building a network of N NICs then costs O(N), not a rescan of every subnet
        per NIC. Any other change drops the set, and the next check rebuilds it."""
        key = ("nic-names",)
        hit = self._memos.get(key)
        if hit is not None and hit[0] == self._version - 1:
            if added is not None:
                hit[1].add(added)
            self._memos[key] = (self._version, hit[1])

    def __repr__(self) -> str:
        return f"Network({self.name!r}, vnets={list(self.vnets)})"

    def _repr_html_(self) -> str:
        """A cell ending with a network shows its VNets, peering links, gateways, connections and any advice."""
        from .display import html_table

        vnets = [(v.name, ", ".join(map(str, v.address_space)), v.region, v.subscription, v.tenant,
                  ", ".join(f"{s.name} {s.prefix}" for s in v.subnets.values()), len(v.nics),
                  f"{v.gateway.sku.name} ({v.gateway.vpn_type})" if v.gateway else "")
                 for v in self.vnets.values()]
        parts = [html_table(("VNet", "Address space", "Region", "Subscription", "Tenant", "Subnets", "NICs",
                             "VPN gateway"), vnets, caption=f"Network {self.name}")]
        if self.peering_links:
            parts.append(html_table(("Link", "From", "To", "State", "Kind", "Sync level", "Settings on"), [
                (l.name, l.local.name, l.remote.name, l.peering_state, l.kind, l.peering_sync_level,
                 ", ".join(k for k in PeeringSettings.names() if getattr(l.settings, k)) or "none")
                for l in self.peering_links], caption="Peering links"))
        if self.connections:
            parts.append(html_table(("Connection", "Type", "From", "To", "Status", "Path", "NAT rules (in / out)",
                                     "IPsec policy"), [
                (c.name, c.kind, c.gateway.vnet.name, c.remote.vnet.name if c.kind == "Vnet2Vnet" else c.remote.name,
                 c.status if c.status == "Connected" else f"{c.status}: {c.status_reason}", c.path,
                 " / ".join(", ".join(r) or "-" for r in (c.ingress_nat_rules, c.egress_nat_rules)),
                 c.ipsec_policy.describe() if c.ipsec_policy is not None else "default")
                for c in self.connections], caption="Gateway connections"))
        for g in self.gateways:
            if g.nat_rules:
                parts.append(nat_mod.nat_table(g)._repr_html_())
        for group in self.network_security_groups.values():
            parts.append(group._repr_html_())
        advice = self.findings()
        if advice:
            parts.append("<p><b>Advice</b></p><ul>" + "".join(f"<li>{escape(a)}</li>" for a in advice) + "</ul>")
        return "".join(parts)

    # --- VNets ----------------------------------------------------------------------------------------
    def add_vnet(self, name: str, address_space: "list[str] | str", region: str, subscription: str = "default",
                 tenant: str = "default", cloud: str = DEFAULT_CLOUD) -> VirtualNetwork:
        check_name(name, "VNet")
        if name in self.vnets:
            raise ResourceNameError(f"A VNet named {name!r} already exists.", value=name, rule="VNet names are unique")
        space = VirtualNetwork.validate_address_space(name, address_space)
        vnet = VirtualNetwork(name=name, address_space=space, region=normalize_region(region),
                              subscription=check_name(subscription, "Subscription"),
                              tenant=check_name(tenant, "Tenant"), cloud=check_name(cloud, "Cloud"), network=self)
        self.vnets[name] = vnet
        self._touch()
        self._nic_names_carried()
        return vnet

    def vnet(self, name: "str | VirtualNetwork") -> VirtualNetwork:
        if isinstance(name, VirtualNetwork):
            return name
        try:
            return self.vnets[name]
        except (KeyError, TypeError):
            known = ", ".join(self.vnets) or "none yet"
            raise NotFoundError(f"No VNet named {name!r} (VNets: {known}).", value=name, rule="VNet must exist") from None

    def remove_vnet(self, name: str) -> None:
        """Delete a VNet; its peers' links to it become ``Disconnected`` (as in Azure)."""
        vnet = self.vnet(name)
        for link in vnet.peerings.values():
            reverse = link.reverse
            if reverse is not None:
                reverse.was_connected = True
        vnet.peerings.clear()
        del self.vnets[vnet.name]
        self._touch()

    def subnet(self, vnet: str, subnet: str) -> Subnet:
        return self.vnet(vnet).subnet(subnet)

    @property
    def nics(self) -> list[NetworkInterface]:
        return [nic for v in self.vnets.values() for nic in v.nics]

    def indexes(self) -> ModelIndex:
        """NICs by name and address holders for this version of the network (built once per change)."""
        return self.memo(("model-index",), lambda: ModelIndex(self))

    def nic(self, name: str) -> NetworkInterface:
        try:
            found = self.indexes().nics.get(name)
        except TypeError:  # not a name at all (unhashable): no such NIC
            found = None
        if found is None:
            raise NotFoundError(f"No NIC named {name!r}.", value=name, rule="NIC must exist")
        return found

    def locate(self, source: "str | IPAddress") -> tuple[VirtualNetwork, Subnet, NetworkInterface | None] | None:
        """Where a trace starts: a NIC given by name, or the NIC/subnet holding an address.

        VNets that are not connected may overlap (that is what NAT is for), so an address can exist twice;
        then the source must be named by its NIC.
        """
        index = self.indexes()
        if isinstance(source, str) and source in index.nics:
            nic = index.nics[source]
            return nic.vnet, nic.subnet, nic
        if isinstance(source, str) and source.strip() and not source.strip()[0].isdigit():
            known = ", ".join(n.name for n in self.nics) or "none yet"
            raise TraceError(f"No NIC named {source!r} (NICs: {known}).", value=source, rule="the source NIC must exist")
        address = addressing.parse_address(source, what="source address")
        places = index.subnets.holding(int(address))
        if not places:
            return None
        if len(places) > 1:
            names = ", ".join(f"{v.name}/{s.name}" for v, s in places)
            raise TraceError(f"{address} exists in several overlapping VNets ({names}); name the source NIC instead.",
                             value=str(address), rule="overlapping VNets make an address ambiguous")
        vnet, subnet = places[0]
        nic = next((n for n in subnet.nics.values() if n.ip == address), None)
        return vnet, subnet, nic

    # --- address space changes ------------------------------------------------------------------------
    def set_address_space(self, vnet: str, prefixes: "list[str]") -> None:
        """Replace a VNet's ranges (add, remove or resize), as allowed on a peered VNet since 2022.

        Rules: the new ranges pass the VNet rules; every subnet still lies in one of them (delete subnets
        before removing their range); no range overlaps a peered VNet. After the change, each peer's link
        to this VNet keeps the old copy and shows ``LocalNotInSync`` until synced (:meth:`sync_peering`).
        """
        v = self.vnet(vnet)
        space = VirtualNetwork.validate_address_space(v.name, prefixes)
        stranded = [s for s in v.subnets.values() if not any(s.prefix in r for r in space)]
        if stranded:
            s = stranded[0]
            raise SubnetInUseError(f"Subnet {s.name} {s.prefix} would no longer lie in {v.name}'s address space; "
                                   "delete the subnet before removing or shrinking its range.", value=str(s.prefix),
                                   rule="a range holding subnets cannot be removed", source=UPDATE_PEERED_SPACE)
        peers = {link.remote.name for link in v.peerings.values()} | {
            other.name for other in self.vnets.values() if v.name in other.peerings}
        for name in sorted(peers & set(self.vnets)):
            clash = addressing.overlaps(space, self.vnets[name].address_space)
            if clash:
                a, b = clash[0]
                raise PeeringOverlapError(f"{v.name}'s new range {a} overlaps {b} of peered VNet {name}.",
                                          value=a, rule="peered VNets' address spaces must not overlap",
                                          source=MANAGE_PEERING)
        for c in self.connections:  # VNets and sites joined by a VPN connection must not overlap either
            if c.gateway.vnet is v and c.kind == "Vnet2Vnet":
                conn_mod.check_no_overlap(v.name, space, c.remote.vnet.address_space, c.remote.vnet.name)
            elif c.gateway.vnet is v:
                conn_mod.check_ipsec_spaces(v.name, space, c.remote.name, c.remote.prefixes,
                                            nat_mod.resolve(c.gateway, c.ingress_nat_rules, "IngressSnat"),
                                            nat_mod.resolve(c.gateway, c.egress_nat_rules, "EgressSnat"))
        v.address_space = space
        self._touch()

    def set_vnet_encryption(self, vnet: str, enabled: bool = True) -> None:
        """Turn Azure Virtual Network encryption on or off for a VNet (see :mod:`vnetlab.encryption`)."""
        if not isinstance(enabled, bool):
            raise SettingError(f"encryption={enabled!r}: true or false.", value=enabled, rule="a boolean")
        self.vnet(vnet).encryption = enabled
        self._touch()

    def set_accelerated_networking(self, nic: str, enabled: bool = True) -> None:
        """Turn accelerated networking on or off on a VM's NIC (virtual network encryption needs it)."""
        if not isinstance(enabled, bool):
            raise SettingError(f"accelerated_networking={enabled!r}: true or false.", value=enabled, rule="a boolean")
        self.nic(nic).accelerated_networking = enabled
        self._touch()

    def set_ip_forwarding(self, nic: str, enabled: bool = True) -> None:
        """Turn IP forwarding on or off on a NIC: an appliance that a UDR names as next hop (VirtualAppliance) needs
        it to forward packets addressed to other hosts (UDR overview, 2023-05-27)."""
        if not isinstance(enabled, bool):
            raise SettingError(f"ip_forwarding={enabled!r}: true or false.", value=enabled, rule="a boolean")
        self.nic(nic).ip_forwarding = enabled
        self._touch()

    def encryption_report(self, a: str, b: str, protocol: str = "Tcp", port: int | None = None):
        """Is all traffic between ``a`` and ``b`` encrypted at the network layer, and where not?"""
        from .encryption import encryption_report
        return encryption_report(self, a, b, protocol, port)

    def add_address_space(self, vnet: str, prefix: str) -> None:
        v = self.vnet(vnet)
        self.set_address_space(v.name, [str(r) for r in v.address_space] + [prefix])

    def remove_address_space(self, vnet: str, prefix: str) -> None:
        v = self.vnet(vnet)
        target = addressing.parse_prefix(prefix)
        if target not in v.address_space:
            raise AddressSpaceError(f"{target} is not one of {v.name}'s ranges ({', '.join(map(str, v.address_space))}).",
                                    value=str(target), rule="remove an existing range")
        self.set_address_space(v.name, [str(r) for r in v.address_space if r != target])

    # --- peering ------------------------------------------------------------------------------------------
    def add_peering_link(self, vnet: str, remote: str, name: str | None = None, **settings: Any) -> PeeringLink:
        """Create the link on ``vnet`` pointing at ``remote`` (one side). ``Initiated`` until the other side exists."""
        local, other = self.vnet(vnet), self.vnet(remote)
        opts = self._settings(settings)
        check_link(local, other, opts)
        link = PeeringLink(name=name or f"{local.name}-to-{other.name}", local=local, remote=other, settings=opts,
                           remote_address_space=tuple(other.address_space))
        local.peerings[other.name] = link
        reverse = other.peerings.get(local.name)
        if reverse is not None:
            link.was_connected = reverse.was_connected = True
        self._touch()
        return link

    def peer(self, a: str, b: str, *, allow_gateway_transit: "str | None" = None,
             use_remote_gateways: "str | None" = None, allow_virtual_network_access: bool = True,
             allow_forwarded_traffic: bool = False) -> tuple[PeeringLink, PeeringLink]:
        """Peer ``a`` and ``b`` the way the portal does: both links at once, both checked before either is created.

        ``allow_virtual_network_access`` and ``allow_forwarded_traffic`` apply to both links. The two gateway
        settings belong to one link each, so they take the **name of the VNet whose link carries them**::

            net.peer("hub", "spoke1", allow_gateway_transit="hub", use_remote_gateways="spoke1")

        ``allowGatewayTransit`` on the hub's link shares the hub's gateway; ``useRemoteGateways`` on the spoke's
        link makes the spoke use it (Manage peering, 2025-05-08). ``True`` does not say which link, and is refused.
        """
        va, vb = self.vnet(a), self.vnet(b)
        transit = self._carrier("allow_gateway_transit", allow_gateway_transit, va, vb)
        remote = self._carrier("use_remote_gateways", use_remote_gateways, va, vb)
        common = dict(allow_virtual_network_access=allow_virtual_network_access,
                      allow_forwarded_traffic=allow_forwarded_traffic)
        sa, sb = (self._settings({**common, "allow_gateway_transit": transit is v, "use_remote_gateways": remote is v})
                  for v in (va, vb))
        check_link(va, vb, sa)
        check_link(vb, va, sb)
        for user, s_user, other, s_other in ((vb, sb, va, sa), (va, sa, vb, sb)):
            if s_user.use_remote_gateways and not s_other.allow_gateway_transit:
                raise GatewayTransitError(f"use_remote_gateways on {user.name}'s link needs allow_gateway_transit on "
                                          f"{other.name}'s link (allow_gateway_transit={other.name!r}).",
                                          value="use_remote_gateways", rule="the peer must allow gateway transit",
                                          source=MANAGE_PEERING)
        return self.add_peering_link(va.name, vb.name, **sa.__dict__), self.add_peering_link(vb.name, va.name, **sb.__dict__)

    @staticmethod
    def _carrier(setting: str, value: Any, va: VirtualNetwork, vb: VirtualNetwork) -> "VirtualNetwork | None":
        """The VNet whose link carries ``setting`` in :meth:`peer`: named by ``value`` (None or False: neither)."""
        if value is None or value is False:
            return None
        if value is True:
            raise PeeringError(
                f"{setting}=True does not say which link carries it: name the VNet whose link carries it, e.g. "
                f"{setting}={(va.name if setting == 'allow_gateway_transit' else vb.name)!r}. Each of a peering's two "
                "links has its own settings: allowGatewayTransit on the link of the VNet that shares its gateway, "
                "useRemoteGateways on the link of the VNet that uses the peer's gateway.", value=value,
                rule=f"{setting} is a setting of one link", source=MANAGE_PEERING)
        name = value.name if isinstance(value, VirtualNetwork) else value
        if name == va.name:
            return va
        if name == vb.name:
            return vb
        raise PeeringError(f"{setting}={value!r}: name {va.name!r} or {vb.name!r}, the VNet whose link carries it.",
                           value=value, rule=f"{setting} is set on one of the two peered VNets' links",
                           source=MANAGE_PEERING)

    def peering(self, vnet: str, remote: str) -> PeeringLink:
        v = self.vnet(vnet)
        try:
            return v.peerings[remote.name if isinstance(remote, VirtualNetwork) else remote]
        except (KeyError, TypeError):
            raise NotFoundError(f"{v.name} has no peering link to {remote}.", value=remote, rule="peering must exist") from None

    @property
    def peering_links(self) -> list[PeeringLink]:
        return [link for v in self.vnets.values() for link in v.peerings.values()]

    def set_peering(self, vnet: str, remote: str, **settings: Any) -> PeeringLink:
        """Change settings on one existing link (the others keep their values)."""
        link = self.peering(vnet, remote)
        new = self._settings({**link.settings.__dict__,
                              **python_names(settings, PeeringSettings.names(), "peering settings")})
        check_transit(link.local, link.remote, new)
        link.settings = new
        self._touch()
        return link

    def remove_peering_link(self, vnet: str, remote: str) -> None:
        """Delete one link; the other side becomes ``Disconnected``."""
        link = self.peering(vnet, remote)
        del link.local.peerings[link.remote.name]
        self._touch()

    def remove_peering(self, a: str, b: str) -> None:
        """Delete both links of a peering."""
        found = False
        for x, y in ((a, b), (b, a)):
            if self.vnet(y).name in self.vnet(x).peerings:
                del self.vnet(x).peerings[self.vnet(y).name]
                found = True
        if not found:
            raise NotFoundError(f"{a} and {b} are not peered.", value=(a, b), rule="peering must exist")
        self._touch()

    def sync_peering(self, vnet: str, remote: str) -> None:
        """Sync ``vnet``'s link to ``remote`` after ``remote`` changed its address space."""
        self.peering(vnet, remote).sync()

    @staticmethod
    def _settings(settings: dict[str, Any]) -> PeeringSettings:
        """Peering settings in vnetlab's or Azure's spellings (``allow_gateway_transit`` or ``allowGatewayTransit``)."""
        settings = python_names(settings, PeeringSettings.names(), "peering settings")
        unknown = set(settings) - set(PeeringSettings.names())
        if unknown:
            raise PeeringError(f"Unknown peering setting(s) {sorted(map(str, unknown))}; Azure's four are "
                               f"{', '.join(PeeringSettings.names())} (REST: allowVirtualNetworkAccess, "
                               "allowForwardedTraffic, allowGatewayTransit, useRemoteGateways).",
                               value=sorted(map(str, unknown)), rule="the four peering settings", source=MANAGE_PEERING)
        return PeeringSettings(**settings)

    # --- VPN gateways, local network gateways, connections ----------------------------------------------------
    def add_vpn_gateway(self, vnet: str, sku: str = "VpnGw2AZ", *, generation: int | None = None, name: str | None = None,
                        vpn_type: str = "RouteBased", active_active: bool = False, bgp_asn: int | None = None,
                        created_on=None) -> gw_mod.VpnGateway:
        """Create the VNet's VPN gateway in its ``GatewaySubnet`` (rules in :mod:`vnetlab.gateway`).

        In Azure this takes 45 minutes or more; the simulator creates it at once and records the time in
        :func:`vnetlab.gateway.provisioning_minutes` for timelines.
        """
        v = self.vnet(vnet)
        spec = gw_mod.sku(sku, generation)
        gw_mod.check_gateway(v, spec, vpn_type, active_active, bgp_asn, created_on)
        subnet = v.subnets["GatewaySubnet"]
        count = 2 if active_active else 1
        instance_ips = tuple(str(a) for a, _ in zip(addressing.usable_addresses(subnet.prefix), range(count)))
        taken = {ip for g in self.gateways for ip in g.public_ips}
        free = (f"203.0.113.{i}" for i in range(1, 255) if f"203.0.113.{i}" not in taken)
        gateway = gw_mod.VpnGateway(name=name or f"{v.name}-vpngw", vnet=v, sku=spec, vpn_type=vpn_type,
                                    active_active=active_active, bgp_asn=bgp_asn, instance_ips=instance_ips,
                                    public_ips=tuple(next(free) for _ in range(count)),
                                    findings=tuple(gw_mod.gateway_findings(v, spec)))
        v.gateway = gateway
        self._touch()
        return gateway

    def resize_gateway(self, vnet: str, sku: str, *, generation: int | None = None) -> gw_mod.VpnGateway:
        """Resize ``vnet``'s VPN gateway to ``sku`` (``Resize-AzVirtualNetworkGateway``): the gateway, its public IPs,
        connections and settings stay. Allowed only within the SKU's family and upwards; Basic cannot be resized
        (rules in :func:`vnetlab.gateway.check_resize`). A SKU offered in both generations is taken in the gateway's own.
        """
        gw = self.gateway(vnet)
        target = gw_mod.sku(sku, generation if generation is not None else (
            gw.sku.generation if any(s.name == sku and s.generation == gw.sku.generation for s in gw_mod.catalog())
            else None))
        gw_mod.check_resize(gw.sku, target)
        gw.sku = target
        gw.findings = tuple(gw_mod.gateway_findings(gw.vnet, target))
        self._touch()
        return gw

    def findings(self) -> list[str]:
        """Advice that is not an error, across the network: small gateway subnets and the like."""
        out = [f for v in self.vnets.values() for s in v.subnets.values() for f in s.findings]
        return out + [f for g in self.gateways for f in (*g.findings, *nat_mod.shared_rule_findings(g),
                                                         *routes_engine.bgp_findings(g),
                                                         *conn_mod.overlapping_site_findings(g))]

    @property
    def gateways(self) -> list[gw_mod.VpnGateway]:
        return list(self.memo(("gateways",), lambda: tuple(v.gateway for v in self.vnets.values()
                                                             if v.gateway is not None)))

    def gateway(self, vnet: str) -> gw_mod.VpnGateway:
        v = self.vnet(vnet)
        if v.gateway is None:
            raise NotFoundError(f"VNet {v.name} has no VPN gateway.", value=v.name, rule="gateway must exist")
        return v.gateway

    def gateway_at(self, ip: "str | object") -> "gw_mod.VpnGateway | None":
        """The VPN gateway of this network whose public IP ``ip`` is, else None. A local network gateway whose device
        IP is such an address stands for that gateway's VNet: each VNet's LNG treats the other VNet as a local site
        (VNet-to-VNet portal how-to, 2025-06-30)."""
        return next((g for g in self.gateways if str(ip) in g.public_ips), None)

    def add_local_network_gateway(self, name: str, gateway_ip: str, prefixes: "list[str] | None" = None, *,
                                  bgp_asn: int | None = None, bgp_peer_ip: str | None = None,
                                  advertised: "list[str] | None" = None) -> LocalNetworkGateway:
        """Record an on-premises site: its device's public IP and its prefixes (typed by hand)."""
        check_name(name, "Local network gateway")
        if name in self.local_gateways or name in self.vnets:
            raise ResourceNameError(f"The name {name!r} is already used.", value=name, rule="names are unique")
        lng = build_lng(name, gateway_ip, prefixes or [], bgp_asn, bgp_peer_ip, advertised)
        self.local_gateways[name] = lng
        self._touch()
        return lng

    def local_gateway(self, name: str) -> LocalNetworkGateway:
        return self._lookup(self.local_gateways, name, "local network gateway", "LNG")

    def set_local_network_gateway_prefixes(self, name: str, prefixes: "list[str]") -> None:
        """Edit an LNG's address prefixes by hand, as an administrator must after the site (or VNet) changes."""
        lng = self.local_gateway(name)
        updated = build_lng(name, str(lng.gateway_ip), prefixes, lng.bgp_asn,
                            str(lng.bgp_peer_ip) if lng.bgp_peer_ip else None, [str(p) for p in lng.advertised])
        for c in self._connections_to(lng):
            conn_mod.check_ipsec_spaces(c.gateway.vnet.name, c.gateway.vnet.address_space, lng.name, updated.prefixes,
                                        nat_mod.resolve(c.gateway, c.ingress_nat_rules, "IngressSnat"),
                                        nat_mod.resolve(c.gateway, c.egress_nat_rules, "EgressSnat"))
        lng.prefixes = updated.prefixes
        self._touch()

    def set_vpn_device(self, name: str, *, ike_versions: "list[str] | str" = "IKEv2", phase1: "list[str] | str",
                       phase2: "list[str] | str") -> None:
        """Describe site ``name``'s VPN device: its IKE versions and its phase 1 / phase 2 proposals in preference order,
        e.g. ``phase1=["AES256/SHA256/DHGroup14"], phase2=["AES256/SHA256/None"]``. Its connections then negotiate
        IKE with Azure (:mod:`vnetlab.ipsec`) and stay down on a mismatch."""
        from .ipsec import device_endpoint

        lng = self.local_gateway(name)
        lng.device = device_endpoint(f"{lng.name} device", ike_versions, phase1, phase2)
        self._touch()

    def set_ipsec_policy(self, vnet: str, connection: str, policy: Any) -> None:
        """Set (a dict or :class:`vnetlab.ipsec.IpsecPolicy`) or remove (``None``) a connection's custom IPsec/IKE
        policy. In Azure the tunnel drops for a few seconds; without a policy the defaults apply again."""
        c = self.connection(vnet, connection)
        c.ipsec_policy, _ = conn_mod.check_ipsec_settings(c.gateway, policy, c.connection_protocol, c.kind,
                                                          c.use_policy_based_traffic_selectors)
        self._touch()

    def _connections_to(self, target) -> list[conn_mod.Connection]:
        return [c for g in self.gateways for c in g.connections.values() if c.remote is target]

    @property
    def connections(self) -> list[conn_mod.Connection]:
        return [c for g in self.gateways for c in g.connections.values()]

    def connect(self, a: str, b: str, kind: str = "Vnet2Vnet", *, name: str | None = None, enable_bgp: bool = False,
                bidirectional: bool = True, ingress_nat_rules: "list[str] | None" = None,
                egress_nat_rules: "list[str] | None" = None, ipsec_policy: Any = None,
                connection_protocol: str | None = None,
                use_policy_based_traffic_selectors: bool = False) -> list[conn_mod.Connection]:
        """Connect ``a``'s VPN gateway to ``b``: another VNet's gateway (``Vnet2Vnet``) or an LNG (``IPsec``).

        A VNet-to-VNet tunnel is two connection resources; ``bidirectional`` creates both, as the portal's
        "Establish bidirectional connectivity" does. NAT rules (created first with :meth:`add_nat_rule`) are
        linked here, as Azure requires; ``ipsec_policy`` is a custom IPsec/IKE policy (a dict or
        :class:`vnetlab.ipsec.IpsecPolicy`) applied to every resource created. Rules in :mod:`vnetlab.connection`,
        :mod:`vnetlab.nat` and :mod:`vnetlab.ipsec`.
        """
        gw = self.gateway(a)
        if kind == "Vnet2Vnet":
            remote = self.gateway(b)
            pairs = [(gw, remote, name or f"{gw.vnet.name}-to-{remote.vnet.name}")]
            if bidirectional:
                pairs.append((remote, gw, f"{remote.vnet.name}-to-{gw.vnet.name}"))
        elif kind == "IPsec":
            remote = self.local_gateway(b)
            pairs = [(gw, remote, name or f"{gw.vnet.name}-to-{remote.name}")]
        else:
            if kind == "VPNClient":  # NAT rules on Point-to-Site are refused with their own rule
                nat_mod.check_linkable(self, gw, kind, (*nat_mod.resolve(gw, ingress_nat_rules, "IngressSnat"),
                                                        *nat_mod.resolve(gw, egress_nat_rules, "EgressSnat")),
                                       False, name or "Point-to-Site")
            raise conn_mod.GatewayConnectionError(f"Connection type {kind!r}: use Vnet2Vnet or IPsec (Point-to-Site is "
                                                  "configured with add_point_to_site).", value=kind,
                                                  rule="connection types", source=conn_mod.VPN_FAQ)
        ingress = nat_mod.resolve(gw, ingress_nat_rules, "IngressSnat")
        egress = nat_mod.resolve(gw, egress_nat_rules, "EgressSnat")
        policy, protocol = conn_mod.check_ipsec_settings(gw, ipsec_policy, connection_protocol, kind,
                                                         use_policy_based_traffic_selectors)
        selectors = bool(use_policy_based_traffic_selectors)
        for local, other, cname in pairs:
            conn_mod.check_connection(self, local, other, kind, cname, enable_bgp, ingress, egress, selectors)
        made = []
        for local, other, cname in pairs:
            c = conn_mod.Connection(name=cname, kind=kind, gateway=local, remote=other, enable_bgp=enable_bgp,
                                    ingress_nat_rules=tuple(r.name for r in ingress),
                                    egress_nat_rules=tuple(r.name for r in egress), ipsec_policy=policy,
                                    connection_protocol=protocol, use_policy_based_traffic_selectors=selectors)
            local.connections[cname] = c
            made.append(c)
        self._touch()
        return made

    def connection(self, vnet: str, name: str) -> conn_mod.Connection:
        gw = self.gateway(vnet)
        if name not in gw.connections:
            raise NotFoundError(f"Gateway {gw.name} has no connection {name!r} (connections: "
                                f"{', '.join(gw.connections) or 'none'}).", value=name, rule="connection must exist")
        return gw.connections[name]

    # --- NAT rules ----------------------------------------------------------------------------------------
    def add_nat_rule(self, vnet: str, name: str, *, mode: str, internal: str, external: str, type: str = "Static",
                     internal_port: Any = None, external_port: Any = None,
                     ip_configuration_id: str = "default") -> nat_mod.NatRule:
        """Create a NAT rule on ``vnet``'s VPN gateway (rules in :mod:`vnetlab.nat`); link it with :meth:`connect`."""
        gw = self.gateway(vnet)
        rule = nat_mod.make_rule(name, type=type, mode=mode, internal=internal, external=external,
                                 internal_port=internal_port, external_port=external_port,
                                 ip_configuration_id=ip_configuration_id)
        nat_mod.check_rule_on_gateway(gw, rule)
        gw.nat_rules[rule.name] = rule
        self._touch()
        return rule

    def remove_nat_rule(self, vnet: str, name: str) -> None:
        gw = self.gateway(vnet)
        if name not in gw.nat_rules:
            raise NotFoundError(f"Gateway {gw.name} has no NAT rule {name!r}.", value=name, rule="NAT rule must exist")
        linked = [c.name for c in gw.connections.values() if name in (*c.ingress_nat_rules, *c.egress_nat_rules)]
        if linked:
            raise nat_mod.NatRuleError(f"NAT rule {name} is linked to connection {linked[0]}; remove the connection "
                                       "first.", value=name, rule="a linked rule cannot be deleted")
        del gw.nat_rules[name]
        self._touch()

    def advertised_prefixes(self, vnet: str, connection: str) -> list[str]:
        """The prefixes ``vnet``'s gateway advertises over BGP on ``connection`` (after EgressSnat rules)."""
        return [a.prefix for a in routes_engine.advertised_to(self.connection(vnet, connection))]

    def nat_rules(self, vnet: str) -> nat_mod.NatTable:
        """The gateway's NAT rules and the connections each is linked to (displays as a table)."""
        return nat_mod.nat_table(self.gateway(vnet))

    def remove_connection(self, vnet: str, name: str) -> None:
        gw = self.gateway(vnet)
        if name not in gw.connections:
            raise NotFoundError(f"Gateway {gw.name} has no connection {name!r}.", value=name, rule="connection must exist")
        del gw.connections[name]
        self._touch()

    def add_point_to_site(self, vnet: str, address_pool: "list[str] | str",
                          protocols: "tuple[str, ...]" = ("OpenVPN", "IkeV2"), *,
                          ingress_nat_rules: "list[str] | None" = None,
                          egress_nat_rules: "list[str] | None" = None) -> conn_mod.PointToSite:
        """Configure Point-to-Site on ``vnet``'s gateway: the client address pool and tunnel protocols. NAT rules
        cannot be linked to Point-to-Site (NAT overview, 2024-10-16: IPsec Site-to-Site connections only); naming
        any is refused with that rule. Trace a client with ``trace(client_ip, dst, from_p2s=vnet)``."""
        gw = self.gateway(vnet)
        rules = (*nat_mod.resolve(gw, ingress_nat_rules, "IngressSnat"), *nat_mod.resolve(gw, egress_nat_rules, "EgressSnat"))
        nat_mod.check_linkable(self, gw, "VPNClient", rules, False, "Point-to-Site")
        gw.p2s = conn_mod.check_p2s(gw, address_pool, list(protocols))
        self._touch()
        return gw.p2s

    # --- route tables --------------------------------------------------------------------------------------
    def _create(self, registry: dict, name: str, what: str, make: Any) -> Any:
        """Add ``make()`` to ``registry`` under a new, valid ``name`` (route tables, NSGs)."""
        check_name(name, what)
        if name in registry:
            raise ResourceNameError(f"A {what} named {name!r} already exists.", value=name, rule="names are unique")
        registry[name] = item = make()
        self._touch()
        return item

    @staticmethod
    def _lookup(registry: dict, name: Any, what: str, short: str = "") -> Any:
        try:
            return registry[name]
        except (KeyError, TypeError):
            raise NotFoundError(f"No {short or what} named {name!r} ({short or what}s: {', '.join(registry) or 'none yet'}).",
                                value=name, rule=f"{what} must exist") from None

    def add_route_table(self, name: str, *, disable_bgp_route_propagation: bool = False) -> rt_mod.RouteTable:
        return self._create(self.route_tables, name, "route table", lambda: rt_mod.RouteTable(
            name=name, disable_bgp_route_propagation=bool(disable_bgp_route_propagation)))

    def route_table(self, name: str) -> rt_mod.RouteTable:
        return self._lookup(self.route_tables, name, "route table")

    def add_route(self, table: str, name: str, prefix: str, next_hop_type: str, next_hop_ip: str | None = None) -> None:
        rt_mod.add_route(self.route_table(table), rt_mod.make_route(name, prefix, next_hop_type, next_hop_ip))
        self._touch()

    def remove_route(self, table: str, name: str) -> None:
        """Delete the route ``name`` from route table ``table``."""
        t = self.route_table(table)
        self._lookup(t.routes, name, "route")
        del t.routes[name]
        self._touch()

    def associate_route_table(self, vnet: str, subnet: str, table: str | None) -> None:
        """Associate ``table`` with a subnet (``None`` removes the association)."""
        s = self.subnet(vnet, subnet)
        t = self.route_table(table) if table is not None else None
        if t is not None and s.name == "GatewaySubnet":
            rt_mod.check_gateway_subnet_table(t)
        s.route_table = t
        self._touch()

    # --- network security groups (rules and checks in vnetlab.nsg) ------------------------------------------
    def add_network_security_group(self, name: str) -> nsg_mod.NetworkSecurityGroup:
        """An NSG with only the six default rules; associate it with subnets or NICs."""
        return self._create(self.network_security_groups, name, "network security group",
                            lambda: nsg_mod.NetworkSecurityGroup(name=name))

    def network_security_group(self, name: str) -> nsg_mod.NetworkSecurityGroup:
        return self._lookup(self.network_security_groups, name, "network security group", "NSG")

    def add_security_rule(self, nsg: str, name: str, priority: int, direction: str, access: str, protocol: str = "*",
                          source: Any = "*", source_ports: Any = "*", destination: Any = "*",
                          destination_ports: Any = "*") -> nsg_mod.SecurityRule:
        """Add a custom rule (priority 100-4096, unique per direction; see :func:`vnetlab.nsg.make_rule`)."""
        group = self.network_security_group(nsg)
        rule = group.add_rule(nsg_mod.make_rule(name, priority, direction, access, protocol, source, source_ports,
                                                destination, destination_ports))
        self._touch()
        return rule

    def remove_security_rule(self, nsg: str, name: str) -> None:
        self.network_security_group(nsg).remove_rule(name)
        self._touch()

    def associate_network_security_group(self, vnet: str | None = None, subnet: str | None = None, *,
                                         nic: str | None = None, nsg: str | None) -> None:
        """Associate ``nsg`` with a subnet (``vnet``, ``subnet``) or a NIC (``nic=``); ``nsg=None`` removes it.

        GatewaySubnet takes no NSG (azure-facts.md §2.3, §8.4).
        """
        if (nic is None) == (subnet is None):
            raise nsg_mod.NsgError("Associate an NSG with either a subnet (vnet, subnet) or a NIC (nic=...), one of them.",
                                   value=(vnet, subnet, nic), rule="an NSG association has one target")
        group = self.network_security_group(nsg) if nsg is not None else None
        if nic is not None:
            self.nic(nic).network_security_group = group
        else:
            s = self.subnet(vnet, subnet)
            if group is not None:
                nsg_mod.check_association(s)
            s.network_security_group = group
        self._touch()

    def flow_verify(self, target: str, direction: str, protocol: str = "Tcp", local_ip: str | None = None,
                    local_port: int | None = None, remote_ip: str | None = None,
                    remote_port: int | None = None) -> nsg_mod.FlowVerdict:
        """IP flow verify at a NIC (or an address in a subnet): which NSG rule allows or denies a new flow."""
        return nsg_mod.flow_verify(self, target, direction, protocol, local_ip, local_port, remote_ip, remote_port)

    # --- engine ---------------------------------------------------------------------------------------------
    def effective_routes(self, vnet: str, subnet: str) -> routes_engine.EffectiveRoutes:
        """The subnet's effective routes (cached until the network changes)."""
        v = self.vnet(vnet)
        s = v.subnet(subnet)
        return self.memo(("effective-routes", v.name, s.name), lambda: routes_engine.compute(v, s))

    def trace(self, src: str, dst: str, protocol: str = "Tcp", port: int | None = None, *,
              from_site: str | None = None, from_p2s: str | None = None) -> trace_engine.Trace:
        """Follow a packet from ``src`` to ``dst``: hops (with NAT rewrites and each leg's protection), verdict and
        reason. ``from_site`` starts at an on-premises host of that local network gateway's site; ``from_p2s`` at a
        Point-to-Site client (``src`` in the client pool) of the gateway in that VNet."""
        return trace_engine.trace(self, src, dst, protocol, port, from_site=from_site, from_p2s=from_p2s)

    def reachability(self, protocol: str = "Tcp", port: int | None = None) -> trace_engine.Reachability:
        return trace_engine.reachability(self, protocol, port)

    # --- scenarios ----------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain data in the scenario format (see :mod:`vnetlab.scenario`)."""
        return {
            "name": self.name,
            "description": self.description,
            "vnets": [{
                "name": v.name,
                "address_space": [str(r) for r in v.address_space],
                "region": v.region,
                "subscription": v.subscription,
                "tenant": v.tenant,
                **({"cloud": v.cloud} if v.cloud != DEFAULT_CLOUD else {}),
                **({"encryption": True} if v.encryption else {}),
                "subnets": [{
                    "name": s.name,
                    "prefix": str(s.prefix),
                    **({"nics": [{"name": n.name, "ip": str(n.ip), **({"ip_forwarding": True} if n.ip_forwarding else {}),
                                  **({"accelerated_networking": True} if n.accelerated_networking else {})}
                                 for n in s.nics.values()]} if s.nics else {}),
                    **({"route_table": s.route_table.name} if s.route_table is not None else {}),
                } for s in v.subnets.values()],
            } for v in self.vnets.values()],
            **({"route_tables": [t.to_dict() for t in self.route_tables.values()]} if self.route_tables else {}),
            **({"network_security_groups": [{**g.to_dict(), "associations": nsg_mod.associations(self, g)}
                                            for g in self.network_security_groups.values()]}
               if self.network_security_groups else {}),
            **({"vpn_gateways": [g.to_dict() for g in self.gateways]} if self.gateways else {}),
            **({"local_network_gateways": [g.to_dict() for g in self.local_gateways.values()]}
               if self.local_gateways else {}),
            "peerings": [link.to_dict() for link in self.peering_links],
            **({"connections": [{"vnet": c.gateway.vnet.name, **c.to_dict(),
                                 "remote": c.remote.vnet.name if c.kind == "Vnet2Vnet" else c.remote.name}
                                for c in self.connections]} if self.connections else {}),
        }

    @classmethod
    def from_dict(cls, data: Any) -> "Network":
        from .scenario import build
        return build(data)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, default_flow_style=None, width=110)

    @classmethod
    def from_yaml(cls, text: str) -> "Network":
        from .scenario import parse_yaml
        return cls.from_dict(parse_yaml(text))

    @classmethod
    def from_azure(cls, *sources: Any, name: str = "imported") -> "Network":
        """A network read from Azure's own JSON (``az ... -o json`` files, a Resource Graph result or an ARM
        template); what the model does not cover is listed in its ``import_report`` (see :mod:`vnetlab.azure`)."""
        from .azure import from_azure
        return from_azure(*sources, name=name)

    def copy(self) -> "Network":
        """An independent copy of the model (what is derived from it is computed again on the copy)."""
        return copy.deepcopy(self)

    def __deepcopy__(self, memo: dict) -> "Network":
        # Derived results (route indexes, traces) are not copied: they can be large, and the copy recomputes them.
        clone = Network.__new__(Network)
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            setattr(clone, key, {} if key == "_memos" else copy.deepcopy(value, memo))
        return clone


__all__ = ["Network"]
