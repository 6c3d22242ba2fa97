"""Change over time: route diffs per subnet (facts S3) and plan timelines (facts §2.1)."""
import vnetlab as vl
from vnetlab.changes import gateway_step, peering_step, timeline, what_changes


def pair(kind):
    net = vl.Network()
    for name, space in (("vnet1", "10.1.0.0/16"), ("vnet2", "10.2.0.0/16")):
        v = net.add_vnet(name, [space], region="westeurope")
        v.add_subnet("GatewaySubnet", space.replace("0.0/16", "255.0/27"))
        v.add_subnet("app", space.replace("0.0/16", "1.0/24"))
        net.add_vpn_gateway(name, "VpnGw1AZ")
    if kind == "Vnet2Vnet":
        net.connect("vnet1", "vnet2")
    else:
        net.add_local_network_gateway("lng-vnet2", "203.0.113.2", ["10.2.0.0/16"])
        net.add_local_network_gateway("lng-vnet1", "203.0.113.1", ["10.1.0.0/16"])
        net.connect("vnet1", "lng-vnet2", kind="IPsec")
        net.connect("vnet2", "lng-vnet1", kind="IPsec")
    return net


def test_s3_address_space_change_diff_vnet_to_vnet_versus_site_to_site():
    add = lambda n: n.add_address_space("vnet2", "10.22.0.0/16")
    v2v = what_changes(pair("Vnet2Vnet"), add, "VNet2 adds 10.22.0.0/16")
    s2s = what_changes(pair("IPsec"), add, "VNet2 adds 10.22.0.0/16")
    assert [(c.prefix, c.kind, c.after) for c in v2v.for_subnet("vnet1", "app")] == [
        ("10.22.0.0/16", "added", "VirtualNetworkGateway (VirtualNetworkGateway)")]
    assert s2s.for_subnet("vnet1", "app") == []  # stale until the LNG is edited
    assert [c.prefix for c in s2s.for_subnet("vnet2", "app")] == ["10.22.0.0/16"]  # VNet2's own new range


def test_what_changes_leaves_the_network_alone_unless_applied():
    net = vl.load_scenario("hub-and-spoke")
    report = what_changes(net, lambda n: n.peer("spoke1", "spoke2"), "peer the spokes")
    assert {(c.vnet, c.prefix, c.kind) for c in report.changes} == {("spoke1", "10.2.0.0/16", "added"),
                                                                   ("spoke2", "10.1.0.0/16", "added")}
    assert not net.trace("vm-spoke1", "10.2.1.4").reachable
    what_changes(net, lambda n: n.peer("spoke1", "spoke2"), apply=True)
    assert net.trace("vm-spoke1", "10.2.1.4").reachable
    assert "10.2.0.0/16" in report._repr_html_()


def test_timeline_uses_documented_durations_and_invents_none():
    steps = [gateway_step("vnet1"), gateway_step("vnet2"), peering_step("hub", "spoke")]
    plan = timeline(steps)
    assert steps[0].minutes == 45  # "45 minutes or more" (VPN docs)
    assert plan.starts == (0.0, 0.0, 45.0) and plan.total_minutes == 45
    assert plan.unknown == ["peer hub and spoke"]
    sequential = timeline(steps, parallel_gateways=False)
    assert sequential.starts == (0.0, 45.0, 90.0) and sequential.total_minutes == 90
