"""Figures of the simulator's results, built with ``plotly.graph_objects`` only.

Both functions are pure: they read a :class:`~vnetlab.network.Network`, a :class:`~vnetlab.trace.Trace` or an
:class:`~vnetlab.addressing.AddressPlan` and draw it; every networking fact (peering state, regional or
global, overlaps, which hops a packet took) comes from the engine, never from here.

Accessibility: colours come from the Okabe–Ito palette (safe for the common colour-vision deficiencies),
and nothing is told by colour alone: line style (solid, dashed, dotted, double), hatch patterns and
text markers carry the same information, and every style used has a legend entry that names it.

* :func:`topology_figure` — VNets as nodes, peerings as edges, optionally the hops of a trace.
* :func:`address_map_figure` — prefixes as bars on an IPv4 number line inside the VNet address space.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Iterable, Sequence

import plotly.graph_objects as go
from netaddr import IPAddress, IPNetwork

from .addressing import AddressPlan, analyze_plan
from .errors import VnetlabError
from .network import Network
from .peering import PeeringLink
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

# --- topology ---------------------------------------------------------------------------------------
LABEL_FONT_SIZE = 11
LABEL_CHAR_WIDTH = 0.62   # average glyph width / font size for the default sans-serif (estimate)
LABEL_LINE_HEIGHT = 1.3   # line height / font size
NODE_SIZE = 18            # marker diameter in px
HUB_NODE_SIZE = 26
ONE_SIDED_REACH = 0.4     # an Initiated/Disconnected link is drawn over this fraction of the distance
MARGIN = {"l": 20, "r": 20, "t": 60, "b": 130}  # the bottom margin holds the legend

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
VERDICT_COLOR = {"Reachable": OKABE_ITO["bluish_green"]}
OTHER_VERDICT_COLOR = OKABE_ITO["reddish_purple"]


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


def _hub(names: Sequence[str], edges: Sequence[_Edge]) -> str | None:
    """The VNet with the most peerings, when it is a hub: peered with at least two others and more than any VNet."""
    degree = {n: 0 for n in names}
    for e in edges:
        degree[e.a] += 1
        degree[e.b] += 1
    if len(names) < 3:
        return None
    ranked = sorted(names, key=lambda n: -degree[n])
    top = ranked[0]
    if degree[top] >= 2 and degree[top] > degree[ranked[1]]:
        return top
    return None


def _label_lines(net: Network, name: str) -> list[str]:
    v = net.vnet(name)
    space = ", ".join(str(r) for r in v.address_space[:2]) + (f" +{len(v.address_space) - 2}" if len(v.address_space) > 2 else "")
    return [name, space, v.region]


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


@dataclass(frozen=True)
class TopologyLayout:
    """Deterministic node positions (data units, circle of radius 1) and the pixel scale that keeps labels apart."""

    positions: dict[str, tuple[float, float]]
    text_positions: dict[str, str]
    hub: str | None
    px_per_unit: float
    half_range: float  # both axes show [-half_range, half_range]

    @property
    def size(self) -> int:
        """Side of the square plotting area in px."""
        return int(round(2 * self.half_range * self.px_per_unit))


def topology_layout(net: Network) -> TopologyLayout:
    """Hub (if any) in the centre, the other VNets on a circle in the network's order, clockwise from the top.

    The radius grows with the number of VNets so that neighbouring labels (estimated boxes) do not
    overlap: two boxes of size w×h with the same anchor cannot overlap when their anchors are at least
    √(w² + h²) apart, so the chord between neighbours is made at least that long.
    """
    names = list(net.vnets)
    edges = _edges(net)
    hub = _hub(names, edges)
    ring = [n for n in names if n != hub]
    boxes = [_label_box(_label_lines(net, n)) for n in names]
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
    half_range = 1.0 + (w + NODE_SIZE + 10) / radius_px
    return TopologyLayout(positions=positions, text_positions=text_positions, hub=hub, px_per_unit=radius_px,
                          half_range=half_range)


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
    path: list[str] = []
    for hop in trace.hops:
        if hop.vnet and (not path or path[-1] != hop.vnet):
            path.append(hop.vnet)
    return path


def _node_size(name: str, layout: TopologyLayout) -> int:
    return HUB_NODE_SIZE if name == layout.hub else NODE_SIZE


# where a label sits relative to its node: (xanchor, yanchor, xshift sign, yshift sign)
LABEL_ANCHOR = {"top center": ("center", "bottom", 0, 1), "bottom center": ("center", "top", 0, -1),
                "middle right": ("left", "middle", 1, 0), "middle left": ("right", "middle", -1, 0)}


def _node_label(net: Network, name: str, layout: TopologyLayout) -> dict:
    lines = _label_lines(net, name)
    xanchor, yanchor, sx, sy = LABEL_ANCHOR[layout.text_positions[name]]
    gap = _node_size(name, layout) / 2 + 3
    x, y = layout.positions[name]
    return {"x": x, "y": y, "xref": "x", "yref": "y", "showarrow": False, "xanchor": xanchor, "yanchor": yanchor,
            "xshift": sx * gap, "yshift": sy * gap, "align": "center" if sx == 0 else ("left" if sx > 0 else "right"),
            "text": "<br>".join([f"<b>{escape(lines[0])}</b>", *map(escape, lines[1:])]),
            "font": {"size": LABEL_FONT_SIZE}, "bgcolor": "rgba(255,255,255,0.85)", "borderpad": 1,
            "name": f"label:{name}"}


def _node_hover(net: Network, name: str) -> str:
    v = net.vnet(name)
    parts = [f"<b>{escape(v.name)}</b>", "address space: " + ", ".join(str(r) for r in v.address_space),
             f"region: {escape(v.region)}", f"subscription: {escape(v.subscription)}, tenant: {escape(v.tenant)}"]
    for s in v.subnets.values():
        nics = ", ".join(f"{escape(n.name)} {n.ip}" for n in s.nics.values())
        parts.append(f"subnet {escape(s.name)} {s.prefix}" + (f": {nics}" if nics else ""))
    if not v.subnets:
        parts.append("no subnets")
    return "<br>".join(parts)


def topology_figure(net: Network, trace: Trace | None = None) -> go.Figure:
    """Draw ``net``: VNets as nodes, peerings as edges, and optionally the hops of ``trace``.

    Each trace's ``meta`` says what it draws (``role``: ``vnets``, ``peerings`` with ``kind``, ``state`` and
    ``pairs``, ``peering-details``, ``trace`` with ``path``, ``not-reached``), for graders and tests.

    * Nodes carry the VNet's name, address space and region; hovering shows its subnets and VM NICs.
    * Edges: ``Connected`` solid between both VNets; ``Initiated`` dashed and ``Disconnected`` dotted, drawn
      only from the VNet whose link exists, stopping short of the middle with an arrowhead (one side only). Regional peering is a blue
      single line, global peering an orange double line; each style used has its own legend entry.
    * With ``trace``: the VNets the packet crossed and the peerings it used are drawn under a thick halo,
      the verdict is in the title, and a destination that was not reached is marked ✗.
    """
    layout = topology_layout(net)
    pos = layout.positions
    fig = go.Figure(layout={"template": TEMPLATE})
    edges = _edges(net)
    path = [v for v in _path_vnets(trace) if v in pos] if trace is not None else []
    path_pairs = {frozenset(pair) for pair in zip(path, path[1:])}
    double_gap = 3.0 / layout.px_per_unit

    if trace is not None:
        colour = VERDICT_COLOR.get(trace.verdict, OTHER_VERDICT_COLOR)
        xs: list[float | None] = []
        ys: list[float | None] = []
        for a, b in zip(path, path[1:]):
            xs += [pos[a][0], pos[b][0], None]
            ys += [pos[a][1], pos[b][1], None]
        fig.add_trace(go.Scatter(
            x=xs or [pos[p][0] for p in path], y=ys or [pos[p][1] for p in path],
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
                lines = [_offset(p, q, -double_gap), _offset(p, q, double_gap)] if kstyle["double"] else [(p, q)]
                for p1, q1 in lines:
                    xs += [p1[0], q1[0], None]
                    ys += [p1[1], q1[1], None]
                    sizes += [0, 11 if sstyle["one_sided"] else 0, 0]
            fig.add_trace(go.Scatter(
                x=xs, y=ys, mode="lines+markers" if sstyle["one_sided"] else "lines",
                line={"color": kstyle["color"], "dash": sstyle["dash"], "width": 1.8 if kstyle["double"] else 2.5},
                marker={"symbol": "arrow", "angleref": "previous", "size": sizes, "color": kstyle["color"]},
                name=f"{kind} peering, {state} ({kstyle['words']}, {sstyle['words']})",
                hoverinfo="skip", legendgroup=f"{kind}-{state}",
                meta={"role": "peerings", "kind": kind, "state": state, "pairs": [[e.a, e.b] for e in chosen]}))

    if edges:  # hover targets at the middle of each edge: the links and their four settings
        mids = [((pos[e.a][0] + pos[e.b][0]) / 2, (pos[e.a][1] + pos[e.b][1]) / 2) for e in edges]
        fig.add_trace(go.Scatter(
            x=[m[0] for m in mids], y=[m[1] for m in mids], mode="markers",
            marker={"size": 9, "color": "rgba(255,255,255,0.9)", "line": {"color": "#555555", "width": 1},
                    "symbol": ["star" if frozenset((e.a, e.b)) in path_pairs else "circle" for e in edges]},
            hovertext=[f"<b>{e.kind} peering {e.a} ↔ {e.b}: {e.state}</b><br>" + "<br>".join(_link_words(l) for l in e.links)
                       for e in edges],
            hoverinfo="text", name="Peering details (hover)", showlegend=False,
            meta={"role": "peering-details", "pairs": [[e.a, e.b] for e in edges]}))

    names = list(net.vnets)
    if names:
        on_path = set(path)
        fig.add_trace(go.Scatter(
            x=[pos[n][0] for n in names], y=[pos[n][1] for n in names], mode="markers",
            marker={"size": [_node_size(n, layout) for n in names],
                    "color": ["#FFFFFF" if n in on_path else "#D9D9D9" for n in names],
                    "symbol": ["hexagon" if n == layout.hub else "circle" for n in names],
                    "line": {"color": OKABE_ITO["black"], "width": [3 if n in on_path else 1 for n in names]}},
            hovertext=[_node_hover(net, n) for n in names], hoverinfo="text",
            name="VNet (hover: subnets and VMs)" + ("; hexagon = hub" if layout.hub else ""),
            meta={"role": "vnets", "names": names, "hub": layout.hub}))
        for n in names:  # labels as annotations: a white background keeps them legible over edges
            fig.add_annotation(_node_label(net, n, layout))

    if trace is not None and trace.dst_vnet and trace.dst_vnet in pos and not trace.reachable:
        p = pos[trace.dst_vnet]
        fig.add_trace(go.Scatter(x=[p[0]], y=[p[1]], mode="markers",
                                 marker={"symbol": "x-thin-open", "size": HUB_NODE_SIZE + 8, "color": OTHER_VERDICT_COLOR,
                                         "line": {"width": 4, "color": OTHER_VERDICT_COLOR}},
                                 name=f"✗ destination {trace.dst} not reached", hoverinfo="name",
                                 meta={"role": "not-reached", "vnet": trace.dst_vnet}))

    if trace is not None:
        title = f"Trace {trace.src} → {trace.dst}: <b>{trace.verdict}</b>"
    else:
        title = f"{escape(net.name)}: {len(names)} VNet{'s' * (len(names) != 1)}, {len(edges)} peering{'s' * (len(edges) != 1)}"
    size = layout.size
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        width=size + MARGIN["l"] + MARGIN["r"], height=size + MARGIN["t"] + MARGIN["b"],
        margin=MARGIN, showlegend=True,
        legend={"orientation": "h", "x": 0, "y": -0.01, "yanchor": "top", "font": {"size": 11}},
        xaxis={"range": [-layout.half_range, layout.half_range], "visible": False, "fixedrange": True},
        yaxis={"range": [-layout.half_range, layout.half_range], "visible": False, "fixedrange": True,
               "scaleanchor": "x", "scaleratio": 1},
    )
    if not names:
        fig.add_annotation(text="No VNets yet: add one with net.add_vnet(...)", showarrow=False, x=0, y=0)
    return fig


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
    fig = go.Figure(layout={"template": TEMPLATE})
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
        # a diamond at each block's middle keeps a /29 visible on a /16's scale; it carries the note as text,
        # on the side of the middle with more room
        middles = [r[1].first + r[1].size / 2 for r in chosen]
        fig.add_trace(go.Scatter(
            y=[r[0] for r in chosen], x=middles, mode="markers+text",
            marker={"symbol": "diamond", "size": 9, "color": style["color"],
                    "line": {"color": OKABE_ITO["black"], "width": 1}},
            text=[f" {style['mark']}{r[3]} " if r[3] else "" for r in chosen],
            textposition=["middle right" if m < (lo + hi) / 2 else "middle left" for m in middles],
            legendgroup=key, showlegend=False, hovertext=hover, hoverinfo="text"))

    for s in spaces:
        fig.add_shape(type="rect", xref="x", yref="paper", x0=s.first, x1=s.last + 1, y0=0, y1=1, layer="below",
                      fillcolor="#E8E8E8", line={"color": "#777777", "dash": "dash", "width": 1},
                      showlegend=True, name=f"VNet address space {s} (grey band)")

    errors = sum(1 for line in plan.lines if line.error)
    title = (f"Address map: {len(rows)} prefixes" + (f" in {', '.join(plan.space)}" if plan.space else "")
             + (f", {len(plan.overlaps)} overlap{'s' * (len(plan.overlaps) != 1)}" if plan.overlaps else ", no overlaps")
             + (f"; {errors} line{'s' * (errors != 1)} with errors not drawn" if errors else "")
             + ("; the address space has an error" if plan.space_error else ""))
    xaxis: dict = {"title": {"text": "IPv4 address"}, "showgrid": True, "gridcolor": "#CCCCCC", "zeroline": False}
    if bounds:
        values, labels = _ticks(lo, hi)
        xaxis.update(range=[lo, hi], tickmode="array", tickvals=values, ticktext=labels)
    else:
        fig.add_annotation(text="No valid prefixes to draw yet.", showarrow=False, xref="paper", yref="paper",
                           x=0.5, y=0.5)
        xaxis.update(visible=False)
    fig.update_layout(
        title={"text": escape(title), "x": 0.01, "xanchor": "left"}, barmode="overlay", bargap=0.35,
        height=200 + ROW_HEIGHT * max(len(rows), 2), margin={"l": 20, "r": 30, "t": 50, "b": 120},
        xaxis=xaxis,
        yaxis={"categoryorder": "array", "categoryarray": [r[0] for r in rows], "autorange": "reversed",
               "automargin": True, "visible": bool(rows)},
        legend={"orientation": "h", "x": 0, "xref": "container", "y": 0, "yref": "container", "yanchor": "bottom",
                "font": {"size": 11}},
    )
    return fig


__all__ = ["OKABE_ITO", "TopologyLayout", "address_map_figure", "topology_figure", "topology_layout"]
