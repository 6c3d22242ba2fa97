"""The NSG rule editor: add and remove security rules, verify a flow, and see which VM reaches which.

Rules, defaults and evaluation are the engine's (:mod:`vnetlab.nsg`): custom rules by priority (100–4096), then
the six default rules, which cannot be deleted; inbound the subnet's NSG is evaluated before the NIC's, outbound
the NIC's before the subnet's; a deny stops. IP flow verify is :meth:`Network.flow_verify`; the reachability
matrix is one :meth:`Network.trace` per pair of VMs, so routes and NSGs at both ends count.

Logic layer: :class:`NsgSession`. Widget layer: :class:`NsgRuleEditor`. The editor changes the network it is
given (that is its purpose): after the lesson, ``editor.session.net`` holds the learner's rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

import ipywidgets as ipw

from ..display import html_table
from ..network import Network
from ..nsg import ACCESSES, DIRECTIONS, FlowVerdict
from ..trace import PROTOCOLS
from . import Explorer, callback

RULE_PROTOCOLS = ("*", "Tcp", "Udp", "Icmp")
VERIFY_PROTOCOLS = tuple(dict.fromkeys(PROTOCOLS.values()))


def two_tier_network() -> Network:
    """VNet ``two-tier`` (10.10.0.0/16): subnet ``web`` (10.10.1.0/24, VM ``vm-web`` 10.10.1.4) and subnet ``app``
    (10.10.2.0/24, VM ``vm-app`` 10.10.2.4) with NSG ``app-nsg`` (default rules only) associated with ``app``."""
    net = Network("two-tier")
    vnet = net.add_vnet("two-tier", ["10.10.0.0/16"], region="westeurope")
    vnet.add_subnet("web", "10.10.1.0/24").add_nic("vm-web", "10.10.1.4")
    vnet.add_subnet("app", "10.10.2.0/24").add_nic("vm-app", "10.10.2.4")
    net.add_network_security_group("app-nsg")
    net.associate_network_security_group("two-tier", "app", nsg="app-nsg")
    return net


@dataclass(frozen=True)
class Reach:
    """One cell of the matrix: can ``src`` reach ``dst`` on the port, and the trace's reason."""

    src: str
    dst: str
    reachable: bool
    reason: str


def matrix_html(cells: list[Reach], names: list[str], protocol: str, port: int | None) -> str:
    """Rows: from; columns: to; ✓ / ✗ (not colour alone), the reason on hover."""
    by = {(c.src, c.dst): c for c in cells}
    cell = "padding:3px 10px;border:1px solid #ddd;text-align:center"
    head = "".join(f'<th style="{cell}">{escape(n)}</th>' for n in names)
    rows = []
    for a in names:
        tds = []
        for b in names:
            c = by.get((a, b))
            if c is None:
                tds.append(f'<td style="{cell};color:#999">—</td>')
            else:
                colour = "#DDF2EA" if c.reachable else "#FBE3D6"
                tds.append(f'<td style="{cell};background:{colour}" title="{escape(c.reason)}">'
                           f"{'✓' if c.reachable else '✗'}</td>")
        rows.append(f'<tr><th style="{cell};text-align:left">{escape(a)}</th>{"".join(tds)}</tr>')
    port_words = f" port {port}" if port is not None else ""
    return (f'<table class="vnetlab-table" style="border-collapse:collapse;font-size:13px">'
            f'<caption style="text-align:left;font-weight:bold;padding:4px 0">Who reaches whom, {escape(protocol)}'
            f"{port_words} (rows: from, columns: to; hover for the reason)</caption>"
            f'<tr><th style="{cell}">from \\ to</th>{head}</tr>{"".join(rows)}</table>')


def verdict_html(verdict: FlowVerdict) -> str:
    colour = "#DDF2EA" if verdict.allowed else "#FBE3D6"
    return (f'<div style="background:{colour};padding:4px 8px;border-radius:4px;margin:4px 0">'
            f"<b>{'✓ Allow' if verdict.allowed else '✗ Deny'}</b>: {escape(verdict.reason)}</div>"
            + verdict._repr_html_())


class NsgSession:
    """Edit NSG ``nsg`` of ``net`` and ask the engine about flows."""

    def __init__(self, net: Network, nsg: str) -> None:
        self.net = net
        self.nsg = net.network_security_group(nsg).name

    @property
    def group(self):
        return self.net.network_security_group(self.nsg)

    def rules_html(self) -> str:
        """The NSG's rules, custom then default (greyed), as the engine displays them."""
        return self.group._repr_html_()

    def add_rule(self, name: str, priority: int, direction: str, access: str, protocol: str = "*", source: str = "*",
                 source_ports: str = "*", destination: str = "*", destination_ports: str = "*") -> None:
        self.net.add_security_rule(self.nsg, name, priority, direction, access, protocol, _items(source),
                                   _items(source_ports), _items(destination), _items(destination_ports))

    def remove_rule(self, name: str) -> None:
        self.net.remove_security_rule(self.nsg, name)

    def vms(self) -> list[str]:
        return [n.name for n in self.net.nics]

    def verify(self, target: str, direction: str, protocol: str = "Tcp", remote: str = "", local_port: int | None = None,
               remote_port: int | None = None) -> FlowVerdict:
        """IP flow verify at VM ``target``; ``remote`` is a VM name or an address."""
        remote_ip = str(self.net.nic(remote).ip) if remote in self.vms() else (remote.strip() or None)
        return self.net.flow_verify(target, direction, protocol, local_port=local_port, remote_ip=remote_ip,
                                    remote_port=remote_port)

    def matrix(self, protocol: str = "Tcp", port: int | None = None) -> list[Reach]:
        """A trace from every VM to every other VM."""
        cells = []
        for a in self.net.nics:
            for b in self.net.nics:
                if a is not b:
                    t = self.net.trace(a.name, str(b.ip), protocol, port)
                    cells.append(Reach(a.name, b.name, t.reachable, f"{t.verdict}: {t.reason}"))
        return cells

    def answer_data(self) -> dict:
        return {"nsg": self.nsg, "rules": [r.to_dict() for r in self.group.custom.values()]}


def _items(text: str) -> "str | list[str]":
    """A comma-separated field ("10.0.0.0/8, 192.168.0.0/16" or "80, 443") as the engine's list form."""
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    return parts[0] if len(parts) == 1 else (parts or str(text))


class NsgRuleEditor(Explorer):
    """The NSG's rules (custom, then the greyed defaults), a form to add a rule and one to remove it, IP flow
    verify at a VM, and a matrix of which VM reaches which on a chosen port.

    Attributes: ``rules`` (HTML table); add form ``name``, ``priority``, ``direction``, ``access``, ``protocol``,
    ``source``, ``source_ports``, ``destination``, ``destination_ports``, ``add`` (Button); ``remove_name``
    (Dropdown of custom rules), ``remove`` (Button); verify form ``target``, ``verify_direction``,
    ``verify_protocol``, ``remote`` (VM name or address, Combobox), ``local_port``, ``remote_port``,
    ``verify`` (Button), ``verdict`` (HTML), ``last_verdict``; matrix ``matrix_protocol``, ``matrix_port``,
    ``matrix`` (HTML); ``errors``; ``session``; ``widget``.
    """

    def __init__(self, net: Network | None = None, nsg: str | None = None) -> None:
        net = net if net is not None else two_tier_network()
        if nsg is None:
            nsg = next(iter(net.network_security_groups), "app-nsg")
        self.session = NsgSession(net, nsg)
        style = {"description_width": "initial"}
        short = ipw.Layout(width="210px")
        self.rules = ipw.HTML()
        self.name = ipw.Text(description="Name", placeholder="DenyWebToApp", style=style, layout=short)
        self.priority = ipw.BoundedIntText(value=100, min=0, max=65535, description="Priority", style=style,
                                           layout=ipw.Layout(width="150px"))
        self.direction = ipw.Dropdown(options=DIRECTIONS, description="Direction", style=style, layout=short)
        self.access = ipw.Dropdown(options=ACCESSES, description="Access", style=style, layout=short)
        self.protocol = ipw.Dropdown(options=RULE_PROTOCOLS, description="Protocol", style=style, layout=short)
        self.source = ipw.Text(value="*", description="Source", style=style, layout=short)
        self.source_ports = ipw.Text(value="*", description="Source ports", style=style, layout=short)
        self.destination = ipw.Text(value="*", description="Destination", style=style, layout=short)
        self.destination_ports = ipw.Text(value="*", description="Destination ports", style=style, layout=short)
        self.add = ipw.Button(description="Add rule", icon="plus", button_style="primary")
        self.remove_name = ipw.Dropdown(options=[], description="Rule", style=style)
        self.remove = ipw.Button(description="Remove rule", icon="trash")
        vms = self.session.vms()
        self.target = ipw.Dropdown(options=vms, description="At VM", style=style)
        self.verify_direction = ipw.Dropdown(options=DIRECTIONS, description="Direction", style=style, layout=short)
        self.verify_protocol = ipw.Dropdown(options=VERIFY_PROTOCOLS, value="Tcp", description="Protocol", style=style,
                                            layout=short)
        self.remote = ipw.Combobox(options=vms, value=vms[0] if vms else "", description="Remote (VM or IP)",
                                   style=style, ensure_option=False)
        self.local_port = ipw.BoundedIntText(value=443, min=0, max=65535, description="Local port", style=style,
                                             layout=ipw.Layout(width="170px"))
        self.remote_port = ipw.BoundedIntText(value=50000, min=0, max=65535, description="Remote port", style=style,
                                              layout=ipw.Layout(width="180px"))
        self.verify = ipw.Button(description="Verify flow", icon="search")
        self.verdict = ipw.HTML()
        self.last_verdict: FlowVerdict | None = None
        self.matrix_protocol = ipw.Dropdown(options=("Tcp", "Udp"), description="Protocol", style=style, layout=short)
        self.matrix_port = ipw.BoundedIntText(value=443, min=0, max=65535, description="Port", style=style,
                                              layout=ipw.Layout(width="150px"))
        self.matrix = ipw.HTML()
        self.errors = ipw.HTML()
        if len(vms) > 1:
            self.target.value = vms[1]
        self.widget = ipw.VBox([
            self.rules,
            ipw.HTML("<b>Add a rule</b> (several addresses or ports: separate with commas)"),
            ipw.HBox([self.name, self.priority, self.direction, self.access, self.protocol]),
            ipw.HBox([self.source, self.source_ports, self.destination, self.destination_ports, self.add]),
            ipw.HBox([self.remove_name, self.remove]),
            self.errors,
            ipw.HTML("<b>IP flow verify</b>"),
            ipw.HBox([self.target, self.verify_direction, self.verify_protocol]),
            ipw.HBox([self.remote, self.local_port, self.remote_port, self.verify]),
            self.verdict,
            ipw.HBox([self.matrix_protocol, self.matrix_port]), self.matrix,
        ])
        self.add.on_click(self._on_add)
        self.remove.on_click(self._on_remove)
        self.verify.on_click(self._on_verify)
        for control in (self.target, self.verify_direction, self.verify_protocol, self.remote, self.local_port,
                        self.remote_port):
            control.observe(self._on_verify, names="value")
        for control in (self.matrix_protocol, self.matrix_port):
            control.observe(self._on_matrix, names="value")
        self._refresh()

    def _refresh(self) -> None:
        """Clear the errors; redraw the rules, the remove list, the verdict and the matrix after a change."""
        self.errors.value = ""
        self.rules.value = self.session.rules_html()
        names = list(self.session.group.custom)
        keep = self.remove_name.value
        self.remove_name.options = names
        self.remove_name.value = keep if keep in names else (names[-1] if names else None)
        self._on_verify()
        self._on_matrix()

    @callback
    def _on_add(self, _button: object = None) -> None:
        self.session.add_rule(self.name.value.strip(), int(self.priority.value), self.direction.value,
                              self.access.value, self.protocol.value, self.source.value, self.source_ports.value,
                              self.destination.value, self.destination_ports.value)
        self._refresh()

    @callback
    def _on_remove(self, _button: object = None) -> None:
        if self.remove_name.value is None:
            return
        self.session.remove_rule(self.remove_name.value)
        self._refresh()

    @callback
    def _on_verify(self, change: object = None) -> None:
        if self.target.value is None:
            return
        tcp_udp = self.verify_protocol.value in ("Tcp", "Udp")
        verdict = self.session.verify(self.target.value, self.verify_direction.value, self.verify_protocol.value,
                                      self.remote.value, int(self.local_port.value) if tcp_udp else None,
                                      int(self.remote_port.value) if tcp_udp else None)
        self.last_verdict = verdict
        self.verdict.value = verdict_html(verdict)
        self.errors.value = ""

    @callback
    def _on_matrix(self, change: object = None) -> None:
        port = int(self.matrix_port.value)
        cells = self.session.matrix(self.matrix_protocol.value, port)
        self.matrix.value = matrix_html(cells, self.session.vms(), self.matrix_protocol.value, port)

    def answer_data(self) -> dict:
        """{"nsg": name, "rules": [custom rule dicts, as in a scenario]}."""
        return self.session.answer_data()


__all__ = ["NsgRuleEditor", "NsgSession", "Reach", "matrix_html", "two_tier_network", "verdict_html"]
