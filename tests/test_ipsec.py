"""IPsec/IKE policies, negotiation and ESP overhead against azure-facts.md §4, scenario S13 and the ESP RFCs.

Expected values are typed from the fact sheet (About VPN devices 2023-10-06; VPN FAQ 2026-06-04; IPsec/IKE
policy how-to 2024-12-02) and from RFC 4303/3602/2451/4106/4868/2404/3948/791/9293, never read from the code.
"""
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
