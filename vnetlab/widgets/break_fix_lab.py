"""The break-fix lab (lesson 11): draw a fault (or pick one), see only the symptom, run the diagnosis tools, apply
a repair from the catalogue, and see whether the symptom is gone and nothing else broke.

Logic layer: :class:`BreakFixSession` holds one incident (:func:`vnetlab.troubleshoot.inject`) and answers with
HTML built from the tools' results (:mod:`vnetlab.troubleshoot.tools`); it never says which fault was drawn until
:meth:`BreakFixSession.reveal`. Widget layer: :class:`BreakFixLab` wires dropdowns and buttons to it.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from html import escape

import ipywidgets as ipw

from ..errors import VnetlabError
from ..troubleshoot import catalogue, fault as catalogued, inject, repair
from ..troubleshoot import tools
from ..troubleshoot.bases import HUB, baseline_flows, base_network
from ..troubleshoot.faults import Incident, reachability, symptoms
from . import Explorer, callback

TOOLS = (("Next hop (from the failing flow's source)", "next_hop"),
         ("Connection troubleshoot (the failing flow)", "connection_troubleshoot"),
         ("Effective routes (of the source)", "effective_routes"),
         ("IP flow verify (inbound at the destination VM)", "ip_flow_verify"),
         ("Effective security rules (of the destination VM)", "effective_security_rules"),
         ("VPN troubleshoot (the hub's gateway)", "vpn_troubleshoot"),
         ("Peering status (the hub's links)", "peering_status"),
         ("Try the planned change / check the gateway SKU", "change"))


@dataclass(frozen=True)
class Outcome:
    """After a repair: the symptoms left and the flows that worked before the fault and fail now."""

    left: tuple[str, ...]
    broken: tuple[str, ...]

    @property
    def fixed(self) -> bool:
        return not self.left and not self.broken

    def html(self) -> str:
        if self.fixed:
            return ('<div style="background:#DDF2EA;padding:4px 8px;border-radius:4px">✓ <b>Fixed</b>: the symptom is '
                    "gone and every flow that worked before the fault still works.</div>")
        items = [f"<li>still failing: {escape(s)}</li>" for s in self.left]
        items += [f"<li>collateral damage: {escape(s)}</li>" for s in self.broken]
        return ('<div style="background:#FBE3D6;padding:4px 8px;border-radius:4px">✗ <b>Not fixed</b><ul>'
                + "".join(items) + "</ul></div>")


class BreakFixSession:
    """One incident at a time: its symptom, the tools run on it, a repair and its outcome."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.incident: Incident | None = None
        self.applied: list[str] = []

    def draw(self, fault_id: str | None = None, seed: int | None = None) -> Incident:
        """A new incident: ``fault_id`` from the catalogue, or a random one (``None``)."""
        self.seed = random.Random(self.seed).randrange(10 ** 6) if seed is None else seed
        ids = [f.id for f in catalogue()]
        chosen = fault_id if fault_id is not None else random.Random(self.seed).choice(ids)
        catalogued(chosen)
        self.incident = inject(chosen, self.seed)
        self.applied = []
        return self.incident

    def _need(self) -> Incident:
        if self.incident is None:
            raise VnetlabError("Draw a fault first.", rule="a lab needs an incident")
        return self.incident

    def symptom_html(self) -> str:
        inc = self._need()
        probes = "".join(f"<li>{escape(p.description)}</li>" for p in inc.probes)
        return (f"<p><b>Reported:</b> {escape(inc.symptom)}</p><p>What should work (and does not):</p>"
                f"<ul>{probes}</ul>")

    def failing_flow(self):
        inc = self._need()
        flows = [p for p in inc.probes if p.kind == "flow"]
        return next((p for p in flows if p.evaluate(inc.network)), flows[0] if flows else None)

    def run(self, tool: str) -> str:
        """The HTML of ``tool`` run on the incident's network (the failing flow where the tool needs one)."""
        inc = self._need()
        net, lay = inc.network, inc.layout
        flow = self.failing_flow()
        if tool in ("next_hop", "connection_troubleshoot", "effective_routes", "ip_flow_verify",
                    "effective_security_rules") and flow is None:
            return "<i>No failing flow in this incident: try VPN troubleshoot or the change / SKU check.</i>"
        if tool == "next_hop":
            return tools.next_hop(net, flow.src, flow.dst)._repr_html_()
        if tool == "connection_troubleshoot":
            return tools.connection_troubleshoot(net, flow.src, flow.dst, from_site=flow.from_site)._repr_html_()
        if tool == "effective_routes":
            return tools.effective_routes(net, flow.src)._repr_html_()
        if tool in ("ip_flow_verify", "effective_security_rules"):
            located = net.locate(flow.dst)
            nic = located[2] if located is not None else None
            if nic is None:
                return f"<i>{escape(flow.dst)} is not a VM in Azure: no NSG to check there.</i>"
            if tool == "effective_security_rules":
                return tools.effective_security_rules(net, nic.name)._repr_html_()
            src = net.nic(flow.src).ip if not flow.from_site else flow.src
            return tools.ip_flow_verify(net, nic.name, "Inbound", local_port=443, remote_ip=str(src),
                                        remote_port=50000)._repr_html_()
        if tool == "vpn_troubleshoot":
            return tools.vpn_troubleshoot(net, HUB)._repr_html_()
        if tool == "peering_status":
            return tools.peering_status(net, HUB)._repr_html_()
        if tool == "change":
            others = [p for p in inc.probes if p.kind in ("change", "capacity")]
            if not others:
                return "<i>No planned change or SKU requirement in this incident.</i>"
            return "".join(f"<pre style='white-space:pre-wrap'>{escape(p.evaluate(net) or p.description + ': fine')}"
                           "</pre>" for p in others)
        raise VnetlabError(f"No tool {tool!r}; tools: {', '.join(t for _, t in TOOLS)}.", value=tool,
                           rule="a tool of the lab")

    def apply(self, fault_id: str) -> Outcome:
        """Apply the catalogue's repair for ``fault_id``. The repair of a fault that is not there changes nothing
        (there is no such setting out of place), and the outcome says the symptom is still there."""
        inc = self._need()
        catalogued(fault_id)
        if fault_id in inc.faults and fault_id not in self.applied:
            repair(inc, faults=(fault_id,))
            self.applied.append(fault_id)
        return self.outcome()

    def outcome(self) -> Outcome:
        inc = self._need()
        healthy, lay = base_network(self.seed)
        flows = baseline_flows(lay)
        before, after = reachability(healthy, flows), reachability(inc.network, flows)
        broken = tuple(f"HTTPS {s} → {d}" for (s, d, site), ok in before.items() if ok and not after[(s, d, site)])
        return Outcome(tuple(symptoms(inc.network, inc)), broken)

    def reveal(self) -> str:
        inc = self._need()
        return "".join(catalogued(f)._repr_html_() for f in inc.faults)


class BreakFixLab(Explorer):
    """Pick a fault or draw one at random, read the symptom, run tools, apply a repair.

    Attributes: ``fault`` (Dropdown: random or a catalogue entry), ``draw`` (Button), ``symptom`` (HTML),
    ``tool`` (Dropdown), ``run`` (Button), ``output`` (HTML), ``repair`` (Dropdown of the catalogue's repairs),
    ``apply`` (Button), ``result`` (HTML), ``reveal`` (Button), ``errors`` (HTML), ``session``, ``widget``.
    """

    def __init__(self, seed: int = 0) -> None:
        self.session = BreakFixSession(seed)
        style = {"description_width": "initial"}
        self.fault = ipw.Dropdown(options=[("a random fault", "")] + [(f.title, f.id) for f in catalogue()],
                                  value="", description="Fault", style=style, layout=ipw.Layout(width="60%"))
        self.draw = ipw.Button(description="Draw the fault", button_style="primary")
        self.symptom = ipw.HTML()
        self.tool = ipw.Dropdown(options=TOOLS, value=TOOLS[0][1], description="Tool", style=style,
                                 layout=ipw.Layout(width="60%"))
        self.run = ipw.Button(description="Run the tool")
        self.output = ipw.HTML()
        self.repair = ipw.Dropdown(options=[(f"{f.id}: {f.repair}", f.id) for f in catalogue()],
                                   description="Repair", style=style, layout=ipw.Layout(width="95%"))
        self.apply = ipw.Button(description="Apply the repair", button_style="warning")
        self.result = ipw.HTML()
        self.reveal = ipw.Button(description="Reveal the cause")
        self.revealed = ipw.HTML()
        self.errors = ipw.HTML()
        self.widget = ipw.VBox([ipw.HBox([self.fault, self.draw]), self.errors, self.symptom,
                                ipw.HBox([self.tool, self.run]), self.output, self.repair,
                                ipw.HBox([self.apply, self.reveal]), self.result, self.revealed])
        self.widget.add_class("vnetlab-break-fix")
        self.draw.on_click(self._on_draw)
        self.run.on_click(self._on_run)
        self.apply.on_click(self._on_apply)
        self.reveal.on_click(self._on_reveal)
        self._on_draw()

    @callback
    def _on_draw(self, _: object = None) -> None:
        self.session.draw(self.fault.value or None)
        self.symptom.value = self.session.symptom_html()
        self.output.value = self.result.value = self.revealed.value = self.errors.value = ""

    @callback
    def _on_run(self, _: object = None) -> None:
        self.output.value = self.session.run(self.tool.value)
        self.errors.value = ""

    @callback
    def _on_apply(self, _: object = None) -> None:
        self.result.value = self.session.apply(self.repair.value).html()
        self.errors.value = ""

    @callback
    def _on_reveal(self, _: object = None) -> None:
        self.revealed.value = self.session.reveal()


__all__ = ["BreakFixLab", "BreakFixSession", "Outcome"]
