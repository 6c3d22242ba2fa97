"""The design advisor: state the requirements, read the design the decision guide recommends and why.

The rules are the engine's (:func:`vnetlab.design.recommend`, each reason with its rule and source): peering for
Azure VNets without overlap, Site-to-Site for on-premises sites and across clouds, NAT only on Site-to-Site
connections of VpnGw2+, Point-to-Site for remote users, gateway transit for spokes, virtual network encryption or a
tunnel for an encryption mandate, and the smallest current SKU that fits.

Logic layer: :func:`requirement_fields` (one control description per :class:`~vnetlab.design.Requirements` field)
and :func:`advice` (requirements → recommendation and HTML). Widget layer: :class:`DesignAdvisor`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from html import escape

import ipywidgets as ipw

from ..design import Recommendation, Requirements, recommend
from . import Explorer, callback
from .comparison_explorer import optional_number

LABELS = {
    "same_region": "both VNets in the same region", "cross_tenant": "VNets in different Microsoft Entra tenants",
    "across_clouds": "VNets in different Azure clouds", "on_premises_sites": "On-premises sites",
    "remote_users": "Remote users (P2S)", "overlapping_spaces": "overlapping address spaces",
    "encryption_mandate": "encryption in transit is mandatory", "bandwidth_mbps": "Bandwidth (Mbps)",
    "gb_per_month": "GB per month", "monthly_budget_usd": "Monthly budget (USD)",
    "deliver_within_minutes": "Must be ready within (min)", "spokes": "Spoke VNets",
    "vnets": "VNets to connect", "bgp": "BGP with the on-premises sites",
}


@dataclass(frozen=True)
class Field:
    """One requirement: its name, its kind ("bool", "int", "float" or "optional" float) and its label."""

    name: str
    kind: str
    label: str
    default: object


def requirement_fields() -> list[Field]:
    """The :class:`Requirements` fields in order, with the kind of control each needs."""
    out = []
    for f in fields(Requirements):
        kind = "optional" if "None" in str(f.type) else str(f.type)
        out.append(Field(f.name, kind, LABELS.get(f.name, f.name.replace("_", " ")), f.default))
    return out


@dataclass(frozen=True)
class Advice:
    requirements: Requirements
    recommendation: Recommendation
    html: str


def advice(requirements: Requirements) -> Advice:
    """The guide's recommendation for ``requirements``, with its components listed above the reasons table."""
    rec = recommend(requirements)
    items = "".join(f"<li>{escape(c)}</li>" for c in rec.components)
    html = (f'<div style="background:#DDF2EA;padding:4px 8px;border-radius:4px;margin:4px 0">'
            f"<b>Design:</b> {escape(rec.design)}<ul style='margin:2px 0'>{items}</ul></div>" + rec._repr_html_())
    return Advice(requirements, rec, html)


def _control(f: Field) -> ipw.Widget:
    style = {"description_width": "initial"}
    if f.kind == "bool":
        return ipw.Checkbox(value=bool(f.default), description=f.label, indent=False, layout=ipw.Layout(width="auto"))
    if f.kind == "int":
        return ipw.IntText(value=int(f.default), description=f.label, style=style, layout=ipw.Layout(width="220px"))
    if f.kind == "float":
        return ipw.FloatText(value=float(f.default), description=f.label, style=style, layout=ipw.Layout(width="240px"))
    return ipw.Text(value="" if f.default is None else f"{f.default:g}", placeholder="blank: none",
                    description=f.label, style=style, continuous_update=False, layout=ipw.Layout(width="280px"))


class DesignAdvisor(Explorer):
    """Tick and type the requirements (one control per :class:`~vnetlab.design.Requirements` field; the budget and
    the deadline may stay blank); see the recommended design, its components, the reasons with their rules and
    sources, the options ruled out, the SKU, the monthly cost and the warnings.

    Attributes: ``controls`` (field name → control), ``result``, ``errors`` (HTML), ``current`` (last
    :class:`Advice`), ``widget``.
    """

    def __init__(self, **requirements: object) -> None:
        self.fields = requirement_fields()
        self.controls = {f.name: _control(f) for f in self.fields}
        for name, value in requirements.items():
            self.controls[name].value = "" if value is None else (f"{value:g}" if isinstance(
                self.controls[name], ipw.Text) else value)
        self.result = ipw.HTML()
        self.errors = ipw.HTML()
        self.current: Advice | None = None
        ticks = [self.controls[f.name] for f in self.fields if f.kind == "bool"]
        numbers = [self.controls[f.name] for f in self.fields if f.kind != "bool"]
        self.widget = ipw.VBox([ipw.HBox(ticks[:4]), ipw.HBox(ticks[4:]),
                                *[ipw.HBox(numbers[i:i + 3]) for i in range(0, len(numbers), 3)],
                                self.errors, self.result])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._on_change()

    def requirements(self) -> Requirements:
        values = {}
        for f in self.fields:
            value = self.controls[f.name].value
            values[f.name] = optional_number(value, f.label) if f.kind == "optional" else value
        return Requirements(**values)

    @callback
    def _on_change(self, change: object = None) -> None:
        self.current = advice(self.requirements())
        self.errors.value = ""
        self.result.value = self.current.html

    def answer_data(self) -> dict | None:
        """{"requirements": {...}, "design": str, "components": [...]} of the last recommendation shown."""
        if self.current is None:
            return None
        return {"requirements": asdict(self.current.requirements), "design": self.current.recommendation.design,
                "components": list(self.current.recommendation.components)}


__all__ = ["Advice", "DesignAdvisor", "Field", "advice", "requirement_fields"]
