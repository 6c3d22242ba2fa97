"""VPN gateways and their SKU catalog.

A virtual network gateway of type ``Vpn`` is two or more Azure-managed VMs in the subnet named
``GatewaySubnet``; a VNet has at most **one** VPN gateway; every gateway needs a public IP (one per
instance: two for active-active), Standard SKU and static for gateways created since 2023-12-01; creating
one "can take 45 minutes or more" (azure-facts.md §2).

The SKU catalog (``vnetlab/data/vpn_gateway_skus.yaml``, About gateway SKUs 2026-06-08) says what each
SKU carries: S2S/VNet-to-VNet tunnels, P2S connections, aggregate throughput, BGP, zone redundancy. Rules
checked when a gateway is created (§1.4–§1.6, §2.6):

* only current SKUs can be created: non-AZ VpnGw1–5 not since 2025-01-01, Standard/HighPerformance not
  since 2023-12-01 (retired 2026-06-30), and UltraPerformance is an ExpressRoute SKU;
* Basic: no BGP, no active-active, no custom IPsec policy, no NAT, no gateway transit; policy-based
  gateways are Basic only;
* BGP ASN: Azure's default is 65515; Azure-reserved and IANA-reserved ASNs are refused.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from functools import lru_cache

from .errors import VnetlabError
from .facts import fact

SKUS_SOURCE = "https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus"
SKUS_TABLE = SKUS_SOURCE + " (2026-06-08)"  # the version of the SKU tables the catalog follows (facts §1.1)
VPN_FAQ = "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq (2026-06-04)"


class GatewayError(VnetlabError):
    """A VPN gateway Azure refuses (SKU, subnet, BGP, one per VNet, ...)."""


class SkuError(GatewayError):
    """An unknown SKU, or one that can no longer be created."""


class BgpError(GatewayError):
    """A BGP setting Azure refuses (Basic SKU, reserved ASN, ...)."""


class ResizeError(GatewayError):
    """A SKU resize Azure refuses (Basic, across families or generations, a downgrade): change the SKU instead."""


@dataclass(frozen=True)
class Sku:
    """One row of the SKU tables (About gateway SKUs; legacy rows from Legacy SKUs 2026-02-27)."""

    name: str
    generation: int | None
    tunnels: int
    p2s_sstp: int
    p2s_ikev2_openvpn: int
    throughput_mbps: int
    bgp: bool
    zone_redundant: bool
    status: str  # current, noncreatable, legacy
    vms: int | None = None
    not_creatable_from: str | None = None
    retired: str | None = None
    migrates_to: str | None = None
    features: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        return f"{self.name} (Gen{self.generation})" if self.generation else self.name

    # Features by SKU (facts §1.4), read from the catalog's feature table.
    nat = property(lambda self: _has(self, "nat"))
    active_active = property(lambda self: _has(self, "active_active"))
    gateway_transit = property(lambda self: _has(self, "gateway_transit"))
    policy_based = property(lambda self: _has(self, "policy_based"))
    custom_ipsec_policy = property(lambda self: _has(self, "custom_ipsec_policy"))
    p2s_ikev2 = property(lambda self: _has(self, "p2s_ikev2"))


def _has(s: Sku, feature: str) -> bool:
    return bool(s.features.get(feature))


def _feature_row(name: str) -> dict:
    table = fact("vpn_gateway_skus", "features").value
    if name == "Basic":
        return table["Basic"]
    if name.startswith("VpnGw1"):
        return table["VpnGw1"]
    if name.startswith("VpnGw"):
        return table["VpnGw2-5"]
    # Legacy SKUs: like VpnGw1 for custom IPsec/IKE policies (the policy how-to, 2024-12-02, lists Standard and
    # HighPerformance), without NAT (VpnGw2+ only).
    legacy = {"Standard": {"active_active": False}, "HighPerformance": {"active_active": True}}
    return {**table["VpnGw1"], "nat": False, **legacy.get(name, {})}


@lru_cache(maxsize=None)
def catalog() -> tuple[Sku, ...]:
    """Every VPN gateway SKU the docs list: current, no longer creatable, and legacy."""
    rows = []
    for key in ("current_skus", "noncreatable_skus", "legacy_skus"):
        for r in fact("vpn_gateway_skus", key).value:
            rows.append(Sku(name=r["sku"], generation=r.get("generation"), tunnels=r["tunnels"],
                            p2s_sstp=r["p2s_sstp"], p2s_ikev2_openvpn=r.get("p2s_ikev2_openvpn", 0),
                            throughput_mbps=r["throughput_mbps"], bgp=r["bgp"],
                            zone_redundant=r.get("zone_redundant", False), status=r["status"], vms=r.get("vms"),
                            not_creatable_from=r.get("not_creatable_from"), retired=r.get("retired"),
                            migrates_to=r.get("migrates_to"), features=_feature_row(r["sku"])))
    return tuple(rows)


@dataclass(frozen=True)
class SkuCatalog:
    """The SKU catalog as a result: iterate its :class:`Sku` rows; in a notebook it displays as a table with its
    sources (About gateway SKUs; Legacy SKUs)."""

    rows: tuple[Sku, ...]

    HEADERS = ("SKU", "Gen", "Status", "S2S/V2V tunnels", "P2S SSTP", "P2S IKEv2/OpenVPN", "Throughput (Mbps)", "BGP",
               "Zone-redundant", "NAT", "Gateway transit", "VMs supported", "No new gateways from")

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> Sku:
        return self.rows[i]

    def table(self) -> list[tuple]:
        yes = lambda b: "yes" if b else "no"  # noqa: E731
        return [(s.name, s.generation or "", s.status, s.tunnels, s.p2s_sstp, s.p2s_ikev2_openvpn or "not supported",
                 s.throughput_mbps, yes(s.bgp), yes(s.zone_redundant), yes(s.nat), yes(s.gateway_transit),
                 s.vms if s.vms is not None else "", s.not_creatable_from or "") for s in self.rows]

    def sources(self) -> str:
        return "; ".join(fact("vpn_gateway_skus", k).cite() for k in ("current_skus", "noncreatable_skus", "legacy_skus"))

    def _repr_html_(self) -> str:
        from .display import html_table
        return html_table(self.HEADERS, self.table(), caption=f"VPN gateway SKUs. Sources: {self.sources()}")

    def __str__(self) -> str:
        from .display import text_table
        return f"VPN gateway SKUs (sources: {self.sources()})\n" + text_table(self.HEADERS, self.table())


def skus(status: str | None = None) -> SkuCatalog:
    """The VPN gateway SKU catalog (``vl.skus()``), optionally only one ``status``: ``current`` (creatable today),
    ``noncreatable`` (non-AZ VpnGw1-5) or ``legacy`` (Standard, HighPerformance)."""
    statuses = ("current", "noncreatable", "legacy")
    if status is not None and status not in statuses:
        raise SkuError(f"SKU status {status!r}: use one of {', '.join(statuses)}.", value=status,
                       rule="SKU statuses", source=SKUS_TABLE)
    return SkuCatalog(tuple(s for s in catalog() if status is None or s.status == status))


def sku(name: str, generation: int | None = None) -> Sku:
    """Look a SKU up by name (and generation where it has two). Unknown or ExpressRoute-only names raise."""
    if name in fact("vpn_gateway_skus", "expressroute_only_skus").value:
        raise SkuError(f"{name} is an ExpressRoute gateway SKU; VPN Gateway does not use it.", value=name,
                       rule="UltraPerformance is ExpressRoute-only",
                       source=fact("vpn_gateway_skus", "expressroute_only_skus").cite())
    rows = [s for s in catalog() if s.name == name]
    if not rows:
        names = sorted({s.name for s in catalog()})
        raise SkuError(f"Unknown VPN gateway SKU {name!r}; SKUs: {', '.join(names)}.", value=name, rule="known SKU",
                       source=SKUS_TABLE)
    if generation is None:
        return max(rows, key=lambda s: s.generation or 0)
    match = [s for s in rows if s.generation == generation]
    if not match:
        gens = ", ".join(str(s.generation) for s in rows)
        raise SkuError(f"{name} exists in generation {gens}, not {generation}.", value=(name, generation),
                       rule="SKU generation", source=SKUS_TABLE)
    return match[0]


def check_creatable(s: Sku, on: _dt.date | None = None) -> None:
    """Refuse SKUs that can no longer be created on date ``on`` (today by default)."""
    on = on or _dt.date.today()
    if s.not_creatable_from and on >= _dt.date.fromisoformat(s.not_creatable_from):
        src = fact("vpn_gateway_skus", "legacy_skus" if s.status == "legacy" else "noncreatable_skus")
        raise SkuError(f"{s.name} gateways cannot be created since {s.not_creatable_from}; use {s.migrates_to} "
                       f"(Azure migrates existing {s.name} gateways to it).", value=s.name,
                       rule=f"no new {s.name} gateways from {s.not_creatable_from}", source=src.cite())


def family(s: Sku) -> str:
    """The SKU family a resize stays in: ``Basic``, ``legacy`` (Standard, HighPerformance), or the generation with
    AZ or not (``Generation1 AZ``, ``Generation2 non-AZ``, ...), as the resize-methods table groups them."""
    rules = fact("vpn_gateway_skus", "resize").value
    if s.name in rules["not_resizable"]:
        return s.name
    if s.name in rules["legacy_family"]:
        return "legacy"
    return f"Generation{s.generation} {'AZ' if s.name.endswith('AZ') else 'non-AZ'}"


def check_resize(current: Sku, target: Sku) -> None:
    """Resize rules (About gateway SKUs, "Resize or change a SKU"; Legacy SKUs):

    * Basic cannot be resized (change it: delete and re-create);
    * a resize stays in the SKU's family: same generation, AZ to AZ, non-AZ to non-AZ, legacy to legacy; a legacy
      SKU never resizes to a VpnGw SKU;
    * no resize to a smaller SKU (downgrade).
    Outside these rules the SKU must be *changed*: delete the gateway and create a new one (downtime, new public IP).
    """
    f = fact("vpn_gateway_skus", "resize")
    rules, src = f.value, f.cite()
    instead = f"Change the SKU instead: {rules['change_instead']}."
    if current.key == target.key:
        raise ResizeError(f"The gateway is already {current.key}.", value=target.key, rule="resize to a different SKU",
                          source=src)
    if current.name in rules["not_resizable"]:
        raise ResizeError(f"A {current.name} gateway cannot be resized (to {target.key}). {instead}", value=current.name,
                          rule="Basic cannot be resized", source=src)
    here, there = family(current), family(target)
    if here != there:
        raise ResizeError(f"{current.key} ({here}) cannot be resized to {target.key} ({there}): a gateway resizes only "
                          f"within its SKU family (same generation, AZ to AZ, non-AZ to non-AZ; legacy SKUs never to "
                          f"VpnGw SKUs). {instead}", value=target.key, rule="resize within one SKU family", source=src)
    if rules["no_downgrade"] and target.throughput_mbps < current.throughput_mbps:
        raise ResizeError(f"{current.key} cannot be resized down to {target.key}: a resize cannot downgrade a SKU. "
                          f"{instead}", value=target.key, rule="no resize to a smaller SKU", source=src)


def provisioning_minutes() -> int:
    """Docs: creating a VPN gateway "can take 45 minutes or more, depending on the SKU"."""
    return int(fact("vpn_gateway_skus", "provisioning").value["gateway_minutes"])


# --- BGP ---------------------------------------------------------------------------------------------
DEFAULT_ASN = 65515
AZURE_RESERVED_ASNS = {8074, 8075, 12076, 65515, 65517, 65518, 65519, 65520}
IANA_RESERVED_RANGES = ((23456, 23456), (64496, 64511), (65535, 65551))


def check_asn(asn: object, *, side: str = "Azure") -> int:
    """ASN rules (VPN FAQ 2026-06-04): 32-bit numbers; not Azure-reserved (8074, 8075, 12076, 65515,
    65517–65520) except 65515 as Azure's own default; not IANA-reserved (23456, 64496–64511, 65535–65551)."""
    if isinstance(asn, bool) or not isinstance(asn, int) or not 1 <= asn <= 4294967295:
        raise BgpError(f"ASN {asn!r} is not a 32-bit AS number (1..4294967295).", value=asn, rule="ASN range",
                       source=VPN_FAQ)
    if any(lo <= asn <= hi for lo, hi in IANA_RESERVED_RANGES):
        raise BgpError(f"ASN {asn} is reserved by IANA.", value=asn, rule="no IANA-reserved ASN", source=VPN_FAQ)
    if asn in AZURE_RESERVED_ASNS and not (side == "Azure" and asn == DEFAULT_ASN):
        raise BgpError(f"ASN {asn} is reserved by Azure" + (" (65515 is Azure's own default)" if asn == DEFAULT_ASN else "")
                       + ".", value=asn, rule="no Azure-reserved ASN", source=VPN_FAQ)
    return asn


# --- Point-to-Site capacity, per protocol pool -------------------------------------------------------------------
def p2s_pools() -> list[dict]:
    """The P2S protocol pools, each with its SKU-table column and protocols (``vpn_gateway_skus.yaml``)."""
    return list(fact("vpn_gateway_skus", "p2s_pools").value["pools"])


def p2s_capacity(s: Sku) -> dict[str, int]:
    """How many P2S clients ``s`` takes in each protocol pool, e.g. VpnGw2AZ → ``{"IKEv2/OpenVPN": 500, "SSTP": 128}``.

    The pools are separate limits, not one total: "a VpnGw1 can carry 128 SSTP and 250 IKEv2 clients at once"
    (About gateway SKUs, https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus, 2025-06-23)."""
    return {p["pool"]: getattr(s, p["column"]) for p in p2s_pools()}


def p2s_clients(clients: "int | dict[str, int]", protocols: "tuple[str, ...] | list[str] | None" = None) -> dict[str, int]:
    """Clients per pool. A plain number counts against the IKEv2/OpenVPN pool, which every platform can use (SSTP is
    Windows only: Point-to-Site about, https://learn.microsoft.com/azure/vpn-gateway/point-to-site-about,
    2021-07-28), unless the gateway's ``protocols`` offer SSTP alone."""
    data = fact("vpn_gateway_skus", "p2s_pools")
    if isinstance(clients, dict):
        known = {p["pool"] for p in p2s_pools()}
        unknown = sorted(set(clients) - known)
        if unknown:
            raise GatewayError(f"P2S pool(s) {unknown}: the pools are {', '.join(sorted(known))}.", value=unknown,
                               rule="P2S protocol pools", source=data.cite())
        return {k: v for k, v in clients.items() if v}
    if isinstance(clients, bool) or not isinstance(clients, int) or clients < 0:
        raise GatewayError(f"P2S clients {clients!r}: a whole number, 0 or more.", value=clients, rule="a count")
    pool = data.value["default_pool"]
    if protocols is not None:
        served = [p["pool"] for p in p2s_pools() if set(p["protocols"]) & set(protocols)]
        pool = pool if pool in served or not served else served[0]
    return {pool: clients} if clients else {}


def p2s_shortfalls(s: Sku, clients: "int | dict[str, int]", protocols=None) -> list[str]:
    """Why ``s`` cannot take ``clients`` (see :func:`p2s_clients`), pool by pool; empty when it can."""
    capacity = p2s_capacity(s)
    return [f"{capacity[pool]:,} {pool} P2S connections < {wanted:,}"
            for pool, wanted in p2s_clients(clients, protocols).items() if capacity[pool] < wanted]


def requirements_met(s: Sku, *, throughput_mbps: int = 0, tunnels: int = 0, p2s: "int | dict[str, int]" = 0,
                     bgp: bool = False, nat: bool = False, zone_redundant: bool = False,
                     p2s_protocols=None) -> list[str]:
    """Why ``s`` falls short of the requirements (empty when it meets them). ``p2s`` counts clients per protocol pool
    (:func:`p2s_shortfalls`)."""
    short = []
    if s.throughput_mbps < throughput_mbps:
        short.append(f"{s.throughput_mbps} Mbps < {throughput_mbps} Mbps")
    if s.tunnels < tunnels:
        short.append(f"{s.tunnels} tunnels < {tunnels}")
    short += p2s_shortfalls(s, p2s, p2s_protocols)
    for need, have, what in ((bgp, s.bgp, "BGP"), (nat, s.nat, "NAT"), (zone_redundant, s.zone_redundant, "zone redundancy")):
        if need and not have:
            short.append(f"no {what}")
    return short


# --- the gateway resource ---------------------------------------------------------------------------------
@dataclass
class VpnGateway:
    """A VPN gateway in a VNet's ``GatewaySubnet``.

    ``instance_ips`` are the instances' private addresses in GatewaySubnet (the next-hop IPs routes show);
    ``public_ips`` one Standard static public IP per instance (two for active-active). The simulator takes
    the first usable GatewaySubnet addresses and documentation-range public IPs (203.0.113.0/24, RFC 5737):
    Azure picks real ones.
    """

    name: str
    vnet: object = field(repr=False)
    sku: Sku = field(repr=False)
    vpn_type: str = "RouteBased"
    active_active: bool = False
    bgp_asn: int | None = None
    instance_ips: tuple[str, ...] = ()
    public_ips: tuple[str, ...] = ()
    connections: dict = field(default_factory=dict, repr=False)  # name -> Connection
    p2s: object = field(default=None, repr=False)  # PointToSite configuration, if any
    nat_rules: dict = field(default_factory=dict, repr=False)  # name -> vnetlab.nat.NatRule
    findings: tuple[str, ...] = ()  # advice that is not an error (e.g. GatewaySubnet below /27 for this SKU)

    @property
    def bgp(self) -> bool:
        return self.bgp_asn is not None

    @property
    def asn(self) -> int:
        """Azure's ASN is 65515 whether or not BGP is used (VPN FAQ)."""
        return self.bgp_asn if self.bgp_asn is not None else DEFAULT_ASN

    def to_dict(self) -> dict:
        data = {"vnet": self.vnet.name, "name": self.name, "sku": self.sku.name, "vpn_type": self.vpn_type}
        if self.sku.generation is not None:
            data["generation"] = self.sku.generation
        if self.active_active:
            data["active_active"] = True
        if self.bgp_asn is not None:
            data["bgp_asn"] = self.bgp_asn
        if self.p2s is not None:
            data["point_to_site"] = self.p2s.to_dict()
        if self.nat_rules:
            data["nat_rules"] = [r.to_dict() for r in self.nat_rules.values()]
        return data


VPN_TYPES = ("RouteBased", "PolicyBased")
GATEWAY_SETTINGS = "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings (2024-02-29)"


def check_gateway(vnet, s: Sku, vpn_type: str, active_active: bool, bgp_asn: int | None, created_on) -> None:
    """Every rule for creating a VPN gateway in ``vnet`` (module docstring)."""
    from .addressing import gateway_subnet_rules

    subnet_name = gateway_subnet_rules()["name"]
    if vnet.gateway is not None:
        raise GatewayError(f"VNet {vnet.name} already has VPN gateway {vnet.gateway.name}; a VNet has one VPN gateway.",
                           value=vnet.name, rule="one VPN gateway per VNet", source=GATEWAY_SETTINGS)
    if subnet_name not in vnet.subnets:
        raise GatewayError(f"VNet {vnet.name} has no subnet named {subnet_name}: create it first (/27 or larger is "
                           "recommended).", value=vnet.name, rule="a VPN gateway lives in GatewaySubnet", source=VPN_FAQ)
    if any(vnet.subnets[subnet_name].nics):
        raise GatewayError(f"{subnet_name} of {vnet.name} holds VM NICs; nothing else may be deployed in it.",
                           value=vnet.name, rule="no VMs in GatewaySubnet", source=VPN_FAQ)
    check_creatable(s, created_on)
    if vpn_type not in VPN_TYPES:
        raise GatewayError(f"VPN type {vpn_type!r}: use RouteBased or PolicyBased.", value=vpn_type, rule="VPN type")
    if vpn_type == "PolicyBased" and not s.policy_based:
        raise GatewayError(f"{s.name} is route-based only; policy-based gateways are Basic SKU only.", value=s.name,
                           rule="policy-based needs Basic", source=SKUS_SOURCE + " (2025-06-23)")
    if active_active and not s.active_active:
        raise GatewayError(f"{s.name} does not support active-active.", value=s.name, rule="active-active not on Basic",
                           source="https://learn.microsoft.com/azure/vpn-gateway/about-active-active-gateways (2024-07-22)")
    if active_active and vpn_type != "RouteBased":
        raise GatewayError("Active-active gateways are route-based only.", value=vpn_type, rule="active-active is route-based",
                           source="https://learn.microsoft.com/azure/vpn-gateway/about-active-active-gateways (2024-07-22)")
    if bgp_asn is not None:
        if not s.bgp:
            raise BgpError(f"{s.name} does not support BGP (every SKU but Basic does).", value=s.name,
                           rule="no BGP on Basic", source=VPN_FAQ)
        if vpn_type != "RouteBased":
            raise BgpError("BGP needs a route-based gateway.", value=vpn_type, rule="BGP is route-based only", source=VPN_FAQ)
        check_asn(bgp_asn)


def gateway_findings(vnet, s: Sku) -> list[str]:
    """Advice that is not an error: a GatewaySubnet below /27 for a SKU other than Basic (settings article 2024-02-29)."""
    subnet = vnet.subnets.get("GatewaySubnet")
    if subnet is not None and subnet.prefix.prefixlen > 27 and s.name != "Basic":
        return [f"GatewaySubnet {subnet.prefix} is smaller than /27: the 2024-02-29 gateway settings article supports "
                f"that only for Basic; {s.name} needs /27 or larger there (the 2026 FAQ only recommends /27)."]
    return []
