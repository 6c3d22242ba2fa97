"""Inject a catalogued fault into a working network, see its symptom (computed by the engine), repair it.

A fault is a change an administrator could make (or forget to make). :func:`inject` applies it to a copy of a
base network (:mod:`.bases`) and returns an :class:`Incident`: the broken network, the probes that show the symptom
(flows that should work, a connection that should be up, a change that should be accepted, a SKU requirement),
and where the fault was put. :func:`symptoms` evaluates the probes with the engine (trace, connection status,
the change's own checks, the SKU table), never from stored text. :func:`repair` applies the catalogue's repair.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import VnetlabError
from ..gateway import requirements_met
from ..network import Network
from .bases import BRANCH, HTTPS, HUB, NVA, VM_HUB, Layout, base_network
from .catalogue import catalogue, fault as catalogued


@dataclass(frozen=True)
class Probe:
    """One check that passes in a healthy network.

    ``kind``: ``flow`` (a trace from ``src`` to ``dst`` must be delivered to ``expect``), ``connection`` (the
    gateway in ``vnet`` has a Connected connection to site ``site``), ``change`` (the planned change
    ``change`` = (Network method, kwargs) must be accepted; it passes once it is in place, i.e. ``site`` exists),
    ``capacity`` (the gateway in ``vnet`` meets ``throughput_mbps``)."""

    kind: str
    description: str
    src: str = ""
    dst: str = ""
    from_site: str | None = None
    expect: str = ""
    vnet: str = ""
    site: str = ""
    change: tuple = ()
    throughput_mbps: int = 0

    def evaluate(self, net: Network) -> str:
        """'' when the probe passes, else what the engine reports."""
        if self.kind == "flow":
            t = net.trace(self.src, self.dst, port=HTTPS, from_site=self.from_site)
            if t.reachable and t.dst_vnet == self.expect:
                return ""
            where = f" but ends at {t.dst_vnet}, not {self.expect}" if t.reachable else ""
            return f"{self.description}: {t.verdict}{where}. {t.reason}"
        if self.kind in ("connection", "change") and self.vnet:
            found = [c for c in net.connections if c.gateway.vnet.name == self.vnet and c.remote is
                     net.local_gateways.get(self.site)]
            if any(c.status == "Connected" for c in found):
                return ""
            if not found and self.change:
                return self._try_change(net)
            if not found:
                return f"{self.description}: no connection from {self.vnet}'s gateway to {self.site}."
            return f"{self.description}: {found[0].name} is {found[0].status}: {found[0].status_reason}"
        if self.kind == "change":
            return "" if self.site in net.local_gateways else self._try_change(net)
        if self.kind == "capacity":
            gw = net.gateway(self.vnet)
            short = requirements_met(gw.sku, throughput_mbps=self.throughput_mbps)
            return f"{self.description}: {gw.sku.name} falls short ({'; '.join(short)})." if short else ""
        raise ValueError(self.kind)

    def _try_change(self, net: Network) -> str:
        """The planned change, tried on a copy: the engine's refusal is the symptom."""
        method, kwargs = self.change
        try:
            getattr(net.copy(), method)(**kwargs)
        except VnetlabError as e:
            return f"{self.description}: refused. {e}"
        return f"{self.description}: not made yet (it would be accepted)."


@dataclass(frozen=True)
class Incident:
    """A broken network: which faults were injected where, and the probes that show the symptom."""

    network: Network
    layout: Layout
    faults: tuple[str, ...]
    probes: tuple[Probe, ...]
    targets: dict = field(default_factory=dict)
    by_fault: dict = field(default_factory=dict)  # fault id -> the probes that fault brought

    def probes_of(self, fault_id: str) -> tuple[Probe, ...]:
        return self.by_fault.get(fault_id, self.probes)

    @property
    def symptom(self) -> str:
        """What the learner is told: the catalogued symptom(s), no cause."""
        return " ".join(catalogued(f).symptom for f in self.faults)


def symptoms(net: Network, probes: "tuple[Probe, ...] | Incident") -> list[str]:
    """The failing probes, each with what the engine reports ([] = the symptom is gone)."""
    if isinstance(probes, Incident):
        probes = probes.probes
    return [msg for msg in (p.evaluate(net) for p in probes) if msg]


def reachability(net: Network, flows) -> dict[tuple, bool]:
    """For grading: which of ``flows`` ((src, dst, from_site)) are delivered, HTTPS."""
    return {f: net.trace(f[0], f[1], port=HTTPS, from_site=f[2]).reachable for f in flows}


# --- the injectors: each changes ``net`` and returns (probes, targets) ------------------------------------------
def _flow(lay: Layout, src_vnet: str, dst_vnet: str, what: str = "") -> Probe:
    return Probe("flow", what or f"HTTPS {lay.vm(src_vnet)} → {lay.vm(dst_vnet)} ({lay.vm_ip(dst_vnet)})",
                 src=lay.vm(src_vnet), dst=lay.vm_ip(dst_vnet), expect=dst_vnet)


def _to_branch(lay: Layout, src_vnet: str, host: str | None = None, where: str = "") -> Probe:
    host = host or lay.branch_host
    return Probe("flow", f"HTTPS {lay.vm(src_vnet)} → branch host {host}{where}", src=lay.vm(src_vnet), dst=host,
                 expect=BRANCH)


def _stale_lng_prefixes(net: Network, lay: Layout, rng: random.Random):
    spoke = rng.choice(lay.spokes)
    new_host = lay.spare_branch_prefix.replace(".0/24", ".10")
    # The branch now also uses spare_branch_prefix; nothing in Azure was told (the fault is the omission).
    where = f" (in the range the branch added, {lay.spare_branch_prefix})"
    return ((_to_branch(lay, spoke, new_host, where), _to_branch(lay, HUB, new_host, where)),
            {"site_prefix": lay.spare_branch_prefix})


def _missing_use_remote_gateways(net: Network, lay: Layout, rng: random.Random):
    spoke = rng.choice(lay.spokes)
    net.set_peering(spoke, HUB, use_remote_gateways=False)
    return (_to_branch(lay, spoke),), {"spoke": spoke}


def _peering_initiated(net: Network, lay: Layout, rng: random.Random):
    spoke = rng.choice(lay.spokes)
    settings = dict(net.peering(spoke, HUB).settings.__dict__)
    hub_side = dict(net.peering(HUB, spoke).settings.__dict__)
    net.remove_peering(HUB, spoke)
    net.add_peering_link(HUB, spoke, **hub_side)
    return (_flow(lay, HUB, spoke), _flow(lay, spoke, HUB)), {"spoke": spoke, "settings": settings}


def _peering_not_synced(net: Network, lay: Layout, rng: random.Random):
    spoke = rng.choice(lay.spokes)
    third = 16 + lay.spokes.index(spoke)  # a range of its own, far from the 10.x ranges of the base network
    net.add_address_space(spoke, f"172.{third}.0.0/16")
    net.vnet(spoke).add_subnet("new", f"172.{third}.1.0/24").add_nic(f"vm-{spoke}-new", f"172.{third}.1.4")
    probe = Probe("flow", f"HTTPS vm-hub → vm-{spoke}-new (172.{third}.1.4)", src=VM_HUB, dst=f"172.{third}.1.4",
                  expect=spoke)
    return (probe,), {"spoke": spoke}


def _udr_blackhole(net: Network, lay: Layout, rng: random.Random):
    spoke = rng.choice(lay.spokes)
    net.add_route_table(f"{spoke}-rt")
    net.add_route(f"{spoke}-rt", "to-other-spokes", "10.0.0.0/8", "VirtualAppliance", lay.nva_ip)
    net.add_route(f"{spoke}-rt", "block-branch", lay.branch_prefix, "None")
    net.associate_route_table(spoke, "app", f"{spoke}-rt")
    return (_to_branch(lay, spoke),), {"spoke": spoke, "table": f"{spoke}-rt", "route": "block-branch"}


def _nva_ip_forwarding_off(net: Network, lay: Layout, rng: random.Random):
    net.set_ip_forwarding(NVA, False)
    a, b = rng.sample(lay.spokes, 2)
    return (_flow(lay, a, b), _flow(lay, b, a)), {}


def _forwarded_traffic_off(net: Network, lay: Layout, rng: random.Random):
    a, b = rng.sample(lay.spokes, 2)
    net.set_peering(b, HUB, allow_forwarded_traffic=False)
    return (_flow(lay, a, b),), {"spoke": b}


def _nsg_shadowed_allow(net: Network, lay: Layout, rng: random.Random):
    spoke = rng.choice(lay.spokes)
    name = f"{spoke}-nsg"
    shared = f"10.{lay.hub_octet}.1.0/24"
    deny = rng.choice((150, 200, 250))
    net.add_network_security_group(name)
    net.add_security_rule(name, "deny-hub-shared", deny, "Inbound", "Deny", "*", source=shared)
    net.add_security_rule(name, "allow-https-from-hub", deny + 100, "Inbound", "Allow", "Tcp", source=shared,
                          destination_ports="443")
    net.associate_network_security_group(spoke, "app", nsg=name)
    return (_flow(lay, HUB, spoke),), {"spoke": spoke, "nsg": name, "deny": "deny-hub-shared",
                                      "allow": "allow-https-from-hub", "deny_priority": deny}


# Proposals outside Azure's default offers (VPN FAQ / ipsec-ike-policy-howto): a device with only these finds no match.
DEVICE_PROPOSALS = ("AES256/SHA256/DHGroup14", "AES256/SHA384/DHGroup24", "AES128/SHA256/DHGroup14")


def _ike_policy_mismatch(net: Network, lay: Layout, rng: random.Random):
    phase1 = rng.choice(DEVICE_PROPOSALS)
    net.set_vpn_device(BRANCH, ike_versions="IKEv2", phase1=[phase1], phase2=["AES256/SHA256/None"])
    probes = (Probe("connection", "Site-to-Site hub-to-branch", vnet=HUB, site=BRANCH), _to_branch(lay, HUB))
    return probes, {"device_phase1": phase1}


def _nat_missing_for_overlap(net: Network, lay: Layout, rng: random.Random):
    overlap = f"10.{lay.hub_octet}.1.0/24"
    net.add_local_network_gateway("branch2", "198.51.100.20", [overlap])
    change = ("connect", {"a": HUB, "b": "branch2", "kind": "IPsec", "name": "hub-to-branch2"})
    probes = (Probe("change", "Connect new site branch2 to the hub", vnet=HUB, site="branch2", change=change),)
    return probes, {"site": "branch2", "overlap": overlap, "change": change}


def _bgp_reserved_asn(net: Network, lay: Layout, rng: random.Random):
    kwargs = {"name": "branch-bgp", "gateway_ip": "198.51.100.30", "bgp_asn": 65515,
              "bgp_peer_ip": "172.16.250.1", "prefixes": []}
    probes = (Probe("change", "Add BGP site branch-bgp (ASN 65515)", site="branch-bgp",
                    change=("add_local_network_gateway", kwargs)),)
    return probes, {"site": "branch-bgp", "kwargs": kwargs}


def _sku_too_small(net: Network, lay: Layout, rng: random.Random):
    need = rng.choice((1100, 1200, 1250))
    return (Probe("capacity", f"Gateway throughput for {need} Mbps", vnet=HUB, throughput_mbps=need),), {"need": need}


def _overlap_by_change(net: Network, lay: Layout, rng: random.Random):
    spoke = rng.choice(lay.spokes)
    net.add_address_space(spoke, lay.branch_prefix)
    net.vnet(spoke).add_subnet("extra", lay.branch_prefix.replace(".0/24", ".128/25"))
    return (_to_branch(lay, spoke),), {"spoke": spoke, "prefix": lay.branch_prefix, "subnet": "extra"}


INJECT: dict[str, Callable] = {
    "stale_lng_prefixes": _stale_lng_prefixes,
    "missing_use_remote_gateways": _missing_use_remote_gateways,
    "peering_initiated": _peering_initiated,
    "peering_not_synced": _peering_not_synced,
    "udr_blackhole": _udr_blackhole,
    "nva_ip_forwarding_off": _nva_ip_forwarding_off,
    "forwarded_traffic_off": _forwarded_traffic_off,
    "nsg_shadowed_allow": _nsg_shadowed_allow,
    "ike_policy_mismatch": _ike_policy_mismatch,
    "nat_missing_for_overlap": _nat_missing_for_overlap,
    "bgp_reserved_asn": _bgp_reserved_asn,
    "sku_too_small": _sku_too_small,
    "overlap_by_change": _overlap_by_change,
}


# --- the catalogue's repairs -----------------------------------------------------------------------------------
def _repair(fault_id: str, net: Network, lay: Layout, t: dict[str, Any]) -> None:
    if fault_id == "stale_lng_prefixes":
        lng = net.local_gateway(BRANCH)
        net.set_local_network_gateway_prefixes(BRANCH, [str(p) for p in lng.prefixes] + [t["site_prefix"]])
    elif fault_id == "missing_use_remote_gateways":
        net.set_peering(t["spoke"], HUB, use_remote_gateways=True)
    elif fault_id == "peering_initiated":
        net.add_peering_link(t["spoke"], HUB, **t["settings"])
    elif fault_id == "peering_not_synced":
        net.sync_peering(HUB, t["spoke"])
    elif fault_id == "udr_blackhole":
        net.remove_route(t["table"], t["route"])
    elif fault_id == "nva_ip_forwarding_off":
        net.set_ip_forwarding(NVA, True)
    elif fault_id == "forwarded_traffic_off":
        net.set_peering(t["spoke"], HUB, allow_forwarded_traffic=True)
    elif fault_id == "nsg_shadowed_allow":
        net.remove_security_rule(t["nsg"], t["allow"])
        net.add_security_rule(t["nsg"], t["allow"], t["deny_priority"] - 10, "Inbound", "Allow", "Tcp",
                              source=f"10.{lay.hub_octet}.1.0/24", destination_ports="443")
    elif fault_id == "ike_policy_mismatch":
        enc, integ, dh = t["device_phase1"].split("/")
        net.set_ipsec_policy(HUB, "hub-to-branch", {
            "ike_encryption": enc, "ike_integrity": integ, "dh_group": dh, "ipsec_encryption": "AES256",
            "ipsec_integrity": "SHA256", "pfs_group": "None"})
    elif fault_id == "nat_missing_for_overlap":
        hub_space = str(net.vnet(HUB).address_space[0])
        net.add_nat_rule(HUB, "hub-out", mode="EgressSnat", internal=hub_space, external="100.64.0.0/16")
        net.add_nat_rule(HUB, "branch2-in", mode="IngressSnat", internal=t["overlap"], external="100.65.1.0/24")
        net.connect(HUB, t["site"], "IPsec", name="hub-to-branch2", ingress_nat_rules=["branch2-in"],
                    egress_nat_rules=["hub-out"])
    elif fault_id == "bgp_reserved_asn":
        net.add_local_network_gateway(**{**t["kwargs"], "bgp_asn": 65010})
    elif fault_id == "sku_too_small":
        net.resize_gateway(HUB, "VpnGw3AZ")
    elif fault_id == "overlap_by_change":
        net.vnet(t["spoke"]).remove_subnet(t["subnet"])
        net.remove_address_space(t["spoke"], t["prefix"])
    else:
        raise ValueError(fault_id)


def inject(fault_id: str, seed: int = 0, network: "tuple[Network, Layout] | None" = None) -> Incident:
    """Inject ``fault_id`` into the base network of ``seed`` (or into ``network``, a (Network, Layout) pair, copied)."""
    return inject_many((fault_id,), seed, network)


def inject_many(fault_ids: "tuple[str, ...] | list[str]", seed: int = 0,
                network: "tuple[Network, Layout] | None" = None) -> Incident:
    """Several faults at once (the hardest level): each placed by its own draw from ``seed``."""
    net, lay = (network[0].copy(), network[1]) if network is not None else base_network(seed)
    rng = random.Random(f"faults-{seed}")
    probes: list[Probe] = []
    targets: dict[str, dict] = {}
    by_fault: dict[str, tuple[Probe, ...]] = {}
    for fid in fault_ids:
        catalogued(fid)
        p, t = INJECT[fid](net, lay, rng)
        probes += p
        targets[fid], by_fault[fid] = t, tuple(p)
    return Incident(network=net, layout=lay, faults=tuple(fault_ids), probes=tuple(probes), targets=targets,
                    by_fault=by_fault)


def repair(incident: Incident, net: Network | None = None, faults: "tuple[str, ...] | None" = None) -> Network:
    """Apply the catalogue's repair of every fault of ``incident`` (or only of ``faults``) to ``net`` (default: the
    incident's network)."""
    net = incident.network if net is None else net
    for fid in incident.faults if faults is None else faults:
        _repair(fid, net, incident.layout, incident.targets[fid])
    return net


def fault_ids() -> tuple[str, ...]:
    return tuple(f.id for f in catalogue())
