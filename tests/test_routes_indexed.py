"""The indexed effective routes answer exactly as the fully listed table (issue 13).

``net.effective_routes`` keeps a subnet's own routes (VNet ranges, default routes, peerings, user-defined routes)
in a small overlay and shares the gateway's learned routes between every subnet using that gateway. Whatever the
network, a learner must see no difference: for random hub/spoke/site networks (global peering between hubs,
gateway transit or not, BGP sites advertising prefixes that equal, contain or sit inside VNet, peering and default
ranges, route tables with user routes or gateway propagation off), every subnet's lookup answers what a
longest-prefix match over the Active rows of the full table answers, and the rows are the rows of the table
selected in one piece (:func:`vnetlab.routes.materialise`).
"""
from hypothesis import HealthCheck, given, settings, strategies as st

import vnetlab as vl
from vnetlab.errors import VnetlabError
from vnetlab.routes import materialise, span

# Prefixes chosen to collide: the RFC 1918 / RFC 6598 ranges and 0/0 (default routes), the VNets' own ranges
# (hubs 10.h.0.0/16, spokes 10.(100+s).0.0/16), ranges inside and around them, and on-premises space.
VNET_RELATED = ["10.0.0.0/16", "10.1.0.0/16", "10.100.0.0/16", "10.101.0.0/16", "10.102.0.0/16",
                "10.100.1.0/24", "10.101.7.0/24", "10.0.5.0/24", "10.100.0.0/15", "10.0.0.0/15", "10.96.0.0/11",
                "10.0.0.0/8", "0.0.0.0/0", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "0.0.0.0/1",
                "172.16.4.0/24", "172.16.4.128/25", "192.168.10.0/24", "100.64.1.0/24", "8.8.8.0/24"]
prefix = st.sampled_from(VNET_RELATED)
HOPS = ["VirtualAppliance", "VirtualNetworkGateway", "None", "VnetLocal", "Internet"]


@st.composite
def networks(draw):
    net = vl.Network("random")
    hubs = draw(st.integers(1, 2))
    for h in range(hubs):
        hub = net.add_vnet(f"hub{h}", [f"10.{h}.0.0/16"], region=["westeurope", "northeurope"][h])
        hub.add_subnet("app", f"10.{h}.1.0/24").add_nic(f"vm-hub{h}", f"10.{h}.1.4")
        hub.add_subnet("GatewaySubnet", f"10.{h}.255.0/27")
        if draw(st.booleans()):
            net.add_vpn_gateway(f"hub{h}", "VpnGw2AZ", bgp_asn=65010 + h)
    if hubs == 2 and draw(st.booleans()):
        net.peer("hub0", "hub1")  # global peering between the regional hubs
    if hubs == 2 and net.vnets["hub0"].gateway and net.vnets["hub1"].gateway and draw(st.booleans()):
        net.connect("hub0", "hub1", "Vnet2Vnet", enable_bgp=draw(st.booleans()))
    for s in range(draw(st.integers(0, 3))):
        name = f"spoke{s}"
        spoke = net.add_vnet(name, [f"10.{100 + s}.0.0/16"], region="westeurope")
        spoke.add_subnet("app", f"10.{100 + s}.1.0/24").add_nic(f"vm-{name}", f"10.{100 + s}.1.4")
        hub = f"hub{draw(st.integers(0, hubs - 1))}"
        transit = draw(st.booleans()) and net.vnets[hub].gateway is not None
        net.peer(hub, name, **({"allow_gateway_transit": hub, "use_remote_gateways": name} if transit else {}))
    for i, h in enumerate(v for v in net.vnets if v.startswith("hub") and net.vnets[v].gateway):
        advertised = draw(st.lists(prefix, max_size=8, unique=True))
        static = draw(st.lists(prefix, max_size=3, unique=True))
        try:
            net.add_local_network_gateway(f"site{i}", f"203.0.113.{20 + i}", static, bgp_asn=65100 + i,
                                          bgp_peer_ip=f"192.168.255.{1 + i}", advertised=advertised)
            net.connect(h, f"site{i}", kind="IPsec", enable_bgp=draw(st.booleans()))
        except VnetlabError:
            pass  # a site the rules refuse (e.g. static prefixes overlapping the VNet): the network goes without
    for v in list(net.vnets):
        if draw(st.integers(0, 2)) == 0:
            table = f"rt-{v}"
            net.add_route_table(table, disable_bgp_route_propagation=draw(st.booleans()))
            for k, p in enumerate(draw(st.lists(prefix, max_size=4, unique=True))):
                hop = draw(st.sampled_from(HOPS))
                try:
                    net.add_route(table, f"r{k}", p, hop, "10.0.1.10" if hop == "VirtualAppliance" else None)
                except VnetlabError:
                    pass
            net.associate_route_table(v, "app", table)
    return net


def probes(table) -> list[int]:
    """Addresses at the edges and middle of every prefix in the table, and just outside them."""
    out = set()
    for r in table.routes:
        first, last, _ = span(r.prefix)
        out.update({first, last, (first + last) // 2, max(first - 1, 0), min(last + 1, 2 ** 32 - 1)})
    return sorted(out)


def linear(table, value: int):
    """Longest Active prefix containing ``value``, by looking at every row (the definition)."""
    best = None
    for r in table.routes:
        first, last, length = span(r.prefix)
        if r.state == "Active" and first <= value <= last and (best is None or length > span(best.prefix)[2]):
            best = r
    return best


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_indexed_answers_equal_the_full_table(net):
    for v in net.vnets.values():
        for s in v.subnets.values():
            indexed = net.effective_routes(v.name, s.name)
            full = materialise(v, s)
            for value in probes(full):
                expected = linear(full, value)
                assert indexed.lookup(value) == expected, (v.name, s.name, value)
                assert full.lookup(value) == expected
            assert indexed.routes == full.routes
            assert indexed.rows() == full.rows() and str(indexed) == str(full)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.lists(st.integers(0, 2 ** 32 - 1), min_size=1, max_size=30))
def test_text_int_and_ipaddress_lookups_agree(net, values):
    for v in net.vnets.values():
        for s in v.subnets.values():
            table = net.effective_routes(v.name, s.name)
            for value in values:
                address = vl.parse_address(".".join(str(value >> k & 255) for k in (24, 16, 8, 0)))
                assert table.lookup(str(address)) == table.lookup(address) == table.lookup(value)


# --- where a trace starts: the per-version indexes answer as scanning every VNet ------------------------------------
@st.composite
def overlapping_vnets(draw):
    """Unconnected VNets that may overlap (allowed: that is what NAT is for), each with subnets and NICs."""
    net = vl.Network("overlaps")
    spaces = ["10.0.0.0/16", "10.0.0.0/8", "10.0.1.0/24", "192.168.0.0/16", "10.1.0.0/16", "172.16.0.0/12"]
    for i in range(draw(st.integers(1, 5))):
        space = draw(st.sampled_from(spaces))
        v = net.add_vnet(f"v{i}", [space], region="westeurope")
        first, _, length = span(space)
        for k in range(draw(st.integers(0, 2 if length <= 23 else 1))):
            base = first + k * 256
            prefix = f"{base >> 24}.{base >> 16 & 255}.{base >> 8 & 255}.0/24"
            v.add_subnet(f"s{k}", prefix).add_nic(f"nic{i}-{k}")
    return net


def scan_locate(net, address):
    places = [(v, s) for v in net.vnets.values() for s in v.subnets.values() if address in s.prefix]
    if len(places) != 1:
        return len(places)  # 0: not found; 2+: ambiguous (an error)
    v, s = places[0]
    return v, s, next((n for n in s.nics.values() if n.ip == address), None)


@settings(max_examples=80, deadline=None)
@given(overlapping_vnets(), st.lists(st.sampled_from(["10.0.0.4", "10.0.1.4", "10.0.1.5", "10.1.0.4", "10.0.0.0",
                                                      "192.168.0.4", "172.16.0.4", "8.8.8.8"]), min_size=1))
def test_locate_and_owner_indexes_answer_as_the_scan(net, addresses):
    from vnetlab.errors import TraceError
    from vnetlab.trace import _other_owner

    for text in addresses:
        address = vl.parse_address(text)
        expected = scan_locate(net, address)
        if expected == 0:
            assert net.locate(text) is None
        elif isinstance(expected, int):
            try:
                net.locate(text)
                raise AssertionError("an address in several overlapping subnets must be refused")
            except TraceError as err:
                assert "several overlapping VNets" in str(err)
        else:
            assert net.locate(text) == expected
        for vnet in net.vnets.values():
            owner = next((v for v in net.vnets.values() if v is not vnet and v.contains(address)), None)
            assert _other_owner(net, vnet, address) is owner
    for nic in (n for v in net.vnets.values() for n in v.nics):
        assert net.locate(nic.name) == (nic.vnet, nic.subnet, nic) and net.nic(nic.name) is nic


# --- text addresses: the fast path takes exactly the strict dotted quads, with netaddr's value -----------------------
@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 300).map(str), st.sampled_from(["00", "01", "007", "", "a", "1e1", "٣", " 1"])),
                min_size=1, max_size=6).map(".".join))
def test_text_fast_path_takes_exactly_the_strict_quads(text):
    from netaddr import IPAddress
    from vnetlab.errors import VnetlabError
    from vnetlab.routes import quad_value

    try:
        strict = int(vl.parse_address(text))  # the course's rule: four octets 0-255, no leading zeros
    except VnetlabError:
        strict = None
    assert quad_value(text) == strict
    if strict is not None:
        assert int(IPAddress(text)) == strict
