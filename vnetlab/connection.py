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
from .vnet import azure_spelling
from .display import FieldsTable

P2S_PROTOCOLS = ("OpenVPN", "SSTP", "IkeV2")
V2V_HOWTO = "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-howto-vnet-vnet-resource-manager-portal (2025-06-30)"
VPN_FAQ = "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq (2026-06-04)"
NAT_HOWTO = "https://learn.microsoft.com/azure/vpn-gateway/nat-howto (2024-10-16)"


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
    ingress_nat_rules: tuple[str, ...] = ()   # IngressSnat rules of the gateway linked to this connection
    egress_nat_rules: tuple[str, ...] = ()    # EgressSnat rules
    ipsec_policy: object = None               # a custom vnetlab.ipsec.IpsecPolicy, or None for Azure's defaults
    connection_protocol: str = "IKEv2"
    use_policy_based_traffic_selectors: bool = False

    @property
    def reverse(self):
        """For Vnet2Vnet: the remote gateway's connection back to this one (None until it exists)."""
        if self.kind != "Vnet2Vnet":
            return None
        return next((c for c in self.remote.connections.values()
                     if c.kind == "Vnet2Vnet" and c.remote is self.gateway), None)

    @property
    def negotiation(self):
        """IKE between the two ends (:mod:`vnetlab.ipsec`), or None when there is nothing to negotiate yet (a
        VNet-to-VNet with one resource) or the site's device is not described (assumed to match Azure)."""
        network = self.gateway.vnet.network
        compute = lambda: negotiate(self)  # noqa: E731
        return compute() if network is None else network.memo(("negotiation", self.gateway.name, self.name), compute)

    @property
    def status(self) -> str:
        """``Connected`` when the tunnel can come up; ``NotConnected`` for a Vnet2Vnet with one side only or when IKE
        finds no common proposal."""
        if self.kind == "Vnet2Vnet" and self.reverse is None:
            return "NotConnected"
        n = self.negotiation
        return "NotConnected" if n is not None and not n.established else "Connected"

    @property
    def status_reason(self) -> str:
        if self.kind == "Vnet2Vnet" and self.reverse is None:
            return (f"only {self.gateway.vnet.name}'s connection resource exists; a VNet-to-VNet tunnel needs the "
                    f"connection from {self.remote.vnet.name} too.")
        n = self.negotiation
        return n.reason if n is not None else "the tunnel is up."

    @property
    def traffic_selectors(self) -> list[tuple[str, str]]:
        """With ``use_policy_based_traffic_selectors``, the (VNet prefix, on-premises prefix) pairs the policy-based
        device must define: every combination (VPN FAQ: 2 × 2 prefixes → 4 selectors). Empty otherwise (route-based:
        any-to-any)."""
        if not self.use_policy_based_traffic_selectors:
            return []
        return [(str(a), str(b)) for a in self.gateway.vnet.address_space for b in self.remote.prefixes]

    @property
    def path(self) -> str:
        return "Microsoft backbone" if self.kind == "Vnet2Vnet" else "public internet"

    def to_dict(self) -> dict:
        data = {"name": self.name, "kind": self.kind, "remote": self.remote.name}
        if self.enable_bgp:
            data["enable_bgp"] = True
        if self.ingress_nat_rules:
            data["ingress_nat_rules"] = list(self.ingress_nat_rules)
        if self.egress_nat_rules:
            data["egress_nat_rules"] = list(self.egress_nat_rules)
        if self.ipsec_policy is not None:
            data["ipsec_policy"] = self.ipsec_policy.to_dict()
        if self.connection_protocol != "IKEv2":
            data["connection_protocol"] = self.connection_protocol
        if self.use_policy_based_traffic_selectors:
            data["use_policy_based_traffic_selectors"] = True
        return data


def _peer_gateway(connection):
    """For an IPsec connection whose LNG points at another Azure gateway's public IP: (that gateway, its connection
    back), else (None, None)."""
    network = connection.gateway.vnet.network
    if network is None or connection.kind != "IPsec":
        return None, None
    ip = str(connection.remote.gateway_ip)
    peer = next((g for g in network.gateways if ip in g.public_ips), None)
    if peer is None:
        return None, None
    back = next((x for x in peer.connections.values() if x.kind == "IPsec"
                 and str(x.remote.gateway_ip) in connection.gateway.public_ips), None)
    return peer, back


def negotiate(connection):
    """Who proposes what: Azure's end (its defaults, or only its custom policy) against the other gateway's connection
    (VNet-to-VNet: both resources must carry the same policy) or the site's described device. Either side may
    initiate; the tunnel comes up when one of them succeeds (the reason reports Azure's attempt first)."""
    from . import ipsec

    def end(c):
        return ipsec.azure_endpoint(c.gateway.name, c.gateway.sku.name, c.gateway.vpn_type, c.ipsec_policy)

    if connection.kind == "Vnet2Vnet":
        reverse = connection.reverse
        return None if reverse is None else ipsec.negotiate_vnet_to_vnet(end(connection), end(reverse))
    peer, back = _peer_gateway(connection)
    if peer is not None:
        other = end(back) if back is not None else None
    else:
        other = getattr(connection.remote, "device", None)
    if other is None:
        return None
    local = end(connection)
    first = ipsec.negotiate(local, other, connection.connection_protocol)
    if first.established:
        return first
    second = ipsec.negotiate(other, local, connection.connection_protocol)
    return second if second.established else first


@dataclass
class PointToSite(FieldsTable):
    """A gateway's Point-to-Site configuration: the client address pool and tunnel protocols."""

    address_pool: list[IPNetwork]
    protocols: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"address_pool": [str(p) for p in self.address_pool], "protocols": list(self.protocols)}


def p2s_client_routes(gateway):
    """The routes a Point-to-Site client of ``gateway`` sends into its tunnel, as an effective-route table.

    The client's VPN profile routes the gateway VNet's ranges and those of the peered VNets that use this gateway
    (their link sets ``use_remote_gateways``, the hub's ``allow_gateway_transit``): P2S clients reach a peered VNet
    only then (VPN FAQ 2026-06-04; Manage peering 2025-05-08). Everything else stays on the client's own network.
    Not modelled: routes to Site-to-Site sites or over VNet-to-VNet (VNet-to-VNet does not carry the client pool), and
    the profile going stale until clients download it again after a peering change.
    """
    from .routes import EffectiveRoutes, Route, transit_spokes

    rows = [Route(prefix=str(p), next_hop_type="VirtualNetworkGateway", source="VirtualNetworkGateway",
                  next_hop_ip=tuple(gateway.public_ips), connection="P2S", origin=origin)
            for v, origin in [(gateway.vnet, f"address range of {gateway.vnet.name}, the gateway's VNet")]
            + [(spoke, f"address range of {spoke.name}, which uses {gateway.vnet.name}'s gateway (gateway transit)")
               for spoke in transit_spokes(gateway)]
            for p in v.address_space]
    return EffectiveRoutes(vnet=f"P2S clients of {gateway.vnet.name}", subnet=gateway.name, routes=tuple(rows))


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


def check_no_overlap(name: str, space: list[IPNetwork], prefixes: list[IPNetwork], what: str,
                     hint: str = "VNet-to-VNet connections take no NAT rules; NAT on VpnGw2+ gateways is documented for "
                                 "Site-to-Site (IPsec) connections to on-premises sites",
                     source: str = V2V_HOWTO) -> None:
    """Connected address spaces must not overlap (unless NAT rules translate them apart, IPsec only)."""
    clash = addressing.overlaps(prefixes, space)
    if clash:
        raise GatewayConnectionError(
            f"{what}'s {clash[0][0]} overlaps {name}'s {clash[0][1]}: address spaces joined by a VPN connection "
            f"must not overlap ({hint}).", value=clash[0][0], rule="connected address spaces must not overlap",
            source=source)


IKEV1_ROUTE_BASED_EXCLUDED = ("Basic", "Standard", "HighPerformance")


def check_ipsec_settings(gateway, policy: object, protocol: str | None, kind: str, selectors: object):
    """A connection's custom IPsec/IKE policy and IKE version (VPN FAQ 2026-06-04; IPsec/IKE policy how-to 2024-12-02).

    * A custom policy works on every SKU but Basic, on IPsec and Vnet2Vnet connections; it must give every field.
    * The protocol defaults to IKEv2 where applicable (IKEv1 on a policy-based gateway, which speaks only IKEv1);
      route-based IKEv1 connections are not available on Basic, Standard or other legacy SKUs.
    * ``use_policy_based_traffic_selectors`` (for on-premises policy-based devices) needs an IPsec connection.
    Returns ``(policy or None, protocol)``.
    """
    from . import ipsec

    if not isinstance(selectors, bool):
        raise GatewayConnectionError(f"use_policy_based_traffic_selectors={selectors!r}: true or false.", value=selectors,
                                     rule="a boolean")
    if selectors and kind != "IPsec":
        raise GatewayConnectionError("Policy-based traffic selectors are for Site-to-Site (IPsec) connections to "
                                     "policy-based on-premises devices.", value=kind, rule="selectors on IPsec only",
                                     source=VPN_FAQ)
    if policy is not None:
        if not gateway.sku.custom_ipsec_policy:
            raise ipsec.IpsecPolicyError(f"{gateway.name} is {gateway.sku.name}: custom IPsec/IKE policies are supported "
                                         "on every SKU except Basic.", value=gateway.sku.name,
                                         rule="no custom policy on Basic", source=VPN_FAQ)
        if not isinstance(policy, ipsec.IpsecPolicy):
            policy = ipsec.IpsecPolicy.from_dict(policy)
    default = "IKEv1" if gateway.vpn_type == "PolicyBased" else "IKEv2"
    match = azure_spelling(default if protocol is None else protocol, ("IKEv1", "IKEv2"))
    if match is None:
        raise GatewayConnectionError(f"Connection protocol {protocol!r}: use IKEv2 or IKEv1.", value=protocol,
                                     rule="IKE versions", source=VPN_FAQ)
    if gateway.vpn_type == "PolicyBased" and match != "IKEv1":
        raise GatewayConnectionError(f"{gateway.name} is policy-based, which supports IKEv1 only.", value=match,
                                     rule="policy-based: IKEv1", source=VPN_FAQ)
    if gateway.vpn_type == "RouteBased" and match == "IKEv1" and gateway.sku.name in IKEV1_ROUTE_BASED_EXCLUDED:
        raise GatewayConnectionError(f"{gateway.name} is {gateway.sku.name}: IKEv1 connections are not available on "
                                     "route-based Basic, Standard or other legacy SKUs.", value=gateway.sku.name,
                                     rule="IKEv1 needs VpnGw1+", source=VPN_FAQ)
    return policy, match


def check_ipsec_spaces(vnet_name: str, space: list[IPNetwork], site: str, prefixes: list[IPNetwork],
                       ingress: tuple = (), egress: tuple = ()) -> None:
    """Both ends of a Site-to-Site tunnel must see distinct spaces *after* NAT (VPN FAQ 2026-06-04):

    * Azure's side sees the site's prefixes through the IngressSnat rules; they must not overlap the VNet;
    * the site sees the VNet through the EgressSnat rules; that must not overlap the site's own prefixes.
    So an on-premises space equal to the VNet's needs both an ingress and an egress rule.
    """
    from .nat import translate_prefixes

    seen_site = [p for p, _ in translate_prefixes(ingress, prefixes)]
    check_no_overlap(vnet_name, space, seen_site, site,
                     "link an IngressSnat rule that maps the site's prefix to a free external range" if not ingress else
                     "the IngressSnat rules leave this prefix untranslated or translate it into the VNet's space",
                     source=f"{NAT_HOWTO}; {VPN_FAQ}")
    seen_vnet = [p for p, _ in translate_prefixes(egress, space)]
    clash = addressing.overlaps(seen_vnet, prefixes)
    if clash:
        raise GatewayConnectionError(
            f"Site {site} would see {vnet_name}'s {clash[0][0]} as overlapping its own {clash[0][1]}: when the "
            "on-premises space overlaps the VNet, the connection needs an EgressSnat rule for the VNet as well as "
            "IngressSnat rules for the site.", value=clash[0][0], rule="both ingress and egress rules when spaces overlap",
            source=VPN_FAQ)


def check_connection(net, local, remote, kind: str, name: str, enable_bgp: bool, ingress: tuple = (),
                     egress: tuple = (), selectors: bool = False) -> None:
    """Rules for one connection resource on gateway ``local`` (module docstring; NAT rules in :mod:`vnetlab.nat`)."""
    from .nat import check_linkable

    check_linkable(net, local, kind, (*ingress, *egress), selectors, name)
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
        check_connected_spaces(local, remote.vnet.address_space, remote.vnet.name, vnets_only=False)
        if enable_bgp and not (local.bgp and remote.bgp):
            raise GatewayConnectionError(f"BGP on {name} needs BGP (an ASN) on both gateways.", value=name,
                                         rule="BGP on both ends", source=VPN_FAQ)
        if enable_bgp and local.asn == remote.asn:
            raise GatewayConnectionError(f"BGP on {name}: both gateways use ASN {local.asn}; the two ends need different "
                                         "ASNs.", value=local.asn, rule="different ASNs per BGP session", source=VPN_FAQ)
    else:
        if enable_bgp and not (local.bgp and remote.bgp_asn is not None):
            raise GatewayConnectionError(f"BGP on {name} needs an ASN on the gateway and on LNG {remote.name}.",
                                         value=name, rule="BGP on both ends", source=VPN_FAQ)
        if enable_bgp and remote.bgp_asn == local.asn:
            raise GatewayConnectionError(f"LNG {remote.name} uses ASN {remote.bgp_asn}, the same as Azure's side; "
                                         "on-premises and Azure must use different ASNs.", value=remote.bgp_asn,
                                         rule="different ASNs", source=VPN_FAQ)
        check_ipsec_spaces(local.vnet.name, local.vnet.address_space, remote.name, remote.prefixes, ingress, egress)
        from .nat import translate_prefixes
        check_connected_spaces(local, [p for p, _ in translate_prefixes(ingress, remote.prefixes)], remote.name,
                               vnets_only=True)
        check_external_collisions(local, remote.name, remote.prefixes, ingress)


def _reach(c) -> tuple[str, str, list]:
    """What connection ``c`` reaches: (its name, a label, [(prefix, NAT rule or None)]) — a VNet-to-VNet peer's address
    space, or a site's prefixes after the connection's IngressSnat rules (as Azure routes them)."""
    from .nat import site_prefixes_seen_by_azure

    if c.kind == "Vnet2Vnet":
        return c.remote.vnet.name, f"VNet {c.remote.vnet.name}", [(p, None) for p in c.remote.vnet.address_space]
    return c.remote.name, f"site {c.remote.name}", site_prefixes_seen_by_azure(c)


def check_connected_spaces(gateway, spaces: list[IPNetwork], name: str, vnets_only: bool) -> None:
    """The address spaces of all VNets and local sites connected to a gateway must not overlap (VNet-to-VNet how-to,
    2025-06-30): a new VNet-to-VNet peer is checked against every existing connection, a new site against the VNets
    already connected (sites among themselves are checked with their NAT rules, :func:`check_external_collisions`)."""
    for c in gateway.connections.values():
        peer, what, reached = _reach(c)
        if peer == name or (vnets_only and c.kind != "Vnet2Vnet"):
            continue
        clash = addressing.overlaps(spaces, [p for p, _ in reached])
        if clash:
            raise GatewayConnectionError(
                f"{name}'s {clash[0][0]} overlaps {clash[0][1]} of {what}, already connected to {gateway.name} by "
                f"{c.name}: the address spaces of all VNets and sites connected to a gateway must not overlap.",
                value=str(clash[0][0]), rule="connected address spaces must not overlap", source=V2V_HOWTO)


def overlapping_site_findings(gateway) -> list[str]:
    """Sites connected to one gateway whose prefixes overlap, without NAT between them and without BGP on both tunnels.

    A finding, not a refusal. The rule: the address spaces of all VNets and local sites connected to a gateway must
    not overlap (VNet-to-VNet how-to,
    https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-howto-vnet-vnet-resource-manager-portal, 2025-06-30);
    several tunnels to the same site need BGP on both (VPN FAQ, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq,
    2026-06-04). The documents state it without saying that Azure refuses such connections, or which tunnel the
    shared addresses then take; the simulator uses the longer prefix, and on equal prefixes the first connection.
    Where NAT rules are linked the overlap is refused instead (:func:`check_external_collisions`)."""
    sites = [c for c in gateway.connections.values() if c.kind == "IPsec"]
    out = []
    for i, a in enumerate(sites):
        for b in sites[i + 1:]:
            if a.remote is b.remote or (a.enable_bgp and b.enable_bgp):
                continue
            _, _, mine = _reach(a)
            _, _, theirs = _reach(b)
            if any(r for _, r in mine) or any(r for _, r in theirs):
                continue  # NAT involved: refused at creation, not a finding
            clash = addressing.overlaps([p for p, _ in mine], [p for p, _ in theirs])
            if clash:
                static = " and ".join(c.name for c in (a, b) if not c.enable_bgp)
                out.append(f"Sites {a.remote.name} ({clash[0][0]}) and {b.remote.name} ({clash[0][1]}) overlap on "
                           f"{gateway.name}'s connections {a.name} and {b.name}, with static routing on {static}: the "
                           "address spaces of all sites connected to a gateway must not overlap, and several tunnels "
                           "to one site need BGP on both (VNet-to-VNet how-to 2025-06-30; VPN FAQ 2026-06-04). The "
                           "documents state the rule but say neither that Azure refuses such connections nor which "
                           "tunnel the shared addresses take; vnetlab uses the longer prefix, and on equal prefixes "
                           f"the first connection ({a.name}).")
    return out


def check_external_collisions(gateway, site: str, prefixes: list[IPNetwork], ingress: tuple) -> None:
    """A site's translated prefixes must not collide with what another connection of the gateway reaches, when NAT
    is involved on either side (external mappings vs networks connected without NAT, NAT overview 2024-10-16)."""
    from .nat import NatOverlapError, translate_prefixes

    mine = translate_prefixes(ingress, prefixes)
    for c in gateway.connections.values():
        peer, _, theirs = _reach(c)
        if c.kind != "IPsec" or peer == site:
            continue
        for p, rule in mine:
            for q, other in theirs:
                shared = rule is not None and other is not None and rule.name == other.name  # same site, same rule
                if (rule or other) and not shared and addressing.overlaps([p], [q]):
                    raise NatOverlapError(
                        f"{site}'s {p} (as Azure sees it) overlaps {q}, which connection {c.name} already reaches"
                        f"{' after NAT' if other else ' without NAT'}: external mappings must not overlap each other nor "
                        "any network connected without NAT.", value=str(p), rule="external mappings are distinct",
                        source="https://learn.microsoft.com/azure/vpn-gateway/nat-overview (2024-10-16)")
