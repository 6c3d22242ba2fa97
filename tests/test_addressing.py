"""Addressing rules, with expected values taken from the VNet FAQ as quoted in azure-facts.md §9 and S10."""
import pytest
from netaddr import IPNetwork

import vnetlab as vl
from vnetlab import addressing
from vnetlab.errors import (HostBitsSetError, InvalidAddressError, InvalidPrefixError, PrefixLengthError,
                            ReservedRangeError, SubnetSizeError, UnsupportedIPv6Error, VnetlabError)


@pytest.mark.parametrize("prefix, usable", [("10.0.0.0/24", 251), ("10.0.0.0/27", 27), ("10.0.0.0/28", 11),
                                            ("10.0.0.0/29", 3)])
def test_usable_is_size_minus_five(prefix, usable):
    # VNet FAQ: /24 → 251, /27 → 27, /28 → 11, /29 → 3 (facts §9, S10a)
    assert vl.subnet_info(prefix).usable == usable


def test_the_five_reserved_addresses_and_their_roles():
    info = vl.subnet_info("10.0.1.0/24")
    reserved = dict(info.reserved)
    assert set(reserved) == {"10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"}
    assert reserved["10.0.1.1"] == "default gateway"
    assert reserved["10.0.1.255"] == "broadcast address"
    assert (info.first_usable, info.last_usable) == ("10.0.1.4", "10.0.1.254")


def test_host_bits_set_suggests_the_network_address():
    with pytest.raises(HostBitsSetError) as err:
        vl.parse_prefix("10.0.1.5/24")
    assert "10.0.1.0/24" in str(err.value) and "10.0.1.5/24" in str(err.value)


@pytest.mark.parametrize("text, kind", [("10.0.0.0/33", PrefixLengthError), ("10.0.0.0/abc", PrefixLengthError),
                                        ("hello", InvalidAddressError), ("10.0.0/16", InvalidAddressError),
                                        ("256.0.0.0/8", InvalidAddressError), ("2001:db8::/32", UnsupportedIPv6Error),
                                        ("10.0.0.1", InvalidPrefixError), ("010.0.0.0/8", InvalidAddressError)])
def test_bad_prefixes_raise_a_named_vnetlab_error(text, kind):
    with pytest.raises(kind) as err:
        vl.parse_prefix(text)
    assert text.split("/")[0] in str(err.value) or text in str(err.value)


def test_non_text_is_refused_clearly():
    with pytest.raises(InvalidPrefixError):
        vl.parse_prefix(["10.0.0.0/8"])


@pytest.mark.parametrize("prefix", ["224.0.0.0/4", "239.1.0.0/16", "255.255.255.255/32", "127.0.0.0/8",
                                    "169.254.0.0/16", "168.63.129.16/32", "168.63.0.0/16"])
def test_ranges_azure_refuses_in_a_vnet(prefix):
    # VNet FAQ (facts §9): multicast, broadcast, loopback, link-local, 168.63.129.16/32 not allowed
    with pytest.raises(ReservedRangeError) as err:
        addressing.check_vnet_range(prefix)
    assert prefix in str(err.value)


@pytest.mark.parametrize("prefix", ["10.0.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/16", "20.50.0.0/16"])
def test_ranges_azure_accepts(prefix):
    # S10b: 100.64.0.0/16 accepted (RFC 6598); 20.50.0.0/16 (public) accepted but not internet-reachable
    assert str(addressing.check_vnet_range(prefix)) == prefix


def test_public_range_advice_says_not_internet_reachable():
    assert "not reachable from the internet" in vl.range_advice("20.50.0.0/16")
    assert "RFC 6598" in vl.range_advice("100.64.0.0/16")


@pytest.mark.parametrize("prefix, ok", [("10.0.0.0/29", True), ("10.0.0.0/30", False), ("0.0.0.0/2", True),
                                        ("0.0.0.0/1", False)])
def test_smallest_and_largest_subnet(prefix, ok):
    # VNet FAQ: smallest /29, largest /2 (facts §9)
    if ok:
        addressing.check_subnet_size(prefix)
    else:
        with pytest.raises(SubnetSizeError):
            addressing.check_subnet_size(prefix)


@pytest.mark.parametrize("hosts, prefixlen", [(3, 29), (4, 28), (11, 28), (12, 27), (59, 26), (60, 25), (251, 24)])
def test_smallest_prefix_for_hosts_accounts_for_reserved(hosts, prefixlen):
    assert vl.smallest_prefix_for(hosts) == prefixlen


def test_find_overlaps_reports_every_pair_once():
    found = vl.find_overlaps(["10.0.0.0/16", "192.168.0.0/24", "10.0.1.0/24", "10.0.0.0/8", "10.0.1.0/24"])
    pairs = {(o.a, o.b) for o in found}
    assert pairs == {("10.0.0.0/16", "10.0.1.0/24"), ("10.0.0.0/16", "10.0.0.0/8"), ("10.0.1.0/24", "10.0.0.0/8"),
                     ("10.0.1.0/24", "10.0.1.0/24"), ("10.0.0.0/8", "10.0.1.0/24")}
    assert len(found) == 6  # 10.0.0.0/16~10.0.1.0/24 appears with both copies of the /24


def test_find_overlaps_agrees_with_all_pairs_on_random_input():
    import random
    rnd = random.Random(7)
    prefixes = []
    for _ in range(400):
        length = rnd.randint(8, 28)
        base = (rnd.randint(0, 2**32 - 1) >> (32 - length)) << (32 - length)
        prefixes.append(str(IPNetwork((base, length))))
    brute = set()
    nets = [IPNetwork(p) for p in prefixes]
    for i in range(len(nets)):
        for j in range(i + 1, len(nets)):
            if nets[i].first <= nets[j].last and nets[j].first <= nets[i].last:
                brute.add((i, j))
    found = vl.find_overlaps(prefixes)
    assert len(found) == len(brute) > 0
    assert {(o.a, o.b) for o in found} == {(prefixes[i], prefixes[j]) for i, j in brute}


def test_next_free_subnet_skips_used_and_aligns():
    assert str(vl.next_free_subnet("10.0.0.0/16", ["10.0.0.0/24", "10.0.1.0/25"], 24)) == "10.0.2.0/24"
    assert str(vl.next_free_subnet("10.0.0.0/16", ["10.0.0.0/24", "10.0.1.0/25"], 25)) == "10.0.1.128/25"
    assert vl.next_free_subnet("10.0.0.0/24", ["10.0.0.0/25", "10.0.0.128/25"], 29) is None
    assert str(vl.next_free_subnet(["10.0.0.0/24", "10.1.0.0/24"], ["10.0.0.0/24"], 26)) == "10.1.0.0/26"


def test_analyze_plan_keeps_going_after_errors():
    plan = vl.analyze_plan("10.0.0.0/24\n10.0.0.128/25\n10.0.5.3/24\n10.9.0.0/24", "10.0.0.0/16")
    assert [line.error_kind for line in plan.lines] == [None, None, "HostBitsSetError", None]
    assert [line.inside_space for line in plan.lines] == [True, True, None, False]
    assert [(o.a, o.b) for o in plan.overlaps] == [("10.0.0.0/24", "10.0.0.128/25")]
    assert not plan.ok
    assert plan.next_free(24) == "10.0.1.0/24"
    assert "<table" in plan._repr_html_()


def test_errors_carry_value_and_rule():
    with pytest.raises(VnetlabError) as err:
        addressing.check_vnet_range("169.254.0.0/16")
    assert err.value.value == "169.254.0.0/16" and "169.254.0.0/16" in err.value.rule
    assert "virtual-networks-faq" in str(err.value)


# --- Gaps found by mutation testing (issue 20); CIDR arithmetic and the facts of azure-facts.md §9 and §2.3 -------

@pytest.mark.parametrize("a, b, shared", [("10.0.0.0/24", "10.0.0.0/16", "10.0.0.0/24"),
                                          ("10.0.0.0/16", "10.0.0.0/24", "10.0.0.0/24"),
                                          ("10.0.0.0/16", "10.0.0.0/16", "10.0.0.0/16")])
def test_blocks_starting_at_the_same_address_overlap_once_and_share_the_smaller(a, b, shared):
    [overlap] = vl.find_overlaps([a, b])
    assert (overlap.a, overlap.b, overlap.shared) == (a, b, shared)
    assert overlap.identical == (a == b)


@pytest.mark.parametrize("inner, overlapping", [("10.0.0.0/32", True), ("10.0.0.255/32", True),
                                                ("10.0.1.0/32", False), ("9.255.255.255/32", False)])
def test_a_single_address_at_a_blocks_edge(inner, overlapping):
    """A /32 on the first or last address of 10.0.0.0/24 is inside it; one address beyond either end is not."""
    found = vl.find_overlaps(["10.0.0.0/24", inner])
    assert [(o.a, o.b, o.shared) for o in found] == ([("10.0.0.0/24", inner, inner)] if overlapping else [])
    assert addressing.overlaps("10.0.0.0/24", inner) == ([("10.0.0.0/24", inner)] if overlapping else [])
    assert addressing.overlaps([inner], ["10.0.0.0/24"]) == ([(inner, "10.0.0.0/24")] if overlapping else [])


def test_adjacent_blocks_do_not_overlap_and_a_closed_block_is_forgotten():
    assert vl.find_overlaps(["10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/24"]) == []
    # the /24 ends before 10.0.1.0/25 starts: only the /16 contains both
    found = vl.find_overlaps(["10.0.0.0/16", "10.0.0.0/24", "10.0.1.0/25"])
    assert [(o.a, o.b) for o in found] == [("10.0.0.0/16", "10.0.0.0/24"), ("10.0.0.0/16", "10.0.1.0/25")]


@pytest.mark.parametrize("name", ["Gateway-Subnet", "gatewaysubnet", "Gateway Subnet", "GATEWAY_SUBNET",
                                  "gateway-subnet"])
def test_a_near_miss_of_the_gateway_subnet_name_is_refused(name):
    """§2.3: the gateway subnet must be named exactly GatewaySubnet (VPN FAQ 2026-06-04)."""
    from vnetlab.errors import GatewaySubnetError
    with pytest.raises(GatewaySubnetError, match="exactly 'GatewaySubnet'") as err:
        vl.Network("n").add_vnet("v", ["10.0.0.0/16"], region="westeurope").add_subnet(name, "10.0.255.0/27")
    assert err.value.value == name and err.value.rule == "gateway subnet name is exactly GatewaySubnet"


@pytest.mark.parametrize("name", ["GatewaySubnets", "Gateway", "app"])
def test_other_names_are_ordinary_subnets_without_gateway_advice(name):
    assert addressing.check_subnet_name(name, IPNetwork("10.0.255.0/29")) == []


@pytest.mark.parametrize("prefix, advised", [("10.0.255.0/29", True), ("10.0.255.0/28", True),
                                             ("10.0.255.0/27", False), ("10.0.255.0/26", False)])
def test_gateway_subnet_below_27_gets_advice(prefix, advised):
    """§2.3: /29 possible, /27 or larger recommended."""
    findings = addressing.check_subnet_name("GatewaySubnet", IPNetwork(prefix))
    assert len(findings) == (1 if advised else 0)
    if advised:
        assert prefix in findings[0] and "/27" in findings[0]


@pytest.mark.parametrize("text", ["10.01.0.4", "010.0.0.4", "10.0.0.04", "10.0.00.4"])
def test_leading_zeros_are_refused_with_the_address_to_write(text):
    with pytest.raises(InvalidAddressError) as err:
        vl.parse_address(text)
    assert err.value.rule == "no leading zeros in IPv4 octets"
    assert "10.1.0.4" in str(err.value) or "10.0.0.4" in str(err.value)


@pytest.mark.parametrize("text", ["0.0.0.0", "10.0.0.0", "255.255.255.255", " 10.0.0.4 "])
def test_zero_octets_and_the_edges_of_the_range_parse(text):
    assert str(vl.parse_address(text)) == text.strip()


@pytest.mark.parametrize("text, rule", [("10.0.0.256", "each IPv4 octet is 0..255"), ("10.0.0", "IPv4 dotted quad"),
                                        ("10.0.0.0.1", "IPv4 dotted quad"), ("10.0.0.x", "IPv4 dotted quad"),
                                        ("10.0.0.٣", "IPv4 dotted quad")])
def test_bad_addresses_name_the_rule(text, rule):
    with pytest.raises(InvalidAddressError) as err:
        vl.parse_address(text)
    assert err.value.rule == rule and err.value.value == text


def test_the_largest_octet_is_named():
    with pytest.raises(InvalidAddressError, match="octet 300 is larger than 255"):
        vl.parse_address("10.300.0.4")


@pytest.mark.parametrize("text, network", [("10.0.1.5/24", "10.0.1.0/24"), ("10.0.1.255/25", "10.0.1.128/25"),
                                           ("10.0.1.0/24", "10.0.1.0/24"), ("10.0.1.7/32", "10.0.1.7/32"),
                                           ("10.1.2.3/0", "0.0.0.0/0")])
def test_parse_prefix_not_strict_clears_the_host_bits(text, network):
    parsed = vl.parse_prefix(text, strict=False)
    assert str(parsed) == network and parsed.ip == parsed.network


@pytest.mark.parametrize("text, rule", [("10.0.0.0/33", "IPv4 prefix length is 0..32"),
                                        ("10.0.0.0/", "IPv4 prefix length is 0..32"),
                                        ("10.0.0.0/-1", "IPv4 prefix length is 0..32"),
                                        ("10.0.0.1", "a prefix is 'address/length'"),
                                        ("10.0.0.1/24", "a prefix's host bits must be zero")])
def test_prefix_errors_name_their_rule(text, rule):
    with pytest.raises(VnetlabError) as err:
        vl.parse_prefix(text)
    assert err.value.rule == rule


@pytest.mark.parametrize("text", ["0.0.0.0/0", "10.0.0.0/32", " 10.0.0.0/8 "])
def test_the_edges_of_the_prefix_length_parse(text):
    assert str(vl.parse_prefix(text)) == text.strip()


@pytest.mark.parametrize("hosts, prefixlen", [(0, 29), (1, 29), (5, 28), (27, 27), (28, 26),
                                              (2 ** 30 - 5, 2), (2 ** 29 - 5, 3), (2 ** 29 - 4, 2)])
def test_smallest_prefix_for_at_its_boundaries(hosts, prefixlen):
    """§9: usable = 2^(32−n) − 5, smallest subnet /29, largest /2."""
    assert vl.smallest_prefix_for(hosts) == prefixlen


def test_smallest_prefix_for_refuses_more_than_the_largest_subnet_holds_and_negative_counts():
    from vnetlab.errors import SubnetError
    with pytest.raises(SubnetSizeError, match="largest subnet") as err:
        vl.smallest_prefix_for(2 ** 30 - 4)      # a /2 holds 2^30 − 5
    assert err.value.value == 2 ** 30 - 4
    with pytest.raises(SubnetError, match="negative") as err:
        vl.smallest_prefix_for(-1)
    assert err.value.rule == "hosts >= 0"


def test_next_free_subnet_at_its_boundaries():
    assert str(vl.next_free_subnet("10.0.0.0/24", [], 24)) == "10.0.0.0/24"           # the whole space is free
    assert vl.next_free_subnet("10.0.0.0/24", [], 23) is None                          # larger than the space
    assert str(vl.next_free_subnet("10.0.0.0/24", ["10.0.0.0/26"], 26)) == "10.0.0.64/26"
    assert str(vl.next_free_subnet("10.0.0.0/24", ["10.0.0.64/26"], 25)) == "10.0.0.128/25"
    assert str(vl.next_free_subnet("10.0.0.0/24", ["10.0.0.0/25", "10.0.0.128/26"], 32)) == "10.0.0.192/32"
    assert str(vl.next_free_subnet("0.0.0.0/0", [], 0)) == "0.0.0.0/0"
    assert vl.next_free_subnet("10.0.0.0/24", ["10.0.0.0/24"], 32) is None
    for bad in (-1, 33, True, "24", 24.0):
        with pytest.raises(PrefixLengthError) as err:
            vl.next_free_subnet("10.0.0.0/24", [], bad)
        assert err.value.rule == "IPv4 prefix length is 0..32"


def test_a_full_plan_has_no_next_free_block():
    full = vl.analyze_plan(["10.0.0.0/25", "10.0.0.128/25"], "10.0.0.0/24")
    assert full.ok and full.next_free(29) is None
    assert vl.analyze_plan(["10.0.0.0/25"]).next_free(25) is None                     # no address space given
    assert vl.analyze_plan(["10.0.0.0/25"], "127.0.0.0/24").next_free(25) is None     # an address space Azure refuses
    assert vl.analyze_plan(["10.0.0.0/25"], "10.0.0.0/24").next_free(25) == "10.0.0.128/25"


def test_a_plan_reports_its_space_error_and_what_lies_outside():
    plan = vl.analyze_plan("10.0.0.0/24\n# a comment\n\n10.1.0.0/24, 10.0.0.0/30", ["10.0.0.0/16"])
    assert [line.text for line in plan.lines] == ["10.0.0.0/24", "10.1.0.0/24", "10.0.0.0/30"]
    assert [line.inside_space for line in plan.lines] == [True, False, None]
    assert plan.lines[2].error_kind == "SubnetSizeError"
    assert plan.valid_prefixes == ["10.0.0.0/24", "10.1.0.0/24"]
    assert not plan.ok and plan.space == ("10.0.0.0/16",)
    bad = vl.analyze_plan(["10.0.0.0/24"], "224.0.0.0/24")
    assert bad.space_error and "multicast" in bad.space_error and not bad.ok
    rows = vl.analyze_plan(["10.0.0.0/24"], "10.0.0.0/16").rows()
    assert rows == [("10.0.0.0/24", "10.0.0.0/24", 256, 251, "yes", "")]


def test_the_reserved_addresses_of_a_29():
    """§9: the network address, .1, .2, .3 and the last address; a /29 keeps 3 usable (.4 to .6)."""
    info = vl.subnet_info("10.0.0.8/29")
    assert [a for a, _ in info.reserved] == ["10.0.0.8", "10.0.0.9", "10.0.0.10", "10.0.0.11", "10.0.0.15"]
    assert (info.size, info.usable, info.first_usable, info.last_usable) == (8, 3, "10.0.0.12", "10.0.0.14")
    net = IPNetwork("10.0.0.8/29")
    assert [str(a) for a in addressing.usable_addresses(net)] == ["10.0.0.12", "10.0.0.13", "10.0.0.14"]
    from netaddr import IPAddress
    assert addressing.is_reserved_address(net, IPAddress("10.0.0.15")) == "broadcast address"
    assert addressing.is_reserved_address(net, IPAddress("10.0.0.12")) is None


@pytest.mark.parametrize("prefix, part", [("10.20.0.0/16", "RFC 1918"), ("172.16.5.0/24", "RFC 1918"),
                                          ("192.168.0.0/16", "RFC 1918"), ("100.127.0.0/16", "RFC 6598"),
                                          ("100.128.0.0/16", "not a private range"),
                                          ("11.0.0.0/8", "not a private range"),
                                          ("127.0.0.0/8", "is refused")])
def test_range_advice_by_kind(prefix, part):
    """§9: RFC 1918 and RFC 6598 recommended; public accepted, not internet-reachable; reserved ranges refused."""
    assert part in vl.range_advice(prefix)


@pytest.mark.parametrize("prefix", ["0.0.0.0/0", "168.63.129.0/24", "126.0.0.0/7", "169.254.255.255/32"])
def test_a_range_that_covers_a_refused_one_is_refused(prefix):
    with pytest.raises(ReservedRangeError):
        addressing.check_vnet_range(prefix)


@pytest.mark.parametrize("prefix", ["168.63.129.15/32", "168.63.129.17/32", "126.0.0.0/8", "128.0.0.0/8",
                                    "169.253.0.0/16", "223.255.255.0/24"])
def test_neighbours_of_refused_ranges_are_accepted(prefix):
    assert str(addressing.check_vnet_range(prefix)) == prefix


def test_subnet_size_errors_name_the_limit():
    with pytest.raises(SubnetSizeError, match="smallest subnet is /29") as err:
        addressing.check_subnet_size("10.0.0.0/30")
    assert err.value.rule == "smallest subnet /29"
    with pytest.raises(SubnetSizeError, match="largest subnet is /2") as err:
        addressing.check_subnet_size("0.0.0.0/1")
    assert err.value.rule == "largest subnet /2"


@pytest.mark.parametrize("call, cls, rule, value, says", [
    (lambda: vl.parse_prefix(10), InvalidPrefixError, "a prefix is written as text 'a.b.c.d/n'", 10,
     ["10 is a int, not text", "'10.0.0.0/16'"]),
    (lambda: vl.parse_prefix("2001:db8::/32"), UnsupportedIPv6Error, "IPv4 only in this course", "2001:db8::/32",
     ["'2001:db8::/32' is IPv6", "/64"]),
    (lambda: vl.parse_address("fe80::1"), UnsupportedIPv6Error, "IPv4 only in this course", "fe80::1",
     ["'fe80::1' is an IPv6 address"]),
    (lambda: vl.parse_prefix("10.0.0.7"), InvalidPrefixError, "a prefix is 'address/length'", "10.0.0.7",
     ["'10.0.0.7' is an address, not a prefix", "'10.0.0.7/32'"]),
    (lambda: vl.parse_prefix("10.0.0.0/40"), PrefixLengthError, "IPv4 prefix length is 0..32", "10.0.0.0/40",
     ["/40 does not exist in IPv4"]),
    (lambda: vl.parse_prefix("10.0.0.0/x"), PrefixLengthError, "IPv4 prefix length is 0..32", "10.0.0.0/x",
     ["the prefix length 'x' is not a number from 0 to 32"]),
    (lambda: vl.parse_prefix("10.0.0/8"), InvalidAddressError, "IPv4 dotted quad", "10.0.0",
     ["'10.0.0' is not an IPv4 network address"]),
    (lambda: vl.parse_prefix("10.0.1.9/24"), HostBitsSetError, "a prefix's host bits must be zero", "10.0.1.9/24",
     ["'10.0.1.9/24' has host bits set", "is 10.0.1.0/24", "/24 boundary"]),
    (lambda: vl.analyze_plan(42), InvalidPrefixError, "a list of CIDR prefixes", 42, ["Subnet prefixes 42"]),
    (lambda: vl.analyze_plan([], 42), InvalidPrefixError, "a list of CIDR prefixes", 42,
     ["The VNet address space 42"]),
])
def test_each_addressing_error_names_its_value_and_rule(call, cls, rule, value, says):
    with pytest.raises(cls) as err:
        call()
    assert err.value.rule == rule and err.value.value == value
    for text in says:
        assert text in str(err.value), (text, str(err.value))


@pytest.mark.parametrize("prefix, bad, why", [("224.0.0.0/4", "224.0.0.0/4", "multicast"),
                                              ("255.255.255.255/32", "255.255.255.255/32", "broadcast"),
                                              ("127.0.0.0/16", "127.0.0.0/8", "loopback"),
                                              ("169.254.1.0/24", "169.254.0.0/16", "link-local"),
                                              ("168.63.128.0/23", "168.63.129.16/32", "Azure's internal DNS")])
def test_a_refused_range_names_the_range_it_hits_and_why(prefix, bad, why):
    """§9: not allowed: 224.0.0.0/4, 255.255.255.255/32, 127.0.0.0/8, 169.254.0.0/16, 168.63.129.16/32."""
    with pytest.raises(ReservedRangeError) as err:
        addressing.check_vnet_range(prefix)
    assert err.value.rule.startswith(f"VNets may not use {bad} ({why}")
    mine, theirs = IPNetwork(prefix), IPNetwork(bad)
    relation = "is" if mine == theirs else "lies inside" if mine in theirs else "contains"
    assert err.value.value == prefix and f"{prefix} {relation} {bad}" in str(err.value)
    assert "virtual-networks-faq" in err.value.source


def test_subnet_info_names_every_reserved_role():
    """§9: network address, .1 default gateway, .2 and .3 Azure DNS, the last address broadcast."""
    info = vl.subnet_info("10.0.0.0/28")
    assert info.reserved == (("10.0.0.0", "network address"), ("10.0.0.1", "default gateway"),
                             ("10.0.0.2", "Azure DNS mapping"), ("10.0.0.3", "Azure DNS mapping"),
                             ("10.0.0.15", "broadcast address"))
    assert (info.prefix, info.size, info.usable) == ("10.0.0.0/28", 16, 11)
    html = info._repr_html_()
    assert "<b>10.0.0.0/28</b>: 16 addresses, 5 reserved by Azure, <b>11 usable</b> (10.0.0.4 – 10.0.0.14)" in html
    with pytest.raises(SubnetSizeError):
        vl.subnet_info("10.0.0.0/30")


def test_a_plan_line_keeps_its_error_its_facts_and_where_it_lies():
    plan = vl.analyze_plan("10.0.0.0/24 # app # old\n10.9.0.0/24\n10.0.5.3/24", "10.0.0.0/16")
    assert [line.text for line in plan.lines] == ["10.0.0.0/24", "10.9.0.0/24", "10.0.5.3/24"]
    assert plan.space_error is None
    assert plan.lines[0].reserved == vl.subnet_info("10.0.0.0/24").reserved
    assert plan.lines[2].error.startswith("'10.0.5.3/24' has host bits set")
    assert plan.rows() == [("10.0.0.0/24", "10.0.0.0/24", 256, 251, "yes", ""),
                           ("10.9.0.0/24", "10.9.0.0/24", 256, 251, "NO", ""),
                           ("10.0.5.3/24", "", "", "", "", plan.lines[2].error)]
    html = plan._repr_html_()
    assert "Address plan" in html and "No overlaps." in html and html.count("background") >= 2
    assert [line.inside_space for line in vl.analyze_plan(["10.0.0.0/24"]).lines] == [None]   # no space given
    clash = vl.analyze_plan(["10.0.0.0/24", "10.0.0.0/25"])._repr_html_()
    assert "<p><b>Overlaps</b></p><ul><li>10.0.0.0/24 overlaps 10.0.0.0/25</li></ul>" in clash
    assert "No overlaps." not in clash


def test_a_plan_needs_prefixes():
    with pytest.raises(InvalidPrefixError, match="text with one per line.") as err:
        vl.analyze_plan(None)
    assert err.value.value is None


def test_overlaps_come_in_input_order_of_the_first_then_the_second():
    found = vl.find_overlaps(["10.0.0.0/8", "10.1.0.0/16", "10.1.1.0/24", "10.200.0.0/16"])
    assert [(o.a, o.b) for o in found] == [("10.0.0.0/8", "10.1.0.0/16"), ("10.0.0.0/8", "10.1.1.0/24"),
                                          ("10.0.0.0/8", "10.200.0.0/16"), ("10.1.0.0/16", "10.1.1.0/24")]


def test_more_addressing_errors_name_what_to_fix():
    """§9: smallest subnet /29 = 8 addresses, 3 usable; largest /2."""
    with pytest.raises(SubnetSizeError) as err:
        addressing.check_subnet_size("10.0.0.0/30")
    assert "Azure's smallest subnet is /29 (8 addresses, 3 usable)." in str(err.value)
    assert err.value.value == "10.0.0.0/30" and "virtual-networks-faq" in err.value.source
    with pytest.raises(SubnetSizeError) as err:
        addressing.check_subnet_size("0.0.0.0/1")
    assert err.value.value == "0.0.0.0/1" and "virtual-networks-faq" in err.value.source
    with pytest.raises(SubnetSizeError) as err:
        vl.smallest_prefix_for(2 ** 31)
    assert err.value.rule == "largest subnet" and "virtual-networks-faq" in err.value.source
    from vnetlab.errors import SubnetError
    with pytest.raises(SubnetError) as err:
        vl.smallest_prefix_for(-3)
    assert err.value.value == -3
    with pytest.raises(PrefixLengthError, match=r"^/33 is not a prefix length \(0\.\.32\)\.$") as err:
        vl.next_free_subnet("10.0.0.0/24", [], 33)
    assert err.value.value == 33
    with pytest.raises(InvalidAddressError) as err:
        vl.parse_address("10.01.0.4")
    assert err.value.value == "10.01.0.4"
    with pytest.raises(InvalidAddressError, match="the octet 300 is larger than 255"):
        vl.parse_address("255.300.0.1")
    with pytest.raises(InvalidAddressError, match="'hello' is not an IPv4 prefix"):
        vl.parse_prefix("hello")
    with pytest.raises(PrefixLengthError):
        vl.parse_prefix("10.0.0.0/8/8")
    with pytest.raises(UnsupportedIPv6Error, match=r"a separate topic\)\.$"):
        vl.parse_prefix("fd00::/64")
    with pytest.raises(InvalidPrefixError, match="or the block it belongs to such as '10.0.0.0/16'.$"):
        vl.parse_prefix("10.0.0.1")
    from vnetlab.errors import GatewaySubnetError
    with pytest.raises(GatewaySubnetError) as err:
        addressing.check_subnet_name("gatewaySubnet", IPNetwork("10.0.255.0/27"))
    assert "vpn-gateway-vpn-faq" in err.value.source


def test_public_range_advice_in_full():
    assert vl.range_advice("20.50.0.0/16") == (
        "20.50.0.0/16 is not a private range: Azure accepts it, but it is not reachable from the internet, and you can "
        "no longer reach the public owner of that range from this VNet.")


def test_subnet_info_table_headers():
    html = vl.subnet_info("10.0.0.0/29")._repr_html_()
    assert ">Reserved address</th>" in html and ">Role</th>" in html


def test_the_plan_table_in_detail():
    plan = vl.analyze_plan(["10.0.0.0/24", "10.9.0.0/24", "10.0.0.0/25", "10.0.0.0/26"], "10.0.0.0/16")
    html = plan._repr_html_()
    assert ">Address plan</caption>" in html
    rows = html.split("</table>")[0].split("<tr")[2:]
    assert ["background" in row for row in rows] == [False, True, False, False]   # only the line outside the space
    assert ("<ul><li>10.0.0.0/24 overlaps 10.0.0.0/25</li><li>10.0.0.0/24 overlaps 10.0.0.0/26</li>"
            "<li>10.0.0.0/25 overlaps 10.0.0.0/26</li></ul>") in html
    assert vl.analyze_plan(["10.0.0.0/24"])._repr_html_().endswith("</table><p>No overlaps.</p>")
    with pytest.raises(InvalidPrefixError) as err:
        vl.analyze_plan(None)
    assert str(err.value).endswith("a list of them, or text with one per line.")
