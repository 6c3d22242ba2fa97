"""Point-to-Site clients as trace sources, and NAT refused on Point-to-Site.

Facts: P2S clients reach a peered VNet only if it uses the gateway VNet's gateway (Use remote gateways + Allow
gateway transit) (azure-facts.md §3.4); NAT rules work on IPsec Site-to-Site connections only, not VNet-to-VNet, not
P2S (§5.1); a P2S tunnel goes over the internet (§3.1)."""
import pytest

import vnetlab as vl
from vnetlab.errors import TraceError
from vnetlab.nat import NatSupportError

POOL = "172.16.201.0/24"
CLIENT = "172.16.201.10"


def hub_two_spokes() -> vl.Network:
    """hub (VpnGw2AZ, P2S pool 172.16.201.0/24); spoke1 uses the hub's gateway; spoke2 is peered without transit."""
    net = vl.Network()
    hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    hub.add_subnet("GatewaySubnet", "10.0.255.0/27")
    hub.add_subnet("app", "10.0.1.0/24").add_nic("vm-hub", "10.0.1.4")
    for i, name in enumerate(["spoke1", "spoke2"], 1):
        net.add_vnet(name, [f"10.{i}.0.0/16"], region="westeurope").add_subnet("app", f"10.{i}.1.0/24").add_nic(
            f"vm-{name}", f"10.{i}.1.4")
    net.add_vpn_gateway("hub", "VpnGw2AZ")
    net.add_point_to_site("hub", [POOL], ("OpenVPN",))
    net.add_peering_link("hub", "spoke1", allow_gateway_transit=True)
    net.add_peering_link("spoke1", "hub", use_remote_gateways=True)
    net.peer("hub", "spoke2")
    return net


def test_a_p2s_client_reaches_the_hub_and_a_transit_spoke_through_the_tunnel():
    net = hub_two_spokes()
    to_hub = net.trace(CLIENT, "10.0.1.4", from_p2s="hub")
    assert to_hub.reachable and to_hub.dst_vnet == "hub"
    t = net.trace(CLIENT, "10.1.1.4", from_p2s="hub")
    assert t.reachable and t.dst_vnet == "spoke1"
    assert t.next_hop_type == "VirtualNetworkGateway"  # the client sends it into the tunnel
    tunnel = next(h for h in t.hops if h.action == "Point-to-Site")
    assert tunnel.path == "public internet" and "Point-to-Site" in tunnel.protection
    # inside Azure the hub's GatewaySubnet routes it over the peering, from the engine's effective routes
    assert any(h.route is not None and h.route.next_hop_type == "VNetPeering" for h in t.hops)


def test_a_peered_spoke_without_gateway_transit_is_unreachable_for_p2s_clients():
    net = hub_two_spokes()
    t = net.trace(CLIENT, "10.2.1.4", from_p2s="hub")
    assert t.verdict == "Dropped" and "use_remote_gateways" in t.reason
    assert net.trace("vm-hub", "10.2.1.4").reachable  # the peering itself works for VMs
    # turning transit on for spoke2 (and off for spoke1: one link per VNet may use remote gateways) changes the answer
    net.set_peering("hub", "spoke2", allow_gateway_transit=True)
    net.set_peering("spoke2", "hub", use_remote_gateways=True)
    assert net.trace(CLIENT, "10.2.1.4", from_p2s="hub").reachable


def test_the_reply_needs_the_gateway_route_in_the_destination_subnet():
    net = hub_two_spokes()
    net.add_route_table("rt", disable_bgp_route_propagation=True)
    net.associate_route_table("spoke1", "app", "rt")
    t = net.trace(CLIENT, "10.1.1.4", from_p2s="hub")
    assert t.verdict == "Dropped" and t.hops[-1].action == "reply route lookup"
    assert "disables gateway route propagation" in t.reason
    net.add_route("rt", "to-p2s", POOL, "VirtualNetworkGateway")  # §7.5: a UDR restores the way back
    assert net.trace(CLIENT, "10.1.1.4", from_p2s="hub").reachable


def test_p2s_trace_source_errors_name_the_rule():
    net = hub_two_spokes()
    with pytest.raises(TraceError, match="client address pool"):
        net.trace("172.16.202.10", "10.0.1.4", from_p2s="hub")
    with pytest.raises(TraceError, match="not both"):
        net.trace(CLIENT, "10.0.1.4", from_p2s="hub", from_site="branch")
    net.vnet("spoke2").add_subnet("GatewaySubnet", "10.2.255.0/27")
    net.remove_peering("hub", "spoke2")
    net.add_vpn_gateway("spoke2", "VpnGw1AZ")
    with pytest.raises(TraceError, match="no Point-to-Site configuration"):
        net.trace(CLIENT, "10.2.1.4", from_p2s="spoke2")
    with pytest.raises(vl.VnetlabError):
        net.trace(CLIENT, "10.0.1.4", from_p2s="spoke1")  # no gateway at all


def test_nat_rules_cannot_be_linked_to_point_to_site():
    net = vl.Network()
    net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope").add_subnet("GatewaySubnet", "10.0.255.0/27")
    net.add_vpn_gateway("hub", "VpnGw2AZ")  # NAT-capable SKU (§1.4), so only the connection kind is at fault
    net.add_nat_rule("hub", "vnet-out", mode="EgressSnat", internal="10.0.0.0/16", external="100.64.0.0/16")
    with pytest.raises(NatSupportError, match="Point-to-Site") as err:
        net.add_point_to_site("hub", [POOL], egress_nat_rules=["vnet-out"])
    assert "not Point-to-Site" in err.value.rule and "nat-overview" in err.value.source
    assert net.gateway("hub").p2s is None  # nothing half-configured
    with pytest.raises(NatSupportError, match="Point-to-Site"):
        net.connect("hub", "clients", kind="VPNClient", egress_nat_rules=["vnet-out"])
    net.add_point_to_site("hub", [POOL])  # without NAT rules it works


def test_what_vnetlab_does_not_model_for_p2s_clients_is_said_in_the_trace():
    net = hub_two_spokes()
    net.add_local_network_gateway("branch", "198.51.100.10", ["192.168.1.0/24"])
    net.connect("hub", "branch", kind="IPsec")
    t = net.trace(CLIENT, "192.168.1.10", from_p2s="hub")
    assert t.verdict == "Dropped" and "does not model Point-to-Site routes to on-premises sites" in t.reason
    internet = net.trace(CLIENT, "8.8.8.8", from_p2s="hub")
    assert "client's own network" in internet.reason and "does not model" not in internet.reason
