"""Comparison model, decision guide and the seed-claim audit.

Expected values are typed from azure-facts.md (S7, S12, §1.1, §1.3, §2.1, §3.6, §5.1, Appendix A), not read from the
code's data.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

import vnetlab as vl
from vnetlab.claims import VERDICTS, claim, claims
from vnetlab.compare import ComparisonError, break_even_gb, compare, cost_curve
from vnetlab.design import DesignError, Requirements, recommend, smallest_sku


def test_s12_same_region_peering_costs_20_and_vnet_to_vnet_306_60():
    c = compare("westeurope", "westeurope", 1000, 0, sku="VpnGw1AZ")
    assert c.option("VNet peering").monthly_cost_usd.value == pytest.approx(20.00)
    assert c.option("VNet-to-VNet").monthly_cost_usd.value == pytest.approx(306.60)   # 2 × 730 × 0.21, data free
    assert "2025-01-15" in c.option("VNet-to-VNet").monthly_cost_usd.origin            # dated, never "current"


def test_s12_global_peering_west_europe_to_japan_west_costs_125():
    assert compare("westeurope", "japanwest", 1000).option("VNet peering").monthly_cost_usd.value == pytest.approx(125.0)


def test_an_unsourced_price_is_unknown_not_zero():
    assert compare(sku="VpnGw2AZ").option("VNet-to-VNet").monthly_cost_usd.value is None       # §10.1: not found
    back = compare("japanwest", "westeurope", 1000).option("VNet peering").monthly_cost_usd    # Zone 2 outbound: not found
    assert back.value is None and "not in the sourced data" in back.origin


def test_the_break_even_volume_is_where_the_lines_cross():
    gb = break_even_gb("westeurope", "westeurope", "VpnGw1AZ")
    assert gb == pytest.approx(306.60 / 0.02)
    curve = cost_curve("westeurope", "westeurope", [gb * 0.5, gb * 2])
    assert curve["VNet peering"][0] < curve["VNet-to-VNet"][0] and curve["VNet peering"][1] > curve["VNet-to-VNet"][1]
    assert break_even_gb("westeurope", "westeurope", "VpnGw3AZ") is None   # no sourced VpnGw3AZ price


def test_throughput_is_the_smaller_of_the_aggregate_and_one_tunnel():
    assert compare(sku="VpnGw1AZ").option("VNet-to-VNet").throughput_mbps.value == 650             # §1.1 and §1.3
    assert compare(sku="VpnGw4AZ", algorithm="AES256+SHA256").option("Site-to-Site").throughput_mbps.value == 700
    peering = compare(vm_mbps=12500).option("VNet peering").throughput_mbps
    assert peering.value == 12500 and "no bandwidth limit from peering itself" in peering.origin


def test_time_to_ready_and_latency_say_where_they_come_from():
    c = compare("westeurope", "northeurope", 10, distance_km=1000)
    assert c.option("VNet-to-VNet").time_to_ready_min.value == 45                                      # §2.1
    assert c.option("VNet peering").time_to_ready_min.value is None
    s2s, v2v = c.option("Site-to-Site").latency_ms, c.option("VNet-to-VNet").latency_ms
    assert s2s.value > v2v.value > c.option("VNet peering").latency_ms.value
    assert s2s.assumptions and all("not a Microsoft figure" in a or "physics" in a for a in s2s.assumptions)
    assert compare().option("VNet peering").latency_ms.value == 0     # same region: same as within one VNet (§6.3)


@settings(max_examples=150, deadline=None)
@given(a=st.sampled_from(["westeurope", "West Europe", "japanwest", "eastus", "", 3]),
       gb=st.one_of(st.floats(allow_nan=True), st.integers(-5, 10**6), st.text(max_size=4)),
       sku=st.sampled_from(["VpnGw1AZ", "VpnGw5AZ", "UltraPerformance", "nope", "Basic"]),
       algorithm=st.sampled_from(["GCMAES256", "aes256/sha256", "DES", ""]))
def test_any_input_gives_a_comparison_or_a_vnetlab_error(a, gb, sku, algorithm):
    try:
        c = compare(a, "westeurope", gb, 0, sku=sku, algorithm=algorithm)
    except vl.VnetlabError as exc:
        assert str(exc)
        return
    assert all(o.monthly_cost_usd.value is None or o.monthly_cost_usd.value >= 0 for o in c.options)
    assert "<table" in c._repr_html_()


def test_s7_the_smallest_sku_for_40_tunnels_3_gbps_bgp_and_nat_is_vpngw4az():
    assert smallest_sku(tunnels=40, throughput_mbps=3000, bgp=True, nat=True).name == "VpnGw4AZ"


def test_the_guide_follows_the_documented_rules():
    assert recommend(Requirements(cross_tenant=True)).components == ("VNet peering",)                # §3.6
    clouds = recommend(Requirements(across_clouds=True))
    assert "Site-to-Site" in clouds.design and any("clouds" in r.text for r in clouds.rejected)
    merger = recommend(Requirements(overlapping_spaces=True))
    assert merger.sku == "VpnGw2AZ" and "VNet peering" not in merger.components                        # §5.1
    hybrid = recommend(Requirements(on_premises_sites=1, spokes=3, remote_users=40))
    assert any("gateway transit" in c for c in hybrid.components) and any("Point-to-Site" in c for c in hybrid.components)
    rushed = recommend(Requirements(on_premises_sites=1, deliver_within_minutes=30, monthly_budget_usd=50))
    assert any("45 minutes" in w for w in rushed.warnings) and any("Over budget" in w for w in rushed.warnings)
    mandate = recommend(Requirements(encryption_mandate=True))
    assert any("virtual network encryption" in c for c in mandate.components)
    with pytest.raises(DesignError):
        Requirements(remote_users=-1)


def test_the_claims_are_appendix_a_with_verdicts_and_sources():
    table = claims()
    appendix_a = {"vpn-over-internet", "provisioning-40-min", "public-ip-per-gateway", "encrypted-using-ike",
                  "v2v-same-subscription", "v2v-auto-routing", "s2s-manual-lng", "nat-joins-overlapping-vnets",
                  "legacy-sku-names", "nsg-east-west-vpn", "peering-regions-latency", "peering-multi-subscription",
                  "vpn-across-regions"}  # the rest of every seed claim: tests/test_seed_claims_audit.py
    assert appendix_a <= {c.id for c in table} and {c.verdict for c in table} <= set(VERDICTS)
    assert claim("legacy-sku-names").verdict == "outdated"
    assert claim("v2v-same-subscription").verdict == "imprecise"
    assert claim("provisioning-40-min").verdict == "imprecise"
    assert all(s.startswith("https://learn.microsoft.com/") for c in table for s in c.sources)


def test_the_simulator_refutes_vnet_to_vnet_only_within_one_subscription():
    net = vl.Network("partners")
    for i, (name, sub, tenant) in enumerate((("a", "sub-a", "contoso"), ("b", "sub-b", "fabrikam")), start=1):
        v = net.add_vnet(name, [f"10.{i}.0.0/16"], region="westeurope", subscription=sub, tenant=tenant)
        v.add_subnet("GatewaySubnet", f"10.{i}.255.0/27")
        v.add_subnet("app", f"10.{i}.1.0/24").add_nic(f"vm-{name}", f"10.{i}.1.4")
        net.add_vpn_gateway(name, sku="VpnGw1AZ")
    net.connect("a", "b", kind="Vnet2Vnet")
    assert net.trace("vm-a", "10.2.1.4").reachable


def test_connections_share_the_gateway_aggregate():
    """All connections on a gateway share its bandwidth (VPN FAQ): 10 tunnels on a 2.5 Gbps VpnGw3AZ (Gen2) get
    250 Mbps each, below one tunnel's measured 1,500 Mbps (GCMAES256, §1.3)."""
    one = compare(sku="VpnGw3AZ").option("VNet-to-VNet").throughput_mbps.value
    ten = compare(sku="VpnGw3AZ", tunnels=10).option("VNet-to-VNet").throughput_mbps.value
    assert (one, ten) == (1500, 250)
    with pytest.raises(ComparisonError):
        compare(sku="VpnGw1AZ", tunnels=31)


def test_remote_users_are_sized_on_the_openvpn_ikev2_limit_and_an_unfit_design_has_no_price():
    """§1.1: VpnGw1AZ takes 250 IKEv2/OpenVPN clients (+128 SSTP, Windows only, §3.4), VpnGw2AZ 500; beyond 100 tunnels
    no VPN SKU fits (Virtual WAN)."""
    assert recommend(Requirements(remote_users=250)).sku == "VpnGw1AZ"
    assert recommend(Requirements(remote_users=300)).sku == "VpnGw2AZ"
    unfit = recommend(Requirements(on_premises_sites=150))
    assert unfit.sku is None and unfit.monthly_cost.value is None and any("Virtual WAN" in w for w in unfit.warnings)


def test_the_guide_prices_the_site_to_site_connection_meter():
    """S12/§10.1: a VpnGw1AZ gateway month $153.30 plus the $10.95 S2S connection meter per site."""
    rec = recommend(Requirements(vnets=1, on_premises_sites=1))
    assert rec.components[0].startswith("VPN gateway") and "VNet peering" not in rec.components
    assert rec.monthly_cost.value == pytest.approx(153.30 + 10.95)


@pytest.mark.parametrize("clouds", [False, True])
def test_overlapping_spaces_need_nat_and_a_vpngw2az_or_larger_even_across_clouds(clouds):
    # §5.1/§1.4: NAT only on IPsec connections of VpnGw2+ (VpnGw1AZ has none); §3.6: across clouds, S2S
    r = recommend(Requirements(overlapping_spaces=True, across_clouds=clouds))
    assert r.sku == "VpnGw2AZ"
    assert any("NAT" in c for c in r.components)
    assert any("VpnGw2+" in reason.text for reason in r.reasons)
