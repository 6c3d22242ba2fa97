"""VPN gateway NAT: the documented example (azure-facts.md §5.4, S5), every documented constraint, translation both
ways, BGP advertisements, and the rule parser under arbitrary input.

Expected values are typed from the fact sheet (NAT overview and Configure NAT, 2024-10-16; VPN FAQ, 2026-06-04),
not read from the code's data.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from netaddr import IPAddress, IPNetwork

import vnetlab as vl
from vnetlab.connection import GatewayConnectionError
from vnetlab.errors import PeeringOverlapError, VnetlabError
from vnetlab.nat import NatError, NatOverlapError, NatRuleError, NatSupportError, make_rule

# §5.4, current documents (2024-10-16)
EXPECTED = {"VNet": ("10.0.1.0/24", "192.168.1.0/24"), "Branch1": ("10.0.1.0/24", "192.168.2.0/24"),
            "Branch2": ("10.0.1.0/24", "192.168.3.0/24")}


@pytest.fixture
def example() -> vl.Network:
    return vl.load_scenario("nat-branches")


def bare(sku: str = "VpnGw2AZ") -> vl.Network:
    """The example's VNet, gateway and sites, without rules or connections."""
    net = vl.Network("bare")
    v = net.add_vnet("VNet", ["10.0.1.0/24"], region="westeurope")
    v.add_subnet("app", "10.0.1.0/25").add_nic("vm-app", "10.0.1.20")
    v.add_subnet("GatewaySubnet", "10.0.1.224/27")
    net.add_vpn_gateway("VNet", sku=sku)
    net.add_local_network_gateway("Branch1", "198.51.100.10", ["10.0.1.0/24"])
    net.add_local_network_gateway("Branch2", "198.51.100.20", ["10.0.1.0/24"])
    return net


def test_the_packaged_example_has_the_documented_rules_and_translated_spaces(example):
    rules = example.gateway("VNet").nat_rules
    assert {n: (str(r.internal), str(r.external)) for n, r in rules.items()} == EXPECTED
    assert {r.type for r in rules.values()} == {"Static"}
    assert (rules["VNet"].mode, rules["Branch1"].mode, rules["Branch2"].mode) == ("EgressSnat", "IngressSnat", "IngressSnat")
    routes = example.effective_routes("VNet", "app")
    for site in ("Branch1", "Branch2"):
        external = EXPECTED[site][1]
        [route] = routes.find(external)
        assert route.next_hop_type == "VirtualNetworkGateway" and route.state == "Active"
    assert not routes.find("10.0.1.0/24", "VirtualNetworkGateway")  # the sites' own space is never routed as such


def test_s5_branch1_host_reaches_the_vnet_host_translated_both_ways(example):
    t = example.trace("10.0.1.10", "192.168.1.20", port=443, from_site="Branch1")
    assert t.reachable, t.reason
    assert t.delivered_as == ("192.168.2.10", "10.0.1.20")          # S5: source 10.0.1.10 → 192.168.2.10
    assert [(h.src, h.dst) for h in t.translations] == [("192.168.2.10", "192.168.1.20"), ("192.168.2.10", "10.0.1.20")]
    back = example.trace("vm-app", "192.168.2.10", port=443)          # the reply's direction, initiated from Azure
    assert back.reachable and back.delivered_as == ("192.168.1.20", "10.0.1.10")


def test_s5_the_same_host_in_branch2_appears_as_192_168_3_10(example):
    t = example.trace("10.0.1.10", "192.168.1.20", from_site="Branch2")
    assert t.reachable and t.delivered_as[0] == "192.168.3.10"


def test_bgp_advertises_the_vnet_after_egress_snat(example):
    advertised = example.advertised_prefixes("VNet", "VNet-Branch1")
    assert "192.168.1.0/24" in advertised and "10.0.1.0/24" not in advertised


def test_bgp_routes_learned_through_ingress_snat_are_translated():
    net = bare()
    net.add_local_network_gateway("Branch3", "198.51.100.30", bgp_asn=65020, bgp_peer_ip="172.31.0.1",
                                  advertised=["10.0.1.0/24"])
    net.gateway("VNet").bgp_asn = 65010
    net.add_nat_rule("VNet", "VNet", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24")
    net.add_nat_rule("VNet", "Branch3", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.4.0/24")
    net.connect("VNet", "Branch3", kind="IPsec", enable_bgp=True, ingress_nat_rules=["Branch3"],
                egress_nat_rules=["VNet"])
    learned = net.effective_routes("VNet", "app").find("192.168.4.0/24", "VirtualNetworkGateway")
    assert learned and "BGP" in learned[0].origin


@pytest.mark.parametrize("sku", ["VpnGw1AZ", "Basic"])
def test_s5_nat_is_refused_below_vpngw2(sku):
    with pytest.raises(NatSupportError, match="VpnGw2"):
        bare(sku).add_nat_rule("VNet", "VNet", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24")


def test_s5_nat_rules_on_a_vnet_to_vnet_connection_are_refused():
    net = bare()
    other = net.add_vnet("Other", ["10.9.0.0/16"], region="westeurope")
    other.add_subnet("GatewaySubnet", "10.9.255.0/27")
    net.add_vpn_gateway("Other", sku="VpnGw2AZ")
    net.add_nat_rule("VNet", "VNet", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24")
    with pytest.raises(NatSupportError, match="IPsec"):
        net.connect("VNet", "Other", kind="Vnet2Vnet", egress_nat_rules=["VNet"])


def test_s5_an_egress_external_overlapping_branch1s_external_is_refused(example):
    with pytest.raises(NatOverlapError, match="192.168.2.0/24"):
        example.add_nat_rule("VNet", "VNet2", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.2.0/24")


def test_s5_static_rule_with_different_prefix_lengths_is_refused():
    with pytest.raises(NatRuleError, match="equal-sized prefixes: 10.0.1.0/24 vs 192.168.1.0/25"):
        make_rule("VNet", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/25")


def test_s5_connecting_identical_spaces_before_attaching_rules_fails():
    with pytest.raises(GatewayConnectionError, match="overlaps"):
        bare().connect("VNet", "Branch1", kind="IPsec")


def test_both_rules_are_needed_when_the_site_overlaps_the_vnet():
    net = bare()
    net.add_nat_rule("VNet", "Branch1", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.2.0/24")
    with pytest.raises(GatewayConnectionError, match="EgressSnat"):
        net.connect("VNet", "Branch1", kind="IPsec", ingress_nat_rules=["Branch1"])


def test_ingress_rules_alone_separate_overlapping_branches_when_the_vnet_is_unique():
    net = vl.Network("unique")
    v = net.add_vnet("VNet", ["10.50.0.0/16"], region="westeurope")
    v.add_subnet("app", "10.50.1.0/24").add_nic("vm", "10.50.1.4")
    v.add_subnet("GatewaySubnet", "10.50.255.0/27")
    net.add_vpn_gateway("VNet", sku="VpnGw2AZ")
    for i, site in enumerate(("B1", "B2"), start=2):
        net.add_local_network_gateway(site, f"198.51.100.{i}", ["10.0.1.0/24"])
        net.add_nat_rule("VNet", site, mode="IngressSnat", internal="10.0.1.0/24", external=f"100.64.{i}.0/24")
        net.connect("VNet", site, kind="IPsec", ingress_nat_rules=[site])
    assert net.trace("vm", "100.64.3.7").delivered_as == ("10.50.1.4", "10.0.1.7")


def test_one_prefix_per_rule_and_an_unlinked_prefix_stays_untranslated():
    """VPN FAQ: an LNG with 10.0.1.0/24 and 10.0.2.0/25 needs two IngressSnat rules."""
    with pytest.raises(NatRuleError, match="one address prefix"):
        make_rule("two", mode="IngressSnat", internal=["10.0.1.0/24", "10.0.2.0/25"], external="192.168.1.0/24")
    net = vl.Network("faq")
    v = net.add_vnet("VNet", ["10.0.0.0/24"], region="westeurope")
    v.add_subnet("GatewaySubnet", "10.0.0.224/27")
    net.add_vpn_gateway("VNet", sku="VpnGw2AZ")
    net.add_local_network_gateway("site", "198.51.100.9", ["10.0.1.0/24", "10.0.2.0/25"])
    net.add_nat_rule("VNet", "r1", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.1.0/24")
    net.add_nat_rule("VNet", "r2", mode="IngressSnat", internal="10.0.2.0/25", external="192.168.2.0/25")
    net.connect("VNet", "site", kind="IPsec", name="only-r1", ingress_nat_rules=["r1"])
    prefixes = {r.prefix for r in net.effective_routes("VNet", "GatewaySubnet") if r.connection == "only-r1"}
    assert prefixes == {"192.168.1.0/24", "10.0.2.0/25"}


def test_dynamic_nat_is_one_way_and_limited_to_a_26_pool_and_one_connection():
    with pytest.raises(NatRuleError, match="/26"):
        make_rule("d", type="Dynamic", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.9.0/25")
    with pytest.raises(NatRuleError, match="Static rules only"):
        make_rule("d", type="Dynamic", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.9.0/26",
                  internal_port=80, external_port=8080)
    net = bare()
    net.add_nat_rule("VNet", "out", type="Dynamic", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.9.0/26")
    net.add_nat_rule("VNet", "b1", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.2.0/24")
    net.connect("VNet", "Branch1", kind="IPsec", ingress_nat_rules=["b1"], egress_nat_rules=["out"])
    out = net.trace("vm-app", "192.168.2.10")                 # started on the internal side: translated
    assert out.reachable and IPAddress(out.delivered_as[0]) in IPNetwork("192.168.9.0/26")
    back = net.trace("10.0.1.10", "192.168.9.20", from_site="Branch1")   # started from outside: refused
    assert back.verdict == "Dropped" and "one-way" in back.reason
    net.add_nat_rule("VNet", "b2", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.3.0/24")
    with pytest.raises(NatRuleError, match="one connection"):
        net.connect("VNet", "Branch2", kind="IPsec", ingress_nat_rules=["b2"], egress_nat_rules=["out"])


def test_other_documented_rules():
    with pytest.raises(NatRuleError, match="/"):
        make_rule("a/b", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24")
    with pytest.raises(NatRuleError, match="ranges"):
        make_rule("p", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24", internal_port="80-90",
                  external_port=80)
    with pytest.raises(NatRuleError, match="not active-active"):
        bare().add_nat_rule("VNet", "x", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24",
                            ip_configuration_id="activeActive")
    net = bare()
    with pytest.raises(NatRuleError, match="no NAT rule"):
        net.connect("VNet", "Branch1", kind="IPsec", ingress_nat_rules=["missing"])
    net.add_nat_rule("VNet", "e", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24")
    with pytest.raises(NatRuleError, match="EgressSnat but was listed as IngressSnat"):
        net.connect("VNet", "Branch1", kind="IPsec", ingress_nat_rules=["e"])


def test_a_refused_change_leaves_the_network_as_it_was(example):
    before = example.to_dict()
    with pytest.raises(VnetlabError):
        example.add_nat_rule("VNet", "bad", mode="EgressSnat", internal="10.0.1.0/24", external="10.0.1.0/24")
    with pytest.raises(VnetlabError):
        example.remove_nat_rule("VNet", "Branch1")   # linked to a connection
    assert example.to_dict() == before


def test_overlapping_vnets_cannot_peer_but_reach_through_nat(example):
    """The issue's merger case: same 10.x space, no peering, but traffic flows through gateways with NAT."""
    example.add_vnet("Merged", ["10.0.1.0/24"], region="westeurope")
    with pytest.raises(PeeringOverlapError):
        example.peer("VNet", "Merged")
    assert example.trace("vm-app", "192.168.3.44").reachable


def test_the_example_round_trips_through_yaml(example):
    again = vl.Network.from_yaml(example.to_yaml())
    assert again.to_dict() == example.to_dict()
    assert again.trace("10.0.1.10", "192.168.1.20", from_site="Branch1").delivered_as == ("192.168.2.10", "10.0.1.20")


TEXT = st.one_of(st.none(), st.integers(-5, 70000), st.text(max_size=20),
                 st.sampled_from(["10.0.1.0/24", "192.168.1.0/24", "10.0.1.0/25", "Static", "Dynamic", "IngressSnat",
                                  "egresssnat", "80", "80-90", "0.0.0.0/0", "10.0.1.5/24", "::1/128"]))


@settings(max_examples=300, deadline=None)
@given(name=TEXT, type_=TEXT, mode=TEXT, internal=TEXT, external=TEXT, iport=TEXT, eport=TEXT)
def test_the_rule_parser_gives_a_rule_or_a_vnetlab_error(name, type_, mode, internal, external, iport, eport):
    try:
        rule = make_rule(name, type=type_, mode=mode, internal=internal, external=external, internal_port=iport,
                         external_port=eport)
    except VnetlabError as exc:
        assert str(exc)
        return
    assert rule.type in ("Static", "Dynamic") and rule.mode in ("IngressSnat", "EgressSnat")
    if rule.type == "Static":
        assert rule.internal.prefixlen == rule.external.prefixlen
        assert rule.untranslate(rule.translate(rule.internal.ip)) == rule.internal.ip


def test_nat_errors_are_vnetlab_errors():
    assert issubclass(NatError, VnetlabError)


# --- Gaps found by mutation testing (issue 20): each expected value is from azure-facts.md §5 ---------------------

def test_static_prefixes_move_sequentially_and_dynamic_ones_become_the_pool():
    """§5.1: Static maps same-size pools "in sequential order"; BGP advertises the VNet's EgressSnat external prefix
    (§5.2). A dynamic rule has no per-address mapping: the VNet is seen as the rule's external pool."""
    net = bare()
    net.add_nat_rule("VNet", "st", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24")
    net.add_nat_rule("VNet", "b1", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.2.0/24")
    net.connect("VNet", "Branch1", kind="IPsec", ingress_nat_rules=["b1"], egress_nat_rules=["st"])
    rule = net.gateway("VNet").nat_rules["st"]
    assert str(rule.translate_prefix(IPNetwork("10.0.1.128/25"))) == "192.168.1.128/25"
    assert str(rule.translate_prefix(IPNetwork("10.0.1.64/26"))) == "192.168.1.64/26"
    assert net.advertised_prefixes("VNet", "VNet-to-Branch1") == ["192.168.1.0/24"]
    dyn = bare()
    dyn.add_nat_rule("VNet", "dy", type="Dynamic", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.9.0/26")
    dyn.add_nat_rule("VNet", "b1", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.2.0/24")
    dyn.connect("VNet", "Branch1", kind="IPsec", ingress_nat_rules=["b1"], egress_nat_rules=["dy"])
    assert str(dyn.gateway("VNet").nat_rules["dy"].translate_prefix(IPNetwork("10.0.1.128/25"))) == "192.168.9.0/26"
    assert dyn.advertised_prefixes("VNet", "VNet-to-Branch1") == ["192.168.9.0/26"]


def test_static_translation_keeps_the_host_offset_both_ways():
    """§5.1 Static: 1:1 in sequential order, and one rule translates both directions."""
    rule = make_rule("r", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.2.0/24")
    assert str(rule.translate(IPAddress("10.0.1.0"))) == "192.168.2.0"
    assert str(rule.translate(IPAddress("10.0.1.255"))) == "192.168.2.255"
    assert str(rule.untranslate(IPAddress("192.168.2.77"))) == "10.0.1.77"


@pytest.mark.parametrize("internal_port, external_port, stored", [
    (80, 8080, (80, 8080)), ("443", " 8443 ", (443, 8443)), (1, 65535, (1, 65535)), (65535, 1, (65535, 1))])
def test_a_static_rule_keeps_its_port_mapping(internal_port, external_port, stored):
    """§5.1: port mappings on Static rules, single TCP/UDP ports (1..65535)."""
    rule = make_rule("web", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24",
                     internal_port=internal_port, external_port=external_port)
    assert (rule.internal_port, rule.external_port) == stored
    assert (rule.to_dict()["internal_port"], rule.to_dict()["external_port"]) == stored
    assert f"port {stored[0]} → {stored[1]}" in rule.describe()


@pytest.mark.parametrize("port", [0, 65536, -1, True, 80.0, "http"])
def test_a_port_outside_1_to_65535_is_refused_naming_the_rule(port):
    with pytest.raises(NatRuleError, match="1 to 65535") as err:
        make_rule("web", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24",
                  internal_port=port, external_port=80)
    assert err.value.rule == "ports are 1..65535"


def test_a_port_mapping_needs_both_ends():
    for ports in ({"internal_port": 80}, {"external_port": 80}):
        with pytest.raises(NatRuleError, match="both the internal and the external port"):
            make_rule("web", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24", **ports)


def test_a_rule_without_ports_stores_none_and_says_no_port():
    rule = make_rule("plain", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24")
    assert (rule.internal_port, rule.external_port) == (None, None)
    assert "port" not in rule.describe() and "internal_port" not in rule.to_dict()
    assert rule.to_dict() == {"name": "plain", "type": "Static", "mode": "EgressSnat", "internal": "10.0.1.0/24",
                              "external": "192.168.1.0/24"}


def active_active() -> vl.Network:
    net = vl.Network("aa")
    v = net.add_vnet("VNet", ["10.0.1.0/24"], region="westeurope")
    v.add_subnet("GatewaySubnet", "10.0.1.224/27")
    net.add_vpn_gateway("VNet", sku="VpnGw2AZ", active_active=True)
    net.add_local_network_gateway("Branch1", "198.51.100.10", ["10.0.1.0/24"])
    return net


def test_active_active_needs_a_rule_per_instance_and_the_instance_survives_a_round_trip():
    """§5.1: on an active-active gateway a rule applies to one instance (ipConfigurationId `default` or
    `activeActive`); create a rule per instance. The twin (same mapping, other instance) is not an overlap."""
    net = active_active()
    for name, instance in (("egress-0", "default"), ("egress-1", "activeActive")):
        rule = net.add_nat_rule("VNet", name, mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24",
                                ip_configuration_id=instance)
        assert rule.ip_configuration_id == instance
    assert net.gateway("VNet").nat_rules["egress-1"].to_dict()["ip_configuration_id"] == "activeActive"
    again = vl.Network.from_yaml(net.to_yaml())
    assert {n: r.ip_configuration_id for n, r in again.gateway("VNet").nat_rules.items()} == {
        "egress-0": "default", "egress-1": "activeActive"}
    rows = {row[0]: row for row in net.nat_rules("VNet").rows}
    assert rows["egress-1"][6] == "activeActive"
    with pytest.raises(NatOverlapError, match="192.168.1.0/24"):   # the same instance twice is an overlap
        net.add_nat_rule("VNet", "egress-2", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24",
                         ip_configuration_id="activeActive")
    with pytest.raises(NatOverlapError):   # a different mapping on the other instance still may not overlap
        net.add_nat_rule("VNet", "other", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.1.0/24",
                         ip_configuration_id="default")


def test_an_instance_name_azure_does_not_have_is_refused():
    with pytest.raises(NatRuleError, match="default or activeActive") as err:
        make_rule("r", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24",
                  ip_configuration_id="instance2")
    assert err.value.value == "instance2"


def test_ports_and_instance_survive_a_scenario_round_trip():
    net = active_active()
    net.add_nat_rule("VNet", "web", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24",
                     internal_port=80, external_port=8080, ip_configuration_id="activeActive")
    rule = vl.Network.from_yaml(net.to_yaml()).gateway("VNet").nat_rules["web"]
    assert (rule.internal_port, rule.external_port, rule.ip_configuration_id) == (80, 8080, "activeActive")
    [row] = net.nat_rules("VNet").rows
    assert row[5] == "80 → 8080"


def test_the_500th_rule_is_accepted_and_the_501st_refused():
    """§5.1: at most 500 NAT rules per gateway (NAT overview 2024-10-16), ingress and egress combined. 499 rules
    are put on the gateway directly (each one valid; adding 499 through the API would check 124,000 overlaps)."""
    net = bare()
    gw = net.gateway("VNet")
    for i in range(499):
        r = make_rule(f"r{i}", mode="IngressSnat", internal="10.0.1.0/29", external=f"100.64.{i // 32}.{i % 32 * 8}/29")
        gw.nat_rules[r.name] = r
    net.add_nat_rule("VNet", "r499", mode="EgressSnat", internal="10.0.1.0/29", external="100.65.0.0/29")
    assert len(gw.nat_rules) == 500
    with pytest.raises(NatRuleError, match="500") as err:
        net.add_nat_rule("VNet", "r500", mode="EgressSnat", internal="10.0.1.0/29", external="100.65.0.8/29")
    assert err.value.rule == "at most 500 NAT rules per gateway" and err.value.value == 500
    assert err.value.source.startswith("https://learn.microsoft.com/azure/vpn-gateway/nat-overview")


def test_a_rule_name_may_be_used_once_per_gateway():
    net = bare()
    net.add_nat_rule("VNet", "r", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24")
    with pytest.raises(NatRuleError, match="already has a NAT rule named r"):
        net.add_nat_rule("VNet", "r", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.2.0/24")


def test_an_external_mapping_may_not_overlap_the_gateways_own_vnet():
    """§5.1: external mappings must not overlap any network connected without NAT (here: the VNet itself)."""
    net = vl.Network("own")
    v = net.add_vnet("VNet", ["10.50.0.0/16"], region="westeurope")
    v.add_subnet("GatewaySubnet", "10.50.255.0/27")
    net.add_vpn_gateway("VNet", sku="VpnGw2AZ")
    with pytest.raises(NatOverlapError, match="10.50.0.0/16"):
        net.add_nat_rule("VNet", "r", mode="IngressSnat", internal="10.0.1.0/24", external="10.50.7.0/24")


def test_a_policy_based_gateway_or_connection_takes_no_nat():
    """§5.1: not on policy-based gateways nor on connections with UsePolicyBasedTrafficSelectors."""
    net = vl.Network("pb")
    v = net.add_vnet("VNet", ["10.50.0.0/16"], region="westeurope")
    v.add_subnet("GatewaySubnet", "10.50.255.0/27")
    net.add_vpn_gateway("VNet", sku="Basic", vpn_type="PolicyBased")
    with pytest.raises(NatSupportError):
        net.add_nat_rule("VNet", "r", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.2.0/24")
    net = vl.Network("sel")
    v = net.add_vnet("VNet", ["10.50.0.0/16"], region="westeurope")
    v.add_subnet("GatewaySubnet", "10.50.255.0/27")
    net.add_vpn_gateway("VNet", sku="VpnGw2AZ")
    net.add_local_network_gateway("site", "198.51.100.9", ["10.0.1.0/24"])
    net.add_nat_rule("VNet", "r", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.2.0/24")
    with pytest.raises(NatSupportError, match="traffic selectors"):
        net.connect("VNet", "site", kind="IPsec", ingress_nat_rules=["r"], use_policy_based_traffic_selectors=True)


def _unique_vnet_with_sites(*sites: tuple[str, list[str]]) -> vl.Network:
    net = vl.Network("shared")
    v = net.add_vnet("VNet", ["10.50.0.0/16"], region="westeurope")
    v.add_subnet("GatewaySubnet", "10.50.255.0/27")
    net.add_vpn_gateway("VNet", sku="VpnGw2AZ")
    net.add_nat_rule("VNet", "in", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.2.0/24")
    for i, (site, prefixes) in enumerate(sites, start=2):
        net.add_local_network_gateway(site, f"198.51.100.{i}", prefixes)
        net.connect("VNet", site, kind="IPsec", ingress_nat_rules=["in"])
    return net


def nat_findings(net: vl.Network) -> list[str]:
    return [f for f in net.findings() if "IngressSnat rule" in f]


def test_one_ingress_rule_may_serve_connections_to_the_same_network_only():
    """§5.1 (VPN FAQ): the same IngressSnat rule on several connections only if they reach the same on-premises
    network. One site, or two sites with the same prefixes: no finding; different prefixes: a finding naming both."""
    assert nat_findings(_unique_vnet_with_sites(("B1", ["10.0.1.0/24"]))) == []
    assert nat_findings(_unique_vnet_with_sites(("B1", ["10.0.1.0/24"]), ("B1b", ["10.0.1.0/24"]))) == []
    [finding] = nat_findings(_unique_vnet_with_sites(("B1", ["10.0.1.0/24"]), ("B2", ["10.0.1.0/24", "10.0.9.0/24"])))
    assert "rule in is linked to sites B1, B2" in finding


# Every error NAT raises: its class, the value it names, the rule it names (wording from azure-facts.md §5.1 where the
# rule is a documented fact), where the rule is written, and a message that says what to fix.
NAT_OVERVIEW = "https://learn.microsoft.com/azure/vpn-gateway/nat-overview"
NAT_HOWTO = "https://learn.microsoft.com/azure/vpn-gateway/nat-howto"
VPN_FAQ = "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq"


class Has(str):
    """A rule that quotes a documented fact: the error's rule must contain this wording from azure-facts.md §5.1."""
R = dict(mode="EgressSnat", internal="10.0.1.0/24", external="192.168.1.0/24")


def _linked_dynamic():
    net = bare()
    net.add_nat_rule("VNet", "dyn", type="Dynamic", mode="IngressSnat", internal="10.0.1.0/24",
                     external="192.168.9.0/26")
    net.add_nat_rule("VNet", "e", **R)
    net.connect("VNet", "Branch1", kind="IPsec", ingress_nat_rules=["dyn"], egress_nat_rules=["e"])
    return net


NAT_ERRORS = [
    ("slash-name", lambda: make_rule("a/b", **R), NatRuleError, "no '/' in NAT rule names", "a/b", VPN_FAQ,
     ["'a/b'", "contains '/'"]),
    ("empty-name", lambda: make_rule(" ", **R), VnetlabError, "names are non-empty text", " ", None,
     ["NAT rule name ' '"]),
    ("type", lambda: make_rule("r", type="Stat", **R), NatRuleError, "NAT rule types", "Stat", NAT_OVERVIEW,
     ["NAT rule type 'Stat'", "Static or Dynamic"]),
    ("mode", lambda: make_rule("r", mode="Snat", internal="10.0.1.0/24", external="192.168.1.0/24"), NatRuleError,
     "NAT rule modes", "Snat", NAT_OVERVIEW, ["NAT rule mode 'Snat'", "IngressSnat or EgressSnat"]),
    ("two-prefixes", lambda: make_rule("r", mode="IngressSnat", internal="10.0.1.0/24",
                                       external=["192.168.1.0/24", "192.168.2.0/24"]), NatRuleError,
     Has("One address prefix per rule"), ["192.168.1.0/24", "192.168.2.0/24"], VPN_FAQ,
     ["external mapping of rule r: ['192.168.1.0/24', '192.168.2.0/24']", "a space with two prefixes needs two rules."]),
    ("two-internal", lambda: make_rule("r", mode="IngressSnat", internal=("10.0.1.0/24", "10.0.2.0/24"),
                                       external="192.168.1.0/24"), NatRuleError,
     Has("One address prefix per rule"), ["10.0.1.0/24", "10.0.2.0/24"], VPN_FAQ, ["internal mapping of rule r: "]),
    ("sizes", lambda: make_rule("r", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.1.0/25"),
     NatRuleError, Has("prefix lengths must match"), "10.0.1.0/24 → 192.168.1.0/25", VPN_FAQ, ["in rule r"]),
    ("dynamic-pool", lambda: make_rule("r", type="Dynamic", mode="IngressSnat", internal="10.0.1.0/24",
                                       external="192.168.1.0/25"), NatRuleError,
     "dynamic external mapping at most /26", "192.168.1.0/25", NAT_HOWTO, ["Dynamic NAT rule r", "larger than /26"]),
    ("port-range", lambda: make_rule("r", internal_port="80-90", external_port=80, **R), NatRuleError,
     Has("single ports, no ranges"), "80-90", NAT_HOWTO, ["internal port '80-90'"]),
    ("port-bounds", lambda: make_rule("r", internal_port=80, external_port=70000, **R), NatRuleError,
     "ports are 1..65535", 70000, None, ["external port 70000"]),
    ("dynamic-ports", lambda: make_rule("r", type="Dynamic", mode="IngressSnat", internal="10.0.1.0/24",
                                        external="192.168.1.0/26", internal_port=80, external_port=8080),
     NatRuleError, Has("Static rules only"), (80, 8080), NAT_HOWTO, ["Rule r: port mappings are for Static rules only"]),
    ("one-port", lambda: make_rule("r", internal_port=80, **R), NatRuleError, "a port mapping has two ends",
     (80, None), None, ["Rule r: give both"]),
    ("instance", lambda: make_rule("r", ip_configuration_id="second", **R), NatRuleError, "gateway instance names",
     "second", VPN_FAQ, ["Rule r: ip_configuration_id 'second'", "default or activeActive"]),
    ("sku", lambda: bare("VpnGw1AZ").add_nat_rule("VNet", "r", **R), NatSupportError, "NAT on VpnGw2+ only",
     "VpnGw1AZ", NAT_OVERVIEW, ["VNet-vpngw is VpnGw1AZ", "VpnGw2–5 or VpnGw2AZ–5AZ"]),
    ("duplicate", lambda: _twice(), NatRuleError, "NAT rule names are unique per gateway", "e", None,
     ["already has a NAT rule named e"]),
    ("single-instance", lambda: bare().add_nat_rule("VNet", "r", ip_configuration_id="activeActive", **R),
     NatRuleError, "one instance unless active-active", "activeActive", VPN_FAQ, ["is not active-active"]),
    ("own-range", lambda: bare().add_nat_rule("VNet", "r", mode="IngressSnat", internal="172.16.0.0/24",
                                              external="10.0.1.0/24"), NatOverlapError,
     Has("must not overlap each other nor any network connected without NAT"), "10.0.1.0/24", NAT_OVERVIEW,
     ["external mapping 10.0.1.0/24 overlaps VNet's own range 10.0.1.0/24"]),
    ("other-rule", lambda: _twice("e2"), NatOverlapError,
     Has("must not overlap each other nor any network connected without NAT"), "192.168.1.0/24", NAT_OVERVIEW,
     ["Rule e2: external mapping 192.168.1.0/24 overlaps rule e's external mapping 192.168.1.0/24"]),
    ("unknown-rule", lambda: bare().connect("VNet", "Branch1", kind="IPsec", ingress_nat_rules="nope"), NatRuleError,
     Has("Create and save the NAT rules on the gateway first"), "nope", NAT_HOWTO, ["has no NAT rule 'nope' (rules: none)"]),
    ("wrong-list", lambda: _wrong_list(), NatRuleError, "rule mode matches the link", "e", NAT_OVERVIEW,
     ["Rule e is EgressSnat but was listed as IngressSnat"]),
    ("vnet-to-vnet", lambda: _vnet_to_vnet(), NatSupportError, Has("not VNet-to-VNet, not Point-to-Site"), "Vnet2Vnet",
     NAT_OVERVIEW, ["is Vnet2Vnet: NAT rules work on IPsec (Site-to-Site) connections only, "
                    "not VNet-to-VNet or Point-to-Site."]),
    ("selectors", lambda: _selectors(), NatSupportError, Has("UsePolicyBasedTrafficSelectors"), "VNet-to-Branch1",
     NAT_HOWTO, ["Connection VNet-to-Branch1 uses policy-based traffic selectors"]),
    ("dynamic-twice", lambda: _linked_dynamic().connect("VNet", "Branch2", kind="IPsec", ingress_nat_rules=["dyn"],
                                                        egress_nat_rules=["e"]),
     NatRuleError, Has("one connection only"), "dyn", NAT_OVERVIEW,
     ["Dynamic rule dyn is already linked to connection VNet-to-Branch1; a dynamic rule serves one connection."]),
]


def _twice(second: str = "e"):
    net = bare()
    net.add_nat_rule("VNet", "e", **R)
    net.add_nat_rule("VNet", second, **{**R, "mode": "IngressSnat"})


def _wrong_list():
    net = bare()
    net.add_nat_rule("VNet", "e", **R)
    net.connect("VNet", "Branch1", kind="IPsec", ingress_nat_rules=["e"])


def _vnet_to_vnet():
    net = bare()
    other = net.add_vnet("Other", ["10.9.0.0/16"], region="westeurope")
    other.add_subnet("GatewaySubnet", "10.9.255.0/27")
    net.add_vpn_gateway("Other", sku="VpnGw2AZ")
    net.add_nat_rule("VNet", "e", **R)
    net.connect("VNet", "Other", kind="Vnet2Vnet", egress_nat_rules=["e"])


def _selectors():
    net = bare()
    net.add_nat_rule("VNet", "e", **R)
    net.add_nat_rule("VNet", "b", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.2.0/24")
    net.connect("VNet", "Branch1", kind="IPsec", ingress_nat_rules=["b"], egress_nat_rules=["e"],
                use_policy_based_traffic_selectors=True)


@pytest.mark.parametrize("action, cls, rule, value, source, says", [c[1:] for c in NAT_ERRORS],
                         ids=[c[0] for c in NAT_ERRORS])
def test_each_nat_error_names_its_value_rule_and_source(action, cls, rule, value, source, says):
    with pytest.raises(cls) as err:
        action()
    e = err.value
    assert (rule in e.rule) if isinstance(rule, Has) else (e.rule == rule), (e.rule, rule)
    assert e.value == value
    if source:
        assert e.source.startswith(source) and "(20" in e.source       # a dated learn.microsoft.com page
    for text in says:
        assert text in str(e), (text, str(e))


def test_a_policy_based_gateway_is_refused_even_if_its_sku_took_nat():
    """§5.1: NAT is route-based only. (Azure's policy-based gateways are Basic, which the SKU check refuses first;
    this checks the VPN-type rule on its own.)"""
    from types import SimpleNamespace
    from vnetlab.nat import check_rule_on_gateway
    gw = SimpleNamespace(name="gw", sku=SimpleNamespace(nat=True, name="VpnGw2AZ"), vpn_type="PolicyBased",
                         nat_rules={}, active_active=False, vnet=SimpleNamespace(name="v", address_space=[]))
    with pytest.raises(NatSupportError, match="gw is policy-based") as err:
        check_rule_on_gateway(gw, make_rule("r", **R))
    assert err.value.value == "PolicyBased" and "policy-based gateways" in err.value.rule
    assert err.value.source.startswith("https://learn.microsoft.com/azure/vpn-gateway/nat-howto")
    gw.vpn_type = "RouteBased"
    check_rule_on_gateway(gw, make_rule("r", **R))


def test_each_translation_names_the_field_the_rule_and_its_mode(example):
    """§5.1: one SNAT rule rewrites the source one way and the destination on the way back (§5.4's addresses)."""
    from vnetlab.nat import inbound, outbound
    from vnetlab.packet import Packet
    conn = example.connection("VNet", "VNet-Branch1")
    pkt, done = inbound(conn, Packet(IPAddress("10.0.1.10"), IPAddress("192.168.1.20")))
    assert (str(pkt.src), str(pkt.dst)) == ("192.168.2.10", "10.0.1.20")
    assert [str(t) for t in done] == ["source 10.0.1.10 → 192.168.2.10 (IngressSnat rule Branch1)",
                                      "destination 192.168.1.20 → 10.0.1.20 (EgressSnat rule VNet)"]
    pkt, done = outbound(conn, Packet(IPAddress("10.0.1.20"), IPAddress("192.168.2.10")))
    assert (str(pkt.src), str(pkt.dst)) == ("192.168.1.20", "10.0.1.10")
    assert [(t.rule, t.mode, t.field, t.before, t.after) for t in done] == [
        ("VNet", "EgressSnat", "source", "10.0.1.20", "192.168.1.20"),
        ("Branch1", "IngressSnat", "destination", "192.168.2.10", "10.0.1.10")]


def test_a_flow_into_a_dynamic_pool_is_refused_with_the_reason():
    """§5.1: dynamic NAT is one-way; for two-way initiation use Static."""
    from vnetlab.nat import NatDrop, inbound
    from vnetlab.packet import Packet
    net = bare()
    net.add_nat_rule("VNet", "out", type="Dynamic", mode="EgressSnat", internal="10.0.1.0/24", external="192.168.9.0/26")
    net.add_nat_rule("VNet", "b1", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.2.0/24")
    [conn] = net.connect("VNet", "Branch1", kind="IPsec", ingress_nat_rules=["b1"], egress_nat_rules=["out"])
    with pytest.raises(NatDrop) as drop:
        inbound(conn, Packet(IPAddress("10.0.1.10"), IPAddress("192.168.9.20")))
    assert str(drop.value) == ("192.168.9.20 is in the external pool of dynamic rule out: dynamic NAT is one-way, so a "
                               "flow must start from the rule's internal side (10.0.1.0/24); use a Static rule for "
                               "two-way initiation.")


def test_a_one_item_list_is_one_prefix():
    rule = make_rule("r", mode="IngressSnat", internal=["10.0.1.0/24"], external=("192.168.1.0/24",))
    assert (str(rule.internal), str(rule.external)) == ("10.0.1.0/24", "192.168.1.0/24")


def test_the_nat_table_lists_each_rule_with_its_links(example):
    example.add_nat_rule("VNet", "spare", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.7.0/24",
                         internal_port=22, external_port=2222)
    table = example.nat_rules("VNet")
    assert table.gateway == "VNet-vpngw"
    assert list(table.rows) == [
        ("VNet", "Static", "EgressSnat", "10.0.1.0/24", "192.168.1.0/24", "", "default", "VNet-Branch1, VNet-Branch2"),
        ("Branch1", "Static", "IngressSnat", "10.0.1.0/24", "192.168.2.0/24", "", "default", "VNet-Branch1"),
        ("Branch2", "Static", "IngressSnat", "10.0.1.0/24", "192.168.3.0/24", "", "default", "VNet-Branch2"),
        ("spare", "Static", "IngressSnat", "10.0.1.0/24", "192.168.7.0/24", "22 → 2222", "default", "(not linked)")]
    text = str(table)
    assert text.splitlines()[0].split() == ["Rule", "Type", "Mode", "Internal", "External", "Ports", "Instance",
                                            "Connections"]
    # both links listed (a printed table may wrap a long cell onto a continuation line, within its column)
    assert "VNet-Branch1," in text and "VNet-Branch2" in text and "(not linked)" in text
    html = table._repr_html_()
    assert "NAT rules of VNet-vpngw" in html and ">Connections</th>" in html and "22 → 2222" in html


def test_a_rule_describes_itself():
    assert make_rule("plain", **R).describe() == "plain: Static EgressSnat 10.0.1.0/24 → 192.168.1.0/24"
    ported = make_rule("web", internal_port=80, external_port=8080, **R)
    assert ported.describe() == "web: Static EgressSnat 10.0.1.0/24 → 192.168.1.0/24 port 80 → 8080"


def test_a_rule_name_that_is_not_text_is_not_found():
    net = bare()
    net.add_nat_rule("VNet", "e", **R)
    net.add_nat_rule("VNet", "f", mode="IngressSnat", internal="10.0.1.0/24", external="192.168.2.0/24")
    with pytest.raises(NatRuleError, match=r"has no NAT rule \['e'\] \(rules: e, f\)") as err:
        net.connect("VNet", "Branch1", kind="IPsec", egress_nat_rules=[["e"]])
    assert err.value.value == ["e"]


def test_sites_with_their_own_ingress_rules_get_no_finding():
    """§5.1: each site with its own IngressSnat rule is the documented set-up (§5.4), whatever the sites' prefixes."""
    net = vl.Network("own")
    v = net.add_vnet("VNet", ["10.50.0.0/16"], region="westeurope")
    v.add_subnet("GatewaySubnet", "10.50.255.0/27")
    net.add_vpn_gateway("VNet", sku="VpnGw2AZ")
    for i, (site, prefixes) in enumerate((("B1", ["10.0.1.0/24"]), ("B2", ["10.0.1.0/24", "10.0.9.0/24"])), start=2):
        net.add_local_network_gateway(site, f"198.51.100.{i}", prefixes)
        net.add_nat_rule("VNet", site, mode="IngressSnat", internal="10.0.1.0/24", external=f"192.168.{i}.0/24")
        net.connect("VNet", site, kind="IPsec", ingress_nat_rules=[site])
    assert nat_findings(net) == []


def test_the_shared_rule_finding_says_what_to_do():
    [finding] = nat_findings(_unique_vnet_with_sites(("B1", ["10.0.1.0/24"]), ("B2", ["10.0.1.0/24", "10.0.9.0/24"])))
    assert finding == ("IngressSnat rule in is linked to sites B1, B2: one rule may serve several connections only if "
                       "they reach the same on-premises network; give each site its own rule, or the gateway cannot "
                       "tell their hosts apart.")
