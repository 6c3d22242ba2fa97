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
