"""Figures a learner reads: the topology (peerings, their state and kind, a trace) and the address map.

Expected values come from the engine's results (peering links, traces, AddressPlan) and from netaddr,
never from the plotting code; peering states follow Manage peering (azure-facts.md §6.2), non-transitive
peering §6.3 / S2, the 5 reserved addresses §9.
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import math
import os
import re
import shutil

import plotly.graph_objects as go
import pytest
from netaddr import IPAddress, IPNetwork

import vnetlab as vl
from vnetlab.errors import VnetlabError
from vnetlab.plots import address_map_figure, topology_figure


# --- helpers: read a figure back -----------------------------------------------------------------------
def role(fig: go.Figure, name: str) -> list:
    return [t for t in fig.data if t.meta and t.meta.get("role") == name]


def node_positions(fig: go.Figure) -> dict[str, tuple[float, float]]:
    (nodes,) = role(fig, "vnets")
    return {n: (x, y) for n, x, y in zip(nodes.meta["names"], nodes.x, nodes.y)}


def segments(trace) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The straight pieces of a line trace (points separated by None)."""
    out, run = [], []
    for x, y in zip(list(trace.x) + [None], list(trace.y) + [None]):
        if x is None:
            out += list(zip(run, run[1:]))
            run = []
        else:
            run.append((x, y))
    return out


def plain(text: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", line) for line in text.split("<br>")]


def peering_pairs(net: vl.Network) -> dict[frozenset, vl.PeeringLink]:
    return {frozenset((l.local.name, l.remote.name)): l for l in net.peering_links}


@pytest.fixture
def hub():
    return vl.load_scenario("hub-and-spoke")


def twenty(hub_and_spoke: bool) -> vl.Network:
    """20 VNets over two regions: a hub with 19 spokes, or a ring."""
    net = vl.Network("twenty")
    for i in range(20):
        net.add_vnet(f"vnet-{i:02d}", [f"10.{100 + i}.0.0/16"], region="westeurope" if i % 3 else "eastus2")
    names = list(net.vnets)
    pairs = [(names[0], n) for n in names[1:]] if hub_and_spoke else list(zip(names, names[1:] + names[:1]))
    for a, b in pairs:
        net.peer(a, b)
    return net


def every_style() -> vl.Network:
    """Connected, Initiated and Disconnected links, regional and global."""
    net = vl.Network("styles")
    for i, region in enumerate(["westeurope", "westeurope", "westeurope", "japanwest", "japanwest", "westeurope"]):
        net.add_vnet(f"v{i}", [f"10.{i}.0.0/16"], region=region)
    net.peer("v0", "v1")                   # regional, Connected
    net.peer("v0", "v3")                   # global, Connected
    net.add_peering_link("v2", "v0")       # regional, Initiated
    net.add_peering_link("v4", "v5")       # global, Initiated
    net.peer("v1", "v2")
    net.remove_peering_link("v2", "v1")    # v1's link left: regional, Disconnected
    net.peer("v3", "v5")
    net.remove_peering_link("v5", "v3")    # v3's link left: global, Disconnected
    return net


# --- topology: what is drawn ----------------------------------------------------------------------------
def test_every_peering_is_one_edge_with_its_state_and_kind(hub):
    fig = topology_figure(hub)
    drawn = {frozenset(p): (t.meta["kind"], t.meta["state"]) for t in role(fig, "peerings") for p in t.meta["pairs"]}
    expected = {pair: (link.kind, link.peering_state) for pair, link in peering_pairs(hub).items()}
    assert drawn == expected == {frozenset(("hub", "spoke1")): ("Regional", "Connected"),
                                 frozenset(("hub", "spoke2")): ("Regional", "Connected")}


def test_peering_a_pair_adds_an_edge_between_their_nodes(hub):
    before = {frozenset(p) for t in role(topology_figure(hub), "peerings") for p in t.meta["pairs"]}
    hub.peer("spoke1", "spoke2")
    fig = topology_figure(hub)
    after = {frozenset(p) for t in role(fig, "peerings") for p in t.meta["pairs"]}
    assert after - before == {frozenset(("spoke1", "spoke2"))}
    pos = node_positions(fig)
    ends = {frozenset((p, q)) for t in role(fig, "peerings") for p, q in segments(t)}
    assert frozenset((pos["spoke1"], pos["spoke2"])) in ends


def test_nodes_show_name_space_region_and_hover_subnets_and_vms(hub):
    fig = topology_figure(hub)
    labels = {a.name.split(":", 1)[1]: plain(a.text) for a in fig.layout.annotations if (a.name or "").startswith("label:")}
    (nodes,) = role(fig, "vnets")
    hover = dict(zip(nodes.meta["names"], nodes.hovertext))
    for v in hub.vnets.values():
        assert labels[v.name][0] == v.name
        assert all(str(r) in labels[v.name][1] for r in v.address_space)
        assert labels[v.name][2] == v.region
        for s in v.subnets.values():
            assert s.name in hover[v.name] and str(s.prefix) in hover[v.name]
        for nic in v.nics:
            assert nic.name in hover[v.name] and str(nic.ip) in hover[v.name]


def test_the_vnet_with_most_peerings_is_in_the_centre_when_it_is_a_hub(hub):
    degree = {name: sum(name in pair for pair in peering_pairs(hub)) for name in hub.vnets}
    centre = max(degree, key=degree.get)
    pos = node_positions(topology_figure(hub))
    assert pos[centre] == (0, 0)
    assert all(math.isclose(math.hypot(*pos[n]), 1.0) for n in hub.vnets if n != centre)


def test_without_a_hub_all_vnets_are_on_the_circle():
    net = twenty(hub_and_spoke=False)  # a ring: every VNet has two peerings
    pos = node_positions(topology_figure(net))
    assert all(math.isclose(math.hypot(*p), 1.0) for p in pos.values())


def test_layout_is_deterministic(hub):
    assert topology_figure(hub).to_json() == topology_figure(hub.copy()).to_json()


def test_states_and_kinds_are_told_by_line_style_colour_and_legend_text_not_colour_alone():
    net = every_style()
    fig = topology_figure(net)
    drawn = {(t.meta["kind"], t.meta["state"]): t for t in role(fig, "peerings")}
    in_model = {(l.kind, l.peering_state) for l in net.peering_links}
    assert set(drawn) == in_model == {(k, s) for k in ("Regional", "Global")
                                      for s in ("Connected", "Initiated", "Disconnected")}
    words = {"Connected": "solid", "Initiated": "dashed", "Disconnected": "dotted"}
    for (kind, state), t in drawn.items():
        assert t.showlegend is not False and kind in t.name and state in t.name and words[state] in t.name
        assert ("double" if kind == "Global" else "single") in t.name
    # line style differs by state, colour by kind, and kind also by single vs double line
    for kind in ("Regional", "Global"):
        assert len({drawn[kind, s].line.dash for s in words}) == 3
    for state in words:
        r, g = drawn["Regional", state], drawn["Global", state]
        assert r.line.color != g.line.color
        assert len(segments(g)) == 2 * len(g.meta["pairs"]) and len(segments(r)) == len(r.meta["pairs"])


def test_one_sided_links_start_at_the_vnet_that_has_the_link_and_stop_short_of_the_other():
    net = every_style()
    fig = topology_figure(net)
    pos = node_positions(fig)
    for t in role(fig, "peerings"):
        if t.meta["state"] == "Connected":
            continue
        for (a, b), (p, q) in zip(t.meta["pairs"], segments(t)):
            link = net.peering(a, b)  # the link that exists is a's
            assert link.peering_state == t.meta["state"]
            full = math.dist(pos[a], pos[b])
            assert math.dist(p, pos[a]) < 0.05 * full and math.dist(q, pos[b]) > 0.4 * full


def test_legend_names_every_line_style_used(hub):
    hub.peer("spoke1", "spoke2")
    fig = topology_figure(hub, hub.trace("10.1.1.4", "10.2.1.4"))
    line_traces = [t for t in fig.data if t.mode and "lines" in t.mode]
    styles = {(t.line.dash, t.line.color, t.line.width) for t in line_traces}
    named = {(t.line.dash, t.line.color, t.line.width) for t in line_traces if t.showlegend is not False and t.name}
    assert styles == named


# --- topology: trace overlay ----------------------------------------------------------------------------
def test_trace_overlay_dropped_spoke_to_spoke(hub):
    t = hub.trace("10.1.1.4", "10.2.1.4")
    assert t.verdict == "Dropped" and "not transitive" in t.reason  # facts §6.3, S2
    fig = topology_figure(hub, t)
    assert t.verdict in fig.layout.title.text
    (path,) = role(fig, "trace")
    assert path.meta["path"] == [h.vnet for h in t.hops if h.vnet][:1]  # the packet never left spoke1
    (missed,) = role(fig, "not-reached")
    assert (missed.x[0], missed.y[0]) == node_positions(fig)[t.dst_vnet]


def test_trace_overlay_highlights_the_peering_it_crossed(hub):
    hub.peer("spoke1", "spoke2")
    t = hub.trace("10.1.1.4", "10.2.1.4")
    assert t.reachable
    fig = topology_figure(hub, t)
    assert t.verdict in fig.layout.title.text and not role(fig, "not-reached")
    (path,) = role(fig, "trace")
    pos = node_positions(fig)
    assert {frozenset(s) for s in segments(path)} == {frozenset((pos["spoke1"], pos["spoke2"]))}
    assert path.line.width > max(e.line.width for e in role(fig, "peerings"))


# --- topology: legible at 20 VNets --------------------------------------------------------------------------
FONT_EM = 0.65  # conservative average glyph width of a sans-serif label, in em (Arial digits are 0.556 em)


def label_boxes(fig: go.Figure) -> dict[str, tuple[float, float, float, float]]:
    """Each node label's box in px (x0, y0, x1, y1), y up, estimated from its anchor, shift and text."""
    width = fig.layout.width - fig.layout.margin.l - fig.layout.margin.r
    height = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    (x_lo, x_hi), (y_lo, y_hi) = fig.layout.xaxis.range, fig.layout.yaxis.range
    boxes = {}
    for a in fig.layout.annotations:
        if not (a.name or "").startswith("label:"):
            continue
        lines = plain(a.text)
        size = a.font.size
        w, h = max(map(len, lines)) * size * FONT_EM, len(lines) * size * 1.3
        px = (a.x - x_lo) / (x_hi - x_lo) * width + (a.xshift or 0)
        py = (a.y - y_lo) / (y_hi - y_lo) * height + (a.yshift or 0)
        if a.showarrow:  # the text sits at the arrow's tail, (ax, ay) px from the point (ay down)
            px, py = px + a.ax, py - a.ay
        x0 = {"left": px, "center": px - w / 2, "right": px - w}[a.xanchor]
        y0 = {"bottom": py, "middle": py - h / 2, "top": py - h}[a.yanchor]
        boxes[a.name.split(":", 1)[1]] = (x0, y0, x0 + w, y0 + h)
    return boxes


@pytest.mark.parametrize("hub_and_spoke", [True, False], ids=["hub-and-19-spokes", "ring"])
def test_topology_of_20_vnets_is_legible(hub_and_spoke):
    net = twenty(hub_and_spoke)
    fig = topology_figure(net)
    width = fig.layout.width - fig.layout.margin.l - fig.layout.margin.r
    height = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    span = fig.layout.xaxis.range[1] - fig.layout.xaxis.range[0]
    assert math.isclose(width / span, height / (fig.layout.yaxis.range[1] - fig.layout.yaxis.range[0]))
    scale = width / span  # px per data unit, equal on both axes
    pos = node_positions(fig)
    closest = min(math.dist(p, q) for p, q in itertools.combinations(pos.values(), 2)) * scale
    boxes = label_boxes(fig)
    widest = max(b[2] - b[0] for b in boxes.values())
    assert closest >= widest, f"nodes {closest:.0f}px apart, labels {widest:.0f}px wide"
    clashes = [(a, b) for (a, p), (b, q) in itertools.combinations(boxes.items(), 2)
               if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]]
    assert not clashes
    # no label sits on another VNet's node
    for name, (x0, y0, x1, y1) in boxes.items():
        for other, (x, y) in pos.items():
            px = (x - fig.layout.xaxis.range[0]) * scale
            py = (y - fig.layout.yaxis.range[0]) * scale
            assert other == name or not (x0 < px < x1 and y0 < py < y1), (name, other)
    # and all of it fits a notebook column
    assert fig.layout.width <= 1100


# --- browser check of the same (real text metrics) -------------------------------------------------------------
def _chromium():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    return path if os.path.exists(path) else None


@pytest.mark.browser
def test_20_vnet_labels_do_not_overlap_when_rendered(tmp_path):
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed"
    if reason is None and _chromium() is None:
        reason = "Debian's /usr/bin/chromium is not installed"
    if reason:
        if os.environ.get("VNETLAB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser test required but {reason}")
        pytest.skip(reason)
    fig = topology_figure(twenty(hub_and_spoke=True))
    page_file = tmp_path / "topology.html"
    fig.write_html(page_file, include_plotlyjs=True, full_html=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium())
        try:
            page = browser.new_page(viewport={"width": fig.layout.width + 40, "height": fig.layout.height + 40})
            page.goto(page_file.as_uri())
            page.wait_for_selector("g.annotation")
            boxes = page.eval_on_selector_all(
                "g.annotation-text-g text", "els => els.map(e => {const r = e.getBoundingClientRect();"
                " return [e.textContent, r.left, r.top, r.right, r.bottom]})")
        finally:
            browser.close()
    labels = [b for b in boxes if b[0].startswith("vnet-")]
    assert len(labels) == 20
    clashes = [(a[0], b[0]) for a, b in itertools.combinations(labels, 2)
               if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]]
    assert not clashes


# --- address map -----------------------------------------------------------------------------------------------
PREFIXES = ["10.0.0.0/24", "10.0.1.0/24", "10.0.1.128/25", "10.0.0.5/24", "10.1.0.0/24", "10.0.2.0/29"]
SPACE = "10.0.0.0/16"


def bars(fig: go.Figure) -> dict[str, tuple[str, go.Bar, int]]:
    """prefix → (status, bar trace, index in it)."""
    return {p: (t.meta["status"], t, i) for t in role(fig, "prefixes") for i, p in enumerate(t.meta["prefixes"])}


def test_every_valid_prefix_is_a_bar_at_its_addresses():
    plan = vl.analyze_plan(PREFIXES, SPACE)
    drawn = bars(address_map_figure(plan))
    assert set(drawn) == set(plan.valid_prefixes)
    for prefix, (_, t, i) in drawn.items():
        net = IPNetwork(prefix)
        assert (t.base[i], t.x[i]) == (net.first, net.size) and t.orientation == "h"


def test_invalid_lines_are_not_drawn_and_are_counted_in_the_title():
    plan = vl.analyze_plan(PREFIXES, SPACE)
    bad = [line for line in plan.lines if line.error]
    assert [line.text for line in bad] == ["10.0.0.5/24"]  # host bits set (VNet FAQ: network address)
    fig = address_map_figure(plan)
    assert "10.0.0.5/24" not in bars(fig) and "1 line with errors" in fig.layout.title.text


def test_overlaps_are_highlighted_by_pattern_colour_and_a_text_marker():
    plan = vl.analyze_plan(PREFIXES, SPACE)
    involved = {p for o in plan.overlaps for p in (o.a, o.b)}
    assert involved == {"10.0.1.0/24", "10.0.1.128/25"}  # nested blocks overlap
    drawn = bars(address_map_figure(plan))
    ok = [t for status, t, _ in drawn.values() if status == "ok"][0]
    for prefix, (status, t, i) in drawn.items():
        label = t.y[i]
        if prefix in involved:
            assert status == "overlap" and t.marker.pattern.shape and "⚠" in label and "⚠" in t.name
            assert t.marker.color != ok.marker.color
        elif status == "ok":
            assert not t.marker.pattern.shape and "⚠" not in label


def test_overlap_highlighting_comes_from_the_plan():
    plan = vl.analyze_plan(PREFIXES, SPACE)
    no_overlaps = dataclasses.replace(plan, overlaps=())
    assert {status for status, _, _ in bars(address_map_figure(no_overlaps)).values()} <= {"ok", "outside"}


def test_prefixes_outside_the_space_are_marked_too():
    plan = vl.analyze_plan(PREFIXES, SPACE)
    outside = [line.prefix for line in plan.lines if line.inside_space is False]
    assert outside == ["10.1.0.0/24"]
    status, t, i = bars(address_map_figure(plan))["10.1.0.0/24"]
    assert status == "outside" and t.marker.pattern.shape and "✗" in t.y[i]


def test_x_axis_spans_the_addresses_shown_with_dotted_quad_ticks():
    fig = address_map_figure(PREFIXES, SPACE)
    lo, hi = fig.layout.xaxis.range
    for prefix in vl.analyze_plan(PREFIXES, SPACE).valid_prefixes:  # every prefix inside the space is in view
        net = IPNetwork(prefix)
        if net in IPNetwork(SPACE):
            assert lo <= net.first and net.last + 1 <= hi
    assert len(fig.layout.xaxis.tickvals) >= 3
    assert list(fig.layout.xaxis.ticktext) == [str(IPAddress(v)) for v in fig.layout.xaxis.tickvals]


def test_a_small_plan_in_a_large_space_is_zoomed_so_a_24_is_not_a_sliver():
    # Two /24s in a /16: at full scale each is 1/256 of the width. The view zooms to the part in use and says so.
    fig = address_map_figure(["10.0.0.0/24", "10.0.1.0/24"], "10.0.0.0/16")
    lo, hi = fig.layout.xaxis.range
    assert 256 / (hi - lo) >= 1 / 8 and lo <= IPNetwork("10.0.0.0/24").first
    assert "Zoomed to" in fig.layout.title.text and "double-click" in fig.layout.title.text
    full = address_map_figure(["10.0.0.0/17", "10.0.128.0/17"], "10.0.0.0/16")  # the whole space is in use
    assert "Zoomed" not in full.layout.title.text


def test_an_overlap_is_drawn_as_a_band_over_the_shared_addresses():
    fig = address_map_figure(["10.0.1.0/24", "10.0.1.128/25"], "10.0.0.0/16")
    shared = IPNetwork("10.0.1.128/25")
    bands = [s for s in fig.layout.shapes if (s.x0, s.x1) == (shared.first, shared.last + 1)]
    assert len(bands) == 1 and any("overlap: 10.0.1.128 – 10.0.1.255" in a.text for a in fig.layout.annotations)


def test_the_address_space_is_a_background_band_with_a_legend_entry():
    fig = address_map_figure(PREFIXES, SPACE)
    space = IPNetwork(SPACE)
    bands = [s for s in fig.layout.shapes if s.fillcolor == "#E8E8E8"]
    assert [(b.x0, b.x1, b.layer, b.yref) for b in bands] == [(space.first, space.last + 1, "below", "paper")]
    # the legend entry is a trace, so a new space replaces it (a shape's legend entry stayed behind)
    assert [t.name for t in fig.data if t.name and SPACE in t.name]
    other = address_map_figure(PREFIXES, "10.99.0.0/16")
    assert not [t.name for t in other.data if t.name and SPACE in t.name]


def test_a_list_is_analysed_with_analyze_plan():
    assert address_map_figure(PREFIXES, SPACE).to_json() == address_map_figure(vl.analyze_plan(PREFIXES, SPACE)).to_json()
    text = "\n".join(PREFIXES)
    assert address_map_figure(text, SPACE).to_json() == address_map_figure(PREFIXES, SPACE).to_json()


def test_a_plan_and_a_second_space_is_refused():
    with pytest.raises(VnetlabError, match="space"):
        address_map_figure(vl.analyze_plan(PREFIXES, SPACE), "10.0.0.0/8")


def test_empty_plan_draws_a_hint_not_an_error():
    fig = address_map_figure([], None)
    assert not role(fig, "prefixes") and "No valid prefixes" in fig.layout.annotations[0].text


def test_figures_are_plain_plotly_json(hub):
    for fig in (topology_figure(hub, hub.trace("10.1.1.4", "10.0.1.4")), address_map_figure(PREFIXES, SPACE)):
        assert isinstance(fig, go.Figure)
        json.loads(fig.to_json())


# --- topology: what a learner asked for (issue 14) ---------------------------------------------------------------
def _with_nva() -> vl.Network:
    """Hub-and-spoke with an appliance in the hub and UDRs through it (the UDR overview's NVA pattern)."""
    net = vl.load_scenario("hub-and-spoke")
    net.vnet("hub").add_subnet("nva", "10.0.2.0/24").add_nic("nva", "10.0.2.4", ip_forwarding=True)
    for spoke, other in (("spoke1", "10.2.0.0/16"), ("spoke2", "10.1.0.0/16")):
        net.add_route_table(f"rt-{spoke}")
        net.add_route(f"rt-{spoke}", "via-nva", other, "VirtualAppliance", "10.0.2.4")
        net.associate_route_table(spoke, "app", f"rt-{spoke}")
        net.set_peering(spoke, "hub", allow_forwarded_traffic=True)
    return net


def to_px(fig: go.Figure, x: float, y: float) -> tuple[float, float]:
    width = fig.layout.width - fig.layout.margin.l - fig.layout.margin.r
    (x_lo, x_hi), (y_lo, _) = fig.layout.xaxis.range, fig.layout.yaxis.range
    scale = width / (x_hi - x_lo)
    return (x - x_lo) * scale, (y - y_lo) * scale


def test_a_network_virtual_appliance_is_drawn_and_the_trace_goes_through_it():
    net = _with_nva()
    t = net.trace("vm-spoke1", "10.2.1.4")
    assert t.reachable and any(h.action == "appliance" for h in t.hops)  # forwarded by the NVA
    fig = topology_figure(net, t)
    (nvas,) = role(fig, "nvas")
    assert nvas.meta["names"] == [n.name for n in net.nics if n.ip_forwarding] == ["nva"]
    assert nvas.showlegend is not False and "NVA" in nvas.name and "IP forwarding" in nvas.name
    nva_at = (nvas.x[0], nvas.y[0])
    assert nva_at not in node_positions(fig).values()
    (path,) = role(fig, "trace")
    assert nva_at in {p for s in segments(path) for p in s}  # the halo runs through the appliance


def test_the_star_and_the_circle_on_a_peering_are_explained_in_the_legend(hub):
    hub.peer("spoke1", "spoke2")
    t = hub.trace("10.1.1.4", "10.2.1.4")
    fig = topology_figure(hub, t)
    marks = {tr.marker.symbol: tr for tr in role(fig, "peering-details")}
    assert set(marks) == {"star", "circle"}
    assert all(tr.showlegend is not False for tr in marks.values())
    assert "crossed" in marks["star"].name and "hover" in marks["circle"].name
    assert [frozenset(p) for p in marks["star"].meta["pairs"]] == [frozenset(("spoke1", "spoke2"))]


def test_a_local_network_gateway_that_is_a_vnets_gateway_names_that_vnet():
    net = vl.load_scenario("v2v-vs-s2s")
    labels = {a.name.split(":", 1)[1]: plain(a.text) for a in topology_figure(net).layout.annotations
              if (a.name or "").startswith("label:")}
    for lng in net.local_gateways.values():
        owner = next(g for g in net.gateways if str(lng.gateway_ip) in g.public_ips)  # S2S between VNets
        assert labels[lng.name][-1] == f"stands for VNet {owner.vnet.name}"
        assert "on-premises site" not in labels[lng.name]


def _hub_label_box(fig):
    (nodes,) = role(fig, "vnets")
    return label_boxes(fig)[nodes.meta["hub"]]


def _crosses(box, p, q, steps: int = 200) -> bool:
    return any(box[0] < p[0] + (q[0] - p[0]) * k / steps < box[2] and box[1] < p[1] + (q[1] - p[1]) * k / steps < box[3]
               for k in range(steps + 1))


@pytest.mark.parametrize("make", [lambda: vl.load_scenario("hub-spoke-onprem"), _with_nva,
                                  lambda: twenty(hub_and_spoke=True)], ids=["hub-spoke-onprem", "nva", "20-vnets"])
def test_the_hubs_label_crosses_no_line(make):
    fig = topology_figure(make())
    box = _hub_label_box(fig)
    lines = [tr for tr in fig.data if tr.meta and tr.meta.get("role") in ("peerings", "tunnels")]
    assert lines
    for tr in lines:
        for p, q in segments(tr):
            assert not _crosses(box, to_px(fig, *p), to_px(fig, *q)), (tr.name, p, q)


@pytest.mark.parametrize("name", ["hub-and-spoke", "hub-spoke-onprem", "v2v-vs-s2s"])
def test_the_drawing_fills_its_area(name):
    # the plotting area ends near the outermost label or marker on every side (no half-empty square)
    fig = topology_figure(vl.load_scenario(name))
    height = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    boxes = list(label_boxes(fig).values())
    ys = [v for b in boxes for v in (b[1], b[3])] + [to_px(fig, *p)[1] for p in node_positions(fig).values()]
    assert min(ys) < 40 and max(ys) > height - 40, (min(ys), max(ys), height)
