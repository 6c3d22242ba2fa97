"""Network Watcher's diagnostic tools, in the simulator: each function is named and shaped after the Azure tool it
mirrors, cites that tool's page (``vnetlab/data/network_watcher.yaml``), and only *shapes* what the engine computes
(effective routes, NSG evaluation, trace, IKE negotiation). Each result is a frozen dataclass that displays as a
table in a notebook and as text in a terminal.

=============================  ========================================================================
vnetlab                        Azure Network Watcher
=============================  ========================================================================
:func:`next_hop`               Next hop: next hop type, IP address, route table ID
:func:`ip_flow_verify`         IP flow verify: access and the deciding rule for a 5-tuple at a NIC
:func:`effective_routes`       Effective routes of a NIC (its subnet's routes)
:func:`effective_security_rules`  Effective security rules: the NSG rules applied to a NIC
:func:`connection_troubleshoot`   Connection troubleshoot: status, hops, issues
:func:`vpn_troubleshoot`       VPN troubleshoot: code (Healthy / UnHealthy) and results (fault type ids)
:func:`peering_status`         (portal) the peering links' state, sync level and settings
=============================  ========================================================================
"""
from __future__ import annotations

from dataclasses import dataclass

from ..display import html_table, text_table
from ..errors import NotFoundError
from ..facts import fact
from ..network import Network
from ..nsg import FlowVerdict, SecurityRule
from ..routes import EffectiveRoutes


def _cite(tool: str) -> str:
    return fact("network_watcher", tool).cite()


class _Table:
    """Display mixin: ``HEADERS``, ``rows()`` and ``caption()``; the tool's source is printed under the table."""

    HEADERS: tuple[str, ...] = ()
    TOOL = ""

    def rows(self) -> list[tuple]:  # pragma: no cover - overridden
        return []

    def caption(self) -> str:  # pragma: no cover - overridden
        return ""

    def highlight(self) -> list[int]:
        return []

    def _repr_html_(self) -> str:
        return (html_table(self.HEADERS, self.rows(), highlight=self.highlight(), caption=self.caption())
                + f"<p style='font-size:smaller'>Mirrors Network Watcher: {_cite(self.TOOL)}</p>")

    def __str__(self) -> str:
        return self.caption() + "\n" + text_table(self.HEADERS, self.rows())


def _place(net: Network, source: str):
    located = net.locate(source)
    if located is None:
        raise NotFoundError(f"{source!r} is in no subnet of this network: name a VM's NIC or an address in a subnet.",
                            value=source, rule="a diagnosis starts at a NIC")
    return located


# --- next hop ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NextHop(_Table):
    """Network Watcher *Next hop*: ``next_hop_type``, ``next_hop_ip_address`` and ``route_table_id`` ("System Route"
    unless a user-defined route decided), for ``destination`` from ``source``."""

    source: str
    destination: str
    next_hop_type: str
    next_hop_ip_address: str
    route_table_id: str
    route_prefix: str
    HEADERS = ("Source", "Destination", "Next hop type", "IP address", "Route table ID", "Matched prefix")
    TOOL = "next_hop"

    def rows(self) -> list[tuple]:
        return [(self.source, self.destination, self.next_hop_type, self.next_hop_ip_address or "-",
                 self.route_table_id, self.route_prefix or "-")]

    def caption(self) -> str:
        return f"Next hop from {self.source} to {self.destination}: {self.next_hop_type}"


def next_hop(net: Network, source: str, destination: str) -> NextHop:
    """The next hop the source's effective routes choose for ``destination`` (longest prefix match; Network Watcher's
    spelling of the type: ``VirtualNetwork`` for ``VnetLocal``, ``VirtualNetworkPeering`` for peering routes)."""
    vnet, subnet, nic = _place(net, source)
    route = net.effective_routes(vnet.name, subnet.name).lookup(destination)
    names = fact("network_watcher", "next_hop").value["from_effective_routes"]
    if route is None:
        return NextHop(nic.name if nic else str(source), str(destination), "None", "", "System Route", "")
    table = subnet.route_table.name if route.source == "User" and subnet.route_table is not None else "System Route"
    return NextHop(nic.name if nic else str(source), str(destination), names.get(route.next_hop_type, route.next_hop_type),
                   ", ".join(route.next_hop_ip), table, route.prefix)


# --- IP flow verify ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IpFlowVerify(_Table):
    """Network Watcher *IP flow verify*: ``access`` (Allow / Deny) and ``rule_name``, with each NSG level checked."""

    verdict: FlowVerdict
    target: str
    HEADERS = FlowVerdict.HEADERS
    TOOL = "ip_flow_verify"

    @property
    def access(self) -> str:
        return self.verdict.access

    @property
    def rule_name(self) -> str:
        return self.verdict.rule

    def rows(self) -> list[tuple]:
        return self.verdict.rows()

    def highlight(self) -> list[int]:
        return [len(self.verdict.steps) - 1] if not self.verdict.allowed else []

    def caption(self) -> str:
        return f"IP flow verify at {self.target}, {self.verdict.direction} {self.verdict.packet}: {self.access} " \
               f"({self.verdict.reason})"


def ip_flow_verify(net: Network, target: str, direction: str, protocol: str = "Tcp", local_port: int | None = None,
                   remote_ip: str | None = None, remote_port: int | None = None,
                   local_ip: str | None = None) -> IpFlowVerify:
    """Would the NSGs on ``target``'s subnet and NIC allow this flow? Which rule decides? (:func:`vnetlab.nsg.flow_verify`)"""
    verdict = net.flow_verify(target, direction, protocol, local_ip=local_ip, local_port=local_port,
                              remote_ip=remote_ip, remote_port=remote_port)
    return IpFlowVerify(verdict, target)


# --- effective routes and security rules -------------------------------------------------------------------------
def effective_routes(net: Network, nic_or_vnet: str, subnet: str | None = None) -> EffectiveRoutes:
    """A NIC's effective routes (Azure shows them per NIC; they are its subnet's): ``effective_routes(net, "vm-a")``
    or ``effective_routes(net, "spoke1", "app")``."""
    if subnet is None:
        vnet, s, _ = _place(net, nic_or_vnet)
        return net.effective_routes(vnet.name, s.name)
    return net.effective_routes(nic_or_vnet, subnet)


@dataclass(frozen=True)
class EffectiveSecurityRules(_Table):
    """Network Watcher *Effective security rules*: the rules of the NSGs on the NIC's subnet and on the NIC, per
    direction in evaluation order (lowest priority number first)."""

    nic: str
    levels: tuple[tuple[str, str, tuple[SecurityRule, ...]], ...]  # (level, NSG name, rules)
    HEADERS = ("Level", "NSG", *SecurityRule.HEADERS)
    TOOL = "effective_security_rules"

    def rows(self) -> list[tuple]:
        return [(level, name, *r.row()) for level, name, rules in self.levels for r in rules]

    def caption(self) -> str:
        if not self.levels:
            return f"Effective security rules of {self.nic}: no NSG on its subnet or NIC (all traffic allowed)"
        return f"Effective security rules of {self.nic}: " + ", ".join(f"{n} on {lv}" for lv, n, _ in self.levels)


def effective_security_rules(net: Network, nic: str) -> EffectiveSecurityRules:
    """The NSG rules that apply to ``nic``: its subnet's NSG, then its own (inbound; outbound the reverse)."""
    n = net.nic(nic)
    levels = []
    for level, group in (("subnet", n.subnet.network_security_group), ("NIC", n.network_security_group)):
        if group is not None:
            levels.append((level, group.name, group.rules("Inbound") + group.rules("Outbound")))
    return EffectiveSecurityRules(n.name, tuple(levels))


# --- connection troubleshoot -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConnectionHop:
    type: str
    address: str
    detail: str
    issues: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConnectionTroubleshoot(_Table):
    """Network Watcher *Connection troubleshoot*: ``connection_status`` (Reachable / Unreachable), the hops with the
    issues found at each, and the issues overall."""

    source: str
    destination: str
    port: int | None
    connection_status: str
    hops: tuple[ConnectionHop, ...]
    delivered_to: str
    HEADERS = ("#", "Hop", "Where", "Detail", "Issues")
    TOOL = "connection_troubleshoot"

    @property
    def issues(self) -> tuple[str, ...]:
        return tuple(i for h in self.hops for i in h.issues)

    def rows(self) -> list[tuple]:
        return [(i, h.type, h.address, h.detail, "; ".join(h.issues) or "-") for i, h in enumerate(self.hops, 1)]

    def highlight(self) -> list[int]:
        return [i for i, h in enumerate(self.hops) if h.issues]

    def caption(self) -> str:
        to = f" (delivered to {self.delivered_to})" if self.connection_status == "Reachable" else ""
        return f"Connection troubleshoot {self.source} → {self.destination}:{self.port}: {self.connection_status}{to}"


def connection_troubleshoot(net: Network, source: str, destination: str, port: int = 443, protocol: str = "Tcp",
                            from_site: str | None = None) -> ConnectionTroubleshoot:
    """Follow a connection from ``source`` (a VM's NIC, or with ``from_site`` an on-premises host) to ``destination``
    (the engine's :meth:`Network.trace`): each step is a hop; where the packet stops, the trace's reason is the issue."""
    t = net.trace(source, destination, protocol, port, from_site=from_site)
    hops = []
    for i, h in enumerate(t.hops):
        last = i == len(t.hops) - 1
        issues = (t.reason,) if last and not t.reachable else ()
        where = f"{h.vnet}/{h.subnet}" if h.subnet else h.vnet
        route = f" [{h.route.prefix} → {h.route.next_hop_type}]" if h.route else ""
        hops.append(ConnectionHop(h.action, where, h.detail + route, issues))
    return ConnectionTroubleshoot(str(source), str(destination), port, "Reachable" if t.reachable else "Unreachable",
                                  tuple(hops), t.dst_vnet if t.reachable else "")


# --- VPN troubleshoot ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VpnResult:
    id: str
    summary: str
    detailed: str


@dataclass(frozen=True)
class VpnTroubleshoot(_Table):
    """Network Watcher *VPN troubleshoot* on a gateway or one connection: ``code`` (Healthy / UnHealthy) and
    ``results`` whose ``id`` is the documented fault type (``NoFault``, ``IkePolicyMismatch``, ...)."""

    target: str
    code: str
    results: tuple[VpnResult, ...]
    HEADERS = ("Fault type (id)", "Summary", "Detailed")
    TOOL = "vpn_troubleshoot"

    def rows(self) -> list[tuple]:
        return [(r.id, r.summary, r.detailed) for r in self.results]

    def highlight(self) -> list[int]:
        return [i for i, r in enumerate(self.results) if r.id != "NoFault"]

    def caption(self) -> str:
        return f"VPN troubleshoot {self.target}: {self.code}"


def _connection_result(c) -> VpnResult:
    faults = fact("network_watcher", "vpn_troubleshoot").value["connection_faults"]
    if c.status == "Connected":
        return VpnResult("NoFault", faults["NoFault"], f"{c.name}: Connected ({c.status_reason})")
    if c.kind == "Vnet2Vnet" and c.reverse is None:
        return VpnResult("ConnectionEntityNotFound", faults["ConnectionEntityNotFound"], f"{c.name}: {c.status_reason}")
    return VpnResult("IkePolicyMismatch", faults["IkePolicyMismatch"], f"{c.name}: {c.status_reason}")


def vpn_troubleshoot(net: Network, vnet: str, connection: str | None = None) -> VpnTroubleshoot:
    """Diagnose ``vnet``'s VPN gateway (every connection) or one ``connection`` on it: NotConnected connections are
    reported with the fault type their reason matches (an IKE negotiation failure is ``IkePolicyMismatch``)."""
    gw = net.gateway(vnet)
    if connection is not None:
        c = net.connection(vnet, connection)
        result = _connection_result(c)
        return VpnTroubleshoot(c.name, "Healthy" if result.id == "NoFault" else "UnHealthy", (result,))
    faults = fact("network_watcher", "vpn_troubleshoot").value["gateway_faults"]
    conns = list(gw.connections.values())
    if not conns:
        return VpnTroubleshoot(gw.name, "UnHealthy", (VpnResult("NoConnectionsFoundForGateway",
                                                                faults["NoConnectionsFoundForGateway"], gw.name),))
    results = [_connection_result(c) for c in conns]
    down = [r for r in results if r.id != "NoFault"]
    head = (VpnResult("ConnectionsNotConnected", faults["ConnectionsNotConnected"],
                      ", ".join(r.detailed.split(":")[0] for r in down)),) if down else ()
    return VpnTroubleshoot(gw.name, "UnHealthy" if down else "Healthy", head + tuple(results))


# --- peering status (the portal's peering blade) ---------------------------------------------------------------
@dataclass(frozen=True)
class PeeringStatus(_Table):
    """The peering links of a VNet as the portal lists them: peering state, sync level and the four settings."""

    vnet: str
    rows_: tuple[tuple, ...]
    HEADERS = ("Link", "Remote VNet", "Peering state", "Sync level", "allow_virtual_network_access",
               "allow_forwarded_traffic", "allow_gateway_transit", "use_remote_gateways")
    TOOL = "peering"

    def rows(self) -> list[tuple]:
        return list(self.rows_)

    def highlight(self) -> list[int]:
        return [i for i, r in enumerate(self.rows_) if r[2] != "Connected" or r[3] != "FullyInSync"]

    def caption(self) -> str:
        return f"Peering links of {self.vnet} (and the links pointing at it)"

    def _repr_html_(self) -> str:
        return html_table(self.HEADERS, self.rows(), highlight=self.highlight(), caption=self.caption())


def peering_status(net: Network, vnet: str) -> PeeringStatus:
    """Every link from ``vnet`` and every link pointing at it, with state, sync level and settings."""
    v = net.vnet(vnet)
    links = [l for l in net.peering_links if l.local is v or l.remote is v]
    return PeeringStatus(v.name, tuple((l.name, l.remote.name, l.peering_state, l.peering_sync_level,
                                        *(getattr(l.settings, k) for k in ("allow_virtual_network_access",
                                                                           "allow_forwarded_traffic",
                                                                           "allow_gateway_transit",
                                                                           "use_remote_gateways")))
                                       for l in links))
