"""Graded exercise 03 · VPN gateway (lesson ``notebooks/03-vpn-gateway``; azure-facts S1, S6, S7).

q1 build a hub and two spokes with an on-premises site in code (a ``Network``), graded by invariants with the
engine: GatewaySubnet size, a route-based gateway whose SKU offers transit, an IPsec connection to an LNG with
the learner's site prefix, gateway transit on the peerings, ``trace`` from each spoke VM to the site, and the
spokes kept apart. q2 choose the smallest SKU for seeded requirements in the SKU explorer widget; the right
answer is computed from :func:`vnetlab.gateway.catalog` and :func:`~vnetlab.gateway.requirements_met`.
"""
from __future__ import annotations

import random
from typing import Any, Mapping

from netaddr import IPNetwork

from .. import addressing
from ..errors import VnetlabError
from ..gateway import SkuError, catalog, check_creatable, requirements_met, sku
from ..network import Network
from .core import AnswerError, Check, ExerciseSpec, Question, Unanswered, every_message
# BEGIN HIDDEN CHECKS
from ..facts import fact
# END HIDDEN CHECKS

GATEWAY = "GatewaySubnet"
NAT_RULE = "NAT is on the SKUs from VpnGw2 up, AZ or not, never on VpnGw1AZ or Basic"  # NAT overview
SPOKES = ("spoke1", "spoke2")


def read_network(raw: Any, givens: Mapping, name: str = "hub_net") -> Network:
    """The learner's network, rebuilt from plain data by the engine (which refuses what Azure refuses)."""
    if raw is None:
        raise Unanswered(f"No answer yet: build your network and assign it to `{name}`.")
    if not isinstance(raw, dict) or "vnets" not in raw:
        raise AnswerError(f"`{name}` should be a vl.Network (or its to_dict()); got {type(raw).__name__}.",
                          value=raw, rule="answer format")
    try:
        return Network.from_dict(raw)
    except VnetlabError as exc:
        raise AnswerError(f"`{name}` is not a network Azure would accept: {exc}", value=None, rule=exc.rule) from None


# --- q1: build the hub, the spokes and the site ----------------------------------------------------------------------
def build_setup(rng: random.Random) -> dict:
    k, m = rng.randint(10, 200), rng.randint(1, 250)
    site = f"192.168.{m}.0/24"
    return {
        "vnets": {"hub": f"10.{k}.0.0/16", "spoke1": f"10.{k + 1}.0.0/16", "spoke2": f"10.{k + 2}.0.0/16"},
        "region": rng.choice(["westeurope", "northeurope", "eastus", "swedencentral"]),
        "spoke_vms": {"spoke1": "vm-spoke1", "spoke2": "vm-spoke2"},
        "site": {"name": "branch", "device_ip": f"198.51.100.{rng.randint(2, 250)}", "prefix": site},
        "site_address": f"192.168.{m}.{rng.randint(4, 250)}",
        "spokes_reach_each_other": False,
    }


def _spoke_vm(net: Network, givens: Mapping, spoke: str) -> str | None:
    wanted = givens["spoke_vms"][spoke]
    return wanted if wanted in {n.name for n in net.nics} else None


def build_plan(net: Network, givens: Mapping) -> str | None:
    for name, space in givens["vnets"].items():
        if name not in net.vnets:
            return f"Your network has no VNet named {name!r}; build hub, spoke1 and spoke2 from your givens."
        have = [str(r) for r in net.vnet(name).address_space]
        if have != [space]:
            example = " (the lesson's example numbers)" if have and have[0].startswith("10.0.") else ""
            return f"{name} has address space {', '.join(have)}{example}; your givens say {space}."
    for spoke in SPOKES:
        vm = givens["spoke_vms"][spoke]
        if _spoke_vm(net, givens, spoke) is None or net.nic(vm).vnet.name != spoke:
            return f"Put a VM named {vm!r} in a subnet of {spoke}: the checks trace from it."
    return None


def build_gateway(net: Network, givens: Mapping) -> str | None:
    hub = net.vnet("hub")
    rules = addressing.gateway_subnet_rules()
    subnet = hub.subnets.get(GATEWAY)
    if subnet is None:
        return f"The hub has no subnet named exactly {GATEWAY!r}: a VPN gateway is deployed only into it."
    gw = hub.gateway
    if gw is not None and not gw.sku.gateway_transit:
        return (f"{gw.sku.name} does not offer gateway transit to peered spokes: a hub whose spokes use its gateway "
                f"needs a SKU that offers transit (see the SKU table), in a {GATEWAY} of "
                f"/{rules['recommended_prefix']} or larger.")
    if subnet.prefix.prefixlen > rules["recommended_prefix"]:
        return (f"{GATEWAY} {subnet.prefix} is a /{subnet.prefix.prefixlen}: every SKU but Basic needs "
                f"/{rules['recommended_prefix']} or larger (Gateway settings; VPN FAQ).")
    if gw is None:
        return "The hub has no VPN gateway: add one with net.add_vpn_gateway('hub', <SKU>)."
    if gw.vpn_type != "RouteBased":
        return (f"The hub's gateway is {gw.vpn_type}: gateway transit, VNet-to-VNet and BGP need a RouteBased "
                "gateway.")
    return None


def _site_lng(net: Network, givens: Mapping):
    site = IPNetwork(givens["site"]["prefix"])
    return next((c.remote for c in net.connections if c.kind == "IPsec" and c.gateway.vnet.name == "hub"
                 and any(site in p for p in c.remote.prefixes)), None)


def build_site(net: Network, givens: Mapping) -> str | None:
    if _site_lng(net, givens) is not None:
        return None
    site = givens["site"]["prefix"]
    lngs = list(net.local_gateways.values())
    if not lngs:
        return (f"There is no local network gateway for the site: add one with the site's device IP and prefix {site}, "
                "then connect the hub to it with kind='IPsec'.")
    listed = [lng for lng in lngs if any(IPNetwork(site) in p for p in lng.prefixes)]
    if not listed:
        typed = ", ".join(str(p) for lng in lngs for p in lng.prefixes) or "no prefixes"
        return (f"Your LNG lists {typed}, which does not include the site's prefix {site}: Azure routes to the tunnel "
                "only the prefixes typed in the LNG.")
    return (f"LNG {listed[0].name} lists {site}, but the hub's gateway has no IPsec connection to it: "
            f"net.connect('hub', {listed[0].name!r}, kind='IPsec').")


def why_no_site(net: Network, givens: Mapping, spoke: str) -> str | None:
    vm = _spoke_vm(net, givens, spoke)
    if vm is None or spoke not in net.vnets or "hub" not in net.vnets:
        return f"{givens['spoke_vms'][spoke]} in {spoke} is missing, so nothing can be traced from it."
    result = net.trace(vm, givens["site_address"])
    if result.reachable:
        return None
    to_hub, back = net.vnet(spoke).peerings.get("hub"), net.vnet("hub").peerings.get(spoke)
    if to_hub is None or back is None:
        return f"{spoke} is not peered with the hub (both links), so it cannot use the hub's gateway."
    if not back.settings.allow_gateway_transit:
        return (f"The hub's link to {spoke} has allow_gateway_transit off, and {spoke}'s link needs "
                "use_remote_gateways on: both are needed for the spoke to use the hub's gateway (Gateway transit, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-peering-gateway-transit, 2023-08-18).")
    if not to_hub.settings.use_remote_gateways:
        return (f"{spoke}'s link to the hub has use_remote_gateways off: the spoke gets no route to the site, and "
                f"{givens['site_address']} falls to the 192.168.0.0/16 → None default route (UDR overview, https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview, 2023-05-27).")
    return f"{vm} → {givens['site_address']} is {result.verdict}: {result.reason}"


def build_reach_site(net: Network, givens: Mapping) -> str | None:
    return every_message(why_no_site(net, givens, spoke) for spoke in SPOKES)


# BEGIN HIDDEN CHECKS
def build_spokes_apart(net: Network, givens: Mapping) -> str | None:
    a, b = (_spoke_vm(net, givens, s) for s in SPOKES)
    if a is None or b is None:
        return "Both spoke VMs must exist."
    if net.trace(a, str(net.nic(b).ip)).reachable:
        return ("vm-spoke1 reaches vm-spoke2, but the spokes were to stay apart: remove what joins them (a direct "
                "peering, or a route through the hub).")
    return None
# END HIDDEN CHECKS


# BEGIN HIDDEN CHECKS
def build_sku_current(net: Network, givens: Mapping) -> str | None:
    gw = net.vnet("hub").gateway
    if gw is not None and gw.sku.status != "current":
        return (f"{gw.sku.name} is not a current SKU: new gateways use the AZ SKUs (no new {gw.sku.name} "
                f"since {gw.sku.not_creatable_from}).")
    return None
# END HIDDEN CHECKS


Q1 = Question(
    id="q1", title="Build a hub and spokes with an on-premises site", points=6, answer="hub_net",
    setup=build_setup, read=read_network,
    checks=(
        Check("VNets, address spaces and spoke VMs follow your givens", build_plan, targeted=False),
        Check("The hub has a GatewaySubnet of /27 or larger and a route-based gateway that offers transit",
              build_gateway, misconceptions=("gateway-subnet-size", "gateway-transit")),
        Check("An IPsec connection leads to an LNG with your site's prefix", build_site,
              misconceptions=("lng-prefixes",)),
        Check("Each spoke VM reaches the site through the hub's gateway", build_reach_site, weight=2,
              misconceptions=("gateway-transit",)),
        # BEGIN HIDDEN CHECKS
        Check("The spokes do not reach each other", build_spokes_apart, visible=False,
              rule="Spokes peered only with the hub do not reach each other, even when they use the hub's "
                   "gateway: peering is not transitive.",
              source=fact("routing", "peering_routes").cite(), misconceptions=("transitive-peering",)),
        Check("The gateway uses a SKU you can create today", build_sku_current, visible=False,
              rule="A new VPN gateway uses a SKU Azure still lets you create (the AZ SKUs, or Basic), not a "
                   "legacy one.",
              source=fact("vpn_gateway_skus", "noncreatable_skus").cite(), misconceptions=("sku-not-creatable",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Start from the lesson's S1 network and change the numbers to your givens: three VNets, a GatewaySubnet "
        "in the hub, a gateway, an LNG for the site, an IPsec connection, two peerings.",
        "A spoke uses the hub's gateway only when the hub's link allows gateway transit AND the spoke's link "
        "uses remote gateways; net.peer(hub, spoke, allow_gateway_transit=hub, use_remote_gateways=spoke) names the "
        "VNet whose link carries each setting.",
        "Trace from each spoke VM to your site address and read the reason of the first Dropped one.",
    ),
)


# --- q2: the smallest SKU for the requirements -------------------------------------------------------------------------
NEEDS = ("throughput_mbps", "tunnels", "bgp", "nat", "zone_redundant")


def sku_setup(rng: random.Random) -> dict:
    needs = {"throughput_mbps": rng.choice([300, 500, 600, 800, 900, 1100, 1200, 2000, 3000, 4000]),
             "tunnels": rng.choice([5, 8, 12, 20, 25, 40]), "bgp": rng.random() < 0.6,
             "nat": rng.random() < 0.5, "zone_redundant": rng.random() < 0.7}
    return {"needs": needs, "new_deployment": True}


def fitting(needs: Mapping) -> list:
    """Current SKUs (can be created today) that meet every requirement, per the engine."""
    out = []
    for s in catalog():
        if s.status != "current" or requirements_met(s, **{k: needs[k] for k in NEEDS}):
            continue
        try:
            check_creatable(s)
        except VnetlabError:
            continue
        out.append(s)
    return out


def smallest(needs: Mapping) -> list[str]:
    """The SKU keys (name and generation, ``Sku.key``) of least aggregate throughput among those that fit (several
    when generations tie)."""
    fit = fitting(needs)
    low = min(s.throughput_mbps for s in fit)
    return sorted({s.key for s in fit if s.throughput_mbps == low})


def read_sku(raw: Any, givens: Mapping):
    if raw is None:
        raise Unanswered("No answer recorded yet: set the requirements in the explorer, pick a SKU and click "
                         "'Record my answer'.")
    if not isinstance(raw, str):
        raise AnswerError(f"The recorded answer should be a SKU as the explorer names it, such as 'VpnGw5AZ (Gen2)'; "
                          f"got {raw!r}.", value=raw, rule="answer format")
    text = raw.strip()
    rows = [s for s in catalog() if text in (s.key, s.name)]
    if len(rows) > 1 and any(s.status == "current" for s in rows):
        gens = " and ".join(f"Gen{s.generation}" for s in rows)
        raise AnswerError(f"{text} exists in {gens}, with different throughput: record the generation too, as the "
                          "explorer does ('Name (GenN)').", value=raw, rule="SKU generation")
    try:
        return rows or [sku(text)]
    except SkuError as exc:
        raise AnswerError(str(exc), value=raw, rule=exc.rule) from None


def sku_creatable(rows: list, givens: Mapping) -> str | None:
    s = rows[0]
    try:
        check_creatable(s)
    except VnetlabError as exc:
        kind = "a non-AZ SKU" if s.status == "noncreatable" else "a legacy SKU"
        return f"{s.key} is {kind}; you are planning a new gateway. {exc}"
    return None


def sku_meets(rows: list, givens: Mapping) -> str | None:
    needs = givens["needs"]
    gaps = {s.key: requirements_met(s, **{k: needs[k] for k in NEEDS}) for s in rows}
    if any(not gap for gap in gaps.values()):
        return None
    name = rows[0].name
    if name == "Basic" and (needs["bgp"] or needs["nat"]):
        wanted = " and ".join(w for w, on in (("BGP", needs["bgp"]), ("NAT", needs["nat"])) if on)
        return f"Basic has no {wanted} (nor gateway transit or zone redundancy): it is for dev/test only."
    if name.startswith("VpnGw1") and needs["nat"]:
        return (f"{name} has no NAT rules: {NAT_RULE} (NAT overview, https://learn.microsoft.com/azure/vpn-gateway/nat-overview, 2024-10-16; About gateway SKUs, https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus, 2025-06-23). "
                f"{'; '.join(next(iter(gaps.values())))}.")
    return f"{rows[0].key} falls short: {'; '.join(next(iter(gaps.values())))}."


# BEGIN HIDDEN CHECKS
def sku_smallest(rows: list, givens: Mapping) -> str | None:
    best = smallest(givens["needs"])
    if rows[0].key in best:
        return None
    if sku_meets(rows, givens):
        return f"{rows[0].name} does not meet the needs, so it cannot be the smallest SKU that does."
    return f"{rows[0].name} meets the needs but a smaller SKU does too; you pay for every gateway hour."
# END HIDDEN CHECKS


Q2 = Question(
    id="q2", title="Choose the smallest SKU that meets the requirements", points=4, answer="sku_explorer",
    widget="SkuExplorer", setup=sku_setup, read=read_sku,
    checks=(
        Check("The SKU can be created for a new gateway", sku_creatable, misconceptions=("sku-not-creatable",)),
        Check("The SKU meets every requirement", sku_meets, weight=2, misconceptions=("sku-too-small",)),
        # BEGIN HIDDEN CHECKS
        Check("It is the smallest SKU that does", sku_smallest, visible=False,
              rule="Choose the smallest (cheapest) SKU that meets every requirement.",
              source=fact("vpn_gateway_skus", "current_skus").cite(), misconceptions=("sku-oversized",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Type every requirement of your givens into the explorer, tick the features, then read the 'Fall short' "
        "table: each row says why.",
        "NAT rules are not on VpnGw1AZ; BGP and zone redundancy are not on Basic; the non-AZ VpnGw1-5 and the "
        "legacy SKUs cannot be created for a new gateway.",
        "Among the SKUs that fit, the smallest is the one with the least aggregate throughput.",
    ),
)


EXERCISE = ExerciseSpec(
    name="03-vpn-gateway", title="VPN gateway", lesson="../notebooks/03-vpn-gateway.ipynb", questions=(Q1, Q2),
)
