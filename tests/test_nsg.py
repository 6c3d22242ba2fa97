"""Network security groups: rules, default rules, evaluation order, service tags (azure-facts.md §8, S9).

Expected values are typed from the fact sheet, never read from vnetlab's data.
"""
import pytest
from hypothesis import given, settings, strategies as st
from netaddr import IPAddress, IPNetwork

import vnetlab as vl
from vnetlab import nsg
from vnetlab.errors import VnetlabError
from vnetlab.packet import Packet


def s9():
    """S1/S9 network: hub with VpnGw2AZ and an IPsec connection to branch; spoke peered with gateway transit."""
    net = vl.Network()
    hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    hub.add_subnet("GatewaySubnet", "10.0.255.0/27")
    hub.add_subnet("shared", "10.0.1.0/24").add_nic("vm-hub", "10.0.1.4")
    net.add_vnet("spoke", ["10.1.0.0/16"], region="westeurope").add_subnet("app", "10.1.1.0/24").add_nic(
        "vm-spoke", "10.1.1.4")
    net.add_vpn_gateway("hub", sku="VpnGw2AZ")
    net.add_local_network_gateway("branch", gateway_ip="203.0.113.10", prefixes=["192.168.1.0/24"])
    net.connect("hub", "branch", kind="IPsec")
    net.peer("hub", "spoke", allow_gateway_transit="hub", use_remote_gateways="spoke")
    net.add_network_security_group("app-nsg")
    net.associate_network_security_group("spoke", "app", nsg="app-nsg")
    return net


# --- default rules (§8.2) ----------------------------------------------------------------------------
def test_the_six_default_rules_as_the_nsg_overview_lists_them():
    rows = {(r.direction, r.name, r.priority, str(r.sources[0]), str(r.destinations[0]), r.access)
            for r in nsg.default_rules()}
    assert rows == {
        ("Inbound", "AllowVNetInBound", 65000, "VirtualNetwork", "VirtualNetwork", "Allow"),
        ("Inbound", "AllowAzureLoadBalancerInBound", 65001, "AzureLoadBalancer", "0.0.0.0/0", "Allow"),
        ("Inbound", "DenyAllInbound", 65500, "0.0.0.0/0", "0.0.0.0/0", "Deny"),
        ("Outbound", "AllowVnetOutBound", 65000, "VirtualNetwork", "VirtualNetwork", "Allow"),
        ("Outbound", "AllowInternetOutBound", 65001, "0.0.0.0/0", "Internet", "Allow"),
        ("Outbound", "DenyAllOutBound", 65500, "0.0.0.0/0", "0.0.0.0/0", "Deny"),
    }
    assert all(r.protocol == "*" and str(r.destination_ports[0]) == "*" for r in nsg.default_rules())


def test_default_rules_cannot_be_deleted_and_custom_rules_come_first():
    net = s9()
    with pytest.raises(nsg.NsgRuleError, match="DenyAllInbound.*can't be deleted"):
        net.remove_security_rule("app-nsg", "DenyAllInbound")
    net.add_security_rule("app-nsg", "b", 300, "Inbound", "Allow")
    net.add_security_rule("app-nsg", "a", 200, "inbound", "deny")  # case-insensitive in, Azure spelling out
    order = [(r.name, r.priority) for r in net.network_security_group("app-nsg").rules("Inbound")]
    assert order == [("a", 200), ("b", 300), ("AllowVNetInBound", 65000), ("AllowAzureLoadBalancerInBound", 65001),
                     ("DenyAllInbound", 65500)]
    net.remove_security_rule("app-nsg", "a")
    assert [r.name for r in net.network_security_group("app-nsg").rules("Inbound")][0] == "b"


# --- rule fields (§8.1) ------------------------------------------------------------------------------
@pytest.mark.parametrize("priority", [99, 4097, 65000, "200", True, 100.0])
def test_custom_priority_is_100_to_4096(priority):
    with pytest.raises(nsg.NsgRuleError, match="priority"):
        nsg.make_rule("r", priority, "Inbound", "Allow")


@pytest.mark.parametrize("priority", [100, 4096])
def test_priority_bounds_are_accepted(priority):
    assert nsg.make_rule("r", priority, "Inbound", "Allow").priority == priority


def test_two_rules_cannot_share_a_priority_and_direction_or_a_name():
    net = s9()
    net.add_security_rule("app-nsg", "ssh", 200, "Inbound", "Deny", "Tcp", destination_ports="22")
    with pytest.raises(nsg.NsgRuleError, match="priority 200 .*already used by ssh"):
        net.add_security_rule("app-nsg", "other", 200, "Inbound", "Allow")
    net.add_security_rule("app-nsg", "out", 200, "Outbound", "Allow")  # other direction: fine
    with pytest.raises(nsg.NsgRuleError, match="already has a rule named ssh"):
        net.add_security_rule("app-nsg", "ssh", 300, "Inbound", "Allow")


def test_an_nsg_holds_at_most_1000_rules():
    group = nsg.NetworkSecurityGroup("big")
    for i in range(1000):
        group.add_rule(nsg.make_rule(f"r{i}", 100 + i % 3997, "Inbound" if i < 3997 else "Outbound", "Allow"))
    with pytest.raises(nsg.NsgRuleError, match="1000"):
        group.add_rule(nsg.make_rule("one-too-many", 4096, "Outbound", "Allow"))


@pytest.mark.parametrize("protocol, out", [("tcp", "Tcp"), ("UDP", "Udp"), ("Icmp", "Icmp"), ("esp", "Esp"),
                                           ("Ah", "Ah"), ("*", "*"), ("Any", "*")])
def test_protocols(protocol, out):
    assert nsg.make_rule("r", 100, "Inbound", "Allow", protocol).protocol == out


def test_unknown_protocol_names_the_value_and_the_choices():
    with pytest.raises(nsg.NsgRuleError, match=r"Rule r: protocol 'Gre'.*Tcp, Udp, Icmp, Esp, Ah"):
        nsg.make_rule("r", 100, "Inbound", "Allow", "Gre")


def test_ports():
    assert [str(p) for p in nsg.parse_ports(["443", "1000-2000", 80])] == ["443", "1000-2000", "80"]
    assert [(p.low, p.high) for p in nsg.parse_ports("*")] == [(0, 65535)]
    assert [(p.low, p.high) for p in nsg.parse_ports("0-65535")] == [(0, 65535)]
    for bad in ("65536", "2000-1000", "-1", "a", "", [], "1-2-3"):
        with pytest.raises(nsg.NsgRuleError):
            nsg.parse_ports(bad)


def test_addresses_and_service_tags():
    parsed = nsg.parse_addresses(["virtualnetwork", "INTERNET", "AzureLoadBalancer", "any", "10.0.0.0/16", "10.0.1.4"])
    assert [str(a) for a in parsed] == ["VirtualNetwork", "Internet", "AzureLoadBalancer", "*", "10.0.0.0/16",
                                        "10.0.1.4"]
    assert parsed[-1].prefix == IPNetwork("10.0.1.4/32")
    with pytest.raises(nsg.NsgRuleError, match=r"'Storage'.*VirtualNetwork, AzureLoadBalancer, Internet|"
                                               r"'Storage'.*VirtualNetwork"):
        nsg.parse_addresses("Storage")
    with pytest.raises(nsg.NsgRuleError, match="host bits"):
        nsg.parse_addresses("10.0.0.5/24")


def parsed_or_nsg_error(parse, value):
    """Any input gives a parsed value or an NSG VnetlabError, never another exception."""
    try:
        return parse(value)
    except nsg.NsgError:
        return None


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=20), st.text(alphabet="0123456789-*, ", max_size=15),
                 st.lists(st.text(alphabet="0123456789-*", max_size=8), max_size=3), st.integers(), st.none()))
def test_port_parser_never_raises_anything_but_an_nsg_error(value):
    ranges = parsed_or_nsg_error(nsg.parse_ports, value)
    assert ranges is None or (ranges and all(0 <= p.low <= p.high <= 65535 for p in ranges))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=25), st.text(alphabet="0123456789./:*abc", max_size=20),
                 st.lists(st.text(alphabet="0123456789./", max_size=18), max_size=3), st.integers(), st.none()))
def test_address_parser_never_raises_anything_but_an_nsg_error(value):
    matches = parsed_or_nsg_error(nsg.parse_addresses, value)
    assert matches is None or (matches and all(m.text == "*" or m.tag or m.prefix is not None for m in matches))


# --- associations ------------------------------------------------------------------------------------
def test_gateway_subnet_refuses_an_nsg():
    net = s9()
    with pytest.raises(nsg.NsgError, match="GatewaySubnet.*not supported"):
        net.associate_network_security_group("hub", "GatewaySubnet", nsg="app-nsg")
    assert net.subnet("hub", "GatewaySubnet").network_security_group is None


def test_association_needs_exactly_one_target_and_none_removes_it():
    net = s9()
    with pytest.raises(nsg.NsgError, match="either a subnet"):
        net.associate_network_security_group("spoke", "app", nic="vm-spoke", nsg="app-nsg")
    net.associate_network_security_group("spoke", "app", nsg=None)
    assert net.subnet("spoke", "app").network_security_group is None
    with pytest.raises(VnetlabError, match="No NSG named 'nope'"):
        net.associate_network_security_group(nic="vm-spoke", nsg="nope")


# --- S9 (§8.2–§8.4) -------------------------------------------------------------------------------------
def test_s9a_on_premises_traffic_is_allowed_by_allow_vnet_inbound():
    v = s9().flow_verify("vm-spoke", "Inbound", "Tcp", local_port=443, remote_ip="192.168.1.10", remote_port=50000)
    assert v.allowed and (v.rule, v.nsg, v.level) == ("AllowVNetInBound", "app-nsg", "subnet")
    assert v.deciding.priority == 65000


def test_s9b_internet_traffic_is_denied_by_deny_all_inbound():
    v = s9().flow_verify("vm-spoke", "Inbound", "Tcp", local_port=443, remote_ip="203.0.113.5", remote_port=50000)
    assert not v.allowed and (v.rule, v.deciding.priority) == ("DenyAllInbound", 65500)
    assert v.reason == "Denied by DenyAllInbound (65500) of NSG app-nsg on subnet spoke/app"


def s9c():
    net = s9()
    net.add_security_rule("app-nsg", "deny-ssh-vnet", 200, "Inbound", "Deny", "Tcp", source="VirtualNetwork",
                          destination_ports="22")
    net.add_network_security_group("nic-nsg")
    net.add_security_rule("nic-nsg", "allow-ssh", 100, "Inbound", "Allow", "Tcp", destination_ports="22")
    net.associate_network_security_group(nic="vm-spoke", nsg="nic-nsg")
    return net


def test_s9c_subnet_nsg_is_checked_first_inbound():
    v = s9c().flow_verify("vm-spoke", "Inbound", "Tcp", local_port=22, remote_ip="10.0.1.4", remote_port=50000)
    assert not v.allowed and (v.rule, v.nsg, v.level) == ("deny-ssh-vnet", "app-nsg", "subnet")
    assert [s.level for s in v.steps] == ["subnet"]  # the deny at the first level stops evaluation


def test_s9d_outbound_is_nic_then_subnet_and_defaults_allow():
    v = s9c().flow_verify("vm-spoke", "Outbound", "Tcp", local_port=50000, remote_ip="10.0.1.4", remote_port=22)
    assert v.allowed
    assert [(s.level, s.nsg, s.rule) for s in v.steps] == [("NIC", "nic-nsg", "AllowVnetOutBound"),
                                                            ("subnet", "app-nsg", "AllowVnetOutBound")]


def test_no_nsg_at_a_level_allows_at_that_level():
    net = s9()
    v = net.flow_verify("vm-hub", "Inbound", "Udp", local_port=53, remote_ip="203.0.113.5", remote_port=1000)
    assert v.allowed and v.rule == "" and [s.nsg for s in v.steps] == ["", ""]
    assert "no NSG on subnet hub/shared" in v.reason


def test_outbound_internet_is_allowed_by_default_and_a_custom_rule_overrides():
    net = s9()
    v = net.flow_verify("vm-spoke", "Outbound", "Tcp", remote_ip="8.8.8.8", remote_port=443)
    assert v.allowed and v.rule == "AllowInternetOutBound"
    net.add_security_rule("app-nsg", "no-web", 4096, "Outbound", "Deny", "Tcp", destination="Internet",
                          destination_ports=["80", "443"])
    v = net.flow_verify("vm-spoke", "Outbound", "Tcp", remote_ip="8.8.8.8", remote_port=443)
    assert not v.allowed and v.rule == "no-web"
    assert net.flow_verify("vm-spoke", "Outbound", "Tcp", remote_ip="8.8.8.8", remote_port=8443).allowed


def test_lower_level_checks_take_a_packet():
    net = s9c()
    vnet, subnet, nic = net.locate("vm-spoke")
    packet = Packet(IPAddress("10.0.1.4"), IPAddress("10.1.1.4"), "Tcp", 22, 40000)
    assert not nsg.inbound_check(net, vnet, subnet, nic, packet).allowed
    assert nsg.outbound_check(net, vnet, subnet, nic, packet.reply()).allowed


# --- service tags (§8.4) --------------------------------------------------------------------------------
def test_virtual_network_covers_own_space_peers_on_premises_and_the_host_ip():
    tag = nsg.virtual_network_prefixes(s9(), "spoke", "app")
    for address in ("10.1.0.1", "10.0.1.4", "192.168.1.10", "168.63.129.16"):
        assert IPAddress(address) in tag
    assert IPAddress("203.0.113.5") not in tag and IPAddress("10.2.0.1") not in tag


def test_virtual_network_excludes_a_peer_with_virtual_network_access_off():
    net = s9()
    net.set_peering("hub", "spoke", allow_virtual_network_access=False)
    tag = nsg.virtual_network_prefixes(net, "spoke", "app")
    assert IPAddress("10.0.1.4") not in tag
    v = net.flow_verify("vm-spoke", "Inbound", "Tcp", local_port=22, remote_ip="10.0.1.4", remote_port=50000)
    assert not v.allowed and v.rule == "DenyAllInbound"


def test_a_udr_0_0_0_0_widens_virtual_network_to_everything():
    net = s9()
    net.add_route_table("rt")
    net.add_route("rt", "default", "0.0.0.0/0", "VirtualAppliance", "10.0.1.4")
    net.associate_route_table("spoke", "app", "rt")
    assert nsg.virtual_network_prefixes(net, "spoke", "app").size == 2 ** 32
    v = net.flow_verify("vm-spoke", "Inbound", "Tcp", local_port=443, remote_ip="203.0.113.5", remote_port=50000)
    assert v.allowed and v.rule == "AllowVNetInBound"


def test_internet_and_azure_load_balancer_tags():
    net = s9()
    internet = nsg.internet_prefixes(net, "spoke")
    assert IPAddress("8.8.8.8") in internet
    for private in ("10.1.1.4", "172.16.0.1", "192.168.1.1", "100.64.0.1", "127.0.0.1", "169.254.1.1", "224.0.0.5"):
        assert IPAddress(private) not in internet
    assert list(nsg.azure_load_balancer_prefixes().iter_cidrs()) == [IPNetwork("168.63.129.16/32")]
    v = net.flow_verify("vm-spoke", "Inbound", "Tcp", local_port=80, remote_ip="168.63.129.16", remote_port=1000)
    assert v.allowed and v.rule in ("AllowVNetInBound", "AllowAzureLoadBalancerInBound")


# --- scenario format and display -------------------------------------------------------------------------
def test_round_trip_through_to_dict_and_from_dict():
    net = s9c()
    net.add_security_rule("app-nsg", "multi", 300, "Outbound", "Allow", "Udp", source=["10.1.1.0/24", "10.1.2.4"],
                          source_ports="1000-2000", destination="AzureLoadBalancer", destination_ports=["53", "67-68"])
    data = net.to_dict()
    groups = {g["name"]: g for g in data["network_security_groups"]}
    assert groups["app-nsg"]["associations"] == [{"vnet": "spoke", "subnet": "app"}]
    assert groups["nic-nsg"]["associations"] == [{"nic": "vm-spoke"}]
    again = vl.Network.from_dict(data)
    assert again.to_dict() == data
    assert again.subnet("spoke", "app").network_security_group is again.network_security_group("app-nsg")
    v = again.flow_verify("vm-spoke", "Inbound", "Tcp", local_port=22, remote_ip="10.0.1.4", remote_port=50000)
    assert not v.allowed and v.rule == "deny-ssh-vnet"
    assert vl.Network.from_yaml(net.to_yaml()).to_dict() == data


def test_a_network_without_nsgs_writes_no_nsg_key():
    net = vl.Network()
    net.add_vnet("a", ["10.0.0.0/16"], region="eastus")
    assert "network_security_groups" not in net.to_dict()


def test_scenario_errors_name_the_place():
    doc = s9().to_dict()
    doc["network_security_groups"][0]["rules"] = [{"name": "x", "priority": 50, "direction": "Inbound",
                                                   "access": "Allow"}]
    with pytest.raises(nsg.NsgRuleError, match=r"network_security_groups\[0\]\.rules\[0\].*priority 50"):
        vl.Network.from_dict(doc)


def test_nsgs_and_verdicts_display_themselves():
    net = s9c()
    group = net.network_security_group("app-nsg")
    assert "deny-ssh-vnet" in group._repr_html_() and "DenyAllOutBound" in str(group)
    v = net.flow_verify("vm-spoke", "Inbound", "Tcp", local_port=22, remote_ip="10.0.1.4", remote_port=50000)
    assert "deny-ssh-vnet" in v._repr_html_() and str(v).startswith("Inbound Tcp 10.0.1.4:50000 → 10.1.1.4:22")


def test_flow_verify_input_errors_are_vnetlab_errors():
    net = s9()
    with pytest.raises(nsg.NsgError, match="remote address"):
        net.flow_verify("vm-spoke", "Inbound", "Tcp", local_port=22)
    with pytest.raises(nsg.NsgError, match="port"):
        net.flow_verify("vm-spoke", "Inbound", "Tcp", local_port=70000, remote_ip="10.0.1.4")
    with pytest.raises(nsg.NsgRuleError, match="direction"):
        net.flow_verify("vm-spoke", "Sideways", "Tcp", remote_ip="10.0.1.4")
    with pytest.raises(nsg.NsgError, match="in no subnet"):
        net.flow_verify("10.9.9.9", "Inbound", "Tcp", remote_ip="10.0.1.4")


# --- Gaps found by mutation testing (issue 20); expected values from azure-facts.md §8 -------------------------
def plain() -> vl.Network:
    """One VNet, subnet app with NSG app-nsg, a VM vm-app (10.1.1.4) without a NIC NSG; no peering, no gateway."""
    net = vl.Network("plain")
    net.add_vnet("spoke", ["10.1.0.0/16"], region="westeurope").add_subnet("app", "10.1.1.0/24").add_nic(
        "vm-app", "10.1.1.4")
    net.add_network_security_group("app-nsg")
    net.associate_network_security_group("spoke", "app", nsg="app-nsg")
    return net


def test_an_address_in_a_subnet_without_a_nic_meets_the_subnets_nsg():
    """§8.3: the subnet's NSG applies to every address in the subnet; checking an address with no NIC leaves out
    only the NIC level. DenyAllInbound (65500, §8.2) stops internet traffic at the subnet."""
    v = plain().flow_verify("10.1.1.50", "Inbound", "Tcp", local_port=443, remote_ip="203.0.113.5", remote_port=50000)
    assert not v.allowed and (v.rule, v.nsg, v.level) == ("DenyAllInbound", "app-nsg", "subnet")
    assert [s.level for s in v.steps] == ["subnet"]
    out = plain().flow_verify("10.1.1.50", "Outbound", "Tcp", local_port=50000, remote_ip="8.8.8.8", remote_port=443)
    assert out.allowed and [(s.level, s.rule) for s in out.steps] == [("subnet", "AllowInternetOutBound")]


def test_both_levels_and_their_order_for_a_nic_without_an_nsg():
    """§8.3: inbound subnet then NIC; outbound NIC then subnet; no NSG at a level allows there."""
    net = plain()
    inbound = net.flow_verify("vm-app", "Inbound", "Tcp", local_port=22, remote_ip="10.1.2.9", remote_port=50000)
    assert inbound.allowed and [(s.level, s.nsg) for s in inbound.steps] == [("subnet", "app-nsg"), ("NIC", "")]
    assert (inbound.rule, inbound.nsg, inbound.level) == ("AllowVNetInBound", "app-nsg", "subnet")
    outbound = net.flow_verify("vm-app", "Outbound", "Tcp", local_port=50000, remote_ip="10.1.2.9", remote_port=22)
    assert [(s.level, s.nsg) for s in outbound.steps] == [("NIC", ""), ("subnet", "app-nsg")]
    assert outbound.reason == ("Allowed: no NSG on NIC vm-app; then AllowVnetOutBound (65000) of NSG app-nsg on "
                               "subnet spoke/app")


def test_a_deny_at_the_second_level_decides():
    net = plain()
    net.add_network_security_group("nic-nsg")
    net.add_security_rule("nic-nsg", "no-rdp", 100, "Inbound", "Deny", "Tcp", destination_ports="3389")
    net.associate_network_security_group(nic="vm-app", nsg="nic-nsg")
    v = net.flow_verify("vm-app", "Inbound", "Tcp", local_port=3389, remote_ip="10.1.2.9", remote_port=50000)
    assert not v.allowed and (v.rule, v.nsg, v.level) == ("no-rdp", "nic-nsg", "NIC")
    assert [(s.level, s.access) for s in v.steps] == [("subnet", "Allow"), ("NIC", "Deny")]
    assert v.deciding.priority == 100 and v.rows()[1][4] == "no-rdp"
    allowed = net.flow_verify("vm-app", "Inbound", "Tcp", local_port=22, remote_ip="10.1.2.9", remote_port=50000)
    assert allowed.allowed and (allowed.rule, allowed.nsg, allowed.level) == ("AllowVNetInBound", "nic-nsg", "NIC")


@pytest.mark.parametrize("remote_port, denied", [(1023, False), (1024, True), (1500, True), (2000, True), (2001, False)])
def test_source_port_ranges_match_the_packets_source_port(remote_port, denied):
    """§8.1: a rule matches the 5-tuple, source port included; a range low-high is inclusive."""
    net = plain()
    net.add_security_rule("app-nsg", "no-high-src", 100, "Inbound", "Deny", "Tcp", source="*",
                          source_ports="1024-2000", destination="*", destination_ports="443")
    v = net.flow_verify("vm-app", "Inbound", "Tcp", local_port=443, remote_ip="10.1.2.9", remote_port=remote_port)
    assert v.allowed is not denied
    assert v.rule == ("no-high-src" if denied else "AllowVNetInBound")


@pytest.mark.parametrize("local_port, denied", [(1023, False), (1024, True), (2000, True), (2001, False)])
def test_outbound_source_ports_are_the_local_ports(local_port, denied):
    net = plain()
    net.add_security_rule("app-nsg", "no-src", 100, "Outbound", "Deny", "Udp", source_ports=["1024-2000"])
    v = net.flow_verify("vm-app", "Outbound", "Udp", local_port=local_port, remote_ip="10.1.2.9", remote_port=53)
    assert v.allowed is not denied


def test_a_packet_without_ports_matches_only_any_ports():
    """ICMP has no ports: a rule with a port range does not match it; `*` does."""
    net = plain()
    net.add_security_rule("app-nsg", "port-rule", 100, "Inbound", "Deny", "*", destination_ports="0-65534")
    assert net.flow_verify("vm-app", "Inbound", "Icmp", remote_ip="10.1.2.9").allowed
    net.add_security_rule("app-nsg", "any-rule", 200, "Inbound", "Deny", "Icmp")
    assert net.flow_verify("vm-app", "Inbound", "Icmp", remote_ip="10.1.2.9").rule == "any-rule"


@pytest.mark.parametrize("text, low, high", [("0", 0, 0), ("65535", 65535, 65535), ("0-0", 0, 0),
                                             ("65535-65535", 65535, 65535), (" 10 - 20 ", 10, 20), ("7-7", 7, 7)])
def test_port_bounds_0_and_65535_are_ports(text, low, high):
    [p] = nsg.parse_ports(text)
    assert (p.low, p.high) == (low, high)
    assert p.matches(low) and p.matches(high) and not p.matches(high + 1) and not p.matches(low - 1)


def test_port_errors_name_the_rule():
    for bad in ("65536", "0-65536", "x-80", "80-", "٣"):
        with pytest.raises(nsg.NsgRuleError) as err:
            nsg.parse_ports(bad)
        assert err.value.rule == "ports are 0-65535", bad
    with pytest.raises(nsg.NsgRuleError) as err:
        nsg.parse_ports("2000-1000")
    assert err.value.rule == "a port range is low-high with low <= high" and "2000-1000" in str(err.value)
    with pytest.raises(nsg.NsgRuleError) as err:
        nsg.parse_ports([443.0])
    assert err.value.rule == "port ranges are text"


def test_port_lists_and_commas():
    assert [str(p) for p in nsg.parse_ports("80, 443,8000-8080")] == ["80", "443", "8000-8080"]
    assert [str(p) for p in nsg.parse_ports(["0-65535"])] == ["*"]


@pytest.mark.parametrize("port", [0, 65535])
def test_flow_verify_takes_ports_0_and_65535(port):
    v = plain().flow_verify("vm-app", "Inbound", "Tcp", local_port=port, remote_ip="10.1.2.9", remote_port=port)
    assert (v.packet.dst_port, v.packet.src_port) == (port, port)


@pytest.mark.parametrize("field", ["local_port", "remote_port"])
@pytest.mark.parametrize("port", [-1, 65536, True, "443"])
def test_flow_verify_refuses_a_port_outside_0_to_65535(field, port):
    with pytest.raises(nsg.NsgError, match=field) as err:
        plain().flow_verify("vm-app", "Inbound", "Tcp", remote_ip="10.1.2.9", **{field: port})
    assert err.value.rule == "ports are 0-65535"


def test_flow_verify_builds_the_packet_from_local_and_remote():
    """IP flow verify: inbound remote → local, outbound local → remote; local_ip defaults to the NIC's address."""
    net = plain()
    v = net.flow_verify("vm-app", "Inbound", "Udp", local_port=53, remote_ip="10.1.2.9", remote_port=40000)
    assert (str(v.packet.src), v.packet.src_port, str(v.packet.dst), v.packet.dst_port) == (
        "10.1.2.9", 40000, "10.1.1.4", 53)
    assert v.packet.protocol == "Udp" and v.direction == "Inbound"
    v = net.flow_verify("vm-app", "Outbound", "Udp", local_port=40000, remote_ip="10.1.2.9", remote_port=53)
    assert (str(v.packet.src), v.packet.src_port, str(v.packet.dst), v.packet.dst_port) == (
        "10.1.1.4", 40000, "10.1.2.9", 53)
    v = net.flow_verify("vm-app", "Inbound", "Tcp", local_ip="10.1.1.5", remote_ip="10.1.2.9")
    assert str(v.packet.dst) == "10.1.1.5"
    v = net.flow_verify("10.1.1.77", "Outbound", "Tcp", remote_ip="10.1.2.9")
    assert str(v.packet.src) == "10.1.1.77"


def test_flow_verify_checks_the_local_ip_a_rule_names():
    """A rule on the destination address decides by the local address flow verify was given."""
    net = plain()
    net.add_security_rule("app-nsg", "no-5", 100, "Inbound", "Deny", destination="10.1.1.5")
    assert not net.flow_verify("vm-app", "Inbound", "Tcp", local_ip="10.1.1.5", remote_ip="10.1.2.9").allowed
    assert net.flow_verify("vm-app", "Inbound", "Tcp", remote_ip="10.1.2.9").allowed      # the NIC's own 10.1.1.4
    with pytest.raises(VnetlabError) as err:
        net.flow_verify("vm-app", "Inbound", "Tcp", local_ip="10.1.1.x", remote_ip="10.1.2.9")
    assert "local address" in str(err.value)


def test_flow_verify_needs_one_protocol():
    with pytest.raises(nsg.NsgError, match="one packet") as err:
        plain().flow_verify("vm-app", "Inbound", "*", remote_ip="10.1.2.9")
    assert err.value.rule == "a packet has one protocol"


def test_protocol_must_match_unless_the_rule_says_any():
    """§8.1: protocol is part of the 5-tuple."""
    net = plain()
    net.add_security_rule("app-nsg", "no-udp", 100, "Inbound", "Deny", "Udp")
    assert net.flow_verify("vm-app", "Inbound", "Tcp", remote_ip="10.1.2.9", remote_port=1, local_port=1).allowed
    assert not net.flow_verify("vm-app", "Inbound", "udp", remote_ip="10.1.2.9", remote_port=1, local_port=1).allowed


def test_a_source_prefix_list_matches_any_of_its_prefixes():
    net = plain()
    net.add_security_rule("app-nsg", "two", 100, "Inbound", "Deny", source=["10.9.0.0/16", "10.1.2.9"])
    assert not net.flow_verify("vm-app", "Inbound", "Tcp", remote_ip="10.1.2.9").allowed
    assert not net.flow_verify("vm-app", "Inbound", "Tcp", remote_ip="10.9.200.1").allowed
    assert net.flow_verify("vm-app", "Inbound", "Tcp", remote_ip="10.1.2.10").allowed


def test_rule_to_dict_keeps_lists_and_single_values():
    rule = nsg.make_rule("r", 100, "Inbound", "Allow", "Tcp", source=["10.0.0.0/16", "VirtualNetwork"],
                         source_ports="1024-2000", destination="10.1.1.4", destination_ports=["80", "443"])
    assert rule.to_dict() == {"name": "r", "priority": 100, "direction": "Inbound", "access": "Allow",
                              "protocol": "Tcp", "source": ["10.0.0.0/16", "VirtualNetwork"],
                              "source_ports": "1024-2000", "destination": "10.1.1.4",
                              "destination_ports": ["80", "443"]}
    assert rule.row() == ("Inbound", 100, "r", "10.0.0.0/16, VirtualNetwork", "1024-2000", "10.1.1.4", "80, 443",
                          "Tcp", "Allow")


def test_removing_a_rule_that_does_not_exist_names_it():
    group = nsg.NetworkSecurityGroup("g")
    with pytest.raises(nsg.NsgRuleError, match="no rule 'ghost'") as err:
        group.remove_rule("ghost")
    assert err.value.rule == "the rule must exist"
    with pytest.raises(nsg.NsgRuleError, match="already has a rule named DenyAllInbound"):
        group.add_rule(nsg.make_rule("DenyAllInbound", 100, "Inbound", "Allow"))


def test_the_1000th_rule_fits():
    """§8.1: 1,000 rules per NSG."""
    group = nsg.NetworkSecurityGroup("big")
    for i in range(999):
        group.add_rule(nsg.make_rule(f"r{i}", 100 + i, "Inbound", "Allow"))
    group.add_rule(nsg.make_rule("r999", 100, "Outbound", "Allow"))
    assert len(group.custom) == 1000
    with pytest.raises(nsg.NsgRuleError) as err:
        group.add_rule(nsg.make_rule("r1000", 101, "Outbound", "Allow"))
    assert err.value.rule == "1000 rules per NSG"


NSG_DOC = "learn.microsoft.com/azure/virtual-network/network-security-groups-overview"


def _two_at_200():
    group = nsg.NetworkSecurityGroup("g")
    group.add_rule(nsg.make_rule("a", 200, "Inbound", "Allow"))
    group.add_rule(nsg.make_rule("b", 200, "Inbound", "Deny"))


@pytest.mark.parametrize("call, cls, rule, value, source, says", [
    (lambda: nsg.make_rule("r", 100, "Up", "Allow"), nsg.NsgRuleError, "direction is one of Inbound, Outbound", "Up",
     NSG_DOC, ["Rule r: direction 'Up'; use one of Inbound, Outbound."]),
    (lambda: nsg.make_rule("r", 100, "Inbound", "Permit"), nsg.NsgRuleError, "access is one of Allow, Deny",
     "Permit", NSG_DOC, ["Rule r: access 'Permit'; use one of Allow, Deny."]),
    (lambda: nsg.make_rule("r", 100, "Inbound", "Allow", "Gre"), nsg.NsgRuleError,
     "protocol is one of Tcp, Udp, Icmp, Esp, Ah, *", "Gre", NSG_DOC, ["Rule r: protocol 'Gre'"]),
    (lambda: nsg.make_rule("r", 99, "Inbound", "Allow"), nsg.NsgRuleError, "custom priority 100-4096", 99,
     NSG_DOC, ["Rule r: priority 99 is outside 100-4096"]),
    (lambda: nsg.make_rule("r", 100, "Inbound", "Allow", destination_ports=[]), nsg.NsgRuleError,
     "port range is text or a non-empty list", [], NSG_DOC, ["Rule r: port range []"]),
    (lambda: nsg.make_rule("r", 100, "Inbound", "Allow", source=None), nsg.NsgRuleError,
     "address is text or a non-empty list", None, NSG_DOC, ["Rule r: address None"]),
    (lambda: nsg.make_rule("r", 100, "Inbound", "Allow", source=[10]), nsg.NsgRuleError, "addresses are text", 10,
     NSG_DOC, ["Rule r: address 10 is a int"]),
    (lambda: nsg.make_rule("r", 100, "Inbound", "Allow", source="Storage"), nsg.NsgRuleError,
     "addresses are *, IP, CIDR or a service tag", "Storage", "service-tags-overview",
     ["Rule r: 'Storage' is neither an address, a prefix nor a service tag"]),
    (lambda: nsg.make_rule("r", 100, "Inbound", "Allow", destination="10.0.0.5/24"), nsg.NsgRuleError,
     "a prefix's host bits must be zero", "10.0.0.5/24", None, ["Rule r: '10.0.0.5/24' has host bits set"]),
    (lambda: nsg.make_rule("r", 100, "Inbound", "Allow", destination="10.0.0.256"), nsg.NsgRuleError,
     "each IPv4 octet is 0..255", "10.0.0.256", None, ["Rule r: '10.0.0.256'"]),
    (lambda: nsg.make_rule("r", 100, "Inbound", "Allow", source_ports="443-80"), nsg.NsgRuleError,
     "a port range is low-high with low <= high", "443-80", NSG_DOC, ["runs backwards; write 80-443"]),
    (_two_at_200, nsg.NsgRuleError, "two rules can't share a priority and direction", 200, NSG_DOC,
     ["Rule b: priority 200 (Inbound) is already used by a in NSG g"]),
    (lambda: nsg.NetworkSecurityGroup("g").remove_rule("AllowVnetOutBound"), nsg.NsgRuleError,
     "default rules can't be deleted", "AllowVnetOutBound", NSG_DOC, ["AllowVnetOutBound is a default rule of NSG g"]),
    (lambda: plain().flow_verify("10.200.0.1", "Inbound", remote_ip="10.1.2.9"), nsg.NsgError,
     "flow verify runs at a VM's NIC", "10.200.0.1", None, ["'10.200.0.1' is in no subnet of this network"]),
    (lambda: plain().flow_verify("vm-app", "Inbound"), nsg.NsgError, "a flow has two ends", None, None,
     ["remote address (remote_ip)"]),
])
def test_each_nsg_error_names_its_value_rule_and_source(call, cls, rule, value, source, says):
    with pytest.raises(cls) as err:
        call()
    assert err.value.rule == rule and err.value.value == value
    if source:
        assert source in err.value.source
    for text in says:
        assert text in str(err.value), (text, str(err.value))


def test_gateway_subnet_error_names_the_rule_and_the_subnet():
    """§2.3/§8.4: NSGs on GatewaySubnet are not supported."""
    net = vl.Network("gw")
    net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope").add_subnet("GatewaySubnet", "10.0.255.0/27")
    net.add_network_security_group("n")
    with pytest.raises(nsg.NsgError) as err:
        net.associate_network_security_group("hub", "GatewaySubnet", nsg="n")
    assert err.value.rule == "no NSG on GatewaySubnet" and err.value.value == "GatewaySubnet"
    assert str(err.value).startswith("Subnet hub/GatewaySubnet: ")


def test_associations_list_subnets_and_nics():
    net = plain()
    net.add_network_security_group("nic-nsg")
    net.associate_network_security_group(nic="vm-app", nsg="nic-nsg")
    assert nsg.associations(net, net.network_security_group("app-nsg")) == [{"vnet": "spoke", "subnet": "app"}]
    assert nsg.associations(net, net.network_security_group("nic-nsg")) == [{"nic": "vm-app"}]


def test_a_verdict_shows_each_step_and_highlights_a_deny():
    net = plain()
    net.add_network_security_group("nic-nsg")
    net.associate_network_security_group(nic="vm-app", nsg="nic-nsg")
    net.add_security_rule("nic-nsg", "no-rdp", 100, "Inbound", "Deny", "Tcp", destination_ports="3389")
    v = net.flow_verify("vm-app", "Inbound", "Tcp", local_port=3389, remote_ip="10.1.2.9", remote_port=50000)
    assert v.rows() == [(1, "subnet", "spoke/app", "app-nsg", "AllowVNetInBound", 65000, "Allow"),
                        (2, "NIC", "vm-app", "nic-nsg", "no-rdp", 100, "Deny")]
    assert v.reason == "Denied by no-rdp (100) of NSG nic-nsg on NIC vm-app"
    assert str(v).splitlines()[0] == "Inbound Tcp 10.1.2.9:50000 → 10.1.1.4:3389: " + v.reason
    assert str(v).splitlines()[1].split() == ["Step", "Level", "Applies", "to", "NSG", "Rule", "Priority", "Access"]
    html = v._repr_html_()
    assert f"Inbound Tcp 10.1.2.9:50000 → 10.1.1.4:3389: {v.reason}" in html and "no-rdp" in html
    ok = net.flow_verify("vm-app", "Inbound", "Tcp", local_port=22, remote_ip="10.1.2.9", remote_port=50000)
    assert ok.rows()[1] == (2, "NIC", "vm-app", "nic-nsg", "AllowVNetInBound", 65000, "Allow")
    assert html.count("background") > ok._repr_html_().count("background")   # the deny row is highlighted


def test_without_any_nsg_a_verdict_has_no_deciding_rule():
    net = vl.Network("none")
    net.add_vnet("v", ["10.1.0.0/16"], region="westeurope").add_subnet("app", "10.1.1.0/24").add_nic("vm", "10.1.1.4")
    v = net.flow_verify("vm", "Outbound", "Udp", remote_ip="10.1.2.9", remote_port=53)
    assert v.allowed and (v.rule, v.nsg, v.level) == ("", "", "")
    assert v.deciding == v.steps[-1] and v.deciding.describe() == "no NSG on subnet v/app"
    assert v.rows()[0] == (1, "NIC", "vm", "(none)", "", None, "Allow")
    assert v.reason == "Allowed: no NSG on NIC vm; then no NSG on subnet v/app"


def test_an_nsg_prints_its_rules_in_evaluation_order_defaults_greyed():
    net = plain()
    net.add_security_rule("app-nsg", "web", 300, "Inbound", "Allow", "Tcp", source="Internet", destination_ports="443")
    group = net.network_security_group("app-nsg")
    lines = str(group).splitlines()
    assert lines[0] == "Network security group app-nsg"
    names = [line.split()[2] for line in lines[3:]]
    assert names == ["web", "AllowVNetInBound", "AllowAzureLoadBalancerInBound", "DenyAllInbound",
                     "AllowVnetOutBound", "AllowInternetOutBound", "DenyAllOutBound"]
    html = group._repr_html_()
    assert "Network security group app-nsg (default rules greyed)" in html
    assert html.index(">web<") < html.index(">AllowVNetInBound<") < html.index(">DenyAllOutBound<")
    assert group.to_dict() == {"name": "app-nsg", "rules": [{
        "name": "web", "priority": 300, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
        "source": "Internet", "source_ports": "*", "destination": "*", "destination_ports": "443"}]}


def test_rules_of_one_direction_accept_any_spelling_and_refuse_others():
    group = nsg.NetworkSecurityGroup("g")
    assert [r.name for r in group.rules("outbound")] == ["AllowVnetOutBound", "AllowInternetOutBound", "DenyAllOutBound"]
    with pytest.raises(nsg.NsgRuleError, match="direction"):
        group.rules("Both")


def test_virtual_network_needs_access_on_both_links_of_a_peering():
    """§8.4: with allowVirtualNetworkAccess on, the peered VNet is inside VirtualNetwork (Manage peering); vnetlab
    needs it on both links, since traffic needs both."""
    for side in (("a", "b"), ("b", "a")):
        net = vl.Network("p")
        net.add_vnet("a", ["10.1.0.0/16"], region="westeurope").add_subnet("app", "10.1.1.0/24")
        net.add_vnet("b", ["10.2.0.0/16"], region="westeurope").add_subnet("app", "10.2.1.0/24")
        net.peer("a", "b")
        assert IPAddress("10.2.1.4") in nsg.virtual_network_prefixes(net, "a", "app")
        net.set_peering(*side, allow_virtual_network_access=False)
        assert IPAddress("10.2.1.4") not in nsg.virtual_network_prefixes(net, "a", "app")


def test_the_internet_tag_leaves_out_the_vnets_own_public_range_and_the_host_ip():
    """§8.4 Internet: address space outside the VNet reachable from the internet; 168.63.129.16 is the host's
    virtual IP (AzureLoadBalancer), not internet space."""
    net = vl.Network("pub")
    net.add_vnet("v", ["20.50.0.0/16"], region="westeurope").add_subnet("app", "20.50.1.0/24")
    internet = nsg.internet_prefixes(net, "v")
    assert IPAddress("20.50.1.4") not in internet and IPAddress("20.51.0.1") in internet
    assert IPAddress("168.63.129.16") not in internet and IPAddress("168.63.129.15") in internet
    tags = nsg.service_tag_sets(net, "v", "app")
    assert set(tags) == {"VirtualNetwork", "Internet", "AzureLoadBalancer"}
    assert IPAddress("20.50.1.4") in tags["VirtualNetwork"] and IPAddress("168.63.129.16") in tags["VirtualNetwork"]


def test_port_ranges_print_as_azure_writes_them():
    assert [str(p) for p in nsg.parse_ports(["*", "0-65535", "80", "80-80", "1000-2000", "0", "65535"])] == [
        "*", "*", "80", "80", "1000-2000", "0", "65535"]
    assert str(nsg.PortRange(0, 65534)) == "0-65534" and str(nsg.PortRange(1, 65535)) == "1-65535"
    assert not nsg.PortRange(0, 65534).matches(None) and nsg.PortRange(0, 65535).matches(None)


# --- more gaps from the mutation run (issue 20) -----------------------------------------------------------------
def test_default_rules_are_marked_and_greyed_custom_rules_are_not():
    """§8.2: the six default rules are always there and can't be deleted; the table greys them."""
    assert all(r.default is True for r in nsg.default_rules())
    custom = nsg.make_rule("r", 100, "Inbound", "Allow")
    assert custom.default is False
    net = plain()
    net.add_security_rule("app-nsg", "web", 300, "Inbound", "Allow")
    html = net.network_security_group("app-nsg")._repr_html_()
    rows = html.split("<tr")[2:]           # after the header row
    assert 'style="">' in rows[0] and ">web<" in rows[0]
    assert all('style="color:#666;"' in row for row in rows[1:]) and len(rows) == 7


def test_a_deny_verdict_highlights_the_denying_row_and_says_deny():
    net = plain()
    net.add_network_security_group("nic-nsg")
    net.associate_network_security_group(nic="vm-app", nsg="nic-nsg")
    net.add_security_rule("nic-nsg", "no-rdp", 100, "Inbound", "Deny", "Tcp", destination_ports="3389")
    v = net.flow_verify("vm-app", "Inbound", "Tcp", local_port=3389, remote_ip="10.1.2.9", remote_port=50000)
    assert v.access == "Deny"
    rows = v._repr_html_().split("<tr")[2:]
    assert "background" not in rows[0] and "background" in rows[1] and ">no-rdp<" in rows[1]
    first = plain().flow_verify("vm-app", "Inbound", "Tcp", remote_ip="203.0.113.5")
    assert first.access == "Deny" and "background" in first._repr_html_().split("<tr")[2]


def test_parsers_called_without_a_rule_name_say_rule_question_mark():
    for call in (lambda: nsg.parse_direction("Up"), lambda: nsg.parse_access("Permit"),
                 lambda: nsg.parse_protocol("Gre"), lambda: nsg.parse_ports("x"), lambda: nsg.parse_addresses("Storage")):
        with pytest.raises(nsg.NsgRuleError) as err:
            call()
        assert str(err.value).startswith("Rule ?: "), str(err.value)


def test_port_and_address_error_texts_in_full():
    with pytest.raises(nsg.NsgRuleError) as err:
        nsg.parse_ports("0-70000", "r")
    assert str(err.value).startswith("Rule r: port '0-70000' is not a port number 0-65535, a range low-high or '*'.")
    assert err.value.value == "0-70000" and "network-security-groups-overview" in err.value.source
    with pytest.raises(nsg.NsgRuleError) as err:
        nsg.parse_ports("70000-80000", "r")
    assert str(err.value).startswith("Rule r: port '70000-80000' is not")
    with pytest.raises(nsg.NsgRuleError) as err:
        nsg.parse_ports([443.0], "r")
    assert str(err.value).startswith("Rule r: port range 443.0 is a float; write '443', '1000-2000' or '*'.")
    assert err.value.value == 443.0 and "network-security-groups-overview" in err.value.source
    with pytest.raises(nsg.NsgRuleError) as err:
        nsg.parse_addresses([None], "r")
    assert str(err.value).startswith("Rule r: address None is a NoneType; write '*', an IP, a prefix or a service tag.")
    with pytest.raises(nsg.NsgRuleError) as err:
        nsg.parse_addresses("Storage", "r")
    assert "knows (VirtualNetwork, AzureLoadBalancer, Internet, or '*')." in str(err.value)
    with pytest.raises(nsg.NsgRuleError) as err:
        nsg.make_rule("r", 65000, "Inbound", "Allow")
    assert "(the default rules' 65000+ numbers are reserved for them)." in str(err.value)


def test_addresses_starting_with_one_digit_and_ipv6_text():
    assert [str(a) for a in nsg.parse_addresses(["8.8.8.8", "1.0.0.0/8"])] == ["8.8.8.8", "1.0.0.0/8"]
    with pytest.raises(nsg.NsgRuleError) as err:
        nsg.parse_addresses("fe80::1", "r")
    assert err.value.rule == "IPv4 only in this course" and err.value.value == "fe80::1"


def test_flow_verify_error_texts_in_full():
    net = plain()
    with pytest.raises(nsg.NsgRuleError, match=r"^Rule \(flow verify\): direction 'Sideways'"):
        net.flow_verify("vm-app", "Sideways", remote_ip="10.1.2.9")
    with pytest.raises(nsg.NsgRuleError, match=r"^Rule \(flow verify\): protocol 'Gre'"):
        net.flow_verify("vm-app", "Inbound", "Gre", remote_ip="10.1.2.9")
    with pytest.raises(nsg.NsgError) as err:
        net.flow_verify("vm-app", "Inbound", "Any", remote_ip="10.1.2.9")
    assert str(err.value) == "Flow verify checks one packet: give its protocol (Tcp, Udp, Icmp, Esp or Ah), not '*'."
    assert err.value.value == "Any"
    with pytest.raises(nsg.NsgError) as err:
        net.flow_verify("vm-app", "Inbound")
    assert str(err.value) == "Flow verify needs the remote address (remote_ip)."
    with pytest.raises(VnetlabError, match="^'10.1.1.x' is not an IPv4 local address"):
        net.flow_verify("vm-app", "Inbound", local_ip="10.1.1.x", remote_ip="10.1.2.9")
    with pytest.raises(VnetlabError, match="^'10.1.2' is not an IPv4 remote address"):
        net.flow_verify("vm-app", "Inbound", remote_ip="10.1.2")
    for field in ("local_port", "remote_port"):
        with pytest.raises(nsg.NsgError) as err:
            net.flow_verify("vm-app", "Inbound", remote_ip="10.1.2.9", **{field: 70000})
        assert str(err.value).startswith(f"{field} 70000 is not a port number 0-65535.")
        assert err.value.value == 70000 and "network-security-groups-overview" in err.value.source


def test_flow_verify_checks_tcp_unless_told():
    v = nsg.flow_verify(plain(), "vm-app", "Inbound", remote_ip="10.1.2.9")
    assert v.packet.protocol == "Tcp"


def test_service_tags_are_resolved_per_subnet():
    """§8.4: VirtualNetwork is the VNet's own space (and what it is connected to), so two unconnected VNets differ."""
    net = vl.Network("two")
    net.add_vnet("a", ["10.1.0.0/16"], region="westeurope").add_subnet("app", "10.1.1.0/24")
    net.add_vnet("b", ["10.2.0.0/16"], region="westeurope").add_subnet("app", "10.2.1.0/24")
    a, b = nsg.virtual_network_prefixes(net, "a", "app"), nsg.virtual_network_prefixes(net, "b", "app")
    assert IPAddress("10.1.1.4") in a and IPAddress("10.1.1.4") not in b
    assert IPAddress("10.2.1.4") in b and IPAddress("10.2.1.4") not in a


def test_nsg_bookkeeping_errors_name_value_rule_and_source():
    group = nsg.NetworkSecurityGroup("g")
    group.add_rule(nsg.make_rule("a", 100, "Inbound", "Allow"))
    group.add_rule(nsg.make_rule("b", 101, "Inbound", "Allow"))
    with pytest.raises(nsg.NsgRuleError) as err:
        group.add_rule(nsg.make_rule("a", 300, "Inbound", "Allow"))
    assert (err.value.value, err.value.rule) == ("a", "rule names are unique in an NSG")
    assert "network-security-groups-overview" in err.value.source
    with pytest.raises(nsg.NsgRuleError) as err:
        group.remove_rule("c")
    assert str(err.value) == "NSG g has no rule 'c' (rules: a, b)." and err.value.value == "c"
    with pytest.raises(nsg.NsgRuleError, match=r"\(rules: none\)"):
        nsg.NetworkSecurityGroup("empty").remove_rule("c")
    with pytest.raises(nsg.NsgRuleError) as err:
        group.remove_rule("DenyAllInbound")
    assert str(err.value).startswith("DenyAllInbound is a default rule of NSG g; default rules can't be deleted "
                                     "(override it with a custom rule of lower number).")
    with pytest.raises(nsg.NsgRuleError, match=r"^Rule \(rules\): direction 'Both'"):
        group.rules("Both")


def test_the_1001st_rule_error_names_the_count_and_the_source():
    group = nsg.NetworkSecurityGroup("big")
    for i in range(1000):
        group.custom[f"r{i}"] = nsg.make_rule(f"r{i}", 100 + i % 3997, "Inbound" if i < 3997 else "Outbound", "Allow")
    with pytest.raises(nsg.NsgRuleError) as err:
        group.add_rule(nsg.make_rule("one-more", 4096, "Outbound", "Allow"))
    assert err.value.value == 1000 and "azure-subscription-service-limits" in err.value.source


def test_gateway_subnet_error_cites_its_source():
    net = vl.Network("gw")
    net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope").add_subnet("GatewaySubnet", "10.0.255.0/27")
    net.add_network_security_group("n")
    with pytest.raises(nsg.NsgError) as err:
        net.associate_network_security_group("hub", "GatewaySubnet", nsg="n")
    assert err.value.source.startswith("https://learn.microsoft.com/")


def test_a_rule_name_and_its_source_ports_are_named_in_errors():
    with pytest.raises(VnetlabError) as err:
        nsg.make_rule(" ", 100, "Inbound", "Allow")
    assert str(err.value) == "Security rule name ' ': give a non-empty name."
    with pytest.raises(nsg.NsgRuleError, match=r"^Rule web: port 'x' is not a port number"):
        nsg.make_rule("web", 100, "Inbound", "Allow", source_ports="x")
