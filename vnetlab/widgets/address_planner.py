"""The address planner: type subnet prefixes and a VNet address space, see what Azure would say.

Logic layer: :func:`plan_view` turns the typed text into a :class:`PlannerView` (the engine's
:class:`~vnetlab.addressing.AddressPlan` plus the HTML and figure the widget shows). Widget layer:
:class:`AddressPlanner` wires a ``Textarea``, a ``Text`` and an ``IntSlider`` to it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

import ipywidgets as ipw
import plotly.graph_objects as go

from ..addressing import AddressPlan, analyze_plan, subnet_info
from ..facts import fact
from ..plots import address_map_figure
from . import Explorer, callback, error_html, figure_widget, replace_figure


def split_space(text: str) -> list[str]:
    """The address ranges typed in the space field: separated by commas or spaces."""
    return [p for p in re.split(r"[,\s]+", text.strip()) if p]


def next_free_html(plan: AddressPlan, prefixlen: int) -> str:
    """The planner's answer to "where does my next /N go?" (``AddressPlan.next_free``)."""
    if plan.space_error:
        return "<i>Fix the VNet address space first.</i>"
    if not plan.space:
        return "<i>Type the VNet address space to plan the next subnet.</i>"
    found = plan.next_free(prefixlen)
    where = escape(", ".join(plan.space))
    if found is None:
        return f"No free /{prefixlen} left in {where}."
    info = subnet_info(found)
    return (f"Next free /{prefixlen} in {where}: <b>{found}</b> "
            f"({info.size} addresses, {info.usable} usable after Azure's 5 reserved)")


def plan_errors(plan: AddressPlan) -> list[str]:
    """Every mistake in the plan, one message each (the table marks the same lines)."""
    messages = [f"Address space: {plan.space_error}"] if plan.space_error else []
    messages += [f"Line {i} ({line.text!r}): {line.error}" for i, line in enumerate(plan.lines, start=1) if line.error]
    return messages


@dataclass(frozen=True)
class PlannerView:
    """Everything the planner shows for one state of its inputs."""

    plan: AddressPlan
    table_html: str
    errors_html: str
    next_free_html: str
    figure: go.Figure


def plan_view(prefixes: str, space: str, prefixlen: int) -> PlannerView:
    """Analyse the typed prefixes (one a line) inside the typed address space, for a next-free /``prefixlen``."""
    plan = analyze_plan(prefixes, split_space(space))
    return PlannerView(plan=plan, table_html=plan._repr_html_(), errors_html=error_html(plan_errors(plan)),
                       next_free_html=next_free_html(plan, prefixlen), figure=address_map_figure(plan))


class AddressPlanner(Explorer):
    """Type subnet prefixes (one a line) and the VNet address space; the table, overlaps, the next free
    block and the address map follow every keystroke.

    Attributes: ``textarea``, ``space``, ``prefixlen`` (next-free size), ``table``, ``next_free``, ``errors``,
    ``figure`` (``go.FigureWidget``), ``plan`` (the current :class:`~vnetlab.addressing.AddressPlan`) and
    ``widget`` (the whole explorer, what the notebook displays).
    """

    def __init__(self, prefixes: str = "", space: str = "10.0.0.0/16") -> None:
        largest = int(fact("addressing", "largest_subnet_prefix").value)
        smallest = int(fact("addressing", "smallest_subnet_prefix").value)
        self.textarea = ipw.Textarea(value=prefixes, placeholder="one prefix a line, e.g. 10.0.1.0/24",
                                     description="Subnets", layout=ipw.Layout(width="320px", height="160px"))
        self.space = ipw.Text(value=space, description="Address space", placeholder="10.0.0.0/16",
                              style={"description_width": "initial"})
        self.prefixlen = ipw.IntSlider(value=min(max(24, largest), smallest), min=largest, max=smallest,
                                       description="Next free /", style={"description_width": "initial"})
        self.table = ipw.HTML()
        self.next_free = ipw.HTML()
        self.errors = ipw.HTML()
        self.figure = figure_widget()
        self.plan: AddressPlan = analyze_plan([])
        self.widget = ipw.VBox([
            ipw.HBox([self.textarea, ipw.VBox([self.space, self.prefixlen, self.next_free])]),
            self.errors, self.table, self.figure,
        ])
        self.textarea.observe(self._on_change, names="value")
        self.space.observe(self._on_change, names="value")
        self.prefixlen.observe(self._on_prefixlen, names="value")
        self._on_change()

    @callback
    def _on_change(self, change: object = None) -> None:
        view = plan_view(self.textarea.value, self.space.value, self.prefixlen.value)
        self.plan = view.plan
        self.table.value = view.table_html
        self.next_free.value = view.next_free_html
        self.errors.value = view.errors_html
        replace_figure(self.figure, view.figure)

    @callback
    def _on_prefixlen(self, change: object = None) -> None:
        self.next_free.value = next_free_html(self.plan, self.prefixlen.value)
        self.errors.value = error_html(plan_errors(self.plan))

    def answer_data(self) -> dict:
        """Plain data for grading: the address space and the valid prefixes, in the order typed."""
        space = ", ".join(self.plan.space) if self.plan.space else self.space.value.strip()
        return {"space": space, "prefixes": list(self.plan.valid_prefixes)}


__all__ = ["AddressPlanner", "PlannerView", "next_free_html", "plan_errors", "plan_view", "split_space"]
