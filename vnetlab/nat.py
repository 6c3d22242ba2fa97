"""VPN gateway NAT rules: joining networks whose address spaces overlap (NAT overview, 2024-10-16).

A rule lives on the VPN gateway and is linked to Site-to-Site (``IPsec``) connections:

* ``type``: ``Static`` — 1:1 and stateless, internal and external prefixes of the same length, mapped in
  sequential order (10.0.1.10 ↔ 192.168.2.10); ``Dynamic`` — many-to-fewer, stateful and one-way: the flow
  must start on the internal side.
* ``mode``: ``IngressSnat`` translates an **on-premises** space (how Azure sees the site); ``EgressSnat``
  translates the **VNet** space (how the site sees the VNet).
* ``internalMappings`` is the space before translation, ``externalMappings`` after; one prefix per rule.
* One SNAT rule serves both directions: it rewrites the source of packets leaving the translated side and
  the destination of packets coming back. No DNAT rules.
* Only VpnGw2–5 and VpnGw2AZ–5AZ, route-based, on IPsec connections without policy-based traffic selectors;
  not on VNet-to-VNet or Point-to-Site. External mappings must not overlap each other nor any network
  connected without NAT. At most 500 rules per gateway. A dynamic rule serves one connection.
* Rules are created on the gateway first and linked when the connection is created; a connection between
  identical spaces without them is refused (Configure NAT, 2024-10-16).

Facts and their sources: ``vnetlab/data/nat.yaml``.
"""
from __future__ import annotations

from dataclasses import dataclass

from netaddr import IPAddress, IPNetwork

from . import addressing
from .display import html_table, text_table
from .errors import VnetlabError
from .facts import fact
from .packet import Packet
from .vnet import azure_spelling, check_name

TYPES = ("Static", "Dynamic")
MODES = ("IngressSnat", "EgressSnat")


class NatError(VnetlabError):
    """A NAT rule or NAT linkage Azure refuses."""


class NatRuleError(NatError):
    """A NAT rule that breaks a rule constraint (sizes, names, ports)."""


class NatSupportError(NatError):
    """NAT where Azure does not support it (SKU, VPN type, connection kind, traffic selectors)."""


class NatOverlapError(NatError):
    """Address spaces that still overlap after translation, or external mappings that collide."""


def _src(key: str) -> str:
    return fact("nat", key).cite()


def _choice(value: object, allowed: tuple[str, ...], what: str, key: str) -> str:
    spelled = azure_spelling(value, allowed)
    if spelled is not None:
        return spelled
    raise NatRuleError(f"NAT rule {what} {value!r}: use {' or '.join(allowed)}.", value=value,
                       rule=f"NAT rule {what}s", source=_src(key))


def _port(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and "-" in value:
        raise NatRuleError(f"{what} {value!r}: NAT port mappings take single ports, not ranges.", value=value,
                           rule=fact("nat", "port_mappings").value, source=_src("port_mappings"))
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 65535:
        raise NatRuleError(f"{what} {value!r} is not a port number from 1 to 65535.", value=value,
                           rule="ports are 1..65535")
    return value


@dataclass(frozen=True)
class NatRule:
    """``VirtualNetworkGatewayNatRule``: type, mode, one internal and one external mapping."""

    name: str
    type: str
    mode: str
    internal: IPNetwork
    external: IPNetwork
    internal_port: int | None = None
    external_port: int | None = None
    ip_configuration_id: str = "default"

    def translate(self, address: IPAddress) -> IPAddress:
        """Internal → external. Static keeps the offset (sequential 1:1); dynamic shares the smaller pool."""
        offset = int(address) - self.internal.first
        return IPAddress(self.external.first + offset % self.external.size)

    def untranslate(self, address: IPAddress) -> IPAddress:
        """External → internal (static only: a dynamic mapping is known only from the flow that created it)."""
        return IPAddress(self.internal.first + int(address) - self.external.first)

    def translate_prefix(self, prefix: IPNetwork) -> IPNetwork:
        """A prefix inside the internal mapping, moved to the same place in the external one."""
        if self.type == "Dynamic":
            return self.external
        return IPNetwork(f"{self.translate(prefix.ip)}/{prefix.prefixlen}")

    def describe(self) -> str:
        ports = f" port {self.internal_port} → {self.external_port}" if self.internal_port else ""
        return f"{self.name}: {self.type} {self.mode} {self.internal} → {self.external}{ports}"

    def to_dict(self) -> dict:
        data = {"name": self.name, "type": self.type, "mode": self.mode, "internal": str(self.internal),
                "external": str(self.external)}
        if self.internal_port is not None:
            data.update(internal_port=self.internal_port, external_port=self.external_port)
        if self.ip_configuration_id != "default":
            data["ip_configuration_id"] = self.ip_configuration_id
        return data


def make_rule(name: str, *, type: str = "Static", mode: str, internal: str, external: str,
              internal_port: object = None, external_port: object = None,
              ip_configuration_id: str = "default") -> NatRule:
    """Validate one rule on its own (rules that depend on the gateway are in :func:`check_rule_on_gateway`)."""
    check_name(name, "NAT rule")
    if "/" in name:
        raise NatRuleError(f"NAT rule name {name!r} contains '/', which Azure does not allow in rule names.",
                           value=name, rule="no '/' in NAT rule names",
                           source="https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq (2026-06-04)")
    kind = _choice(type, TYPES, "type", "types")
    how = _choice(mode, MODES, "mode", "modes")
    inside, outside = (_one_prefix(x, f"{w} mapping of rule {name}") for x, w in ((internal, "internal"), (external, "external")))
    if kind == "Static" and inside.prefixlen != outside.prefixlen:
        raise NatRuleError(f"Static NAT needs equal-sized prefixes: {inside} vs {outside} in rule {name}.",
                           value=f"{inside} → {outside}", rule=fact("nat", "one_prefix_per_rule").value,
                           source=_src("one_prefix_per_rule"))
    limit = fact("nat", "dynamic_external_max").value
    if kind == "Dynamic" and outside.prefixlen < limit:
        raise NatRuleError(f"Dynamic NAT rule {name}: external pool {outside} is larger than /{limit}, the largest "
                           f"external mapping Azure supports for dynamic NAT.", value=str(outside),
                           rule=f"dynamic external mapping at most /{limit}", source=_src("dynamic_external_max"))
    ports = (_port(internal_port, "internal port"), _port(external_port, "external port"))
    if any(p is not None for p in ports):
        if kind != "Static":
            raise NatRuleError(f"Rule {name}: port mappings are for Static rules only.", value=ports,
                               rule=fact("nat", "port_mappings").value, source=_src("port_mappings"))
        if None in ports:
            raise NatRuleError(f"Rule {name}: give both the internal and the external port.", value=ports,
                               rule="a port mapping has two ends")
    configs = fact("nat", "ip_configurations").value["active_active"]
    if ip_configuration_id not in configs:
        raise NatRuleError(f"Rule {name}: ip_configuration_id {ip_configuration_id!r}: use {' or '.join(configs)}.",
                           value=ip_configuration_id, rule="gateway instance names", source=_src("ip_configurations"))
    return NatRule(name, kind, how, inside, outside, ports[0], ports[1], ip_configuration_id)


def _one_prefix(value: object, what: str) -> IPNetwork:
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise NatRuleError(f"{what}: {list(value)} — a NAT rule takes one address prefix; a space with two prefixes "
                               "needs two rules.", value=list(value), rule=fact("nat", "one_prefix_per_rule").value,
                               source=_src("one_prefix_per_rule"))
        value = value[0]
    return addressing.parse_prefix(value)


def check_rule_on_gateway(gateway, rule: NatRule) -> None:
    """SKU, VPN type, rule count, instance name and external overlap, for a rule added to ``gateway``."""
    if not gateway.sku.nat:
        raise NatSupportError(f"{gateway.name} is {gateway.sku.name}: NAT rules need VpnGw2–5 or VpnGw2AZ–5AZ.",
                              value=gateway.sku.name, rule="NAT on VpnGw2+ only",
                              source="https://learn.microsoft.com/azure/vpn-gateway/nat-overview (2024-10-16)")
    if gateway.vpn_type != "RouteBased":
        raise NatSupportError(f"{gateway.name} is policy-based: NAT needs a route-based gateway.", value=gateway.vpn_type,
                              rule=fact("nat", "route_based_only").value, source=_src("route_based_only"))
    if rule.name in gateway.nat_rules:
        raise NatRuleError(f"Gateway {gateway.name} already has a NAT rule named {rule.name}.", value=rule.name,
                           rule="NAT rule names are unique per gateway")
    limit = fact("nat", "max_rules_per_gateway").value
    if len(gateway.nat_rules) >= limit:
        raise NatRuleError(f"Gateway {gateway.name} already has {limit} NAT rules, Azure's limit.", value=limit,
                           rule=f"at most {limit} NAT rules per gateway", source=_src("max_rules_per_gateway"))
    configs = fact("nat", "ip_configurations").value["active_active" if gateway.active_active else "single"]
    if rule.ip_configuration_id not in configs:
        raise NatRuleError(f"Rule {rule.name}: {gateway.name} is not active-active; its only instance is 'default'.",
                           value=rule.ip_configuration_id, rule="one instance unless active-active",
                           source=_src("ip_configurations"))
    clash = addressing.overlaps([rule.external], gateway.vnet.address_space)
    if clash:
        raise NatOverlapError(f"Rule {rule.name}: external mapping {rule.external} overlaps {gateway.vnet.name}'s own "
                              f"range {clash[0][1]}.", value=str(rule.external), rule=fact("nat", "external_no_overlap").value,
                              source=_src("external_no_overlap"))
    for other in gateway.nat_rules.values():
        twin = (other.internal, other.external, other.mode) == (rule.internal, rule.external, rule.mode) \
            and other.ip_configuration_id != rule.ip_configuration_id  # the same mapping on the other instance
        if not twin and addressing.overlaps([rule.external], [other.external]):
            raise NatOverlapError(f"Rule {rule.name}: external mapping {rule.external} overlaps rule {other.name}'s "
                                  f"external mapping {other.external}.", value=str(rule.external),
                                  rule=fact("nat", "external_no_overlap").value, source=_src("external_no_overlap"))


def resolve(gateway, names: object, mode: str) -> tuple[NatRule, ...]:
    """The gateway's rules named in ``names``, each of the expected mode (ingress or egress list)."""
    if names is None:
        return ()
    if isinstance(names, str):
        names = [names]
    out = []
    for n in names:
        rule = gateway.nat_rules.get(n) if isinstance(n, str) else None
        if rule is None:
            raise NatRuleError(f"Gateway {gateway.name} has no NAT rule {n!r} (rules: "
                               f"{', '.join(gateway.nat_rules) or 'none'}); create rules on the gateway before linking them.",
                               value=n, rule=fact("nat", "order_of_operations").value, source=_src("order_of_operations"))
        if rule.mode != mode:
            raise NatRuleError(f"Rule {n} is {rule.mode} but was listed as {mode}: link IngressSnat rules as ingress rules "
                               f"and EgressSnat rules as egress rules.", value=n, rule="rule mode matches the link",
                               source=_src("modes"))
        out.append(rule)
    return tuple(out)


def check_linkable(network, gateway, kind: str, rules: tuple[NatRule, ...], selectors: bool, name: str) -> None:
    """NAT rules may be linked to IPsec connections without policy-based selectors; a dynamic rule to one only."""
    if not rules:
        return
    if kind != "IPsec":
        raise NatSupportError(f"Connection {name} is {kind}: NAT rules work on IPsec (Site-to-Site) connections only, "
                              "not VNet-to-VNet or Point-to-Site.", value=kind, rule=fact("nat", "connection_kinds").note,
                              source=_src("connection_kinds"))
    if selectors:
        raise NatSupportError(f"Connection {name} uses policy-based traffic selectors: NAT is not supported there.",
                              value=name, rule=fact("nat", "route_based_only").value, source=_src("route_based_only"))
    for rule in rules:
        if rule.type != "Dynamic":
            continue
        used = [c.name for c in gateway.connections.values() if rule.name in (*c.ingress_nat_rules, *c.egress_nat_rules)]
        if used:
            raise NatRuleError(f"Dynamic rule {rule.name} is already linked to connection {used[0]}; a dynamic rule "
                               "serves one connection.", value=rule.name, rule=fact("nat", "dynamic_one_connection").value,
                               source=_src("dynamic_one_connection"))


def _rules(connection, mode: str) -> tuple[NatRule, ...]:
    names = {"IngressSnat": connection.ingress_nat_rules, "EgressSnat": connection.egress_nat_rules}[mode]
    return tuple(connection.gateway.nat_rules[n] for n in names)


def _covering(rules: tuple[NatRule, ...], address: IPAddress, side: str) -> NatRule | None:
    return next((r for r in rules if address in getattr(r, side)), None)


def translate_prefixes(rules: tuple[NatRule, ...], prefixes) -> list[tuple[IPNetwork, NatRule | None]]:
    """Each prefix as seen across the tunnel: moved by the rule whose internal mapping holds it, else unchanged."""
    out = []
    for p in prefixes:
        rule = next((r for r in rules if p in r.internal), None)
        out.append((rule.translate_prefix(p) if rule else p, rule))
    return out


def site_prefixes_seen_by_azure(connection, prefixes=None) -> list[tuple[IPNetwork, NatRule | None]]:
    """The site's prefixes (the LNG's, or ``prefixes``) after the connection's IngressSnat rules."""
    return translate_prefixes(_rules(connection, "IngressSnat"),
                              connection.remote.prefixes if prefixes is None else prefixes)


def vnet_space_seen_by_site(connection) -> list[tuple[IPNetwork, NatRule | None]]:
    """The VNet's ranges as the site sees them: after the connection's EgressSnat rules (what BGP advertises)."""
    return translate_prefixes(_rules(connection, "EgressSnat"), connection.gateway.vnet.address_space)


@dataclass(frozen=True)
class Translation:
    """One rewrite of one header field by one rule."""

    rule: str
    mode: str
    field: str  # "source" or "destination"
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.field} {self.before} → {self.after} ({self.mode} rule {self.rule})"


class NatDrop(Exception):
    """Internal signal: the gateway cannot translate this packet (reason in ``args[0]``)."""


def _apply(pkt: Packet, rules_src: tuple[NatRule, ...], rules_dst: tuple[NatRule, ...]) -> tuple[Packet, list[Translation]]:
    """SNAT the source by a rule whose internal mapping holds it; reverse-translate the destination by a rule
    whose external mapping holds it (the same rules' other direction)."""
    done: list[Translation] = []
    rule = _covering(rules_src, pkt.src, "internal")
    if rule is not None:
        new = rule.translate(pkt.src)
        done.append(Translation(rule.name, rule.mode, "source", str(pkt.src), str(new)))
        pkt = pkt.with_src(new)
    rule = _covering(rules_dst, pkt.dst, "external")
    if rule is not None:
        if rule.type == "Dynamic":
            raise NatDrop(f"{pkt.dst} is in the external pool of dynamic rule {rule.name}: dynamic NAT is one-way, so a "
                          f"flow must start from the rule's internal side ({rule.internal}); use a Static rule for "
                          "two-way initiation.")
        new = rule.untranslate(pkt.dst)
        done.append(Translation(rule.name, rule.mode, "destination", str(pkt.dst), str(new)))
        pkt = pkt.with_dst(new)
    return pkt, done


def outbound(connection, pkt: Packet) -> tuple[Packet, list[Translation]]:
    """A packet from the Azure side into ``connection``'s tunnel: EgressSnat on the source, IngressSnat reversed on
    the destination."""
    return _apply(pkt, _rules(connection, "EgressSnat"), _rules(connection, "IngressSnat"))


def inbound(connection, pkt: Packet) -> tuple[Packet, list[Translation]]:
    """A packet from the site out of ``connection``'s tunnel: IngressSnat on the source, EgressSnat reversed on the
    destination."""
    return _apply(pkt, _rules(connection, "IngressSnat"), _rules(connection, "EgressSnat"))


def shared_rule_findings(gateway) -> list[str]:
    """The same IngressSnat rule may serve several connections only if they reach the same on-premises network (VPN
    FAQ); the simulator cannot know that, so sites with different prefixes sharing a rule get a warning."""
    out = []
    for rule in gateway.nat_rules.values():
        sites = {c.remote.name: tuple(map(str, c.remote.prefixes)) for c in gateway.connections.values()
                 if rule.mode == "IngressSnat" and rule.name in c.ingress_nat_rules}
        if len(set(sites.values())) > 1:
            out.append(f"IngressSnat rule {rule.name} is linked to sites {', '.join(sorted(sites))}: one rule may serve "
                       "several connections only if they reach the same on-premises network; give each site its own "
                       "rule, or the gateway cannot tell their hosts apart.")
    return out


@dataclass(frozen=True)
class NatTable:
    """The NAT rules of a gateway and the connections each is linked to (displays itself)."""

    gateway: str
    rows: tuple[tuple, ...]
    HEADERS = ("Rule", "Type", "Mode", "Internal", "External", "Ports", "Instance", "Connections")

    def _repr_html_(self) -> str:
        return html_table(self.HEADERS, list(self.rows), caption=f"NAT rules of {self.gateway}")

    def __str__(self) -> str:
        return text_table(self.HEADERS, list(self.rows))


def nat_table(gateway) -> NatTable:
    rows = []
    for r in gateway.nat_rules.values():
        linked = [c.name for c in gateway.connections.values() if r.name in (*c.ingress_nat_rules, *c.egress_nat_rules)]
        ports = f"{r.internal_port} → {r.external_port}" if r.internal_port else ""
        rows.append((r.name, r.type, r.mode, str(r.internal), str(r.external), ports, r.ip_configuration_id,
                     ", ".join(linked) or "(not linked)"))
    return NatTable(gateway.name, tuple(rows))
