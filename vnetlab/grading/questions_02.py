"""Graded exercise 02 · VNet peering (concepts C3, C4, C5; lesson ``notebooks/02-vnet-peering``).

q1 decide which VNets can peer and why (overlap, cloud; regions, subscriptions and tenants do not matter);
q2 predict reachability in a hub and spokes with a global, a cross-tenant and a switched-off link; q3 make
two spokes reach each other in the peering explorer widget without renumbering anything; q4 outcome and rule:
for q2's kind of flows, the verdict and the rule that decides it, read from the trace's hops (:mod:`.outcome_rule`).
The truth is always the engine's: ``Network.peer`` for who can peer, ``Network.trace`` for reachability,
computed in the grader's process from the plain givens and answers.
"""
from __future__ import annotations

import itertools
import random
from typing import Any, Mapping

from ..errors import PeeringError, PeeringOverlapError, VnetlabError
from ..network import Network
from .core import (AnswerError, Check, ExerciseSpec, Question, Unanswered, differences, every_message, pairs_mapping,
                   still_open)
from .misconceptions import Targeted
from .outcome_rule import Rule, outcome_rule_question, rule_givens
# BEGIN HIDDEN CHECKS
from ..facts import fact
# END HIDDEN CHECKS

WIDE = ("northeurope", "eastus", "japanwest", "australiaeast")


def _vnet(name: str, space: str, region: str, subscription: str, tenant: str, **extra: Any) -> dict:
    return {"name": name, "address_space": [space], "region": region, "subscription": subscription,
            "tenant": tenant, **extra}


def _with_vm(vnet: dict, subnet: str, prefix: str, ip: str) -> dict:
    return {**vnet, "subnets": [{"name": subnet, "prefix": prefix, "nics": [{"name": f"vm-{vnet['name']}", "ip": ip}]}]}


def _read_pairs(raw: Any, name: str, keys: list[tuple[str, str]], *, ordered: bool) -> dict:
    """A dict keyed by pairs such as ``("a", "b")``, checked against the pairs the question asks about."""
    if raw is None:
        raise Unanswered(f"No answer yet: fill in `{name}`.")
    wanted = {(tuple(k) if ordered else frozenset(k)): tuple(k) for k in keys}
    found: dict = {}
    for key, value in pairs_mapping(raw, name):
        if not (isinstance(key, list) and len(key) == 2 and all(isinstance(n, str) for n in key)):
            raise AnswerError(f"`{name}`: the key {key!r} should be a pair of names like {tuple(keys[0])!r}.",
                              value=key, rule="answer format")
        canonical = tuple(key) if ordered else frozenset(key)
        if canonical not in wanted:
            raise AnswerError(f"`{name}`: {tuple(key)!r} is not one of the pairs asked about.", value=key,
                              rule="answer format")
        found[wanted[canonical]] = None if still_open(value) else value
    answers = {tuple(k): found.get(tuple(k)) for k in keys}
    if all(v is None for v in answers.values()):
        raise Unanswered(f"No answer yet: replace the placeholders in `{name}`.")
    return answers


def _common_peer(net: Network, a: str, b: str) -> str | None:
    """A VNet connected (both links) to both ``a`` and ``b``: the hub a learner hopes is transitive."""
    va, vb = net.vnet(a), net.vnet(b)
    return next((name for name, link in va.peerings.items() if link.connected and name in vb.peerings
                 and vb.peerings[name].connected), None)


def _where(net: Network, name: str) -> str:
    v = net.vnet(name)
    return f"{v.name} ({v.region}, tenant {v.tenant})"


# --- q1: who can peer? --------------------------------------------------------------------------------------------
VERDICTS = ("peer", "overlap", "cloud")


def peers_setup(rng: random.Random) -> dict:
    k, j = rng.randint(1, 200), rng.randint(16, 31)
    cloud, cloud_region = rng.choice([("AzureUSGovernment", "usgovvirginia"), ("AzureChinaCloud", "chinanorth3")])
    nest = rng.choice([0, 1])
    length = rng.choice([17, 18])
    legacy = f"10.{k + nest}.{rng.randrange(2 ** (length - 16)) * 2 ** (24 - length)}.0/{length}"
    vnets = [
        _vnet("contoso-we", f"10.{k}.0.0/16", "westeurope", "contoso-prod", "contoso", cloud="AzureCloud"),
        _vnet("contoso-jw", f"10.{k + 1}.0.0/16", "japanwest", "contoso-dev", "contoso", cloud="AzureCloud"),
        _vnet("fabrikam-ne", f"172.{j}.0.0/16", "northeurope", "fabrikam-prod", "fabrikam", cloud="AzureCloud"),
        _vnet("fabrikam-legacy", legacy, rng.choice(["westeurope", "northeurope"]), "fabrikam-legacy", "fabrikam",
              cloud="AzureCloud"),
        _vnet("contoso-sovereign", f"10.{k + 2}.0.0/16", cloud_region, "contoso-sovereign", "contoso-sovereign",
              cloud=cloud),
    ]
    rng.shuffle(vnets)
    pairs = [[a["name"], b["name"]] for a, b in itertools.combinations(vnets, 2)]
    return {"vnets": vnets, "pairs": pairs, "verdicts": list(VERDICTS)}


def true_verdicts(givens: Mapping) -> dict[tuple[str, str], str]:
    """Ask the engine: create each peering on a fresh copy and see whether Azure's rules refuse it."""
    net = Network.from_dict({"vnets": givens["vnets"]})
    verdicts = {}
    for a, b in givens["pairs"]:
        trial = net.copy()
        try:
            trial.peer(a, b)
            verdicts[(a, b)] = "peer"
        except PeeringOverlapError:
            verdicts[(a, b)] = "overlap"
        except PeeringError:
            if trial.vnet(a).cloud == trial.vnet(b).cloud:
                raise
            verdicts[(a, b)] = "cloud"
    return verdicts


def read_verdicts(raw: Any, givens: Mapping) -> dict:
    answers = _read_pairs(raw, "verdicts", [tuple(p) for p in givens["pairs"]], ordered=False)
    for pair, value in answers.items():
        if value is None:
            continue
        label = value.strip().lower() if isinstance(value, str) else value
        if label not in VERDICTS:
            raise AnswerError(f"verdicts[{pair!r}] = {value!r}: use one of {', '.join(map(repr, VERDICTS))}.",
                              value=value, rule="answer format")
        answers[pair] = label
    return answers


def _verdict_gap(answers: dict, pair: tuple[str, str]) -> str | None:
    return f"{pair} has no verdict yet." if answers[pair] is None else None


def _count_verdicts(answers: dict, wrong: list[tuple[str, str]], rule: str) -> str | None:
    """How many verdicts break ``rule``, and the rule, never which pairs: with three labels, naming the pair next
    to the rule it breaks hands over its verdict, one pair per attempt."""
    parts = [gap for gap in map(lambda p: _verdict_gap(answers, p), wrong) if gap]
    n = sum(answers[p] is not None for p in wrong)
    if n:
        parts.append(f"{n} of your {len(answers)} verdicts {'contradicts' if n == 1 else 'contradict'} this rule: "
                     f"{rule}")
    return " ".join(parts) or None


def verdicts_far(answers: dict, givens: Mapping) -> str | None:
    net = Network.from_dict({"vnets": givens["vnets"]})
    wrong = []
    for pair, truth in true_verdicts(givens).items():
        a, b = (net.vnet(n) for n in pair)
        far = (a.region, a.subscription, a.tenant) != (b.region, b.subscription, b.tenant)
        if truth == "peer" and far and answers[pair] != "peer":
            wrong.append(pair)
    return _count_verdicts(answers, wrong, (
        "VNets in different regions, subscriptions or tenants can still peer: global peering joins VNets in different "
        "regions, and a peering may cross subscriptions and Microsoft Entra tenants. Look again at the pairs you "
        "refused for their location or owner."))


def verdicts_overlap(answers: dict, givens: Mapping) -> str | None:
    wrong = [pair for pair, truth in true_verdicts(givens).items() if truth == "overlap" and answers[pair] in ("peer", None)]
    return _count_verdicts(answers, wrong, (
        "Azure refuses to peer VNets whose address spaces overlap, wherever they are; two CIDR ranges overlap when one "
        "lies inside the other. Compare first and last addresses of each pair you let peer."))


# BEGIN HIDDEN CHECKS
def verdicts_cloud(answers: dict, givens: Mapping) -> str | None:
    for pair, truth in true_verdicts(givens).items():
        if truth == "cloud" and answers[pair] != "cloud":
            return f"{pair}: peering does not work across Azure clouds (a sovereign cloud is a separate Azure)."
    return None
# END HIDDEN CHECKS


# BEGIN HIDDEN CHECKS
def verdicts_all(answers: dict, givens: Mapping) -> str | None:
    return differences([pair for pair, truth in true_verdicts(givens).items() if answers[pair] != truth],
                       "verdicts", "engine's")
# END HIDDEN CHECKS


Q1 = Question(
    id="q1", title="Which VNets can be peered, and why not?", points=5, answer="verdicts",
    setup=peers_setup, read=read_verdicts,
    checks=(
        Check("Different regions, subscriptions or tenants do not stop a peering", verdicts_far, weight=2,
              misconceptions=("peering-limited-by-boundaries",)),
        Check("Overlapping address spaces cannot be peered", verdicts_overlap, weight=2,
              misconceptions=("overlap-blocks-peering",)),
        # BEGIN HIDDEN CHECKS
        Check("Peering does not cross Azure clouds", verdicts_cloud, visible=False,
              rule="VNet peering works within one Azure cloud only; VNets in different clouds (e.g. Azure "
                   "Government and Azure public) cannot be peered.",
              source=fact("peering", "clouds").cite(), misconceptions=("peering-cross-cloud",)),
        Check("Every verdict matches the engine", verdicts_all, visible=False,
              rule="Each pair's verdict follows from the peering rules: overlapping address spaces and "
                   "different clouds block a peering; regions, subscriptions and tenants do not.",
              source=fact("peering", "clouds").cite(), targeted=False),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Only two things in this table can stop a peering. Region, subscription and tenant are not among them.",
        "Compare the address spaces pair by pair: does one range lie inside the other? Then look at the "
        "`cloud` column: is there more than one Azure here?",
        "The lesson's sections on overlapping spaces and on regional and global peering try both rules on the "
        "simulator; you can do the same with net.peer(a, b) on a copy of a network.",
    ),
)


# --- q2: predict reachability ----------------------------------------------------------------------------------
def reach_setup(rng: random.Random) -> dict:
    k, j = rng.randint(1, 200), rng.randint(16, 31)
    far = rng.choice(WIDE)

    def host() -> int:
        return rng.randint(4, 250)

    vnets = [
        _with_vm(_vnet("hub", f"10.{k}.0.0/16", "westeurope", "contoso-connectivity", "contoso"),
                 "shared", f"10.{k}.1.0/24", f"10.{k}.1.{host()}"),
        _with_vm(_vnet("spoke1", f"10.{k + 1}.0.0/16", "westeurope", "contoso-app1", "contoso"),
                 "app", f"10.{k + 1}.1.0/24", f"10.{k + 1}.1.{host()}"),
        _with_vm(_vnet("spoke2", f"10.{k + 2}.0.0/16", far, "contoso-app2", "contoso"),
                 "app", f"10.{k + 2}.1.0/24", f"10.{k + 2}.1.{host()}"),
        _with_vm(_vnet("spoke3", f"10.{k + 3}.0.0/16", "westeurope", "contoso-lab", "contoso"),
                 "lab", f"10.{k + 3}.1.0/24", f"10.{k + 3}.1.{host()}"),
        _with_vm(_vnet("partner", f"172.{j}.0.0/16", rng.choice(["westeurope", far]), "fabrikam-prod", "fabrikam"),
                 "api", f"172.{j}.1.0/24", f"172.{j}.1.{host()}"),
    ]
    peerings = [{"peer": ["hub", "spoke1"]}, {"peer": ["hub", "spoke2"]}, {"peer": ["spoke1", "partner"]},
                {"vnet": "hub", "remote": "spoke3"},
                {"vnet": "spoke3", "remote": "hub", "allow_virtual_network_access": False}]
    questions = [["vm-spoke1", "vm-spoke2"], ["vm-spoke2", "vm-spoke1"], ["vm-spoke2", "vm-hub"],
                 ["vm-partner", "vm-spoke1"], ["vm-partner", "vm-hub"], ["vm-spoke3", "vm-hub"], ["vm-hub", "vm-spoke1"]]
    rng.shuffle(questions)
    return {"network": {"name": "contoso-spokes", "vnets": vnets, "peerings": peerings}, "questions": questions}


def _trace(net: Network, src: str, dst: str):
    return net.trace(src, str(net.nic(dst).ip))


def reach_truth(givens: Mapping) -> list[tuple[tuple[str, str], bool, str]]:
    """(pair, reachable per Network.trace, kind): kind is transitive, access-off, cross or plain."""
    net = Network.from_dict(givens["network"])
    rows = []
    for src, dst in givens["questions"]:
        sv, dv = net.nic(src).vnet, net.nic(dst).vnet
        link = sv.peerings.get(dv.name)
        if link is not None and not link.settings.allow_virtual_network_access:
            kind = "access-off"
        elif link is None and _common_peer(net, sv.name, dv.name):
            kind = "transitive"
        elif (sv.region, sv.tenant) != (dv.region, dv.tenant):
            kind = "cross"
        else:
            kind = "plain"
        rows.append(((src, dst), _trace(net, src, dst).reachable, kind))
    return rows


def read_predictions(raw: Any, givens: Mapping) -> dict:
    answers = _read_pairs(raw, "predictions", [tuple(q) for q in givens["questions"]], ordered=True)
    words = {"reachable": True, "dropped": False}
    for pair, value in answers.items():
        if isinstance(value, str) and value.strip().lower() in words:
            value = words[value.strip().lower()]
        if value is not None and not isinstance(value, bool):
            raise AnswerError(f"predictions[{pair!r}] = {value!r}: use True (reachable) or False (dropped).",
                              value=value, rule="answer format")
        answers[pair] = value
    return answers


def _misses(answers: dict, givens: Mapping, kind: str):
    for pair, truth, k in reach_truth(givens):
        if k == kind and answers[pair] is not truth:
            yield pair, truth


def _count_misses(answers: dict, givens: Mapping, kind: str, rule: str) -> str | None:
    """How many predictions break ``rule`` and the rule itself, never which pair or its verdict: with yes/no
    answers, naming the wrong pair would hand over its truth, one pair per attempt."""
    misses = list(_misses(answers, givens, kind))
    empty = [f"{src} → {dst} has no prediction yet." for (src, dst), _ in misses if answers[(src, dst)] is None]
    wrong = len(misses) - len(empty)
    if wrong:
        empty.append(f"{wrong} of your {len(answers)} predictions {'contradicts' if wrong == 1 else 'contradict'} "
                     f"this rule: {rule}")
    return " ".join(empty) or None


def reach_transitive(answers: dict, givens: Mapping) -> str | None:
    return _count_misses(answers, givens, "transitive", (
        "peering is not transitive: two VNets each peered with a third have no route to each other. Find the pairs "
        "whose VNets are not peered directly."))


def reach_cross(answers: dict, givens: Mapping) -> str | None:
    return _count_misses(answers, givens, "cross", (
        "a peering carries traffic across regions (global peering) and across tenants: VNets peered directly reach "
        "each other wherever they are."))


# BEGIN HIDDEN CHECKS
def reach_access(answers: dict, givens: Mapping) -> str | None:
    for (src, dst), _ in _misses(answers, givens, "access-off"):
        return f"{src} → {dst}: the link has allow_virtual_network_access off, so the peering carries no traffic."
    return None
# END HIDDEN CHECKS


# BEGIN HIDDEN CHECKS
def reach_all(answers: dict, givens: Mapping) -> str | None:
    return differences([pair for pair, truth, _ in reach_truth(givens) if answers[pair] is not truth],
                       "predictions", "simulator's")
# END HIDDEN CHECKS


Q2 = Question(
    id="q2", title="Predict who reaches whom", points=5, answer="predictions",
    setup=reach_setup, read=read_predictions,
    checks=(
        Check("Peering is not transitive", reach_transitive, weight=2, misconceptions=("transitive-peering",)),
        Check("Global and cross-tenant peerings carry traffic", reach_cross, weight=2,
              misconceptions=("peering-limited-by-boundaries",)),
        # BEGIN HIDDEN CHECKS
        Check("A link with virtual network access off carries no traffic", reach_access, visible=False,
              rule="A peering link with allow_virtual_network_access off carries no traffic from its VNet to "
                   "the remote one.",
              source=fact("peering", "settings").cite(), misconceptions=("peering-access-off",)),
        Check("Every prediction matches the simulator", reach_all, visible=False,
              rule="Every prediction follows from the same rules: traffic crosses one peering at a time, and "
                   "only over links that allow access.",
              source=fact("routing", "peering_routes").cite(), targeted=False),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Draw the VNets and one line per peering. A packet crosses at most one line: it never hops from one "
        "peering onto another.",
        "Regions and tenants are labels on the VNets, not on the lines; a line is a line.",
        "Read every link's settings, not only whether the peering exists: each side has its own four settings.",
    ),
)


# --- q3: connect two spokes in the peering explorer ----------------------------------------------------------------
def fix_setup(rng: random.Random) -> dict:
    k = rng.randint(1, 200)
    region = rng.choice(("westeurope", *WIDE))
    vnets = [
        _with_vm(_vnet("hub", f"10.{k}.0.0/16", "westeurope", "contoso-connectivity", "contoso"),
                 "shared", f"10.{k}.1.0/24", f"10.{k}.1.4"),
        _with_vm(_vnet("spoke1", f"10.{k + 1}.0.0/16", "westeurope", "contoso-app1", "contoso"),
                 "app", f"10.{k + 1}.1.0/24", f"10.{k + 1}.1.4"),
        _with_vm(_vnet("spoke2", f"10.{k + 2}.0.0/16", region, "contoso-app2", "contoso"),
                 "app", f"10.{k + 2}.1.0/24", f"10.{k + 2}.1.4"),
    ]
    network = {"name": "hub-and-spoke", "vnets": vnets, "peerings": [{"peer": ["hub", "spoke1"]},
                                                                      {"peer": ["hub", "spoke2"]}]}
    return {"network": network, "from": "vm-spoke1", "to": "vm-spoke2"}


def read_network(raw: Any, givens: Mapping) -> Network:
    if raw is None:
        raise Unanswered("No answer recorded yet: make the change in the explorer, then click 'Record my answer'.")
    if not isinstance(raw, dict):
        raise AnswerError("The recorded answer should be a network as plain data (what the explorer records); "
                          "record it again from the explorer.", value=raw, rule="answer format")
    try:
        return Network.from_dict(raw)
    except VnetlabError as exc:
        raise AnswerError(f"The recorded network is not valid: {exc}", value=None, rule=exc.rule) from None


def _inventory(net: Network) -> tuple[dict, dict]:
    spaces = {v.name: [str(r) for r in v.address_space] for v in net.vnets.values()}
    vms = {n.name: (n.vnet.name, str(n.ip)) for n in net.nics}
    return spaces, vms


def fix_unchanged(net: Network, givens: Mapping) -> str | None:
    spaces, vms = _inventory(Network.from_dict(givens["network"]))
    now_spaces, now_vms = _inventory(net)
    for name, space in spaces.items():
        if name not in now_spaces:
            return f"VNet {name} is gone from your network; the task keeps every VNet."
        if now_spaces[name] != space:
            return (f"You changed {name}'s address space from {', '.join(space)} to {', '.join(now_spaces[name])}: "
                    "the task is to connect the spokes without renumbering anything.")
    for vm, place in vms.items():
        if now_vms.get(vm) != place:
            return f"{vm} is no longer at {place[1]} in {place[0]}; leave the VMs where they are."
    return None


def why_unreachable(net: Network, src: str, dst: str) -> str | None:
    """None if ``src`` reaches ``dst``; else what is missing, in terms of the peering's links and settings."""
    gone = [vm for vm in (src, dst) if vm not in {n.name for n in net.nics}]
    if gone:
        return f"{gone[0]} is not in your network any more; the task keeps every VM where it is."
    result = _trace(net, src, dst)
    if result.reachable:
        return None
    sv, dv = net.nic(src).vnet, net.nic(dst).vnet
    link, back = sv.peerings.get(dv.name), dv.peerings.get(sv.name)
    if link is not None and not link.connected or link is None and back is not None:
        return Targeted(f"{src} → {dst} is dropped: only one of the two links between {sv.name} and {dv.name} exists. "
                        "A peering needs a link on each VNet (the explorer's Peer button creates both).",
                        "peering-two-links")
    if link is not None and not link.settings.allow_virtual_network_access:
        return Targeted(f"{src} → {dst} is dropped: the link {link.name} has allow_virtual_network_access off, so "
                        "the peering carries no traffic from that side.", "peering-access-off")
    via = _common_peer(net, sv.name, dv.name)
    if link is None and via:
        return Targeted(f"{src} → {dst} is dropped: peering is not transitive. {sv.name} and {dv.name} are both "
                        f"peered with {via}, not with each other.", "transitive-peering")
    return f"{src} → {dst} is {result.verdict}: {result.reason}"


def fix_forward(net: Network, givens: Mapping) -> str | None:
    return why_unreachable(net, givens["from"], givens["to"])


def fix_back(net: Network, givens: Mapping) -> str | None:
    return why_unreachable(net, givens["to"], givens["from"])


# BEGIN HIDDEN CHECKS
def fix_hub_kept(net: Network, givens: Mapping) -> str | None:
    return every_message(why_unreachable(net, src, dst) for spoke in (givens["from"], givens["to"])
                         for src, dst in ((spoke, "vm-hub"), ("vm-hub", spoke)))
# END HIDDEN CHECKS


Q3 = Question(
    id="q3", title="Make spoke1 reach spoke2 in the peering explorer", points=4, answer="explorer",
    widget="PeeringExplorer", setup=fix_setup, read=read_network,
    checks=(
        Check("VNets, address spaces and VMs are unchanged", fix_unchanged, targeted=False),
        Check("vm-spoke1 reaches vm-spoke2", fix_forward, weight=2, misconceptions=("transitive-peering",)),
        Check("vm-spoke2 reaches vm-spoke1 (the replies come back)", fix_back, misconceptions=("peering-two-links",)),
        # BEGIN HIDDEN CHECKS
        Check("The hub and both spokes still reach each other", fix_hub_kept, visible=False,
              rule="A fix must not break what worked: the hub and its spokes keep reaching each other.",
              source=fact("routing", "peering_routes").cite(), targeted=False),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Trace vm-spoke1 → vm-spoke2 first and read the reason: which peering does the packet need?",
        "In the explorer, pick the two VNets that must talk as 'a' and 'b' and look at their link's state.",
        "Changing a hub's settings does not make its peerings transitive; think about which VNets the packet "
        "leaves and enters.",
    ),
)


# --- q4: outcome and rule --------------------------------------------------------------------------------------------
REACH_RULES = (
    Rule("direct-peering",
         "The two VNets are peered with each other, and a peering carries traffic whatever the regions, "
         "subscriptions or tenants.",
         "a peering carries traffic only between the two VNets it joins, and only while both links allow access. "
         "Are these two peered with each other, and do both links let traffic through?",
         ids=('transitive-peering', 'peering-access-off')),
    Rule("not-transitive",
         "Peering is not transitive: two VNets each peered with a third have no route to each other.",
         "transitivity is the question only for two VNets that are not peered with each other; VNets peered directly "
         "have a route to each other, however far apart they are.",
         ids=('peering-limited-by-boundaries',)),
    Rule("access-off",
         "A peering link with allow_virtual_network_access off carries no traffic between the pair it joins.",
         "a link's settings matter only for the pair that link joins; look at which VNets each link with access off "
         "joins.",
         ids=('peering-access-off',)),
)
REACH_OUTCOMES = ("Reachable", "Dropped")


def why_setup(rng: random.Random) -> dict:
    given = reach_setup(rng)
    return {"network": given["network"], "items": {f"f{i + 1}": q for i, q in enumerate(given["questions"])},
            **rule_givens(REACH_RULES, REACH_OUTCOMES)}


def why_truth(givens: Mapping) -> dict[str, tuple[str, str]]:
    """The trace's verdict, and the rule its hops show: delivered over a peering; dropped on a route with next hop
    None (no route to a peer's peer); dropped on a peering route whose link refuses access."""
    net = Network.from_dict(givens["network"])
    out = {}
    for item, (src, dst) in givens["items"].items():
        t = _trace(net, src, dst)
        lookup = [h.route for h in t.hops if h.action == "route lookup"][-1]
        if t.reachable:
            out[item] = ("Reachable", "direct-peering")
        elif lookup.next_hop_type in ("VNetPeering", "VNetGlobalPeering"):
            out[item] = ("Dropped", "access-off")
        else:
            out[item] = ("Dropped", "not-transitive")
    return out


Q4 = outcome_rule_question(
    id="q4", title="Outcome and rule: why does it (not) arrive?", points=4, answer="why", setup=why_setup,
    truth=why_truth, outcomes=REACH_OUTCOMES, rules=REACH_RULES, what="the simulator's trace shows",
    misconceptions=('transitive-peering', 'peering-access-off'),
    hints=("For each flow, first decide which rule applies: are the two VNets peered with each other, and how do "
           "both links of that peering look? Then the outcome follows from the rule.",
           "A trace tells the outcome; the rule is in where it stops: on a route with next hop None, or on a "
           "peering route whose link refuses the traffic.",),
    rule="Each flow's outcome follows from one rule: a direct peering carries it, a missing direct peering drops "
         "it (not transitive), or a link with access off drops it.",
    source=("peering", "settings"))


EXERCISE = ExerciseSpec(
    name="02-vnet-peering", title="VNet peering", lesson="../notebooks/02-vnet-peering.ipynb",
    questions=(Q1, Q2, Q3, Q4),
)
