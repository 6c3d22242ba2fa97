"""Graded exercise 06 · Effective routes (lesson ``notebooks/06-effective-routes``; azure-facts §7, S1, S11).

q1 predict, for seeded destinations, the next-hop type Azure chooses in a given subnet of a hub with a BGP site,
a spoke with gateway transit, a user route and a route table with propagation disabled, and a second spoke.
The truth is ``net.effective_routes(vnet, subnet).lookup(destination)``; which rule a destination tests
(S11c BGP versus peering, S11b UDR versus system, S1 variant B propagation off, non-transitive peering) is
read from the engine's routes too, never from the learner's reasoning. Only Azure's own next-hop spellings
(the effective-routes names, azure-facts §7.7) are accepted.
q2 build the spoke-to-spoke path through the hub's NVA; q3 repair a broken route table (one of five faults drawn
from a seed kept out of the givens). Both are graded on the learner's network: each spoke reaches the other
through the NVA (traced both ways), nothing that worked before is broken, and (hidden) no shortcut, renumbering
or deleted table or healthy route.
"""
from __future__ import annotations

import random
from typing import Any, Mapping

from netaddr import IPAddress, IPNetwork

from ..errors import VnetlabError
from ..network import Network
from ..routes import SYSTEM_PREFERRED
from .core import AnswerError, Check, ExerciseSpec, Question, Unanswered, differences, every_message, still_open
# BEGIN HIDDEN CHECKS
from ..facts import fact
# END HIDDEN CHECKS

# Effective-routes next-hop types as Azure lists them (azure-facts §7.7, UDR overview).
NEXT_HOPS = ("VnetLocal", "VNetPeering", "VNetGlobalPeering", "VirtualNetworkGateway", "Internet",
             "VirtualAppliance", "None")
SPELLINGS = ", ".join(f"'{n}'" for n in NEXT_HOPS)


def routes_setup(rng: random.Random) -> dict:
    k, m = rng.randint(20, 200), rng.randint(1, 14)
    hub, s1, s2 = (f"10.{k + i}.0.0/16" for i in range(3))
    advertised = f"10.{k + 2}.{rng.randint(1, 100)}.0/24"      # inside spoke2: the S11c trap
    site = f"192.168.{16 * m}.0/20"
    far = rng.choice(["westeurope", "northeurope"])

    def vm(vnet: int, third: int) -> str:
        return f"10.{k + vnet}.{third}.{rng.randint(4, 250)}"

    network = {
        "name": "routes-lab",
        "vnets": [
            {"name": "hub", "address_space": [hub], "region": "westeurope", "subnets": [
                {"name": "GatewaySubnet", "prefix": f"10.{k}.255.0/27"},
                {"name": "shared", "prefix": f"10.{k}.1.0/24", "nics": [{"name": "vm-hub", "ip": vm(0, 1)}]}]},
            {"name": "spoke1", "address_space": [s1], "region": "westeurope", "subnets": [
                {"name": "app", "prefix": f"10.{k + 1}.1.0/24", "route_table": "rt-app", "nics": [{"name": "vm-app", "ip": vm(1, 1)}]},
                {"name": "db", "prefix": f"10.{k + 1}.2.0/24", "route_table": "rt-db", "nics": [{"name": "vm-db", "ip": vm(1, 2)}]}]},
            {"name": "spoke2", "address_space": [s2], "region": far, "subnets": [
                {"name": "web", "prefix": f"10.{k + 2}.200.0/24", "nics": [{"name": "vm-web", "ip": vm(2, 200)}]}]},
        ],
        "vpn_gateways": [{"vnet": "hub", "sku": "VpnGw2AZ", "bgp_asn": 65010}],
        "local_network_gateways": [{"name": "onprem", "gateway_ip": f"198.51.100.{rng.randint(2, 250)}",
                                    "prefixes": [], "bgp_asn": 65020, "bgp_peer_ip": f"192.168.{16 * m}.1",
                                    "advertised": [advertised, site]}],
        "connections": [{"vnet": "hub", "remote": "onprem", "kind": "IPsec", "enable_bgp": True}],
        "peerings": [{"vnet": "hub", "remote": "spoke1", "allow_gateway_transit": True},
                     {"vnet": "spoke1", "remote": "hub", "use_remote_gateways": True},
                     {"peer": ["hub", "spoke2"]}],
        "route_tables": [
            {"name": "rt-app", "routes": [{"name": "force-tunnel", "prefix": "0.0.0.0/0",
                                           "next_hop_type": "VirtualNetworkGateway"}]},
            {"name": "rt-db", "disable_bgp_route_propagation": True}],
    }
    site_ip = str(IPNetwork(site)[rng.randint(256, 4000)])
    public = f"{rng.choice([13, 20, 40, 52])}.{rng.randint(1, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 250)}"
    questions = [
        ("hub", "shared", str(IPNetwork(advertised)[rng.randint(4, 250)])),   # S11c
        ("spoke1", "app", public),                                           # S11b
        ("spoke1", "db", site_ip),                                           # S1 variant B
        ("spoke1", "db", f"10.{k + 2}.{rng.randint(150, 199)}.{rng.randint(4, 250)}"),  # not transitive
        # (asked from db: in app, the 0.0.0.0/0 user route removes the None routes and takes spoke2's traffic)
        ("spoke1", "app", site_ip),
        ("spoke1", "db", vm(0, 1)),
        ("hub", "shared", vm(1, 2)),
    ]
    rng.shuffle(questions)
    return {"network": network,
            "questions": {f"d{i + 1}": {"vnet": v, "subnet": s, "destination": d}
                          for i, (v, s, d) in enumerate(questions)},
            "next_hop_types": list(NEXT_HOPS)}


def read_next_hops(raw: Any, givens: Mapping) -> dict:
    if still_open(raw):
        raise Unanswered("No answer yet: fill in `next_hops`.")
    if not isinstance(raw, dict):
        raise AnswerError(f"`next_hops` should be a dict from question id ('d1', ...) to a next-hop type; got "
                          f"{type(raw).__name__}.", value=raw, rule="answer format")
    canonical = {n.lower(): n for n in NEXT_HOPS}
    out = {}
    for qid in givens["questions"]:
        value = raw.get(qid)
        if still_open(value):
            out[qid] = None
            continue
        if not isinstance(value, str) or value.strip().lower() not in canonical:
            raise AnswerError(f"next_hops[{qid!r}] = {value!r}: write the next-hop type as Azure spells it in "
                              f"effective routes, one of {SPELLINGS} (a dropped packet is the text 'None').",
                              value=value, rule="Azure's next-hop names")
        out[qid] = canonical[value.strip().lower()]
    if all(v is None for v in out.values()):
        raise Unanswered("No answer yet: replace the None placeholders in `next_hops` (a drop is the text 'None').")
    return out


def _owner(net: Network, address: str):
    a = IPAddress(address)
    return next((v for v in net.vnets.values() if any(a in r for r in v.address_space)), None)


def classify(net: Network, q: Mapping) -> tuple[str, str]:
    """(next-hop type the engine chooses, the rule this destination tests)."""
    routes = net.effective_routes(q["vnet"], q["subnet"])
    chosen = routes.lookup(q["destination"])
    truth = chosen.next_hop_type if chosen else "None"
    dest = IPAddress(q["destination"])
    subnet = net.subnet(q["vnet"], q["subnet"])
    here, there = net.vnet(q["vnet"]), _owner(net, q["destination"])
    preferred = chosen is not None and chosen.source == "Default" and chosen.next_hop_type in SYSTEM_PREFERRED
    longer_bgp = [r for r in routes if preferred and r.state == "Invalid" and r.next_hop_type == "VirtualNetworkGateway"
                  and dest in IPNetwork(r.prefix) and IPNetwork(r.prefix).prefixlen >= IPNetwork(chosen.prefix).prefixlen]
    if longer_bgp:
        return truth, "bgp"
    if chosen and chosen.source == "User" and any(r.state == "Invalid" and r.source == "Default"
                                                    for r in routes.find(chosen.prefix)):
        return truth, "udr"
    table = subnet.route_table
    if table is not None and table.disable_bgp_route_propagation and any(
            dest in p for lng in net.local_gateways.values() for p in [*lng.prefixes, *lng.advertised]):
        return truth, "propagation"
    if there is not None and there is not here and there.name not in here.peerings:
        return truth, "transitive"
    return truth, "plain"


def truths(givens: Mapping) -> dict[str, tuple[str, str]]:
    net = Network.from_dict(givens["network"])
    return {qid: classify(net, q) for qid, q in givens["questions"].items()}


def _misses(answers: dict, givens: Mapping, rule: str) -> list[tuple[str, Any]]:
    """(where, the learner's prediction) for every wrong prediction of one kind of trap."""
    out = []
    for qid, (truth, kind) in truths(givens).items():
        if kind == rule and answers[qid] != truth:
            q = givens["questions"][qid]
            out.append((f"{qid} ({q['vnet']}/{q['subnet']} → {q['destination']})", answers[qid]))
    return out


def _no_answer(where: str) -> str:
    return f"{where} has no prediction yet."


def _trap(kind: str, explanation: str):
    """The check for one kind of trap destination: every wrong prediction of that kind, with the rule that decides
    it (never the next hop itself: the learner applies the rule)."""
    def check(answers: dict, givens: Mapping) -> str | None:
        misses = _misses(answers, givens, kind)
        empty = [where for where, said in misses if said is None]
        wrong = [where for where, said in misses if said is not None]
        parts = [_no_answer(w) for w in empty]
        if wrong:
            parts.append(f"{', '.join(wrong)}: {explanation}. Which route wins there, and what is its next hop?")
        return " ".join(parts) or None
    check.__name__ = f"hops_{kind}"
    return check


hops_bgp = _trap("bgp", "the gateway has a route for the same or a longer prefix, but Azure prefers the system routes "
                        "of the VNet and its peerings over gateway routes, even more specific ones (UDR overview, https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview, 2023-05-27)")
hops_udr = _trap("udr", "a user-defined route and the system default route have the same prefix; for the same "
                        "prefix a user route beats the system route (UDR overview, https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview, 2023-05-27)")
hops_propagation = _trap("propagation", "this subnet's route table disables gateway route propagation, so the subnet "
                                        "gets no routes from the gateway, BGP or static (UDR overview, https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview, 2023-05-27)")
hops_transitive = _trap("transitive", "the destination is in a VNet peered with the hub, not with this spoke. Peering "
                                      "is not transitive, so no peering route exists here")


# BEGIN HIDDEN CHECKS
def hops_all(answers: dict, givens: Mapping) -> str | None:
    return differences([qid for qid, (truth, _) in truths(givens).items() if answers[qid] != truth],
                       "next hops", "effective routes'")
# END HIDDEN CHECKS


Q1 = Question(
    id="q1", title="Predict the next hop", points=6, answer="next_hops",
    setup=routes_setup, read=read_next_hops,
    checks=(
        Check("A gateway route, even a more specific one, does not beat the VNet's and peerings' routes", hops_bgp,
              misconceptions=("vnet-routes-beat-bgp",)),
        Check("For the same prefix, a user route beats the system route", hops_udr,
              misconceptions=("route-preference",)),
        Check("With propagation disabled, a subnet gets no gateway routes", hops_propagation,
              misconceptions=("gateway-propagation",)),
        # BEGIN HIDDEN CHECKS
        Check("No next hop through a second peering (non-transitive)", hops_transitive, visible=False,
              rule="Peering is not transitive: a VNet gets no route to the peers of its peers.",
              source=fact("routing", "peering_routes").cite(), misconceptions=("transitive-peering",)),
        Check("Every next hop matches the effective routes", hops_all, weight=2, visible=False,
              rule="The next hop is the effective route's: the longest matching prefix wins; for the same "
                   "prefix a user-defined route beats BGP and system routes.",
              source=fact("routing", "default_system_routes").cite(), targeted=False),
        # END HIDDEN CHECKS
    ),
    hints=(
        "For each destination, list the routes of that subnet that contain it; the longest prefix wins, with "
        "two exceptions the lesson names.",
        "Same prefix: user > the VNet's and peerings' routes > BGP/gateway > the other system routes. And the VNet's "
        "own range and its peerings' ranges win even against a longer BGP route.",
        "Look at each subnet's route table: does it have a user route, and does it let gateway routes in?",
    ),
)


# --- q2 build and q3 repair: spoke to spoke through the hub's NVA (lesson 06 §9; azure-facts §7) ---------------------
NVA_NAME = "nva"
SPOKES = ("spoke1", "spoke2")
FAULTS = ("blackhole", "wrong_appliance", "own_range", "longer_blackhole", "unassociated")
ROUTE = "to-other-spoke"  # the name of each spoke's route in q3's working network


def _layout(k: int, rng: random.Random) -> dict:
    """Addresses of the NVA lab: hub 10.k/16 (a shared VM, the NVA), spoke1 10.k+1/16, spoke2 10.k+2/16."""
    return {"k": k, "nva_ip": f"10.{k}.2.{rng.randint(4, 250)}",
            "vms": {"hub": f"10.{k}.1.{rng.randint(4, 250)}", "spoke1": f"10.{k + 1}.1.{rng.randint(4, 250)}",
                    "spoke2": f"10.{k + 2}.1.{rng.randint(4, 250)}"}}


def _nva_lab(lay: dict) -> Network:
    """The lesson's hub-and-spoke network with an NVA (IP forwarding on) in the hub; no route tables yet."""
    k = lay["k"]
    net = Network("nva-lab")
    hub = net.add_vnet("hub", [f"10.{k}.0.0/16"], region="westeurope")
    hub.add_subnet("shared", f"10.{k}.1.0/24").add_nic("vm-hub", lay["vms"]["hub"])
    hub.add_subnet("nva", f"10.{k}.2.0/24").add_nic(NVA_NAME, lay["nva_ip"], ip_forwarding=True)
    for i, spoke in enumerate(SPOKES, start=1):
        net.add_vnet(spoke, [f"10.{k + i}.0.0/16"], region="westeurope").add_subnet(
            "app", f"10.{k + i}.1.0/24").add_nic(f"vm-{spoke}", lay["vms"][spoke])
        net.peer("hub", spoke)
    return net


def _other(spoke: str) -> str:
    return SPOKES[1 - SPOKES.index(spoke)]


def _working(lay: dict) -> Network:
    """The lab with the path built as lesson 06 §9 builds it: a route table per spoke, forwarded traffic allowed."""
    net = _nva_lab(lay)
    for spoke in SPOKES:
        net.add_route_table(f"rt-{spoke}")
        net.add_route(f"rt-{spoke}", ROUTE, str(net.vnet(_other(spoke)).address_space[0]), "VirtualAppliance",
                      lay["nva_ip"])
        net.associate_route_table(spoke, "app", f"rt-{spoke}")
        net.set_peering(spoke, "hub", allow_forwarded_traffic=True)
    return net


def _inject(net: Network, lay: dict, fault: str, spoke: str) -> None:
    """Break ``spoke``'s route table in one of the ways lesson 06 teaches to read."""
    table, k = f"rt-{spoke}", lay["k"]
    other = str(net.vnet(_other(spoke)).address_space[0])
    if fault == "blackhole":
        net.remove_route(table, ROUTE)
        net.add_route(table, ROUTE, other, "None")
    elif fault == "wrong_appliance":      # the hub's VM, not the NVA: no IP forwarding there
        net.remove_route(table, ROUTE)
        net.add_route(table, ROUTE, other, "VirtualAppliance", lay["vms"]["hub"])
    elif fault == "own_range":             # the spoke's own range instead of the other spoke's
        net.remove_route(table, ROUTE)
        net.add_route(table, ROUTE, str(net.vnet(spoke).address_space[0]), "VirtualAppliance", lay["nva_ip"])
    elif fault == "longer_blackhole":      # a more specific None route for the other spoke's subnet
        net.add_route(table, "quarantine", str(net.subnet(_other(spoke), "app").prefix), "None")
    elif fault == "unassociated":
        net.associate_route_table(spoke, "app", None)
    else:
        raise ValueError(fault)


def build_setup(rng: random.Random) -> dict:
    lay = _layout(rng.randint(20, 200), rng)
    return {"network": _nva_lab(lay).to_dict(), "nva": {"name": NVA_NAME, "ip": lay["nva_ip"]},
            "vms": {f"vm-{v}": ip for v, ip in lay["vms"].items()}}


def repair_setup(rng: random.Random) -> dict:
    seed = rng.randrange(1, 10 ** 6)
    lay, fault, spoke = _fault_draw(seed)
    net = _working(lay)
    _inject(net, lay, fault, spoke)
    return {"incident": {"seed": seed}, "network": net.to_dict(), "nva": {"name": NVA_NAME, "ip": lay["nva_ip"]},
            "vms": {f"vm-{v}": ip for v, ip in lay["vms"].items()},
            "symptom": f"HTTPS from vm-{spoke} to vm-{_other(spoke)} ({lay['vms'][_other(spoke)]}) no longer "
                       "arrives through the hub's NVA; it did yesterday."}


def _fault_draw(seed: int) -> tuple[dict, str, str]:
    """The layout, fault and spoke behind q3's givens (rebuilt from the seed, never stored in the givens)."""
    rng = random.Random(f"exercise-06-repair-{seed}")
    return _layout(rng.randint(20, 200), rng), rng.choice(FAULTS), rng.choice(SPOKES)


def read_network(name: str):
    def read(raw: Any, givens: Mapping) -> Network:
        if still_open(raw):
            raise Unanswered(f"No answer yet: set `{name}` to your network (net).")
        try:
            return Network.from_dict(raw)
        except VnetlabError as exc:
            raise AnswerError(f"`{name}` is not a network this course can load: {exc}", value=name,
                              rule="the answer is a Network") from None
        except Exception:
            raise AnswerError(f"`{name}` should be your Network (net), not {type(raw).__name__}.", value=name,
                              rule="the answer is a Network") from None
    read.__name__ = f"read_{name}"
    return read


def _spoke_ip(givens: Mapping, spoke: str) -> str:
    return givens["vms"][f"vm-{spoke}"]


def _path_problem(net: Network, givens: Mapping, spoke: str) -> str | None:
    """Why HTTPS from ``spoke``'s VM to the other spoke's VM does not go through the NVA (None when it does): the
    misconception the trace shows, in the rule's words (the trace's own reason says where it stopped)."""
    other = _other(spoke)
    where = f"vm-{spoke} → vm-{other}"
    try:
        t = net.trace(f"vm-{spoke}", _spoke_ip(givens, other), port=443)
    except VnetlabError as exc:
        return f"{where} cannot be traced in your network ({exc})."
    through = any(h.action == "appliance" and h.vnet == "hub" for h in t.hops)
    if t.reachable and through:
        return None
    if t.reachable:
        return (f"{where} arrives, but not through the hub's NVA: the task is the path through the appliance, so "
                "the spoke's own route table must send the other spoke's range to it (a user route beats a "
                "system route of the same prefix).")
    first = next((h.route for h in t.hops if h.route is not None), None)
    if first is not None and first.next_hop_type == "VirtualAppliance" and not through:
        rule = ("a VirtualAppliance route must name the IP of a NIC with IP forwarding on: the NVA's, not any hub "
                "address")
    elif through:
        rule = ("the NVA forwarded the packet, but the receiving spoke's peering link must accept traffic the hub "
                "forwarded and did not originate (allow_forwarded_traffic on that spoke's link)")
    elif first is not None and _shadowed(net, spoke, t.dst, first):
        rule = ("a user route to the NVA covers the address, but a route with a longer prefix wins: the longest "
                "matching prefix decides first, and only for the same prefix does a user route beat a system route")
    elif first is not None and first.source == "User":
        rule = ("the route that wins in the source subnet is a user route that does not lead to the NVA; the longest "
                "matching prefix wins, and for the same prefix a user route beats the system route")
    else:
        rule = ("no user route sends the other spoke's range to the NVA from this subnet, and peering is not "
                "transitive, so the system routes drop it (a route table acts only on the subnets it is associated "
                "with)")
    last = next((h for h in reversed(t.hops) if h.action == "route lookup"), None)
    if last is not None and last.route.next_hop_type == "None" and not through:  # the route that dropped it
        seen = (f"in {last.vnet}/{last.subnet} the winning route is {last.route.prefix} → None "
                f"({last.route.source}).")
    else:
        seen = t.reason
    return f"{where} is {t.verdict.lower()}: {rule}. The trace: {seen}"


def _shadowed(net: Network, spoke: str, destination: str, chosen) -> bool:
    """A user route to an appliance contains ``destination`` but loses to ``chosen``, a longer prefix."""
    dest, length = IPAddress(destination), IPNetwork(chosen.prefix).prefixlen
    return chosen.next_hop_type != "VirtualAppliance" and any(
        r.source == "User" and r.next_hop_type == "VirtualAppliance" and dest in IPNetwork(r.prefix)
        and IPNetwork(r.prefix).prefixlen < length for r in net.effective_routes(spoke, "app"))


def spoke_to_spoke(answer: Network, givens: Mapping) -> str | None:
    return every_message(_path_problem(answer, givens, s) for s in SPOKES)


def _baseline(givens: Mapping) -> list[tuple[str, str, str]]:
    """(source VM, destination address, verdict) flows that work in the lab before any change: hub ↔ spokes over
    the peerings, and each VM to the internet."""
    vms = givens["vms"]
    flows = [(f"vm-{a}", vms[f"vm-{b}"], "Reachable") for a, b in
             (("hub", "spoke1"), ("hub", "spoke2"), ("spoke1", "hub"), ("spoke2", "hub"))]
    return flows + [(vm, "8.8.8.8", "Internet") for vm in vms]


def nothing_broken(answer: Network, givens: Mapping) -> str | None:
    found = []
    for src, dst, verdict in _baseline(givens):
        try:
            t = answer.trace(src, dst, port=443)
        except VnetlabError as exc:
            found.append(f"HTTPS {src} → {dst} worked before and cannot run now ({exc}).")
            continue
        if t.verdict != verdict:
            found.append(f"HTTPS {src} → {dst} worked before and is now {t.verdict.lower()}: {t.reason}")
    return " ".join(found) or None


# BEGIN HIDDEN CHECKS
def _plan(net: Network) -> dict:
    return {v.name: ([str(r) for r in v.address_space],
                     {s.name: (str(s.prefix), {n.name: str(n.ip) for n in s.nics.values()})
                      for s in v.subnets.values()}) for v in net.vnets.values()}


def no_shortcut(answer: Network, givens: Mapping) -> str | None:
    """The design keeps the plan and the hub in the middle: no renumbering, no spoke-to-spoke peering, no gateway."""
    given = Network.from_dict(givens["network"])
    if _plan(answer) != _plan(given):
        return "VNets, subnets or VM addresses changed: the path is built with routes and settings, not renumbering."
    if any({l.local.name, l.remote.name} == set(SPOKES) for l in answer.peering_links):
        return "The spokes are peered with each other: the design sends their traffic through the hub's NVA."
    links = {(l.local.name, l.remote.name) for l in answer.peering_links}
    gone = [(l.local.name, l.remote.name) for l in given.peering_links if (l.local.name, l.remote.name) not in links]
    if gone:
        return f"The peering link {gone[0][0]} → {gone[0][1]} is missing."
    return None


def minimal_repair(answer: Network, givens: Mapping) -> str | None:
    """A repair changes the route at fault: every route table, association and healthy route is kept."""
    shortcut = no_shortcut(answer, givens)
    if shortcut:
        return shortcut
    lay, _, _ = _fault_draw(givens["incident"]["seed"])
    healthy = _working(lay)
    for name, table in healthy.route_tables.items():
        if name not in answer.route_tables:
            return f"Route table {name} was deleted: change the one route at fault, keep the table."
        gone = [r for r in table.routes if r not in answer.route_tables[name].routes]
        if gone:
            return f"Route {gone[0]} of {name} was deleted: change the route at fault in place."
    return None
# END HIDDEN CHECKS


Q2 = Question(
    id="q2", title="Build spoke to spoke through the hub's NVA", points=4, answer="built",
    setup=build_setup, read=read_network("built"),
    checks=(
        Check("Each spoke reaches the other through the NVA", spoke_to_spoke, weight=2,
              misconceptions=("transitive-peering",)),
        Check("Nothing that worked before is broken", nothing_broken, misconceptions=("route-preference",)),
        # BEGIN HIDDEN CHECKS
        Check("The hub stays in the middle (no renumbering, no spoke-to-spoke peering)", no_shortcut,
              visible=False,
              rule="Spoke-to-spoke traffic through a hub NVA is built with a route table per spoke and peering "
                   "settings; the spokes are not peered with each other and nothing is renumbered.",
              source=fact("peering", "settings").cite(), misconceptions=("transitive-peering",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Three things, lesson 06 section 9: IP forwarding on the NVA's NIC (already on here), a user route on each "
        "spoke, and a peering setting on each spoke's link to the hub.",
        "Each spoke's route sends the *other* spoke's range to next hop VirtualAppliance with the NVA's IP; a route "
        "table does nothing until it is associated with the spoke's subnet.",
        "Trace both directions. Dropped after the appliance? Look at the receiving spoke's link to the hub: does it "
        "accept traffic that the hub forwarded but did not originate?",
    ),
)

Q3 = Question(
    id="q3", title="Repair the broken route table", points=4, answer="repaired",
    setup=repair_setup, read=read_network("repaired"),
    checks=(
        Check("The symptom is gone: each spoke reaches the other through the NVA", spoke_to_spoke, weight=2,
              misconceptions=("route-preference",)),
        Check("Nothing that worked before is broken", nothing_broken, misconceptions=("route-preference",)),
        # BEGIN HIDDEN CHECKS
        Check("The repair is minimal (the route at fault, not the table)", minimal_repair, visible=False,
              rule="A repair changes the route at fault: no deleted route table or healthy route, no renumbering, "
                   "no spoke-to-spoke peering.",
              source=fact("routing", "default_system_routes").cite(), misconceptions=("route-preference",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Start from the symptom: trace it, then read the source subnet's effective routes for the destination. "
        "Which route wins, and why (longest prefix; user beats system at the same prefix)?",
        "A route to an appliance needs the IP of a NIC with IP forwarding on; a route table acts only on the subnets "
        "it is associated with; a None route drops.",
        "Change the one route or association at fault; keep the tables and the other routes. Then trace both "
        "directions and the hub again.",
    ),
)


EXERCISE = ExerciseSpec(
    name="06-effective-routes", title="Effective routes", lesson="../notebooks/06-effective-routes.ipynb",
    questions=(Q1, Q2, Q3),
)
