"""Figures of the simulator's results, built with ``plotly.graph_objects`` only.

Every function is pure: it reads a :class:`~vnetlab.network.Network`, a :class:`~vnetlab.trace.Trace`, an
:class:`~vnetlab.addressing.AddressPlan`, an :class:`~vnetlab.routes.EffectiveRoutes` or a
:class:`~vnetlab.changes.Timeline` and draws it; every networking fact (peering state, regional or global,
overlaps, tunnel status, which route wins, which hops a packet took, how long a step takes) comes from the
engine, never from here.

Accessibility: colours come from the Okabe–Ito palette (safe for the common colour-vision deficiencies),
and nothing is told by colour alone: line style (solid, dashed, dotted, double), hatch patterns and
text markers carry the same information, and every style used has a legend entry that names it.

* :func:`topology_figure` — VNets as nodes, peerings as edges, VPN gateways, on-premises sites and tunnels,
  optionally the hops of a trace.
* :func:`address_map_figure` — prefixes as bars on an IPv4 number line inside the VNet address space.
* :func:`route_table_figure` — a subnet's effective routes, with the route a destination chooses marked.
* :func:`timeline_figure` — a plan's steps as bars on a time axis, steps without a published duration marked.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from html import escape
from typing import Iterable, Sequence

import plotly.graph_objects as go
from netaddr import IPAddress, IPNetwork

from .addressing import AddressPlan, analyze_plan, parse_address
from .changes import Timeline
from .connection import Connection
from .errors import VnetlabError
from .gateway import VpnGateway
from .local_gateway import LocalNetworkGateway
from .network import Network
from .peering import PeeringLink
from .routes import EffectiveRoutes
from .trace import Trace

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}

# A small template with plotly's default font and colours: the full default template is large, and
# copying it into every redraw of a FigureWidget costs more than drawing the figure.
TEMPLATE = go.layout.Template(layout={
    "font": {"family": '"Open Sans", verdana, arial, sans-serif', "color": "#2a3f5f"},
    "hoverlabel": {"align": "left"}, "paper_bgcolor": "#FFFFFF", "plot_bgcolor": "#FFFFFF",
})

# plotly checks every property of a figure as it is built, which costs more than computing the figure. The
# figures below are built from the engine's own values into plain dicts whose keys the tests check, so they skip
# that check; tests/conftest.py sets VNETLAB_VALIDATE_FIGURES=1 so that a misspelt property still fails a test.
VALIDATE_ENV = "VNETLAB_VALIDATE_FIGURES"


def build_figure(data: Sequence[dict] = (), layout: dict | None = None) -> go.Figure:
    """A ``go.Figure`` of ``data`` (trace dicts) and ``layout``, validated only where ``VNETLAB_VALIDATE_FIGURES=1``."""
    return go.Figure(data=list(data), layout=layout, _validate=os.environ.get(VALIDATE_ENV) == "1")


# --- topology ---------------------------------------------------------------------------------------
LABEL_FONT_SIZE = 11
LABEL_CHAR_WIDTH = 0.62   # average glyph width / font size for the default sans-serif (estimate)
LABEL_LINE_HEIGHT = 1.3   # line height / font size
NODE_SIZE = 18            # marker diameter in px
HUB_NODE_SIZE = 26
GATEWAY_SIZE = 11         # the VPN gateway's square, next to its VNet
ONE_SIDED_REACH = 0.4     # an Initiated/Disconnected link is drawn over this fraction of the distance
MARGIN = {"l": 20, "r": 20, "t": 60, "b": 130}  # the bottom margin holds the legend (grown per legend entry)
LEGEND_FONT_SIZE = 11
LEGEND_ROW = 26           # px per legend entry (the legend is one entry per row under the drawing)
MIN_DRAWING_WIDTH = 520   # px: room for the title and the legend's longest entry
NVA_SIZE = 13             # a network virtual appliance's pentagon, beside its VNet

# How each peering state is drawn (Manage peering, 2025-05-08: Initiated = one link, Connected = both,
# Disconnected = the other link was deleted).
STATE_STYLE = {
    "Connected": {"dash": "solid", "words": "solid", "one_sided": False},
    "Initiated": {"dash": "dash", "words": "dashed, one link only", "one_sided": True},
    "Disconnected": {"dash": "dot", "words": "dotted, the other link was deleted", "one_sided": True},
}
# Regional (one region) vs global (across regions) peering: colour AND a single or double line.
KIND_STYLE = {
    "Regional": {"color": OKABE_ITO["blue"], "double": False, "words": "single line"},
    "Global": {"color": OKABE_ITO["orange"], "double": True, "words": "double line"},
}
# Gateway connections (tunnels): a dash pattern per kind, an "IPsec" label at the middle (every kind is encrypted: VPN FAQ,
# azure-facts.md §3.1) and the path the engine reports (``Connection.path``) in the legend. A VNet-to-VNet
# connection with one connection resource only is NotConnected: a dotted stub from the side that has it, ✗.
TUNNEL_STYLE = {
    "Vnet2Vnet": {"dash": "dashdot", "color": OKABE_ITO["vermillion"], "words": "dash-dot", "title": "VNet-to-VNet"},
    "IPsec": {"dash": "longdash", "color": OKABE_ITO["black"], "words": "long dashes", "title": "Site-to-Site (IPsec)"},
    "P2S": {"dash": "longdashdot", "color": OKABE_ITO["sky_blue"], "words": "long dash-dot", "title": "Point-to-Site"},
}
NOT_CONNECTED_STYLE = {"dash": "dot", "color": OKABE_ITO["vermillion"], "words": "dotted stub, ✗"}
LOCK, OPEN_LOCK = "IPsec", "✗"  # words and a DejaVu glyph: no emoji font needed
# Node shapes: a VNet is a circle (hexagon for the hub), an on-premises site (local network gateway) a diamond,
# a Point-to-Site client pool a triangle, a VPN gateway a small black square beside its VNet.
NODE_SYMBOL = {"vnet": "circle", "site": "diamond", "p2s": "triangle-up"}
NODE_WORDS = {"site": "On-premises site, local network gateway (diamond; hover: device IP, prefixes)",
              "p2s": "Point-to-Site client pool (triangle)"}
SITE_IS_VNET_WORDS = "Local network gateway (diamond): a site, or a VNet as Site-to-Site peer (hover: IP, prefixes)"
NVA_WORDS = "Network virtual appliance, NVA (pentagon): a NIC with IP forwarding on (hover: IP, subnet)"
PEERING_MARK_WORDS = "small circle mid-peering: hover it for both links and their settings"
PEERING_USED_WORDS = "★ star mid-peering: the packet crossed this peering"
VERDICT_COLOR = {"Reachable": OKABE_ITO["bluish_green"]}
OTHER_VERDICT_COLOR = OKABE_ITO["reddish_purple"]
TUNNEL_HOPS = ("IPsec tunnel", "VNet-to-VNet tunnel", "Point-to-Site")  # trace hops that cross a tunnel


@dataclass(frozen=True)
class _Edge:
    """One drawn peering: both links when Connected, else the single link that exists."""

    a: str
    b: str
    state: str
    kind: str
    links: tuple[PeeringLink, ...]


def _edges(net: Network) -> list[_Edge]:
    seen: set[frozenset[str]] = set()
    edges = []
    for link in net.peering_links:
        pair = frozenset((link.local.name, link.remote.name))
        if pair in seen or link.remote.name not in net.vnets:
            continue
        seen.add(pair)
        reverse = link.reverse
        links = (link,) if reverse is None else (link, reverse)
        edges.append(_Edge(a=link.local.name, b=link.remote.name, state=link.peering_state, kind=link.kind,
                           links=links))
    return edges


def _p2s_node(gateway: VpnGateway) -> str:
    return f"P2S clients of {gateway.vnet.name}"


@dataclass(frozen=True)
class _Tunnel:
    """One drawn gateway connection: from VNet ``a``'s gateway to ``b`` (a VNet's gateway, a site, a P2S pool).

    A VNet-to-VNet tunnel is drawn once for its two connection resources; ``status`` is the engine's
    (``Connection.status``): NotConnected while only one resource exists.
    """

    a: str
    b: str
    kind: str
    status: str
    connections: tuple[Connection, ...]
    gateway: VpnGateway


def _tunnels(net: Network) -> list[_Tunnel]:
    out: list[_Tunnel] = []
    seen: set[frozenset[str]] = set()
    for c in net.connections:
        if c.kind == "Vnet2Vnet":
            pair = frozenset((c.gateway.vnet.name, c.remote.vnet.name))
            if pair in seen:
                continue
            seen.add(pair)
            reverse = c.reverse
            out.append(_Tunnel(a=c.gateway.vnet.name, b=c.remote.vnet.name, kind=c.kind, status=c.status,
                               connections=(c,) if reverse is None else (c, reverse), gateway=c.gateway))
        else:
            out.append(_Tunnel(a=c.gateway.vnet.name, b=c.remote.name, kind=c.kind, status=c.status,
                               connections=(c,), gateway=c.gateway))
    for gw in net.gateways:
        if gw.p2s is not None:
            out.append(_Tunnel(a=gw.vnet.name, b=_p2s_node(gw), kind="P2S", status="Connected", connections=(),
                               gateway=gw))
    return out


def _short(prefixes: Sequence[object], shown: int = 2) -> str:
    text = ", ".join(str(p) for p in list(prefixes)[:shown])
    return text + (f" +{len(prefixes) - shown}" if len(prefixes) > shown else "")


def _node_lines(net: Network) -> dict[str, list[str]]:
    """Every node's label lines, in drawing order: VNets, then on-premises sites, then P2S client pools."""
    lines: dict[str, list[str]] = {}
    for v in net.vnets.values():
        lines[v.name] = [v.name, _short(v.address_space), v.region]
        if v.gateway is not None:
            lines[v.name].append(f"gateway {v.gateway.sku.key}")
    for lng in net.local_gateways.values():
        peer = net.gateway_at(lng.gateway_ip)
        lines[lng.name] = [lng.name, _short(lng.prefixes or lng.advertised),
                           "on-premises site" if peer is None else f"stands for VNet {peer.vnet.name}"]
    for gw in net.gateways:
        if gw.p2s is not None:
            lines[_p2s_node(gw)] = ["P2S clients", _short(gw.p2s.address_pool), f"via {gw.name}"]
    return lines


def _nvas(net: Network) -> list:
    """The network virtual appliances: NICs with IP forwarding on (what a VirtualAppliance UDR may point at)."""
    return [nic for nic in net.nics if nic.ip_forwarding]


def _node_kind(net: Network, name: str) -> str:
    return "vnet" if name in net.vnets else "site" if name in net.local_gateways else "p2s"


def _hub(names: Sequence[str], edges: Sequence, candidates: Sequence[str] | None = None) -> str | None:
    """The VNet with the most peerings and tunnels, when it is a hub: joined to at least two others and to more
    than any other node."""
    degree = {n: 0 for n in names}
    for e in edges:
        degree[e.a] += 1
        degree[e.b] += 1
    if len(names) < 3:
        return None
    ranked = sorted(names, key=lambda n: -degree[n])
    top = ranked[0]
    if degree[top] >= 2 and degree[top] > degree[ranked[1]] and (candidates is None or top in candidates):
        return top
    return None


def _label_box(lines: Sequence[str]) -> tuple[float, float]:
    """Estimated (width, height) in px of a node label."""
    width = max(len(s) for s in lines) * LABEL_FONT_SIZE * LABEL_CHAR_WIDTH
    return width, len(lines) * LABEL_FONT_SIZE * LABEL_LINE_HEIGHT


def _text_position(angle: float) -> str:
    """Put a label outside the circle, on the side facing away from the centre."""
    s, c = math.sin(angle), math.cos(angle)
    if s > 0.5:
        return "top center"
    if s < -0.5:
        return "bottom center"
    return "middle right" if c > 0 else "middle left"


# a gateway sits on the side of its VNet away from the label: (dx, dy) per label position
GATEWAY_SIDE = {"top center": (0, -1), "bottom center": (0, 1), "middle right": (-1, 0), "middle left": (1, 0)}


@dataclass(frozen=True)
class TopologyLayout:
    """Deterministic node positions (data units, ring of radius 1) and the pixel scale that keeps labels apart.

    ``positions`` holds every node: VNets, on-premises sites (local network gateways) and P2S client pools;
    ``gateway_positions`` the square of each VNet's VPN gateway and ``nva_positions`` the pentagon of each network
    virtual appliance (by NIC name), beside their VNet; ``label_centres`` the centre of a label placed in free
    space (the hub's, clear of the lines that leave it). The axes show ``x_range`` × ``y_range``: the drawing
    and its labels, cropped, at ``px_per_unit`` on both axes.
    """

    positions: dict[str, tuple[float, float]]
    text_positions: dict[str, str]
    hub: str | None
    px_per_unit: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    gateway_positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    nva_positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    label_centres: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def width(self) -> int:
        """Width of the plotting area in px."""
        return int(round((self.x_range[1] - self.x_range[0]) * self.px_per_unit))

    @property
    def height(self) -> int:
        """Height of the plotting area in px."""
        return int(round((self.y_range[1] - self.y_range[0]) * self.px_per_unit))


def _ring_order(net: Network, names: Sequence[str], tunnels: Sequence[_Tunnel]) -> list[str]:
    """VNets in the network's order, each followed by the sites and P2S pools its tunnels reach (so that a
    tunnel joins neighbours on the circle); nodes no tunnel reaches come last."""
    reached: dict[str, list[str]] = {}
    placed: set[str] = set()
    for t in tunnels:
        if t.b not in net.vnets and t.b not in placed:
            reached.setdefault(t.a, []).append(t.b)
            placed.add(t.b)
    order = [m for v in net.vnets for m in [v, *reached.get(v, [])]]
    return order + [n for n in names if n not in set(order)]


# --- label placement: plain geometry in px (y up) on the positions above ------------------------------------
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1


def _hits_segment(r: Rect, p: tuple[float, float], q: tuple[float, float]) -> bool:
    """Whether the segment p–q crosses the rectangle (Liang–Barsky clipping)."""
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for d, lo, hi in ((dx, r[0] - p[0], r[2] - p[0]), (dy, r[1] - p[1], r[3] - p[1])):
        if d == 0:
            if lo > 0 or hi < 0:
                return False
            continue
        a, b = sorted((lo / d, hi / d))
        t0, t1 = max(t0, a), min(t1, b)
        if t0 > t1:
            return False
    return True


def _hits_circle(r: Rect, c: tuple[float, float], radius: float) -> bool:
    nx, ny = min(max(c[0], r[0]), r[2]), min(max(c[1], r[1]), r[3])
    return math.hypot(c[0] - nx, c[1] - ny) < radius


def _overlaps(r: Rect, o: Rect) -> bool:
    return r[0] < o[2] and o[0] < r[2] and r[1] < o[3] and o[1] < r[3]


def _anchored_rect(lines: Sequence[str], anchor: tuple[float, float], text_position: str, gap: float) -> Rect:
    """The px box of a label anchored beside a node as :func:`_node_label` draws it."""
    w, h = _label_box(lines)
    xanchor, yanchor, sx, sy = LABEL_ANCHOR[text_position]
    ax, ay = anchor[0] + sx * gap, anchor[1] + sy * gap
    x0 = {"left": ax, "center": ax - w / 2, "right": ax - w}[xanchor]
    y0 = {"bottom": ay, "middle": ay - h / 2, "top": ay - h}[yanchor]
    return x0, y0, x0 + w, y0 + h


def _free_direction(taken: Sequence[float]) -> float:
    """Of 16 directions, the one farthest (in angle) from every direction in ``taken`` (radians)."""
    best, best_gap = -math.pi / 2, -1.0
    for k in range(16):
        a = -math.pi / 2 + 2 * math.pi * k / 16
        gap = min((abs(math.remainder(a - t, 2 * math.pi)) for t in taken), default=math.pi)
        if gap > best_gap + 1e-9:
            best, best_gap = a, gap
    return best


def _place_label(size: tuple[float, float], centre: tuple[float, float], keep_clear: float, reach: float,
                 segments: Sequence, circles: Sequence, rects: Sequence[Rect]) -> tuple[float, float] | None:
    """The centre (px) of a w×h label as near ``centre`` as possible (below it preferred) that crosses no segment,
    covers no marker and overlaps no other label; None when nothing within ``reach`` px is free."""
    w, h = size[0] + 14, size[1] + 8  # room for a double line (global peering) and a rounding of the estimate
    best, best_score = None, math.inf
    for k in range(25):  # -90° first, then alternately 15° either side
        turn = (k + 1) // 2 * (1 if k % 2 else -1) * math.radians(15)
        if 0.6 * math.degrees(abs(turn)) >= best_score:
            break  # turning further cannot beat the place found
        a = -math.pi / 2 + turn
        ux, uy = math.cos(a), math.sin(a)
        d = 0.0
        while d <= min(reach, best_score):
            cx, cy = centre[0] + ux * d, centre[1] + uy * d
            r = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if (not _hits_circle(r, centre, keep_clear) and not any(_hits_segment(r, *sg) for sg in segments)
                    and not any(_hits_circle(r, c, rad) for c, rad in circles)
                    and not any(_overlaps(r, o) for o in rects)):
                score = d + 0.6 * math.degrees(abs(turn))
                if score < best_score:
                    best, best_score = (cx, cy), score
                break
            d += 3.0
    return best


def topology_layout(net: Network) -> TopologyLayout:
    """Hub (if any) in the centre, the other nodes on a circle clockwise from the top: VNets in the network's
    order, each followed by the on-premises sites and P2S client pools its tunnels reach.

    The radius grows with the number of nodes so that neighbouring labels (estimated boxes) do not
    overlap: two boxes of size w×h with the same anchor cannot overlap when their anchors are at least
    √(w² + h²) apart, so the chord between neighbours is made at least that long. The hub's label goes where no
    line leaving the hub crosses it (the radius grows until it fits); a network virtual appliance sits beside its
    VNet in the direction no line takes. The axes are cropped to what is drawn.
    """
    lines = _node_lines(net)
    names = list(lines)
    tunnels = _tunnels(net)
    edges = _edges(net)
    hub = _hub(names, [*edges, *tunnels], candidates=list(net.vnets))
    ring = [n for n in _ring_order(net, names, tunnels) if n != hub]
    boxes = [_label_box(lines[n]) for n in names]
    w = max((b[0] for b in boxes), default=0.0)
    h = max((b[1] for b in boxes), default=0.0)
    needed_chord = math.hypot(w, h) + 8
    radius_px = 150.0
    if len(ring) >= 2:
        radius_px = max(radius_px, needed_chord / (2 * math.sin(math.pi / len(ring))))
    positions: dict[str, tuple[float, float]] = {}
    text_positions: dict[str, str] = {}
    if hub is not None:
        positions[hub] = (0.0, 0.0)
        text_positions[hub] = "bottom center"
    if len(ring) == 1 and hub is None:
        positions[ring[0]] = (0.0, 0.0)
        text_positions[ring[0]] = "bottom center"
    else:
        # with a hub, start half a step past the top so that a gap, not an edge, lies under the hub's label
        start = math.pi / 2 - (math.pi / len(ring) if hub is not None and len(ring) % 2 == 0 else 0.0)
        for i, name in enumerate(ring):
            angle = start - 2 * math.pi * i / len(ring)
            positions[name] = (math.cos(angle), math.sin(angle))
            text_positions[name] = _text_position(angle)
    sizes = {n: (HUB_NODE_SIZE if n == hub else NODE_SIZE if n in net.vnets else NODE_SIZE + 2) for n in names}
    nvas_of: dict[str, list[str]] = {}
    for nic in _nvas(net):
        nvas_of.setdefault(nic.vnet.name, []).append(nic.name)
    tries = 0
    while True:
        gateway_positions: dict[str, tuple[float, float]] = {}
        for gw in net.gateways:
            x, y = positions[gw.vnet.name]
            dx, dy = GATEWAY_SIDE[text_positions[gw.vnet.name]]
            gap = (sizes[gw.vnet.name] / 2 + GATEWAY_SIZE / 2 + 3) / radius_px
            gateway_positions[gw.vnet.name] = (x + dx * gap, y + dy * gap)
        nva_positions: dict[str, tuple[float, float]] = {}
        for vnet, nics in nvas_of.items():
            x, y = positions[vnet]
            taken = [math.atan2(positions[o][1] - y, positions[o][0] - x) for e in edges
                     for o in ((e.b,) if e.a == vnet else (e.a,) if e.b == vnet else ())]
            if vnet in gateway_positions:
                gx, gy = gateway_positions[vnet]
                taken.append(math.atan2(gy - y, gx - x))
            if vnet != hub:
                sx, sy = LABEL_ANCHOR[text_positions[vnet]][2:]
                taken.append(math.atan2(sy, sx))
            a = _free_direction(taken)
            for k, nic in enumerate(nics):
                d = (sizes[vnet] / 2 + NVA_SIZE / 2 + 4 + k * (NVA_SIZE + 3)) / radius_px
                nva_positions[nic] = (x + d * math.cos(a), y + d * math.sin(a))
        px = {n: (p[0] * radius_px, p[1] * radius_px) for n, p in positions.items()}
        rects = {n: _anchored_rect(lines[n], px[n], text_positions[n], sizes[n] / 2 + 3) for n in names if n != hub}
        circles = [(px[n], sizes[n] / 2 + 2) for n in names]
        circles += [((x * radius_px, y * radius_px), GATEWAY_SIZE / 2 + 1) for x, y in gateway_positions.values()]
        circles += [((x * radius_px, y * radius_px), NVA_SIZE / 2 + 1) for x, y in nva_positions.values()]
        label_centres: dict[str, tuple[float, float]] = {}
        if hub is None:
            break
        gpx = {v: (x * radius_px, y * radius_px) for v, (x, y) in gateway_positions.items()}
        segments = [(px[e.a], px[e.b]) for e in edges]
        segments += [(gpx[t.a], gpx.get(t.b) if t.kind == "Vnet2Vnet" and t.b in gpx else px[t.b]) for t in tunnels]
        found = _place_label(_label_box(lines[hub]), px[hub], sizes[hub] / 2 + 2, radius_px * 0.8,
                             segments, [c for c in circles if c[0] != px[hub]], list(rects.values()))
        if found is not None:
            label_centres[hub] = (found[0] / radius_px, found[1] / radius_px)
            w_hub, h_hub = _label_box(lines[hub])
            rects[hub] = (found[0] - w_hub / 2, found[1] - h_hub / 2, found[0] + w_hub / 2, found[1] + h_hub / 2)
            break
        tries += 1
        if tries > 4:  # no free place (a hub in a dense mesh): the label goes under the hub, as before
            rects[hub] = _anchored_rect(lines[hub], px[hub], "bottom center", sizes[hub] / 2 + 3)
            break
        radius_px *= 1.2
    # crop to what is drawn: markers and labels, plus a small pad
    halo = (HUB_NODE_SIZE + 14) / 2  # a trace's halo around a node is this wide
    marks = [(c, max(rad, halo)) for c, rad in circles]
    xs = [v for r in rects.values() for v in (r[0], r[2])] + [c[0] + k * rad for c, rad in marks for k in (-1, 1)]
    ys = [v for r in rects.values() for v in (r[1], r[3])] + [c[1] + k * rad for c, rad in marks for k in (-1, 1)]
    pad = 12.0
    x0, x1 = (min(xs) - pad, max(xs) + pad) if xs else (-radius_px, radius_px)
    y0, y1 = (min(ys) - pad, max(ys) + pad) if ys else (-radius_px, radius_px)
    if x1 - x0 < MIN_DRAWING_WIDTH:
        grow = (MIN_DRAWING_WIDTH - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    if y1 - y0 < 160:
        grow = (160 - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
    return TopologyLayout(positions=positions, text_positions=text_positions, hub=hub, px_per_unit=radius_px,
                          x_range=(x0 / radius_px, x1 / radius_px), y_range=(y0 / radius_px, y1 / radius_px),
                          gateway_positions=gateway_positions, nva_positions=nva_positions,
                          label_centres=label_centres)


def _link_words(link: PeeringLink) -> str:
    s = link.settings
    flags = ", ".join(f"{k}={'on' if getattr(s, k) else 'off'}" for k in s.names())
    return (f"{escape(link.name)}: {link.local.name} → {link.remote.name}, {link.peering_state}, "
            f"{link.peering_sync_level}<br>&nbsp;&nbsp;{flags}")


def _segment(p: tuple[float, float], q: tuple[float, float], one_sided: bool) -> tuple[tuple[float, float], tuple[float, float]]:
    """A Connected peering joins both nodes; a one-sided one goes from its link's VNet half-way to the remote."""
    if one_sided:  # stop short of the middle, where the hover marker sits, so that the arrowhead shows
        q = (p[0] + (q[0] - p[0]) * ONE_SIDED_REACH, p[1] + (q[1] - p[1]) * ONE_SIDED_REACH)
    return p, q


def _offset(p, q, d: float):
    """The segment p–q moved sideways by ``d`` (for the second line of a double line)."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    length = math.hypot(dx, dy) or 1.0
    ox, oy = -dy / length * d, dx / length * d
    return (p[0] + ox, p[1] + oy), (q[0] + ox, q[1] + oy)


def _path_vnets(trace: Trace) -> list[str]:
    """The nodes (VNets, sites) the packet visited, in order (the ``path`` in the trace overlay's meta)."""
    path: list[str] = []
    for hop in trace.hops:
        if hop.vnet and (not path or path[-1] != hop.vnet):
            path.append(hop.vnet)
    return path


def _path_points(net: Network, trace: Trace, layout: TopologyLayout) -> list[tuple[float, float]]:
    """Where the overlay goes, hop by hop: a VNet's node, its gateway's square for "to gateway", a NAT step and the
    far end of a tunnel (VNet-to-VNet, or Site-to-Site from a site), a site's diamond for an IPsec tunnel to it,
    the P2S triangle for Point-to-Site."""
    pos, gws = layout.positions, layout.gateway_positions
    appliance_at = {(nic.vnet.name, nic.subnet.name): layout.nva_positions[nic.name] for nic in reversed(_nvas(net))}
    forwarded = {(h.vnet, h.subnet) for h in trace.hops if h.action == "appliance"}
    points: list[tuple[float, float]] = []
    for hop in trace.hops:
        point = None
        if (hop.vnet, hop.subnet) in forwarded and (hop.vnet, hop.subnet) in appliance_at:
            point = appliance_at[hop.vnet, hop.subnet]  # to, through and out of the appliance
        elif hop.action in ("to gateway", "VNet-to-VNet tunnel", "NAT", "IPsec tunnel") and hop.vnet in gws:
            point = gws[hop.vnet]  # NAT happens on the gateway; a tunnel from a site arrives at it
        elif hop.action == "Point-to-Site" and hop.vnet in net.vnets and net.vnet(hop.vnet).gateway is not None:
            point = pos.get(_p2s_node(net.vnet(hop.vnet).gateway))
        elif hop.vnet in pos:
            point = pos[hop.vnet]
        if point is not None and (not points or points[-1] != point):
            points.append(point)
    return points


def _node_size(name: str, layout: TopologyLayout) -> int:
    return HUB_NODE_SIZE if name == layout.hub else NODE_SIZE


# where a label sits relative to its node: (xanchor, yanchor, xshift sign, yshift sign)
LABEL_ANCHOR = {"top center": ("center", "bottom", 0, 1), "bottom center": ("center", "top", 0, -1),
                "middle right": ("left", "middle", 1, 0), "middle left": ("right", "middle", -1, 0)}


def _node_label(lines: Sequence[str], name: str, layout: TopologyLayout) -> dict:
    xanchor, yanchor, sx, sy = LABEL_ANCHOR[layout.text_positions[name]]
    gap = _node_size(name, layout) / 2 + 3
    x, y = layout.positions[name]
    label = {"x": x, "y": y, "xref": "x", "yref": "y", "showarrow": False, "xanchor": xanchor, "yanchor": yanchor,
             "xshift": sx * gap, "yshift": sy * gap, "align": "center" if sx == 0 else ("left" if sx > 0 else "right"),
             "text": "<br>".join([f"<b>{escape(lines[0])}</b>", *map(escape, lines[1:])]),
             "font": {"size": LABEL_FONT_SIZE}, "bgcolor": "rgba(255,255,255,0.85)", "borderpad": 1,
             "name": f"label:{name}"}
    if name in layout.label_centres:  # placed in free space, clear of the lines; a thin leader when it is far
        cx, cy = layout.label_centres[name]
        dx, dy = (cx - x) * layout.px_per_unit, (cy - y) * layout.px_per_unit
        far = math.hypot(dx, dy) > _node_size(name, layout) / 2 + _label_box(lines)[1] / 2 + 12
        label.update(xanchor="center", yanchor="middle", xshift=0, yshift=0, align="center")
        if far:
            label.update(showarrow=True, ax=dx, ay=-dy, arrowhead=0, arrowwidth=1, arrowcolor="#555555",
                         standoff=_node_size(name, layout) / 2 + 1)
        else:
            label.update(x=cx, y=cy)
    return label


def _node_hover(net: Network, name: str) -> str:
    v = net.vnet(name)
    parts = [f"<b>{escape(v.name)}</b>", "address space: " + ", ".join(str(r) for r in v.address_space),
             f"region: {escape(v.region)}", f"subscription: {escape(v.subscription)}, tenant: {escape(v.tenant)}"]
    for s in v.subnets.values():
        nics = ", ".join(f"{escape(n.name)} {n.ip}" for n in s.nics.values())
        parts.append(f"subnet {escape(s.name)} {s.prefix}" + (f": {nics}" if nics else ""))
    if not v.subnets:
        parts.append("no subnets")
    if v.gateway is not None:
        parts.append(f"VPN gateway {escape(v.gateway.name)} ({v.gateway.sku.key})")
    return "<br>".join(parts)


def _gateway_hover(gw: VpnGateway) -> str:
    parts = [f"<b>VPN gateway {escape(gw.name)}</b> in {escape(gw.vnet.name)}/GatewaySubnet",
             f"SKU {escape(gw.sku.key)}, {gw.vpn_type}" + (", active-active" if gw.active_active else ""),
             f"public IP{'s' * (len(gw.public_ips) != 1)}: {', '.join(gw.public_ips)}",
             f"instance IP{'s' * (len(gw.instance_ips) != 1)} (next hop of its routes): {', '.join(gw.instance_ips)}",
             f"BGP: ASN {gw.asn}" if gw.bgp else "BGP: off"]
    parts += [f"connection {escape(c.name)}: {c.kind} to {escape(c.remote.name)}, {c.status}"
              for c in gw.connections.values()]
    if gw.p2s is not None:
        parts.append(f"Point-to-Site pool {_short(gw.p2s.address_pool, 4)} ({', '.join(gw.p2s.protocols)})")
    return "<br>".join(parts)


def _site_hover(net: Network, lng: LocalNetworkGateway) -> str:
    parts = [f"<b>Local network gateway {escape(lng.name)}</b> (an on-premises site, or a VNet treated as one)",
             f"device public IP: {lng.gateway_ip}",
             "prefixes, typed by hand: " + (_short(lng.prefixes, 6) if lng.prefixes else "none")]
    owner = net.gateway_at(lng.gateway_ip)
    if owner is not None:
        parts.append(f"that device IP is the public IP of {escape(owner.name)} in {escape(owner.vnet.name)}")
    if lng.bgp_asn is not None:
        parts.append(f"BGP: ASN {lng.bgp_asn}, peer {lng.bgp_peer_ip}, advertises {len(lng.advertised)} prefix"
                     f"{'es' * (len(lng.advertised) != 1)}" + (f" ({_short(lng.advertised, 4)})" if lng.advertised else ""))
    return "<br>".join(parts)


def _tunnel_hover(t: _Tunnel) -> str:
    if t.kind == "P2S":
        p2s = t.gateway.p2s
        return (f"<b>Point-to-Site on {escape(t.gateway.name)}</b><br>client pool {_short(p2s.address_pool, 4)}<br>"
                f"protocols: {', '.join(p2s.protocols)}")
    head = f"<b>{TUNNEL_STYLE[t.kind]['title']} {escape(t.a)} ↔ {escape(t.b)}: {t.status}</b>"
    rows = [f"{escape(c.name)} on {escape(c.gateway.name)}: {c.kind}, {c.status}, over the {c.path}"
            + (", BGP on" if c.enable_bgp else "") for c in t.connections]
    if t.kind == "Vnet2Vnet" and t.status != "Connected":
        rows.append(f"only one connection resource: create {escape(t.b)}'s connection back to {escape(t.a)}")
    if t.kind == "IPsec":
        lng = t.connections[0].remote
        rows.append("routes into the tunnel the LNG's prefixes: " + (_short(lng.prefixes, 4) if lng.prefixes else "none"))
    return "<br>".join([head, *rows])


def _tunnel_ends(t: _Tunnel, layout: TopologyLayout) -> tuple[tuple[float, float], tuple[float, float]]:
    """From the local gateway's square to the remote gateway's square (VNet-to-VNet) or the remote node."""
    far = layout.gateway_positions.get(t.b) if t.kind == "Vnet2Vnet" else None
    return layout.gateway_positions[t.a], far or layout.positions[t.b]


def topology_figure(net: Network, trace: Trace | None = None) -> go.Figure:
    """Draw ``net``: VNets as nodes, peerings as edges, VPN gateways, sites and tunnels; optionally ``trace``'s hops.

    Each trace's ``meta`` says what it draws (``role``: ``vnets``, ``peerings`` with ``kind``, ``state`` and
    ``pairs``, ``peering-details``, ``gateways`` with ``vnets`` and ``skus``, ``sites``, ``p2s``, ``tunnels``
    with ``kind``, ``status`` and ``pairs``, ``tunnel-details``, ``trace`` with ``path``, ``not-reached``), for
    graders and tests.

    * Nodes carry the VNet's name, address space, region and gateway SKU; hovering shows its subnets and VM NICs.
    * Edges: ``Connected`` solid between both VNets; ``Initiated`` dashed and ``Disconnected`` dotted, drawn
      only from the VNet whose link exists, stopping short of the middle with an arrowhead (one side only). Regional peering is a blue
      single line, global peering an orange double line; each style used has its own legend entry.
    * A VPN gateway is a black square beside its VNet (hover: SKU, public and instance IPs, BGP, connections); an
      on-premises site (local network gateway) a diamond; a Point-to-Site client pool a triangle.
    * Tunnels run from gateway to gateway (or site, or pool) with a dash pattern per kind (VNet-to-VNet
      dash-dot, Site-to-Site long dashes, Point-to-Site long dash-dot) and an "IPsec" label at the middle (hover: the
      connection resources, their status and path); a VNet-to-VNet connection with one resource only is
      NotConnected: a dotted stub from the side that has it, with ✗.
    * A network virtual appliance (a NIC with IP forwarding) is a yellow pentagon beside its VNet; a local network
      gateway that is another VNet's gateway says which VNet it stands for.
    * With ``trace``: the nodes the packet crossed, the peerings and tunnels it used (a star mid-peering), are drawn
      under a thick halo, through an appliance that forwarded it; the verdict is in the title, and a destination
      that was not reached is marked ✗.
    * The axes are cropped to the drawing and its labels; the legend lists one entry per row below it.
    """
    layout = topology_layout(net)
    pos = layout.positions
    traces: list[dict] = []  # plain dicts, validated once when the figure is made (twice as fast as go.Scatter)
    annotations: list[dict] = []
    edges = _edges(net)
    tunnels = _tunnels(net)
    lines = _node_lines(net)
    path = [v for v in _path_vnets(trace) if v in pos] if trace is not None else []
    path_pairs = {frozenset(pair) for pair in zip(path, path[1:])}
    double_gap = 3.0 / layout.px_per_unit

    if trace is not None:
        colour = VERDICT_COLOR.get(trace.verdict, OTHER_VERDICT_COLOR)
        points = _path_points(net, trace, layout)
        xs: list[float | None] = []
        ys: list[float | None] = []
        for p, q in zip(points, points[1:]):
            xs += [p[0], q[0], None]
            ys += [p[1], q[1], None]
        traces.append(dict(type="scatter",
            x=xs or [p[0] for p in points], y=ys or [p[1] for p in points],
            mode="lines+markers", line={"color": colour, "width": 14}, opacity=0.45,
            marker={"size": HUB_NODE_SIZE + 14, "color": colour, "symbol": "circle"},
            name=f"Trace path ({trace.verdict}): thick halo", hoverinfo="skip", legendgroup="trace",
            meta={"role": "trace", "path": path, "verdict": trace.verdict}))

    # one trace per (kind, state) actually used, so that the legend lists exactly the styles on screen
    for kind, kstyle in KIND_STYLE.items():
        for state, sstyle in STATE_STYLE.items():
            chosen = [e for e in edges if e.kind == kind and e.state == state]
            if not chosen:
                continue
            xs, ys, sizes = [], [], []
            for e in chosen:
                p, q = _segment(pos[e.a], pos[e.b], sstyle["one_sided"])
                segs = [_offset(p, q, -double_gap), _offset(p, q, double_gap)] if kstyle["double"] else [(p, q)]
                for p1, q1 in segs:
                    xs += [p1[0], q1[0], None]
                    ys += [p1[1], q1[1], None]
                    sizes += [0, 11 if sstyle["one_sided"] else 0, 0]
            traces.append(dict(type="scatter",
                x=xs, y=ys, mode="lines+markers" if sstyle["one_sided"] else "lines",
                line={"color": kstyle["color"], "dash": sstyle["dash"], "width": 1.8 if kstyle["double"] else 2.5},
                marker={"symbol": "arrow", "angleref": "previous", "size": sizes, "color": kstyle["color"]},
                name=f"{kind} peering, {state} ({kstyle['words']}, {sstyle['words']})",
                hoverinfo="skip", legendgroup=f"{kind}-{state}",
                meta={"role": "peerings", "kind": kind, "state": state, "pairs": [[e.a, e.b] for e in chosen]}))

    traces += _tunnel_traces(tunnels, layout)

    for used in (False, True):  # hover targets at the middle of each edge: the links and their four settings
        chosen = [e for e in edges if (frozenset((e.a, e.b)) in path_pairs) == used]
        if not chosen:
            continue
        mids = [((pos[e.a][0] + pos[e.b][0]) / 2, (pos[e.a][1] + pos[e.b][1]) / 2) for e in chosen]
        traces.append(dict(type="scatter",
            x=[m[0] for m in mids], y=[m[1] for m in mids], mode="markers",
            marker={"size": 13 if used else 9, "color": "rgba(255,255,255,0.9)", "line": {"color": "#555555", "width": 1},
                    "symbol": "star" if used else "circle"},
            hovertext=[f"<b>{e.kind} peering {e.a} ↔ {e.b}: {e.state}</b><br>" + "<br>".join(_link_words(l) for l in e.links)
                       for e in chosen],
            hoverinfo="text", name=PEERING_USED_WORDS if used else PEERING_MARK_WORDS,
            meta={"role": "peering-details", "pairs": [[e.a, e.b] for e in chosen], "crossed": used}))

    names = list(net.vnets)
    on_path = set(path)
    if names:
        traces.append(dict(type="scatter",
            x=[pos[n][0] for n in names], y=[pos[n][1] for n in names], mode="markers",
            marker={"size": [_node_size(n, layout) for n in names],
                    "color": ["#FFFFFF" if n in on_path else "#D9D9D9" for n in names],
                    "symbol": ["hexagon" if n == layout.hub else "circle" for n in names],
                    "line": {"color": OKABE_ITO["black"], "width": [3 if n in on_path else 1 for n in names]}},
            hovertext=[_node_hover(net, n) for n in names], hoverinfo="text",
            name="VNet (hover: subnets and VMs)" + ("; hexagon = hub" if layout.hub else ""),
            meta={"role": "vnets", "names": names, "hub": layout.hub}))
    others = {"site": [n for n in lines if _node_kind(net, n) == "site"],
              "p2s": [n for n in lines if _node_kind(net, n) == "p2s"]}
    hovers = {n: _site_hover(net, net.local_gateways[n]) for n in others["site"]}
    hovers.update({_p2s_node(g): _tunnel_hover(t) for t in tunnels if t.kind == "P2S" for g in [t.gateway]})
    for kind, chosen in others.items():
        if chosen:
            traces.append(dict(type="scatter",
                x=[pos[n][0] for n in chosen], y=[pos[n][1] for n in chosen], mode="markers",
                marker={"size": NODE_SIZE + 2, "symbol": NODE_SYMBOL[kind],
                        "color": ["#FFFFFF" if n in on_path else "#D9D9D9" for n in chosen],
                        "line": {"color": OKABE_ITO["black"], "width": [3 if n in on_path else 1 for n in chosen]}},
                hovertext=[hovers[n] for n in chosen], hoverinfo="text",
                name=SITE_IS_VNET_WORDS if kind == "site" and any(
                    net.gateway_at(net.local_gateways[n].gateway_ip) for n in chosen) else NODE_WORDS[kind],
                meta={"role": "sites" if kind == "site" else "p2s", "names": chosen}))
    gateways = net.gateways
    if gateways:
        gpos = layout.gateway_positions
        traces.append(dict(type="scatter",
            x=[gpos[g.vnet.name][0] for g in gateways], y=[gpos[g.vnet.name][1] for g in gateways], mode="markers",
            marker={"size": GATEWAY_SIZE, "symbol": "square", "color": OKABE_ITO["black"],
                    "line": {"color": "#FFFFFF", "width": 1}},
            hovertext=[_gateway_hover(g) for g in gateways], hoverinfo="text",
            name="VPN gateway (black square; hover: SKU, public IPs, BGP, connections)",
            meta={"role": "gateways", "vnets": [g.vnet.name for g in gateways], "names": [g.name for g in gateways],
                  "skus": [g.sku.key for g in gateways], "public_ips": [list(g.public_ips) for g in gateways]}))
    nvas = _nvas(net)
    if nvas:
        npos = layout.nva_positions
        traces.append(dict(type="scatter",
            x=[npos[n.name][0] for n in nvas], y=[npos[n.name][1] for n in nvas], mode="markers",
            marker={"size": NVA_SIZE, "symbol": "pentagon", "color": OKABE_ITO["yellow"],
                    "line": {"color": OKABE_ITO["black"], "width": 1.5}},
            hovertext=[f"<b>Network virtual appliance {escape(n.name)}</b><br>{n.ip} in {escape(n.vnet.name)}/"
                       f"{escape(n.subnet.name)}<br>IP forwarding on: a UDR's VirtualAppliance next hop may be {n.ip}"
                       for n in nvas], hoverinfo="text", name=NVA_WORDS,
            meta={"role": "nvas", "names": [n.name for n in nvas], "vnets": [n.vnet.name for n in nvas],
                  "ips": [str(n.ip) for n in nvas]}))
    for n in lines:  # labels as annotations: a white background keeps them legible over edges
        annotations.append(_node_label(lines[n], n, layout))

    if trace is not None and trace.dst_vnet and trace.dst_vnet in pos and not trace.reachable:
        p = pos[trace.dst_vnet]
        traces.append(dict(type="scatter", x=[p[0]], y=[p[1]], mode="markers",
                                 marker={"symbol": "x-thin-open", "size": HUB_NODE_SIZE + 8, "color": OTHER_VERDICT_COLOR,
                                         "line": {"width": 4, "color": OTHER_VERDICT_COLOR}},
                                 name=f"✗ destination {trace.dst} not reached", hoverinfo="name",
                                 meta={"role": "not-reached", "vnet": trace.dst_vnet}))

    if trace is not None:
        title = f"Trace {trace.src} → {trace.dst}: <b>{trace.verdict}</b>"
    else:
        title = f"{escape(net.name)}: {_count(len(names), 'VNet')}, {_count(len(edges), 'peering')}"
        if tunnels or net.local_gateways:
            title += f", {_count(len(tunnels), 'tunnel')}, {_count(len(net.local_gateways), 'site')}"
    if not lines:
        annotations.append({"text": "No VNets yet: add one with net.add_vnet(...)", "showarrow": False, "x": 0, "y": 0})
    entries = [t["name"] for t in traces if t.get("showlegend", True) is not False and t.get("name")]
    margin = {**MARGIN, "b": 20 + LEGEND_ROW * max(len(entries), 1)}
    # the legend sits under the drawing: widen the axes (both sides alike) until its longest entry fits
    x_range = layout.x_range
    short = max((len(n) for n in entries), default=0) * LEGEND_FONT_SIZE * LABEL_CHAR_WIDTH + 50 - layout.width
    if short > 0:
        x_range = (x_range[0] - short / 2 / layout.px_per_unit, x_range[1] + short / 2 / layout.px_per_unit)
    width, height = math.ceil((x_range[1] - x_range[0]) * layout.px_per_unit), layout.height
    # whole pixels: the ranges follow, so that a data unit is as many px across as up
    x_range = (x_range[0], x_range[0] + width / layout.px_per_unit)
    y_range = (layout.y_range[0], layout.y_range[0] + height / layout.px_per_unit)
    return build_figure(data=traces, layout=dict(
        template=TEMPLATE, annotations=annotations,
        title={"text": title, "x": 0.01, "xanchor": "left"},
        width=width + margin["l"] + margin["r"], height=height + margin["t"] + margin["b"],
        margin=margin, showlegend=True,
        legend={"orientation": "v", "x": 0, "y": -0.01, "yanchor": "top", "font": {"size": LEGEND_FONT_SIZE},
                "tracegroupgap": 0},
        xaxis={"range": list(x_range), "visible": False, "fixedrange": True},
        yaxis={"range": list(y_range), "visible": False, "fixedrange": True,
               "scaleanchor": "x", "scaleratio": 1},
    ))


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _tunnel_traces(tunnels: Sequence[_Tunnel], layout: TopologyLayout) -> list[dict]:
    """Tunnel lines (one trace per kind and status in use, so the legend lists what is on screen), then the
    "IPsec" / ✗ labels that carry each tunnel's details on hover."""
    traces: list[dict] = []
    marks: list[tuple[tuple[float, float], str, str, _Tunnel]] = []
    for kind, style in TUNNEL_STYLE.items():
        for connected in (True, False):
            chosen = [t for t in tunnels if t.kind == kind and (t.status == "Connected") == connected]
            if not chosen:
                continue
            look = style if connected else NOT_CONNECTED_STYLE
            xs: list[float | None] = []
            ys: list[float | None] = []
            for t in chosen:
                p, q = _segment(*_tunnel_ends(t, layout), one_sided=not connected)
                xs += [p[0], q[0], None]
                ys += [p[1], q[1], None]
                mid = ((p[0] + q[0]) / 2, (p[1] + q[1]) / 2) if connected else q
                marks.append((mid, LOCK if connected else OPEN_LOCK, "middle center", t))
            path = f", over the {chosen[0].connections[0].path}" if chosen[0].connections else ""
            name = (f"{style['title']} tunnel ({look['words']}, encrypted{path})" if connected else
                    f"{style['title']}, NotConnected: one connection resource only ({look['words']})")
            traces.append(dict(type="scatter",
                x=xs, y=ys, mode="lines" if connected else "lines+markers",
                line={"color": look["color"], "dash": look["dash"], "width": 2.5},
                marker={"symbol": "arrow", "angleref": "previous", "color": look["color"],
                        "size": [0, 0 if connected else 11, 0] * len(chosen)},
                name=name, hoverinfo="skip", legendgroup=f"tunnel-{kind}-{connected}",
                meta={"role": "tunnels", "kind": kind, "status": "Connected" if connected else "NotConnected",
                      "pairs": [[t.a, t.b] for t in chosen],
                      "connections": [[c.name for c in t.connections] for t in chosen]}))
    if marks:
        traces.append(dict(type="scatter",  # a white badge under each lock keeps it legible over the line
            x=[m[0][0] for m in marks], y=[m[0][1] for m in marks], mode="markers+text", text=[m[1] for m in marks],
            marker={"symbol": "square", "size": 17, "color": "rgba(255,255,255,0.95)",
                    "line": {"color": "#555555", "width": 1}},
            textposition=[m[2] for m in marks], textfont={"size": 12},
            hovertext=[_tunnel_hover(m[3]) for m in marks], hoverinfo="text", showlegend=False,
            name="Tunnel details (hover the lock)",
            meta={"role": "tunnel-details", "pairs": [[m[3].a, m[3].b] for m in marks],
                  "kinds": [m[3].kind for m in marks], "locks": [m[1] for m in marks]}))
    return traces


# --- address map ---------------------------------------------------------------------------------------
ADDRESS_STYLE = {
    "ok": {"name": "Subnet prefix", "color": OKABE_ITO["blue"], "pattern": "", "mark": ""},
    "overlap": {"name": "⚠ Overlaps another prefix (hatched /)", "color": OKABE_ITO["vermillion"],
                "pattern": "/", "mark": "⚠ "},
    "outside": {"name": "✗ Outside the VNet address space (cross-hatched)", "color": OKABE_ITO["orange"],
                "pattern": "x", "mark": "✗ "},
}
ROW_HEIGHT = 30


def _ticks(lo: int, hi: int) -> tuple[list[int], list[str]]:
    """Ticks on aligned power-of-two boundaries (4 to 8 of them), labelled as dotted quads."""
    span = max(hi - lo, 1)
    step = 2 ** max(0, math.ceil(math.log2(span / 8)))
    first = -(-lo // step) * step
    values = [v for v in range(first, hi + 1, step) if v < 2 ** 32]
    return values, [str(IPAddress(v, 4)) for v in values]


def address_map_figure(plan_or_prefixes: "AddressPlan | Iterable[str] | str",
                       space: "Iterable[str] | str | None" = None) -> go.Figure:
    """Draw an address plan: each valid prefix a bar on the IPv4 number line, the VNet space a grey band.

    ``plan_or_prefixes`` is an :class:`~vnetlab.addressing.AddressPlan` (from :func:`vnetlab.analyze_plan`),
    or prefixes (list or one-per-line text) that are analysed with ``space`` first. Overlapping prefixes
    (from the plan's ``overlaps``) are vermillion, hatched ``/`` and marked ⚠; prefixes outside the
    address space orange, cross-hatched and marked ✗. Lines with errors are not drawn (the title counts them).
    Each bar trace's ``meta`` holds ``role="prefixes"``, its ``status`` (ok, overlap, outside) and ``prefixes``.
    """
    if isinstance(plan_or_prefixes, AddressPlan):
        if space is not None:
            raise VnetlabError("address_map_figure: give `space` only with a list of prefixes; an AddressPlan "
                               "already carries its address space.", value=space, rule="one source of the space")
        plan = plan_or_prefixes
    else:
        plan = analyze_plan(plan_or_prefixes, space)

    partners: dict[str, list[str]] = {}
    for o in plan.overlaps:
        partners.setdefault(o.a, []).append(o.b)
        partners.setdefault(o.b, []).append(o.a)
    rows = []  # (category label, network, style key, note)
    for number, line in enumerate(plan.lines, start=1):
        if not line.prefix:
            continue
        net = IPNetwork(line.prefix)
        notes = []
        key = "ok"
        if line.inside_space is False:
            key = "outside"
            notes.append("outside the address space")
        if line.prefix in partners:
            key = "overlap"
            notes.insert(0, "overlaps " + ", ".join(sorted(set(partners[line.prefix]))))
        label = f"{ADDRESS_STYLE[key]['mark']}{line.prefix} (line {number})"
        rows.append((label, net, key, "; ".join(notes)))

    spaces = [IPNetwork(s) for s in plan.space]
    bounds = [(r[1].first, r[1].last + 1) for r in rows] + [(s.first, s.last + 1) for s in spaces]
    lo, hi = (min(b[0] for b in bounds), max(b[1] for b in bounds)) if bounds else (0, 1)
    view_lo, view_hi = _address_view(rows, spaces, lo, hi)
    zoomed = (view_lo, view_hi) != (lo, hi)
    fig = build_figure(layout={"template": TEMPLATE})
    for key, style in ADDRESS_STYLE.items():
        chosen = [r for r in rows if r[2] == key]
        if not chosen:
            continue
        hover = [f"<b>{r[1]}</b><br>{r[1].network} – {r[1].broadcast or r[1].network}<br>{r[1].size} addresses, "
                 f"{max(r[1].size - 5, 0)} usable" + (f"<br>{escape(r[3])}" if r[3] else "") for r in chosen]
        fig.add_trace(go.Bar(
            y=[r[0] for r in chosen], x=[r[1].size for r in chosen], base=[r[1].first for r in chosen],
            orientation="h", name=style["name"], legendgroup=key,
            meta={"role": "prefixes", "status": key, "prefixes": [str(r[1]) for r in chosen]},
            marker={"color": style["color"], "line": {"color": OKABE_ITO["black"], "width": 1},
                    "pattern": {"shape": style["pattern"], "fgcolor": OKABE_ITO["black"], "solidity": 0.35}},
            hovertext=hover, hoverinfo="text"))
        # a diamond at each block's middle keeps a small block visible; it carries the note as text, on the side
        # with more room. A block beyond the zoomed view gets its diamond at the edge, saying so.
        middles, notes = [], []
        for r in chosen:
            middle = r[1].first + r[1].size / 2
            note = f" {style['mark']}{r[3]} " if r[3] else ""
            if middle >= view_hi:
                middle, note = view_hi - (view_hi - view_lo) * 0.005, f" {r[1]} lies beyond the right edge{'; ' + r[3] if r[3] else ''} "
            elif middle < view_lo:
                middle, note = view_lo + (view_hi - view_lo) * 0.005, f" {r[1]} lies beyond the left edge{'; ' + r[3] if r[3] else ''} "
            middles.append(middle)
            notes.append(note)
        fig.add_trace(go.Scatter(
            y=[r[0] for r in chosen], x=middles, mode="markers+text",
            marker={"symbol": "diamond", "size": 9, "color": style["color"],
                    "line": {"color": OKABE_ITO["black"], "width": 1}},
            text=notes, textposition=["middle right" if m < (view_lo + view_hi) / 2 else "middle left" for m in middles],
            legendgroup=key, showlegend=False, hovertext=hover, hoverinfo="text"))

    for s in spaces:  # first, so the overlap bands are drawn over the grey band
        fig.add_shape(type="rect", xref="x", yref="paper", x0=s.first, x1=s.last + 1, y0=0, y1=1, layer="below",
                      fillcolor="#E8E8E8", line={"color": "#777777", "dash": "dash", "width": 1})
    # where two prefixes overlap, the shared addresses are drawn as a band across the map: the overlap is a place
    for o in plan.overlaps:
        a, b = IPNetwork(o.a), IPNetwork(o.b)
        first, last = max(a.first, b.first), min(a.last, b.last)
        fig.add_shape(type="rect", xref="x", yref="paper", x0=first, x1=last + 1, y0=0, y1=1, layer="below",
                      fillcolor="rgba(213,94,0,0.25)", line={"color": OKABE_ITO["vermillion"], "width": 1})
        fig.add_annotation(x=(first + last + 1) / 2, y=1, xref="x", yref="paper", yanchor="bottom", showarrow=False,
                           text=f"overlap: {IPAddress(first, 4)} – {IPAddress(last, 4)}",
                           font={"size": 11, "color": OKABE_ITO["vermillion"]})
    if spaces:  # the band's legend entry is a trace, so it is redrawn (not kept) when the space changes
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", hoverinfo="skip",
                                 marker={"symbol": "square", "size": 12, "color": "#E8E8E8",
                                         "line": {"color": "#777777", "width": 1}},
                                 name=f"VNet address space {', '.join(map(str, spaces))} (grey band)"))
    if plan.overlaps:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", hoverinfo="skip",
                                 marker={"symbol": "square", "size": 12, "color": "rgba(213,94,0,0.18)",
                                         "line": {"color": OKABE_ITO["vermillion"], "width": 1}},
                                 name="Addresses two prefixes share (vermillion band)"))

    errors = sum(1 for line in plan.lines if line.error)
    title = (f"Address map: {len(rows)} prefixes" + (f" in {', '.join(plan.space)}" if plan.space else "")
             + (f", {len(plan.overlaps)} overlap{'s' * (len(plan.overlaps) != 1)}" if plan.overlaps else ", no overlaps")
             + (f"; {errors} line{'s' * (errors != 1)} with errors not drawn" if errors else "")
             + ("; the address space has an error" if plan.space_error else ""))
    subtitle = (f"Zoomed to {IPAddress(view_lo, 4)} – {IPAddress(view_hi - 1, 4)}, the part in use; double-click "
                "the map to see everything." if zoomed else "")
    xaxis: dict = {"title": {"text": "IPv4 address"}, "showgrid": True, "gridcolor": "#CCCCCC", "zeroline": False}
    if bounds:
        values, labels = _ticks(view_lo, view_hi)
        xaxis.update(range=[view_lo, view_hi], tickmode="array", tickvals=values, ticktext=labels)
    else:
        fig.add_annotation(text="No valid prefixes to draw yet.", showarrow=False, xref="paper", yref="paper",
                           x=0.5, y=0.5)
        xaxis.update(visible=False)
    fig.update_layout(
        title={"text": escape(title) + (f"<br><sup>{escape(subtitle)}</sup>" if subtitle else ""),
               "x": 0.01, "xanchor": "left"}, barmode="overlay", bargap=0.35,
        height=220 + ROW_HEIGHT * max(len(rows), 2), margin={"l": 20, "r": 30, "t": 80, "b": 120},
        xaxis=xaxis,
        yaxis={"categoryorder": "array", "categoryarray": [r[0] for r in rows], "autorange": "reversed",
               "automargin": True, "visible": bool(rows)},
        legend={"orientation": "h", "x": 0, "xref": "container", "y": 0, "yref": "container", "yanchor": "bottom",
                "font": {"size": 11}},
    )
    return fig


def _address_view(rows: Sequence[tuple], spaces: Sequence[IPNetwork], lo: int, hi: int) -> tuple[int, int]:
    """The part of the number line to show: all of it, unless the prefixes inside the address space use less than a
    quarter of it; then the smallest aligned block holding them, doubled for context (a /24 in a /16 stays
    readable instead of a sliver at the edge)."""
    inside = [r[1] for r in rows if not spaces or any(r[1].first <= s.last and s.first <= r[1].last for s in spaces)]
    if not inside:
        return lo, hi
    used_lo, used_hi = min(n.first for n in inside), max(n.last + 1 for n in inside)
    size = 1 << max(0, math.ceil(math.log2(max(used_hi - used_lo, 1))))
    while (used_lo // size) * size + size < used_hi:
        size <<= 1
    size <<= 1  # context on each side
    block_lo = (used_lo // size) * size
    view = (max(block_lo, lo), min(block_lo + size, hi))
    return view if (view[1] - view[0]) * 4 <= hi - lo else (lo, hi)


# --- route table ---------------------------------------------------------------------------------------
ROUTE_HEADERS = ("", "Source", "State", "Prefix", "Next hop type", "Next hop IP", "UDR name", "Origin")
ROUTE_COLUMN_WIDTHS = (76, 118, 76, 120, 126, 92, 66, 130)  # px: 804 in all, inside a notebook at 1280 px
ROUTE_FONT_SIZE = 12
ROUTE_CHAR_PX = 7.0          # a generous average glyph width at 12 px, so that a wrapped line fits its column
ROUTE_LINE_PX = 17           # each further line of a wrapped cell
CHOSEN_MARK = "◀ chosen"
CHOSEN_FILL = "#FFF3C4"      # light yellow, as in the HTML tables; the row is also bold and marked ◀
INVALID_FILL, INVALID_FONT = "#F2F2F2", "#767676"  # grey, and the State column says Invalid
ROUTE_ROW_HEIGHT = 26
MAX_TABLE_HEIGHT = 640       # taller tables scroll inside the figure


def _wrap_cell(text: str, column_px: float) -> list[str]:
    """``text`` in lines that fit a table column of ``column_px`` (plotly would break a word anywhere): at spaces,
    and a word longer than a line at its capitals (VirtualNetwork|Gateway) or after a dot, slash, comma or hyphen.
    The lines put together are ``text`` again (a line broken at a space keeps it at its end)."""
    width = max(4, int((column_px - 20) / ROUTE_CHAR_PX))  # plotly pads a cell by about 10 px a side
    lines: list[str] = []
    for word in text.split(" "):
        pieces = []
        while len(word) > width:
            cuts = [i for i in range(1, width + 1)
                    if word[i].isupper() and word[i - 1].islower() or word[i - 1] in "./-,"]
            cut = cuts[-1] if cuts else width
            pieces.append(word[:cut])
            word = word[cut:]
        pieces.append(word)
        if lines and len(lines[-1]) + 1 + len(pieces[0]) <= width:
            lines[-1] += " " + pieces[0]
        elif lines:
            lines[-1] += " "  # kept at the end of the line it ends: "".join(lines) == text
            lines.append(pieces[0])
        else:
            lines.append(pieces[0])
        lines += pieces[1:]
    return lines or [""]


def route_table_figure(routes: EffectiveRoutes, destination: "str | None" = None) -> go.Figure:
    """A subnet's effective routes as a table (Source, State, Prefix, Next hop type, Next hop IP, UDR name, origin).

    With ``destination``, the route :meth:`EffectiveRoutes.lookup` chooses for it (longest prefix among the
    Active routes) is bold, shaded and marked ``◀ chosen`` in the first column; Invalid routes (overridden:
    UDR over BGP over system for the same prefix, UDR overview) are grey and say so in the State column. A
    destination that is not an IPv4 address raises the engine's :class:`~vnetlab.errors.VnetlabError`.
    The table trace's ``meta`` holds ``role="routes"``, ``vnet``, ``subnet``, ``destination``, ``chosen`` (row
    index or None), ``prefixes``, ``states`` and ``next_hop_types``.
    """
    chosen = None
    if destination is not None and str(destination).strip():
        destination = str(parse_address(destination, what="destination address"))
        chosen = routes.lookup(destination)
    else:
        destination = None
    rows = list(routes.routes)
    index = next((i for i, r in enumerate(rows) if r is chosen), None)
    texts = [[CHOSEN_MARK if i == index else "" for i in range(len(rows))],
             [r.source for r in rows], [r.state for r in rows], [r.prefix for r in rows],
             [r.next_hop_type for r in rows], [", ".join(r.next_hop_ip) for r in rows], [r.name for r in rows],
             [r.origin for r in rows]]
    wrapped = [[_wrap_cell(c, px) for c in col] for col, px in zip(texts, ROUTE_COLUMN_WIDTHS)]
    cells = [["<br>".join(f"<b>{escape(line)}</b>" if i == index else escape(line) for line in c)
              for i, c in enumerate(col)] for col in wrapped]
    extra_lines = sum(max(len(col[i]) for col in wrapped) - 1 for i in range(len(rows)))
    extra_lines += max(len(_wrap_cell(h, px)) for h, px in zip(ROUTE_HEADERS, ROUTE_COLUMN_WIDTHS)) - 1
    fills = [CHOSEN_FILL if i == index else INVALID_FILL if r.state != "Active" else "#FFFFFF"
             for i, r in enumerate(rows)]
    fonts = [INVALID_FONT if r.state != "Active" and i != index else OKABE_ITO["black"] for i, r in enumerate(rows)]
    table = dict(
        type="table", columnwidth=list(ROUTE_COLUMN_WIDTHS),
        header={"values": ["<br>".join(f"<b>{escape(line)}</b>" for line in _wrap_cell(h, px))
                           for h, px in zip(ROUTE_HEADERS, ROUTE_COLUMN_WIDTHS)], "align": "left", "fill": {"color": "#E8E8E8"},
                "line": {"color": "#888888"}, "font": {"size": 12}},
        cells={"values": cells, "align": "left", "height": ROUTE_ROW_HEIGHT, "fill": {"color": [fills] * len(cells)},
               "font": {"color": [fonts] * len(cells), "size": ROUTE_FONT_SIZE}, "line": {"color": "#DDDDDD"}},
        meta={"role": "routes", "vnet": routes.vnet, "subnet": routes.subnet, "destination": destination,
              "chosen": index, "prefixes": [r.prefix for r in rows], "states": [r.state for r in rows],
              "next_hop_types": [r.next_hop_type for r in rows]})
    title = f"Effective routes of {escape(routes.vnet)}/{escape(routes.subnet)}"
    if destination is not None:
        title += (f": {destination} → <b>{chosen.prefix} ({chosen.next_hop_type})</b>, marked {CHOSEN_MARK}"
                  if chosen is not None else f": no Active route contains {destination}")
    invalid = sum(1 for r in rows if r.state != "Active")
    if invalid:
        title += f"<br><sub>{_count(invalid, 'Invalid route')} in grey (overridden; listed, not used)</sub>"
    height = min(MAX_TABLE_HEIGHT, (len(rows) + 2) * ROUTE_ROW_HEIGHT + extra_lines * ROUTE_LINE_PX + 20) + 90
    return build_figure(data=[table], layout={"template": TEMPLATE, "title": {"text": title, "x": 0.01, "xanchor": "left"},
                                           "height": height, "width": sum(ROUTE_COLUMN_WIDTHS) + 20,
                                           "margin": {"l": 10, "r": 10, "t": 80, "b": 10}})


# --- timeline ------------------------------------------------------------------------------------------
NO_FIGURE = "no figure published"


def timeline_figure(plan: Timeline) -> go.Figure:
    """A plan's steps as horizontal bars from their start to their end, in minutes (``changes.timeline``).

    A step the documents give no duration for (``Step.minutes is None``, e.g. creating a peering: "Fast") is
    not given an invented bar: it is an open diamond at its start, labelled "no figure published". Bars carry
    their minutes as text, hover shows the documents' wording and source. Trace ``meta``: ``role="steps"``
    (``names``, ``starts``, ``minutes``) and ``role="unknown"`` (``names``, ``starts``).
    """
    labels = [f"{i}. {s.name}" for i, s in enumerate(plan.steps, start=1)]
    known = [i for i, s in enumerate(plan.steps) if s.minutes is not None]
    unknown = [i for i, s in enumerate(plan.steps) if s.minutes is None]

    def hover(i: int) -> str:
        s = plan.steps[i]
        took = NO_FIGURE if s.minutes is None else f"{s.minutes:g} min"
        return "<br>".join(p for p in (f"<b>{escape(s.name)}</b>", f"starts at {plan.starts[i]:g} min, takes {took}",
                                       escape(s.note), escape(s.source)) if p)

    fig = go.Figure(layout={"template": TEMPLATE})
    if known:
        fig.add_trace(go.Bar(
            y=[labels[i] for i in known], x=[plan.steps[i].minutes for i in known], base=[plan.starts[i] for i in known],
            orientation="h", text=[f"{plan.steps[i].minutes:g} min" for i in known], textposition="inside",
            insidetextanchor="middle", marker={"color": OKABE_ITO["blue"], "line": {"color": OKABE_ITO["black"], "width": 1}},
            textfont={"color": "#FFFFFF"}, name="Step with a documented duration (bar, minutes inside)",
            hovertext=[hover(i) for i in known], hoverinfo="text",
            meta={"role": "steps", "names": [plan.steps[i].name for i in known],
                  "starts": [plan.starts[i] for i in known], "minutes": [plan.steps[i].minutes for i in known]}))
    if unknown:
        fig.add_trace(go.Scatter(
            y=[labels[i] for i in unknown], x=[plan.starts[i] for i in unknown], mode="markers+text",
            marker={"symbol": "diamond-open", "size": 14, "color": OKABE_ITO["vermillion"], "line": {"width": 2}},
            text=[f"  {NO_FIGURE}" for _ in unknown], textposition="middle right",
            name=f"Step with {NO_FIGURE} (open diamond at its start, not counted)",
            hovertext=[hover(i) for i in unknown], hoverinfo="text",
            meta={"role": "unknown", "names": [plan.steps[i].name for i in unknown],
                  "starts": [plan.starts[i] for i in unknown]}))
    title = f"Plan: about {plan.total_minutes:g} minutes"
    if unknown:
        title += f" ({_count(len(unknown), 'step')} with {NO_FIGURE}, not counted)"
    end = max(plan.total_minutes, max(plan.starts, default=0.0))
    fig.update_layout(
        title={"text": escape(title), "x": 0.01, "xanchor": "left"}, barmode="overlay", bargap=0.4,
        height=170 + 40 * max(len(labels), 2), margin={"l": 20, "r": 30, "t": 50, "b": 100},
        xaxis={"title": {"text": "minutes from the start"}, "range": [0, end * 1.25 + 5], "zeroline": True,
               "showgrid": True, "gridcolor": "#DDDDDD"},
        yaxis={"categoryorder": "array", "categoryarray": labels, "autorange": "reversed", "automargin": True},
        legend={"orientation": "h", "x": 0, "xref": "container", "y": 0, "yref": "container", "yanchor": "bottom",
                "font": {"size": 11}},
    )
    if not labels:
        fig.add_annotation(text="No steps in this plan.", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    return fig


__all__ = ["OKABE_ITO", "TopologyLayout", "address_map_figure", "route_table_figure", "timeline_figure", "topology_figure",
           "topology_layout"]


# --- encryption path ---------------------------------------------------------------------------------------
# How each kind of protection is drawn: colour AND dash pattern AND marker symbol AND a text label (⚠ marks the unencrypted), so
# that nothing depends on colour. Which protection a leg has comes from the engine (``Hop.protection``).
PROTECTION_STYLE = {
    "ipsec": {"dash": "solid", "color": OKABE_ITO["bluish_green"], "symbol": "square", "short": "IPsec ESP",
              "words": "IPsec ESP, encrypted (solid line, square)"},
    "p2s": {"dash": "longdashdot", "color": OKABE_ITO["sky_blue"], "symbol": "triangle-up", "short": "P2S tunnel",
            "words": "Point-to-Site tunnel, encrypted (long dash-dot, triangle)"},
    "vnet": {"dash": "dot", "color": OKABE_ITO["blue"], "symbol": "diamond", "short": "VNet encryption",
             "words": "virtual network encryption, DTLS (dotted line, diamond)"},
    "none": {"dash": "dash", "color": OKABE_ITO["vermillion"], "symbol": "x", "short": "⚠ none",
             "words": "⚠ none at the network layer (dashed line, cross)"},
}


def _protection_kind(protection: str) -> str:
    from .encryption import IPSEC, VNET_ENCRYPTION, is_encrypted

    if not is_encrypted(protection):
        return "none"
    if protection.startswith(IPSEC):
        return "ipsec"
    return "vnet" if protection.startswith(VNET_ENCRYPTION) else "p2s"


def _legs(trace_or_report: "Trace | object") -> list[tuple[str, int, str, str, str, str, str]]:
    """(direction, step, where, action, path, protection, detail) for each leg of a trace or an EncryptionReport."""
    if isinstance(trace_or_report, Trace):
        t = trace_or_report
        return [(f"{t.src} → {t.dst}", h.step, h.vnet, h.action, h.path, h.protection, h.detail) for h in t.segments]
    return [(leg.direction, leg.step, leg.where, leg.action, leg.path, leg.protection, "") for leg in trace_or_report.legs]


LABEL_LIFT, LABEL_DROP = 0.3, 0.2  # y offsets (in rows) of the labels above and below a leg


def encryption_path_figure(trace_or_report: "Trace | object") -> go.Figure:
    """The legs of a :class:`~vnetlab.trace.Trace` (or both directions of an
    :class:`~vnetlab.encryption.EncryptionReport`) as a horizontal path of segments, one row per direction.

    Each leg is coloured by its protection AND drawn with its own dash pattern and marker, labelled in words
    ("IPsec ESP", "⚠ none", "VNet encryption") with the path it crosses below; hover gives the step, where,
    the action, the path, the protection and (for a trace) the hop's detail. Trace ``meta``: ``role="legs"``
    (``protection``, ``dash``, ``steps``) per protection used, ``role="leg-details"`` (``protections``).
    """
    legs = _legs(trace_or_report)
    directions = list(dict.fromkeys(leg[0] for leg in legs))
    row = {d: i for i, d in enumerate(directions)}
    column: dict[str, int] = {}
    placed = []
    for leg in legs:
        x = column.get(leg[0], 0)
        column[leg[0]] = x + 1
        placed.append((x, -row[leg[0]], leg))
    traces: list[dict] = []
    for kind, style in PROTECTION_STYLE.items():
        mine = [(x, y, leg) for x, y, leg in placed if _protection_kind(leg[5]) == kind]
        if not mine:
            continue
        xs: list[float | None] = []
        ys: list[float | None] = []
        for x, y, _ in mine:
            xs += [x + 0.04, x + 0.96, None]
            ys += [y, y, None]
        traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", hoverinfo="skip", name=style["words"],
                           line={"color": style["color"], "dash": style["dash"], "width": 5}, legendgroup=kind,
                           meta={"role": "legs", "protection": kind, "dash": style["dash"],
                                 "steps": [[leg[0], leg[1]] for _, _, leg in mine]}))
    if placed:
        kinds = [_protection_kind(leg[5]) for _, _, leg in placed]
        hover = [f"<b>{escape(leg[0])}, step {leg[1]}: {escape(leg[3])}</b> → {escape(leg[2])}<br>path: "
                 f"{escape(leg[4])}<br>protection: {escape(leg[5])}" + (f"<br>{escape(leg[6])}" if leg[6] else "")
                 for _, _, leg in placed]
        traces.append(dict(type="scatter", x=[x + 0.5 for x, _, _ in placed], y=[y for _, y, _ in placed],
                           mode="markers", hovertext=hover, hoverinfo="text", showlegend=False,
                           marker={"size": 13, "symbol": [PROTECTION_STYLE[k]["symbol"] for k in kinds],
                                   "color": [PROTECTION_STYLE[k]["color"] for k in kinds],
                                   "line": {"color": OKABE_ITO["black"], "width": 1}},
                           meta={"role": "leg-details", "protections": [leg[5] for _, _, leg in placed],
                                 "labels": [f"{PROTECTION_STYLE[k]['short']} → {leg[2]}"
                                            for k, (_, _, leg) in zip(kinds, placed)]}))
        # labels sit clear of the line and the marker: protection and hop above, path below (plotly centres a
        # text-only point on its y, so each label gets its own offset instead of top/bottom of the point)
        traces.append(dict(type="scatter", x=[x + 0.5 for x, _, _ in placed], y=[y + LABEL_LIFT for _, y, _ in placed],
                           mode="text", hoverinfo="skip", showlegend=False, textposition="middle center",
                           text=[f"{PROTECTION_STYLE[k]['short']}<br>→ {escape(leg[2])}" for k, (_, _, leg) in zip(kinds, placed)],
                           textfont={"size": 11}, meta={"role": "leg-labels"}))
        traces.append(dict(type="scatter", x=[x + 0.5 for x, _, _ in placed], y=[y - LABEL_DROP for _, y, _ in placed],
                           mode="text", text=[escape(leg[4]) for _, _, leg in placed], textposition="middle center",
                           textfont={"size": 10, "color": "#444444"}, hoverinfo="skip", showlegend=False,
                           meta={"role": "leg-paths"}))
    gaps = sum(1 for _, _, leg in placed if _protection_kind(leg[5]) == "none")
    title = (f"{_count(len(placed), 'leg')}: " + ("✓ all encrypted at the network layer" if placed and not gaps
                                                   else f"⚠ {gaps} not encrypted at the network layer"))
    width = max(column.values(), default=1)
    fig = build_figure(data=traces, layout=dict(
        template=TEMPLATE, title={"text": title, "x": 0.01, "xanchor": "left"}, showlegend=True,
        height=170 + 110 * max(len(directions), 1), margin={"l": 20, "r": 20, "t": 50, "b": 90},
        legend={"orientation": "h", "x": 0, "y": -0.05, "yanchor": "top", "font": {"size": 11}},
        xaxis={"range": [-0.1, width + 0.1], "visible": False, "fixedrange": True},
        yaxis={"range": [-len(directions) + 0.4, 0.7], "fixedrange": True, "zeroline": False, "showgrid": False,
               "tickvals": [-i for i in range(len(directions))], "ticktext": directions, "automargin": True}))
    # always one annotation, hidden when there are legs: a redraw in place then replaces it rather than dropping a
    # key, and the "No legs" note never outlives its figure
    fig.layout.annotations = [{"text": "" if placed else "No legs: the packet did not travel anywhere.",
                               "visible": not placed, "showarrow": False, "x": 0.5, "y": 0}]
    return fig


__all__.append("encryption_path_figure")


# --- module 4: performance and cost ------------------------------------------------------------------------
# Each option keeps one look in every figure: colour AND bar pattern AND line dash AND marker, named in the legend.
OPTION_STYLES = (
    {"color": OKABE_ITO["blue"], "pattern": "", "dash": "solid", "symbol": "circle", "words": "plain bar, solid line"},
    {"color": OKABE_ITO["vermillion"], "pattern": "/", "dash": "dash", "symbol": "square",
     "words": "striped bar, dashed line"},
    {"color": OKABE_ITO["bluish_green"], "pattern": ".", "dash": "dot", "symbol": "diamond",
     "words": "dotted bar, dotted line"},
)
NO_SOURCED_FIGURE = "no sourced figure"
COMPARISON_METRICS = (("latency_ms", "Added latency, one way"), ("throughput_mbps", "Throughput ceiling"),
                      ("monthly_cost_usd", "Monthly cost"))  # the engine's words (``OptionResult.figures``)


def _option_style(i: int) -> dict:
    return OPTION_STYLES[i % len(OPTION_STYLES)]


def _amount(value: float, unit: str) -> str:
    if unit.upper() in ("USD", "$", "USD/MONTH"):
        return f"${value:,.2f}"
    return f"{value:,.3g} {unit}" if abs(value) < 1000 else f"{value:,.0f} {unit}"


def _origin_hover(option: str, label: str, figure: object) -> str:
    """The figure with where it comes from: its origin, then its sources and assumptions."""
    value = NO_SOURCED_FIGURE if figure.value is None else _amount(figure.value, figure.unit)
    lines = [f"<b>{escape(option)}</b>: {escape(label)} {escape(value)}", f"origin: {escape(figure.origin)}"]
    lines += [f"source: {escape(s)}" for s in figure.sources]
    lines += [f"assumption: {escape(a)}" for a in figure.assumptions]
    return "<br>".join(lines)


TICK_COLUMN_PX = 90  # an option's name under its bar wraps to this width (VNet-to-|VNet)


def comparison_figure(comparison: object) -> go.Figure:
    """A :class:`~vnetlab.compare.Comparison` as three bar panels side by side: latency, throughput and monthly
    cost, one bar per option.

    An option the engine has no sourced figure for (``Figure.value is None``) gets no bar of invented height and
    no silent zero: a grey cross-hatched placeholder filling the panel, labelled "no sourced figure". Hover shows
    each figure's origin, sources and assumptions. Trace ``meta``: ``role="figure"`` (``option``, ``metric``,
    ``value``, ``unit``, ``origin``) and ``role="unknown"`` (``option``, ``metric``, ``origin``).
    """
    options = comparison.options
    panels = len(COMPARISON_METRICS)
    gap = 0.07
    width = (1 - gap * (panels - 1)) / panels
    layout: dict = {"template": TEMPLATE, "barmode": "overlay", "bargap": 0.3, "height": 430,
                    "margin": {"l": 50, "r": 20, "t": 50, "b": 150}, "showlegend": True,
                    "title": {"text": "The options side by side (hover a bar for where its figure comes from)",
                              "x": 0.01, "xanchor": "left"},
                    "legend": {"orientation": "h", "x": 0, "xref": "container", "y": 0, "yref": "container",
                               "yanchor": "bottom", "font": {"size": 11}}}
    traces: list[dict] = []
    placeholder_in_legend = False
    for m, (attr, label) in enumerate(COMPARISON_METRICS):
        axis = "" if m == 0 else str(m + 1)
        figures = [getattr(o, attr) for o in options]
        unit = next((f.unit for f in figures if f.unit), "")
        top = max((f.value for f in figures if f.value is not None), default=0.0) or 1.0
        names = [o.name for o in options]  # wrapped under their bars: three panels share a notebook's width
        layout[f"xaxis{axis}"] = {"domain": [m * (width + gap), m * (width + gap) + width], "anchor": f"y{axis}",
                                  "title": {"text": f"{label} ({unit})"}, "tickangle": 0, "automargin": True,
                                  "tickmode": "array", "tickvals": names,
                                  "ticktext": ["<br>".join(map(escape, _wrap_cell(n, TICK_COLUMN_PX))) for n in names]}
        layout[f"yaxis{axis}"] = {"anchor": f"x{axis}", "range": [0, top * 1.2], "gridcolor": "#DDDDDD",
                                  "zeroline": True, "fixedrange": True}
        for i, (option, figure) in enumerate(zip(options, figures)):
            style = _option_style(i)
            common = {"type": "bar", "x": [option.name], "xaxis": f"x{axis}", "yaxis": f"y{axis}",
                      "hovertext": [_origin_hover(option.name, label, figure)], "hoverinfo": "text",
                      "textposition": "inside", "insidetextanchor": "middle"}
            if figure.value is None:
                traces.append({**common, "y": [top * 1.15], "text": [f"? {NO_SOURCED_FIGURE}"], "textangle": -90,
                               "marker": {"color": "#F2F2F2", "line": {"color": "#767676", "width": 1.5},
                                          "pattern": {"shape": "x", "fgcolor": "#999999", "size": 8}},
                               "textfont": {"color": "#000000", "size": 12}, "legendgroup": "unknown",
                               "name": f"? {NO_SOURCED_FIGURE} (grey cross-hatched placeholder, not a value)",
                               "showlegend": not placeholder_in_legend,
                               "meta": {"role": "unknown", "option": option.name, "metric": attr,
                                        "origin": figure.origin}})
                placeholder_in_legend = True
                continue
            traces.append({**common, "y": [figure.value], "text": [_amount(figure.value, figure.unit)],
                           "textposition": "outside", "cliponaxis": False,
                           "marker": {"color": style["color"], "line": {"color": OKABE_ITO["black"], "width": 1},
                                      "pattern": {"shape": style["pattern"], "fillmode": "overlay", "size": 9,
                                                  "fgcolor": "#FFFFFF", "solidity": 0.35}},
                           "textfont": {"color": "#000000"},
                           "legendgroup": option.name, "name": f"{option.name} ({style['words'].split(',')[0]})",
                           "showlegend": not any(t.get("legendgroup") == option.name for t in traces),
                           "meta": {"role": "figure", "option": option.name, "metric": attr,
                                    "value": figure.value, "unit": figure.unit, "origin": figure.origin}})
    return build_figure(data=traces, layout=layout)


def cost_curve_figure(a_region: str, b_region: str, volumes_gb: Sequence[float], sku: str = "VpnGw1AZ", *,
                      current_gb: float | None = None, scale: str = "linear") -> go.Figure:
    """Monthly cost (USD) against GB sent A → B per month, one line per option, from the engine's
    :func:`~vnetlab.compare.cost_curve`; where peering costs as much as a gateway option
    (:func:`~vnetlab.compare.break_even_gb`) a star marks and labels the break-even volume.

    Lines differ in dash and marker as well as colour, and the legend names them. An option without a sourced
    price is not drawn (no invented line): its legend entry says "no sourced figure". ``current_gb`` adds a
    dotted vertical line "your volume". Both axes are linear by default, so 0 GB (a gateway's cost with no traffic)
    is on the chart and the lines are the straight lines the bills are; ``scale="log"`` draws both axes
    logarithmic (for volumes over several decades; 0 GB is then left out). Trace ``meta``: ``role="cost"``
    (``option``), ``role="unknown"`` (``option``), ``role="break-even"`` (``option``, ``gb``, ``usd``).
    """
    from .compare import break_even_gb, cost_curve

    if scale not in ("linear", "log"):
        raise VnetlabError(f"cost_curve_figure(scale={scale!r}): use 'linear' or 'log'", value=scale,
                           rule="a linear or a logarithmic scale")
    log = scale == "log"
    volumes = sorted({float(v) for v in volumes_gb if v > 0 or (v == 0 and not log)})
    curve = cost_curve(a_region, b_region, volumes, sku)
    at = (lambda v: math.log10(v) if v > 0 else 0) if log else (lambda v: v)  # annotation coordinates
    traces: list[dict] = []
    names = list(curve)
    for i, name in enumerate(names):
        style = _option_style(i)
        costs = curve[name]
        if all(c is None for c in costs):
            traces.append({"type": "scatter", "x": [None], "y": [None], "mode": "lines", "hoverinfo": "skip",
                           "line": {"color": "#767676", "dash": style["dash"]},
                           "name": f"{name}: ? {NO_SOURCED_FIGURE} for its price (not drawn)",
                           "meta": {"role": "unknown", "option": name}})
            continue
        traces.append({"type": "scatter", "x": volumes, "y": costs, "mode": "lines+markers",
                       "line": {"color": style["color"], "dash": style["dash"], "width": 3},
                       "marker": {"symbol": style["symbol"], "size": 7, "color": style["color"]},
                       "name": f"{name} ({style['words'].split(', ')[1]})", "hoverinfo": "text",
                       "hovertext": [f"<b>{escape(name)}</b><br>{v:,g} GB/month → " +
                                     (NO_SOURCED_FIGURE if c is None else f"${c:,.2f}/month")
                                     for v, c in zip(volumes, costs)],
                       "meta": {"role": "cost", "option": name}})
    annotations: list[dict] = []
    unpriced = [t["meta"]["option"] for t in traces if t["meta"]["role"] == "unknown"]
    if unpriced:
        annotations.append({"x": 0.01, "y": 0.99, "xref": "paper", "yref": "paper", "xanchor": "left", "yanchor": "top",
                            "showarrow": False, "bgcolor": "#F2F2F2", "bordercolor": "#767676", "font": {"size": 11},
                            "text": f"? {escape(', '.join(unpriced))}: {NO_SOURCED_FIGURE} for the price, not drawn"})
    marks: list[float] = []
    for name in names[1:]:
        gb = break_even_gb(a_region, b_region, sku, name)
        if gb is None:
            continue
        usd = cost_curve(a_region, b_region, [gb], sku)[name][0]
        marks.append(gb)
        text = f"break-even with {name}: {gb:,.0f} GB/month" + ("" if usd is None else f" (${usd:,.2f})")
        traces.append({"type": "scatter", "x": [gb], "y": [usd], "mode": "markers", "hoverinfo": "text",
                       "hovertext": [text],
                       "showlegend": not any(t["meta"]["role"] == "break-even" for t in traces),
                       "name": "★ break-even: peering costs as much as the gateway option",
                       "marker": {"symbol": "star", "size": 16, "color": OKABE_ITO["orange"],
                                  "line": {"color": OKABE_ITO["black"], "width": 1}},
                       "meta": {"role": "break-even", "option": name, "gb": gb, "usd": usd}})
        annotations.append({"x": at(gb), "y": at(usd) if usd else 0, "text": f"★ {escape(text)}", "showarrow": True,
                            "arrowhead": 2, "ax": -40, "ay": -40 - 30 * len(annotations), "bgcolor": "#FFFFFF",
                            "bordercolor": OKABE_ITO["black"], "font": {"size": 11}})
    shapes: list[dict] = []
    if current_gb is not None and current_gb > 0:
        shapes.append({"type": "line", "x0": current_gb, "x1": current_gb, "xref": "x", "y0": 0, "y1": 1,
                       "yref": "paper", "line": {"color": OKABE_ITO["black"], "dash": "dot", "width": 1.5}})
        annotations.append({"x": at(current_gb), "y": 1, "yref": "paper", "yanchor": "bottom",
                            "text": f"your volume: {current_gb:,g} GB", "showarrow": False, "font": {"size": 11}})
        marks.append(current_gb)
    span = volumes + marks
    lo, hi = (min(v for v in span if v > 0) if any(v > 0 for v in span) else 1.0, max(span)) if span else (1.0, 10.0)
    title = f"Monthly cost against volume, {escape(a_region)} → {escape(b_region)}, gateways {escape(sku)}"
    return build_figure(data=traces, layout={
        "template": TEMPLATE, "title": {"text": title, "x": 0.01, "xanchor": "left"}, "height": 460,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 130}, "annotations": annotations, "shapes": shapes,
        "xaxis": {"type": "log", "title": {"text": "GB sent A → B per month (log scale)"}, "gridcolor": "#DDDDDD",
                  "dtick": 1,  # one label a decade: the 2 and 5 between them crowd a narrow chart
                  "range": [math.log10(lo) - 0.1, math.log10(hi) + 0.1]} if log else
                 {"type": "linear", "title": {"text": "GB sent A → B per month"}, "gridcolor": "#DDDDDD",
                  "range": [0, hi * 1.05], "tickformat": ",d"},
        "yaxis": {"title": {"text": "USD per month (log scale)"}, "type": "log", "gridcolor": "#DDDDDD"} if log else
                 {"title": {"text": "USD per month"}, "type": "linear", "gridcolor": "#DDDDDD", "rangemode": "tozero",
                  "tickprefix": "$", "tickformat": ",.0f"},
        "legend": {"orientation": "h", "x": 0, "xref": "container", "y": 0, "yref": "container", "yanchor": "bottom",
                   "font": {"size": 11}}})


__all__ += ["comparison_figure", "cost_curve_figure"]


# --- progress map -----------------------------------------------------------------------------------------
def progress_map_figure(progress_map: object) -> go.Figure:
    """A heat map: concepts down, measures across (lessons tried, predictions right, exercises checked, drills
    done), 0-100 %.

    Cells with nothing to measure stay blank; every cell prints its percentage, so the colour is never the only
    cue (a colour-blind-safe single-hue scale)."""
    from .learning.progress_map import COLUMNS

    rows = list(progress_map.rows)
    z = [[None if v is None else round(100 * v) for v in r.values()] for r in rows]
    text = [["" if v is None else f"{v} %" for v in line] for line in z]
    labels = [f"{r.id} · {r.title}" for r in rows]
    trace = {"type": "heatmap", "z": z, "x": list(COLUMNS), "y": labels, "text": text, "texttemplate": "%{text}",
             "zmin": 0, "zmax": 100, "xgap": 3, "ygap": 3, "hoverongaps": False,
             "colorscale": [[0, "#f0f0f0"], [1, OKABE_ITO["blue"]]], "showscale": False,
             "hovertemplate": "%{y}<br>%{x}: %{text}<extra></extra>"}
    layout = {"title": {"text": "Your progress over the course's concepts"}, "height": 120 + 26 * len(rows),
              "margin": {"l": 20, "r": 20, "t": 50, "b": 20}, "xaxis": {"side": "top", "fixedrange": True},
              "yaxis": {"autorange": "reversed", "automargin": True, "fixedrange": True},
              "plot_bgcolor": "white"}
    return build_figure([trace], layout)
