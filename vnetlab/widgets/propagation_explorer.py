"""The propagation explorer: worked scenario S3 side by side (azure-facts.md S3, §3.2, §3.3, §6.4).

Two VNets with route-based gateways are joined three ways, each in its own copy of the network:

* **Vnet2Vnet**: a VNet-to-VNet connection (both connection resources). Azure fills in and hides each side's
  view of the other, so a new range on VNet2 is routed by VNet1 at once;
* **IPsec**: two Site-to-Site connections whose local network gateways were typed by hand with the other
  VNet's address space; a new range is not routed until the LNG is edited;
* **Peering**: the link on VNet1 keeps its copy of VNet2's address space until it is synced.

Logic layer: :class:`PropagationSession` makes the three copies and changes them only through the engine
(``add_address_space``, ``set_local_network_gateway_prefixes``, ``sync_peering``), reporting each change
with :func:`vnetlab.changes.what_changes` and a trace from VNet1's VM into the new range. Widget layer:
:class:`PropagationExplorer` wires two text fields and three buttons to it.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

import ipywidgets as ipw

from ..addressing import next_free_subnet, parse_prefix
from ..changes import ChangeReport, what_changes
from ..display import html_table
from ..errors import VnetlabError
from ..network import Network
from ..routes import Route
from ..scenario import load_scenario
from ..trace import Trace
from . import Explorer, callback
from .address_planner import split_space

DEFAULT_SCENARIO = "two-gateways"
SIDES = ("Vnet2Vnet", "IPsec", "Peering")
TITLES = {
    "Vnet2Vnet": "VNet-to-VNet connection",
    "IPsec": "Site-to-Site (IPsec), LNGs typed by hand",
    "Peering": "VNet peering (sync after a change)",
}
NEW_SUBNET_PREFIXLEN = 24  # the VM the trace aims at sits in the first /24 of the new range (or the range itself)


@dataclass(frozen=True)
class SideView:
    """What one column shows: the last change's route diff and whether VNet1's VM reaches the target."""

    side: str
    report: ChangeReport | None
    trace: Trace
    route: Route | None  # the route VNet1's subnet chooses for the target

    @property
    def reachable(self) -> bool:
        return self.trace.reachable


class PropagationSession:
    """Three copies of a two-VNet network, joined by Vnet2Vnet, by IPsec with hand-typed LNGs, by peering."""

    def __init__(self, net: Network | None = None) -> None:
        base = (net if net is not None else load_scenario(DEFAULT_SCENARIO)).copy()
        with_gateway = [v for v in base.vnets.values() if v.gateway is not None]
        if len(with_gateway) < 2:
            raise VnetlabError("The propagation explorer needs two VNets with VPN gateways (e.g. the "
                               f"{DEFAULT_SCENARIO!r} scenario).", value=[v.name for v in with_gateway],
                               rule="two gateways to connect")
        v1, v2 = with_gateway[0], with_gateway[1]
        if not v1.nics:
            raise VnetlabError(f"VNet {v1.name} has no VM to trace from; add a NIC to one of its subnets.",
                               value=v1.name, rule="a trace starts at a NIC")
        self.vnet1, self.vnet2 = v1.name, v2.name
        self.source = v1.nics[0]
        self.lng_for_vnet2 = f"lng-{self.vnet2}"
        self.sides: dict[str, Network] = {side: self._join(base.copy(), side) for side in SIDES}
        self.target = str(v2.nics[0].ip) if v2.nics else None
        self.added: list[str] = []
        self.new_subnets: set[str] = set()  # subnets the explorer created in VNet2 for the target VMs
        self.reports: dict[str, ChangeReport | None] = {side: None for side in SIDES}

    def _join(self, net: Network, side: str) -> Network:
        if side == "Vnet2Vnet":
            net.connect(self.vnet1, self.vnet2, kind="Vnet2Vnet")
        elif side == "IPsec":  # each LNG stands for the other VNet: its gateway's public IP, its ranges as typed today
            for here, there in ((self.vnet1, self.vnet2), (self.vnet2, self.vnet1)):
                remote = net.gateway(there)
                net.add_local_network_gateway(f"lng-{there}", remote.public_ips[0],
                                              [str(r) for r in net.vnet(there).address_space])
                net.connect(here, f"lng-{there}", kind="IPsec")
        else:
            net.peer(self.vnet1, self.vnet2)
        net.name = f"{net.name} ({side})"
        return net

    # --- changes ------------------------------------------------------------------------------------------
    def add_range(self, prefix: str) -> str:
        """VNet2 adds ``prefix`` to its address space, with a subnet and a VM in it, in all three copies.

        Every copy is tried first (``what_changes`` works on a copy), so a refused change changes none."""
        rng = parse_prefix(prefix)
        n = len(self.added) + 1
        subnet = next_free_subnet(rng, [], max(rng.prefixlen, NEW_SUBNET_PREFIXLEN))

        def change(net: Network) -> None:
            net.add_address_space(self.vnet2, str(rng))
            net.vnet(self.vnet2).add_subnet(f"new{n}", str(subnet)).add_nic(f"vm-{self.vnet2}-new{n}")

        description = f"{self.vnet2} adds {rng} (with a VM in {subnet})"
        reports = {side: what_changes(net, change, description) for side, net in self.sides.items()}
        for net in self.sides.values():
            change(net)
        self.reports = reports
        self.added.append(str(rng))
        self.new_subnets.add(f"new{n}")
        self.target = str(self.sides["Vnet2Vnet"].nic(f"vm-{self.vnet2}-new{n}").ip)
        return description

    def lng_prefixes(self) -> list[str]:
        """What the IPsec copy's LNG for VNet2 lists (typed by hand)."""
        return [str(p) for p in self.sides["IPsec"].local_gateway(self.lng_for_vnet2).prefixes]

    def set_lng_prefixes(self, text: str) -> str:
        prefixes = split_space(text)
        description = f"edit {self.lng_for_vnet2}'s prefixes to {', '.join(prefixes) or 'nothing'}"
        report = what_changes(self.sides["IPsec"], lambda n: n.set_local_network_gateway_prefixes(
            self.lng_for_vnet2, prefixes), description, apply=True)
        self.reports = {side: (report if side == "IPsec" else None) for side in SIDES}
        return description

    def sync_peering(self) -> str:
        description = f"sync {self.vnet1}'s peering link to {self.vnet2}"
        report = what_changes(self.sides["Peering"], lambda n: n.sync_peering(self.vnet1, self.vnet2), description,
                              apply=True)
        self.reports = {side: (report if side == "Peering" else None) for side in SIDES}
        return description

    # --- what the columns show ------------------------------------------------------------------------------------
    def view(self, side: str) -> SideView:
        net = self.sides[side]
        target = self.target or str(net.vnet(self.vnet2).address_space[0].ip)
        trace = net.trace(self.source.name, target)
        route = net.effective_routes(self.vnet1, self.source.subnet.name).lookup(target)
        return SideView(side=side, report=self.reports[side], trace=trace, route=route)

    def setup_html(self, side: str) -> str:
        """What this copy's VNet1 knows about VNet2's address space, and from where."""
        net = self.sides[side]
        if side == "Vnet2Vnet":
            space = ", ".join(str(r) for r in net.vnet(self.vnet2).address_space)
            return f"{escape(self.vnet1)} learns {escape(self.vnet2)}'s ranges from Azure: {escape(space)}"
        if side == "IPsec":
            return f"{escape(self.lng_for_vnet2)} lists (typed by hand): {escape(', '.join(self.lng_prefixes()))}"
        link = net.peering(self.vnet1, self.vnet2)
        copy = ", ".join(str(r) for r in link.remote_address_space)
        return f"{escape(self.vnet1)}'s link is {link.peering_sync_level}; its copy of the peer's space: {escape(copy)}"

    def diff_html(self, report: ChangeReport) -> str:
        """The change's route diff: VNet1's subnets first (where the VM is), then VNet2's (not the new subnets,
        whose routes are all new)."""
        headers = ("Subnet", "Prefix", "Change", "Before", "After")
        parts = [f"<p style='margin:4px 0'><b>{escape(report.description)}</b></p>"]
        for vnet, open_ in ((self.vnet1, " open"), (self.vnet2, "")):
            rows = [(c.subnet, c.prefix, c.kind, c.before or "—", c.after or "—") for c in report.changes
                    if c.vnet == vnet and c.subnet not in self.new_subnets]
            title = f"Route changes in {vnet}" + (f" (where {self.source.name} is)" if vnet == self.vnet1 else "")
            body = html_table(headers, rows) if rows else "<p style='margin:2px 0'><i>none</i></p>"
            parts.append(f"<details{open_}><summary>{escape(title)}: {len(rows)}</summary>{body}</details>")
        return "".join(parts)

    def column_html(self, side: str) -> str:
        v = self.view(side)
        mark = "✓" if v.reachable else "✗"
        colour = "#DDF2EA" if v.reachable else "#FBE3D6"  # light bluish green / light vermillion (Okabe–Ito)
        route = (f"{escape(self.vnet1)} chooses <code>{escape(v.route.prefix)} → {escape(v.route.next_hop_type)}</code>"
                 if v.route is not None else f"no route in {escape(self.vnet1)}")
        setup = self.setup_html(side)
        if v.report is None:
            diff = "<p><i>The last change was made in another column.</i></p>" if self.added else \
                   "<p><i>No change yet: add a range to VNet2.</i></p>"
        else:
            diff = self.diff_html(v.report)
        return (f'<div style="padding:0 8px;overflow-x:auto">'
                f"<h4 style='margin:4px 0'>{escape(TITLES[side])}</h4><p style='margin:2px 0'>{setup}</p>"
                f'<div style="background:{colour};padding:4px 6px;border-radius:4px;margin:4px 0">'
                f"<b>{mark} {escape(self.source.name)} → {escape(v.trace.dst)}: {escape(v.trace.verdict)}</b><br>"
                f"{route}<br><small>{escape(v.trace.reason)}</small></div>{diff}</div>")


class PropagationExplorer(Explorer):
    """Worked scenario S3, three ways at once: add an address range to VNet2 and see, per connection type, which
    routes change and whether VNet1's VM reaches a VM in the new range; then edit the LNG or sync the peering.

    Attributes: ``new_range`` (Text) and ``add_button``; ``lng_prefixes`` (Text: the IPsec copy's LNG for VNet2)
    and ``lng_button``; ``sync_button``; ``columns`` (``{side: HTML}`` for ``Vnet2Vnet``, ``IPsec``, ``Peering``);
    ``status``, ``errors`` (HTML); ``session`` (:class:`PropagationSession`); ``widget``.
    """

    def __init__(self, net: Network | None = None) -> None:
        self.session = PropagationSession(net)
        s = self.session
        style = {"description_width": "initial"}
        self.new_range = ipw.Text(value="", placeholder="e.g. 10.22.0.0/16", style=style,
                                  description=f"New range for {s.vnet2}")
        self.add_button = ipw.Button(description=f"Add to {s.vnet2}", button_style="primary", icon="plus",
                                     layout=ipw.Layout(width="auto"), tooltip=f"Add the range to {s.vnet2}'s address space in all three copies")
        self.lng_prefixes = ipw.Text(value=", ".join(s.lng_prefixes()), style=style,
                                     description=f"{s.lng_for_vnet2} prefixes", layout=ipw.Layout(width="460px"))
        self.lng_button = ipw.Button(description="Save LNG prefixes", icon="pencil", layout=ipw.Layout(width="auto"),
                                     tooltip="Edit the local network gateway by hand (IPsec column only)")
        self.sync_button = ipw.Button(description="Sync peering", icon="refresh", layout=ipw.Layout(width="auto"),
                                      tooltip=f"Sync {s.vnet1}'s peering link to {s.vnet2} (Peering column only)")
        # three columns share the width and wrap onto a new line rather than being clipped (JupyterLab at 1280 px)
        self.columns = {side: ipw.HTML(layout=ipw.Layout(flex="1 1 260px", min_width="260px")) for side in SIDES}
        self.status = ipw.HTML()
        self.errors = ipw.HTML()
        self.widget = ipw.VBox([
            ipw.HBox([self.new_range, self.add_button]),
            ipw.HBox([self.lng_prefixes, self.lng_button, self.sync_button]),
            self.errors, self.status,
            ipw.HBox(list(self.columns.values()), layout=ipw.Layout(flex_flow="row wrap", width="100%")),
        ])
        self.add_button.on_click(self._on_add)
        self.lng_button.on_click(self._on_lng)
        self.sync_button.on_click(self._on_sync)
        self._refresh("")

    def _refresh(self, message: str) -> None:
        self.errors.value = ""
        self.status.value = f"<b>{escape(message)}</b>" if message else (
            f"Type a range for {escape(self.session.vnet2)} (for example 10.22.0.0/16) and click Add.")
        for side, box in self.columns.items():
            box.value = self.session.column_html(side)

    @callback
    def _on_add(self, button: object = None) -> None:
        self._refresh(self.session.add_range(self.new_range.value.strip()))

    @callback
    def _on_lng(self, button: object = None) -> None:
        message = self.session.set_lng_prefixes(self.lng_prefixes.value)
        self.lng_prefixes.value = ", ".join(self.session.lng_prefixes())
        self._refresh(message)

    @callback
    def _on_sync(self, button: object = None) -> None:
        self._refresh(self.session.sync_peering())

    def answer_data(self) -> dict:
        """Plain data for grading: the ranges added, the LNG's prefixes and each column's verdict."""
        return {"ranges_added": list(self.session.added), "lng_prefixes": self.session.lng_prefixes(),
                "verdicts": {side: self.session.view(side).trace.verdict for side in SIDES}}


__all__ = ["PropagationExplorer", "PropagationSession", "SideView"]
