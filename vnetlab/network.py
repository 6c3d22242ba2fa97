"""``Network``: the model a learner builds, and the one entry point to the engine.

Data flows one way: a scenario (YAML or dict) → :class:`Network` (VNets, subnets, NICs, peering links)
→ engine (:mod:`vnetlab.routes`, :mod:`vnetlab.trace`) → frozen results → plots, widgets, grading.
Every change is checked against Azure's rules *before* anything is modified, so a refused change leaves
the network as it was.
"""
from __future__ import annotations

import copy
from typing import Any

import yaml
from netaddr import IPAddress

from . import addressing, routes as routes_engine, trace as trace_engine
from .errors import (
    AddressSpaceError,
    GatewayTransitError,
    NotFoundError,
    PeeringOverlapError,
    ResourceNameError,
    ScenarioError,
    SubnetInUseError,
    TraceError,
    VnetlabError,
)
from .peering import MANAGE_PEERING, PeeringLink, PeeringSettings, check_link, check_transit
from .vnet import DEFAULT_CLOUD, NetworkInterface, Subnet, VirtualNetwork, check_name, normalize_region

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
        self._version = 0
        self._route_cache: dict[tuple[str, str], tuple[int, routes_engine.EffectiveRoutes]] = {}

    # --- bookkeeping -----------------------------------------------------------------------------
    def _touch(self) -> None:
        self._version += 1

    def _ensure_nic_name_free(self, name: str) -> None:
        if any(name in s.nics for v in self.vnets.values() for s in v.subnets.values()):
            raise ResourceNameError(f"A NIC named {name!r} already exists in this network.", value=name,
                                    rule="NIC names are unique")

    def __repr__(self) -> str:
        return f"Network({self.name!r}, vnets={list(self.vnets)})"

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

    def nic(self, name: str) -> NetworkInterface:
        found = next((n for n in self.nics if n.name == name), None)
        if found is None:
            raise NotFoundError(f"No NIC named {name!r}.", value=name, rule="NIC must exist")
        return found

    def locate(self, source: "str | IPAddress") -> tuple[VirtualNetwork, Subnet, NetworkInterface | None] | None:
        """Where a trace starts: a NIC given by name, or the NIC/subnet holding an address.

        VNets that are not connected may overlap (that is what NAT is for), so an address can exist twice;
        then the source must be named by its NIC.
        """
        if isinstance(source, str) and any(n.name == source for n in self.nics):
            nic = self.nic(source)
            return nic.vnet, nic.subnet, nic
        address = addressing.parse_address(source, what="source address")
        places = [(v, s) for v in self.vnets.values() for s in v.subnets.values() if address in s.prefix]
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
        for link in v.peerings.values():
            if link.remote.name in self.vnets:
                clash = addressing.overlaps(space, link.remote.address_space)
                if clash:
                    a, b = clash[0]
                    raise PeeringOverlapError(f"{v.name}'s new range {a} overlaps {b} of peered VNet {link.remote.name}.",
                                              value=a, rule="peered VNets' address spaces must not overlap",
                                              source=MANAGE_PEERING)
        v.address_space = space
        self._touch()

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

    def peer(self, a: str, b: str, *, allow_virtual_network_access: bool = True, allow_forwarded_traffic: bool = False,
             allow_gateway_transit: bool = False, use_remote_gateways: bool = False) -> tuple[PeeringLink, PeeringLink]:
        """Peer ``a`` and ``b`` the way the portal does: both links at once.

        ``allow_virtual_network_access`` and ``allow_forwarded_traffic`` apply to both links;
        ``allow_gateway_transit`` to ``a``'s link (``a`` shares its gateway) and ``use_remote_gateways`` to
        ``b``'s link (``b`` uses ``a``'s gateway), the hub-and-spoke pattern. Both links are checked before
        either is created.
        """
        va, vb = self.vnet(a), self.vnet(b)
        common = dict(allow_virtual_network_access=allow_virtual_network_access,
                      allow_forwarded_traffic=allow_forwarded_traffic)
        sa = self._settings({**common, "allow_gateway_transit": allow_gateway_transit})
        sb = self._settings({**common, "use_remote_gateways": use_remote_gateways})
        check_link(va, vb, sa)
        check_link(vb, va, sb)
        if sb.use_remote_gateways and not sa.allow_gateway_transit:
            raise GatewayTransitError(f"use_remote_gateways on {vb.name}'s link needs allow_gateway_transit on "
                                      f"{va.name}'s link.", value="use_remote_gateways",
                                      rule="the peer must allow gateway transit", source=MANAGE_PEERING)
        return self.add_peering_link(va.name, vb.name, **sa.__dict__), self.add_peering_link(vb.name, va.name, **sb.__dict__)

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
        new = self._settings({**link.settings.__dict__, **settings})
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
        unknown = set(settings) - set(PeeringSettings.names())
        if unknown:
            raise VnetlabError(f"Unknown peering setting(s) {sorted(unknown)}; Azure's four are "
                               f"{', '.join(PeeringSettings.names())}.", value=sorted(unknown), rule="peering settings")
        return PeeringSettings(**settings)

    # --- engine ---------------------------------------------------------------------------------------------
    def effective_routes(self, vnet: str, subnet: str) -> routes_engine.EffectiveRoutes:
        """The subnet's effective routes (cached until the network changes)."""
        v = self.vnet(vnet)
        s = v.subnet(subnet)
        key = (v.name, s.name)
        cached = self._route_cache.get(key)
        if cached is not None and cached[0] == self._version:
            return cached[1]
        table = routes_engine.compute(v, s)
        self._route_cache[key] = (self._version, table)
        return table

    def trace(self, src: str, dst: str, protocol: str = "Tcp", port: int | None = None) -> trace_engine.Trace:
        """Follow a packet from ``src`` to ``dst``: hops, verdict and reason."""
        return trace_engine.trace(self, src, dst, protocol, port)

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
                "subnets": [{
                    "name": s.name,
                    "prefix": str(s.prefix),
                    **({"nics": [{"name": n.name, "ip": str(n.ip)} for n in s.nics.values()]} if s.nics else {}),
                } for s in v.subnets.values()],
            } for v in self.vnets.values()],
            "peerings": [link.to_dict() for link in self.peering_links],
        }

    @classmethod
    def from_dict(cls, data: Any) -> "Network":
        from .scenario import build
        return build(data)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, default_flow_style=None, width=110)

    @classmethod
    def from_yaml(cls, text: str) -> "Network":
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ScenarioError(f"Not valid YAML: {exc}", value=str(text)[:80], rule="scenarios are YAML") from None
        return cls.from_dict(data)

    def copy(self) -> "Network":
        return copy.deepcopy(self)


__all__ = ["Network"]
