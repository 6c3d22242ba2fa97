"""Effective routes of a subnet, as Azure lists them (UDR overview, 2023-05-27).

**System routes** (source ``Default``) in every subnet:

* one route per address range of the VNet → ``VnetLocal``;
* ``0.0.0.0/0`` → ``Internet``;
* ``10.0.0.0/8``, ``172.16.0.0/12``, ``192.168.0.0/16`` (RFC 1918) and ``100.64.0.0/10`` (RFC 6598) → ``None``
  (dropped). If a VNet range *equals* one of these, that route's next hop becomes ``VnetLocal``; if a VNet
  range *contains* one, the ``None`` route is removed. A VNet range *inside* one (10.1.0.0/16 in 10/8)
  leaves the ``None`` route in place: longest-prefix match sends 10.1.x.x to the VNet, the rest of 10/8
  to nowhere.

**Peering routes** (source ``Default``): one per address range of each connected peer, next hop
``VNetPeering`` (``VNetGlobalPeering`` across regions, as the CLI's effective-route output spells it).
The ranges come from the link's copy of the peer's address space, so a peer's new range appears only
after the link is synced. vnetlab applies the equal/contains rule above to peered ranges too: the
document states it for the VNet's own ranges; extending it to peered ranges is an inference (otherwise a
peer numbered 10.0.0.0/8 would be unreachable), flagged here and in the lesson.

**Selection** (:func:`select`; "How Azure selects a route",
https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview, 2023-05-27): longest prefix
first; for the same prefix, user-defined > BGP (gateway) > system; but "system routes for traffic related to
virtual network, virtual network peerings, or virtual network service endpoints, are preferred routes, even if
BGP routes are more specific". So a gateway route never wins inside (or at) an Active route of the VNet's own
ranges or a peering: two VNets both peered and connected VNet-to-VNet talk over the peering ("traffic flows
over the peering", https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering,
2025-05-08), and an on-premises advertisement equal to a peered range does not pull the traffic into a tunnel.
The loser stays listed with state ``Invalid``.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator

from netaddr import IPAddress, IPNetwork

from .addressing import parse_address
from .display import ResultList, html_table, text_table
from .errors import SettingError
from .facts import Fact, fact
from .nat import site_prefixes_seen_by_azure

UDR_OVERVIEW = "https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview (2023-05-27)"

# The order of preference for one prefix (UDR overview, 2023-05-27, "How Azure selects a route"): user-defined,
# then the system routes Azure prefers even over more specific BGP routes (the VNet's ranges, its peerings), then
# gateway (BGP and static LNG) routes, then the other system routes (0.0.0.0/0 → Internet, the None ranges).
SYSTEM_PREFERRED = ("VnetLocal", "VNetPeering", "VNetGlobalPeering")
USER, PREFERRED_SYSTEM, GATEWAY, SYSTEM = range(4)


@lru_cache(maxsize=65536)
def span(prefix: str) -> tuple[int, int, int]:
    """(first, last, prefix length) of a prefix string, parsed once per distinct prefix."""
    net = IPNetwork(prefix)
    return net.first, net.last, net.prefixlen


def tier(route: "Route") -> int:
    """Where ``route`` stands among routes for the same prefix (lower wins)."""
    if route.source == "User":
        return USER
    if route.source == "VirtualNetworkGateway":
        return GATEWAY
    return PREFERRED_SYSTEM if route.next_hop_type in SYSTEM_PREFERRED else SYSTEM


@dataclass(frozen=True)
class Route:
    """One row of a subnet's effective routes."""

    prefix: str
    next_hop_type: str
    source: str = "Default"
    state: str = "Active"
    next_hop_ip: tuple[str, ...] = ()
    name: str = ""
    origin: str = ""  # why the route exists, in words ("address range of VNet hub")
    peer: str = ""    # for peering routes: the remote VNet
    connection: str = ""  # for gateway routes: the connection that carries the prefix ("P2S" for the client pool)

    @property
    def network(self) -> IPNetwork:
        return IPNetwork(self.prefix)

    @property
    def portal_next_hop(self) -> str:
        """The wording of the portal's Effective routes blade."""
        return fact("routing", "next_hop_names").value.get(self.next_hop_type, self.next_hop_type)

    def with_state(self, state: str) -> "Route":
        return Route(**{**self.__dict__, "state": state})

    def row(self) -> tuple:
        return (self.source, self.state, self.prefix, self.next_hop_type, ", ".join(self.next_hop_ip), self.name,
                self.origin)

    def _repr_html_(self) -> str:
        return RouteList([self])._repr_html_()

    def __str__(self) -> str:
        return str(RouteList([self]))

    def _repr_pretty_(self, p, cycle: bool) -> None:
        p.text(str(self))


ROUTE_HEADERS = ("Source", "State", "Address prefix", "Next hop type", "Next hop IP", "UDR name", "Why")


class RouteList(ResultList):
    """Some effective routes (a filtered view): a list that displays as the portal's table, with the Why column."""

    HEADERS = ROUTE_HEADERS

    @staticmethod
    def row(item: Route) -> tuple:
        return item.row()

    def _dim(self) -> list[int]:
        return [i for i, r in enumerate(self) if r.state != "Active"]


def select(routes: list[Route]) -> tuple[Route, ...]:
    """Mark the route Azure uses for each prefix ``Active`` and the others ``Invalid`` (module docstring).

    One walk over the prefixes, shortest first. At each prefix the candidates are ranked by :func:`tier` (user >
    VNet/peering system > gateway > other system; ties keep the first listed), and a gateway route is no candidate
    at all when an Active VNet or peering route already covers it: Azure prefers those system routes "even if BGP
    routes are more specific" (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview,
    2023-05-27). Deciding the shorter prefixes first is what lets one ranking express both rules.
    """
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(routes):
        groups.setdefault(r.prefix, []).append(i)
    active: set[int] = set()
    starts: list[int] = []  # disjoint spans covered by Active VNet/peering routes, sorted by first address
    ends: list[int] = []

    def covered(first: int, last: int) -> bool:
        k = bisect_right(starts, first) - 1
        return k >= 0 and last <= ends[k]

    for prefix in sorted(groups, key=lambda p: span(p)[2]):
        first, last, _ = span(prefix)
        shadowed = covered(first, last)
        ranked = [(tier(routes[i]), i) for i in groups[prefix] if not (shadowed and tier(routes[i]) == GATEWAY)]
        if not ranked:
            continue
        rank, winner = min(ranked)
        active.add(winner)
        if rank == PREFERRED_SYSTEM and not shadowed:
            k = bisect_right(starts, first)
            starts.insert(k, first)
            ends.insert(k, last)
    return tuple(r if i in active else r.with_state("Invalid") for i, r in enumerate(routes))


def address_value(address: "str | IPAddress | int") -> int:
    """The 32-bit value of an address: an ``int`` as is, an ``IPAddress`` by ``int()``, text through
    :func:`quad_value` (remembered in a bounded cache) and anything else through
    :func:`~vnetlab.addressing.parse_address`, whose :class:`~vnetlab.errors.AddressError` names the rule."""
    if isinstance(address, int):
        return address
    if isinstance(address, IPAddress):
        return int(address)
    text = str(address)
    value = _QUADS.get(text)
    if value is None:
        value = quad_value(text)
        if value is None:  # not a plain quad: the course's parser says what is wrong with it, by its rule
            return int(parse_address(text))
        if len(_QUADS) >= QUAD_CACHE:
            _QUADS.clear()
        _QUADS[text] = value
    return value


QUAD_CACHE = 65536
_QUADS: dict[str, int] = {}  # text address → value, for the addresses seen last (a trace, a widget, a lesson)


_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_QUAD = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}", re.ASCII)


def quad_value(text: str) -> int | None:
    """``a.b.c.d`` as an integer by arithmetic (no netaddr parse): exactly four decimal octets 0–255 without
    leading zeros, else ``None`` (the caller then lets :func:`~vnetlab.addressing.parse_address` refuse it by rule)."""
    match = _QUAD.fullmatch(text.strip())  # spaces around an address are ignored, as parse_address does
    if match is None:
        return None
    a, b, c, d = match.groups()
    return int(a) << 24 | int(b) << 16 | int(c) << 8 | int(d)


def levels_of(routes) -> dict[int, dict[int, Route]]:
    """Routes with distinct prefixes by prefix length, then by network address."""
    by_length: dict[int, dict[int, Route]] = {}
    for r in routes:
        first, _, length = span(r.prefix)
        by_length.setdefault(length, {})[first] = r
    return by_length


def mask(length: int) -> int:
    return (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF


@dataclass(frozen=True)
class GatewayIndex:
    """A gateway's route rows, by prefix length and sorted by address, built once per gateway and network version
    and shared by every subnet that takes the gateway's routes."""

    rows: tuple[Route, ...]
    by_prefix: dict
    levels: dict
    firsts: tuple[int, ...]      # the rows' network addresses, sorted
    by_first: tuple[Route, ...]  # the rows in that order
    invalid: dict = field(default_factory=dict)  # prefix → the row marked Invalid, made once and shared

    @classmethod
    def of(cls, rows: tuple[Route, ...]) -> "GatewayIndex":
        ordered = sorted(rows, key=lambda r: span(r.prefix)[0])
        return cls(rows, {r.prefix: r for r in rows}, levels_of(rows), tuple(span(r.prefix)[0] for r in ordered),
                   tuple(ordered))

    def inside(self, first: int, last: int) -> list[Route]:
        """The rows whose prefix lies within ``first``..``last`` (an address block)."""
        lo = bisect_left(self.firsts, first)
        hi = bisect_right(self.firsts, last)
        return [r for r in self.by_first[lo:hi] if span(r.prefix)[1] <= last]

    def as_invalid(self, route: Route) -> Route:
        found = self.invalid.get(route.prefix)
        if found is None:
            found = self.invalid[route.prefix] = route.with_state("Invalid")
        return found


class EffectiveRoutes:
    """The effective routes of one subnet, with longest-prefix lookup over the Active ones.

    Built by :func:`compute`, a subnet's table is its own small *overlay* (its VNet's ranges, the default routes,
    its peerings, its user-defined routes, and the gateway's routes at those same prefixes), selected on its own
    with :func:`select`, plus the gateway's shared :class:`GatewayIndex`, of which it keeps only the prefixes it
    sets aside: those inside an Active VNet/peering route ("preferred even if BGP routes are more specific") and
    those its overlay outranks. :meth:`lookup` answers from both without listing the table; the rows (``routes``,
    ``active``, the displayed table) are put together on first use, and are the rows :func:`select` gives for the
    whole table (``tests/test_routes_indexed.py``).
    """

    HEADERS = ROUTE_HEADERS
    __slots__ = ("vnet", "subnet", "_routes", "_parts", "_gateway", "_levels", "_set_aside")

    def __init__(self, vnet: str, subnet: str, routes: "tuple[Route, ...] | None" = None, *,
                 parts: "tuple[list[Route], list[Route]] | None" = None, gateway: GatewayIndex | None = None) -> None:
        self.vnet, self.subnet = vnet, subnet
        self._routes = None if routes is None else tuple(routes)
        self._gateway = gateway
        self._set_aside: frozenset = frozenset()
        if self._routes is not None:
            self._parts = None
            self._set_levels(levels_of(r for r in self._routes if r.state == "Active"), {})
            return
        head, udrs = parts
        same = [] if gateway is None else \
            list(dict.fromkeys(gateway.by_prefix[r.prefix] for r in (*head, *udrs) if r.prefix in gateway.by_prefix))
        chosen = select([*head, *same, *udrs])
        self._parts = (chosen[:len(head)], chosen[len(head) + len(same):])
        active = [r for r in chosen if r.state == "Active"]
        if gateway is not None:
            set_aside = {r.prefix for r in chosen[len(head):len(head) + len(same)] if r.state != "Active"}
            for r in active:
                if tier(r) == PREFERRED_SYSTEM:
                    first, last, length = span(r.prefix)
                    set_aside.update(g.prefix for g in gateway.inside(first, last))
            self._set_aside = frozenset(set_aside)
        self._set_levels(levels_of(active), gateway.levels if gateway is not None else {})

    def _set_levels(self, own: dict, shared: dict) -> None:
        self._levels = tuple((mask(length), own.get(length), shared.get(length))
                             for length in sorted({*own, *shared}, reverse=True))

    @property
    def routes(self) -> tuple[Route, ...]:
        if self._routes is None:
            head, udrs = self._parts
            gateway = self._gateway
            shared = () if gateway is None else tuple(
                gateway.as_invalid(r) if r.prefix in self._set_aside else r for r in gateway.rows)
            self._routes = (*head, *shared, *udrs)
        return self._routes

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EffectiveRoutes):
            return NotImplemented
        return (self.vnet, self.subnet, self.routes) == (other.vnet, other.subnet, other.routes)

    def __hash__(self) -> int:
        return hash((self.vnet, self.subnet, self.routes))

    def __repr__(self) -> str:
        return f"EffectiveRoutes(vnet={self.vnet!r}, subnet={self.subnet!r}, routes={self.routes!r})"

    def lookup(self, address: "str | IPAddress | int") -> Route | None:
        """The Active route with the longest prefix containing ``address`` (None if nothing matches).

        At each prefix length, longest first: this subnet's own Active route for the address's block, else the
        gateway's route for it unless this subnet sets it aside."""
        if type(address) is str:
            value = _QUADS.get(address)
            if value is None:
                value = address_value(address)
        else:
            value = address_value(address)
        for m, own, shared in self._levels:
            key = value & m
            if own is not None and key in own:
                return own[key]
            if shared is not None and key in shared:
                route = shared[key]
                if route.prefix not in self._set_aside:
                    return route
        return None

    def __iter__(self) -> Iterator[Route]:
        return iter(self.routes)

    def __len__(self) -> int:
        return len(self.routes)

    @property
    def active(self) -> tuple[Route, ...]:
        return tuple(r for r in self.routes if r.state == "Active")

    def find(self, prefix: str, next_hop_type: str | None = None) -> RouteList:
        """Routes for exactly ``prefix`` (optionally of one next-hop type)."""
        return RouteList((r for r in self.routes if r.prefix == prefix
                          and (next_hop_type is None or r.next_hop_type == next_hop_type)),
                         caption=f"Routes of {self.vnet}/{self.subnet} for {prefix}")

    def where(self, **criteria: str) -> RouteList:
        """The routes whose fields equal ``criteria`` (``where(source="VirtualNetworkGateway")``), as a table."""
        unknown = sorted(set(criteria) - set(Route.__dataclass_fields__))
        if unknown:
            raise SettingError(f"where({', '.join(unknown)}=...): a route has no such field; "
                               f"use {', '.join(Route.__dataclass_fields__)}", value=unknown,
                               rule="filter on a field of the effective routes table")
        said = ", ".join(f"{k} = {v}" for k, v in criteria.items())
        return RouteList((r for r in self.routes if all(getattr(r, k) == v for k, v in criteria.items())),
                         caption=f"Effective routes of {self.vnet}/{self.subnet} where {said}")

    def rows(self) -> list[tuple]:
        return [r.row() for r in self.routes]

    def _repr_html_(self) -> str:
        dim = [i for i, r in enumerate(self.routes) if r.state != "Active"]
        return html_table(self.HEADERS, self.rows(), dim=dim,
                          caption=f"Effective routes of {self.vnet}/{self.subnet}")

    def __str__(self) -> str:
        return f"Effective routes of {self.vnet}/{self.subnet}\n" + text_table(self.HEADERS, self.rows())


def reserved_defaults() -> list[dict]:
    """The default routes other than the VNet's own ranges (0/0 → Internet and the None ranges)."""
    return [e for e in fact("routing", "default_system_routes").value if e["prefix"] != "VNET_ADDRESS_SPACE"]


def compute(vnet, subnet) -> EffectiveRoutes:
    """Effective routes of ``subnet`` in ``vnet`` (model objects), following the module docstring."""
    head, udrs, shared = table_parts(vnet, subnet)
    return EffectiveRoutes(vnet=vnet.name, subnet=subnet.name, parts=(head, udrs), gateway=shared)


def table_parts(vnet, subnet) -> tuple[list[Route], list[Route], "GatewayIndex | None"]:
    """The rows of a subnet's table before selection: its own (VNet ranges, default routes, peerings), its user
    routes, and the shared index of the gateway whose routes it takes.

    The rows are listed in this order: the VNet's ranges, the default routes, the peerings, the gateway's routes,
    the user-defined routes (:func:`select` keeps the first listed on a tie). The gateway's rows are shared (see
    :class:`EffectiveRoutes`), so a subnet costs the size of its own part, not of what the gateway learned."""
    routes = list(_vnet_rows(vnet))
    table = getattr(subnet, "route_table", None)
    gateway = gateway_in_use(vnet)
    shared = None
    if gateway is not None and not (table is not None and table.disable_bgp_route_propagation):
        shared = _memo(gateway, "gateway-index", lambda: GatewayIndex.of(_gateway_route_rows(gateway)))
    udrs: list[Route] = []
    if table is not None:
        for udr in table.routes.values():
            udrs.append(Route(prefix=str(udr.prefix), next_hop_type=udr.next_hop_type, source="User",
                              next_hop_ip=(str(udr.next_hop_ip),) if udr.next_hop_ip is not None else (),
                              name=udr.name, origin=f"route table {table.name}"))
    rule = udr_default_route().value
    if any(u.prefix == rule["prefix"] for u in udrs):
        routes = [r for r in routes if not (r.source == "Default" and r.next_hop_type == rule["removes_next_hop"])]
    return routes, udrs, shared


def udr_default_route() -> Fact:
    """A user-defined route for 0.0.0.0/0 removes the default ``None`` routes (10.0.0.0/8, 172.16.0.0/12,
    192.168.0.0/16, 100.64.0.0/10) from the subnet's table: "Azure removed the routes for the 10.0.0.0/8,
    192.168.0.0/16, and 100.64.0.0/10 address prefixes from the Subnet1 route table when the user-defined route for the
    0.0.0.0/0 address prefix was added to Subnet1" (UDR overview, routing example,
    https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview, 2023-05-27). The example shows no
    172.16.0.0/12 row at all; removing it too is vnetlab's inference (``vnetlab/data/routing.yaml``). So with forced
    tunnelling, private destinations outside the VNet and its peers follow the 0.0.0.0/0 route instead of being dropped."""
    return fact("routing", "udr_default_route")


def _vnet_rows(vnet) -> tuple[Route, ...]:
    """The rows every subnet of ``vnet`` has before the gateway's and its route table's: the VNet's ranges, the
    default routes (less the None ranges its ranges or its peers' cover), its peerings; once per VNet and version."""
    def rows() -> tuple[Route, ...]:
        routes: list[Route] = []
        covering: list[tuple[int, int]] = []
        for rng in vnet.address_space:
            routes.append(Route(prefix=str(rng), next_hop_type="VnetLocal", origin=f"address range of {vnet.name}"))
            covering.append((rng.first, rng.last))
        peering_routes: list[Route] = []
        for link in vnet.peerings.values():
            if not link.connected:
                continue
            hop = "VNetPeering" if link.kind == "Regional" else "VNetGlobalPeering"
            for rng in link.remote_address_space:
                peering_routes.append(Route(prefix=str(rng), next_hop_type=hop, peer=link.remote.name,
                                            origin=f"{link.kind.lower()} peering with {link.remote.name}"))
                covering.append((rng.first, rng.last))
        for first, last, route in _default_rows(vnet.network):
            if route.next_hop_type == "None" and any(f <= first and last <= l for f, l in covering):
                continue  # equal → replaced by the VNet/peer route; contained → removed
            routes.append(route)
        return (*routes, *peering_routes)
    return rows() if vnet.network is None else vnet.network.memo(("route-rows", vnet.name), rows)


def _default_rows(network) -> tuple[tuple[int, int, Route], ...]:
    """The default routes other than the VNet's own ranges as rows, shared by every subnet (Route is frozen)."""
    def rows():
        return tuple((*span(e["prefix"])[:2], Route(prefix=e["prefix"], next_hop_type=e["next_hop_type"],
                                                    origin=f"default route ({e['note']})"))
                     for e in reserved_defaults())
    return rows() if network is None else network.memo(("default-routes",), rows)


def materialise(vnet, subnet) -> EffectiveRoutes:
    """The whole table selected at once, as :func:`compute` did before the gateway's routes were shared: the
    reference the equivalence tests and the benchmark compare :func:`compute` with."""
    head, udrs, shared = table_parts(vnet, subnet)
    rows = shared.rows if shared is not None else ()
    return EffectiveRoutes(vnet=vnet.name, subnet=subnet.name, routes=select([*head, *rows, *udrs]))


# --- gateway routes ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Learned:
    """A prefix a VPN gateway routes into one of its connections."""

    prefix: str
    origin: str
    connection: str
    bgp: bool = False


def gateway_in_use(vnet):
    """The VPN gateway whose routes a VNet gets: its own, or its hub's through gateway transit.

    Transit needs ``use_remote_gateways`` on this VNet's link and ``allow_gateway_transit`` on the hub's
    link, both links Connected (Gateway transit, 2023-08-18; Manage peering, 2025-05-08).
    """
    if vnet.gateway is not None:
        return vnet.gateway
    for link in vnet.peerings.values():
        if link.connected and link.settings.use_remote_gateways and link.remote.gateway is not None \
                and link.reverse.settings.allow_gateway_transit:
            return link.remote.gateway
    return None


def transit_spokes(gateway) -> list:
    """VNets peered with the gateway's VNet that use it through gateway transit."""
    return [link.remote for link in gateway.vnet.peerings.values()
            if link.connected and link.settings.allow_gateway_transit
            and link.reverse.settings.use_remote_gateways]


def served_vnets(gateway) -> list:
    """The VNets ``gateway`` knows and delivers into: its own and the peered VNets that use it through gateway
    transit. A peered VNet without transit is not among them: "without gateway transit the gateway does not learn
    peered VNet prefixes" (VPN FAQ, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq, 2026-06-04;
    for Point-to-Site clients the FAQ says it outright: they reach a peered VNet only if it uses the gateway VNet's
    gateway), so the gateway neither advertises such a VNet nor forwards tunnel traffic into it."""
    return [gateway.vnet, *transit_spokes(gateway)]


def gateway_routes(gateway, _seen: frozenset = frozenset()) -> list[Learned]:
    """What ``gateway`` routes into its tunnels (VPN FAQ 2026-06-04; VNet-to-VNet how-to 2025-06-30):

    * ``IPsec``: the LNG's prefixes as typed (static), plus, with BGP on the connection, what the site
      advertises; advertisements equal to the VNet's or a transit spoke's range are filtered;
    * ``Vnet2Vnet`` (both connection resources present): the remote VNet's *current* address space —
      which is why a VNet-to-VNet connection follows address-space changes on its own; with BGP on both
      sides, also what the remote gateway advertises (its transit spokes, its sites; never 0.0.0.0/0, never
      the P2S pool, which VNet-to-VNet does not carry);
    * Point-to-Site: the client address pool.
    """
    if not _seen:  # the top-level answer depends only on the network's state: memoise it per version
        return list(_memo(gateway, "gateway-routes", lambda: tuple(_gateway_routes(gateway, frozenset()))))
    return _gateway_routes(gateway, _seen)


def _gateway_routes(gateway, _seen: frozenset) -> list[Learned]:
    seen = _seen | {gateway.name}
    own = {str(p) for v in served_vnets(gateway) for p in v.address_space}
    out: list[Learned] = []
    for c in gateway.connections.values():
        if c.status != "Connected":
            continue
        if c.kind == "IPsec":
            lng = c.remote
            out += [Learned(str(p), f"LNG {lng.name} (static, typed by hand) via {c.name}{_after(rule)}", c.name)
                    for p, rule in site_prefixes_seen_by_azure(c)]
        else:
            out += [Learned(str(p), f"VNet-to-VNet {c.name}: address range of {c.remote.vnet.name}", c.name)
                    for p in c.remote.vnet.address_space]
        received = _bgp_received(c, seen)
        if not _over_limit(received):
            out += [r for r in received if r.prefix not in own]
    if getattr(gateway, "p2s", None) is not None:
        out += [Learned(str(p), "Point-to-Site client address pool", "P2S") for p in gateway.p2s.address_pool]
    return out


def _bgp_received(c, seen: frozenset = frozenset()) -> list[Learned]:
    """What the peer announces over BGP on connection ``c`` (empty without a BGP session): a site's advertisements after
    the connection's IngressSnat rules (BGP route translation), or the remote gateway's transit spokes and the routes it
    learned elsewhere (never 0.0.0.0/0 nor a BGP route overlapping its VNet prefixes, :func:`bgp_advertisement`; never its
    P2S pool, which VNet-to-VNet does not carry)."""
    if not c.enable_bgp:
        return []
    if c.kind == "IPsec":
        lng = c.remote
        return [Learned(str(p), f"BGP from site {lng.name} via {c.name}{_after(rule)}", c.name, bgp=True)
                for p, rule in site_prefixes_seen_by_azure(c, lng.advertised)]
    remote = c.remote
    if c.reverse is None or not c.reverse.enable_bgp:
        return []
    out = [Learned(str(p), f"BGP via {c.name}: {spoke.name} uses {remote.vnet.name}'s gateway", c.name, bgp=True)
           for spoke in transit_spokes(remote) for p in spoke.address_space]
    if remote.name not in seen:
        ranges = _vnet_ranges(remote)
        out += [Learned(r.prefix, f"BGP via {c.name}: {r.origin}", c.name, bgp=True)
                for r in gateway_routes(remote, seen | {c.gateway.name})
                if r.connection != "P2S" and _passed_on(r, ranges)]
    return out


def _vnet_ranges(gateway) -> list[IPNetwork]:
    return [p for v in served_vnets(gateway) for p in v.address_space]


def _passed_on(learned: Learned, vnet_ranges: list[IPNetwork]) -> bool:
    """Does the gateway pass a route it learned on to its other BGP peers (:func:`bgp_advertisement`)? Never the
    default route; never a route learned over BGP that overlaps one of its VNet prefixes (its VNet's, its transit
    spokes')."""
    if learned.prefix == "0.0.0.0/0":
        return False
    net = IPNetwork(learned.prefix)
    return not (learned.bgp and any(net in v or v in net for v in vnet_ranges))


def bgp_prefix_limit() -> Fact:
    """How many prefixes a VPN gateway takes from BGP (4,000; VPN FAQ 2026-06-04, VPN Gateway limits)."""
    return fact("routing", "bgp_prefix_limit")


def bgp_session_dropped(c, seen: frozenset = frozenset()) -> bool:
    """A BGP peer that announces more prefixes than the limit loses its session: "Azure VPN Gateway supports up to
    4,000 prefixes. The BGP session is dropped if the number of prefixes exceeds the limit" (VPN FAQ,
    https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq, 2026-06-04). The tunnel stays up; the routes
    learned on that session are withdrawn (static LNG prefixes stay)."""
    return _over_limit(_bgp_received(c, seen))


def _over_limit(received: list[Learned]) -> bool:
    return len({r.prefix for r in received}) > bgp_prefix_limit().value


def bgp_findings(gateway) -> list[str]:
    """Advice about the gateway's BGP sessions: a session dropped for announcing too many prefixes, and a total over
    the limit that the documents leave open (they do not say which session Azure drops then)."""
    limit = bgp_prefix_limit()
    out, total = [], 0
    for c in gateway.connections.values():
        if c.status != "Connected" or not c.enable_bgp:
            continue
        received = _bgp_received(c, frozenset({gateway.name}))
        count = len({r.prefix for r in received})
        if _over_limit(received):
            out.append(f"BGP session on {c.name} is dropped: the peer announces {count:,} prefixes, more than the "
                       f"{limit.value:,} Azure VPN Gateway supports; its BGP routes are withdrawn ({limit.cite()}).")
        else:
            total += count
    if total > limit.value:
        out.append(f"{gateway.name} learns {total:,} prefixes over BGP in all, more than the {limit.value:,} the VPN "
                   f"Gateway limits list per gateway; Azure's documents do not say which session is dropped then "
                   f"({limit.cite()}). vnetlab keeps them all.")
    return out


def bgp_advertisement() -> Fact:
    """What a VPN gateway advertises to its BGP peers: its VNet's prefixes, each connected LNG's prefixes, and the routes
    learned from its other BGP sessions "except default route or routes overlapped with any VNet prefix"; it never
    advertises a default route to other BGP peers (VPN FAQ, 2026-06-04)."""
    return fact("routing", "bgp_advertisement")


@dataclass(frozen=True)
class Advertised:
    prefix: str
    origin: str


def advertised_to(connection) -> list[Advertised]:
    """What the gateway advertises over BGP on ``connection`` (NAT overview, 2024-10-16, "NAT and BGP"; VPN FAQ,
    2026-06-04, :func:`bgp_advertisement`): its VNet's ranges and its transit spokes', each after the connection's
    EgressSnat rules, and the post-NAT prefixes it learned from its *other* connections, except the default route
    (never advertised onward) and BGP routes that overlap a VNet prefix. Routes learned on this connection are not
    sent back to it."""
    from .nat import vnet_space_seen_by_site

    gateway = connection.gateway
    out = [Advertised(str(p), f"{gateway.vnet.name}'s range" + (f" after EgressSnat rule {r.name} ({r.internal} → "
                                                                  f"{r.external})" if r else ""))
           for p, r in vnet_space_seen_by_site(connection)]
    out += [Advertised(str(p), f"transit spoke {spoke.name}") for spoke in transit_spokes(gateway) for p in spoke.address_space]
    ranges = _vnet_ranges(gateway)
    out += [Advertised(r.prefix, r.origin) for r in gateway_routes(gateway)
            if r.connection not in (connection.name, "P2S") and _passed_on(r, ranges)]
    seen: dict[str, Advertised] = {}
    for a in out:
        seen.setdefault(a.prefix, a)
    return list(seen.values())


def _after(rule) -> str:
    return f", after IngressSnat rule {rule.name} ({rule.internal} → {rule.external})" if rule else ""


# --- per-gateway memo ------------------------------------------------------------------------------------
# Every subnet that uses a gateway gets the same gateway routes; at scale (a hub gateway shared by hundreds of
# transit spokes, a site advertising a thousand prefixes) recomputing them per subnet dominated. They are
# memoised on the Network, keyed on its version, which every model change increments.
def _memo(gateway, key: str, compute):
    network = gateway.vnet.network
    return compute() if network is None else network.memo((key, gateway.name), compute)


def _gateway_route_rows(gateway) -> tuple[Route, ...]:
    """The gateway's learned prefixes as effective-route rows (first origin of each prefix), shared by every
    subnet that uses the gateway (``Route`` is frozen, so sharing is safe)."""
    def rows() -> tuple[Route, ...]:
        out: dict[str, Route] = {}
        for learned in gateway_routes(gateway):
            out.setdefault(learned.prefix, Route(
                prefix=learned.prefix, next_hop_type="VirtualNetworkGateway", source="VirtualNetworkGateway",
                next_hop_ip=gateway.instance_ips, origin=learned.origin, connection=learned.connection))
        return tuple(out.values())
    return _memo(gateway, "gateway-route-rows", rows)
