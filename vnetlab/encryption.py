"""Encryption paths: which legs of a packet's journey are encrypted at the network layer, by what, over which path.

What Azure documents (azure-facts.md §6.6, §3, §4):

* **VPN gateway tunnels** (Site-to-Site, VNet-to-VNet, Point-to-Site) carry the packet inside IPsec ESP (IKE only
  negotiates the keys; the traffic rides the phase-2 security associations). Site-to-Site and Point-to-Site cross
  the public internet; VNet-to-VNet crosses the Microsoft backbone. A tunnel protects the packet **between the two
  gateways only**: the legs from a VM to its gateway, and from the far gateway to the receiver, are not inside it.
* **VNet peering adds no IPsec.** Traffic stays on the Microsoft backbone; links between datacenters are encrypted
  at layer 2 with MACsec (IEEE 802.1AE), which is not network-layer encryption and not under the customer's
  control (VNet FAQ).
* **Azure Virtual Network encryption** (DTLS between VMs) covers VM-to-VM traffic inside a VNet and across regional
  and global peering, when enabled on the VNets and both VMs support it (Accelerated Networking and a supported
  size); traffic to unsupported VMs goes unencrypted (VNet encryption overview, 2024-12-11). The simulator applies
  it only to a direct VM-to-VM path in which both VNets have it enabled and both NICs have accelerated
  networking; legs through a gateway or an appliance are shown unencrypted, because the documents describe it
  between VMs.

The compliance framing (HIPAA, PCI-DSS, GDPR ask for protection of data in transit) is the learner's question;
:func:`encryption_report` answers the network-layer part only: which legs are encrypted, by what, and where not.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .display import html_table, text_table

IN_VNET = "inside the VNet"
BACKBONE = "Microsoft backbone"
PUBLIC_INTERNET = "public internet"

IPSEC = "IPsec ESP"
P2S_TUNNEL = "Point-to-Site tunnel"
VNET_ENCRYPTION = "virtual network encryption (DTLS)"
NONE = "none at the network layer"

VNET_FAQ = "https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq"
VNET_ENCRYPTION_DOC = "https://learn.microsoft.com/azure/virtual-network/virtual-network-encryption-overview (2024-12-11)"


def is_encrypted(protection: str) -> bool:
    """Encrypted at the network layer (IPsec, a P2S tunnel, or VNet encryption)."""
    return bool(protection) and not protection.startswith(NONE)


def tunnel_protection(connection) -> str:
    """'IPsec ESP (…)' for a connection: the negotiated phase-2 algorithms when known."""
    negotiation = getattr(connection, "negotiation", None)
    if negotiation is not None and getattr(negotiation, "phase2", None) is not None:
        return f"{IPSEC} ({negotiation.phase2}, {negotiation.ike_version})"
    return f"{IPSEC} ({connection.connection_protocol})"


def _vnet_encrypted(src_nic, dst_nic) -> bool:
    if src_nic is None or dst_nic is None:
        return False
    nics = (src_nic, dst_nic)
    return all(n.vnet.encryption and n.accelerated_networking for n in nics)


def protect(hops: tuple, src_nic, dst_nic) -> tuple:
    """Fill each leg's ``protection``: tunnel legs keep theirs; a direct VM-to-VM path gets VNet encryption when both
    ends support it; every other leg is unencrypted at the network layer (with why, for the backbone)."""
    direct = not any(h.action in ("to gateway", "appliance", "NAT") for h in hops)
    vm_to_vm = direct and _vnet_encrypted(src_nic, dst_nic)
    out = []
    for h in hops:
        if h.path and not h.protection:
            if vm_to_vm:
                label = VNET_ENCRYPTION
            elif h.path == BACKBONE:
                label = f"{NONE} (peering adds no IPsec; MACsec encrypts links between datacenters at layer 2)"
            else:
                label = NONE
            h = replace(h, protection=label)
        out.append(h)
    return tuple(out)


@dataclass(frozen=True)
class Leg:
    direction: str      # "A → B" or "B → A"
    step: int
    where: str
    action: str
    path: str
    protection: str

    @property
    def encrypted(self) -> bool:
        return is_encrypted(self.protection)


@dataclass(frozen=True)
class EncryptionReport:
    """Is all traffic between A and B encrypted in transit at the network layer, and where not?"""

    a: str
    b: str
    legs: tuple[Leg, ...]
    reachable: tuple[bool, bool]
    notes: tuple[str, ...]
    port: int | None = None
    drops: tuple[str, ...] = ()     # why each unreachable direction was dropped (the trace's reason)

    @property
    def all_encrypted(self) -> bool:
        return all(self.reachable) and all(leg.encrypted for leg in self.legs)

    @property
    def gaps(self) -> tuple[Leg, ...]:
        return tuple(leg for leg in self.legs if not leg.encrypted)

    def answer(self) -> str:
        if not all(self.reachable):
            why = " ".join(self.drops)
            if self.port is None and "NSG" in why:
                return (f"An NSG dropped a packet without a port between {self.a} and {self.b} ({why}) A packet with "
                        "no port matches only rules whose port is *, so this is not the verdict on a flow to a port: "
                        "pass port= (the flow's destination port) to check that flow's path.")
            return f"{self.a} and {self.b} do not reach each other in both directions ({why}); see the traces."
        if self.all_encrypted:
            return f"Yes: every leg between {self.a} and {self.b} is encrypted at the network layer."
        where = "; ".join(f"{g.direction} step {g.step} ({g.action}, {g.path})" for g in self.gaps)
        return f"No: {len(self.gaps)} leg(s) are not encrypted at the network layer: {where}."

    HEADERS = ("Direction", "#", "Where", "Action", "Path", "Protection")

    def rows(self) -> list[tuple]:
        return [(leg.direction, leg.step, leg.where, leg.action, leg.path,
                 ("✓ " if leg.encrypted else "⚠ ") + leg.protection) for leg in self.legs]

    def _repr_html_(self) -> str:
        gaps = [i for i, leg in enumerate(self.legs) if not leg.encrypted]
        notes = "".join(f"<p>{n}</p>" for n in self.notes)
        return html_table(self.HEADERS, self.rows(), highlight=gaps, caption=self.answer()) + notes

    def __str__(self) -> str:
        return self.answer() + "\n" + text_table(self.HEADERS, self.rows()) + "\n" + "\n".join(self.notes)


def encryption_report(network, a: str, b: str, protocol: str = "Tcp", port: int | None = None) -> EncryptionReport:
    """Trace A → B and B → A and list every leg with its path and protection. A and B are VM NIC names, VM addresses
    or addresses at an on-premises site (the trace from there starts at the site, through its connection)."""
    ends = [_end(network, x) for x in (a, b)]
    there = network.trace(ends[0][0], ends[1][1], protocol, port, from_site=ends[0][2])
    back = network.trace(ends[1][0], ends[0][1], protocol, None, from_site=ends[1][2])
    legs = tuple(Leg(label, h.step, h.vnet, h.action, h.path, h.protection)
                 for label, t in ((f"{a} → {b}", there), (f"{b} → {a}", back)) for h in t.segments)
    notes = [
        "Network layer only: TLS or other application-layer encryption is not modelled, and a compliance assessment "
        "(HIPAA, PCI-DSS, GDPR) looks at more than the network.",
        f"Peering traffic between datacenters is MACsec-encrypted at layer 2 by Azure ({VNET_FAQ}); that is not "
        "counted as network-layer encryption here.",
    ]
    if any(leg.protection.startswith(IPSEC) for leg in legs) and any(not leg.encrypted for leg in legs):
        notes.append("An IPsec tunnel protects the packet only between the two gateways; the legs inside each VNet are "
                     "outside the tunnel.")
    if any(site for _, _, site in ends):
        notes.append("Beyond the site's VPN device, the on-premises network is outside the simulator: its legs are not "
                     "listed.")
    drops = tuple(f"{label}: {t.reason}" for label, t in ((f"{a} → {b}", there), (f"{b} → {a}", back))
                  if not t.reachable)
    return EncryptionReport(a, b, legs, (there.reachable, back.reachable), tuple(notes), port, drops)


def _end(network, x: str) -> tuple[str, str, str | None]:
    """(source as trace takes it, its address as a destination, the site it is at or None)."""
    if x in {n.name for n in network.nics}:
        return x, str(network.nic(x).ip), None
    from .addressing import parse_address

    address = parse_address(x, what="end of the path")
    if network.locate(x) is None:
        site = next((lng.name for lng in network.local_gateways.values() if any(address in p for p in lng.prefixes)),
                    None)
        if site is not None:
            return str(address), str(address), site
    return str(address), str(address), None
