"""Figures as the learner's browser gets them.

Lessons build figures without plotly's per-property checks (``vnetlab.plots.build_figure``) and widgets send
only what changed (``vnetlab.widgets.replace_figure``). Both are speed-ups only: what reaches the browser must
be exactly what a fully validated, freshly built figure would show.
"""
from __future__ import annotations

import plotly.graph_objects as go
import pytest

import vnetlab as vl
from vnetlab import plots
from vnetlab.changes import gateway_step, peering_step, timeline
from vnetlab.widgets import ComparisonExplorer, replace_figure


def unvalidated(monkeypatch: pytest.MonkeyPatch, build, *args, **kwargs) -> go.Figure:
    monkeypatch.setenv(plots.VALIDATE_ENV, "0")
    fig = build(*args, **kwargs)
    monkeypatch.setenv(plots.VALIDATE_ENV, "1")
    return fig


FIGURES = [
    (plots.comparison_figure, lambda: (vl.compare("westeurope", "japanwest", 1000, 0, "VpnGw1AZ"),), {}),
    (plots.cost_curve_figure, lambda: ("westeurope", "westeurope", [10, 1000, 100_000]), {"current_gb": 500}),
    (plots.topology_figure, lambda: (vl.load_scenario("hub-spoke-onprem"),), {}),
    (plots.route_table_figure, lambda: (vl.load_scenario("hub-spoke-onprem").effective_routes("spoke1", "app"),), {}),
    (plots.encryption_path_figure, lambda: (vl.load_scenario("hub-spoke-onprem").trace("10.1.1.4", "192.168.1.10"),), {}),
]


@pytest.mark.parametrize("build, args, kwargs", FIGURES, ids=[f[0].__name__ for f in FIGURES])
def test_a_figure_built_without_checks_is_the_validated_figure(monkeypatch, build, args, kwargs):
    fast = unvalidated(monkeypatch, build, *args(), **kwargs)
    checked = build(*args(), **kwargs)
    assert fast.to_plotly_json() == checked.to_plotly_json()


def test_a_misspelt_property_fails_when_checks_are_on(monkeypatch):
    monkeypatch.setenv(plots.VALIDATE_ENV, "1")
    with pytest.raises(ValueError):
        plots.build_figure([{"type": "bar", "x": [1], "colour": "red"}])


def shown(widget: go.FigureWidget) -> dict:
    """What the widget holds, less the trace ids it makes up itself; an empty list of shapes or annotations
    draws the same as none."""
    data = [{k: v for k, v in t.to_plotly_json().items() if k != "uid"} for t in widget.data]
    layout = {k: v for k, v in widget.layout.to_plotly_json().items() if v not in ([], {})}
    return {"data": data, "layout": layout}


def fresh(fig: go.Figure) -> dict:
    return shown(go.FigureWidget(fig))


def test_replacing_in_place_shows_exactly_the_new_figure():
    """Same trace kinds (only values change), other kinds, fewer traces, a layout key removed: after each
    replacement the widget holds the new figure and nothing of the old one."""
    net = vl.load_scenario("hub-spoke-onprem")
    sequence = [
        plots.cost_curve_figure("westeurope", "westeurope", [10, 1000, 100_000], current_gb=500),
        plots.cost_curve_figure("westeurope", "westeurope", [10, 1000, 100_000], current_gb=50_000),
        plots.cost_curve_figure("westeurope", "japanwest", [10, 1000, 100_000]),  # no "your volume" line
        plots.topology_figure(net),
        plots.timeline_figure(timeline([peering_step("a", "b"), gateway_step("a")])),
        plots.cost_curve_figure("westeurope", "westeurope", [10, 1000, 100_000], current_gb=500),
    ]
    widget = go.FigureWidget()
    for fig in sequence:
        replace_figure(widget, fig)
        assert shown(widget) == fresh(fig)


def test_moving_the_volume_slider_sends_only_what_changed():
    """The comparison explorer's cost curve keeps its lines when only the volume moves: the curve traces are
    the same objects afterwards, and the marker of the chosen volume moved."""
    explorer = ComparisonExplorer()
    curves = [t for t in explorer.cost_figure.data if t.meta and t.meta.get("role") == "cost"]
    assert curves
    explorer.volume_slider.value = 20_000
    after = [t for t in explorer.cost_figure.data if t.meta and t.meta.get("role") == "cost"]
    assert all(a is b for a, b in zip(curves, after))
    assert explorer.cost_figure.layout.shapes[-1].x0 == 20_000
    assert shown(explorer.cost_figure) == fresh(explorer.current.cost)


def browser_view(widget: go.FigureWidget) -> dict:
    """What a view of ``widget`` opened now draws: plotly's front end starts from the synced widget state
    (``_widget_data``, ``_widget_layout``), not from the one-off edit messages sent before it existed."""
    data = [{k: v for k, v in t.items() if k != "uid"} for t in go.Figure(widget._widget_data).to_plotly_json()["data"]]
    layout = {k: v for k, v in go.Layout(widget._widget_layout).to_plotly_json().items() if v not in ([], {})}
    return {"data": data, "layout": layout}


def test_two_quick_volume_changes_leave_the_cost_chart_at_the_last_volume():
    """Typed 5,000 then 2,000 GB straight after: the kernel's figure and the state a (re)drawn view starts from
    both show the last volume, the "your volume" label included; nothing of the first change is left."""
    explorer = ComparisonExplorer()
    explorer.volume.value = 5000
    explorer.volume.value = 2000
    texts = [a.text for a in explorer.cost_figure.layout.annotations]
    assert "your volume: 2,000 GB" in texts and not any("5,000" in t for t in texts), texts
    assert shown(explorer.cost_figure) == fresh(explorer.current.cost)
    assert browser_view(explorer.cost_figure) == fresh(explorer.current.cost)
    assert browser_view(explorer.figure) == fresh(explorer.current.bars)


def test_a_view_drawn_after_replacements_shows_the_last_figure():
    """A figure widget inside a Box is never displayed itself, so plotly never refreshes its synced state; a
    view drawn after replacements (page reloaded, output re-rendered) must still draw the last figure."""
    widget = go.FigureWidget()
    for gb in (500, 50_000, 2_000):
        fig = plots.cost_curve_figure("westeurope", "westeurope", [10, 1000, 100_000], current_gb=gb)
        replace_figure(widget, fig)
        assert browser_view(widget) == fresh(fig)
