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
            value=("AzureCloud", "AzureChinaCloud"), source=VNET_FAQ, dated=False,
            says=["a is in AzureCloud and b in AzureChinaCloud: peering does not work across Azure clouds (use a "
                  "Site-to-Site VPN there)."])
    e = refused(lambda: net.add_peering_link("a", "c"), PeeringOverlapError, source=MANAGE_PEERING, value=ANY,
                rule="peered VNets' address spaces must not overlap",
                says=["a (10.0.0.0/16) and c (10.0.128.0/17) have overlapping address spaces; Azure refuses to peer "
                      "VNets whose address spaces overlap. Renumber one of them (NAT on VPN gateways is documented "
                      "for Site-to-Site connections to on-premises sites; between two Azure VNets it is an "
                      "extrapolation)."])
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
            source=MANAGE_PEERING,
            says=["allow_gateway_transit on spoke's link: spoke has no VPN gateway to share. Create the gateway first, "
                  "or leave the setting off."])
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
    # the saved form uses the scenario format's keys (vnetlab/scenario.py: LINK_KEYS)
    assert net.peering("spoke", "hub").to_dict() == {
        "vnet": "spoke", "remote": "hub", "name": "spoke-to-hub", "allow_virtual_network_access": True,
        "allow_forwarded_traffic": False, "allow_gateway_transit": False, "use_remote_gateways": False,
        "remote_address_space": ["10.0.0.0/16"]}
    saved = vl.Network.from_dict(net.to_dict())
    assert [str(p) for p in saved.peering("spoke", "hub").remote_address_space] == ["10.0.0.0/16"]
    assert saved.peering("spoke", "hub").peering_sync_level == "LocalAndRemoteNotInSync"
    assert net.effective_routes("spoke", "app").find("10.50.0.0/16") == [] and before.find("10.0.0.0/16")
    net.sync_peering("spoke", "hub")  # the routes follow the synced copy at once
    assert net.effective_routes("spoke", "app").lookup("10.50.1.1").next_hop_type == "VNetPeering"
    assert net.peering("spoke", "hub").peering_sync_level == "RemoteNotInSync"
    net.remove_peering_link("hub", "spoke")
    assert net.peering("spoke", "hub").to_dict()["peering_state"] == "Disconnected"
    saved = vl.Network.from_dict(net.to_dict())
    link = saved.peering("spoke", "hub")
    assert (link.name, link.local.name, link.remote.name, link.peering_state) == ("spoke-to-hub", "spoke", "hub",
                                                                                   "Disconnected")


# --- VPN gateways (facts §1, §2) ---------------------------------------------------------------------------------
from vnetlab import gateway as gw  # noqa: E402
from vnetlab.gateway import BgpError, GatewayError, ResizeError, SkuError  # noqa: E402

SKUS = "https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus"
VPN_FAQ = "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq"
GATEWAY_SETTINGS = "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings"
ACTIVE_ACTIVE = "https://learn.microsoft.com/azure/vpn-gateway/about-active-active-gateways"


def with_gateway_subnet(prefix="10.0.255.0/27", nic=False):
    net = vl.Network()
    v = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    s = v.add_subnet("GatewaySubnet", prefix)
    if nic:
        net.add_vnet("x", ["10.9.0.0/16"], region="westeurope")
        s.nics["vm"] = object()  # a NIC where none may be (add_nic itself refuses it)
    return net


def test_gateway_creation_refusals_name_the_rule_and_source():
    net = vl.Network()
    net.add_vnet("plain", ["10.5.0.0/16"], region="westeurope")
    refused(lambda: net.add_vpn_gateway("plain", "VpnGw1AZ"), GatewayError, value="plain", source=VPN_FAQ,
            rule="a VPN gateway lives in GatewaySubnet", says=["VNet plain has no subnet named GatewaySubnet: create it first (/27 or larger is recommended)."])
    net = with_gateway_subnet()
    net.add_vpn_gateway("hub", "VpnGw1AZ", name="gw1")
    refused(lambda: net.add_vpn_gateway("hub", "VpnGw2AZ"), GatewayError, value="hub", source=GATEWAY_SETTINGS,
            rule="one VPN gateway per VNet", says=["VNet hub already has VPN gateway gw1; a VNet has one VPN gateway."])
    net = with_gateway_subnet(nic=True)
    refused(lambda: net.add_vpn_gateway("hub", "VpnGw1AZ"), GatewayError, value="hub", source=VPN_FAQ,
            rule="no VMs in GatewaySubnet", says=["GatewaySubnet of hub holds VM NICs"])
    net = with_gateway_subnet()
    refused(lambda: net.add_vpn_gateway("hub", "VpnGw1AZ", vpn_type="Policy"), GatewayError, value="Policy",
            rule="VPN type", says=["VPN type 'Policy': use RouteBased or PolicyBased."])
    refused(lambda: net.add_vpn_gateway("hub", "VpnGw1AZ", vpn_type="PolicyBased"), GatewayError, value="VpnGw1AZ",
            rule="policy-based needs Basic", source=SKUS,
            says=["VpnGw1AZ is route-based only; policy-based gateways are Basic SKU only."])
    refused(lambda: net.add_vpn_gateway("hub", "Basic", active_active=True), GatewayError, value="Basic",
            rule="active-active not on Basic", source=ACTIVE_ACTIVE, says=["Basic does not support active-active."])
    refused(lambda: net.add_vpn_gateway("hub", "Basic", bgp_asn=65010), BgpError, value="Basic",
            rule="no BGP on Basic", source=VPN_FAQ, says=["Basic does not support BGP"])
    refused(lambda: net.add_vpn_gateway("hub", "Basic", vpn_type="PolicyBased", bgp_asn=65010), BgpError,
            value="Basic", rule="no BGP on Basic")
    # BGP and active-active are route-based only (facts §1.4, §2.6), whatever the SKU would allow
    cheat = gw.Sku(**{**gw.sku("VpnGw1AZ").__dict__, "features": {**gw.sku("VpnGw1AZ").features, "policy_based": True}})
    refused(lambda: gw.check_gateway(net.vnet("hub"), cheat, "PolicyBased", True, None, None), GatewayError,
            value="PolicyBased", rule="active-active is route-based", source=ACTIVE_ACTIVE,
            says=["Active-active gateways are route-based only."])
    refused(lambda: gw.check_gateway(net.vnet("hub"), cheat, "PolicyBased", False, 65010, None), BgpError,
            value="PolicyBased", rule="BGP is route-based only", source=VPN_FAQ,
            says=["BGP needs a route-based gateway."])
    gw.check_gateway(net.vnet("hub"), cheat, "PolicyBased", False, None, None)
    refused(lambda: net.add_vpn_gateway("hub", "VpnGw1AZ", bgp_asn=65517), BgpError, value=65517,
            rule="no Azure-reserved ASN", source=VPN_FAQ)


def test_asn_rules_at_their_boundaries():
    # VPN FAQ (facts §2.6): 32-bit ASNs; IANA reserves 23456, 64496-64511, 65535-65551; Azure 8074, 8075, 12076,
    # 65515, 65517-65520 (65515 is Azure's own default)
    for asn in (1, 23455, 23457, 64495, 65516, 65521, 65552, 4294967295):
        assert gw.check_asn(asn, side="on-premises") == asn
    refused(lambda: gw.check_asn(4294967296), BgpError, value=4294967296, rule="ASN range", source=VPN_FAQ,
            says=["ASN 4294967296 is not a 32-bit AS number (1..4294967295)."])
    refused(lambda: gw.check_asn(True), BgpError, value=True, rule="ASN range")
    refused(lambda: gw.check_asn("65010"), BgpError, value="65010", rule="ASN range")
    refused(lambda: gw.check_asn(64500), BgpError, value=64500, rule="no IANA-reserved ASN", source=VPN_FAQ,
            says=["ASN 64500 is reserved by IANA."])
    refused(lambda: gw.check_asn(8075), BgpError, value=8075, rule="no Azure-reserved ASN", source=VPN_FAQ,
            says=["ASN 8075 is reserved by Azure."])
    refused(lambda: gw.check_asn(65515, side="on-premises"), BgpError, value=65515, rule="no Azure-reserved ASN",
            says=["ASN 65515 is reserved by Azure (65515 is Azure's own default)."])
    refused(lambda: gw.check_asn(65518, side="Azure"), BgpError, value=65518, rule="no Azure-reserved ASN")
    net = with_gateway_subnet()
    assert net.add_vpn_gateway("hub", "VpnGw1AZ").asn == 65515  # the default whether or not BGP is used


def test_sku_lookup_refusals():
    refused(lambda: gw.sku("UltraPerformance"), SkuError, value="UltraPerformance",
            rule="UltraPerformance is ExpressRoute-only", source="https://learn.microsoft.com/azure/vpn-gateway/",
            says=["UltraPerformance is an ExpressRoute gateway SKU; VPN Gateway does not use it."])
    e = refused(lambda: gw.sku("VpnGw9"), SkuError, value="VpnGw9", rule="known SKU", source=SKUS)
    assert "Unknown VPN gateway SKU 'VpnGw9'; SKUs: Basic, HighPerformance, Standard, VpnGw1, VpnGw1AZ" in str(e)
    # §1.1: VpnGw4AZ exists only in Generation2; VpnGw2AZ in both
    refused(lambda: gw.sku("VpnGw4AZ", 1), SkuError, value=("VpnGw4AZ", 1), rule="SKU generation", source=SKUS,
            says=["VpnGw4AZ exists in generation 2, not 1."])
    assert (gw.sku("VpnGw2AZ", 1).throughput_mbps, gw.sku("VpnGw2AZ", 2).throughput_mbps) == (1000, 1250)
    refused(lambda: gw.sku("VpnGw2AZ", 3), SkuError, value=("VpnGw2AZ", 3), rule="SKU generation",
            says=["VpnGw2AZ exists in generation 1, 2, not 3."])
    refused(lambda: gw.skus("retired"), SkuError, value="retired", rule="SKU statuses", source=SKUS,
            says=["SKU status 'retired': use one of current, noncreatable, legacy."])


def test_no_new_non_az_gateway_from_the_first_day_of_2025():
    # SKU consolidation (facts §1.6): VpnGw1-5 non-AZ cannot be created from 2025-01-01
    e = refused(lambda: gw.check_creatable(gw.sku("VpnGw4"), on=__import__("datetime").date(2025, 1, 1)), SkuError,
                value="VpnGw4", rule="no new VpnGw4 gateways from 2025-01-01",
                says=["VpnGw4 gateways cannot be created since 2025-01-01; use VpnGw4AZ (Azure migrates existing "
                      "VpnGw4 gateways to it)."])
    assert "gateway-sku-consolidation" in e.source
    e = refused(lambda: gw.check_creatable(gw.sku("Standard"), on=__import__("datetime").date(2023, 12, 1)), SkuError,
                value="Standard", rule="no new Standard gateways from 2023-12-01")
    assert "legacy" in e.source


def test_legacy_skus_features():
    # facts §1.5: Standard has no active-active, HighPerformance has; neither is a NAT SKU (NAT: VpnGw2-5, §1.4)
    standard, high = gw.sku("Standard"), gw.sku("HighPerformance")
    assert (standard.active_active, high.active_active) == (False, True)
    assert not standard.nat and not high.nat and standard.bgp and high.bgp
    assert (standard.tunnels, high.tunnels, standard.throughput_mbps, high.throughput_mbps) == (10, 30, 100, 200)
    assert not standard.zone_redundant and not high.zone_redundant  # zone redundancy comes with the AZ SKUs (§1.4)
    assert (standard.status, standard.migrates_to, standard.not_creatable_from) == ("legacy", "VpnGw1AZ", "2023-12-01")
    assert gw.sku("VpnGw1").features == gw.sku("VpnGw1AZ").features and not gw.sku("VpnGw1").zone_redundant
    assert gw.sku("VpnGw5").nat and gw.sku("VpnGw5AZ").active_active


def test_the_catalog_table_shows_the_documented_rows():
    rows = {(r[0], r[1]): r for r in gw.skus().table()}
    # §1.1: Basic has no IKEv2/OpenVPN P2S, no BGP, no zones; VpnGw1AZ 30 tunnels, 128 SSTP, 250 IKEv2, 650 Mbps
    assert rows[("Basic", 1)][3:10] == (10, 128, "not supported", 100, "no", "no", "no")
    assert rows[("VpnGw1AZ", 1)][3:11] == (30, 128, 250, 650, "yes", "yes", "no", "yes")
    assert rows[("VpnGw2AZ", 2)][9] == "yes" and rows[("VpnGw5AZ", 2)][11] == 9000
    assert rows[("VpnGw1", 1)][12] == "2025-01-01" and rows[("VpnGw1AZ", 1)][12] == ""
    assert rows[("Standard", "")][12] == "2023-12-01"
    text = str(gw.skus("current"))
    assert text.startswith("VPN gateway SKUs (sources: ") and "VpnGw5AZ" in text and "VpnGw5 " not in text
    assert [s.name for s in gw.skus("legacy")] == ["Standard", "HighPerformance"] and len(gw.skus("legacy")) == 2
    assert gw.skus("legacy")[1].name == "HighPerformance"


def test_p2s_clients_per_pool():
    # About gateway SKUs (facts §1.1 notes): separate SSTP and IKEv2/OpenVPN pools; SSTP is Windows only (§3.4)
    assert gw.p2s_clients({"SSTP": 100, "IKEv2/OpenVPN": 0}) == {"SSTP": 100}
    assert gw.p2s_clients(300) == {"IKEv2/OpenVPN": 300} and gw.p2s_clients(0) == {}
    assert gw.p2s_clients(100, ["SSTP"]) == {"SSTP": 100}
    assert gw.p2s_clients(100, ["SSTP", "OpenVPN"]) == {"IKEv2/OpenVPN": 100}
    assert gw.p2s_clients(100, ["IkeV2"]) == {"IKEv2/OpenVPN": 100}
    for bad in (-1, True, 2.5, "10"):
        refused(lambda: gw.p2s_clients(bad), GatewayError, value=bad, rule="a count",
                says=[f"P2S clients {bad!r}: a whole number, 0 or more."])
    refused(lambda: gw.p2s_clients({"L2TP": 5, "PPTP": 1}), GatewayError, value=["L2TP", "PPTP"],
            rule="P2S protocol pools", source="https://learn.microsoft.com",
            says=["P2S pool(s) ['L2TP', 'PPTP']: the pools are IKEv2/OpenVPN, SSTP."])
    assert gw.p2s_shortfalls(gw.sku("Basic"), 129, ["SSTP"]) == ["128 SSTP P2S connections < 129"]
    assert gw.p2s_shortfalls(gw.sku("Basic"), 128, ["SSTP"]) == []
    assert gw.p2s_shortfalls(gw.sku("VpnGw4AZ"), 5001) == ["5,000 IKEv2/OpenVPN P2S connections < 5,001"]


def test_requirements_name_each_shortfall():
    # §1.1: Basic is 100 Mbps, 10 tunnels, no BGP, no zones; §1.4: no NAT
    short = gw.requirements_met(gw.sku("Basic"), throughput_mbps=101, tunnels=11, p2s=1, bgp=True, nat=True,
                                zone_redundant=True)
    assert short == ["100 Mbps < 101 Mbps", "10 tunnels < 11", "0 IKEv2/OpenVPN P2S connections < 1", "no BGP",
                     "no NAT", "no zone redundancy"]
    assert gw.requirements_met(gw.sku("Basic"), throughput_mbps=100, tunnels=10, p2s={"SSTP": 128}) == []
    assert gw.requirements_met(gw.sku("VpnGw2AZ"), bgp=True, nat=True, zone_redundant=True) == []


def test_a_saved_gateway_keeps_its_generation_active_active_and_asn():
    net = with_gateway_subnet()
    g = net.add_vpn_gateway("hub", "VpnGw2AZ", generation=1, active_active=True, bgp_asn=65010)
    data = g.to_dict()
    assert (data["sku"], data["generation"], data["active_active"], data["bgp_asn"]) == ("VpnGw2AZ", 1, True, 65010)
    again = vl.Network.from_dict(net.to_dict()).gateway("hub")
    assert (again.sku.key, again.active_active, again.bgp_asn, len(again.public_ips)) == ("VpnGw2AZ (Gen1)", True,
                                                                                           65010, 2)
    net = with_gateway_subnet()
    data = net.add_vpn_gateway("hub", "VpnGw1AZ").to_dict()
    assert "active_active" not in data and "bgp_asn" not in data and data["generation"] == 1


def test_gateway_subnet_advice_starts_below_27():
    # Gateway settings 2024-02-29 (facts §2.3): /29 only for Basic; other SKUs need /27 or larger
    assert with_gateway_subnet("10.0.255.0/27").add_vpn_gateway("hub", "VpnGw1AZ").findings == ()
    assert with_gateway_subnet("10.0.255.0/28").add_vpn_gateway("hub", "Basic").findings == ()
    (finding,) = with_gateway_subnet("10.0.255.0/28").add_vpn_gateway("hub", "VpnGw1AZ").findings
    assert finding.startswith("GatewaySubnet 10.0.255.0/28 is smaller than /27") and "VpnGw1AZ needs /27" in finding


def test_resize_refusals_name_the_rule():
    # About gateway SKUs / Legacy SKUs (facts §1.1 notes, §1.5): Basic is not resized; one generation; no downgrade
    refused(lambda: gw.check_resize(gw.sku("VpnGw2AZ", 2), gw.sku("VpnGw2AZ", 2)), ResizeError,
            value="VpnGw2AZ (Gen2)", rule="resize to a different SKU",
            says=["The gateway is already VpnGw2AZ (Gen2)."])
    refused(lambda: gw.check_resize(gw.sku("Basic"), gw.sku("VpnGw1AZ")), ResizeError, value="Basic",
            rule="Basic cannot be resized", says=["A Basic gateway cannot be resized (to VpnGw1AZ (Gen1))."])
    refused(lambda: gw.check_resize(gw.sku("VpnGw2AZ", 1), gw.sku("VpnGw4AZ")), ResizeError, value="VpnGw4AZ (Gen2)",
            rule="resize within one SKU family",
            says=["VpnGw2AZ (Gen1) (Generation1 AZ) cannot be resized to VpnGw4AZ (Gen2) (Generation2 AZ)"])
    refused(lambda: gw.check_resize(gw.sku("Standard"), gw.sku("VpnGw1")), ResizeError, value="VpnGw1 (Gen1)",
            rule="resize within one SKU family", says=["Standard (legacy) cannot be resized to VpnGw1 (Gen1)"])
    refused(lambda: gw.check_resize(gw.sku("VpnGw3AZ", 2), gw.sku("VpnGw2AZ", 2)), ResizeError,
            value="VpnGw2AZ (Gen2)", rule="no resize to a smaller SKU",
            says=["VpnGw3AZ (Gen2) cannot be resized down to VpnGw2AZ (Gen2): a resize cannot downgrade a SKU."])
    gw.check_resize(gw.sku("VpnGw2AZ", 2), gw.sku("VpnGw3AZ", 2))
    gw.check_resize(gw.sku("Standard"), gw.sku("HighPerformance"))
    assert gw.family(gw.sku("VpnGw3", 2)) == "Generation2 non-AZ"


# --- gateway connections (facts §3, §4.3, §5) --------------------------------------------------------------------
from vnetlab.connection import GatewayConnectionError  # noqa: E402
from vnetlab.ipsec import IpsecPolicyError  # noqa: E402

V2V_HOWTO = "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-howto-vnet-vnet-resource-manager-portal"


def gateways(*specs, cloud=None):
    """VNets vnet<i> (10.<i>.0.0/16) with a gateway each: ``specs`` are (sku, kwargs) pairs."""
    net = vl.Network()
    for i, (sku, kw) in enumerate(specs, start=1):
        extra = {"cloud": cloud, "region": "chinanorth"} if cloud and i == len(specs) else {"region": "westeurope"}
        v = net.add_vnet(f"vnet{i}", [f"10.{i}.0.0/16"], **extra)
        v.add_subnet("GatewaySubnet", f"10.{i}.255.0/27")
        v.add_subnet("app", f"10.{i}.1.0/24").add_nic(f"vm{i}")
        net.add_vpn_gateway(f"vnet{i}", sku, **kw)
    return net


def test_point_to_site_refusals():
    # VPN FAQ (facts §3.4): route-based only; OpenVPN, SSTP, IKEv2; Basic SSTP only; the pool must not overlap
    net = gateways(("Basic", {"vpn_type": "PolicyBased"}), ("Basic", {}), ("VpnGw1AZ", {}))
    refused(lambda: net.add_point_to_site("vnet1", "172.16.0.0/24", ("SSTP",)), GatewayConnectionError,
            value="PolicyBased", rule="P2S is route-based only", source=VPN_FAQ,
            says=["Point-to-Site needs a route-based gateway."])
    refused(lambda: net.add_point_to_site("vnet3", "172.16.0.0/24", ("OpenVPN", "L2TP")), GatewayConnectionError,
            value=["L2TP"], rule="P2S tunnel types", source=VPN_FAQ,
            says=["P2S protocols ['OpenVPN', 'L2TP']: choose from OpenVPN, SSTP, IkeV2."])
    refused(lambda: net.add_point_to_site("vnet3", "172.16.0.0/24", ()), GatewayConnectionError, value=(),
            rule="P2S tunnel types")
    refused(lambda: net.add_point_to_site("vnet2", "172.16.0.0/24", ("SSTP", "IkeV2")), GatewayConnectionError,
            value=["SSTP", "IkeV2"], rule="Basic: SSTP only", source=VPN_FAQ,
            says=["The Basic SKU supports SSTP only for Point-to-Site."])
    assert net.add_point_to_site("vnet2", "172.16.0.0/24", ("SSTP",)).protocols == ("SSTP",)
    e = refused(lambda: net.add_point_to_site("vnet3", ["172.17.0.0/24", "10.3.128.0/20"], ("OpenVPN",)),
                GatewayConnectionError, value=ANY, rule="the client pool must not overlap the VNet", source=VPN_FAQ,
                says=["P2S client pool 10.3.128.0/20 overlaps vnet3's 10.3.0.0/16."])
    assert str(e.value) == "10.3.128.0/20"
    p2s = net.add_point_to_site("vnet3", "172.17.0.0/24", ("OpenVPN", "IkeV2"))
    assert p2s.to_dict() == {"address_pool": ["172.17.0.0/24"], "protocols": ["OpenVPN", "IkeV2"]}


def test_connection_setting_refusals():
    # VPN FAQ (facts §4.2, §4.3): custom policy not on Basic; policy-based gateways speak IKEv1 only; route-based
    # IKEv1 not on Basic or legacy SKUs; policy-based traffic selectors are for Site-to-Site connections
    net = gateways(("VpnGw1AZ", {}), ("VpnGw1AZ", {}), ("Basic", {}), ("Basic", {"vpn_type": "PolicyBased"}))
    net.add_local_network_gateway("site", "198.51.100.7", ["192.168.0.0/24"])
    refused(lambda: net.connect("vnet1", "site", kind="IPsec", use_policy_based_traffic_selectors="yes"),
            GatewayConnectionError, value="yes", rule="a boolean",
            says=["use_policy_based_traffic_selectors='yes': true or false."])
    refused(lambda: net.connect("vnet1", "vnet2", use_policy_based_traffic_selectors=True), GatewayConnectionError,
            value="Vnet2Vnet", rule="selectors on IPsec only", source=VPN_FAQ,
            says=["Policy-based traffic selectors are for Site-to-Site (IPsec) connections"])
    policy = dict(ike_encryption="AES256", ike_integrity="SHA256", dh_group="DHGroup14", ipsec_encryption="AES256",
                  ipsec_integrity="SHA256", pfs_group="PFS2048", sa_lifetime_seconds=27000, sa_data_size_kb=102400000)
    refused(lambda: net.connect("vnet3", "site", kind="IPsec", ipsec_policy=policy), IpsecPolicyError, value="Basic",
            rule="no custom policy on Basic", source=VPN_FAQ,
            says=["vnet3-vpngw is Basic: custom IPsec/IKE policies are supported on every SKU except Basic."])
    (c,) = net.connect("vnet1", "site", kind="IPsec", ipsec_policy=policy)
    assert c.ipsec_policy.to_dict() == net.connection("vnet1", "vnet1-to-site").to_dict()["ipsec_policy"]
    refused(lambda: net.connect("vnet2", "site", kind="IPsec", connection_protocol="IKEv3"), GatewayConnectionError,
            value="IKEv3", rule="IKE versions", source=VPN_FAQ, says=["Connection protocol 'IKEv3': use IKEv2 or IKEv1."])
    refused(lambda: net.connect("vnet4", "site", kind="IPsec", connection_protocol="IKEv2"), GatewayConnectionError,
            value="IKEv2", rule="policy-based: IKEv1", source=VPN_FAQ,
            says=["vnet4-vpngw is policy-based, which supports IKEv1 only."])
    (c,) = net.connect("vnet4", "site", kind="IPsec")  # a policy-based gateway defaults to IKEv1
    assert c.connection_protocol == "IKEv1" and c.to_dict()["connection_protocol"] == "IKEv1"
    refused(lambda: net.connect("vnet3", "site", kind="IPsec", connection_protocol="ikev1"), GatewayConnectionError,
            value="Basic", rule="IKEv1 needs VpnGw1+", source=VPN_FAQ,
            says=["vnet3-vpngw is Basic: IKEv1 connections are not available on route-based Basic, Standard"])
    (c,) = net.connect("vnet2", "site", kind="IPsec", connection_protocol="ikev1")
    assert c.connection_protocol == "IKEv1"


def test_vnet_to_vnet_refusals():
    # VNet-to-VNet how-to and VPN FAQ (facts §3.3, §2.6): route-based at both ends, one cloud, BGP and distinct
    # ASNs on both gateways; one connection name per gateway
    net = gateways(("VpnGw1AZ", {"bgp_asn": 65010}), ("Basic", {"vpn_type": "PolicyBased"}),
                   ("VpnGw1AZ", {"bgp_asn": 65010}), ("VpnGw1AZ", {}), ("VpnGw1AZ", {"bgp_asn": 65020}))
    refused(lambda: net.connect("vnet1", "vnet1"), GatewayConnectionError, value="vnet1-to-vnet1", rule="two gateways",
            says=["A gateway cannot connect to itself."])
    refused(lambda: net.connect("vnet1", "vnet2", bidirectional=False), GatewayConnectionError, value="vnet2-vpngw",
            rule="Vnet2Vnet is route-based only", source=V2V_HOWTO,
            says=["vnet2-vpngw is policy-based; VNet-to-VNet needs route-based gateways at both ends."])
    refused(lambda: net.connect("vnet1", "vnet4", enable_bgp=True), GatewayConnectionError, value="vnet1-to-vnet4",
            rule="BGP on both ends", source=VPN_FAQ, says=["BGP on vnet1-to-vnet4 needs BGP (an ASN) on both gateways."])
    refused(lambda: net.connect("vnet1", "vnet3", enable_bgp=True), GatewayConnectionError, value=65010,
            rule="different ASNs per BGP session", source=VPN_FAQ,
            says=["BGP on vnet1-to-vnet3: both gateways use ASN 65010; the two ends need different ASNs."])
    a, b = net.connect("vnet1", "vnet5", enable_bgp=True)
    assert a.to_dict() == {"name": "vnet1-to-vnet5", "kind": "Vnet2Vnet", "remote": "vnet5-vpngw", "enable_bgp": True}
    assert (a.path, b.status, a.reverse is b, b.reverse is a) == ("Microsoft backbone", "Connected", True, True)
    refused(lambda: net.connect("vnet1", "vnet5", name="vnet1-to-vnet5", bidirectional=False), GatewayConnectionError,
            value="vnet1-to-vnet5", rule="connection names are unique",
            says=["Gateway vnet1-vpngw already has a connection named vnet1-to-vnet5."])
    net.set_address_space("vnet4", ["10.4.0.0/16", "10.1.128.0/17"])
    e = refused(lambda: net.connect("vnet1", "vnet4"), GatewayConnectionError, value=ANY, source=V2V_HOWTO,
                rule="connected address spaces must not overlap",
                says=["vnet4's 10.1.128.0/17 overlaps vnet1's 10.1.0.0/16: address spaces joined by a VPN connection "
                      "must not overlap (VNet-to-VNet connections take no NAT rules; NAT on VpnGw2+ gateways is "
                      "documented for Site-to-Site (IPsec) connections to on-premises sites)."])
    assert str(e.value) == "10.1.128.0/17"
    clouds = gateways(("VpnGw1AZ", {}), ("VpnGw1AZ", {}), cloud="AzureChinaCloud")
    refused(lambda: clouds.connect("vnet1", "vnet2"), GatewayConnectionError, value="vnet1-to-vnet2",
            rule="no VNet-to-VNet across clouds", source=VPN_FAQ,
            says=["vnet1 (AzureCloud) and vnet2 (AzureChinaCloud): VNet-to-VNet does not work across Azure clouds; use "
                  "Site-to-Site there."])


def test_site_to_site_bgp_refusals_and_a_policy_based_gateway_takes_one_tunnel():
    net = gateways(("VpnGw1AZ", {"bgp_asn": 65010}), ("Basic", {"vpn_type": "PolicyBased"}))
    net.add_local_network_gateway("plain", "198.51.100.7", ["192.168.0.0/24"])
    net.add_local_network_gateway("same", "198.51.100.8", ["192.168.1.0/24"], bgp_asn=65010, bgp_peer_ip="192.168.1.1")
    net.add_local_network_gateway("other", "198.51.100.9", ["192.168.2.0/24"])
    refused(lambda: net.connect("vnet1", "plain", kind="IPsec", enable_bgp=True), GatewayConnectionError,
            value="vnet1-to-plain", rule="BGP on both ends", source=VPN_FAQ,
            says=["BGP on vnet1-to-plain needs an ASN on the gateway and on LNG plain."])
    refused(lambda: net.connect("vnet1", "same", kind="IPsec", enable_bgp=True), GatewayConnectionError, value=65010,
            rule="different ASNs", source=VPN_FAQ,
            says=["LNG same uses ASN 65010, the same as Azure's side; on-premises and Azure must use different ASNs."])
    net.connect("vnet2", "plain", kind="IPsec")
    # About gateway SKUs (facts §1.4): a policy-based Basic gateway has 1 S2S tunnel
    refused(lambda: net.connect("vnet2", "other", kind="IPsec"), GatewayConnectionError, value=1,
            rule="tunnels per SKU", source=SKUS,
            says=["Gateway vnet2-vpngw (Basic, PolicyBased) already has 1 tunnel(s); its limit is 1."])


def test_connected_address_spaces_must_not_overlap():
    # VNet-to-VNet how-to (facts §3.3): the address spaces of all VNets and sites connected to a gateway must not
    # overlap, checked whichever was connected first
    net = gateways(("VpnGw1AZ", {}), ("VpnGw1AZ", {}))
    net.add_vnet("vnet3", ["10.50.0.0/16"], region="westeurope").add_subnet("GatewaySubnet", "10.50.255.0/27")
    net.add_vpn_gateway("vnet3", "VpnGw1AZ")
    net.add_local_network_gateway("site", "198.51.100.7", ["10.50.0.0/24"])
    net.connect("vnet1", "vnet2")
    net.connect("vnet1", "site", kind="IPsec")
    e = refused(lambda: net.connect("vnet1", "vnet3", bidirectional=False), GatewayConnectionError, value="10.50.0.0/16",
                rule="connected address spaces must not overlap", source=V2V_HOWTO,
                says=["vnet3's 10.50.0.0/16 overlaps 10.50.0.0/24 of site site, already connected to vnet1-vpngw by "
                      "vnet1-to-site"])
    net.add_local_network_gateway("site2", "198.51.100.8", ["10.2.4.0/24"])
    refused(lambda: net.connect("vnet1", "site2", kind="IPsec"), GatewayConnectionError, value="10.2.4.0/24",
            rule="connected address spaces must not overlap", says=["of VNet vnet2, already connected"])
    net.add_local_network_gateway("own", "198.51.100.9", ["10.1.8.0/24"])
    refused(lambda: net.connect("vnet1", "own", kind="IPsec"), GatewayConnectionError, value=ANY,
            rule="connected address spaces must not overlap", source="https://learn.microsoft.com/azure/vpn-gateway/nat-howto",
            says=["own's 10.1.8.0/24 overlaps vnet1's 10.1.0.0/16: address spaces joined by a VPN connection must not "
                  "overlap (link an IngressSnat rule that maps the site's prefix to a free external range)."])


def test_overlapping_sites_are_a_finding_unless_bgp_runs_on_both():
    # facts §3.2, §3.3: sites on one gateway must not overlap; several tunnels to one site need BGP on both
    from vnetlab.connection import overlapping_site_findings

    net = gateways(("VpnGw1AZ", {"bgp_asn": 65010}))
    net.add_local_network_gateway("a", "198.51.100.7", ["192.168.0.0/16"], bgp_asn=65020, bgp_peer_ip="192.168.0.1")
    net.add_local_network_gateway("b", "198.51.100.8", ["192.168.4.0/24"], bgp_asn=65030, bgp_peer_ip="192.168.4.1")
    net.add_local_network_gateway("c", "198.51.100.9", ["172.16.0.0/24"])
    net.connect("vnet1", "a", kind="IPsec", enable_bgp=True)
    net.connect("vnet1", "c", kind="IPsec")
    net.connect("vnet1", "b", kind="IPsec")
    (finding,) = overlapping_site_findings(net.gateway("vnet1"))
    assert finding.startswith("Sites a (192.168.0.0/16) and b (192.168.4.0/24) overlap on vnet1-vpngw's connections "
                              "vnet1-to-a and vnet1-to-b, with static routing on vnet1-to-b:")
    assert "the first connection (vnet1-to-a)" in finding
    net.remove_connection("vnet1", "vnet1-to-b")
    net.connect("vnet1", "b", kind="IPsec", enable_bgp=True)
    assert overlapping_site_findings(net.gateway("vnet1")) == []


def test_p2s_clients_are_routed_to_the_gateway_vnet_and_its_transit_spokes_only():
    # VPN FAQ / Manage peering (facts §3.4): P2S clients reach a peered VNet only when it uses the gateway
    from vnetlab.connection import p2s_client_routes

    net = gateways(("VpnGw1AZ", {}))
    net.add_vnet("spoke", ["10.20.0.0/16"], region="westeurope")
    net.add_vnet("other", ["10.30.0.0/16"], region="westeurope")
    net.peer("vnet1", "spoke", allow_gateway_transit="vnet1", use_remote_gateways="spoke")
    net.peer("vnet1", "other")
    net.add_point_to_site("vnet1", "172.16.0.0/24", ("OpenVPN",))
    table = p2s_client_routes(net.gateway("vnet1"))
    assert [(r.prefix, r.next_hop_type, r.source, r.next_hop_ip, r.connection) for r in table.routes] == [
        ("10.1.0.0/16", "VirtualNetworkGateway", "VirtualNetworkGateway", ("203.0.113.1",), "P2S"),
        ("10.20.0.0/16", "VirtualNetworkGateway", "VirtualNetworkGateway", ("203.0.113.1",), "P2S")]
    assert "spoke, which uses vnet1's gateway" in table.routes[1].origin and table.vnet == "P2S clients of vnet1"


# --- traces (facts §3, §6.3, §7) ---------------------------------------------------------------------------------
from vnetlab.errors import TraceError  # noqa: E402


@pytest.fixture
def hub():
    return vl.load_scenario("hub-and-spoke")


def test_trace_request_refusals_name_the_rule(hub):
    # NSG overview (facts §8.1): rules filter TCP, UDP, ICMP or Any; ports 0-65535 belong to TCP and UDP
    refused(lambda: hub.trace("vm-hub", "10.1.1.4", protocol="Esp"), TraceError, value="Esp",
            rule="protocols Azure filters on: TCP, UDP, ICMP, Any", says=["Protocol 'Esp': use Tcp, Udp, Icmp or Any."])
    refused(lambda: hub.trace("vm-hub", "10.1.1.4", protocol="Icmp", port=7), TraceError, value=7,
            rule="ports belong to TCP and UDP", says=["Port 7 with Icmp: only TCP and UDP have ports."])
    refused(lambda: hub.trace("vm-hub", "10.1.1.4", port="http"), TraceError, value="http",
            rule="ports are 0..65535", says=["Port 'http' is not a number from 0 to 65535."])
    refused(lambda: hub.trace("vm-hub", "10.1.1.4", port=True), TraceError, value=True, rule="ports are 0..65535")
    for port in (-1, 65536):
        refused(lambda: hub.trace("vm-hub", "10.1.1.4", port=port), TraceError, value=port,
                rule="ports are 0..65535", says=[f"Port {port} is outside 0..65535."])
    for port, shown in ((0, 0), (65535, 65535), (" 443 ", 443)):
        assert hub.trace("vm-hub", "10.1.1.4", protocol=" udp ", port=port).port == shown
    assert hub.trace("vm-hub", "10.1.1.4", protocol="*").protocol == "Any"
    refused(lambda: hub.trace("vm-hub", "10.1.1.4", from_site="x", from_p2s="y"), TraceError, value=("x", "y"),
            rule="one trace source", says=["pass from_site= or from_p2s=, not both."])
    refused(lambda: hub.trace("10.9.9.9", "10.1.1.4"), TraceError, value="10.9.9.9",
            rule="a trace starts at a NIC in a subnet", says=["Source 10.9.9.9 is not in any subnet of this network"])


def test_a_trace_shows_its_caption_rows_and_the_list_row(hub):
    t = hub.trace("vm-spoke1", "10.0.1.4", port=443)
    assert t.verdict == "Reachable" and (t.src_vnet, t.dst_vnet) == ("spoke1", "hub")
    assert t._caption().startswith("Tcp 10.1.1.4 → 10.0.1.4:443: Reachable. Delivered to vm-hub")
    assert t.rows()[1][:5] == (2, "spoke1", "app", "route lookup", "10.0.0.0/16 → VNetPeering")
    assert t.rows()[-1][5] == "10.1.1.4 → 10.0.1.4" and t.rows()[0][4] == ""
    assert str(t).splitlines()[0].startswith("Tcp 10.1.1.4 → 10.0.1.4:443: Reachable.")
    assert str(t).split("\n")[1].split()[:3] == ["#", "VNet", "Subnet"]
    assert t.delivered_as == ("10.1.1.4", "10.0.1.4") and t.translations == ()
    from vnetlab.trace import TraceList
    assert TraceList.row(t)[:3] == ("Tcp", "10.1.1.4 → 10.0.1.4:443", "Reachable")
    icmp = hub.trace("vm-spoke1", "10.0.1.4", protocol="Icmp")
    assert TraceList.row(icmp)[1] == "10.1.1.4 → 10.0.1.4" and ":" not in icmp._caption().split(": ")[0][-6:]
    r = hub.reachability()
    assert r.as_dict()[("vm-spoke1", "vm-hub")] is True and r.as_dict()[("vm-spoke1", "vm-spoke2")] is False
    assert len(r.rows) == 6 and r.nics == ("vm-hub", "vm-spoke1", "vm-spoke2")
    assert "Reachability between VMs" in r._repr_html_() and str(r).splitlines()[0].split()[:3] == ["From", "To", "Verdict"]


def test_why_there_is_no_route(hub):
    # facts §7.1: 10.0.0.0/8 -> None by default, so private addresses outside any known network are dropped
    t = hub.trace("vm-hub", "10.77.0.4")
    assert t.verdict == "Dropped" and t.reason.endswith("10.77.0.4 belongs to no other VNet or site in this network.")
    assert t.reason.startswith("10.77.0.4 matches 10.0.0.0/8 → None: dropped. ")
    hub.add_vnet("lonely", ["10.40.0.0/16"], region="westeurope").add_subnet("s", "10.40.1.0/24").add_nic("vm-l")
    t = hub.trace("vm-hub", "10.40.1.4")
    assert t.reason.endswith("hub and lonely are not connected (no peering, no gateway connection).")
    t = hub.trace("vm-spoke1", "10.2.1.4")  # facts §6.3: peering is not transitive
    assert t.reason.endswith("spoke1 is peered with hub, and hub with spoke2, but peering is not transitive: spoke1 "
                             "has no route to spoke2. Peer them directly, or route through an appliance or gateway in hub.")
    hub.add_peering_link("spoke1", "lonely")
    t = hub.trace("vm-spoke1", "10.40.1.4")  # facts §6.2: Initiated while one link exists
    assert t.reason.endswith("The peering spoke1 → lonely is Initiated: create the link on lonely too; a peering "
                             "needs both links.")
    hub.add_peering_link("lonely", "spoke1")
    hub.remove_peering_link("lonely", "spoke1")
    t = hub.trace("vm-spoke1", "10.40.1.4")
    assert "The peering spoke1 → lonely is Disconnected (lonely's link was deleted): delete spoke1's link " \
           "spoke1-to-lonely and re-create the peering on both sides." in t.reason


def test_why_a_site_or_a_vnet_to_vnet_peer_is_not_reached():
    net = gateways(("VpnGw1AZ", {}), ("VpnGw1AZ", {}))
    net.add_local_network_gateway("branch", "198.51.100.7", ["192.168.5.0/24"])
    net.add_vnet("nogw", ["10.60.0.0/16"], region="westeurope").add_subnet("s", "10.60.1.0/24").add_nic("vm-n")
    net.add_vnet("far", ["10.61.0.0/16"], region="westeurope")
    t = net.trace("vm-n", "192.168.5.4")  # a VNet without a gateway (facts §6.2: transit needs use_remote_gateways)
    assert t.reason.endswith("192.168.5.4 is at on-premises site branch, but nogw gets no gateway route to it: it needs "
                             "a gateway connected to the site, or gateway transit (use_remote_gateways on its link, "
                             "allow_gateway_transit on the hub's link).")
    net.connect("vnet1", "vnet2", bidirectional=False)  # facts §3.3: a VNet-to-VNet tunnel is two resources
    t = net.trace("vm1", "10.2.1.4")
    assert t.verdict == "Dropped" and t.reason.endswith(
        "The VNet-to-VNet connection vnet1-to-vnet2 to vnet2 is NotConnected: only vnet1's connection resource exists; "
        "a VNet-to-VNet tunnel needs the connection from vnet2 too.")
    net.connect("vnet1", "branch", kind="IPsec")
    net.add_local_network_gateway("far-site", "198.51.100.8", ["10.61.0.0/24"])
    net.connect("vnet1", "far-site", kind="IPsec")
    t = net.trace("vm1", "10.61.1.4")  # facts §3.2: a site's prefixes are typed by hand
    assert t.reason.endswith("vnet1 reaches far through Site-to-Site connection vnet1-to-far-site, whose local network "
                             "gateway far-site lists 10.61.0.0/24, and 10.61.1.4 is not in it: a Site-to-Site "
                             "connection routes only the prefixes its local network gateway lists, and those are "
                             "typed by hand.")


def test_appliance_and_peering_refusals_in_a_trace(hub):
    # Manage peering (facts §6.2): allowVirtualNetworkAccess off stops traffic; forwarded traffic needs the flag
    hub.add_route_table("rt")
    hub.add_route("rt", "via", "10.2.0.0/16", "VirtualAppliance", "10.0.1.200")
    hub.associate_route_table("spoke1", "app", "rt")
    t = hub.trace("vm-spoke1", "10.2.1.4")
    assert t.verdict == "Dropped" and t.reason == ("The route 10.2.0.0/16 → VirtualAppliance 10.0.1.200 points at an "
                                                   "address no NIC in spoke1 or its peers has: the packet is dropped.")
    hub.vnet("hub").subnets["shared"].add_nic("nva", "10.0.1.200")
    t = hub.trace("vm-spoke1", "10.2.1.4")
    assert t.reason == ("Appliance nva (10.0.1.200) receives the packet but IP forwarding is off on its NIC, so it "
                        "does not forward it.")
    assert hops(t) == [(1, "spoke1", "app", "leave source"), (2, "spoke1", "app", "route lookup"),
                       (3, "hub", "shared", "cross peering"), (4, "hub", "", "drop")]
    hub.set_peering("hub", "spoke1", allow_virtual_network_access=False)
    t = hub.trace("vm-spoke1", "10.2.1.4")
    assert t.reason == ("The peering exists, but hub's link hub-to-spoke1 has allow_virtual_network_access off, so no "
                        "traffic flows between spoke1 and hub.")
    assert hops(t)[-1] == (3, "spoke1", "", "drop")


def test_hops_over_a_peering_and_an_outbound_nsg(hub):
    t = hub.trace("vm-spoke1", "10.0.1.4")
    assert hops(t) == [(1, "spoke1", "app", "leave source"), (2, "spoke1", "app", "route lookup"),
                       (3, "hub", "", "cross peering"), (4, "hub", "shared", "deliver")]
    # NSG overview (facts §8.1, §8.3): outbound rules of the source subnet's NSG are checked as the packet leaves
    hub.add_network_security_group("nsg")
    hub.add_security_rule("nsg", "no-web", 100, "Outbound", "Deny", "Tcp", destination_ports="443")
    hub.associate_network_security_group("spoke1", "app", nsg="nsg")
    t = hub.trace("vm-spoke1", "10.0.1.4", port=443)
    assert t.verdict == "Dropped" and t.reason.startswith("Outbound NSG: ")
    assert hops(t) == [(1, "spoke1", "app", "leave source"), (2, "spoke1", "app", "NSG")]
    assert t.hops[-1].detail.startswith("Outbound: ")
    t = hub.trace("vm-spoke1", "10.0.1.4", port=22)
    assert t.reachable and t.hops[1].action == "NSG" and t.hops[1].detail.startswith("Outbound: ")
    # facts §6.2: with allowVirtualNetworkAccess off the VirtualNetwork tag no longer covers the peer, so the default
    # AllowVnetOutBound rule does not match; without the NSG the peering itself carries no traffic
    hub.set_peering("hub", "spoke1", allow_virtual_network_access=False)
    t = hub.trace("vm-spoke1", "10.0.1.4", port=22)
    assert t.verdict == "Dropped" and "DenyAllOutBound" in t.reason and hops(t)[-1] == (2, "spoke1", "app", "NSG")
    hub.associate_network_security_group("spoke1", "app", nsg=None)
    t = hub.trace("vm-spoke1", "10.0.1.4", port=22)
    assert t.verdict == "Dropped" and hops(t)[-2:] == [(2, "spoke1", "app", "route lookup"), (3, "spoke1", "", "drop")]


def test_digits_that_are_not_ascii_are_refused_with_the_rule_not_a_raw_error(hub):
    # A bug mutation testing led to: "²".isdigit() is true but int("²") raises a raw ValueError. Ports and prefix
    # lengths are plain decimal numbers (ports 0..65535, NAT port mappings 1..65535, IPv4 lengths 0..32).
    from vnetlab import addressing
    from vnetlab.errors import PrefixLengthError
    from vnetlab.nat import NatRuleError, make_rule

    for text in ("²", "٣", "4²"):
        refused(lambda: hub.trace("vm-hub", "10.1.1.4", port=text), TraceError, value=text, rule="ports are 0..65535")
        refused(lambda: make_rule("r", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24",
                                  internal_port=text, external_port="80"), NatRuleError, value=text,
                rule="ports are 1..65535")
        refused(lambda: addressing.parse_prefix(f"10.0.0.0/{text}"), PrefixLengthError, value=f"10.0.0.0/{text}",
                rule="IPv4 prefix length is 0..32")


def site_to_hub():
    """hub (gateway, connected to site branch 192.168.5.0/24) peered with spoke without gateway transit."""
    net = gateways(("VpnGw1AZ", {}))
    net.add_vnet("spoke", ["10.20.0.0/16"], region="westeurope").add_subnet("app", "10.20.1.0/24").add_nic("vm-s")
    net.peer("vnet1", "spoke")
    net.add_local_network_gateway("branch", "198.51.100.7", ["192.168.5.0/24"])
    return net


def test_traces_from_a_site_name_their_refusals_and_a_down_tunnel():
    net = site_to_hub()
    refused(lambda: net.trace("192.168.5.4", "10.1.1.4", from_site="branch"), TraceError, value="branch",
            rule="a site reaches Azure through a Site-to-Site connection",
            says=["Site branch has no connection to any VPN gateway."])
    net.connect("vnet1", "branch", kind="IPsec")
    refused(lambda: net.trace("192.168.6.4", "10.1.1.4", from_site="branch"), TraceError, value="192.168.6.4",
            rule="an on-premises source lies in its site's prefixes",
            says=["192.168.6.4 is not in site branch's prefixes (192.168.5.0/24)."])
    t = net.trace("192.168.5.4", "10.1.1.4", from_site="branch")
    assert t.reachable and t.reason == "Delivered to vm1 through Site-to-Site connection vnet1-to-branch."
    assert [h.action for h in t.hops] == ["leave source", "IPsec tunnel", "deliver"] and t.src_vnet == "branch"
    # facts §6.2 / §2.6: without gateway transit the gateway does not learn the peered spoke's prefixes
    t = net.trace("192.168.5.4", "10.20.1.4", from_site="branch")
    assert t.verdict == "Dropped" and t.reason == (
        "10.20.1.4 is in spoke, peered with vnet1 without gateway transit: vnet1-vpngw does not learn spoke's "
        "prefixes, so it neither advertises nor delivers to them. Set allow_gateway_transit on vnet1's link and "
        "use_remote_gateways on spoke's link.")
    assert t.hops[-2].action == "route lookup" and t.hops[-1].detail == "vnet1-vpngw does not route into spoke"
    assert hops(t)[-1] == (4, "vnet1", "", "drop")
    # facts §4.1: Azure offers DH group 2 by default; a device insisting on group 24 keeps the tunnel down
    net.set_vpn_device("branch", ike_versions=["IKEv2"], phase1=["AES256/SHA256/DHGroup24"], phase2=["AES256/SHA256/None"])
    t = net.trace("192.168.5.4", "10.1.1.4", from_site="branch")
    assert t.verdict == "Dropped" and t.reason.startswith("The tunnel of vnet1-to-branch is not up: ")
    assert t.hops[-1].detail == "connection vnet1-to-branch is NotConnected"
    t = net.trace("vm1", "192.168.5.4")
    assert t.verdict == "Dropped" and "192.168.5.4 is at on-premises site branch, but connection vnet1-to-branch is " \
                                      "NotConnected: " in t.reason


def test_a_vnet_treated_as_a_site_needs_a_connection_back():
    # facts §3.2: VNets joined by S2S each treat the other as a local site: a connection and an LNG on each side
    net = gateways(("VpnGw1AZ", {}), ("VpnGw1AZ", {}))
    net.add_local_network_gateway("to-vnet2", net.gateway("vnet2").public_ips[0], ["10.2.0.0/16"])
    net.connect("vnet1", "to-vnet2", kind="IPsec")
    t = net.trace("vm1", "10.2.1.4")
    assert t.verdict == "Dropped" and t.reason == (
        "vnet2's gateway vnet2-vpngw has no Site-to-Site connection to vnet1-vpngw's public IP: a tunnel between two "
        "VNets needs a connection (and an LNG) on each side.")
    net.add_local_network_gateway("to-vnet1", net.gateway("vnet1").public_ips[0], ["10.1.0.0/16"])
    net.connect("vnet2", "to-vnet1", kind="IPsec")
    t = net.trace("vm1", "10.2.1.4")
    assert hops(t)[2:] == [(3, "vnet1", "GatewaySubnet", "to gateway"), (4, "vnet2", "GatewaySubnet", "IPsec tunnel"),
                           (5, "vnet2", "app", "deliver")]
    assert t.reachable and t.reason == ("Delivered to vm2 through Site-to-Site connections vnet1-to-to-vnet2 and "
                                        "vnet2-to-to-vnet1.")


def test_user_routes_to_a_missing_gateway_a_loop_and_a_stale_copy(hub):
    # UDR overview (facts §7.3): a user route may name VirtualNetworkGateway; with no gateway the packet is dropped
    hub.add_route_table("rt")
    hub.add_route("rt", "to-gw", "172.16.0.0/12", "VirtualNetworkGateway")
    hub.associate_route_table("spoke1", "app", "rt")
    t = hub.trace("vm-spoke1", "172.16.0.4")
    assert t.verdict == "Dropped" and t.reason == ("172.16.0.0/12 → VirtualNetworkGateway, but spoke1 has no VPN "
                                                   "gateway and uses none through gateway transit.")
    # an appliance whose own subnet sends the packet back to itself
    hub.vnet("hub").add_subnet("nva", "10.0.2.0/24").add_nic("nva", "10.0.2.4", ip_forwarding=True)
    hub.add_route_table("loop")
    hub.add_route("loop", "back", "10.2.0.0/16", "VirtualAppliance", "10.0.2.4")
    hub.associate_route_table("hub", "nva", "loop")
    hub.associate_route_table("hub", "shared", "loop")
    t = hub.trace("vm-hub", "10.2.1.4")
    assert t.verdict == "Dropped" and t.reason == "The packet came back to hub/nva: a routing loop."
    # Update peered address space (facts §6.4): until synced, the peer routes the removed range from its stale copy
    hub.set_address_space("spoke2", ["10.2.0.0/17"])
    t = hub.trace("vm-spoke1", "10.0.1.4")
    assert t.reachable
    hub.vnet("hub").subnets["shared"].route_table = None
    t = hub.trace("vm-hub", "10.2.200.4")
    assert t.verdict == "Dropped" and t.reason == ("spoke2's address space no longer contains 10.2.200.4 (the route "
                                                   "came from a stale copy).")


def test_the_nat_example_connections_save_their_rules_and_refuse_a_missing_egress_rule():
    # NAT overview / Configure NAT (facts §5.4): each branch connection links its IngressSnat rule and the VNet's
    # EgressSnat rule; an on-premises space equal to the VNet's needs both (VPN FAQ, facts §5.1)
    net = vl.load_scenario("nat-branches")
    assert net.connection("VNet", "VNet-Branch1").to_dict() == {
        "name": "VNet-Branch1", "kind": "IPsec", "remote": "Branch1", "ingress_nat_rules": ["Branch1"],
        "egress_nat_rules": ["VNet"]}
    net.add_vnet("Other", ["10.9.0.0/16"], region="westeurope")
    net.add_local_network_gateway("Branch3", "198.51.100.30", ["10.0.1.0/24"])
    net.add_nat_rule("VNet", "Branch3", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.4.0/24")
    e = refused(lambda: net.connect("VNet", "Branch3", kind="IPsec", ingress_nat_rules=["Branch3"]),
                GatewayConnectionError, value=ANY, rule="both ingress and egress rules when spaces overlap",
                source=VPN_FAQ,
                says=["Site Branch3 would see VNet's 10.0.1.0/24 as overlapping its own 10.0.1.0/24: when the "
                      "on-premises space overlaps the VNet, the connection needs an EgressSnat rule for the VNet as "
                      "well as IngressSnat rules for the site."])
    assert str(e.value) == "10.0.1.0/24"
    (c,) = net.connect("VNet", "Branch3", kind="IPsec", ingress_nat_rules=["Branch3"], egress_nat_rules=["VNet"])
    assert c.path == "public internet" and c.status == "Connected"
    net.add_local_network_gateway("Plain", "198.51.100.40", ["172.16.0.0/24"])
    (c,) = net.connect("VNet", "Plain", kind="IPsec", use_policy_based_traffic_selectors=True)
    assert c.to_dict()["use_policy_based_traffic_selectors"] is True


def test_the_catalog_is_built_from_the_feature_table():
    # facts §1.4/§1.5, read again from the data (the catalog is cached once per process)
    gw.catalog.cache_clear()
    try:
        assert (gw.sku("Standard").active_active, gw.sku("HighPerformance").active_active) == (False, True)
        assert gw.sku("VpnGw2").nat and not gw.sku("VpnGw1").nat and not gw.sku("Basic").active_active
    finally:
        gw.catalog.cache_clear()


def test_a_saved_gateway_keeps_its_point_to_site_configuration():
    net = with_gateway_subnet()
    net.add_vpn_gateway("hub", "VpnGw1AZ")
    net.add_point_to_site("hub", "172.16.0.0/24", ("OpenVPN",))
    assert net.gateway("hub").to_dict()["point_to_site"] == {"address_pool": ["172.16.0.0/24"], "protocols": ["OpenVPN"]}


def test_the_missing_egress_rule_names_the_vnet_prefix_the_site_would_see():
    net = vl.load_scenario("nat-branches")
    net.add_local_network_gateway("Half", "198.51.100.30", ["10.0.1.0/25"])
    net.add_nat_rule("VNet", "Half", mode="IngressSnat", internal="10.0.1.0/25", external="192.168.4.0/25")
    e = refused(lambda: net.connect("VNet", "Half", kind="IPsec", ingress_nat_rules=["Half"]), GatewayConnectionError,
                value=ANY, rule="both ingress and egress rules when spaces overlap",
                says=["Site Half would see VNet's 10.0.1.0/24 as overlapping its own 10.0.1.0/25"])
    assert str(e.value) == "10.0.1.0/24"


def hops(t):
    return [(h.step, h.vnet, h.subnet, h.action) for h in t.hops]


def test_hops_of_traces_through_gateways():
    net = gateways(("VpnGw1AZ", {}), ("VpnGw1AZ", {}))
    net.vnet("vnet1").subnets["app"].add_nic("vm1b", "10.1.1.5")
    t = net.trace("vm1", "10.1.1.5")
    assert t.reachable and (t.src_vnet, t.dst_vnet) == ("vnet1", "vnet1")
    net.connect("vnet1", "vnet2")
    t = net.trace("vm1", "10.2.1.4")
    assert hops(t) == [(1, "vnet1", "app", "leave source"), (2, "vnet1", "app", "route lookup"),
                       (3, "vnet1", "GatewaySubnet", "to gateway"), (4, "vnet2", "GatewaySubnet", "VNet-to-VNet tunnel"),
                       (5, "vnet2", "app", "deliver")]
    assert t.dst_vnet == "vnet2"
    # a site connected to two unconnected VNets' gateways (facts §3.2: multi-site) reaches each VNet through the
    # connection that lands there
    sites = gateways(("VpnGw1AZ", {}), ("VpnGw1AZ", {}))
    sites.add_local_network_gateway("branch", "198.51.100.7", ["192.168.5.0/24"])
    for v in ("vnet1", "vnet2"):
        sites.connect(v, "branch", kind="IPsec")
    for v, vm in (("vnet1", "vm1"), ("vnet2", "vm2")):
        t = sites.trace("192.168.5.4", f"10.{v[-1]}.1.4", from_site="branch")
        assert t.reachable and t.reason == f"Delivered to {vm} through Site-to-Site connection {v}-to-branch."
        assert hops(t) == [(1, "branch", "", "leave source"), (2, v, "GatewaySubnet", "IPsec tunnel"),
                           (3, v, "app", "deliver")]
    net.add_point_to_site("vnet1", "172.16.0.0/24", ("OpenVPN",))
    t = net.trace("vm1", "172.16.0.9")
    assert t.reachable and hops(t)[-2:] == [(3, "vnet1", "GatewaySubnet", "to gateway"),
                                            (4, "vnet1", "GatewaySubnet", "Point-to-Site")]
    refused(lambda: net.trace("172.16.1.9", "10.1.1.4", from_p2s="vnet1"), TraceError, value="172.16.1.9",
            rule="a P2S client's address comes from the gateway's client pool",
            says=["172.16.1.9 is not in vnet1-vpngw's client address pool (172.16.0.0/24)."])
    refused(lambda: net.trace("172.16.0.9", "10.1.1.4", from_p2s="vnet2"), TraceError, value="vnet2",
            rule="a P2S client connects to a gateway with a P2S configuration",
            says=["vnet2-vpngw has no Point-to-Site configuration; add one with add_point_to_site."])


def test_a_p2s_reply_without_a_way_back_is_explained():
    # VPN FAQ (facts §3.4): the destination must route the client pool back through the gateway
    net = gateways(("VpnGw1AZ", {}))
    net.add_point_to_site("vnet1", "172.16.0.0/24", ("OpenVPN",))
    net.add_route_table("rt")
    net.add_route("rt", "drop-pool", "172.16.0.0/24", "None")
    net.associate_route_table("vnet1", "app", "rt")
    t = net.trace("172.16.0.9", "10.1.1.4", from_p2s="vnet1")
    assert t.verdict == "Dropped" and (t.src_vnet, t.dst_vnet) == ("P2S clients of vnet1", "vnet1")
    assert [h.step for h in t.hops] == list(range(1, len(t.hops) + 1))
    assert hops(t)[-1][1:] == ("vnet1", "app", "reply route lookup")
    assert t.hops[-1].detail == "no route back to 172.16.0.9 through vnet1-vpngw"
    assert (t.hops[-1].src, t.hops[-1].dst) == ("10.1.1.4", "172.16.0.9")
    assert t.reason == ("The packet reaches 10.1.1.4, but the reply to 172.16.0.9 matches 172.16.0.0/24 → None in "
                        "vnet1/app: vnet1 has no route to vnet1-vpngw's client pool. 172.16.0.9 belongs to no other "
                        "VNet or site in this network.")


def test_a_site_reaches_a_vnet_beyond_the_first_gateway_with_bgp_on_every_hop():
    # VPN FAQ (facts §2.6): the gateway does transit between BGP peers; multi-gateway transit needs BGP on every
    # VNet-to-VNet connection in between
    net = gateways(("VpnGw1AZ", {"bgp_asn": 65010}), ("VpnGw1AZ", {"bgp_asn": 65020}))
    net.add_local_network_gateway("branch", "198.51.100.7", ["192.168.5.0/24"], bgp_asn=65030,
                                  bgp_peer_ip="192.168.5.1")
    net.connect("vnet1", "branch", kind="IPsec", enable_bgp=True)
    net.connect("vnet1", "vnet2", enable_bgp=True)
    t = net.trace("192.168.5.4", "10.2.1.4", from_site="branch")
    assert t.reachable and hops(t) == [(1, "branch", "", "leave source"), (2, "vnet1", "GatewaySubnet", "IPsec tunnel"),
                                       (3, "vnet2", "GatewaySubnet", "VNet-to-VNet tunnel"), (4, "vnet2", "app", "deliver")]


def test_two_vnets_joined_as_sites_negotiate_each_others_custom_policy():
    # VPN FAQ / IPsec policy how-to (facts §4.2): with a custom policy a gateway offers only that policy, so two
    # different policies at the ends of one tunnel leave it down
    net = gateways(("VpnGw1AZ", {}), ("VpnGw1AZ", {}))
    policy = dict(ike_encryption="AES256", ike_integrity="SHA384", dh_group="DHGroup24", ipsec_encryption="GCMAES256",
                  ipsec_integrity="GCMAES256", pfs_group="PFS24")
    other = {**policy, "dh_group": "DHGroup14", "pfs_group": "PFS2048", "ipsec_encryption": "AES256",
             "ipsec_integrity": "SHA256"}
    net.add_local_network_gateway("to-vnet2", net.gateway("vnet2").public_ips[0], ["10.2.0.0/16"])
    net.add_local_network_gateway("to-vnet1", net.gateway("vnet1").public_ips[0], ["10.1.0.0/16"])
    (a,) = net.connect("vnet1", "to-vnet2", kind="IPsec", ipsec_policy=policy)
    (b,) = net.connect("vnet2", "to-vnet1", kind="IPsec", ipsec_policy=other)
    assert (a.status, b.status) == ("NotConnected", "NotConnected")
    net.set_ipsec_policy("vnet2", "vnet2-to-to-vnet1", policy)
    assert (a.status, b.status) == ("Connected", "Connected")


def test_hops_of_a_user_route_to_the_gateway_and_of_an_unassigned_address(hub):
    # UDR overview (facts §7.3, §7.5): a user route to VirtualNetworkGateway; the gateway then routes with its own
    # subnet's table
    net = gateways(("VpnGw1AZ", {}))
    net.add_vnet("spoke", ["10.20.0.0/16"], region="westeurope").add_subnet("app", "10.20.1.0/24").add_nic("vm-s")
    net.peer("vnet1", "spoke", allow_gateway_transit="vnet1", use_remote_gateways="spoke")
    net.add_local_network_gateway("branch", "198.51.100.7", ["192.168.5.0/24"])
    net.connect("vnet1", "branch", kind="IPsec")
    net.add_route_table("rt", disable_bgp_route_propagation=True)
    net.add_route("rt", "to-branch", "192.168.5.0/24", "VirtualNetworkGateway")
    net.associate_route_table("spoke", "app", "rt")
    t = net.trace("vm-s", "192.168.5.4")
    assert t.reachable and hops(t) == [(1, "spoke", "app", "leave source"), (2, "spoke", "app", "route lookup"),
                                       (3, "vnet1", "GatewaySubnet", "to gateway"), (4, "branch", "", "IPsec tunnel")]
    t = hub.trace("vm-hub", "10.1.1.99")
    assert t.verdict == "Dropped" and hops(t)[-1] == (4, "spoke1", "app", "drop")


def test_a_nat_mapping_onto_a_site_connected_without_nat_is_refused():
    # NAT overview (facts §5.1): external mappings must not overlap each other nor any network connected without NAT
    from vnetlab.nat import NatOverlapError

    net = vl.load_scenario("nat-branches")
    net.add_local_network_gateway("Plain", "198.51.100.40", ["192.168.8.0/24"])
    net.connect("VNet", "Plain", kind="IPsec")
    net.add_local_network_gateway("Branch3", "198.51.100.30", ["10.0.1.0/24"])
    net.add_nat_rule("VNet", "Branch3", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.8.0/24")
    refused(lambda: net.connect("VNet", "Branch3", kind="IPsec", ingress_nat_rules=["Branch3"],
                                egress_nat_rules=["VNet"]), NatOverlapError, value="192.168.8.0/24",
            rule="external mappings are distinct", source="https://learn.microsoft.com/azure/vpn-gateway/nat-overview",
            says=["Branch3's 192.168.8.0/24 (as Azure sees it) overlaps 192.168.8.0/24, which connection VNet-to-Plain "
                  "already reaches without NAT: external mappings must not overlap each other nor any network "
                  "connected without NAT."])


def test_a_trace_from_a_site_names_where_it_lands_and_where_a_down_tunnel_stops_it():
    net = site_to_hub()
    net.connect("vnet1", "branch", kind="IPsec")
    t = net.trace("192.168.5.4", "10.1.1.4", from_site="branch")
    assert (t.src_vnet, t.dst_vnet) == ("branch", "vnet1")
    assert t.hops[0].detail == "packet leaves on-premises host 192.168.5.4 at site branch"
    assert t.hops[1].detail == ("vnet1-to-branch: Site-to-Site from 198.51.100.7 to vnet1-vpngw over the public "
                                "internet")
    # facts §4.1: a device insisting on DH group 24 keeps the tunnel down; the packet stops at the site
    net.set_vpn_device("branch", ike_versions=["IKEv2"], phase1=["AES256/SHA256/DHGroup24"], phase2=["AES256/SHA256/None"])
    t = net.trace("192.168.5.4", "10.1.1.4", from_site="branch")
    assert hops(t) == [(1, "branch", "", "leave source"), (2, "branch", "", "drop")]


def test_two_gateways_that_each_send_a_prefix_to_the_other_loop_until_the_hop_limit():
    # Each VNet treats the other as a site that owns 10.99.0.0/16 (facts §3.2: an LNG's address space is what the
    # gateway routes into the tunnel). A packet for 10.99.1.4 bounces between the gateways; like an IP packet whose
    # TTL runs out, the trace stops it and says it loops.
    net = gateways(("VpnGw1AZ", {}), ("VpnGw1AZ", {}))
    net.add_local_network_gateway("to-vnet2", net.gateway("vnet2").public_ips[0], ["10.2.0.0/16", "10.99.0.0/16"])
    net.add_local_network_gateway("to-vnet1", net.gateway("vnet1").public_ips[0], ["10.1.0.0/16", "10.99.0.0/16"])
    net.connect("vnet1", "to-vnet2", kind="IPsec")
    net.connect("vnet2", "to-vnet1", kind="IPsec")
    assert net.trace("vm1", "10.2.1.4").reachable
    t = net.trace("vm1", "10.99.1.4")
    assert t.verdict == "Dropped" and t.hops[-1].detail == "too many hops"
    assert t.reason == "The packet loops between gateways."
    tunnels = [h.vnet for h in t.hops if h.action == "IPsec tunnel"]
    assert len(tunnels) > 4 and all(a != b for a, b in zip(tunnels, tunnels[1:]))  # vnet2, vnet1, vnet2, ...


def test_a_gateway_does_not_pass_on_a_bgp_route_that_overlaps_its_own_vnet():
    # VPN FAQ (facts §2.6): a gateway advertises to its BGP peers the routes it learned, "except default route or
    # routes overlapped with any VNet prefix". vnet1 announces its transit spoke 10.2.128.0/17, which overlaps
    # vnet2's 10.2.0.0/16: vnet2 learns it but does not pass it on to vnet3.
    from vnetlab.routes import gateway_routes

    net = gateways(("VpnGw1AZ", {"bgp_asn": 65010}), ("VpnGw1AZ", {"bgp_asn": 65020}), ("VpnGw1AZ", {"bgp_asn": 65030}))
    net.add_vnet("s1", ["10.2.128.0/17"], region="westeurope").add_subnet("app", "10.2.129.0/24")
    net.peer("vnet1", "s1", allow_gateway_transit="vnet1", use_remote_gateways="s1")
    net.add_vnet("s3", ["10.50.0.0/16"], region="westeurope").add_subnet("app", "10.50.1.0/24")
    net.peer("vnet1", "s3", allow_gateway_transit="vnet1", use_remote_gateways="s3")
    net.connect("vnet1", "vnet2", enable_bgp=True)
    net.connect("vnet2", "vnet3", enable_bgp=True)
    learned_by_2 = {r.prefix for r in gateway_routes(net.gateway("vnet2"))}
    assert {"10.2.128.0/17", "10.50.0.0/16"} <= learned_by_2
    learned_by_3 = {r.prefix for r in gateway_routes(net.gateway("vnet3"))}
    assert "10.50.0.0/16" in learned_by_3 and "10.2.128.0/17" not in learned_by_3
