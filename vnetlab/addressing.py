"""IPv4 addressing with Azure's rules, on netaddr.

* :func:`parse_prefix` / :func:`parse_address` turn text into netaddr objects or raise a
  :class:`~vnetlab.errors.AddressError` a learner can act on (host bits set → the network address
  to use instead; ``/33``; IPv6 where only IPv4 is supported; garbage).
* :func:`subnet_info` applies the 5 addresses Azure reserves in every subnet.
* :func:`check_vnet_range`, :func:`check_subnet_size`, :func:`gateway_subnet_findings` apply the
  VNet FAQ's and VPN FAQ's rules, with the values read from ``vnetlab/data/addressing.yaml``.
* :func:`find_overlaps` reports every overlapping pair among many prefixes in O(n log n + pairs).
* :func:`next_free_subnet` plans the first free block of a given size in an address space.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from netaddr import IPAddress, IPNetwork, IPSet

from .errors import (
    GatewaySubnetError,
    HostBitsSetError,
    InvalidAddressError,
    InvalidPrefixError,
    PrefixLengthError,
    ReservedRangeError,
    SubnetError,
    SubnetSizeError,
    UnsupportedIPv6Error,
)
from .facts import fact, raw

VNET_FAQ = "https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq"


def _text(value: object) -> str:
    if isinstance(value, (IPNetwork, IPAddress)):
        return str(value)
    if not isinstance(value, str):
        raise InvalidPrefixError(
            f"{value!r} is a {type(value).__name__}, not text: write a prefix such as '10.0.0.0/16'.",
            value=value, rule="a prefix is written as text 'a.b.c.d/n'")
    return value.strip()


def _looks_ipv6(text: str) -> bool:
    return ":" in text


def parse_prefix(value: "str | IPNetwork", *, strict: bool = True) -> IPNetwork:
    """Parse an IPv4 CIDR prefix such as ``10.0.0.0/16``.

    Rules (what Azure accepts in an address space or subnet field):
    the text has the form ``a.b.c.d/n`` with four decimal octets 0–255 and a length 0–32; the host
    bits (the last ``32 - n`` bits) are zero, i.e. the address is the network address. With
    ``strict=False`` host bits are cleared instead of refused (useful for "which prefix holds this?").
    """
    text = _text(value)
    if _looks_ipv6(text):
        raise UnsupportedIPv6Error(
            f"{text!r} is IPv6; vnetlab simulates IPv4 address spaces only (Azure IPv6 subnets are exactly /64, "
            "a separate topic).", value=text, rule="IPv4 only in this course")
    if "/" not in text:
        address = parse_address(text, what="prefix")  # garbage fails here, with its own message
        raise InvalidPrefixError(
            f"{text!r} is an address, not a prefix: add the prefix length, e.g. '{address}/32' for that one "
            "address, or the block it belongs to such as '10.0.0.0/16'.",
            value=text, rule="a prefix is 'address/length'")
    addr_part, _, len_part = text.partition("/")
    if not (len_part.isascii() and len_part.isdigit()):
        raise PrefixLengthError(f"{text!r}: the prefix length {len_part!r} is not a number from 0 to 32.",
                                value=text, rule="IPv4 prefix length is 0..32")
    length = int(len_part)
    if length > 32:
        raise PrefixLengthError(f"{text!r}: /{length} does not exist in IPv4; the length is 0 to 32.",
                                value=text, rule="IPv4 prefix length is 0..32")
    address = parse_address(addr_part, what="network address")
    network = IPNetwork(f"{address}/{length}")
    if network.ip != network.network:
        if strict:
            raise HostBitsSetError(
                f"{text!r} has host bits set: the network address of that block is {network.cidr}. "
                f"Use '{network.cidr}' (or another block whose address ends on a /{length} boundary).",
                value=text, rule="a prefix's host bits must be zero")
        network = network.cidr
    return network


def parse_address(value: "str | IPAddress", *, what: str = "address") -> IPAddress:
    """Parse one IPv4 address (four decimal octets, each 0–255, no leading zeros)."""
    text = _text(value)
    if _looks_ipv6(text):
        raise UnsupportedIPv6Error(f"{text!r} is an IPv6 {what}; vnetlab handles IPv4 only.",
                                   value=text, rule="IPv4 only in this course")
    parts = text.split(".")
    if len(parts) != 4 or not all(p.isdigit() and p.isascii() for p in parts):
        raise InvalidAddressError(
            f"{text!r} is not an IPv4 {what}: expected four numbers 0-255 separated by dots, e.g. 10.0.1.4.",
            value=text, rule="IPv4 dotted quad")
    if any(int(p) > 255 for p in parts):
        bad = next(p for p in parts if int(p) > 255)
        raise InvalidAddressError(f"{text!r}: the octet {bad} is larger than 255.", value=text,
                                  rule="each IPv4 octet is 0..255")
    if any(len(p) > 1 and p.startswith("0") for p in parts):
        raise InvalidAddressError(f"{text!r}: an octet has a leading zero; write {'.'.join(str(int(p)) for p in parts)}.",
                                  value=text, rule="no leading zeros in IPv4 octets")
    return IPAddress(text, version=4)


# --- the 5 reserved addresses ----------------------------------------------------------------------
@dataclass(frozen=True)
class SubnetInfo:
    """What Azure does with a subnet's addresses."""

    prefix: str
    size: int
    reserved: tuple[tuple[str, str], ...]  # (address, role)
    usable: int
    first_usable: str | None
    last_usable: str | None

    def _repr_html_(self) -> str:
        from .display import html_table
        rows = [(a, r) for a, r in self.reserved]
        head = (f"<p><b>{self.prefix}</b>: {self.size} addresses, {len(self.reserved)} reserved by Azure, "
                f"<b>{self.usable} usable</b> ({self.first_usable} – {self.last_usable})</p>")
        return head + html_table(("Reserved address", "Role"), rows)


def reserved_count() -> int:
    return int(fact("addressing", "reserved_addresses_per_subnet").value)


def subnet_info(prefix: "str | IPNetwork") -> SubnetInfo:
    """Usable addresses in an Azure subnet: ``2**(32-n) - 5``.

    Azure reserves the network address, ``.1`` (default gateway), ``.2`` and ``.3`` (Azure DNS) and the
    last address (broadcast) in every subnet (VNet FAQ). A /29 keeps 3 usable addresses, a /24 251.
    Prefixes smaller than Azure's smallest subnet (/29) are refused.
    """
    net = parse_prefix(prefix)
    check_subnet_size(net)
    reserved = []
    for entry in raw("addressing", "reserved_addresses_per_subnet")["roles"]:
        offset = entry["offset"]
        reserved.append((str(net[offset]), entry["role"]))
    usable = net.size - reserved_count()
    return SubnetInfo(prefix=str(net.cidr), size=net.size, reserved=tuple(reserved), usable=usable,
                      first_usable=str(net[4]), last_usable=str(net[-2]))


def is_reserved_address(prefix: IPNetwork, address: IPAddress) -> str | None:
    """The role of ``address`` if Azure reserves it in subnet ``prefix`` (first four and last), else None."""
    for entry in raw("addressing", "reserved_addresses_per_subnet")["roles"]:
        if prefix[entry["offset"]] == address:
            return entry["role"]
    return None


def smallest_prefix_for(hosts: int) -> int:
    """The longest prefix (smallest subnet) whose usable count (size − 5) holds ``hosts`` VMs, never below /29's size."""
    if hosts < 0:
        raise SubnetError(f"{hosts} hosts: a host count cannot be negative.", value=hosts, rule="hosts >= 0")
    smallest = int(fact("addressing", "smallest_subnet_prefix").value)
    for length in range(smallest, 1, -1):
        if 2 ** (32 - length) - reserved_count() >= hosts:
            return length
    raise SubnetSizeError(f"{hosts} hosts do not fit in Azure's largest subnet.", value=hosts,
                          rule="largest subnet", source=VNET_FAQ)


# --- Azure's rules on ranges and sizes -------------------------------------------------------------
def _relation(net: IPNetwork, other: IPNetwork) -> str:
    """How ``net`` sits against ``other``, in words: "is", "lies inside", "contains" or "overlaps"."""
    if net == other:
        return "is"
    if net in other:
        return "lies inside"
    return "contains" if other in net else "overlaps"


def check_vnet_range(prefix: "str | IPNetwork") -> IPNetwork:
    """Refuse the ranges the VNet FAQ says a VNet may not use; return the parsed prefix.

    Not allowed: 224.0.0.0/4 (multicast), 255.255.255.255/32 (broadcast), 127.0.0.0/8 (loopback),
    169.254.0.0/16 (link-local), 168.63.129.16/32 (Azure's internal DNS). A range that overlaps one of
    them is refused too. RFC 1918 and RFC 6598 (100.64.0.0/10) are recommended; public ranges are
    accepted but are not reachable from the internet (see :func:`range_advice`).
    """
    net = parse_prefix(prefix)
    f = fact("addressing", "not_allowed_ranges")
    for entry in f.value:
        bad = IPNetwork(entry["prefix"])
        if net.first <= bad.last and bad.first <= net.last:
            raise ReservedRangeError(
                f"{net} {_relation(net, bad)} {bad} ({entry['why']}), a range Azure does not allow in a virtual network.",
                value=str(net), rule=f"VNets may not use {bad} ({entry['why']})", source=f.cite())
    return net


def range_advice(prefix: "str | IPNetwork") -> str:
    """A one-line note on the kind of range: RFC 1918 / RFC 6598 (recommended) or public (allowed, not internet-reachable)."""
    net = parse_prefix(prefix)
    try:
        check_vnet_range(net)
    except ReservedRangeError as exc:
        return f"{net} is refused: {exc.rule}."
    for entry in fact("addressing", "recommended_ranges").value:
        if net in IPNetwork(entry["prefix"]):
            return f"{net} is inside {entry['prefix']} ({entry['why']}): a recommended private range."
    return (f"{net} is not a private range: Azure accepts it, but it is not reachable from the internet, "
            "and you can no longer reach the public owner of that range from this VNet.")


def check_subnet_size(prefix: "str | IPNetwork") -> IPNetwork:
    """A subnet is between /2 (largest) and /29 (smallest) in IPv4 (VNet FAQ)."""
    net = parse_prefix(prefix)
    small = fact("addressing", "smallest_subnet_prefix")
    large = fact("addressing", "largest_subnet_prefix")
    if net.prefixlen > small.value:
        raise SubnetSizeError(
            f"{net} is a /{net.prefixlen}: Azure's smallest subnet is /{small.value} "
            f"({2 ** (32 - small.value)} addresses, {2 ** (32 - small.value) - reserved_count()} usable).",
            value=str(net), rule=f"smallest subnet /{small.value}", source=small.cite())
    if net.prefixlen < large.value:
        raise SubnetSizeError(f"{net} is a /{net.prefixlen}: Azure's largest subnet is /{large.value}.",
                              value=str(net), rule=f"largest subnet /{large.value}", source=large.cite())
    return net


def gateway_subnet_rules() -> dict:
    return raw("addressing", "gateway_subnet")


def check_subnet_name(name: str, prefix: IPNetwork) -> list[str]:
    """Apply the ``GatewaySubnet`` rules; return advisory findings, raise on what Azure refuses.

    The gateway subnet must be named exactly ``GatewaySubnet``; a /29 is the minimum and /27 or larger is
    recommended (VPN FAQ 2026-06-04; the 2024-02-29 settings article allows below /27 only for Basic).
    """
    rules = gateway_subnet_rules()
    exact = rules["name"]
    if name != exact and name.replace(" ", "").replace("-", "").replace("_", "").lower() == exact.lower():
        raise GatewaySubnetError(
            f"Subnet name {name!r}: a gateway subnet must be named exactly {exact!r} (case and spelling matter).",
            value=name, rule=f"gateway subnet name is exactly {exact}", source=rules["source"])
    if name != exact:
        return []
    return gateway_subnet_findings(prefix)


def gateway_subnet_findings(prefix: IPNetwork) -> list[str]:
    rules = gateway_subnet_rules()
    findings = []
    if prefix.prefixlen > rules["recommended_prefix"]:
        findings.append(
            f"GatewaySubnet {prefix} is smaller than the recommended /{rules['recommended_prefix']}: it works for a "
            f"Basic-SKU gateway only (per the 2024-02-29 gateway settings article) and leaves no room to grow.")
    return findings


# --- overlaps ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Overlap:
    """Two prefixes that share addresses; ``shared`` is the smaller (they are nested or equal)."""

    a: str
    b: str
    shared: str

    @property
    def identical(self) -> bool:
        return self.a == self.b


def find_overlaps(prefixes: Iterable["str | IPNetwork"]) -> list[Overlap]:
    """Every pair of overlapping prefixes, in input order within each pair.

    Two CIDR blocks either nest or are disjoint, so a sweep over the prefixes sorted by first address
    (larger block first on ties) with a stack of the blocks still open finds each overlapping pair once:
    O(n log n) plus one step per pair, instead of comparing all n² pairs.
    """
    parsed = [(i, parse_prefix(p)) for i, p in enumerate(prefixes)]
    parsed.sort(key=lambda item: (item[1].first, -item[1].size, item[0]))
    open_blocks: list[tuple[int, IPNetwork]] = []
    found: list[tuple[int, int, Overlap]] = []
    for index, net in parsed:
        while open_blocks and open_blocks[-1][1].last < net.first:
            open_blocks.pop()
        for other_index, other in open_blocks:  # every open block contains ``net``
            i, j = sorted((index, other_index))
            first, second = (other, net) if other_index < index else (net, other)
            found.append((i, j, Overlap(a=str(first), b=str(second), shared=str(net))))
        open_blocks.append((index, net))
    found.sort(key=lambda t: (t[0], t[1]))
    return [o for _, _, o in found]


def overlaps(a: "str | IPNetwork | Sequence", b: "str | IPNetwork | Sequence") -> list[tuple[str, str]]:
    """Pairs (x in a, y in b) of overlapping prefixes between two address spaces."""
    left = [parse_prefix(x) for x in ([a] if isinstance(a, (str, IPNetwork)) else a)]
    right = [parse_prefix(y) for y in ([b] if isinstance(b, (str, IPNetwork)) else b)]
    return [(str(x), str(y)) for x in left for y in right if x.first <= y.last and y.first <= x.last]


# --- planning --------------------------------------------------------------------------------------
def next_free_subnet(address_space: "str | IPNetwork | Sequence", used: Iterable["str | IPNetwork"],
                     prefixlen: int) -> IPNetwork | None:
    """The lowest free, aligned /``prefixlen`` block in ``address_space`` not overlapping ``used``; None if full.

    Set algebra with netaddr's IPSet: the free space is ``space − used``; its canonical CIDR
    decomposition holds a free aligned /n block exactly when one of its CIDRs is /n or larger.
    """
    if not isinstance(prefixlen, int) or isinstance(prefixlen, bool) or not 0 <= prefixlen <= 32:
        raise PrefixLengthError(f"/{prefixlen} is not a prefix length (0..32).", value=prefixlen,
                                rule="IPv4 prefix length is 0..32")
    spaces = [address_space] if isinstance(address_space, (str, IPNetwork)) else list(address_space)
    free = IPSet(parse_prefix(s) for s in spaces) - IPSet(parse_prefix(u) for u in used)
    for cidr in sorted(free.iter_cidrs(), key=lambda c: c.first):
        if cidr.prefixlen <= prefixlen:
            return IPNetwork(f"{cidr.network}/{prefixlen}")
    return None


def usable_addresses(prefix: IPNetwork) -> Iterable[IPAddress]:
    """The addresses Azure hands to NICs in a subnet, from the 4th on, excluding the last."""
    for value in range(prefix.first + 4, prefix.last):
        yield IPAddress(value, 4)


__all__ = [
    "Overlap", "SubnetInfo", "check_subnet_size", "check_vnet_range", "find_overlaps", "gateway_subnet_findings",
    "next_free_subnet", "overlaps", "parse_address", "parse_prefix", "range_advice", "smallest_prefix_for",
    "subnet_info",
]


# --- a whole plan at once (what the address planner shows) -------------------------------------------
@dataclass(frozen=True)
class PlanLine:
    """One line of an address plan: the text typed, and either the parsed prefix with its facts or an error."""

    text: str
    prefix: str | None = None
    error: str | None = None
    error_kind: str | None = None
    size: int | None = None
    usable: int | None = None
    reserved: tuple[tuple[str, str], ...] = ()
    inside_space: bool | None = None
    advice: str = ""


@dataclass(frozen=True)
class AddressPlan:
    """The analysis of a list of subnet prefixes, optionally inside a VNet address space."""

    space: tuple[str, ...]
    lines: tuple[PlanLine, ...]
    overlaps: tuple[Overlap, ...]
    space_error: str | None = None

    @property
    def valid_prefixes(self) -> list[str]:
        return [line.prefix for line in self.lines if line.prefix]

    @property
    def ok(self) -> bool:
        return (not self.space_error and not self.overlaps
                and all(line.error is None and line.inside_space is not False for line in self.lines))

    def next_free(self, prefixlen: int) -> str | None:
        if not self.space or self.space_error:
            return None
        found = next_free_subnet(list(self.space), self.valid_prefixes, prefixlen)
        return str(found) if found else None

    def rows(self) -> list[tuple]:
        return [(line.text, line.prefix or "", line.size or "", line.usable if line.usable is not None else "",
                 {True: "yes", False: "NO", None: ""}[line.inside_space], line.error or line.advice) for line in self.lines]

    HEADERS = ("Typed", "Prefix", "Addresses", "Usable (size − 5)", "In address space", "Notes")

    def _repr_html_(self) -> str:
        from .display import html_table
        bad = [i for i, line in enumerate(self.lines) if line.error or line.inside_space is False]
        table = html_table(self.HEADERS, self.rows(), highlight=bad, caption="Address plan")
        clashes = "".join(f"<li>{o.a} overlaps {o.b}</li>" for o in self.overlaps)
        return table + (f"<p><b>Overlaps</b></p><ul>{clashes}</ul>" if clashes else "<p>No overlaps.</p>")


def analyze_plan(prefixes: "Iterable[str] | str", space: "Iterable[str] | str | None" = None) -> AddressPlan:
    """Check a list of subnet prefixes the way Azure would, without stopping at the first mistake.

    Each line gets either its facts (size, the 5 reserved addresses, usable count, whether it lies in the
    VNet address space) or the error a learner must fix; overlaps between the valid lines are listed.
    ``prefixes`` may be a list or text with one prefix per line (blank lines and ``#`` comments ignored).
    """
    from .errors import VnetlabError

    for value, what in ((prefixes, "Subnet prefixes"), (space, "The VNet address space")):
        if (value is not None or what == "Subnet prefixes") and not isinstance(value, (str, Iterable)):
            raise InvalidPrefixError(f"{what} {value!r}: give a CIDR prefix such as 10.0.0.0/24, a list of them, or "
                                     "text with one per line.", value=value, rule="a list of CIDR prefixes")
    if isinstance(prefixes, str):
        prefixes = [p.split("#", 1)[0].strip() for p in prefixes.replace(",", "\n").splitlines()]
        prefixes = [p for p in prefixes if p]
    spaces = [space] if isinstance(space, str) else list(space or [])
    parsed_space: list[IPNetwork] = []
    space_error = None
    try:
        parsed_space = [check_vnet_range(s) for s in spaces]
    except VnetlabError as exc:
        space_error = str(exc)
    lines = []
    for text in prefixes:
        try:
            info = subnet_info(text)
        except VnetlabError as exc:
            lines.append(PlanLine(text=str(text), error=str(exc), error_kind=type(exc).__name__))
            continue
        net = IPNetwork(info.prefix)
        inside = any(net in s for s in parsed_space) if parsed_space else None
        lines.append(PlanLine(text=str(text), prefix=info.prefix, size=info.size, usable=info.usable,
                              reserved=info.reserved, inside_space=inside))
    found = tuple(find_overlaps([line.prefix for line in lines if line.prefix]))
    return AddressPlan(space=tuple(str(s) for s in parsed_space), lines=tuple(lines), overlaps=found,
                       space_error=space_error)
