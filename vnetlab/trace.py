"""Follow a packet hop by hop: route lookup, peering crossing, delivery; a verdict with its reason.

The walk is what Azure's data path does: the source subnet's effective routes choose a next hop by
longest prefix (:mod:`vnetlab.routes`); ``VnetLocal`` delivers inside the VNet; ``VNetPeering`` /
``VNetGlobalPeering`` crosses the link into the peer (if the link allows virtual network access) and
delivers there; ``Internet`` leaves Azure; ``None`` drops. Peering is not transitive: a peer's peers are
not in the table, so spoke-to-spoke traffic through a hub matches a ``None`` route and is dropped — the
reason says which peering is missing.
"""
from __future__ import annotations

from dataclasses import dataclass

from netaddr import IPAddress

from . import addressing
from .display import html_table, text_table
from .errors import TraceError
from .routes import Route

PROTOCOLS = {"tcp": "Tcp", "udp": "Udp", "icmp": "Icmp", "any": "Any", "*": "Any"}
MAX_HOPS = 16


@dataclass(frozen=True)
class Hop:
    step: int
    vnet: str
    subnet: str
    action: str
    detail: str
    route: Route | None = None


@dataclass(frozen=True)
class Trace:
    """The result of :func:`trace`: the packet, its hops and a verdict (Reachable, Dropped, Internet)."""

    src: str
    dst: str
    protocol: str
    port: int | None
    hops: tuple[Hop, ...]
    verdict: str
    reason: str
    src_vnet: str = ""
    dst_vnet: str = ""

    @property
    def reachable(self) -> bool:
        return self.verdict == "Reachable"

    @property
    def next_hop_type(self) -> str | None:
        """The next-hop type chosen at the source (what Network Watcher's *Next hop* answers)."""
        first = next((h.route for h in self.hops if h.route is not None), None)
        return first.next_hop_type if first else None

    def rows(self) -> list[tuple]:
        return [(h.step, h.vnet, h.subnet, h.action,
                 f"{h.route.prefix} → {h.route.next_hop_type}" if h.route else "", h.detail) for h in self.hops]

    HEADERS = ("#", "VNet", "Subnet", "Action", "Route", "Detail")

    def _caption(self) -> str:
        port = f":{self.port}" if self.port is not None else ""
        return f"{self.protocol} {self.src} → {self.dst}{port}: {self.verdict}. {self.reason}"

    def _repr_html_(self) -> str:
        return html_table(self.HEADERS, self.rows(), highlight=[len(self.hops) - 1], caption=self._caption())

    def __str__(self) -> str:
        return self._caption() + "\n" + text_table(self.HEADERS, self.rows())


def normalize_protocol(protocol: object) -> str:
    if not isinstance(protocol, str) or protocol.strip().lower() not in PROTOCOLS:
        raise TraceError(f"Protocol {protocol!r}: use Tcp, Udp, Icmp or Any.", value=protocol,
                         rule="protocols Azure filters on: TCP, UDP, ICMP, Any")
    return PROTOCOLS[protocol.strip().lower()]


def normalize_port(port: object, protocol: str) -> int | None:
    if port is None:
        return None
    if protocol not in ("Tcp", "Udp"):
        raise TraceError(f"Port {port!r} with {protocol}: only TCP and UDP have ports.", value=port,
                         rule="ports belong to TCP and UDP")
    if isinstance(port, bool) or not isinstance(port, int):
        if isinstance(port, str) and port.strip().isdigit():
            port = int(port.strip())
        else:
            raise TraceError(f"Port {port!r} is not a number from 0 to 65535.", value=port, rule="ports are 0..65535")
    if not 0 <= port <= 65535:
        raise TraceError(f"Port {port} is outside 0..65535.", value=port, rule="ports are 0..65535")
    return port


def trace(network, src: str, dst: str, protocol: str = "Tcp", port: int | None = None) -> Trace:
    """Trace a packet from ``src`` (a VM's NIC name or an address in a subnet) to ``dst`` (an address)."""
    proto = normalize_protocol(protocol)
    port = normalize_port(port, proto)
    d = addressing.parse_address(dst, what="destination address")
    located = network.locate(src)
    if located is None:
        raise TraceError(f"Source {src} is not in any subnet of this network; trace from a VM's address or NIC name.",
                         value=str(src), rule="a trace starts at a NIC in a subnet")
    vnet, subnet, nic = located
    s = nic.ip if nic else addressing.parse_address(src)
    hops: list[Hop] = []
    dst_owner = _other_owner(network, vnet, d)

    def done(verdict: str, reason: str) -> Trace:
        last = hops[-1].vnet if verdict == "Reachable" else (dst_owner.name if dst_owner else "")
        return Trace(src=str(s), dst=str(d), protocol=proto, port=port, hops=tuple(hops), verdict=verdict,
                     reason=reason, src_vnet=vnet.name, dst_vnet=last)

    where = nic.name if nic else f"{s} (no NIC)"
    hops.append(Hop(1, vnet.name, subnet.name, "leave source", f"packet leaves {where}"))
    routes = network.effective_routes(vnet.name, subnet.name)
    route = routes.lookup(d)
    if route is None:  # cannot happen while 0.0.0.0/0 exists, but a table without it drops
        hops.append(Hop(2, vnet.name, subnet.name, "drop", "no route matches"))
        return done("Dropped", f"No route in {vnet.name}/{subnet.name} matches {d}.")
    hops.append(Hop(2, vnet.name, subnet.name, "route lookup", f"longest prefix match for {d}", route))
    hop = route.next_hop_type
    if hop == "VnetLocal":
        return _deliver(network, vnet, d, hops, done, how=f"inside {vnet.name}")
    if hop in ("VNetPeering", "VNetGlobalPeering"):
        link = vnet.peerings[route.peer]
        if not link.settings.allow_virtual_network_access:
            hops.append(Hop(3, vnet.name, "", "drop", f"link {link.name} has allow_virtual_network_access off", route))
            return done("Dropped", f"The peering exists, but {vnet.name}'s link {link.name} does not allow virtual "
                                   f"network access to {link.remote.name}.")
        hops.append(Hop(3, link.remote.name, "", "cross peering",
                        f"{link.kind.lower()} peering {vnet.name} → {link.remote.name} over the Microsoft backbone"))
        return _deliver(network, link.remote, d, hops, done, how=f"through peering {vnet.name} → {link.remote.name}")
    if hop == "Internet":
        hops.append(Hop(3, vnet.name, "", "to internet", "next hop Internet: the packet leaves Azure's virtual network"))
        extra = ""
        if dst_owner is not None:
            extra = (f" {d} is in VNet {dst_owner.name}, but {vnet.name} has no route to it, and a VNet's "
                     "addresses are not reachable from the internet.")
        return done("Internet", f"{d} matches {route.prefix} → Internet.{extra}")
    hops.append(Hop(3, vnet.name, "", "drop", f"next hop {hop}: the packet is dropped", route))
    return done("Dropped", f"{d} matches {route.prefix} → {hop}: dropped. " + explain_missing(network, vnet, d))


def _deliver(network, target, d: IPAddress, hops: list[Hop], done, how: str) -> Trace:
    step = len(hops) + 1
    subnet = target.subnet_of(d)
    if not target.contains(d):
        hops.append(Hop(step, target.name, "", "drop", f"{target.name} no longer has a range holding {d}"))
        return done("Dropped", f"{target.name}'s address space no longer contains {d} (the route came from a stale copy).")
    if subnet is None:
        hops.append(Hop(step, target.name, "", "drop", f"no subnet of {target.name} contains {d}"))
        return done("Dropped", f"{d} is in {target.name}'s address space but in no subnet: nothing can hold it.")
    nic = next((n for n in subnet.nics.values() if n.ip == d), None)
    if nic is None:
        role = addressing.is_reserved_address(subnet.prefix, d)
        what = f"reserved by Azure ({role})" if role else "not assigned to any NIC"
        hops.append(Hop(step, target.name, subnet.name, "drop", f"{d} is {what}"))
        return done("Dropped", f"{d} reaches subnet {target.name}/{subnet.name}, but it is {what}.")
    hops.append(Hop(step, target.name, subnet.name, "deliver", f"delivered to {nic.name}"))
    return done("Reachable", f"Delivered to {nic.name} {how}.")


def _other_owner(network, vnet, d: IPAddress):
    """The VNet, other than the source's, whose address space holds ``d`` (VNets may overlap: the first one)."""
    return next((v for v in network.vnets.values() if v is not vnet and v.contains(d)), None)


def explain_missing(network, vnet, d: IPAddress) -> str:
    """Why ``vnet`` has no route to ``d``: the peering is missing, not transitive, Initiated, or not synced."""
    owner = _other_owner(network, vnet, d)
    if owner is None:
        return f"{d} belongs to no other VNet in this network."
    link = vnet.peerings.get(owner.name)
    if link is not None:
        if not link.connected:
            return (f"The peering {vnet.name} → {owner.name} is {link.peering_state}: "
                    f"create the link on {owner.name} too; a peering needs both links.")
        if not link.local_in_sync:
            return (f"{owner.name} changed its address space and {vnet.name}'s link {link.name} is LocalNotInSync: "
                    f"sync it to learn the new range.")
    via = [name for name, l in vnet.peerings.items() if l.connected and owner.name in network.vnet(name).peerings
           and network.vnet(name).peerings[owner.name].connected]
    if via:
        return (f"{vnet.name} is peered with {via[0]}, and {via[0]} with {owner.name}, but peering is not transitive: "
                f"{vnet.name} has no route to {owner.name}. Peer them directly, or route through an appliance or "
                f"gateway in {via[0]}.")
    return f"{vnet.name} and {owner.name} are not connected (no peering, no gateway connection)."


@dataclass(frozen=True)
class ReachabilityRow:
    src: str
    dst: str
    verdict: str
    reason: str


@dataclass(frozen=True)
class Reachability:
    """Who reaches whom among all VM NICs of a network (a trace per ordered pair)."""

    nics: tuple[str, ...]
    rows: tuple[ReachabilityRow, ...]

    def reachable(self, src: str, dst: str) -> bool:
        return any(r.src == src and r.dst == dst and r.verdict == "Reachable" for r in self.rows)

    def as_dict(self) -> dict[tuple[str, str], bool]:
        return {(r.src, r.dst): r.verdict == "Reachable" for r in self.rows}

    def _repr_html_(self) -> str:
        return html_table(("From", "To", "Verdict", "Why"), [(r.src, r.dst, r.verdict, r.reason) for r in self.rows],
                          caption="Reachability between VMs")

    def __str__(self) -> str:
        return text_table(("From", "To", "Verdict", "Why"), [(r.src, r.dst, r.verdict, r.reason) for r in self.rows])


def reachability(network, protocol: str = "Tcp", port: int | None = None) -> Reachability:
    nics = [nic for v in network.vnets.values() for nic in v.nics]
    rows = []
    for a in nics:
        for b in nics:
            if a is b:
                continue
            t = trace(network, a.name, str(b.ip), protocol, port)
            rows.append(ReachabilityRow(a.name, b.name, t.verdict, t.reason))
    return Reachability(nics=tuple(n.name for n in nics), rows=tuple(rows))
