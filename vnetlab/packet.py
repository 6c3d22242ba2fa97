"""A packet's header fields as the engine sees them: the 5-tuple that routes, NAT and NSGs act on.

NSG rules match on source, source port, destination, destination port and protocol (NSG overview,
2025-07-15); VPN gateway NAT rewrites the source or destination address (NAT overview, 2024-10-16). A
``Packet`` is frozen: a translation returns a new packet, so a trace can show the header before and after.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from netaddr import IPAddress


@dataclass(frozen=True)
class Packet:
    src: IPAddress
    dst: IPAddress
    protocol: str = "Tcp"          # Tcp, Udp, Icmp, Esp, Ah or Any (as NSG rules spell them)
    dst_port: int | None = None
    src_port: int | None = None

    def with_src(self, src: IPAddress) -> "Packet":
        return replace(self, src=src)

    def with_dst(self, dst: IPAddress) -> "Packet":
        return replace(self, dst=dst)

    def reply(self) -> "Packet":
        """The return packet: addresses and ports swapped."""
        return replace(self, src=self.dst, dst=self.src, src_port=self.dst_port, dst_port=self.src_port)

    def __str__(self) -> str:
        sport = f":{self.src_port}" if self.src_port is not None else ""
        dport = f":{self.dst_port}" if self.dst_port is not None else ""
        return f"{self.protocol} {self.src}{sport} → {self.dst}{dport}"
