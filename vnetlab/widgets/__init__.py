"""Interactive explorers for the lessons (ipywidgets + plotly ``FigureWidget``).

Each explorer has two layers:

* a pure-Python logic layer (:class:`~vnetlab.widgets.address_planner.PlannerView`,
  :class:`~vnetlab.widgets.peering_explorer.PeeringSession`) that calls the engine and returns plain
  values and HTML; it is tested without a browser;
* the widget layer (:class:`AddressPlanner`, :class:`PeeringExplorer`) that only wires controls to it.

Every callback goes through :func:`callback`: a :class:`~vnetlab.errors.VnetlabError` is shown inline in
the explorer's red ``errors`` box (its message names the value and the Azure rule), and the explorer keeps
working; no traceback escapes into the notebook.
"""
from __future__ import annotations

import copy
import functools
import os
from html import escape
from typing import Any, Callable, Iterable

import ipywidgets as ipw
import plotly.graph_objects as go

from ..errors import VnetlabError

ERROR_STYLE = ("color:#8B0000;background:#FDECEA;border:1px solid #D55E00;border-radius:4px;"
               "padding:6px 10px;margin:4px 0;font-size:13px")


def error_html(messages: Iterable[str]) -> str:
    """A red box listing ``messages`` (empty string when there are none)."""
    items = [m for m in messages if m]
    if not items:
        return ""
    body = "<br>".join(f"⚠ {escape(m)}" for m in items)
    return f'<div class="vnetlab-error" role="alert" style="{ERROR_STYLE}">{body}</div>'


GRADING_ENV = "VNETLAB_GRADING"


class GradingFigure(ipw.HTML):
    """Where a figure goes when ``VNETLAB_GRADING=1`` (set by ``vnetlab grade`` in its kernels): no browser
    watches a graded run, and building plotly's ``FigureWidget`` front end is most of a widget exercise's run
    time there. It keeps the last :class:`go.Figure` it was given as ``figure`` (``data``, ``layout``)."""

    def __init__(self, figure: go.Figure | None = None) -> None:
        super().__init__()
        self.figure = figure if figure is not None else go.Figure()

    @property
    def data(self) -> Any:
        return self.figure.data

    @property
    def layout(self) -> Any:
        return self.figure.layout


def figure_widget(figure: go.Figure | None = None) -> "go.FigureWidget | GradingFigure":
    """A ``go.FigureWidget`` for a lesson; a :class:`GradingFigure` in a ``vnetlab grade`` kernel."""
    if os.environ.get(GRADING_ENV) == "1":
        return GradingFigure(figure)
    return go.FigureWidget(figure) if figure is not None else go.FigureWidget()


def replace_figure(widget: "go.FigureWidget | GradingFigure", figure: go.Figure) -> None:
    """Redraw ``widget`` in place with the traces and layout of ``figure`` (one message to the browser).

    Only what differs is sent: when the traces are of the same number and kinds, each changed property of a
    trace or of the layout is assigned on its own (a moved marker is one small update, not a new figure);
    otherwise the traces are replaced. plotly validates every assignment, so sending less is what keeps a
    callback fast."""
    if isinstance(widget, GradingFigure):
        widget.figure = figure
        return
    new = figure.to_plotly_json()
    old = getattr(widget, "_vnetlab_shown", None)
    with widget.batch_update():
        if old is not None and [t.get("type") for t in old["data"]] == [t.get("type") for t in new["data"]]:
            for trace, before, after in zip(widget.data, old["data"], new["data"]):
                assign_changes(trace, before, after)
        else:
            widget.data = ()
            widget.add_traces(figure.data)
        assign_changes(widget.layout, old["layout"] if old is not None else {}, new["layout"])
    widget._vnetlab_shown = new
    sync_widget_state(widget)


def sync_widget_state(widget: go.FigureWidget) -> None:
    """Make the figure's synced widget state (``_widget_layout``, ``_widget_data``) the figure now shown.

    plotly's FigureWidget sends each edit to the browser as a one-off message, which only a model and views
    that are listening apply; a view drawn later (the page reloaded, the output re-rendered, a model whose
    front-end code was still loading when the edit came) draws from the synced state, which plotly refreshes
    only when the figure itself is displayed, never when it sits in a Box. Without this, such a view shows the
    figure as it was when the widget was created (for an explorer, an empty chart or a stale one)."""
    widget._widget_layout = copy.deepcopy(widget._layout_obj._props)
    widget._widget_data = copy.deepcopy(widget._data)


def assign_changes(target: Any, before: dict, after: dict) -> None:
    """Assign on ``target`` (a plotly trace or layout) each top-level property whose value differs between
    ``before`` and ``after``; a property ``after`` no longer has is reset."""
    for key in before.keys() - after.keys():
        target[key] = None
    for key, value in after.items():
        if key not in before or not same_value(before[key], value):
            target[key] = value


def same_value(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except ValueError:  # numpy arrays compare element-wise
        return False


def callback(method: Callable[..., Any]) -> Callable[..., None]:
    """Run a widget callback; show any error in the explorer's ``errors`` box instead of raising."""

    @functools.wraps(method)
    def run(self: "Explorer", *args: Any, **kwargs: Any) -> None:
        try:
            method(self, *args, **kwargs)
        except VnetlabError as exc:
            self.last_error = exc
            self.errors.value = error_html([str(exc)])
        except Exception as exc:  # a bug must not leave a dead widget and a traceback in a lesson
            self.last_error = exc
            self.errors.value = error_html([f"Unexpected {type(exc).__name__}: {exc} "
                                            "(this is a bug in vnetlab, not your mistake; please report it)"])

    return run


class Explorer:
    """What the explorers share: the ``errors`` box, the ``figure`` and display as their ``widget``."""

    widget: ipw.Box
    errors: ipw.HTML
    figure: go.FigureWidget
    last_error: Exception | None = None

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


from .address_planner import AddressPlanner  # noqa: E402  (they build on the helpers above)
from .peering_explorer import PeeringExplorer  # noqa: E402
from .sku_explorer import SkuExplorer  # noqa: E402
from .propagation_explorer import PropagationExplorer  # noqa: E402
from .next_hop_explorer import NextHopExplorer  # noqa: E402
from .nat_rule_builder import NatRuleBuilder  # noqa: E402
from .encryption_path_view import EncryptionPathView  # noqa: E402
from .ike_policy_matcher import IkePolicyMatcher  # noqa: E402
from .nsg_rule_editor import NsgRuleEditor  # noqa: E402

__all__ = ["AddressPlanner", "EncryptionPathView", "Explorer", "IkePolicyMatcher", "NatRuleBuilder", "NextHopExplorer",
           "NsgRuleEditor", "PeeringExplorer", "PropagationExplorer", "SkuExplorer", "callback", "error_html",
           "replace_figure", "figure_widget", "GradingFigure"]

from .comparison_explorer import ComparisonExplorer  # noqa: E402
from .design_advisor import DesignAdvisor  # noqa: E402

__all__ += ["ComparisonExplorer", "DesignAdvisor"]

from .drill_widget import DrillWidget  # noqa: E402

__all__ += ["DrillWidget"]

from .break_fix_lab import BreakFixLab  # noqa: E402

__all__ += ["BreakFixLab"]
