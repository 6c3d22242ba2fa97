"""Network security groups: rules, service tags and IP flow verify (azure-facts.md §8; data in ``nsg.yaml``).

Rules (NSG overview, 2025-07-15):

* a security rule has a ``priority`` 100–4096, a ``direction`` (``Inbound``/``Outbound``), an ``access``
  (``Allow``/``Deny``) and matches the 5-tuple: ``protocol`` (``Tcp``, ``Udp``, ``Icmp``, ``Esp``, ``Ah`` or
  ``*`` = Any), source and destination (``*``, an IP, a CIDR prefix or a service tag) and their port ranges
  (``*``, ``443``, ``1000-2000``, or a list of these; 0–65535);
* lower number first, **first match stops**; two rules of one NSG can't share a priority and direction;
* every NSG holds six default rules (65000, 65001, 65500 each way) that can't be deleted: a custom rule
  with a lower number overrides them; 1,000 rules per NSG (networking limits, 2022-12-05);
* an NSG is associated with subnets and NICs. Inbound traffic meets the subnet's NSG, then the NIC's;
  outbound the NIC's, then the subnet's. Both must allow; a deny at the first level stops evaluation; no
  NSG at a level allows everything there (How NSGs filter traffic, 2020-08-24);
* NSGs are stateful: return traffic of an allowed flow needs no rule (so a check is about *new* flows).

Service tags (Service tags, 2021-04-23) are resolved against the network, from the point of view of the
NIC's own subnet; see :func:`virtual_network_prefixes` and :func:`internet_prefixes`.

Not modelled: application security groups, AVNM security admin rules, and the exemption of platform
traffic to 168.63.129.16 and 169.254.169.254 (fact ``unfiltered_platform_addresses``). The overview's
default-rules table glosses "Any" as TCP, UDP, ICMP; vnetlab lets ``*`` match ESP and AH as well, so that
every packet meets a rule (the final DenyAll), an inference flagged here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping

from netaddr import IPAddress, IPNetwork, IPSet

from . import addressing
from .display import html_table, text_table
from .errors import VnetlabError
from .facts import fact
from .packet import Packet
from .vnet import azure_spelling
from .vnet import check_name

NSG_OVERVIEW = "https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview (2025-07-15)"
SERVICE_TAGS_DOC = "https://learn.microsoft.com/azure/virtual-network/service-tags-overview (2021-04-23)"

DIRECTIONS = ("Inbound", "Outbound")
ACCESSES = ("Allow", "Deny")
ANY = "*"
# Next hops whose prefixes belong to the VirtualNetwork tag (VNet, peers, gateway-connected spaces).
VIRTUAL_NETWORK_HOPS = ("VnetLocal", "VNetPeering", "VNetGlobalPeering", "VirtualNetworkGateway")


class NsgError(VnetlabError):
    """A network security group (or its association) that Azure refuses, or a flow that cannot be checked."""


class NsgRuleError(NsgError):
    """A security rule field that is not valid (priority, protocol, ports, addresses, name)."""


# --- parsing ----------------------------------------------------------------------------------------
def _choice(value: object, allowed: Iterable[str], field_name: str, rule_name: str) -> str:
    """Case-insensitive in, Azure's spelling out."""
    options = tuple(allowed)
    spelled = azure_spelling(value, options)
    if spelled is not None:
        return spelled
    raise NsgRuleError(f"Rule {rule_name}: {field_name} {value!r}; use one of {', '.join(options)}.", value=value,
                       rule=f"{field_name} is one of {', '.join(options)}", source=NSG_OVERVIEW)


def parse_direction(value: object, rule_name: str = "?") -> str:
    return _choice(value, DIRECTIONS, "direction", rule_name)


def parse_access(value: object, rule_name: str = "?") -> str:
    return _choice(value, ACCESSES, "access", rule_name)


def parse_protocol(value: object, rule_name: str = "?") -> str:
    """``Tcp``, ``Udp``, ``Icmp``, ``Esp``, ``Ah`` or ``*`` (``Any`` is accepted for ``*``)."""
    if isinstance(value, str) and value.strip().lower() == "any":
        return ANY
    return _choice(value, fact("nsg", "protocols").value, "protocol", rule_name)


def _items(value: object, what: str, rule_name: str) -> list[object]:
    """One value, a comma-separated text, or a list of values (the ``...Prefixes``/``...Ranges`` form)."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not items:
        raise NsgRuleError(f"Rule {rule_name}: {what} {value!r}; give text such as '*' or a list of such texts.",
                           value=value, rule=f"{what} is text or a non-empty list", source=NSG_OVERVIEW)
    return list(items)


@dataclass(frozen=True)
class PortRange:
    """``low``–``high`` inclusive; ``*`` is 0–65535."""

    low: int
    high: int

    def __str__(self) -> str:
        lo, hi = _port_limits()
        if (self.low, self.high) == (lo, hi):
            return ANY
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"

    def matches(self, port: int | None) -> bool:
        """A packet without a port (ICMP) matches only ``*``."""
        return str(self) == ANY if port is None else self.low <= port <= self.high


@lru_cache(maxsize=1)
def _port_limits() -> tuple[int, int]:
    limits = fact("nsg", "port_range").value
    return limits["min"], limits["max"]


def _port(text: str, whole: str, rule_name: str) -> int:
    lo, hi = _port_limits()
    if not (text.isascii() and text.isdigit()) or int(text) > hi:
        raise NsgRuleError(f"Rule {rule_name}: port {whole!r} is not a port number {lo}-{hi}, a range low-high or '*'.",
                           value=whole, rule=f"ports are {lo}-{hi}", source=NSG_OVERVIEW)
    return int(text)


def parse_ports(value: object, rule_name: str = "?") -> tuple[PortRange, ...]:
    """``*``, ``443``, ``1000-2000``, or a list of these (REST ``destinationPortRanges``); ports 0–65535, low ≤ high."""
    out = []
    for item in _items(value, "port range", rule_name):
        if isinstance(item, int) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str):
            raise NsgRuleError(f"Rule {rule_name}: port range {item!r} is a {type(item).__name__}; write '443', "
                               "'1000-2000' or '*'.", value=item, rule="port ranges are text", source=NSG_OVERVIEW)
        text = item.strip()
        if text == ANY:
            out.append(PortRange(*_port_limits()))
            continue
        low_text, dash, high_text = text.partition("-")
        low = _port(low_text.strip(), text, rule_name)
        high = _port(high_text.strip(), text, rule_name) if dash else low
        if low > high:
            raise NsgRuleError(f"Rule {rule_name}: port range {text!r} runs backwards; write {high}-{low}.", value=text,
                               rule="a port range is low-high with low <= high", source=NSG_OVERVIEW)
        out.append(PortRange(low, high))
    return tuple(out)


@dataclass(frozen=True)
class AddressMatch:
    """One source or destination: ``*``, a prefix (an IP is a /32), or a service tag resolved later."""

    text: str
    prefix: IPNetwork | None = None
    tag: str = ""

    def __str__(self) -> str:
        return self.text


def service_tag_names() -> tuple[str, ...]:
    return tuple(fact("nsg", "service_tags").value)


def parse_addresses(value: object, rule_name: str = "?") -> tuple[AddressMatch, ...]:
    """``*``/``Any``, an IPv4 address, a CIDR prefix, or a service tag (``VirtualNetwork``, ``Internet``,
    ``AzureLoadBalancer``; case-insensitive), or a list of these (REST ``sourceAddressPrefixes``)."""
    out = []
    for item in _items(value, "address", rule_name):
        if not isinstance(item, str):
            raise NsgRuleError(f"Rule {rule_name}: address {item!r} is a {type(item).__name__}; write '*', an IP, a "
                               "prefix or a service tag.", value=item, rule="addresses are text", source=NSG_OVERVIEW)
        text = item.strip()
        if text.lower() in (ANY, "any"):
            out.append(AddressMatch(ANY))
            continue
        tag = azure_spelling(text, service_tag_names())
        if tag is not None:
            out.append(AddressMatch(tag, tag=tag))
            continue
        if not text[:1].isdigit() and ":" not in text:
            raise NsgRuleError(f"Rule {rule_name}: {text!r} is neither an address, a prefix nor a service tag vnetlab "
                               f"knows ({', '.join(service_tag_names())}, or '*').", value=text,
                               rule="addresses are *, IP, CIDR or a service tag", source=SERVICE_TAGS_DOC)
        try:
            net = addressing.parse_prefix(text) if "/" in text else IPNetwork(f"{addressing.parse_address(text)}/32")
        except VnetlabError as exc:
            raise NsgRuleError(f"Rule {rule_name}: {exc.args[0]}", value=text, rule=exc.rule or "IPv4 address or prefix",
                               source=exc.source) from None
        out.append(AddressMatch(str(net.ip) if "/" not in text else str(net), prefix=net))
    return tuple(out)


# --- rules ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SecurityRule:
    """One NSG rule in Azure's terms (``securityRules`` entry)."""

    name: str
    priority: int
    direction: str
    access: str
    protocol: str
    sources: tuple[AddressMatch, ...]
    source_ports: tuple[PortRange, ...]
    destinations: tuple[AddressMatch, ...]
    destination_ports: tuple[PortRange, ...]
    default: bool = False

    HEADERS = ("Direction", "Priority", "Name", "Source", "Source ports", "Destination", "Destination ports",
               "Protocol", "Access")

    def row(self) -> tuple:
        return (self.direction, self.priority, self.name, _join(self.sources), _join(self.source_ports),
                _join(self.destinations), _join(self.destination_ports), self.protocol, self.access)

    def to_dict(self) -> dict:
        """The scenario form: one text per field, or a list where several were given."""
        def one(values: tuple) -> "str | list[str]":
            return str(values[0]) if len(values) == 1 else [str(v) for v in values]
        return {"name": self.name, "priority": self.priority, "direction": self.direction, "access": self.access,
                "protocol": self.protocol, "source": one(self.sources), "source_ports": one(self.source_ports),
                "destination": one(self.destinations), "destination_ports": one(self.destination_ports)}


def _join(values: tuple) -> str:
    return ", ".join(map(str, values))


def _build_rule(name: str, priority: int, direction: object, access: object, protocol: object, source: object,
                source_ports: object, destination: object, destination_ports: object, default: bool) -> SecurityRule:
    check_name(name, "Security rule")
    return SecurityRule(name=name, priority=priority, direction=parse_direction(direction, name),
                        access=parse_access(access, name), protocol=parse_protocol(protocol, name),
                        sources=parse_addresses(source, name), source_ports=parse_ports(source_ports, name),
                        destinations=parse_addresses(destination, name),
                        destination_ports=parse_ports(destination_ports, name), default=default)


def make_rule(name: str, priority: int, direction: str, access: str, protocol: str = ANY, source: object = ANY,
              source_ports: object = ANY, destination: object = ANY, destination_ports: object = ANY) -> SecurityRule:
    """Validate one custom rule: priority 100–4096 (NSG overview, 2025-07-15) and every 5-tuple field."""
    limits = fact("nsg", "priority_range")
    lo, hi = limits.value["min"], limits.value["max"]
    if isinstance(priority, bool) or not isinstance(priority, int) or not lo <= priority <= hi:
        raise NsgRuleError(f"Rule {name}: priority {priority!r} is outside {lo}-{hi} (the default rules' 65000+ "
                           "numbers are reserved for them).", value=priority, rule=f"custom priority {lo}-{hi}",
                           source=limits.cite())
    return _build_rule(name, priority, direction, access, protocol, source, source_ports, destination,
                       destination_ports, default=False)


@lru_cache(maxsize=1)
def default_rules() -> tuple[SecurityRule, ...]:
    """The six rules every NSG has (NSG overview, 2025-07-15, fact ``default_rules``)."""
    return tuple(_build_rule(e["name"], e["priority"], e["direction"], e["access"], e["protocol"], e["source"], ANY,
                             e["destination"], e["ports"], default=True)
                 for e in fact("nsg", "default_rules").value)


# --- the NSG ----------------------------------------------------------------------------------------------
@dataclass
class NetworkSecurityGroup:
    """An NSG: custom rules (by name) plus the default rules, which are always present."""

    name: str
    custom: dict[str, SecurityRule] = field(default_factory=dict)

    def add_rule(self, rule: SecurityRule) -> SecurityRule:
        """Unique name; unique priority per direction; at most 1,000 rules (networking limits, 2022-12-05)."""
        if rule.name in self.custom or any(rule.name == d.name for d in default_rules()):
            raise NsgRuleError(f"NSG {self.name} already has a rule named {rule.name}.", value=rule.name,
                               rule="rule names are unique in an NSG", source=NSG_OVERVIEW)
        clash = next((r for r in self.custom.values()
                      if r.direction == rule.direction and r.priority == rule.priority), None)
        if clash is not None:
            raise NsgRuleError(f"Rule {rule.name}: priority {rule.priority} ({rule.direction}) is already used by "
                               f"{clash.name} in NSG {self.name}.", value=rule.priority,
                               rule="two rules can't share a priority and direction", source=NSG_OVERVIEW)
        limit = fact("nsg", "rules_per_nsg")
        if len(self.custom) >= limit.value:
            raise NsgRuleError(f"NSG {self.name} has {limit.value} rules, the limit; rule {rule.name} is one too many.",
                               value=len(self.custom), rule=f"{limit.value} rules per NSG", source=limit.cite())
        self.custom[rule.name] = rule
        return rule

    def remove_rule(self, name: str) -> None:
        if any(name == d.name for d in default_rules()):
            raise NsgRuleError(f"{name} is a default rule of NSG {self.name}; default rules can't be deleted (override "
                               "it with a custom rule of lower number).", value=name,
                               rule="default rules can't be deleted", source=NSG_OVERVIEW)
        if name not in self.custom:
            raise NsgRuleError(f"NSG {self.name} has no rule {name!r} (rules: {', '.join(self.custom) or 'none'}).",
                               value=name, rule="the rule must exist")
        del self.custom[name]

    def rules(self, direction: str) -> tuple[SecurityRule, ...]:
        """Rules of one direction in evaluation order: custom rules by priority, then the defaults."""
        d = parse_direction(direction, "(rules)")
        custom = sorted((r for r in self.custom.values() if r.direction == d), key=lambda r: r.priority)
        return tuple(custom) + tuple(r for r in default_rules() if r.direction == d)

    def _all(self) -> tuple[SecurityRule, ...]:
        return self.rules("Inbound") + self.rules("Outbound")

    def to_dict(self) -> dict:
        return {"name": self.name, "rules": [r.to_dict() for r in self.custom.values()]}

    def _repr_html_(self) -> str:
        rows = self._all()
        return html_table(SecurityRule.HEADERS, [r.row() for r in rows], dim=[i for i, r in enumerate(rows) if r.default],
                          caption=f"Network security group {self.name} (default rules greyed)")

    def __str__(self) -> str:
        return f"Network security group {self.name}\n" + text_table(SecurityRule.HEADERS, [r.row() for r in self._all()])


# --- service tags -------------------------------------------------------------------------------------
def virtual_network_prefixes(network, vnet, subnet) -> IPSet:
    """The ``VirtualNetwork`` service tag as seen from ``subnet`` (Service tags, 2021-04-23).

    Azure: the VNet's address space, all connected on-premises address spaces, peered VNets, VNets
    connected through a virtual network gateway, the host's virtual IP 168.63.129.16, and prefixes used in
    user-defined routes; it "might also contain default routes". vnetlab derives it from the subnet's
    effective routes: Active rows with next hop ``VnetLocal``, ``VNetPeering``, ``VNetGlobalPeering`` or
    ``VirtualNetworkGateway`` (LNG prefixes, VNet-to-VNet remote spaces, the P2S pool), plus the prefix of
    every user-defined route, plus 168.63.129.16/32. A peer counts only while its link is Connected and
    ``allow_virtual_network_access`` is on for both links (Manage peering, 2025-05-08). Consequence: a UDR
    0.0.0.0/0 widens ``VirtualNetwork`` to every address, so ``AllowVNetInBound`` then admits the internet.
    """
    return IPSet(service_tag_sets(network, vnet, subnet)["VirtualNetwork"])


def _peer_access_on(vnet, peer_name: str) -> bool:
    link = vnet.peerings.get(peer_name)
    return (link is not None and link.reverse is not None and link.settings.allow_virtual_network_access
            and link.reverse.settings.allow_virtual_network_access)


def _virtual_network(network, vnet, subnet) -> IPSet:
    prefixes = [fact("nsg", "host_virtual_ip").value]
    for r in network.effective_routes(vnet.name, subnet.name):
        if r.source == "User":
            prefixes.append(r.prefix)
        elif r.state == "Active" and r.next_hop_type in VIRTUAL_NETWORK_HOPS and (
                not r.peer or _peer_access_on(vnet, r.peer)):
            prefixes.append(r.prefix)
    return IPSet(prefixes)


def internet_prefixes(network, vnet) -> IPSet:
    """The ``Internet`` service tag: address space outside the VNet reachable from the public internet.

    Azure publishes no list; vnetlab approximates it as every IPv4 address except the special-purpose
    blocks of fact ``internet_not_public`` (RFC 1918, RFC 6598, this-network, loopback, link-local,
    multicast, reserved), except the VNet's own ranges (which may be public addresses) and except the host's
    virtual IP 168.63.129.16, which is a virtual address on the Azure host, not reachable from the internet (it is
    what ``AzureLoadBalancer`` and ``VirtualNetwork`` cover).
    """
    v = network.vnet(vnet)
    return IPSet(["0.0.0.0/0"]) - _not_public() - IPSet(v.address_space) - azure_load_balancer_prefixes()


@lru_cache(maxsize=1)
def _not_public() -> IPSet:
    return IPSet(e["prefix"] for e in fact("nsg", "internet_not_public").value)


def azure_load_balancer_prefixes() -> IPSet:
    """The ``AzureLoadBalancer`` tag: the host virtual IP 168.63.129.16, source of health probes."""
    return IPSet([fact("nsg", "host_virtual_ip").value])


def service_tag_sets(network, vnet, subnet) -> dict[str, IPSet]:
    """Every service tag resolved from ``subnet``'s point of view (treat the sets as read-only)."""
    v, s = network.vnet(vnet), network.subnet(vnet, subnet)

    def compute() -> dict[str, IPSet]:
        return {"VirtualNetwork": _virtual_network(network, v, s), "Internet": internet_prefixes(network, v),
                "AzureLoadBalancer": azure_load_balancer_prefixes()}
    return network.memo(("nsg-tags", v.name, s.name), compute)


# --- evaluation --------------------------------------------------------------------------------------------
def _address_matches(matches: tuple[AddressMatch, ...], address: IPAddress, tags: Mapping[str, IPSet]) -> bool:
    return any(m.text == ANY or (m.prefix is not None and address in m.prefix) or (m.tag and address in tags[m.tag])
               for m in matches)


def rule_matches(rule: SecurityRule, packet: Packet, tags: Mapping[str, IPSet]) -> bool:
    """The rule's protocol, addresses and ports all match the packet (``*`` matches every protocol)."""
    return ((rule.protocol == ANY or rule.protocol.lower() == packet.protocol.lower())
            and _address_matches(rule.sources, packet.src, tags)
            and _address_matches(rule.destinations, packet.dst, tags)
            and any(p.matches(packet.src_port) for p in rule.source_ports)
            and any(p.matches(packet.dst_port) for p in rule.destination_ports))


def evaluate(nsg: NetworkSecurityGroup, direction: str, packet: Packet, tags: Mapping[str, IPSet]) -> SecurityRule:
    """The first rule, in priority order, that matches ``packet``: first match stops (NSG overview, 2025-07-15).

    ``tags`` maps each service tag to its addresses (:func:`service_tag_sets`). The default DenyAll rule
    matches everything, so there is always an answer.
    """
    return next(r for r in nsg.rules(direction) if rule_matches(r, packet, tags))


@dataclass(frozen=True)
class NsgStep:
    """One level of an NSG check: which NSG (``""`` = none) on which subnet or NIC, and what it decided."""

    level: str        # "subnet" or "NIC"
    target: str       # "spoke/app" or the NIC's name
    nsg: str = ""
    rule: str = ""
    priority: int | None = None
    access: str = "Allow"

    def describe(self) -> str:
        if not self.nsg:
            return f"no NSG on {self.level} {self.target}"
        return f"{self.rule} ({self.priority}) of NSG {self.nsg} on {self.level} {self.target}"


@dataclass(frozen=True)
class FlowVerdict:
    """Network Watcher IP flow verify in vnetlab: access, the deciding rule and NSG, and each level checked."""

    direction: str
    packet: Packet
    access: str
    steps: tuple[NsgStep, ...]

    @property
    def allowed(self) -> bool:
        return self.access == "Allow"

    @property
    def deciding(self) -> NsgStep:
        """The deny that stopped evaluation, or the last NSG that allowed (the last level without NSG if none)."""
        if not self.allowed:
            return self.steps[-1]
        with_nsg = [s for s in self.steps if s.nsg]
        return with_nsg[-1] if with_nsg else self.steps[-1]

    @property
    def rule(self) -> str:
        return self.deciding.rule

    @property
    def nsg(self) -> str:
        return self.deciding.nsg

    @property
    def level(self) -> str:
        return self.deciding.level if self.deciding.nsg else ""

    @property
    def reason(self) -> str:
        """One sentence, e.g. "Denied by DenyAllInbound (65500) of NSG app-nsg on subnet spoke/app"."""
        if not self.allowed:
            return f"Denied by {self.steps[-1].describe()}"
        return "Allowed: " + "; then ".join(s.describe() for s in self.steps)

    HEADERS = ("Step", "Level", "Applies to", "NSG", "Rule", "Priority", "Access")

    def rows(self) -> list[tuple]:
        return [(i, s.level, s.target, s.nsg or "(none)", s.rule, s.priority, s.access)
                for i, s in enumerate(self.steps, 1)]

    def _repr_html_(self) -> str:
        return html_table(self.HEADERS, self.rows(), highlight=[len(self.steps) - 1] if not self.allowed else (),
                          caption=f"{self.direction} {self.packet}: {self.reason}")

    def __str__(self) -> str:
        return f"{self.direction} {self.packet}: {self.reason}\n" + text_table(self.HEADERS, self.rows())


def _check(network, vnet, subnet, nic, packet: Packet, direction: str) -> FlowVerdict:
    """Both levels in the documented order; a deny stops (How NSGs filter traffic, 2020-08-24)."""
    levels = {"subnet": ("subnet", f"{vnet.name}/{subnet.name}", subnet.network_security_group),
              "nic": ("NIC", nic.name if nic is not None else "", getattr(nic, "network_security_group", None))}
    tags = service_tag_sets(network, vnet.name, subnet.name)
    steps: list[NsgStep] = []
    for key in fact("nsg", "evaluation_order").value[direction]:
        level, target, nsg = levels[key]
        if key == "nic" and nic is None:
            continue
        if nsg is None:
            steps.append(NsgStep(level, target))
            continue
        rule = evaluate(nsg, direction, packet, tags)
        steps.append(NsgStep(level, target, nsg.name, rule.name, rule.priority, rule.access))
        if rule.access == "Deny":
            return FlowVerdict(direction, packet, "Deny", tuple(steps))
    return FlowVerdict(direction, packet, "Allow", tuple(steps))


def outbound_check(network, vnet, subnet, nic, packet: Packet) -> FlowVerdict:
    """Outbound NSGs for a packet leaving ``nic`` (or ``subnet`` when no NIC): NIC's NSG, then the subnet's."""
    return _check(network, vnet, subnet, nic, packet, "Outbound")


def inbound_check(network, vnet, subnet, nic, packet: Packet) -> FlowVerdict:
    """Inbound NSGs for a packet arriving at ``nic`` (or ``subnet``): subnet's NSG, then the NIC's."""
    return _check(network, vnet, subnet, nic, packet, "Inbound")


def _port_value(value: object, what: str) -> int | None:
    lo, hi = _port_limits()
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise NsgError(f"{what} {value!r} is not a port number {lo}-{hi}.", value=value, rule=f"ports are {lo}-{hi}",
                       source=NSG_OVERVIEW)
    return value


def flow_verify(network, target: str, direction: str, protocol: str = "Tcp", local_ip: str | None = None,
                local_port: int | None = None, remote_ip: str | None = None,
                remote_port: int | None = None) -> FlowVerdict:
    """Would the NSGs let a new flow through at ``target`` (a NIC name or an address in a subnet)?

    As Network Watcher's IP flow verify: ``local`` is the VM's side, ``remote`` the other end; inbound the
    packet goes remote → local, outbound local → remote. ``local_ip`` defaults to the NIC's address.
    """
    d = parse_direction(direction, "(flow verify)")
    proto = parse_protocol(protocol, "(flow verify)")
    if proto == ANY:
        raise NsgError("Flow verify checks one packet: give its protocol (Tcp, Udp, Icmp, Esp or Ah), not '*'.",
                       value=protocol, rule="a packet has one protocol")
    place = network.locate(target)
    if place is None:
        raise NsgError(f"{target!r} is in no subnet of this network; flow verify needs a NIC or an address in a subnet.",
                       value=target, rule="flow verify runs at a VM's NIC")
    vnet, subnet, nic = place
    if remote_ip is None:
        raise NsgError("Flow verify needs the remote address (remote_ip).", value=None, rule="a flow has two ends")
    local = addressing.parse_address(local_ip, what="local address") if local_ip is not None else (
        nic.ip if nic is not None else addressing.parse_address(target, what="local address"))
    remote = addressing.parse_address(remote_ip, what="remote address")
    lport, rport = _port_value(local_port, "local_port"), _port_value(remote_port, "remote_port")
    if d == "Inbound":
        return inbound_check(network, vnet, subnet, nic, Packet(remote, local, proto, lport, rport))
    return outbound_check(network, vnet, subnet, nic, Packet(local, remote, proto, rport, lport))


def associations(network, nsg: NetworkSecurityGroup) -> list[dict]:
    """Where ``nsg`` is associated, in scenario form: ``{vnet, subnet}`` and ``{nic}`` entries."""
    subnets = [{"vnet": v.name, "subnet": s.name} for v in network.vnets.values() for s in v.subnets.values()
               if s.network_security_group is nsg]
    return subnets + [{"nic": n.name} for n in network.nics if n.network_security_group is nsg]


def check_association(subnet) -> None:
    """GatewaySubnet takes no NSG (azure-facts.md §2.3, §8.4)."""
    if subnet.name == addressing.gateway_subnet_rules()["name"]:
        f = fact("nsg", "gateway_subnet")
        raise NsgError(f"Subnet {subnet.vnet.name}/{subnet.name}: {f.value}", value=subnet.name,
                       rule="no NSG on GatewaySubnet", source=f.cite())


__all__ = ["NsgError", "NsgRuleError", "PortRange", "AddressMatch", "SecurityRule", "NetworkSecurityGroup", "NsgStep",
           "FlowVerdict", "make_rule", "default_rules", "parse_ports", "parse_addresses", "parse_protocol",
           "parse_direction", "parse_access", "virtual_network_prefixes", "internet_prefixes",
           "azure_load_balancer_prefixes", "service_tag_sets", "rule_matches", "evaluate", "outbound_check",
           "inbound_check", "flow_verify", "associations", "check_association"]
