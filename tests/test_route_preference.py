"""Route preference between peering, VNet and gateway routes, and what a gateway delivers into.

Expected values come from azure-facts.md, never from the code:
* §7.4 (UDR overview, 2023-05-27): longest prefix first; same prefix user > BGP > system; but system routes for the
  VNet itself and its peerings are preferred even when a BGP route is more specific; worked scenario S11c.
* §3.3 (Manage peering, 2025-05-08): two VNets both peered and connected VNet-to-VNet send traffic over the peering.
* §2.6 (VPN FAQ, 2026-06-04), §3.4, §6.2: without gateway transit the gateway does not learn a peered VNet's
  prefixes, so it neither advertises nor delivers to it.
"""
import pytest

import vnetlab as vl
from vnetlab.routes import Route, select

PEERING_HOPS = {"VNetPeering", "VNetGlobalPeering"}


def two_vnets(region_b="westeurope", *, active_active=False, bgp=False):
    """VNets a (10.30/16) and b (10.31/16), each with a VM and a VpnGw1AZ gateway (the issue's minimal case)."""
    net = vl.Network()
    for name, n, region, asn in (("a", 30, "westeurope", 65010), ("b", 31, region_b, 65020)):
        v = net.add_vnet(name, [f"10.{n}.0.0/16"], region=region)
        v.add_subnet("app", f"10.{n}.1.0/24").add_nic(f"vm-{name}", f"10.{n}.1.4")
        v.add_subnet("GatewaySubnet", f"10.{n}.255.0/27")
        net.add_vpn_gateway(name, sku="VpnGw1AZ", active_active=active_active, bgp_asn=asn if bgp else None)
    return net


@pytest.mark.parametrize("region_b, hop", [("westeurope", "VNetPeering"), ("northeurope", "VNetGlobalPeering")])
@pytest.mark.parametrize("active_active", [False, True])
@pytest.mark.parametrize("bgp", [False, True])
def test_peered_and_vnet_to_vnet_connected_vnets_use_the_peering(region_b, hop, active_active, bgp):
    # §3.3: where both exist, the peering is used; §7.4: the gateway route for the same prefix is Invalid
    net = two_vnets(region_b, active_active=active_active, bgp=bgp)
    net.peer("a", "b")
    net.connect("a", "b", "Vnet2Vnet", enable_bgp=bgp)
    routes = net.effective_routes("a", "app")
    assert routes.lookup("10.31.1.4").next_hop_type == hop
    gateway_rows = routes.find("10.31.0.0/16", "VirtualNetworkGateway")
    assert gateway_rows and all(r.state == "Invalid" for r in gateway_rows)
    t = net.trace("vm-a", "10.31.1.4")
    assert t.reachable and t.next_hop_type == hop
    assert not any("tunnel" in h.action for h in t.hops)


def test_removing_the_peering_sends_the_traffic_into_the_tunnel():
    net = two_vnets()
    net.peer("a", "b")
    net.connect("a", "b", "Vnet2Vnet")
    net.remove_peering("a", "b")
    assert net.effective_routes("a", "app").lookup("10.31.1.4").next_hop_type == "VirtualNetworkGateway"
    assert any(h.action == "VNet-to-VNet tunnel" for h in net.trace("vm-a", "10.31.1.4").hops)


def hub_with_site(advertised, *, transit=False, static=None, region="westeurope"):
    """Hub 10.0/16 with a VpnGw2AZ gateway and a BGP site; spoke 10.1/16 peered (S11c)."""
    net = vl.Network()
    hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    hub.add_subnet("app", "10.0.1.0/24").add_nic("vm-hub", "10.0.1.4")
    hub.add_subnet("GatewaySubnet", "10.0.255.0/27")
    spoke = net.add_vnet("spoke", ["10.1.0.0/16"], region=region)
    spoke.add_subnet("app", "10.1.5.0/24").add_nic("vm-spoke", "10.1.5.4")
    net.add_vpn_gateway("hub", sku="VpnGw2AZ", bgp_asn=65010)
    net.add_local_network_gateway("branch", "198.51.100.1", static or ["192.168.1.0/24"], bgp_asn=65050,
                                  bgp_peer_ip="192.168.1.1" if static is None else "172.16.0.1",
                                  advertised=advertised)
    net.connect("hub", "branch", "IPsec", enable_bgp=True)
    net.add_peering_link("hub", "spoke", allow_gateway_transit=transit)
    net.add_peering_link("spoke", "hub", use_remote_gateways=transit)
    return net


@pytest.mark.parametrize("advertised", ["10.1.0.0/16", "10.1.5.0/24"])
@pytest.mark.parametrize("region", ["westeurope", "northeurope"])
def test_s11c_bgp_advertisement_equal_or_more_specific_than_a_peered_range_loses(advertised, region):
    # S11c: hub VM -> 10.1.5.4 goes over the peering, whether the advertisement equals the spoke's range or is longer
    net = hub_with_site([advertised], region=region)
    routes = net.effective_routes("hub", "app")
    chosen = routes.lookup("10.1.5.4")
    assert chosen.next_hop_type in PEERING_HOPS and chosen.prefix == "10.1.0.0/16"
    assert [r.state for r in routes.find(advertised, "VirtualNetworkGateway")] == ["Invalid"]
    assert net.trace("vm-hub", "10.1.5.4").reachable


def test_static_lng_prefix_equal_to_a_peered_range_loses_too():
    # §7.4 inference (LNG static routes carry the gateway source) combined with the peering preference
    net = vl.Network()
    hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    hub.add_subnet("app", "10.0.1.0/24").add_nic("vm-hub", "10.0.1.4")
    hub.add_subnet("GatewaySubnet", "10.0.255.0/27")
    spoke = net.add_vnet("spoke", ["10.1.0.0/16"], region="westeurope")
    spoke.add_subnet("app", "10.1.5.0/24").add_nic("vm-spoke", "10.1.5.4")
    net.add_vpn_gateway("hub", sku="VpnGw1AZ")
    net.add_local_network_gateway("branch", "198.51.100.1", ["10.1.0.0/16", "192.168.1.0/24"])
    net.connect("hub", "branch", "IPsec")
    net.peer("hub", "spoke")
    assert net.effective_routes("hub", "app").lookup("10.1.5.4").next_hop_type == "VNetPeering"
    assert net.effective_routes("hub", "app").lookup("192.168.1.4").next_hop_type == "VirtualNetworkGateway"


def test_a_user_route_still_beats_the_peering_route_at_the_same_prefix():
    # §7.8 routing example: UDR 10.1.0.0/16 -> None Active, the peering route Invalid
    net = hub_with_site(["10.1.5.0/24"])
    net.add_route_table("rt")
    net.add_route("rt", "drop-spoke", "10.1.0.0/16", "None")
    net.associate_route_table("hub", "app", "rt")
    routes = net.effective_routes("hub", "app")
    assert routes.lookup("10.1.0.4").next_hop_type == "None"
    assert [r.state for r in routes.find("10.1.0.0/16", "VNetPeering")] == ["Invalid"]


def test_a_more_specific_gateway_route_outside_vnet_and_peer_ranges_still_wins_by_longest_prefix():
    # §7.4 rule 1 and S1: 192.168.1.0/24 from the gateway beats the default 192.168.0.0/16 -> None
    net = hub_with_site(["192.168.7.0/24"])
    assert net.effective_routes("hub", "app").lookup("192.168.7.9").next_hop_type == "VirtualNetworkGateway"


def test_same_prefix_order_user_then_peering_then_gateway_then_other_system():
    routes = [Route("10.1.0.0/16", "VirtualNetworkGateway", source="VirtualNetworkGateway"),
              Route("10.1.0.0/16", "VNetPeering", peer="spoke"),
              Route("10.0.0.0/8", "None"),
              Route("10.0.0.0/8", "VirtualNetworkGateway", source="VirtualNetworkGateway"),
              Route("10.1.2.0/24", "VirtualNetworkGateway", source="VirtualNetworkGateway")]
    assert [r.state for r in select(routes)] == ["Invalid", "Active", "Invalid", "Active", "Invalid"]
    with_udr = routes + [Route("10.1.0.0/16", "VirtualAppliance", source="User", next_hop_ip=("10.0.2.4",))]
    states = [r.state for r in select(with_udr)]
    # the UDR wins its prefix; the overridden peering route no longer shadows the gateway /24
    assert states[1] == "Invalid" and states[-1] == "Active" and states[4] == "Active"


# --- what the gateway delivers into (§2.6, §6.2) -----------------------------------------------------------
def test_site_traffic_is_not_delivered_to_a_spoke_without_gateway_transit():
    net = hub_with_site([])
    t = net.trace("192.168.1.10", "10.1.5.4", from_site="branch")
    assert t.verdict == "Dropped"
    assert "gateway transit" in t.reason
    assert "10.1.0.0/16" not in net.advertised_prefixes("hub", "hub-to-branch")


@pytest.mark.parametrize("region", ["westeurope", "northeurope"])
def test_site_traffic_reaches_a_spoke_with_gateway_transit(region):
    # S1 / §6.2: transit works over regional and global peering
    net = hub_with_site([], transit=True, region=region)
    t = net.trace("192.168.1.10", "10.1.5.4", from_site="branch")
    assert t.reachable
    assert "10.1.0.0/16" in net.advertised_prefixes("hub", "hub-to-branch")


def test_vnet_to_vnet_traffic_is_not_delivered_into_the_far_side_s_non_transit_peer():
    # b's gateway learns only b and b's transit spokes; with BGP, a learns nothing about c either
    net = two_vnets(bgp=True)
    c = net.add_vnet("c", ["10.32.0.0/16"], region="westeurope")
    c.add_subnet("app", "10.32.1.0/24").add_nic("vm-c", "10.32.1.4")
    net.peer("b", "c")
    net.connect("a", "b", "Vnet2Vnet", enable_bgp=True)
    assert net.effective_routes("a", "app").lookup("10.32.1.4").next_hop_type == "None"
    net.add_route_table("rt")
    net.add_route("rt", "to-c", "10.32.0.0/16", "VirtualNetworkGateway")
    net.associate_route_table("a", "app", "rt")
    t = net.trace("vm-a", "10.32.1.4")
    assert not t.reachable


# --- BGP prefix limit (§2.5: 4,000 prefixes; above that the BGP session is dropped) ----------------------------
def site_announcing(count, *, static=("172.16.0.0/24",)):
    """Hub with a VpnGw2AZ gateway and a BGP site announcing ``count`` /24s out of 10.128.0.0/9."""
    net = vl.Network()
    hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    hub.add_subnet("app", "10.0.1.0/24").add_nic("vm-hub", "10.0.1.4")
    hub.add_subnet("GatewaySubnet", "10.0.255.0/27")
    net.add_vpn_gateway("hub", sku="VpnGw2AZ", bgp_asn=65010)
    announced = [f"10.{128 + i // 256}.{i % 256}.0/24" for i in range(count)]
    net.add_local_network_gateway("branch", "198.51.100.1", list(static), bgp_asn=65050, bgp_peer_ip="192.168.1.1",
                                  advertised=announced)
    net.connect("hub", "branch", "IPsec", enable_bgp=True)
    return net


def test_4000_announced_prefixes_are_all_installed():
    net = site_announcing(4000)
    routes = net.effective_routes("hub", "app")
    assert len([r for r in routes if r.source == "VirtualNetworkGateway" and r.prefix.startswith("10.1")]) == 4000
    assert net.effective_routes("hub", "app").lookup("10.143.159.4").next_hop_type == "VirtualNetworkGateway"
    assert not [f for f in net.findings() if "BGP session" in f]


def test_4001_announced_prefixes_drop_the_bgp_session_but_keep_the_static_prefixes():
    net = site_announcing(4001)
    routes = net.effective_routes("hub", "app")
    assert routes.lookup("10.128.0.4").next_hop_type == "None"  # the announced /24 is gone: 10/8 -> None
    assert routes.lookup("172.16.0.4").next_hop_type == "VirtualNetworkGateway"  # static LNG prefix stays
    assert net.connection("hub", "hub-to-branch").status == "Connected"  # the tunnel itself is up
    finding = [f for f in net.findings() if "BGP session on hub-to-branch is dropped" in f]
    assert finding and "4,001" in finding[0] and "4,000" in finding[0]


# --- overlapping sites on one gateway (§3.3 no overlap among connected sites; §3.2 several tunnels need BGP) ------
def two_sites(first, second, *, bgp=(False, False), active_active=False):
    net = vl.Network()
    hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    hub.add_subnet("app", "10.0.1.0/24").add_nic("vm-hub", "10.0.1.4")
    hub.add_subnet("GatewaySubnet", "10.0.255.0/27")
    net.add_vpn_gateway("hub", sku="VpnGw1AZ", bgp_asn=65010, active_active=active_active)
    for name, prefixes, ip, asn, on in (("s1", first, "198.51.100.1", 65051, bgp[0]),
                                        ("s2", second, "198.51.100.2", 65052, bgp[1])):
        net.add_local_network_gateway(name, ip, prefixes, bgp_asn=asn, bgp_peer_ip=f"172.16.{asn - 65000}.1")
        net.connect("hub", name, "IPsec", enable_bgp=on)
    return net


def overlap_findings(net):
    return [f for f in net.findings() if "overlap on hub-vpngw's connections" in f]


@pytest.mark.parametrize("active_active", [False, True])
@pytest.mark.parametrize("second", [["192.168.1.0/24"], ["192.168.0.0/16"], ["192.168.1.128/25"]])
def test_overlapping_static_sites_are_reported_with_the_rule(second, active_active):
    net = two_sites(["192.168.1.0/24"], second, active_active=active_active)
    found = overlap_findings(net)
    assert len(found) == 1
    assert "must not overlap" in found[0] and "BGP on both" in found[0]


@pytest.mark.parametrize("bgp", [(True, False), (False, True)])
def test_one_static_tunnel_is_enough_to_break_the_rule(bgp):
    assert overlap_findings(two_sites(["192.168.1.0/24"], ["192.168.1.0/24"], bgp=bgp))


def test_two_bgp_tunnels_to_overlapping_prefixes_are_the_documented_multi_tunnel_case():
    assert not overlap_findings(two_sites(["192.168.1.0/24"], ["192.168.1.0/24"], bgp=(True, True)))


def test_distinct_sites_are_not_reported():
    assert not overlap_findings(two_sites(["192.168.1.0/24"], ["192.168.2.0/24"]))


def test_a_bgp_only_site_s_host_lies_in_what_it_announces():
    # §3.2: with BGP the LNG may list only the peer; the site's hosts are in its advertisements
    net = site_announcing(1, static=())
    t = net.trace("10.128.0.9", "10.0.1.4", from_site="branch")
    assert t.reachable
