"""IPsec/IKE policies, negotiation and ESP overhead against azure-facts.md §4, scenario S13 and the ESP RFCs.

Expected values are typed from the fact sheet (About VPN devices 2023-10-06; VPN FAQ 2026-06-04; IPsec/IKE
policy how-to 2024-12-02) and from RFC 4303/3602/2451/4106/4868/2404/3948/791/9293, never read from the code.
"""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnetlab import ipsec
from vnetlab.errors import VnetlabError
from vnetlab.ipsec import IpsecError, IpsecPolicyError

S13_POLICY = dict(ike_encryption="AES256", ike_integrity="SHA384", dh_group="DHGroup24",
                  ipsec_encryption="GCMAES256", ipsec_integrity="GCMAES256", pfs_group="PFS24")


def strs(offers):
    return [str(p) for p in offers]


# --- §4.1 default offers -----------------------------------------------------------------------------------
def test_default_route_based_phase1_offer_order():
    # §4.1: AES256-SHA1, AES256-SHA256, AES128-SHA1, AES128-SHA256, 3DES-SHA1, 3DES-SHA256; DH group 2
    expected = ["AES256/SHA1/DHGroup2", "AES256/SHA256/DHGroup2", "AES128/SHA1/DHGroup2", "AES128/SHA256/DHGroup2",
                "DES3/SHA1/DHGroup2", "DES3/SHA256/DHGroup2"]
    assert strs(ipsec.default_offers("RouteBased", 1, "initiator")) == expected
    assert strs(ipsec.default_offers("RouteBased", 1, "responder")) == expected
    assert strs(ipsec.default_offers("PolicyBased", 1)) == ["AES256/SHA256/DHGroup2", "AES256/SHA1/DHGroup2",
                                                            "AES128/SHA1/DHGroup2", "DES3/SHA1/DHGroup2"]


def test_default_route_based_quick_mode_offers_differ_by_role():
    init = strs(ipsec.default_offers("RouteBased", 2, "initiator"))
    assert init == ["GCMAES256/GCMAES256/None", "AES256/SHA1/None", "DES3/SHA1/None", "AES256/SHA256/None",
                    "AES128/SHA1/None", "DES3/SHA256/None"]
    resp = strs(ipsec.default_offers("RouteBased", 2, "responder"))
    assert len(resp) == 26 and resp[:6] == init and resp[6] == "DES/SHA1/None"
    # offers 8-10: AES256/SHA1 with PFS 1, 2, 14 (group 14 is PFS2048); 20: AES256/SHA1 PFS 24; 26: 3DES/SHA1 PFS 14
    assert resp[7:10] == ["AES256/SHA1/PFS1", "AES256/SHA1/PFS2", "AES256/SHA1/PFS2048"]
    assert resp[19] == "AES256/SHA1/PFS24" and resp[21] == "AES128/SHA256/None" and resp[25] == "DES3/SHA1/PFS2048"
    assert strs(ipsec.default_offers("policybased", 2, "responder")) == [
        "AES256/SHA256/None", "AES256/SHA1/None", "AES128/SHA1/None", "DES3/SHA1/None"]


def test_bad_vpn_type_phase_or_role():
    with pytest.raises(IpsecError, match="Did you mean RouteBased"):
        ipsec.default_offers("RouteBase", 1)
    with pytest.raises(IpsecError, match="phase 3"):
        ipsec.default_offers("RouteBased", 3)
    with pytest.raises(IpsecError, match="role"):
        ipsec.default_offers("RouteBased", 2, "listener")


# --- §4.2 custom policy --------------------------------------------------------------------------------------
def test_policy_normalises_case_and_keeps_documented_defaults():
    p = ipsec.make_policy(**{**S13_POLICY, "ike_encryption": "aes256", "ipsec_encryption": "gcmaes256",
                             "dh_group": "dhgroup24"})
    assert (p.ike_encryption, p.ipsec_encryption, p.dh_group) == ("AES256", "GCMAES256", "DHGroup24")
    # §4.2 defaults: 27,000 s, 102,400,000 KB, UsePolicyBasedTrafficSelectors $False, DPD 45 s
    assert (p.sa_lifetime_seconds, p.sa_data_size_kb, p.use_policy_based_traffic_selectors,
            p.dpd_timeout_seconds) == (27000, 102400000, False, 45)
    assert ipsec.IpsecPolicy.from_dict(p.to_dict()) == p
    assert str(ipsec.policy_offers(p, 1)) == "AES256/SHA384/DHGroup24"
    assert str(ipsec.policy_offers(p, 2)) == "GCMAES256/GCMAES256/PFS24"
    assert "AES256/SHA384/DHGroup24" in p.describe() and "DPD 45 s" in p.describe()


def test_s13_gcm_encryption_needs_matching_gcm_integrity():
    with pytest.raises(IpsecPolicyError, match="GCMAES256.*SHA256") as e:
        ipsec.make_policy(**{**S13_POLICY, "ipsec_integrity": "SHA256"})
    assert "ipsec-ike-policy-howto" in str(e.value) or "vpn-faq" in str(e.value)


@pytest.mark.parametrize("field,value,rule", [
    ("dpd_timeout_seconds", 5, "9"),          # S13: minimum 9
    ("dpd_timeout_seconds", 3601, "3600"),
    ("sa_lifetime_seconds", 299, "300"),
    ("sa_data_size_kb", 1023, "1024"),
    ("dpd_timeout_seconds", True, "whole number"),
    ("use_policy_based_traffic_selectors", "yes", "True or False"),
    ("ike_encryption", "DES3", "not one of"),  # gone from IKE encryption since the 2024-01-26 include
    ("pfs_group", "PFS14", "PFS2048|PFS24"),
])
def test_policy_limits(field, value, rule):
    with pytest.raises(IpsecPolicyError, match=rule):
        ipsec.make_policy(**{**S13_POLICY, field: value})


def test_policy_limits_accept_the_edges():
    for dpd in (9, 3600):
        assert ipsec.make_policy(**S13_POLICY, dpd_timeout_seconds=dpd).dpd_timeout_seconds == dpd
    assert ipsec.make_policy(**S13_POLICY, sa_lifetime_seconds=300, sa_data_size_kb=1024).sa_lifetime_seconds == 300


def test_partial_policy_and_unknown_field_are_refused():
    partial = {k: v for k, v in S13_POLICY.items() if k != "pfs_group"}
    with pytest.raises(IpsecPolicyError, match="missing pfs_group"):
        ipsec.IpsecPolicy.from_dict(partial)
    with pytest.raises(IpsecPolicyError, match="Unknown policy field"):
        ipsec.make_policy(**S13_POLICY, ike_lifetime=28800)
    with pytest.raises(IpsecPolicyError, match="Did you mean SHA256"):
        ipsec.make_policy(**{**S13_POLICY, "ike_integrity": "SHA265"})


def test_basic_gateway_refuses_custom_policy():
    with pytest.raises(IpsecPolicyError, match="Basic"):
        ipsec.azure_endpoint("gw", "Basic", "RouteBased", policy=S13_POLICY)


# --- §4.3 IKE versions --------------------------------------------------------------------------------------
def test_ike_versions_by_gateway():
    assert ipsec.azure_endpoint("pb", "Basic", "PolicyBased").ike_versions == ("IKEv1",)
    assert ipsec.azure_endpoint("rb", "Basic", "RouteBased").ike_versions == ("IKEv2",)
    assert set(ipsec.azure_endpoint("az", "VpnGw2AZ", "RouteBased").ike_versions) == {"IKEv1", "IKEv2"}
    with pytest.raises(IpsecError, match="Basic"):
        ipsec.azure_endpoint("pb", "VpnGw1AZ", "PolicyBased")


def test_ikev1_device_cannot_reach_route_based_basic():
    device = ipsec.device_endpoint("onprem", ["IKEv1"], ["AES256/SHA1/DHGroup2"], ["AES256/SHA1/None"])
    basic = ipsec.azure_endpoint("gw", "Basic", "RouteBased")
    for result in (ipsec.negotiate(device, basic), ipsec.negotiate(basic, device)):
        assert not result.established and "IKE version" in result.reason and "IKEv2" in result.reason


def test_policy_based_gateway_negotiates_ikev1():
    device = ipsec.device_endpoint("onprem", ("IKEv1", "IKEv2"), ["AES256/SHA256/DHGroup2"], ["AES256/SHA1/None"])
    result = ipsec.negotiate(device, ipsec.azure_endpoint("pb", "Basic", "PolicyBased"))
    assert result.established and result.ike_version == "IKEv1"
    assert result.phase2_lifetime_s == 3600  # §4.1 policy-based Quick Mode lifetime


# --- negotiation ------------------------------------------------------------------------------------------------
def test_device_with_a_default_offer_meets_a_default_route_based_gateway():
    # AES256/SHA256 with DH group 2 is offer 2 of Azure's route-based phase 1 list (§4.1)
    device = ipsec.device_endpoint("onprem", ["IKEv2"], ["AES256/SHA256/DHGroup2"],
                                   ["AES128/SHA1/None", "AES256/SHA1/None"])
    azure = ipsec.azure_endpoint("VNet1-gw", "VpnGw1AZ", "RouteBased")
    out = ipsec.negotiate(azure, device)
    assert out.established and out.ike_version == "IKEv2"
    assert str(out.phase1) == "AES256/SHA256/DHGroup2"
    # Azure initiates: its offers go GCMAES256, AES256/SHA1, ... so AES256/SHA1 (offer 2) is the first the device takes
    assert str(out.phase2) == "AES256/SHA1/None"
    assert out.phase1_lifetime_s == 28800 and out.phase2_lifetime_s == 27000
    # the device initiates: its own first offer, which Azure as responder accepts (offer 5 of 26)
    assert str(ipsec.negotiate(device, azure).phase2) == "AES128/SHA1/None"
    assert "established" in out._repr_html_() and "AES256/SHA1/None" in str(out)


def test_custom_policy_accepts_only_itself():
    gw = ipsec.azure_endpoint("gw", "VpnGw2AZ", policy=ipsec.make_policy(**S13_POLICY))
    device = ipsec.device_endpoint("onprem", ["IKEv2"], ["AES256/SHA384/DHGroup24"],
                                   ["AES256/SHA256/PFS2048", "AES256/SHA1/None"])
    out = ipsec.negotiate(device, gw)
    assert not out.established and str(out.phase1) == "AES256/SHA384/DHGroup24"
    assert out.reason.startswith("No common phase 2 proposal") and "only GCMAES256/GCMAES256/PFS24" in out.reason
    ok = ipsec.device_endpoint("onprem", ["IKEv2"], ["AES256/SHA384/DHGroup24"],
                               ["AES256/SHA1/None", "GCMAES256/GCMAES256/PFS24"])
    assert str(ipsec.negotiate(gw, ok).phase2) == "GCMAES256/GCMAES256/PFS24"


def test_s13_policy_mismatch_does_not_establish_either_way():
    custom = ipsec.azure_endpoint("VNet1toVNet2", "VpnGw1AZ", "RouteBased", ipsec.make_policy(**S13_POLICY))
    default = ipsec.azure_endpoint("VNet2toVNet1", "VpnGw1AZ", "RouteBased")
    for a, b in ((custom, default), (default, custom)):
        assert not ipsec.negotiate(a, b).established
        v2v = ipsec.negotiate_vnet_to_vnet(a, b)
        assert not v2v.established and "same policy" in v2v.reason and v2v.ike_version == "IKEv2"
    same = ipsec.azure_endpoint("VNet2toVNet1", "VpnGw1AZ", "RouteBased", ipsec.make_policy(**S13_POLICY))
    assert ipsec.negotiate_vnet_to_vnet(custom, same).established
    assert ipsec.negotiate_vnet_to_vnet(default, ipsec.azure_endpoint("b", "VpnGw1AZ")).established


def test_vnet_to_vnet_needs_route_based_azure_ends():
    device = ipsec.device_endpoint("onprem", ["IKEv2"], ["AES256/SHA1/DHGroup2"], ["AES256/SHA1/None"])
    with pytest.raises(IpsecError, match="RouteBased"):
        ipsec.negotiate_vnet_to_vnet(ipsec.azure_endpoint("a", "VpnGw1AZ"), device)


def test_proposal_parser_spellings_and_errors():
    assert str(ipsec.parse_proposal("3des/sha1/dhgroup2", 1)) == "DES3/SHA1/DHGroup2"
    assert str(ipsec.parse_proposal("GCM-AES256/GCM-AES256/none", 2)) == "GCMAES256/GCMAES256/None"
    for bad in ("AES256/SHA256", "AES256/SHA256/PFS2048/x", "AES512/SHA1/None", "GCMAES256/SHA256/None"):
        with pytest.raises(IpsecError):
            ipsec.parse_proposal(bad, 2)
    with pytest.raises(IpsecError, match="non-empty"):
        ipsec.device_endpoint("onprem", ["IKEv2"], [], ["AES256/SHA1/None"])


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(
    ["AES256", "aes128", "SHA1", "GCMAES256", "DHGroup2", "PFS24", "None", "", "3DES", "x", " "]),
    max_size=4).map("/".join), st.integers(), st.none()), st.sampled_from([1, 2]))
def test_any_text_parses_or_raises_ipsec_error(text, phase):
    try:
        p = ipsec.parse_proposal(text, phase)
    except IpsecError:
        return
    assert isinstance(p, ipsec.Proposal) and str(p).count("/") == 2


VALUES = st.one_of(st.sampled_from(["AES256", "gcmaes256", "GCMAES256", "SHA384", "SHA256", "DHGroup24", "PFS24",
                                    "None", "DES3", "sha1"]), st.text(max_size=10), st.integers(-10, 10**9),
                   st.booleans(), st.none())
KEYS = st.sampled_from(list(S13_POLICY) + ["sa_lifetime_seconds", "sa_data_size_kb", "dpd_timeout_seconds",
                                           "use_policy_based_traffic_selectors", "bogus"])


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.dictionaries(KEYS, VALUES), st.fixed_dictionaries({k: st.just(v) for k, v in S13_POLICY.items()},
                                                                        optional={"dpd_timeout_seconds": VALUES}),
                 st.integers(), st.text()))
def test_any_dict_is_a_policy_or_a_policy_error(d):
    try:
        p = ipsec.IpsecPolicy.from_dict(d)
    except IpsecPolicyError as e:
        assert isinstance(e, VnetlabError) and str(e)
        return
    assert 9 <= p.dpd_timeout_seconds <= 3600


# --- §4.4 ESP overhead and MSS --------------------------------------------------------------------------------
def test_esp_overhead_aes256_cbc_sha256_by_hand():
    # tunnel mode, 1400-byte inner packet: 1400 + 2 trailer = 1402; next multiple of 16 is 1408 → 6 bytes padding
    # outer IPv4 20 (RFC 791) + ESP header 8 (RFC 4303) + IV 16 (RFC 3602) + pad 6 + trailer 2 + ICV 16 (RFC 4868)
    o = ipsec.esp_overhead("AES256", "SHA256", 1400)
    assert (o.outer_ip, o.udp, o.esp_header, o.iv, o.padding, o.trailer, o.icv) == (20, 0, 8, 16, 6, 2, 16)
    assert o.total_overhead == 20 + 8 + 16 + 6 + 2 + 16 == 68 and o.outer_size == 1468
    assert o.goodput_share == pytest.approx(1400 / 1468)
    assert "1468" in o._repr_html_()


def test_esp_overhead_gcm_des3_and_nat_t():
    # GCM (RFC 4106): IV 8, ICV 16, 4-byte alignment: 1402 → 1404, pad 2 → 20 + 8 + 8 + 2 + 2 + 16 = 56
    g = ipsec.esp_overhead("GCMAES256", "GCMAES256", 1400)
    assert (g.iv, g.padding, g.icv, g.total_overhead) == (8, 2, 16, 56)
    # 3DES-CBC (RFC 2451): IV 8, block 8: 1402 → 1408, pad 6; HMAC-SHA1-96 (RFC 2404) ICV 12
    d = ipsec.esp_overhead("DES3", "SHA1", 1400)
    assert (d.iv, d.padding, d.icv, d.total_overhead) == (8, 6, 12, 20 + 8 + 8 + 6 + 2 + 12)
    # NAT-T (RFC 3948) adds an 8-byte UDP header
    assert ipsec.esp_overhead("GCMAES256", "GCMAES256", 1400, nat_t=True).total_overhead == 56 + 8
    with pytest.raises(IpsecError):
        ipsec.esp_overhead("GCMAES256", "SHA256")
    with pytest.raises(IpsecError):
        ipsec.esp_overhead("AES256", "SHA256", inner_packet=10)


@pytest.mark.parametrize("enc,integ,align,nat_t", [("AES256", "SHA256", 16, False), ("GCMAES256", "GCMAES256", 4, False),
                                                   ("DES3", "SHA1", 8, True), ("None", "SHA1", 4, False)])
def test_max_inner_packet_fits_and_respects_alignment(enc, integ, align, nat_t):
    n = ipsec.max_inner_packet(enc, integ, 1500, nat_t)
    assert ipsec.esp_overhead(enc, integ, n, nat_t).outer_size <= 1500
    assert ipsec.esp_overhead(enc, integ, n + 1, nat_t).outer_size > 1500
    assert ipsec.esp_overhead(enc, integ, n + align, nat_t).outer_size > 1500
    assert ipsec.tcp_mss(enc, integ, 1500, nat_t) == n - 20 - 20  # IPv4 (RFC 791) and TCP (RFC 9293) headers


def test_max_inner_packet_by_hand():
    # AES256/SHA256: 1500 - (20 + 8 + 16 + 16) = 1440 = 90 blocks of 16; minus the 2-byte trailer → 1438
    assert ipsec.max_inner_packet("AES256", "SHA256") == 1438 and ipsec.tcp_mss("AES256", "SHA256") == 1398
    with pytest.raises(IpsecError):
        ipsec.max_inner_packet("AES256", "SHA256", outer_mtu=60)


def test_azure_mtu_guidance_and_comparison():
    g = ipsec.azure_mtu_guidance()  # §4.4: MSS 1350, tunnel MTU 1400 (About VPN devices, 2023-10-06)
    assert g.value == {"tcp_mss": 1350, "tunnel_mtu": 1400} and "vpn-gateway-about-vpn-devices" in g.source
    c = ipsec.compare_with_azure_guidance("AES256", "SHA256", nat_t=True)
    assert c.azure_mss == 1350 and c.computed_mss > 1350 and c.tunnel_mtu_fits
    assert "headroom" in c.explanation and "fragmentation" in c.explanation
    small = ipsec.compare_with_azure_guidance("AES256", "SHA256", outer_mtu=1400)
    assert small.computed_mss < 1350 and not small.tunnel_mtu_fits and "too large" in small.explanation


# --- §4.2: only the negotiated algorithms must match on a VNet-to-VNet pair -----------------------------------
def _v2v_pair(policy_ab, policy_ba):
    import vnetlab as vl

    net = vl.Network()
    for name, n in (("a", 30), ("b", 31)):
        v = net.add_vnet(name, [f"10.{n}.0.0/16"], region="westeurope")
        v.add_subnet("GatewaySubnet", f"10.{n}.255.0/27")
        net.add_vpn_gateway(name, sku="VpnGw1AZ")
    net.connect("a", "b", "Vnet2Vnet", bidirectional=False, ipsec_policy=policy_ab)
    net.connect("b", "a", "Vnet2Vnet", bidirectional=False, ipsec_policy=policy_ba)
    return net.connection("a", "a-to-b")


@pytest.mark.parametrize("local", [dict(sa_lifetime_seconds=3600), dict(sa_data_size_kb=2048),
                                   dict(dpd_timeout_seconds=30), dict(sa_lifetime_seconds=300, dpd_timeout_seconds=3600)])
def test_vnet_to_vnet_pair_with_same_algorithms_and_different_local_settings_connects(local):
    # §4.2: SA lifetimes are local and need not match; only the algorithms and groups are negotiated
    c = _v2v_pair(S13_POLICY, {**S13_POLICY, **local})
    assert c.status == "Connected"
    assert c.negotiation.phase2_lifetime_s == min(27000, local.get("sa_lifetime_seconds", 27000))


@pytest.mark.parametrize("change", [dict(pfs_group="PFS2048"), dict(ike_integrity="SHA256"), dict(dh_group="ECP384")])
def test_vnet_to_vnet_pair_with_different_algorithms_stays_down(change):
    # §3.3, S13: the policy must be identical on both connection resources
    c = _v2v_pair(S13_POLICY, {**S13_POLICY, **change})
    assert c.status == "NotConnected"


def test_vnet_to_vnet_custom_policy_against_the_default_stays_down():
    assert _v2v_pair(S13_POLICY, None).status == "NotConnected"  # S13


def test_dh_group_14_spelled_two_ways_is_the_same_policy():
    # §4.2 DH group table: DHGroup14 and DHGroup2048 are both group 14
    a = {**S13_POLICY, "dh_group": "DHGroup14"}
    assert _v2v_pair(a, {**a, "dh_group": "DHGroup2048"}).status == "Connected"


# --- Gaps found by mutation testing (issue 20); expected values from azure-facts.md §4 ----------------------------
ROUTE_BASED_P1 = ["AES256/SHA1/DHGroup2", "AES256/SHA256/DHGroup2", "AES128/SHA1/DHGroup2", "AES128/SHA256/DHGroup2",
                  "DES3/SHA1/DHGroup2", "DES3/SHA256/DHGroup2"]                        # §4.1 phase 1, DH group 2
ROUTE_BASED_P2_INITIATOR = ["GCMAES256/GCMAES256/None", "AES256/SHA1/None", "DES3/SHA1/None", "AES256/SHA256/None",
                            "AES128/SHA1/None", "DES3/SHA256/None"]                    # §4.1 Azure as initiator
# §4.1 Azure as responder: the six above, then 7 DES/SHA1; 8-10 AES256/SHA1 PFS 1, 2, 14; 11-13 AES128/SHA1 PFS 1, 2,
# 14; 14-15 3DES/SHA1 PFS 1, 2; 16 3DES/SHA256 PFS 2; 17-19 AES256/SHA256 PFS 1, 2, 14; 20 AES256/SHA1 PFS 24;
# 21 AES256/SHA256 PFS 24; 22 AES128/SHA256 none; 23-25 AES128/SHA256 PFS 1, 2, 14; 26 3DES/SHA1 PFS 14.
ROUTE_BASED_P2_RESPONDER = ROUTE_BASED_P2_INITIATOR + [
    "DES/SHA1/None", "AES256/SHA1/PFS1", "AES256/SHA1/PFS2", "AES256/SHA1/PFS2048", "AES128/SHA1/PFS1",
    "AES128/SHA1/PFS2", "AES128/SHA1/PFS2048", "DES3/SHA1/PFS1", "DES3/SHA1/PFS2", "DES3/SHA256/PFS2",
    "AES256/SHA256/PFS1", "AES256/SHA256/PFS2", "AES256/SHA256/PFS2048", "AES256/SHA1/PFS24", "AES256/SHA256/PFS24",
    "AES128/SHA256/None", "AES128/SHA256/PFS1", "AES128/SHA256/PFS2", "AES128/SHA256/PFS2048", "DES3/SHA1/PFS2048"]


def test_the_whole_route_based_responder_list_in_order():
    assert strs(ipsec.default_offers("RouteBased", 2, "responder")) == ROUTE_BASED_P2_RESPONDER
    assert strs(ipsec.default_offers("RouteBased", 2)) == ROUTE_BASED_P2_INITIATOR   # the default role: initiator


def test_an_azure_end_keeps_phase_1_and_each_roles_phase_2_offers_apart():
    gw = ipsec.azure_endpoint("gw", "VpnGw1AZ", "RouteBased")
    assert strs(gw.phase1) == ROUTE_BASED_P1
    assert strs(gw.phase2_initiator) == ROUTE_BASED_P2_INITIATOR
    assert strs(gw.phase2_responder) == ROUTE_BASED_P2_RESPONDER
    assert strs(gw.offers(1, "initiator")) == strs(gw.offers(1, "responder")) == ROUTE_BASED_P1
    assert strs(gw.offers(2, "initiator")) == ROUTE_BASED_P2_INITIATOR
    assert strs(gw.offers(2, "responder")) == ROUTE_BASED_P2_RESPONDER
    assert all(p.phase == 1 for p in gw.phase1) and all(p.phase == 2 for p in gw.phase2_responder)


def test_a_custom_policy_is_the_only_offer_in_each_phase_and_role():
    """§4.2: with a custom policy the gateway proposes and accepts only that policy, as initiator and responder."""
    gw = ipsec.azure_endpoint("gw", "VpnGw2AZ", policy=S13_POLICY)
    assert strs(gw.phase1) == ["AES256/SHA384/DHGroup24"]
    assert strs(gw.phase2_initiator) == strs(gw.phase2_responder) == ["GCMAES256/GCMAES256/PFS24"]
    assert gw.policy == ipsec.make_policy(**S13_POLICY) and (gw.vpn_type, gw.sku) == ("RouteBased", "VpnGw2AZ")
    assert gw.stance(2, "responder") == "gw's custom policy accepts only GCMAES256/GCMAES256/PFS24"
    assert gw.stance(1, "initiator") == "gw's custom policy offers only AES256/SHA384/DHGroup24"


def test_a_pfs_offer_is_accepted_by_azure_as_responder_but_never_proposed_by_it():
    """§4.1: Azure as initiator offers no PFS; as responder it accepts AES256/SHA1 with PFS 2 (offer 9 of 26)."""
    device = ipsec.device_endpoint("onprem", ["IKEv2"], ["AES256/SHA1/DHGroup2"], ["AES256/SHA1/PFS2"])
    azure = ipsec.azure_endpoint("gw", "VpnGw1AZ", "RouteBased")
    inbound = ipsec.negotiate(device, azure)
    assert inbound.established and str(inbound.phase2) == "AES256/SHA1/PFS2"
    assert "accepts AES256/SHA1/PFS2 (offer 1)" in inbound.steps[2]
    outbound = ipsec.negotiate(azure, device)
    assert not outbound.established and outbound.reason.startswith("No common phase 2 proposal")
    assert str(outbound.phase1) == "AES256/SHA1/DHGroup2" and outbound.phase2 is None
    # phase 1 was agreed, so its SA (Main Mode lifetime fixed at 28,800 s, §4.2) exists; no phase 2 SA
    assert (outbound.phase1_lifetime_s, outbound.phase2_lifetime_s) == (28800, None)
    rows = dict(outbound.rows())
    assert (rows["Phase 2 (IPsec SA)"], rows["Phase 1 lifetime"], rows["Phase 2 lifetime"]) == ("-", "28800 s", "-")
    assert "onprem accepts AES256/SHA1/PFS2" in outbound.reason
    assert ("gw offers its default RouteBased list: GCMAES256/GCMAES256/None, AES256/SHA1/None, DES3/SHA1/None, "
            "AES256/SHA256/None, AES128/SHA1/None, DES3/SHA256/None") in outbound.reason
    assert "(6 offers)" not in outbound.reason


def test_the_responders_stance_lists_six_offers_and_counts_the_rest():
    azure = ipsec.azure_endpoint("gw", "VpnGw1AZ", "RouteBased")
    device = ipsec.device_endpoint("onprem", ["IKEv2"], ["AES256/SHA1/DHGroup2"], ["AES192/SHA1/None"])
    out = ipsec.negotiate(device, azure)
    assert not out.established
    assert ("gw accepts its default RouteBased list: GCMAES256/GCMAES256/None, AES256/SHA1/None, DES3/SHA1/None, "
            "AES256/SHA256/None, AES128/SHA1/None, DES3/SHA256/None, ... (26 offers)") in out.reason
    assert "onprem offers AES192/SHA1/None" in out.reason


def test_phase_1_picks_the_initiators_first_offer_the_responder_accepts():
    """§4.1: the responder takes the initiator's first acceptable offer, in the initiator's order."""
    azure = ipsec.azure_endpoint("gw", "VpnGw1AZ", "RouteBased")
    device = ipsec.device_endpoint("onprem", ["IKEv2"], ["AES128/SHA256/DHGroup2", "AES256/SHA1/DHGroup2"],
                                   ["AES256/SHA1/None"])
    assert str(ipsec.negotiate(device, azure).phase1) == "AES128/SHA256/DHGroup2"   # the device's first
    out = ipsec.negotiate(azure, device)
    assert str(out.phase1) == "AES256/SHA1/DHGroup2"                                 # Azure's first (offer 1)
    assert out.steps[1] == "Phase 1: gw proposes 6 offer(s); onprem accepts AES256/SHA1/DHGroup2 (offer 1)"
    assert out.steps[2] == "Phase 2: gw proposes 6 offer(s); onprem accepts AES256/SHA1/None (offer 2)"
    none = ipsec.device_endpoint("onprem", ["IKEv2"], ["AES256/SHA384/DHGroup14"], ["AES256/SHA1/None"])
    failed = ipsec.negotiate(none, azure)
    assert not failed.established and failed.reason.startswith("No common phase 1 proposal")
    assert failed.phase1 is None and failed.ike_version == "IKEv2" and failed.phase1_lifetime_s is None


def test_the_same_dh_group_under_two_names_matches():
    """§4.2 DH group mapping: DHGroup14 and DHGroup2048 are group 14; PFS2048 is its PFS name."""
    gw = ipsec.azure_endpoint("gw", "VpnGw2AZ", policy={**S13_POLICY, "dh_group": "DHGroup2048",
                                                         "ipsec_encryption": "AES256", "ipsec_integrity": "SHA256",
                                                         "pfs_group": "PFS2048"})
    device = ipsec.device_endpoint("onprem", ["IKEv2"], ["AES256/SHA384/DHGroup14"], ["AES256/SHA256/PFS2048"])
    assert ipsec.negotiate(device, gw).established
    assert ipsec.same_proposal(ipsec.parse_proposal("AES256/SHA1/DHGroup14", 1),
                               ipsec.parse_proposal("AES256/SHA1/DHGroup2048", 1))
    assert not ipsec.same_proposal(ipsec.parse_proposal("AES256/SHA1/DHGroup2", 1),
                                   ipsec.parse_proposal("AES256/SHA1/DHGroup14", 1))
    assert not ipsec.same_proposal(ipsec.parse_proposal("AES256/SHA1/ECP256", 1),
                                   ipsec.parse_proposal("AES256/SHA1/ECP384", 1))
    assert not ipsec.same_proposal(ipsec.parse_proposal("AES256/SHA1/None", 2),
                                   ipsec.parse_proposal("AES256/SHA1/PFS1", 2))
    assert not ipsec.same_proposal(ipsec.parse_proposal("AES256/SHA1/DHGroup2", 1),
                                   ipsec.parse_proposal("AES128/SHA1/DHGroup2", 1))
    assert not ipsec.same_proposal(ipsec.parse_proposal("AES256/SHA1/DHGroup2", 1),
                                   ipsec.parse_proposal("AES256/SHA256/DHGroup2", 1))


def test_ikev2_is_preferred_and_an_asked_for_version_must_be_common():
    """§4.3: route-based VpnGw1AZ+ speak IKEv1 and IKEv2; a device speaking both meets it on IKEv2 unless asked."""
    azure = ipsec.azure_endpoint("gw", "VpnGw1AZ", "RouteBased")
    both = ipsec.device_endpoint("onprem", ["IKEv1", "IKEv2"], ["AES256/SHA1/DHGroup2"], ["AES256/SHA1/None"])
    assert ipsec.negotiate(both, azure).ike_version == "IKEv2"
    assert ipsec.negotiate(both, azure, "ikev1").ike_version == "IKEv1"
    basic = ipsec.azure_endpoint("basic", "Basic", "RouteBased")
    out = ipsec.negotiate(both, basic, "IKEv1")
    assert not out.established and out.reason.startswith("IKEv1 is not spoken by both ends")
    assert "basic (RouteBased, Basic) speaks IKEv2" in out.reason and "onprem speaks IKEv1, IKEv2" in out.reason
    v1 = ipsec.device_endpoint("old", ["IKEv1"], ["AES256/SHA1/DHGroup2"], ["AES256/SHA1/None"])
    none = ipsec.negotiate(v1, basic)
    assert none.reason.startswith("No common IKE version") and none.ike_version is None


def test_a_device_lists_each_ike_version_once_and_needs_its_offers():
    device = ipsec.device_endpoint("onprem", ["ikev2", "IKEv2", "IKEv1"], "AES256/SHA1/DHGroup2", "AES256/SHA1/None")
    assert device.ike_versions == ("IKEv2", "IKEv1") and device.label() == "onprem"
    assert strs(device.phase2_initiator) == strs(device.phase2_responder) == ["AES256/SHA1/None"]
    for args in (([], ["AES256/SHA1/DHGroup2"], ["AES256/SHA1/None"]), (["IKEv2"], None, ["AES256/SHA1/None"]),
                 (["IKEv2"], ["AES256/SHA1/DHGroup2"], ())):
        with pytest.raises(IpsecError, match="non-empty list"):
            ipsec.device_endpoint("onprem", *args)


def test_a_policy_based_end_is_ikev1_with_its_own_lists():
    """§4.1/§4.3: policy-based: Basic only, IKEv1, four offers in each phase, Quick Mode lifetime 3,600 s."""
    pb = ipsec.azure_endpoint("pb", "Basic", "PolicyBased")
    assert pb.label() == "pb (PolicyBased, Basic)" and pb.ike_versions == ("IKEv1",)
    assert strs(pb.phase1) == ["AES256/SHA256/DHGroup2", "AES256/SHA1/DHGroup2", "AES128/SHA1/DHGroup2",
                               "DES3/SHA1/DHGroup2"]
    assert strs(pb.phase2_initiator) == strs(pb.phase2_responder) == [
        "AES256/SHA256/None", "AES256/SHA1/None", "AES128/SHA1/None", "DES3/SHA1/None"]


def test_a_vnet_to_vnet_pair_with_the_same_policy_negotiates_ikev2():
    """§3.3: VNet-to-VNet needs route-based ends (IKEv2) and the same policy on both connection resources."""
    a = ipsec.azure_endpoint("a", "VpnGw1AZ", policy=S13_POLICY)
    b = ipsec.azure_endpoint("b", "VpnGw2AZ", policy=S13_POLICY)
    out = ipsec.negotiate_vnet_to_vnet(a, b)
    assert out.established and out.ike_version == "IKEv2" and str(out.phase2) == "GCMAES256/GCMAES256/PFS24"
    default = ipsec.azure_endpoint("c", "VpnGw1AZ")
    differs = ipsec.negotiate_vnet_to_vnet(a, default)
    assert (differs.initiator, differs.responder) == ("a", "c") and differs.steps[0] == "Policies compared: different"
    assert "c: default policy" in differs.reason and "a: IKE AES256/SHA384/DHGroup24" in differs.reason
    with pytest.raises(IpsecError, match="RouteBased"):
        ipsec.negotiate_vnet_to_vnet(ipsec.azure_endpoint("pb", "Basic", "PolicyBased"), a)


@pytest.mark.parametrize("field, low, high", [("sa_lifetime_seconds", 300, None), ("sa_data_size_kb", 1024, None),
                                              ("dpd_timeout_seconds", 9, 3600)])
def test_policy_limit_errors_name_the_bound(field, low, high):
    """§4.2: SA lifetime ≥ 300 s, ≥ 1,024 KB; DPD 9–3,600 s."""
    with pytest.raises(IpsecPolicyError) as err:
        ipsec.make_policy(**S13_POLICY, **{field: low - 1})
    assert err.value.rule == (f"{field} {low}–{high}" if high else f"{field} at least {low}")
    assert err.value.value == low - 1
    if high:
        with pytest.raises(IpsecPolicyError):
            ipsec.make_policy(**S13_POLICY, **{field: high + 1})
    with pytest.raises(IpsecPolicyError) as err:
        ipsec.make_policy(**S13_POLICY, **{field: float(low)})
    assert err.value.rule == f"{field} is an integer"


def test_gcm_mismatch_names_the_rule():
    """§4.2: GCMAES IPsec encryption needs the same GCMAES algorithm and key length as integrity."""
    with pytest.raises(IpsecPolicyError) as err:
        ipsec.make_policy(**{**S13_POLICY, "ipsec_encryption": "GCMAES128", "ipsec_integrity": "GCMAES256"})
    assert err.value.value == ("GCMAES128", "GCMAES256") and "use GCMAES128/GCMAES128" in str(err.value)
    assert ipsec.make_policy(**{**S13_POLICY, "ipsec_encryption": "AES256", "ipsec_integrity": "SHA256"})


def test_a_policy_that_is_not_a_mapping_or_has_a_bad_field_says_so():
    with pytest.raises(IpsecPolicyError, match="mapping of fields") as err:
        ipsec.IpsecPolicy.from_dict(["AES256"])
    assert err.value.rule == "policy is a dict"
    with pytest.raises(IpsecPolicyError) as err:
        ipsec.make_policy(**S13_POLICY, ike_lifetime=1)
    assert err.value.value == ["ike_lifetime"]
    with pytest.raises(IpsecPolicyError) as err:
        ipsec.IpsecPolicy.from_dict({k: v for k, v in S13_POLICY.items() if k not in ("dh_group", "pfs_group")})
    assert "missing dh_group, pfs_group" in str(err.value)
    with pytest.raises(IpsecPolicyError) as err:
        ipsec.make_policy(**{**S13_POLICY, "dh_group": "DHGroup99"})
    assert err.value.rule.startswith("dh_group must be one of DHGroup24, ECP384")


def test_describe_states_every_setting():
    p = ipsec.make_policy(**S13_POLICY, use_policy_based_traffic_selectors=True, dpd_timeout_seconds=30)
    assert p.describe() == ("IKE AES256/SHA384/DHGroup24 · IPsec GCMAES256/GCMAES256/PFS24 · SA 27000 s / 102400000 "
                            "KB · DPD 30 s · policy-based traffic selectors on")


def test_proposal_texts_name_their_phase_and_fields():
    with pytest.raises(IpsecError, match="Phase 1 proposal 'AES256/SHA1'.*'AES256/SHA256/DHGroup14'") as err:
        ipsec.parse_proposal("AES256/SHA1", 1)
    assert err.value.rule == "three fields separated by /"
    with pytest.raises(IpsecError, match="phase 2 ipsec_integrity 'SHA512'") as err:
        ipsec.parse_proposal("AES256/SHA512/None", 2)
    assert ipsec.parse_proposal(" aes256 / sha1 / pfs2048 ", 2) == ipsec.Proposal(2, "AES256", "SHA1", "PFS2048")
    for phase in (0, 3, True, "1"):
        with pytest.raises(IpsecError) as err:
            ipsec.parse_proposal("AES256/SHA1/None", phase)
        assert err.value.rule == "phase is 1 or 2"


def test_esp_rows_and_other_ciphers_by_hand():
    """RFC 4303 (ESP header 8, trailer 2), RFC 3602 (AES-CBC IV 16, block 16), RFC 2404 (HMAC-SHA1-96 ICV 12),
    RFC 2410 (NULL: no IV, 4-byte alignment), RFC 3948 (NAT-T UDP header 8), RFC 791 (IPv4 header 20)."""
    o = ipsec.esp_overhead("AES128", "SHA1", 100, nat_t=True)
    # 100 + 2 = 102 → 112 (multiple of 16): padding 10
    assert (o.outer_ip, o.udp, o.esp_header, o.iv, o.padding, o.trailer, o.icv) == (20, 8, 8, 16, 10, 2, 12)
    assert o.outer_size == 100 + 20 + 8 + 8 + 16 + 10 + 2 + 12
    rows = {name: size for name, size, _ in o.rows()}
    assert rows["UDP (NAT-T)"] == 8 and rows["Padding"] == 10 and rows["Outer packet"] == o.outer_size
    n = ipsec.esp_overhead("None", "SHA256", 101)
    # 101 + 2 = 103 → 104: padding 1; no IV; HMAC-SHA-256-128 ICV 16 (RFC 4868)
    assert (n.iv, n.padding, n.icv) == (0, 1, 16)
    with pytest.raises(IpsecError, match="True or False"):
        ipsec.esp_overhead("AES256", "SHA256", 1400, nat_t="yes")
    for bad in (19, 65536, True, 1400.0):
        with pytest.raises(IpsecError) as err:
            ipsec.esp_overhead("AES256", "SHA256", bad)
        assert err.value.rule == "IPv4 total length"
    assert ipsec.esp_overhead("AES256", "SHA256", 20).inner_packet == 20
    assert ipsec.esp_overhead("AES256", "SHA256", 65535).inner_packet == 65535


POLICY_DOCS = "learn.microsoft.com/azure/vpn-gateway/ipsec-ike-policy-howto"


@pytest.mark.parametrize("call, cls, rule, value, source, says", [
    (lambda: ipsec.make_policy(**{**S13_POLICY, "ike_integrity": "SHA265"}), IpsecPolicyError,
     "ike_integrity must be one of SHA384, SHA256, SHA1, MD5", "SHA265", POLICY_DOCS,
     ["ike_integrity 'SHA265' is not one of Azure's values (SHA384, SHA256, SHA1, MD5). Did you mean SHA256?"]),
    (lambda: ipsec.make_policy(**{**S13_POLICY, "ike_encryption": 256}), IpsecPolicyError,
     "ike_encryption must be one of GCMAES256, GCMAES128, AES256, AES192, AES128", 256, POLICY_DOCS,
     ["ike_encryption 256 is not one of Azure's values"]),
    (lambda: ipsec.make_policy(**{**S13_POLICY, "ipsec_integrity": "SHA1"}), IpsecPolicyError,
     "GCMAES as IPsec encryption requires the same GCMAES algorithm and key length as IPsec integrity",
     ("GCMAES256", "SHA1"), POLICY_DOCS, ["IPsec encryption GCMAES256 with integrity SHA1"]),
    (lambda: ipsec.make_policy(**S13_POLICY, sa_lifetime_seconds="27000"), IpsecPolicyError,
     "sa_lifetime_seconds is an integer", "27000", POLICY_DOCS, ["sa_lifetime_seconds '27000' is not a whole number"]),
    (lambda: ipsec.make_policy(**S13_POLICY, dpd_timeout_seconds=3601), IpsecPolicyError,
     "dpd_timeout_seconds 9–3600", 3601, POLICY_DOCS, ["dpd_timeout_seconds 3601 is outside Azure's range (9–3600)"]),
    (lambda: ipsec.make_policy(**S13_POLICY, sa_data_size_kb=1000), IpsecPolicyError,
     "sa_data_size_kb at least 1024", 1000, POLICY_DOCS, ["(at least 1024)"]),
    (lambda: ipsec.make_policy(**S13_POLICY, use_policy_based_traffic_selectors=1), IpsecPolicyError,
     "UsePolicyBasedTrafficSelectors is $True or $False", 1, POLICY_DOCS,
     ["use_policy_based_traffic_selectors 1 must be True or False"]),
    (lambda: ipsec.IpsecPolicy.from_dict({"ike_encryption": "AES256"}), IpsecPolicyError,
     "must specify every field (no partial policy)", ["ike_encryption"], POLICY_DOCS,
     ["Partial policy: missing ike_integrity, dh_group, ipsec_encryption, ipsec_integrity, pfs_group."]),
    (lambda: ipsec.make_policy(**S13_POLICY, lifetime=1, dpd=2), IpsecPolicyError, "known policy fields",
     ["lifetime", "dpd"], POLICY_DOCS, ["Unknown policy field(s) 'lifetime', 'dpd'; fields: ike_encryption"]),
    (lambda: ipsec.azure_endpoint("gw", "VpnGw2AZ", "PolicyBased"), IpsecError, "policy-based is Basic only",
     ("VpnGw2AZ", "PolicyBased"), "vpn-gateway-vpn-faq",
     ["A PolicyBased gateway on VpnGw2AZ: policy-based gateways exist on the Basic SKU only."]),
    (lambda: ipsec.azure_endpoint("gw", "Basic", policy=S13_POLICY), IpsecPolicyError,
     "no custom IPsec/IKE policy on Basic", "Basic", POLICY_DOCS,
     ["A custom IPsec/IKE policy on the Basic SKU: not supported (supported: VpnGw1"]),
    (lambda: ipsec.device_endpoint("onprem", ["IKEv2"], ["AES256/SHA1/DHGroup2"], 7), IpsecError,
     "a device has phase 2 offers", 7, None, ["onprem: phase 2 offers 7 must be a non-empty list."]),
    (lambda: ipsec.device_endpoint("onprem", ["IKEv3"], ["AES256/SHA1/DHGroup2"], ["AES256/SHA1/None"]), IpsecError,
     "IKE version must be one of IKEv2, IKEv1", "IKEv3", None, ["Did you mean IKEv2"]),
    (lambda: ipsec.negotiate_vnet_to_vnet(ipsec.azure_endpoint("a", "VpnGw1AZ"),
                                          ipsec.device_endpoint("dev", ["IKEv2"], ["AES256/SHA1/DHGroup2"],
                                                                ["AES256/SHA1/None"])), IpsecError,
     "route-based gateways at both ends", "dev", None, ["VNet-to-VNet end dev: needs a RouteBased Azure VPN gateway."]),
    (lambda: ipsec.esp_overhead("AES256", "GCMAES256"), IpsecError, "GCM as combined mode", ("AES256", "GCMAES256"),
     "rfc4106", ["Integrity GCMAES256 with encryption AES256"]),
    (lambda: ipsec.esp_overhead("AES256", "SHA256", nat_t=None), IpsecError, "nat_t is a boolean", None, None,
     ["nat_t None must be True or False."]),
    (lambda: ipsec.max_inner_packet("AES256", "SHA256", outer_mtu=80), IpsecError, "outer packet fits the MTU", 80,
     "vpn-gateway-vpn-faq", ["outer_mtu 80 leaves no room for an IPv4 packet inside ESP."]),
    (lambda: ipsec.max_inner_packet("AES256", "SHA256", outer_mtu="1500"), IpsecError, "outer packet fits the MTU",
     "1500", None, ["outer_mtu '1500'"]),
])
def test_each_ipsec_error_names_its_value_rule_and_source(call, cls, rule, value, source, says):
    with pytest.raises(cls) as err:
        call()
    assert rule in err.value.rule, (err.value.rule, rule)
    assert err.value.value == value
    if source:
        assert source in err.value.source, err.value.source
    for text in says:
        assert text in str(err.value), (text, str(err.value))


def test_the_smallest_mtu_that_carries_a_packet():
    """AES256/SHA256 overhead without padding: 20 + 8 + 16 + 16 = 60, trailer 2, 16-byte blocks (RFC 4303/3602/4868):
    a 20-byte inner packet needs 60 + 32 = 92 bytes of MTU."""
    assert ipsec.max_inner_packet("AES256", "SHA256", outer_mtu=92) == 30
    with pytest.raises(IpsecError):
        ipsec.max_inner_packet("AES256", "SHA256", outer_mtu=91)


def test_a_negotiation_prints_what_was_agreed():
    """§4.1: AES256/SHA256 with DH group 2 is Azure's phase 1 offer 2; Main Mode SA 28,800 s (§4.2), route-based
    Quick Mode 27,000 s (§4.1)."""
    device = ipsec.device_endpoint("onprem", ["IKEv2"], ["AES256/SHA256/DHGroup2"], ["AES256/SHA1/None"])
    out = ipsec.negotiate(device, ipsec.azure_endpoint("gw", "VpnGw1AZ", "RouteBased"))
    rows = out.rows()
    assert rows[:6] == [("IKE version", "IKEv2"), ("Phase 1 (IKE SA)", "AES256/SHA256/DHGroup2"),
                        ("Phase 2 (IPsec SA)", "AES256/SHA1/None"), ("Phase 1 lifetime", "28800 s"),
                        ("Phase 2 lifetime", "27000 s"),
                        ("Result", "Tunnel established over IKEv2: phase 1 AES256/SHA256/DHGroup2, phase 2 "
                                   "AES256/SHA1/None.")]
    assert rows[6] == ("Step 1", "IKE versions: onprem speaks IKEv2; gw (RouteBased, VpnGw1AZ) speaks IKEv1, IKEv2 → IKEv2")
    assert rows[-1][0] == "Source" and "vpn-gateway-about-vpn-devices" in rows[-1][1]
    assert str(out).splitlines()[0] == "onprem → gw: established"
    assert "onprem → gw: established" in out._repr_html_()
    failed = ipsec.negotiate(ipsec.device_endpoint("old", ["IKEv1"], ["AES256/SHA1/DHGroup2"], ["AES256/SHA1/None"]),
                             ipsec.azure_endpoint("basic", "Basic", "RouteBased"))
    assert str(failed).splitlines()[0] == "old → basic: not established"
    assert dict(failed.rows())["IKE version"] == "-" and dict(failed.rows())["Phase 1 lifetime"] == "-"


def test_proposals_may_use_names_from_azures_default_lists():
    """§4.1 default offers use DES3 in phase 1 and DES in phase 2, names not in the custom-policy lists."""
    assert str(ipsec.parse_proposal("DES3/SHA256/DHGroup2", 1)) == "DES3/SHA256/DHGroup2"
    assert str(ipsec.parse_proposal("DES/SHA1/None", 2)) == "DES/SHA1/None"
    assert str(ipsec.parse_proposal("AES256/SHA1/PFS24", 2)) == "AES256/SHA1/PFS24"
    with pytest.raises(IpsecError):
        ipsec.parse_proposal("DES/SHA1/DHGroup2", 1)      # DES is not a phase 1 encryption anywhere in §4
    with pytest.raises(IpsecError):
        ipsec.parse_proposal("AES256/SHA1/DHGroup2", 2)   # phase 2 groups are PFS names


def test_the_esp_table_lists_every_part_with_its_source():
    o = ipsec.esp_overhead("AES256", "SHA256", 1400)
    rows = o.rows()
    assert [(name, size) for name, size, _ in rows] == [
        ("Outer IPv4 header", 20), ("UDP (NAT-T)", 0), ("ESP header (SPI + sequence)", 8), ("IV", 16),
        ("Inner packet", 1400), ("Padding", 6), ("Trailer (pad length + next header)", 2), ("ICV", 16),
        ("Outer packet", 1468)]
    sources = {name: src for name, _, src in rows}
    assert "rfc791" in sources["Outer IPv4 header"] and "rfc3948" in sources["UDP (NAT-T)"]
    assert "rfc4303" in sources["ESP header (SPI + sequence)"] and "rfc3602" in sources["IV"]
    assert "rfc4868" in sources["ICV"] and sources["Outer packet"] == "overhead 68 B, goodput 95.4%"
    assert "ESP AES256/SHA256" in o._repr_html_() and "ESP GCMAES256/GCMAES256 + NAT-T" in \
        ipsec.esp_overhead("GCMAES256", "GCMAES256", nat_t=True)._repr_html_()
    assert str(o).splitlines()[0].split() == ["Part", "Bytes", "Source"]


def test_the_mss_comparison_in_words():
    """§4.4: Azure's MSS 1350 / tunnel MTU 1400 against the arithmetic of RFC 4303/3602/4868 (1438-byte inner
    packet on a 1500-byte path for AES256/SHA256; with NAT-T on a 1400-byte path 1400 − 68 = 1332, down to a multiple
    of 16 is 1328, less the 2-byte trailer: 1326)."""
    c = ipsec.compare_with_azure_guidance("AES256", "SHA256")
    assert (c.computed_mss, c.azure_mss, c.tunnel_mtu_fits) == (1398, 1350, True)
    assert c.explanation.startswith("AES256/SHA256 on a 1500-byte path: largest inner packet 1438 bytes, TCP MSS 1398. "
                                    "Azure's 1350 leaves 48 bytes of headroom; a 1400-byte tunnel MTU fits. ")
    assert c.explanation.endswith(", so every packet must fit.")
    assert "vpn-gateway-about-vpn-devices" in c.source and "vpn-gateway-vpn-faq" in c.source
    small = ipsec.compare_with_azure_guidance("AES256", "SHA256", outer_mtu=1400, nat_t=True)
    assert small.explanation.startswith(
        "AES256/SHA256 with NAT-T on a 1400-byte path: largest inner packet 1326 bytes, TCP MSS 1286. Azure's 1350 "
        "is 64 bytes too large on this path; a 1400-byte tunnel MTU does not fit. ")
    exact = ipsec.compare_with_azure_guidance("AES256", "SHA256", outer_mtu=1452)   # inner 1390, MSS 1350
    assert exact.computed_mss == 1350 and "leaves 0 bytes of headroom" in exact.explanation
    assert not exact.tunnel_mtu_fits
    fits = ipsec.compare_with_azure_guidance("AES256", "SHA256", outer_mtu=1468)    # 1408 − 2 = 1406 ≥ 1400
    assert fits.tunnel_mtu_fits and ipsec.max_inner_packet("AES256", "SHA256", 1468) == 1406
    assert not ipsec.compare_with_azure_guidance("AES256", "SHA256", outer_mtu=1467).tunnel_mtu_fits   # 1390


# --- More gaps found by mutation testing (issue 20, second pass) ------------------------------------------------
def header_cells(html):
    return re.findall(r"<th[^>]*>([^<]*)</th>", html)


def bold_rows(html):
    return [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in re.findall(r'<tr style="font-weight:bold[^"]*">(.*?)</tr>', html)]


def test_a_negotiation_table_has_check_and_result_columns_and_stresses_the_result():
    device = ipsec.device_endpoint("onprem", ["IKEv2"], ["AES256/SHA256/DHGroup2"], ["AES256/SHA1/None"])
    out = ipsec.negotiate(device, ipsec.azure_endpoint("gw", "VpnGw1AZ", "RouteBased"))
    assert header_cells(out._repr_html_()) == ["Check", "Result"]
    assert bold_rows(out._repr_html_()) == [["Result", out.reason]]
    assert str(out).splitlines()[1].split() == ["Check", "Result"]
    failed = ipsec.negotiate(ipsec.device_endpoint("x", ["IKEv2"], ["AES128/MD5/DHGroup1"], ["AES256/SHA1/None"]),
                             ipsec.azure_endpoint("gw", "VpnGw1AZ"))
    assert dict(failed.rows())["Phase 1 (IKE SA)"] == "-" and dict(failed.rows())["Phase 2 (IPsec SA)"] == "-"


def test_the_esp_table_has_its_columns_stresses_the_outer_packet_and_says_nat_t_only_when_used():
    o = ipsec.esp_overhead("AES256", "SHA256", 1400)
    html = o._repr_html_()
    assert header_cells(html) == ["Part", "Bytes", "Source"]
    assert bold_rows(html) == [["Outer packet", "1468", "overhead 68 B, goodput 95.4%"]]
    assert re.search(r"<caption[^>]*>ESP AES256/SHA256</caption>", html)
    assert {name: src for name, _, src in o.rows()}["Inner packet"] == ""


def test_describe_says_when_policy_based_traffic_selectors_are_off():
    # §4.2: UsePolicyBasedTrafficSelectors defaults to $False
    assert ipsec.make_policy(**S13_POLICY).describe().endswith("policy-based traffic selectors off")


def test_an_azure_initiators_stance_lists_its_six_initiator_offers_only():
    # §4.1: as initiator Azure proposes 6 Quick Mode offers (its 26 are what it accepts as responder)
    gw = ipsec.azure_endpoint("gw", "VpnGw1AZ", "RouteBased")
    assert gw.stance(2, "initiator") == "gw offers its default RouteBased list: " + ", ".join(ROUTE_BASED_P2_INITIATOR)
    assert gw.stance(1, "responder") == "gw accepts its default RouteBased list: " + ", ".join(ROUTE_BASED_P1)


def test_a_stance_counts_the_offers_from_the_seventh_on():
    seven = ROUTE_BASED_P2_RESPONDER[:7]
    device = ipsec.device_endpoint("onprem", ["IKEv2"], ["AES256/SHA1/DHGroup2"], seven)
    assert device.stance(2, "initiator") == "onprem offers " + ", ".join(seven[:6]) + ", ... (7 offers)"
    assert device.kind == "device" and ipsec.azure_endpoint("gw", "VpnGw1AZ").kind == "azure"


def test_vnet_to_vnet_policies_that_differ_in_phase_1_only_are_different_policies():
    # §3.3 / S13: the policy must be identical on both connection resources, phase 1 included
    a = ipsec.make_policy(**S13_POLICY)
    b = ipsec.make_policy(**{**S13_POLICY, "ike_integrity": "SHA256"})
    assert not ipsec.same_algorithms(a, b)
    out = ipsec.negotiate_vnet_to_vnet(ipsec.azure_endpoint("a", "VpnGw1AZ", policy=a),
                                       ipsec.azure_endpoint("b", "VpnGw1AZ", policy=b))
    assert out.established is False and out.steps[0] == "Policies compared: different"
    assert "vpn-gateway-howto-vnet-vnet-resource-manager-portal" in out.source


def test_defaults_are_azures_tunnel_mtu_inside_an_ethernet_path():
    # esp_overhead's inner packet defaults to Azure's 1,400-byte tunnel MTU (§4.4), the path MTU to 1,500 bytes;
    # AES256/SHA256: 1500 − 60 = 1440, a multiple of 16, less the 2-byte trailer: 1438; MSS 1438 − 40 = 1398
    assert ipsec.esp_overhead("AES256", "SHA256").inner_packet == 1400
    assert ipsec.max_inner_packet("AES256", "SHA256") == 1438
    assert ipsec.tcp_mss("AES256", "SHA256") == 1398


def test_nat_t_changes_the_mss_comparison_on_a_1500_byte_path():
    # with NAT-T's 8-byte UDP header (RFC 3948): 1500 − 68 = 1432 → 1424 − 2 = 1422; MSS 1382
    c = ipsec.compare_with_azure_guidance("AES256", "SHA256", nat_t=True)
    assert c.computed_mss == 1382 and "largest inner packet 1422 bytes" in c.explanation


def test_esp_errors_name_the_field_and_are_not_policy_errors():
    with pytest.raises(IpsecError) as err:
        ipsec.esp_overhead("AES257", "SHA256")
    assert str(err.value).startswith("IPsec encryption 'AES257' is not one of Azure's values")
    assert err.value.rule.startswith("IPsec encryption must be one of") and POLICY_DOCS in err.value.source
    with pytest.raises(IpsecError) as err:
        ipsec.esp_overhead("AES256", "SHA257")
    assert str(err.value).startswith("IPsec integrity 'SHA257' is not one of Azure's values")
    assert err.value.rule.startswith("IPsec integrity must be one of") and POLICY_DOCS in err.value.source
    for call in (lambda: ipsec.esp_overhead("GCMAES256", "SHA256"), lambda: ipsec.parse_proposal("GCMAES256/SHA256/None", 2)):
        with pytest.raises(IpsecError) as err:   # a proposal or a packet, not a custom policy
            call()
        assert not isinstance(err.value, IpsecPolicyError) and err.value.value == ("GCMAES256", "SHA256")


@pytest.mark.parametrize("call, rule, value, source, says", [
    (lambda: ipsec.esp_overhead("AES256", "SHA256", 19), "IPv4 total length", 19, "rfc791",
     "inner_packet 19: an IPv4 packet is 20–65535 bytes."),
    (lambda: ipsec.esp_overhead("AES256", "SHA256", nat_t="yes"), "nat_t is a boolean", "yes", "",
     "nat_t 'yes' must be True or False."),
    (lambda: ipsec.esp_overhead("AES256", "GCMAES256"), "GCM as combined mode", ("AES256", "GCMAES256"), "rfc4106",
     "models GCM only as combined mode (RFC 4106), encryption and integrity the same."),
    (lambda: ipsec.max_inner_packet("AES256", "SHA256", outer_mtu=80), "outer packet fits the MTU", 80,
     "vpn-gateway-vpn-faq", "outer_mtu 80 leaves no room"),
    (lambda: ipsec.negotiate_vnet_to_vnet(ipsec.azure_endpoint("pb", "Basic", "PolicyBased"),
                                          ipsec.azure_endpoint("a", "VpnGw1AZ")),
     "route-based gateways at both ends", "pb", "vpn-gateway-howto-vnet-vnet-resource-manager-portal",
     "VNet-to-VNet end pb (PolicyBased, Basic): needs a RouteBased Azure VPN gateway."),
    (lambda: ipsec.parse_proposal("AES256/SHA1", 2), "three fields separated by /", "AES256/SHA1", POLICY_DOCS,
     "Phase 2 proposal 'AES256/SHA1': write encryption/integrity/group, e.g. 'AES256/SHA1/None'."),
    (lambda: ipsec.parse_proposal("AES256/SHA1/PFS3", 2), "phase 2 pfs_group must be one of", "PFS3", POLICY_DOCS,
     "phase 2 pfs_group 'PFS3' is not one of Azure's values"),
    (lambda: ipsec.device_endpoint("onprem", [], ["AES256/SHA1/DHGroup2"], ["AES256/SHA1/None"]),
     "a device has IKE versions", [], "", "onprem: IKE versions [] must be a non-empty list."),
    (lambda: ipsec.device_endpoint("onprem", ["IKEv2"], [], ["AES256/SHA1/None"]),
     "a device has phase 1 offers", [], "", "onprem: phase 1 offers [] must be a non-empty list."),
    (lambda: ipsec.device_endpoint("onprem", ["IKEv3"], ["AES256/SHA1/DHGroup2"], ["AES256/SHA1/None"]),
     "IKE version must be one of IKEv2, IKEv1", "IKEv3", "vpn-gateway-vpn-faq", "IKE version 'IKEv3'"),
    (lambda: ipsec.negotiate(ipsec.azure_endpoint("a", "VpnGw1AZ"), ipsec.azure_endpoint("b", "VpnGw1AZ"), "IKEv3"),
     "IKE version must be one of IKEv2, IKEv1", "IKEv3", "vpn-gateway-vpn-faq", "IKE version 'IKEv3'"),
])
def test_each_ipsec_error_gives_exactly_its_rule_value_and_source(call, rule, value, source, says):
    with pytest.raises(IpsecError) as err:
        call()
    assert err.value.rule == rule or (rule.endswith("one of") and err.value.rule.startswith(rule)), err.value.rule
    assert err.value.value == value
    assert source in err.value.source if source else err.value.source == ""
    assert says in str(err.value), str(err.value)


def test_each_failed_negotiation_says_why_in_full_with_its_source():
    # §4.1: Azure's route-based phase 1 offers (DH group 2) and Quick Mode lifetime 27,000 s; §4.3 IKE versions
    gw = ipsec.azure_endpoint("gw", "VpnGw1AZ", "RouteBased")
    p1 = ", ".join(ROUTE_BASED_P1)
    bad1 = ipsec.device_endpoint("onprem", ["IKEv2"], ["AES256/SHA384/DHGroup14"], ["AES256/SHA1/None"])
    out = ipsec.negotiate(bad1, gw)
    assert out.established is False and out.ike_version == "IKEv2"
    assert out.reason == (f"No common phase 1 proposal: gw accepts its default RouteBased list: {p1}; onprem offers "
                          "AES256/SHA384/DHGroup14 → the tunnel does not come up.")
    assert out.steps == ("IKE versions: onprem speaks IKEv2; gw (RouteBased, VpnGw1AZ) speaks IKEv1, IKEv2 → IKEv2",)
    assert "vpn-gateway-about-vpn-devices" in out.source and "ipsec-ike-policy-howto" in out.source
    bad2 = ipsec.device_endpoint("onprem", ["IKEv2"], ["AES256/SHA1/DHGroup2"], ["AES192/MD5/None"])
    out = ipsec.negotiate(gw, bad2)
    assert out.established is False and out.ike_version == "IKEv2" and str(out.phase1) == "AES256/SHA1/DHGroup2"
    assert out.reason == ("No common phase 2 proposal: onprem accepts AES192/MD5/None; gw offers its default RouteBased "
                          f"list: {', '.join(ROUTE_BASED_P2_INITIATOR)} → the tunnel does not come up.")
    assert "vpn-gateway-about-vpn-devices" in out.source
    v1 = ipsec.device_endpoint("old", ["IKEv1"], ["AES256/SHA1/DHGroup2"], ["AES256/SHA1/None"])
    out = ipsec.negotiate(v1, ipsec.azure_endpoint("basic", "Basic", "RouteBased"))
    assert out.established is False and "vpn-gateway-vpn-type-table" in out.source


def test_an_established_tunnel_lists_each_ends_quick_mode_lifetime():
    # §4.2: Quick Mode lifetimes are local; Azure route-based default 27,000 s (§4.1); a device's is not modelled
    device = ipsec.device_endpoint("onprem", ["IKEv2"], ["AES256/SHA1/DHGroup2"], ["AES256/SHA1/None"])
    out = ipsec.negotiate(device, ipsec.azure_endpoint("gw", "VpnGw1AZ", "RouteBased"))
    assert out.steps[-1] == "Lifetimes: Main Mode fixed; Quick Mode lifetimes are local (onprem: not modelled, gw: 27000)"
    assert out.phase2_lifetime_s == 27000


def test_vpn_type_and_sku_errors_give_exactly_their_rule():
    # §4.3: policy-based gateways are Basic only; §4.2: no custom policy on Basic
    with pytest.raises(IpsecError) as err:
        ipsec.azure_endpoint("gw", "VpnGw1AZ", "RouteBase")
    assert str(err.value).startswith("VPN type 'RouteBase' is not one of Azure's values (PolicyBased, RouteBased). "
                                     "Did you mean RouteBased?")
    assert err.value.rule == "VPN type must be one of PolicyBased, RouteBased"
    assert "vpn-gateway-about-vpn-devices" in err.value.source
    with pytest.raises(IpsecError) as err:
        ipsec.azure_endpoint("gw", "VpnGw2AZ", "PolicyBased")
    assert err.value.rule == "policy-based is Basic only"
    with pytest.raises(IpsecPolicyError) as err:
        ipsec.azure_endpoint("gw", "Basic", policy=S13_POLICY)
    assert err.value.rule == "no custom IPsec/IKE policy on Basic"


def test_two_devices_negotiate_without_a_modelled_quick_mode_lifetime():
    a = ipsec.device_endpoint("a", ["IKEv2"], ["AES256/SHA256/DHGroup14"], ["AES256/SHA256/None"])
    b = ipsec.device_endpoint("b", ["IKEv2"], ["AES256/SHA256/DHGroup14"], ["AES256/SHA256/None"])
    out = ipsec.negotiate(a, b)
    assert out.established and out.phase2_lifetime_s is None and out.phase1_lifetime_s == 28800
