"""The VPN gateway SKU catalog against azure-facts.md §1 and worked scenarios S7, S8."""
import datetime as dt

import pytest

from vnetlab import gateway
from vnetlab.gateway import BgpError, SkuError


def test_current_gen2_rows_match_about_gateway_skus():
    # §1.1 (About gateway SKUs, 2026-06-08): VpnGw4AZ Gen2 = 100 tunnels, 5 Gbps, BGP, zone-redundant
    s = gateway.sku("VpnGw4AZ")
    assert (s.generation, s.tunnels, s.throughput_mbps, s.bgp, s.zone_redundant) == (2, 100, 5000, True, True)
    assert gateway.sku("VpnGw2AZ", 1).throughput_mbps == 1000 and gateway.sku("VpnGw2AZ", 2).throughput_mbps == 1250
    assert gateway.sku("Basic").tunnels == 10 and not gateway.sku("Basic").bgp


def test_features_by_sku():
    # §1.4: NAT on VpnGw2-5 only; Basic has no transit, no custom IPsec policy, no active-active
    assert not gateway.sku("VpnGw1AZ").nat and gateway.sku("VpnGw2AZ").nat
    basic = gateway.sku("Basic")
    assert not (basic.gateway_transit or basic.custom_ipsec_policy or basic.active_active) and basic.policy_based


def test_s7_smallest_sku_for_40_tunnels_3gbps_bgp_nat_zones():
    need = dict(throughput_mbps=3000, tunnels=40, bgp=True, nat=True, zone_redundant=True)
    fits = [s for s in gateway.catalog() if s.status == "current" and not gateway.requirements_met(s, **need)]
    assert [s.name for s in fits] == ["VpnGw4AZ", "VpnGw5AZ"]
    assert "30 tunnels < 40" in gateway.requirements_met(gateway.sku("VpnGw3AZ"), **need)


def test_noncreatable_and_legacy_and_expressroute_skus():
    with pytest.raises(SkuError, match="2025-01-01"):
        gateway.check_creatable(gateway.sku("VpnGw4"), on=dt.date(2026, 1, 1))
    gateway.check_creatable(gateway.sku("VpnGw4"), on=dt.date(2024, 12, 31))
    hp = gateway.sku("HighPerformance")
    assert hp.migrates_to == "VpnGw2AZ" and hp.retired == "2026-06-30"  # S8
    with pytest.raises(SkuError, match="VpnGw2AZ"):
        gateway.check_creatable(hp, on=dt.date(2026, 7, 1))
    with pytest.raises(SkuError, match="ExpressRoute"):
        gateway.sku("UltraPerformance")
    with pytest.raises(SkuError, match="Unknown"):
        gateway.sku("VpnGw9")


@pytest.mark.parametrize("asn", [8074, 8075, 12076, 65517, 65520, 23456, 64496, 64511, 65535, 65551, 0, -1, 2**32])
def test_reserved_and_invalid_asns_are_refused(asn):
    with pytest.raises(BgpError):
        gateway.check_asn(asn, side="on-premises")


def test_usable_asns_and_azure_default():
    assert gateway.check_asn(65515) == 65515  # Azure's default on the Azure side
    with pytest.raises(BgpError, match="65515"):
        gateway.check_asn(65515, side="on-premises")
    for asn in (64512, 65514, 65521, 65534, 4200000000):
        assert gateway.check_asn(asn, side="on-premises") == asn


def test_provisioning_time_is_the_documented_45_minutes():
    assert gateway.provisioning_minutes() == 45  # "45 minutes or more" (§2.1)


def test_the_catalog_is_reachable_from_the_top_level_and_displays_with_its_sources():
    import vnetlab as vl

    current = vl.skus("current")
    # §1.1: the creatable SKUs are Basic and VpnGw1AZ-5AZ (VpnGw2AZ and VpnGw3AZ in both generations)
    assert sorted({s.name for s in current}) == ["Basic", "VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ"]
    row = next(s for s in vl.skus() if s.key == "VpnGw5AZ (Gen2)")
    assert (row.tunnels, row.p2s_ikev2_openvpn, row.throughput_mbps) == (100, 10000, 10000)
    assert {s.name for s in vl.skus("legacy")} == {"Standard", "HighPerformance"}  # §1.5
    assert len(vl.skus()) == len(current) + len(vl.skus("noncreatable")) + len(vl.skus("legacy"))
    html = vl.skus()._repr_html_()
    assert "about-gateway-skus" in html and "vpn-gateway-about-skus-legacy" in html and "VpnGw4AZ" in html
    with pytest.raises(SkuError, match="status"):
        vl.skus("retired")
