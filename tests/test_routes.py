"""Effective routes: default system routes and peering routes as the UDR overview lists them (facts §7)."""
import re

import pytest

import vnetlab as vl
from vnetlab.errors import SettingError
from vnetlab.routes import Route, materialise, select


def table(prefixes, region="westeurope"):
    n = vl.Network()
    n.add_vnet("v", prefixes, region=region).add_subnet("s", prefixes[0].replace("/16", "/24").replace("/8", "/24"))
    return n, n.effective_routes("v", "s")


def test_default_system_routes_for_a_10_1_vnet():
    # facts §7.1: VNet range → VnetLocal; 0/0 → Internet; 10/8, 172.16/12, 192.168/16, 100.64/10 → None
    _, routes = table(["10.1.0.0/16"])
    got = {(r.prefix, r.next_hop_type, r.source, r.state) for r in routes}
    assert got == {("10.1.0.0/16", "VnetLocal", "Default", "Active"), ("0.0.0.0/0", "Internet", "Default", "Active"),
                   ("10.0.0.0/8", "None", "Default", "Active"), ("172.16.0.0/12", "None", "Default", "Active"),
                   ("192.168.0.0/16", "None", "Default", "Active"), ("100.64.0.0/10", "None", "Default", "Active")}


def test_vnet_range_equal_to_reserved_range_replaces_the_none_route():
    # facts §7.1: equal → that route's next hop becomes Virtual network
    _, routes = table(["10.0.0.0/8"])
    assert [r.next_hop_type for r in routes.find("10.0.0.0/8")] == ["VnetLocal"]


def test_vnet_range_containing_reserved_range_removes_it():
    _, routes = table(["172.0.0.0/8"])
    assert routes.find("172.16.0.0/12") == []
    assert routes.lookup("172.16.5.5").next_hop_type == "VnetLocal"


def test_vnet_range_inside_reserved_range_keeps_the_none_route():
    _, routes = table(["10.1.0.0/16"])
    assert routes.lookup("10.1.2.3").next_hop_type == "VnetLocal"
    assert routes.lookup("10.2.0.5").next_hop_type == "None"


def test_peering_routes_one_per_remote_range_regional_and_global():
    n = vl.Network()
    n.add_vnet("a", ["10.1.0.0/16"], region="westeurope").add_subnet("s", "10.1.1.0/24")
    n.add_vnet("b", ["10.2.0.0/16", "10.3.0.0/16"], region="westeurope")
    n.add_vnet("c", ["172.20.0.0/16"], region="japanwest")
    n.peer("a", "b"), n.peer("a", "c")
    routes = n.effective_routes("a", "s")
    assert {(r.prefix, r.next_hop_type) for r in routes if r.peer} == {
        ("10.2.0.0/16", "VNetPeering"), ("10.3.0.0/16", "VNetPeering"), ("172.20.0.0/16", "VNetGlobalPeering")}
    assert routes.lookup("172.20.1.1").next_hop_type == "VNetGlobalPeering"


def test_s2_spoke_has_no_route_to_the_other_spoke():
    # facts S2: Spoke1 has 10.1/16 (VnetLocal) and 10.0/16 (VNetPeering) only; 10.2.0.4 → 10/8 None
    net = vl.load_scenario("hub-and-spoke")
    routes = net.effective_routes("spoke1", "app")
    assert {r.prefix for r in routes if r.next_hop_type in ("VnetLocal", "VNetPeering")} == {"10.1.0.0/16", "10.0.0.0/16"}
    chosen = routes.lookup("10.2.0.4")
    assert (chosen.prefix, chosen.next_hop_type) == ("10.0.0.0/8", "None")


def test_same_prefix_user_beats_gateway_beats_system():
    # facts §7.4: for the same prefix, user-defined > BGP > system; losers are Invalid
    routes = [Route("0.0.0.0/0", "Internet"), Route("0.0.0.0/0", "VirtualNetworkGateway", source="VirtualNetworkGateway"),
              Route("0.0.0.0/0", "VirtualAppliance", source="User", next_hop_ip=("10.0.100.4",))]
    states = [r.state for r in select(routes)]
    assert states == ["Invalid", "Invalid", "Active"]


def test_routes_display_as_tables():
    net = vl.load_scenario("hub-and-spoke")
    routes = net.effective_routes("hub", "shared")
    html = routes._repr_html_()
    assert "VNetPeering" in html and "10.2.0.0/16" in html and "<table" in html
    assert "Next hop type" in str(routes)
    assert routes.routes[0].portal_next_hop == "Virtual network"


def test_routes_are_recomputed_after_a_change():
    net = vl.load_scenario("hub-and-spoke")
    before = net.effective_routes("spoke1", "app")
    net.peer("spoke1", "spoke2")
    after = net.effective_routes("spoke1", "app")
    assert before.find("10.2.0.0/16") == [] and after.find("10.2.0.0/16", "VNetPeering")


# --- gateway routes and route preference: the gaps mutation testing found (issue 20) ----------------------------
# Expected values come from azure-facts.md: §2.6 (VPN FAQ, 2026-06-04: what a gateway learns, filters and advertises),
# §3.3 (VNet-to-VNet), §7.1-§7.4 (UDR overview, 2023-05-27: system routes and selection).
GW = "VirtualNetworkGateway"


def hub_with_bgp_site(advertised, *, static=(), spokes=()):
    """Hub 10.0.0.0/16 (westeurope) with a VpnGw1AZ gateway and a BGP site ``branch`` announcing ``advertised``;
    ``spokes``: (name, range, region, transit) peered with the hub, ``transit`` = hub allows and spoke uses."""
    net = vl.Network()
    hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    hub.add_subnet("app", "10.0.1.0/24").add_nic("vm-hub", "10.0.1.4")
    hub.add_subnet("GatewaySubnet", "10.0.255.0/27")
    net.add_vpn_gateway("hub", sku="VpnGw1AZ", bgp_asn=65010)
    for name, space, region, transit in spokes:
        net.add_vnet(name, [space], region=region).add_subnet("app", space.replace("0.0/16", "1.0/24"))
        net.peer("hub", name, allow_gateway_transit="hub" if transit else None,
                 use_remote_gateways=name if transit else None)
    net.add_local_network_gateway("branch", "198.51.100.1", list(static), bgp_asn=65050, bgp_peer_ip="192.168.1.1",
                                  advertised=list(advertised))
    net.connect("hub", "branch", "IPsec", enable_bgp=True)
    return net


def gateway_prefixes(routes):
    return {r.prefix for r in routes if r.next_hop_type == GW}


def test_bgp_advertisements_equal_to_the_vnet_or_a_transit_spoke_are_filtered_a_superset_is_kept():
    # §2.6: with gateway transit, on-premises may not advertise prefixes equal to the VNet's or the peered VNets'
    # prefixes (filtered); a superset such as 10.0.0.0/8 for a 10.0.0.0/16 VNet is allowed
    net = hub_with_bgp_site(["10.0.0.0/16", "10.1.0.0/16", "10.0.0.0/8", "192.168.50.0/24"],
                            spokes=[("spoke", "10.1.0.0/16", "westeurope", True)])
    for vnet in ("hub", "spoke"):
        assert gateway_prefixes(net.effective_routes(vnet, "app")) == {"10.0.0.0/8", "192.168.50.0/24"}


# A VNet range, a regional and a global peering, and BGP routes more specific than each, at both ends of each range.
PREFERRED_CASES = [("10.0.0.5", "10.0.0.0/24", "VnetLocal"), ("10.0.255.200", "10.0.255.128/25", "VnetLocal"),
                   ("10.1.0.5", "10.1.0.0/24", "VNetPeering"), ("10.1.255.5", "10.1.255.0/24", "VNetPeering"),
                   ("10.2.0.5", "10.2.0.0/24", "VNetGlobalPeering"),
                   ("10.2.255.5", "10.2.255.0/24", "VNetGlobalPeering")]


def preferred_net():
    return hub_with_bgp_site([p for _, p, _ in PREFERRED_CASES] + ["10.3.0.0/24"],
                             spokes=[("near", "10.1.0.0/16", "westeurope", False),
                                     ("far", "10.2.0.0/16", "northeurope", False)])


def test_vnet_and_peering_routes_beat_more_specific_bgp_routes_at_both_ends_of_their_range():
    # §7.4: system routes for the VNet itself and its peerings are preferred even when a BGP route is more
    # specific; the BGP rows stay listed as Invalid. A BGP route outside them still wins by longest prefix.
    routes = preferred_net().effective_routes("hub", "app")
    for address, bgp, hop in PREFERRED_CASES:
        assert routes.lookup(address).next_hop_type == hop, address
        assert [r.state for r in routes.find(bgp, GW)] == ["Invalid"], bgp
    assert routes.lookup("10.3.0.4").next_hop_type == GW
    assert [r.state for r in routes.find("10.3.0.0/24", GW)] == ["Active"]


def test_select_marks_more_specific_gateway_routes_inside_vnet_and_peering_ranges_invalid():
    # the same rule on the selection alone (§7.4): the VNet range is the lowest, the global peering the highest
    system = [Route("10.0.0.0/16", "VnetLocal"), Route("10.1.0.0/16", "VNetPeering"),
              Route("10.2.0.0/16", "VNetGlobalPeering"), Route("10.0.0.0/8", "None")]
    bgp = [Route(p, GW, source=GW) for _, p, _ in PREFERRED_CASES] + [Route("10.3.0.0/24", GW, source=GW)]
    chosen = select(system + bgp)
    assert [r.state for r in chosen] == ["Active"] * 4 + ["Invalid"] * len(PREFERRED_CASES) + ["Active"]


def test_lookup_takes_an_address_as_an_integer():
    # 10.3.0.4 = 10·2^24 + 3·2^16 + 4; the same route as the text form
    routes = preferred_net().effective_routes("hub", "app")
    value = (10 << 24) | (3 << 16) | 4
    assert routes.lookup(value) is routes.lookup("10.3.0.4")
    assert routes.lookup(value).prefix == "10.3.0.0/24"


def test_a_bgp_learned_route_names_the_connection_it_was_learned_on():
    net = hub_with_bgp_site(["192.168.50.0/24"], static=["192.168.60.0/24"])
    routes = net.effective_routes("hub", "app")
    assert {(r.prefix, r.connection) for r in routes if r.next_hop_type == GW} == {
        ("192.168.50.0/24", "hub-to-branch"), ("192.168.60.0/24", "hub-to-branch")}


def test_an_initiated_peering_does_not_hide_the_peerings_after_it():
    # §6.2: a link is Connected only when both exist; an Initiated one gives no route, the others still do
    net = vl.Network()
    net.add_vnet("a", ["10.1.0.0/16"], region="westeurope").add_subnet("s", "10.1.1.0/24")
    net.add_vnet("b", ["10.2.0.0/16"], region="westeurope")
    net.add_vnet("c", ["10.3.0.0/16"], region="westeurope")
    net.add_peering_link("a", "b")  # Initiated: b has no link back
    net.peer("a", "c")
    routes = net.effective_routes("a", "s")
    assert routes.find("10.2.0.0/16") == []
    assert routes.lookup("10.2.0.4").next_hop_type == "None"
    assert routes.lookup("10.3.0.4").next_hop_type == "VNetPeering"


def test_a_connection_that_is_not_connected_does_not_hide_the_connections_after_it():
    # §3.3: a VNet-to-VNet tunnel needs both connection resources; with one only it carries nothing, while the
    # gateway's next connection (a site) still brings its prefixes
    net = vl.Network()
    for name, n in (("hub", 0), ("other", 9)):
        v = net.add_vnet(name, [f"10.{n}.0.0/16"], region="westeurope")
        v.add_subnet("app", f"10.{n}.1.0/24")
        v.add_subnet("GatewaySubnet", f"10.{n}.255.0/27")
        net.add_vpn_gateway(name, sku="VpnGw1AZ")
    net.connect("hub", "other", bidirectional=False)  # listed first, NotConnected
    net.add_local_network_gateway("branch", "198.51.100.1", ["192.168.60.0/24"])
    net.connect("hub", "branch", "IPsec")
    assert [c.status for c in net.gateway("hub").connections.values()] == ["NotConnected", "Connected"]
    routes = net.effective_routes("hub", "app")
    assert gateway_prefixes(routes) == {"192.168.60.0/24"}
    assert routes.lookup("10.9.1.4").next_hop_type == "None"


def v2v_with_bgp(bgp_1_to_2, bgp_2_to_1):
    """vnet1 10.1/16 (westeurope, P2S pool 172.16.201.0/24) and vnet2 10.2/16 (japanwest) joined VNet-to-VNet, each
    connection resource with or without BGP; vnet2 has a transit spoke 10.32/16 and a BGP site announcing
    192.168.60.0/24, 0.0.0.0/0 and 10.0.0.0/8 (overlapping vnet2's range), with the static prefix 192.168.61.0/24."""
    net = vl.Network()
    for name, n, region, asn in (("vnet1", 1, "westeurope", 65001), ("vnet2", 2, "japanwest", 65002)):
        v = net.add_vnet(name, [f"10.{n}.0.0/16"], region=region)
        v.add_subnet("app", f"10.{n}.1.0/24")
        v.add_subnet("GatewaySubnet", f"10.{n}.255.0/27")
        net.add_vpn_gateway(name, sku="VpnGw1AZ", bgp_asn=asn)
    net.add_point_to_site("vnet1", ["172.16.201.0/24"])
    net.add_vnet("spoke2", ["10.32.0.0/16"], region="japanwest").add_subnet("app", "10.32.1.0/24")
    net.peer("vnet2", "spoke2", allow_gateway_transit="vnet2", use_remote_gateways="spoke2")
    net.add_local_network_gateway("branch2", "198.51.100.2", ["192.168.61.0/24"], bgp_asn=65050,
                                  bgp_peer_ip="192.168.61.1",
                                  advertised=["192.168.60.0/24", "0.0.0.0/0", "10.0.0.0/8"])
    net.connect("vnet2", "branch2", "IPsec", enable_bgp=True)
    net.connect("vnet1", "vnet2", bidirectional=False, enable_bgp=bgp_1_to_2)
    net.connect("vnet2", "vnet1", bidirectional=False, enable_bgp=bgp_2_to_1)
    return net


def test_vnet_to_vnet_with_bgp_on_both_resources_adds_what_the_remote_gateway_learned():
    # §3.3: VNet-to-VNet routes the remote VNet's range; §2.6: with BGP the remote gateway also advertises its
    # transit spokes, its sites' static and BGP prefixes, never 0.0.0.0/0 nor a BGP route overlapping its VNet
    # prefixes; §3.3: not the P2S client pool
    net = v2v_with_bgp(True, True)
    routes = net.effective_routes("vnet1", "app")
    assert {(r.prefix, r.connection) for r in routes if r.next_hop_type == GW} == {
        ("10.2.0.0/16", "vnet1-to-vnet2"), ("10.32.0.0/16", "vnet1-to-vnet2"), ("192.168.60.0/24", "vnet1-to-vnet2"),
        ("192.168.61.0/24", "vnet1-to-vnet2"), ("172.16.201.0/24", "P2S")}
    assert "172.16.201.0/24" not in gateway_prefixes(net.effective_routes("vnet2", "app"))


@pytest.mark.parametrize("bgp_1_to_2, bgp_2_to_1", [(True, False), (False, True), (False, False)])
def test_vnet_to_vnet_bgp_needs_both_connection_resources(bgp_1_to_2, bgp_2_to_1):
    # A VNet-to-VNet tunnel is two connection resources (§3.3); the BGP how-to enables BGP on the connections it
    # creates ("-EnableBgp $True when creating the connections", vpn-gateway-bgp-resource-manager-ps). With BGP on
    # one resource only there is no session: vnet1 learns the remote range and nothing else.
    net = v2v_with_bgp(bgp_1_to_2, bgp_2_to_1)
    assert gateway_prefixes(net.effective_routes("vnet1", "app")) == {"10.2.0.0/16", "172.16.201.0/24"}


def test_advertised_over_vnet_to_vnet_leaves_out_the_p2s_pool_and_what_came_from_that_connection():
    # §2.6: a gateway advertises its VNet's prefixes and what it learned on its other connections; §3.3:
    # VNet-to-VNet does not carry the P2S client pool
    net = v2v_with_bgp(True, True)
    assert net.advertised_prefixes("vnet1", "vnet1-to-vnet2") == ["10.1.0.0/16"]
    assert sorted(net.advertised_prefixes("vnet2", "vnet2-to-vnet1")) == [
        "10.2.0.0/16", "10.32.0.0/16", "192.168.60.0/24", "192.168.61.0/24"]


def test_advertised_to_a_site_split_horizon_transit_spokes_only_and_each_prefix_once():
    # §2.6: the gateway advertises the VNet prefixes, every connected LNG's prefixes and the routes learned from other
    # BGP sessions; without gateway transit it does not learn a peered VNet's prefixes, so it does not advertise them
    # (§6.2: transit needs allowGatewayTransit on the hub's link and useRemoteGateways on the spoke's).
    net = hub_with_bgp_site(["192.168.50.0/24", "0.0.0.0/0", "10.0.0.0/8"], static=["192.168.51.0/24"],
                            spokes=[("transit", "10.1.0.0/16", "westeurope", True),
                                    ("plain", "10.2.0.0/16", "westeurope", False)])
    net.add_vnet("allowed", ["10.3.0.0/16"], region="westeurope")
    net.peer("hub", "allowed", allow_gateway_transit="hub")  # the hub allows, the spoke does not use it
    net.add_vnet("half", ["10.4.0.0/16"], region="westeurope")
    net.add_peering_link("hub", "half", allow_gateway_transit=True)  # Initiated only
    net.add_local_network_gateway("other", "198.51.100.7", ["192.168.70.0/24"], bgp_asn=65070,
                                  bgp_peer_ip="192.168.70.1", advertised=["192.168.70.0/24", "192.168.71.0/24"])
    net.connect("hub", "other", "IPsec", enable_bgp=True)
    to_branch = net.advertised_prefixes("hub", "hub-to-branch")
    assert len(to_branch) == len(set(to_branch))  # 192.168.70.0/24 is both static and announced: once
    assert sorted(to_branch) == ["10.0.0.0/16", "10.1.0.0/16", "192.168.70.0/24", "192.168.71.0/24"]
    # what branch announced goes on to other, except the default route and 10.0.0.0/8, which overlaps the hub's range
    # ("except default route or routes overlapped with any VNet prefix")
    assert sorted(net.advertised_prefixes("hub", "hub-to-other")) == [
        "10.0.0.0/16", "10.1.0.0/16", "192.168.50.0/24", "192.168.51.0/24"]
    assert net.effective_routes("hub", "app").lookup("8.8.8.8").next_hop_type == GW  # the hub itself uses both
    assert net.effective_routes("hub", "app").lookup("10.200.0.1").next_hop_type == GW


def test_a_static_connection_listed_first_does_not_hide_a_bgp_session_over_the_limit():
    # §2.6 / VPN FAQ: a BGP peer announcing more than 4,000 prefixes loses its session
    net = vl.Network()
    hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    hub.add_subnet("GatewaySubnet", "10.0.255.0/27")
    net.add_vpn_gateway("hub", sku="VpnGw2AZ", bgp_asn=65010)
    net.add_local_network_gateway("static", "198.51.100.9", ["192.168.9.0/24"])
    net.connect("hub", "static", "IPsec")
    net.add_local_network_gateway("big", "198.51.100.1", [], bgp_asn=65050, bgp_peer_ip="192.168.1.1",
                                  advertised=[f"10.{128 + i // 256}.{i % 256}.0/24" for i in range(4001)])
    net.connect("hub", "big", "IPsec", enable_bgp=True)
    assert [f for f in net.findings() if "BGP session on hub-to-big is dropped" in f]


def test_a_user_defined_default_route_removes_the_none_routes():
    # §7.8 / UDR overview routing example (2023-05-27): "Azure removed the routes for the 10.0.0.0/8, 192.168.0.0/16,
    # and 100.64.0.0/10 address prefixes from the Subnet1 route table when the user-defined route for the 0.0.0.0/0
    # address prefix was added to Subnet1"; Subnet2, without that route, keeps them. (172.16.0.0/12 is not in the
    # example's tables at all; vnetlab removes it too, an inference recorded in vnetlab/data/routing.yaml.)
    net = vl.Network()
    v = net.add_vnet("v", ["10.0.0.0/16"], region="westeurope")
    v.add_subnet("Subnet1", "10.0.0.0/24")
    v.add_subnet("Subnet2", "10.0.1.0/24")
    v.add_subnet("dmz", "10.0.100.0/24").add_nic("nva", "10.0.100.4")
    net.set_ip_forwarding("nva")
    net.add_route_table("rt")
    net.add_route("rt", "Default-NVA", "0.0.0.0/0", "VirtualAppliance", "10.0.100.4")
    net.associate_route_table("v", "Subnet1", "rt")
    reserved = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"}
    subnet1, subnet2 = net.effective_routes("v", "Subnet1"), net.effective_routes("v", "Subnet2")
    assert not [r for r in subnet1 if r.prefix in reserved]
    assert {r.prefix for r in subnet2 if r.next_hop_type == "None"} == reserved
    assert subnet1.lookup("192.168.5.5").name == "Default-NVA"  # forced tunnelling: not dropped any more
    assert subnet2.lookup("192.168.5.5").next_hop_type == "None"
    assert subnet1.lookup("10.0.1.4").next_hop_type == "VnetLocal"


def dimmed(html):
    """The prefixes of the greyed rows (the colour is the display's, read from it: a readable grey, not a value)."""
    from vnetlab.display import DIM

    rows = re.findall(rf'<tr style="color:{DIM};">(.*?)</tr>', html)
    return [re.findall(r"<td[^>]*>([^<]*)</td>", row)[2] for row in rows]


def test_a_table_lists_each_route_in_the_portals_columns_and_greys_the_invalid_ones():
    # §7.4: losers stay listed as Invalid; §7.8: the columns of the routing example (Source, State, Prefix, Next hop
    # type, Next hop IP, UDR name), plus vnetlab's Why
    routes = preferred_net().effective_routes("hub", "app")
    assert len(routes) == len(list(routes)) == len(routes.routes)
    invalid = [r.prefix for r in routes if r.state == "Invalid"]
    assert sorted(invalid) == sorted(p for _, p, _ in PREFERRED_CASES)
    assert sorted(dimmed(routes._repr_html_())) == sorted(invalid)
    assert re.search(r"<caption[^>]*>Effective routes of hub/app</caption>", routes._repr_html_())
    assert str(routes).splitlines()[0] == "Effective routes of hub/app"
    gw_row = routes.find("10.3.0.0/24")[0].row()
    assert gw_row[:4] == ("VirtualNetworkGateway", "Active", "10.3.0.0/24", GW) and gw_row[5] == ""
    assert gw_row[4] == ", ".join(preferred_net().gateway("hub").instance_ips)
    assert routes.active == tuple(r for r in routes if r.state == "Active")


def test_where_and_find_filter_the_rows_and_say_so():
    routes = preferred_net().effective_routes("hub", "app")
    gateway = routes.where(source="VirtualNetworkGateway")
    assert {r.prefix for r in gateway} == {p for _, p, _ in PREFERRED_CASES} | {"10.3.0.0/24"}
    assert gateway.caption == "Effective routes of hub/app where source = VirtualNetworkGateway"
    assert sorted(dimmed(gateway._repr_html_())) == sorted(p for _, p, _ in PREFERRED_CASES)
    both = routes.where(source="VirtualNetworkGateway", state="Active")
    assert [r.prefix for r in both] == ["10.3.0.0/24"]
    assert [r.next_hop_type for r in routes.find("10.0.0.0/24")] == [GW]
    assert routes.find("10.0.0.0/24", "VnetLocal") == [] and routes.find("10.0.0.0/16", "VnetLocal")
    assert routes.find("10.0.0.0/24").caption == "Routes of hub/app for 10.0.0.0/24"
    with pytest.raises(SettingError) as err:
        routes.where(hop="None")
    assert err.value.rule == "filter on a field of the effective routes table" and err.value.value == ["hop"]
    assert "prefix" in str(err.value) and "next_hop_type" in str(err.value)


def test_two_tables_of_the_same_routes_are_equal():
    net = preferred_net()
    a, b = net.effective_routes("hub", "app"), materialise(net.vnet("hub"), net.subnet("hub", "app"))
    assert a == b and hash(a) == hash(b) and a != net.effective_routes("near", "app")
    assert a.__eq__("not routes") is NotImplemented
    assert repr(a).startswith("EffectiveRoutes(vnet='hub', subnet='app', routes=(Route(")


@pytest.mark.parametrize("each, reported", [(2000, False), (2001, True)])
def test_bgp_prefixes_over_the_gateway_limit_in_all_are_reported(each, reported):
    # §2.5 / VPN Gateway limits: 4,000 BGP prefixes per gateway; no session is over its own limit here
    net = vl.Network()
    hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    hub.add_subnet("GatewaySubnet", "10.0.255.0/27")
    net.add_vpn_gateway("hub", sku="VpnGw2AZ", bgp_asn=65010)
    for k, (name, asn) in enumerate((("s1", 65051), ("s2", 65052))):
        net.add_local_network_gateway(name, f"198.51.100.{k + 1}", [], bgp_asn=asn, bgp_peer_ip=f"192.168.{k}.1",
                                      advertised=[f"10.{128 + 16 * k + i // 256}.{i % 256}.0/24" for i in range(each)])
        net.connect("hub", name, "IPsec", enable_bgp=True)
    found = [f for f in net.findings() if "over BGP in all" in f]
    assert bool(found) == reported and not [f for f in net.findings() if "BGP session on" in f]
    if reported:
        assert "hub-vpngw learns 4,002 prefixes over BGP in all, more than the 4,000" in found[0]


def test_one_route_displays_as_a_one_row_table():
    routes = preferred_net().effective_routes("hub", "app")
    route = routes.find("10.3.0.0/24")[0]
    assert str(route).splitlines()[0].split()[:3] == ["Source", "State", "Address"]
    assert "10.3.0.0/24" in str(route) and "10.3.0.0/24" in route._repr_html_() and "<table" in route._repr_html_()

    class Pretty:
        text_seen = ""

        def text(self, s):
            self.text_seen += s
    p = Pretty()
    route._repr_pretty_(p, False)
    assert p.text_seen == str(route)


def test_where_names_every_criterion_and_the_fields_it_knows():
    routes = preferred_net().effective_routes("hub", "app")
    both = routes.where(source="VirtualNetworkGateway", state="Active")
    assert both.caption == "Effective routes of hub/app where source = VirtualNetworkGateway, state = Active"
    with pytest.raises(SettingError) as err:
        routes.where(hop="None", via="x")
    assert str(err.value).startswith("where(hop, via=...): a route has no such field; use prefix, next_hop_type, "
                                     "source, state, next_hop_ip, name")


def test_a_session_over_the_prefix_limit_is_dropped_and_one_at_it_is_not():
    # §2.6 / VPN FAQ: up to 4,000 prefixes; "the BGP session is dropped if the number of prefixes exceeds the limit"
    from vnetlab.routes import bgp_advertisement, bgp_prefix_limit, bgp_session_dropped
    assert bgp_prefix_limit().value == 4000
    for count, dropped in ((4000, False), (4001, True)):
        net = vl.Network()
        hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
        hub.add_subnet("GatewaySubnet", "10.0.255.0/27")
        net.add_vpn_gateway("hub", sku="VpnGw2AZ", bgp_asn=65010)
        net.add_local_network_gateway("big", "198.51.100.1", [], bgp_asn=65050, bgp_peer_ip="192.168.1.1",
                                      advertised=[f"10.{128 + i // 256}.{i % 256}.0/24" for i in range(count)])
        net.connect("hub", "big", "IPsec", enable_bgp=True)
        assert bgp_session_dropped(net.connection("hub", "hub-to-big")) is dropped
    advert = bgp_advertisement()
    assert advert.value["default_route_onward"] is False and "vpn-gateway-vpn-faq" in advert.source


def test_each_advertised_prefix_says_where_it_comes_from():
    from vnetlab.routes import advertised_to
    net = hub_with_bgp_site(["192.168.50.0/24"], spokes=[("transit", "10.1.0.0/16", "westeurope", True)])
    net.add_local_network_gateway("other", "198.51.100.7", ["192.168.70.0/24"])
    net.connect("hub", "other", "IPsec")
    origins = {a.prefix: a.origin for a in advertised_to(net.connection("hub", "hub-to-other"))}
    assert origins == {"10.0.0.0/16": "hub's range", "10.1.0.0/16": "transit spoke transit",
                       "192.168.50.0/24": "BGP from site branch via hub-to-branch"}


def test_advertised_vnet_range_names_the_egress_snat_rule_that_translated_it():
    # §5.2 / §5.4: the gateway advertises the external prefix of the VNet's EgressSnat rule
    from vnetlab.routes import advertised_to
    net = vl.load_scenario("nat-branches")
    [vnet_range] = [a for a in advertised_to(net.connection("VNet", "VNet-Branch1")) if a.prefix == "192.168.1.0/24"]
    assert vnet_range.origin == "VNet's range after EgressSnat rule VNet (10.0.1.0/24 → 192.168.1.0/24)"


def test_a_shorter_gateway_route_listed_before_does_not_hide_one_inside_the_vnet():
    # §7.4: 10.0.5.0/24 (BGP) inside the hub's 10.0.0.0/16 loses to VnetLocal, whatever else the gateway learned
    routes = hub_with_bgp_site(["0.0.0.0/1", "10.0.5.0/24"]).effective_routes("hub", "app")
    assert routes.lookup("10.0.5.4").next_hop_type == "VnetLocal"
    assert routes.lookup("8.8.8.8").next_hop_type == GW and routes.lookup("8.8.8.8").prefix == "0.0.0.0/1"


def test_an_active_active_gateway_route_lists_both_instances():
    # each instance of an active-active gateway has its own address (§2.2/§2.4); the route names both
    net = vl.Network()
    hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    hub.add_subnet("app", "10.0.1.0/24")
    hub.add_subnet("GatewaySubnet", "10.0.255.0/27")
    gw = net.add_vpn_gateway("hub", sku="VpnGw1AZ", active_active=True)
    net.add_local_network_gateway("branch", "198.51.100.1", ["192.168.60.0/24"])
    net.connect("hub", "branch", "IPsec")
    [route] = net.effective_routes("hub", "app").find("192.168.60.0/24")
    assert len(gw.instance_ips) == 2 and route.row()[4] == f"{gw.instance_ips[0]}, {gw.instance_ips[1]}"


def test_no_bgp_session_on_a_connection_that_is_down():
    # a connection whose IKE fails (§4.2) carries no BGP session, so 4,001 announced prefixes drop nothing
    net = vl.Network()
    hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    hub.add_subnet("GatewaySubnet", "10.0.255.0/27")
    net.add_vpn_gateway("hub", sku="VpnGw2AZ", bgp_asn=65010)
    net.add_local_network_gateway("big", "198.51.100.1", [], bgp_asn=65050, bgp_peer_ip="192.168.1.1",
                                  advertised=[f"10.{128 + i // 256}.{i % 256}.0/24" for i in range(4001)])
    net.set_vpn_device("big", phase1=["AES128/MD5/DHGroup1"], phase2=["AES128/MD5/None"])
    net.connect("hub", "big", "IPsec", enable_bgp=True)
    assert net.connection("hub", "hub-to-big").status == "NotConnected"
    assert not [f for f in net.findings() if "BGP" in f]


def test_bgp_checks_follow_a_vnet_to_vnet_session():
    from vnetlab.routes import bgp_session_dropped
    net = v2v_with_bgp(True, True)
    assert bgp_session_dropped(net.connection("vnet1", "vnet1-to-vnet2")) is False
    assert not [f for f in net.findings() if "BGP" in f]


def test_a_site_route_says_it_was_typed_by_hand():
    # §3.2: the LNG's prefixes are typed by hand (static); BGP-learned ones say where they came from
    net = hub_with_bgp_site(["192.168.50.0/24"], static=["192.168.60.0/24"])
    routes = net.effective_routes("hub", "app")
    assert routes.find("192.168.60.0/24")[0].origin == "LNG branch (static, typed by hand) via hub-to-branch"
    assert routes.find("192.168.50.0/24")[0].origin == "BGP from site branch via hub-to-branch"
