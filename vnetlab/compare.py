"""Peering or a VPN gateway? Latency, throughput, monthly cost and time to ready, side by side, each figure with its origin.

Every figure says where it comes from: a dated, sourced value from ``vnetlab/data/pricing.yaml`` or
``performance.yaml``, or one of the model's **stated assumptions** (marked ``assumption`` there). A figure the course
has no source for is ``None`` and says so; it is never a silent zero.

The model (azure-facts.md §1, §2.1, §3.3, §6.3, §6.7, §10; worked scenario S12):

* **Cost** per month (730 hours): *peering* charges every GB at both ends — the source's outbound and the destination's
  inbound rate (regional, or by billing zone for global peering); *VNet-to-VNet* pays two gateways' hours, and data
  only across regions (the source region's inter-VNet egress rate); *Site-to-Site* (two VNets through IPsec over the
  internet) pays two gateways' hours and the S2S connection meter; internet data transfer is not in the sourced data.
  Gateway hourly prices are East US list prices, the only region in the data.
* **Throughput**: peering adds no limit of its own (the VM size's applies); a gateway path is limited by the SKU's
  aggregate benchmark and, for one flow, by the measured per-tunnel figure for the IPsec algorithm.
* **Latency**: one-way delay *added* compared with a path inside one VNet: propagation over ``distance_km`` (light in
  fibre, an assumption of physics), plus per-gateway processing (assumption) for the VPN options, with internet paths
  stretched (assumption). Microsoft states that same-region peering adds nothing.
* **Time to ready**: gateways "45 minutes or more" each (created in parallel); peering "Fast".
"""
from __future__ import annotations

from dataclasses import dataclass

from . import gateway as gw
from .changes import gateway_step, peering_step, timeline
from .display import html_table, text_table
from .errors import VnetlabError
from .facts import fact, raw
from .vnet import normalize_region

OPTIONS = ("VNet peering", "VNet-to-VNet", "Site-to-Site")
ALGORITHMS = ("GCMAES256", "AES256+SHA256", "DES3+SHA256")


class ComparisonError(VnetlabError):
    """A comparison input the model cannot use (unknown region or SKU, negative volume, ...)."""


@dataclass(frozen=True)
class Figure:
    """A number with its unit and where it comes from; ``value`` is None when no sourced figure exists."""

    value: float | None
    unit: str
    origin: str
    sources: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return self.value is not None

    def __str__(self) -> str:
        if self.value is None:
            return f"no sourced figure ({self.origin})"
        shown = f"{self.value:,.2f}" if self.unit == "USD/month" else f"{self.value:,.4g}"
        return f"{shown} {self.unit}"


@dataclass(frozen=True)
class OptionResult:
    name: str
    latency_ms: Figure
    throughput_mbps: Figure
    monthly_cost_usd: Figure
    time_to_ready_min: Figure
    encryption: str
    path: str
    notes: tuple[str, ...] = ()

    def figures(self) -> tuple[tuple[str, Figure], ...]:
        return (("Added latency (one way)", self.latency_ms), ("Throughput ceiling", self.throughput_mbps),
                ("Monthly cost", self.monthly_cost_usd), ("Time to ready", self.time_to_ready_min))


@dataclass(frozen=True)
class Comparison:
    """The options side by side for one traffic profile (displays itself with each figure's origin)."""

    a_region: str
    b_region: str
    gb_a_to_b: float
    gb_b_to_a: float
    sku: str
    options: tuple[OptionResult, ...]

    def option(self, name: str) -> OptionResult:
        for o in self.options:
            if o.name == name:
                return o
        raise ComparisonError(f"No option {name!r}: {', '.join(OPTIONS)}.", value=name, rule="comparison options")

    def rows(self) -> list[tuple]:
        out = []
        for label, _ in self.options[0].figures():
            figs = [dict(o.figures())[label] for o in self.options]
            out.append((label, *[str(f) for f in figs]))
            out.append(("  from", *[f.origin for f in figs]))
        out.append(("Encryption", *[o.encryption for o in self.options]))
        out.append(("Path", *[o.path for o in self.options]))
        return out

    def _caption(self) -> str:
        return (f"{self.a_region} ↔ {self.b_region}, {self.gb_a_to_b:g} GB/month A→B and {self.gb_b_to_a:g} GB B→A, "
                f"gateways {self.sku}")

    def _repr_html_(self) -> str:
        notes = "".join(f"<li>{n}</li>" for n in dict.fromkeys(n for o in self.options for n in o.notes))
        return html_table(("", *[o.name for o in self.options]), self.rows(), caption=self._caption()) + \
            (f"<ul>{notes}</ul>" if notes else "")

    def __str__(self) -> str:
        return self._caption() + "\n" + text_table(("", *[o.name for o in self.options]), self.rows())


# --- inputs ------------------------------------------------------------------------------------------------
def _prices() -> dict:
    return raw("pricing", "peering_per_gb_usd")


def known_regions() -> tuple[str, ...]:
    """Regions with a sourced peering price (and billing zone)."""
    return tuple(_prices()["regions"])


def _region(name: object) -> str:
    region = normalize_region(name)
    if region not in _prices()["regions"]:
        raise ComparisonError(f"Region {name!r}: the course has sourced peering prices only for "
                              f"{', '.join(known_regions())}.", value=name, rule="priced regions only",
                              source=fact("pricing", "peering_per_gb_usd").cite())
    return region


def _volume(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0:
        raise ComparisonError(f"{what} {value!r}: give a number of GB per month, 0 or more.", value=value,
                              rule="traffic volumes are non-negative")
    return float(value)


def _algorithm(name: object) -> str:
    text = str(name).replace("/", "+").replace(" ", "").upper() if isinstance(name, str) else ""
    match = next((a for a in ALGORITHMS if a.upper() == text), None)
    if match is None:
        raise ComparisonError(f"IPsec algorithm {name!r}: the measured per-tunnel table has {', '.join(ALGORITHMS)}.",
                              value=name, rule="measured algorithms", source=fact("performance", "per_tunnel_mbps").cite())
    return match


def _sku(name: object, generation: int | None = None) -> gw.Sku:
    try:
        return gw.sku(name, generation) if isinstance(name, str) else gw.sku("")
    except VnetlabError as exc:
        raise ComparisonError(str(exc.args[0]), value=name, rule=exc.rule, source=exc.source) from None


# --- cost ------------------------------------------------------------------------------------------------------
def peering_cost(a: str, b: str, gb_a_to_b: float, gb_b_to_a: float = 0.0) -> Figure:
    """Peering charges each GB at both ends: outbound at the source, inbound at the destination (§6.7, §10.2)."""
    f = fact("pricing", "peering_per_gb_usd")
    table, zones = f.value, _prices()["regions"]
    if a == b:
        rate = table["regional"]
        total = (gb_a_to_b + gb_b_to_a) * (rate["out"] + rate["in"])
        return Figure(total, "USD/month", f"regional peering: (GB each way) × (${rate['out']} out + ${rate['in']} in) per "
                      f"GB, prices of {f.as_of}", (f.cite(),))
    total, parts = 0.0, []
    for src, dst, gb in ((a, b, gb_a_to_b), (b, a, gb_b_to_a)):
        if gb == 0:
            continue
        out_rate = table["zones"][zones[src]].get("out")
        in_rate = table["zones"][zones[dst]].get("in")
        if out_rate is None or in_rate is None:
            missing = f"{zones[src]} outbound" if out_rate is None else f"{zones[dst]} inbound"
            return Figure(None, "USD/month", f"global peering {src} → {dst} needs the {missing} rate, which is not in the "
                          "sourced data", (f.cite(),))
        total += gb * (out_rate + in_rate)
        parts.append(f"{gb:g} GB × (${out_rate} {zones[src]} out + ${in_rate} {zones[dst]} in)")
    return Figure(total, "USD/month", "global peering: " + (" + ".join(parts) or "no traffic") + f", prices of {f.as_of}",
                  (f.cite(),))


def gateway_hours(sku: gw.Sku, count: int = 2) -> Figure:
    """``count`` gateways for a month of 730 hours at the SKU's East US list price."""
    f = fact("pricing", "gateway_hourly_usd")
    entry = raw("pricing", "gateway_hourly_usd")
    price = f.value.get(sku.name)
    if price is None:
        return Figure(None, "USD/month", f"no sourced hourly price for {sku.name} ({entry['note']})", (f.cite(),))
    hours = entry["hours_per_month"]
    return Figure(count * hours * price, "USD/month", f"{count} gateways × {hours} h × ${price}/h ({sku.name}, "
                  f"{entry['region']} list price of {f.as_of})", (f.cite(),))


def _plus(base: Figure, extra: float, what: str, source: str) -> Figure:
    if base.value is None:
        return base
    return Figure(base.value + extra, base.unit, f"{base.origin} + {what}", base.sources + (source,), base.assumptions)


def vnet_to_vnet_cost(a: str, b: str, gb_a_to_b: float, gb_b_to_a: float, sku: gw.Sku) -> Figure:
    hours = gateway_hours(sku)
    if a == b:
        free = fact("pricing", "vnet_to_vnet_same_region_data")
        return _plus(hours, 0.0, "data free within a region", free.cite())
    egress = fact("pricing", "inter_vnet_egress_usd_per_gb")
    gb = gb_a_to_b + gb_b_to_a
    return _plus(hours, gb * egress.value, f"{gb:g} GB × ${egress.value}/GB inter-VNet egress (East US meter; your "
                 "source region's rate may differ)", egress.cite())


def site_to_site_cost(sku: gw.Sku) -> Figure:
    meter = fact("pricing", "s2s_connection_monthly_usd")
    return _plus(gateway_hours(sku), 2 * meter.value, f"2 S2S connections × ${meter.value} (connection meter; "
                 f"{raw('pricing', 's2s_connection_monthly_usd')['note']})", meter.cite())


# --- throughput, latency, time ---------------------------------------------------------------------------------
def tunnel_mbps(sku: gw.Sku, algorithm: str, tunnels: int = 1) -> Figure:
    """One connection's ceiling: its share of the SKU's aggregate benchmark (all connections on a gateway share its
    bandwidth, VPN FAQ) and the measured per-tunnel figure for the algorithm (§1.3), whichever is lower."""
    f = fact("performance", "per_tunnel_mbps")
    base = sku.name.removesuffix("AZ")
    per = f.value.get(sku.generation or 1, {}).get(base, {}).get(algorithm)
    share = sku.throughput_mbps / tunnels
    shared = f"{sku.key} aggregate {sku.throughput_mbps} Mbps" + (f" ÷ {tunnels} tunnels" if tunnels > 1 else "")
    if per is None:
        return Figure(float(share), "Mbps", f"{shared} (no per-tunnel measurement for it)", (gw.SKUS_SOURCE,))
    return Figure(float(min(per, share)), "Mbps", f"min({shared}, one tunnel with {algorithm} measured at {per} Mbps)",
                  (gw.SKUS_SOURCE, f.cite()))


def _latency(distance_km: float | None, gateways: int, stretch: bool) -> Figure:
    fibre = fact("performance", "fibre_km_per_ms")
    if distance_km is None:
        return Figure(None, "ms", "give distance_km for two regions (the course has no sourced region distances)")
    assumptions = [fibre.note]
    km = distance_km
    origin = f"{distance_km:g} km ÷ {fibre.value} km/ms"
    if stretch:
        s = fact("performance", "internet_path_stretch")
        km, origin = km * s.value, f"{distance_km:g} km × {s.value} (internet path) ÷ {fibre.value} km/ms"
        assumptions.append(s.note)
    ms = km / fibre.value
    if gateways:
        g = fact("performance", "gateway_processing_ms")
        ms += gateways * g.value
        origin += f" + {gateways} gateways × {g.value} ms"
        assumptions.append(g.note)
    return Figure(ms, "ms", origin, (), tuple(assumptions))


def _ready(gateways: bool) -> Figure:
    if not gateways:
        step = peering_step("A", "B")
        return Figure(None, "min", step.note, (step.source,))
    plan = timeline([gateway_step("A"), gateway_step("B")])
    step = plan.steps[0]
    return Figure(plan.total_minutes, "min or more", f"two gateways created in parallel, each {step.note} (then the "
                  "connections)", (step.source,),
                  ("the two gateways are created at the same time (they are separate resources); the documents give "
                   "no figure for doing so",))


def compare(a_region: str = "westeurope", b_region: str = "westeurope", gb_a_to_b: float = 1000.0,
            gb_b_to_a: float = 0.0, sku: str = "VpnGw1AZ", distance_km: float | None = None,
            vm_mbps: float | None = None, algorithm: str = "GCMAES256", tunnels: int = 1,
            generation: int | None = None) -> Comparison:
    """Compare VNet peering, VNet-to-VNet and Site-to-Site for two VNets and a monthly traffic profile; ``tunnels`` is
    how many connections share each gateway."""
    a, b = _region(a_region), _region(b_region)
    there, back = _volume(gb_a_to_b, "gb_a_to_b"), _volume(gb_b_to_a, "gb_b_to_a")
    spec, alg = _sku(sku, generation), _algorithm(algorithm)
    if distance_km is None and a == b:
        distance_km = 0.0
    elif distance_km is not None:
        distance_km = _volume(distance_km, "distance_km")
    if vm_mbps is not None:
        vm_mbps = _volume(vm_mbps, "vm_mbps")
    if spec.status != "current":
        notes_sku = (f"{spec.name} is {spec.status}: new gateways use the AZ SKUs (from {spec.not_creatable_from}).",)
    else:
        notes_sku = ()
    same = fact("performance", "peering_latency")
    bandwidth = fact("performance", "peering_bandwidth")
    peering_latency = Figure(0.0, "ms", same.value, (same.cite(),)) if a == b else _latency(distance_km, 0, False)
    peering = OptionResult(
        "VNet peering", peering_latency,
        Figure(vm_mbps, "Mbps", f"{bandwidth.value}" + ("" if vm_mbps is None else " (your VM limit)"), (bandwidth.cite(),)),
        peering_cost(a, b, there, back), _ready(False),
        "none at the network layer (virtual network encryption where enabled and supported)",
        "Microsoft backbone", ("Peering is non-transitive and refuses overlapping address spaces.",))
    if isinstance(tunnels, bool) or not isinstance(tunnels, int) or not 1 <= tunnels <= spec.tunnels:
        raise ComparisonError(f"tunnels={tunnels!r}: {spec.name} carries 1 to {spec.tunnels} tunnels.", value=tunnels,
                              rule="tunnels per SKU", source=gw.SKUS_SOURCE)
    gateways_tp = tunnel_mbps(spec, alg, tunnels)
    v2v = OptionResult("VNet-to-VNet", _latency(distance_km, 2, False), gateways_tp,
                       vnet_to_vnet_cost(a, b, there, back, spec), _ready(True), "IPsec (IKEv2) between the gateways",
                       "Microsoft backbone", notes_sku)
    s2s = OptionResult("Site-to-Site", _latency(distance_km, 2, True), gateways_tp, site_to_site_cost(spec),
                       _ready(True), "IPsec between the gateways", "public internet",
                       notes_sku + ("Internet data transfer is not priced here: the course has no sourced figure for it.",))
    return Comparison(a, b, there, back, spec.name, (peering, v2v, s2s))


def cost_curve(a_region: str, b_region: str, volumes_gb: "list[float]", sku: str = "VpnGw1AZ") -> dict[str, list]:
    """Monthly cost of each option for each monthly volume (A→B), None where a price is unknown."""
    out: dict[str, list] = {name: [] for name in OPTIONS}
    for gb in volumes_gb:
        for o in compare(a_region, b_region, gb, 0.0, sku).options:
            out[o.name].append(o.monthly_cost_usd.value)
    return out


def break_even_gb(a_region: str, b_region: str, sku: str = "VpnGw1AZ", option: str = "VNet-to-VNet") -> float | None:
    """Monthly GB (A→B) at which peering costs as much as ``option``. Both costs are linear in GB, so the crossing is
    exact; None when a price is unknown or the lines never cross (the gateway is never cheaper)."""
    if option not in OPTIONS[1:]:
        raise ComparisonError(f"Option {option!r}: compare peering with VNet-to-VNet or Site-to-Site.", value=option,
                              rule="break-even against a gateway option")
    low, high = (compare(a_region, b_region, gb, 0.0, sku) for gb in (0.0, 1000.0))
    p0, p1 = low.option("VNet peering").monthly_cost_usd.value, high.option("VNet peering").monthly_cost_usd.value
    g0, g1 = low.option(option).monthly_cost_usd.value, high.option(option).monthly_cost_usd.value
    if None in (p0, p1, g0, g1):
        return None
    peering_slope, gateway_slope = (p1 - p0) / 1000.0, (g1 - g0) / 1000.0
    if peering_slope <= gateway_slope:
        return None
    return (g0 - p0) / (peering_slope - gateway_slope)
