"""Graded exercise 01 · Address spaces and subnets (concepts C2, C3; lesson ``notebooks/01-address-spaces``).

q1 plan the subnets of a VNet (a dict in code); q2 find the overlapping VNets of a merger and choose a
free range; q3 plan a tight /24 in the address planner widget; q4 decide which VNet ranges Azure refuses.
Givens are seeded per learner; checks are invariants computed with the engine and the facts data.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Mapping

from netaddr import IPNetwork

from .. import addressing
from ..errors import GatewaySubnetError
from ..facts import fact
from .core import AnswerError, Check, ExerciseSpec, Question, Unanswered, every_message, require, still_open
from .invariants import (EXAMPLE_SPACE, adjacent, larger_than_needed, match_requirements, outside_space,
                         overlap_between, read_prefix, recommended_range, refused_reason, too_small)

GATEWAY = "GatewaySubnet"
# Host counts that fit 2**n addresses but not the 2**n - 5 usable ones (the reserved-address trap) ...
TRAP_BANDS = ((6, 8), (13, 16), (28, 32), (60, 64), (124, 128))
# ... and counts comfortably inside one prefix size.
PLAIN_BANDS = ((40, 55), (90, 120), (180, 240))


def _dict_answer(raw: Any, name: str, example: str) -> dict:
    raw = require(raw, name)
    if not isinstance(raw, dict) or not all(isinstance(k, str) for k in raw):
        raise AnswerError(f"`{name}` should be a dict with text keys, like {example}; got {type(raw).__name__}.",
                          value=raw, rule="answer format")
    return raw


# --- q1: plan the subnets of a VNet ----------------------------------------------------------------------------
def plan_setup(rng: random.Random) -> dict:
    k = rng.randint(1, 250)
    bands = rng.sample(TRAP_BANDS[1:], 2) + [rng.choice(PLAIN_BANDS)]
    rng.shuffle(bands)
    hosts = {tier: rng.randint(lo, hi) for tier, (lo, hi) in zip(("web", "app", "data"), bands)}
    return {"space": f"10.{k}.0.0/16", "hosts": hosts, "gateway_sku": "VpnGw1AZ"}


class Plan(dict):
    """The learner's subnets by name; a gateway subnet under a near-miss name is kept (as ``GatewaySubnet``) so the
    other checks still run, and ``misnamed`` says what it was called."""

    misnamed: tuple[str, ...] = ()


def read_plan(raw: Any, givens: Mapping) -> dict[str, IPNetwork]:
    raw = _dict_answer(raw, "plan", "{'web': 'a.b.c.d/n', ..., 'GatewaySubnet': 'a.b.c.d/n'}")
    plan, misnamed = Plan(), []
    for name, value in raw.items():
        prefix = read_prefix(value, f"plan[{name!r}]")
        try:
            addressing.check_subnet_name(name, prefix)  # the engine refuses near-misses of GatewaySubnet
            near_miss = name != GATEWAY and "gateway" in name.lower()
        except GatewaySubnetError:
            near_miss = True
        if near_miss and GATEWAY not in raw:
            misnamed.append(name)
            name = GATEWAY
        plan[name] = prefix
    plan.misnamed = tuple(misnamed)
    missing = [name for name in (*givens["hosts"], GATEWAY) if name not in plan]
    if missing:
        raise AnswerError(f"Your plan has no subnet named {missing[0]!r}: one subnet per tier "
                          f"({', '.join(givens['hosts'])}) plus {GATEWAY!r}.", value=missing, rule="answer format")
    return plan


def plan_gateway_name(plan: Plan, givens: Mapping) -> str | None:
    if not plan.misnamed:
        return None
    return (f"Subnet name {plan.misnamed[0]!r}: the gateway subnet must be named exactly {GATEWAY!r}; Azure deploys a "
            "VPN gateway only into the subnet with that name (the other checks read it as the gateway subnet).")


def plan_inside(plan: dict, givens: Mapping) -> str | None:
    return outside_space(((f"Subnet {n}", p) for n, p in plan.items()), IPNetwork(givens["space"]))


def plan_no_overlap(plan: dict, givens: Mapping) -> str | None:
    return overlap_between([(f"subnet {n}", p) for n, p in plan.items()])


def plan_holds_vms(plan: dict, givens: Mapping) -> str | None:
    return every_message(too_small(f"Subnet {tier} ({hosts} VMs)", plan[tier], hosts)
                         for tier, hosts in givens["hosts"].items())


def plan_gateway_size(plan: dict, givens: Mapping) -> str | None:
    rules = addressing.gateway_subnet_rules()
    prefix, best = plan[GATEWAY], rules["recommended_prefix"]
    if prefix.prefixlen > best:
        return (f"{GATEWAY} {prefix} is a /{prefix.prefixlen}: below /{best} only a Basic-SKU gateway fits; a "
                f"{givens['gateway_sku']} gateway needs /{best} or larger (the gateway settings article; VPN FAQ "
                f"recommends /{best}).")
    return None


# BEGIN HIDDEN CHECKS
def plan_smallest(plan: dict, givens: Mapping) -> str | None:
    return every_message(larger_than_needed(f"Subnet {tier}", plan[tier], hosts)
                         for tier, hosts in givens["hosts"].items())
# END HIDDEN CHECKS


Q1 = Question(
    id="q1", title="Plan the subnets of your VNet", points=5, answer="plan",
    setup=plan_setup, read=read_plan,
    checks=(
        Check("The gateway subnet is named exactly GatewaySubnet", plan_gateway_name,
              misconceptions=("gateway-subnet-name",)),
        Check("Every subnet lies inside your VNet's address space", plan_inside,
              misconceptions=("subnet-outside-space",)),
        Check("No two subnets overlap", plan_no_overlap, misconceptions=("overlapping-ranges",)),
        Check("Each tier's subnet holds its VMs (usable = size − 5)", plan_holds_vms, weight=2,
              misconceptions=("reserved-addresses",)),
        Check("GatewaySubnet is big enough for your gateway's SKU", plan_gateway_size,
              misconceptions=("gateway-subnet-size",)),
        # BEGIN HIDDEN CHECKS
        Check("Each tier uses the smallest prefix that holds its VMs", plan_smallest, visible=False,
              rule="Size each subnet to the smallest prefix whose usable addresses (size − 5) hold its VMs, so "
                   "the address space lasts.",
              source=fact("addressing", "reserved_addresses_per_subnet").cite(), misconceptions=("oversized-subnet",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Work tier by tier: how many addresses does a subnet need to hold this many VMs, once Azure has "
        "taken its reserved addresses? Round up to a power of two.",
        "vl.subnet_info('a.b.c.d/n') shows a prefix's usable count; vl.smallest_prefix_for(hosts) answers "
        "'how long can the prefix be?' for a host count.",
        "Place the blocks inside your space so that none overlaps another: start each block on a multiple of "
        "its own size (vl.next_free_subnet helps). The gateway subnet is one more block with its exact name.",
    ),
)


# --- q2: a merger's overlapping VNets ----------------------------------------------------------------------------
def merger_setup(rng: random.Random) -> dict:
    k, m = rng.randint(1, 200), rng.randint(0, 15)
    bases = [IPNetwork(f"10.{k}.0.0/16"), IPNetwork(f"10.{k + 1}.0.0/16"), IPNetwork(f"192.168.{16 * m}.0/20")]
    modes = ["nested", "adjacent", rng.choice(["nested", "adjacent"])]
    rng.shuffle(modes)
    vnets = []
    for family, base, mode in zip(("hub", "app", "data"), bases, modes):
        if mode == "nested":
            depth = rng.choice([1, 2])
            pair = [base, list(base.subnet(base.prefixlen + depth))[rng.randrange(2 ** depth)]]
        else:
            pair = list(base.subnet(base.prefixlen + 1))
        rng.shuffle(pair)
        vnets += [(f"contoso-{family}", str(pair[0])), (f"fabrikam-{family}", str(pair[1]))]
    rng.shuffle(vnets)
    return {"vnets": dict(vnets), "new_vnet_prefixlen": 16}


@dataclass(frozen=True)
class Merger:
    pairs: frozenset
    new_vnet: IPNetwork


def read_merger(raw: Any, givens: Mapping) -> Merger:
    raw = _dict_answer(raw, "merger", "{'overlapping': [('vnet-a', 'vnet-b'), ...], 'new_vnet': 'a.b.c.d/16'}")
    names = givens["vnets"]
    listed = raw.get("overlapping")
    if listed is None and raw.get("new_vnet") is None:
        raise Unanswered("No answer yet: fill in `merger['overlapping']` and `merger['new_vnet']`.")
    if not isinstance(listed, list):
        raise AnswerError("merger['overlapping'] should be a list of pairs of VNet names, like "
                          "[('vnet-a', 'vnet-b')] (an empty list if nothing overlaps).", value=listed,
                          rule="answer format")
    pairs = set()
    for item in listed:
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(n, str) for n in item)):
            raise AnswerError(f"merger['overlapping']: {item!r} is not a pair of VNet names.", value=item,
                              rule="answer format")
        unknown = [n for n in item if n not in names]
        if unknown:
            raise AnswerError(f"merger['overlapping']: {unknown[0]!r} is not one of the VNets ({', '.join(names)}).",
                              value=unknown[0], rule="answer format")
        if item[0] == item[1]:
            raise AnswerError(f"merger['overlapping']: ({item[0]!r}, {item[1]!r}) pairs a VNet with itself.",
                              value=item, rule="answer format")
        pairs.add(frozenset(item))
    new = raw.get("new_vnet")
    if not isinstance(new, str):
        raise AnswerError("merger['new_vnet'] should be a prefix as text, e.g. 'a.b.c.d/16'.", value=new,
                          rule="answer format")
    return Merger(frozenset(pairs), read_prefix(new, "merger['new_vnet']", parse=addressing.parse_prefix))


def true_overlaps(givens: Mapping) -> set[frozenset]:
    names = list(givens["vnets"])
    by_prefix = {str(IPNetwork(p)): n for n, p in givens["vnets"].items()}
    found = addressing.find_overlaps([givens["vnets"][n] for n in names])
    return {frozenset((by_prefix[o.a], by_prefix[o.b])) for o in found}


def merger_finds_all(ans: Merger, givens: Mapping) -> str | None:
    missing = true_overlaps(givens) - ans.pairs
    if not missing:
        return None
    count = f"{len(missing)} overlapping pair" + ("s" if len(missing) > 1 else "")
    return (f"You missed {count}. A range that lies inside another overlaps it: a /17 is one half of a /16, "
            "a /22 a quarter of a /20, and they share all their addresses with the bigger block.")


def merger_no_false(ans: Merger, givens: Mapping) -> str | None:
    for pair in sorted(ans.pairs - true_overlaps(givens), key=sorted):
        a, b = sorted(pair)
        pa, pb = IPNetwork(givens["vnets"][a]), IPNetwork(givens["vnets"][b])
        if adjacent(pa, pb):
            lo, hi = sorted((pa, pb), key=lambda p: p.first)
            return (f"{a} ({pa}) and {b} ({pb}) are adjacent, not overlapping: {lo} ends at {lo[-1]} and {hi} "
                    f"starts at {hi[0]}. Neighbouring blocks share no address.")
        return f"{a} ({pa}) and {b} ({pb}) share no address, so they do not overlap."
    return None


def merger_new_clear(ans: Merger, givens: Mapping) -> str | None:
    want = givens["new_vnet_prefixlen"]
    if ans.new_vnet.prefixlen != want:
        return f"The new VNet needs a /{want}; {ans.new_vnet} is a /{ans.new_vnet.prefixlen}."
    for name, prefix in givens["vnets"].items():
        if addressing.overlaps(ans.new_vnet, prefix):
            return (f"The new VNet {ans.new_vnet} overlaps {name} ({prefix}); it could never be peered with it. "
                    "Choose a /16 that none of the existing ranges touches.")
    return None


# BEGIN HIDDEN CHECKS
def merger_new_private(ans: Merger, givens: Mapping) -> str | None:
    refused = refused_reason(ans.new_vnet)
    if refused:
        return refused
    if recommended_range(ans.new_vnet) is None:
        return f"{ans.new_vnet} is not in a recommended private range (RFC 1918 or RFC 6598)."
    return None
# END HIDDEN CHECKS


Q2 = Question(
    id="q2", title="A merger: which VNets overlap, and a free range for a new one", points=4, answer="merger",
    setup=merger_setup, read=read_merger,
    checks=(
        Check("Every overlapping pair is listed", merger_finds_all, weight=2, misconceptions=("overlapping-ranges",)),
        Check("No listed pair is free of overlap", merger_no_false, misconceptions=("adjacent-is-overlap",)),
        Check("The new VNet's range overlaps none of the existing ones", merger_new_clear,
              misconceptions=("overlap-blocks-peering",)),
        # BEGIN HIDDEN CHECKS
        Check("The new VNet's range is one Azure accepts and recommends", merger_new_private, visible=False,
              rule="A new VNet's range must be one Azure accepts, and should come from the recommended private "
                   "ranges (RFC 1918, or RFC 6598 shared space).",
              source=fact("addressing", "recommended_ranges").cite(), misconceptions=("private-ranges",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Write each range as its first and last address. Two ranges overlap when one starts before the other "
        "ends; with CIDR blocks that means one lies inside the other.",
        "vl.find_overlaps([...]) lists every overlapping pair of a list of prefixes; the lesson's section on "
        "overlaps shows it on the merger scenario.",
        "For the new VNet, the 10.0.0.0/8 space has 256 /16 blocks; cross out the ones the merger already uses.",
    ),
)


# --- q3: a tight /24 in the address planner ----------------------------------------------------------------------
def planner_setup(rng: random.Random) -> dict:
    k, third = rng.randint(1, 250), rng.randrange(256)
    # /25 + /26 + /27 + /28 = 240 of 256 addresses: it fits only with the smallest prefix for each.
    hosts = [rng.randint(lo, hi) for lo, hi in ((60, 64), (28, 32), (13, 16), (6, 11))]
    rng.shuffle(hosts)
    return {"space": f"10.{k}.{third}.0/24", "hosts": hosts}


@dataclass(frozen=True)
class PlannerAnswer:
    space: tuple[IPNetwork, ...]
    prefixes: tuple[IPNetwork, ...]


def read_planner(raw: Any, givens: Mapping) -> PlannerAnswer:
    if raw is None:
        raise Unanswered("No answer recorded yet: type your space and subnets in the planner, then click "
                         "'Record my answer'.")
    if not isinstance(raw, dict) or not isinstance(raw.get("space"), str) or not isinstance(raw.get("prefixes"), list):
        raise AnswerError("The recorded planner answer should be {'space': text, 'prefixes': [text, ...]}; record "
                          "it again from the planner.", value=raw, rule="answer format")
    space = tuple(read_prefix(s.strip(), "the planner's address space", parse=addressing.parse_prefix)
                  for s in raw["space"].split(",") if s.strip())
    prefixes = tuple(read_prefix(p, "a planner line") for p in raw["prefixes"])
    return PlannerAnswer(space, prefixes)


def planner_space(ans: PlannerAnswer, givens: Mapping) -> str | None:
    want = IPNetwork(givens["space"])
    if ans.space == (want,):
        return None
    if ans.space == (EXAMPLE_SPACE,):
        return (f"The planner still has its default address space {EXAMPLE_SPACE}; type your VNet's space {want} "
                "into its address-space box.")
    shown = ", ".join(map(str, ans.space)) or "nothing"
    return f"The planner's address space is {shown}; your VNet's space is {want}."


def planner_count(ans: PlannerAnswer, givens: Mapping) -> str | None:
    need = len(givens["hosts"])
    if len(ans.prefixes) != need:
        return f"You planned {len(ans.prefixes)} subnets; there are {need} requirements (one subnet each)."
    return None


def planner_layout(ans: PlannerAnswer, givens: Mapping) -> str | None:
    named = [("Subnet", p) for p in ans.prefixes]
    if not named:
        return "The plan has no subnets yet."
    return outside_space(named, IPNetwork(givens["space"])) or overlap_between(named)


def planner_fits(ans: PlannerAnswer, givens: Mapping) -> str | None:
    hosts = givens["hosts"]
    if len(ans.prefixes) < len(hosts):
        return f"{len(hosts) - len(ans.prefixes)} of the {len(hosts)} requirements have no subnet yet."
    return every_message(too_small(f"The subnet for {need} VMs", prefix, need)
                         for need, prefix in match_requirements(list(ans.prefixes), hosts))


# BEGIN HIDDEN CHECKS
def planner_smallest(ans: PlannerAnswer, givens: Mapping) -> str | None:
    return every_message(larger_than_needed(f"The subnet for {need} VMs", prefix, need)
                         for need, prefix in match_requirements(list(ans.prefixes), givens["hosts"]))
# END HIDDEN CHECKS


Q3 = Question(
    id="q3", title="Fit four subnets into a /24 with the address planner", points=4, answer="planner",
    widget="AddressPlanner", setup=planner_setup, read=read_planner,
    checks=(
        Check("The planner's address space is your VNet's space", planner_space,
              misconceptions=("default-address-space",)),
        Check("One subnet per requirement", planner_count, targeted=False),
        Check("Subnets lie inside the space and do not overlap", planner_layout,
              misconceptions=("subnet-outside-space", "overlapping-ranges")),
        Check("Every requirement fits (usable = size − 5)", planner_fits, weight=2,
              misconceptions=("reserved-addresses",)),
        # BEGIN HIDDEN CHECKS
        Check("Each requirement gets the smallest prefix that fits", planner_smallest, visible=False,
              rule="Give each requirement the smallest prefix whose usable addresses (size − 5) hold it.",
              source=fact("addressing", "reserved_addresses_per_subnet").cite(), misconceptions=("oversized-subnet",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "A /24 has 256 addresses. Add up the blocks you plan before placing them: if the sum is over 256, some "
        "block is larger than it needs to be.",
        "The planner's table shows 'Usable (size − 5)' for each line; its 'next free' helper finds an aligned "
        "free block of a given length.",
        "Place the largest block first, at the start of the space, then the next largest right after it.",
    ),
)


# --- q4: which VNet ranges does Azure refuse? ----------------------------------------------------------------------
LABELS = ("private", "public", "refused")
SHARED_SPACE = IPNetwork("100.64.0.0/10")  # RFC 6598, one of the recommended ranges in the facts data


def ranges_setup(rng: random.Random) -> dict:
    a = rng.randint(0, 255)
    # Refused candidates lie inside a not-allowed range, as the lesson shows (127.1.0.0/16 inside 127.0.0.0/8): two
    # of its kinds. A range that merely contains a not-allowed address (168.63.0.0/16) is not taught, so not asked.
    inside = [f"169.254.{a}.0/24", f"127.{a}.0.0/16", f"{rng.randint(224, 239)}.{a}.0.0/16"]
    candidates = [
        *rng.sample(inside, 2),
        f"100.{rng.randint(64, 127)}.0.0/16",
        rng.choice([f"172.{rng.randint(16, 31)}.0.0/16", f"192.168.{a}.0/24", f"10.{a}.0.0/16"]),
        f"{rng.choice([20, 40, 52, 104])}.{rng.randint(0, 255)}.0.0/16",
    ]
    rng.shuffle(candidates)
    return {"candidates": candidates, "labels": list(LABELS)}


def true_label(prefix: str) -> str:
    net = IPNetwork(prefix)
    if refused_reason(net):
        return "refused"
    return "private" if recommended_range(net) else "public"


def read_ranges(raw: Any, givens: Mapping) -> dict[str, str | None]:
    raw = _dict_answer(raw, "ranges", "{'a.b.c.d/n': 'private', ...}")
    wanted = {str(IPNetwork(c)): c for c in givens["candidates"]}
    labels: dict[str, str | None] = {c: None for c in givens["candidates"]}
    for key, value in raw.items():
        canonical = str(read_prefix(key, f"ranges key {key!r}", parse=addressing.parse_prefix))
        if canonical not in wanted:
            raise AnswerError(f"{key} is not one of your candidate ranges ({', '.join(givens['candidates'])}).",
                              value=key, rule="answer format")
        if still_open(value):
            continue
        label = value.strip().lower() if isinstance(value, str) else value
        if label not in LABELS:
            raise AnswerError(f"ranges[{key!r}] = {value!r}: use one of {', '.join(map(repr, LABELS))}.",
                              value=value, rule="answer format")
        labels[wanted[canonical]] = label
    if all(v is None for v in labels.values()):
        raise Unanswered("No answer yet: label each candidate range 'private', 'public' or 'refused'.")
    return labels


def _labelled(labels: Mapping, prefix: str) -> str | None:
    return None if labels[prefix] is not None else f"{prefix} has no label yet."


def _public_mislabelled(labels: Mapping, prefix: str) -> str | None:
    given = labels[prefix]
    if given == "refused":
        return (f"Azure accepts a public range such as {prefix} in a VNet: it is not refused, only not reachable from "
                "the internet (and the range's real owner becomes unreachable from the VNet).")
    if given == "private":
        return f"{prefix} is not in RFC 1918 (10/8, 172.16/12, 192.168/16) or RFC 6598 (100.64/10): it is a public range."
    return _labelled(labels, prefix)


def ranges_public(labels: dict, givens: Mapping) -> str | None:
    """Every public candidate labelled otherwise, each with the rule it breaks."""
    return every_message(_public_mislabelled(labels, p) for p in givens["candidates"] if true_label(p) == "public")


def ranges_shared(labels: dict, givens: Mapping) -> str | None:
    return every_message(
        _labelled(labels, p) or (f"{p} is in {SHARED_SPACE}, RFC 6598 shared address space: the VNet FAQ lists it "
                                 "with RFC 1918 as a recommended range, treated as private.")
        for p in givens["candidates"] if IPNetwork(p) in SHARED_SPACE and labels[p] != "private")


def ranges_refused(labels: dict, givens: Mapping) -> str | None:
    """Every refused candidate not labelled refused, with the engine's reason (each lies inside a not-allowed
    range)."""
    return every_message(_labelled(labels, p) or f"Azure refuses {p} in a VNet: {refused_reason(IPNetwork(p))}"
                         for p in givens["candidates"] if true_label(p) == "refused" and labels[p] != "refused")


# BEGIN HIDDEN CHECKS
def ranges_rfc1918(labels: dict, givens: Mapping) -> str | None:
    for prefix in givens["candidates"]:
        if true_label(prefix) == "private" and IPNetwork(prefix) not in SHARED_SPACE and labels[prefix] != "private":
            return f"{prefix} is RFC 1918 space: private and recommended."
    return None
# END HIDDEN CHECKS


Q4 = Question(
    id="q4", title="Which address ranges will Azure take for a VNet?", points=3, answer="ranges",
    setup=ranges_setup, read=read_ranges,
    checks=(
        Check("Public ranges are accepted (not refused)", ranges_public, misconceptions=("public-range-refused",)),
        Check("RFC 6598 shared address space counts as private", ranges_shared, misconceptions=("private-ranges",)),
        Check("Link-local, loopback and multicast ranges are refused", ranges_refused,
              misconceptions=("refused-ranges",)),
        # BEGIN HIDDEN CHECKS
        Check("RFC 1918 ranges are labelled private", ranges_rfc1918, visible=False,
              rule="10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16 (RFC 1918) are private ranges Azure "
                   "recommends.",
              source=fact("addressing", "recommended_ranges").cite(), misconceptions=("private-ranges",)),
        # END HIDDEN CHECKS
    ),
    hints=(
        "Three kinds: ranges Azure refuses outright, private ranges it recommends, and everything else "
        "(accepted, with a side effect). Which kind is each candidate?",
        "A range is refused when it lies inside a range the VNet FAQ does not allow: the lesson's 127.1.0.0/16 "
        "and 224.1.0.0/16 are not listed themselves, yet each lies inside one that is.",
        "vl.range_advice(...) and the lesson's section on a VNet's address space describe each kind.",
    ),
)


EXERCISE = ExerciseSpec(
    name="01-address-spaces", title="Address spaces and subnets", lesson="../notebooks/01-address-spaces.ipynb",
    questions=(Q1, Q2, Q3, Q4),
)
