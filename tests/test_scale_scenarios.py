"""The scale benchmark's network routes correctly (no timing here: speed is measured by ``make bench``).

A hub with 500 transit spokes (500 peerings per VNet: networking limits, azure-facts.md §6.5) and a VpnGw2AZ
gateway with BGP to a site advertising 1,000 prefixes (1,000 prefixes per LNG, 4,000 aggregate BGP routes per
gateway: §2.5). Expected routes are written out from the documents, not taken from the engine: every subnet
gets its VNet's range (VnetLocal), its peers' ranges (VNetPeering), the default routes (§7.1), and through
the gateway (its own, or the hub's via transit: §6.2, §7.2) the site's 1,000 prefixes → VirtualNetworkGateway;
spokes get no route to each other (peering is not transitive, §6.3).
"""
from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest
from netaddr import IPAddress, IPNetwork

import vnetlab as vl
from vnetlab.facts import fact

SPEC = importlib.util.spec_from_file_location("scale", Path(__file__).resolve().parents[1] / "benchmarks" / "scale.py")
scale = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(scale)

SPOKES = 500          # peerings per VNet (§6.5)
PREFIXES = 1_000      # prefixes per LNG (§2.5)
BGP_ROUTE_LIMIT = 4_000  # aggregate BGP routes per VPN gateway (§2.5)
DEFAULTS = {("0.0.0.0/0", "Internet"), ("10.0.0.0/8", "None"), ("172.16.0.0/12", "None"),
            ("192.168.0.0/16", "None"), ("100.64.0.0/10", "None")}  # §7.1


@pytest.fixture(scope="module")
def big() -> vl.Network:
    return scale.build_scale_network()


def expected_active(net: vl.Network, vnet: str) -> set[tuple[str, str, str]]:
    """(prefix, next hop type, source) of every Active route a subnet of ``vnet`` should have, by the documents."""
    v = net.vnet(vnet)
    own = {(str(r), "VnetLocal", "Default") for r in v.address_space}
    peers = {(str(r), "VNetPeering", "Default") for link in v.peerings.values() for r in link.remote.address_space}
    covered = [IPNetwork(p) for p, _, _ in own | peers]
    # a default None route equal to or inside a VNet/peer range is replaced or removed (§7.1); none is here
    defaults = {(p, hop, "Default") for p, hop in DEFAULTS if not any(IPNetwork(p) in c for c in covered)}
    site = {(p, "VirtualNetworkGateway", "VirtualNetworkGateway") for p in scale.onprem_prefixes(PREFIXES)}
    return own | peers | defaults | site


def active(routes: vl.EffectiveRoutes) -> set[tuple[str, str, str]]:
    return {(r.prefix, r.next_hop_type, r.source) for r in routes.active}


def test_the_network_is_at_the_documented_limits(big):
    assert len(big.vnet("hub").peerings) == SPOKES == int(fact("peering", "peerings_per_vnet").value)
    (site,) = big.local_gateways.values()
    assert len(site.advertised) == PREFIXES <= BGP_ROUTE_LIMIT
    assert all(link.connected and link.settings.allow_gateway_transit for link in big.vnet("hub").peerings.values())


@pytest.mark.parametrize("i", [1, 2, 256, 257, 433, 500])
def test_a_spoke_has_its_range_the_hub_the_defaults_and_1000_gateway_routes(big, i):
    name = scale.spoke_name(i)
    routes = big.effective_routes(name, "app")
    assert active(routes) == expected_active(big, name)
    gateway = [r for r in routes.active if r.source == "VirtualNetworkGateway"]
    assert len(gateway) == PREFIXES
    assert {r.next_hop_ip for r in gateway} == {big.gateway("hub").instance_ips}  # the hub's gateway (transit)
    assert [r.prefix for r in routes.active if r.next_hop_type == "VNetPeering"] == ["10.0.0.0/16"]
    assert not [r for r in routes if r.state == "Invalid"]


def test_the_hub_has_500_peering_routes_and_the_site(big):
    routes = big.effective_routes("hub", "shared")
    assert active(routes) == expected_active(big, "hub")
    assert len([r for r in routes.active if r.next_hop_type == "VNetPeering"]) == SPOKES


def test_lookups_and_traces_agree_with_a_brute_force_longest_prefix_match(big):
    rng = random.Random(3)
    names = [scale.spoke_name(i) for i in rng.sample(range(1, SPOKES + 1), 5)]
    for name in names:
        routes = big.effective_routes(name, "app")
        table = [(IPNetwork(r.prefix), r) for r in routes.active]
        for src, dst in scale.trace_queries(big, count=60, seed=rng.randrange(1000)):
            best = max((n for n in table if IPAddress(dst) in n[0]), key=lambda n: n[0].prefixlen)[1]
            assert routes.lookup(dst) is best, (name, dst)
        vm = f"vm-{name}"
        site = scale.onprem_prefixes(PREFIXES)[rng.randrange(PREFIXES)].replace(".0/24", ".77")
        t = big.trace(vm, site)
        assert t.reachable and [h.action for h in t.hops][-2:] == ["to gateway", "IPsec tunnel"]  # S1, at scale
        other = next(n for n in big.vnets if n.startswith("spoke") and n != name)
        t = big.trace(vm, str(big.vnet(other).nics[0].ip))
        assert t.verdict == "Dropped" and "not transitive" in t.reason  # S2, at scale


def test_cached_gateway_routes_follow_changes_to_the_site_and_the_connection():
    net = scale.build_scale_network(spokes=20, prefixes=50)
    before = net.effective_routes("spoke003", "app")
    assert len([r for r in before.active if r.source == "VirtualNetworkGateway"]) == 50
    net.set_local_network_gateway_prefixes("onprem", ["192.168.10.0/24"])  # a static prefix next to BGP (§2.6)
    for name in ("spoke003", "spoke017", "hub"):
        found = net.effective_routes(name, "app" if name != "hub" else "shared").find("192.168.10.0/24")
        assert [(r.next_hop_type, r.state) for r in found] == [("VirtualNetworkGateway", "Active")]
    net.remove_connection("hub", "hub-to-onprem")
    for name in ("spoke003", "spoke017"):
        assert not [r for r in net.effective_routes(name, "app") if r.source == "VirtualNetworkGateway"]
    net.set_peering("spoke017", "hub", use_remote_gateways=False)
    net.connect("hub", "onprem", kind="IPsec", enable_bgp=True)
    assert len([r for r in net.effective_routes("spoke003", "app").active if r.source == "VirtualNetworkGateway"]) == 51
    assert not [r for r in net.effective_routes("spoke017", "app") if r.source == "VirtualNetworkGateway"]


# --- the enterprise at Azure's limits (benchmarks/scale.py build_enterprise) ------------------------------------------
@pytest.fixture(scope="module")
def enterprise() -> vl.Network:
    return scale.build_enterprise()


def test_enterprise_hubs_are_at_the_limits_and_route_by_the_documents(enterprise):
    hubs = [enterprise.vnet(f"hub{h}") for h in range(4)]
    assert all(len(h.peerings) == SPOKES for h in hubs)  # 500 peerings per VNet (§6.5): 497 spokes and 3 hubs
    for h, hub in enumerate(hubs):
        (site,) = [c.remote for c in hub.gateway.connections.values()]
        assert len(site.advertised) == BGP_ROUTE_LIMIT  # the per-gateway maximum (§2.5)
    rng = random.Random(13)
    for h in rng.sample(range(4), 2):
        spoke = enterprise.vnet(f"s{h}-{rng.randrange(1, 498):03d}")
        table = enterprise.effective_routes(spoke.name, "app")
        own_site = {str(p) for p in enterprise.local_gateways[f"site{h}"].advertised}
        gateway = {r.prefix for r in table.active if r.next_hop_type == "VirtualNetworkGateway"}
        assert gateway == own_site  # transit: its hub's gateway routes only (§6.2, §7.2)
        other = (h + 1) % 4
        # peering is not transitive (§6.3): no route to another hub, nor to a spoke of its own hub
        assert table.lookup(f"10.{other * 8}.1.4").next_hop_type == "None"
        assert table.lookup(f"10.{h * 8 + 1}.200.4").next_hop_type in ("None", "VnetLocal")
        assert table.lookup(f"10.{h * 8}.1.4").next_hop_type == "VNetPeering"
        hub_table = enterprise.effective_routes(f"hub{h}", "shared")
        assert hub_table.lookup(f"10.{other * 8}.1.4").next_hop_type == "VNetGlobalPeering"  # regions differ (§3)
        assert hub_table.lookup(f"10.{other * 8 + 1}.0.4").next_hop_type == "None"  # the other hub's spoke: no
        site_ip = next(iter(own_site)).replace("/26", "").rsplit(".", 1)[0] + ".9"
        t = enterprise.trace(f"vm-{spoke.name}", site_ip)
        assert t.next_hop_type == "VirtualNetworkGateway"
