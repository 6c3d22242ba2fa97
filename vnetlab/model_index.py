"""Indexes over one version of a :class:`~vnetlab.network.Network`: NICs by name, and which subnets and VNets
hold an address, so that starting a trace costs the same in a network of 5 VNets or 5,000.

Built on first use after a change (``Network.memo``, keyed on the network's version) and read-only after; they
answer exactly what scanning every VNet in order answers, including for overlapping (unconnected) VNets, where
every holder is returned in the network's order.
"""
from __future__ import annotations

from typing import Any, Iterable


class Holders:
    """Which items' prefixes contain an address: one dict per prefix length (at most 33 probes), each address
    block listing its items in the order they were given."""

    __slots__ = ("levels",)

    def __init__(self, entries: Iterable[tuple[Any, Any]]) -> None:
        """``entries``: (netaddr ``IPNetwork``, item) pairs, in the order the answers must keep."""
        by_length: dict[int, dict[int, list[tuple[int, Any]]]] = {}
        for order, (prefix, item) in enumerate(entries):
            by_length.setdefault(prefix.prefixlen, {}).setdefault(prefix.first, []).append((order, item))
        self.levels = tuple(((0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF, blocks)
                            for length, blocks in sorted(by_length.items()))

    def holding(self, value: int) -> list:
        """Every item whose prefix contains ``value``, in the given order (an item listed twice appears twice)."""
        found: list[tuple[int, Any]] = []
        for mask, blocks in self.levels:
            hit = blocks.get(value & mask)
            if hit:
                found.extend(hit)
        if len(found) > 1:
            found.sort(key=lambda pair: pair[0])
        return [item for _, item in found]


class ModelIndex:
    """NICs by name, subnets (as (VNet, subnet) pairs) and VNets by the addresses they hold."""

    __slots__ = ("nics", "subnets", "vnets")

    def __init__(self, network) -> None:
        self.nics: dict[str, Any] = {}
        for v in network.vnets.values():
            for nic in v.nics:
                self.nics.setdefault(nic.name, nic)
        self.subnets = Holders((s.prefix, (v, s)) for v in network.vnets.values() for s in v.subnets.values())
        self.vnets = Holders((r, v) for v in network.vnets.values() for r in v.address_space)

    def vnets_holding(self, value: int) -> list:
        """The VNets whose address space holds ``value``, each once, in the network's order."""
        return list({id(v): v for v in self.vnets.holding(value)}.values())
