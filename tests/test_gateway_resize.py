"""Resizing a VPN gateway: azure-facts.md §1.2 (within one generation; Basic cannot be resized) and §1.5 (legacy SKUs
never resize to VpnGw SKUs); the AZ/non-AZ split and the no-downgrade rule from About gateway SKUs' resize table."""
import datetime as dt

import pytest

import vnetlab as vl
from vnetlab.gateway import ResizeError
from vnetlab.nat import NatSupportError


def hub(sku: str, generation: int | None = None, created_on: dt.date | None = None) -> vl.Network:
    net = vl.Network()
    net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope").add_subnet("GatewaySubnet", "10.0.255.0/27")
    net.add_vpn_gateway("hub", sku, generation=generation, created_on=created_on)
    net.add_local_network_gateway("branch", "198.51.100.10", ["192.168.1.0/24"])
    net.connect("hub", "branch", kind="IPsec")
    return net


def test_resize_within_the_family_keeps_the_gateway_its_ip_and_connections():
    net = hub("VpnGw1AZ")
    before = net.gateway("hub")
    ips, conns = before.public_ips, list(before.connections)
    gw = net.resize_gateway("hub", "VpnGw2AZ")
    assert gw is before and (gw.sku.name, gw.sku.generation) == ("VpnGw2AZ", 1)
    assert gw.public_ips == ips and list(gw.connections) == conns
    assert gw.sku.throughput_mbps == 1000  # §1.1: VpnGw2AZ Gen1 = 1 Gbps


def test_resize_changes_what_the_gateway_can_do():
    # §1.4: NAT rules need VpnGw2+; after a resize from VpnGw1AZ they are accepted
    net = hub("VpnGw1AZ")
    with pytest.raises(NatSupportError):
        net.add_nat_rule("hub", "r", mode="EgressSnat", internal="10.0.1.0/24", external="100.64.1.0/24")
    net.resize_gateway("hub", "VpnGw2AZ")
    net.add_nat_rule("hub", "r", mode="EgressSnat", internal="10.0.1.0/24", external="100.64.1.0/24")


def test_basic_cannot_be_resized():
    net = hub("Basic")
    with pytest.raises(ResizeError, match="Basic gateway cannot be resized") as err:
        net.resize_gateway("hub", "VpnGw1AZ")
    assert err.value.rule == "Basic cannot be resized" and "learn.microsoft.com" in err.value.source
    assert net.gateway("hub").sku.name == "Basic"


def test_resize_stays_within_one_generation():
    net = hub("VpnGw2AZ", generation=1)
    with pytest.raises(ResizeError, match="family") as err:
        net.resize_gateway("hub", "VpnGw4AZ")  # Generation 2 only
    assert err.value.value == "VpnGw4AZ (Gen2)"
    with pytest.raises(ResizeError, match="family"):
        net.resize_gateway("hub", "VpnGw3AZ", generation=2)
    net.resize_gateway("hub", "VpnGw3AZ")
    assert net.gateway("hub").sku.key == "VpnGw3AZ (Gen1)"


def test_non_az_does_not_resize_to_az_and_legacy_does_not_resize_to_vpngw():
    old = hub("VpnGw1", created_on=dt.date(2024, 6, 1))
    with pytest.raises(ResizeError, match="family"):
        old.resize_gateway("hub", "VpnGw1AZ")
    old.resize_gateway("hub", "VpnGw2")
    legacy = hub("Standard", created_on=dt.date(2023, 1, 1))
    with pytest.raises(ResizeError, match="legacy SKUs never to VpnGw SKUs"):
        legacy.resize_gateway("hub", "VpnGw1AZ")
    legacy.resize_gateway("hub", "HighPerformance")


def test_no_resize_to_a_smaller_sku_and_unknown_skus_are_refused():
    net = hub("VpnGw3AZ", generation=2)
    with pytest.raises(ResizeError, match="downgrade"):
        net.resize_gateway("hub", "VpnGw2AZ")
    with pytest.raises(ResizeError, match="already"):
        net.resize_gateway("hub", "VpnGw3AZ")
    with pytest.raises(vl.VnetlabError, match="Unknown VPN gateway SKU"):
        net.resize_gateway("hub", "VpnGw9AZ")
