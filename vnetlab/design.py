"""Choosing a design: requirements in, a recommendation out, with the rule (and its source) behind every reason.

The rules (azure-facts.md; each reason cites its document):

* Two VNets in Azure, in one cloud, without overlapping spaces: **VNet peering** — regional or global, across
  subscriptions and tenants, lowest latency, no gateway to pay for or wait for (§3.6, §6.1, §6.3).
* Overlapping spaces: peering and VNet-to-VNet are refused; VPN gateway NAT works only on Site-to-Site (IPsec)
  connections of VpnGw2+ route-based gateways, and is documented for on-premises branches (§5.1, S4).
* VNets in different Azure clouds: neither peering nor VNet-to-VNet; **Site-to-Site** between the two (§3.6).
* On-premises sites: a **VPN gateway with Site-to-Site** connections; spokes reach them through the hub's gateway with
  **gateway transit** over peering (§3.2, §6.2, S1). Remote users: **Point-to-Site** on the same gateway (§3.4).
* An encryption-in-transit mandate between VNets: peering adds no IPsec; use **virtual network encryption** (supported
  VMs) or a VPN connection, and remember that a tunnel covers only gateway to gateway (§6.6).
* The SKU is the smallest current (AZ) SKU that meets tunnels, P2S clients, throughput, BGP and NAT (§1.1, §1.4); beyond
  100 tunnels, Virtual WAN (§1.1). A gateway takes 45 minutes or more to create (§2.1).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

from . import gateway as gw
from .compare import Figure, compare, gateway_hours
from .display import FieldsTable, html_table, text_table
from .errors import VnetlabError
from .facts import fact

MANAGE_PEERING = "https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering (2025-05-08)"
VPN_FAQ = "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq (2026-06-04)"
NAT_OVERVIEW = "https://learn.microsoft.com/azure/vpn-gateway/nat-overview (2024-10-16)"
TRANSIT = "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-peering-gateway-transit (2023-08-18)"
P2S = "https://learn.microsoft.com/azure/vpn-gateway/point-to-site-about (2021-07-28)"
ENCRYPTION = "https://learn.microsoft.com/azure/virtual-network/virtual-network-encryption-overview (2024-12-11)"
SKUS = "https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus (2026-06-08)"
SETTINGS = "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings (2024-02-29)"


class DesignError(VnetlabError):
    """Requirements the guide cannot read (a negative count, a flag that is not true/false)."""


@dataclass(frozen=True)
class Requirements(FieldsTable):
    same_region: bool = True
    cross_tenant: bool = False
    across_clouds: bool = False
    on_premises_sites: int = 0
    remote_users: int = 0
    overlapping_spaces: bool = False
    encryption_mandate: bool = False
    bandwidth_mbps: float = 0
    gb_per_month: float = 0.0
    monthly_budget_usd: float | None = None
    deliver_within_minutes: float | None = None
    spokes: int = 0
    vnets: int = 2        # Azure VNets to connect with each other (besides spokes)
    bgp: bool = False

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type == "bool" and not isinstance(value, bool):
                raise DesignError(f"{f.name}={value!r}: true or false.", value=value, rule="a yes/no requirement")
            optional = "None" in str(f.type)
            if f.type != "bool" and (value is not None or not optional) and (
                    isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
                    or value < 0):
                raise DesignError(f"{f.name}={value!r}: a number, 0 or more.", value=value, rule="counts are >= 0")


@dataclass(frozen=True)
class Reason:
    text: str
    rule: str
    source: str


@dataclass(frozen=True)
class Recommendation:
    design: str
    components: tuple[str, ...]
    reasons: tuple[Reason, ...]
    rejected: tuple[Reason, ...]
    sku: str | None
    monthly_cost: Figure | None
    warnings: tuple[str, ...]

    def rows(self) -> list[tuple]:
        return ([("use", r.text, r.rule, r.source) for r in self.reasons]
                + [("not", r.text, r.rule, r.source) for r in self.rejected])

    def _caption(self) -> str:
        cost = f"; monthly cost {self.monthly_cost}" if self.monthly_cost is not None else ""
        return f"Recommended: {self.design}" + (f" (gateway SKU {self.sku})" if self.sku else "") + cost

    def _repr_html_(self) -> str:
        warn = "".join(f"<li>⚠ {w}</li>" for w in self.warnings)
        return html_table(("", "Why", "Rule", "Source"), self.rows(), caption=self._caption()) + \
            (f"<ul>{warn}</ul>" if warn else "")

    def __str__(self) -> str:
        return "\n".join([self._caption(), text_table(("", "Why", "Rule", "Source"), self.rows()),
                          *[f"warning: {w}" for w in self.warnings]])


def smallest_sku(*, tunnels: int = 0, p2s: int = 0, throughput_mbps: float = 0, bgp: bool = False,
                 nat: bool = False) -> gw.Sku | None:
    """The smallest current (creatable AZ) SKU that meets the needs, in the catalog's order; None beyond VpnGw5AZ.

    Remote users are counted per protocol pool by :func:`vnetlab.gateway.p2s_shortfalls`, the rule the SKU check, the
    explorer, the grading and the drills share: a plain number of users counts against the IKEv2/OpenVPN pool."""
    for s in gw.catalog():
        if s.status == "current" and s.name != "Basic" and not gw.requirements_met(
                s, throughput_mbps=int(throughput_mbps), tunnels=tunnels, p2s=p2s, bgp=bgp, nat=nat):
            return s
    return None


def _peering_cost(req: Requirements) -> Figure:
    """Peering data for ``gb_per_month``, priced for West Europe (regional) or West Europe → North Europe (global,
    both in billing Zone 1): the guide knows no regions, so it names the pair it priced."""
    b = "westeurope" if req.same_region else "northeurope"
    fig = compare("westeurope", b, req.gb_per_month).option("VNet peering").monthly_cost_usd
    return Figure(fig.value, fig.unit, f"{fig.origin} (priced as westeurope → {b})", fig.sources)


def _total(parts: list[Figure]) -> Figure:
    origin = " + ".join(p.origin for p in parts)
    if any(p.value is None for p in parts):
        return Figure(None, "USD/month", origin, tuple(s for p in parts for s in p.sources))
    return Figure(sum(p.value for p in parts), "USD/month", origin, tuple(s for p in parts for s in p.sources))


def recommend(req: Requirements) -> Recommendation:
    """Walk the rules in the module docstring and assemble a design."""
    use: list[Reason] = []
    no: list[Reason] = []
    warnings: list[str] = []
    components: list[str] = []
    tunnels, nat = 0, False

    if req.across_clouds:
        components += ["VPN gateway in each VNet", "Site-to-Site connections between them"]
        tunnels += 1
        use.append(Reason("VNets in different Azure clouds: join their gateways with Site-to-Site (IPsec) connections.",
                          "S2S works across clouds", VPN_FAQ))
        no.append(Reason("Peering and VNet-to-VNet do not work across Azure clouds.", "not across clouds", VPN_FAQ))
        if req.overlapping_spaces:  # the overlap still needs NAT, and NAT still needs VpnGw2+ (NAT overview)
            components.append("NAT rules on the Site-to-Site connections")
            nat = True
            use.append(Reason("The spaces overlap: link NAT rules to the Site-to-Site connections, which needs a VpnGw2+ "
                              "route-based gateway (VpnGw1AZ has no NAT). Between two Azure VNets this is an "
                              "extrapolation of the documented on-premises pattern; renumbering removes the need.",
                              "NAT: IPsec, VpnGw2+", NAT_OVERVIEW))
    elif req.overlapping_spaces:
        no.append(Reason("Peering refuses overlapping address spaces.", "no overlap for peering", MANAGE_PEERING))
        no.append(Reason("VNet-to-VNet refuses overlapping spaces and takes no NAT rules.", "NAT is IPsec-only",
                         NAT_OVERVIEW))
        components += ["VPN gateway (VpnGw2AZ or larger)", "Site-to-Site connections with NAT rules"]
        tunnels += 1
        nat = True
        use.append(Reason("Overlapping spaces can be joined only by NAT rules on Site-to-Site connections of a VpnGw2+ "
                          "route-based gateway (documented for on-premises branches; between two Azure VNets it is an "
                          "extrapolation). Renumbering one network removes the need.", "NAT: IPsec, VpnGw2+", NAT_OVERVIEW))
    elif req.vnets >= 2 or req.spokes:
        components.append("VNet peering")
        where = "regional" if req.same_region else "global"
        use.append(Reason(f"Connect the Azure VNets with {where} peering: Microsoft backbone, no gateway, "
                          f"{'across tenants too, ' if req.cross_tenant else ''}lowest latency.",
                          "peering: regional and global, across subscriptions and tenants", MANAGE_PEERING))
        no.append(Reason("VNet-to-VNet would add two gateways (hours to pay, 45 minutes or more to create) for a "
                         "connection peering gives directly.", "gateway cost and setup", SETTINGS))

    if req.across_clouds and req.spokes:
        components.append("VNet peering")
        use.append(Reason("The spokes are in the hub's cloud: peer them with the hub.", "peering within a cloud",
                          MANAGE_PEERING))
    if req.on_premises_sites:
        tunnels += req.on_premises_sites
        if not any(c.startswith("VPN gateway") for c in components):
            components.append("VPN gateway in the hub")
        components.append("Site-to-Site connection per on-premises site")
        use.append(Reason(f"{req.on_premises_sites} on-premises site(s): Site-to-Site (IPsec) connections from a VPN "
                          "gateway, with a local network gateway per site.", "S2S for on-premises", SETTINGS))
        if req.spokes:
            components.append("gateway transit (allow_gateway_transit on the hub, use_remote_gateways on the spokes)")
            use.append(Reason("Spokes reach on-premises through the hub's gateway with gateway transit; they need no "
                              "gateway of their own.", "gateway transit over peering", TRANSIT))
        no.append(Reason("Peering cannot reach on-premises networks.", "peering joins VNets", MANAGE_PEERING))
    if req.remote_users:
        if not any(c.startswith("VPN gateway") for c in components):
            components.append("VPN gateway in the hub")
        components.append("Point-to-Site on the gateway")
        use.append(Reason(f"{req.remote_users} remote users: Point-to-Site (OpenVPN, IKEv2 or SSTP) on the VPN gateway.",
                          "P2S for remote users", P2S))
    if req.encryption_mandate:
        if "VNet peering" in components:
            components.append("virtual network encryption (supported VM sizes, accelerated networking)")
            use.append(Reason("Peering adds no IPsec: enable virtual network encryption between supported VMs, or use a "
                              "VPN connection, whose tunnel covers only gateway to gateway.", "peering is not IPsec",
                              ENCRYPTION))
        else:
            use.append(Reason("The VPN tunnels are IPsec-encrypted between the gateways; the legs inside each VNet are not "
                              "covered by the tunnel.", "IPsec gateway to gateway", VPN_FAQ))

    needs_gateway = any("gateway" in c.lower() for c in components)
    spec = smallest_sku(tunnels=tunnels, p2s=req.remote_users, throughput_mbps=req.bandwidth_mbps, bgp=req.bgp,
                        nat=nat) if needs_gateway else None
    if needs_gateway and spec is None:
        warnings.append("No VPN gateway SKU meets these needs (more than 100 tunnels or 10 Gbps): consider Virtual WAN.")
    parts: list[Figure] = []
    if needs_gateway and spec is None:
        parts.append(Figure(None, "USD/month", "no VPN gateway SKU fits, so none can be priced"))
    if spec is not None:
        parts.append(gateway_hours(spec, 2 if req.across_clouds else 1))
        connections = req.on_premises_sites + (2 if req.across_clouds else 1 if req.overlapping_spaces else 0)
        if connections:
            meter = fact("pricing", "s2s_connection_monthly_usd")
            parts.append(Figure(connections * meter.value, "USD/month", f"{connections} S2S connection(s) × "
                                f"${meter.value} (connection meter, {meter.as_of})", (meter.cite(),)))
        needs = [f"{tunnels} tunnel{'s' * (tunnels != 1)}"]
        if req.remote_users:
            needs.append(f"{req.remote_users} Point-to-Site client{'s' * (req.remote_users != 1)}")
        if req.bandwidth_mbps:
            needs.append(f"{req.bandwidth_mbps:g} Mbps")
        if nat:
            needs.append("NAT")
        said = ", ".join(needs[:-1]) + (" and " if len(needs) > 1 else "") + needs[-1]
        use.append(Reason(f"{spec.name} is the smallest current SKU with {said}.", "SKU by requirements", SKUS))
    if "VNet peering" in components:
        parts.append(_peering_cost(req))
    cost = _total(parts) if parts else None
    if req.monthly_budget_usd is not None and cost is not None:
        if cost.value is None:
            warnings.append(f"The budget cannot be checked: {cost.origin}.")
        elif cost.value > req.monthly_budget_usd:
            warnings.append(f"Over budget: {cost} > {req.monthly_budget_usd:g} USD/month ({cost.origin}).")
    if req.deliver_within_minutes is not None and needs_gateway:
        from .gateway import provisioning_minutes
        if req.deliver_within_minutes < provisioning_minutes():
            warnings.append(f"A VPN gateway takes {provisioning_minutes()} minutes or more to create; it cannot be ready "
                            f"in {req.deliver_within_minutes:g} minutes.")
    design = " + ".join(components)
    return Recommendation(design, tuple(components), tuple(use), tuple(no), spec.name if spec else None, cost,
                          tuple(warnings))
