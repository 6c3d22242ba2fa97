"""The comparison explorer: peering, VNet-to-VNet or Site-to-Site for a traffic profile: latency, throughput, cost.

Everything is the engine's (:mod:`vnetlab.compare`, model and sources in ``vnetlab/data/pricing.yaml`` and
``performance.yaml``; azure-facts.md §1, §2.1, §6.7, §10, worked scenario S12): the side-by-side table with each
figure's origin, the monthly cost of each option against the volume with the break-even point
(:func:`~vnetlab.compare.break_even_gb`), and how long each option takes to be ready (:mod:`vnetlab.changes`).
A figure without a source stays unknown ("no sourced figure"), never zero.

Logic layer: :class:`Inputs` and :func:`comparison_view` (plain values, HTML and plotly figures, tested without a
browser). Widget layer: :class:`ComparisonExplorer`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from html import escape

import ipywidgets as ipw
import plotly.graph_objects as go

from ..changes import Timeline, gateway_step, peering_step, timeline
from ..compare import ALGORITHMS, OPTIONS, Comparison, break_even_gb, compare, known_regions
from ..errors import VnetlabError
from ..gateway import catalog, check_creatable, sku
from ..plots import comparison_figure, cost_curve_figure, timeline_figure
from . import Explorer, callback, figure_widget, replace_figure

# Monthly volumes offered by the slider (GB, about three steps a decade); the cost curve is drawn over the same grid.
VOLUMES_GB = (0, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
              1_000_000)
FIGURES = ("latency_ms", "throughput_mbps", "monthly_cost_usd", "time_to_ready_min")


def optional_number(text: str, what: str) -> float | None:
    """A number typed in a text field, or None when the field is blank."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise VnetlabError(f"{what} {text!r}: type a number, or leave the field blank.", value=text,
                           rule="a number or blank") from None


def creatable_skus() -> list[tuple[str, str]]:
    """(label, name) of the current SKUs a new gateway may use, labelled with the generation ``compare`` uses."""
    names = []
    for s in catalog():
        if s.status != "current" or s.name in names:
            continue
        try:
            check_creatable(s)
        except VnetlabError:
            continue
        names.append(s.name)
    return [(sku(n).key, n) for n in names]


@dataclass(frozen=True)
class Inputs:
    """The explorer's inputs, as :func:`vnetlab.compare.compare` takes them (A → B traffic only)."""

    a_region: str = "westeurope"
    b_region: str = "westeurope"
    gb_per_month: float = 1000.0
    distance_km: float | None = None
    sku: str = "VpnGw1AZ"
    vm_mbps: float | None = None
    algorithm: str = "GCMAES256"


@dataclass(frozen=True)
class ComparisonView:
    inputs: Inputs
    comparison: Comparison
    break_even: dict[str, float | None]  # per gateway option: GB/month where peering costs as much
    table_html: str
    break_even_html: str
    bars: go.Figure
    cost: go.Figure


def break_even_html(inputs: Inputs, break_even: dict[str, float | None]) -> str:
    lines = []
    for option, gb in break_even.items():
        if gb is None:
            lines.append(f"<li>{escape(option)}: no break-even (a price is unknown, or peering stays cheaper)</li>")
        else:
            side = "below" if inputs.gb_per_month < gb else "at or above"
            lines.append(f"<li>peering costs as much as {escape(option)} at <b>{gb:,.0f} GB/month</b> "
                         f"(your {inputs.gb_per_month:,g} GB is {side} it)</li>")
    return f"<b>Break-even volume (cost only)</b><ul style='margin:2px 0'>{''.join(lines)}</ul>"


def comparison_view(inputs: Inputs) -> ComparisonView:
    """Compare the options for ``inputs``: the engine's table, the bars, the cost curve and the break-even points."""
    cmp = compare(inputs.a_region, inputs.b_region, inputs.gb_per_month, 0.0, inputs.sku,
                  distance_km=inputs.distance_km, vm_mbps=inputs.vm_mbps, algorithm=inputs.algorithm)
    even = {o: break_even_gb(inputs.a_region, inputs.b_region, inputs.sku, o) for o in OPTIONS[1:]}
    return ComparisonView(inputs=inputs, comparison=cmp, break_even=even, table_html=cmp._repr_html_(),
                          break_even_html=break_even_html(inputs, even), bars=comparison_figure(cmp),
                          cost=cost_curve_figure(inputs.a_region, inputs.b_region, VOLUMES_GB[1:], inputs.sku,
                                                 current_gb=inputs.gb_per_month, scale="log"))  # 6 decades


def option_numbers(cmp: Comparison) -> dict[str, dict[str, float | None]]:
    """Each option's figures as plain numbers (None where there is no sourced figure)."""
    return {o.name: {f: getattr(o, f).value for f in FIGURES} for o in cmp.options}


def provisioning_plan() -> Timeline:
    """Peering two VNets against creating the two gateways (in parallel) that either VPN option needs."""
    return timeline([peering_step("vnet-a", "vnet-b"), gateway_step("vnet-a"), gateway_step("vnet-b")])


class ComparisonExplorer(Explorer):
    """Choose two regions, the monthly volume A → B, the gateway SKU, the IPsec algorithm, a distance and a VM
    limit; see the options side by side (table and bars), cost against volume with the break-even point, and how
    long each option takes to be ready.

    Attributes: ``a_region``, ``b_region``, ``sku``, ``algorithm`` (Dropdowns), ``volume_slider`` (log-ish steps)
    and ``volume`` (GB/month, typed), ``distance_km``, ``vm_mbps`` (Text, blank = not given); ``table``,
    ``break_even``, ``errors`` (HTML); ``figure`` (bars), ``cost_figure``, ``timeline_figure`` (FigureWidgets);
    ``current`` (last :class:`ComparisonView`); ``widget``.
    """

    def __init__(self, a_region: str = "westeurope", b_region: str = "westeurope", gb_per_month: float = 1000.0) -> None:
        style = {"description_width": "initial"}
        regions = list(known_regions())
        self.a_region = ipw.Dropdown(options=regions, value=a_region, description="Region A", style=style)
        self.b_region = ipw.Dropdown(options=regions, value=b_region, description="Region B", style=style)
        self.volume_slider = ipw.SelectionSlider(options=[(f"{v:,}", v) for v in VOLUMES_GB], description="GB/month A → B",
                                                 value=gb_per_month if gb_per_month in VOLUMES_GB else 1000,
                                                 style=style, continuous_update=False, layout=ipw.Layout(width="420px"))
        self.volume = ipw.FloatText(value=gb_per_month, description="or type GB/month", style=style,
                                    layout=ipw.Layout(width="220px"))
        self.distance_km = ipw.Text(value="", placeholder="blank: unknown", description="Distance A–B (km)",
                                    style=style, continuous_update=False)
        self.vm_mbps = ipw.Text(value="", placeholder="blank: no VM limit given", description="VM limit (Mbps)",
                                style=style, continuous_update=False)
        self.sku = ipw.Dropdown(options=creatable_skus(), value="VpnGw1AZ", description="Gateway SKU", style=style)
        self.algorithm = ipw.Dropdown(options=list(ALGORITHMS), value="GCMAES256", description="IPsec algorithm",
                                      style=style)
        self.table = ipw.HTML()
        self.break_even = ipw.HTML()
        self.errors = ipw.HTML()
        self.figure = figure_widget()
        self.cost_figure = figure_widget()
        self.timeline_figure = figure_widget(timeline_figure(provisioning_plan()))
        self.current: ComparisonView | None = None
        self.widget = ipw.VBox([
            ipw.HBox([self.a_region, self.b_region, self.sku, self.algorithm]),
            ipw.HBox([self.volume_slider, self.volume]),
            ipw.HBox([self.distance_km, self.vm_mbps]),
            self.errors, self.table, self.figure, self.break_even, self.cost_figure,
            ipw.HTML("<b>Time to ready</b>: peering, against the two gateways either VPN option needs"),
            self.timeline_figure,
        ])
        self.volume_slider.observe(self._on_slider, names="value")
        for control in (self.a_region, self.b_region, self.volume, self.distance_km, self.vm_mbps, self.sku,
                        self.algorithm):
            control.observe(self._on_change, names="value")
        self._on_change()

    def inputs(self) -> Inputs:
        return Inputs(a_region=self.a_region.value, b_region=self.b_region.value, gb_per_month=float(self.volume.value),
                      distance_km=optional_number(self.distance_km.value, "Distance (km)"), sku=self.sku.value,
                      vm_mbps=optional_number(self.vm_mbps.value, "VM limit (Mbps)"), algorithm=self.algorithm.value)

    def _on_slider(self, change: object = None) -> None:
        self.volume.value = float(self.volume_slider.value)  # the typed field's observer redraws

    @callback
    def _on_change(self, change: object = None) -> None:
        view = comparison_view(self.inputs())
        self.current = view
        self.errors.value = ""
        self.table.value = view.table_html
        self.break_even.value = view.break_even_html
        replace_figure(self.figure, view.bars)
        replace_figure(self.cost_figure, view.cost)
        if view.inputs.gb_per_month in VOLUMES_GB:  # a typed volume on the slider's scale moves the slider too
            self.volume_slider.value = int(view.inputs.gb_per_month)

    def answer_data(self) -> dict | None:
        """{"inputs": {...}, "options": {name: {"latency_ms", "throughput_mbps", "monthly_cost_usd",
        "time_to_ready_min"}}, "break_even_gb": {option: GB}} of the last comparison shown (None for unknown)."""
        if self.current is None:
            return None
        return {"inputs": asdict(self.current.inputs), "options": option_numbers(self.current.comparison),
                "break_even_gb": dict(self.current.break_even)}


__all__ = ["ComparisonExplorer", "ComparisonView", "Inputs", "VOLUMES_GB", "break_even_html", "comparison_view",
           "creatable_skus", "option_numbers", "optional_number", "provisioning_plan"]
