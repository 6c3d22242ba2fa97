"""Drill generators: seeded scenarios, answered and explained by the simulator.

Each topic has a *case* builder: ``(level, rng)`` → :class:`Case`, the scenario as plain data plus a function that
builds it as a :class:`vnetlab.Network` (or the engine inputs it needs). The question's answer, its distractors'
reasons and its explanation come from engine calls on that case, and cite the fact (source with date) behind them.
Open questions are judged by the engine again at :meth:`DrillQuestion.check` time: a typed prefix is made into a NAT
rule and connection and traced, a typed next-hop type is compared with the effective route, a typed number with the
computed break-even.

Same ``(topic, level, seed)``, same question: the random generator is seeded with the three values and nothing else.
Levels: 1 one rule, 2 two interacting rules, 3 a trap (see each builder's docstring).
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Callable

from .. import addressing
from ..claims import VERDICTS, claims
from ..compare import ALGORITHMS, break_even_gb, compare, known_regions, tunnel_mbps
from ..design import ENCRYPTION as ENCRYPTION_DOC, P2S as P2S_DOC, SETTINGS, Requirements, recommend, smallest_sku
from ..display import text_table
from ..encryption import IPSEC
from ..errors import VnetlabError
from ..facts import fact, raw
from .. import gateway as gw
from ..network import UPDATE_PEERED_SPACE, Network
from ..peering import MANAGE_PEERING
from .questions import TOPICS, DrillError, DrillQuestion, DrillResult

NAT_OVERVIEW = "https://learn.microsoft.com/azure/vpn-gateway/nat-overview (2024-10-16)"
TOLERANCE = 0.01  # open numbers (cost break-even) are accepted within 1 %
# Site-to-Site also pays internet data transfer, which the course's cost model leaves out (no sourced figure), so a
# Site-to-Site break-even is asked roughly, never to 1 %.
TOLERANCE_S2S = 0.10


@dataclass
class Case:
    """A generated scenario as plain data (``params``); :func:`scenario_network` builds it with the engine."""

    topic: str
    level: int
    seed: int
    params: dict[str, Any]
    why: dict[str, str] = field(default_factory=dict)  # distractor -> why the engine says it is wrong


def _q(case: Case, prompt: str, kind: str, choices: tuple[str, ...], answer: str, explanation: str,
       sources: tuple[str, ...], hint: str = "") -> DrillQuestion:
    return DrillQuestion(topic=case.topic, level=case.level, seed=case.seed, prompt=prompt, kind=kind, choices=choices,
                         answer=answer, explanation=explanation, sources=sources, hint=hint)


def _rng(topic: str, level: int, seed: int) -> random.Random:
    return random.Random(f"vnetlab-drill:{topic}:{level}:{seed}")


def _shuffled(rng: random.Random, answer: str, distractors: list[str]) -> tuple[str, ...]:
    items = [answer] + [d for d in dict.fromkeys(distractors) if d != answer]
    rng.shuffle(items)
    return tuple(items)


def _sources(*texts: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in texts if t))


def _cited(text: str, sources: tuple[str, ...]) -> str:
    return f"{text} Source: {'; '.join(sources)}."


def _octets(rng: random.Random, count: int, low: int = 1, high: int = 250) -> list[int]:
    """``count`` distinct second octets for 10.x.0.0/16 VNets."""
    return rng.sample(range(low, high), count)


# --- peerability -----------------------------------------------------------------------------------------------
YES = "Yes: they can be peered"
OVERLAP = "No: their address spaces overlap"
CLOUD = "No: they are in different Azure clouds"
REGION = "No: they are in different regions"
TENANT = "No: they are in different Microsoft Entra tenants"
REGIONS = ("westeurope", "northeurope", "eastus", "japanwest", "australiaeast")
CLOUDS = tuple(fact("peering", "clouds").value)


def _peer_case(level: int, rng: random.Random) -> dict:
    """L1 overlap or not, same region and tenant; L2 also regions and tenants differ (global and cross-tenant peering
    are allowed); L3 multi-range spaces where only a second or containing range overlaps, or different clouds."""
    x, y, z = _octets(rng, 3)
    a_space = [f"10.{x}.0.0/16"]
    overlap = rng.random() < 0.5
    b_space = [f"10.{x}.{rng.choice([0, 64, 128])}.0/{rng.choice([18, 20, 24])}"] if overlap else [f"10.{y}.0.0/16"]
    ra = rng.choice(REGIONS)
    rb, ta, tb, ca, cb = ra, "contoso", "contoso", CLOUDS[0], CLOUDS[0]
    if level >= 2:
        rb = rng.choice(REGIONS)
        tb = rng.choice(["contoso", "fabrikam"])
    if level == 3:
        if rng.random() < 0.5:
            overlap = rng.random() < 0.6
            a_space = [f"10.{x}.0.0/16", f"172.{16 + rng.randrange(16)}.{rng.randrange(0, 256, 16)}.0/20"]
            b_space = [f"10.{y}.0.0/16", (f"{a_space[1].split('/')[0]}/{rng.choice([16, 22, 24])}"
                                          if overlap else f"192.168.{rng.randrange(256)}.0/24")]
            b_space[1] = str(addressing.parse_prefix(b_space[1], strict=False).cidr)
        else:
            b_space = [f"10.{z}.0.0/16"]
            cb = rng.choice(CLOUDS[1:])
    return {"a": {"space": a_space, "region": ra, "tenant": ta, "cloud": ca},
            "b": {"space": b_space, "region": rb, "tenant": tb, "cloud": cb}}


def _peer_network(p: dict) -> Network:
    net = Network("drill")
    for name in ("vnet-a", "vnet-b"):
        d = p[name[-1]]
        net.add_vnet(name, d["space"], region=d["region"], tenant=d["tenant"], subscription=f"{d['tenant']}-sub",
                     cloud=d["cloud"])
    return net


def _peerability(case: Case) -> DrillQuestion:
    p = case.params
    try:
        _peer_network(p).peer("vnet-a", "vnet-b")
        answer, source = YES, MANAGE_PEERING
        rule = ("Peering works across regions (global peering), subscriptions and tenants when the address spaces do "
                "not overlap and both VNets are in one Azure cloud.")
    except VnetlabError as exc:
        answer = OVERLAP if "overlap" in exc.rule else CLOUD if "cloud" in exc.rule else None
        if answer is None:
            raise
        rule, source = str(exc.args[0]), exc.source
    clouds = fact("peering", "clouds")
    why = {YES: "the engine refuses this peering", OVERLAP: "the address spaces do not overlap",
           CLOUD: "both VNets are in the same Azure cloud",
           REGION: "peering across regions is allowed (global peering)",
           TENANT: "peering across Microsoft Entra tenants is allowed"}
    case.why = {k: v for k, v in why.items() if k != answer}
    pool = [OVERLAP, REGION, TENANT, YES] + ([CLOUD] if case.level == 3 else [])
    if case.level == 1:
        pool = [YES, OVERLAP, REGION]
    rows = [(f"vnet-{k}", ", ".join(p[k]["space"]), p[k]["region"], p[k]["tenant"], p[k]["cloud"]) for k in "ab"]
    prompt = ("Can these two VNets be peered?\n\n"
              + text_table(("VNet", "Address space", "Region", "Tenant", "Cloud"), rows))
    sources = _sources(source, MANAGE_PEERING, clouds.cite())
    return _q(case, prompt, "choice", _shuffled(_rng_for(case), answer, [d for d in pool if d != answer]), answer,
                  _cited(f"{answer}. {rule}", sources), sources)


def _rng_for(case: Case) -> random.Random:
    """A second stream for shuffling choices, so that the case's data does not depend on the choice order."""
    return _rng(case.topic + "/choices", case.level, case.seed)


# --- next hop ----------------------------------------------------------------------------------------------------
NEXT_HOP_NAMES: dict[str, str] = dict(fact("routing", "next_hop_names").value)


def _nh_case(level: int, rng: random.Random) -> dict:
    """A hub (VPN gateway and a Site-to-Site branch from level 2) and two peered spokes. L1 one routing rule (own VNet,
    peered hub, internet, unpeered private space); L2 gateway transit flags and which link sets them; L3 traps: spoke to
    spoke through a transit hub (not transitive), a spoke in another region (global peering), a hub-side lookup,
    and two rules at once: a route table on spoke1 sending a prefix to an appliance in the hub, against the routes
    gateway transit brings (the longest prefix wins first; for the same prefix a user-defined route wins)."""
    h, s1, s2, other = _octets(rng, 4)
    branch = (f"192.168.{rng.randrange(256)}.0/24" if rng.random() < 0.5
              else f"172.{16 + rng.randrange(16)}.{rng.randrange(256)}.0/24")
    gateway = level >= 2
    transit = rng.random() < 0.5 if level == 2 else (level == 3)
    use_remote = transit and (rng.random() < 0.7 if level == 2 else True)
    spoke_region = "westeurope" if level < 3 or rng.random() < 0.5 else "northeurope"
    src = "spoke1"
    host = lambda o: f"10.{o}.1.{rng.randrange(4, 250)}"  # noqa: E731
    if level == 1:
        target = rng.choice(["own", "hub", "internet", "unpeered"])
    elif level == 2:
        target = rng.choice(["branch", "branch", "hub"])
    else:
        target = rng.choice(["spoke2", "hub", "branch", "hub-branch", "udr-default", "udr-exact", "udr-internet"])
        if target == "hub-branch":
            src, target = "hub", "branch"
    udr = None
    if target.startswith("udr-"):  # a route table on spoke1's subnet sends a prefix to the hub's appliance
        udr = branch if target == "udr-exact" else "0.0.0.0/0"
        target = "internet" if target == "udr-internet" else "branch"
    dst = {"own": host(s1), "hub": host(h), "spoke2": host(s2), "unpeered": host(other),
           "internet": f"{rng.choice([20, 40, 52, 104])}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
           "branch": branch.rsplit(".", 1)[0] + f".{rng.randrange(1, 255)}"}[target]
    return {"hub": h, "spoke1": s1, "spoke2": s2, "branch": branch, "gateway": gateway, "transit": transit,
            "use_remote": use_remote, "spoke_region": spoke_region, "src": src, "dst": dst, "udr": udr}


def _nh_network(p: dict) -> Network:
    net = Network("drill")
    hub = net.add_vnet("hub", [f"10.{p['hub']}.0.0/16"], region="westeurope")
    hub.add_subnet("app", f"10.{p['hub']}.1.0/24")
    for name in ("spoke1", "spoke2"):
        net.add_vnet(name, [f"10.{p[name]}.0.0/16"], region=p["spoke_region"] if name == "spoke1" else "westeurope")
        net.vnet(name).add_subnet("app", f"10.{p[name]}.1.0/24")
    if p["gateway"]:
        hub.add_subnet("GatewaySubnet", f"10.{p['hub']}.255.0/27")
        net.add_vpn_gateway("hub", sku="VpnGw1AZ")
        net.add_local_network_gateway("branch", "198.51.100.10", [p["branch"]])
        net.connect("hub", "branch", kind="IPsec")
    for name in ("spoke1", "spoke2"):
        net.peer("hub", name, allow_gateway_transit="hub" if p["transit"] else None,
                 use_remote_gateways=name if p["use_remote"] else None, allow_forwarded_traffic=bool(p.get("udr")))
    if p.get("udr"):
        hub.add_subnet("appliances", f"10.{p['hub']}.2.0/24").add_nic("nva", _nva_ip(p), ip_forwarding=True)
        net.add_route_table("spoke1-rt")
        net.add_route("spoke1-rt", "via-appliance", p["udr"], "VirtualAppliance", _nva_ip(p))
        net.associate_route_table("spoke1", "app", "spoke1-rt")
    return net


def _nva_ip(p: dict) -> str:
    return f"10.{p['hub']}.2.4"


@lru_cache(maxsize=2048)
def _nh_truth(key: tuple) -> tuple[str, str, str]:
    """(next-hop type, route prefix, route origin) the engine computes for a next-hop case."""
    p = dict(key)
    route = _nh_network(p).effective_routes(p["src"], "app").lookup(p["dst"])
    return route.next_hop_type, route.prefix, f"{route.source} route {route.prefix}"


def _nh_key(p: dict) -> tuple:
    return tuple(sorted(p.items()))


def normalize_next_hop(text: str) -> str | None:
    """Azure's next-hop spelling for a typed response: the CLI/REST names and the portal's names, case and spacing
    ignored (``"virtual network gateway"`` → ``VirtualNetworkGateway``); None when it is neither."""
    flat = re.sub(r"[\s_\-]+", "", text).casefold()
    for cli, portal in NEXT_HOP_NAMES.items():
        if flat in (cli.casefold(), re.sub(r"[\s_\-]+", "", portal).casefold()):
            return cli
    return None


def _next_hop(case: Case) -> DrillQuestion:
    p = case.params
    hop, prefix, origin = _nh_truth(_nh_key(p))
    names = fact("routing", "next_hop_names")
    rows = [("hub", f"10.{p['hub']}.0.0/16", "westeurope", "VpnGw1AZ, Site-to-Site to branch " + p["branch"]
             if p["gateway"] else "none")]
    for s in ("spoke1", "spoke2"):
        rows.append((s, f"10.{p[s]}.0.0/16", p["spoke_region"] if s == "spoke1" else "westeurope", "none"))
    peer_rows = [(f"hub ↔ {s}", str(p["transit"]).lower(), str(p["use_remote"]).lower()) for s in ("spoke1", "spoke2")]
    udr_table = ("\n\nRoute table on spoke1's subnet app:\n" + text_table(
        ("Route", "Address prefix", "Next hop type", "Next hop IP"),
        [("via-appliance", p["udr"], "VirtualAppliance", f"{_nva_ip(p)} (hub appliance)")])
        if p.get("udr") else "")
    prompt = (f"In this network, a VM in subnet app of {p['src']} sends a packet to {p['dst']}. Type the next-hop type "
              "of the effective route Azure uses.\n\n"
              + text_table(("VNet", "Address space", "Region", "VPN gateway"), rows) + "\n\n"
              + text_table(("Peering", "allow_gateway_transit (hub)", "use_remote_gateways (spoke)"), peer_rows)
              + udr_table)
    rule = {
        "VnetLocal": "an address in the VNet's own space is routed VnetLocal",
        "VNetPeering": "a peered VNet's ranges get a Default route with next hop VNetPeering",
        "VNetGlobalPeering": "a peered VNet in another region gets next hop VNetGlobalPeering",
        "VirtualNetworkGateway": "routes learned by the VPN gateway (its own, or the hub's through gateway transit: "
                                 "allow_gateway_transit on the hub's link and use_remote_gateways on the spoke's) have "
                                 "next hop VirtualNetworkGateway",
        "Internet": "addresses outside every longer prefix follow the default 0.0.0.0/0 route to Internet",
        "None": "private ranges not covered by a VNet, peering or gateway route match a default route with next hop None "
                "(dropped); peering is not transitive",
        "VirtualAppliance": "a user-defined route sends it to the appliance: for the same prefix a user-defined route "
                            "wins over a gateway or system route",
    }.get(hop, "")
    if p.get("udr") and hop == "VirtualNetworkGateway":
        rule = (f"the branch's {prefix} route from gateway transit is a longer match than the route table's "
                f"{p['udr']}, and the longest prefix wins before the route's origin counts")
    sources = _sources(fact("routing", "default_system_routes").cite(), fact("routing", "peering_routes").cite(),
                       names.cite(), "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-peering-gateway-transit "
                                     "(2023-08-18)" if p["gateway"] else "")
    text = f"{hop} (portal: {NEXT_HOP_NAMES.get(hop, hop)}): the longest match for {p['dst']} is the {origin}; {rule}."
    return _q(case, prompt, "open", (), hop, _cited(text, sources), sources,
                  hint="a next-hop type, e.g. VnetLocal, VNetPeering, VirtualNetworkGateway, Internet or None "
                       "(portal names accepted)")


def _judge_next_hop(q: DrillQuestion, case: Case, response: str) -> tuple[bool, str]:
    typed = normalize_next_hop(response)
    if typed is None:
        return False, (f"{response.strip()!r} is not a next-hop type; Azure's are "
                       f"{', '.join(NEXT_HOP_NAMES)} (or the portal's names).")
    hop, prefix, _ = _nh_truth(_nh_key(case.params))
    if typed == hop:
        return True, ""
    return False, f"the effective route for {case.params['dst']} is {prefix} with next hop {hop}, not {typed}."


# --- address-space change ---------------------------------------------------------------------------------------
AT_ONCE = "Routed at once: nothing else to do"
EDIT_LNG = "Not routed until the local network gateway's prefixes are edited by hand"
SYNC = "Not routed until the peering link is synced"
ROUTED = ("VirtualNetworkGateway", "VNetPeering", "VNetGlobalPeering")


def _ac_case(level: int, rng: random.Random) -> dict:
    """vnet1 and vnet2 joined by one link; a range is added to vnet2. L1 VNet-to-VNet or Site-to-Site; L2 also a
    peering; L3 Site-to-Site whose local network gateway was typed with a summary prefix (the new range may already
    lie inside it)."""
    a = rng.randrange(2, 60) * 2
    b = rng.randrange(61, 124) * 2
    link = rng.choice(["Vnet2Vnet", "IPsec"] if level == 1 else ["Vnet2Vnet", "IPsec", "peering"] if level == 2
                      else ["IPsec"])
    summary = level == 3
    inside = summary and rng.random() < 0.5
    free = [o for o in range(2, 250) if o not in (a, a + 1, b, b + 1)]
    new = f"10.{b + 1}.0.0/16" if inside else f"10.{rng.choice(free)}.0.0/16"
    if rng.random() < 0.3 and not inside:
        new = f"172.{16 + rng.randrange(16)}.0.0/16"
    return {"a": a, "b": b, "link": link, "summary": summary, "new": new,
            "dst": str(addressing.parse_prefix(new).network + 256 + rng.randrange(4, 250))}


def _ac_network(p: dict, changed: bool = True) -> Network:
    net = Network("drill")
    for name, o in (("vnet1", p["a"]), ("vnet2", p["b"])):
        v = net.add_vnet(name, [f"10.{o}.0.0/16"], region="westeurope")
        v.add_subnet("app", f"10.{o}.1.0/24")
        if p["link"] != "peering":
            v.add_subnet("GatewaySubnet", f"10.{o}.255.0/27")
            net.add_vpn_gateway(name, sku="VpnGw1AZ")
    if p["link"] == "peering":
        net.peer("vnet1", "vnet2")
    elif p["link"] == "Vnet2Vnet":
        net.connect("vnet1", "vnet2")
    else:
        typed = f"10.{p['b']}.0.0/15" if p["summary"] else f"10.{p['b']}.0.0/16"
        net.add_local_network_gateway("lng-vnet2", net.gateway("vnet2").public_ips[0], [typed])
        net.add_local_network_gateway("lng-vnet1", net.gateway("vnet1").public_ips[0], [f"10.{p['a']}.0.0/16"])
        net.connect("vnet1", "lng-vnet2", kind="IPsec")
        net.connect("vnet2", "lng-vnet1", kind="IPsec")
    if changed:
        net.add_address_space("vnet2", p["new"])
    return net


def _ac_fix(net: Network, p: dict, fix: str) -> bool:
    """Apply a proposed fix to the changed network; True if vnet1 then routes to the new range. False when the fix
    does not apply to this network (no such local network gateway or peering)."""
    try:
        if fix == EDIT_LNG:
            lng = net.local_gateway("lng-vnet2")
            net.set_local_network_gateway_prefixes("lng-vnet2", [str(x) for x in lng.prefixes] + [p["new"]])
        elif fix == SYNC:
            net.sync_peering("vnet1", "vnet2")
    except VnetlabError:
        return False
    return net.effective_routes("vnet1", "app").lookup(p["dst"]).next_hop_type in ROUTED


def _address_change(case: Case) -> DrillQuestion:
    p = case.params
    net = _ac_network(p)
    route = net.effective_routes("vnet1", "app").lookup(p["dst"])
    if route.next_hop_type in ROUTED:
        answer = AT_ONCE
    else:
        answer = next(f for f in (EDIT_LNG, SYNC) if _ac_fix(_ac_network(p), p, f))
    case.why = {
        AT_ONCE: f"vnet1's route for {p['dst']} is {route.prefix} → {route.next_hop_type}: not routed yet",
        EDIT_LNG: "there is no local network gateway here" if p["link"] != "IPsec" else
                  f"vnet1 already routes {p['new']} through its gateway ({route.prefix})",
        SYNC: "there is no peering here" if p["link"] != "peering" else "",
    }
    case.why = {k: v for k, v in case.why.items() if k != answer}
    typed = f"10.{p['b']}.0.0/15" if p["summary"] else f"10.{p['b']}.0.0/16"
    how = {"Vnet2Vnet": "a VNet-to-VNet connection (both directions)",
           "IPsec": "two Site-to-Site (IPsec) connections, each to a local network gateway typed with the other "
                    f"VNet's prefixes (lng-vnet2: {typed})",
           "peering": "VNet peering"}[p["link"]]
    prompt = (f"vnet1 (10.{p['a']}.0.0/16) and vnet2 (10.{p['b']}.0.0/16) are joined by {how}. An administrator adds "
              f"the range {p['new']} to vnet2. Does a VM in vnet1 reach {p['dst']} in the new range?")
    pick = [AT_ONCE, EDIT_LNG, SYNC]
    reason = {
        AT_ONCE: (f"after the change vnet1's effective route for {p['dst']} is {route.prefix} → {route.next_hop_type}."
                  + (" Azure fills in each side's view of the other on a VNet-to-VNet connection."
                     if p["link"] == "Vnet2Vnet"
                     else " The local network gateway's typed prefix already covers the new range." if p["link"] == "IPsec"
                     else "")),
        EDIT_LNG: (f"vnet1 routes {p['dst']} by {route.prefix} → {route.next_hop_type} until lng-vnet2's prefixes "
                   f"(typed by hand) include {p['new']}; after that edit the route is VirtualNetworkGateway."),
        SYNC: (f"vnet1's peering link keeps its old copy of vnet2's space (LocalNotInSync); {p['dst']} follows "
               f"{route.prefix} → {route.next_hop_type} until the link is synced."),
    }[answer]
    c = {x.id: x for x in claims()}
    sources = _sources({"Vnet2Vnet": c["v2v-auto-routing"].sources[0], "IPsec": c["s2s-manual-lng"].sources[0],
                        "peering": UPDATE_PEERED_SPACE}[p["link"]], fact("routing", "default_system_routes").cite())
    return _q(case, prompt, "choice", _shuffled(_rng_for(case), answer, [x for x in pick if x != answer]), answer,
                  _cited(f"{answer}: {reason}", sources), sources)


# --- NAT rule ----------------------------------------------------------------------------------------------------
def _nat_case(level: int, rng: random.Random) -> dict:
    """A VNet and branch(es) with the same space on a VpnGw2AZ gateway whose EgressSnat rule already shows the VNet to
    the sites under another prefix (Azure wants both rules when the spaces overlap). L1 a /24; L2 other lengths (a
    static rule maps equal sizes) and the external must not collide with the egress one; L3 a second branch already
    has an IngressSnat rule as well."""
    length = 24 if level == 1 else rng.choice([22, 23, 24, 25])
    base = addressing.parse_prefix(f"10.{rng.randrange(0, 250)}.{rng.randrange(0, 256, 4)}.0/{length}", strict=False).cidr
    pool = [f"192.168.{i}.0" for i in range(0, 256, 4)] + [f"100.64.{i}.0" for i in range(0, 256, 4)]
    picks = [str(addressing.parse_prefix(f"{x}/{length}", strict=False).cidr) for x in rng.sample(pool, 4)]
    egress = picks[0]
    other = picks[1] if level == 3 else None
    answer = picks[2]  # aligned blocks of one length from distinct bases never overlap the others
    host_offset = rng.randrange(4, min(250, 2 ** (32 - length) - 2))
    return {"space": str(base), "egress": egress, "other": other, "answer": answer, "offset": host_offset,
            "vm_offset": 4 if host_offset != 4 else 5}


def _nat_network(p: dict) -> Network:
    net = Network("drill")
    space = addressing.parse_prefix(p["space"])
    v = net.add_vnet("VNet", [p["space"]], region="westeurope")
    half = list(space.subnet(space.prefixlen + 1))
    v.add_subnet("app", str(half[0])).add_nic("vm-app", str(space.network + p["vm_offset"]))
    gs = list(half[1].subnet(27))[-1] if half[1].prefixlen <= 27 else half[1]
    v.add_subnet("GatewaySubnet", str(gs))
    net.add_vpn_gateway("VNet", sku="VpnGw2AZ")
    net.add_local_network_gateway("Branch1", "198.51.100.10", [p["space"]])
    if p["egress"]:
        net.add_nat_rule("VNet", "VNet-egress", mode="EgressSnat", internal=p["space"], external=p["egress"])
    if p["other"]:
        net.add_local_network_gateway("Branch2", "198.51.100.20", [p["space"]])
        net.add_nat_rule("VNet", "Branch2-ingress", mode="IngressSnat", internal=p["space"], external=p["other"])
        net.connect("VNet", "Branch2", kind="IPsec", ingress_nat_rules=["Branch2-ingress"],
                    egress_nat_rules=["VNet-egress"] if p["egress"] else None)
    return net


def nat_outcome(p: dict, external: str) -> tuple[bool, str]:
    """Build Branch1's IngressSnat rule with ``external``, connect Branch1 with it and trace vm-app → the branch host as
    the VNet sees it: (reachable at the right host, what happened)."""
    net = _nat_network(p)
    try:
        ext = addressing.parse_prefix(external)
        net.add_nat_rule("VNet", "Branch1-ingress", mode="IngressSnat", internal=p["space"], external=str(ext))
        net.connect("VNet", "Branch1", kind="IPsec", ingress_nat_rules=["Branch1-ingress"],
                    egress_nat_rules=["VNet-egress"] if p["egress"] else None)
        seen = str(ext.network + p["offset"])
        real = str(addressing.parse_prefix(p["space"]).network + p["offset"])
        t = net.trace("vm-app", seen)
    except VnetlabError as exc:
        return False, str(exc)
    if t.reachable and t.delivered_as[1] == real and "Branch1" in t.reason:
        return True, f"vm-app → {seen} is delivered to {real} at Branch1 ({t.reason})"
    return False, f"vm-app → {seen}: {t.verdict}. {t.reason}"


def _nat_rule(case: Case) -> DrillQuestion:
    p = case.params
    ok, what = nat_outcome(p, p["answer"])
    if not ok:
        raise DrillError(f"generator produced an unusable NAT answer: {what}", value=p, rule="engine-checked answer")
    rules = [("VNet-egress", "EgressSnat", p["space"], p["egress"], "Branch2, Branch1" if p["other"] else "Branch1")]
    if p["other"]:
        rules.append(("Branch2-ingress", "IngressSnat", p["space"], p["other"], "Branch2"))
    table = ("\n\nNAT rules already on the gateway (Static):\n"
             + text_table(("Rule", "Mode", "Internal", "External", "Linked to"), rules))
    prompt = (f"VNet ({p['space']}) has a route-based VpnGw2AZ gateway. Branch1, an on-premises site, uses the same "
              f"space {p['space']}. Type the external prefix of the static IngressSnat rule for Branch1 (internal "
              f"{p['space']}) so that vm-app reaches Branch1's hosts." + table)
    length = addressing.parse_prefix(p["space"]).prefixlen
    sizes, modes, apart = fact("nat", "one_prefix_per_rule"), fact("nat", "modes"), fact("nat", "external_no_overlap")
    sources = _sources(sizes.cite(), modes.cite(), apart.cite())
    taken = ", ".join(x for x in (p["egress"], p["other"]) if x)
    text = (f"For example {p['answer']} (any free /{length} works). {sizes.value}: here /{length}. IngressSnat "
            f"{modes.value['IngressSnat']}. {apart.value}: not the VNet's {p['space']} nor {taken}. Engine check: "
            f"{what}.")
    return _q(case, prompt, "open", (), p["answer"], _cited(text, sources), sources,
                  hint=f"a CIDR prefix such as 192.168.10.0/{length}")


def _judge_nat(q: DrillQuestion, case: Case, response: str) -> tuple[bool, str]:
    ok, what = nat_outcome(case.params, response.strip())
    return ok, ("" if ok else what)


NO_SKU = "None of them: this needs Virtual WAN"


# --- gateway SKU --------------------------------------------------------------------------------------------------
def _current() -> list[gw.Sku]:
    return [s for s in gw.catalog() if s.status == "current"]


def _sku_case(level: int, rng: random.Random) -> dict:
    """L1 one need (throughput or tunnels); L2 two (NAT, BGP or P2S with throughput or tunnels); L3 one flow over one
    tunnel with a given IPsec algorithm: the per-tunnel measurement caps it below the aggregate."""
    if level == 3:
        while True:
            alg = rng.choice(ALGORITHMS[:2])  # flows just above VpnGw1AZ's tunnel, whose aggregate may still look enough
            flow = rng.choice([700, 800, 1100, 1200, 1300, 1400, 1500, 2000, 2200] if alg == "GCMAES256"
                              else [550, 600, 640, 660, 700])
            if _flow_sku(flow, alg) is not None:
                return {"flow": flow, "algorithm": alg}
    need: dict[str, Any] = {}
    first = rng.choice(["throughput_mbps", "tunnels"])
    need[first] = rng.choice([200, 500, 700, 900, 1100, 1500, 2000, 3000, 4500, 6000, 8000]) \
        if first == "throughput_mbps" else rng.choice([12, 20, 28, 31, 45, 80])  # Basic (10 tunnels, 100 Mbps) never fits
    if level == 2:
        extra = rng.choice(["nat", "bgp", "p2s"])
        # P2S clients count against the IKEv2/OpenVPN pool (gateway.p2s_shortfalls), as everywhere else
        need[extra] = True if extra != "p2s" else rng.choice([150, 200, 400, 450, 700, 900, 1200, 4000])
    return need


def _flow_sku(flow: int, alg: str) -> gw.Sku | None:
    return next((s for s in _current() if s.name != "Basic" and tunnel_mbps(s, alg).value >= flow), None)


def _gateway_sku(case: Case) -> DrillQuestion:
    p = case.params
    if "flow" in p:
        spec = _flow_sku(p["flow"], p["algorithm"])
        shortfall = {s.key: f"one tunnel: {tunnel_mbps(s, p['algorithm'])} < {p['flow']} Mbps"
                     for s in _current() if s.name != "Basic" and tunnel_mbps(s, p["algorithm"]).value < p["flow"]}
        traps = [k for k, s in ((s.key, s) for s in _current()) if k in shortfall and s.throughput_mbps >= p["flow"]]
        need = f"one flow of {p['flow']} Mbps over a single tunnel using {p['algorithm']}"
        rule = (f"{spec.key}: {tunnel_mbps(spec, p['algorithm'])} ({tunnel_mbps(spec, p['algorithm']).origin}). A "
                "SKU's aggregate throughput is spread over its tunnels; one tunnel is capped by the measured per-tunnel "
                "figure for its algorithm")
        sources = _sources(gw.SKUS_SOURCE + " (2026-06-08)", fact("performance", "per_tunnel_mbps").cite())
    else:
        spec = smallest_sku(**p)
        shortfall = {s.key: "; ".join(gw.requirements_met(s, **p)) for s in _current()
                     if gw.requirements_met(s, **p)}
        traps = []
        need = ", ".join({"throughput_mbps": f"{p.get('throughput_mbps')} Mbps aggregate",
                          "tunnels": f"{p.get('tunnels')} Site-to-Site tunnels", "nat": "NAT rules",
                          "bgp": "BGP", "p2s": f"{p.get('p2s')} Point-to-Site clients (IKEv2/OpenVPN)"}[k] for k in p)
        rule = (f"{spec.key}: {spec.throughput_mbps} Mbps, {spec.tunnels} tunnels, P2S {spec.p2s_ikev2_openvpn} "
                f"IKEv2/OpenVPN clients (a separate pool of {spec.p2s_sstp} SSTP), BGP {'yes' if spec.bgp else 'no'}, "
                f"NAT {'yes' if spec.nat else 'no'}; the SKUs before it in the "
                "catalog fall short")
        sources = _sources(gw.SKUS_SOURCE + " (2026-06-08)", fact("vpn_gateway_skus", "features").cite())
    order = [s.key for s in _current()]
    below = [k for k in order[:order.index(spec.key)] if k in shortfall][::-1]
    distractors = list(dict.fromkeys(traps + below[:2] + [k for k in ("VpnGw1AZ (Gen1)", "Basic (Gen1)", "Basic")
                                                           if k in shortfall]))[:3]
    case.why = {d: f"{d} falls short: {shortfall[d]}" for d in distractors}
    short = "; ".join(case.why.values())
    if len(distractors) < 3:  # the answer is one of the first SKUs: the opposite mistake is to think none is enough
        distractors.append(NO_SKU)
        case.why[NO_SKU] = f"{spec.key} meets it"
    prompt = (f"Which is the smallest current VPN gateway SKU (catalog order) for: {need}?")
    return _q(case, prompt, "choice", _shuffled(_rng_for(case), spec.key, distractors), spec.key,
                  _cited(f"{rule}. {short}.", sources), sources)


# --- connection type -----------------------------------------------------------------------------------------------
PEERING = "VNet peering"
V2V = "VNet-to-VNet VPN connection"
S2S = "Site-to-Site VPN connection"
S2S_NAT = "Site-to-Site VPN connection with NAT rules"
P2S = "Point-to-Site VPN"
LABELS = (PEERING, V2V, S2S, S2S_NAT, P2S)


def _ct_case(level: int, rng: random.Random) -> dict:
    """L1 one need (two Azure VNets, an on-premises site, remote users); L2 the details that do not change the answer
    (regions, tenants, subscriptions) or across clouds; L3 traps: overlapping VNets, an encryption mandate between
    peered VNets, several sites."""
    org = rng.choice(["Contoso", "Fabrikam", "Northwind", "Tailwind"])
    if level == 1:
        need = rng.choice(["vnets", "onprem", "users"])
    elif level == 2:
        need = rng.choice(["vnets-global", "vnets-tenant", "clouds", "users"])
    else:
        need = rng.choice(["overlap", "encryption", "onprem-many"])
    return {"org": org, "need": need, "sites": rng.randrange(2, 9), "users": rng.choice([40, 120, 250, 400]),
            "region": rng.choice(["westeurope", "northeurope", "eastus"]),
            "other": rng.choice(["japanwest", "australiaeast", "westus"])}


def ct_requirements(p: dict) -> Requirements:
    n = p["need"]
    return Requirements(same_region=n not in ("vnets-global",), cross_tenant=n == "vnets-tenant",
                        across_clouds=n == "clouds", overlapping_spaces=n == "overlap",
                        on_premises_sites={"onprem": 1, "onprem-many": p["sites"]}.get(n, 0),
                        remote_users=p["users"] if n == "users" else 0, encryption_mandate=n == "encryption")


def ct_label(components: tuple[str, ...]) -> str:
    """The connection type named by a recommendation's components."""
    text = " | ".join(components)
    if "NAT rules" in text:
        return S2S_NAT
    if "Site-to-Site" in text:
        return S2S
    if "Point-to-Site" in text:
        return P2S
    if "VNet peering" in text:
        return PEERING
    raise DrillError(f"no connection type in {components}", value=components, rule="recommendation components")


def _connection_type(case: Case) -> DrillQuestion:
    p = case.params
    o = p["org"]
    story = {
        "vnets": f"{o} has two VNets in {p['region']}, same subscription, and wants them to talk privately.",
        "onprem": f"{o} wants its head office network to reach its VNet in {p['region']}.",
        "users": f"{o}'s {p['users']} home workers need to reach a VNet in {p['region']} from their laptops.",
        "vnets-global": f"{o} has a VNet in {p['region']} and one in {p['other']}, in two subscriptions, and wants them "
                        "to talk privately.",
        "vnets-tenant": f"{o} has just acquired a company whose VNet is in another subscription and another "
                        f"Microsoft Entra tenant, in {p['region']} like {o}'s; the two VNets must talk.",
        "clouds": f"{o} has a VNet in Azure public and one in Azure Government; the two must talk.",
        "overlap": f"{o} acquired a company whose VNet uses the same address space as {o}'s VNet (10.0.0.0/16); "
                   "renumbering is not possible this quarter; the two must talk.",
        "encryption": f"{o}'s two VNets in {p['region']} must talk, and policy requires traffic between them to be "
                      "encrypted in transit.",
        "onprem-many": f"{o} has {p['sites']} branch offices that must all reach its hub VNet in {p['region']}.",
    }[p["need"]]
    rec = recommend(ct_requirements(p))
    answer = ct_label(rec.components)
    rejected = {r.rule: f"{r.text} ({r.source})" for r in rec.rejected}
    clients = f"Point-to-Site connects individual clients, not networks ({P2S_DOC})"
    why = {
        PEERING: {S2S: rejected.get("peering joins VNets", "peering joins Azure VNets only"),
                  P2S: f"peering joins Azure VNets, not laptops ({MANAGE_PEERING})",
                  S2S_NAT: rejected.get("no overlap for peering", "")}.get(answer, ""),
        V2V: {PEERING: rejected.get("gateway cost and setup", ""),
              S2S_NAT: rejected.get("NAT is IPsec-only", ""),
              P2S: f"VNet-to-VNet joins two Azure VNets' gateways, not laptops ({SETTINGS})"}.get(
            answer, f"VNet-to-VNet joins two Azure VNets' gateways in one cloud; a site is a local network gateway "
                    f"reached by Site-to-Site ({SETTINGS})"),
        S2S: {PEERING: f"Site-to-Site works too, but needs a VPN gateway in each VNet; peering needs none ({SETTINGS})",
              S2S_NAT: f"the spaces overlap: without NAT rules Azure refuses the connection ({NAT_OVERVIEW})",
              P2S: f"Site-to-Site joins a site's VPN device, not individual laptops ({P2S_DOC})"}.get(answer, ""),
        P2S: clients,
    }
    if p["need"] == "clouds":
        why[PEERING] = why[V2V] = rejected["not across clouds"]
    if p["need"] == "encryption":
        why[V2V] = ("a VNet-to-VNet tunnel is allowed and encrypts, but needs a gateway in each VNet; peering with "
                    f"virtual network encryption encrypts between the VMs with no gateway ({ENCRYPTION_DOC})")
    plausible = {PEERING: [V2V, S2S, P2S], S2S: [PEERING, V2V, P2S], P2S: [S2S, PEERING, V2V],
                 S2S_NAT: [PEERING, V2V, S2S]}[answer]
    case.why = {d: why[d] for d in plausible}
    peering_rules = ("peering: regional and global, across subscriptions and tenants", "gateway cost and setup")
    keep = lambda r: answer == PEERING or r.rule not in peering_rules  # noqa: E731
    # two or three plain sentences: the answer, the rule that decides it, and the rule that rules out the runner-up
    reasons = " ".join(_first_sentence(r.text) for r in rec.reasons if keep(r))
    rejects = " ".join(_first_sentence(r.text) for r in rec.rejected if keep(r))
    reasons, rejects = _first_sentence(reasons), _first_sentence(rejects)
    sources = _sources(*(r.source for r in rec.reasons if keep(r)), *(r.source for r in rec.rejected if keep(r)))
    prompt = story + " Of the connection types Azure allows here, which needs the fewest VPN gateways (none, if " \
                     "possible)?"
    return _q(case, prompt, "choice", _shuffled(_rng_for(case), answer, plausible), answer,
                  _cited(f"{answer}. {reasons}" + (f" {rejects}" if rejects else ""), sources), sources)


def _first_sentence(text: str) -> str:
    """The first sentence of ``text`` (a sentence ends at ". " before a capital letter)."""
    return re.split(r"(?<=[.!?])\s+(?=[A-Z])", text.strip(), maxsplit=1)[0] if text.strip() else ""


# --- encryption legs -------------------------------------------------------------------------------------------------
NO_LEG = "No leg: nothing is encrypted at the network layer"
ALL_LEGS = "Every leg, VM to VM"
TUNNEL_ONLY = "Only the tunnel between the gateways; the legs inside the VNets are not"
EDGES_ONLY = "Only the legs inside the VNets; the tunnel relies on MACsec"


def _enc_case(level: int, rng: random.Random) -> dict:
    """L1 peering or VNet-to-VNet; L2 virtual network encryption on peered VNets (with or without accelerated
    networking on both NICs), or Site-to-Site; L3 a spoke through the hub's gateway (transit) to a branch, or VNet
    encryption enabled on VNets joined by a gateway, or on VNets joined by global peering."""
    a, b, h = _octets(rng, 3)
    kind = rng.choice(["peer", "v2v"]) if level == 1 else rng.choice(["peer-enc", "peer-enc-noaccel", "s2s"]) \
        if level == 2 else rng.choice(["transit", "v2v-enc", "peer-enc-global"])
    return {"a": a, "b": b, "h": h, "kind": kind, "branch": f"192.168.{rng.randrange(256)}.0/24",
            "host": rng.randrange(4, 250), "region": rng.choice(["westeurope", "northeurope"])}


def _enc_network(p: dict) -> tuple[Network, str, str]:
    """The network and the two ends (NIC names or a site address)."""
    net = Network("drill")
    k = p["kind"]
    if k == "transit":
        hub = net.add_vnet("hub", [f"10.{p['h']}.0.0/16"], region=p["region"])
        hub.add_subnet("GatewaySubnet", f"10.{p['h']}.255.0/27")
        net.add_vpn_gateway("hub", sku="VpnGw1AZ")
        net.add_local_network_gateway("branch", "198.51.100.10", [p["branch"]])
        net.connect("hub", "branch", kind="IPsec")
        spoke = net.add_vnet("spoke", [f"10.{p['a']}.0.0/16"], region=p["region"])
        spoke.add_subnet("app", f"10.{p['a']}.1.0/24").add_nic("vm-spoke", f"10.{p['a']}.1.{p['host']}",
                                                              accelerated_networking=True)
        net.peer("hub", "spoke", allow_gateway_transit="hub", use_remote_gateways="spoke")
        return net, "vm-spoke", p["branch"].rsplit(".", 1)[0] + f".{p['host']}"
    gateways = k in ("v2v", "s2s", "v2v-enc")
    for name, o in (("vnet-a", p["a"]), ("vnet-b", p["b"])):
        region = "japanwest" if k == "peer-enc-global" and name == "vnet-b" else p["region"]
        v = net.add_vnet(name, [f"10.{o}.0.0/16"], region=region)
        v.add_subnet("app", f"10.{o}.1.0/24").add_nic(
            f"vm-{name[-1]}", f"10.{o}.1.{p['host']}",
            accelerated_networking=not (k == "peer-enc-noaccel" and name == "vnet-b"))
        if gateways:
            v.add_subnet("GatewaySubnet", f"10.{o}.255.0/27")
            net.add_vpn_gateway(name, sku="VpnGw1AZ")
        if k in ("peer-enc", "peer-enc-noaccel", "v2v-enc", "peer-enc-global"):
            net.set_vnet_encryption(name)
    if k.startswith("peer"):
        net.peer("vnet-a", "vnet-b")
    elif k in ("v2v", "v2v-enc"):
        net.connect("vnet-a", "vnet-b")
    else:
        net.add_local_network_gateway("lng-b", net.gateway("vnet-b").public_ips[0], [f"10.{p['b']}.0.0/16"])
        net.add_local_network_gateway("lng-a", net.gateway("vnet-a").public_ips[0], [f"10.{p['a']}.0.0/16"])
        net.connect("vnet-a", "lng-b", kind="IPsec")
        net.connect("vnet-b", "lng-a", kind="IPsec")
    return net, "vm-a", "vm-b"


def enc_label(legs) -> str:
    """The choice that describes one direction's legs (``Leg`` objects of an encryption report)."""
    flags = [leg.encrypted for leg in legs]
    tunnel = [leg.protection.startswith(IPSEC) for leg in legs]
    if all(flags):
        return ALL_LEGS
    if not any(flags):
        return NO_LEG
    if flags == tunnel:
        return TUNNEL_ONLY
    if flags == [not t for t in tunnel]:
        return EDGES_ONLY
    raise DrillError(f"unexpected encryption pattern {flags}", value=flags, rule="known patterns")


def _encryption(case: Case) -> DrillQuestion:
    p = case.params
    net, a, b = _enc_network(p)
    report = net.encryption_report(a, b)
    legs = [leg for leg in report.legs if leg.direction.startswith(f"{a} →")]
    answer = enc_label(legs)
    story = {
        "peer": "vnet-a and vnet-b are peered; vm-a sends to vm-b.",
        "v2v": "vnet-a and vnet-b are joined by a VNet-to-VNet connection between their VpnGw1AZ gateways; vm-a sends "
               "to vm-b.",
        "peer-enc": "vnet-a and vnet-b are peered, both have virtual network encryption enabled, and both VMs have "
                    "accelerated networking on a supported size; vm-a sends to vm-b.",
        "peer-enc-noaccel": "vnet-a and vnet-b are peered and both have virtual network encryption enabled; vm-a has "
                            "accelerated networking, vm-b does not; vm-a sends to vm-b.",
        "s2s": "vnet-a and vnet-b are joined by two Site-to-Site (IPsec) connections between their gateways, each "
               "through a local network gateway for the other VNet; vm-a sends to vm-b.",
        "transit": f"A spoke VNet is peered with a hub (gateway transit on); the hub's VpnGw1AZ gateway has a "
                   f"Site-to-Site connection to a branch ({p['branch']}). vm-spoke sends to {b} at the branch.",
        "peer-enc-global": f"vnet-a ({p['region']}) and vnet-b (japanwest) are joined by global peering; both have "
                           "virtual network encryption enabled and both VMs accelerated networking on a supported size; "
                           "vm-a sends to vm-b.",
        "v2v-enc": "vnet-a and vnet-b both have virtual network encryption enabled and accelerated networking on both "
                   "VMs, and are joined by a VNet-to-VNet connection; vm-a sends to vm-b.",
    }[p["kind"]]
    rows = [(leg.step, leg.where, leg.action, leg.path, leg.protection) for leg in legs]
    case.why = {c: f"the engine's legs are: " + "; ".join(f"{leg.action} ({leg.path}): {leg.protection}" for leg in legs)
                for c in (NO_LEG, ALL_LEGS, TUNNEL_ONLY, EDGES_ONLY) if c != answer}
    from ..encryption import VNET_ENCRYPTION_DOC, VNET_FAQ
    sources = _sources(VNET_FAQ, VNET_ENCRYPTION_DOC, "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq "
                                                      "(2026-06-04)")
    text = f"{answer}.\n" + text_table(("#", "Where", "Action", "Path", "Protection"), rows) + "\n" + " ".join(report.notes)
    return _q(case, story + " Which legs of the path are encrypted at the network layer?", "choice",
                  _shuffled(_rng_for(case), answer, [c for c in (NO_LEG, ALL_LEGS, TUNNEL_ONLY) if c != answer]),
                  answer, _cited(text, sources), sources)


# --- cost break-even -----------------------------------------------------------------------------------------------
def _creatable(name: str) -> bool:
    try:
        gw.check_creatable(gw.sku(name))
    except VnetlabError:
        return False
    return True


# Priced SKUs a new gateway can have: the non-AZ VpnGw1-5 cannot be created since 2025-01-01 (About gateway SKUs),
# so an interviewer would not price a design on them.
PRICED_SKUS = tuple(k for k in fact("pricing", "gateway_hourly_usd").value if k != "Basic" and _creatable(k))


def _cost_case(level: int, rng: random.Random) -> dict:
    """L1 same region, VNet-to-VNet (data free in a region); L2 across Zone 1 regions (inter-VNet egress, global peering
    prices) or Site-to-Site; L3 towards a Zone 2 region (its inbound global peering rate)."""
    regions = known_regions()
    zone_of = raw("pricing", "peering_per_gb_usd")["regions"]
    zone1 = [r for r in regions if zone_of[r] == "Zone 1"]
    zone2 = [r for r in regions if zone_of[r] == "Zone 2"]
    sku = rng.choice(PRICED_SKUS)
    if level == 1:
        a = b = rng.choice(regions)
        option = "VNet-to-VNet"
    elif level == 2:
        a, b = rng.sample(zone1, 2) if len(zone1) > 1 else (zone1[0], zone1[0])
        option = rng.choice(["VNet-to-VNet", "Site-to-Site"])
    else:
        a, b = rng.choice(zone1), rng.choice(zone2)
        option = rng.choice(["VNet-to-VNet", "Site-to-Site"])
    return {"a": a, "b": b, "sku": sku, "option": option}


def _tolerance(option: str) -> float:
    return TOLERANCE_S2S if option == "Site-to-Site" else TOLERANCE


def parse_number(text: str) -> float | None:
    """A number as a learner types it: ``12500``, ``12,500``, ``12 500 GB``, ``12.5k``; None when it is not one."""
    m = re.fullmatch(r"\s*~?\s*([0-9][0-9,_ ]*(?:\.[0-9]+)?)\s*(k)?\s*(?:gb(?:\s*(?:/|per)\s*month)?)?\s*",
                     text.casefold())
    if not m:
        return None
    digits = m.group(1).replace(",", "").replace("_", "").replace(" ", "")
    try:
        value = float(digits)
    except ValueError:
        return None
    return value * 1000 if m.group(2) else value


def _cost(case: Case) -> DrillQuestion:
    p = case.params
    be = break_even_gb(p["a"], p["b"], p["sku"], p["option"])
    if be is None:
        raise DrillError(f"no break-even for {p}", value=p, rule="priced combinations")
    c = compare(p["a"], p["b"], be, 0.0, p["sku"])
    peer, other = c.option("VNet peering").monthly_cost_usd, c.option(p["option"]).monthly_cost_usd
    sources = _sources(*peer.sources, *other.sources)
    tolerance = _tolerance(p["option"])
    caveat = (" The sourced prices leave out the internet data transfer that Site-to-Site also pays, so the real "
              "break-even lies higher, if the lines cross at all." if p["option"] == "Site-to-Site" else "")
    prompt = (f"Two VNets, A in {p['a']} and B in {p['b']}. Traffic flows A → B only. Using the course's sourced prices, "
              f"at how many GB per month does VNet peering cost as much as a {p['option']} design with two {p['sku']} "
              f"gateways?{caveat} (Answer within {tolerance:.0%}.)")
    text = (f"{be:,.0f} GB/month. At that volume peering costs {peer} ({peer.origin}) and {p['option']} costs {other} "
            f"({other.origin}); above it the gateway design is cheaper, below it peering is.")
    return _q(case, prompt, "open", (), f"{round(be):d}", _cited(text, sources), sources,
                  hint="a number of GB per month, e.g. 12500")


def _judge_cost(q: DrillQuestion, case: Case, response: str) -> tuple[bool, str]:
    value = parse_number(response)
    if value is None:
        return False, f"{response.strip()!r} is not a number of GB per month."
    p = case.params
    be = break_even_gb(p["a"], p["b"], p["sku"], p["option"])
    if abs(value - be) <= _tolerance(p["option"]) * be:
        return True, ""
    c = compare(p["a"], p["b"], value, 0.0, p["sku"])
    peer, other = c.option("VNet peering").monthly_cost_usd, c.option(p["option"]).monthly_cost_usd
    return False, f"at {value:,.0f} GB/month peering costs {peer} and {p['option']} {other}: they are not equal."


# --- seed claims ---------------------------------------------------------------------------------------------------
def _caveat(correction: str) -> bool:
    return bool(re.match(r"True[,;]", correction)) or correction.startswith("Possible")


def _claim_pool(level: int) -> list:
    """L1 outdated claims and plainly accurate ones; L2 imprecise claims among plainly accurate ones; L3 the look-alikes:
    accurate claims with a caveat ("true, and ...", "possible, but ...": accurate but incomplete) and imprecise claims
    that are true in part ("True for ...", "Partly: ...")."""
    every = list(claims())
    plain = [c for c in every if c.verdict == "accurate" and not _caveat(c.correction)]
    pools = {1: [c for c in every if c.verdict == "outdated"] + plain,
             2: [c for c in every if c.verdict == "imprecise"] + plain,
             3: [c for c in every if (c.verdict == "accurate" and _caveat(c.correction))
                 or (c.verdict == "imprecise" and re.match(r"(True for|Partly)", c.correction))]}
    return pools[level] or every


def _claim_case(level: int, rng: random.Random) -> dict:
    return {"claim": rng.choice(_claim_pool(level)).id}


def _seed_claims(case: Case) -> DrillQuestion:
    c = next(x for x in claims() if x.id == case.params["claim"])
    labels = {v: f"{v.capitalize()}" for v in VERDICTS}
    answer = labels[c.verdict]
    case.why = {labels[v]: f"the documentation cited below makes it {c.verdict}" for v in VERDICTS if v != c.verdict}
    prompt = (f"A seed text says: “{c.text}” Is this claim accurate, imprecise (true only in part or with a wrong "
              "detail) or outdated (true of an earlier Azure)?")
    text = f"{answer}. {c.correction}"
    return _q(case, prompt, "choice", _shuffled(_rng_for(case), answer, [labels[v] for v in VERDICTS if v != c.verdict]),
                  answer, _cited(text, c.sources), c.sources)


# --- troubleshooting ---------------------------------------------------------------------------------------------
def _ts_case(level: int, rng: random.Random) -> dict:
    """L1 one fault, distractors from other layers; L2 one fault, distractors from its own layer first and a healthy
    tool of another layer shown too; L3 two faults at once (one at the edge, one inside Azure), choices are pairs."""
    from ..troubleshoot import catalogue
    from ..grading.questions_11 import EDGE, PAIR_INSIDE

    seed = rng.randrange(10 ** 6)
    if level == 3:
        return {"faults": [rng.choice(EDGE), rng.choice(PAIR_INSIDE)], "seed": seed}
    return {"faults": [rng.choice([f.id for f in catalogue()])], "seed": seed}


def _ts_title(fault_id: str) -> str:
    from ..troubleshoot import fault
    return fault(fault_id).title


def _troubleshooting(case: Case) -> DrillQuestion:
    from ..troubleshoot import catalogue, fault, inject_many
    from ..troubleshoot.bases import HUB
    from ..troubleshoot.evidence import gather
    from ..troubleshoot.tools import peering_status, vpn_troubleshoot

    rng = _rng_for(case)
    ids = case.params["faults"]
    inc = inject_many(tuple(ids), case.params["seed"])
    shown = [e for fid in ids for e in gather(inc, fid)]
    outputs = [str(e) for e in shown]
    if case.level == 2:  # a tool of another layer that looks healthy: evidence is also what is *not* wrong
        extra = (peering_status(inc.network, HUB) if fault(ids[0]).layer == "tunnel"
                 else vpn_troubleshoot(inc.network, HUB))
        outputs.append(f"{'peering_status' if fault(ids[0]).layer == 'tunnel' else 'vpn_troubleshoot'}:\n{extra}")
        rng.shuffle(outputs)
    failing = "\n".join(f"  - {p.description}" for p in inc.probes)
    prompt = (f"Users report: {inc.symptom}\nWhat should work and does not:\n{failing}\n\nTool output:\n\n"
              + "\n\n".join(outputs) + "\n\nWhat is the cause" + ("s (two faults)?" if len(ids) > 1 else "?"))
    others = [f.id for f in catalogue() if f.id not in ids]
    if len(ids) == 1:
        same = [f for f in others if fault(f).layer == fault(ids[0]).layer]
        pool = (same + [f for f in others if f not in same]) if case.level == 2 else [
            f for f in others if fault(f).layer != fault(ids[0]).layer]
        picked = pool[:1] + rng.sample(pool[1:], 2) if case.level == 2 and same else rng.sample(pool, 3)
        answer = _ts_title(ids[0])
        labels = {_ts_title(f): f for f in picked}
        case.why = {label: f"the evidence of {label!r} would be: {fault(f).evidence} The tools show otherwise."
                    for label, f in labels.items()}
    else:
        a, b = ids
        x, y = rng.sample([f for f in others], 2)
        pairs = [(a, x), (x, b), (x, y)]
        answer = f"{_ts_title(a)} + {_ts_title(b)}"
        labels = {f"{_ts_title(p)} + {_ts_title(q)}": (p, q) for p, q in pairs}
        case.why = {label: "the tools show the evidence of " + " and ".join(
            repr(_ts_title(f)) for f in ids if f not in pq) + ", which this choice leaves out"
                    for label, pq in labels.items()}
    explanation = " ".join(f"{fault(f).title}: {fault(f).cause} Evidence: {fault(f).evidence} Repair: {fault(f).repair}"
                           for f in ids)
    sources = _sources(*(fault(f).cite() for f in ids))
    return _q(case, prompt, "choice", _shuffled(rng, answer, list(labels)), answer, _cited(explanation, sources),
              sources)


# --- interview classics (fact- or engine-backed item banks, vnetlab.drills.interview) ---------------------------------
def _interview_case(topic: str) -> Callable:
    def build(level: int, rng: random.Random) -> dict:
        from .interview import pick
        return {"item": pick(topic, level, rng).key}
    return build


def _interview(case: Case) -> DrillQuestion:
    from .interview import bank

    item = next(i for i in bank(case.topic) if i.key == case.params["item"])
    said = item.explanation.casefold()  # a reason the explanation states anyway is not said twice
    case.why = {w: why if why.casefold().rstrip(".") not in said else "the documented rule below rules it out"
                for w, why in item.wrong}
    sources = _sources(*item.sources)
    choices = _shuffled(_rng_for(case), item.answer, [w for w, _ in item.wrong])
    return DrillQuestion(topic=case.topic, level=case.level, seed=case.seed, prompt=item.prompt, kind="choice",
                         choices=choices, answer=item.answer, explanation=_cited(item.explanation, sources),
                         sources=sources, model_answer=item.model_answer, key_points=item.key_points,
                         explain_prompt=item.explain_prompt)


# --- registry, generation and judging -------------------------------------------------------------------------------
_BUILDERS: dict[str, tuple[Callable, Callable]] = {
    "peerability": (_peer_case, _peerability),
    "next-hop": (_nh_case, _next_hop),
    "address-change": (_ac_case, _address_change),
    "nat-rule": (_nat_case, _nat_rule),
    "gateway-sku": (_sku_case, _gateway_sku),
    "connection-type": (_ct_case, _connection_type),
    "encryption-legs": (_enc_case, _encryption),
    "cost-break-even": (_cost_case, _cost),
    "seed-claims": (_claim_case, _seed_claims),
    "troubleshooting": (_ts_case, _troubleshooting),
    **{t: (_interview_case(t), _interview) for t in ("gateway-redundancy", "bgp", "vpn-type", "forced-tunnelling",
                                                    "point-to-site", "peering-dns", "hub-nva", "global-peering",
                                                    "better-answer", "tunnel-up-no-traffic")},
}
_JUDGES: dict[str, Callable] = {"next-hop": _judge_next_hop, "nat-rule": _judge_nat, "cost-break-even": _judge_cost}
assert set(_BUILDERS) == set(TOPICS)


@lru_cache(maxsize=4096)
def _made(topic: str, level: int, seed: int) -> tuple[Case, DrillQuestion]:
    from ..grading.misconceptions import for_drill

    params = _BUILDERS[topic][0](level, _rng(topic, level, seed))
    case = Case(topic, level, seed, params)
    question = _BUILDERS[topic][1](case)
    return case, replace(question, misconceptions=for_drill(topic, params.get("faults", ())))


def case(topic: str, level: int, seed: int) -> Case:
    """The scenario behind a question, as plain data (``params``), for tools and tests that check it independently."""
    return _made(topic, level, seed)[0]


def scenario_network(c: Case) -> Any:
    """A fresh engine model of a case's scenario, before any question-specific step (address-change: with the range
    already added; nat-rule: without Branch1's rule and connection; encryption-legs: ``(network, a, b)``)."""
    builders = {"peerability": _peer_network, "next-hop": _nh_network, "address-change": _ac_network,
                "nat-rule": _nat_network, "encryption-legs": _enc_network}
    if c.topic not in builders:
        raise DrillError(f"Topic {c.topic!r} has no network; its scenario is the data in params.", value=c.topic,
                         rule="network topics: " + ", ".join(builders))
    return builders[c.topic](c.params)


def make(topic: str, level: int, seed: int) -> DrillQuestion:
    return _made(topic, level, seed)[1]


def _choice_index(q: DrillQuestion, text: str) -> int | None:
    flat = " ".join(text.split()).casefold().rstrip(".")
    if flat.isdigit():
        n = int(flat)
        return n - 1 if 1 <= n <= len(q.choices) else None
    for i, c in enumerate(q.choices):
        if flat == " ".join(c.split()).casefold().rstrip("."):
            return i
    return None


def judge(q: DrillQuestion, response: object) -> DrillResult:
    """Judge ``response`` for ``q``: never raises on any text (or other) response."""
    text = response if isinstance(response, str) else ("" if response is None else str(response))
    if not text.strip():
        return DrillResult(False, "Not quite: no answer given. " + q.explanation, q.answer)
    try:
        c = _made(q.topic, q.level, q.seed)[0] if q.topic in _BUILDERS else None
        if c is None or q.kind == "choice":
            i = _choice_index(q, text)
            if i is None:
                ok, why = False, f"{text.strip()!r} is not one of the choices (type its text or 1-{len(q.choices)})."
            else:
                ok = q.choices[i] == q.answer
                why = "" if ok else (c.why.get(q.choices[i]) if c else "") or f"{q.choices[i]!r} is not the answer."
        else:
            ok, why = _JUDGES[q.topic](q, c, text)
    except VnetlabError as exc:  # the engine refused the response: its message says why
        ok, why = False, str(exc)
    except Exception as exc:  # noqa: BLE001 - a response must never crash a drill; the reason is shown
        ok, why = False, f"the response could not be checked ({type(exc).__name__}: {exc})."
    why = why.strip()
    if why and why[-1] not in ".!?":
        why += "."
    feedback = "Correct. " + q.explanation if ok else f"Not quite: {why} {q.explanation}"
    return DrillResult(ok, feedback, q.answer)


__all__ = ["Case", "case", "scenario_network", "ct_label", "ct_requirements", "enc_label", "judge", "make", "nat_outcome",
           "normalize_next_hop", "parse_number"]
