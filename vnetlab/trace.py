"""Follow a packet hop by hop: route lookup, peering crossing, delivery; a verdict with its reason.

The walk is what Azure's data path does: the source subnet's effective routes choose a next hop by
longest prefix (:mod:`vnetlab.routes`); ``VnetLocal`` delivers inside the VNet; ``VNetPeering`` /
``VNetGlobalPeering`` crosses the link into the peer (if the link allows virtual network access) and
delivers there; ``Internet`` leaves Azure; ``None`` drops. Peering is not transitive: a peer's peers are
not in the table, so spoke-to-spoke traffic through a hub matches a ``None`` route and is dropped — the
reason says which peering is missing.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

from netaddr import IPAddress, IPNetwork

from . import addressing
from .display import TEXT_WIDTH, ResultList, html_table, text_table
from .errors import TraceError
from .encryption import BACKBONE, IN_VNET, P2S_TUNNEL, PUBLIC_INTERNET, tunnel_protection
from .packet import Packet
from .routes import Route

PROTOCOLS = {"tcp": "Tcp", "udp": "Udp", "icmp": "Icmp", "any": "Any", "*": "Any"}
MAX_HOPS = 16


@dataclass(frozen=True)
class Hop:
    """One step of a trace. ``src``/``dst`` are the packet's addresses *after* this step (so a NAT step shows the
    rewrite); ``path`` and ``protection`` are set on steps that carry the packet somewhere (see
    :mod:`vnetlab.encryption`)."""

    step: int
    vnet: str
    subnet: str
    action: str
    detail: str
    route: Route | None = None
    src: str = ""
    dst: str = ""
    path: str = ""
    protection: str = ""


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

    @property
    def translations(self) -> tuple[Hop, ...]:
        """The NAT steps, each showing the packet after the rewrite."""
        return tuple(h for h in self.hops if h.action == "NAT")

    @property
    def delivered_as(self) -> tuple[str, str]:
        """(source, destination) as the receiver sees them, after every translation."""
        last = self.hops[-1] if self.hops else None
        return (last.src, last.dst) if last else (self.src, self.dst)

    @property
    def segments(self) -> tuple[Hop, ...]:
        """The steps that carry the packet over a path (inside a VNet, backbone, internet), with their protection."""
        return tuple(h for h in self.hops if h.path)

    def rows(self) -> list[tuple]:
        return [(h.step, h.vnet, h.subnet, h.action,
                 f"{h.route.prefix} → {h.route.next_hop_type}" if h.route else "", f"{h.src} → {h.dst}",
                 h.detail) for h in self.hops]

    HEADERS = ("#", "VNet", "Subnet", "Action", "Route", "Packet (src → dst)", "Detail")

    def _caption(self) -> str:
        port = f":{self.port}" if self.port is not None else ""
        return f"{self.protocol} {self.src} → {self.dst}{port}: {self.verdict}. {self.reason}"

    def _repr_html_(self) -> str:
        return html_table(self.HEADERS, self.rows(), highlight=[len(self.hops) - 1], caption=self._caption())

    def __str__(self) -> str:
        return textwrap.fill(self._caption(), TEXT_WIDTH) + "\n" + text_table(self.HEADERS, self.rows())

    def _repr_pretty_(self, p, cycle: bool) -> None:
        p.text(str(self))


class TraceList(ResultList):
    """Several traces, one row each (packet, verdict, why): ``TraceList(net.trace(...) for ...)``."""

    HEADERS = ("Protocol", "Packet (src → dst)", "Verdict", "Why")

    @staticmethod
    def row(item: Trace) -> tuple:
        port = f":{item.port}" if item.port is not None else ""
        return (item.protocol, f"{item.src} → {item.dst}{port}", item.verdict, item.reason)


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
        if isinstance(port, str) and port.strip().isascii() and port.strip().isdigit():
            port = int(port.strip())
        else:
            raise TraceError(f"Port {port!r} is not a number from 0 to 65535.", value=port, rule="ports are 0..65535")
    if not 0 <= port <= 65535:
        raise TraceError(f"Port {port} is outside 0..65535.", value=port, rule="ports are 0..65535")
    return port


class _Walk:
    """The hops collected so far, the packet as it is now, and how to finish the trace."""

    def __init__(self, network, pkt: Packet, src_name: str, dst_owner, src_nic=None) -> None:
        self.network = network
        self.first = pkt
        self.pkt = pkt
        self.src_name, self.dst_owner, self.src_nic = src_name, dst_owner, src_nic
        self.hops: list[Hop] = []
        self.visited: set[tuple[str, str]] = set()

    @property
    def d(self) -> IPAddress:
        return self.pkt.dst

    def add(self, vnet: str, subnet: str, action: str, detail: str, route: Route | None = None, path: str = "",
            protection: str = "") -> None:
        self.hops.append(Hop(len(self.hops) + 1, vnet, subnet, action, detail, route, str(self.pkt.src),
                             str(self.pkt.dst), path, protection))

    def translate(self, where: str, result: tuple) -> None:
        """Record the NAT rewrites a gateway made (``result`` is ``(packet, translations)`` from :mod:`vnetlab.nat`)."""
        pkt, done = result
        for t in done:
            self.pkt = self.pkt.with_src(IPAddress(t.after)) if t.field == "source" else self.pkt.with_dst(IPAddress(t.after))
            self.add(where, "GatewaySubnet", "NAT", str(t))
        self.pkt = pkt

    def done(self, verdict: str, reason: str, reached: str = "", dst_nic=None) -> Trace:
        from .encryption import protect

        last = reached or (self.dst_owner.name if self.dst_owner else "")
        hops = protect(tuple(self.hops), self.src_nic, dst_nic)
        return Trace(src=str(self.first.src), dst=str(self.first.dst), protocol=self.first.protocol,
                     port=self.first.dst_port, hops=hops, verdict=verdict, reason=reason, src_vnet=self.src_name,
                     dst_vnet=last)

    def drop(self, vnet: str, detail: str, reason: str, route: Route | None = None) -> Trace:
        self.add(vnet, "", "drop", detail, route)
        return self.done("Dropped", reason)


def trace(network, src: str, dst: str, protocol: str = "Tcp", port: int | None = None, *,
          from_site: str | None = None, from_p2s: str | None = None) -> Trace:
    """Trace a packet from ``src`` (a VM's NIC name or an address in a subnet; with ``from_site``, an address at
    that on-premises site; with ``from_p2s``, a Point-to-Site client address in the pool of that VNet's gateway) to
    ``dst`` (an address, as the sender addresses it: through NAT, the external one)."""
    proto = normalize_protocol(protocol)
    port = normalize_port(port, proto)
    d = addressing.parse_address(dst, what="destination address")
    if from_site is not None and from_p2s is not None:
        raise TraceError("A trace starts at one place: pass from_site= or from_p2s=, not both.",
                         value=(from_site, from_p2s), rule="one trace source")
    if from_site is not None:
        return _from_site(network, from_site, src, d, proto, port)
    if from_p2s is not None:
        return _from_p2s(network, from_p2s, src, d, proto, port)
    located = network.locate(src)
    if located is None:
        raise TraceError(f"Source {src} is not in any subnet of this network; trace from a VM's address or NIC name "
                         "(or pass from_site= for an on-premises host).", value=str(src),
                         rule="a trace starts at a NIC in a subnet")
    vnet, subnet, nic = located
    s = nic.ip if nic else addressing.parse_address(src)
    walk = _Walk(network, Packet(s, d, proto, port), vnet.name, _other_owner(network, vnet, d), nic)
    walk.add(vnet.name, subnet.name, "leave source", f"packet leaves {nic.name if nic else f'{s} (no NIC)'}")
    denied = _filter(network, walk, vnet, subnet, nic, "Outbound")
    return denied or _route_from(network, walk, vnet, subnet, forwarded=False)


def _from_site(network, site: str, src: str, d: IPAddress, proto: str, port: int | None) -> Trace:
    """A packet from an on-premises host: into a Site-to-Site tunnel to a gateway whose connection points at the
    site's local network gateway, translated by that connection's NAT rules, then routed in Azure."""
    from .nat import NatDrop, inbound
    from .routes import served_vnets

    lng = network.local_gateway(site)
    s = addressing.parse_address(src, what="on-premises source address")
    if not any(s in p for p in [*lng.prefixes, *lng.advertised]):  # a BGP site's hosts lie in what it announces
        raise TraceError(f"{s} is not in site {lng.name}'s prefixes ({', '.join(map(str, [*lng.prefixes, *lng.advertised]))}).",
                         value=str(s), rule="an on-premises source lies in its site's prefixes")
    conns = [c for c in network.connections if c.kind == "IPsec" and c.remote is lng]
    if not conns:
        raise TraceError(f"Site {lng.name} has no connection to any VPN gateway.", value=lng.name,
                         rule="a site reaches Azure through a Site-to-Site connection")
    pkt = Packet(s, d, proto, port)

    def lands(c) -> bool:
        try:
            q, _ = inbound(c, pkt)
        except NatDrop:
            return False
        gv = c.gateway.vnet
        r = network.effective_routes(gv.name, "GatewaySubnet").lookup(q.dst)
        if r is not None and r.next_hop_type in ("VNetPeering", "VNetGlobalPeering"):
            return any(v.name == r.peer for v in served_vnets(c.gateway))
        return gv.contains(q.dst) or (r is not None and r.next_hop_type not in ("None", "Internet"))

    c = next((c for c in conns if lands(c) and c.status == "Connected"), conns[0])
    gw = c.gateway
    walk = _Walk(network, pkt, lng.name, _other_owner(network, None, d), None)
    walk.add(lng.name, "", "leave source", f"packet leaves on-premises host {s} at site {lng.name}")
    if c.status != "Connected":
        return walk.drop(lng.name, f"connection {c.name} is {c.status}",
                         f"The tunnel of {c.name} is not up: {c.status_reason}")
    walk.add(gw.vnet.name, "GatewaySubnet", "IPsec tunnel", f"{c.name}: Site-to-Site from {lng.gateway_ip} to "
             f"{gw.name} over the public internet", path=PUBLIC_INTERNET, protection=tunnel_protection(c))
    try:
        walk.translate(gw.vnet.name, inbound(c, walk.pkt))
    except NatDrop as why:
        return walk.drop(gw.vnet.name, "NAT refuses the flow", str(why))
    return _arrive(network, walk, gw, f"through Site-to-Site connection {c.name}")


def _from_p2s(network, vnet: str, src: str, d: IPAddress, proto: str, port: int | None) -> Trace:
    """A packet from a Point-to-Site client: the client's VPN profile routes choose whether it enters the tunnel
    (:func:`vnetlab.connection.p2s_client_routes`); at the gateway it is routed with GatewaySubnet's effective routes,
    like any packet leaving a tunnel; delivered, the reply must find a route back to the client pool through the
    same gateway in the destination subnet's effective routes (transit spokes get it from the hub's gateway)."""
    from .connection import VPN_FAQ, p2s_client_routes

    gw = network.gateway(vnet)
    if gw.p2s is None:
        raise TraceError(f"{gw.name} has no Point-to-Site configuration; add one with add_point_to_site.",
                         value=vnet, rule="a P2S client connects to a gateway with a P2S configuration")
    s = addressing.parse_address(src, what="Point-to-Site client address")
    if not any(s in p for p in gw.p2s.address_pool):
        raise TraceError(f"{s} is not in {gw.name}'s client address pool ({', '.join(map(str, gw.p2s.address_pool))}).",
                         value=str(s), rule="a P2S client's address comes from the gateway's client pool")
    client = f"P2S clients of {gw.vnet.name}"
    walk = _Walk(network, Packet(s, d, proto, port), client, _other_owner(network, None, d), None)
    walk.add(client, "", "leave source", f"packet leaves Point-to-Site client {s} of {gw.name}")
    route = p2s_client_routes(gw).lookup(d)
    if route is None:
        owner = walk.dst_owner
        why = (f"{owner.name} is peered with {gw.vnet.name} but does not use its gateway (use_remote_gateways on "
               f"{owner.name}'s link, allow_gateway_transit on {gw.vnet.name}'s): P2S clients reach a peered VNet "
               f"only through gateway transit ({VPN_FAQ})." if owner is not None and gw.vnet.name in owner.peerings else
               f"The client's VPN profile routes only {gw.vnet.name} and the VNets that use its gateway; other traffic "
               "stays on the client's own network." + (
                   " vnetlab does not model Point-to-Site routes to on-premises sites or across VNet-to-VNet "
                   "connections." if owner is not None or any(d in p for lng in network.local_gateways.values()
                                                              for p in lng.prefixes) else ""))
        return walk.drop(client, f"no route to {d} in the client's VPN profile",
                         f"{d} is not among the routes {gw.name} gives its Point-to-Site clients, so the client does not "
                         f"send it into the tunnel. {why}")
    walk.add(client, "", "route lookup", f"the client's VPN profile: {route.origin}", route)
    walk.add(gw.vnet.name, "GatewaySubnet", "Point-to-Site", f"tunnel ({' or '.join(gw.p2s.protocols)}) from {s} to "
             f"{gw.name} over the internet", path=PUBLIC_INTERNET,
             protection=f"{P2S_TUNNEL} ({', '.join(gw.p2s.protocols)})")
    out = _arrive(network, walk, gw, f"from Point-to-Site client {s}")
    return _p2s_reply(network, walk, out, gw, s) if out.reachable else out


def _p2s_reply(network, walk: _Walk, out: Trace, gw, client: IPAddress) -> Trace:
    """Dropped unless the destination subnet routes the client's address back to ``gw`` (its effective routes)."""
    from .routes import gateway_in_use

    target = network.vnet(out.dst_vnet)
    subnet = target.subnet_of(walk.d)
    back = network.effective_routes(target.name, subnet.name).lookup(client)
    if back is not None and back.next_hop_type == "VirtualNetworkGateway" and gateway_in_use(target) is gw:
        return out
    hop = Hop(len(out.hops) + 1, target.name, subnet.name, "reply route lookup",
              f"no route back to {client} through {gw.name}", back, str(walk.d), str(client))
    shown = f"{back.prefix} → {back.next_hop_type}" if back is not None else "no route"
    return Trace(src=out.src, dst=out.dst, protocol=out.protocol, port=out.port, hops=(*out.hops, hop),
                 verdict="Dropped", src_vnet=out.src_vnet, dst_vnet=out.dst_vnet,
                 reason=f"The packet reaches {walk.d}, but the reply to {client} matches {shown} in "
                        f"{target.name}/{subnet.name}: {target.name} has no route to {gw.name}'s client pool. "
                        + explain_missing(network, target, subnet, client))


def _route_from(network, walk: _Walk, vnet, subnet, forwarded: bool) -> Trace:
    """Look the destination up in ``subnet``'s effective routes and follow the chosen next hop."""
    d = walk.d
    if (vnet.name, subnet.name) in walk.visited or len(walk.hops) > MAX_HOPS:
        return walk.drop(vnet.name, "routing loop", f"The packet came back to {vnet.name}/{subnet.name}: a routing loop.")
    walk.visited.add((vnet.name, subnet.name))
    route = network.effective_routes(vnet.name, subnet.name).lookup(d)
    if route is None:  # cannot happen while 0.0.0.0/0 exists
        return walk.drop(vnet.name, "no route matches", f"No route in {vnet.name}/{subnet.name} matches {d}.")
    walk.add(vnet.name, subnet.name, "route lookup", f"longest prefix match for {d}", route)
    hop = route.next_hop_type
    if hop == "VnetLocal":
        return _deliver(walk, vnet, f"inside {vnet.name}")
    if hop in ("VNetPeering", "VNetGlobalPeering"):
        link = vnet.peerings[route.peer]
        refused = _peering_refuses(link, forwarded)
        if refused:
            return walk.drop(vnet.name, refused, refused, route)
        walk.add(link.remote.name, "", "cross peering",
                 f"{link.kind.lower()} peering {vnet.name} → {link.remote.name} over the Microsoft backbone", path=BACKBONE)
        return _deliver(walk, link.remote, f"through peering {vnet.name} → {link.remote.name}")
    if hop == "VirtualAppliance":
        return _to_appliance(network, walk, vnet, route)
    if hop == "VirtualNetworkGateway":
        return _to_gateway(network, walk, vnet, subnet, route)
    if hop == "Internet":
        walk.add(vnet.name, "", "to internet", "next hop Internet: the packet leaves Azure's virtual network",
                 path=PUBLIC_INTERNET)
        extra = ""
        if walk.dst_owner is not None:
            extra = (f" {d} is in VNet {walk.dst_owner.name}, but {vnet.name} has no route to it, and a VNet's "
                     "addresses are not reachable from the internet.")
        return walk.done("Internet", f"{d} matches {route.prefix} → Internet.{extra}")
    return walk.drop(vnet.name, f"next hop {hop}: the packet is dropped",
                     f"{d} matches {route.prefix} → {hop}: dropped. " + explain_missing(network, vnet, subnet, d), route)


def _peering_refuses(link, forwarded: bool) -> str:
    """Why a peering link would not carry the packet ('' when it does)."""
    for side in (link, link.reverse):
        if not side.settings.allow_virtual_network_access:
            return (f"The peering exists, but {side.local.name}'s link {side.name} has allow_virtual_network_access "
                    f"off, so no traffic flows between {link.local.name} and {link.remote.name}.")
    if forwarded and not link.reverse.settings.allow_forwarded_traffic:
        return (f"The packet was forwarded by an appliance, and {link.remote.name}'s link {link.reverse.name} does not "
                "allow forwarded traffic (allow_forwarded_traffic is off).")
    return ""


def _to_appliance(network, walk: _Walk, vnet, route: Route) -> Trace:
    """UDR next hop VirtualAppliance: the NIC with that IP, here or in a connected peer, must forward IP."""
    ip = route.next_hop_ip[0]
    places = [vnet] + [link.remote for link in vnet.peerings.values() if link.connected]
    found = next(((v, s, n) for v in places for s in v.subnets.values() for n in s.nics.values() if str(n.ip) == ip), None)
    if found is None:
        return walk.drop(vnet.name, f"no NIC has {ip}", f"The route {route.prefix} → VirtualAppliance {ip} points at an "
                         f"address no NIC in {vnet.name} or its peers has: the packet is dropped.", route)
    av, asub, anic = found
    if av is not vnet:
        refused = _peering_refuses(vnet.peerings[av.name], forwarded=False)
        if refused:
            return walk.drop(vnet.name, refused, refused, route)
        walk.add(av.name, asub.name, "cross peering", f"to appliance {anic.name} in peered {av.name}", path=BACKBONE)
    if not anic.ip_forwarding:
        return walk.drop(av.name, f"IP forwarding is off on {anic.name}",
                         f"Appliance {anic.name} ({ip}) receives the packet but IP forwarding is off on its NIC, so it "
                         "does not forward it.")
    denied = _filter(network, walk, av, asub, anic, "Inbound")
    if denied:
        return denied
    walk.add(av.name, asub.name, "appliance", f"{anic.name} forwards the packet (IP forwarding on)",
             path="" if av is not vnet else IN_VNET)
    denied = _filter(network, walk, av, asub, anic, "Outbound")
    return denied or _route_from(network, walk, av, asub, forwarded=True)


def _to_gateway(network, walk: _Walk, vnet, subnet, route: Route) -> Trace:
    """Next hop VirtualNetworkGateway: this VNet's gateway, or its hub's through gateway transit."""
    from .routes import gateway_in_use

    gw = gateway_in_use(vnet)
    if gw is None:
        return walk.drop(vnet.name, "no gateway", f"{route.prefix} → VirtualNetworkGateway, but {vnet.name} has no "
                         "VPN gateway and uses none through gateway transit.", route)
    if gw.vnet is not vnet:
        refused = _peering_refuses(vnet.peerings[gw.vnet.name], forwarded=False)
        if refused:
            return walk.drop(vnet.name, refused, refused, route)
    how = f"VPN gateway {gw.name}" if gw.vnet is vnet else f"gateway transit: {vnet.name} uses {gw.vnet.name}'s {gw.name}"
    walk.add(gw.vnet.name, "GatewaySubnet", "to gateway", how, path=IN_VNET if gw.vnet is vnet else BACKBONE)
    connection = route.connection
    if not connection:  # a user route to the gateway: the gateway routes with its own subnet's table
        own = network.effective_routes(gw.vnet.name, "GatewaySubnet").lookup(walk.d)
        if own is None or own.next_hop_type != "VirtualNetworkGateway" or not own.connection:
            return _gateway_routes_on(network, walk, gw, own)
        connection = own.connection
    return _through_connection(network, walk, gw, connection)


def _through_connection(network, walk: _Walk, gw, name: str) -> Trace:
    from .nat import NatDrop, inbound, outbound

    d = walk.d
    if name == "P2S":
        walk.add(gw.vnet.name, "GatewaySubnet", "Point-to-Site", f"to a client in {gw.name}'s P2S address pool",
                 path=PUBLIC_INTERNET, protection=f"{P2S_TUNNEL} ({', '.join(gw.p2s.protocols)})")
        return walk.done("Reachable", f"Sent to Point-to-Site client address {d} through {gw.name}.", reached="P2S")
    c = gw.connections[name]
    if c.kind == "Vnet2Vnet":
        walk.add(c.remote.vnet.name, "GatewaySubnet", "VNet-to-VNet tunnel",
                 f"{c.name}: IPsec/{c.connection_protocol} over the Microsoft backbone to {c.remote.name}", path=BACKBONE,
                 protection=tunnel_protection(c))
        return _arrive(network, walk, c.remote, f"through VNet-to-VNet connection {c.name}")
    lng = c.remote
    try:
        walk.translate(gw.vnet.name, outbound(c, walk.pkt))
    except NatDrop as why:
        return walk.drop(gw.vnet.name, "NAT refuses the flow", str(why))
    # An LNG whose device address is another Azure VPN gateway's public IP is a VNet treated as a site.
    peer = next((g for g in network.gateways if str(lng.gateway_ip) in g.public_ips), None)
    if peer is None:
        walk.add(lng.name, "", "IPsec tunnel", f"{c.name}: Site-to-Site, encrypted, over the public internet to "
                                               f"{lng.gateway_ip}", path=PUBLIC_INTERNET, protection=tunnel_protection(c))
        return walk.done("Reachable", f"Handed to on-premises site {lng.name} through Site-to-Site connection "
                                      f"{c.name}{_as_seen(walk)}.", reached=lng.name)
    walk.add(peer.vnet.name, "GatewaySubnet", "IPsec tunnel",
             f"{c.name}: Site-to-Site over the public internet to {lng.gateway_ip}, gateway {peer.name} of {peer.vnet.name}",
             path=PUBLIC_INTERNET, protection=tunnel_protection(c))
    back = [x for x in peer.connections.values() if x.kind == "IPsec" and str(x.remote.gateway_ip) in gw.public_ips]
    if not back:
        return walk.drop(peer.vnet.name, "no connection back",
                         f"{peer.vnet.name}'s gateway {peer.name} has no Site-to-Site connection to {gw.name}'s public IP: "
                         "a tunnel between two VNets needs a connection (and an LNG) on each side.")
    try:
        walk.translate(peer.vnet.name, inbound(back[0], walk.pkt))
    except NatDrop as why:
        return walk.drop(peer.vnet.name, "NAT refuses the flow", str(why))
    return _arrive(network, walk, peer, f"through Site-to-Site connections {c.name} and {back[0].name}")


def _as_seen(walk: _Walk) -> str:
    """', seen there as src → dst' when NAT rewrote the packet."""
    if (walk.pkt.src, walk.pkt.dst) == (walk.first.src, walk.first.dst):
        return ""
    return f", which sees it as {walk.pkt.src} → {walk.pkt.dst}"


def _arrive(network, walk: _Walk, remote_gw, how: str) -> Trace:
    """The packet leaves a tunnel at ``remote_gw``: deliver in its VNet, or let that gateway route it on."""
    remote_vnet = remote_gw.vnet
    if remote_vnet.contains(walk.d):
        return _deliver(walk, remote_vnet, how)
    if len(walk.hops) > MAX_HOPS:
        return walk.drop(remote_vnet.name, "too many hops", "The packet loops between gateways.")
    onward = network.effective_routes(remote_vnet.name, "GatewaySubnet").lookup(walk.d)
    if onward is not None and onward.next_hop_type == "VirtualNetworkGateway" and onward.connection:
        return _through_connection(network, walk, remote_gw, onward.connection)
    return _gateway_routes_on(network, walk, remote_gw, onward)


def _gateway_routes_on(network, walk: _Walk, gw, route: Route | None) -> Trace:
    """The gateway forwards a packet it holds with its own subnet's routes, but into a peered VNet only when that VNet
    uses the gateway (gateway transit): it does not learn the prefixes of the others (:func:`routes.served_vnets`)."""
    from .routes import served_vnets

    vnet = gw.vnet
    if route is not None and route.next_hop_type in ("VNetPeering", "VNetGlobalPeering") \
            and all(v.name != route.peer for v in served_vnets(gw)):
        walk.add(vnet.name, "GatewaySubnet", "route lookup", f"longest prefix match for {walk.d}", route)
        return walk.drop(vnet.name, f"{gw.name} does not route into {route.peer}",
                         f"{walk.d} is in {route.peer}, peered with {vnet.name} without gateway transit: {gw.name} does "
                         f"not learn {route.peer}'s prefixes, so it neither advertises nor delivers to them. Set "
                         f"allow_gateway_transit on {vnet.name}'s link and use_remote_gateways on {route.peer}'s link.")
    return _route_from(network, walk, vnet, vnet.subnets["GatewaySubnet"], forwarded=False)


def _deliver(walk: _Walk, target, how: str) -> Trace:
    d = walk.d
    subnet = target.subnet_of(d)
    if not target.contains(d):
        return walk.drop(target.name, f"{target.name} no longer has a range holding {d}",
                         f"{target.name}'s address space no longer contains {d} (the route came from a stale copy).")
    if subnet is None:
        return walk.drop(target.name, f"no subnet of {target.name} contains {d}",
                         f"{d} is in {target.name}'s address space but in no subnet: nothing can hold it.")
    nic = next((n for n in subnet.nics.values() if n.ip == d), None)
    if nic is None:
        role = addressing.is_reserved_address(subnet.prefix, d)
        what = f"reserved by Azure ({role})" if role else "not assigned to any NIC"
        walk.add(target.name, subnet.name, "drop", f"{d} is {what}")
        return walk.done("Dropped", f"{d} reaches subnet {target.name}/{subnet.name}, but it is {what}.")
    legged = walk.hops and walk.hops[-1].action == "cross peering"
    denied = _filter(walk.network, walk, target, subnet, nic, "Inbound")
    if denied:
        return denied
    walk.add(target.name, subnet.name, "deliver", f"delivered to {nic.name}", path="" if legged else IN_VNET)
    return walk.done("Reachable", f"Delivered to {nic.name} {how}{_as_seen(walk)}.", reached=target.name, dst_nic=nic)


def _filter(network, walk: _Walk, vnet, subnet, nic, direction: str) -> Trace | None:
    """Apply the NSGs of ``subnet`` and ``nic`` to the packet as it is now (inbound rules see it after NAT);
    a ``Dropped`` trace when they deny it. A step is shown only where an NSG is associated."""
    from .nsg import inbound_check, outbound_check

    if subnet.network_security_group is None and getattr(nic, "network_security_group", None) is None:
        return None  # no NSG at either level: everything is allowed, and the service tags need not be resolved
    check = inbound_check if direction == "Inbound" else outbound_check
    verdict = check(network, vnet, subnet, nic, walk.pkt)
    if not any(step.nsg for step in verdict.steps):
        return None
    if verdict.allowed:
        walk.add(vnet.name, subnet.name, "NSG", f"{direction}: {verdict.reason} (stateful: replies of this flow are "
                                                "allowed back without a rule)")
        return None
    walk.add(vnet.name, subnet.name, "NSG", f"{direction}: {verdict.reason}")
    return walk.done("Dropped", f"{direction} NSG: {verdict.reason}.")


def _other_owner(network, vnet, d: IPAddress):
    """The VNet, other than the source's, whose address space holds ``d`` (VNets may overlap: the first one)."""
    return next((v for v in network.indexes().vnets_holding(int(d)) if v is not vnet), None)


def explain_missing(network, vnet, subnet, d: IPAddress) -> str:
    """Why ``vnet`` has no route to ``d``: a missing, Initiated, unsynced or non-transitive peering; a stale
    local network gateway; no gateway (transit) or gateway routes switched off by the route table."""
    from .routes import gateway_in_use, gateway_routes

    gateway = gateway_in_use(vnet)
    table = getattr(subnet, "route_table", None)
    if gateway is not None and table is not None and table.disable_bgp_route_propagation \
            and any(d in IPNetwork(r.prefix) for r in gateway_routes(gateway)):
        return (f"{gateway.name} knows a route to {d}, but route table {table.name} on {vnet.name}/{subnet.name} "
                "disables gateway route propagation: add a user route with next hop VirtualNetworkGateway.")
    owner = _other_owner(network, vnet, d)
    if owner is None:
        site = next((lng for lng in network.local_gateways.values() if any(d in p for p in lng.prefixes)), None)
        down = next((c for c in network.connections if c.remote is site and c.status != "Connected"), None) \
            if site is not None else None
        if down is not None:
            return (f"{d} is at on-premises site {site.name}, but connection {down.name} is {down.status}: "
                    f"{down.status_reason}")
        if site is not None:
            return (f"{d} is at on-premises site {site.name}, but {vnet.name} gets no gateway route to it: it needs a "
                    "gateway connected to the site, or gateway transit (use_remote_gateways on its link, "
                    "allow_gateway_transit on the hub's link).")
        return f"{d} belongs to no other VNet or site in this network."
    link = vnet.peerings.get(owner.name)
    if link is not None:
        if link.peering_state == "Disconnected":
            return (f"The peering {vnet.name} → {owner.name} is Disconnected ({owner.name}'s link was deleted): delete "
                    f"{vnet.name}'s link {link.name} and re-create the peering on both sides.")
        if not link.connected:
            return (f"The peering {vnet.name} → {owner.name} is Initiated: "
                    f"create the link on {owner.name} too; a peering needs both links.")
        if not link.local_in_sync:
            return (f"{owner.name} changed its address space and {vnet.name}'s link {link.name} is LocalNotInSync: "
                    f"sync it to learn the new range.")
    if gateway is not None:
        for c in gateway.connections.values():
            if c.status != "Connected" and c.kind == "Vnet2Vnet" and c.remote.vnet is owner:
                return f"The VNet-to-VNet connection {c.name} to {owner.name} is {c.status}: {c.status_reason}"
            if c.kind == "IPsec" and any(p in r or r in p for p in c.remote.prefixes for r in owner.address_space):
                listed = ", ".join(str(p) for p in c.remote.prefixes)
                return (f"{vnet.name} reaches {owner.name} through Site-to-Site connection {c.name}, whose local network "
                        f"gateway {c.remote.name} lists {listed}, and {d} is not in it: a Site-to-Site connection "
                        "routes only the prefixes its local network gateway lists, and those are typed by hand.")
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
