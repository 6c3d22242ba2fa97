"""VPN gateway connections: ``Vnet2Vnet``, ``IPsec`` (Site-to-Site) and ``VPNClient`` (Point-to-Site).

* ``IPsec``: a VPN gateway ↔ a local network gateway; over the public internet; IKEv1 or IKEv2.
  Azure routes the LNG's prefixes (typed by hand) into the tunnel.
* ``Vnet2Vnet``: a VPN gateway ↔ another VPN gateway; IKEv2 over the Microsoft backbone. Azure fills and
  hides the remote side's configuration, so **an address-space change on one VNet is routed automatically
  by the other**. Two connection resources, one per direction; the tunnel is up only when both exist.
  Route-based gateways at both ends; the VNets' address spaces must not overlap; works across regions,
  subscriptions and tenants (not across clouds).
* ``VPNClient``: Point-to-Site clients take addresses from the gateway's client address pool; needs a
  route-based gateway; Basic carries SSTP only.
Each S2S and VNet-to-VNet connection is a tunnel counted against the SKU's tunnel limit.
Sources: Gateway settings (2024-02-29), VNet-to-VNet how-to (2025-06-30), VPN FAQ (2026-06-04), P2S about.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from netaddr import IPNetwork

from . import addressing
from .errors import VnetlabError

P2S_PROTOCOLS = ("OpenVPN", "SSTP", "IkeV2")
V2V_HOWTO = "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-howto-vnet-vnet-resource-manager-portal (2025-06-30)"
VPN_FAQ = "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq (2026-06-04)"


class GatewayConnectionError(VnetlabError):
    """A gateway connection Azure refuses."""


@dataclass
class Connection:
    """One connection resource on ``gateway`` (the local side)."""

    name: str
    kind: str  # Vnet2Vnet or IPsec
    gateway: object = field(repr=False)        # VpnGateway (local)
    remote: object = field(repr=False)         # VpnGateway (Vnet2Vnet) or LocalNetworkGateway (IPsec)
    enable_bgp: bool = False

    @property
    def reverse(self):
        """For Vnet2Vnet: the remote gateway's connection back to this one (None until it exists)."""
        if self.kind != "Vnet2Vnet":
            return None
        return next((c for c in self.remote.connections.values()
                     if c.kind == "Vnet2Vnet" and c.remote is self.gateway), None)

    @property
    def status(self) -> str:
        """``Connected`` when the tunnel can come up; a Vnet2Vnet with one side only is ``NotConnected``."""
        if self.kind == "Vnet2Vnet" and self.reverse is None:
            return "NotConnected"
        return "Connected"

    @property
    def path(self) -> str:
        return "Microsoft backbone" if self.kind == "Vnet2Vnet" else "public internet"

    def to_dict(self) -> dict:
        data = {"name": self.name, "kind": self.kind, "remote": self.remote.name}
        if self.enable_bgp:
            data["enable_bgp"] = True
        return data


@dataclass
class PointToSite:
    """A gateway's Point-to-Site configuration: the client address pool and tunnel protocols."""

    address_pool: list[IPNetwork]
    protocols: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"address_pool": [str(p) for p in self.address_pool], "protocols": list(self.protocols)}


def check_p2s(gateway, pool: list[str], protocols: list[str]) -> PointToSite:
    """P2S needs a route-based gateway; Basic supports SSTP only; the pool must not overlap the VNet."""
    if gateway.vpn_type != "RouteBased":
        raise GatewayConnectionError("Point-to-Site needs a route-based gateway.", value=gateway.vpn_type,
                               rule="P2S is route-based only", source=VPN_FAQ)
    protos = tuple(protocols)
    bad = [p for p in protos if p not in P2S_PROTOCOLS]
    if bad or not protos:
        raise GatewayConnectionError(f"P2S protocols {list(protos)}: choose from {', '.join(P2S_PROTOCOLS)}.", value=bad or protos,
                               rule="P2S tunnel types", source=VPN_FAQ)
    if gateway.sku.name == "Basic" and set(protos) != {"SSTP"}:
        raise GatewayConnectionError("The Basic SKU supports SSTP only for Point-to-Site.", value=list(protos),
                               rule="Basic: SSTP only", source=VPN_FAQ)
    parsed = [addressing.parse_prefix(p) for p in ([pool] if isinstance(pool, str) else pool)]
    clash = addressing.overlaps(parsed, gateway.vnet.address_space)
    if clash:
        raise GatewayConnectionError(f"P2S client pool {clash[0][0]} overlaps {gateway.vnet.name}'s {clash[0][1]}.",
                               value=clash[0][0], rule="the client pool must not overlap the VNet", source=VPN_FAQ)
    return PointToSite(address_pool=parsed, protocols=protos)


def check_no_overlap(name: str, space: list[IPNetwork], prefixes: list[IPNetwork], what: str) -> None:
    """Connected address spaces must not overlap (without NAT rules, which module 3 adds)."""
    clash = addressing.overlaps(prefixes, space)
    if clash:
        raise GatewayConnectionError(
            f"{what}'s {clash[0][0]} overlaps {name}'s {clash[0][1]}: address spaces joined by a VPN connection "
            "must not overlap (NAT rules on a VpnGw2+ gateway are the documented way around this for IPsec).",
            value=clash[0][0], rule="connected address spaces must not overlap", source=V2V_HOWTO)


def check_connection(net, local, remote, kind: str, name: str, enable_bgp: bool) -> None:
    """Rules for one connection resource on gateway ``local`` (module docstring)."""
    if name in local.connections:
        raise GatewayConnectionError(f"Gateway {local.name} already has a connection named {name}.", value=name,
                                     rule="connection names are unique")
    tunnels = sum(1 for c in local.connections.values())
    limit = 1 if local.vpn_type == "PolicyBased" else local.sku.tunnels
    if tunnels >= limit:
        raise GatewayConnectionError(f"Gateway {local.name} ({local.sku.name}, {local.vpn_type}) already has {tunnels} "
                                     f"tunnel(s); its limit is {limit}.", value=tunnels, rule="tunnels per SKU",
                                     source="https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus (2026-06-08)")
    if kind == "Vnet2Vnet":
        if local is remote:
            raise GatewayConnectionError("A gateway cannot connect to itself.", value=name, rule="two gateways")
        for g in (local, remote):
            if g.vpn_type != "RouteBased":
                raise GatewayConnectionError(f"{g.name} is policy-based; VNet-to-VNet needs route-based gateways at both ends.",
                                             value=g.name, rule="Vnet2Vnet is route-based only", source=V2V_HOWTO)
        if local.vnet.cloud != remote.vnet.cloud:
            raise GatewayConnectionError(f"{local.vnet.name} ({local.vnet.cloud}) and {remote.vnet.name} "
                                         f"({remote.vnet.cloud}): VNet-to-VNet does not work across Azure clouds; use "
                                         "Site-to-Site there.", value=name, rule="no VNet-to-VNet across clouds",
                                         source=VPN_FAQ)
        check_no_overlap(local.vnet.name, local.vnet.address_space, remote.vnet.address_space, remote.vnet.name)
        if enable_bgp and not (local.bgp and remote.bgp):
            raise GatewayConnectionError(f"BGP on {name} needs BGP (an ASN) on both gateways.", value=name,
                                         rule="BGP on both ends", source=VPN_FAQ)
        if enable_bgp and local.asn == remote.asn:
            raise GatewayConnectionError(f"BGP on {name}: both gateways use ASN {local.asn}; the two ends need different "
                                         "ASNs.", value=local.asn, rule="different ASNs per BGP session", source=VPN_FAQ)
    else:
        check_no_overlap(local.vnet.name, local.vnet.address_space, remote.prefixes, remote.name)
        if enable_bgp and not (local.bgp and remote.bgp_asn is not None):
            raise GatewayConnectionError(f"BGP on {name} needs an ASN on the gateway and on LNG {remote.name}.",
                                         value=name, rule="BGP on both ends", source=VPN_FAQ)
        if enable_bgp and remote.bgp_asn == local.asn:
            raise GatewayConnectionError(f"LNG {remote.name} uses ASN {remote.bgp_asn}, the same as Azure's side; "
                                         "on-premises and Azure must use different ASNs.", value=remote.bgp_asn,
                                         rule="different ASNs", source=VPN_FAQ)
