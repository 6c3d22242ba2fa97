"""Scale benchmark (run by ``make bench`` through ``benchmarks/run.py``; ``python benchmarks/scale.py`` alone).

The largest hub-and-spoke the documents allow around one VPN gateway:

* a hub VNet peered with 500 spokes (500 peerings per VNet: networking limits, 2022-12-05, read from
  ``vnetlab/data/peering.yaml``), every spoke using the hub's gateway through gateway transit;
* a VpnGw2AZ gateway in the hub with BGP, and a Site-to-Site connection with BGP to an on-premises site whose
  local network gateway advertises 1,000 prefixes (1,000 prefixes per LNG; 4,000 aggregate BGP routes per
  VPN gateway: VPN Gateway limits, azure-facts.md §2.5), so every subnet gets 1,000 gateway routes.

Measured: effective routes of every subnet (goal: all of them within 1 s), 10,000 traces from random VMs
to on-premises, VM, other-spoke and internet addresses (goal p95 <= 5 ms, routes already computed), and the
route lookup against a naive linear-scan longest-prefix match over the same tables and the same
destinations, in the same process (goal: the index at least 10x faster). Figures only, no timed asserts.
``tests/test_scale_scenarios.py`` checks that this network's routes are right.
"""
from __future__ import annotations

import gc
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from netaddr import IPAddress  # noqa: E402

import vnetlab as vl  # noqa: E402
from vnetlab.facts import fact  # noqa: E402

ONPREM_PREFIXES = 1_000  # advertised over BGP; the LNG limit is 1,000 prefixes (azure-facts.md §2.5)
HUB_ASN, SITE_ASN = 65010, 65020  # private ASNs outside Azure's reserved ones (VPN FAQ, azure-facts.md §2.6)
TRACES = 10_000
GOALS = {"routes_s": 1.0, "trace_p95_ms": 5.0, "lookup_ratio": 10.0}


def spoke_name(i: int) -> str:
    return f"spoke{i:03d}"


def spoke_range(i: int) -> str:
    """Spoke ``i`` (1-based) gets a /24 of 10.1.0.0 upwards: 10.1.0.0/24, 10.1.1.0/24, ... 10.2.243.0/24."""
    return f"10.{1 + (i - 1) // 256}.{(i - 1) % 256}.0/24"


def onprem_prefixes(count: int = ONPREM_PREFIXES) -> list[str]:
    """``count`` /24s of on-premises space in 172.16.0.0/12, none overlapping a VNet."""
    return [f"172.{16 + i // 256}.{i % 256}.0/24" for i in range(count)]


def build_scale_network(spokes: int | None = None, prefixes: int = ONPREM_PREFIXES) -> vl.Network:
    """The hub with ``spokes`` transit spokes (default: Azure's peering limit) and a BGP site advertising
    ``prefixes`` prefixes."""
    spokes = int(fact("peering", "peerings_per_vnet").value) if spokes is None else spokes
    net = vl.Network("scale", f"hub, {spokes} transit spokes, a BGP site advertising {prefixes} prefixes")
    hub = net.add_vnet("hub", ["10.0.0.0/16"], region="westeurope")
    hub.add_subnet("GatewaySubnet", "10.0.255.0/27")
    hub.add_subnet("shared", "10.0.1.0/24").add_nic("vm-hub")
    net.add_vpn_gateway("hub", "VpnGw2AZ", bgp_asn=HUB_ASN)
    net.add_local_network_gateway("onprem", "203.0.113.20", [], bgp_asn=SITE_ASN, bgp_peer_ip="192.168.255.1",
                                  advertised=onprem_prefixes(prefixes))
    net.connect("hub", "onprem", kind="IPsec", enable_bgp=True)
    for i in range(1, spokes + 1):
        name = spoke_name(i)
        rng = spoke_range(i)
        net.add_vnet(name, [rng], region="westeurope").add_subnet("app", rng.replace(".0/24", ".0/26")) \
            .add_nic(f"vm-{name}")
        net.peer("hub", name, allow_gateway_transit="hub", use_remote_gateways=name)
    return net


def linear_lpm(spans: list[tuple[int, int, int, object]], value: int):
    """Naive longest-prefix match: look at every Active route, keep the longest that contains the address."""
    best, best_len = None, -1
    for first, last, length, route in spans:
        if first <= value <= last and length > best_len:
            best, best_len = route, length
    return best


def trace_queries(net: vl.Network, count: int = TRACES, seed: int = 5) -> list[tuple[str, str]]:
    """(source NIC, destination) pairs: 40% on-premises, 20% a VM, 20% elsewhere in 10/8 (other spokes' space),
    20% anywhere (mostly the internet)."""
    rng = random.Random(seed)
    nics = net.nics
    site = onprem_prefixes()
    out = []
    for _ in range(count):
        r = rng.random()
        if r < 0.4:
            block = vl.parse_prefix(rng.choice(site))
            dst = str(block[rng.randrange(1, block.size - 1)])
        elif r < 0.6:
            dst = str(rng.choice(nics).ip)
        elif r < 0.8:
            dst = f"10.{rng.randrange(1, 3)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        else:
            dst = f"{rng.randrange(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        out.append((rng.choice(nics).name, dst))
    return out


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED GOAL"


def bench_scale(spokes: int | None = None) -> dict:
    start = time.perf_counter()
    net = build_scale_network(spokes)
    build_s = time.perf_counter() - start
    subnets = [(v.name, s.name) for v in net.vnets.values() for s in v.subnets.values()]
    gc.collect()
    start = time.perf_counter()
    tables = {key: net.effective_routes(*key) for key in subnets}
    routes_s = time.perf_counter() - start
    spoke = tables[(spoke_name(1), "app")]
    print(f"  built {len(net.vnets)} VNets, {len(net.peering_links) // 2} peerings, {len(net.nics)} VMs in "
          f"{build_s:.2f} s; a spoke has {len(spoke)} routes, the hub {len(tables[('hub', 'shared')])}")
    print(f"  effective routes of all {len(subnets)} subnets: {routes_s:6.2f} s "
          f"({routes_s / len(subnets) * 1000:.1f} ms a subnet; {_verdict(routes_s <= GOALS['routes_s'])}, "
          f"goal <= {GOALS['routes_s']:g} s)")

    queries = trace_queries(net)
    samples = []
    verdicts: dict[str, int] = {}
    for src, dst in queries:
        t0 = time.perf_counter()
        t = net.trace(src, dst)
        samples.append((time.perf_counter() - t0) * 1000)
        verdicts[t.verdict] = verdicts.get(t.verdict, 0) + 1
    p50 = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20, method="inclusive")[18]
    print(f"  {len(queries):,} traces (routes already computed): p50 {p50:.2f} ms  p95 {p95:.2f} ms  max "
          f"{max(samples):.1f} ms ({_verdict(p95 <= GOALS['trace_p95_ms'])}, goal p95 <= {GOALS['trace_p95_ms']:g} ms)"
          f" | verdicts {dict(sorted(verdicts.items()))}")

    # the same (source subnet, destination) pairs, looked up in the index and by a linear scan of the same table
    pairs = []
    spans_of: dict[tuple[str, str], list] = {}
    for src, dst in queries:
        nic = net.nic(src)
        key = (nic.vnet.name, nic.subnet.name)
        if key not in spans_of:
            spans_of[key] = [(r.network.first, r.network.last, r.network.prefixlen, r) for r in tables[key].active]
        pairs.append((tables[key], spans_of[key], dst))
    t0 = time.perf_counter()
    values = [int(IPAddress(dst)) for _, _, dst in pairs]  # both methods take the address parsed once, the same way
    parse_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    indexed = [table.lookup(v) for (table, _, _), v in zip(pairs, values)]
    indexed_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    naive = [linear_lpm(spans, v) for (_, spans, _), v in zip(pairs, values)]
    naive_ms = (time.perf_counter() - t0) * 1000
    same = all(a is b for a, b in zip(indexed, naive))
    ratio = naive_ms / indexed_ms
    with_parse = (naive_ms + parse_ms) / (indexed_ms + parse_ms)
    per = 1000 / len(pairs)
    print(f"  route lookup, same {len(pairs):,} destinations and tables (~{len(spoke.active)} active routes each): "
          f"index {indexed_ms * per:.2f} µs | linear scan {naive_ms * per:.1f} µs | ratio x{ratio:.0f} "
          f"({_verdict(ratio >= GOALS['lookup_ratio'])}, goal >= x{GOALS['lookup_ratio']:g}) | same answers: {same}")
    print(f"    counting the text-to-address parse both need ({parse_ms * per:.2f} µs, netaddr): ratio x{with_parse:.1f}")
    return {"routes_s": routes_s, "trace_p50_ms": p50, "trace_p95_ms": p95, "lookup_ratio": ratio,
            "lookup_ratio_with_parse": with_parse, "same": same}


if __name__ == "__main__":
    print("scale: hub with transit spokes, BGP site with 1,000 prefixes")
    bench_scale()
