"""Effective routes: default system routes and peering routes as the UDR overview lists them (facts §7)."""
import vnetlab as vl
from vnetlab.routes import Route, select


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
