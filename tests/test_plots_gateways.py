"""Module 2 figures a learner reads: gateways, sites and tunnels on the topology, a route table, a plan timeline.

Expected values come from the fact sheet's worked scenarios and the engine's model objects (gateways,
connections, LNGs), never from the plotting code: S1 (spoke → branch through the hub's gateway, route
192.168.1.0/24 → VirtualNetworkGateway), S3 (VNet-to-VNet: two connection resources, IKEv2 over the
Microsoft backbone; Site-to-Site over the public internet), S11b (a UDR 0.0.0.0/0 beats the system route,
which stays listed as Invalid), §2.1 (a gateway "can take 45 minutes or more"; no figure for peering).
"""
from __future__ import annotations

import itertools
import json
import math

import plotly.graph_objects as go
import pytest

import vnetlab as vl
from vnetlab.changes import gateway_step, peering_step, timeline
from vnetlab.errors import InvalidAddressError
from vnetlab.plots import route_table_figure, timeline_figure, topology_figure
from test_plots import label_boxes, plain, role, segments


@pytest.fixture
def s1():
    return vl.load_scenario("hub-spoke-onprem")


def every_tunnel_kind() -> vl.Network:
    """vnet1 ↔ vnet2 VNet-to-VNet, vnet1 → a site over IPsec, Point-to-Site on vnet2, vnet3 → vnet1 one-sided."""
    net = vl.load_scenario("two-gateways")
    net.connect("vnet1", "vnet2")
    net.add_local_network_gateway("branch", "198.51.100.7", ["192.168.1.0/24"])
    net.connect("vnet1", "branch", kind="IPsec")
    net.add_point_to_site("vnet2", ["172.16.201.0/24"])
    v3 = net.add_vnet("vnet3", ["10.3.0.0/16"], region="westeurope")
    v3.add_subnet("GatewaySubnet", "10.3.255.0/27")
    net.add_vpn_gateway("vnet3", "VpnGw1AZ")
    net.connect("vnet3", "vnet1", bidirectional=False)
    return net


def nodes(fig: go.Figure) -> dict[str, tuple[float, float]]:
    """Every node's position: VNets, sites and P2S pools."""
    out = {}
    for r in ("vnets", "sites", "p2s"):
        for t in role(fig, r):
            out.update({n: (x, y) for n, x, y in zip(t.meta["names"], t.x, t.y)})
    return out


def gateway_squares(fig: go.Figure) -> dict[str, tuple[float, float]]:
    (gws,) = role(fig, "gateways")
    return {v: (x, y) for v, x, y in zip(gws.meta["vnets"], gws.x, gws.y)}


def tunnels(fig: go.Figure) -> dict[frozenset, go.Scatter]:
    return {frozenset(p): t for t in role(fig, "tunnels") for p in t.meta["pairs"]}


# --- gateways and sites ------------------------------------------------------------------------------------
def test_each_gateway_is_a_square_beside_its_vnet_with_sku_and_public_ips(s1):
    fig = topology_figure(s1)
    (gws,) = role(fig, "gateways")
    assert gws.meta["vnets"] == [g.vnet.name for g in s1.gateways] == ["hub"]
    assert gws.meta["skus"] == ["VpnGw2AZ (Gen1)"]  # the scenario's SKU, S1
    gw = s1.gateway("hub")
    hover = plain(gws.hovertext[0])
    assert any("VpnGw2AZ" in line for line in hover)
    assert all(ip in gws.hovertext[0] for ip in gw.public_ips + gw.instance_ips)
    assert gws.marker.symbol == "square" and "VPN gateway" in gws.name
    hub = nodes(fig)["hub"]
    assert 0 < math.dist(gateway_squares(fig)["hub"], hub) < 0.2  # beside its VNet, not on it
    label = next(a for a in fig.layout.annotations if a.name == "label:hub")
    assert "gateway VpnGw2AZ (Gen1)" in plain(label.text)


def test_on_premises_sites_are_diamonds_with_their_device_ip_and_prefixes(s1):
    fig = topology_figure(s1)
    (sites,) = role(fig, "sites")
    (vnets,) = role(fig, "vnets")
    assert sites.meta["names"] == list(s1.local_gateways) == ["branch"]
    assert sites.marker.symbol == "diamond" and sites.marker.symbol not in (vnets.marker.symbol or [])
    lng = s1.local_gateway("branch")
    assert str(lng.gateway_ip) in sites.hovertext[0] and "192.168.1.0/24" in sites.hovertext[0]
    assert "site" in sites.name


def test_a_site_that_stands_for_a_vnet_says_whose_gateway_it_points_at():
    net = vl.load_scenario("v2v-vs-s2s")
    fig = topology_figure(net)
    (sites,) = role(fig, "sites")
    hover = dict(zip(sites.meta["names"], sites.hovertext))
    assert "s2s-vnet2-vpngw" in hover["lng-s2s-vnet2"]  # its device IP is that gateway's public IP


# --- tunnels ------------------------------------------------------------------------------------------------------
def test_every_connection_is_one_tunnel_between_gateway_squares_and_sites():
    net = every_tunnel_kind()
    fig = topology_figure(net)
    drawn = tunnels(fig)
    expected = {frozenset(("vnet1", "vnet2")): ("Vnet2Vnet", "Connected"),
                frozenset(("vnet1", "branch")): ("IPsec", "Connected"),
                frozenset(("vnet2", "P2S clients of vnet2")): ("P2S", "Connected"),
                frozenset(("vnet3", "vnet1")): ("Vnet2Vnet", "NotConnected")}
    assert {pair: (t.meta["kind"], t.meta["status"]) for pair, t in drawn.items()} == expected
    # the engine's view of the same connections
    assert {c.name: c.status for c in net.connections} == {
        "vnet1-to-vnet2": "Connected", "vnet2-to-vnet1": "Connected", "vnet1-to-branch": "Connected",
        "vnet3-to-vnet1": "NotConnected"}
    gws, pos = gateway_squares(fig), nodes(fig)
    v2v = drawn[frozenset(("vnet1", "vnet2"))]
    assert {frozenset(s) for s in segments(v2v)} == {frozenset((gws["vnet1"], gws["vnet2"]))}
    ipsec = drawn[frozenset(("vnet1", "branch"))]
    assert {frozenset(s) for s in segments(ipsec)} == {frozenset((gws["vnet1"], pos["branch"]))}
    p2s = drawn[frozenset(("vnet2", "P2S clients of vnet2"))]
    assert {frozenset(s) for s in segments(p2s)} == {frozenset((gws["vnet2"], pos["P2S clients of vnet2"]))}


def test_tunnel_kinds_differ_by_line_pattern_and_legend_text_and_carry_a_lock():
    net = every_tunnel_kind()
    fig = topology_figure(net)
    connected = {t.meta["kind"]: t for t in role(fig, "tunnels") if t.meta["status"] == "Connected"}
    assert set(connected) == {"Vnet2Vnet", "IPsec", "P2S"}
    assert len({t.line.dash for t in connected.values()}) == 3
    assert all(t.line.dash != "solid" for t in connected.values())  # peerings are the solid lines
    words = {"Vnet2Vnet": "VNet-to-VNet", "IPsec": "Site-to-Site", "P2S": "Point-to-Site"}
    for kind, t in connected.items():
        assert t.showlegend is not False and words[kind] in t.name and "encrypted" in t.name
    # the path is the engine's (Connection.path): VNet-to-VNet over the backbone, IPsec over the internet (§3.1)
    assert "Microsoft backbone" in connected["Vnet2Vnet"].name and "public internet" in connected["IPsec"].name
    (locks,) = role(fig, "tunnel-details")
    for kind in ("Vnet2Vnet", "IPsec", "P2S"):
        (p, q), = segments(connected[kind])
        i = next(i for i, (pair, k) in enumerate(zip(locks.meta["pairs"], locks.meta["kinds"]))
                 if k == kind and frozenset(pair) in {frozenset(x) for x in connected[kind].meta["pairs"]})
        assert locks.text[i] == "IPsec"
        assert math.isclose(locks.x[i], (p[0] + q[0]) / 2) and math.isclose(locks.y[i], (p[1] + q[1]) / 2)
    hover = dict(zip(map(frozenset, locks.meta["pairs"]), locks.hovertext))
    assert "vnet1-to-vnet2" in hover[frozenset(("vnet1", "vnet2"))] and "vnet2-to-vnet1" in hover[frozenset(("vnet1", "vnet2"))]


def test_a_one_sided_vnet_to_vnet_connection_is_a_notconnected_stub_with_an_open_lock():
    net = vl.load_scenario("two-gateways")
    net.connect("vnet1", "vnet2", bidirectional=False)
    (conn,) = net.connections
    assert conn.status == "NotConnected"  # one connection resource only (S3: a tunnel is two resources)
    fig = topology_figure(net)
    (stub,) = role(fig, "tunnels")
    assert stub.meta["status"] == "NotConnected" and "NotConnected" in stub.name and stub.showlegend is not False
    gws = gateway_squares(fig)
    (p, q), = segments(stub)
    full = math.dist(gws["vnet1"], gws["vnet2"])
    assert math.dist(p, gws["vnet1"]) < 1e-9 and math.dist(q, gws["vnet2"]) > 0.4 * full  # from vnet1, stops short
    (locks,) = role(fig, "tunnel-details")
    assert list(locks.text) == ["✗"]
    net.connect("vnet2", "vnet1", bidirectional=False)
    (tunnel,) = role(topology_figure(net), "tunnels")
    assert tunnel.meta["status"] == "Connected"


def test_legend_names_every_line_style_used_with_tunnels():
    net = every_tunnel_kind()
    net.add_vnet("plain", ["10.9.0.0/16"], region="japanwest")
    net.peer("vnet1", "plain")  # a global peering next to the tunnels
    fig = topology_figure(net, net.trace("vm-vnet1", "10.2.1.4"))
    line_traces = [t for t in fig.data if t.mode and "lines" in t.mode]
    styles = {(t.line.dash, t.line.color, t.line.width) for t in line_traces}
    named = {(t.line.dash, t.line.color, t.line.width) for t in line_traces if t.showlegend is not False and t.name}
    assert styles == named


def test_tunnels_to_sites_do_not_cross_and_labels_do_not_overlap():
    net = vl.load_scenario("v2v-vs-s2s")
    fig = topology_figure(net)
    pieces = [s for t in role(fig, "tunnels") for s in segments(t)]

    def cross(a, b) -> bool:
        (p1, p2), (p3, p4) = a, b

        def side(p, q, r):
            return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

        return side(p1, p2, p3) * side(p1, p2, p4) < 0 and side(p3, p4, p1) * side(p3, p4, p2) < 0

    assert not [pair for pair in itertools.combinations(pieces, 2) if cross(*pair)]
    boxes = label_boxes(fig)
    assert set(boxes) == set(net.vnets) | set(net.local_gateways)
    clashes = [(a, b) for (a, p), (b, q) in itertools.combinations(boxes.items(), 2)
               if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]]
    assert not clashes


# --- trace overlay through gateways and tunnels --------------------------------------------------------------------
def test_s1_trace_overlay_goes_spoke_to_hub_gateway_to_the_branch(s1):
    t = s1.trace("vm-spoke1", "192.168.1.10")
    assert t.reachable and [h.action for h in t.hops][-2:] == ["to gateway", "IPsec tunnel"]  # facts S1
    fig = topology_figure(s1, t)
    (path,) = role(fig, "trace")
    assert path.meta["path"] == ["spoke1", "hub", "branch"]
    pos, gws = nodes(fig), gateway_squares(fig)
    assert {frozenset(s) for s in segments(path)} == {frozenset((pos["spoke1"], gws["hub"])),
                                                       frozenset((gws["hub"], pos["branch"]))}
    assert "Reachable" in fig.layout.title.text and not role(fig, "not-reached")
    assert path.line.width > max(x.line.width for x in role(fig, "tunnels"))


def test_vnet_to_vnet_trace_overlay_runs_gateway_to_gateway():
    net = vl.load_scenario("v2v-vs-s2s")
    t = net.trace("vm-v2v-vnet1", "10.2.1.4")
    assert "VNet-to-VNet tunnel" in [h.action for h in t.hops] and t.reachable
    fig = topology_figure(net, t)
    (path,) = role(fig, "trace")
    pos, gws = nodes(fig), gateway_squares(fig)
    assert {frozenset(s) for s in segments(path)} == {
        frozenset((pos["v2v-vnet1"], gws["v2v-vnet1"])), frozenset((gws["v2v-vnet1"], gws["v2v-vnet2"])),
        frozenset((gws["v2v-vnet2"], pos["v2v-vnet2"]))}


def test_s1_variant_b_drop_keeps_the_overlay_in_the_spoke(s1):
    s1.add_route_table("no-prop", disable_bgp_route_propagation=True)
    s1.associate_route_table("spoke1", "app", "no-prop")  # S1 variant B: no gateway route, 192.168/16 → None
    t = s1.trace("vm-spoke1", "192.168.1.10")
    assert t.verdict == "Dropped"
    fig = topology_figure(s1, t)
    (path,) = role(fig, "trace")
    assert path.meta["path"] == ["spoke1"] and not segments(path)
    assert "Dropped" in fig.layout.title.text


# --- route table ------------------------------------------------------------------------------------------------
def columns(fig: go.Figure) -> dict[str, list[str]]:
    """Column title → its cells' text; a cell wrapped over lines (<br>) read as one text again."""
    (table,) = fig.data
    heads = ["".join(plain(h)) for h in table.header.values]
    return {h: ["".join(plain(c)) for c in col] for h, col in zip(heads, table.cells.values)}


def test_route_table_lists_every_effective_route_with_the_documented_columns(s1):
    routes = s1.effective_routes("spoke1", "app")
    fig = route_table_figure(routes)
    cols = columns(fig)
    assert list(cols) == ["", "Source", "State", "Prefix", "Next hop type", "Next hop IP", "UDR name", "Origin"]
    assert cols["Prefix"] == [r.prefix for r in routes] and cols["State"] == [r.state for r in routes]
    assert cols["Next hop type"] == [r.next_hop_type for r in routes]
    assert set(cols[""]) == {""} and fig.data[0].meta["chosen"] is None  # no destination, nothing chosen


def test_s1_destination_marks_the_gateway_route_chosen_in_bold_with_a_text_marker(s1):
    fig = route_table_figure(s1.effective_routes("spoke1", "app"), "192.168.1.10")
    cols = columns(fig)
    (table,) = fig.data
    i = table.meta["chosen"]
    # S1: 192.168.1.0/24 → VirtualNetworkGateway, next hop IP an address of the hub gateway
    assert (cols["Prefix"][i], cols["Next hop type"][i], cols["Source"][i]) == (
        "192.168.1.0/24", "VirtualNetworkGateway", "VirtualNetworkGateway")
    assert cols["Next hop IP"][i] in s1.gateway("hub").instance_ips
    assert cols[""][i] == "◀ chosen" and [c for c in cols[""] if c] == ["◀ chosen"]
    assert all(col[i].startswith("<b>") for col in table.cells.values)
    assert "192.168.1.0/24" in fig.layout.title.text


def test_s11b_invalid_routes_are_grey_and_say_invalid(s1):
    s1.add_route_table("rt")
    s1.add_route("rt", "force", "0.0.0.0/0", "VirtualNetworkGateway")
    s1.associate_route_table("spoke1", "app", "rt")
    fig = route_table_figure(s1.effective_routes("spoke1", "app"), "8.8.8.8")
    cols = columns(fig)
    (table,) = fig.data
    rows = list(zip(cols["Source"], cols["State"], cols["Prefix"], cols["Next hop type"]))
    internet = rows.index(("Default", "Invalid", "0.0.0.0/0", "Internet"))   # S11b: the system route loses...
    chosen = table.meta["chosen"]
    assert rows[chosen] == ("User", "Active", "0.0.0.0/0", "VirtualNetworkGateway")  # ...to the UDR
    fonts = table.cells.font.color[0]
    assert fonts[internet] != fonts[chosen] and table.cells.fill.color[0][internet] != "#FFFFFF"
    assert all(fonts[i] == fonts[chosen] for i, r in enumerate(rows) if r[1] == "Active")
    assert "Invalid" in fig.layout.title.text


def test_a_destination_that_is_not_an_address_raises_the_engine_error(s1):
    with pytest.raises(InvalidAddressError, match="10.1."):
        route_table_figure(s1.effective_routes("spoke1", "app"), "10.1.")


# --- timeline -------------------------------------------------------------------------------------------------------
def test_timeline_draws_documented_durations_and_invents_none():
    plan = timeline([gateway_step("vnet1"), gateway_step("vnet2"), peering_step("hub", "spoke")])
    fig = timeline_figure(plan)
    (bars,) = role(fig, "steps")
    # §2.1: a VPN gateway "can take 45 minutes or more"; both gateways start together
    assert list(bars.x) == [45, 45] and list(bars.base) == [0, 0]
    assert all("45 min" in text for text in bars.text)
    (unknown,) = role(fig, "unknown")
    assert unknown.meta["names"] == ["peer hub and spoke"] and list(unknown.x) == [45]
    assert "no figure published" in unknown.text[0] and "no figure published" in unknown.name
    assert "45 minutes" in fig.layout.title.text and "no figure published" in fig.layout.title.text
    assert "Fast" in unknown.hovertext[0]  # the documents' own word for peering, with its source
    sequential = timeline_figure(timeline([gateway_step("a"), gateway_step("b")], parallel_gateways=False))
    (bars,) = role(sequential, "steps")
    assert list(bars.base) == [0, 45] and "90 minutes" in sequential.layout.title.text


def test_module_2_figures_are_plain_plotly_json(s1):
    figs = [topology_figure(every_tunnel_kind()), topology_figure(s1, s1.trace("vm-spoke1", "192.168.1.10")),
            route_table_figure(s1.effective_routes("hub", "shared"), "10.1.1.4"),
            timeline_figure(timeline([gateway_step("hub"), peering_step("hub", "spoke1")]))]
    for fig in figs:
        assert isinstance(fig, go.Figure)
        json.loads(fig.to_json())
