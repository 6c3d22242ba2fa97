"""The peering explorer: peer, unpeer and change the four settings of a pair of VNets; see who reaches whom.

Logic layer: :class:`PeeringSession` owns a copy of the network and calls the engine (``peer``,
``remove_peering``, ``set_peering``, ``reachability``, ``trace``); it returns plain values and HTML.
Widget layer: :class:`PeeringExplorer` wires two dropdowns, four checkboxes named after Azure's
settings and two buttons to it, and redraws the topology figure in place.
"""
from __future__ import annotations

from html import escape

import ipywidgets as ipw
import plotly.graph_objects as go

from ..network import Network
from ..peering import PeeringLink, PeeringSettings, azure_defaults
from ..plots import topology_figure
from ..trace import Reachability, Trace
from . import Explorer, callback, figure_widget, replace_figure

# What each setting does, for the checkboxes' tooltips (Manage peering, 2025-05-08; azure-facts.md §6.2).
SETTING_HELP = {
    "allow_virtual_network_access": "Traffic flows between the two VNets; off on either link stops it (default on).",
    "allow_forwarded_traffic": "Accept traffic the peer forwards, e.g. from an appliance (default off).",
    "allow_gateway_transit": "Let the peer use this VNet's VPN gateway; needs a gateway here (default off).",
    "use_remote_gateways": "Use the peer's gateway; the peer needs one and must allow transit (default off).",
}


def settings_words(settings: PeeringSettings) -> str:
    return ", ".join(f"{name} {'on' if getattr(settings, name) else 'off'}" for name in PeeringSettings.names())


def link_html(link: PeeringLink) -> str:
    return (f"<li><code>{escape(link.name)}</code> ({escape(link.local.name)} → {escape(link.remote.name)}): "
            f"<b>{link.peering_state}</b>, {link.kind.lower()}, {link.peering_sync_level}; "
            f"{escape(settings_words(link.settings))}</li>")


def matrix_html(reach: Reachability, vnet_of: dict[str, str]) -> str:
    """A grid of who reaches whom (✓ / ✗ and the verdict, never colour alone), then every pair's reason."""
    verdicts = {(r.src, r.dst): r for r in reach.rows}
    if len(reach.nics) < 2:
        return "<p><i>Add VMs (NICs) in at least two places to see who reaches whom.</i></p>"
    cell = "padding:3px 8px;border:1px solid #ccc;text-align:center"
    head = "".join(f'<th style="{cell}">{escape(n)}<br><small>{escape(vnet_of[n])}</small></th>' for n in reach.nics)
    body = []
    for src in reach.nics:
        cells = []
        for dst in reach.nics:
            row = verdicts.get((src, dst))
            if row is None:
                cells.append(f'<td style="{cell};color:#999">—</td>')
                continue
            ok = row.verdict == "Reachable"
            colour = "#DDF2EA" if ok else "#FBE3D6"  # light bluish green / light vermillion (Okabe–Ito)
            mark = "✓" if ok else "✗"
            cells.append(f'<td style="{cell};background:{colour}" title="{escape(row.reason)}">{mark} {row.verdict}</td>')
        body.append(f'<tr><th style="{cell};text-align:left">{escape(src)}<br><small>{escape(vnet_of[src])}</small>'
                    f'</th>{"".join(cells)}</tr>')
    grid = (f'<table style="border-collapse:collapse;font-size:13px"><caption style="text-align:left">'
            f"<b>Who reaches whom</b> (row = from, column = to; hover a cell for the reason)</caption>"
            f'<tr><th style="{cell}">from \\ to</th>{head}</tr>{"".join(body)}</table>')
    # the reasons, one per pair, are folded (n VMs make n*(n-1) rows): the grid stays on screen, hover gives one reason
    return (grid + f"<details><summary>Why, pair by pair ({len(reach.rows)} reasons; click to open)</summary>"
            + reach._repr_html_() + "</details>")


class PeeringSession:
    """The explorer's state: its own copy of a network, changed only through the engine."""

    def __init__(self, net: Network) -> None:
        self.net = net.copy()

    @property
    def names(self) -> list[str]:
        return list(self.net.vnets)

    def link(self, a: str, b: str) -> PeeringLink | None:
        return self.net.vnet(a).peerings.get(b) if a in self.net.vnets else None

    def settings(self, a: str, b: str) -> PeeringSettings:
        """The settings of ``a``'s link to ``b``, or Azure's defaults when there is no such link."""
        link = self.link(a, b)
        return link.settings if link is not None else azure_defaults()

    def peer(self, a: str, b: str, settings: PeeringSettings) -> str:
        """Create both links as the portal does, ``settings`` being those of ``a``'s link: its gateway settings
        are named as ``a``'s, the access and forwarding settings apply to both links."""
        self.net.peer(a, b, allow_virtual_network_access=settings.allow_virtual_network_access,
                      allow_forwarded_traffic=settings.allow_forwarded_traffic,
                      allow_gateway_transit=a if settings.allow_gateway_transit else None,
                      use_remote_gateways=a if settings.use_remote_gateways else None)
        return f"Peered {a} and {b}: both links exist, so the peering is Connected."

    def unpeer(self, a: str, b: str) -> str:
        self.net.remove_peering(a, b)
        return f"Removed the peering {a} ↔ {b} (both links)."

    def set(self, a: str, b: str, name: str, value: bool) -> str:
        self.net.set_peering(a, b, **{name: value})
        return f"Set {name} {'on' if value else 'off'} on {a}'s link to {b}."

    def pair_html(self, a: str, b: str) -> str:
        if a == b:
            return "Choose two different VNets."
        links = [link for link in (self.link(a, b), self.link(b, a)) if link is not None]
        if not links:
            return (f"{escape(a)} and {escape(b)} are <b>not peered</b>. Tick the settings for {escape(a)}'s link "
                    "and click <b>Peer</b>.")
        return f"{escape(a)} ↔ {escape(b)}:<ul style='margin:2px 0'>{''.join(link_html(l) for l in links)}</ul>"

    def pair_trace(self, a: str, b: str) -> Trace | None:
        """A trace from the first VM in ``a`` to the first VM in ``b`` (None if either has no VM)."""
        if a == b or a not in self.net.vnets or b not in self.net.vnets:
            return None
        src, dst = self.net.vnet(a).nics, self.net.vnet(b).nics
        if not src or not dst:
            return None
        return self.net.trace(src[0].name, str(dst[0].ip))

    def matrix_html(self) -> str:
        vnet_of = {nic.name: nic.vnet.name for nic in self.net.nics}
        return matrix_html(self.net.reachability(), vnet_of)

    def figure(self, a: str, b: str) -> go.Figure:
        return topology_figure(self.net, self.pair_trace(a, b))


class PeeringExplorer(Explorer):
    """Pick two VNets, set the four peering settings of the first one's link, Peer or Remove peering, and
    watch the reachability matrix and the topology change. Works on a copy of ``net``.

    Attributes: ``vnet_a``, ``vnet_b`` (dropdowns); ``allow_virtual_network_access``,
    ``allow_forwarded_traffic``, ``allow_gateway_transit``, ``use_remote_gateways`` (checkboxes, the
    settings of the link ``vnet_a`` → ``vnet_b``); ``peer_button``, ``unpeer_button``; ``matrix``,
    ``status``, ``errors`` (HTML); ``figure`` (``go.FigureWidget``); ``network``; ``widget``.
    """

    def __init__(self, net: Network) -> None:
        self.session = PeeringSession(net)
        names = self.session.names
        self.vnet_a = ipw.Dropdown(options=names, value=names[0] if names else None, description="VNet a")
        self.vnet_b = ipw.Dropdown(options=names, value=names[1] if len(names) > 1 else (names[0] if names else None),
                                   description="VNet b")
        self.checkboxes: dict[str, ipw.Checkbox] = {}
        for name in PeeringSettings.names():
            box = ipw.Checkbox(description=name, tooltip=SETTING_HELP[name], indent=False,
                               layout=ipw.Layout(width="auto"))
            setattr(self, name, box)
            self.checkboxes[name] = box
        self.peer_button = ipw.Button(description="Peer", button_style="success", icon="link",
                                      tooltip="Create both links: a → b and b → a")
        self.unpeer_button = ipw.Button(description="Remove peering", button_style="warning", icon="unlink",
                                        tooltip="Delete both links of the peering")
        self.status = ipw.HTML()
        self.errors = ipw.HTML()
        self.matrix = ipw.HTML()
        self.figure = figure_widget()
        self._syncing = False  # True while the explorer itself sets the checkboxes
        self.widget = ipw.VBox([
            ipw.HBox([self.vnet_a, self.vnet_b]),
            ipw.HTML("<small>Settings of the link <b>a → b</b> (Azure's names):</small>"),
            ipw.HBox(list(self.checkboxes.values())),
            ipw.HBox([self.peer_button, self.unpeer_button]),
            self.errors, self.status, ipw.HBox([self.figure, self.matrix]),
        ])
        self.vnet_a.observe(self._on_pair, names="value")
        self.vnet_b.observe(self._on_pair, names="value")
        for name, box in self.checkboxes.items():
            box.observe(self._on_setting, names="value")
        self.peer_button.on_click(self._on_peer)
        self.unpeer_button.on_click(self._on_unpeer)
        self._refresh("")

    # --- state --------------------------------------------------------------------------------------------
    @property
    def network(self) -> Network:
        return self.session.net

    @property
    def pair(self) -> tuple[str, str]:
        return self.vnet_a.value, self.vnet_b.value

    def staged_settings(self) -> PeeringSettings:
        """The settings the checkboxes show."""
        return PeeringSettings(**{name: bool(box.value) for name, box in self.checkboxes.items()})

    def answer_data(self) -> dict:
        """Plain data for grading: the network as it is now, in the scenario format."""
        return self.network.to_dict()

    # --- wiring ---------------------------------------------------------------------------------------------
    def _show_settings(self, settings: PeeringSettings) -> None:
        self._syncing = True
        try:
            for name, box in self.checkboxes.items():
                box.value = getattr(settings, name)
        finally:
            self._syncing = False

    def _refresh(self, message: str, *, figure: bool = True) -> None:
        a, b = self.pair
        if a is None:
            self.status.value = "<i>This network has no VNets.</i>"
            return
        self._show_settings(self.session.settings(a, b))
        note = f"<b>{escape(message)}</b><br>" if message else ""
        self.status.value = note + self.session.pair_html(a, b)
        self.errors.value = ""
        self.matrix.value = self.session.matrix_html()
        if figure:
            replace_figure(self.figure, self.session.figure(a, b))

    @callback
    def _on_pair(self, change: object = None) -> None:
        self._refresh("")

    @callback
    def _on_setting(self, change: dict) -> None:
        if self._syncing:
            return
        a, b = self.pair
        name = change["owner"].description
        if self.session.link(a, b) is None:
            self.errors.value = ""
            self.status.value = (f"<b>{escape(name)} {'on' if change['new'] else 'off'}</b> will be used when you "
                                 f"click Peer.<br>" + self.session.pair_html(a, b))
            return
        try:
            message = self.session.set(a, b, name, bool(change["new"]))
        except Exception:
            self._show_settings(self.session.settings(a, b))  # the link kept its settings: show them again
            raise
        self._refresh(message)

    @callback
    def _on_peer(self, button: object = None) -> None:
        a, b = self.pair
        self._refresh(self.session.peer(a, b, self.staged_settings()))

    @callback
    def _on_unpeer(self, button: object = None) -> None:
        a, b = self.pair
        self._refresh(self.session.unpeer(a, b))


__all__ = ["PeeringExplorer", "PeeringSession", "link_html", "matrix_html", "settings_words"]
