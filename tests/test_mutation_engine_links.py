"""Rules of peering links, VPN gateways, gateway connections and traces that mutation testing (issue 20) found
unpinned. Expected values come from azure-facts.md and the Microsoft pages it cites, not from the code; each
refusal is checked for its class, the value and rule it names, its dated source and the words a learner reads."""
import pytest

import vnetlab as vl
from vnetlab.errors import GatewayTransitError, PeeringError, PeeringExistsError, PeeringLimitError, PeeringOverlapError
from vnetlab.peering import PeeringSettings

ANY = object()  # the value is checked by the test itself
MANAGE_PEERING = "https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering"
VNET_FAQ = "https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq"


def refused(action, cls, *, rule, value, source=None, says=(), dated=True):
    """``action()`` raises ``cls`` naming ``value`` and ``rule`` (and ``source``, a Microsoft page, dated unless the
    fact sheet gives no date for it)."""
    with pytest.raises(cls) as err:
        action()
    e = err.value
    assert e.rule == rule, e.rule
    if value is not ANY:
        assert e.value == value, e.value
    if source:
        assert e.source.startswith(source) and ("(20" in e.source or not dated), e.source
    for text in says:
        assert text in str(e), (text, str(e))
    return e


# --- peering (facts §6.2, §6.3, §6.5) ---------------------------------------------------------------------------
def vnets(*names, gateway=None, sku="VpnGw1AZ", region="westeurope"):
    net = vl.Network()
    for i, name in enumerate(names):
        v = net.add_vnet(name, [f"10.{i}.0.0/16"], region=region)
        if name in (gateway or ()):
            v.add_subnet("GatewaySubnet", f"10.{i}.255.0/27")
            net.add_vpn_gateway(name, sku)
    return net


def test_peering_refusals_name_the_rule_and_source():
    net = vnets("hub", "spoke")
    refused(lambda: net.add_peering_link("hub", "hub"), PeeringError, rule="a peering joins two different VNets",
            value="hub", says=["VNet hub cannot be peered with itself."])
    net.add_peering_link("hub", "spoke", name="h2s")
    refused(lambda: net.add_peering_link("hub", "spoke"), PeeringExistsError, rule="one link per remote VNet",
            value="spoke", says=["VNet hub already has a peering link to spoke (h2s)."])
    # VNet FAQ (facts §6.2): the other link deleted -> Disconnected; delete it and re-create both
    net.add_peering_link("spoke", "hub")
    net.remove_peering_link("spoke", "hub")
    refused(lambda: net.add_peering_link("spoke", "hub"), PeeringError, value="h2s", source=VNET_FAQ, dated=False,
            rule="a Disconnected peering is deleted and re-created",
            says=["hub's link h2s to spoke is Disconnected", "delete it and re-create the peering on both sides"])


def test_cross_cloud_and_overlap_refusals_name_both_sides():
    net = vl.Network()
    net.add_vnet("a", ["10.0.0.0/16"], region="westeurope")
    net.add_vnet("b", ["10.1.0.0/16"], region="chinanorth", cloud="AzureChinaCloud")
    net.add_vnet("c", ["10.0.128.0/17"], region="westeurope")
    refused(lambda: net.add_peering_link("a", "b"), PeeringError, rule="no peering across clouds",
            value=("AzureCloud", "AzureChinaCloud"), says=["a is in AzureCloud and b in AzureChinaCloud"])
    e = refused(lambda: net.add_peering_link("a", "c"), PeeringOverlapError, source=MANAGE_PEERING, value=ANY,
                rule="peered VNets' address spaces must not overlap", says=["a (10.0.0.0/16) and c (10.0.128.0/17)"])
    assert tuple(map(str, e.value)) == ("10.0.0.0/16", "10.0.128.0/17")


def test_the_501st_peering_names_the_limit_of_500():
    net = vl.Network()
    net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    for i in range(500):
        net.add_vnet(f"s{i}", [f"10.{1 + i // 256}.{i % 256}.0/24"], region="westeurope")
        net.add_peering_link("hub", f"s{i}")
    net.add_vnet("extra", ["172.16.0.0/16"], region="westeurope")
    refused(lambda: net.add_peering_link("hub", "extra"), PeeringLimitError, rule="500 peerings per VNet", value=500,
            source="https://learn.microsoft.com", says=["VNet hub already has 500 peerings; the limit is 500."])


def test_gateway_transit_refusals_name_the_setting_and_the_rule():
    # Manage peering (facts §6.2): allowGatewayTransit needs a gateway here, not Basic; useRemoteGateways needs the
    # peer's gateway and its allowGatewayTransit, not a gateway here, and only one peering per VNet may set it.
    net = vnets("hub", "spoke", "hub2", "basic", gateway=("hub", "hub2"))
    refused(lambda: net.add_peering_link("spoke", "hub", allow_gateway_transit=True), GatewayTransitError,
            value="allow_gateway_transit", rule="allow_gateway_transit needs a gateway in this VNet",
            source=MANAGE_PEERING, says=["spoke has no VPN gateway to share", "Create the gateway first"])
    refused(lambda: net.add_peering_link("hub", "spoke", use_remote_gateways=True), GatewayTransitError,
            value="use_remote_gateways", rule="not allowed when this VNet has a gateway", source=MANAGE_PEERING,
            says=["use_remote_gateways on hub's link: hub has its own gateway."])
    refused(lambda: net.add_peering_link("spoke", "basic", use_remote_gateways=True), GatewayTransitError,
            value="use_remote_gateways", rule="the peer must have a gateway", source=MANAGE_PEERING,
            says=["use_remote_gateways on spoke's link: basic has no gateway."])
    net.add_peering_link("hub", "spoke")  # without allow_gateway_transit
    refused(lambda: net.add_peering_link("spoke", "hub", use_remote_gateways=True), GatewayTransitError,
            value="use_remote_gateways", rule="the peer must allow gateway transit", source=MANAGE_PEERING,
            says=["use_remote_gateways on spoke's link: hub's link does not set allow_gateway_transit."])
    net.set_peering("hub", "spoke", allow_gateway_transit=True)
    net.add_peering_link("spoke", "hub", use_remote_gateways=True)
    net.set_peering("spoke", "hub", use_remote_gateways=True)  # setting it again on the same link is no second one
    net.peer("hub2", "spoke", allow_gateway_transit="hub2")
    refused(lambda: net.set_peering("spoke", "hub2", use_remote_gateways=True), GatewayTransitError,
            value="use_remote_gateways", rule="only one peering may use remote gateways", source=MANAGE_PEERING,
            says=["use_remote_gateways on spoke's link to hub2: the link to hub already uses remote gateways; "
                  "only one peering per VNet may."])


def test_a_basic_gateway_offers_no_transit():
    net = vnets("hub", "spoke", gateway=("hub",), sku="Basic")
    refused(lambda: net.add_peering_link("hub", "spoke", allow_gateway_transit=True), GatewayTransitError,
            value="Basic", rule="no gateway transit with a Basic-SKU gateway", source=MANAGE_PEERING,
            says=["allow_gateway_transit on hub's link: its Basic gateway does not support gateway transit."])


@pytest.mark.parametrize("setting", ["allow_virtual_network_access", "allow_forwarded_traffic",
                                     "allow_gateway_transit", "use_remote_gateways"])
def test_each_of_the_four_settings_is_a_boolean(setting):
    refused(lambda: PeeringSettings(**{setting: 1}), PeeringError,
            rule=f"{setting} is a boolean", value=1, says=[f"{setting}=1: peering settings are true or false."])


def test_sync_levels_and_a_saved_network_keep_a_stale_copy_and_a_disconnected_link():
    # Update peered address space (facts §6.4): the link keeps the old copy until synced; the four levels of §6.2
    net = vnets("hub", "spoke")
    net.vnet("spoke").add_subnet("app", "10.1.1.0/24")
    net.peer("hub", "spoke")
    before = net.effective_routes("spoke", "app")
    net.add_address_space("hub", "10.50.0.0/16")
    net.add_address_space("spoke", "10.60.0.0/16")
    levels = {(l.local.name, l.peering_sync_level) for l in net.peering_links}
    assert levels == {("hub", "LocalAndRemoteNotInSync"), ("spoke", "LocalAndRemoteNotInSync")}
    saved = vl.Network.from_dict(net.to_dict())
    assert [str(p) for p in saved.peering("spoke", "hub").remote_address_space] == ["10.0.0.0/16"]
    assert saved.peering("spoke", "hub").peering_sync_level == "LocalAndRemoteNotInSync"
    assert net.effective_routes("spoke", "app").find("10.50.0.0/16") == [] and before.find("10.0.0.0/16")
    net.sync_peering("spoke", "hub")  # the routes follow the synced copy at once
    assert net.effective_routes("spoke", "app").lookup("10.50.1.1").next_hop_type == "VNetPeering"
    assert net.peering("spoke", "hub").peering_sync_level == "RemoteNotInSync"
    net.remove_peering_link("hub", "spoke")
    saved = vl.Network.from_dict(net.to_dict())
    link = saved.peering("spoke", "hub")
    assert (link.name, link.local.name, link.remote.name, link.peering_state) == ("spoke-to-hub", "spoke", "hub",
                                                                                   "Disconnected")
