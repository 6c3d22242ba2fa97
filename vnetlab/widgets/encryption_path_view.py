"""The encryption path view: is traffic between two VMs encrypted in transit, leg by leg, and by what?

The engine answers (:meth:`Network.encryption_report`, rules in :mod:`vnetlab.encryption`): a VPN tunnel carries
the packet inside IPsec ESP between the two gateways only; peering adds no IPsec (MACsec at layer 2 is not
counted); Azure Virtual Network encryption covers a direct VM-to-VM path when both VNets have it enabled and both
NICs have accelerated networking. Toggle those two settings and watch the legs change.

Logic layer: :class:`EncryptionSession` (builds the network with the chosen settings through the engine and asks
for the report). Widget layer: :class:`EncryptionPathView`.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

import ipywidgets as ipw
import plotly.graph_objects as go

from ..encryption import EncryptionReport
from ..network import Network
from ..plots import encryption_path_figure
from ..scenario import load_scenario
from . import Explorer, callback, figure_widget, replace_figure


@dataclass(frozen=True)
class EncryptionView:
    report: EncryptionReport
    answer_html: str
    legs_html: str
    figure: go.Figure
    settings_note: str = ""


VNET_ENCRYPTION_PAGE = ("https://learn.microsoft.com/azure/virtual-network/virtual-network-encryption-overview",
                        "2024-12-11")


def settings_note(report: EncryptionReport) -> str:
    """Why the two checkboxes change nothing on a path through a gateway or an appliance ("" when they can)."""
    indirect = sorted({leg.action for leg in report.legs if leg.action in ("to gateway", "appliance", "NAT")})
    if not indirect:
        return ""
    url, date = VNET_ENCRYPTION_PAGE
    return ('<div style="color:#444;font-size:12px;margin:2px 0 4px">The two settings above change nothing on this '
            "path: virtual network encryption protects traffic directly between two VMs (in a VNet or over "
            f"peering), and this path goes through a {' and an '.join(a.replace('to ', '') for a in indirect)}, "
            "so its legs keep the protection shown "
            f'(<a href="{url}" target="_blank">Virtual network encryption</a>, {date}).</div>')


def answer_html(report: EncryptionReport) -> str:
    """The report's answer with ✓ / ⚠ (not colour alone)."""
    ok = report.all_encrypted
    colour = "#DDF2EA" if ok else "#FBE3D6"  # light bluish green / light vermillion (Okabe–Ito)
    return (f'<div style="background:{colour};padding:4px 8px;border-radius:4px;margin:4px 0">'
            f"<b>{'✓' if ok else '⚠'}</b> {escape(report.answer())}</div>")


class EncryptionSession:
    """The VMs of ``net`` and the encryption report between two of them under the chosen settings.

    The network passed in is never changed: each report is computed on a network built from it with virtual
    network encryption set on every VNet and accelerated networking set on the two NICs as requested.
    """

    def __init__(self, net: Network) -> None:
        self.base = net

    def vms(self) -> list[tuple[str, str]]:
        return [(f"{n.name} ({n.ip}, {n.vnet.name})", n.name) for n in self.base.nics]

    def network(self, a: str, b: str, vnet_encryption: bool, accelerated_networking: bool) -> Network:
        """A copy of ``base`` with virtual network encryption set on every VNet and accelerated networking on A and B."""
        net = self.base.copy()
        for name in (a, b):
            net.set_accelerated_networking(name, accelerated_networking)
        for name in net.vnets:
            net.set_vnet_encryption(name, vnet_encryption)
        return net

    def view(self, a: str, b: str, vnet_encryption: bool = False, accelerated_networking: bool = False,
             protocol: str = "Tcp", port: int | None = None) -> EncryptionView:
        report = self.network(a, b, vnet_encryption, accelerated_networking).encryption_report(a, b, protocol, port)
        return EncryptionView(report=report, answer_html=answer_html(report), legs_html=report._repr_html_(),
                              figure=encryption_path_figure(report), settings_note=settings_note(report))


def default_network() -> Network:
    """Worked scenario S3 side by side (a VNet-to-VNet pair and a Site-to-Site pair, scenario ``v2v-vs-s2s``)
    plus a VNet ``peered`` (10.3.0.0/16, VM ``vm-peered``) peered with ``v2v-vnet1``: from ``vm-v2v-vnet1`` one
    VM is reached over a VPN tunnel and one over peering."""
    net = load_scenario("v2v-vs-s2s")
    net.add_vnet("peered", ["10.3.0.0/16"], region="westeurope").add_subnet("app", "10.3.1.0/24").add_nic(
        "vm-peered", "10.3.1.4")
    net.peer("v2v-vnet1", "peered")
    return net


class EncryptionPathView(Explorer):
    """Choose VMs A and B, toggle virtual network encryption (on every VNet) and accelerated networking (on the
    two NICs); see whether every leg in both directions is encrypted, the path figure and the legs table.

    Attributes: ``a``, ``b`` (Dropdowns), ``vnet_encryption``, ``accelerated_networking`` (Checkboxes),
    ``answer``, ``legs``, ``errors`` (HTML), ``figure``, ``current`` (last :class:`EncryptionView`), ``widget``.
    """

    def __init__(self, net: Network | None = None, a: str | None = None, b: str | None = None) -> None:
        self.session = EncryptionSession(net if net is not None else default_network())
        vms = self.session.vms()
        names = [value for _, value in vms]
        style = {"description_width": "initial"}
        self.a = ipw.Dropdown(options=vms, value=a if a is not None else (names[0] if names else None),
                              description="A", style=style)
        self.b = ipw.Dropdown(options=vms, value=b if b is not None else (names[1] if len(names) > 1 else None),
                              description="B", style=style)
        self.vnet_encryption = ipw.Checkbox(description="virtual network encryption on the VNets", indent=False,
                                            layout=ipw.Layout(width="auto"))
        self.accelerated_networking = ipw.Checkbox(description="accelerated networking on A's and B's NICs",
                                                   indent=False, layout=ipw.Layout(width="auto"))
        self.answer = ipw.HTML()
        self.legs = ipw.HTML()
        self.errors = ipw.HTML()
        self.note = ipw.HTML()
        self.figure = figure_widget()
        self.current: EncryptionView | None = None
        self.widget = ipw.VBox([ipw.HBox([self.a, self.b]),
                                ipw.HBox([self.vnet_encryption, self.accelerated_networking]), self.note,
                                self.errors, self.answer, self.figure, self.legs])
        for control in (self.a, self.b, self.vnet_encryption, self.accelerated_networking):
            control.observe(self._on_change, names="value")
        self._on_change()

    @callback
    def _on_change(self, change: object = None) -> None:
        if self.a.value is None or self.b.value is None:
            self.answer.value = "<i>Choose two VMs.</i>"
            return
        view = self.session.view(self.a.value, self.b.value, bool(self.vnet_encryption.value),
                                 bool(self.accelerated_networking.value))
        self.current = view
        self.errors.value = ""
        self.answer.value = view.answer_html
        self.note.value = view.settings_note
        self.legs.value = view.legs_html
        replace_figure(self.figure, view.figure)

    def answer_data(self) -> dict | None:
        """{"a", "b", "vnet_encryption", "accelerated_networking", "all_encrypted"} for grading."""
        if self.current is None:
            return None
        return {"a": self.a.value, "b": self.b.value, "vnet_encryption": bool(self.vnet_encryption.value),
                "accelerated_networking": bool(self.accelerated_networking.value),
                "all_encrypted": self.current.report.all_encrypted}


__all__ = ["EncryptionPathView", "EncryptionSession", "EncryptionView", "answer_html", "default_network"]
