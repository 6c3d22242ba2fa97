"""Graded exercise 06 · Effective routes (lesson ``notebooks/06-effective-routes``; azure-facts §7, S1, S11).

q1 predict, for seeded destinations, the next-hop type Azure chooses in a given subnet of a hub with a BGP site,
a spoke with gateway transit, a user route and a route table with propagation disabled, and a second spoke.
The truth is ``net.effective_routes(vnet, subnet).lookup(destination)``; which rule a destination tests
(S11c BGP versus peering, S11b UDR versus system, S1 variant B propagation off, non-transitive peering) is
read from the engine's routes too, never from the learner's reasoning. Only Azure's own next-hop spellings
(the effective-routes names, azure-facts §7.7) are accepted.
"""
from __future__ import annotations

import random
from typing import Any, Mapping

from netaddr import IPAddress, IPNetwork

from ..network import Network
from ..routes import SYSTEM_PREFERRED
from .core import AnswerError, Check, ExerciseSpec, Question, Unanswered, differences, still_open
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


EXERCISE = ExerciseSpec(
    name="06-effective-routes", title="Effective routes", lesson="../notebooks/06-effective-routes.ipynb",
    questions=(Q1,),
)
