"""Scale benchmark (run by ``make bench`` through ``benchmarks/run.py``; ``python benchmarks/scale.py`` alone).

Every figure is printed beside a baseline measured in the same run, as a ratio:

* **enterprise at Azure's limits**: 4 regional hubs, globally peered with each other, each with as many transit
  spokes as its 500 peerings allow (500 peerings per VNet: networking limits, 2022-12-05, read from
  ``vnetlab/data/peering.yaml``; 497 spokes + 3 hubs) and a VpnGw2AZ gateway learning 4,000 prefixes over BGP from
  its site (the per-gateway maximum, ``routing.yaml`` ``bgp_prefix_limit``). Effective routes of every subnet
  "ready" (``net.effective_routes``: lookup works; goal <= 1 s, memory O(N + P)) and "all rows materialised"
  (``.routes`` of every table, as a learner displaying every table would), against the baseline of selecting every
  table in full at once (``vnetlab.routes.materialise``, what ``compute`` did before issue 13). Memory is the
  tracemalloc peak. Traces (goal p95 <= 1 ms) against the scans of every VNet used before issue 13 (kept here
  in :func:`legacy_scans`, the baseline).
* **scaling curve**: hub + N transit spokes with a BGP site advertising 1,000 prefixes, N = 100 ... 5,000 (the
  peering limit lifted in this benchmark only), with the fitted log-log exponent (goal <= 1.2) and the largest N
  whose effective routes stay under 1 s; and P = 500 ... 4,000 prefixes at N = 500.
* **lookup**: a spoke's table on text addresses, against pytricia (a C radix tree; ``pip install .[bench]``) on
  the same strings, against the former netaddr parse, and against a linear scan. Figures only, no timed asserts.

``tests/test_scale_scenarios.py`` checks that these networks' routes are right; ``tests/test_routes_indexed.py``
that the indexed tables answer as the materialised ones.
"""
from __future__ import annotations

import gc
import math
import random
import statistics
import sys
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from netaddr import IPAddress  # noqa: E402

import vnetlab as vl  # noqa: E402
from vnetlab import network as network_mod, peering as peering_mod, routes as routes_mod, trace as trace_mod  # noqa: E402
from vnetlab.errors import NotFoundError, TraceError  # noqa: E402
from vnetlab.facts import Fact, fact  # noqa: E402

ONPREM_PREFIXES = 1_000  # advertised over BGP; the LNG limit is 1,000 prefixes (azure-facts.md §2.5)
HUB_ASN, SITE_ASN = 65010, 65020  # private ASNs outside Azure's reserved ones (VPN FAQ, azure-facts.md §2.6)
TRACES = 2_000
GOALS = {"routes_s": 1.0, "trace_p95_ms": 1.0, "lookup_ratio": 10.0, "exponent": 1.2, "pytricia_ratio": 2.0}
ENTERPRISE_HUBS = 4
ENTERPRISE_REGIONS = ("westeurope", "northeurope", "eastus", "westus2")
CURVE = (100, 200, 500, 1_000, 2_000, 5_000)  # VNets (spokes) on the scaling curve
CURVE_BASELINE_MAX = 500  # the baseline is measured up to here (enough points for its exponent)
PREFIX_CURVE = (500, 1_000, 2_000, 4_000)
LOOKUP_ROUNDS = 7
BASELINE_EVERY = 10  # enterprise baseline: every tenth subnet measured


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
    grow(net, spokes)
    return net


def grow(net: vl.Network, spokes: int, hub: str = "hub") -> None:
    """Add transit spokes to ``hub`` until it has ``spokes`` of them (spoke i gets :func:`spoke_range` (i))."""
    have = sum(1 for name in net.vnets if name.startswith("spoke"))
    for i in range(have + 1, spokes + 1):
        name = spoke_name(i)
        rng = spoke_range(i)
        net.add_vnet(name, [rng], region="westeurope").add_subnet("app", rng.replace(".0/24", ".0/26")) \
            .add_nic(f"vm-{name}")
        net.peer(hub, name, allow_gateway_transit=hub, use_remote_gateways=name)


def site_prefixes(count: int, offset: int = 0) -> list[str]:
    """``count`` /26s of on-premises space in 172.16.0.0/12 from the ``offset``-th on (16,384 in all)."""
    base = 172 << 24 | 16 << 16
    out = []
    for i in range(offset, offset + count):
        v = base + i * 64
        out.append(f"{v >> 24}.{v >> 16 & 255}.{v >> 8 & 255}.{v & 255}/26")
    return out


def build_enterprise(hubs: int = ENTERPRISE_HUBS, prefixes: int | None = None) -> vl.Network:
    """Regional hubs globally peered with each other, each with as many transit spokes as its peerings allow and
    a gateway learning ``prefixes`` (default: the BGP limit) from its own site."""
    limit = int(fact("peering", "peerings_per_vnet").value)
    prefixes = int(routes_mod.bgp_prefix_limit().value) if prefixes is None else prefixes
    spokes = limit - (hubs - 1)
    net = vl.Network("enterprise", f"{hubs} hubs x {spokes} transit spokes, {prefixes} BGP prefixes per gateway")
    for h in range(hubs):
        hub = f"hub{h}"
        net.add_vnet(hub, [f"10.{h * 8}.0.0/16"], region=ENTERPRISE_REGIONS[h % len(ENTERPRISE_REGIONS)])
        net.vnets[hub].add_subnet("GatewaySubnet", f"10.{h * 8}.255.0/27")
        net.vnets[hub].add_subnet("shared", f"10.{h * 8}.1.0/24").add_nic(f"vm-{hub}")
        net.add_vpn_gateway(hub, "VpnGw2AZ", bgp_asn=HUB_ASN + h)
        net.add_local_network_gateway(f"site{h}", f"203.0.113.{20 + h}", [], bgp_asn=SITE_ASN + h,
                                      bgp_peer_ip=f"192.168.255.{1 + h}", advertised=site_prefixes(prefixes, h * prefixes))
        net.connect(hub, f"site{h}", kind="IPsec", enable_bgp=True)
        for other in range(h):
            net.peer(f"hub{other}", hub)  # global peering between the regional hubs
    for h in range(hubs):
        region = ENTERPRISE_REGIONS[h % len(ENTERPRISE_REGIONS)]
        for i in range(1, spokes + 1):
            name = f"s{h}-{i:03d}"
            rng = f"10.{h * 8 + 1 + (i - 1) // 256}.{(i - 1) % 256}.0/24"
            net.add_vnet(name, [rng], region=region).add_subnet("app", rng.replace(".0/24", ".0/26")).add_nic(f"vm-{name}")
            net.peer(f"hub{h}", name, allow_gateway_transit=f"hub{h}", use_remote_gateways=name)
    return net


@contextmanager
def peering_limit_lifted(limit: int = 1_000_000):
    """The peering limit raised for the scaling curve only (Azure allows 500 per VNet)."""
    real = peering_mod.fact

    def lifted(book: str, key: str) -> Fact:
        found = real(book, key)
        if (book, key) == ("peering", "peerings_per_vnet"):
            return Fact(key=key, value=limit, source=found.source, as_of=found.as_of, note="lifted in the benchmark")
        return found
    peering_mod.fact = lifted
    try:
        yield
    finally:
        peering_mod.fact = real


@contextmanager
def legacy_scans():
    """The baseline for traces: where a trace starts and which VNet owns the destination found by scanning every
    VNet, as before issue 13 (``Network.locate``, ``Network.nic``, ``Network.gateways``, ``trace._other_owner``)."""
    net_cls = network_mod.Network
    saved = (net_cls.locate, net_cls.nic, net_cls.gateways, trace_mod._other_owner)

    def nic(self, name):
        found = next((n for n in self.nics if n.name == name), None)
        if found is None:
            raise NotFoundError(f"No NIC named {name!r}.", value=name, rule="NIC must exist")
        return found

    def locate(self, source):
        if isinstance(source, str) and any(n.name == source for n in self.nics):
            found = self.nic(source)
            return found.vnet, found.subnet, found
        address = vl.parse_address(source, what="source address")
        places = [(v, s) for v in self.vnets.values() for s in v.subnets.values() if address in s.prefix]
        if len(places) != 1:
            if places:
                raise TraceError("ambiguous", value=str(address), rule="overlapping VNets make an address ambiguous")
            return None
        vnet, subnet = places[0]
        return vnet, subnet, next((n for n in subnet.nics.values() if n.ip == address), None)

    def other_owner(network, vnet, d):
        return next((v for v in network.vnets.values() if v is not vnet and v.contains(d)), None)

    net_cls.locate, net_cls.nic, trace_mod._other_owner = locate, nic, other_owner
    net_cls.gateways = property(lambda self: [v.gateway for v in self.vnets.values() if v.gateway is not None])
    try:
        yield
    finally:
        net_cls.locate, net_cls.nic, net_cls.gateways, trace_mod._other_owner = saved




def linear_lpm(spans: list[tuple[int, int, int, object]], value: int):
    """Naive longest-prefix match: look at every Active route, keep the longest that contains the address."""
    best, best_len = None, -1
    for first, last, length, route in spans:
        if first <= value <= last and length > best_len:
            best, best_len = route, length
    return best


def trace_queries(net: vl.Network, count: int = TRACES, seed: int = 5,
                  site: list[str] | None = None) -> list[tuple[str, str]]:
    """(source NIC, destination) pairs: 40% on-premises, 20% a VM, 20% elsewhere in 10/8 (other spokes' space),
    20% anywhere (mostly the internet)."""
    rng = random.Random(seed)
    nics = net.nics
    site = onprem_prefixes() if site is None else site
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


def subnets_of(net: vl.Network) -> list:
    return [(v, s) for v in net.vnets.values() for s in v.subnets.values()]


def ready(net: vl.Network) -> list:
    """Every subnet's effective routes as a user gets them (``net.effective_routes``), from a fresh version."""
    net._touch()  # a new version: nothing memoised survives, the gateways' shared indexes included
    return [net.effective_routes(v.name, s.name) for v, s in subnets_of(net)]


def baseline(net: vl.Network, keep: bool = False) -> list:
    """The baseline: every table selected in full, with its index over every Active row (before issue 13)."""
    net._touch()
    tables = []
    for v, s in subnets_of(net):
        table = routes_mod.materialise(v, s)
        if keep:
            tables.append(table)
    return tables


def seconds(fn, repeat: int = 1) -> tuple[float, float]:
    """(best, median) wall time of ``fn()`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def peak_bytes(fn) -> int:
    """tracemalloc peak while ``fn()`` runs, its result kept alive until measured."""
    gc.collect()
    tracemalloc.start()
    try:
        kept = fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del kept
    return peak


def exponent(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of log(time) against log(size)."""
    xs, ys = [math.log(x) for x, _ in points], [math.log(y) for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def trace_p95(net: vl.Network, queries: list[tuple[str, str]]) -> tuple[float, float, dict]:
    """(p50, p95) of ``net.trace`` in ms over ``queries``, routes already computed, and the verdict counts."""
    samples, verdicts = [], {}
    for src, dst in queries:
        t0 = time.perf_counter()
        t = net.trace(src, dst)
        samples.append((time.perf_counter() - t0) * 1000)
        verdicts[t.verdict] = verdicts.get(t.verdict, 0) + 1
    return statistics.median(samples), statistics.quantiles(samples, n=20, method="inclusive")[18], verdicts


def mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def bench_enterprise() -> dict:
    t0 = time.perf_counter()
    net = build_enterprise()
    subnets = subnets_of(net)
    prefixes = int(routes_mod.bgp_prefix_limit().value)
    hubs = [v for v in net.vnets.values() if v.name.startswith("hub")]
    print(f"  built {len(net.vnets):,} VNets ({len(hubs)} hubs, {len(hubs[0].peerings)} peerings each), "
          f"{len(subnets):,} subnets, {prefixes:,} BGP prefixes per gateway in {time.perf_counter() - t0:.1f} s")
    best, median = seconds(lambda: ready(net), repeat=3)
    tables = ready(net)
    rows_s, _ = seconds(lambda: [t.routes for t in tables])
    rows = sum(len(t.routes) for t in tables)
    # The baseline selects ~4,000 rows per subnet: measured on every tenth subnet (hubs and spokes alike), scaled up
    sample = subnets[::BASELINE_EVERY]
    scale_up = len(subnets) / len(sample)
    net._touch()
    sample_s, _ = seconds(lambda: [routes_mod.materialise(v, s) for v, s in sample])
    base_s = sample_s * scale_up
    print(f"  effective routes of all {len(subnets):,} subnets, ready for lookup: best {best:.2f} s, median "
          f"{median:.2f} s ({_verdict(best <= GOALS['routes_s'])}, goal <= {GOALS['routes_s']:g} s) | baseline (every "
          f"table selected in full, {rows:,} rows) {base_s:.1f} s (EXTRAPOLATED x{scale_up:.0f} from {len(sample)} "
          f"subnets measured: {sample_s:.2f} s) | ratio x{base_s / best:.0f}")
    print(f"  then all {rows:,} rows put together (.routes of every table, as displaying them all would): "
          f"{rows_s:.2f} s more | ready + rows: ratio x{base_s / (best + rows_s):.1f}")
    new_peak = peak_bytes(lambda: ready(net))
    net._touch()
    sample = subnets[::BASELINE_EVERY * 4]  # tracemalloc slows allocation down: a smaller sample for memory
    sample_peak = peak_bytes(lambda: [routes_mod.materialise(v, s) for v, s in sample])
    base_peak = sample_peak * len(subnets) / len(sample)
    units = len(net.vnets) + len(hubs) * prefixes
    print(f"  memory (tracemalloc peak), tables ready: {mb(new_peak)} = {new_peak / units:,.0f} bytes per VNet or "
          f"prefix | baseline {mb(base_peak)} (EXTRAPOLATED from {mb(sample_peak)} for {len(sample)} subnets) | ratio "
          f"x{base_peak / new_peak:.0f}")

    site = [p for h in range(len(hubs)) for p in site_prefixes(prefixes, h * prefixes)]
    queries = trace_queries(net, site=site)
    p50, p95, verdicts = trace_p95(net, queries)
    few = queries[:200]
    with legacy_scans():
        _, old95, _ = trace_p95(net, few)
    print(f"  {len(queries):,} traces (routes ready): p50 {p50:.2f} ms  p95 {p95:.2f} ms "
          f"({_verdict(p95 <= GOALS['trace_p95_ms'])}, goal p95 <= {GOALS['trace_p95_ms']:g} ms) | baseline (scans "
          f"of every VNet, {len(few)} traces) p95 {old95:.1f} ms | ratio x{old95 / p95:.0f} | verdicts "
          f"{dict(sorted(verdicts.items()))}")
    bench_text_lookup(net, tables, queries)
    return {"routes_s": best, "trace_p95_ms": p95}


def bench_text_lookup(net: vl.Network, tables: list, queries: list[tuple[str, str]]) -> None:
    """One spoke's table, the trace destinations as text: the index (fast text path), the former netaddr parse,
    pytricia on the same strings, a linear scan."""
    spoke = next(t for t in tables if t.vnet.startswith("s0-"))
    active = spoke.active
    texts = [dst for _, dst in queries]
    values = [int(IPAddress(t)) for t in texts]
    assert all(spoke.lookup(t) == spoke.lookup(v) for t, v in zip(texts, values))
    spans = [(*routes_mod.span(r.prefix), r) for r in active]
    scan = _per(lambda: [linear_lpm(spans, v) for v in values], len(texts))
    try:
        import pytricia
    except ImportError:
        pytricia = None
        print("  pytricia baseline skipped: pytricia is not installed (pip install -e '.[bench]'; make bench does)")
    tree = None
    if pytricia is not None:
        tree = pytricia.PyTricia(32)
        for r in active:
            tree[r.prefix] = r
    best: dict[str, float] = {}
    for _ in range(LOOKUP_ROUNDS):  # interleaved, best of each: the machine's load hits all methods alike
        for name, fn in (("cold", lambda: (routes_mod._QUADS.clear(), [spoke.lookup(t) for t in texts])),
                         ("text", lambda: [spoke.lookup(t) for t in texts]),
                         ("int", lambda: [spoke.lookup(v) for v in values]),
                         ("netaddr", lambda: [spoke.lookup(int(IPAddress(t))) for t in texts]),
                         ("pytricia", (lambda: [tree.get(t) for t in texts]) if tree is not None else None)):
            if fn is not None:
                best[name] = min(best.get(name, math.inf), _per(fn, len(texts)))
    warm, ints, netaddr_path, cold = best["text"], best["int"], best["netaddr"], best["cold"]
    print(f"  lookup on a spoke ({len(active):,} active routes), {len(texts):,} text destinations (best of "
          f"{LOOKUP_ROUNDS}): text {warm:.2f} µs (first sight of each string {cold:.2f} µs) | int {ints:.2f} µs | "
          f"baseline: netaddr parse then lookup {netaddr_path:.2f} µs (x{netaddr_path / warm:.1f}) | linear scan "
          f"{scan:.1f} µs (x{scan / ints:.0f})")
    if tree is not None:
        same = all(tree.get(t) == spoke.lookup(t) for t in texts)
        tri = best["pytricia"]
        ratio = warm / tri
        print(f"    pytricia on the same strings {tri:.2f} µs: vnetlab text lookup x{ratio:.1f} of pytricia "
              f"({_verdict(ratio <= GOALS['pytricia_ratio'])}, goal <= x{GOALS['pytricia_ratio']:g}; first sight "
              f"x{cold / tri:.1f}) | same answers: {same}")


def _per(fn, count: int, repeat: int = 1) -> float:
    """Best time of ``fn()`` over ``repeat`` runs, in µs per item."""
    return seconds(fn, repeat)[0] * 1e6 / count


def bench_curve() -> dict:
    """Hub + N transit spokes, 1,000 BGP prefixes: grown step by step, measured at each N."""
    points, base_points, trace_points = [], [], []
    with peering_limit_lifted():
        net = build_scale_network(CURVE[0])
        for n in CURVE:
            grow(net, n)
            best, _ = seconds(lambda: ready(net), repeat=3)
            peak = peak_bytes(lambda: ready(net))
            points.append((n, best))
            base = ""
            if n <= CURVE_BASELINE_MAX:
                base_s, _ = seconds(lambda: baseline(net))
                base_points.append((n, base_s))
                base = f" | baseline {base_s:6.2f} s (x{base_s / best:.0f})"
            queries = trace_queries(net, count=1_000, seed=n)
            _, p95, _ = trace_p95(net, queries)
            trace_points.append((n, p95))
            old = ""
            if n in (CURVE[0], 500, 2_000):
                with legacy_scans():
                    _, old95, _ = trace_p95(net, queries[:100])
                old = f" (baseline {old95:.1f} ms, x{old95 / p95:.0f})"
            print(f"  N = {n:5,}: routes ready {best:6.3f} s, {mb(peak)} peak ({peak / (n + ONPREM_PREFIXES):,.0f} B "
                  f"per VNet or prefix){base} | trace p95 {p95:.2f} ms{old}")
    slope = exponent(points)
    base_slope = exponent(base_points)
    trace_slope = exponent(trace_points)
    n_last, t_last = points[-1]
    largest = n_last * (GOALS["routes_s"] / t_last) ** (1 / max(slope, 0.1))
    how = "measured" if t_last <= GOALS["routes_s"] else "over 1 s already"
    print(f"  fitted exponent (log-log, N = {CURVE[0]:,}..{CURVE[-1]:,}): {slope:.2f} ({_verdict(slope <= GOALS['exponent'])}"
          f", goal <= {GOALS['exponent']}) | baseline {base_slope:.2f} (N <= {CURVE_BASELINE_MAX:,}) | trace p95 "
          f"{trace_slope:.2f}")
    print(f"  largest network under 1 s: N = {n_last:,} {how} in {t_last:.2f} s; at this exponent about "
          f"N = {largest:,.0f} spokes (EXTRAPOLATED)")
    return {"exponent": slope}


def bench_prefix_curve(spokes: int = 500) -> None:
    points = []
    for p in PREFIX_CURVE:
        net = build_scale_network(spokes, prefixes=p)
        best, _ = seconds(lambda: ready(net), repeat=3)
        points.append((p, best))
    listed = ", ".join(f"P = {p:,}: {t:.3f} s" for p, t in points)
    print(f"  hub + {spokes} spokes, P BGP prefixes: {listed} | exponent in P {exponent(points):.2f}")


def bench_scale() -> dict:
    print("  -- enterprise at Azure's limits")
    out = bench_enterprise()
    print("  -- scaling curve in N (hub + N transit spokes, 1,000 BGP prefixes)")
    out.update(bench_curve())
    print("  -- scaling in P")
    bench_prefix_curve()
    return out


if __name__ == "__main__":
    print("scale: enterprise at Azure's limits; scaling curves")
    bench_scale()
