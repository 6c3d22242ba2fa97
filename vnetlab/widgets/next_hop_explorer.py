"""The next-hop explorer: pick a VM and a destination; see the hops, the route that was chosen and the path.

It answers Network Watcher's *Next hop* question and more: the packet's hops (:meth:`Network.trace`), the
source subnet's effective routes with the route longest-prefix match chose for the destination
(:func:`~vnetlab.plots.route_table_figure`) and the topology with the trace overlaid, through peerings,
gateways and tunnels (:func:`~vnetlab.plots.topology_figure`).

Logic layer: :class:`NextHopSession` lists the sources and destinations and builds a :class:`NextHopView`.
Widget layer: :class:`NextHopExplorer` wires two dropdowns and a text field to it and redraws two figures
in place. The explorer reads the network it is given and never changes it.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

import ipywidgets as ipw
import plotly.graph_objects as go

from ..addressing import parse_address, usable_addresses
from ..network import Network
from ..routes import EffectiveRoutes
from ..trace import Trace
from ..plots import route_table_figure, topology_figure
from . import Explorer, callback, figure_widget, replace_figure


@dataclass(frozen=True)
class NextHopView:
    """Everything the explorer shows for one (source, destination)."""

    trace: Trace
    routes: EffectiveRoutes
    hops_html: str
    routes_figure: go.Figure
    topology: go.Figure


def _sample(prefix) -> str:
    """An example host in a site's or P2S pool's prefix (any address in it would do)."""
    return str(next(iter(usable_addresses(prefix)), prefix.ip))


class NextHopSession:
    """Sources (VM NICs) and destinations (VMs, on-premises sites, P2S pools) of ``net``, and the view of a trace."""

    def __init__(self, net: Network) -> None:
        self.net = net

    def sources(self) -> list[tuple[str, str]]:
        """(label, NIC name) for every VM NIC."""
        return [(f"{n.name} ({n.ip}, {n.vnet.name}/{n.subnet.name})", n.name) for n in self.net.nics]

    def destinations(self) -> list[tuple[str, str]]:
        """(label, address): every VM, an example host of each on-premises site and each P2S client pool."""
        out = [(f"{n.name} ({n.ip}, {n.vnet.name}/{n.subnet.name})", str(n.ip)) for n in self.net.nics]
        for lng in self.net.local_gateways.values():
            prefixes = lng.prefixes or lng.advertised
            if prefixes:
                out.append((f"site {lng.name}: {_sample(prefixes[0])} (in {prefixes[0]})", _sample(prefixes[0])))
        for gw in self.net.gateways:
            if gw.p2s is not None and gw.p2s.address_pool:
                pool = gw.p2s.address_pool[0]
                out.append((f"P2S client of {gw.name}: {_sample(pool)} (in {pool})", _sample(pool)))
        return out

    def view(self, source: str, destination: str) -> NextHopView:
        """Trace ``source`` (a NIC name) → ``destination`` (an address); a bad address raises the engine's error."""
        address = str(parse_address(destination, what="destination address"))
        trace = self.net.trace(source, address)
        nic = self.net.nic(source)
        routes = self.net.effective_routes(nic.vnet.name, nic.subnet.name)
        return NextHopView(trace=trace, routes=routes, hops_html=hops_html(trace),
                           routes_figure=route_table_figure(routes, address),
                           topology=topology_figure(self.net, trace))


# light bluish green / light sky blue / light vermillion (Okabe–Ito); the mark says it without colour
VERDICT_LOOK = {"Reachable": ("✓", "#DDF2EA"), "Internet": ("→", "#E3F1FB"), "Dropped": ("✗", "#FBE3D6")}


def hops_html(trace: Trace) -> str:
    """The verdict with ✓ / → / ✗ (not colour alone), the next hop at the source, then the hop table.

    Leaving for the internet is not a failure: it gets a neutral arrow and colour, not the ✗ of a dropped packet."""
    mark, colour = VERDICT_LOOK.get(trace.verdict, VERDICT_LOOK["Dropped"])
    first = next((h.route for h in trace.hops if h.route is not None), None)
    hop = (f"Next hop at the source: <b>{escape(first.next_hop_type)}</b> "
           f"(route {escape(first.prefix)}, source {escape(first.source)})" if first is not None else "")
    return (f'<div style="background:{colour};padding:4px 8px;border-radius:4px;margin:4px 0">'
            f"<b>{mark} {escape(trace.verdict)}</b>: {escape(trace.reason)}<br>{hop}</div>"
            + trace._repr_html_())


class NextHopExplorer(Explorer):
    """Choose a source VM and a destination (a VM, a site, a P2S client, or any address typed in the text
    field, which wins when it is not empty); see the hops, the source subnet's routes with the chosen one
    marked, and the topology with the trace overlaid.

    Attributes: ``source``, ``destination`` (dropdowns), ``address`` (Text), ``hops``, ``errors`` (HTML),
    ``routes_figure`` and ``figure`` (``go.FigureWidget``: route table and topology), ``current`` (the
    last :class:`NextHopView`), ``widget``.
    """

    def __init__(self, net: Network) -> None:
        self.session = NextHopSession(net)
        sources = self.session.sources()
        destinations = self.session.destinations()
        style = {"description_width": "initial"}
        self.source = ipw.Dropdown(options=sources, value=sources[0][1] if sources else None, description="From",
                                   style=style)
        default = destinations[1][1] if len(destinations) > 1 else (destinations[0][1] if destinations else None)
        self.destination = ipw.Dropdown(options=destinations, value=default, description="To", style=style)
        self.address = ipw.Text(value="", placeholder="or type an address, e.g. 8.8.8.8", continuous_update=False,
                                description="Address", style=style)
        self.hops = ipw.HTML()
        self.errors = ipw.HTML()
        self.routes_figure = figure_widget()
        self.figure = figure_widget()
        self.current: NextHopView | None = None
        self.result = ipw.VBox([self.hops, self.routes_figure, self.figure])  # hidden while an error stands
        self.widget = ipw.VBox([
            ipw.HBox([self.source, self.destination, self.address]),
            self.errors, self.result,
        ])
        for control in (self.source, self.destination, self.address):
            control.observe(self._on_change, names="value")
        if not sources:
            self.hops.value = "<i>This network has no VMs (NICs) to trace from.</i>"
        else:
            self._on_change()

    @property
    def target(self) -> str | None:
        """The destination address: the text field when filled, else the dropdown's."""
        return self.address.value.strip() or self.destination.value

    @callback
    def _on_change(self, change: object = None) -> None:
        if self.source.value is None or not self.target:
            return
        self.result.layout.display = "none"  # an error below must not sit above the previous answer
        view = self.session.view(self.source.value, self.target)
        self.current = view
        self.hops.value = view.hops_html
        self.errors.value = ""
        self.result.layout.display = ""
        replace_figure(self.routes_figure, view.routes_figure)
        replace_figure(self.figure, view.topology)

    def answer_data(self) -> dict | None:
        """Plain data for grading: source, destination, verdict, next hop type and chosen prefix."""
        if self.current is None:
            return None
        t = self.current.trace
        chosen = self.current.routes.lookup(t.dst)
        return {"source": self.source.value, "destination": t.dst, "verdict": t.verdict,
                "next_hop_type": t.next_hop_type, "prefix": chosen.prefix if chosen is not None else None}


__all__ = ["NextHopExplorer", "NextHopSession", "NextHopView", "hops_html"]
