"""trace(): hops, verdict and reason, following facts S2, S3 (peering contrast) and §6."""
import pytest

import vnetlab as vl
from vnetlab.errors import TraceError, InvalidAddressError


@pytest.fixture
def hub():
    return vl.load_scenario("hub-and-spoke")


def test_spoke_reaches_hub_over_peering(hub):
    t = hub.trace("10.1.1.4", "10.0.1.4", protocol="tcp", port=443)
    assert t.reachable and t.next_hop_type == "VNetPeering"
    assert [h.action for h in t.hops] == ["leave source", "route lookup", "cross peering", "deliver"]
    assert (t.protocol, t.port) == ("Tcp", 443)


def test_spoke_to_spoke_is_dropped_because_peering_is_not_transitive(hub):
    t = hub.trace("10.1.1.4", "10.2.1.4")
    assert t.verdict == "Dropped" and t.next_hop_type == "None"
    assert "not transitive" in t.reason and "hub" in t.reason


def test_fix_1_direct_peering(hub):
    hub.peer("spoke1", "spoke2")
    assert hub.trace("10.1.1.4", "10.2.1.4").reachable


def test_access_switched_off_on_one_link_stops_traffic_both_ways(hub):
    # facts §6.2: allowVirtualNetworkAccess off = the peering exists but no traffic flows
    hub.set_peering("spoke1", "hub", allow_virtual_network_access=False)
    for src, dst in (("10.1.1.4", "10.0.1.4"), ("10.0.1.4", "10.1.1.4")):
        t = hub.trace(src, dst)
        assert t.verdict == "Dropped" and "spoke1-to-hub" in t.reason and "allow_virtual_network_access" in t.reason
    assert hub.effective_routes("spoke1", "app").find("10.0.0.0/16", "VNetPeering")  # the peering still exists


def test_disconnected_peering_advice_is_to_recreate_both(hub):
    hub.remove_peering_link("spoke1", "hub")
    assert "re-create the peering on both sides" in hub.trace("vm-hub", "10.1.1.4").reason


def test_initiated_peering_carries_no_traffic():
    net = vl.load_scenario("hub-and-spoke")
    net.remove_peering("hub", "spoke1")
    net.add_peering_link("spoke1", "hub")
    t = net.trace("10.1.1.4", "10.0.1.4")
    assert t.verdict == "Dropped" and "Initiated" in t.reason


def test_s3_peering_contrast_new_range_needs_sync(hub):
    # facts S3: with peering, the change needs a sync on the other side's link before it routes to the new range
    hub.add_address_space("spoke2", "10.22.0.0/16")
    hub.vnet("spoke2").add_subnet("new", "10.22.0.0/24").add_nic("vm-new", "10.22.0.5")
    t = hub.trace("10.0.1.4", "10.22.0.5")
    assert t.verdict == "Dropped" and t.next_hop_type == "None" and "LocalNotInSync" in t.reason
    hub.sync_peering("hub", "spoke2")
    assert hub.trace("10.0.1.4", "10.22.0.5").reachable


def test_delivery_failures_are_explained(hub):
    assert "no subnet" in hub.trace("10.1.1.4", "10.0.200.9").reason
    assert "not assigned" in hub.trace("10.1.1.4", "10.0.1.99").reason
    assert "reserved" in hub.trace("10.1.1.4", "10.0.1.1").reason


def test_internet_destination(hub):
    t = hub.trace("10.1.1.4", "8.8.8.8", protocol="Udp", port=53)
    assert t.verdict == "Internet" and t.next_hop_type == "Internet"


@pytest.mark.parametrize("kwargs, err", [({"protocol": "http"}, TraceError), ({"port": 70000}, TraceError),
                                         ({"protocol": "Icmp", "port": 1}, TraceError), ({"port": "x"}, TraceError)])
def test_bad_trace_requests(hub, kwargs, err):
    with pytest.raises(err):
        hub.trace("10.1.1.4", "10.0.1.4", **kwargs)


def test_unknown_source_and_bad_addresses(hub):
    with pytest.raises(TraceError, match="not in any subnet"):
        hub.trace("10.9.9.9", "10.0.1.4")
    with pytest.raises(InvalidAddressError):
        hub.trace("10.1.1.4", "10.0.1")


def test_reachability_matrix_and_display(hub):
    r = hub.reachability()
    assert r.reachable("vm-spoke1", "vm-hub") and r.reachable("vm-hub", "vm-spoke2")
    assert not r.reachable("vm-spoke1", "vm-spoke2")
    assert "not transitive" in r._repr_html_()
    t = hub.trace("10.1.1.4", "10.2.1.4")
    assert "Dropped" in t._repr_html_() and "10.0.0.0/8" in str(t)


def test_three_tier_web_cannot_reach_data_directly():
    net = vl.load_scenario("three-tier")
    r = net.reachability()
    assert r.reachable("vm-web", "vm-app") and r.reachable("vm-app", "vm-db")
    assert not r.reachable("vm-web", "vm-db")


def test_unknown_source_nic_name_is_named(hub):
    with pytest.raises(TraceError, match="No NIC named 'vm-x'.*vm-hub"):
        hub.trace("vm-x", "10.0.1.4")
