"""Graded exercise 11 · Troubleshooting (lesson ``notebooks/11-troubleshooting``; the fault catalogue
``vnetlab/data/faults.yaml``; azure-facts §2.6, §4, §5.1, §6.2–§6.4, §7.3, §7.7, §8.3, §1.1).

Each question hands the learner a broken network: a working hub-and-spoke network with a branch and an appliance
(:mod:`vnetlab.troubleshoot.bases`) into which the seed injected a catalogued fault (q1: inside Azure's routing,
peering or filtering; q2: at the tunnel, the addresses or the gateway; q3: two faults at once). The learner sees the
symptom, runs the Network Watcher-style tools, names the cause from the catalogue's vocabulary and repairs the
network. The checks, all computed by the engine: the cause is the injected fault (a wrong cause is answered with the
evidence the learner missed, read from the tools' results); the symptom's probes pass on the repaired network;
every flow that worked before the fault still works (the reachability matrix before and after); the repair is
minimal (no renumbering, no NSG, route table, peering or connection removed where a setting suffices).
"""
from __future__ import annotations

import random
from typing import Any, Mapping

from ..errors import VnetlabError
from ..network import Network
from ..troubleshoot import catalogue, fault as catalogued, inject_many, repair, symptoms
from ..troubleshoot.bases import base_network, baseline_flows
from ..troubleshoot.evidence import gather
from ..troubleshoot.faults import Incident, reachability
from .core import AnswerError, Check, ExerciseSpec, Question, Unanswered, still_open
from .misconceptions import Targeted, for_fault

# what a wrong cause can show: the misconception behind each catalogued fault (a message names the ones it caught)
FAULT_MISCONCEPTIONS = tuple(dict.fromkeys(m for f in catalogue() for m in for_fault(f.id)))

# The faults each question draws from (q3 draws one of each list).
INSIDE = ("missing_use_remote_gateways", "peering_initiated", "peering_not_synced", "udr_blackhole",
          "nva_ip_forwarding_off", "forwarded_traffic_off", "nsg_shadowed_allow", "overlap_by_change")
EDGE = ("stale_lng_prefixes", "ike_policy_mismatch", "nat_missing_for_overlap", "bgp_reserved_asn", "sku_too_small")
PAIR_INSIDE = ("udr_blackhole", "nsg_shadowed_allow", "forwarded_traffic_off", "nva_ip_forwarding_off",
               "peering_not_synced", "missing_use_remote_gateways")


def _draw(level: str, seed: int) -> tuple[str, ...]:
    rng = random.Random(f"exercise-11-{level}-{seed}")
    if level == "q1":
        return (rng.choice(INSIDE),)
    if level == "q2":
        return (rng.choice(EDGE),)
    return (rng.choice(EDGE), rng.choice(PAIR_INSIDE))


def incident(givens: Mapping) -> Incident:
    """The incident behind the givens (rebuilt from the seed, so the faults are never stored in the givens)."""
    seed = givens["incident"]["seed"]
    return inject_many(_draw(givens["incident"]["level"], seed), seed)


def _probe_data(p) -> dict:
    """A probe as plain data; a planned change is ``{"method": ..., "kwargs": {...}}`` (try it on a copy)."""
    data = {k: v for k, v in p.__dict__.items() if v not in ("", None, (), 0) and k != "change"}
    if p.change:
        data["change"] = {"method": p.change[0], "kwargs": dict(p.change[1])}
    return data


def _setup(level: str):
    def setup(rng: random.Random) -> dict:
        seed = rng.randrange(1, 10 ** 6)
        inc = inject_many(_draw(level, seed), seed)
        return {"incident": {"level": level, "seed": seed},
                "network": inc.network.to_dict(),
                "symptom": inc.symptom,
                "probes": [_probe_data(p) for p in inc.probes],
                "tools": ["next_hop", "ip_flow_verify", "effective_routes", "effective_security_rules",
                          "connection_troubleshoot", "vpn_troubleshoot", "peering_status"],
                "vocabulary": [f.id for f in catalogue()]}
    setup.__name__ = f"setup_{level}"
    return setup


def read_report(raw: Any, givens: Mapping) -> dict:
    """``{"cause": "<fault id>" (q3: a list of two), "repaired": <the repaired Network>}``."""
    if still_open(raw):
        raise Unanswered("No answer yet: set the report to {'cause': ..., 'repaired': net}.")
    if not isinstance(raw, dict) or set(raw) - {"cause", "repaired"}:
        raise AnswerError("The report is a dict with two keys: 'cause' (a fault id from the vocabulary) and "
                          "'repaired' (your repaired Network).", value=raw, rule="answer format")
    cause = raw.get("cause")
    causes = [] if still_open(cause) else ([cause] if isinstance(cause, str) else cause)
    if not isinstance(causes, list) or not all(isinstance(c, str) for c in causes):
        raise AnswerError(f"'cause' = {cause!r}: a fault id as text (two in a list for question 3).", value=cause,
                          rule="causes are fault ids")
    vocabulary = givens["vocabulary"]
    unknown = [c for c in causes if c.strip() not in vocabulary]
    if unknown:
        raise AnswerError(f"'cause' {unknown[0]!r} is not in the catalogue's vocabulary: one of "
                          f"{', '.join(vocabulary)}.", value=unknown[0], rule="causes come from the catalogue")
    repaired = raw.get("repaired")
    if not causes:
        raise Unanswered("No answer yet: name the cause (a fault id from the vocabulary) and repair the network.")
    net = None
    if not still_open(repaired):
        try:
            net = Network.from_dict(repaired)
        except VnetlabError as exc:
            raise AnswerError(f"'repaired' is not a network this course can load: {exc}", value="repaired",
                              rule="repaired is a Network") from None
    return {"causes": [c.strip() for c in causes], "net": net}


def _cause(answer: dict, givens: Mapping) -> str | None:
    inc = incident(givens)
    truth, said = set(inc.faults), set(answer["causes"])
    if said == truth:
        return None
    if not said:
        return Targeted("No cause named yet.", *(m for fid in inc.faults for m in for_fault(fid)))
    lines = [f"{wrong!r} does not fit: its evidence ({catalogued(wrong).evidence}) is not what the tools show here."
             for wrong in sorted(said - truth)]
    for fid in (f for f in inc.faults if f not in said):
        shown = [e for e in gather(inc, fid) if e.shows]
        lines.append("Evidence you missed: " + "; ".join(f"{e.tool} ({e.question})" for e in shown) + ".")
    return Targeted(" ".join(lines), *(m for fid in sorted(truth ^ said) for m in for_fault(fid)))


def _symptom_gone(answer: dict, givens: Mapping) -> str | None:
    if answer["net"] is None:
        return "No repaired network yet."
    left = symptoms(answer["net"], incident(givens))
    return f"The symptom is still there: {left[0]}" if left else None


def _unrepaired(answer: dict, givens: Mapping) -> str | None:
    """Collateral damage and minimality are judged on a repair: not before one is made."""
    if answer["net"] is None:
        return "No repaired network yet."
    if symptoms(answer["net"], incident(givens)):
        return "Repair the symptom first; this check judges the repair."
    return None


def _nothing_broken(answer: dict, givens: Mapping) -> str | None:
    waiting = _unrepaired(answer, givens)
    if waiting:
        return waiting
    healthy, lay = base_network(givens["incident"]["seed"])
    flows = baseline_flows(lay)
    before = reachability(healthy, flows)
    net = answer["net"]
    for flow in flows:
        if not before[flow]:
            continue
        src, dst, site = flow
        try:
            t = net.trace(src, dst, port=443, from_site=site)
        except VnetlabError as exc:
            return f"Collateral damage: HTTPS {src} → {dst} worked before the fault and cannot run now ({exc})."
        if not t.reachable:
            return f"Collateral damage: HTTPS {src} → {dst} worked before the fault and fails now: {t.reason}"
    return None


# BEGIN HIDDEN CHECKS
def _plan(net: Network) -> dict:
    return {v.name: ([str(r) for r in v.address_space],
                     {s.name: (str(s.prefix), {n.name: str(n.ip) for n in s.nics.values()})
                      for s in v.subnets.values()}) for v in net.vnets.values()}


def _minimal(answer: dict, givens: Mapping) -> str | None:
    waiting = _unrepaired(answer, givens)
    if waiting:
        return waiting
    inc = incident(givens)
    reference = repair(inc, inc.network.copy())
    net = answer["net"]
    mine, ref = _plan(net), _plan(reference)
    for vnet, (space, subnets) in ref.items():
        if vnet not in mine:
            return f"VNet {vnet} is gone: a repair changes a setting, it does not remove a VNet."
        if mine[vnet][0] != space:
            return (f"{vnet}'s address space changed ({', '.join(space)} → {', '.join(mine[vnet][0])}): no "
                    "renumbering where a setting suffices.")
        if mine[vnet][1] != subnets:
            return f"{vnet}'s subnets or VM addresses changed: no renumbering where a setting suffices."
    for name, group in reference.network_security_groups.items():
        if name not in net.network_security_groups:
            return f"NSG {name} was deleted: fix the rule that decides, keep the NSG."
        kept = {r.name for r in net.network_security_groups[name].rules("Inbound")}
        gone = [r.name for r in group.rules("Inbound") if r.name not in kept]
        if gone:
            return f"Rule {gone[0]} of NSG {name} was deleted: reorder priorities rather than drop a rule."
    for name, table in reference.route_tables.items():
        if name not in net.route_tables:
            return f"Route table {name} was deleted: remove or change the one route at fault."
        gone = [r for r in table.routes if r not in net.route_tables[name].routes]
        if gone:
            return f"Route {gone[0]} of route table {name} was deleted although it was not at fault."
    links = {(l.local.name, l.remote.name) for l in net.peering_links}
    gone = [pair for pair in ((l.local.name, l.remote.name) for l in reference.peering_links) if pair not in links]
    if gone:
        return f"The peering link {gone[0][0]} → {gone[0][1]} is missing: keep (or re-create) both links."
    conns = {(c.gateway.vnet.name, c.remote.name) for c in net.connections if c.kind == "IPsec"}
    gone = [(c.gateway.vnet.name, c.remote.name) for c in reference.connections
            if c.kind == "IPsec" and (c.gateway.vnet.name, c.remote.name) not in conns]
    if gone:
        return f"The connection {gone[0][0]} → {gone[0][1]} is missing: repair it in place."
    if "sku_too_small" not in inc.faults and net.gateway("hub").sku != reference.gateway("hub").sku:
        return "The gateway was resized although its SKU was not at fault."
    return None
# END HIDDEN CHECKS


def _checks() -> tuple[Check, ...]:
    return (
        Check("The cause is the fault the tools show", _cause, misconceptions=FAULT_MISCONCEPTIONS),
        Check("The symptom is gone", _symptom_gone, targeted=False),
        Check("Nothing that worked before the fault is broken", _nothing_broken, targeted=False),
        # BEGIN HIDDEN CHECKS
        Check("The repair is minimal (a setting, not renumbering or deletion)", _minimal, visible=False,
              rule="A repair changes the one setting at fault: no renumbering, no deleted NSG, rule, route, "
                   "peering link or connection, no resize unless the SKU was the cause.", targeted=False),
        # END HIDDEN CHECKS
    )


HINTS = (
    "Follow the method: symptom → layer → tool → evidence → fix. Which flows fail, which still work, and is the "
    "tunnel Connected (vpn_troubleshoot)?",
    "For a flow that fails, run next_hop from its source: None, VirtualAppliance, VirtualNetwork or a route table "
    "other than System Route each point to a different layer. Then connection_troubleshoot shows where it stops.",
    "Repair with one setting where you can: a peering flag, a sync, a route, a rule's priority, an LNG prefix, a "
    "policy, a NAT rule, a resize. Then run your probes again and the flows that worked before.",
)

TASK = ("Name the cause from `G['vocabulary']` and repair `net`: "
        "`{'cause': 'fault_id', 'repaired': net}`.")

Q1 = Question(id="q1", title="Inside Azure: diagnose and repair", points=4, answer="report1",
              setup=_setup("q1"), read=read_report, checks=_checks(), hints=HINTS)
Q2 = Question(id="q2", title="At the edge: diagnose and repair", points=4, answer="report2",
              setup=_setup("q2"), read=read_report, checks=_checks(), hints=HINTS)
Q3 = Question(id="q3", title="Two faults at once", points=4, answer="report3",
              setup=_setup("q3"), read=read_report, checks=_checks(),
              hints=HINTS[:2] + ("Two faults: after the first repair, the symptom changes. Run the probes again and "
                                 "follow what is left; the cause is a list of two fault ids.",))

EXERCISE = ExerciseSpec(name="11-troubleshooting", title="Troubleshooting",
                        lesson="../notebooks/11-troubleshooting.ipynb", questions=(Q1, Q2, Q3))
