"""Encryption paths, IKE negotiation on a network, and NSGs in traces.

Facts (azure-facts.md): peering adds no IPsec and rides the Microsoft backbone, MACsec at layer 2 between
datacenters (§6.6); VNet encryption needs both VMs supported (accelerated networking) (§6.6); VNet-to-VNet crosses
the backbone, Site-to-Site the internet, both in IPsec (§3.1, §3.3); a custom policy is proposed and accepted alone,
so a VNet-to-VNet pair with different policies does not connect (§4.2, S13); NSG evaluation order and default
rules (§8, S9).
"""
from __future__ import annotations

import pytest

import vnetlab as vl
from vnetlab.encryption import BACKBONE, IN_VNET, PUBLIC_INTERNET, is_encrypted


def two_peered(encryption: bool, accelerated: tuple[bool, bool]) -> vl.Network:
    net = vl.Network("peered")
    for i, (name, an) in enumerate(zip(("a", "b"), accelerated), start=1):
        v = net.add_vnet(name, [f"10.{i}.0.0/16"], region="westeurope")
        v.add_subnet("app", f"10.{i}.1.0/24").add_nic(f"vm-{name}", f"10.{i}.1.4", accelerated_networking=an)
        net.set_vnet_encryption(name, encryption)
    net.peer("a", "b")
    return net


def test_peering_adds_no_network_layer_encryption_and_says_where():
    report = two_peered(False, (True, True)).encryption_report("vm-a", "vm-b")
    assert all(report.reachable) and not report.all_encrypted
    crossing = [leg for leg in report.legs if leg.action == "cross peering"]
    assert len(crossing) == 2 and all(leg.path == BACKBONE for leg in crossing)
    assert all("MACsec" in leg.protection and not leg.encrypted for leg in crossing)
    assert report.answer().startswith("No")


def test_vnet_encryption_covers_vm_to_vm_over_peering_only_when_both_vms_support_it():
    assert two_peered(True, (True, True)).encryption_report("vm-a", "vm-b").all_encrypted
    assert not two_peered(True, (True, False)).encryption_report("vm-a", "vm-b").all_encrypted
    assert not two_peered(False, (True, True)).encryption_report("vm-a", "vm-b").all_encrypted


def test_vnet_to_vnet_is_ipsec_over_the_backbone_and_the_legs_inside_the_vnets_are_not():
    net = vl.load_scenario("v2v-vs-s2s")
    t = net.trace("vm-v2v-vnet1", "10.2.1.4")
    tunnel = [h for h in t.segments if h.action == "VNet-to-VNet tunnel"]
    assert tunnel and tunnel[0].path == BACKBONE and tunnel[0].protection.startswith("IPsec ESP")
    inside = [h for h in t.segments if h.path == IN_VNET]
    assert inside and not any(is_encrypted(h.protection) for h in inside)


def test_site_to_site_is_ipsec_over_the_public_internet():
    t = vl.load_scenario("v2v-vs-s2s").trace("vm-s2s-vnet1", "10.12.1.4")
    assert t.reachable
    [tunnel] = [h for h in t.segments if h.action == "IPsec tunnel"]
    assert tunnel.path == PUBLIC_INTERNET and is_encrypted(tunnel.protection)


S13_POLICY = {"ike_encryption": "AES256", "ike_integrity": "SHA384", "dh_group": "DHGroup24",
              "ipsec_encryption": "GCMAES256", "ipsec_integrity": "GCMAES256", "pfs_group": "PFS24"}


def test_s13_a_custom_policy_on_one_side_of_a_vnet_to_vnet_pair_keeps_the_tunnel_down():
    net = vl.load_scenario("v2v-vs-s2s")
    net.set_ipsec_policy("v2v-vnet1", "v2v-vnet1-to-v2v-vnet2", S13_POLICY)
    c = net.connection("v2v-vnet1", "v2v-vnet1-to-v2v-vnet2")
    assert c.status == "NotConnected" and "same policy" in c.status_reason
    t = net.trace("vm-v2v-vnet1", "10.2.1.4")
    assert not t.reachable and "NotConnected" in t.reason
    net.set_ipsec_policy("v2v-vnet2", "v2v-vnet2-to-v2v-vnet1", S13_POLICY)
    assert c.status == "Connected" and net.trace("vm-v2v-vnet1", "10.2.1.4").reachable
    tunnel = [h for h in net.trace("vm-v2v-vnet1", "10.2.1.4").segments if h.action == "VNet-to-VNet tunnel"][0]
    assert "GCMAES256" in tunnel.protection


def test_a_site_device_without_a_common_proposal_keeps_the_tunnel_down_with_the_reason():
    net = vl.load_scenario("hub-spoke-onprem")
    # Group 14 in phase 1: Azure's default offers all use DH group 2 (§4.1), so no proposal matches.
    net.set_vpn_device("branch", ike_versions=["IKEv2"], phase1=["AES256/SHA256/DHGroup14"], phase2=["AES256/SHA256/None"])
    c = net.connection("hub", "hub-to-branch")
    assert c.status == "NotConnected" and "phase 1" in c.status_reason
    t = net.trace("vm-spoke1", "192.168.1.10")
    assert not t.reachable and "hub-to-branch" in t.reason
    net.set_ipsec_policy("hub", "hub-to-branch", {**S13_POLICY, "dh_group": "DHGroup14", "ike_integrity": "SHA256",
                                                 "ipsec_encryption": "AES256", "ipsec_integrity": "SHA256",
                                                 "pfs_group": "None"})
    assert c.status == "Connected" and net.trace("vm-spoke1", "192.168.1.10").reachable


def test_s9_nsgs_in_traces():
    net = vl.load_scenario("hub-spoke-onprem")
    net.add_network_security_group("app-nsg")
    net.associate_network_security_group("spoke1", "app", nsg="app-nsg")
    # (a) from on-premises through the hub's gateway: allowed by AllowVNetInBound (65000)
    t = net.trace("192.168.1.10", "10.1.1.4", port=443, from_site="branch")
    assert t.reachable and any(h.action == "NSG" and "AllowVNetInBound" in h.detail for h in t.hops)
    # (c) subnet NSG denies TCP 22 from VirtualNetwork at 200; a NIC NSG allowing it at 100 comes too late
    net.add_security_rule("app-nsg", "deny-ssh", 200, "Inbound", "Deny", "Tcp", "VirtualNetwork", "*", "*", "22")
    net.add_network_security_group("nic-nsg")
    net.add_security_rule("nic-nsg", "allow-ssh", 100, "Inbound", "Allow", "Tcp", "*", "*", "*", "22")
    net.associate_network_security_group(nic="vm-spoke1", nsg="nic-nsg")
    denied = net.trace("vm-hub", "10.1.1.4", port=22)
    assert denied.verdict == "Dropped" and "deny-ssh" in denied.reason
    # (d) the VM opens TCP 22 towards the hub: outbound NIC then subnet, defaults allow
    assert net.trace("vm-spoke1", "10.0.1.4", port=22).reachable


def test_policy_based_traffic_selectors_need_every_prefix_pair():
    """VPN FAQ (§4.3): with UsePolicyBasedTrafficSelectors the device defines every on-premises × VNet prefix pair,
    e.g. 2 × 2 prefixes → 4 selectors."""
    net = vl.Network("selectors")
    v = net.add_vnet("hub", ["10.0.0.0/16", "10.1.0.0/16"], region="westeurope")
    v.add_subnet("GatewaySubnet", "10.0.255.0/27")
    net.add_vpn_gateway("hub", sku="VpnGw1AZ")
    net.add_local_network_gateway("site", "198.51.100.7", ["192.168.1.0/24", "192.168.2.0/24"])
    [c] = net.connect("hub", "site", kind="IPsec", use_policy_based_traffic_selectors=True)
    assert len(c.traffic_selectors) == 4
    assert ("10.1.0.0/16", "192.168.2.0/24") in c.traffic_selectors


def test_a_policy_based_gateway_speaks_ikev1_only():
    net = vl.Network("pb")
    v = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    v.add_subnet("GatewaySubnet", "10.0.255.0/27")
    net.add_vpn_gateway("hub", sku="Basic", vpn_type="PolicyBased")
    net.add_local_network_gateway("site", "198.51.100.7", ["192.168.1.0/24"])
    with pytest.raises(vl.VnetlabError, match="IKEv1 only"):
        net.connect("hub", "site", kind="IPsec", connection_protocol="IKEv2")
    [c] = net.connect("hub", "site", kind="IPsec")
    assert c.connection_protocol == "IKEv1"


def test_gateway_transit_does_not_cross_a_peering_whose_access_is_off():
    """allowVirtualNetworkAccess off: "peering exists but no traffic" (Manage peering, 2025-05-08), gateway transit too."""
    net = vl.load_scenario("hub-spoke-onprem")
    assert net.trace("vm-spoke1", "192.168.1.10").reachable
    net.set_peering("spoke1", "hub", allow_virtual_network_access=False)
    t = net.trace("vm-spoke1", "192.168.1.10")
    assert t.verdict == "Dropped" and "allow_virtual_network_access" in t.reason


def test_the_report_takes_an_on_premises_host_and_shows_the_transit_legs_outside_the_tunnel():
    report = vl.load_scenario("hub-spoke-onprem").encryption_report("vm-spoke1", "192.168.1.10")
    assert all(report.reachable) and not report.all_encrypted
    tunnels = [leg for leg in report.legs if leg.action == "IPsec tunnel"]
    assert len(tunnels) == 2 and all(leg.path == PUBLIC_INTERNET and leg.encrypted for leg in tunnels)
    assert {leg.path for leg in report.gaps} == {BACKBONE}     # spoke ↔ hub over the transit peering


def test_dhgroup14_and_dhgroup2048_name_the_same_group():
    """§4.2 mapping: DH group 14 is DHGroup14 or DHGroup2048 (PFS2048)."""
    from vnetlab import ipsec

    gw = ipsec.azure_endpoint("gw", "VpnGw1AZ", policy=dict(
        ike_encryption="AES256", ike_integrity="SHA256", dh_group="DHGroup2048", ipsec_encryption="AES256",
        ipsec_integrity="SHA256", pfs_group="PFS2048"))
    device = ipsec.device_endpoint("d", ["IKEv2"], ["AES256/SHA256/DHGroup14"], ["AES256/SHA256/PFS2048"])
    assert ipsec.negotiate(gw, device).established and ipsec.negotiate(device, gw).established


def test_without_a_port_an_nsg_drop_is_not_reported_as_the_vms_not_reaching_each_other():
    """§8: a rule with a port range matches only packets with a port; a report without ``port=`` cannot judge a
    flow on a port, and once allowed on its port the flow's path is reported (it used to say "do not reach")."""
    net = two_peered(False, (True, True))
    net.add_network_security_group("b-nsg")
    net.add_security_rule("b-nsg", "allow-443", 100, "Inbound", "Allow", protocol="Tcp", source="10.1.1.4",
                          destination_ports="443")
    net.add_security_rule("b-nsg", "deny-rest", 4000, "Inbound", "Deny")
    net.associate_network_security_group("b", "app", nsg="b-nsg")
    answer = net.encryption_report("vm-a", "vm-b").answer()
    assert "do not reach each other" not in answer and "port=" in answer and "deny-rest" in answer
    assert net.encryption_report("vm-a", "vm-b", "Tcp", 443).reachable[0]
