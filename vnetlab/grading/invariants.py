"""Invariants of a correct address plan, shared by the addressing questions.

Each function returns None when the invariant holds, or a message that names the learner's mistake and,
where a common misconception explains it, that misconception (the 5 reserved addresses, nested ranges
overlapping, adjacent ranges not overlapping, the example's 10.0.x.x range instead of the learner's own).
All arithmetic is the engine's (:mod:`vnetlab.addressing`).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from netaddr import IPNetwork

from .. import addressing
from ..errors import VnetlabError
from .core import AnswerError

EXAMPLE_SPACE = IPNetwork("10.0.0.0/16")  # the lessons' and the planner's example space
HOST_BITS = "a prefix's host bits must be zero"   # the engine's rule (vnetlab.addressing)
RESERVED_NOTE = "Azure reserves 5 addresses in every subnet (.0, .1, .2, .3 and the last)"


def read_prefix(value: Any, where: str, parse: Callable[[Any], IPNetwork] = addressing.check_subnet_size) -> IPNetwork:
    """A prefix from the answer (by default a subnet: /29 to /2), or an AnswerError with the engine's message
    (host bits set, /33, not an address, ...)."""
    if not isinstance(value, str):
        raise AnswerError(f"{where}: {value!r} is not text; write a prefix such as 'a.b.c.d/n' in quotes.",
                          value=value, rule="prefixes are text")
    try:
        return parse(value)
    except VnetlabError as exc:
        if exc.rule == HOST_BITS:  # the engine names the corrected block; feedback names the rule only
            raise AnswerError(f"{where}: {value!r} has host bits set: a prefix names its block by the block's first "
                              "address, whose host bits (those after the prefix length) are all zero. Work out which "
                              "block your address falls in.", value=value, rule=exc.rule) from None
        raise AnswerError(f"{where}: {exc}", value=value, rule=exc.rule) from None


def outside_space(named: Iterable[tuple[str, IPNetwork]], space: IPNetwork) -> str | None:
    """Every subnet outside ``space``, each named."""
    found = []
    for label, prefix in named:
        if prefix not in space:
            if prefix in EXAMPLE_SPACE and space != EXAMPLE_SPACE:
                found.append(f"{label} {prefix} is in {EXAMPLE_SPACE}, the lessons' example range; your VNet's "
                             f"address space is {space} (see your givens).")
            else:
                found.append(f"{label} {prefix} is outside your VNet's address space {space}: a subnet must lie "
                             "inside it.")
    return " ".join(found) or None


def overlap_between(named: list[tuple[str, IPNetwork]]) -> str | None:
    """Every overlapping pair of subnets, each named."""
    labels = {str(p): label for label, p in named}
    return " ".join(_overlap_message(labels, o) for o in addressing.find_overlaps([p for _, p in named])) or None


def _overlap_message(labels: dict, found) -> str:
    a, b = IPNetwork(found.a), IPNetwork(found.b)
    if a == b:
        message = f"{labels[found.a]} {a} and another subnet both use that block: each subnet needs its own."
        return message[0].upper() + message[1:]
    big, small = (a, b) if a.size > b.size else (b, a)
    message = (f"{labels[str(big)]} {big} and {labels[str(small)]} {small} overlap: {small} lies inside {big} "
               f"(addresses {small[0]}–{small[-1]}). Subnets of a VNet must not overlap.")
    return message[0].upper() + message[1:]


def too_small(label: str, prefix: IPNetwork, hosts: int) -> str | None:
    """usable = size − 5 must hold ``hosts`` VMs; say so when the learner forgot the reserved addresses."""
    usable = addressing.subnet_info(prefix).usable
    if usable >= hosts:
        return None
    if prefix.size >= hosts:
        return (f"{label}: {prefix} has {prefix.size} addresses but only {usable} usable, and you need {hosts}. "
                f"Forgot the reserved addresses? {RESERVED_NOTE}.")
    return f"{label}: {prefix} has only {usable} usable addresses (size − 5); you need {hosts}."


def larger_than_needed(label: str, prefix: IPNetwork, hosts: int) -> str | None:
    best = addressing.smallest_prefix_for(hosts)
    if prefix.prefixlen < best:
        return f"{label}: {prefix} is larger than needed; a /{best} already holds {hosts} VMs."
    return None


def match_requirements(prefixes: list[IPNetwork], hosts: list[int]) -> list[tuple[int, IPNetwork]]:
    """Pair each host count with a prefix, largest with largest (optimal for the 'holds its VMs' test)."""
    by_size = sorted(prefixes, key=lambda p: (p.size, p.first), reverse=True)
    return list(zip(sorted(hosts, reverse=True), by_size))


def adjacent(a: IPNetwork, b: IPNetwork) -> bool:
    return a.last + 1 == b.first or b.last + 1 == a.first


def recommended_range(prefix: IPNetwork) -> str | None:
    """Why ``prefix`` is a recommended private range (RFC 1918 / RFC 6598), or None (facts data)."""
    from ..facts import fact
    for entry in fact("addressing", "recommended_ranges").value:
        if prefix in IPNetwork(entry["prefix"]):
            return f"{entry['prefix']} ({entry['why']})"
    return None


def refused_reason(prefix: IPNetwork) -> str | None:
    """The engine's message when Azure refuses ``prefix`` as a VNet range, else None."""
    try:
        addressing.check_vnet_range(prefix)
    except VnetlabError as exc:
        return str(exc)
    return None
