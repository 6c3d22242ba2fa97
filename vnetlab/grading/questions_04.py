"""Graded exercise 04 · VNet-to-VNet versus Site-to-Site (lesson ``notebooks/04-vnet-to-vnet-vs-site-to-site``;
azure-facts S3, §3.2, §3.3, §6.4).

q1 repair a stale Site-to-Site configuration: VNet2 added an address range and the local network gateway that
stands for it was not edited. The answer is the corrected LNG prefix lists; the grader applies them to the
givens with the engine (which refuses overlaps) and traces into the new range. q2 predict, for a VNet-to-VNet
connection, a Site-to-Site connection and a peering, what it takes before the new range is carried; the truth
is found by the engine, by trying each remedy on a copy of the network. q3 outcome and rule: six ways of joining
the pair, each with the verdict and the rule that decides it (LNG prefixes typed by hand, VNet-to-VNet kept current,
a half-made VNet-to-VNet, a peering out of sync, a peering preferred over a gateway), read from the engine's state
and trace (:mod:`.outcome_rule`).
"""
from __future__ import annotations

import functools

import random
from dataclasses import dataclass
from typing import Any, Mapping

from netaddr import IPNetwork, IPSet

from ..errors import VnetlabError
from ..network import Network
from .core import AnswerError, Check, ExerciseSpec, Question, Unanswered, differences, still_open
from .invariants import read_prefix
from .outcome_rule import Rule, outcome_rule_question, rule_givens
# BEGIN HIDDEN CHECKS
from ..facts import fact
from ..local_gateway import SETTINGS as LNG_SETTINGS
# END HIDDEN CHECKS

GATEWAY = "GatewaySubnet"


def _gateway_subnet(space: str) -> str:
    """A /27 GatewaySubnet (the size azure-facts §2.3 asks for) at x.y.255.0 of a /16."""
    return str(list(IPNetwork(space).subnet(27))[-8])


def _vnet(name: str, space: str, vm: str, ip: str, region: str) -> dict:
    return {"name": name, "address_space": [space], "region": region, "subnets": [
        {"name": GATEWAY, "prefix": _gateway_subnet(space)},
        {"name": "app", "prefix": f"{IPNetwork(ip + '/24').network}/24", "nics": [{"name": vm, "ip": ip}]}]}


def _numbers(rng: random.Random) -> tuple[int, int, int]:
    a = rng.randint(1, 60)
    return a, a + rng.randint(1, 60), rng.randint(16, 31)


# --- q1: repair the stale LNG -------------------------------------------------------------------------------------
def stale_setup(rng: random.Random) -> dict:
    a, b, j = _numbers(rng)
    region1, region2 = rng.sample(["westeurope", "northeurope", "eastus", "japanwest"], 2)
    new = f"172.{j}.0.0/16"
    vnet2 = _vnet("vnet2", f"10.{b}.0.0/16", "vm-vnet2", f"10.{b}.1.{rng.randint(4, 250)}", region2)
    vnet2["address_space"].append(new)
    new_ip = f"172.{j}.{rng.randint(0, 255)}.{rng.randint(4, 250)}"
    vnet2["subnets"].append({"name": "new", "prefix": f"{IPNetwork(new_ip + '/24').network}/24",
                             "nics": [{"name": "vm-new", "ip": new_ip}]})
    network = {
        "name": "s2s-pair",
        "vnets": [_vnet("vnet1", f"10.{a}.0.0/16", "vm-vnet1", f"10.{a}.1.{rng.randint(4, 250)}", region1), vnet2],
        "vpn_gateways": [{"vnet": "vnet1", "sku": "VpnGw1AZ"}, {"vnet": "vnet2", "sku": "VpnGw1AZ"}],
        # The LNGs were typed by hand before vnet2 added its new range (S3).
        "local_network_gateways": [{"name": "lng-vnet2", "gateway_ip": "203.0.113.2", "prefixes": [f"10.{b}.0.0/16"]},
                                   {"name": "lng-vnet1", "gateway_ip": "203.0.113.1", "prefixes": [f"10.{a}.0.0/16"]}],
        "connections": [{"vnet": "vnet1", "remote": "lng-vnet2", "kind": "IPsec", "name": "vnet1-to-vnet2"},
                        {"vnet": "vnet2", "remote": "lng-vnet1", "kind": "IPsec", "name": "vnet2-to-vnet1"}],
    }
    return {"network": network, "added_range": new, "from": "vm-vnet1", "to": "vm-new", "old": "vm-vnet2"}


@dataclass(frozen=True)
class Repair:
    """The givens with the learner's LNG prefix lists applied, or why the engine refused them."""

    prefixes: dict
    net: Network | None
    refused: str | None
    lng: str | None = None
    prefix: str | None = None


def read_lng_prefixes(raw: Any, givens: Mapping) -> Repair:
    if still_open(raw):
        raise Unanswered("No answer yet: set `lng_prefixes` to a dict from LNG name to its list of prefixes.")
    if not isinstance(raw, dict):
        raise AnswerError(f"`lng_prefixes` should be a dict such as {{'lng-vnet2': ['a.b.c.d/n', ...]}}; got "
                          f"{type(raw).__name__}.", value=raw, rule="answer format")
    net = Network.from_dict(givens["network"])
    prefixes = {}
    for name, values in raw.items():
        if name not in net.local_gateways:
            raise AnswerError(f"`lng_prefixes`: {name!r} is not a local network gateway of your network "
                              f"({', '.join(net.local_gateways)}).", value=name, rule="answer format")
        if isinstance(values, str) or not isinstance(values, list):
            raise AnswerError(f"lng_prefixes[{name!r}] should be a list of prefixes, even for one: ['a.b.c.d/n'].",
                              value=values, rule="answer format")
        prefixes[name] = [str(read_prefix(v, f"lng_prefixes[{name!r}]", IPNetwork)) for v in values]
    for name, values in prefixes.items():
        try:
            net.set_local_network_gateway_prefixes(name, values)
        except VnetlabError as exc:
            bad = next((p for p in values if not _fits_beside(net, name, p)), None)
            return Repair(prefixes, None, str(exc), name, bad)
    return Repair(prefixes, net, None)


def _fits_beside(net: Network, lng: str, prefix: str) -> bool:
    """False when ``prefix`` overlaps the address space of a VNet whose gateway connects to ``lng``."""
    p = IPNetwork(prefix)
    owners = [c.gateway.vnet for c in net.connections if c.remote is net.local_gateway(lng)]
    return not any(p.first <= r.last and r.first <= p.last for v in owners for r in v.address_space)


def _on_repaired_network(check):
    """A check on the repaired network; when Azure refused the repair there is none, and the refusal is the message."""
    @functools.wraps(check)
    def run(r: Repair, givens: Mapping) -> str | None:
        return _refusal(r, givens) if r.net is None else check(r, givens)
    return run


def _refusal(r: Repair, givens: Mapping) -> str | None:
    if r.refused is None:
        return None
    if r.lng == "lng-vnet1":
        return (f"Azure refuses {r.prefix} on lng-vnet1: that LNG stands for vnet1 and is used by vnet2's connection, "
                "and vnet2 already holds that range. An LNG lists the ranges of the far side of the connection that "
                "uses it: which connection carries vm-vnet1's packets, and which LNG does it use?")
    return (f"Azure refuses {r.prefix or 'your prefixes'} on {r.lng}: it overlaps the address space of the VNet "
            f"whose connection uses {r.lng}. An LNG lists the far side's ranges only. ({r.refused})")


def _vm_ip(givens: Mapping, vm: str) -> str:
    return next(n["ip"] for v in givens["network"]["vnets"] for s in v["subnets"] for n in s.get("nics", [])
                if n["name"] == vm)


def stale_new_range(r: Repair, givens: Mapping) -> str | None:
    refused = _refusal(r, givens)
    if refused:
        return refused
    target = _vm_ip(givens, givens["to"])
    if r.net.trace(givens["from"], target).reachable:
        return None
    listed = [str(p) for p in r.net.local_gateway("lng-vnet2").prefixes]
    added = [p for p in listed if p not in givens["network"]["local_network_gateways"][0]["prefixes"]]
    if not added:
        return (f"lng-vnet2 still lists only {', '.join(listed)}: an LNG's prefixes are typed by hand and Azure does "
                f"not update them when vnet2's address space changes (VNet-to-VNet how-to, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-howto-vnet-vnet-resource-manager-portal, 2025-06-30). vnet1 has no route to {target}.")
    return (f"lng-vnet2 now lists {', '.join(added)}, but {givens['to']} is at {target}, outside it: check the "
            f"range vnet2 added (see your givens).")


@_on_repaired_network
def stale_old_range(r: Repair, givens: Mapping) -> str | None:
    if r.net.trace(givens["from"], _vm_ip(givens, givens["old"])).reachable:
        return None
    return ("vm-vnet1 no longer reaches vnet2's original range: you replaced lng-vnet2's prefix instead of adding "
            "the new range to it. The LNG must list every range of vnet2.")


# BEGIN HIDDEN CHECKS
@_on_repaired_network
def stale_replies(r: Repair, givens: Mapping) -> str | None:
    if r.net.trace(givens["to"], _vm_ip(givens, givens["from"])).reachable:
        return None
    return ("vm-new's replies to vm-vnet1 are dropped: lng-vnet1 (vnet2's view of vnet1) must keep vnet1's range; "
            "it did not need an edit.")
# END HIDDEN CHECKS


# BEGIN HIDDEN CHECKS
@_on_repaired_network
def stale_exact(r: Repair, givens: Mapping) -> str | None:
    vnet2 = IPSet(str(p) for p in r.net.vnet("vnet2").address_space)
    lng = IPSet(str(p) for p in r.net.local_gateway("lng-vnet2").prefixes)
    if lng == vnet2:
        return None
    extra = lng - vnet2
    if extra:
        return (f"lng-vnet2 lists more than vnet2 holds (e.g. {next(iter(extra.iter_cidrs()))}): vnet1 would send that "
                "traffic into the tunnel for nothing. List exactly vnet2's ranges.")
    return "lng-vnet2 does not list all of vnet2's address space."
# END HIDDEN CHECKS


Q1 = Question(
    id="q1", title="Repair a stale Site-to-Site connection", points=5, answer="lng_prefixes",
    setup=stale_setup, read=read_lng_prefixes,
    checks=(
        Check("vm-vnet1 reaches the range vnet2 added", stale_new_range, weight=2, misconceptions=("lng-prefixes",)),
        Check("vm-vnet1 still reaches vnet2's original range", stale_old_range, misconceptions=("lng-prefixes",)),
        # BEGIN HIDDEN CHECKS
        Check("The replies from the new range come back", stale_replies, visible=False,
              rule="Both directions need a route: each side's local network gateway lists the other side's "
                   "ranges, so replies come back too.",
              source=LNG_SETTINGS, misconceptions=("lng-prefixes",)),
        Check("lng-vnet2 lists exactly vnet2's address space", stale_exact, visible=False,
              rule="A local network gateway lists exactly the far side's address ranges: a missing range is "
                   "unreachable, an extra one is sent into the tunnel for nothing.",
              source=LNG_SETTINGS, misconceptions=("lng-prefixes",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Trace vm-vnet1 → vm-new and read the reason: which resource's list is out of date?",
        "Each LNG stands for the *other* VNet. vnet1's connection uses lng-vnet2, so lng-vnet2 must list every "
        "range of vnet2.",
        "net.vnet('vnet2').address_space shows what the LNG should list now.",
    ),
)


# --- q2: which connection carries a new range without edits? --------------------------------------------------------
KINDS = ("Vnet2Vnet", "IPsec", "VNetPeering")
REMEDIES = ("nothing", "edit the LNG", "sync the peering")


def carry_setup(rng: random.Random) -> dict:
    a, b, j = _numbers(rng)
    kinds = list(KINDS)
    rng.shuffle(kinds)
    return {"vnet1": f"10.{a}.0.0/16", "vnet2": f"10.{b}.0.0/16", "added_range": f"172.{j}.0.0/16",
            "new_vm_ip": f"172.{j}.{rng.randint(0, 255)}.{rng.randint(4, 250)}", "kinds": kinds,
            "remedies": list(REMEDIES)}


def _pair(givens: Mapping, kind: str) -> Network:
    """vnet1 and vnet2 joined by ``kind``, after vnet2 added its new range (and a VM in it)."""
    net = Network()
    for name in ("vnet1", "vnet2"):
        space = IPNetwork(givens[name])
        v = net.add_vnet(name, [str(space)], region="westeurope")
        v.add_subnet("app", f"{space.network}/24").add_nic(f"vm-{name}")
        if kind != "VNetPeering":
            v.add_subnet(GATEWAY, _gateway_subnet(givens[name]))
            net.add_vpn_gateway(name, "VpnGw1AZ")
    if kind == "VNetPeering":
        net.peer("vnet1", "vnet2")
    elif kind == "Vnet2Vnet":
        net.connect("vnet1", "vnet2")
    else:
        net.add_local_network_gateway("lng-vnet2", "203.0.113.2", [givens["vnet2"]])
        net.add_local_network_gateway("lng-vnet1", "203.0.113.1", [givens["vnet1"]])
        net.connect("vnet1", "lng-vnet2", kind="IPsec")
        net.connect("vnet2", "lng-vnet1", kind="IPsec")
    net.add_address_space("vnet2", givens["added_range"])
    new = IPNetwork(givens["new_vm_ip"] + "/24")
    net.vnet("vnet2").add_subnet("new", f"{new.network}/24").add_nic("vm-new", givens["new_vm_ip"])
    return net


def remedy_truth(givens: Mapping) -> dict[str, str]:
    """What each kind needs before vm-vnet1 reaches vm-new, found by trying each remedy with the engine."""
    out = {}
    for kind in givens["kinds"]:
        net = _pair(givens, kind)
        if net.trace("vm-vnet1", givens["new_vm_ip"]).reachable:
            out[kind] = "nothing"
            continue
        for remedy, apply in (("edit the LNG", lambda n: n.set_local_network_gateway_prefixes(
                "lng-vnet2", [givens["vnet2"], givens["added_range"]])),
                              ("sync the peering", lambda n: n.sync_peering("vnet1", "vnet2"))):
            trial = net.copy()
            try:
                apply(trial)
            except VnetlabError:
                continue
            if trial.trace("vm-vnet1", givens["new_vm_ip"]).reachable:
                out[kind] = remedy
                break
    return out


def read_remedies(raw: Any, givens: Mapping) -> dict:
    if still_open(raw):
        raise Unanswered("No answer yet: fill in `needs` with one remedy per connection kind.")
    if not isinstance(raw, dict):
        raise AnswerError(f"`needs` should be a dict from connection kind to remedy; got {type(raw).__name__}.",
                          value=raw, rule="answer format")
    out = {}
    for kind in givens["kinds"]:
        value = raw.get(kind)
        if still_open(value):
            out[kind] = None
            continue
        label = {r.lower(): r for r in REMEDIES}.get(value.strip().lower() if isinstance(value, str) else None)
        if label is None:
            raise AnswerError(f"needs[{kind!r}] = {value!r}: use one of {', '.join(map(repr, REMEDIES))}.",
                              value=value, rule="answer format")
        out[kind] = label
    if all(v is None for v in out.values()):
        raise Unanswered("No answer yet: replace the '?' in `needs`.")
    return out


def _miss(answers: dict, givens: Mapping, kind: str) -> str | None:
    truth = remedy_truth(givens)[kind]
    if answers[kind] == truth:
        return None
    return f"{kind} has no answer yet." if answers[kind] is None else truth


def carry_ipsec(answers: dict, givens: Mapping) -> str | None:
    truth = _miss(answers, givens, "IPsec")
    if truth is None or truth.endswith("yet."):
        return truth
    if answers["IPsec"] == "nothing":
        return ("A Site-to-Site (IPsec) connection routes only the prefixes typed in the local network gateway; "
                "Azure does not update them when the VNet behind it changes (VNet-to-VNet how-to, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-howto-vnet-vnet-resource-manager-portal, 2025-06-30).")
    return (f"IPsec: not '{answers['IPsec']}'. A Site-to-Site connection's routes come from the prefixes typed in "
            "its local network gateway: what updates them when the far VNet grows?")


def carry_v2v(answers: dict, givens: Mapping) -> str | None:
    truth = _miss(answers, givens, "Vnet2Vnet")
    if truth is None or truth.endswith("yet."):
        return truth
    return ("A VNet-to-VNet connection has no LNG of yours to edit: Azure fills in each side's view of the other "
            "VNet's address space and updates it when that space changes (VNet-to-VNet how-to, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-howto-vnet-vnet-resource-manager-portal, 2025-06-30).")


# BEGIN HIDDEN CHECKS
def carry_peering(answers: dict, givens: Mapping) -> str | None:
    truth = _miss(answers, givens, "VNetPeering")
    if truth is None or truth.endswith("yet."):
        return truth
    return ("A peering link keeps its own copy of the peer's address space: after vnet2 adds a range the link "
            "is out of sync, and vnet1 learns the range only once the link is synced (Update peered address space, https://learn.microsoft.com/azure/virtual-network/update-virtual-network-peering-address-space, 2023-03-21).")
# END HIDDEN CHECKS


# BEGIN HIDDEN CHECKS
def carry_all(answers: dict, givens: Mapping) -> str | None:
    return differences([k for k, v in remedy_truth(givens).items() if answers[k] != v], "answers", "simulator's")
# END HIDDEN CHECKS


Q2 = Question(
    id="q2", title="Which connection carries a new range without edits?", points=3, answer="needs",
    setup=carry_setup, read=read_remedies,
    checks=(
        Check("Site-to-Site routes only what the LNG lists", carry_ipsec, misconceptions=("lng-prefixes",)),
        Check("VNet-to-VNet follows the address space by itself", carry_v2v,
              misconceptions=("v2v-follows-address-space",)),
        # BEGIN HIDDEN CHECKS
        Check("A peering learns a new range when it is synced", carry_peering, visible=False,
              rule="After a peered VNet adds an address range, the peering link is out of sync until it is "
                   "synced; only then does the other VNet learn the range.",
              source=fact("peering", "peering_sync_level").cite(), misconceptions=("peering-sync",)),
        Check("Every answer matches the simulator", carry_all, visible=False,
              rule="A Site-to-Site connection routes what its local network gateway lists; a VNet-to-VNet "
                   "connection follows address-space changes by itself; a peering needs a sync.",
              source=fact("ipsec", "vnet_to_vnet").cite(), targeted=False),
        # END HIDDEN CHECKS
    ),
    hints=(
        "For each kind, ask: where does vnet1's gateway (or peering link) get vnet2's address ranges from?",
        "Only one of the three is typed by hand. One is filled in by Azure and kept current. One is a copy "
        "that you refresh with a sync.",
    ),
)


# --- q3: outcome and rule --------------------------------------------------------------------------------------------
JOIN_RULES = (
    Rule("one-connection",
         "A VNet-to-VNet tunnel is two connection resources, one on each gateway; with only one, it does not come up.",
         "a missing half matters only for a VNet-to-VNet connection that has one resource; count the connection "
         "resources of this pair.",
         ids=('v2v-two-connections',)),
    Rule("lng-static",
         "A Site-to-Site (IPsec) connection routes exactly the prefixes typed in its local network gateway; Azure "
         "never edits them.",
         "typed prefixes decide only for IPsec (Site-to-Site) connections, which have a local network gateway; what "
         "joins this pair, and what does the packet's route come from?",
         ids=('lng-prefixes',)),
    Rule("v2v-follows",
         "A VNet-to-VNet connection learns the other VNet's address space from Azure and follows its changes.",
         "Azure keeps the other side's ranges current only on a VNet-to-VNet connection whose two halves exist, and "
         "only when that connection carries the packet.",
         ids=('v2v-follows-address-space',)),
    Rule("peering-preferred",
         "When two VNets are both peered and connected through their gateways, the peering's route wins and carries "
         "the traffic.",
         "that rule needs a peering and a gateway connection between the same two VNets at once.",
         ids=('vnet-routes-beat-bgp',)),
    Rule("peering-sync",
         "A peering link keeps its own copy of the peer's address space; a range added later is unknown until the "
         "link is synced.",
         "a sync matters only for a peering, and only for a range the peer added after the peering was made.",
         ids=('peering-sync',)),
)
JOIN_OUTCOMES = ("Reachable", "Dropped")
SCENARIOS = {  # kind of join, destination, what the learner is told
    "s2s-new": ("IPsec", "new", "Site-to-Site, to the range vnet2 added"),
    "s2s-listed": ("IPsec", "old", "Site-to-Site, to vnet2's original range"),
    "v2v-new": ("Vnet2Vnet", "new", "VNet-to-VNet, to the range vnet2 added"),
    "v2v-one": ("one-side", "old", "VNet-to-VNet created from vnet1's side only, to vnet2's original range"),
    "peering-new": ("VNetPeering", "new", "peering, to the range vnet2 added"),
    "peered-and-v2v": ("both", "old", "VNet-to-VNet and a peering between the same VNets, to vnet2's original range"),
}


def _join(givens: Mapping, kind: str) -> Network:
    if kind in ("IPsec", "Vnet2Vnet", "VNetPeering"):
        return _pair(givens, kind)
    net = _pair(givens, "Vnet2Vnet")
    if kind == "both":
        net.peer("vnet1", "vnet2")
        return net
    one = Network.from_dict({**net.to_dict(), "connections": []})     # "one-side": vnet1's resource only
    one.connect("vnet1", "vnet2", bidirectional=False)
    return one


def join_setup(rng: random.Random) -> dict:
    numbers = carry_setup(rng)
    order = list(SCENARIOS)
    rng.shuffle(order)
    items = {}
    for i, scenario in enumerate(order):
        kind, where, story = SCENARIOS[scenario]
        net = _join(numbers, kind)
        dst = numbers["new_vm_ip"] if where == "new" else str(net.nic("vm-vnet2").ip)
        items[f"s{i + 1}"] = {"story": story, "network": net.to_dict(), "source": "vm-vnet1", "destination": dst}
    return {"items": items, **rule_givens(JOIN_RULES, JOIN_OUTCOMES)}


def join_truth(givens: Mapping) -> dict[str, tuple[str, str]]:
    """The trace's verdict, and the rule the engine's state shows: the route that carried the packet (peering, a
    VNet-to-VNet or an IPsec connection), or why none did (a half-made VNet-to-VNet, a peering out of sync, an LNG
    that does not list the destination)."""
    out = {}
    for item, q in givens["items"].items():
        net = Network.from_dict(q["network"])
        t = net.trace(q["source"], q["destination"])
        route = next(h.route for h in t.hops if h.action == "route lookup")
        kinds = {c.kind: c for c in net.gateway("vnet1").connections.values()} if net.vnet("vnet1").gateway else {}
        if t.reachable and route.next_hop_type in ("VNetPeering", "VNetGlobalPeering"):
            rule = "peering-preferred" if kinds else "peering-sync"
        elif t.reachable:
            rule = "v2v-follows" if "Vnet2Vnet" in kinds else "lng-static"
        elif "Vnet2Vnet" in kinds and kinds["Vnet2Vnet"].status != "Connected":
            rule = "one-connection"
        elif any(l.peering_sync_level != "FullyInSync" for l in net.peering_links):
            rule = "peering-sync"
        else:
            rule = "lng-static" if "IPsec" in kinds else "v2v-follows"
        out[item] = ("Reachable" if t.reachable else "Dropped", rule)
    return out


Q3 = outcome_rule_question(
    id="q3", title="Outcome and rule: which rule decides the path?", points=4, answer="why", setup=join_setup,
    truth=join_truth, outcomes=JOIN_OUTCOMES, rules=JOIN_RULES, what="the simulator's trace shows",
    misconceptions=('lng-prefixes', 'v2v-follows-address-space', 'v2v-two-connections'),
    hints=("Read each story first: what joins the two VNets (a peering, one or two VNet-to-VNet resources, IPsec "
           "with local network gateways), and is the destination in the range vnet2 added later?",
           "Then ask where vnet1's route to that address comes from: typed by hand, filled in by Azure, or a copy "
           "the peering keeps. If both a peering and a connection exist, which route wins?",),
    rule="The outcome follows from where vnet1's route comes from: typed in an LNG, kept current by Azure for "
         "VNet-to-VNet, or a peering's copy; a half-made VNet-to-VNet carries nothing; a peering wins over a gateway.",
    source=("ipsec", "vnet_to_vnet"))


EXERCISE = ExerciseSpec(
    name="04-vnet-to-vnet-vs-site-to-site", title="VNet-to-VNet versus Site-to-Site",
    lesson="../notebooks/04-vnet-to-vnet-vs-site-to-site.ipynb", questions=(Q1, Q2, Q3),
)
