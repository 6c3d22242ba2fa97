"""VNets, subnets, NICs and peering links: each Azure rule from azure-facts.md §6 and §9."""
import pytest

import vnetlab as vl
from vnetlab.errors import (GatewaySubnetError, GatewayTransitError, NicError, NotFoundError, PeeringError,
                            PeeringExistsError, PeeringLimitError, PeeringOverlapError, ReservedRangeError,
                            ResourceNameError, SubnetInUseError, SubnetOutsideVnetError, SubnetOverlapError,
                            SubnetSizeError, AddressSpaceError)
from vnetlab.peering import PeeringSettings, azure_defaults


@pytest.fixture
def net():
    n = vl.Network()
    n.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    n.add_vnet("spoke1", ["10.1.0.0/16"], region="westeurope")
    n.add_vnet("spoke2", ["10.2.0.0/16"], region="West Europe")
    return n


def test_region_is_normalized_to_azure_programmatic_name(net):
    assert net.vnet("spoke2").region == "westeurope"


def test_vnet_refuses_reserved_and_self_overlapping_ranges():
    n = vl.Network()
    with pytest.raises(ReservedRangeError):
        n.add_vnet("x", ["169.254.0.0/16"], region="eastus")  # S10b
    with pytest.raises(AddressSpaceError, match="overlap"):
        n.add_vnet("x", ["10.0.0.0/16", "10.0.128.0/17"], region="eastus")
    assert n.vnets == {}


def test_subnet_must_lie_inside_and_not_overlap(net):
    hub = net.vnet("hub")
    hub.add_subnet("a", "10.0.1.0/24")
    with pytest.raises(SubnetOutsideVnetError, match="10.9.0.0/24"):
        hub.add_subnet("b", "10.9.0.0/24")
    with pytest.raises(SubnetOverlapError, match="a 10.0.1.0/24"):
        hub.add_subnet("c", "10.0.1.128/25")
    with pytest.raises(SubnetSizeError):
        hub.add_subnet("d", "10.0.2.0/30")
    with pytest.raises(ResourceNameError):
        hub.add_subnet("a", "10.0.3.0/24")


def test_gateway_subnet_name_is_exact_and_small_size_is_flagged(net):
    hub = net.vnet("hub")
    with pytest.raises(GatewaySubnetError, match="exactly 'GatewaySubnet'"):
        hub.add_subnet("gatewaysubnet", "10.0.255.0/27")
    small = hub.add_subnet("GatewaySubnet", "10.0.255.0/28")  # S10c: below the /27 recommendation
    assert any("/27" in f for f in small.findings)
    hub.remove_subnet("GatewaySubnet")
    assert hub.add_subnet("GatewaySubnet", "10.0.255.0/27").findings == []


def test_no_vm_in_gateway_subnet(net):
    gw = net.vnet("hub").add_subnet("GatewaySubnet", "10.0.255.0/27")
    with pytest.raises(NicError, match="GatewaySubnet"):
        gw.add_nic("vm1")


def test_nic_addresses_follow_the_reserved_rule(net):
    app = net.vnet("hub").add_subnet("app", "10.0.1.0/29")
    assert str(app.add_nic("vm1").ip) == "10.0.1.4"  # first usable: the first four are reserved
    with pytest.raises(NicError, match="reserved"):
        app.add_nic("vm2", "10.0.1.7")  # broadcast
    with pytest.raises(NicError, match="already used"):
        app.add_nic("vm2", "10.0.1.4")
    with pytest.raises(NicError, match="not in subnet"):
        app.add_nic("vm2", "10.0.2.4")
    app.add_nic("vm2"), app.add_nic("vm3")
    with pytest.raises(NicError, match="full: all 3 usable"):  # /29 → 3 usable
        app.add_nic("vm4")


def test_peering_defaults_match_azure():
    # Manage peering (facts §6.2): access true, forwarded false, transit false, remote gateways false
    assert PeeringSettings() == azure_defaults() == PeeringSettings(True, False, False, False)


def test_peering_is_two_links_initiated_then_connected(net):
    link = net.add_peering_link("hub", "spoke1")
    assert link.peering_state == "Initiated"
    assert net.effective_routes("hub", net.vnet("hub").add_subnet("s", "10.0.1.0/24").name).find("10.1.0.0/16") == []
    back = net.add_peering_link("spoke1", "hub")
    assert link.peering_state == back.peering_state == "Connected"
    net.remove_peering_link("spoke1", "hub")
    assert link.peering_state == "Disconnected"
    with pytest.raises(PeeringError, match="Disconnected"):
        net.add_peering_link("spoke1", "hub")


def test_overlapping_vnets_cannot_peer_partial_overlap_included():
    n = vl.load_scenario("overlap")
    with pytest.raises(PeeringOverlapError) as err:
        n.peer("contoso", "fabrikam")
    assert "10.0.0.0/16" in str(err.value) and "10.0.128.0/17" in str(err.value)
    assert n.peering_links == []  # nothing half-created
    n.peer("contoso", "shared")


def test_global_cross_subscription_cross_tenant_peering_is_allowed():
    n = vl.Network()
    n.add_vnet("a", ["10.0.0.0/16"], region="westeurope", subscription="s1", tenant="t1")
    n.add_vnet("b", ["10.1.0.0/16"], region="japanwest", subscription="s2", tenant="t2")
    ab, ba = n.peer("a", "b")
    assert ab.kind == ba.kind == "Global"


def test_no_peering_across_clouds():
    n = vl.Network()
    n.add_vnet("a", ["10.0.0.0/16"], region="westeurope")
    n.add_vnet("b", ["10.1.0.0/16"], region="chinanorth", cloud="AzureChinaCloud")
    with pytest.raises(PeeringError, match="across Azure clouds"):
        n.peer("a", "b")


def test_duplicate_and_self_peering_refused(net):
    net.peer("hub", "spoke1")
    with pytest.raises(PeeringExistsError):
        net.peer("hub", "spoke1")
    with pytest.raises(PeeringError):
        net.peer("hub", "hub")


def test_gateway_transit_needs_a_gateway(net):
    # Manage peering: allowGatewayTransit needs a gateway in this VNet; useRemoteGateways needs one in the peer
    with pytest.raises(GatewayTransitError, match="no VPN gateway"):
        net.peer("hub", "spoke1", allow_gateway_transit="hub")
    with pytest.raises(GatewayTransitError):
        net.peer("hub", "spoke1", use_remote_gateways="spoke1")
    net.peer("hub", "spoke1")
    with pytest.raises(GatewayTransitError):
        net.set_peering("spoke1", "hub", use_remote_gateways=True)
    assert net.peering("spoke1", "hub").settings.use_remote_gateways is False


def test_peering_limit_is_500_per_vnet():
    # networking limits (facts §6.5): 500 peerings per VNet
    n = vl.Network()
    n.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    for i in range(500):
        n.add_vnet(f"s{i}", [f"10.{1 + i // 256}.{i % 256}.0/24"], region="westeurope")
        n.add_peering_link("hub", f"s{i}")
    n.add_vnet("extra", ["172.16.0.0/16"], region="westeurope")
    with pytest.raises(PeeringLimitError, match="500"):
        n.add_peering_link("hub", "extra")


def test_azure_spellings_accepted_unknown_setting_and_non_boolean_refused(net):
    # REST names (facts §6.2): allowForwardedTraffic is the same setting as allow_forwarded_traffic
    link = net.add_peering_link("hub", "spoke1", allowForwardedTraffic=True, AllowVirtualNetworkAccess=False)
    assert link.settings.allow_forwarded_traffic is True and link.settings.allow_virtual_network_access is False
    net.set_peering("hub", "spoke1", allowVirtualNetworkAccess=True)
    assert net.peering("hub", "spoke1").settings.allow_virtual_network_access is True
    with pytest.raises(PeeringError, match="Unknown peering setting.*allowTransit"):
        net.add_peering_link("spoke1", "hub", allowTransit=True)
    with pytest.raises(vl.VnetlabError, match="twice"):
        net.add_peering_link("spoke1", "hub", allowForwardedTraffic=True, allow_forwarded_traffic=False)
    with pytest.raises(PeeringError, match="true or false"):
        net.add_peering_link("hub", "spoke1", allow_forwarded_traffic="yes")


def test_address_space_change_on_peered_vnet_needs_sync(net):
    # Update peered address space (facts §6.4): the remote side shows LocalNotInSync until synced
    net.peer("hub", "spoke2")
    net.add_address_space("spoke2", "10.22.0.0/16")
    assert net.peering("hub", "spoke2").peering_sync_level == "LocalNotInSync"
    assert net.peering("spoke2", "hub").peering_sync_level == "RemoteNotInSync"
    net.sync_peering("hub", "spoke2")
    assert net.peering("hub", "spoke2").peering_sync_level == "FullyInSync"


def test_address_space_change_rules(net):
    net.peer("hub", "spoke1")
    net.vnet("spoke1").add_subnet("app", "10.1.1.0/24")
    with pytest.raises(AddressSpaceError, match="at least one"):
        net.remove_address_space("spoke1", "10.1.0.0/16")
    net.add_address_space("spoke1", "10.11.0.0/16")
    with pytest.raises(SubnetInUseError, match="app"):
        net.remove_address_space("spoke1", "10.1.0.0/16")
    with pytest.raises(PeeringOverlapError, match="hub"):
        net.add_address_space("spoke1", "10.0.128.0/17")
    with pytest.raises(AddressSpaceError):
        net.remove_address_space("spoke1", "10.9.0.0/16")
    net.set_address_space("spoke1", ["10.1.0.0/18"])  # resize keeping the subnet inside
    assert [str(r) for r in net.vnet("spoke1").address_space] == ["10.1.0.0/18"]


def test_unknown_names_raise_not_found(net):
    with pytest.raises(NotFoundError, match="hub, spoke1, spoke2"):
        net.vnet("nope")
    with pytest.raises(NotFoundError):
        net.effective_routes("hub", "nope")
    with pytest.raises(NotFoundError):
        net.peering("hub", "spoke1")


def test_new_range_overlapping_a_vnet_that_links_to_us_is_refused(net):
    net.add_peering_link("hub", "spoke1")  # only hub's side exists
    with pytest.raises(PeeringOverlapError, match="hub"):
        net.add_address_space("spoke1", "10.0.128.0/17")


def test_range_advice_names_refused_ranges():
    assert "refused" in vl.range_advice("169.254.0.0/16")


def test_remove_vnet_disconnects_peers(net):
    net.peer("hub", "spoke1")
    net.remove_vnet("spoke1")
    assert net.peering("hub", "spoke1").peering_state == "Disconnected"


def test_nic_names_stay_unique_across_the_network_however_it_is_built():
    """A NIC name is unique in the network: across subnets and VNets, whatever else was added in between, and a
    removed NIC's name can be used again."""
    net = vl.Network()
    a = net.add_vnet("a", ["10.1.0.0/16"], region="westeurope")
    a.add_subnet("s1", "10.1.1.0/24").add_nic("vm1")
    b = net.add_vnet("b", ["10.2.0.0/16"], region="westeurope")  # changes between the NICs
    s2 = b.add_subnet("s2", "10.2.1.0/24")
    with pytest.raises(ResourceNameError, match="vm1"):
        s2.add_nic("vm1")
    net.peer("a", "b")
    with pytest.raises(ResourceNameError, match="vm1"):
        a.add_subnet("s3", "10.1.3.0/24").add_nic("vm1")
    a.subnet("s1").remove_nic("vm1")
    assert s2.add_nic("vm1").subnet is s2
    with pytest.raises(ResourceNameError, match="vm1"):
        a.subnet("s1").add_nic("vm1")
    net.remove_vnet("b")
    assert a.subnet("s1").add_nic("vm1").subnet.name == "s1"


def test_a_copy_is_independent_and_answers_like_the_original():
    net = vl.Network()
    hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    hub.add_subnet("app", "10.0.1.0/24").add_nic("vm1")
    spoke = net.add_vnet("spoke", ["10.1.0.0/16"], region="westeurope")
    spoke.add_subnet("app", "10.1.1.0/24").add_nic("vm2")
    net.peer("hub", "spoke")
    before = net.effective_routes("hub", "app").lookup("10.1.1.4")
    clone = net.copy()
    assert clone.effective_routes("hub", "app").lookup("10.1.1.4") == before
    clone.remove_vnet("spoke")
    assert clone.effective_routes("hub", "app").lookup("10.1.1.4") != before
    assert net.effective_routes("hub", "app").lookup("10.1.1.4") == before
    with pytest.raises(ResourceNameError, match="vm1"):
        clone.vnet("hub").subnet("app").add_nic("vm1")
