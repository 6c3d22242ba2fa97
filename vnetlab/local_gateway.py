"""Local network gateways: Azure's record of an on-premises site (or of another VNet treated as a site).

An LNG holds a name, the site device's public IPv4 address, the site's address prefixes (Azure routes them
into the tunnel) and optionally the BGP peer address and ASN (Gateway settings, 2024-02-29). The prefixes
are typed by hand and **must be edited by hand** when the site's address space changes (VNet-to-VNet
how-to, 2025-06-30): that is what makes Site-to-Site configurations go stale. Limit: 1,000 prefixes per
LNG (VPN Gateway limits). With BGP, do not list the peer's /32; other listed prefixes become static routes
next to the BGP ones (VPN FAQ, 2026-06-04).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from netaddr import IPAddress, IPNetwork

from . import addressing
from .errors import VnetlabError
from .gateway import BgpError, check_asn

LNG_PREFIX_LIMIT = 1000
# RFC 5737 documentation ranges stand in for real public addresses in examples, so they count as public.
DOCUMENTATION_RANGES = tuple(IPNetwork(p) for p in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))
LIMITS_SOURCE = "https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#vpn-gateway-limits"
SETTINGS = "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings (2024-02-29)"


class LocalGatewayError(VnetlabError):
    """A local network gateway Azure refuses."""


@dataclass
class LocalNetworkGateway:
    name: str
    gateway_ip: IPAddress
    prefixes: list[IPNetwork]
    bgp_asn: int | None = None
    bgp_peer_ip: IPAddress | None = None
    advertised: list[IPNetwork] = field(default_factory=list)  # what the site announces over BGP
    device: object = None  # the site's VPN device as a vnetlab.ipsec.Endpoint (None: configured to match Azure)

    def to_dict(self) -> dict:
        data = {"name": self.name, "gateway_ip": str(self.gateway_ip), "prefixes": [str(p) for p in self.prefixes]}
        if self.bgp_asn is not None:
            data.update(bgp_asn=self.bgp_asn, bgp_peer_ip=str(self.bgp_peer_ip),
                        advertised=[str(p) for p in self.advertised])
        if self.device is not None:
            data["device"] = {"ike_versions": list(self.device.ike_versions),
                              "phase1": [str(p) for p in self.device.phase1],
                              "phase2": [str(p) for p in self.device.phase2_initiator]}
        return data


def build_lng(name: str, gateway_ip: str, prefixes: list[str], bgp_asn: int | None = None,
              bgp_peer_ip: str | None = None, advertised: list[str] | None = None) -> LocalNetworkGateway:
    """Validate and create an LNG (the site device needs an externally facing IPv4 address)."""
    ip = addressing.parse_address(gateway_ip, what="site gateway IP")
    if not (ip.is_global() or any(ip in net for net in DOCUMENTATION_RANGES)):
        raise LocalGatewayError(f"Site gateway IP {ip} is not a public address; the on-premises VPN device needs an "
                                "externally facing IPv4 address.", value=str(ip), rule="public device address",
                                source="https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq (2026-06-04)")
    if isinstance(prefixes, str):
        prefixes = [prefixes]
    elif prefixes and not isinstance(prefixes, Iterable):
        raise LocalGatewayError(f"LNG {name}: prefixes {prefixes!r} is not a list of CIDR prefixes.", value=prefixes,
                                rule="a list of address prefixes")
    parsed = [addressing.parse_prefix(p) for p in (prefixes or [])]
    if len(parsed) > LNG_PREFIX_LIMIT:
        raise LocalGatewayError(f"{len(parsed)} prefixes in LNG {name}: the limit is {LNG_PREFIX_LIMIT}.",
                                value=len(parsed), rule="1,000 prefixes per LNG", source=LIMITS_SOURCE)
    if not parsed and bgp_asn is None:
        raise LocalGatewayError(f"LNG {name} has no address prefixes and no BGP: Azure would route nothing to it.",
                                value=name, rule="an LNG lists prefixes or uses BGP", source=SETTINGS)
    peer = None
    if bgp_asn is not None:
        check_asn(bgp_asn, side="on-premises")
        if bgp_peer_ip is None:
            raise BgpError(f"LNG {name}: BGP needs the site's BGP peer IP.", value=name, rule="BGP peer address",
                           source=SETTINGS)
        peer = addressing.parse_address(bgp_peer_ip, what="BGP peer IP")
        if any(p.prefixlen == 32 and p.ip == peer for p in parsed):
            raise BgpError(f"LNG {name} lists the BGP peer's own /32 ({peer}/32); with BGP leave it out.",
                           value=f"{peer}/32", rule="no peer /32 in the LNG address space",
                           source="https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq (2026-06-04)")
    elif advertised:
        raise BgpError(f"LNG {name} advertises prefixes but has no BGP ASN.", value=advertised, rule="BGP needs an ASN")
    return LocalNetworkGateway(name=name, gateway_ip=ip, prefixes=parsed, bgp_asn=bgp_asn, bgp_peer_ip=peer,
                               advertised=[addressing.parse_prefix(p) for p in (advertised or [])])
