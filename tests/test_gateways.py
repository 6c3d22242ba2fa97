"""VPN gateways, connections, gateway routes, UDRs and traces across tunnels: azure-facts.md S1-S3, S6, S11, §7.8."""
import pytest

import vnetlab as vl
from vnetlab.connection import GatewayConnectionError
from vnetlab.errors import GatewayTransitError, PeeringError
from vnetlab.gateway import BgpError, GatewayError, SkuError
from vnetlab.local_gateway import LocalGatewayError
from vnetlab.route_table import RouteTableError


def s1(*, use_remote_gateways=True, lng_prefix="192.168.1.0/24", sku="VpnGw2AZ"):
    """S1: hub with VpnGw2AZ and an IPsec connection to branch; spoke peered with transit."""
    net = vl.Network()
    hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    hub.add_subnet("GatewaySubnet", "10.0.255.0/27")
    hub.add_subnet("shared", "10.0.1.0/24").add_nic("vm-hub")
    net.add_vnet("spoke", ["10.1.0.0/16"], region="westeurope").add_subnet("app", "10.1.1.0/24").add_nic("vm-spoke")
    net.add_vpn_gateway("hub", sku)
    net.add_local_network_gateway("branch", "203.0.113.10", [lng_prefix])
    net.connect("hub", "branch", kind="IPsec")
    net.peer("hub", "spoke", allow_gateway_transit="hub", use_remote_gateways="spoke" if use_remote_gateways else None)
    return net


def test_s1_spoke_reaches_on_premises_through_the_hub_gateway():
    net = s1()
    routes = net.effective_routes("spoke", "app")
    chosen = routes.lookup("192.168.1.10")
    assert (chosen.prefix, chosen.next_hop_type, chosen.source) == ("192.168.1.0/24", "VirtualNetworkGateway",
                                                                   "VirtualNetworkGateway")
    assert chosen.next_hop_ip == net.gateway("hub").instance_ips  # an address of the hub gateway
    t = net.trace("vm-spoke", "192.168.1.10", port=443)
    assert t.reachable and t.dst_vnet == "branch"
    assert [h.action for h in t.hops][-2:] == ["to gateway", "IPsec tunnel"]


def test_s1_variant_a_without_use_remote_gateways_the_site_is_dropped():
    net = s1(use_remote_gateways=False)
    chosen = net.effective_routes("spoke", "app").lookup("192.168.1.10")
    assert (chosen.prefix, chosen.next_hop_type) == ("192.168.0.0/16", "None")
    assert "use_remote_gateways" in net.trace("vm-spoke", "192.168.1.10").reason


def test_s1_variant_b_route_propagation_off_then_a_udr_fixes_it():
    net = s1()
    net.add_route_table("rt-spoke", disable_bgp_route_propagation=True)
    net.associate_route_table("spoke", "app", "rt-spoke")
    t = net.trace("vm-spoke", "192.168.1.10")
    assert t.verdict == "Dropped" and "disables gateway route propagation" in t.reason
    net.add_route("rt-spoke", "to-branch", "192.168.1.0/24", "VirtualNetworkGateway")
    assert net.trace("vm-spoke", "192.168.1.10").reachable


def test_s1_variant_c_lng_prefix_equal_to_default_none_route_wins_by_the_documented_inference():
    # facts §7.4 inference (flagged): the gateway route ties with 192.168.0.0/16 → None and wins
    net = s1(lng_prefix="192.168.0.0/16")
    routes = net.effective_routes("spoke", "app")
    states = {r.next_hop_type: r.state for r in routes.find("192.168.0.0/16")}
    assert states == {"None": "Invalid", "VirtualNetworkGateway": "Active"}


def test_s2_fix_2_nva_in_the_hub_with_forwarded_traffic():
    net = vl.load_scenario("hub-and-spoke")
    net.vnet("hub").add_subnet("nva", "10.0.2.0/24").add_nic("nva", "10.0.2.4", ip_forwarding=True)
    for spoke, other in (("spoke1", "10.2.0.0/16"), ("spoke2", "10.1.0.0/16")):
        net.add_route_table(f"rt-{spoke}")
        net.add_route(f"rt-{spoke}", "via-nva", other, "VirtualAppliance", "10.0.2.4")
        net.associate_route_table(spoke, "app", f"rt-{spoke}")
    t = net.trace("vm-spoke1", "10.2.1.4")
    assert t.verdict == "Dropped" and "allow_forwarded_traffic" in t.reason  # spoke2's link must accept it
    net.set_peering("spoke2", "hub", allow_forwarded_traffic=True)
    t = net.trace("vm-spoke1", "10.2.1.4")
    assert t.reachable and "appliance" in [h.action for h in t.hops]


def test_s2_appliance_without_ip_forwarding_drops():
    net = vl.load_scenario("hub-and-spoke")
    net.vnet("hub").add_subnet("nva", "10.0.2.0/24").add_nic("nva", "10.0.2.4")
    net.add_route_table("rt")
    net.add_route("rt", "via-nva", "10.2.0.0/16", "VirtualAppliance", "10.0.2.4")
    net.associate_route_table("spoke1", "app", "rt")
    assert "IP forwarding is off" in net.trace("vm-spoke1", "10.2.1.4").reason


def v2v_pair(asns=(None, None)):
    net = vl.Network()
    for (name, space, region), asn in zip((("vnet1", "10.1.0.0/16", "westeurope"), ("vnet2", "10.2.0.0/16", "japanwest")),
                                          asns):
        v = net.add_vnet(name, [space], region=region)
        v.add_subnet("GatewaySubnet", space.replace("0.0/16", "255.0/27"))
        v.add_subnet("app", space.replace("0.0/16", "1.0/24")).add_nic(f"vm-{name}")
        net.add_vpn_gateway(name, "VpnGw1AZ", bgp_asn=asn)
    return net


def test_s3_vnet_to_vnet_follows_the_address_space_change():
    net = v2v_pair()
    net.connect("vnet1", "vnet2", kind="Vnet2Vnet")
    net.add_address_space("vnet2", "10.22.0.0/16")
    net.vnet("vnet2").add_subnet("new", "10.22.0.0/24").add_nic("vm-new", "10.22.0.5")
    route = net.effective_routes("vnet1", "app").lookup("10.22.0.5")
    assert (route.prefix, route.next_hop_type) == ("10.22.0.0/16", "VirtualNetworkGateway")
    t = net.trace("vm-vnet1", "10.22.0.5")
    assert t.reachable and "VNet-to-VNet tunnel" in [h.action for h in t.hops]


def test_s3_site_to_site_goes_stale_until_the_lng_is_edited():
    net = v2v_pair()
    net.add_local_network_gateway("lng-vnet2", "203.0.113.2", ["10.2.0.0/16"])
    net.add_local_network_gateway("lng-vnet1", "203.0.113.1", ["10.1.0.0/16"])
    net.connect("vnet1", "lng-vnet2", kind="IPsec")
    net.connect("vnet2", "lng-vnet1", kind="IPsec")
    net.add_address_space("vnet2", "10.22.0.0/16")
    route = net.effective_routes("vnet1", "app").lookup("10.22.0.5")
    assert (route.prefix, route.next_hop_type) == ("10.0.0.0/8", "None")
    assert "typed by hand" in net.trace("vm-vnet1", "10.22.0.5").reason
    net.set_local_network_gateway_prefixes("lng-vnet2", ["10.2.0.0/16", "10.22.0.0/16"])
    assert net.effective_routes("vnet1", "app").lookup("10.22.0.5").next_hop_type == "VirtualNetworkGateway"


def test_vnet_to_vnet_needs_both_connection_resources():
    net = v2v_pair()
    net.connect("vnet1", "vnet2", bidirectional=False)
    assert net.effective_routes("vnet1", "app").find("10.2.0.0/16") == []
    net.connect("vnet2", "vnet1", bidirectional=False)
    assert net.effective_routes("vnet1", "app").find("10.2.0.0/16", "VirtualNetworkGateway")


def test_s4_overlapping_vnets_cannot_be_joined_by_vnet_to_vnet():
    net = v2v_pair()
    net.set_address_space("vnet2", ["10.2.0.0/16", "10.1.128.0/17"])
    with pytest.raises(GatewayConnectionError, match="overlap"):
        net.connect("vnet1", "vnet2")
    assert net.connections == []


def test_s6_gateway_transit_mistakes():
    net = s1(use_remote_gateways=False)
    # (a) a spoke with its own gateway cannot use remote gateways
    net.vnet("spoke").add_subnet("GatewaySubnet", "10.1.255.0/27")
    net.add_vpn_gateway("spoke", "VpnGw1AZ")
    with pytest.raises(GatewayTransitError, match="own gateway"):
        net.set_peering("spoke", "hub", use_remote_gateways=True)
    # (b) only one peering may use remote gateways
    net2 = s1()
    net2.add_vnet("hub2", ["10.5.0.0/16"], region="westeurope").add_subnet("GatewaySubnet", "10.5.255.0/27")
    net2.add_vpn_gateway("hub2", "VpnGw1AZ")
    net2.peer("hub2", "spoke", allow_gateway_transit="hub2")
    with pytest.raises(GatewayTransitError, match="only one"):
        net2.set_peering("spoke", "hub2", use_remote_gateways=True)
    # (c) hub link without allow_gateway_transit
    net3 = s1(use_remote_gateways=False)
    net3.set_peering("hub", "spoke", allow_gateway_transit=False)
    with pytest.raises(GatewayTransitError, match="allow_gateway_transit"):
        net3.set_peering("spoke", "hub", use_remote_gateways=True)


def test_s6d_basic_hub_gateway_does_not_offer_transit():
    net = vl.Network()
    net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope").add_subnet("GatewaySubnet", "10.0.255.0/27")
    net.add_vnet("spoke", ["10.1.0.0/16"], region="westeurope")
    net.add_vpn_gateway("hub", "Basic")
    with pytest.raises(GatewayTransitError, match="Basic"):
        net.peer("hub", "spoke", allow_gateway_transit="hub")


def test_s6e_transit_over_global_peering_is_allowed():
    net = s1(use_remote_gateways=False)
    net.add_vnet("far", ["10.9.0.0/16"], region="japanwest").add_subnet("app", "10.9.1.0/24").add_nic("vm-far")
    ab, ba = net.peer("hub", "far", allow_gateway_transit="hub", use_remote_gateways="far")
    assert ab.kind == "Global"
    assert net.trace("vm-far", "192.168.1.10").reachable


def test_s11a_peering_route_beats_a_default_route_udr():
    net = vl.load_scenario("hub-and-spoke")
    net.add_route_table("rt")
    net.add_route("rt", "default-nva", "0.0.0.0/0", "VirtualAppliance", "10.0.2.4")
    net.associate_route_table("spoke1", "app", "rt")
    assert net.effective_routes("spoke1", "app").lookup("10.0.1.4").next_hop_type == "VNetPeering"


def test_s11b_user_default_route_to_the_gateway_beats_internet():
    net = s1()
    net.add_route_table("rt")
    net.add_route("rt", "force", "0.0.0.0/0", "VirtualNetworkGateway")
    net.associate_route_table("spoke", "app", "rt")
    routes = net.effective_routes("spoke", "app")
    assert routes.lookup("8.8.8.8").next_hop_type == "VirtualNetworkGateway"
    assert {r.state for r in routes.find("0.0.0.0/0", "Internet")} == {"Invalid"}


def test_s11c_system_peering_route_beats_a_more_specific_bgp_route():
    net = vl.Network()
    hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    hub.add_subnet("GatewaySubnet", "10.0.255.0/27")
    hub.add_subnet("shared", "10.0.1.0/24").add_nic("vm-hub")
    net.add_vnet("spoke", ["10.1.0.0/16"], region="westeurope").add_subnet("app", "10.1.5.0/24").add_nic("vm-s", "10.1.5.4")
    net.add_vpn_gateway("hub", "VpnGw2AZ", bgp_asn=65010)
    net.add_local_network_gateway("onprem", "203.0.113.20", [], bgp_asn=65020, bgp_peer_ip="192.168.0.1",
                                  advertised=["10.1.5.0/24", "192.168.0.0/20"])
    net.connect("hub", "onprem", kind="IPsec", enable_bgp=True)
    net.peer("hub", "spoke")
    routes = net.effective_routes("hub", "shared")
    assert routes.lookup("10.1.5.4").next_hop_type == "VNetPeering"
    assert {r.state for r in routes.find("10.1.5.0/24", "VirtualNetworkGateway")} == {"Invalid"}
    assert routes.lookup("192.168.1.1").source == "VirtualNetworkGateway"
    assert net.trace("vm-hub", "10.1.5.4").reachable


def test_vnet_to_vnet_with_bgp_carries_the_remote_hubs_spokes_multi_hop():
    net = v2v_pair(asns=(65001, 65002))
    net.add_vnet("spoke2", ["10.32.0.0/16"], region="japanwest").add_subnet("app", "10.32.1.0/24").add_nic("vm-s2")
    net.peer("vnet2", "spoke2", allow_gateway_transit="vnet2", use_remote_gateways="spoke2")
    net.connect("vnet1", "vnet2", enable_bgp=True)
    assert net.effective_routes("vnet1", "app").lookup("10.32.1.4").next_hop_type == "VirtualNetworkGateway"
    assert net.trace("vm-vnet1", "10.32.1.4").reachable


def test_vnet_to_vnet_without_bgp_does_not_carry_the_remote_spokes():
    net = v2v_pair()
    net.add_vnet("spoke2", ["10.32.0.0/16"], region="japanwest").add_subnet("app", "10.32.1.0/24").add_nic("vm-s2")
    net.peer("vnet2", "spoke2", allow_gateway_transit="vnet2", use_remote_gateways="spoke2")
    net.connect("vnet1", "vnet2")
    assert net.effective_routes("vnet1", "app").lookup("10.32.1.4").next_hop_type == "None"


def test_point_to_site_pool_is_routed_to_the_gateway_and_not_over_vnet_to_vnet():
    net = v2v_pair()
    net.add_point_to_site("vnet1", ["172.16.201.0/24"])
    net.connect("vnet1", "vnet2")
    assert net.effective_routes("vnet1", "app").lookup("172.16.201.10").next_hop_type == "VirtualNetworkGateway"
    assert net.trace("vm-vnet1", "172.16.201.10").dst_vnet == "P2S"
    assert net.effective_routes("vnet2", "app").lookup("172.16.201.10").next_hop_type == "None"


@pytest.mark.parametrize("call, err, match", [
    (lambda n: n.add_vpn_gateway("vnet1", "VpnGw1AZ"), GatewayError, "one VPN gateway"),
    (lambda n: n.add_vpn_gateway("plain", "VpnGw1AZ"), GatewayError, "GatewaySubnet"),
    (lambda n: n.add_vpn_gateway("gwless", "Basic", bgp_asn=65001), BgpError, "BGP"),
    (lambda n: n.add_vpn_gateway("gwless", "VpnGw2AZ", vpn_type="PolicyBased"), GatewayError, "Basic"),
    (lambda n: n.add_vpn_gateway("gwless", "Basic", active_active=True), GatewayError, "active-active"),
    (lambda n: n.add_vpn_gateway("gwless", "VpnGw2AZ", bgp_asn=65515 + 2), BgpError, "reserved by Azure"),
    (lambda n: n.add_vpn_gateway("gwless", "HighPerformance"), SkuError, "2023-12-01"),
    (lambda n: n.add_local_network_gateway("site", "10.0.0.1", ["192.168.0.0/24"]), LocalGatewayError, "public"),
    (lambda n: n.add_route("rt", "x", "10.0.0.0/8", "VNetPeering"), RouteTableError, "cannot be a user-defined"),
    (lambda n: n.add_route("rt", "x", "10.0.0.0/8", "VirtualAppliance"), RouteTableError, "IP"),
    (lambda n: n.connect("vnet1", "vnet2", kind="ExpressRoute"), GatewayConnectionError, "Vnet2Vnet or IPsec"),
])
def test_documented_refusals(call, err, match):
    net = v2v_pair()
    net.add_vnet("plain", ["10.50.0.0/16"], region="westeurope")
    net.add_vnet("gwless", ["10.60.0.0/16"], region="westeurope").add_subnet("GatewaySubnet", "10.60.255.0/27")
    net.add_route_table("rt")
    with pytest.raises(err, match=match):
        call(net)


def test_gateway_subnet_route_table_rules():
    net = v2v_pair()
    net.add_route_table("no-prop", disable_bgp_route_propagation=True)
    with pytest.raises(RouteTableError, match="propagation"):
        net.associate_route_table("vnet1", "GatewaySubnet", "no-prop")


def test_tunnel_limit_per_sku():
    net = vl.Network()
    net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope").add_subnet("GatewaySubnet", "10.0.255.0/27")
    net.add_vpn_gateway("hub", "Basic")
    for i in range(10):  # Basic: 10 tunnels (About gateway SKUs)
        net.add_local_network_gateway(f"site{i}", f"203.0.113.{100 + i}", [f"192.168.{i}.0/24"])
        net.connect("hub", f"site{i}", kind="IPsec")
    net.add_local_network_gateway("site10", "203.0.113.120", ["192.168.10.0/24"])
    with pytest.raises(GatewayConnectionError, match="limit is 10"):
        net.connect("hub", "site10", kind="IPsec")


def test_routing_example_of_the_udr_overview():
    # facts §7.8 (service endpoint row left out): Subnet1's effective routes and their states
    net = vl.Network()
    v1 = net.add_vnet("Virtual-network-1", ["10.0.0.0/16"], region="eastus")
    v1.add_subnet("Subnet1", "10.0.0.0/24")
    v1.add_subnet("nva", "10.0.100.0/24").add_nic("nva", "10.0.100.4", ip_forwarding=True)
    v1.add_subnet("GatewaySubnet", "10.0.255.0/27")
    net.add_vnet("Virtual-network-2", ["10.1.0.0/16"], region="eastus")
    net.add_vnet("Virtual-network-3", ["10.2.0.0/16"], region="eastus")
    net.peer("Virtual-network-1", "Virtual-network-2"), net.peer("Virtual-network-1", "Virtual-network-3")
    net.add_vpn_gateway("Virtual-network-1", "VpnGw1AZ")
    net.add_local_network_gateway("on-prem", "203.0.113.50", ["10.10.0.0/16"])
    net.connect("Virtual-network-1", "on-prem", kind="IPsec")
    net.add_route_table("Subnet1-rt")
    for name, prefix, hop, ip in (("Within-VNet1", "10.0.0.0/16", "VirtualAppliance", "10.0.100.4"),
                                  ("Within-Subnet1", "10.0.0.0/24", "VnetLocal", None),
                                  ("ToVNet2-1-Drop", "10.1.0.0/16", "None", None),
                                  ("ToVNet2-2-Drop", "10.2.0.0/16", "None", None),
                                  ("To-On-Prem", "10.10.0.0/16", "VirtualAppliance", "10.0.100.4"),
                                  ("Default-NVA", "0.0.0.0/0", "VirtualAppliance", "10.0.100.4")):
        net.add_route("Subnet1-rt", name, prefix, hop, ip)
    net.associate_route_table("Virtual-network-1", "Subnet1", "Subnet1-rt")
    got = {(r.source, r.state, r.prefix, r.next_hop_type, r.name) for r in net.effective_routes("Virtual-network-1", "Subnet1")
           if r.next_hop_type != "None" or r.source == "User"}
    expected = {
        ("Default", "Invalid", "10.0.0.0/16", "VnetLocal", ""),
        ("User", "Active", "10.0.0.0/16", "VirtualAppliance", "Within-VNet1"),
        ("User", "Active", "10.0.0.0/24", "VnetLocal", "Within-Subnet1"),
        ("Default", "Invalid", "10.1.0.0/16", "VNetPeering", ""),
        ("Default", "Invalid", "10.2.0.0/16", "VNetPeering", ""),
        ("User", "Active", "10.1.0.0/16", "None", "ToVNet2-1-Drop"),
        ("User", "Active", "10.2.0.0/16", "None", "ToVNet2-2-Drop"),
        ("VirtualNetworkGateway", "Invalid", "10.10.0.0/16", "VirtualNetworkGateway", ""),
        ("User", "Active", "10.10.0.0/16", "VirtualAppliance", "To-On-Prem"),
        ("Default", "Invalid", "0.0.0.0/0", "Internet", ""),
        ("User", "Active", "0.0.0.0/0", "VirtualAppliance", "Default-NVA"),
    }
    assert got == expected


def test_scenario_round_trip_with_gateways_tables_and_connections():
    net = s1()
    net.add_route_table("rt", disable_bgp_route_propagation=True)
    net.add_route("rt", "to-branch", "192.168.1.0/24", "VirtualNetworkGateway")
    net.associate_route_table("spoke", "app", "rt")
    net.add_point_to_site("hub", ["172.16.201.0/24"], ("OpenVPN",))
    again = vl.Network.from_yaml(net.to_yaml())
    assert again.to_dict() == net.to_dict()
    assert again.trace("vm-spoke", "192.168.1.10").reachable


def test_new_range_overlapping_a_connected_vnet_or_site_is_refused():
    # facts §3.3: address spaces of all connected VNets and local sites must not overlap
    net = v2v_pair()
    net.connect("vnet1", "vnet2")
    with pytest.raises(GatewayConnectionError, match="overlap"):
        net.add_address_space("vnet1", "10.2.128.0/17")
    net2 = s1()
    with pytest.raises(GatewayConnectionError, match="branch"):
        net2.add_address_space("hub", "192.168.1.0/25")


def test_small_gateway_subnet_is_flagged_for_non_basic_skus():
    # facts §2.3 / S10c: warn below /27; the 2024-02-29 settings text supports that only for Basic
    net = vl.Network()
    net.add_vnet("a", ["10.8.0.0/16"], region="westeurope").add_subnet("GatewaySubnet", "10.8.255.0/28")
    gw = net.add_vpn_gateway("a", "VpnGw1AZ")
    assert any("/27" in f and "Basic" in f for f in gw.findings)
    assert len(net.findings()) == 2  # the subnet's own advice and the gateway's


def test_site_to_site_between_two_vnets_needs_both_sides():
    net = vl.load_scenario("v2v-vs-s2s")
    t = net.trace("vm-s2s-vnet1", "10.12.1.4")
    assert t.reachable and t.dst_vnet == "s2s-vnet2"
    net.remove_connection("s2s-vnet2", "s2s-vnet2-to-lng-s2s-vnet1")
    assert "needs a connection (and an LNG) on each side" in net.trace("vm-s2s-vnet1", "10.12.1.4").reason


def test_a_vnet_to_vnet_peer_may_not_overlap_a_site_already_connected_to_the_gateway():
    """VNet-to-VNet how-to (2025-06-30): the address spaces of all connected VNets and sites must not overlap."""
    net = vl.Network.from_dict({"name": "overlap", "vnets": [
        {"name": "a", "address_space": ["10.20.0.0/16"], "region": "westeurope",
         "subnets": [{"name": "GatewaySubnet", "prefix": "10.20.255.0/27"}]},
        {"name": "b", "address_space": ["10.30.0.0/16"], "region": "westeurope",
         "subnets": [{"name": "GatewaySubnet", "prefix": "10.30.255.0/27"}]}],
        "local_network_gateways": [{"name": "dc", "gateway_ip": "198.51.100.10", "prefixes": ["10.30.16.0/20"]}]})
    net.add_vpn_gateway("a", "VpnGw1AZ")
    net.add_vpn_gateway("b", "VpnGw1AZ")
    net.connect("a", "dc", kind="IPsec")
    with pytest.raises(vl.VnetlabError, match="must not overlap"):
        net.connect("a", "b", kind="Vnet2Vnet")


def _hub_spoke_site():
    """S1 without the peering: hub with a VpnGw2AZ gateway and an IPsec connection to a branch, a spoke with a VM."""
    net = s1()
    net.remove_peering("hub", "spoke")
    return net


@pytest.mark.parametrize("order", [("hub", "spoke"), ("spoke", "hub")])
def test_peer_names_the_vnet_whose_link_carries_each_gateway_setting(order):
    # Manage peering (facts §6.2): allowGatewayTransit is a setting of the hub's link, useRemoteGateways of the
    # spoke's; naming the VNet makes the meaning independent of the argument order
    net = _hub_spoke_site()
    net.peer(*order, allow_gateway_transit="hub", use_remote_gateways="spoke")
    hub_link, spoke_link = net.peering("hub", "spoke").settings, net.peering("spoke", "hub").settings
    assert (hub_link.allow_gateway_transit, hub_link.use_remote_gateways) == (True, False)
    assert (spoke_link.allow_gateway_transit, spoke_link.use_remote_gateways) == (False, True)
    assert net.trace("vm-spoke", "192.168.1.10").reachable  # S1


@pytest.mark.parametrize("setting", ["allow_gateway_transit", "use_remote_gateways"])
def test_peer_refuses_the_ambiguous_boolean_form_and_creates_nothing(setting):
    net = _hub_spoke_site()
    with pytest.raises(PeeringError, match="name the VNet whose link carries it") as err:
        net.peer("hub", "spoke", **{setting: True})
    assert err.value.rule and "learn.microsoft.com" in err.value.source
    assert net.vnet("hub").peerings == {} and net.vnet("spoke").peerings == {}


def test_peer_refuses_a_gateway_setting_named_for_a_third_vnet():
    net = _hub_spoke_site()
    with pytest.raises(PeeringError, match="'hub' or 'spoke'"):
        net.peer("hub", "spoke", allow_gateway_transit="branch")
    assert net.vnet("hub").peerings == {}


def test_peer_use_remote_gateways_still_needs_transit_on_the_other_link():
    net = _hub_spoke_site()
    with pytest.raises(GatewayTransitError, match="allow_gateway_transit"):
        net.peer("hub", "spoke", use_remote_gateways="spoke")
    with pytest.raises(GatewayTransitError):  # the spoke has no gateway to share
        net.peer("hub", "spoke", allow_gateway_transit="spoke")
    net.peer("hub", "spoke", allow_gateway_transit=False, use_remote_gateways=None)  # both off
    assert not net.trace("vm-spoke", "192.168.1.10").reachable


def test_each_gateway_instance_has_its_own_public_ip():
    # §2.4: every VPN gateway needs a public IP; active-active needs two (one per instance)
    net = vl.Network()
    for i, aa in ((1, False), (2, True)):
        net.add_vnet(f"v{i}", [f"10.{i}.0.0/16"], region="westeurope").add_subnet("GatewaySubnet", f"10.{i}.255.0/27")
        net.add_vpn_gateway(f"v{i}", "VpnGw1AZ", active_active=aa)
    one, two = net.gateway("v1"), net.gateway("v2")
    assert len(one.public_ips) == 1 and len(two.public_ips) == 2
    assert len(set(one.public_ips) | set(two.public_ips)) == 3  # no two gateways share an address


def test_an_lng_takes_at_most_1000_prefixes():
    # §2.5: 1,000 address prefixes per local network gateway
    net = vl.Network()
    prefixes = [f"172.{16 + i // 256}.{i % 256}.0/24" for i in range(1001)]
    net.add_local_network_gateway("site", "198.51.100.10", prefixes[:1000])
    with pytest.raises(LocalGatewayError, match="1000"):
        net.add_local_network_gateway("site2", "198.51.100.11", prefixes)
