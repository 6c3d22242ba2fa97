"""The NAT rule builder: edit a VPN gateway's NAT rules and their links to connections, then send a packet.

Azure's order of operations (VPN Gateway NAT, azure-facts.md): NAT rules are created on the gateway first, then
linked to connections (IngressSnat rules as ingress, EgressSnat rules as egress). To change links the builder
does what an administrator does: it removes the gateway's connections, replaces the rules and reconnects with
the linked rules, all through the engine (:meth:`Network.add_nat_rule`, :meth:`Network.connect`) on a copy of
the network, so a refused edit ("Static NAT needs equal-sized prefixes", an overlap) leaves the last good
network in place and is shown inline.

Logic layer: :class:`NatSession` (rules and links as plain data, :meth:`NatSession.apply`,
:meth:`NatSession.send`). Widget layer: :class:`NatRuleBuilder`.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

import ipywidgets as ipw
import plotly.graph_objects as go

from ..addressing import parse_address
from ..display import html_table
from ..nat import MODES, TYPES, site_prefixes_seen_by_azure
from ..network import Network
from ..plots import topology_figure
from ..scenario import load_scenario
from ..trace import Trace
from . import Explorer, callback, figure_widget, replace_figure
from .next_hop_explorer import _sample, hops_html

RULE_FIELDS = ("name", "type", "mode", "internal", "external")
Source = tuple[str, "str | None"]  # (NIC name or on-premises address, site name or None)


@dataclass(frozen=True)
class NatView:
    """What the builder shows for one packet: the trace, its NAT steps (before → after) and the topology."""

    trace: Trace
    translations_html: str
    hops_html: str
    topology: go.Figure


def translations_html(trace: Trace) -> str:
    """Each NAT step with the packet before and after it (the engine's hops carry the packet after each step)."""
    rows = []
    for before, hop in zip(trace.hops, trace.hops[1:]):
        if hop.action == "NAT":
            rows.append((hop.step, hop.vnet, f"{before.src} → {before.dst}", f"{hop.src} → {hop.dst}", hop.detail))
    if not rows:
        return "<p><i>No NAT step on this path: the packet keeps its addresses.</i></p>"
    src, dst = trace.delivered_as
    return html_table(("#", "Gateway of", "Before (src → dst)", "After (src → dst)", "Rule"), rows,
                      caption=f"{len(rows)} NAT step(s); the receiver sees {src} → {dst}")


class NatSession:
    """The NAT rules of ``vnet``'s gateway and their links, editable as plain data and applied through the engine.

    ``net`` is the last network that was applied successfully (a copy: the network passed in is never changed).
    """

    def __init__(self, net: Network, vnet: str = "VNet") -> None:
        self.vnet = net.gateway(vnet).vnet.name
        self.net = net.copy()

    @property
    def gateway(self):
        return self.net.gateway(self.vnet)

    def rules(self) -> list[dict]:
        """The applied rules as dicts (``name``, ``type``, ``mode``, ``internal``, ``external``, ports when set)."""
        return [r.to_dict() for r in self.gateway.nat_rules.values()]

    def links(self) -> dict[str, dict[str, list[str]]]:
        """{connection: {"ingress": [rule names], "egress": [rule names]}} as applied."""
        return {c.name: {"ingress": list(c.ingress_nat_rules), "egress": list(c.egress_nat_rules)}
                for c in self.gateway.connections.values()}

    def apply(self, rules: list[dict], links: dict[str, dict[str, list[str]]]) -> Network:
        """Rebuild a copy: remove the gateway's connections, replace its rules, reconnect with the given links.
        Raises the engine's error (and keeps the previous network) when an edit is refused."""
        net = self.net.copy()
        old = list(net.gateway(self.vnet).connections.values())
        for c in old:
            net.remove_connection(self.vnet, c.name)
        for name in list(net.gateway(self.vnet).nat_rules):
            net.remove_nat_rule(self.vnet, name)
        for rule in rules:
            net.add_nat_rule(self.vnet, **rule)
        for c in old:
            link = links.get(c.name, {})
            remote = c.remote.vnet.name if c.kind == "Vnet2Vnet" else c.remote.name
            net.connect(self.vnet, remote, c.kind, name=c.name, enable_bgp=c.enable_bgp, bidirectional=False,
                        ingress_nat_rules=list(link.get("ingress", [])), egress_nat_rules=list(link.get("egress", [])),
                        ipsec_policy=c.ipsec_policy, connection_protocol=c.connection_protocol,
                        use_policy_based_traffic_selectors=c.use_policy_based_traffic_selectors)
        self.net = net
        return net

    def sources(self) -> list[tuple[str, Source]]:
        """(label, (source, site)): every VM NIC, and an example host of each on-premises site."""
        out: list[tuple[str, Source]] = [(f"{n.name} ({n.ip}, {n.vnet.name})", (n.name, None)) for n in self.net.nics]
        for lng in self.net.local_gateways.values():
            prefixes = lng.prefixes or lng.advertised
            if prefixes:
                host = _sample(prefixes[0])
                out.append((f"{lng.name}: {host}", (host, lng.name)))
        return out

    def suggested_destination(self) -> str:
        """A host of the first connected site as Azure sees it (after the connection's IngressSnat rules)."""
        for c in self.gateway.connections.values():
            if c.kind == "IPsec":
                seen = site_prefixes_seen_by_azure(c)
                if seen:
                    return _sample(seen[0][0])
        return ""

    def send(self, source: Source, destination: str, port: int | None = 443) -> NatView:
        """Trace a TCP packet from ``source`` to ``destination`` (an address) on the applied network."""
        src, site = source
        address = str(parse_address(destination, what="destination address"))
        trace = self.net.trace(src, address, port=port, from_site=site)
        return NatView(trace=trace, translations_html=translations_html(trace), hops_html=hops_html(trace),
                       topology=topology_figure(self.net, trace))

    def answer_data(self) -> dict:
        return {"rules": self.rules(), "connections": self.links()}


def default_network() -> Network:
    """Azure's documented NAT example (VNet and two branches, all 10.0.1.0/24)."""
    return load_scenario("nat-branches")


class _RuleRow:
    """One editable rule: name, type, mode, internal and external mapping, and a remove button."""

    def __init__(self, rule: dict) -> None:
        small = ipw.Layout(width="150px")
        self.name = ipw.Text(value=rule.get("name", ""), placeholder="name", layout=small)
        self.type = ipw.Dropdown(options=TYPES, value=rule.get("type", "Static"), layout=ipw.Layout(width="100px"))
        self.mode = ipw.Dropdown(options=MODES, value=rule.get("mode", "EgressSnat"), layout=ipw.Layout(width="130px"))
        self.internal = ipw.Text(value=rule.get("internal", ""), placeholder="internal, e.g. 10.0.1.0/24", layout=small)
        self.external = ipw.Text(value=rule.get("external", ""), placeholder="external, e.g. 192.168.1.0/24",
                                 layout=small)
        self.remove = ipw.Button(description="Remove", icon="trash", layout=ipw.Layout(width="90px"))
        self.box = ipw.HBox([self.name, self.type, self.mode, self.internal, self.external, self.remove])

    def data(self) -> dict:
        return {"name": self.name.value.strip(), "type": self.type.value, "mode": self.mode.value,
                "internal": self.internal.value.strip(), "external": self.external.value.strip()}


class NatRuleBuilder(Explorer):
    """Edit the gateway's NAT rules (rows with Add / Remove), link them to each connection (ingress and egress
    lists), press Apply; then send a packet from a VM or a site host and see each NAT step before → after and
    the topology with the trace.

    Attributes: ``rows`` (list of rule rows: ``name``, ``type``, ``mode``, ``internal``, ``external``, ``remove``),
    ``add`` and ``apply`` (Buttons), ``links`` ({connection: (ingress, egress) SelectMultiple}), ``source``
    (Dropdown), ``destination`` (Text), ``port`` (IntText), ``send`` (Button), ``status``, ``translations``,
    ``hops``, ``errors`` (HTML), ``figure`` (topology), ``session``, ``current`` (last :class:`NatView`), ``widget``.
    """

    def __init__(self, net: Network | None = None, vnet: str = "VNet") -> None:
        self.session = NatSession(net if net is not None else default_network(), vnet)
        style = {"description_width": "initial"}
        self.rows: list[_RuleRow] = []
        self.rules_box = ipw.VBox()
        self.add = ipw.Button(description="Add rule", icon="plus")
        self.apply = ipw.Button(description="Apply", button_style="primary", icon="check")
        self.links: dict[str, tuple[ipw.SelectMultiple, ipw.SelectMultiple]] = {}
        link_boxes = []
        for name in self.session.links():
            pair = (ipw.SelectMultiple(description="ingress", rows=3, style=style),
                    ipw.SelectMultiple(description="egress", rows=3, style=style))
            self.links[name] = pair
            link_boxes.append(ipw.HBox([ipw.HTML(f"<b>{escape(name)}</b>", layout=ipw.Layout(width="140px")), *pair]))
        sources = self.session.sources()
        self.source = ipw.Dropdown(options=sources, value=sources[0][1] if sources else None, description="From",
                                   style=style)
        self.destination = ipw.Text(value=self.session.suggested_destination(), placeholder="destination address", description="To", style=style,
                                    continuous_update=False)
        self.port = ipw.BoundedIntText(value=443, min=1, max=65535, description="TCP port", style=style,
                                       layout=ipw.Layout(width="160px"))
        self.send = ipw.Button(description="Send a packet", icon="paper-plane")
        self.status = ipw.HTML()
        self.translations = ipw.HTML()
        self.hops = ipw.HTML()
        self.errors = ipw.HTML()
        self.figure = figure_widget()
        self.current: NatView | None = None
        self.widget = ipw.VBox([
            ipw.HTML(f"<b>NAT rules of {escape(self.session.gateway.name)}</b> (name, type, mode, internal, external)"),
            self.rules_box, ipw.HBox([self.add, self.apply]),
            ipw.HTML("<b>Linked rules per connection</b> (IngressSnat rules as ingress, EgressSnat as egress)"),
            *link_boxes, self.errors, self.status,
            ipw.HBox([self.source, self.destination, self.port, self.send]),
            self.translations, self.hops, self.figure,
        ])
        self.add.on_click(self._on_add)
        self.apply.on_click(self._on_apply)
        self.send.on_click(self._on_send)
        for control in (self.source, self.destination, self.port):
            control.observe(self._on_send, names="value")
        self._load()
        self._on_send()

    # --- rows and links -----------------------------------------------------------------------------------
    def _load(self) -> None:
        """Show the applied rules and links."""
        self.rows = []
        for rule in self.session.rules():
            self._add_row(rule)
        self._refresh_links(self.session.links())

    def _add_row(self, rule: dict) -> _RuleRow:
        row = _RuleRow(rule)
        row.remove.on_click(lambda _b, row=row: self._on_remove(row))
        row.name.observe(self._on_rename, names="value")
        self.rows.append(row)
        self.rules_box.children = [r.box for r in self.rows]
        return row

    def _refresh_links(self, chosen: dict[str, dict[str, list[str]]] | None = None) -> None:
        names = [n for n in (r.data()["name"] for r in self.rows) if n]
        for conn, (ingress, egress) in self.links.items():
            for widget, key in ((ingress, "ingress"), (egress, "egress")):
                keep = chosen[conn][key] if chosen is not None else list(widget.value)
                widget.options = names
                widget.value = tuple(n for n in keep if n in names)

    def rule_data(self) -> list[dict]:
        return [r.data() for r in self.rows]

    def link_data(self) -> dict[str, dict[str, list[str]]]:
        return {conn: {"ingress": list(i.value), "egress": list(e.value)} for conn, (i, e) in self.links.items()}

    @callback
    def _on_add(self, _button: object = None) -> None:
        self._add_row({"name": f"rule{len(self.rows) + 1}"})
        self._refresh_links()

    @callback
    def _on_remove(self, row: _RuleRow) -> None:
        self.rows.remove(row)
        self.rules_box.children = [r.box for r in self.rows]
        self._refresh_links()

    @callback
    def _on_rename(self, change: object = None) -> None:
        self._refresh_links()

    @callback
    def _on_apply(self, _button: object = None) -> None:
        self.status.value = ""
        self.session.apply(self.rule_data(), self.link_data())
        self.errors.value = ""
        self.status.value = "✓ Applied: the gateway's rules and links were rebuilt."
        self._on_send()

    @callback
    def _on_send(self, change: object = None) -> None:
        if self.source.value is None or not self.destination.value.strip():
            self.translations.value = "<i>Type a destination address and press Send.</i>"
            return
        view = self.session.send(self.source.value, self.destination.value, int(self.port.value))
        self.current = view
        self.errors.value = ""
        self.translations.value = view.translations_html
        self.hops.value = view.hops_html
        replace_figure(self.figure, view.topology)

    def answer_data(self) -> dict:
        """The applied rules and links: {"rules": [...], "connections": {name: {"ingress": [...], "egress": [...]}}}."""
        return self.session.answer_data()


__all__ = ["NatRuleBuilder", "NatSession", "NatView", "default_network", "translations_html"]
