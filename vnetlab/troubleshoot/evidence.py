"""The evidence for a fault: run the tools the catalogue names for it on an incident's network and say, from each
tool's result (never from the injected fault), whether it shows the fault's evidence.

Used by the lesson's worked cases and break-fix widget, by exercise 11's feedback ("the evidence you missed") and
by the troubleshooting drill (tool outputs shown, pick the cause).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..gateway import requirements_met
from ..network import Network
from .bases import HUB, Layout
from .catalogue import fault as catalogued
from .faults import Incident, Probe
from .tools import (connection_troubleshoot, effective_routes, effective_security_rules, ip_flow_verify, next_hop,
                    peering_status, vpn_troubleshoot)


@dataclass(frozen=True)
class Evidence:
    """One tool run: what was asked, the displayable result, and whether it shows the fault's evidence."""

    tool: str
    question: str
    result: Any
    shows: bool

    def _repr_html_(self) -> str:
        inner = self.result._repr_html_() if hasattr(self.result, "_repr_html_") else f"<pre>{self.result}</pre>"
        return f"<p><b>{self.tool}</b>: {self.question}</p>{inner}"

    def __str__(self) -> str:
        return f"{self.tool}: {self.question}\n{self.result}"


@dataclass(frozen=True)
class Message:
    """A plain result (a refused change, a SKU check) shown like a tool's."""

    text: str

    def __str__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        from html import escape
        return f"<pre style='white-space:pre-wrap'>{escape(self.text)}</pre>"


def _first_flow(incident: Incident, fault_id: str) -> Probe:
    """The fault's own first flow probe (for a fault that brought none: the incident's first)."""
    return next((p for p in (*incident.probes_of(fault_id), *incident.probes) if p.kind == "flow"))


def _hops(incident: Incident, fault_id: str, net: Network) -> list[Evidence]:
    p = _first_flow(incident, fault_id)
    nh = next_hop(net, p.src, p.dst)
    ct = connection_troubleshoot(net, p.src, p.dst, from_site=p.from_site)
    return [Evidence("next_hop", f"next hop from {p.src} to {p.dst}", nh, False),
            Evidence("connection_troubleshoot", f"{p.src} → {p.dst}:443", ct, ct.connection_status != "Reachable")]


def gather(incident: Incident, fault_id: str, net: Network | None = None) -> tuple[Evidence, ...]:
    """Run ``fault_id``'s tools on ``net`` (default: the incident's network); ``shows`` says what each result shows."""
    net = incident.network if net is None else net
    t = incident.targets.get(fault_id, {})
    lay: Layout = incident.layout
    out: list[Evidence] = []
    if fault_id in ("stale_lng_prefixes", "missing_use_remote_gateways", "udr_blackhole", "overlap_by_change"):
        p = _first_flow(incident, fault_id)
        nh = next_hop(net, p.src, p.dst)
        want = {"udr_blackhole": nh.next_hop_type == "None" and nh.route_table_id != "System Route",
                "overlap_by_change": nh.next_hop_type == "VirtualNetwork"}.get(
            fault_id, nh.next_hop_type != "VirtualNetworkGateway")
        out.append(Evidence("next_hop", f"next hop from {p.src} to {p.dst}", nh, want))
        routes = effective_routes(net, p.src)
        gw = [r for r in routes.active if r.next_hop_type == "VirtualNetworkGateway" and p.dst in r.network]
        out.append(Evidence("effective_routes", f"effective routes of {p.src}", routes, not gw))
        if fault_id == "missing_use_remote_gateways":
            vnet = net.locate(p.src)[0].name
            ps = peering_status(net, vnet)
            off = any(r[0] == f"{vnet}-to-{HUB}" and r[7] is False for r in ps.rows_)
            out.append(Evidence("peering_status", f"peering links of {vnet}", ps, off))
    elif fault_id in ("peering_initiated", "peering_not_synced"):
        ps = peering_status(net, HUB)
        col = 2 if fault_id == "peering_initiated" else 3
        bad = {"peering_initiated": "Initiated", "peering_not_synced": "LocalNotInSync"}[fault_id]
        out.append(Evidence("peering_status", "peering links of the hub", ps, any(r[col] == bad for r in ps.rows_)))
        out += _hops(incident, fault_id, net)
    elif fault_id in ("nva_ip_forwarding_off", "forwarded_traffic_off"):
        ev = _hops(incident, fault_id, net)
        nh, ct = ev[0].result, ev[1].result
        if fault_id == "nva_ip_forwarding_off":
            stops_at_nva = ct.connection_status == "Unreachable" and not any(h.type == "appliance" for h in ct.hops)
            out += [Evidence("next_hop", ev[0].question, nh, nh.next_hop_type == "VirtualAppliance" and stops_at_nva),
                    Evidence("connection_troubleshoot", ev[1].question, ct, stops_at_nva)]
        else:
            ps = peering_status(net, t["spoke"])
            off = any(r[0] == f"{t['spoke']}-to-{HUB}" and r[5] is False for r in ps.rows_)
            out += [Evidence("peering_status", f"peering links of {t['spoke']}", ps, off),
                    Evidence("connection_troubleshoot", ev[1].question, ct,
                             ct.connection_status == "Unreachable" and any(h.type == "appliance" for h in ct.hops))]
    elif fault_id == "nsg_shadowed_allow":
        spoke = t["spoke"]
        v = ip_flow_verify(net, lay.vm(spoke), "Inbound", "Tcp", local_port=443, remote_ip=lay.vm_ip(HUB),
                           remote_port=50000)
        out.append(Evidence("ip_flow_verify", f"inbound TCP {lay.vm_ip(HUB)} → {lay.vm(spoke)}:443", v,
                            v.access == "Deny" and v.rule_name == t["deny"]))
        out.append(Evidence("effective_security_rules", f"rules applied to {lay.vm(spoke)}",
                            effective_security_rules(net, lay.vm(spoke)), v.access == "Deny"))
    elif fault_id == "ike_policy_mismatch":
        r = vpn_troubleshoot(net, HUB, "hub-to-branch")
        out.append(Evidence("vpn_troubleshoot", "connection hub-to-branch", r,
                            any(x.id == "IkePolicyMismatch" for x in r.results)))
    elif fault_id in ("nat_missing_for_overlap", "bgp_reserved_asn"):
        p = incident.probes_of(fault_id)[0]
        text = p.evaluate(net)
        out.append(Evidence("change_check", p.description, Message(text or "accepted: the change is in place."),
                            "refused" in text))
    elif fault_id == "sku_too_small":
        p = incident.probes_of(fault_id)[0]
        gw = net.gateway(HUB)
        short = requirements_met(gw.sku, throughput_mbps=p.throughput_mbps)
        out.append(Evidence("gateway_check", f"{gw.sku.name} (generation {gw.sku.generation}) against "
                            f"{p.throughput_mbps} Mbps", Message("; ".join(short) or "meets the requirement"),
                            bool(short)))
    else:  # pragma: no cover - every catalogued fault has a branch (tests check)
        raise ValueError(fault_id)
    return tuple(out)


def missed(incident: Incident, fault_id: str) -> str:
    """The feedback line for a wrong or missing diagnosis: the catalogued evidence and where to look."""
    f = catalogued(fault_id)
    return f"The evidence: {f.evidence} Look with: {', '.join(f.tools)}. ({f.cite()})"


def diagnose_all(incident: Incident) -> dict[str, tuple[Evidence, ...]]:
    """Every injected fault's evidence on the incident's network."""
    return {fid: gather(incident, fid) for fid in incident.faults}
